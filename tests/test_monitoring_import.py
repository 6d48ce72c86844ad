"""The import of public-monitoring answers: every row lands or is quarantined with its
reason, the counts reconcile, and the same answers read from CSV, Parquet and XLSX."""

from __future__ import annotations

import csv
import importlib
from datetime import date
from pathlib import Path

import ibis
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from ashyq.cli import app
from ashyq.monitoring.bodies import load_monitored_bodies
from ashyq.monitoring.model import KINDS, SURVEY_ANSWERS
from ashyq.periods import Period
from ashyq.records.ingest import ingest
from ashyq.records.store import RecordStore

FIXTURE = Path(__file__).parent / "fixtures" / "monitoring" / "answers_with_problems.csv"
PERIOD = Period.parse("2025")


def test_every_bad_answer_is_quarantined_with_its_reason(tmp_path: Path) -> None:
    store = RecordStore(tmp_path)
    report = ingest(FIXTURE, PERIOD, KINDS, store=store, lang="en")
    assert (report.read, report.stored, report.quarantined) == (13, 3, 10)
    assert report.reconciles
    found = {(p.row, p.column, p.code, p.found) for p in report.problems}
    assert found == {
        (5, "weight", "below_minimum", "0"),
        (6, "score", "out_of_range", "6"),
        (7, "body", "unknown_body", "Министерство магии"),
        (8, "surveyed_on", "outside_period", "17.10.2024"),
        (9, "region", "invalid_choice", "Москва"),
        (10, "barriers", "invalid_codes", "slow_wifi"),
        (11, "weight", "invalid_decimal", "1,234.5"),
        (12, "answer_id", "duplicate_key", "A2"),
        (13, "service_code", "repeated_answer", "vehicle_registration"),
        (14, "channel", "invalid_choice", "почта"),
        (14, "score", "missing_value", ""),
    }
    messages = {p.code: p.render("en") for p in report.problems}
    assert messages["below_minimum"].startswith(
        f"{FIXTURE}, row 5, column «weight»: expected a number greater than 0; found 0"
    )
    assert "a monitored body's code or name" in messages["unknown_body"]
    assert report.quarantine_file is not None
    with report.quarantine_file.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 11 and {row["row"] for row in rows} == {str(n) for n in range(5, 15)}

    con = ibis.duckdb.connect()
    table = store.read(con, SURVEY_ANSWERS, PERIOD)
    assert table is not None
    stored = {row["answer_id"]: row for row in con.to_pyarrow(table).to_pylist()}
    assert set(stored) == {"A1", "A2", "A3"}
    # Russian spellings and names read into codes and numbers.
    assert stored["A1"]["body"] == "mvd" and stored["A1"]["region"] == "almaty"
    assert stored["A1"]["channel"] == "state_corp" and stored["A1"]["weight"] == 0.85
    assert stored["A1"]["surveyed_on"] == date(2025, 10, 14)
    assert stored["A2"]["barriers"] == "long_queues|portal_unstable"
    assert stored["A2"]["weight"] == 1234.5 and stored["A2"]["channel"] == "egov"
    # A body the index does not evaluate, named as seed 001 prints it; the default weight.
    assert stored["A3"]["body"] == "academy_justice" and stored["A3"]["weight"] == 1.0
    assert stored["A3"]["region"] == "turkistan"


def test_the_monitored_bodies_are_the_49_and_the_other_central_bodies_rated() -> None:
    monitored = load_monitored_bodies()
    assert len(monitored) == 52
    central = [body for body in monitored if body.level.value == "CGO"]
    assert len(central) == 32  # seed 001 ¶3: 32 central bodies rated
    assert monitored.resolve("Комитет национальной безопасности РК").code == "knb"
    assert monitored.resolve("Генеральная прокуратура").code == "gp"


def _typed_answers() -> pa.Table:
    return pa.table(
        {
            "answer_id": ["P1", "P2", "P3"],
            "respondent_id": ["R1", "R1", "R2"],
            "surveyed_on": pa.array([date(2025, 3, 1), date(2025, 3, 1), date(2025, 4, 2)]),
            "service_code": ["archives", "tax_offset_refund", "archives"],
            "body": ["mki", "Министерство финансов", "mki"],
            "region": ["astana", "Карагандинская область", "shymkent"],
            "channel": ["egov", "state_corp", "provider"],
            "score": pa.array([5, 3, 4], pa.int64()),
            "barriers": [None, "long_queues|understaffing", "poor_feedback"],
            "weight": pa.array([0.5, 1.25, 2.0], pa.float64()),
        }
    )


def _write_xlsx(table: pa.Table, path: Path) -> None:
    openpyxl = importlib.import_module("openpyxl")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(table.column_names)
    for row in table.to_pylist():
        sheet.append(list(row.values()))
    book.save(path)


@pytest.mark.parametrize("suffix", [".parquet", ".xlsx"])
def test_import_command_reads_parquet_and_xlsx_and_replaces_on_reimport(
    tmp_path: Path, suffix: str
) -> None:
    path = tmp_path / f"answers{suffix}"
    if suffix == ".parquet":
        pq.write_table(_typed_answers(), path)
    else:
        _write_xlsx(_typed_answers(), path)
    runner = CliRunner(env={"ASHYQ_HOME": str(tmp_path / "home"), "ASHYQ_LANG": "en"})
    args = ["monitoring", "import", str(path), "--year", "2025"]
    first = runner.invoke(app, args, catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "read 3 = stored 3 (new 3, replaced 0) + quarantined 0" in first.output
    again = runner.invoke(app, args, catch_exceptions=False)
    assert "read 3 = stored 3 (new 0, replaced 3) + quarantined 0" in again.output
    con = ibis.duckdb.connect()
    table = RecordStore(tmp_path / "home").read(con, SURVEY_ANSWERS, PERIOD)
    assert table is not None
    rows = {row["answer_id"]: row for row in con.to_pyarrow(table).to_pylist()}
    assert rows["P2"]["body"] == "mf" and rows["P2"]["region"] == "karaganda"
    assert rows["P2"]["weight"] == 1.25 and rows["P2"]["score"] == 3
    assert rows["P1"]["surveyed_on"] == date(2025, 3, 1)


def test_import_of_a_file_of_another_year_quarantines_every_answer(tmp_path: Path) -> None:
    runner = CliRunner(env={"ASHYQ_HOME": str(tmp_path), "ASHYQ_LANG": "en"})
    path = tmp_path / "answers.parquet"
    pq.write_table(_typed_answers(), path)
    result = runner.invoke(
        app, ["monitoring", "import", str(path), "--year", "2024"], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert "read 3 = stored 0 (new 0, replaced 0) + quarantined 3" in result.output
    assert "expected a date from 2024-01-01 to 2024-12-31" in result.output


def test_bodies_command_lists_the_monitored_bodies() -> None:
    result = CliRunner(env={"ASHYQ_LANG": "en"}).invoke(app, ["monitoring", "bodies"])
    assert result.exit_code == 0
    lines = [line for line in result.stdout.splitlines() if "│" in line]
    assert len(lines) == 52  # every monitored body (the header is drawn with «┃»)
    assert any("knb" in line and "monitored only" in line for line in lines)
    assert any("mf " in line and "evaluated" in line for line in lines)
