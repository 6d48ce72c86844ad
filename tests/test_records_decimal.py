"""The decimal field type of the records framework: numbers as people in Kazakhstan write
them ("0,85", "1 234,5"), bounds, quarantine with reasons, and the Table Schema."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import ibis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ashyq.bodies import BodyRegistry
from ashyq.kinds import markdown_fields
from ashyq.numbers import parse_decimal
from ashyq.periods import Period
from ashyq.records.ingest import ingest
from ashyq.records.model import FieldSpec, FieldType, RecordKind
from ashyq.records.sources import ROW_COLUMN
from ashyq.records.store import RecordStore
from ashyq.records.validate import FLAG_COLUMN, checked_records, record_problems

PERIOD = Period.parse("2025")
NBSP = "\u00a0"

MEASURES = RecordKind(
    name="measures",
    title="A kind with decimal fields",
    key="measure_id",
    dated_by=None,
    fields=(
        FieldSpec("measure_id", FieldType.TEXT, "Number.", "M1", required=True),
        FieldSpec("body", FieldType.BODY, "Body.", "mf", required=True),
        FieldSpec(
            "weight",
            FieldType.DECIMAL,
            "Above 0, at most 100; 1 when empty.",
            "0,85",
            minimum=Decimal(0),
            maximum=Decimal(100),
            exclusive_minimum=True,
            default="1",
        ),
        FieldSpec("rate", FieldType.DECIMAL, "At least 2,5.", "3", minimum=Decimal("2.5")),
        FieldSpec("amount", FieldType.DECIMAL, "Any number.", "1 234,5"),
    ),
)


def _write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _stored(store: RecordStore) -> dict[str, dict[str, object]]:
    con = ibis.duckdb.connect()
    table = store.read(con, MEASURES, PERIOD)
    assert table is not None
    return {row["measure_id"]: row for row in con.to_pyarrow(table).to_pylist()}


def test_russian_numbers_are_read_and_bad_ones_quarantined_with_their_reason(
    tmp_path: Path,
) -> None:
    rows = [
        {"measure_id": "ok1", "body": "mf", "weight": "0,85", "rate": "2,5", "amount": "1 234,5"},
        {"measure_id": "ok2", "body": "mf", "weight": "", "rate": "3", "amount": f"1{NBSP}234,5"},
        {"measure_id": "ok3", "body": "mf", "weight": "100", "rate": "12.25", "amount": "-0,5"},
        {"measure_id": "ok4", "body": "mf", "weight": "1e-05", "rate": "", "amount": "1\u202f000"},
        {"measure_id": "words", "body": "mf", "weight": "много", "rate": "3", "amount": ""},
        {"measure_id": "mixed", "body": "mf", "weight": "1", "rate": "3", "amount": "1,234.5"},
        {"measure_id": "group", "body": "mf", "weight": "1", "rate": "3", "amount": "12 34,5"},
        {"measure_id": "zero", "body": "mf", "weight": "0", "rate": "3", "amount": ""},
        {"measure_id": "negative", "body": "mf", "weight": "-0,1", "rate": "3", "amount": ""},
        {"measure_id": "too_big", "body": "mf", "weight": "100,01", "rate": "3", "amount": ""},
        {"measure_id": "low_rate", "body": "mf", "weight": "1", "rate": "2,49", "amount": ""},
    ]  # fmt: skip
    path = _write_csv(tmp_path / "measures.csv", rows)
    store = RecordStore(tmp_path / "home")
    report = ingest(path, PERIOD, (MEASURES,), store=store, lang="en")

    assert report.read == 11
    assert (report.stored, report.quarantined) == (4, 7)
    assert report.reconciles
    stored = _stored(store)
    assert stored["ok1"]["weight"] == pytest.approx(0.85)
    assert stored["ok1"]["rate"] == pytest.approx(2.5)  # the minimum itself is allowed
    assert stored["ok1"]["amount"] == pytest.approx(1234.5)
    assert stored["ok2"]["weight"] == 1.0  # the default
    assert stored["ok2"]["amount"] == pytest.approx(1234.5)
    assert stored["ok3"]["weight"] == 100.0  # the maximum itself is allowed
    assert stored["ok3"]["amount"] == -0.5
    assert stored["ok4"]["weight"] == pytest.approx(1e-5)
    assert stored["ok4"]["rate"] is None
    assert stored["ok4"]["amount"] == 1000.0

    # Each problem names the file, the row (the header is row 1), the field, the expected
    # and the found value.
    found = {(p.row, p.column, p.code, p.found) for p in report.problems}
    assert found == {
        (6, "weight", "invalid_decimal", "много"),
        (7, "amount", "invalid_decimal", "1,234.5"),
        (8, "amount", "invalid_decimal", "12 34,5"),
        (9, "weight", "out_of_range", "0"),
        (10, "weight", "out_of_range", "-0,1"),
        (11, "weight", "out_of_range", "100,01"),
        (12, "rate", "below_minimum", "2,49"),
    }
    assert {p.file for p in report.problems} == {str(path)}
    messages = {p.code: p.render("en") for p in report.problems}
    assert "a number such as 0,85 or 1 234,5" in messages["invalid_decimal"]
    assert "a number greater than 0 and at most 100" in messages["out_of_range"]
    assert "a number of at least 2.5" in messages["below_minimum"]
    assert report.quarantine_file is not None
    with report.quarantine_file.open(encoding="utf-8") as handle:
        quarantined = list(csv.DictReader(handle))
    assert len(quarantined) == 7
    zero = next(row for row in quarantined if row["row"] == "9")
    assert zero["field"] == "weight"
    assert zero["expected"] == "a number greater than 0 and at most 100"
    assert zero["found"] == "0"


_SPELLING = st.tuples(
    st.decimals(
        min_value=Decimal("-9999999.999"),
        max_value=Decimal("9999999.999"),
        places=3,
        allow_nan=False,
        allow_infinity=False,
    ),
    st.sampled_from([" ", "\u00a0", "\u202f", ""]),
    st.sampled_from([",", "."]),
)


def _spell(value: Decimal, group: str, point: str) -> str:
    """``value`` as a person writes it: digits grouped in threes, a decimal comma or point."""
    sign = "-" if value < 0 else ""
    whole, _, fraction = f"{abs(value):f}".partition(".")
    grouped = f"{int(whole):,}".replace(",", group)
    return f"{sign}{grouped}{point + fraction if fraction else ''}"


@settings(max_examples=6, deadline=None)
@given(st.lists(_SPELLING, min_size=1, max_size=80))
def test_parsing_agrees_with_ashyq_numbers(spellings: list[tuple[Decimal, str, str]]) -> None:
    texts = [_spell(*spelling) for spelling in spellings]
    count = len(texts)
    raw = ibis.memtable(
        {
            ROW_COLUMN: list(range(1, count + 1)),
            "measure_id": [f"m{i}" for i in range(count)],
            "body": ["mf"] * count,
            "weight": [None] * count,
            "rate": [None] * count,
            "amount": texts,
        },
        schema={
            ROW_COLUMN: "int64",
            "measure_id": "string",
            "body": "string",
            "weight": "string",
            "rate": "string",
            "amount": "string",
        },
    )
    checked = checked_records(raw, MEASURES, PERIOD, _registry())
    con = ibis.duckdb.connect()
    problems = con.to_pyarrow(record_problems(raw, MEASURES, PERIOD, _registry()))
    assert problems.num_rows == 0, (texts, problems.to_pylist())
    records = con.to_pyarrow(checked).to_pylist()
    assert not any(row[FLAG_COLUMN] for row in records), texts
    parsed = {row[ROW_COLUMN]: row["amount"] for row in records}
    for row, text in enumerate(texts, start=1):
        assert parsed[row] == pytest.approx(float(parse_decimal(text)), abs=1e-9), text


def _registry() -> BodyRegistry:
    from ashyq.bodies import load_bodies

    return load_bodies()


def test_table_schema_and_docs_of_a_decimal_field() -> None:
    fields = {entry["name"]: entry for entry in MEASURES.table_schema()["fields"]}
    assert fields["weight"]["type"] == "number"
    assert fields["weight"]["constraints"] == {"exclusiveMinimum": 0, "maximum": 100}
    assert fields["weight"]["x-ashyq-default"] == "1"
    assert fields["rate"]["constraints"] == {"minimum": 2.5}
    assert "constraints" not in fields["amount"]
    assert MEASURES.record_schema().field("weight").type == "double"
    table = markdown_fields(MEASURES)
    assert "| `weight` | decimal |  | > 0–100; empty: `1` |" in table
    assert "| `rate` | decimal |  | ≥ 2.5 |" in table


def test_bounds_are_declared_only_where_they_mean_something() -> None:
    with pytest.raises(ValueError, match="only integer and decimal"):
        FieldSpec("name", FieldType.TEXT, "A name.", "x", minimum=1)
    with pytest.raises(ValueError, match="exclusive minimum"):
        FieldSpec("count", FieldType.INTEGER, "A count.", "1", minimum=0, exclusive_minimum=True)
    with pytest.raises(ValueError, match="exclusive minimum"):
        FieldSpec("share", FieldType.DECIMAL, "A share.", "1", exclusive_minimum=True)
