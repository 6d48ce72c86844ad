"""The Openness Index's raw counts, computed from stored records as Ibis expressions.

Each count is declared once (``COUNTS``): the record kind it counts, and a measure per
record (1 or 0, or a number of facts). The per-body totals and the drill-down to the
records behind a total are both derived from that one declaration, so they cannot
disagree. The expressions use only joins, comparisons and integer arithmetic, so the same
code runs on DuckDB (the embedded default) and on PySpark.

Working days come from the calendar table: every date carries its cumulative working-day
number ``wd``, so "15 working days after receipt" is the working day numbered
``wd(receipt) + 15`` — a join, never a per-row Python loop.
"""

from __future__ import annotations

import calendar as month_calendar
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from ashyq.appeals.deadlines import DeadlineRules, load_deadline_rules
from ashyq.appeals.model import APPEAL_TYPES, APPEALS, BOOKINGS
from ashyq.calendar import WorkingCalendar
from ashyq.periods import Period
from ashyq.records.model import CODES_SEPARATOR, RecordKind

__all__ = [
    "COUNTS",
    "CountSpec",
    "calendar_span",
    "calendar_tables",
    "count_spec",
    "enrich_appeals",
    "enrich_bookings",
    "indicator_counts",
    "records_behind",
    "satisfaction_pct",
]

# Answers and receptions may come long after the period: the calendar reaches this far.
_CALENDAR_MARGIN_BEFORE: Final = timedelta(days=31)
_CALENDAR_MARGIN_AFTER: Final = timedelta(days=2 * 366)


def _add_months(day: date, months: int) -> date:
    """The same day ``months`` later; the month's last day if it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, month_calendar.monthrange(year, month)[1]))


def calendar_span(period: Period) -> tuple[date, date]:
    """The first and last day of the calendar a period's records need."""
    return period.first - _CALENDAR_MARGIN_BEFORE, period.last + _CALENDAR_MARGIN_AFTER


@dataclass(frozen=True)
class CalendarTables:
    """The calendar as two tables to join: every day, and working days by number."""

    days: pa.Table
    working_days: pa.Table
    rules: pa.Table


def calendar_tables(period: Period, rules: DeadlineRules | None = None) -> CalendarTables:
    """The calendar around ``period``, as tables to join.

    ``days``: date, is_working, wd (cumulative working-day number), day_number (ordinal),
    one_month_later, extension_limit; ``working_days``: wd, date; ``rules``: the
    deadline rules by appeal type.
    """
    rules = rules or load_deadline_rules()
    first, last = calendar_span(period)
    working = WorkingCalendar.build(first, last)
    table = working.table()
    dates: list[date] = table.column("date").to_pylist()
    months = {rules.extension_months(t.code) for t in APPEAL_TYPES}
    if len(months) != 1:
        raise ValueError("the deadline rules give different extension limits per appeal type")
    (extension,) = months
    days = pa.table(
        {
            "date": table.column("date"),
            "is_working": table.column("is_working"),
            "wd": table.column("wd"),
            "day_number": pa.array([d.toordinal() for d in dates], pa.int64()),
            "one_month_later": pa.array([_add_months(d, 1) for d in dates], pa.date32()),
            "extension_limit": pa.array([_add_months(d, extension) for d in dates], pa.date32()),
        }
    )
    return CalendarTables(days, working.working_day_index(), rules.table())


_REVIEWED_TYPES: Final = ("application", "complaint")


def enrich_appeals(
    appeals: ir.Table, days: ir.Table, working_days: ir.Table, rules: ir.Table
) -> ir.Table:
    """Appeals with their deadlines and the flags every count is built from.

    Adds: ``review_deadline`` (the 15th working day after receipt, or the extension's date
    when extended, at most the extension limit), ``redirect_deadline`` (the 3rd working day),
    ``is_reviewed``, ``review_late``, ``is_redirected``, ``redirect_late``.
    """
    a = appeals.mutate(
        _registered_on=appeals.registered_at.date(),
        _answered_on=appeals.answered_at.date(),
        _redirected_on=appeals.redirected_at.date(),
    )
    receipt = days.select(
        _registered_on=days.date, _wd_registered=days.wd, _extension_limit=days.extension_limit
    )
    a = a.left_join(receipt, "_registered_on").drop("_registered_on_right")
    a = a.left_join(rules, a.appeal_type == rules.appeal_type).drop("appeal_type_right")
    review_day = working_days.select(_review_wd=working_days.wd, _review_by=working_days.date)
    a = a.left_join(review_day, a._wd_registered + a.review_working_days == review_day._review_wd)
    redirect_day = working_days.select(_redirect_wd=working_days.wd, _redirect_by=working_days.date)
    a = a.left_join(
        redirect_day, a._wd_registered + a.redirect_working_days == redirect_day._redirect_wd
    )
    extended = a.extended_until.notnull()
    review_deadline = extended.ifelse(
        ibis.least(a.extended_until, a._extension_limit), a._review_by
    )
    is_redirected = a.redirected_to.notnull()
    is_reviewed = a.appeal_type.isin(_REVIEWED_TYPES) & ~is_redirected & a.answered_at.notnull()
    return a.mutate(
        review_deadline=review_deadline,
        redirect_deadline=a._redirect_by,
        is_redirected=is_redirected,
        is_reviewed=is_reviewed,
        review_late=is_reviewed & (a._answered_on > review_deadline),
        redirect_late=is_redirected & (a._redirected_on > a._redirect_by),
    )


