"""Public monitoring on the portal: the figures of each stored survey year, with charts,
and its report in every format and language.

The figures come from the survey answers in the portal's data home
(``<home>/store/survey_answers``), computed on an embedded DuckDB. They are computed once
per year and per state of the stored files (their names, sizes and modification times),
so an import shows at once and nothing is computed twice. Without stored answers the page
shows what the agency published (seed 001).
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict

from ashyq.errors import NotFoundError
from ashyq.i18n import N_, translate
from ashyq.monitoring.figures import open_survey, survey_years
from ashyq.monitoring.model import SURVEY_ANSWERS
from ashyq.monitoring.names import band_names, group_names
from ashyq.monitoring.published import load_published_monitoring
from ashyq.periods import Period
from ashyq.records import engine
from ashyq.records.store import RecordStore
from ashyq.reports.model import Report
from ashyq.reports.monitoring import (
    BAND_LEVELS,
    MonitoringData,
    build_monitoring_report,
    monitoring_data,
)
from ashyq.web.charts import Bar, Series, bar_chart, line_chart
from ashyq.web.portal import ActorDep, LangDep, Year, YearQuery
from ashyq.web.rendering import page_context, render
from ashyq.web.reports import serve_report
from ashyq.web.schema import ErrorBody

__all__ = ["SurveyFigures", "api", "router"]

router = APIRouter(include_in_schema=False)

_NO_YEAR = N_("No survey answers are stored for {year}.")


class SurveyFigures:
    """The computed figures of the stored survey years, kept per state of the store."""

    def __init__(self, home: Path, size: int = 16) -> None:
        self.store = RecordStore(home)
        self.size = size
        self._cache: OrderedDict[tuple[int, str], MonitoringData] = OrderedDict()
        self._lock = threading.Lock()

    def _files(self) -> list[Path]:
        # The files of each year's current version: a new version is a new signature.
        return [
            path
            for year in survey_years(self.store)
            for path in self.store.files(SURVEY_ANSWERS, Period(year))
        ]

    def signature(self) -> str:
        """The SHA-256 of the stored files' names, sizes and modification times."""
        digest = hashlib.sha256()
        for path in self._files():
            stat = path.stat()
            digest.update(f"{path}|{stat.st_size}|".encode())
            digest.update(f"{stat.st_mtime_ns}\n".encode())
        return digest.hexdigest()

    def years(self) -> list[int]:
        """The stored survey years."""
        return survey_years(self.store)

    def data(self, year: int) -> MonitoringData:
        """The ``MonitoringData`` of ``year``; NotFoundError when it is not stored."""
        key = (year, self.signature())
        with self._lock:  # one computation at a time; a DuckDB connection each
            cached = self._cache.get(key)
            if cached is None:
                if year not in self.years():
                    raise NotFoundError(_NO_YEAR, year=year)
                # The portal reads on the embedded engine whatever ASHYQ_ENGINE says: a page
                # is answered in milliseconds, not after a cluster schedules a job.
                survey = open_survey(engine.embedded(), store=self.store)
                cached = monitoring_data(survey, year)
                self._cache[key] = cached
                while len(self._cache) > self.size:
                    self._cache.popitem(last=False)
            self._cache.move_to_end(key)
            return cached


def figures_of(request: Request) -> SurveyFigures:
    """The survey figures of the app serving ``request``."""
    figures: SurveyFigures = request.app.state.survey_figures
    return figures


def _rows(rows: list[dict[str, Any]], name: Callable[[str], str]) -> list[dict[str, Any]]:
    return [{**row, "name": name(str(row["key"]))} for row in rows]


@router.get("/monitoring")
def monitoring_page(
    request: Request, actor: ActorDep, lang: LangDep, year: YearQuery = None
) -> Response:
    """The figures of a survey year: the nation's, the ranking of bodies and services with
    their changes, the channels, the barriers and the trend, with charts."""

    figures = figures_of(request)
    years = figures.years()
    published = load_published_monitoring()
    context: dict[str, Any] = {
        "years": years,
        "published": published,
        "bands": band_names(lang),
        "band_levels": BAND_LEVELS,
        **page_context(request, lang),
    }
    percent = context["percent"]
    if not years:
        return render(request, "monitoring.html", {**context, "year": None, "data": None})
    chosen = year if year is not None else years[-1]
    data = figures.data(chosen)
    bodies = _rows(data.bodies.rows, group_names("body", lang))
    services = _rows(data.services.rows, group_names("service", lang))
    trend_chart = line_chart(
        [
            Series(
                translate(N_("Satisfaction, %"), lang),
                [(str(row["period"]), float(row["satisfaction_pct"])) for row in data.trend],
            )
        ],
        title=translate(N_("Satisfaction by year, %"), lang),
        description=translate(N_("The share of answers with the highest score, each year."), lang),
        value_format=lambda value: percent(value, 1),
    )
    bodies_chart = bar_chart(
        [
            Bar(row["name"], float(row["satisfaction_pct"]), BAND_LEVELS.get(str(row["band"])))
            for row in bodies
        ],
        title=translate(N_("Satisfaction by body, {year}, %"), lang, year=chosen),
        description=translate(
            N_("The share of answers with the highest score for each body, best first."), lang
        ),
        value_format=lambda value: percent(value, 1),
    )
    shares = data.bodies.barriers
    barriers: list[dict[str, Any]] = sorted(
        (
            {"name": b.name[lang], "kind": b.kind, "share": float(shares[f"{b.code}_pct"])}
            for b in published.barriers
        ),
        key=lambda row: -row["share"],
    )
    barriers_chart = bar_chart(
        [Bar(str(row["name"]), row["share"]) for row in barriers],
        title=translate(N_("Answers naming each barrier, {year}, %"), lang, year=chosen),
        description=translate(N_("Barriers to the highest score, the most named first."), lang),
        value_format=lambda value: percent(value, 1),
    )
    return render(
        request,
        "monitoring.html",
        {
            **context,
            "year": chosen,
            "data": data,
            "national": data.bodies.national,
            "bodies": bodies,
            "services": services,
            "channels": _rows(data.channels.rows, group_names("channel", lang)),
            "barriers": barriers,
            "shares": shares,
            "trend_chart": trend_chart,
            "bodies_chart": bodies_chart,
            "barriers_chart": barriers_chart,
            "shows_published": data.published is not None,
        },
    )


