"""One flat projection of the results document, rendered by one set of renderers.

The CLI's results files and the portal's open data are the same table: the same columns
in the same order, the same values, and one Table Schema that names them.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner

from ashyq.bodies import load_bodies
from ashyq.cli import app
from ashyq.index.engine import BodyInput, IndexResult
from ashyq.index.methodology import Methodology
from ashyq.results.document import results_document
from ashyq.results.render import RENDERERS, Results
from ashyq.results.table import TABLES, results_table
from tests.portal_support import SeededPortal
from tests.test_cli import write_input


def _results(result: IndexResult, lang: str = "en") -> Results:
    document = results_document(result, 2025)
    return Results(document, result.methodology, load_bodies(), lang)  # type: ignore[arg-type]


def test_the_export_package_and_its_second_registry_are_gone() -> None:
    assert importlib.util.find_spec("ashyq.export") is None


def test_the_cli_csv_is_the_open_data_csv(
    read_only_portal: SeededPortal, result_2025: IndexResult
) -> None:
    published = read_only_portal.client().get("/open-data/2025/v1/results.csv")
    assert published.status_code == 200
    assert RENDERERS["csv"].render(_results(result_2025)) == published.content


def test_one_column_order_and_its_schema(result_2025: IndexResult) -> None:
    methodology = result_2025.methodology
    table = results_table(_results(result_2025))
    criteria = [c.id for c in methodology.criteria]
    indicators = [i.id for i in methodology.indicators]
    expected = ["body", "name_ru", "name_kk", "name_en", "level", "rank", "total", "grade"]
    for criterion in criteria:
        expected += [criterion, f"{criterion}_category"]
    for indicator in indicators:
        expected += [indicator, f"{indicator}_level"]
    assert [column.name for column in table.columns] == expected
    schema = table.schema()
    assert [field["name"] for field in schema["fields"]] == expected
    assert schema["primaryKey"] == ["body"]
    kinds = {field["name"]: field["type"] for field in schema["fields"]}
    assert kinds["rank"] == "integer" and kinds["total"] == "number"
    assert kinds[criteria[0]] == "number" and kinds[f"{criteria[0]}_category"] == "string"
    for row in table.rows:
        assert list(row) == expected


def test_every_format_renders_the_same_table(result_2025: IndexResult) -> None:
    from openpyxl import load_workbook

    results = _results(result_2025)
    table = results_table(results)
    as_csv = list(csv.DictReader(io.StringIO(RENDERERS["csv"].render(results).decode())))
    as_json = json.loads(RENDERERS["json"].render(results))
    workbook = load_workbook(io.BytesIO(RENDERERS["xlsx"].render(results)), read_only=True)
    try:
        sheet = [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()
    names = [column.name for column in table.columns]
    assert list(as_csv[0]) == names
    assert [field["name"] for field in as_json["schema"]["fields"]] == names
    assert sheet[0] == names
    for number, row in enumerate(table.rows):
        for index, name in enumerate(names):
            value = row[name]
            if isinstance(value, Decimal):
                assert Decimal(as_csv[number][name]) == value
                assert Decimal(str(as_json["rows"][number][name])) == value
                assert Decimal(str(sheet[number + 1][index])) == value
            elif value is not None:
                assert as_csv[number][name] == str(value)
                assert as_json["rows"][number][name] == value


def test_movements_follow_the_results_in_one_order(result_2025: IndexResult) -> None:
    earlier = results_document(result_2025, 2024).payload()
    document = results_document(result_2025, 2025, previous=earlier)
    results = Results(document, result_2025.methodology, load_bodies(), "en")
    names = [column.name for column in results_table(results).columns]
    moved = names[names.index("total_previous") :]
    assert moved[:6] == [
        "total_previous",
        "total_change",
        "grade_previous",
        "grade_change",
        "rank_previous",
        "rank_change",
    ]
    criteria = [c.id for c in result_2025.methodology.criteria]
    assert moved[6:8] == [f"{criteria[0]}_previous", f"{criteria[0]}_change"]
    row = results_table(results).rows[0]
    assert row["total_change"] == "kept" and row[f"{criteria[0]}_change"] == "kept"


def test_every_table_has_a_schema_naming_its_key(result_2025: IndexResult) -> None:
    results = _results(result_2025)
    for build in TABLES.values():
        table = build(results)
        schema = table.schema()
        names = [field["name"] for field in schema["fields"]]
        assert set(schema["primaryKey"]) <= set(names)
        keys = [tuple(row[k] for k in schema["primaryKey"]) for row in table.rows]
        assert len(keys) == len(set(keys))


def test_the_cli_json_reads_back_as_previous_results(
    tmp_path: Path, methodology: Methodology, reference_inputs: list[BodyInput]
) -> None:
    source = write_input(tmp_path / "input-2025.csv", methodology, reference_inputs)
    out = tmp_path / "results.json"
    runner = CliRunner()
    first = runner.invoke(
        app,
        ["index", "compute", "--input", str(source), "--format", "json", "--out", str(out)],
    )
    assert first.exit_code == 0, first.output
    second = runner.invoke(
        app,
        ["index", "compute", "--input", str(source), "--previous", str(out), "--format", "csv"],
    )
    assert second.exit_code == 0, second.output
    rows = list(csv.DictReader(io.StringIO(second.stdout)))
    assert {row["total_change"] for row in rows} == {"kept"}
