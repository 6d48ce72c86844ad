"""The public-monitoring report and portal pages, over a small synthetic survey of two
years stored in a data home."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ashyq.cli import app as cli
from ashyq.i18n import LANGUAGES, Lang
from ashyq.monitoring.figures import open_survey, year_figures
from ashyq.monitoring.names import group_names
from ashyq.records.store import RecordStore
from ashyq.reports.monitoring import (
    MonitoringData,
    build_monitoring_report,
    monitoring_data,
)
from ashyq.settings import Settings
from ashyq.synth.survey import synthesize_survey
from ashyq.web import create_app
from tests.report_support import check_all_formats, plain, sheets_by_caption

YEARS = [2024, 2025]


@dataclass
class Survey:
    home: Path
    data: MonitoringData
    client: TestClient


@pytest.fixture(scope="module")
def survey(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Survey]:
    home = tmp_path_factory.mktemp("survey-home")
    synthesize_survey(YEARS, home, seed=3, scale=0.25, layout="store")
    data = monitoring_data(open_survey(store=RecordStore(home)), 2025)
    app = create_app(Settings(home=home))
    with TestClient(app) as client:
        yield Survey(home, data, client)


def _spelled(value: float, places: int, lang: Lang) -> str:
    from ashyq.i18n.grammar import number

    return number(Decimal(str(value)).quantize(Decimal(1).scaleb(-places)), lang, places)


def test_the_data_is_what_the_figures_module_computes(survey: Survey) -> None:
    direct = year_figures(open_survey(store=RecordStore(survey.home)), 2025, "body")
    assert survey.data.bodies.rows == direct.rows
    assert survey.data.bodies.previous == 2024
    assert [row["period"] for row in survey.data.trend] == YEARS
    assert survey.data.published is not None  # 2025 is the year the agency published


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_report_in_every_format_and_language(survey: Survey, lang: Lang) -> None:
    report = build_monitoring_report(survey.data, lang)
    files, texts = check_all_formats(report, f"monitoring-{lang}")
    body_name = group_names("body", lang)
    national = survey.data.bodies.national
    for name in ("docx", "pdf", "html"):  # the workbook holds numbers, checked below
        flat = plain(texts[name])
        assert _spelled(national["average"], 2, lang) in flat
        assert _spelled(national["satisfaction_pct"], 1, lang) in flat
    html = plain(unescape(texts["html"]))
    for row in survey.data.bodies.rows:
        assert plain(body_name(str(row["key"]))) in html
    workbook = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))
    sheets = sheets_by_caption(workbook)
    by_key = {table.key: sheets[table.caption] for table in report.tables()}
    bodies = by_key["bodies"]
    values = [row for row in bodies.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert len(values) == len(survey.data.bodies.rows)
    # Averages are numbers with their exact value, ranks run from 1.
    first = survey.data.bodies.rows[0]
    assert values[0][0] == 1
    average = values[0][3]
    assert isinstance(average, float | int)
    assert average == pytest.approx(first["average"], abs=0.005)
    services = [r for r in by_key["services"].iter_rows(values_only=True) if isinstance(r[0], int)]
    assert len(services) == len(survey.data.services.rows) == 72


def test_the_page_shows_the_year_with_its_changes_and_charts(survey: Survey) -> None:
    for lang in LANGUAGES:
        page = survey.client.get(f"/monitoring?lang={lang}")
        assert page.status_code == 200
        text = plain(unescape(re.sub(r"<[^>]+>", " ", page.text)))
        national = survey.data.bodies.national
        assert _spelled(national["average"], 2, lang) in text
        for row in survey.data.bodies.rows:
            assert plain(group_names("body", lang)(str(row["key"]))) in text
        assert page.text.count("<svg") == 3  # trend, bodies, barriers
    older = survey.client.get("/monitoring?year=2024&lang=en")
    assert older.status_code == 200 and "Change against 2023" not in older.text
    assert survey.client.get("/monitoring?year=2019").status_code == 404


def test_the_report_downloads_are_generated_once_per_state_of_the_store(survey: Survey) -> None:
    first = survey.client.get("/reports/monitoring/2025.xlsx?lang=en")
    assert first.status_code == 200
    folders = list((survey.home / "portal" / "reports").glob("monitoring-*"))
    assert len(folders) == 1 and (folders[0] / "monitoring-2025-en.xlsx").is_file()
    again = survey.client.get("/reports/monitoring/2025.xlsx?lang=en")
    assert again.content == first.content
    html = survey.client.get("/reports/monitoring/2025.html?lang=kk")
    assert html.status_code == 200 and "script" not in html.headers["content-security-policy"]
    assert survey.client.get("/reports/monitoring/2019.pdf").status_code == 404
    assert survey.client.get("/reports/monitoring/2025.odt").status_code == 404


def test_without_stored_answers_the_page_shows_what_the_agency_published(tmp_path: Path) -> None:
    app = create_app(Settings(home=tmp_path))
    page = TestClient(app).get("/monitoring?lang=ru")
    assert page.status_code == 200
    assert "4,88" in page.text and "90,5" in page.text and "4,59" in page.text


def test_the_report_command_writes_files_and_names_a_missing_year(
    survey: Survey, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASHYQ_HOME", str(survey.home))
    runner = CliRunner()
    out = tmp_path / "monitoring.docx"
    done = runner.invoke(
        cli, ["report", "monitoring", "--year", "2025", "--format", "docx", "--out", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert out.stat().st_size > 10_000
    missing = runner.invoke(cli, ["report", "monitoring", "--year", "2018", "--lang", "en"])
    assert missing.exit_code == 2
    assert "ashyq monitoring import" in missing.output


def test_the_json_api_gives_each_grouping_with_names_in_the_readers_language(
    survey: Survey,
) -> None:
    years = survey.client.get("/api/v1/monitoring").json()
    assert years == {"years": YEARS, "published": 2025}
    bodies = survey.client.get("/api/v1/monitoring/2025?lang=en").json()
    assert bodies["by"] == "body" and bodies["previous"] == 2024
    assert [g["key"] for g in bodies["groups"]] == [r["key"] for r in survey.data.bodies.rows]
    first = bodies["groups"][0]
    assert first["rank"] == 1
    assert first["name"] == group_names("body", "en")(first["key"])
    national = survey.data.bodies.national
    assert bodies["national"]["average"] == pytest.approx(national["average"], abs=1e-6)
    assert bodies["national"]["change_satisfaction_pp"] == pytest.approx(
        national["change_satisfaction_pp"], abs=1e-6
    )
    for by, rows in (
        ("service", survey.data.services.rows),
        ("region", survey.data.regions.rows),
        ("channel", survey.data.channels.rows),
    ):
        grouped = survey.client.get(f"/api/v1/monitoring/2025?by={by}&lang=kk").json()
        assert len(grouped["groups"]) == len(rows) > 0
        assert sum(g["answers"] for g in grouped["groups"]) == national["answers"]
    assert survey.client.get("/api/v1/monitoring/2025?by=colour").status_code == 422
    missing = survey.client.get("/api/v1/monitoring/2019")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
