"""A synthetic year of control measures and what followed them, calibrated to seed 000.

The control measures are planned first, per body and kind, so that the findings drawn
with the delivery records can name the measure that established them; once every body's
deliveries are written, the planned violations (the answer key, with the service of each)
are acted on: rights restored, disciplinary sanctions, administrative protocols with
their fines, orders to remedy and their instructions. Which violation gets which
liability follows the rule table (``ashyq.services.liability``): a protocol for a
deadline breach on a second-category permit fines the first head 10 MCI, one for a service
delivered on an incomplete package or a permit refused without grounds fines the official
30 MCI,
and disciplinary sanctions fall on violations whose rule is disciplinary. Every total is
``round(published · scale)`` and exact, split over bodies by largest remainder; the fines
are split between 10 and 30 MCI so that their sum in tenge comes nearest the published
49.5 M. The same arguments give the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from ashyq.records.model import RecordKind
from ashyq.services.control import (
    CONTROL_MEASURES,
    DISCIPLINARY,
    INSTRUCTIONS,
    PROTOCOLS,
    REPRESENTATIONS,
    RIGHTS_RESTORED,
)
from ashyq.services.liability import PermitCategory, load_rules, mci_tenge
from ashyq.synth.arrays import Ints, apportion, dates, numbered, taken

__all__ = [
    "CONTROL_2025",
    "BodyMeasures",
    "ControlPlan",
    "ControlTargets",
    "control_records",
    "plan_control",
    "plan_measures",
    "rules_of",
]


@dataclass(frozen=True)
class ControlTargets:
    """The published figures of a year's control, and the splits the sources leave open."""

    planned_inspections: int
    unplanned_inspections: int
    remote_monitoring: int
    rights_restored: int
    restored_remotely: int
    disciplinary: int
    disciplinary_managers: int
    protocols: int
    fines_tenge: int
    representations: int
    instructions: int
    instructions_executed: int

    @property
    def measures(self) -> int:
        """Control measures of every kind."""
        return self.planned_inspections + self.unplanned_inspections + self.remote_monitoring


CONTROL_2025: Final = ControlTargets(
    # seed 000: «Контрольные мероприятия агентства, а их в 2025 году было проведено
    # 4,3 тыс.» The split by kind is not published: an assumption (docs/methodology.md).
    planned_inspections=500,
    unplanned_inspections=1_700,
    remote_monitoring=2_100,
    # seed 000: «восстановление прав 12,3 тыс. услугополучателей ... свыше 7 тыс. – ...
    # без назначения больших проверок благодаря инструментам дистанционного наблюдения».
    rights_restored=12_300,
    restored_remotely=7_100,
    # seed 000: «Дисциплинарное взыскание получили 1,6 тыс. работников. Причем 447 из них
    # (более 27%) являются руководителями».
    disciplinary=1_600,
    disciplinary_managers=447,
    # seed 000: «Составлено 917 административных протоколов ... взыскано 49,5 млн тенге».
    protocols=917,
    fines_tenge=49_500_000,
    # seed 000: «720 представлений об устранении нарушений, содержащих более 2000
    # конкретных указаний ... свыше 2000 из них уже исполнены».
    representations=720,
    instructions=2_100,
    instructions_executed=2_020,
)

_MEASURE_KINDS: Final = ("planned_inspection", "unplanned_inspection", "remote_monitoring")
_PENALTIES: Final = ("remark", "reprimand", "severe_reprimand", "incomplete_fitness_warning")
_PENALTY_WEIGHTS: Final = (0.35, 0.42, 0.2, 0.03)
_MEASURE_DAYS: Final = (3, 16)  # a measure lasts 3 to 15 days
_INSTRUCTION_TEXTS: Final = (
    "Привести порядок регистрации заявлений в соответствие с Правилами оказания услуги",
    "Исключить истребование документов, не предусмотренных Правилами",
    "Обеспечить проведение заслушивания до принятия решения об отказе",
    "Указывать в отказе конкретные причины и нормы права",
    "Восстановить права услугополучателей и оказать услугу",
    "Провести обучение работников, ответственных за оказание услуг",
    "Обеспечить контроль сроков в информационной системе",
)
_NOT_EXECUTED: Final = ("in_progress", "not_executed")


