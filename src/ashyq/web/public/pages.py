"""The public pages: rankings, bodies, methodology, statistics and open data."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from ashyq.db.models import EvaluationPeriod, Roadmap, Snapshot
from ashyq.errors import NotFoundError
from ashyq.i18n import N_, Lang, translate
from ashyq.index.methodology import load_methodology
from ashyq.index.national import APPEAL_TYPES, period_statistics
from ashyq.results.model import ResultsDocument
from ashyq.results.render import TABLE_FORMATS, Results, write_table
from ashyq.results.table import TABLES
from ashyq.web.charts import Bar, Series, bar_chart, line_chart
from ashyq.web.portal import (
    ActorDep,
    LangDep,
    Published,
    SessionDep,
    Version,
    Year,
    YearQuery,
    history_of,
    methodology_of,
    portal_of,
    published_snapshots,
)
from ashyq.web.public.opendata import data_package
from ashyq.web.public.ranking import RankingQueryDep, ranking_of
from ashyq.web.rendering import page_context, render
from ashyq.web.views import body_view

__all__ = ["latest_published", "router"]

router = APIRouter(include_in_schema=False)

_NO_PUBLISHED = N_("Nothing is published yet.")


def latest_published(snapshots: dict[int, Published], period: int | None) -> tuple[int, Published]:
    """The published snapshot of ``period``, or of the newest period; raises NotFoundError."""
    if not snapshots:
        raise NotFoundError(_NO_PUBLISHED)
    year = period if period is not None else max(snapshots)
    if year not in snapshots:
        raise NotFoundError(N_("No published results for {period}."), period=year)
    return year, snapshots[year]


@router.get("/")
async def home(request: Request) -> RedirectResponse:
    """The front page is the ranking of the newest published period."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/rankings{query}", status_code=307)


@router.get("/rankings")
def rankings(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    lang: LangDep,
    query: RankingQueryDep,
    period: YearQuery = None,
) -> Response:
    """The ranking of one level, sortable and filterable by grade and criterion category."""
    snapshots = published_snapshots(session, portal_of(request))
    _, snapshot = latest_published(snapshots, period)
    methodology = load_methodology(snapshot.methodology)
    view = ranking_of(snapshot, methodology, portal_of(request).registry, lang, query)
    level = query.level
    # A filter may leave no body: the page then says so, with no chart.
    chart = (
        bar_chart(
            [Bar(row.name, float(row.total), row.grade) for row in view.rows],
            title=_text(lang, N_("Total points, {level}"), level=level.value),
            description=_text(lang, N_("Total points of each body, in the order of the table.")),
            value_format=lambda v: page_context(request, lang)["number"](v),
        )
        if view.rows
        else None
    )
    context = {
        "view": view,
        "periods": list(snapshots),
        "snapshot": snapshot,
        "chart": chart,
        "methodology": methodology,
        **page_context(request, lang),
    }
    return render(request, "rankings.html", context)


def _text(lang: Lang, message: str, **params: object) -> str:
    return translate(message, lang, **params)


@router.get("/bodies/{code}")
def body_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    lang: LangDep,
    code: str,
    period: YearQuery = None,
) -> Response:
    """One body: criteria and indicators against their max, dynamics, facts and roadmap."""
    portal = portal_of(request)
    body = portal.registry.resolve(code)  # an unknown one is answered 404 (web.errors)
    snapshots = published_snapshots(session, portal_of(request))
    year, snapshot = latest_published(snapshots, period)
    methodology = load_methodology(snapshot.methodology)
    history = history_of(snapshots, body.code)
    view = body_view(
        snapshot.document,
        methodology,
        portal.registry,
        body.code,
        lang,
        history=history,
        version=snapshot.version,
    )
    if view is None:
        raise NotFoundError(N_("{body} was not evaluated in {period}."), body=code, period=year)
    roadmap = session.scalar(
        select(Roadmap).where(
            Roadmap.period_id == snapshot.period_id, Roadmap.body_code == body.code
        )
    )
    number = page_context(request, lang)["number"]
    chart = line_chart(
        [Series(view.name, [(str(p.period), float(p.total)) for p in history])],
        title=_text(lang, N_("Total points by period")),
        description=_text(lang, N_("The body's total points in every published period.")),
        value_format=number,
    )
    context = {
        "view": view,
        "roadmap": roadmap,
        "periods": [y for y, s in snapshots.items() if s.document.body(body.code) is not None],
        "chart": chart,
        "methodology": methodology,
        **page_context(request, lang),
    }
    return render(request, "body.html", context)


@router.get("/methodology")
def methodology_page(
    request: Request, session: SessionDep, actor: ActorDep, lang: LangDep, name: str = "2025"
) -> Response:
    """The methodology, generated from its declaration file."""
    try:
        methodology = load_methodology(name)
    except (LookupError, OSError):
        raise NotFoundError(N_("No methodology {name}."), name=name) from None
    context = {"m": methodology, **page_context(request, lang)}
    return render(request, "methodology.html", context)


