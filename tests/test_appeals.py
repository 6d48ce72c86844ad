"""The appeals pipeline as its users meet it: bad files quarantined with their reasons,
every format stored alike, re-ingests that never duplicate, synthetic years whose counts
are the plan's, national statistics, the command line end to end, and the calibration to
the published 2025 report."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook
from typer.testing import CliRunner, Result

from ashyq.appeals.indicators import COUNTS, satisfaction_pct
from ashyq.appeals.model import APPEALS, BOOKINGS, KINDS
from ashyq.appeals.pipeline import (
    INDEX_FIELDS,
    PeriodData,
    body_counts,
    drill_down,
    index_counts,
    open_period,
)
from ashyq.appeals.stats import national_stats
from ashyq.bodies import BodyRegistry, Level, load_bodies
from ashyq.cli import app
from ashyq.errors import InputError
from ashyq.i18n import Text
from ashyq.i18n.grammar import quantity
from ashyq.index.engine import compute_index
from ashyq.index.formulas import clamp_and_round, raw_score
from ashyq.index.inputs import field_specs, input_columns, read_index_input
from ashyq.index.methodology import Methodology, load_methodology
from ashyq.index.published import PublishedReport
from ashyq.index.reconcile import CheckKind, Status, reconcile
from ashyq.periods import Period
from ashyq.records.ingest import QUARANTINE_COLUMNS, IngestReport, ingest
from ashyq.records.model import STORE_COLUMNS, RecordKind
from ashyq.records.store import RecordStore
from ashyq.reports.openness import OpennessData, build_openness_report
from ashyq.reports.statistics import computed_statistics
from ashyq.synth.appeals import SynthResult, synthesize_appeals
from ashyq.synth.calibration import BodyPlan, calibrate

BAD_DATA = Path(__file__).parent / "fixtures" / "appeals"
PERIOD = Period.parse("2025")
SCALE = 0.002
SEED = 1


# --- helpers -------------------------------------------------------------------------


def stored(store: RecordStore, kind: RecordKind = APPEALS) -> pa.Table:
    """Every stored record of ``kind`` in 2025, sorted by body and key; empty if none."""
    files = store.files(kind, PERIOD)
    if not files:
        return kind.arrow_schema().empty_table()
    table = pa.concat_tables([pq.read_table(f) for f in files])
    return table.sort_by([("body", "ascending"), (kind.key, "ascending")])


def quarantine_rows(report: IngestReport) -> list[dict[str, str]]:
    assert report.quarantine_file is not None
    with report.quarantine_file.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert tuple(reader.fieldnames or ()) == QUARANTINE_COLUMNS
        return list(reader)


def invoke(runner: CliRunner, args: list[str]) -> Result:
    return runner.invoke(app, args, catch_exceptions=False)


# --- 1. bad data: every kind of problem, where it is, what was expected and found --------


@dataclass(frozen=True)
class BadCase:
    file: str
    code: str
    row: int
    field: str | None
    expected: str  # a phrase of the English expectation
    found: tuple[str, ...]  # any of these spellings of what the file holds
    good_key: str  # the record of the same file that must land
    kind: RecordKind = APPEALS


BAD_CASES = [
    BadCase(
        "unknown_body.csv",
        "unknown_body",
        3,
        "body",
        "an evaluated body's code or name",
        ("Министерство магии",),
        "ЖТ-2025-0001",
    ),
    BadCase(
        "bad_datetime.csv",
        "invalid_datetime",
        3,
        "registered_at",
        "14.03.2025 10:05",
        ("31.02.2025 10:05",),
        "ЖТ-2025-0001",
    ),
    BadCase(
        "outside_period.csv",
        "outside_period",
        3,
        "registered_at",
        "a date from 2025-01-01 to 2025-12-31 (period 2025)",
        ("14.03.2024 10:05",),
        "ЖТ-2025-0001",
    ),
    BadCase(
        "unknown_choice.csv",
        "invalid_choice",
        3,
        "appeal_type",
        "one of: complaint, application, request, message, proposal, response",
        ("петиция",),
        "ЖТ-2025-0001",
    ),
    BadCase(
        "rating_out_of_range.csv",
        "out_of_range",
        3,
        "rating",
        "a whole number from 1 to 5",
        ("7",),
        "ЖТ-2025-0001",
    ),
    BadCase(
        "bad_distortion.csv",
        "invalid_codes",
        3,
        "distortions",
        "codes from wrong_type, wrong_topic",
        ("wrong_type|подделка",),
        "ЖТ-2025-0001",
    ),
    BadCase(
        "duplicate_number.csv",
        "duplicate_key",
        3,
        "registration_number",
        "a registration_number not used earlier in the file",
        ("ЖТ-2025-0001",),
        "ЖТ-2025-0001",
    ),
    BadCase(
        "redirect_without_date.csv",
        "redirect_incomplete",
        3,
        "redirected_at",
        "redirected_to and redirected_at given together",
        ("МВД",),
        "ЖТ-2025-0001",
    ),
    BadCase(
        "answer_before_registration.csv",
        "before_registration",
        3,
        "answered_at",
        "not before registered_at",
        ("13.03.2025 09:00", "2025-03-13 09:00"),
        "ЖТ-2025-0001",
    ),
    BadCase(
        "wrong_cell_count.csv",
        "unsplit_row",
        3,
        None,
        "12 cells separated by «;»",
        ("лишняя ячейка",),
        "ЖТ-2025-0001",
    ),
    BadCase(
        "received_without_receiver_cp1251.csv",
        "received_by_missing",
        3,
        "received_by",
        "who received (received_by) when received_at is given",
        ("21.02.2025 10:00", "2025-02-21 10:00"),
        "ЛП-2025-0001",
        BOOKINGS,
    ),
]


@pytest.mark.parametrize("case", BAD_CASES, ids=[c.file.removesuffix(".csv") for c in BAD_CASES])
def test_bad_row_is_quarantined_with_its_reason(case: BadCase, tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    report = ingest(BAD_DATA / case.file, PERIOD, KINDS, store=store)

    assert report.kind == case.kind.name
    assert [(p.code, p.row, p.column) for p in report.problems] == [
        (case.code, case.row, case.field)
    ]
    (problem,) = report.problems
    assert problem.file == str(BAD_DATA / case.file)
    assert case.expected in problem.expected.render("en")
    assert isinstance(problem.found, str)
    assert any(spelling in problem.found for spelling in case.found), problem.found

    # Nothing is lost: the bad record is quarantined, the good ones land.
    assert report.quarantined == 1
    assert report.read == report.stored + report.quarantined
    assert report.reconciles
    keys = stored(store, case.kind).column(case.kind.key).to_pylist()
    assert case.good_key in keys
    assert len(keys) == report.stored

    (row,) = quarantine_rows(report)
    assert row["file"] == str(BAD_DATA / case.file)
    assert int(row["row"]) == case.row
    assert row["field"] == (case.field or "")
    assert row["code"] == case.code
    assert row["expected"] == problem.expected.render("ru")
    assert any(spelling in row["found"] for spelling in case.found)
    if case.code != "unsplit_row":
        # The whole record as the file held it, so it can be fixed and sent again.
        record = json.loads(row["record"])
        assert record[case.kind.key] in row["record"]
        assert record["body"]


def test_a_row_split_wrongly_keeps_the_row_numbers_of_the_rows_after_it(tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    report = ingest(BAD_DATA / "wrong_cell_count.csv", PERIOD, KINDS, store=store)
    assert (report.read, report.new, report.quarantined) == (3, 2, 1)
    rows = dict(
        zip(
            stored(store).column("registration_number").to_pylist(),
            stored(store).column("source_row").to_pylist(),
            strict=True,
        )
    )
    assert rows == {"ЖТ-2025-0001": 2, "ЖТ-2025-0003": 4}


def test_russian_words_and_dates_are_read_as_codes(tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    ingest(BAD_DATA / "unknown_body.csv", PERIOD, KINDS, store=store)
    (record,) = stored(store).to_pylist()
    assert record["body"] == "mf"  # «МФ»
    assert record["registered_at"] == datetime(2025, 3, 14, 10, 5)
    assert record["appeal_type"] == "complaint"  # «жалоба»
    assert record["form"] == "paper_by_post"  # «почтой»
    assert record["applicant_kind"] == "individual"  # «ФЛ»
    assert record["rating"] == 5


def test_windows_1251_bookings_are_read(tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    ingest(BAD_DATA / "received_without_receiver_cp1251.csv", PERIOD, KINDS, store=store)
    (record,) = stored(store, BOOKINGS).to_pylist()
    assert record["booking_number"] == "ЛП-2025-0001"
    assert record["body"] == "almaty"  # «г. Алматы»
    assert record["received_by"] == "first_head"  # «аким»
    assert record["scheduled_for"] == date(2025, 2, 20)
    assert record["cancelled_by_applicant"] is False  # «нет»


@pytest.mark.parametrize(
    ("file", "code", "column"),
    [
        ("unknown_column.csv", "unknown_column", "комментарий"),
        ("missing_column.csv", "missing_column", "topic"),
    ],
)
def test_a_file_with_wrong_columns_is_refused_naming_the_column(
    file: str, code: str, column: str, tmp_path: Path
) -> None:
    store = RecordStore(tmp_path)
    with pytest.raises(InputError) as raised:
        ingest(BAD_DATA / file, PERIOD, KINDS, store=store)
    (problem,) = raised.value.problems
    assert (problem.code, problem.row, problem.column) == (code, 1, column)
    assert column in problem.render("en")
    assert store.files(APPEALS, PERIOD) == []


# --- 2. formats --------------------------------------------------------------------------

FORMAT_HEADER = (
    "registration_number",
    "registered_at",
    "body",
    "appeal_type",
    "form",
    "applicant_kind",
    "topic",
    "answered_at",
    "hearing_required",
    "rating",
)
# Typed values, as a spreadsheet or a Parquet file holds them; None is an empty cell.
FORMAT_RECORDS: list[tuple[Any, ...]] = [
    ("ЖТ-1", datetime(2025, 3, 14, 10, 5), "mf", "complaint", "electronic", "individual",
     "tax_customs", datetime(2025, 3, 20, 16, 0), True, 5),
    ("ЖТ-2", datetime(2025, 4, 1, 9, 0), "mf", "application", "paper_by_post", "legal_entity",
     "tax_customs", None, False, None),
    ("ЖТ-3", datetime(2025, 5, 2, 11, 30), "almaty", "request", "electronic", "individual",
     "housing_utilities", datetime(2025, 5, 6, 12, 0), False, 2),
    ("ЖТ-4", datetime(2025, 12, 31, 17, 59), "almaty", "proposal", "paper_in_person",
     "sole_proprietor", "housing_utilities", None, False, None),
]  # fmt: skip


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    return str(value)


def write_format(directory: Path, suffix: str) -> Path:
    path = directory / f"records{suffix}"
    rows = [dict(zip(FORMAT_HEADER, record, strict=True)) for record in FORMAT_RECORDS]
    if suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(FORMAT_HEADER)
            writer.writerows([_text(v) for v in record] for record in FORMAT_RECORDS)
    elif suffix == ".jsonl":
        lines = [json.dumps(row, ensure_ascii=False, default=str) for row in rows]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    elif suffix == ".parquet":
        pq.write_table(pa.Table.from_pylist(rows), path)
    else:
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.append(FORMAT_HEADER)
        for record in FORMAT_RECORDS:
            sheet.append(list(record))
        workbook.save(path)
    return path


def test_the_same_records_in_every_format_are_stored_alike(tmp_path: Path) -> None:
    tables: dict[str, pa.Table] = {}
    for suffix in (".csv", ".jsonl", ".parquet", ".xlsx"):
        store = RecordStore(tmp_path / suffix.strip("."))
        report = ingest(write_format(tmp_path, suffix), PERIOD, KINDS, store=store)
        assert (report.read, report.new, report.quarantined) == (4, 4, 0), report.problems
        provenance = [name for name, _ in STORE_COLUMNS]
        tables[suffix] = stored(store).drop_columns(provenance)
    csv_table = tables[".csv"]
    assert csv_table.num_rows == len(FORMAT_RECORDS)
    for suffix, table in tables.items():
        assert table.equals(csv_table), suffix
    by_key = {r["registration_number"]: r for r in csv_table.to_pylist()}
    assert (by_key["ЖТ-3"]["body"], by_key["ЖТ-3"]["rating"]) == ("almaty", 2)
    assert by_key["ЖТ-1"]["hearing_required"] is True
    assert by_key["ЖТ-2"]["answered_at"] is None


# --- 3. idempotence ---------------------------------------------------------------------


def test_ingesting_a_file_twice_stores_each_record_once(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "home")
    path = write_format(tmp_path, ".csv")
    first = ingest(path, PERIOD, KINDS, store=store)
    assert (first.new, first.replaced) == (4, 0)
    second = ingest(path, PERIOD, KINDS, store=store)
    assert (second.new, second.replaced, second.quarantined) == (0, 4, 0)
    assert stored(store).num_rows == 4


def test_a_changed_record_replaces_the_stored_one(tmp_path: Path) -> None:
    store = RecordStore(tmp_path / "home")
    ingest(write_format(tmp_path, ".csv"), PERIOD, KINDS, store=store)
    changed = tmp_path / "changed.csv"
    changed.write_text(
        ";".join(FORMAT_HEADER)
        + "\n"
        + "ЖТ-1;14.03.2025 10:05;МФ;жалоба;электронное;ФЛ;tax_customs;20.03.2025 16:00;да;1\n",
        encoding="utf-8",
    )
    report = ingest(changed, PERIOD, KINDS, store=store)
    assert (report.new, report.replaced) == (0, 1)
    table = stored(store)
    assert table.num_rows == 4
    ratings = dict(
        zip(
            table.column("registration_number").to_pylist(),
            table.column("rating").to_pylist(),
            strict=True,
        )
    )
    assert ratings["ЖТ-1"] == 1
    assert ratings["ЖТ-3"] == 2


# --- 4. a synthetic year ------------------------------------------------------------------


@dataclass(frozen=True)
class SyntheticYear:
    result: SynthResult
    appeals_report: IngestReport
    bookings_report: IngestReport
    data: PeriodData
    counts: dict[str, dict[str, int]]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyntheticYear]:
    root = tmp_path_factory.mktemp("synthetic")
    result = synthesize_appeals(
        load_methodology("2025"), root / "synth", period=PERIOD, scale=SCALE, seed=SEED
    )
    store = RecordStore(root / "home")
    appeals = ingest(result.appeals, PERIOD, KINDS, store=store)
    bookings = ingest(result.bookings, PERIOD, KINDS, store=store)
    data = open_period(PERIOD, store=store)
    yield SyntheticYear(result, appeals, bookings, data, body_counts(data))
    data.con.disconnect()


def test_every_synthetic_record_is_stored(synthetic: SyntheticYear) -> None:
    for report in (synthetic.appeals_report, synthetic.bookings_report):
        assert report.quarantined == 0, report.problems[:5]
        assert report.new == report.read > 0
    assert synthetic.appeals_report.read == synthetic.result.rows
    assert len(synthetic.result.plans) == 49
    assert set(synthetic.counts) == {plan.body for plan in synthetic.result.plans}


def test_counts_from_the_records_are_the_plans_counts(synthetic: SyntheticYear) -> None:
    wrong = []
    for plan in synthetic.result.plans:
        got = synthetic.counts[plan.body]
        planned = {**plan.counts, "ratings_total": plan.rated, "ratings_satisfied": plan.satisfied}
        assert set(planned) == {spec.name for spec in COUNTS}
        wrong += [
            f"{plan.body}.{name}: planned {value}, counted {got[name]}"
            for name, value in sorted(planned.items())
            if got[name] != value
        ]
    assert wrong == [], "\n".join(wrong)


def test_the_same_seed_writes_the_same_files(
    synthetic: SyntheticYear, tmp_path: Path, methodology: Methodology
) -> None:
    again = synthesize_appeals(methodology, tmp_path / "a", period=PERIOD, scale=SCALE, seed=SEED)
    other = synthesize_appeals(
        methodology, tmp_path / "b", period=PERIOD, scale=SCALE, seed=SEED + 1
    )
    assert again.appeals.read_bytes() == synthetic.result.appeals.read_bytes()
    assert again.bookings.read_bytes() == synthetic.result.bookings.read_bytes()
    mine = pq.read_table(synthetic.result.appeals)
    theirs = pq.read_table(other.appeals)
    assert not theirs.equals(mine)
    # A different seed draws other records, not other totals.
    assert theirs.num_rows == mine.num_rows


@pytest.mark.parametrize(
    ("count", "done", "deadline"),
    [
        ("reviewed_late", "answered_at", "review_deadline"),
        ("redirected_late", "redirected_at", "redirect_deadline"),
    ],
)
def test_drill_down_returns_the_records_behind_a_count(
    synthetic: SyntheticYear, count: str, done: str, deadline: str
) -> None:
    data = synthetic.data
    late = [body for body, values in synthetic.counts.items() if values[count] > 0]
    on_time = [body for body, values in synthetic.counts.items() if values[count] == 0]
    assert late  # otherwise the checks below would look at nothing
    seen = 0
    for body in late + on_time[:3]:
        values = synthetic.counts[body]
        behind = data.con.to_pyarrow(drill_down(data, body, count)).to_pylist()
        assert len(behind) == values[count], body
        for record in behind:
            assert record["body"] == body
            assert record[done].date() > record[deadline], record["registration_number"]
        seen += len(behind)
    assert seen == sum(synthetic.counts[body][count] for body in late)


# --- 5. national statistics -------------------------------------------------------------


def test_national_statistics_add_up(synthetic: SyntheticYear) -> None:
    stats = national_stats(synthetic.data)
    assert stats.total == sum(c["appeals_total"] for c in synthetic.counts.values())
    assert stats.total == synthetic.result.rows
    for shares in (stats.by_type, stats.by_form, stats.by_applicant_kind, stats.by_level):
        assert sum(s.count for s in shares) == stats.total
        percent = sum((s.share_pct for s in shares), Decimal(0))
        assert abs(percent - 100) <= Decimal("0.5")
    assert {s.key for s in stats.by_type} >= {"application", "complaint", "request"}
    levels = {s.key: s for s in stats.by_level}
    assert set(levels) == {Level.CGO.value, Level.MIO.value}
    assert levels["CGO"].count > levels["MIO"].count  # two thirds go to central bodies
    assert stats.previous_total is None
    assert stats.growth_pct is None
    assert stats.top_bodies[0].count == max(c["appeals_total"] for c in synthetic.counts.values())


def test_a_report_states_the_statistics_computed_from_the_records(
    synthetic: SyntheticYear,
) -> None:
    methodology = load_methodology("2025")
    stats = national_stats(synthetic.data)
    supplied = index_counts(synthetic.data, synthetic.counts, methodology)
    inputs = read_index_input(
        synthetic.result.authority_scores, methodology, load_bodies(), supplied=supplied
    )
    data = OpennessData(
        period=2025,
        result=compute_index(methodology, inputs, load_bodies()),
        facts={},
        previous=None,
        previous_period=None,
        statistics=computed_statistics(stats),
        source=Text(ru="записи", kk="жазбалар", en="records"),
    )
    report = build_openness_report(data, "ru")
    by_type = next(t for t in report.tables() if t.key == "stat_by_type")
    assert {row[0].text: row[1].value for row in by_type.rows} == {
        choice.ru: Decimal(s.count)
        for s in stats.by_type
        for choice in APPEALS.field("appeal_type").choices
        if choice.code == s.key
    }
    bodies = next(t for t in report.tables() if t.key == "stat_top_bodies")
    assert [row[1].value for row in bodies.rows] == [Decimal(s.count) for s in stats.top_bodies]
    total = quantity(stats.total, "appeal", "ru")
    assert any(total in getattr(block, "text", "") for block in report.blocks)


# --- 6. the command line end to end ---------------------------------------------------


def test_command_line_from_synthetic_files_to_the_index(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = tmp_path / "synth"
    runner = CliRunner(env={"ASHYQ_HOME": str(home), "ASHYQ_LANG": "en"})

    synth = ["synth", "appeals", "--scale", str(SCALE), "--seed", str(SEED), "--out", str(out)]
    made = invoke(runner, synth)
    assert made.exit_code == 0, made.output
    for name in ("appeals-2025.parquet", "bookings-2025.parquet"):
        loaded = invoke(runner, ["appeals", "ingest", str(out / name), "--period", "2025"])
        assert loaded.exit_code == 0, loaded.output
        assert "quarantined 0" in loaded.stdout
    # The store is under $ASHYQ_HOME, one file per body.
    assert len(list((home / "store" / "appeals" / "2025").glob("*.parquet"))) == 49
    assert len(list((home / "store" / "bookings" / "2025").glob("*.parquet"))) == 49

    indicators = invoke(runner, ["appeals", "indicators", "--period", "2025", "--format", "csv"])
    assert indicators.exit_code == 0, indicators.output
    rows = list(csv.reader(io.StringIO(indicators.stdout)))
    assert rows[0] == ["body", *INDEX_FIELDS]
    assert set(rows[0]) <= set(input_columns(load_methodology("2025")))
    assert len(rows) == 1 + 49

    # Each authority's own counts, as the file it uploads to the portal. The upload's check
    # (only the authority's own indicators, any subset of bodies) takes it once the
    # authority adds the scores of its indicators that no e-Otinish record measures.
    methodology = load_methodology("2025")
    supplied: set[str] = set()
    for authority in ("kpssu", "mki", "miicr"):
        path = tmp_path / f"{authority}.csv"
        command = ["appeals", "indicators", "--period", "2025", "--authority", authority]
        written = invoke(runner, [*command, "--out", str(path)])
        assert written.exit_code == 0, written.output
        with path.open(encoding="utf-8") as handle:
            header, *body_rows = list(csv.reader(handle))
        assert len(body_rows) == 49
        supplied |= set(header[1:])
        own = [i for i in methodology.indicators if i.authority.value == authority]
        columns = {name: [row[n] for row in body_rows] for n, name in enumerate(header)}
        rest = [
            i.id
            for i in own
            if not i.input_fields
            or not all(field in columns and all(columns[field]) for field in i.input_fields)
        ]
        with path.open("w", encoding="utf-8", newline="") as handle:
            completed = csv.writer(handle)
            completed.writerow([*header, *rest])
            completed.writerows([*row, *("0" for _ in rest)] for row in body_rows)
        own_ids = {i.id for i in own}
        read_index_input(
            path, methodology, load_bodies(), require_all_bodies=False, indicators=own_ids
        )
    assert supplied == {f for f in INDEX_FIELDS if f in field_specs(methodology)}
    wrong = invoke(runner, ["appeals", "indicators", "--period", "2025", "--authority", "akimat"])
    assert wrong.exit_code == 2
    assert "--authority akimat: expected one of kpssu, mki, miicr" in wrong.stderr

    as_json = invoke(runner, ["appeals", "indicators", "--period", "2025", "--format", "json"])
    by_body = json.loads(as_json.stdout)["bodies"]
    mf = dict(zip(rows[0], next(r for r in rows if r[0] == "mf"), strict=True))
    assert str(by_body["mf"]["reviewed_total"]) == mf["reviewed_total"]

    stats = invoke(runner, ["appeals", "stats", "--period", "2025", "--format", "json"])
    assert stats.exit_code == 0, stats.output
    assert json.loads(stats.stdout)["total"] == sum(
        int(by_body[b]["appeals_total"]) for b in by_body
    )

    late_body = max(by_body, key=lambda b: int(by_body[b]["reviewed_late"]))
    drill = invoke(runner, ["appeals", "drill", late_body, "reviewed_late", "--period", "2025"])
    assert drill.exit_code == 0, drill.output
    drilled = list(csv.DictReader(io.StringIO(drill.stdout)))
    assert len(drilled) == by_body[late_body]["reviewed_late"] > 0
    assert drilled[0]["registration_number"]

    scores = str(out / "authority-scores-2025.csv")
    computed = invoke(
        runner,
        ["index", "compute", "--period", "2025", "--input", scores, "--format", "csv"],
    )
    assert computed.exit_code == 0, computed.output
    results = list(csv.DictReader(io.StringIO(computed.stdout)))
    assert len(results) == 49
    assert len({row[next(iter(row))] for row in results}) == 49


def test_stats_without_records_says_to_ingest_first(tmp_path: Path) -> None:
    runner = CliRunner(env={"ASHYQ_HOME": str(tmp_path), "ASHYQ_LANG": "en"})
    shown = invoke(runner, ["appeals", "stats", "--period", "2025"])
    assert shown.exit_code == 2
    assert "appeals ingest" in shown.stderr


# --- 7. calibration to the published report at full scale --------------------------------


@pytest.fixture(scope="module")
def full_plans() -> dict[str, BodyPlan]:
    from ashyq.bodies import load_bodies
    from ashyq.index.published import load_published

    plans = calibrate(load_published(2025), load_methodology("2025"), load_bodies(), 1.0)
    return {plan.body: plan for plan in plans}


def test_full_scale_plan_is_the_national_year(full_plans: dict[str, BodyPlan]) -> None:
    assert sum(p.counts["appeals_total"] for p in full_plans.values()) == 5_882_116
    mf, almaty = full_plans["mf"].counts, full_plans["almaty"].counts
    assert (mf["reviewed_late"], mf["reviewed_total"]) == (22, 391_954)
    assert (almaty["redirected_late"], almaty["received_total"]) == (1806, 336_627)


def test_every_quoted_count_that_reproduces_is_in_the_plan(
    full_plans: dict[str, BodyPlan],
    methodology: Methodology,
    registry: BodyRegistry,
    report: PublishedReport,
) -> None:
    checks = [
        c
        for c in reconcile(methodology, registry, report).checks
        if c.kind is CheckKind.QUOTED_COUNTS
        and c.status is Status.REPRODUCED
        # Indicators the appeal records give, not the authorities' other scores.
        and set(methodology.indicator(c.subject).input_fields) <= set(INDEX_FIELDS)
    ]
    assert len(checks) > 50
    wrong = []
    for check in checks:
        indicator = methodology.indicator(check.subject)
        plan = full_plans[check.body]
        # The reconciliation shows the quoted counts it used: "field=value, ...".
        quoted = {
            name: Decimal(value.replace("\u00a0", "").replace(" ", "").replace(",", "."))
            for name, value in (part.split("=") for part in check.reason.split(", "))
        }
        values: dict[str, Decimal] = {}
        for name in indicator.input_fields:
            if name == "satisfaction_pct":
                share = satisfaction_pct(plan.satisfied, plan.rated)
                assert share is not None
                values[name] = share
                # A share of whole ratings: as near the quoted one as whole numbers allow.
                if abs(share - quoted[name]) > Decimal(50) / plan.rated + Decimal("0.05"):
                    wrong.append(f"{check.body}.{name}: quoted {quoted[name]}, planned {share}")
            else:
                values[name] = Decimal(plan.counts[name])
                if values[name] != quoted[name]:
                    wrong.append(f"{check.body}.{name}: quoted {quoted[name]}, planned {values}")
        score = clamp_and_round(
            raw_score(indicator, values, plan.level), indicator.max, methodology.rounding
        )
        published = report.score(check.subject, check.body)
        assert published is not None
        if score != published.score or check.subject in plan.unreproduced:
            wrong.append(f"{check.body}.{check.subject}: {score} vs published {published.score}")
    assert wrong == []