@dataclass(frozen=True)
class BodyMeasures:
    """One body's control measures: ids, kinds, and first and last days (days since 1970)."""

    ids: pa.Array
    kinds: np.ndarray
    started: Ints
    ended: Ints

    def __len__(self) -> int:
        return len(self.ids)

    def of_kinds(self, *kinds: str) -> Ints:
        """The positions of the measures of ``kinds``."""
        return np.flatnonzero(np.isin(self.kinds, kinds))


def plan_measures(
    codes: list[str],
    violations: Ints,
    year: int,
    first_day: int,
    last_day: int,
    scale: float,
    seed: int,
    targets: ControlTargets = CONTROL_2025,
) -> list[BodyMeasures]:
    """Each body's control measures: every kind's total (``round(published · scale)``)
    shared over the bodies in proportion to their planned ``violations``."""
    totals = (
        targets.planned_inspections,
        targets.unplanned_inspections,
        targets.remote_monitoring,
    )
    weights = np.maximum(violations, 0).astype(np.float64)
    if weights.sum() == 0:
        weights = np.ones(len(codes))
    per_kind = [apportion(round(total * scale), weights) for total in totals]
    out: list[BodyMeasures] = []
    for index, code in enumerate(codes):
        rng = np.random.default_rng([seed, 7, index])
        counts = [int(k[index]) for k in per_kind]
        n = sum(counts)
        kinds = np.repeat(np.array(_MEASURE_KINDS, dtype=object), counts)
        started = np.sort(rng.integers(first_day, last_day - _MEASURE_DAYS[0] + 1, size=n))
        ended = np.minimum(started + rng.integers(*_MEASURE_DAYS, size=n), last_day)
        number = np.arange(1, n + 1, dtype=np.int64)
        ids = numbered(f"АДГС-{year}-{code.upper()}-", number, 4)
        out.append(BodyMeasures(ids, kinds, started.astype(np.int64), ended.astype(np.int64)))
    return out


@dataclass(frozen=True)
class ControlPlan:
    """How many of each outcome fall on each body (arrays over the bodies)."""

    restored: Ints
    restored_remotely: Ints
    disciplinary: Ints
    managers: Ints
    fined_10: Ints
    fined_30: Ints
    representations: Ints
    instructions: Ints
    executed: Ints


_FINE_10: Final = ("second_permit_deadline",)
_FINE_30: Final = ("incomplete_package_granted", "permit_unjustified_refusal")


def plan_control(
    rules: list[np.ndarray],
    year: int,
    scale: float,
    targets: ControlTargets = CONTROL_2025,
) -> ControlPlan:
    """The outcomes per body, given each body's planned violations' rule ids.

    Protocols fine 10 or 30 MCI: ``n30 = round((T − 10·n) / 20)`` where ``T`` is the
    published fines in MCI of ``year``, so that the total comes nearest it. A body holds
    no more outcomes of a kind than it has violations that the kind can act on; at small
    scales the totals are cut to what the violations allow.
    """
    violations = np.array([len(r) for r in rules], np.int64)
    disciplinary_room = np.array([int((r == "disciplinary").sum()) for r in rules], np.int64)
    room_10 = np.array([int(np.isin(r, _FINE_10).sum()) for r in rules], np.int64)
    room_30 = np.array([int(np.isin(r, _FINE_30).sum()) for r in rules], np.int64)

    def share(total: int, room: Ints) -> Ints:
        return apportion(min(total, int(room.sum())), room, room)

    restored = share(round(targets.rights_restored * scale), violations)
    remote = apportion(
        min(round(targets.restored_remotely * scale), int(restored.sum())), restored, restored
    )
    disciplinary = share(round(targets.disciplinary * scale), disciplinary_room)
    managers = apportion(
        min(round(targets.disciplinary_managers * scale), int(disciplinary.sum())),
        disciplinary,
        disciplinary,
    )
    protocols = round(targets.protocols * scale)
    fines_mci = round(targets.fines_tenge * scale / mci_tenge(year))
    n30 = min(max(round((fines_mci - 10 * protocols) / 20), 0), protocols)
    fined_30 = share(n30, room_30)
    fined_10 = share(protocols - int(fined_30.sum()), room_10)
    representations = share(round(targets.representations * scale), violations)
    orders = int(representations.sum())
    instructions = apportion(
        max(round(targets.instructions * scale), orders) if orders else 0, representations
    )
    executed = apportion(
        min(round(targets.instructions_executed * scale), int(instructions.sum())),
        instructions,
        instructions,
    )
    return ControlPlan(
        restored,
        remote,
        disciplinary,
        managers,
        fined_10,
        fined_30,
        representations,
        instructions,
        executed,
    )


