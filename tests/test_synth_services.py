"""Synthetic public services: a registry with the published figures, and a year whose
violations the detector finds exactly as planned, in both layouts, the same every time."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from ashyq.bodies import load_bodies
from ashyq.calendar import WorkingCalendar
from ashyq.periods import Period
from ashyq.records.ingest import ingest
from ashyq.records.store import RecordStore
from ashyq.services.catalogue import Category, load_catalogue
from ashyq.services.detect import detect, open_period
from ashyq.services.model import DELIVERIES, KINDS, QUEUE_ENTRIES, SERVICES
from ashyq.synth.services import (
    TARGETS_2025,
    ServicesSynthesis,
    synthesize_registry,
    synthesize_services,
)

PERIOD = Period.parse("2025")
SCALE = 0.001
TINY = 0.00005

Violation = tuple[str, str, str]  # provider_body, delivery_id, violation_type


def _violations(table: pa.Table) -> list[Violation]:
    return list(
        zip(
            table.column("provider_body").to_pylist(),
            table.column("delivery_id").to_pylist(),
            table.column("violation_type").to_pylist(),
            strict=True,
        )
    )


def _detected(store: RecordStore) -> list[Violation]:
    data = open_period(PERIOD, store=store)
    table: pa.Table = data.con.to_pyarrow(detect(data, "en"))
    return _violations(table)


@dataclass(frozen=True)
class Year:
    result: ServicesSynthesis
    planned: list[Violation]
    detected: list[Violation]
    progress: list[tuple[str, int, int]]


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory) -> Year:
    home = tmp_path_factory.mktemp("synthetic-services")
    progress: list[tuple[str, int, int]] = []
    result = synthesize_services(
        2025, SCALE, 0, home, on_body=lambda body, i, n: progress.append((body, i, n))
    )
    planned = _violations(pq.read_table(result.plan))
    return Year(result, planned, _detected(RecordStore(home)), progress)


def test_registry_holds_the_published_figures() -> None:
    registry = synthesize_registry(0)
    assert registry.schema == SERVICES.record_schema()
    assert registry.num_rows == TARGETS_2025.registry_types == 1_359
    assert Counter(registry.column("form").to_pylist()) == {"electronic": 1_255, "paper": 104}
    # The seed's 815 free types do not add up; the total of 1,359 wins.
    assert Counter(registry.column("fee").to_pylist()) == {"free": 813, "paid": 504, "both": 42}
    channels = registry.column("channels").to_pylist()
    assert sum("state_corp" in c.split("|") for c in channels) == 1_291
    codes = registry.column("service_code").to_pylist()
    assert len(set(codes)) == len(codes)
    assert set(registry.column("provider_body").to_pylist()) == {b.code for b in load_bodies()}
    days = registry.column("deadline_days").is_null()
    hours = registry.column("deadline_hours").is_null()
    assert pc.all(pc.xor(days, hours)).as_py()
    assert 0 < pc.sum(registry.column("queue_based")).as_py() < 50
    permits = pc.not_equal(registry.column("permit_category"), "none")
    assert pc.all(pc.or_(pc.invert(permits), registry.column("hearing_required"))).as_py()


def test_registry_is_accepted_by_ingest(tmp_path: Path) -> None:
    path = tmp_path / "services.parquet"
    pq.write_table(synthesize_registry(0), path)
    report = ingest(path, PERIOD, KINDS, store=RecordStore(tmp_path / "home"))
    assert report.kind == "services"
    assert report.problems == ()
    assert report.stored == 1_359


def test_the_plan_follows_the_published_figures(year: Year) -> None:
    result = year.result
    assert result.deliveries == round(292_500_000 * SCALE)
    assert result.electronic == round(0.94 * result.deliveries)
    local, central = round(347_600 * SCALE), round(130_700 * SCALE)
    assert result.planned_by_level == {"MIO": local, "CGO": central}
    total = local + central
    deadline_types = {t.id for t in load_catalogue().types if t.category is Category.DEADLINE}
    deadline = sum(result.planned_by_type[t] for t in deadline_types)
    assert deadline == round(0.307 * total)
    assert sum(result.planned_by_type.values()) == total == len(year.planned)
    assert min(result.planned_by_type.values()) >= 1
    assert set(result.planned_by_type) == set(load_catalogue().ids())


def test_detection_finds_the_plan_and_nothing_else(year: Year) -> None:
    assert len(set(year.detected)) == len(year.detected)
    assert set(year.detected) == set(year.planned)
    # One violation per violating record: no record is flagged twice.
    delivery_ids = [(body, delivery) for body, delivery, _ in year.detected]
    assert len(set(delivery_ids)) == len(delivery_ids)


def test_detected_counts_per_type_and_level_are_the_planned_ones(year: Year) -> None:
    level = {body.code: body.level.value for body in load_bodies()}
    by_type = Counter(kind for _, _, kind in year.detected)
    assert dict(by_type) == {k: v for k, v in year.result.planned_by_type.items() if v}
    by_level: dict[str, Counter[str]] = {"MIO": Counter(), "CGO": Counter()}
    for body, _, kind in year.detected:
        by_level[level[body]][kind] += 1
    for name, counts in year.result.planned_by_level_and_type.items():
        assert dict(by_level[name]) == {k: v for k, v in counts.items() if v}
        assert sum(by_level[name].values()) == year.result.planned_by_level[name]


def test_records_follow_the_channel_split_and_working_hours(year: Year) -> None:
    store = RecordStore(year.result.home)
    deliveries = pq.read_table(
        store.directory(DELIVERIES, PERIOD), columns=["channel", "form", "submitted_at"]
    )
    assert deliveries.num_rows == year.result.deliveries
    forms = Counter(deliveries.column("form").to_pylist())
    assert forms["electronic"] == round(0.94 * year.result.deliveries)
    channels = Counter(deliveries.column("channel").to_pylist())
    assert channels == year.result.deliveries_by_channel
    non_electronic = channels["state_corp"] + channels["provider"]
    assert channels["state_corp"] == round(non_electronic * 18.4 / 22.1)
    submitted = deliveries.column("submitted_at")
    hours = pc.hour(submitted)
    assert pc.min(hours).as_py() >= 9
    assert pc.max(hours).as_py() < 17
    calendar = WorkingCalendar.build(date(2025, 1, 1), date(2025, 12, 31)).table()
    working = set(calendar.filter(calendar.column("is_working")).column("date").to_pylist())
    days = set(pc.unique(submitted.cast(pa.date32())).to_pylist())
    assert days <= working


# Every kind the synthetic year writes: its waiting lists start in the year, so it has no
# standing list (queue_entries).
WRITTEN = tuple(kind for kind in KINDS if kind is not QUEUE_ENTRIES)


def test_store_holds_one_file_per_body_with_the_stored_schema(year: Year) -> None:
    store = RecordStore(year.result.home)
    codes = {body.code for body in load_bodies()}
    for kind in WRITTEN:
        files = store.files(kind, PERIOD)
        assert files, kind.name
        assert {f.stem for f in files} <= codes
        for path in files:
            table = pq.read_table(path)
            assert table.schema == kind.arrow_schema(), path
            assert pc.all(pc.equal(table.column(kind.body_field), path.stem)).as_py()
    assert {f.stem for f in store.files(DELIVERIES, PERIOD)} == codes


def test_progress_is_reported_after_each_body(year: Year) -> None:
    codes = [body.code for body in load_bodies()]
    assert year.progress == [(code, i, len(codes)) for i, code in enumerate(codes, start=1)]


def test_import_files_ingest_cleanly_and_detect_the_plan(tmp_path: Path) -> None:
    result = synthesize_services(2025, TINY, 0, tmp_path / "files", layout="import")
    assert {p.name for p in result.files} == {f"{k.name}-2025.parquet" for k in WRITTEN}
    store = RecordStore(tmp_path / "home")
    for path in result.files:
        report = ingest(path, PERIOD, KINDS, store=store)
        assert report.problems == (), [p.render("en") for p in report.problems[:5]]
        assert report.reconciles
        assert report.stored == report.read
    planned = _violations(pq.read_table(result.plan))
    assert len(planned) == round(347_600 * TINY) + round(130_700 * TINY)
    assert sorted(_detected(store)) == sorted(planned)


def test_a_year_in_monthly_files_lands_once_and_detects_the_plan(tmp_path: Path) -> None:
    result = synthesize_services(2025, TINY, 0, tmp_path / "files", layout="monthly")
    months = [f"deliveries-2025-{month:02d}.parquet" for month in range(1, 13)]
    others = {f"{k.name}-2025.parquet" for k in WRITTEN if k is not DELIVERIES}
    assert {p.name for p in result.files} == others | set(months)
    assert sum(pq.read_metadata(tmp_path / "files" / name).num_rows for name in months) == (
        result.deliveries
    )
    store = RecordStore(tmp_path / "home")
    first: dict[str, int] = {}
    for name in months:
        report = ingest(tmp_path / "files" / name, PERIOD, KINDS, store=store)
        assert (report.replaced, report.quarantined) == (0, 0)
        # A month adds files beside the stored ones: those are the same files as before.
        now = {p.name: p.stat().st_ino for p in store.files(DELIVERIES, PERIOD)}
        assert {name: now[name] for name in first} == first
        first = now
    for path in sorted(set(result.files) - {tmp_path / "files" / name for name in months}):
        ingest(path, PERIOD, KINDS, store=store)
    planned = _violations(pq.read_table(result.plan))
    assert sorted(_detected(store)) == sorted(planned)


def test_same_arguments_write_the_same_bytes(tmp_path: Path) -> None:
    def files(out: Path, seed: int) -> dict[str, bytes]:
        made = synthesize_services(2025, TINY, seed, out)
        # Where readers find them (the store keeps each run in a version folder of its own).
        written = [*made.files, made.plan]
        return {str(p.relative_to(out)): p.read_bytes() for p in sorted(written)}

    first = files(tmp_path / "a", 7)
    assert first == files(tmp_path / "b", 7)
    other = files(tmp_path / "c", 8)
    deliveries = "store/deliveries/2025/almaty.parquet"
    assert first[deliveries] != other[deliveries]


def test_a_non_positive_scale_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="scale"):
        synthesize_services(2025, 0, 0, tmp_path)


def test_records_left_before_the_calendar_hold_no_violation_in_a_year(year: Year) -> None:
    """Over a synthetic year (every type, weekends, holidays, hours-based terms), the
    records dropped before the working-day calendar is looked up carry no flag."""
    from ashyq.services.detect import flag_deliveries

    data = open_period(PERIOD, store=RecordStore(year.result.home))

    def flagged(every: bool) -> set[tuple[str, str]]:
        table = data.con.to_pyarrow(flag_deliveries(data, every=every))
        flags = [c for c in table.column_names if c.startswith("_is_")]
        return {
            (row["delivery_id"], flag)
            for row in table.select(["delivery_id", *flags]).to_pylist()
            for flag in flags
            if row[flag]
        }

    assert flagged(every=False) == flagged(every=True)
