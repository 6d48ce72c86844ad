"""The figures of the public monitoring from the stored answers, as Ibis expressions that
run the same on DuckDB (the default) and PySpark: rankings of bodies and services (or
regions, channels), changes against the previous stored year, scale bands, barrier shares
and the trend of every stored year.

Rules (docs/methodology.md, *Public monitoring*):

- a **ranking** orders groups by weighted average, ties by satisfaction, both as printed
  (two decimals, one decimal); equal printed figures share a rank and the next rank
  follows on (dense rank: 1, 2, 2, 3);
- a **change** is this year's figure minus the previous year's, for the same group: in
  points of average, and in percentage points (pp) of satisfaction; only against the year
  just before, and only if it is stored;
- a **band** is the scale band (``scale.yaml``) of the average as printed;
- a **barrier share** is the weighted share of answers naming the barrier, in %; the
  shares of the administrative and the technical kind count an answer naming any barrier
  of the kind once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import ibis
import ibis.expr.types as ir

from ashyq.monitoring.model import SURVEY_ANSWERS
from ashyq.monitoring.published import load_published_monitoring
from ashyq.monitoring.stats import scale_bands, weighted_summary
from ashyq.periods import Period
from ashyq.records import engine
from ashyq.records.model import CODES_SEPARATOR
from ashyq.records.store import RecordStore

__all__ = [
    "GROUPINGS",
    "NoSurveyError",
    "SurveyStore",
    "YearFigures",
    "band",
    "barrier_shares",
    "open_survey",
    "ranking",
    "survey_years",
    "trend",
    "with_changes",
    "year_figures",
    "year_groupings",
]

# What a ranking may group by, and the column it groups.
GROUPINGS: Final = {
    "body": "body",
    "service": "service_code",
    "region": "region",
    "channel": "channel",
}


class NoSurveyError(LookupError):
    """No answers are stored for a year (or for any year)."""

    def __init__(self, year: int | None) -> None:
        super().__init__(f"no survey answers stored for {year or 'any year'}")
        self.year = year


def survey_years(store: RecordStore) -> list[int]:
    """The survey years with answers in ``store``, in order (no query engine needed)."""
    return [p.year for p in store.periods(SURVEY_ANSWERS) if p.half is None]


@dataclass(frozen=True)
class SurveyStore:
    """The stored answers of the public monitoring, read on one backend."""

    con: ibis.BaseBackend
    store: RecordStore

    def years(self) -> list[int]:
        """The survey years with stored answers, in order."""
        return survey_years(self.store)

    def answers(self, year: int) -> ir.Table | None:
        """The answers of ``year``; None if none are stored."""
        return self.store.read(self.con, SURVEY_ANSWERS, Period(year))

    def every_year(self) -> ir.Table | None:
        """The answers of every stored year (``period`` tells them apart); None if none."""
        # Each year read from its current version (its link resolved once), so an ingest
        # publishing meanwhile cannot mix two versions of a year; one read per year, as
        # PySpark's reader takes a single path.
        tables = [
            table
            for year in self.years()
            if (table := self.store.read(self.con, SURVEY_ANSWERS, Period(year))) is not None
        ]
        return ibis.union(*tables) if tables else None


def open_survey(
    con: ibis.BaseBackend | None = None, store: RecordStore | None = None
) -> SurveyStore:
    """The stored answers of a data home (``$ASHYQ_HOME`` by default) on ``con`` (by
    default, a new connection of the engine the settings choose)."""
    return SurveyStore(con if con is not None else engine.backend(), store or RecordStore())


def band(average: ir.NumericValue) -> ir.StringValue:
    """The id of the scale band of ``average`` as printed (two decimals)."""
    printed = average.round(2)
    cases = []
    default = ""
    for scale in scale_bands():
        if scale.lower is None:
            default = scale.id
            continue
        bound = float(scale.lower)
        cases.append(((printed >= bound) if scale.inclusive else (printed > bound), scale.id))
    result: ir.StringValue = ibis.cases(*cases, else_=default)
    return result


def ranking(answers: ir.Table, by: str) -> ir.Table:
    """The weighted summary of each group of ``by`` (a key of ``GROUPINGS``), with its
    dense ``rank`` (by average, then satisfaction, as printed) and scale ``band``; the
    group's column is named ``key``."""
    column = GROUPINGS[by]
    summary = weighted_summary(answers.mutate(key=answers[column]), ["key"])
    order = [ibis.desc(summary.average.round(2)), ibis.desc(summary.satisfaction_pct.round(1))]
    return summary.mutate(
        rank=ibis.dense_rank().over(order_by=order) + 1, band=band(summary.average)
    )