def _day_after(rng: np.random.Generator, start: Ints, low: int, high: int, last_day: int) -> Ints:
    """A day ``low`` to ``high − 1`` days after each of ``start``, not after ``last_day``."""
    return np.asarray(
        np.minimum(start + rng.integers(low, high, size=len(start)), last_day), np.int64
    )


class _Acting:
    """Draws what one body's control measures did about its violations."""

    def __init__(
        self,
        code: str,
        measures: BodyMeasures,
        violations: pa.Table,
        rules: np.ndarray,
        staff: pa.Table,
        last_day: int,
        rng: np.random.Generator,
    ) -> None:
        self.code = code
        self.measures = measures
        self.violations = violations
        self.rules = rules
        self.staff = staff
        self.last_day = last_day
        self.rng = rng
        self.ids = pc.binary_join_element_wise(
            pa.repeat(code, violations.num_rows),
            violations.column("delivery_id").combine_chunks(),
            violations.column("violation_type").combine_chunks(),
            "/",
        )
        manager = np.asarray(staff.column("is_manager").to_numpy(zero_copy_only=False), bool)
        head = np.asarray(staff.column("is_first_head").to_numpy(zero_copy_only=False), bool)
        self.first_head = int(np.flatnonzero(head)[0])
        self.managers = np.flatnonzero(manager & ~head)
        self.clerks = np.flatnonzero(~manager)

    def pick(self, among: Ints, count: int) -> Ints:
        """``count`` of the violations at positions ``among``, without repeats."""
        return np.sort(self.rng.choice(among, size=count, replace=False)).astype(np.int64)

    def measure_for(self, count: int, kinds: tuple[str, ...] = _MEASURE_KINDS) -> Ints:
        """A measure of ``kinds`` for each of ``count`` outcomes; -1 when the body has none."""
        mine = self.measures.of_kinds(*kinds)
        if not len(mine):
            return np.full(count, -1, np.int64)
        return np.asarray(self.rng.choice(mine, size=count), np.int64)

    def after_measure(self, measure: Ints, low: int, high: int) -> Ints:
        """A day after each measure's last day (a day in the year's last eleven months
        where there is no measure)."""
        anywhere = self.last_day - self.rng.integers(0, 335, size=len(measure))
        ended = np.where(
            measure >= 0,
            self.measures.ended[np.maximum(measure, 0)] if len(self.measures) else 0,
            anywhere,
        )
        return _day_after(self.rng, ended, low, high, self.last_day)

    def person(self, who: Ints) -> dict[str, pa.Array]:
        """The staff columns of the people at staff positions ``who``."""
        rows = self.staff.take(pa.array(who, pa.int64()))
        return {
            "body": pa.repeat(self.code, len(who)),
            "employee_id": rows.column("employee_id").combine_chunks(),
            "position": rows.column("position").combine_chunks(),
            "is_manager": rows.column("is_manager").combine_chunks(),
        }

    def people(self, managers: int, others: int) -> Ints:
        """Staff positions: ``managers`` managers (not the first head), then ``others``."""
        pool_m = self.managers if len(self.managers) else np.array([self.first_head])
        chosen = np.concatenate(
            [self.rng.choice(pool_m, size=managers), self.rng.choice(self.clerks, size=others)]
        )
        return np.asarray(self.rng.permutation(chosen), np.int64)

    def rights_restored(self, count: int, remotely: int, year: int) -> pa.Table:
        at = self.pick(np.arange(self.violations.num_rows), count)
        remote = np.zeros(count, bool)
        remote[self.rng.choice(count, size=remotely, replace=False)] = True
        measure = np.where(
            remote,
            self.measure_for(count, ("remote_monitoring",)),
            self.measure_for(count, _MEASURE_KINDS[:2]),
        )
        return pa.table(
            {
                "restoration_id": numbered(
                    f"ВП-{year}-{self.code.upper()}-", np.arange(1, count + 1), 5
                ),
                "provider_body": pa.repeat(self.code, count),
                "delivery_id": self.violations.column("delivery_id").take(pa.array(at)),
                "violation_type": self.violations.column("violation_type").take(pa.array(at)),
                "via": pa.array(np.where(remote, "remote_monitoring", "inspection"), pa.string()),
                "restored_on": dates(self.after_measure(measure, 0, 11)),
                "control_measure_id": taken(self.measures.ids, measure),
            },
            schema=RIGHTS_RESTORED.record_schema(),
        )

    def disciplinary(self, count: int, managers: int, year: int) -> pa.Table:
        at = self.pick(np.flatnonzero(self.rules == "disciplinary"), count)
        measure = self.measure_for(count)
        penalty = self.rng.choice(
            np.array(_PENALTIES, dtype=object), size=count, p=_PENALTY_WEIGHTS
        )
        return pa.table(
            {
                "sanction_id": numbered(
                    f"ДВ-{year}-{self.code.upper()}-", np.arange(1, count + 1), 4
                ),
                **self.person(self.people(managers, count - managers)),
                "penalty": pa.array(penalty, pa.string()),
                "imposed_on": dates(self.after_measure(measure, 5, 26)),
                "violation_ids": self.ids.take(pa.array(at)),
                "control_measure_id": taken(self.measures.ids, measure),
                "rule_id": pa.repeat("disciplinary", count),
            },
            schema=DISCIPLINARY.record_schema(),
        )

    def protocols(self, fined_10: int, fined_30: int, year: int) -> pa.Table:
        at = np.concatenate(
            [
                self.pick(np.flatnonzero(np.isin(self.rules, _FINE_10)), fined_10),
                self.pick(np.flatnonzero(np.isin(self.rules, _FINE_30)), fined_30),
            ]
        ).astype(np.int64)
        count = len(at)
        who = np.concatenate([np.full(fined_10, self.first_head), self.people(fined_30, 0)]).astype(
            np.int64
        )
        measure = self.measure_for(count)
        drawn = self.after_measure(measure, 1, 11)
        decided = _day_after(self.rng, drawn, 0, 6, self.last_day)
        paid = _day_after(self.rng, decided, 0, 8, self.last_day)
        fine_10 = np.arange(count) < fined_10
        return pa.table(
            {
                "protocol_id": numbered(
                    f"АП-{year}-{self.code.upper()}-", np.arange(1, count + 1), 4
                ),
                **self.person(who),
                "article": pa.repeat("465", count),
                "article_part": pa.nulls(count, pa.string()),
                "drawn_on": dates(drawn),
                "procedure": pa.array(np.where(fine_10, "shortened", "regular"), pa.string()),
                "outcome": pa.repeat("fined", count),
                "decided_on": dates(decided),
                "fine_mci": pa.array(np.where(fine_10, 10, 30), pa.int64()),
                "paid_on": dates(paid),
                "paid_tenge": pa.nulls(count, pa.int64()),
                "violation_ids": self.ids.take(pa.array(at)),
                "control_measure_id": taken(self.measures.ids, measure),
                "rule_id": pa.array(self.rules[at].astype(str).tolist(), pa.string()),
            },
            schema=PROTOCOLS.record_schema(),
        )

    def representations(
        self, count: int, instructions: int, executed: int, year: int
    ) -> tuple[pa.Table, pa.Table]:
        measure = self.measure_for(count, _MEASURE_KINDS[:2])
        issued = self.after_measure(measure, 1, 11)
        due = issued + 30
        ids = numbered(f"П-{year}-{self.code.upper()}-", np.arange(1, count + 1), 4)
        orders = pa.table(
            {
                "representation_id": ids,
                "body": pa.repeat(self.code, count),
                "issued_on": dates(issued),
                "due_on": dates(due),
                "control_measure_id": taken(self.measures.ids, measure),
            },
            schema=REPRESENTATIONS.record_schema(),
        )
        # One instruction each, the rest spread at random.
        each = 1 + (
            self.rng.multinomial(instructions - count, np.full(count, 1 / count))
            if count
            else np.zeros(0, np.int64)
        )
        of = np.repeat(np.arange(count, dtype=np.int64), each)
        # The instruction's number within its order: 1, 2, … for each order.
        number = np.arange(len(of), dtype=np.int64) - np.repeat(np.cumsum(each) - each, each) + 1
        done = np.zeros(len(of), bool)
        done[self.rng.choice(len(of), size=executed, replace=False)] = True
        status = np.where(
            done,
            "executed",
            self.rng.choice(np.array(_NOT_EXECUTED, dtype=object), size=len(of), p=(0.75, 0.25)),
        )
        text = self.rng.integers(0, len(_INSTRUCTION_TEXTS), size=len(of))
        executed_on = np.minimum(issued[of] + self.rng.integers(3, 30, size=len(of)), due[of])
        order_ids = ids.take(pa.array(of))
        table = pa.table(
            {
                "instruction_id": pc.binary_join_element_wise(
                    order_ids, numbered("", number.astype(np.int64), 1), "/"
                ),
                "representation_id": order_ids,
                "body": pa.repeat(self.code, len(of)),
                "text": pa.array(np.array(_INSTRUCTION_TEXTS, dtype=object)[text], pa.string()),
                "due_on": dates(due[of]),
                "status": pa.array(status, pa.string()),
                "executed_on": dates(executed_on, done),
            },
            schema=INSTRUCTIONS.record_schema(),
        )
        return orders, table


