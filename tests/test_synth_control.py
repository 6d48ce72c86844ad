"""The synthetic year's control measures and sanctions: calibrated to seed 000, consistent
with the violations they act on, and reported back by ``ashyq services stats``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from ashyq.periods import Period
from ashyq.records.ingest import ingest
from ashyq.records.store import RecordStore
from ashyq.services.control import (
    CONTROL_MEASURES,
    DISCIPLINARY,
    INSTRUCTIONS,
    PROTOCOLS,
    REPRESENTATIONS,
    RIGHTS_RESTORED,
)
from ashyq.services.detect import open_period
from ashyq.services.liability import mci_tenge, suggest
from ashyq.services.model import FINDINGS, KINDS
from ashyq.services.stats import ServiceStats, service_stats
from ashyq.synth.control import CONTROL_2025, plan_control
from ashyq.synth.services import ServicesSynthesis, synthesize_services

PERIOD = Period.parse("2025")
SCALE = 0.01


@dataclass(frozen=True)
class Controlled:
    result: ServicesSynthesis
    store: RecordStore
    stats: ServiceStats

    def table(self, kind_name: str) -> pa.Table:
        files = sorted((self.store.home / "store" / kind_name / "2025").glob("*.parquet"))
        return pa.concat_tables([pq.read_table(path) for path in files])


@pytest.fixture(scope="module")
def controlled(tmp_path_factory: pytest.TempPathFactory) -> Controlled:
    home = tmp_path_factory.mktemp("synthetic-control")
    result = synthesize_services(2025, SCALE, 5, home)
    store = RecordStore(home)
    return Controlled(result, store, service_stats(open_period(PERIOD, store=store)))


def _scaled(published: int) -> int:
    return round(published * SCALE)


def test_stats_reproduce_the_published_figures_at_scale(controlled: Controlled) -> None:
    stats, targets = controlled.stats, CONTROL_2025
    assert stats.deliveries == _scaled(292_500_000)
    assert str(stats.electronic_pct) == "94.0"
    assert {s.key: s.count for s in stats.by_level} == {
        "CGO": _scaled(130_700),
        "MIO": _scaled(347_600),
    }
    assert str(stats.deadline_pct) == "30.7"
    assert stats.control_measures == _scaled(targets.measures) == 43
    assert stats.complaints == _scaled(targets.unplanned_inspections)
    assert stats.rights_restored == _scaled(12_300)
    assert stats.restored_remotely == _scaled(7_100)
    assert stats.disciplinary == _scaled(1_600)
    assert stats.disciplinary_managers == _scaled(447)
    assert stats.protocols == stats.fined == stats.fines_paid == _scaled(917)
    # Fines go in steps of 10 and 30 MCI: the nearest total to 49.5 M · scale.
    fines = 49_500_000 * SCALE
    assert abs(stats.fines_collected_tenge - fines) <= 10 * mci_tenge(2025)
    assert stats.fines_collected_tenge == stats.fines_tenge == stats.fines_mci * mci_tenge(2025)
    assert stats.representations == _scaled(720)
    assert stats.instructions == _scaled(2_100)
    assert stats.instructions_executed == _scaled(2_020)


def test_the_full_year_plan_matches_seed_000_exactly() -> None:
    """At scale 1 the control plan holds every published total, given enough violations."""
    bodies = 49
    rng = np.random.default_rng(0)
    rules = [
        rng.choice(
            np.array(
                ["disciplinary", "second_permit_deadline", "incomplete_package_granted"],
                dtype=object,
            ),
            size=9_760,
            p=(0.9, 0.05, 0.05),
        )
        for _ in range(bodies)
    ]
    plan = plan_control(rules, 2025, 1.0)
    assert int(plan.restored.sum()) == 12_300
    assert int(plan.restored_remotely.sum()) == 7_100
    assert int(plan.disciplinary.sum()) == 1_600
    assert int(plan.managers.sum()) == 447
    assert int(plan.fined_10.sum() + plan.fined_30.sum()) == 917
    fines = int(10 * plan.fined_10.sum() + 30 * plan.fined_30.sum()) * mci_tenge(2025)
    assert fines == 49_503_880  # «49,5 млн тенге»
    assert int(plan.representations.sum()) == 720
    assert int(plan.instructions.sum()) == 2_100
    assert int(plan.executed.sum()) == 2_020


def test_every_reference_between_control_records_resolves(controlled: Controlled) -> None:
    measures = controlled.table(CONTROL_MEASURES.name)
    ids = set(measures.column("control_measure_id").to_pylist())
    kind_of = dict(
        zip(
            measures.column("control_measure_id").to_pylist(),
            measures.column("kind").to_pylist(),
            strict=True,
        )
    )
    findings = controlled.table(FINDINGS.name)
    for row in findings.to_pylist():
        if row["control_measure_id"] is None:
            assert row["established_by"] in ("appeal", "court")
        else:
            assert kind_of[row["control_measure_id"]] == row["established_by"]
    for name in (RIGHTS_RESTORED.name, DISCIPLINARY.name, PROTOCOLS.name, REPRESENTATIONS.name):
        used = {v for v in controlled.table(name).column("control_measure_id").to_pylist() if v}
        assert used <= ids, name
    restored = controlled.table(RIGHTS_RESTORED.name).to_pylist()
    for row in restored:
        if row["control_measure_id"] is not None:
            remote = kind_of[row["control_measure_id"]] == "remote_monitoring"
            assert remote == (row["via"] == "remote_monitoring")
    orders = set(controlled.table(REPRESENTATIONS.name).column("representation_id").to_pylist())
    instructions = controlled.table(INSTRUCTIONS.name)
    assert set(instructions.column("representation_id").to_pylist()) == orders
    unplanned = pc.equal(measures.column("kind"), "unplanned_inspection")
    assert pc.all(pc.is_valid(measures.filter(unplanned).column("complaint_id"))).as_py()


def test_sanctions_act_on_planned_violations_as_the_rules_suggest(
    controlled: Controlled,
) -> None:
    plan = pq.read_table(controlled.result.plan)
    service_of = {
        f"{b}/{d}/{t}": s
        for b, d, t, s in zip(
            *(
                plan.column(c).to_pylist()
                for c in ("provider_body", "delivery_id", "violation_type", "service_code")
            ),
            strict=True,
        )
    }
    registry = controlled.table("services")
    permit_of = dict(
        zip(
            registry.column("service_code").to_pylist(),
            registry.column("permit_category").to_pylist(),
            strict=True,
        )
    )
    staff = controlled.table("staff")
    first_heads = set(staff.filter(staff.column("is_first_head")).column("employee_id").to_pylist())
    for name in (DISCIPLINARY.name, PROTOCOLS.name):
        for row in controlled.table(name).to_pylist():
            violation = row["violation_ids"]
            assert violation in service_of, violation
            rule = suggest(violation.rsplit("/", 1)[1], permit_of[service_of[violation]])
            assert row["rule_id"] == rule.id
            if name == PROTOCOLS.name:
                assert row["fine_mci"] == rule.fine_mci
                assert (row["employee_id"] in first_heads) == (rule.liable == "first_head")
    disciplined = controlled.table(DISCIPLINARY.name)
    managers = pc.sum(disciplined.column("is_manager")).as_py()
    assert managers == controlled.stats.disciplinary_managers


def test_the_import_layout_lands_in_the_store_and_gives_the_same_figures(
    tmp_path: Path,
) -> None:
    scale = 0.002
    stored = synthesize_services(2025, scale, 5, tmp_path / "stored")
    imported = synthesize_services(2025, scale, 5, tmp_path / "import", layout="import")
    store = RecordStore(tmp_path / "home")
    for path in imported.files:
        report = ingest(path, PERIOD, KINDS, store=store)
        assert report.problems == (), path
    again = service_stats(open_period(PERIOD, store=store))
    expected = service_stats(open_period(PERIOD, store=RecordStore(stored.home)))
    assert again.as_dict() == expected.as_dict()
    assert again.protocols == stored.control["protocols"] > 0
