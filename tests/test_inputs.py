"""Reading and validating index input files: every bad cell is named precisely."""

from __future__ import annotations

import tracemalloc
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from ashyq.bodies import BodyRegistry
from ashyq.errors import InputError, InputProblem
from ashyq.index.engine import compute_index
from ashyq.index.inputs import read_index_input
from ashyq.index.methodology import Methodology
from ashyq.index.published import PublishedReport
from tests.conftest import FIXTURES

INDEX = FIXTURES / "index"


def problems(path: Path, methodology: Methodology, registry: BodyRegistry) -> list[InputProblem]:
    with pytest.raises(InputError) as caught:
        read_index_input(path, methodology, registry, require_all_bodies=False)
    return caught.value.problems


def only(path: Path, methodology: Methodology, registry: BodyRegistry) -> InputProblem:
    found = problems(path, methodology, registry)
    assert len(found) == 1, [p.render("en") for p in found]
    return found[0]


def test_valid_file_with_russian_numbers_reproduces_the_published_totals(
    methodology: Methodology, registry: BodyRegistry, report: PublishedReport
) -> None:
    inputs = read_index_input(INDEX / "valid-2025.csv", methodology, registry)
    assert len(inputs) == 49
    result = compute_index(methodology, inputs, registry)
    for body in result.bodies:
        published = report.score("total", body.body.code)
        assert published is not None
        assert body.total == published.score, body.body.code


def test_xlsx_input(tmp_path: Path, methodology: Methodology, registry: BodyRegistry) -> None:
    source = (INDEX / "valid-2025.csv").read_text(encoding="utf-8").splitlines()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in source:
        # A real sheet holds numbers as numbers, not text.
        cells: list[str | float] = [
            float(c.replace(",", ".")) if c.replace(",", "").isdigit() else c
            for c in line.split(";")
        ]
        sheet.append(cells)
    path = tmp_path / "input.xlsx"
    workbook.save(path)
    inputs = read_index_input(path, methodology, registry)
    by_code = {i.body: i for i in inputs}
    assert by_code["mf"].scores["review_timeliness"].value == Decimal("3.78")
    assert by_code["mf"].scores["review_timeliness"].provenance.row == 19


def test_raw_counts_are_computed_with_provenance(
    methodology: Methodology, registry: BodyRegistry
) -> None:
    [mf] = read_index_input(
        INDEX / "raw_counts.csv", methodology, registry, require_all_bodies=False
    )
    result = compute_index(methodology, [mf], registry).for_body("mf")
    assert result.indicators["review_timeliness"].score == Decimal("3.78")
    assert result.indicators["court_upheld"].score == Decimal("1.16")
    fact = result.indicators["review_timeliness"].facts["reviewed_late"]
    assert fact.value == 22
    assert (fact.provenance.file.endswith("raw_counts.csv"), fact.provenance.row) == (True, 2)
    assert fact.provenance.column == "reviewed_late" and fact.provenance.authority == "kpssu"


def test_unknown_body(methodology: Methodology, registry: BodyRegistry) -> None:
    problem = only(INDEX / "unknown_body.csv", methodology, registry)
    assert (problem.code, problem.row, problem.column, problem.found) == (
        "unknown_body",
        3,
        "body",
        "Министерство магии",
    )
    assert "unknown_body.csv, row 3, column «body»" in problem.render("en")


def test_duplicated_body(methodology: Methodology, registry: BodyRegistry) -> None:
    problem = only(INDEX / "duplicate_body.csv", methodology, registry)
    assert (problem.code, problem.row) == ("duplicate_body", 4)
    assert "already on row 2" in problem.render("en")


def test_missing_bodies(methodology: Methodology, registry: BodyRegistry) -> None:
    with pytest.raises(InputError) as caught:
        read_index_input(INDEX / "raw_counts.csv", methodology, registry)
    missing = [p for p in caught.value.problems if p.code == "missing_body"]
    assert len(missing) == 48
    assert any("no row for mz" in p.render("en") for p in missing)