def control_records(
    index: int,
    code: str,
    measures: BodyMeasures,
    violations: pa.Table,
    rules: np.ndarray,
    staff: pa.Table,
    plan: ControlPlan,
    year: int,
    last_day: int,
    seed: int,
) -> dict[RecordKind, pa.Table]:
    """Every control record of body ``index``: its measures and what followed them.

    ``violations`` are the body's planned violations (``delivery_id``, ``violation_type``,
    ``service_code``), ``rules`` their liability rule ids, ``staff`` its staff list.
    """
    rng = np.random.default_rng([seed, 8, index])
    acting = _Acting(code, measures, violations, rules, staff, last_day, rng)
    unplanned = measures.kinds == "unplanned_inspection"
    complaint = np.cumsum(unplanned)
    measure_table = pa.table(
        {
            "control_measure_id": measures.ids,
            "body": pa.repeat(code, len(measures)),
            "kind": pa.array(measures.kinds.astype(str).tolist(), pa.string()),
            "complaint_id": taken(
                numbered(f"ЖТ-{year}-{code.upper()}-", np.arange(1, int(unplanned.sum()) + 1), 4),
                np.where(unplanned, complaint - 1, -1),
            ),
            "started_on": dates(measures.started),
            "ended_on": dates(measures.ended),
            "violations_found": pa.nulls(len(measures), pa.int64()),
        },
        schema=CONTROL_MEASURES.record_schema(),
    )
    orders, instructions = acting.representations(
        int(plan.representations[index]),
        int(plan.instructions[index]),
        int(plan.executed[index]),
        year,
    )
    return {
        CONTROL_MEASURES: measure_table,
        RIGHTS_RESTORED: acting.rights_restored(
            int(plan.restored[index]), int(plan.restored_remotely[index]), year
        ),
        DISCIPLINARY: acting.disciplinary(
            int(plan.disciplinary[index]), int(plan.managers[index]), year
        ),
        PROTOCOLS: acting.protocols(int(plan.fined_10[index]), int(plan.fined_30[index]), year),
        REPRESENTATIONS: orders,
        INSTRUCTIONS: instructions,
    }


def rules_of(violations: pa.Table, services: pa.Table) -> np.ndarray:
    """The liability rule id of each planned violation (``violation_type``,
    ``service_code``), by its type and the permit category of its service in the registry
    table ``services``."""
    permit_of: dict[str, PermitCategory] = dict(
        zip(
            services.column("service_code").to_pylist(),
            services.column("permit_category").to_pylist(),
            strict=True,
        )
    )
    rules = load_rules()
    types = violations.column("violation_type").to_pylist()
    permits = [permit_of[code] for code in violations.column("service_code").to_pylist()]
    # A rule depends on the type and the permit category only: decide each pair once.
    chosen = {pair: rules.suggest(*pair).id for pair in set(zip(types, permits, strict=True))}
    return np.array([chosen[pair] for pair in zip(types, permits, strict=True)], dtype=object)
