"""The ingest of real national files: streamed, typed Parquet read in place, directories and
patterns, the engine's scratch space and its setting. Issue: "Real national data through
the front door"."""

from __future__ import annotations

import csv
import fcntl
import os
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ashyq.appeals.model import APPEALS, KINDS
from ashyq.cli import app
from ashyq.index.methodology import load_methodology
from ashyq.periods import Period
from ashyq.records.ingest import IngestReport, ingest
from ashyq.records.model import KeyScope
from ashyq.records.store import RecordStore
from ashyq.records.work import WORK
from ashyq.synth.appeals import synthesize_appeals
from tests.test_ingest_atomic import BODIES, appeals_file, per_body

PERIOD = Period.parse("2025")


def _runner(home: Path, **env: str) -> CliRunner:
    return CliRunner(env={"ASHYQ_HOME": str(home), "ASHYQ_LANG": "en", **env})


# --- directories and patterns -------------------------------------------------------------


def test_a_directory_is_ingested_file_by_file_with_a_total(tmp_path: Path) -> None:
    folder = tmp_path / "january"
    folder.mkdir()
    appeals_file(folder / "b.csv", [(f"ЕО-B{i}", BODIES[i % 3]) for i in range(4)])
    appeals_file(folder / "a.csv", [(f"ЕО-A{i}", BODIES[i % 3]) for i in range(3)])
    (folder / "README.md").write_text("not an import file", encoding="utf-8")
    (folder / ".~lock.a.csv#").write_text("an editor's lock", encoding="utf-8")
    (folder / "nested").mkdir()
    appeals_file(folder / "nested" / "c.csv", [("ЕО-C1", BODIES[0])])
    home = tmp_path / "home"
    result = _runner(home).invoke(app, ["appeals", "ingest", str(folder), "--period", "2025"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if "read" in line]
    # In the order of their names, each reconciled, then the total.
    assert lines == [
        f"{folder / 'a.csv'}: read 3 = stored 3 (new 3, replaced 0) + quarantined 0",
        f"{folder / 'b.csv'}: read 4 = stored 4 (new 4, replaced 0) + quarantined 0",
        "In all, 2 files: read 7 = stored 7 (new 7, replaced 0) + quarantined 0",
    ]
    assert sum(per_body(RecordStore(home)).values()) == 7


def test_a_glob_pattern_names_the_files(tmp_path: Path) -> None:
    for month in ("01", "02", "03"):
        appeals_file(tmp_path / f"appeals-2025-{month}.csv", [(f"ЕО-{month}", BODIES[0])])
    appeals_file(tmp_path / "other.csv", [("ЕО-X", BODIES[0])])
    home = tmp_path / "home"
    pattern = str(tmp_path / "appeals-2025-*.csv")
    result = _runner(home).invoke(app, ["appeals", "ingest", pattern, "--period", "2025"])
    assert result.exit_code == 0, result.output
    assert "In all, 3 files: read 3 = stored 3" in result.stdout
    assert per_body(RecordStore(home)) == {BODIES[0]: 3}


def test_a_file_refused_whole_does_not_stop_the_others(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-broken.csv").write_text("what;is;this\n1;2;3\n", encoding="utf-8")
    appeals_file(folder / "b.csv", [("ЕО-1", BODIES[0]), ("ЕО-2", BODIES[1])])
    home = tmp_path / "home"
    result = _runner(home).invoke(app, ["appeals", "ingest", str(folder), "--period", "2025"])
    assert result.exit_code == 2
    assert "a-broken.csv, row 1: expected a key column" in result.stderr
    assert "1 of 2 files were refused whole; the others were ingested" in result.stderr
    assert "In all, 1 files: read 2 = stored 2" in result.stdout
    assert sum(per_body(RecordStore(home)).values()) == 2


@pytest.mark.parametrize("path", ["nowhere", "nowhere/*.csv"])
def test_a_path_that_names_nothing_says_so(tmp_path: Path, path: str) -> None:
    result = _runner(tmp_path / "home").invoke(
        app, ["appeals", "ingest", str(tmp_path / path), "--period", "2025"]
    )
    assert result.exit_code == 2
    assert str(tmp_path / path) in result.stderr
    assert "Traceback" not in result.output


# --- the same strictness from typed Parquet and from text ---------------------------------


def _spoiled_year(tmp_path: Path) -> pa.Table:
    """A small synthetic year with records that break rules of several kinds, typed."""
    synth = synthesize_appeals(
        load_methodology("2025"), tmp_path / "synth", period=PERIOD, scale=0.001, seed=5
    )
    table = pq.read_table(synth.appeals)
    rows = table.to_pylist()
    rows[3]["registered_at"] = rows[3]["registered_at"].replace(year=2024)  # outside the period
    rows[5]["body"] = "Министерство магии"  # an unknown body
    rows[7]["appeal_type"] = "petition"  # not a type of appeal
    rows[9]["registration_number"] = rows[8]["registration_number"]  # a key used twice
    rows[11]["registration_number"] = None  # a required value missing
    rows[12]["body"] = "  Министерство  финансов "  # a spelling with spaces, resolved
    return pa.Table.from_pylist(rows, schema=table.schema)


Outcome = tuple[tuple[int, int, int, int], list[tuple[int, str | None, str]], pa.Table]


def _outcome(report: IngestReport, store: RecordStore, first_row: int) -> Outcome:
    con = ibis.duckdb.connect()
    stored = store.read(con, APPEALS, PERIOD)
    assert stored is not None
    records = con.to_pyarrow(stored.drop("source_file", "ingested_at", "source_row"))
    records = records.sort_by(APPEALS.key)
    problems = sorted(((p.row or 0) - first_row, p.column, p.code) for p in report.problems)
    counts = (report.read, report.new, report.replaced, report.quarantined)
    return counts, problems, records


def test_typed_parquet_and_its_text_as_csv_give_the_same_records_and_problems(
    tmp_path: Path,
) -> None:
    table = _spoiled_year(tmp_path)
    parquet = tmp_path / "appeals.parquet"
    pq.write_table(table, parquet)
    text = tmp_path / "appeals.csv"
    options = pacsv.WriteOptions(quoting_style="needed")
    as_text = table.set_column(
        1, "registered_at", pc.strftime(table["registered_at"], "%d.%m.%Y %H:%M:%S")
    )
    pacsv.write_csv(as_text, text, options)
    from_parquet = RecordStore(tmp_path / "one")
    from_text = RecordStore(tmp_path / "two")
    typed = _outcome(ingest(parquet, PERIOD, KINDS, store=from_parquet), from_parquet, 1)
    read = _outcome(ingest(text, PERIOD, KINDS, store=from_text), from_text, 2)
    assert typed[0] == read[0]
    assert typed[1] == read[1]
    assert {(row, code) for row, _, code in typed[1]} >= {
        (3, "outside_period"),
        (5, "unknown_body"),
        (7, "invalid_choice"),
        (9, "duplicate_key"),
        (11, "missing_value"),
    }
    assert typed[2].equals(read[2])
    assert typed[0][0] == table.num_rows and typed[0][3] == 5


def test_a_typed_parquet_record_is_quarantined_with_its_text(tmp_path: Path) -> None:
    table = _spoiled_year(tmp_path)
    parquet = tmp_path / "appeals.parquet"
    pq.write_table(table, parquet)
    report = ingest(parquet, PERIOD, KINDS, store=RecordStore(tmp_path / "home"))
    outside = next(p for p in report.problems if p.code == "outside_period")
    assert outside.row == 4 and outside.column == "registered_at"
    assert str(outside.found).startswith("2024-") and "T" in str(outside.found)
    assert report.quarantine_file is not None
    with report.quarantine_file.open(encoding="utf-8") as handle:
        quarantined = {row["row"]: row for row in csv.DictReader(handle)}
    assert '"registered_at": "2024-' in quarantined["4"]["record"]


# --- progress, scratch space, settings -----------------------------------------------------


def test_the_check_stage_counts_records(tmp_path: Path) -> None:
    stages: dict[str, tuple[int, int]] = {}

    def hear(stage: str, done: int, total: int) -> None:
        stages[stage] = (done, total)

    path = appeals_file(tmp_path / "a.csv", [(f"ЕО-{i}", BODIES[i % 6]) for i in range(12)])
    ingest(path, PERIOD, KINDS, store=RecordStore(tmp_path / "home"), on_stage=hear)
    assert stages["check"] == (12, 12)
    assert stages["store"] == (6, 6)


def test_the_scratch_folder_of_a_killed_run_is_removed_by_the_next(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "home")
    killed = store.root / WORK / "20260101T000000-dead"
    (killed / "parts").mkdir(parents=True)
    (killed / ".lock").touch()
    os.utime(killed / ".lock", (1e9, 1e9))  # made long ago
    (killed / "work.duckdb").write_bytes(b"\0" * 1024)
    starting = store.root / WORK / "20260101T000002-starting"
    starting.mkdir()
    (starting / ".lock").touch()  # just made, not locked yet: its run is starting
    running = store.root / WORK / "20260101T000001-live"
    running.mkdir()
    with (running / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a run still working: its folder stays
        ingest(appeals_file(tmp_path / "a.csv", [("ЕО-1", BODIES[0])]), PERIOD, KINDS, store=store)
        assert not killed.exists()
        assert running.exists() and starting.exists()


def test_a_bad_memory_setting_is_named_not_a_traceback(tmp_path: Path) -> None:
    path = appeals_file(tmp_path / "a.csv", [("ЕО-1", BODIES[0])])
    runner = _runner(tmp_path / "home", ASHYQ_MEMORY_LIMIT="plenty")
    result = runner.invoke(app, ["appeals", "ingest", str(path), "--period", "2025"])
    assert result.exit_code == 2
    assert "column «ASHYQ_MEMORY_LIMIT»" in result.stderr
    assert "expected a size such as 1GiB or 512MB; found plenty" in result.stderr


def test_the_memory_setting_reaches_the_engine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ashyq.records.work import connect

    monkeypatch.setenv("ASHYQ_MEMORY_LIMIT", "300MiB")
    monkeypatch.setenv("ASHYQ_THREADS", "1")
    con = connect(tmp_path)
    try:
        limit = con.raw_sql("SELECT current_setting('memory_limit')").fetchone()
        threads = con.raw_sql("SELECT current_setting('threads')").fetchone()
    finally:
        con.disconnect()
    assert limit is not None and limit[0] in {"300.0 MiB", "314.5 MB"}
    assert threads is not None and int(threads[0]) == 1


# --- a plain CSV read by the engine --------------------------------------------------------


def _as_csv(table: pa.Table, path: Path) -> Path:
    as_text = table.set_column(
        1, "registered_at", pc.strftime(table["registered_at"], "%d.%m.%Y %H:%M:%S")
    )
    pacsv.write_csv(as_text, path, pacsv.WriteOptions(quoting_style="needed"))
    return path


TWISTS = [
    "plain",
    "a short line",
    "crlf",
    "windows-1251",
    "a blank line",
    "a line break in a quoted field",
    "a long line",
]


@pytest.mark.parametrize("twist", TWISTS)
def test_the_engine_and_the_line_reader_read_a_csv_alike(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, twist: str
) -> None:
    from ashyq.limits import INPUT_LIMITS
    from ashyq.records import sources

    path = _as_csv(_spoiled_year(tmp_path), tmp_path / "appeals.csv")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert any('"' in line for line in lines)  # quoted fields, as exports have
    quoted = next(n for n, line in enumerate(lines) if n > 30 and ',"' in line)
    if twist == "a short line":
        lines[20] = "ЕО-КОРОТКАЯ,2025-01-01\n"  # too few cells: the engine refuses it
    elif twist == "a blank line":
        lines.insert(20, "\n")  # the engine skips it: its lines and records disagree
    elif twist == "a line break in a quoted field":
        lines[quoted] = lines[quoted].replace(',"', ',"две\nстроки ', 1)
    elif twist == "a long line":
        lines[quoted] = lines[quoted].replace(',"', ',"' + "я" * INPUT_LIMITS.field_chars, 1)
    path.write_bytes(
        "".join(lines)
        .replace("\n", "\r\n" if twist == "crlf" else "\n")
        .encode("cp1251" if twist == "windows-1251" else "utf-8", errors="replace")
    )
    # Only the twists the engine cannot see are kept from it; it finds the rest.
    assert sources._line_count(path) is not None
    engine = RecordStore(tmp_path / "engine")
    by_engine = ingest(path, PERIOD, KINDS, store=engine)
    monkeypatch.setattr(sources, "_line_count", lambda path: None)
    by_lines = RecordStore(tmp_path / "lines")
    by_line_reader = ingest(path, PERIOD, KINDS, store=by_lines)
    assert _outcome(by_engine, engine, 0)[:2] == _outcome(by_line_reader, by_lines, 0)[:2]
    assert _outcome(by_engine, engine, 0)[2].equals(_outcome(by_line_reader, by_lines, 0)[2])
    found = {(p.row, p.code) for p in by_engine.problems}
    assert (5, "outside_period") in found and (11, "duplicate_key") in found
    if twist == "a short line":
        assert (21, "unsplit_row") in found
    if twist == "a long line":
        assert (quoted + 1, "unsplit_row") in found
    # Each stored record names its line, the last one the file's last line.
    rows = _stored_rows(engine)
    assert rows == _stored_rows(by_lines)
    assert rows[-1] == path.read_bytes().count(b"\n")


def _stored_rows(store: RecordStore) -> list[int]:
    """The line of each stored record, in order."""
    con = ibis.duckdb.connect()
    stored = store.read(con, APPEALS, PERIOD)
    assert stored is not None
    return sorted(con.to_pyarrow(stored.select("source_row"))["source_row"].to_pylist())


@pytest.mark.parametrize("block", [1, 2, 3, 5, 1 << 24])
def test_a_plain_csv_is_recognised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, block: int
) -> None:
    from ashyq.records import sources

    monkeypatch.setattr(sources, "_SCAN_BYTES", block)  # every way a block can end

    def lines(text: bytes) -> int | None:
        path = tmp_path / "f.csv"
        path.write_bytes(text)
        return sources._line_count(path)

    assert lines(b'a,b\n1,"x, y"\n2,"say ""hi"""\n') == 3
    assert lines(b"a,b\r\n1,2\r\n3,4") == 3  # CRLF, no newline at the end
    assert lines(b"a,b\r\n\r\n1,2\r\n") == 3
    # The engine sees these, and its records are fewer than the lines after the header:
    assert lines(b'a,b\n1,"two\nlines"\n') == 3  # a line break in a quoted field
    assert lines(b"a,b\n1,2\n\n3,4\n") == 4  # a blank line
    assert lines(b"a,b\n1," + b"x" * 200 + b"\n") == 2  # a line over the limit: refused
    # These it cannot see:
    assert lines(b"a,b\n1,2\r3,4\n") is None  # a lone CR ends a line for Python
    assert lines(b"a,b\r\n1,2\r\r\n") is None
    assert lines(b"a,b\n1,2\r") is None  # and at the end of the file
    assert lines(b"a,b\n1,\x002\n") is None  # NUL


def test_a_body_written_to_several_files_lands_as_one(tmp_path: Path) -> None:
    first = RecordStore(tmp_path / "first")
    path = appeals_file(tmp_path / "a.csv", [(f"ЕО-{i}", BODIES[0]) for i in range(10)])
    ingest(path, PERIOD, KINDS, store=first)
    (stored,) = first.files(APPEALS, PERIOD)
    table = pq.read_table(stored)
    store = RecordStore(tmp_path / "second")
    scratch = store.root / "scratch"
    scratch.mkdir(parents=True)
    halves = [scratch / "one.parquet", scratch / "two.parquet"]
    pq.write_table(table.slice(0, 4), halves[0])
    pq.write_table(table.slice(4), halves[1])
    con = ibis.duckdb.connect()
    (result,) = store.write(con, APPEALS, PERIOD, {BODIES[0]: halves})
    assert (result.body, result.new, result.replaced) == (BODIES[0], 10, 0)
    assert [p.name for p in store.files(APPEALS, PERIOD)] == [f"{BODIES[0]}.parquet"]
    assert per_body(store) == {BODIES[0]: 10}


@pytest.mark.parametrize("scope", ["period", "body"])
def test_repeated_keys_by_hash_and_by_key_agree(scope: KeyScope) -> None:
    from dataclasses import replace

    from ashyq.records.validate import repeated_keys

    kind = replace(APPEALS, key_scope=scope)
    keys = ["A", "B", "A", None, "C", None, "B", "A", "D"]
    bodies = ["mf", "mf", "mf", "mf", None, "mf", "mz", None, None]
    table = ibis.memtable(
        {"_row": list(range(2, 2 + len(keys))), "registration_number": keys, "body": bodies},
        schema={"_row": "int64", "registration_number": "string", "body": "string"},
    )
    con = ibis.duckdb.connect()

    def rows(by_hash: bool) -> list[tuple[int, str]]:
        found = con.to_pyarrow(repeated_keys(table, kind, by_hash=by_hash)).to_pylist()
        return sorted((row["_row"], row["found"]) for row in found)

    assert rows(True) == rows(False)
    expected = {"period": [4, 7, 8, 9], "body": [4, 7]}[scope]
    assert [row for row, _ in rows(True)] == expected


# --- a year delivered month by month ------------------------------------------------------


def test_a_later_month_is_added_beside_the_stored_files_not_merged_into_them(
    tmp_path: Path,
) -> None:
    store = RecordStore(tmp_path / "home")
    january = [(f"ЖТ-01-{n:04d}", BODIES[n % 3]) for n in range(30)]
    february = [(f"ЖТ-02-{n:04d}", BODIES[n % 3]) for n in range(20)]
    ingest(appeals_file(tmp_path / "january.csv", january), PERIOD, KINDS, store=store)
    first = {path.name: path.stat().st_ino for path in store.files(APPEALS, PERIOD)}

    report = ingest(appeals_file(tmp_path / "february.csv", february), PERIOD, KINDS, store=store)

    assert (report.stored, report.quarantined) == (20, 0)
    assert report.replaced == 0
    after = {path.name: path.stat().st_ino for path in store.files(APPEALS, PERIOD)}
    # January's files are the very same files (hard links), and February is a segment each.
    assert {name: after[name] for name in first} == first
    assert len(after) == 2 * len(first)
    assert per_body(store) == {BODIES[0]: 17, BODIES[1]: 17, BODIES[2]: 16}
    # Provenance names every file of the body.
    assert store.source(APPEALS, PERIOD, BODIES[0]).endswith(f"{BODIES[0]}.*parquet")


def test_replacing_a_stored_record_rewrites_the_body_into_one_file(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "home")
    january = [(f"ЖТ-01-{n:04d}", BODIES[0]) for n in range(10)]
    february = [(f"ЖТ-02-{n:04d}", BODIES[0]) for n in range(5)]
    ingest(appeals_file(tmp_path / "january.csv", january), PERIOD, KINDS, store=store)
    ingest(appeals_file(tmp_path / "february.csv", february), PERIOD, KINDS, store=store)
    assert len(store.files(APPEALS, PERIOD)) == 2

    # January again, with one record moved to another body: it replaces, never duplicates.
    again = [*january[:9], (january[9][0], BODIES[1])]
    report = ingest(appeals_file(tmp_path / "january-2.csv", again), PERIOD, KINDS, store=store)

    assert (report.new, report.replaced) == (0, 10)
    assert per_body(store) == {BODIES[0]: 14, BODIES[1]: 1}
    assert sorted(path.name for path in store.files(APPEALS, PERIOD)) == sorted(
        f"{body}.parquet" for body in BODIES[:2]
    )
    assert store.source(APPEALS, PERIOD, BODIES[0]).endswith(f"/{BODIES[0]}.parquet")


def _keyed_file(path: Path, keys: list[str], *, statistics: bool = True) -> Path:
    pq.write_table(pa.table({"registration_number": keys}), path, write_statistics=statistics)
    return path


@pytest.mark.parametrize(
    ("anywhere", "expected"),
    [
        (False, ["mf.parquet", "mz.later.parquet", "mz.parquet"]),
        # A key unique in the period may be stored under any body: mt's holds A-040..A-060.
        (True, ["mf.parquet", "mt.parquet", "mz.later.parquet", "mz.parquet"]),
    ],
)
def test_only_the_stored_files_a_key_may_meet_are_read_for_the_replacement_check(
    tmp_path: Path, anywhere: bool, expected: list[str]
) -> None:
    from ashyq.records.store import _may_hold

    files = [
        _keyed_file(tmp_path / "mf.parquet", ["A-001", "A-050"]),
        _keyed_file(tmp_path / "mf.later.parquet", ["A-100", "A-150"]),
        _keyed_file(tmp_path / "mz.parquet", ["B-001", "B-009"], statistics=False),
        _keyed_file(tmp_path / "mz.later.parquet", ["B-010", "B-020"]),
        _keyed_file(tmp_path / "mt.parquet", ["A-040", "A-060"]),
    ]
    # mf's arrivals reach into its first file only; mz's into its later one, and its first
    # file has no statistics, so it may hold anything; mt has no arrivals.
    ranges = {"mf": ("A-020", "A-060"), "mz": ("B-015", "B-016"), "mk": ("C-1", "C-2")}
    chosen = sorted(
        path.name for path in _may_hold(files, "registration_number", ranges, anywhere=anywhere)
    )
    assert chosen == expected
    # A month after every stored key reads nothing at all.
    assert _may_hold(files, "registration_number", {"mf": ("A-200", "A-300")}, anywhere=False) == []


def test_a_later_month_still_replaces_a_record_it_repeats(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "home")
    january = [(f"ЖТ-01-{n:04d}", BODIES[0]) for n in range(10)]
    ingest(appeals_file(tmp_path / "january.csv", january), PERIOD, KINDS, store=store)
    # February's keys come after January's, but one January record is sent again.
    february = [(f"ЖТ-02-{n:04d}", BODIES[0]) for n in range(5)] + [january[3]]
    report = ingest(appeals_file(tmp_path / "february.csv", february), PERIOD, KINDS, store=store)
    assert (report.new, report.replaced) == (5, 1)
    assert per_body(store) == {BODIES[0]: 15}


def test_a_csv_read_in_parallel_blocks_keeps_each_record_on_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The engine reads a large CSV in blocks, several at once; each stored record still
    names the line it came from, and each problem its line."""
    from ashyq.records import ingest as ingesting

    monkeypatch.setattr(ingesting, "_CSV_BUFFER_BYTES", 1 << 17)
    monkeypatch.setenv("ASHYQ_THREADS", "2")
    rows = [(f"ЕО-{i:06d}", BODIES[i % len(BODIES)]) for i in range(60_000)]
    path = appeals_file(tmp_path / "appeals.csv", rows)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(path.read_bytes()) > 20 * (1 << 17)  # many blocks
    broken = {len(lines) // 3: "petition", len(lines) - 1: "petition"}
    for line, value in broken.items():
        lines[line] = lines[line].replace(";complaint;", f";{value};", 1)
        assert value in lines[line]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = RecordStore(tmp_path / "store")
    report = ingest(path, PERIOD, KINDS, store=store)
    assert {(p.row, p.code) for p in report.problems} == {
        (line + 1, "invalid_choice") for line in broken
    }
    con = ibis.duckdb.connect()
    stored = store.read(con, APPEALS, PERIOD)
    assert stored is not None
    numbered = con.to_pyarrow(stored.select(APPEALS.key, "source_row"))
    keys, rows = numbered[APPEALS.key].to_pylist(), numbered["source_row"].to_pylist()
    by_key = dict(zip(keys, rows, strict=True))
    expected = {line.split(";", 1)[0]: n for n, line in enumerate(lines, 1) if n > 1}
    for line in broken:
        del expected[lines[line].split(";", 1)[0]]
    assert by_key == expected