@pytest.mark.parametrize(
    ("fixture", "code", "column", "found"),
    [
        ("negative_count.csv", "negative", "reviewed_late", "-1"),
        ("numerator_above_denominator.csv", "numerator_above_denominator", "reviewed_late", "101"),
        ("score_above_max.csv", "score_out_of_range", "review_timeliness", "4.5"),
        ("score_and_counts.csv", "score_and_counts", "reviewed_late", "22"),
        ("not_a_number.csv", "not_a_number", "open_budget", "много"),
        ("missing_indicator.csv", "missing_indicator", "open_budget", ""),
    ],
)
def test_each_kind_of_bad_cell_is_named(
    methodology: Methodology,
    registry: BodyRegistry,
    fixture: str,
    code: str,
    column: str,
    found: str,
) -> None:
    found_problems = problems(INDEX / fixture, methodology, registry)
    matching = [p for p in found_problems if p.code == code]
    assert matching, [p.render("en") for p in found_problems]
    problem = matching[0]
    assert (problem.row, problem.column, problem.found) == (2, column, found)


def test_both_score_and_counts_reports_every_extra_count(
    methodology: Methodology, registry: BodyRegistry
) -> None:
    found = problems(INDEX / "score_and_counts.csv", methodology, registry)
    assert {p.column for p in found} == {"reviewed_late", "reviewed_total"}
    assert "review_timeliness" in found[0].render("en")


def test_messages_in_russian_and_english(methodology: Methodology, registry: BodyRegistry) -> None:
    problem = only(INDEX / "not_a_number.csv", methodology, registry)
    english, russian = problem.render("en"), problem.render("ru")
    assert "row 2" in english and "expected a number" in english and "found много" in english
    assert "строка 2" in russian and "ожидалось" in russian and "много" in russian
    assert problem.render("kk") != english


def test_every_problem_of_a_file_is_reported_at_once(
    tmp_path: Path, methodology: Methodology, registry: BodyRegistry
) -> None:
    text = (INDEX / "unknown_body.csv").read_text(encoding="utf-8")
    text = text.replace(";7,55;", ";много;", 1)
    path = tmp_path / "two-problems.csv"
    path.write_text(text, encoding="utf-8")
    found = problems(path, methodology, registry)
    assert [p.code for p in found] == ["not_a_number", "unknown_body"]


def test_unknown_column_is_rejected(
    tmp_path: Path, methodology: Methodology, registry: BodyRegistry
) -> None:
    path = tmp_path / "extra.csv"
    path.write_text("body;review_timeliness;comment\nМФ;3,78;ok\n", encoding="utf-8")
    found = problems(path, methodology, registry)
    assert found[0].code == "unknown_column" and found[0].column == "comment" and found[0].row == 1


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("missing.csv", None, "an existing file"),
        ("empty.csv", b"", "a header row and data rows"),
        ("scores.pdf", b"%PDF-1.7", "a .csv or .xlsx file"),
        ("broken.xlsx", b"not a zip", "an Excel workbook"),
    ],
)
def test_unreadable_files(
    tmp_path: Path,
    methodology: Methodology,
    registry: BodyRegistry,
    name: str,
    content: bytes | None,
    expected: str,
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    found = problems(path, methodology, registry)
    assert expected in found[0].render("en")


def test_windows_1251_csv_is_read(
    tmp_path: Path, methodology: Methodology, registry: BodyRegistry
) -> None:
    text = (INDEX / "raw_counts.csv").read_text(encoding="utf-8")
    path = tmp_path / "cp1251.csv"
    path.write_bytes(text.encode("cp1251"))
    [mf] = read_index_input(path, methodology, registry, require_all_bodies=False)
    assert mf.body == "mf"


def test_one_json_error_shape(methodology: Methodology, registry: BodyRegistry) -> None:
    problem = only(INDEX / "score_above_max.csv", methodology, registry)
    shape = problem.as_dict("en")
    assert list(shape) == ["code", "file", "row", "column", "expected", "found", "message"]
    assert shape["code"] == "score_out_of_range" and shape["row"] == 2
    assert shape["column"] == "review_timeliness" and shape["found"] == "4.5"
    assert shape["expected"] == "a score from 0 to 4"


def test_an_index_input_of_a_million_rows_is_refused_while_it_is_read(
    tmp_path: Path, methodology: Methodology, registry: BodyRegistry
) -> None:
    # One row per body: a file of a million rows (a broken export, or an attack on the
    # portal's upload) is refused at the row limit, not read whole into memory.
    path = tmp_path / "huge.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write("body,review_timeliness\n")
        out.writelines(f"unknown body {n},1\n" for n in range(1_000_000))
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as raised:
            read_index_input(path, methodology, registry, require_all_bodies=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024
    (problem,) = raised.value.problems
    assert (problem.code, problem.row) == ("too_large", 1002)  # the header, then 1,000 rows
