"""The ``ashyq`` command line, driven as a user drives it: exit codes, files and printed text."""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest
import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner, Result

from ashyq.access.accounts import authenticate
from ashyq.bodies import BodyRegistry, Level
from ashyq.cli import app, main
from ashyq.db import make_engine
from ashyq.db.models import ApiKey, EvaluationPeriod, Rating
from ashyq.errors import StorageFullError
from ashyq.i18n import translate
from ashyq.i18n.grammar import number
from ashyq.index.engine import BodyInput, IndexResult
from ashyq.index.explain import explain
from ashyq.index.methodology import Methodology
from ashyq.index.published import PublishedReport
from ashyq.numbers import parse_decimal

BODIES_HEADER = ["code", "level", "name_ru", "name_kk", "name_en", "aliases"]
UNKNOWN_BODY = "Министерство магии"
# The workbook's sheets, in the source language of the catalogues.
SHEETS = ("Results", "Inputs", "Methodology", "Columns")


@pytest.fixture
def runner() -> CliRunner:
    # Messages default to Russian unless $ASHYQ_LANG says otherwise: make sure it does not.
    return CliRunner(env={"ASHYQ_LANG": None})


def invoke(runner: CliRunner, args: Sequence[str]) -> Result:
    return runner.invoke(app, list(args), catch_exceptions=False)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def csv_header(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text)))


def load_workbook(path: Path) -> Any:
    # openpyxl ships no type information; reach it through importlib so that mypy --strict
    # sees a plain module whether or not stubs are installed.
    openpyxl = importlib.import_module("openpyxl")
    return openpyxl.load_workbook(path, read_only=True)