def enrich_bookings(bookings: ir.Table, days: ir.Table) -> ir.Table:
    """Bookings with their answer bucket and reception coefficient category.

    The answer time is counted in calendar days from the booking to the answer (the worked
    examples of seed 003, lines 1138-1140); an unanswered booking falls in the last bucket.
    A booking the applicant cancelled is left out of every count.
    """
    b = bookings.mutate(
        _booked_on=bookings.booked_at.date(),
        _answered_on=bookings.answer_sent_at.date(),
        _received_on=bookings.received_at.date(),
    )
    booked = days.select(_booked_on=days.date, _booked_day=days.day_number)
    b = b.left_join(booked, "_booked_on").drop("_booked_on_right")
    answered = days.select(_answered_on=days.date, _answered_day=days.day_number)
    b = b.left_join(answered, "_answered_on").drop("_answered_on_right")
    scheduled = days.select(_scheduled=days.date, _scheduled_month=days.one_month_later)
    b = b.left_join(scheduled, b.scheduled_for == scheduled._scheduled)
    active = ~b.cancelled_by_applicant
    wait = b._answered_day - b._booked_day
    on_date = b._received_on.notnull() & (b._received_on <= b.scheduled_for)
    within_month = (
        b._received_on.notnull()
        & (b._received_on > b.scheduled_for)
        & (b._received_on <= b._scheduled_month)
    )
    return b.mutate(
        is_active=active,
        answer_days=wait,
        received_on_date_flag=active & on_date.fill_null(False),
        received_within_month_flag=active & within_month.fill_null(False),
    )


Measure = Callable[[ir.Table], ir.Value]


@dataclass(frozen=True)
class CountSpec:
    """One count: its name (an index input field, or an auxiliary count), what it counts."""

    name: str
    kind: RecordKind
    measure: Measure
    description: str


def _flag(condition: Callable[[ir.Table], ir.BooleanValue]) -> Measure:
    return lambda t: condition(t).fill_null(False).ifelse(1, 0)


def _distortion_facts(t: ir.Table) -> ir.Value:
    codes: ir.StringValue = t.distortions
    # Count separators rather than split: Spark's SPLIT reads "|" as a regular expression.
    separators = codes.length() - codes.replace(CODES_SEPARATOR, "").length()
    return codes.isnull().ifelse(0, separators + 1)


def _bucket(low: int | None, high: int | None) -> Measure:
    def condition(t: ir.Table) -> ir.BooleanValue:
        days: ir.IntegerValue = t.answer_days
        inside: ir.BooleanValue = days.notnull()
        if low is not None:
            inside &= days > low
        if high is not None:
            inside &= days <= high
        else:
            inside = days.isnull() | (days > low)
        return t.is_active & inside

    return _flag(condition)