def with_changes(current: ir.Table, previous: ir.Table | None) -> ir.Table:
    """``current`` (a ranking or summary) with the previous year's figures of the same
    ``key`` and the changes: ``change_average`` in points, ``change_satisfaction_pp`` in
    percentage points (null where the group or the year is missing)."""
    if previous is None:
        return current.mutate(
            previous_average=ibis.null("float64"),
            previous_satisfaction_pct=ibis.null("float64"),
            change_average=ibis.null("float64"),
            change_satisfaction_pp=ibis.null("float64"),
        )
    before = previous.select(
        "key",
        previous_average=previous.average,
        previous_satisfaction_pct=previous.satisfaction_pct,
    )
    joined = current.left_join(before, "key").drop("key_right")
    return joined.mutate(
        change_average=joined.average - joined.previous_average,
        change_satisfaction_pp=joined.satisfaction_pct - joined.previous_satisfaction_pct,
    )


def _national(answers: ir.Table) -> ir.Table:
    """The nation's summary as one group (``key`` "all"), with the count of respondents."""
    keyed = answers.mutate(key=ibis.literal("all"))
    summary = weighted_summary(keyed, ["key"])
    respondents = keyed.group_by("key").aggregate(respondents=keyed.respondent_id.nunique())
    joined = summary.join(respondents, "key")
    return joined.mutate(band=band(joined.average))


def barrier_shares(answers: ir.Table) -> ir.Table:
    """One row: for each barrier of seed 001, ``<code>_pct``, the weighted share of
    answers naming it; ``administrative_pct`` and ``technical_pct``, naming any barrier of
    the kind; ``any_pct``, naming any barrier."""
    barriers = load_published_monitoring().barriers
    weight = answers.weight.cast("float64")
    # Bounded by the separator, a code cannot match inside another.
    listed = ibis.literal(CODES_SEPARATOR) + answers.barriers.fill_null("") + CODES_SEPARATOR
    named = {
        b.code: listed.contains(f"{CODES_SEPARATOR}{b.code}{CODES_SEPARATOR}") for b in barriers
    }
    kinds: dict[str, ir.BooleanValue] = {}
    for barrier in barriers:
        flag = named[barrier.code]
        kinds[barrier.kind] = kinds[barrier.kind] | flag if barrier.kind in kinds else flag
    flags = {**named, **kinds, "any": answers.barriers.fill_null("") != ""}
    sums = answers.aggregate(
        weight_sum=weight.sum(),
        **{
            f"{name}_weight": (weight * flag.ifelse(1.0, 0.0)).sum() for name, flag in flags.items()
        },
    )
    return sums.select(
        **{f"{name}_pct": 100.0 * sums[f"{name}_weight"] / sums.weight_sum for name in flags}
    )


def trend(data: SurveyStore) -> ir.Table:
    """One row per stored year (``period``): the nation's summary, band, and the changes
    against the year before (null for the first stored year, or after a gap).

    Raises NoSurveyError when no year is stored.
    """
    answers = data.every_year()
    if answers is None:
        raise NoSurveyError(None)
    summary = weighted_summary(answers, ["period"])
    window = ibis.window(order_by=summary.period)
    year = summary.period.cast("int64")
    follows = (year - year.lag().over(window)) == 1
    return summary.mutate(
        band=band(summary.average),
        change_average=follows.ifelse(
            summary.average - summary.average.lag().over(window), ibis.null("float64")
        ),
        change_satisfaction_pp=follows.ifelse(
            summary.satisfaction_pct - summary.satisfaction_pct.lag().over(window),
            ibis.null("float64"),
        ),
    ).order_by("period")


@dataclass(frozen=True)
class YearFigures:
    """The figures of one survey year, as plain rows: the nation's, the ranking of the
    groups of ``by``, and the barrier shares; changes against ``previous`` if stored."""

    year: int
    by: str
    previous: int | None
    national: dict[str, Any]
    rows: list[dict[str, Any]]
    barriers: dict[str, float]


def year_figures(data: SurveyStore, year: int, by: str = "body") -> YearFigures:
    """The figures of ``year`` grouped by ``by`` (a key of ``GROUPINGS``).

    Raises NoSurveyError when the year is not stored, KeyError for an unknown grouping.
    """
    return year_groupings(data, year, (by,))[by]


def year_groupings(
    data: SurveyStore, year: int, groupings: Sequence[str]
) -> dict[str, YearFigures]:
    """The figures of ``year`` for each grouping of ``groupings``; the nation's figures and
    the barrier shares, the same for every grouping, are computed once.

    Raises NoSurveyError when the year is not stored, KeyError for an unknown grouping.
    """
    for by in groupings:
        if by not in GROUPINGS:
            raise KeyError(by)
    answers = data.answers(year)
    if answers is None:
        raise NoSurveyError(year)
    before = data.answers(year - 1)
    con = data.con
    national = with_changes(_national(answers), None if before is None else _national(before))
    national_row = con.to_pyarrow(national).to_pylist()[0]
    barriers = con.to_pyarrow(barrier_shares(answers)).to_pylist()[0]
    figures = {}
    for by in groupings:
        previous = None if before is None else ranking(before, by)
        rows = with_changes(ranking(answers, by), previous)
        figures[by] = YearFigures(
            year=year,
            by=by,
            previous=None if before is None else year - 1,
            national=national_row,
            rows=con.to_pyarrow(rows.order_by("rank", "key")).to_pylist(),
            barriers=barriers,
        )
    return figures