@router.get("/reports/monitoring/{year}.{fmt}")
def monitoring_report(request: Request, lang: LangDep, year: int, fmt: str) -> Response:
    """The report on a survey year, generated once per state of the stored answers."""
    figures = figures_of(request)
    if year not in figures.years():
        raise NotFoundError(_NO_YEAR, year=year)

    def build() -> Report:
        return build_monitoring_report(figures.data(year), lang)

    key = f"monitoring-{figures.signature()}"
    return serve_report(request, key, f"monitoring-{year}-{lang}", fmt, build)


# --- the JSON API ------------------------------------------------------------------------

api = APIRouter(
    prefix="/api/v1/monitoring",
    tags=["public"],
    responses={status: {"model": ErrorBody} for status in (404, 422)},
)


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SurveyYearsOut(_Model):
    """The survey years with stored answers, and the year the agency's figures are of."""

    years: list[int]
    published: int


class FiguresOut(_Model):
    """The weighted figures of one group (or of the nation), with 95 % intervals and the
    changes against the previous stored year (null without one)."""

    key: str
    name: str
    rank: int | None
    answers: int
    average: float
    average_low: float
    average_high: float
    satisfaction_pct: float
    satisfaction_low_pct: float
    satisfaction_high_pct: float
    effective_n: float
    band: str
    change_average: float | None
    change_satisfaction_pp: float | None


class SurveyYearOut(_Model):
    """A survey year's figures: the nation's, each group's in rank order, and the barrier
    shares (% of answers naming each barrier, of each kind, any)."""

    year: int
    previous: int | None
    by: str
    national: FiguresOut
    groups: list[FiguresOut]
    barriers: dict[str, float]


def _figures_out(row: dict[str, Any], name: str) -> FiguresOut:
    def exact(key: str) -> float:
        return round(float(row[key]), 6)

    def change(key: str) -> float | None:
        return None if row.get(key) is None else round(float(row[key]), 6)

    return FiguresOut(
        key=str(row["key"]),
        name=name,
        rank=int(row["rank"]) if "rank" in row else None,
        answers=int(row["answers"]),
        average=exact("average"),
        average_low=exact("average_low"),
        average_high=exact("average_high"),
        satisfaction_pct=exact("satisfaction_pct"),
        satisfaction_low_pct=exact("satisfaction_low_pct"),
        satisfaction_high_pct=exact("satisfaction_high_pct"),
        effective_n=exact("effective_n"),
        band=str(row["band"]),
        change_average=change("change_average"),
        change_satisfaction_pp=change("change_satisfaction_pp"),
    )


@api.get("", response_model=SurveyYearsOut)
def stored_years(request: Request) -> SurveyYearsOut:
    """The survey years whose answers are stored."""
    published = load_published_monitoring().period
    return SurveyYearsOut(years=figures_of(request).years(), published=published)


Grouping = Literal["body", "service", "region", "channel"]


@api.get("/{year}", response_model=SurveyYearOut)
def survey_year(
    request: Request, lang: LangDep, year: Year, by: Grouping = "body"
) -> SurveyYearOut:
    """A survey year's figures grouped by body, service, region or channel; names in the
    reader's language (``?lang=``)."""
    figures = figures_of(request)
    data = figures.data(year)
    chosen, name = data.grouped(by), group_names(by, lang)
    return SurveyYearOut(
        year=year,
        previous=chosen.previous,
        by=by,
        national=_figures_out(chosen.national, translate(N_("The nation"), lang)),
        groups=[_figures_out(row, name(str(row["key"]))) for row in chosen.rows],
        barriers={key: round(float(value), 6) for key, value in chosen.barriers.items()},
    )