_SERVICE_FIGURES = (
    ("services_total", N_("Public services delivered")),
    ("services_electronic_share_pct", N_("Delivered electronically, %")),
    ("direct_complaints", N_("Direct complaints about service quality reviewed")),
    ("control_measures", N_("Control measures")),
    ("violations_deadline_share_pct", N_("Violations of deadlines, % of all violations")),
    ("rights_restored", N_("Recipients whose rights were restored")),
    ("rights_restored_remotely", N_("of them by remote monitoring, over")),
    ("disciplinary", N_("Employees given a disciplinary sanction")),
    ("disciplinary_managers", N_("of them managers")),
    ("protocols", N_("Administrative offence protocols")),
    ("fines_collected_tenge", N_("Fines collected, tenge")),
    ("representations", N_("Orders to remedy violations")),
    ("instructions", N_("Instructions in them, over")),
)


@router.get("/statistics")
def statistics(
    request: Request, session: SessionDep, actor: ActorDep, lang: LangDep, period: int | None = None
) -> Response:
    """National appeal and public-service statistics of a published period, with charts."""
    snapshots = published_snapshots(session, portal_of(request))
    year, _ = latest_published(snapshots, period)
    figures = period_statistics(year)
    spellers = page_context(request, lang)
    number, percent = spellers["number"], spellers["percent"]
    appeal_rows: list[dict[str, Any]] = []
    bars: list[Bar] = []
    appeals_chart = services_chart = None
    if figures is not None:
        for key, label in APPEAL_TYPES:
            share = figures.appeal(f"appeals_{key}_share_pct")
            if share is None:
                continue
            bars.append(Bar(_text(lang, label), float(share.value)))
            appeal_rows.append(
                {
                    "label": _text(lang, label),
                    "share": share,
                    "count": figures.appeal(f"appeals_{key}_count_rounded"),
                    "previous": figures.appeal(f"appeals_{key}_share_pct_{year - 1}"),
                }
            )
        if appeal_rows:
            appeals_chart = bar_chart(
                bars,
                title=_text(lang, N_("Appeals by type, {period}, %"), period=year),
                description=_text(lang, N_("Share of each type of appeal in the total.")),
                value_format=lambda v: percent(v, 1),
            )
        local = figures.services.get("violations_local")
        central = figures.services.get("violations_central")
        if local and central:
            services_chart = bar_chart(
                [
                    Bar(_text(lang, N_("Local executive bodies")), float(local.value)),
                    Bar(_text(lang, N_("Central government bodies")), float(central.value)),
                ],
                title=_text(lang, N_("Violations found in public services, {period}"), period=year),
                description=_text(lang, N_("Violations by level of the body that committed them.")),
                value_format=lambda v: number(v, 0),
            )
    context = {
        "year": year,
        "periods": list(snapshots),
        "figures": figures,
        "appeal_rows": appeal_rows,
        "appeals_chart": appeals_chart,
        "services_chart": services_chart,
        "service_figures": [
            (label, figures.services[key])
            for key, label in _SERVICE_FIGURES
            if figures is not None and key in figures.services
        ],
        **page_context(request, lang),
    }
    return render(request, "statistics.html", context)


@router.get("/open-data")
def open_data(request: Request, session: SessionDep, actor: ActorDep, lang: LangDep) -> Response:
    """Every published table of every version, in CSV, XLSX and JSON."""
    versions = session.execute(
        select(
            EvaluationPeriod.year,
            Snapshot.version,
            Snapshot.published_at,
            Snapshot.sha256,
            Snapshot.reason,
        )
        .join(Snapshot, Snapshot.period_id == EvaluationPeriod.id)
        .order_by(EvaluationPeriod.year.desc(), Snapshot.version.desc())
    ).all()
    context = {
        "versions": versions,
        "tables": TABLES,
        "formats": list(TABLE_FORMATS),
        **page_context(request, lang),
    }
    return render(request, "open_data.html", context)


def _all_published(session: SessionDep) -> list[tuple[int, int, str, dict[str, Any]]]:
    rows = session.execute(
        select(EvaluationPeriod.year, Snapshot.version, Snapshot.sha256, Snapshot.payload)
        .join(Snapshot, Snapshot.period_id == EvaluationPeriod.id)
        .order_by(EvaluationPeriod.year, Snapshot.version)
    ).all()
    return [(int(r[0]), int(r[1]), str(r[2]), dict(r[3])) for r in rows]


@router.get("/open-data/datapackage.json")
def datapackage(request: Request, session: SessionDep) -> Response:
    """The Frictionless Data Package of every published table."""
    published = _all_published(session)
    methodologies = {year: methodology_of(session, year) for year, *_ in published}
    package = data_package(published, methodologies, portal_of(request).registry)
    body = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
    return Response(body, media_type="application/json")


@router.get("/open-data/{year}/v{version}/{table}.{fmt}")
def download(
    request: Request, session: SessionDep, year: Year, version: Version, table: str, fmt: str
) -> Response:
    """One published table of one version."""
    if table not in TABLES or fmt not in TABLE_FORMATS:
        raise NotFoundError(N_("No such table."))
    snapshot = session.scalar(
        select(Snapshot)
        .join(EvaluationPeriod, Snapshot.period_id == EvaluationPeriod.id)
        .where(EvaluationPeriod.year == year, Snapshot.version == version)
    )
    if snapshot is None:
        raise NotFoundError(N_("No published results for {period}."), period=year)
    document = ResultsDocument.from_payload(snapshot.payload)
    results = Results(document, methodology_of(session, year), portal_of(request).registry, "en")
    filename = f"openness-{year}-v{version}-{table}.{fmt}"
    return Response(
        write_table(TABLES[table](results), document, fmt),
        media_type=TABLE_FORMATS[fmt],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