COUNTS: Final[tuple[CountSpec, ...]] = (
    CountSpec(
        "appeals_total",
        APPEALS,
        _flag(lambda t: t.registration_number.notnull()),
        "every appeal received",
    ),
    CountSpec(
        "information_requests",
        APPEALS,
        _flag(lambda t: t.appeal_type == "request"),
        "appeals of type request",
    ),
    CountSpec(
        "received_total",
        APPEALS,
        _flag(lambda t: t.appeal_type.isin(_REVIEWED_TYPES)),
        "applications and complaints received",
    ),
    CountSpec(
        "redirected_late",
        APPEALS,
        _flag(lambda t: t.appeal_type.isin(_REVIEWED_TYPES) & t.redirect_late),
        "applications and complaints redirected after the redirect deadline",
    ),
    CountSpec(
        "reviewed_total",
        APPEALS,
        _flag(lambda t: t.is_reviewed),
        "applications and complaints reviewed and answered by the body",
    ),
    CountSpec(
        "reviewed_late",
        APPEALS,
        _flag(lambda t: t.review_late),
        "of those, answered after the review deadline",
    ),
    CountSpec(
        "unjustified_redirects",
        APPEALS,
        _flag(lambda t: t.is_redirected & t.redirect_unjustified),
        "redirects an audit found unjustified",
    ),
    CountSpec(
        "hearings_required",
        APPEALS,
        _flag(lambda t: t.hearing_required),
        "appeals whose review required a hearing",
    ),
    CountSpec(
        "hearings_missed",
        APPEALS,
        _flag(lambda t: t.hearing_required & ~t.hearing_held),
        "of those, the hearing was not held",
    ),
    CountSpec(
        "statistics_distortions",
        APPEALS,
        _distortion_facts,
        "facts of distorted statistics an audit found (one per code)",
    ),
    CountSpec(
        "court_upheld_cases",
        APPEALS,
        _flag(lambda t: t.court_outcome == "upheld"),
        "decisions a court found unlawful (the applicant's claim upheld)",
    ),
    CountSpec(
        "ratings_total",
        APPEALS,
        _flag(lambda t: t.rating.notnull()),
        "answers the applicant rated",
    ),
    CountSpec(
        "ratings_satisfied",
        APPEALS,
        _flag(lambda t: t.rating >= 3),
        "rated 3 to 5 (not «poor» or «very unsatisfactory»)",
    ),
    CountSpec(
        "citizens_received",
        BOOKINGS,
        _flag(lambda t: t.is_active & t.received_at.notnull()),
        "booked citizens received in person",
    ),
    CountSpec(
        "received_by_first_head",
        BOOKINGS,
        _flag(lambda t: t.is_active & (t.received_by == "first_head")),
        "of those, received by the first head",
    ),
    CountSpec(
        "booking_answer_within_15",
        BOOKINGS,
        _bucket(None, 15),
        "bookings answered within 15 days",
    ),
    CountSpec("booking_answer_within_30", BOOKINGS, _bucket(15, 30), "answered in 16 to 30 days"),
    CountSpec("booking_answer_within_60", BOOKINGS, _bucket(30, 60), "answered in 31 to 60 days"),
    CountSpec(
        "booking_answer_over_60", BOOKINGS, _bucket(60, None), "answered later, or not at all"
    ),
    CountSpec(
        "received_on_date",
        BOOKINGS,
        _flag(lambda t: t.received_on_date_flag),
        "received on (or before) the date set",
    ),
    CountSpec(
        "received_within_month",
        BOOKINGS,
        _flag(lambda t: t.received_within_month_flag),
        "received later, within a month of the date set",
    ),
    CountSpec(
        "received_later_or_never",
        BOOKINGS,
        _flag(
            lambda t: (
                t.is_active
                & t.received_at.notnull()
                & ~t.received_on_date_flag
                & ~t.received_within_month_flag
            )
        ),
        "citizens received more than a month after the date set",
    ),
)

_BY_NAME: Final = {spec.name: spec for spec in COUNTS}


def count_spec(name: str) -> CountSpec:
    """The declared count called ``name``; raises KeyError."""
    return _BY_NAME[name]


def satisfaction_pct(satisfied: int, rated: int) -> Decimal | None:
    """The share of satisfied ratings in percent, to two decimals; None with no ratings."""
    if rated == 0:
        return None
    share = Decimal(100 * satisfied) / Decimal(rated)
    return share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def indicator_counts(enriched: dict[str, ir.Table]) -> dict[str, ir.Table]:
    """Per-body totals of every declared count, one aggregate per record kind."""
    result: dict[str, ir.Table] = {}
    for kind_name, table in enriched.items():
        specs = [spec for spec in COUNTS if spec.kind.name == kind_name]
        result[kind_name] = table.group_by("body").aggregate(
            **{spec.name: spec.measure(table).sum() for spec in specs}
        )
    return result


def records_behind(enriched: ir.Table, name: str) -> ir.Table:
    """The records a count of ``name`` is made of, with the measure each contributes."""
    spec = count_spec(name)
    measure = spec.measure(enriched)
    return enriched.mutate(contributes=measure).filter(lambda t: t.contributes > 0)