def sheet_rows(sheet: Any) -> list[tuple[object, ...]]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def write_input(
    path: Path,
    methodology: Methodology,
    inputs: Sequence[BodyInput],
    changes: dict[tuple[str, str], str] | None = None,
    *,
    first_body: str | None = None,
) -> Path:
    """An index input as a Russian-locale spreadsheet saves it: ';' between cells, '3,78'."""
    ids = [indicator.id for indicator in methodology.indicators]
    lines = [";".join(["body", *ids])]
    for position, body_input in enumerate(inputs):
        cells = [number(body_input.scores[i].value, "ru") for i in ids]
        for index, indicator_id in enumerate(ids):
            override = (changes or {}).get((body_input.body, indicator_id))
            if override is not None:
                cells[index] = override
        name = first_body if position == 0 and first_body is not None else body_input.body
        lines.append(";".join([name, *cells]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def input_csv(tmp_path: Path, methodology: Methodology, reference_inputs: list[BodyInput]) -> Path:
    return write_input(tmp_path / "input-2025.csv", methodology, reference_inputs)


def leading_columns(methodology: Methodology) -> list[str]:
    """The columns of the results table (``ashyq.results.table``), in their order."""
    columns = ["body", "name_ru", "name_kk", "name_en", "level", "rank", "total", "grade"]
    for criterion in methodology.criteria:
        columns += [criterion.id, f"{criterion.id}_category"]
    for indicator in methodology.indicators:
        columns += [indicator.id, f"{indicator.id}_level"]
    return columns


# --- bodies list ---------------------------------------------------------------------------


def test_bodies_list_csv_has_the_documented_header_and_every_body(
    runner: CliRunner, registry: BodyRegistry
) -> None:
    result = invoke(runner, ["bodies", "list", "--format", "csv"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ",".join(BODIES_HEADER)
    rows = csv_rows(result.stdout)
    assert len(rows) == 49
    assert [row["code"] for row in rows] == [body.code for body in registry]
    levels = [row["level"] for row in rows]
    assert levels.count("CGO") == 29
    assert levels.count("MIO") == 20


def test_bodies_list_csv_aliases_are_semicolon_separated(runner: CliRunner) -> None:
    rows = {
        row["code"]: row
        for row in csv_rows(invoke(runner, ["bodies", "list", "--format", "csv"]).stdout)
    }

    mf_aliases = rows["mf"]["aliases"].split(";")
    assert "МФ" in mf_aliases
    assert "Министерство финансов" in mf_aliases
    assert all(alias == alias.strip() and alias for alias in mf_aliases)


def test_bodies_list_csv_lists_each_alias_once(runner: CliRunner) -> None:
    rows = csv_rows(invoke(runner, ["bodies", "list", "--format", "csv"]).stdout)

    repeated = {
        row["code"]: row["aliases"]
        for row in rows
        if len(row["aliases"].split(";")) != len(set(row["aliases"].split(";")))
    }
    examples = "; ".join(f"{code}: {aliases}" for code, aliases in list(repeated.items())[:3])
    assert not repeated, f"{len(repeated)} bodies list an alias twice, e.g. {examples}"


def test_bodies_list_csv_keeps_almaty_city_and_almaty_region_apart(runner: CliRunner) -> None:
    rows = {
        row["code"]: row
        for row in csv_rows(invoke(runner, ["bodies", "list", "--format", "csv"]).stdout)
    }

    city, region = rows["almaty"], rows["almaty_region"]
    assert city["level"] == region["level"] == "MIO"
    assert city["name_ru"] != region["name_ru"]
    assert city["name_en"] != region["name_en"]
    city_aliases = set(city["aliases"].split(";"))
    region_aliases = set(region["aliases"].split(";"))
    assert city_aliases.isdisjoint(region_aliases)
    assert "г. Алматы" in city_aliases
    assert "Алматинская" in region_aliases


def test_bodies_list_level_filter(runner: CliRunner) -> None:
    result = invoke(runner, ["bodies", "list", "--format", "csv", "--level", "MIO"])

    assert result.exit_code == 0, result.output
    rows = csv_rows(result.stdout)
    assert len(rows) == 20
    assert {row["level"] for row in rows} == {"MIO"}


# --- index template ------------------------------------------------------------------------


def test_index_template_lists_every_accepted_column_and_every_body(
    runner: CliRunner, methodology: Methodology, registry: BodyRegistry
) -> None:
    result = invoke(runner, ["index", "template"])

    assert result.exit_code == 0, result.output
    header = csv_header(result.stdout)
    assert header[0] == "body"
    for indicator in methodology.indicators:
        assert indicator.id in header
    for field in methodology.raw_fields:
        assert field in header
    assert len(header) == len(set(header))
    body_rows = list(csv.reader(io.StringIO(result.stdout)))[1:]
    assert len(body_rows) == 49
    assert [row[0] for row in body_rows] == [body.code for body in registry]


def test_index_template_out_writes_the_same_file(runner: CliRunner, tmp_path: Path) -> None:
    printed = invoke(runner, ["index", "template"]).stdout
    out = tmp_path / "template.csv"

    result = invoke(runner, ["index", "template", "--out", str(out)])

    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8") == printed


# --- index compute -------------------------------------------------------------------------


def test_compute_csv_from_russian_numbers_reproduces_the_published_totals(
    runner: CliRunner, input_csv: Path, methodology: Methodology, report: PublishedReport
) -> None:
    result = invoke(runner, ["index", "compute", "--input", str(input_csv), "--format", "csv"])

    assert result.exit_code == 0, result.output
    header = csv_header(result.stdout)
    expected = leading_columns(methodology)
    assert len(expected) == 8 + 2 * 4 + 2 * 20  # 4 criteria, 20 indicators
    assert header[: len(expected)] == expected
    rows = csv_rows(result.stdout)
    assert len(rows) == 49
    for row in rows:
        published = report.score("total", row["body"])
        assert published is not None, row["body"]
        # Machine-readable output: dot decimals, whatever the input used.
        assert "," not in row["total"]
        assert Decimal(row["total"]) == published.score, row["body"]


def test_compute_csv_ranks_each_level_separately(runner: CliRunner, input_csv: Path) -> None:
    rows = csv_rows(
        invoke(runner, ["index", "compute", "--input", str(input_csv), "--format", "csv"]).stdout
    )

    for level in Level:
        of_level = [row for row in rows if row["level"] == level.value]
        assert of_level[0]["rank"] == "1"
        totals = [Decimal(row["total"]) for row in of_level]
        assert totals == sorted(totals, reverse=True)
    mio_first = next(row for row in rows if row["level"] == "MIO")
    assert mio_first["body"] == "zhambyl"
    assert mio_first["grade"] == "AAA"


def test_compute_json(
    runner: CliRunner, input_csv: Path, methodology: Methodology, report: PublishedReport
) -> None:
    result = invoke(runner, ["index", "compute", "--input", str(input_csv), "--format", "json"])

    assert result.exit_code == 0, result.output
    payload = cast(dict[str, Any], json.loads(result.stdout))
    assert payload["methodology"] == {"id": methodology.id, "version": methodology.version}
    assert payload["period"] == 2025
    fields = [field["name"] for field in payload["schema"]["fields"]]
    assert fields == leading_columns(methodology)
    results = cast(list[dict[str, Any]], payload["rows"])
    assert len(results) == 49
    for row in results:
        published = report.score("total", row["body"])
        assert published is not None
        assert isinstance(row["total"], int | float)
        assert Decimal(str(row["total"])) == published.score, row["body"]
        assert isinstance(row["rank"], int)


def test_compute_xlsx_writes_a_workbook(
    runner: CliRunner, input_csv: Path, tmp_path: Path, methodology: Methodology
) -> None:
    out = tmp_path / "results" / "index.xlsx"

    result = invoke(
        runner,
        ["index", "compute", "--input", str(input_csv), "--format", "xlsx", "--out", str(out)],
    )

    assert result.exit_code == 0, result.output
    workbook = load_workbook(out)
    try:
        rows = sheet_rows(workbook.worksheets[0])
    finally:
        workbook.close()
    header = [str(cell) for cell in rows[0]]
    assert header[: len(leading_columns(methodology))] == leading_columns(methodology)
    data = [row for row in rows[1:] if any(cell is not None for cell in row)]
    assert len(data) == 49
    assert {row[0] for row in data} >= {"mf", "zhambyl", "almaty", "almaty_region"}


def test_compute_xlsx_needs_out(runner: CliRunner, input_csv: Path) -> None:
    result = invoke(runner, ["index", "compute", "--input", str(input_csv), "--format", "xlsx"])

    assert result.exit_code != 0
    assert "--out" in result.stderr
    assert result.stdout == ""


def test_compute_unknown_format_is_refused(runner: CliRunner, input_csv: Path) -> None:
    result = invoke(runner, ["index", "compute", "--input", str(input_csv), "--format", "pdf"])

    assert result.exit_code == 2
    assert "pdf" in result.stderr
    assert result.stdout == ""


@pytest.fixture
def unknown_body_csv(
    tmp_path: Path, methodology: Methodology, reference_inputs: list[BodyInput]
) -> Path:
    return write_input(
        tmp_path / "with-unknown-body.csv",
        methodology,
        reference_inputs,
        first_body=UNKNOWN_BODY,
    )


def test_compute_rejects_an_unknown_body_naming_file_row_and_column(
    runner: CliRunner, unknown_body_csv: Path
) -> None:
    result = invoke(
        runner,
        ["index", "compute", "--input", str(unknown_body_csv), "--format", "csv", "--lang", "en"],
    )

    assert result.exit_code == 2
    assert result.stdout == ""
    line = next((text for text in result.stderr.splitlines() if UNKNOWN_BODY in text), None)
    assert line is not None, result.stderr
    assert str(unknown_body_csv) in line
    assert "row 2" in line  # the header is row 1, the first body row 2
    assert "«body»" in line
    assert "expected" in line


def test_compute_error_messages_follow_lang(runner: CliRunner, unknown_body_csv: Path) -> None:
    args = ["index", "compute", "--input", str(unknown_body_csv), "--format", "csv"]

    english = invoke(runner, [*args, "--lang", "en"])
    russian = invoke(runner, [*args, "--lang", "ru"])

    assert english.exit_code == 2
    assert russian.exit_code == 2
    assert "expected" in english.stderr
    assert "found" in english.stderr
    for output in (english.stderr, russian.stderr):
        assert str(unknown_body_csv) in output
        assert UNKNOWN_BODY in output
        assert "body" in output
    assert "ожидалось" in russian.stderr
    assert "expected" not in russian.stderr


def test_compute_partial_input_needs_partial_flag(
    runner: CliRunner, tmp_path: Path, methodology: Methodology, reference_inputs: list[BodyInput]
) -> None:
    path = write_input(tmp_path / "two-bodies.csv", methodology, reference_inputs[:2])
    args = ["index", "compute", "--input", str(path), "--format", "csv"]

    refused = invoke(runner, [*args, "--lang", "en"])
    accepted = invoke(runner, [*args, "--partial"])

    assert refused.exit_code == 2
    assert "a row for every evaluated body" in refused.stderr
    assert accepted.exit_code == 0, accepted.output
    assert len(csv_rows(accepted.stdout)) == 2


def test_compute_with_previous_reports_dynamics(
    runner: CliRunner,
    input_csv: Path,
    tmp_path: Path,
    methodology: Methodology,
    reference_inputs: list[BodyInput],
) -> None:
    first = invoke(runner, ["index", "compute", "--input", str(input_csv), "--format", "csv"])
    assert first.exit_code == 0, first.output
    previous = tmp_path / "results-previous.csv"
    previous.write_text(first.stdout, encoding="utf-8")
    by_code = {body_input.body: body_input for body_input in reference_inputs}
    assert by_code["mid"].scores["knowledge_base"].value == 0
    improved = write_input(
        tmp_path / "input-improved.csv",
        methodology,
        reference_inputs,
        {("mid", "knowledge_base"): "7"},
    )

    result = invoke(
        runner,
        [
            "index",
            "compute",
            "--input",
            str(improved),
            "--previous",
            str(previous),
            "--format",
            "csv",
        ],
    )

    assert result.exit_code == 0, result.output
    header = csv_header(result.stdout)
    assert "total_change" in header
    assert "grade_change" in header
    assert "total_previous" in header
    rows = {row["body"]: row for row in csv_rows(result.stdout)}
    before = {row["body"]: row for row in csv_rows(first.stdout)}
    mid = rows["mid"]
    assert mid["knowledge_base_change"] == "improved"
    assert mid["total_change"] == "improved"
    assert Decimal(mid["total"]) == Decimal(before["mid"]["total"]) + 7
    assert mid["total_previous"] == before["mid"]["total"]
    assert mid["grade_change"] in {"improved", "kept"}
    unchanged = rows["zhambyl"]
    assert unchanged["total_change"] == "kept"
    assert unchanged["grade_change"] == "kept"
    assert unchanged["rank_change"] == "kept"


def test_compute_with_unreadable_previous_exits_2(
    runner: CliRunner, input_csv: Path, tmp_path: Path
) -> None:
    first = invoke(runner, ["index", "compute", "--input", str(input_csv), "--format", "csv"])
    previous = tmp_path / "previous.csv"
    previous.write_text(first.stdout.replace("\nmt,", "\nnot-a-body,", 1), encoding="utf-8")

    result = invoke(
        runner,
        [
            "index",
            "compute",
            "--input",
            str(input_csv),
            "--previous",
            str(previous),
            "--format",
            "csv",
            "--lang",
            "en",
        ],
    )

    assert result.exit_code == 2
    assert str(previous) in result.stderr
    assert "not-a-body" in result.stderr
    assert result.stdout == ""


# --- index reproduce -----------------------------------------------------------------------


def test_reproduce_2025_text_summarises_the_totals(runner: CliRunner) -> None:
    result = invoke(runner, ["index", "reproduce", "2025", "--lang", "en"])

    assert result.exit_code == 0, result.output
    assert "Totals: 44 reproduced, 5 reproduced with an erratum" in result.stdout.splitlines()


def test_reproduce_2025_json(runner: CliRunner) -> None:
    result = invoke(runner, ["index", "reproduce", "2025", "--format", "json"])

    assert result.exit_code == 0, result.output
    payload = cast(dict[str, Any], json.loads(result.stdout))
    assert payload["period"] == 2025
    assert payload["methodology"] == "openness-2025"
    assert payload["summary"]["total"] == {"reproduced": 44, "reproduced_with_erratum": 5}
    checks = cast(list[dict[str, Any]], payload["checks"])
    kinds = {check["kind"] for check in checks}
    assert {"total", "grade", "quoted_counts"} <= kinds
    totals = [check for check in checks if check["kind"] == "total"]
    assert len(totals) == 49
    assert {check["status"] for check in totals} == {"reproduced", "reproduced_with_erratum"}
    for check in totals:
        assert parse_decimal(check["published"]) == parse_decimal(check["computed"]), check


def test_reproduce_unknown_period_fails_with_a_message(runner: CliRunner) -> None:
    result = invoke(runner, ["index", "reproduce", "1999"])

    assert result.exit_code != 0
    assert "1999" in result.stderr
    assert "2025" in result.stderr  # names the periods that are available


# --- index explain -------------------------------------------------------------------------


def test_explain_by_code_and_by_abbreviation_agree(
    runner: CliRunner, result_2025: IndexResult, methodology: Methodology
) -> None:
    by_code = invoke(runner, ["index", "explain", "mf"])
    by_abbreviation = invoke(runner, ["index", "explain", "МФ"])

    assert by_code.exit_code == 0, by_code.output
    assert by_abbreviation.exit_code == 0, by_abbreviation.output
    assert by_code.stdout == by_abbreviation.stdout
    mf = result_2025.for_body("mf")
    lines = by_code.stdout.splitlines()
    assert number(mf.total, "ru") in lines[0]
    assert number(mf.total, "ru") == "91,07"
    losses = explain(methodology, mf).losses
    assert losses
    positions = [by_code.stdout.index(f"({loss.indicator.id})") for loss in losses]
    assert positions == sorted(positions), "points lost are listed largest first"
    assert f"−{number(losses[0].points_lost, 'ru')}" in by_code.stdout


def test_explain_in_english(runner: CliRunner) -> None:
    result = invoke(runner, ["index", "explain", "mf", "--lang", "en"])

    assert result.exit_code == 0, result.output
    assert "total 91.07" in result.stdout
    assert "Points lost" in result.stdout
    assert "Open budget (open_budget): 7.55 / 12, −4.45" in result.stdout


def test_explain_unknown_body_exits_2(runner: CliRunner) -> None:
    result = invoke(runner, ["index", "explain", "nonexistent"])

    assert result.exit_code == 2
    assert "nonexistent" in result.stderr
    assert result.stdout == ""


# --- demo ----------------------------------------------------------------------------------


def test_demo_writes_the_results_and_prints_the_ranking(
    runner: CliRunner, tmp_path: Path, methodology: Methodology
) -> None:
    out = tmp_path / "out"

    result = invoke(runner, ["demo", "--out", str(out), "--no-serve"])

    assert result.exit_code == 0, result.output
    for suffix in (".xlsx", ".csv", ".json"):
        assert (out / f"openness-index-2025{suffix}").is_file(), suffix
    workbook = load_workbook(out / "openness-index-2025.xlsx")
    try:
        # Russian by default.
        assert list(workbook.sheetnames) == [translate(name, "ru") for name in SHEETS]
        assert workbook.sheetnames[0] != "Results"
        rows = sheet_rows(workbook.worksheets[0])
    finally:
        workbook.close()
    assert [str(cell) for cell in rows[0]][:3] == ["body", "name_ru", "name_kk"]
    assert len([row for row in rows[1:] if row[0] is not None]) == 49
    csv_text = (out / "openness-index-2025.csv").read_text(encoding="utf-8")
    assert len(csv_rows(csv_text)) == 49
    payload = cast(
        dict[str, Any], json.loads((out / "openness-index-2025.json").read_text("utf-8"))
    )
    assert len(payload["rows"]) == 49
    # The top MIO, in Russian, with its total in the Russian spelling.
    assert re.search(r"│\s+1 │ Жамбылская область\s+│.*96,15", result.stdout), result.stdout
    lines = result.stdout.rstrip("\n").splitlines()
    portal_at = next(i for i, line in enumerate(lines) if "portal.sqlite3" in line)
    reports_at = next(i for i, line in enumerate(lines) if f"{out / 'reports'}" in line)
    reconciled, chain, services, control, monitoring, ranked = lines[reports_at - 6 : reports_at]
    assert "2025" in reconciled
    assert "49" in reconciled
    assert "`ashyq index reproduce 2025`" in reconciled
    assert "Recomputed" not in reconciled  # said in Russian, like the rest
    # Then the chain from synthetic records to grades, on the embedded DuckDB.
    import pyarrow.parquet as pq

    stored = list((out / "home" / "store" / "appeals" / "2025").glob("*.parquet"))
    assert len(stored) == 49
    appeals = sum(pq.ParquetFile(path).metadata.num_rows for path in stored)
    assert appeals > 50_000
    assert f"— {appeals} " in chain, chain  # every synthetic appeal landed
    from_records = (out / "openness-index-2025-from-records.csv").read_text(encoding="utf-8")
    assert len(csv_rows(from_records)) == 49
    # And public services: synthetic deliveries to the registry of violations.
    violations = csv_rows((out / "violations-2025.csv").read_text(encoding="utf-8"))
    assert re.search(
        rf"найдено нарушений — {len(violations)} \(запланировано {len(violations)}\)", services
    ), services
    # And what control did about them, every kind of record counted.
    stats = json.loads((out / "services-stats-2025.json").read_text(encoding="utf-8"))
    assert stats["protocols"]["total"] >= 1
    assert stats["disciplinary"]["total"] >= 1
    assert (
        f"контрольные мероприятия — {stats['control_measures']['total']}, "
        f"восстановлены права — {stats['rights_restored']['total']}"
    ) in control, control
    # And the public monitoring: surveys of 2016-2025 stored, 2025's figures as seed 001's.
    surveys = sorted(p.name for p in (out / "home" / "store" / "survey_answers").iterdir())
    assert surveys == [str(year) for year in range(2016, 2026)]
    assert "2016-2025" in monitoring and "4,88" in monitoring and "90,5%" in monitoring
    assert "4,59 → 4,88" in monitoring, monitoring
    assert re.search(r"29\D+32\D+20\D", ranked), ranked
    # Then the reports, in the reader's language, each file announced.
    written = {path.name for path in (out / "reports").iterdir()}
    assert written == {
        *(f"openness-2025-ru{suffix}" for suffix in (".html", ".pdf", ".docx", ".xlsx")),
        "scorecard-2025-almaty-ru.pdf",
        "scorecard-2025-almaty-ru.docx",
        "compendium-2025-synthetic-ru.pdf",
        "compendium-2025-synthetic-ru.xlsx",
    }
    assert len(lines[reports_at:portal_at]) == len(written)
    # Last, the portal: seeded, and an account for every role printed with its password.
    ratings_at = next(i for i, line in enumerate(lines) if "/workspace/ratings" in line)
    accounts: dict[str, str] = {}
    for line in lines[portal_at + 1 : ratings_at]:
        printed = re.fullmatch(r"\s+.+: (\S+) / (\S+)(?: \(.+\))?", line)
        assert printed is not None, line
        accounts[printed[1]] = printed[2]
    assert {"admin", "analyst", "kpssu", "mki", "miicr", "mf"} <= set(accounts)
    engine = make_engine(f"sqlite:///{out / 'home' / 'portal.sqlite3'}")
    with Session(engine) as session:
        states = dict(session.execute(select(EvaluationPeriod.year, EvaluationPeriod.state)).all())
        assert states == {2025: "published", 2026: "disputes_open"}
        analyst = authenticate(session, "analyst", accounts["analyst"])
        assert analyst is not None
        assert analyst.role == "analyst"
        # And a week of service ratings, with a key to try the endpoint with.
        summary = re.search(r"(\d+)\D+(\d+)\D+(\d+)", lines[ratings_at])
        assert summary is not None
        assert int(summary[1]) == session.scalar(select(func.count()).select_from(Rating))
        key = re.search(r"ashyq_([a-z0-9]{12})_\S+", lines[ratings_at + 1])
        assert key is not None
        assert session.scalar(select(ApiKey.label).where(ApiKey.prefix == key[1]))
    engine.dispose()


def test_demo_in_english_states_the_reconciliation(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"

    result = invoke(runner, ["demo", "--out", str(out), "--lang", "en", "--no-serve"])

    assert result.exit_code == 0, result.output
    workbook = load_workbook(out / "openness-index-2025.xlsx")
    try:
        assert list(workbook.sheetnames) == list(SHEETS)
    finally:
        workbook.close()
    assert "Zhambyl" in result.stdout
    assert (
        "Recomputed the 2025 report: 49 of 49 totals and 72 stated grades reproduced; "
        "5 report errors corrected by documented errata" in result.stdout
    )


def test_compute_json_errors_use_the_one_error_shape() -> None:
    fixture = Path(__file__).parent / "fixtures/index/unknown_body.csv"
    result = CliRunner().invoke(
        app,
        [
            "index",
            "compute",
            "--input",
            str(fixture),
            "--partial",
            "--format",
            "json",
            "--lang",
            "en",
        ],
    )
    assert result.exit_code == 2
    payload = json.loads(result.stderr)
    [error] = payload["errors"]
    assert error["code"] == "unknown_body" and error["row"] == 3 and error["column"] == "body"
    assert error["found"] == "Министерство магии"


def test_a_full_disk_is_one_clear_message_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(*_args: object, **_kwargs: object) -> None:
        raise StorageFullError

    monkeypatch.setattr("ashyq.cli.bodies.load_bodies", full)
    monkeypatch.setattr("sys.argv", ["ashyq", "bodies", "list"])
    monkeypatch.setenv("ASHYQ_LANG", "en")
    with pytest.raises(SystemExit) as exited:
        main()
    assert exited.value.code == 1
    assert "disk is full" in capsys.readouterr().err


def _commands_with(option: str) -> list[list[str]]:
    """The path of every command of the CLI that takes ``option``."""
    found: list[list[str]] = []

    def walk(command: Any, path: list[str]) -> None:
        if hasattr(command, "commands"):  # a group
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
        elif any(option in param.opts for param in command.params):
            found.append(path)

    walk(typer.main.get_command(app), [])
    return found


FORMAT_COMMANDS = _commands_with("--format")
LANG_COMMANDS = _commands_with("--lang")


def test_the_format_commands_are_found() -> None:
    assert ["bodies", "list"] in FORMAT_COMMANDS
    assert ["settings"] in FORMAT_COMMANDS
    assert len(FORMAT_COMMANDS) >= 15


@pytest.mark.parametrize("command", FORMAT_COMMANDS, ids=" ".join)
def test_every_command_refuses_an_unknown_format_the_same_way(
    command: list[str], tmp_path: Path
) -> None:
    # One check of --format for every command, made before the command runs or asks for
    # its other options: exit status 2 and one line in the reader's language (--lang, else
    # the setting) naming what was given and what may be, whichever option comes first.
    calls = [({"ASHYQ_LANG": "kk"}, ["--format", "odt"])]
    if command in LANG_COMMANDS:
        calls += [
            ({"ASHYQ_LANG": "en"}, ["--format", "odt", "--lang", "kk"]),
            ({"ASHYQ_LANG": "en"}, ["--lang", "kk", "--format", "odt"]),
        ]
    for env, arguments in calls:
        runner = CliRunner(env={"ASHYQ_HOME": str(tmp_path), **env})
        result = runner.invoke(app, [*command, *arguments])
        assert result.exit_code == 2, result.output
        assert "Белгісіз пішім odt; рұқсат етілгендері: " in result.stderr
        assert "Traceback" not in result.output


PERIOD_COMMANDS = _commands_with("--period")


@pytest.mark.parametrize("command", PERIOD_COMMANDS, ids=" ".join)
def test_every_command_refuses_a_bad_period_in_the_readers_language(
    command: list[str], tmp_path: Path
) -> None:
    runner = CliRunner(env={"ASHYQ_HOME": str(tmp_path), "ASHYQ_LANG": "kk"})
    result = runner.invoke(app, [*command, "--period", "2025Q3"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "2025Q3" in result.stderr
    assert "expected" not in result.stderr  # not the English message


@pytest.mark.parametrize("command", _commands_with("--year"), ids=" ".join)
def test_every_command_refuses_a_bad_year_in_the_readers_language(
    command: list[str], tmp_path: Path
) -> None:
    runner = CliRunner(env={"ASHYQ_HOME": str(tmp_path), "ASHYQ_LANG": "ru"})
    result = runner.invoke(app, [*command, "--year", "20x5"])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "--year 20x5: ожидал" in result.stderr


def test_a_format_is_taken_in_any_case(tmp_path: Path) -> None:
    runner = CliRunner(env={"ASHYQ_HOME": str(tmp_path)})
    result = runner.invoke(app, ["bodies", "list", "--format", "JSON"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)
