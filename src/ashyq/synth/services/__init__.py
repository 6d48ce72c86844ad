"""A synthetic national year of public-service deliveries, calibrated to the published figures.

The registry of service types, the providers' staff and leave, the delivery records, the
findings of control measures and (``ashyq.synth.control``) the control measures and what
followed them are drawn with NumPy, a whole column at a time, body by body and in chunks
of at most ``CHUNK_ROWS`` records, so that the national year (292.5 M deliveries) is
written in minutes with bounded memory. Every count is exact: the
violations are planned first (per level, per type, per body and chunk, by largest
remainder) and placed on chosen records; each violating record carries exactly one
violation of the catalogue and every other record is clean, so ``ashyq.services.detect``
finds exactly the plan. The same arguments give the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ashyq.services.catalogue import load_catalogue
from ashyq.services.control import CONTROL_KINDS
from ashyq.services.model import DELIVERIES, FINDINGS, LEAVES, SERVICES, SIGNING_AUTHORITY, STAFF
from ashyq.synth.control import control_records, plan_control, plan_measures, rules_of
from ashyq.synth.services.deliveries import _PLAN_SCHEMA, _Body, _chunk
from ashyq.synth.services.files import _Writers
from ashyq.synth.services.plan import _allocate, _body_plans
from ashyq.synth.services.registry import _build_registry, synthesize_registry
from ashyq.synth.services.staff import _build_staff
from ashyq.synth.services.targets import (
    _CHANNELS,
    CHUNK_ROWS,
    LAYOUTS,
    TARGETS_2025,
    Layout,
    ServiceTargets,
    _Calendar,
    _type_plan,
)

__all__ = [
    "CHUNK_ROWS",
    "LAYOUTS",
    "TARGETS_2025",
    "ServiceTargets",
    "ServicesSynthesis",
    "synthesize_registry",
    "synthesize_services",
]


@dataclass(frozen=True)
class ServicesSynthesis:
    """What ``synthesize_services`` wrote, and the plan the records follow.

    ``plan`` is the answer key: one row per planned violation (provider_body,
    delivery_id, violation_type, level, service_code), which detection must find exactly.
    ``control`` counts the records of each control kind written; ``fines_mci`` is the sum
    of the protocols' fines.
    """

    home: Path
    layout: Layout
    year: int
    files: tuple[Path, ...]
    plan: Path
    deliveries: int
    electronic: int
    deliveries_by_channel: dict[str, int]
    deliveries_by_body: dict[str, int]
    planned_by_type: dict[str, int]
    planned_by_level: dict[str, int]
    planned_by_level_and_type: dict[str, dict[str, int]]
    services: int
    staff: int
    leaves: int
    findings: int
    control: dict[str, int]
    fines_mci: int


def synthesize_services(
    year: int,
    scale: float,
    seed: int,
    out: Path,
    *,
    layout: Layout = "store",
    on_body: Callable[[str, int, int], None] | None = None,
) -> ServicesSynthesis:
    """Write a synthetic year of public services to ``out``; returns what was written.

    ``round(292.5 M · scale)`` deliveries over the 49 bodies, 94 % of them electronic;
    ``round(347,600 · scale)`` violations on the akimats and ``round(130,700 · scale)`` on
    the central bodies, 30.7 % of them of the deadline types, one per violating record
    (every type at least once when the total allows); every other record is clean. With
    ``layout="store"`` the files form a data home (``out/store/<kind>/<year>/<body>.parquet``
    as ``RecordStore`` reads them); with ``layout="import"`` they are the import files
    ``out/<kind>-<year>.parquet``; with ``layout="monthly"`` the same, except that the
    deliveries are twelve files ``out/deliveries-<year>-<MM>.parquet`` by the month they
    were submitted in, as a year delivered month by month would be. The plan is written to
    ``out/plan/planned-violations-<year>.parquet``. ``on_body(body, index, total)`` is
    called after each body. Same arguments, same bytes.

    Rounding keeps every total exact: each published figure times ``scale`` is rounded
    with ``round``, the deadline violations are ``round(0.307 · total)``; within the
    deadline group and within the rest each type first gets one violation when the group
    holds at least one per type, and the remainder is shared by weight; the levels'
    shares of each type, and every split over bodies and chunks, go by largest remainder.

    Raises ValueError for a non-positive scale, an unknown layout, or a scale so small
    that the planned violations do not fit the records.
    """
    if scale <= 0:
        raise ValueError("the scale must be positive")
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}: {', '.join(LAYOUTS)}")
    targets = TARGETS_2025
    registry = _build_registry(seed, targets)
    calendar = _Calendar(year)
    plans, units = _body_plans(registry, targets, scale)
    by_level = _type_plan(targets, scale)
    allocation = _allocate(units, plans, by_level)
    ids = list(load_catalogue().ids())
    per_body = np.zeros(len(plans), np.int64)
    np.add.at(per_body, [u.body for u in units], allocation.sum(axis=0))
    measures = plan_measures(
        [p.body.code for p in plans],
        per_body,
        year,
        calendar.epoch_day + calendar.year_start,
        calendar.epoch_day + calendar.year_end,
        scale,
        seed,
    )

    writers = _Writers(out, year, layout)
    try:
        writers.start(
            (SERVICES, STAFF, LEAVES, SIGNING_AUTHORITY, DELIVERIES, FINDINGS, *CONTROL_KINDS)
        )
        services = registry.table
        body_column = services.column("provider_body")
        for plan in plans:
            mine = services.filter(pc.equal(body_column, plan.body.code))
            writers.write(SERVICES, plan.body.code, mine)
        plan_path = out / "plan" / f"planned-violations-{year}.parquet"
        plan_path.parent.mkdir(parents=True, exist_ok=True)
        by_channel = dict.fromkeys(_CHANNELS, 0)
        staff_of: list[pa.Table] = []
        planned_of: list[pa.Table] = []
        with pq.ParquetWriter(plan_path, _PLAN_SCHEMA, compression="zstd") as plan_writer:
            for plan in plans:
                code = plan.body.code
                staff = _build_staff(plan.body, plan.index, calendar, seed, year)
                staff_of.append(staff.table)
                planned: list[pa.Table] = []
                writers.write(STAFF, code, staff.table)
                writers.write(LEAVES, code, staff.leaves)
                writers.write(SIGNING_AUTHORITY, code, staff.authorities)
                body = _Body(plan, registry, calendar, staff, measures[plan.index], seed)
                findings: list[pa.Table] = []
                found = 0
                for number, unit in enumerate(units):
                    if unit.body != plan.index:
                        continue
                    rng = np.random.default_rng([seed, 2, plan.index, unit.chunk])
                    chunk = _chunk(
                        body, unit, allocation[:, number], registry, calendar, year, found, rng
                    )
                    writers.write(DELIVERIES, code, chunk.deliveries)
                    plan_writer.write_table(chunk.plan)
                    planned.append(chunk.plan)
                    findings.append(chunk.findings)
                    found += chunk.findings.num_rows
                    by_channel["egov"] += unit.egov
                    by_channel["state_corp"] += unit.state_corp
                    by_channel["provider"] += unit.provider
                    del chunk
                if findings:
                    writers.write(FINDINGS, code, pa.concat_tables(findings))
                planned_of.append(
                    pa.concat_tables(planned) if planned else _PLAN_SCHEMA.empty_table()
                )
                writers.finish_body(code)
                if on_body is not None:
                    on_body(code, plan.index + 1, len(plans))
        # What the control measures did about the violations: once every body's are known.
        rules = [rules_of(planned, services) for planned in planned_of]
        control = plan_control(rules, year, scale)
        last_day = calendar.epoch_day + calendar.year_end
        for plan in plans:
            records = control_records(
                plan.index,
                plan.body.code,
                measures[plan.index],
                planned_of[plan.index],
                rules[plan.index],
                staff_of[plan.index],
                control,
                year,
                last_day,
                seed,
            )
            for kind, table in records.items():
                writers.write(kind, plan.body.code, table)
            writers.finish_body(plan.body.code)
    except BaseException:
        writers.abort()
        raise
    files = writers.close()

    planned_by_level_and_type = {
        level.value: dict(counts) for level, counts in sorted(by_level.items())
    }
    return ServicesSynthesis(
        home=out,
        layout=layout,
        year=year,
        files=files,
        plan=plan_path,
        deliveries=sum(p.deliveries for p in plans),
        electronic=by_channel["egov"],
        deliveries_by_channel=by_channel,
        deliveries_by_body={p.body.code: p.deliveries for p in plans},
        planned_by_type={i: int(allocation[row].sum()) for row, i in enumerate(ids)},
        planned_by_level={
            level: sum(counts.values()) for level, counts in planned_by_level_and_type.items()
        },
        planned_by_level_and_type=planned_by_level_and_type,
        services=services.num_rows,
        staff=writers.rows.get(STAFF.name, 0),
        leaves=writers.rows.get(LEAVES.name, 0),
        findings=writers.rows.get(FINDINGS.name, 0),
        control={kind.name: writers.rows.get(kind.name, 0) for kind in CONTROL_KINDS},
        fines_mci=int(10 * control.fined_10.sum() + 30 * control.fined_30.sum()),
    )
