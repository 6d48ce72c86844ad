"""The public JSON API: published periods, rankings, bodies, roadmaps, methodologies and
national statistics."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Request
from sqlalchemy import select

from ashyq.db.models import (
    EvaluationPeriod,
    Roadmap,
)
from ashyq.errors import NotFoundError
from ashyq.i18n import N_
from ashyq.index.methodology import Methodology, load_methodology
from ashyq.index.national import period_statistics
from ashyq.web.portal import (
    LangDep,
    Published,
    SessionDep,
    Year,
    history_of,
    portal_of,
    published_snapshots,
)
from ashyq.web.public.ranking import RankingQueryDep, ranking_of
from ashyq.web.schema import (
    ERRORS,
    ApiModel,
    RoadmapOut,
    roadmap_out,
)
from ashyq.web.views import BodyView, ExactDecimal, RankingView, body_view

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", responses=ERRORS)


class PublishedPeriod(ApiModel):
    """A published period and its newest version."""

    period: int
    version: int
    published_at: datetime
    sha256: str


@router.get("/periods", tags=["public"])
def periods(request: Request, session: SessionDep) -> list[PublishedPeriod]:
    """Every published period with its newest version."""
    return [
        PublishedPeriod(
            period=year, version=s.version, published_at=s.published_at, sha256=s.sha256
        )
        for year, s in published_snapshots(session, portal_of(request)).items()
    ]


def _published(
    request: Request, session: SessionDep, period: int
) -> tuple[dict[int, Published], Published]:
    snapshots = published_snapshots(session, portal_of(request))
    if period not in snapshots:
        raise NotFoundError(N_("No published results for {period}."), period=period)
    return snapshots, snapshots[period]


@router.get("/periods/{period}/ranking", tags=["public"])
def ranking(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    period: Year,
    query: RankingQueryDep,
) -> RankingView:
    """The published ranking of one level, filtered and sorted as the ranking page."""
    _, snapshot = _published(request, session, period)
    methodology = load_methodology(snapshot.methodology)
    return ranking_of(snapshot, methodology, portal_of(request).registry, lang, query)


@router.get("/periods/{period}/bodies/{code}", tags=["public"])
def body(request: Request, session: SessionDep, lang: LangDep, period: Year, code: str) -> BodyView:
    """A body's published results: criteria, indicators, facts, movement and history."""
    snapshots, snapshot = _published(request, session, period)
    known = portal_of(request).registry.resolve(code)  # an unknown one: 404 (web.errors)
    view = body_view(
        snapshot.document,
        load_methodology(snapshot.methodology),
        portal_of(request).registry,
        known.code,
        lang,
        history=history_of(snapshots, known.code),
        version=snapshot.version,
    )
    if view is None:
        raise NotFoundError(N_("{body} was not evaluated in {period}."), body=code, period=period)
    return view


@router.get("/periods/{period}/roadmaps", tags=["public"])
def roadmaps(request: Request, session: SessionDep, period: Year) -> list[RoadmapOut]:
    """The roadmaps published for a period."""
    _published(request, session, period)
    found = session.scalars(
        select(Roadmap)
        .join(EvaluationPeriod, Roadmap.period_id == EvaluationPeriod.id)
        .where(EvaluationPeriod.year == period)
        .order_by(Roadmap.body_code)
    )
    return [roadmap_out(period, r) for r in found]


@router.get("/methodologies/{name}", tags=["public"])
def methodology(name: str) -> Methodology:
    """A methodology declaration, as the engine reads it; ``name`` is its year in the
    catalogue (``2025``) or its id (``openness-2025``)."""
    try:
        return load_methodology(name)
    except (LookupError, OSError):
        raise NotFoundError(N_("No methodology {name}."), name=name) from None


class FigureOut(ApiModel):
    """A published national figure and the report line it is quoted from."""

    key: str
    value: ExactDecimal
    unit: str
    period: str
    source: str
    quote: str


class StatisticsOut(ApiModel):
    """The published national statistics of a period."""

    period: int
    appeals: list[FigureOut]
    services: list[FigureOut]


@router.get("/periods/{period}/statistics", tags=["public"])
def statistics(request: Request, session: SessionDep, period: Year) -> StatisticsOut:
    """The national appeal and public-service figures published for a period."""
    _published(request, session, period)
    figures = period_statistics(period)
    if figures is None:
        raise NotFoundError(N_("No published statistics for {period}."), period=period)
    return StatisticsOut(
        period=period,
        appeals=[FigureOut(**vars(f)) for f in figures.appeals.values()],
        services=[FigureOut(**vars(f)) for f in figures.services.values()],
    )
