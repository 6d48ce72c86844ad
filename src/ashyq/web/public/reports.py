"""The reports of published periods on the portal: the annual report and body scorecards,
in every format and language (``web.reports`` generates each once and serves it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request, Response

from ashyq.bodies import BodyRegistry
from ashyq.errors import NotFoundError
from ashyq.i18n import N_
from ashyq.index.methodology import Methodology
from ashyq.records import engine
from ashyq.reports.model import Report
from ashyq.results.model import ResultsDocument
from ashyq.web.portal import (
    LangDep,
    Published,
    SessionDep,
    Year,
    methodology_of,
    portal_of,
    published_snapshots,
)

if TYPE_CHECKING:  # the builders load Matplotlib; a request imports them when it needs one
    from ashyq.reports.openness import OpennessData
from ashyq.web.reports import serve_report

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _published(
    snapshots: dict[int, Published], year: int
) -> tuple[Published, ResultsDocument | None]:
    if year not in snapshots:
        raise NotFoundError(N_("No published results for {period}."), period=year)
    earlier = [y for y in snapshots if y < year]
    previous = snapshots[max(earlier)].document if earlier else None
    return snapshots[year], previous


def _data(
    snapshot: Published,
    previous: ResultsDocument | None,
    methodology: Methodology,
    registry: BodyRegistry,
) -> OpennessData:
    from ashyq.reports.sources import snapshot_openness

    return snapshot_openness(
        snapshot.document,
        methodology,
        version=snapshot.version,
        previous=previous,
        registry=registry,
        # The portal reads on the embedded engine whatever ASHYQ_ENGINE says.
        con=engine.embedded(),
    )


@router.get("/reports/{year}/openness.{fmt}")
def openness_report(
    request: Request, session: SessionDep, lang: LangDep, year: Year, fmt: str
) -> Response:
    """The annual Openness Index report of a published period."""
    from ashyq.reports.openness import build_openness_report

    portal = portal_of(request)
    snapshot, previous = _published(published_snapshots(session, portal), year)
    methodology = methodology_of(session, year)

    def build() -> Report:
        data = _data(snapshot, previous, methodology, portal.registry)
        return build_openness_report(data, lang)

    return serve_report(request, snapshot.sha256, f"openness-{year}-{lang}", fmt, build)


@router.get("/reports/{year}/scorecards/{code}.{fmt}")
def scorecard_report(
    request: Request, session: SessionDep, lang: LangDep, year: Year, code: str, fmt: str
) -> Response:
    """One body's scorecard in a published period (with a roadmap draft if it needs one)."""
    from ashyq.reports.scorecard import build_scorecard

    portal = portal_of(request)
    # By code or any name, as the body's page; an unknown one is answered 404 (web.errors).
    body = portal.registry.resolve(code)
    snapshot, previous = _published(published_snapshots(session, portal), year)
    if snapshot.document.body(body.code) is None:
        raise NotFoundError(N_("No body {body}."), body=code)
    methodology = methodology_of(session, year)

    def build() -> Report:
        data = _data(snapshot, previous, methodology, portal.registry)
        return build_scorecard(data.result, body.code, lang, period=year, previous=data.previous)

    name = f"scorecard-{year}-{body.code}-{lang}"
    return serve_report(request, snapshot.sha256, name, fmt, build)
