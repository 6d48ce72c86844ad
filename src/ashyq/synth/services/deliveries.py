"""The delivery records of one chunk, each violating record carrying its one planned
violation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ashyq.services.catalogue import load_catalogue
from ashyq.services.model import (
    DELIVERIES,
    FINDINGS,
)
from ashyq.synth.arrays import (
    Floats,
    Ints,
    dates,
    fixed_width,
    hex_digits,
    numbered,
    stamps,
    taken,
)
from ashyq.synth.control import (
    BodyMeasures,
)
from ashyq.synth.services.plan import _BodyPlan, _Unit
from ashyq.synth.services.registry import _Registry
from ashyq.synth.services.staff import _Staff
from ashyq.synth.services.targets import (
    _BY_MEASURE,
    _CHANNEL_TYPES,
    _CHANNELS,
    _CLEAN_REFUSED,
    _CLEAN_REJECTED,
    _CONCRETE_BASES,
    _DAY_SECONDS,
    _ESTABLISHED_OTHERWISE,
    _EXCESS_DOCUMENTS,
    _FORMS,
    _LAST_ARRIVAL,
    _OPENS,
    _REASONS,
    _VAGUE_REASON,
    _WHOLE_ARTICLES,
    _Calendar,
)

__all__: list[str] = []


# --- Delivery records ----------------------------------------------------------------------


class _Body:
    """What every chunk of one body shares: its days, its services, its staff, and the
    control measures that check it."""

    def __init__(
        self,
        plan: _BodyPlan,
        registry: _Registry,
        calendar: _Calendar,
        staff: _Staff,
        measures: BodyMeasures,
        seed: int,
    ) -> None:
        self.plan = plan
        self.code = plan.body.code
        self.measures = measures
        self.staff = staff
        rng = np.random.default_rng([seed, 1, plan.index])
        # Records per working day of the year, numbered in order of arrival day.
        self.days = calendar.working_in_year
        weight = rng.gamma(20.0, 1.0, size=len(self.days))
        counts = rng.multinomial(plan.deliveries, weight / weight.sum())
        self.cumulative = np.cumsum(counts).astype(np.int64)
        # Service pools per channel and need: 0 any, 1 a term in days (at least one) and a
        # checklist of two or more, 2 the same with a hearing before a refusal.
        own = np.flatnonzero((registry.body == plan.index) & ~registry.queue)
        by_days = (registry.deadline_days[own] >= 1) & (registry.checklist_size[own] >= 2)
        needs = (np.ones(len(own), bool), by_days, by_days & registry.hearing[own])
        self.pools: dict[tuple[int, int], tuple[Ints, Floats]] = {}
        for channel in range(3):
            for need, allowed in enumerate(needs):
                pool = own[allowed & registry.channel[own, channel]]
                self.pools[channel, need] = (pool, np.cumsum(registry.popularity[pool]))

    def pick(self, channel: int, need: int, draws: Floats) -> Ints:
        """Services for records of ``channel`` with ``need``, by popularity."""
        pool, cumulative = self.pools[channel, need]
        if not len(draws):
            return np.zeros(0, np.int64)
        if not len(pool):
            raise ValueError(f"{self.code}: no service for channel {_CHANNELS[channel]}")
        return np.asarray(pool[np.searchsorted(cumulative, draws * cumulative[-1], "right")])


@dataclass(frozen=True)
class _Chunk:
    deliveries: pa.Table
    plan: pa.Table
    findings: pa.Table


class _ChunkBuilder:
    """One chunk of a body's delivery records, drawn a column at a time.

    The steps run in order: place the violations (``kind``: the catalogue index of each
    record's one violation, -1 for a clean record), choose services, schedule the stages
    in working days, set the clock, then refusals, documents and signers.
    """

    def __init__(
        self,
        body: _Body,
        unit: _Unit,
        registry: _Registry,
        calendar: _Calendar,
        rng: np.random.Generator,
    ) -> None:
        self.body = body
        self.unit = unit
        self.registry = registry
        self.calendar = calendar
        self.rng = rng
        self.ids = list(load_catalogue().ids())
        self.n = n = unit.rows
        self.row = np.arange(unit.start, unit.start + n, dtype=np.int64)
        day = body.days[np.searchsorted(body.cumulative, self.row, side="right")]
        self.wd0 = calendar.wd[day]
        self.channel = rng.permutation(
            np.repeat(np.arange(3, dtype=np.int64), [unit.egov, unit.state_corp, unit.provider])
        )
        self.kind = np.full(n, -1, np.int64)
        self.listed = np.zeros(0, np.int64)
        self.service = np.full(n, body.plan.queue_service, np.int64)
        # Working-day numbers of the stages, and what happened.
        self.registered_wd = self.wd0.copy()
        self.decided_wd = self.wd0.copy()
        self.signed_wd = self.wd0.copy()
        self.rejected_wd = self.wd0.copy()
        self.has_registration = np.ones(n, bool)
        self.has_decision = np.ones(n, bool)
        self.has_rejection = np.zeros(n, bool)
        self.decision = np.ones(n, np.int64)  # 0 none, 1 issued, 2 refused
        self.position = np.zeros(n, np.int64)
        self.in_order = np.zeros(0, np.int64)

    def rows_of(self, type_id: str) -> Ints:
        """The records planned to carry ``type_id``."""
        return np.flatnonzero(self.kind == self.ids.index(type_id))

    def _undecided(self, at: Ints) -> None:
        self.has_decision[at] = False
        self.decision[at] = 0

    def place(self, counts: Ints) -> None:
        """Choose the violating records (and the waiting-list ones): those of one channel
        first, then any record; never two violations on one record."""
        rng, free = self.rng, np.ones(self.n, bool)
        for type_id, channel in _CHANNEL_TYPES:
            pool = np.flatnonzero(free & (self.channel == channel))
            chosen = rng.choice(pool, size=int(counts[self.ids.index(type_id)]), replace=False)
            self.kind[chosen] = self.ids.index(type_id)
            free[chosen] = False
        listed = rng.choice(
            np.flatnonzero(free & (self.channel == 0)), size=self.unit.queue_rows, replace=False
        )
        self.listed = np.sort(listed)
        free[listed] = False
        on_channel = {type_id for type_id, _ in _CHANNEL_TYPES}
        rest = np.array([i for i, t in enumerate(self.ids) if t not in on_channel], np.int64)
        chosen = rng.choice(np.flatnonzero(free), size=int(counts[rest].sum()), replace=False)
        self.kind[chosen] = np.repeat(rest, counts[rest])

    def choose_services(self) -> None:
        """By popularity for clean records; one that lets the rule be broken for the others
        (a term in days, a checklist, a hearing); the housing list for the list's records."""
        in_list = np.zeros(self.n, bool)
        in_list[self.listed] = True
        in_list[self.rows_of("out_of_queue_order")] = True
        need = np.where(self.kind >= 0, 1, 0)
        need[self.rows_of("refusal_without_hearing")] = 2
        draws = self.rng.random(self.n)
        for channel in range(3):
            for wanted in range(3):
                at = np.flatnonzero((self.channel == channel) & (need == wanted) & ~in_list)
                self.service[at] = self.body.pick(channel, wanted, draws[at])
        self.clean = (self.kind < 0) & ~in_list
        self.days_term = self.registry.deadline_days[self.service]
        self.term = np.maximum(self.days_term, 0)
        self.refusal_term = self.registry.refusal_days[self.service]

    def schedule(self) -> None:
        """Working days of each stage: clean records registered on day zero, decided and
        signed within the term; each violating record late exactly where its type says."""
        rng, wd0, term, n = self.rng, self.wd0, self.term, self.n
        decided_on = np.floor(rng.random(n) ** 2 * (term + 1)).astype(np.int64)
        signed_after = np.where(
            rng.random(n) < 0.75, 0, np.floor(rng.random(n) * (term - decided_on + 1))
        ).astype(np.int64)
        self.decided_wd = wd0 + decided_on
        self.signed_wd = self.decided_wd + signed_after
        draw = rng.random(n)
        self.decision[self.clean & (draw < _CLEAN_REFUSED)] = 2
        rejected = self.clean & (draw >= _CLEAN_REFUSED) & (draw < _CLEAN_REFUSED + _CLEAN_REJECTED)
        self.rejected_clean = np.flatnonzero(rejected)
        self._reject(self.rejected_clean, 0, self.refusal_term[self.rejected_clean] + 1)
        self._break_registration()
        at = self.rows_of("review_deadline_breach")
        self.decided_wd[at] = wd0[at] + term[at] + rng.integers(1, 11, size=len(at))
        self.signed_wd[at] = self.decided_wd[at]
        at = self.rows_of("signing_deadline_breach")
        self.decided_wd[at] = wd0[at] + self._upto(term[at])
        self.signed_wd[at] = wd0[at] + term[at] + rng.integers(1, 6, size=len(at))
        at = self.rows_of("late_incomplete_refusal")
        self._reject(at, self.refusal_term[at] + 1, self.refusal_term[at] + 6)
        at = self.rows_of("routing_failure")
        self._undecided(at)
        self.has_registration[at] = False
        for type_id in (
            "unjustified_refusal",
            "refusal_without_hearing",
            "refusal_without_reasons",
        ):
            self.decision[self.rows_of(type_id)] = 2
        # A finding falls within the year: the refusal it is about is decided by then.
        at = self.rows_of("unjustified_refusal")
        self.decided_wd[at] = np.minimum(self.decided_wd[at], self.calendar.last_wd_of_year)
        self.signed_wd[at] = self.decided_wd[at]
        self._queue()

    def _upto(self, limit: Ints) -> Ints:
        """A whole number from 0 to ``limit`` (both included) for each limit."""
        return np.floor(self.rng.random(len(limit)) * (limit + 1)).astype(np.int64)

    def _reject(self, at: Ints, low: Ints | int, high: Ints) -> None:
        """Refused for an incomplete package, ``low`` to ``high - 1`` working days in."""
        self._undecided(at)
        self.has_rejection[at] = True
        self.rejected_wd[at] = self.wd0[at] + low + self._upto(high - low - 1)

    def _break_registration(self) -> None:
        wd0, term = self.wd0, self.term
        # Registered late, the result still on time.
        at = self.rows_of("late_registration")
        late = 1 + self._upto(term[at] - 1)
        self.registered_wd[at] = wd0[at] + late
        self.decided_wd[at] = self.registered_wd[at] + self._upto(term[at] - late)
        self.signed_wd[at] = self.decided_wd[at]
        # Registered so late that the term is missed, though the rest took no longer than it.
        at = self.rows_of("registration_deadline_breach")
        late = 1 + self._upto(term[at])
        soonest = np.maximum(0, term[at] + 1 - late)
        self.registered_wd[at] = wd0[at] + late
        self.decided_wd[at] = self.registered_wd[at] + soonest + self._upto(term[at] - soonest)
        self.signed_wd[at] = self.decided_wd[at]

    def _queue(self) -> None:
        """The chunk's waiting list: positions served in order, then the ones still
        waiting, then the violators, served while earlier positions wait."""
        listed = self.listed
        waiting_count = max(1, len(listed) // 4) if len(listed) else 0
        self.in_order = listed[: len(listed) - waiting_count]
        waiting = listed[len(listed) - waiting_count :]
        queue_rows = np.concatenate([self.in_order, waiting, self.rows_of("out_of_queue_order")])
        self.position[queue_rows] = np.arange(1, len(queue_rows) + 1)
        self._undecided(waiting)
        term = int(self.registry.deadline_days[max(self.body.plan.queue_service, 0)])
        served_on = 1 + int(self.rng.integers(0, max(1, term)))
        self.decided_wd[self.in_order] = self.wd0[self.in_order] + served_on
        self.signed_wd[self.in_order] = self.decided_wd[self.in_order]

    def clock(self) -> None:
        """Times in seconds since 1970: arrival in working hours; a stage on the day of the
        one before follows it by minutes, one on a later day comes in working hours."""
        rng, n, calendar = self.rng, self.n, self.calendar

        def after(previous_wd: Ints, previous: Ints, wd: Ints, low: int, high: int) -> Ints:
            later_day = rng.integers(_OPENS, _LAST_ARRIVAL, size=n)
            return np.where(
                wd == previous_wd, previous + rng.integers(low, high, size=n), later_day
            )

        arrival = rng.integers(_OPENS, _LAST_ARRIVAL, size=n)
        registration = after(self.wd0, arrival, self.registered_wd, 60, 1800)
        decision = after(self.registered_wd, registration, self.decided_wd, 600, 3600)
        signing = after(self.decided_wd, decision, self.signed_wd, 60, 1800)
        rejection = after(self.registered_wd, registration, self.rejected_wd, 600, 3600)
        # The list is served in the order of its positions.
        decision[self.in_order] = 10 * 3600 + self.position[self.in_order]
        signing[self.in_order] = decision[self.in_order] + 60
        self.submitted = calendar.seconds(self.wd0, arrival)
        self.registered = calendar.seconds(self.registered_wd, registration)
        self.decided = calendar.seconds(self.decided_wd, decision)
        self.signed = calendar.seconds(self.signed_wd, signing)
        self.rejected = calendar.seconds(self.rejected_wd, rejection)
        # Services set in hours (clean records only): done within 20–90 % of the term.
        hourly = np.flatnonzero((self.days_term < 0) & self.has_decision)
        hours = self.registry.deadline_hours[self.service[hourly]]
        spent = np.floor(rng.uniform(0.2, 0.9, size=len(hourly)) * hours * 3600).astype(np.int64)
        self.registered[hourly] = self.submitted[hourly] + np.maximum(60, spent // 10)
        self.decided[hourly] = self.submitted[hourly] + spent * 7 // 10
        self.signed[hourly] = self.submitted[hourly] + spent

    def refusals(self) -> None:
        """Hearings before the refusals that need one, and concrete reasons; none, too late
        or vague for the violators of those rules."""
        rng, n = self.rng, self.n
        refused = self.decision == 2
        no_hearing = self.rows_of("refusal_without_hearing")
        heard = refused & self.registry.hearing[self.service]
        heard[no_hearing] = False
        self.notice = np.where(heard, self.registered + 60, 0)
        self.held = np.where(heard, (self.registered + 60 + self.decided) // 2, 0)
        self.has_notice, self.has_held = heard.copy(), heard.copy()
        variant = rng.integers(0, 3, size=len(no_hearing))  # no notice, notice only, late
        noticed = no_hearing[variant > 0]
        self.has_notice[noticed] = True
        self.notice[noticed] = self.registered[noticed] + 60
        late = no_hearing[variant == 2]
        self.has_held[late] = True
        self.held[late] = self.decided[late] + rng.integers(3600, 3 * _DAY_SECONDS, size=len(late))
        self.reason = np.where(refused, rng.integers(0, len(_REASONS), size=n), -1)
        self.basis = np.where(refused, rng.integers(0, len(_CONCRETE_BASES), size=n), -1)
        vague = self.rows_of("refusal_without_reasons")
        whole_article = rng.random(len(vague)) < 0.7
        self.reason[vague] = np.where(whole_article, len(_REASONS), -1)
        self.basis[vague[whole_article]] = len(_CONCRETE_BASES) + rng.integers(
            0, len(_WHOLE_ARTICLES), size=int(whole_article.sum())
        )

    def documents(self) -> None:
        """Documents recorded for paper applications (the checklist), with an excess or a
        missing one for the violators; flags of routing and monitoring."""
        services = len(self.registry.deadline_days)
        excess = len(_EXCESS_DOCUMENTS)
        self.requested = np.where(self.channel > 0, self.service, -1)
        self.handed_in = self.requested.copy()
        self.handed_in[self.rejected_clean] = -1
        self.review = np.full(self.n, -1, np.int64)
        at = self.rows_of("excess_documents_at_registration")
        extra = self.rng.integers(0, excess, size=len(at))
        self.requested[at] = 2 * services + self.service[at] * excess + extra
        self.handed_in[at] = self.requested[at]
        at = self.rows_of("excess_documents_at_review")
        extra = self.rng.integers(0, excess, size=len(at))
        self.review[at] = 2 * services + services * excess + extra
        at = self.rows_of("incomplete_package_granted")
        self.handed_in[at] = services + self.service[at]
        self.routed = np.ones(self.n, bool)
        self.routed[self.rows_of("routing_failure")] = False
        self.monitored = np.ones(self.n, bool)
        self.monitored[self.rows_of("paper_not_in_monitoring")] = False

    def signers(self) -> None:
        """Someone entitled to sign on the day of signing; for the violators, an employee on
        leave that day, one without authority then, a clerk, or an unknown id."""
        rng, staff, n = self.rng, self.body.staff, self.n
        day = np.clip(self.calendar.day_of(self.signed), 0, self.calendar.days - 1)
        pick = np.floor(rng.random(n) * staff.available_count[day]).astype(np.int64)
        self.signer = np.where(self.has_decision, staff.available[day, pick], -1)
        self.clerk = staff.clerks[rng.integers(0, len(staff.clerks), size=n)]
        at = self.rows_of("third_party_signature")
        how = rng.integers(0, 4, size=len(at))
        third = staff.clerks[rng.integers(0, len(staff.clerks), size=len(at))]
        away = staff.on_leave[day[at]]
        third = np.where((how == 0) & (away >= 0), away, third)
        outside_term = np.where(day[at] > staff.former_until, staff.former, staff.newcomer)
        third = np.where(how == 1, outside_term, third)
        unknown = staff.unknown[rng.integers(0, len(staff.unknown), size=len(at))]
        self.signer[at] = np.where(how == 3, unknown, third)
        self.employee = np.where(self.routed, self.clerk, -1)

    def applicants(self) -> pa.Array:
        """Pseudonymised applicant ids; half the queue violators are the provider's staff."""
        rng, n, staff = self.rng, self.n, self.body.staff
        applicant = fixed_width([b"A-", hex_digits(rng.integers(0, 16**10, size=n), 10)], n)
        jumpers = self.rows_of("out_of_queue_order")
        officials = jumpers[rng.random(len(jumpers)) < 0.5]
        if not len(officials):
            return applicant
        official = np.zeros(n, np.int64)
        official[officials] = rng.integers(0, len(staff.units), size=len(officials))
        is_official = np.zeros(n, bool)
        is_official[officials] = True
        return pc.if_else(pa.array(is_official), staff.ids.take(pa.array(official)), applicant)

    def table(self, year: int) -> pa.Table:
        """The records, with ``DELIVERIES.record_schema()``."""
        n, code, staff, registry = self.n, self.body.code, self.body.staff, self.registry
        self.delivery_ids = numbered(f"{code.upper()}-{year}-", self.row + 1, 9)
        queue_name = pa.array([f"{code}-housing-{self.unit.chunk + 1:02d}"])
        channel = pa.array(self.channel)
        return pa.table(
            {
                "delivery_id": self.delivery_ids,
                "service_code": registry.codes.take(pa.array(self.service)),
                "provider_body": pa.repeat(code, n),
                "provider_unit": staff.units.take(pa.array(self.clerk)),
                "channel": pa.array(_CHANNELS).take(channel),
                "form": pa.array(_FORMS).take(channel),
                "submitted_at": stamps(self.submitted),
                "registered_at": stamps(self.registered, self.has_registration),
                "routed_ok": pa.array(self.routed),
                "registered_in_monitoring": pa.array(self.monitored),
                "documents_requested": taken(registry.documents, self.requested),
                "documents_submitted": taken(registry.documents, self.handed_in),
                "review_documents_requested": taken(registry.documents, self.review),
                "completeness_checked_at": stamps(
                    self.registered + 120, (self.channel > 0) & self.has_registration
                ),
                "rejected_incomplete_at": stamps(self.rejected, self.has_rejection),
                "queue_list": taken(queue_name, np.where(self.position > 0, 0, -1)),
                "queue_position": pa.array(self.position, pa.int64(), mask=self.position == 0),
                "hearing_notice_at": stamps(self.notice, self.has_notice),
                "hearing_held_at": stamps(self.held, self.has_held),
                "hearing_form": pa.nulls(self.n, pa.string()),  # every hearing in person
                "decision": taken(pa.array(["issued", "refused"]), self.decision - 1),
                "decision_at": stamps(self.decided, self.has_decision),
                # No term is extended in the synthetic year: every delay is a breach.
                "extended_at": pa.nulls(self.n, pa.timestamp("us")),
                "extended_until": pa.nulls(self.n, pa.date32()),
                "extension_basis": pa.nulls(self.n, pa.string()),
                # Refusals reconsidered are not drawn: seed 000 gives no count of them.
                "reconsidered_at": pa.nulls(self.n, pa.timestamp("us")),
                "reconsidered_by": pa.nulls(self.n, pa.string()),
                "refusal_reasons": taken(pa.array([*_REASONS, _VAGUE_REASON]), self.reason),
                "refusal_legal_basis": taken(
                    pa.array([*_CONCRETE_BASES, *_WHOLE_ARTICLES]), self.basis
                ),
                "signed_at": stamps(self.signed, self.has_decision),
                "signed_by": taken(staff.ids, self.signer),
                "applicant_id": self.applicants(),
                "employee_id": taken(staff.ids, self.employee),
            },
            schema=DELIVERIES.record_schema(),
        )

    def answer_key(self) -> pa.Table:
        """One row per planned violation (call after ``table``)."""
        violating = np.flatnonzero(self.kind >= 0)
        count = len(violating)
        return pa.table(
            {
                "provider_body": pa.repeat(self.body.code, count),
                "delivery_id": self.delivery_ids.take(pa.array(violating)),
                "violation_type": pa.array(self.ids).take(pa.array(self.kind[violating])),
                "level": pa.repeat(self.body.plan.body.level.value, count),
                "service_code": self.registry.codes.take(pa.array(self.service[violating])),
            },
            schema=_PLAN_SCHEMA,
        )

    def findings(self, year: int, first: int) -> pa.Table:
        """The findings that establish the unjustified refusals, numbered from ``first``
        (call after ``table``): most by one of the body's control measures (its kind is how
        the finding was established, its last day when), the rest on an appeal or in court."""
        at = self.rows_of("unjustified_refusal")
        n = len(at)
        code, calendar, rng = self.body.code, self.calendar, self.rng
        measures = self.body.measures
        decided = calendar.epoch_day + calendar.day_of(self.decided[at])
        last = calendar.epoch_day + calendar.year_end
        later = np.minimum(decided + rng.integers(5, 91, size=n), last)
        otherwise = rng.choice(
            np.array(list(_ESTABLISHED_OTHERWISE), dtype=object),
            size=n,
            p=list(_ESTABLISHED_OTHERWISE.values()),
        )
        which = np.full(n, -1, np.int64)
        how, established = otherwise, later
        if len(measures):
            by_measure = rng.random(n) < _BY_MEASURE
            which = np.where(by_measure, rng.integers(0, len(measures), size=n), -1)
            how = np.where(by_measure, measures.kinds[np.maximum(which, 0)], otherwise)
            ended = np.clip(measures.ended[np.maximum(which, 0)], decided, last)
            established = np.where(by_measure, ended, later)
        return pa.table(
            {
                "finding_id": numbered(f"Н-{year}-{code.upper()}-", first + np.arange(n) + 1, 5),
                "provider_body": pa.repeat(code, n),
                "delivery_id": self.delivery_ids.take(pa.array(at)),
                "violation_type": pa.repeat("unjustified_refusal", n),
                "established_by": pa.array(how, pa.string()),
                "established_at": dates(established),
                "control_measure_id": taken(measures.ids, which),
            },
            schema=FINDINGS.record_schema(),
        )


_PLAN_SCHEMA: Final = pa.schema(
    [
        pa.field("provider_body", pa.string()),
        pa.field("delivery_id", pa.string()),
        pa.field("violation_type", pa.string()),
        pa.field("level", pa.string()),
        pa.field("service_code", pa.string()),
    ]
)


def _chunk(
    body: _Body,
    unit: _Unit,
    counts: Ints,
    registry: _Registry,
    calendar: _Calendar,
    year: int,
    finding_offset: int,
    rng: np.random.Generator,
) -> _Chunk:
    """One chunk's delivery records, its rows of the answer key, and its findings."""
    builder = _ChunkBuilder(body, unit, registry, calendar, rng)
    builder.place(counts)
    builder.choose_services()
    builder.schedule()
    builder.clock()
    builder.refusals()
    builder.documents()
    builder.signers()
    deliveries = builder.table(year)
    return _Chunk(deliveries, builder.answer_key(), builder.findings(year, finding_offset))
