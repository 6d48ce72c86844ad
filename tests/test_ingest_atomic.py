"""An ingest is atomic per run: a reader of the store sees it as it was before the run or as
it is after, never a part of it; a failed or killed run leaves the store as it was, and the
next run works. A corrected body moves a record (its key is unique within the period), it
does not copy it.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import ibis
import pytest

from ashyq.appeals.model import APPEALS, KINDS
from ashyq.bodies import load_bodies
from ashyq.errors import StorageFullError
from ashyq.index.methodology import load_methodology
from ashyq.periods import Period
from ashyq.records.ingest import ingest
from ashyq.records.model import RecordKind
from ashyq.records.store import RecordStore
from ashyq.services.model import STAFF
from ashyq.synth.appeals import synthesize_appeals
from tests.test_atomic_files import small_disk

pytestmark = [
    # DuckDB 1.5 deprecates the call Ibis 12 makes to fetch results; nothing of ours.
    pytest.mark.filterwarnings(
        r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning:ibis.backends.duckdb"
    ),
]

PERIOD = Period.parse("2025")
HEADER = (
    "registration_number;registered_at;body;appeal_type;form;applicant_kind;topic;"
    "answered_at;hearing_required;rating"
)
BODIES = [body.code for body in load_bodies()][:6]
ASHYQ = [sys.executable, "-c", "from ashyq.cli import main; main()"]


class StoppedMidwayError(Exception):
    """What the test raises in the middle of an ingest."""


def appeals_file(path: Path, records: list[tuple[str, str]]) -> Path:
    """An import file of appeals, one per (registration number, body)."""
    lines = [HEADER] + [
        f"{number};14.03.2025 10:05;{body};complaint;electronic;individual;tax_customs;"
        "20.03.2025 16:00;да;5"
        for number, body in records
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def seen(store: RecordStore, kinds: tuple[RecordKind, ...] = KINDS) -> dict[str, str]:
    """What a reader finds in the store: every file of every kind and period, by SHA-256."""
    return {
        f"{kind.name}/{period.name}/{path.name}": hashlib.sha256(path.read_bytes()).hexdigest()
        for kind in kinds
        for period in store.periods(kind)
        for path in store.files(kind, period)
    }


def per_body(store: RecordStore, kind: RecordKind = APPEALS) -> dict[str, int]:
    """The records of ``kind`` in 2025 per body, as a query of the store counts them."""
    con = ibis.duckdb.connect()
    try:
        table = store.read(con, kind, PERIOD)
        if table is None:
            return {}
        counted = con.to_pyarrow(table.group_by(kind.body_field).agg(n=table.count()))
        return dict(
            zip(counted[kind.body_field].to_pylist(), counted["n"].to_pylist(), strict=True)
        )
    finally:
        con.disconnect()


def on_disk(home: Path) -> set[str]:
    """Every file and folder under the data home, whatever its name."""
    return {str(p.relative_to(home)) for p in home.rglob("*")}


# --- a failure midway ----------------------------------------------------------------------


def test_a_failure_between_two_partition_writes_leaves_the_store_as_it_was(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    store = RecordStore(home)
    first = [(f"ЕО-{i:03}", BODIES[i % 6]) for i in range(60)]
    ingest(appeals_file(tmp_path / "first.csv", first), PERIOD, KINDS, store=store)
    before, before_counts, before_disk = seen(store), per_body(store), on_disk(home)
    assert sum(before_counts.values()) == 60

    # Thirty records again (each under another body) and thirty new ones, over six bodies.
    second = appeals_file(
        tmp_path / "second.csv", [(f"ЕО-{i:03}", BODIES[(i + 1) % 6]) for i in range(30, 90)]
    )
    stored_bodies: list[int] = []

    def fail_after_two_bodies(stage: str, done: int, total: int) -> None:
        if stage != "store":
            return
        # A reader in the middle of the run sees the store as it was.
        assert seen(store) == before
        assert per_body(store) == before_counts
        stored_bodies.append(done)
        if done == 2:
            raise StoppedMidwayError

    with pytest.raises(StoppedMidwayError):
        ingest(second, PERIOD, KINDS, store=store, on_stage=fail_after_two_bodies)
    assert stored_bodies == [1, 2]
    assert seen(store) == before
    assert per_body(store) == before_counts
    assert on_disk(home) == before_disk  # nothing of the failed run is left over

    report = ingest(second, PERIOD, KINDS, store=store)
    assert report.reconciles
    assert (report.new, report.replaced) == (30, 30)
    assert sum(per_body(store).values()) == 90


def test_a_reader_during_a_run_sees_the_store_as_before_and_then_as_after(
    tmp_path: Path,
) -> None:
    store = RecordStore(tmp_path / "home")
    ingest(appeals_file(tmp_path / "a.csv", [("ЕО-1", BODIES[0])]), PERIOD, KINDS, store=store)
    observed: list[dict[str, int]] = []

    def look(stage: str, done: int, total: int) -> None:
        if stage == "store":
            observed.append(per_body(store))

    more = [(f"ЕО-{i}", BODIES[i % 6]) for i in range(2, 14)]
    ingest(appeals_file(tmp_path / "b.csv", more), PERIOD, KINDS, store=store, on_stage=look)
    assert len(observed) == 6
    assert all(counts == {BODIES[0]: 1} for counts in observed)
    assert sum(per_body(store).values()) == 13


def test_a_failed_run_leaves_no_quarantine_report(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = RecordStore(home)
    records = [("ЕО-1", BODIES[0]), ("ЕО-2", "Министерство магии")]

    def fail(stage: str, done: int, total: int) -> None:
        if stage == "store":
            raise StoppedMidwayError

    with pytest.raises(StoppedMidwayError):
        ingest(appeals_file(tmp_path / "a.csv", records), PERIOD, KINDS, store=store, on_stage=fail)
    assert not (home / "quarantine").exists() or not any((home / "quarantine").rglob("*.csv"))
    assert seen(store) == {}


def test_a_full_disk_stops_the_ingest_cleanly_and_frees_what_it_wrote(tmp_path: Path) -> None:
    with small_disk(tmp_path / "home") as home:
        store = RecordStore(home)
        ingest(appeals_file(tmp_path / "a.csv", [("ЕО-1", BODIES[0])]), PERIOD, KINDS, store=store)
        before, before_disk = seen(store), on_disk(home)
        # Random numbers do not compress: 40,000 of them take more than the 1 MiB disk.
        many = [(os.urandom(16).hex(), BODIES[i % 6]) for i in range(40_000)]
        with pytest.raises(StorageFullError) as error:
            ingest(appeals_file(tmp_path / "many.csv", many), PERIOD, KINDS, store=store)
        assert error.value.render("en").startswith("The server's disk is full")
        assert seen(store) == before
        assert on_disk(home) == before_disk
        report = ingest(
            appeals_file(tmp_path / "b.csv", [("ЕО-2", BODIES[1])]), PERIOD, KINDS, store=store
        )
        assert report.reconciles
        assert per_body(store) == {BODIES[0]: 1, BODIES[1]: 1}


# --- a killed process -----------------------------------------------------------------------


def test_a_killed_ingest_leaves_the_store_as_it_was_and_the_next_one_works(
    tmp_path: Path,
) -> None:
    synth = synthesize_appeals(
        load_methodology("2025"), tmp_path / "synth", period=PERIOD, scale=0.004, seed=3
    )
    home = tmp_path / "home"
    store = RecordStore(home)
    first = ingest(synth.appeals, PERIOD, KINDS, store=store)
    assert first.reconciles and first.quarantined == 0
    before, before_counts = seen(store), per_body(store)
    before_files = {(p, p.stat().st_ino) for p in home.rglob("*.parquet")}

    def rewritten() -> bool:
        """True once the run has written a partition file of its own (a new inode)."""
        return any(
            (p, p.stat().st_ino) not in before_files for p in home.rglob("*.parquet") if p.exists()
        )

    environment = {**os.environ, "ASHYQ_HOME": str(home)}
    process = subprocess.Popen(
        [*ASHYQ, "appeals", "ingest", str(synth.appeals), "--period", PERIOD.name],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    try:
        while not rewritten():
            assert process.poll() is None, "the ingest ended before it wrote a partition"
            assert time.monotonic() < deadline, "the ingest wrote no partition in 120 s"
            time.sleep(0.01)
        process.send_signal(signal.SIGKILL)
    finally:
        returncode = process.wait(timeout=60)
    assert returncode == -signal.SIGKILL, "the ingest ended before it was killed"

    assert seen(store) == before
    assert per_body(store) == before_counts

    again = ingest(synth.appeals, PERIOD, KINDS, store=store)
    assert again.reconciles
    assert (again.new, again.replaced) == (0, first.new)
    assert per_body(store) == before_counts
    # What the killed run left behind is gone after the next one.
    left = {str(p.relative_to(home)) for p in home.rglob("*") if "staging" in p.name}
    assert left == set()


def test_many_processes_ingesting_at_once_lose_nothing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    files = [
        appeals_file(
            tmp_path / f"part-{n}.csv", [(f"ЕО-{n}-{i}", BODIES[i % 6]) for i in range(20)]
        )
        for n in range(3)
    ]
    environment = {**os.environ, "ASHYQ_HOME": str(home)}
    processes = [
        subprocess.Popen(
            [*ASHYQ, "appeals", "ingest", str(path), "--period", PERIOD.name],
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for path in files
    ]
    for process in processes:
        _, errors = process.communicate(timeout=180)
        assert process.returncode == 0, errors.decode("utf-8", "replace")[-2000:]
    assert sum(per_body(RecordStore(home)).values()) == 60


# --- a corrected body ------------------------------------------------------------------------


def test_a_corrected_body_moves_the_record_instead_of_copying_it(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "home")
    a, b = BODIES[0], BODIES[1]
    records = [("ЕО-1", a), ("ЕО-2", a), ("ЕО-3", b)]
    ingest(appeals_file(tmp_path / "first.csv", records), PERIOD, KINDS, store=store)
    assert per_body(store) == {a: 2, b: 1}

    corrected = appeals_file(tmp_path / "corrected.csv", [("ЕО-2", b)])
    report = ingest(corrected, PERIOD, KINDS, store=store)
    assert (report.new, report.replaced) == (0, 1)
    assert per_body(store) == {a: 1, b: 2}
    moved = {r.body: (r.new, r.replaced, r.moved_away) for r in report.by_body}
    assert moved == {b: (0, 1, 0), a: (0, 0, 1)}

    # The last record of a body moves away: the body's partition goes, none is left empty.
    ingest(appeals_file(tmp_path / "last.csv", [("ЕО-1", b)]), PERIOD, KINDS, store=store)
    assert per_body(store) == {b: 3}
    assert [p.stem for p in store.files(APPEALS, PERIOD)] == [b]


def test_one_number_under_two_bodies_in_one_file_lands_once(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "home")
    path = appeals_file(tmp_path / "twice.csv", [("ЕО-1", BODIES[0]), ("ЕО-1", BODIES[1])])
    report = ingest(path, PERIOD, KINDS, store=store)
    assert (report.new, report.quarantined) == (1, 1)
    assert [(p.code, p.row) for p in report.problems] == [("duplicate_key", 3)]
    assert per_body(store) == {BODIES[0]: 1}


def test_a_key_unique_only_within_its_body_is_not_moved(tmp_path: Path) -> None:
    # Employee numbers are each body's own: the same number in two bodies is two people.
    store = RecordStore(tmp_path / "home")
    path = tmp_path / "staff.csv"
    rows = f"E-1;{BODIES[0]};нет\nE-1;{BODIES[1]};да\n"
    path.write_text(f"employee_id;body;can_sign\n{rows}", encoding="utf-8")
    report = ingest(path, PERIOD, (STAFF,), store=store)
    assert report.new == 2
    assert per_body(store, STAFF) == {BODIES[0]: 1, BODIES[1]: 1}


# --- where the files go ----------------------------------------------------------------------


def test_a_run_never_writes_through_to_a_file_a_reader_may_hold(tmp_path: Path) -> None:
    # A reader that has listed the files keeps reading the version it listed, whole.
    store = RecordStore(tmp_path / "home")
    ingest(appeals_file(tmp_path / "a.csv", [("ЕО-1", BODIES[0])]), PERIOD, KINDS, store=store)
    held = store.files(APPEALS, PERIOD)[0].resolve()
    content = held.read_bytes()
    ingest(appeals_file(tmp_path / "b.csv", [("ЕО-2", BODIES[0])]), PERIOD, KINDS, store=store)
    assert held.read_bytes() == content
    assert sum(per_body(store).values()) == 2
