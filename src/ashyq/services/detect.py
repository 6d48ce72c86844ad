"""Find violations in the delivery records, as Ibis expressions (DuckDB or PySpark).

One scan of the deliveries joins each record to the small tables it needs (the registry
entry of its service, its signer's staff record and leave; then, for the records that may
be late or were refused, the working-day number of each of its dates and the findings
about it) and sets one flag per violation type of the catalogue. Only flagged records
are kept and cached; each type then becomes rows of the violation registry with its
evidence. The queue check, which compares records of one waiting list with each other,
runs over the few queue-based records apart, read once.

Working days: the day an application is received is day zero when it arrives on a
working day before the end of working hours; otherwise day zero is the next working day.
A stage took ``n`` working days when its date's working-day number is day zero's plus
``n`` (see docs/methodology.md, "Violations in public services").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Final

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from ashyq.calendar import WorkingCalendar
from ashyq.i18n import Lang
from ashyq.periods import Period
from ashyq.records import engine
from ashyq.records.backend import small_table
from ashyq.records.model import CODES_SEPARATOR
from ashyq.records.store import RecordStore
from ashyq.services.catalogue import ViolationCatalogue, ViolationType, load_catalogue
from ashyq.services.citation import BasisReading, basis_reading
from ashyq.services.model import (
    ACCEPTANCE_ENDS,
    DELIVERIES,
    FINDINGS,
    LEAVES,
    QUEUE_ENTRIES,
    SERVICES,
    SIGNING_AUTHORITY,
    STAFF,
)

__all__ = [
    "FOUND_IN_RECORDS",
    "REGISTRY_COLUMNS",
    "ServicesPeriod",
    "detect",
    "flag_deliveries",
    "open_period",
]

# Decisions and signatures may come long after the period: the calendar reaches this far.
_CALENDAR_BEFORE: Final = timedelta(days=31)
_CALENDAR_AFTER: Final = timedelta(days=366)
_DEFAULT_REFUSAL_DAYS: Final = 2
REGISTRY_COLUMNS: Final = (
    "violation_id",
    "violation_type",
    "stage",
    "category",
    "provider_body",
    "provider_unit",
    "delivery_id",
    "service_code",
    "responsible_employee",
    "norm",
    "evidence",
    "established_by",
    "finding_id",
    "source_file",
    "source_row",
)
# ``established_by`` of a violation found in the delivery record alone; otherwise the
# finding's own (how the inspection, monitoring, appeal or court established it).
FOUND_IN_RECORDS: Final = "records"


@dataclass(frozen=True)
class ServicesPeriod:
    """The stored records of one period on a backend, with the calendar around it."""

    con: ibis.BaseBackend
    period: Period
    store: RecordStore
    deliveries: ir.Table | None
    services: ir.Table | None
    staff: ir.Table | None
    leaves: ir.Table | None
    findings: ir.Table | None
    days: ir.Table
    authorities: ir.Table | None = None
    queue_entries: ir.Table | None = None

    def of_body(self, body: str) -> ServicesPeriod:
        """The same period with only ``body``'s deliveries.

        Every check compares a delivery only with records of its own body (its waiting
        list, its staff, its findings), so the violations found are the body's exactly;
        the findings are the body's too, since each one enters the registry.
        """
        if self.deliveries is None:
            return self
        deliveries = self.deliveries.filter(self.deliveries.provider_body == body)
        findings, entries = self.findings, self.queue_entries
        if findings is not None:
            findings = findings.filter(findings.provider_body == body)
        if entries is not None:
            entries = entries.filter(entries.provider_body == body)
        return replace(self, deliveries=deliveries, findings=findings, queue_entries=entries)


def _calendar(period: Period) -> pa.Table:
    first, last = period.first - _CALENDAR_BEFORE, period.last + _CALENDAR_AFTER
    table = WorkingCalendar.build(first, last).table()
    return table.select(["date", "is_working", "wd"])


def open_period(
    period: Period, con: ibis.BaseBackend | None = None, store: RecordStore | None = None
) -> ServicesPeriod:
    """Read ``period``'s service records from ``store`` on ``con`` (by default, a new
    connection of the engine the settings choose)."""
    con = con if con is not None else engine.backend()
    store = store or RecordStore()
    days = small_table(con, f"service_calendar_{period.name.lower()}", _calendar(period))
    return ServicesPeriod(
        con,
        period,
        store,
        store.read(con, DELIVERIES, period),
        store.read(con, SERVICES, period),
        store.read(con, STAFF, period),
        store.read(con, LEAVES, period),
        store.read(con, FINDINGS, period),
        days,
        store.read(con, SIGNING_AUTHORITY, period),
        store.read(con, QUEUE_ENTRIES, period),
    )


def on_time_days(period: Period, terms: Iterable[int]) -> dict[int, int]:
    """For each term of ``terms`` working days, the most calendar days from receipt that a
    stage can take without taking more than the term, whatever day of ``period`` it was
    received on.

    A stage is late only when the working-day number of its date exceeds that of the day
    of receipt by more than the term (day zero is never before the day of receipt). The
    fewest calendar days in which that can happen, over every day of the period, less one,
    is the bound: a five-day term always spans a weekend, so a stage of up to seven
    calendar days is never late, whichever day it started.
    """
    calendar = _calendar(period)
    dates = calendar.column("date").to_numpy(zero_copy_only=False).astype("datetime64[D]")
    wd = calendar.column("wd").to_numpy()
    first, last = np.datetime64(period.first, "D"), np.datetime64(period.last, "D")
    received = np.flatnonzero((dates >= first) & (dates <= last))
    bounds: dict[int, int] = {}
    for term in sorted(set(terms)):
        # The first day whose working-day number exceeds the receipt's by more than the term.
        late = np.searchsorted(wd, wd[received] + term, side="right")
        # A term longer than the calendar reaches keeps the plain bound: no more calendar
        # days than working days (the registry allows terms of up to 365 working days).
        reachable = late < len(wd)
        bounds[term] = int((late - received).min()) - 1 if reachable.all() else term
    return bounds


def _days_of(data: ServicesPeriod, table: ir.Table, starts: str, ends: str, name: str) -> ir.Table:
    """One row per (body, employee, day) from ``starts`` to ``ends`` of each row of
    ``table`` (an open end: the calendar's last day): an equality join, not a range join."""
    rows_of = data.con.to_pyarrow(table.select("body", "employee_id", starts, ends))
    last = np.datetime64(data.period.last + _CALENDAR_AFTER, "D")
    first = rows_of.column(starts).to_numpy(zero_copy_only=False).astype("datetime64[D]")
    until = rows_of.column(ends).to_numpy(zero_copy_only=False).astype("datetime64[D]")
    until = np.where(np.isnat(until), last, np.minimum(until, last))
    lengths = np.maximum((until - first).astype(np.int64) + 1, 0)
    rows = np.repeat(np.arange(len(rows_of)), lengths)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    expanded = pa.table(
        {
            "_day_body": rows_of.column("body").take(pa.array(rows, pa.int64())),
            "_day_employee": rows_of.column("employee_id").take(pa.array(rows, pa.int64())),
            "_day": pa.array(first[rows] + offsets.astype("timedelta64[D]"), pa.date32()),
        }
    )
    named = f"service_{name}_days_{data.period.name.lower()}"
    return small_table(data.con, named, expanded).distinct()


# Spark splits on a regular expression, in which "|" is special: split on a plain
# control character instead, the same on every backend.
_SPLIT_ON: Final = "\x1f"


def _list(text: ir.StringValue) -> ir.ArrayValue:
    return text.replace(CODES_SEPARATOR, _SPLIT_ON).split(_SPLIT_ON)


def _outside(items: ir.StringValue, allowed: ir.StringValue) -> ir.StringValue:
    """The items of ``items`` not in ``allowed`` (both '|'-separated), '|'-joined; null when
    none are, or when either list is missing."""
    listed = _list(allowed)
    extra = _list(items).filter(lambda item: ~listed.contains(item)).join(CODES_SEPARATOR)
    known = items.notnull() & allowed.notnull() & (items != allowed)
    return known.ifelse(extra.nullif(""), ibis.null("string"))


def _day_numbers(table: ir.Table, days: ir.Table, column: str) -> ir.Table:
    """``table`` with ``_wd_<column>`` (and ``_working_<column>``) for the date of ``column``."""
    day = days.select(
        **{
            f"_date_{column}": days.date,
            f"_wd_{column}": days.wd,
            f"_working_{column}": days.is_working,
        }
    )
    value = table[column]
    on = value if value.type().is_date() else value.date()
    joined = table.left_join(day, on == day[f"_date_{column}"])
    return joined.drop(f"_date_{column}")


def _minute_of_day(time: ir.StringValue) -> ir.IntegerValue:
    """``HH:MM`` (a stored time of day) as minutes after midnight."""
    hours: ir.IntegerValue = time.substr(0, 2).cast("int64")
    minutes: ir.IntegerValue = time.substr(3, 2).cast("int64")
    return hours * 60 + minutes


def flag_deliveries(data: ServicesPeriod, *, every: bool = False) -> ir.Table:
    """The deliveries that may hold a violation (``every``: all of them), with their
    registry entry, their stage durations and one boolean column per violation type found
    in the record itself (all but the queue order).

    The working-day calendar is joined only to the deliveries that need it. A stage that
    took no more calendar days than ``on_time_days`` of its term cannot have taken more
    working days, so a record that no check without the calendar flags, that no finding
    names, that holds no position of a waiting list and that kept every term so holds no
    violation; it is dropped before the calendar is looked up, which most records are.

    Raises LookupError when no deliveries or no registry are stored for the period.
    """
    if data.deliveries is None:
        raise LookupError(f"no deliveries stored for {data.period}")
    if data.services is None:
        raise LookupError(f"no registry of services stored for {data.period}")
    s = data.services
    registry = s.select(
        _service=s.service_code,
        deadline_days=s.deadline_days,
        _deadline_hours=s.deadline_hours,
        refusal_deadline_days=s.refusal_days.fill_null(_DEFAULT_REFUSAL_DAYS),
        _checklist=s.documents,
        _hearing_required=s.hearing_required,
        _queue_based=s.queue_based,
        _permit_category=s.permit_category,
        # A registry stored before the field existed has the usual hours.
        _accepts_until=_minute_of_day(s.accepts_until.fill_null(ACCEPTANCE_ENDS)),
    )
    if not every:
        # The calendar days each term can take without a breach (on_time_days).
        terms = data.con.to_pyarrow(s.select("deadline_days").distinct())["deadline_days"]
        bounds = on_time_days(data.period, (t for t in terms.to_pylist() if t is not None))
        days = registry.deadline_days
        on_time = days.cases(*bounds.items(), else_=days) if bounds else days
        registry = registry.mutate(_on_time_days=on_time)
    d = data.deliveries
    d = d.left_join(registry, d.service_code == registry._service).drop("_service")
    # The signer's staff record and leave: checked on every signed record.
    d = _with_signer(d, data)

    def hours(column: str) -> ir.FloatingValue:
        seconds = d[column].epoch_seconds() - d.submitted_at.epoch_seconds()
        value: ir.FloatingValue = seconds / 3600.0
        return value

    def calendar_days(column: str) -> ir.IntegerValue:
        value: ir.IntegerValue = d[column].date().delta(d.submitted_at.date(), unit="day")
        return value

    refused = (d.decision == "refused").fill_null(False)
    # What the legal basis cites (services.citation): concrete when a unit below the
    # article, with its number; said in the evidence when it is not.
    d = d.mutate(
        basis_reading=refused.ifelse(basis_reading(d.refusal_legal_basis), ibis.null("string"))
    )
    concrete = (d.basis_reading == BasisReading.POINT.value) & d.refusal_reasons.notnull()
    d = d.mutate(
        _refused=refused,
        _issued=(d.decision == "issued").fill_null(False),
        _by_days=d.deadline_days.notnull(),
        excess_at_registration=_outside(d.documents_requested, d._checklist),
        excess_at_review=_outside(d.review_documents_requested, d._checklist),
        # Only recorded packages are checked: no split at all for the rest.
        missing_documents=_outside(d._checklist, d.documents_submitted),
        _concrete=concrete.fill_null(False),
    )
    # A hearing before the decision, in person or by written objection (APPK, art. 73), or
    # one the applicant did not come to after being notified of it (docs/methodology.md).
    notified = d.hearing_notice_at.notnull() & (d.hearing_notice_at <= d.hearing_held_at)
    heard = (
        (d.hearing_held_at <= d.decision_at)
        & ((d.hearing_form != "not_attended") | d.hearing_form.isnull() | notified)
    ).fill_null(False)
    # The checks that need neither the calendar nor the findings.
    plain: dict[str, ir.BooleanValue] = {
        "routing_failure": (d.routed_ok == False).fill_null(False),  # noqa: E712
        "paper_not_in_monitoring": (
            (d.form == "paper") & (d.registered_in_monitoring == False)  # noqa: E712
        ).fill_null(False),
        "excess_documents_at_registration": d.excess_at_registration.notnull(),
        "excess_documents_at_review": d.excess_at_review.notnull(),
        "incomplete_package_granted": (
            d._issued & d.documents_submitted.notnull() & d.missing_documents.notnull()
        ),
        "refusal_without_hearing": d._refused & d._hearing_required.fill_null(False) & ~heard,
        "refusal_without_reasons": d._refused & ~d._concrete,
        "third_party_signature": d.signer_status.notnull(),
    }
    d = d.mutate(**{f"_is_{name}": flag for name, flag in plain.items()})
    if not every:
        # The later of decision and signature (greatest skips a null on DuckDB and Spark);
        # written inline, so that each is computed only for the records it concerns.
        last = ibis.greatest(d.signed_at, d.decision_at)
        day = d.submitted_at.date()
        last_days = last.date().delta(day, unit="day")
        last_hours = (last.epoch_seconds() - d.submitted_at.epoch_seconds()) / 3600.0
        # A filter drops a null as false, so no term needs filling: the engine then stops
        # at the first term that holds, the record's own flags first.
        candidate: ir.BooleanValue = ibis.literal(False)
        for name in plain:
            candidate = candidate | d[f"_is_{name}"]
        candidate = (
            candidate
            | (d.registered_at.date() > day)
            | d._by_days.ifelse(last_days > d._on_time_days, last_hours > d._deadline_hours)
            | (calendar_days("rejected_incomplete_at") > d.refusal_deadline_days)
        )
        if data.findings is not None:
            # A record a finding names (by its id alone: a superset, matched exactly below).
            candidate = candidate | d.delivery_id.isin(data.findings.delivery_id)
        # The queue check reads the queue-based records from this one scan (detect).
        candidate = candidate | d.queue_list.notnull()
        d = d.filter(candidate)

    for column in ("submitted_at", "registered_at", "decision_at", "signed_at"):
        d = _day_numbers(d, data.days, column)
    for column in ("rejected_incomplete_at", "extended_at", "extended_until"):
        d = _day_numbers(d, data.days, column)

    after_hours = (d.submitted_at.hour() * 60 + d.submitted_at.minute()) >= d._accepts_until
    start = d._wd_submitted_at + ((~d._working_submitted_at) | after_hours).ifelse(1, 0)

    def elapsed(column: str) -> ir.IntegerValue:
        # A date before day zero (registered on the weekend it arrived) took no days.
        days: ir.IntegerValue = d[f"_wd_{column}"] - start
        value: ir.IntegerValue = (days < 0).ifelse(0, days)
        return value

    d = d.mutate(
        _registration_hours=hours("registered_at"),
        _decision_hours=hours("decision_at").fill_null(hours("signed_at")),
        _result_hours=hours("signed_at").fill_null(hours("decision_at")),
        registration_days=elapsed("registered_at"),
        decision_days=elapsed("decision_at").fill_null(elapsed("signed_at")),
        result_days=elapsed("signed_at").fill_null(elapsed("decision_at")),
        refusal_days=elapsed("rejected_incomplete_at"),
    )
    by_days = d._by_days
    # An extension or suspension made within the term moves its last day to
    # extended_until; it never shortens the term, and one made after the term ran out
    # excuses nothing (docs/methodology.md).
    extended = (
        d.extended_until.notnull()
        & by_days.ifelse(
            elapsed("extended_at") <= d.deadline_days,
            hours("extended_at") <= d._deadline_hours,
        )
    ).fill_null(False)
    result_on = d.signed_at.fill_null(d.decision_at).date()
    decision_on = d.decision_at.fill_null(d.signed_at).date()
    breach = (
        by_days.ifelse(d.result_days > d.deadline_days, d._result_hours > d._deadline_hours)
        & (~extended | (result_on > d.extended_until))
    ).fill_null(False)
    decision_late = (
        by_days.ifelse(d.decision_days > d.deadline_days, d._decision_hours > d._deadline_hours)
        & (~extended | (decision_on > d.extended_until))
    ).fill_null(False)
    # A breach of an extended term is not put down to a late registration.
    after_registration_in_time = (
        ~extended
        & by_days.ifelse(
            d.result_days - d.registration_days <= d.deadline_days,
            d._result_hours - d._registration_hours <= d._deadline_hours,
        )
    ).fill_null(False)
    late_registration = (d.registration_days > 0).fill_null(False)
    registration_breach = breach & late_registration & after_registration_in_time
    result_wd = d._wd_signed_at.fill_null(d._wd_decision_at)
    d = d.mutate(
        _breach=breach,
        _decision_late=decision_late,
        _late_registration=late_registration,
        _registration_breach=registration_breach,
        days_late=extended.ifelse(
            result_wd - d._wd_extended_until,
            by_days.ifelse(d.result_days - d.deadline_days, ibis.null("int64")),
        ),
        extension_honoured=d.extended_until.notnull().ifelse(extended, ibis.null("boolean")),
    )
    d = _with_finding_mark(d, data)
    breach, decision_late = d._breach, d._decision_late
    late_registration, registration_breach = d._late_registration, d._registration_breach
    timed: dict[str, ir.BooleanValue] = {
        "late_registration": late_registration & ~registration_breach,
        "registration_deadline_breach": registration_breach,
        "review_deadline_breach": breach & ~registration_breach & decision_late,
        "late_incomplete_refusal": (d.refusal_days > d.refusal_deadline_days).fill_null(False),
        "signing_deadline_breach": breach & ~registration_breach & ~decision_late,
    }
    return d.mutate(**{f"_is_{name}": flag for name, flag in timed.items()})


def _with_signer(d: ir.Table, data: ServicesPeriod) -> ir.Table:
    """Add ``signer_status``: on_leave, not_authorised or unknown_signer (null when the
    signer was entitled to sign); null for every record of a body without a staff list.

    A signer is entitled in their own right (staff ``can_sign`` within its dates) or on
    a day an order of ``signing_authority`` covers (an acting period; one person may have
    several). Two equality joins per record, both with only scalar columns: the signer's
    staff record, and the (signer, day) of the signature among the days of leave and of
    orders. (Carrying each signer's days as lists through one join took about twice as
    long over the national year: every matched row copied its lists.)"""
    if data.staff is None:
        return d.mutate(signer_status=ibis.null("string"))
    staff = data.staff
    signers = staff.select(
        _staff_body=staff.body,
        _staff_employee=staff.employee_id,
        _can_sign=staff.can_sign,
        _can_sign_from=staff.can_sign_from,
        _can_sign_until=staff.can_sign_until,
    )
    # The days of each signer's leave, and the days an order lets them sign.
    marked: list[ir.Table] = []
    for table, starts, ends, name in (
        (data.leaves, "starts_on", "ends_on", "leave"),
        (data.authorities, "valid_from", "valid_until", "authority"),
    ):
        if table is not None:
            days = _days_of(data, table, starts, ends, name)
            marked.append(
                days.mutate(
                    _day_on_leave=ibis.literal(name == "leave"),
                    _day_granted=ibis.literal(name == "authority"),
                )
            )
    listed = sorted(data.con.to_pyarrow(staff.select("body").distinct())["body"].to_pylist())
    d = d.left_join(
        signers, (d.provider_body == signers._staff_body) & (d.signed_by == signers._staff_employee)
    )
    d = d.mutate(_signed_on=d.signed_at.date())
    if marked:
        days = ibis.union(*marked) if len(marked) > 1 else marked[0]
        days = days.group_by("_day_body", "_day_employee", "_day").aggregate(
            _day_on_leave=days._day_on_leave.any(), _day_granted=days._day_granted.any()
        )
        d = d.left_join(
            days,
            (d.provider_body == days._day_body)
            & (d.signed_by == days._day_employee)
            & (d._signed_on == days._day),
        ).drop("_day_body", "_day_employee", "_day")
    else:
        d = d.mutate(_day_on_leave=ibis.null("boolean"), _day_granted=ibis.null("boolean"))
    signed_on = d._signed_on
    # In their own right within its dates, or by an order for that day.
    authorised = (
        d._can_sign
        & (d._can_sign_from.isnull() | (d._can_sign_from <= signed_on))
        & (d._can_sign_until.isnull() | (d._can_sign_until >= signed_on))
    ).fill_null(False) | d._day_granted.fill_null(False)
    on_leave = d._day_on_leave.fill_null(False)
    # A signer found on the staff list is of a body that sent one; whether the body of a
    # signer not found sent one is asked of those records only (a scalar test, which the
    # engine evaluates for the rows of its branch, not a join over every record).
    unknown: ir.StringValue = ibis.null("string")
    if listed:
        has_list = ibis.literal(listed, type="array<string>").contains(d.provider_body)
        unknown = has_list.ifelse(ibis.literal("unknown_signer"), ibis.null("string"))
    status = ibis.cases(
        (d.signed_by.isnull(), ibis.null("string")),
        (d._staff_employee.isnull(), unknown),
        (on_leave, "on_leave"),
        (~authorised.fill_null(False), "not_authorised"),
        else_=ibis.null("string"),
    )
    return d.mutate(signer_status=status).drop("_signed_on", "_day_on_leave", "_day_granted")


def _with_finding_mark(d: ir.Table, data: ServicesPeriod) -> ir.Table:
    """Add ``_has_finding``: whether a finding names the record (its body and id)."""
    if data.findings is None:
        return d.mutate(_has_finding=ibis.literal(False))
    f = data.findings
    named = f.select(_named_body=f.provider_body, _named_delivery=f.delivery_id).distinct()
    d = d.left_join(
        named, (d.provider_body == named._named_body) & (d.delivery_id == named._named_delivery)
    )
    return d.mutate(_has_finding=d._named_delivery.notnull()).drop("_named_body", "_named_delivery")


def _first_findings(data: ServicesPeriod) -> ir.Table | None:
    """The first finding (by its number) of each violation type about each delivery: one
    violation, however many inspections, appeals or courts established it."""
    if data.findings is None:
        return None
    f = data.findings
    first = f.group_by(
        _first_body=f.provider_body,
        _first_delivery=f.delivery_id,
        _first_type=f.violation_type,
    ).aggregate(_first_finding=f.finding_id.min())
    chosen = f.join(
        first,
        (f.provider_body == first._first_body)
        & (f.delivery_id == first._first_delivery)
        & (f.violation_type == first._first_type)
        & (f.finding_id == first._first_finding),
    )
    return chosen.select(
        _finding_body=chosen.provider_body,
        _finding_delivery=chosen.delivery_id,
        _finding_type=chosen.violation_type,
        finding_id=chosen.finding_id,
        _finding_established_by=chosen.established_by,
        established_at=chosen.established_at,
        _finding_file=chosen.source_file,
        _finding_row=chosen.source_row,
    ).cache()


def _with_finding(source: ir.Table, findings: ir.Table | None, type_id: str) -> ir.Table:
    """``source`` (flagged records) with the first finding of ``type_id`` about each (or
    nulls), and ``established_by``: the finding's, else ``FOUND_IN_RECORDS``."""
    if findings is None:
        return source.mutate(
            finding_id=ibis.null("string"),
            established_at=ibis.null("date"),
            established_by=ibis.literal(FOUND_IN_RECORDS),
        )
    of_type = findings.filter(findings._finding_type == type_id)
    joined = source.left_join(
        of_type,
        (source.provider_body == of_type._finding_body)
        & (source.delivery_id == of_type._finding_delivery),
    )
    return joined.mutate(
        established_by=joined._finding_established_by.fill_null(FOUND_IN_RECORDS)
    ).drop(*[c for c in of_type.columns if c.startswith("_finding")])


def _findings_without_record(findings: ir.Table, flagged: ir.Table, type_id: str) -> ir.Table:
    """The findings of ``type_id`` about a delivery not stored for the period, shaped as
    flagged records: traced to the findings file, every field of the delivery blank."""
    of_type = findings.filter(findings._finding_type == type_id)
    kept = flagged.select(_kept_body=flagged.provider_body, _kept_delivery=flagged.delivery_id)
    missing = of_type.anti_join(
        kept,
        (of_type._finding_body == kept._kept_body)
        & (of_type._finding_delivery == kept._kept_delivery),
    )
    given = {
        "provider_body": missing._finding_body,
        "delivery_id": missing._finding_delivery,
        "source_file": missing._finding_file,
        "source_row": missing._finding_row,
        "finding_id": missing.finding_id,
        "established_at": missing.established_at,
        "established_by": missing._finding_established_by,
    }
    blank = {name: ibis.null(flagged[name].type()) for name in flagged.columns if name not in given}
    return missing.select(**given, **blank)


# What the queue check and the registry read of a queue-based delivery (the registry's
# columns, the responsible signer and the evidence are checked against the catalogue).
_QUEUE_COLUMNS: Final = frozenset(
    {
        "provider_body",
        "provider_unit",
        "delivery_id",
        "service_code",
        "source_file",
        "source_row",
        "queue_list",
        "queue_position",
        "decision",
        "decision_at",
        "applicant_id",
        "employee_id",
        "signed_by",
    }
)


def _queue_violations(data: ServicesPeriod, records: ir.Table) -> ir.Table:
    """Issued queue-based deliveries served before an earlier position that still waited,
    or served to an applicant who reviews or signs that very decision; with the first
    position left waiting (``docs/violations.md``, ``out_of_queue_order``).

    ``records`` holds every queue-based delivery of the period (with ``_QUEUE_COLUMNS``):
    the flagged records of ``detect``, so that the year is scanned once for every check."""
    d = records.filter(records.queue_list.notnull())
    d = d.select(*[c for c in records.columns if c in _QUEUE_COLUMNS])
    # A position leaves the list when it is decided (served or refused); until then it waits.
    never = ibis.timestamp("9999-12-31 00:00:00")
    positions = d.mutate(_left_at=d.decision_at.fill_null(never), _is_delivery=True)
    standing = _standing_positions(data, d, never)
    if standing is not None:
        positions = positions.union(standing)
    q = positions
    earlier = ibis.window(
        group_by=[q.provider_body, q.queue_list],
        order_by=q.queue_position,
        rows=(None, -1),
    )
    q = q.mutate(_latest_earlier_left=q._left_at.max().over(earlier))
    q = q.filter(q._is_delivery).drop("_is_delivery")
    served = (q.decision == "issued").fill_null(False)
    out_of_order = served & (q.decision_at < q._latest_earlier_left).fill_null(False)
    # The applicant decides their own case: they review it or sign its decision. Being on
    # the provider's staff is not it (an employee served in their turn is lawful); it is
    # kept as evidence of a position served out of order.
    decides = (q.applicant_id == q.employee_id) | (q.applicant_id == q.signed_by)
    on_staff: ir.BooleanValue = ibis.literal(False)
    if data.staff is not None:
        staff = data.staff.select(_official_body=data.staff.body, _official=data.staff.employee_id)
        q = q.left_join(
            staff, (q.provider_body == staff._official_body) & (q.applicant_id == staff._official)
        )
        on_staff = q._official.notnull()
    q = q.mutate(
        applicant_is_official=decides.fill_null(False),
        applicant_on_staff=on_staff,
        _out_of_order=out_of_order,
    )
    q = q.filter(q._out_of_order | (served & q.applicant_is_official))
    # The first position still waiting when the record was served: only the flagged few.
    waiting = positions.select(
        _w_body=positions.provider_body,
        _w_list=positions.queue_list,
        _w_position=positions.queue_position,
        _w_left_at=positions._left_at,
    )
    pairs = q.left_join(
        waiting,
        (q.provider_body == waiting._w_body)
        & (q.queue_list == waiting._w_list)
        & (waiting._w_position < q.queue_position)
        & (waiting._w_left_at > q.decision_at),
    )
    first = pairs.group_by(
        _key_body=pairs.provider_body, _key_delivery=pairs.delivery_id
    ).aggregate(first_waiting=pairs._w_position.min())
    return q.join(
        first, (q.provider_body == first._key_body) & (q.delivery_id == first._key_delivery)
    )


def _standing_positions(data: ServicesPeriod, d: ir.Table, never: ir.Value) -> ir.Table | None:
    """The positions of the standing waiting lists (``queue_entries``) shaped as the
    queue-based deliveries ``d``: each waits until it left (``left_at``). A position a
    delivery of the period holds is that delivery's, not the list's."""
    if data.queue_entries is None:
        return None
    e = data.queue_entries
    held = d.select(_h_body=d.provider_body, _h_list=d.queue_list, _h_position=d.queue_position)
    e = e.anti_join(
        held,
        (e.provider_body == held._h_body)
        & (e.queue_list == held._h_list)
        & (e.queue_position == held._h_position),
    )
    given = {
        "provider_body": e.provider_body,
        "queue_list": e.queue_list,
        "queue_position": e.queue_position,
        "applicant_id": e.applicant_id,
    }
    columns = {
        name: given[name] if name in given else ibis.null(d[name].type()) for name in d.columns
    }
    return e.select(**columns, _left_at=e.left_at.fill_null(never), _is_delivery=False)


def _json_object(table: ir.Table, names: tuple[str, ...]) -> ir.StringValue:
    """A JSON object of the named columns as text (null or absent columns left out)."""
    names = tuple(name for name in names if name in table.columns)
    if not names:
        return ibis.literal("{}")

    def quoted(value: ir.StringValue) -> ir.StringValue:
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return ibis.literal('"') + escaped + ibis.literal('"')

    parts = [
        table[name]
        .isnull()
        .ifelse(
            ibis.literal(""), quoted(ibis.literal(name)) + ":" + quoted(table[name].cast("string"))
        )
        for name in names
    ]
    body = ibis.literal(",").join(parts) if len(parts) > 1 else parts[0]
    # Drop the commas left by null members.
    cleaned = body.re_replace(r",{2,}", ",").re_replace(r"^,|,$", "")
    return ibis.literal("{") + cleaned + ibis.literal("}")


# Evidence named alike in the catalogue but computed apart for two types.
_EVIDENCE_ALIASES: Final = {
    "excess_documents_at_registration": {"excess_documents": "excess_at_registration"},
    "excess_documents_at_review": {"excess_documents": "excess_at_review"},
}


def _registry_rows(source: ir.Table, violation_type: ViolationType, lang: Lang) -> ir.Table:
    """The registry's rows (``REGISTRY_COLUMNS``) of one type from its source records."""
    aliases = _EVIDENCE_ALIASES.get(violation_type.id, {})
    source = source.mutate(**{name: source[column] for name, column in aliases.items()})
    # A finding about a record the check did not read has no column of its evidence.
    responsible = (
        source[violation_type.responsible]
        if violation_type.responsible in source.columns
        else ibis.null("string")
    )
    return source.select(
        violation_id=source.provider_body
        + "/"
        + source.delivery_id
        + "/"
        + ibis.literal(violation_type.id),
        violation_type=ibis.literal(violation_type.id),
        stage=ibis.literal(violation_type.stage.value),
        category=ibis.literal(violation_type.category.value),
        provider_body=source.provider_body,
        provider_unit=source.provider_unit,
        delivery_id=source.delivery_id,
        service_code=source.service_code,
        responsible_employee=responsible,
        norm=ibis.literal(violation_type.norm[lang]),
        evidence=_json_object(source, violation_type.evidence),
        established_by=source.established_by,
        finding_id=source.finding_id,
        source_file=source.source_file,
        source_row=source.source_row,
    )


def detect(
    data: ServicesPeriod,
    lang: Lang = "ru",
    *,
    catalogue: ViolationCatalogue | None = None,
) -> ir.Table:
    """The violation registry of the period: one row per violation, ``REGISTRY_COLUMNS``.

    The flagged records are cached once on the backend, so the one scan of the
    deliveries serves every type. Names and norms are in ``lang``.
    Raises LookupError when no deliveries or no registry are stored.
    """
    catalogue = catalogue or load_catalogue()
    flagged_all = flag_deliveries(data)
    flag_columns = [c for c in flagged_all.columns if c.startswith("_is_")]
    any_flag = ibis.literal(False)
    for column in flag_columns:
        any_flag = any_flag | flagged_all[column]
    # The flagged records keep only what the registry reads: fewer columns read and cached.
    needed = set(REGISTRY_COLUMNS)
    for violation_type in catalogue.types:
        needed.add(violation_type.responsible)
        aliases = _EVIDENCE_ALIASES.get(violation_type.id, {})
        needed.update(aliases.get(name, name) for name in violation_type.evidence)
    # The finding columns come from the findings, not from the record.
    needed -= {"finding_id", "established_at", "established_by"}
    needed |= _QUEUE_COLUMNS
    keep = [c for c in flagged_all.columns if c in needed] + flag_columns
    queued = flagged_all.queue_list.notnull()
    flagged = flagged_all.filter(any_flag | flagged_all._has_finding | queued).select(*keep)
    flagged = flagged.cache()
    findings = _first_findings(data)
    queue = _queue_violations(data, flagged)
    parts: list[ir.Table] = []
    for violation_type in catalogue.types:
        type_id = violation_type.id
        flag = f"_is_{type_id}"
        if type_id == "out_of_queue_order":
            # The queue check runs over its own records; a finding about another record
            # of a waiting list is taken from the flagged ones.
            sources = [_with_finding(queue, findings, type_id)]
            if findings is not None:
                named = _with_finding(flagged, findings, type_id)
                queued = queue.select(_q_body=queue.provider_body, _q_id=queue.delivery_id)
                named = named.anti_join(
                    queued,
                    (named.provider_body == queued._q_body) & (named.delivery_id == queued._q_id),
                )
                sources.append(named.filter(named.finding_id.notnull()))
        else:
            # A finding names the violation, the record shows it, or both (one entry).
            # Some types (an unjustified refusal) no record shows by itself: no flag.
            named = _with_finding(flagged, findings, type_id)
            shown = named[flag] if flag in named.columns else ibis.literal(False)
            sources = [named.filter(shown | named.finding_id.notnull())]
        if findings is not None:
            sources.append(_findings_without_record(findings, flagged, type_id))
        for source in sources:
            parts.append(_registry_rows(source, violation_type, lang))
    return ibis.union(*parts)
