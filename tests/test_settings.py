"""One settings object: every setting read from the environment, shown with where it came
from, every path of the data home declared once, and the portal built from it."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from ashyq.cli import app as cli
from ashyq.cli import main
from ashyq.home import Home
from ashyq.settings import Settings, describe, override, settings
from ashyq.web import create_app

ROOT = Path(__file__).resolve().parents[1]


def test_settings_follow_the_environment_as_it_changes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ASHYQ_HOME", str(tmp_path / "one"))
    first = settings()
    assert settings() is first  # read once while nothing changes
    assert first.paths.store == tmp_path / "one" / "store"
    monkeypatch.setenv("ASHYQ_HOME", str(tmp_path / "two"))
    monkeypatch.setenv("ASHYQ_RATING_BURST", "7")
    again = settings()
    assert (again.home, again.rating_burst) == (tmp_path / "two", 7)
    assert again.database == f"sqlite:///{tmp_path / 'two' / 'portal.sqlite3'}"


def test_each_value_says_where_it_came_from(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASHYQ_MEMORY_LIMIT", "2GiB")
    monkeypatch.delenv("ASHYQ_SPARK_MASTER", raising=False)
    override(engine="spark")
    try:
        sources = {item.name: (item.value, item.source) for item in describe()}
    finally:
        override(engine=None)
    assert sources["memory_limit"] == ("2GiB", "environment")
    assert sources["engine"][1] == "option"
    assert sources["spark_master"] == ("local[*]", "default")
    assert list(sources) == list(Settings.model_fields)


def test_the_settings_command_shows_values_and_sources_without_passwords(tmp_path: Path) -> None:
    runner = CliRunner(
        env={
            "ASHYQ_HOME": str(tmp_path),
            "ASHYQ_LANG": "ru",
            "ASHYQ_DATABASE_URL": "postgresql+psycopg://ashyq:secret@db/ashyq",
        }
    )
    done = runner.invoke(cli, ["--engine", "spark", "settings", "--format", "json"])
    assert done.exit_code == 0, done.output
    rows = {row["variable"]: row for row in json.loads(done.stdout)}
    assert rows["ASHYQ_HOME"]["value"] == str(tmp_path)
    assert rows["ASHYQ_HOME"]["source"] == "environment"
    assert rows["ASHYQ_ENGINE"]["source"] == "option"
    assert rows["ASHYQ_INCIDENT_WINDOW"] == {
        "variable": "ASHYQ_INCIDENT_WINDOW",
        "value": 300.0,
        "source": "default",
        "description": Settings.model_fields["incident_window"].description,
    }
    assert "secret" not in done.stdout
    assert rows["ASHYQ_DATABASE_URL"]["value"] == "postgresql+psycopg://ashyq:***@db/ashyq"
    table = runner.invoke(cli, ["settings"])
    assert table.exit_code == 0, table.output
    assert "переменная окружения" in table.stdout and "по умолчанию" in table.stdout


def test_a_setting_given_a_wrong_value_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASHYQ_HOME", str(tmp_path))
    monkeypatch.setenv("ASHYQ_INCIDENT_WINDOW", "soon")
    # The other settings still hold: the message is in the language ASHYQ_LANG names.
    monkeypatch.setenv("ASHYQ_LANG", "kk")
    monkeypatch.setattr("sys.argv", ["ashyq", "settings"])
    with pytest.raises(SystemExit) as exited:
        main()
    err = capsys.readouterr().err
    assert exited.value.code == 2
    assert "«ASHYQ_INCIDENT_WINDOW»" in err and "кемінде 1 секунд саны" in err and "soon" in err
    assert "Traceback" not in err


def test_the_portal_is_built_from_one_settings_object(tmp_path: Path) -> None:
    config = Settings(home=tmp_path, rating_burst=3, incident_window=60, escalation_worker=False)
    app = create_app(config)
    with TestClient(app):
        desk = app.state.ratings
        assert desk.rules.window.total_seconds() == 60
        assert desk.limiter.burst == 3
        assert desk.worker is None
        assert desk.photos == Home(tmp_path).rating_photos
    assert Home(tmp_path).database.exists()  # the default database is in the home


def test_no_module_but_home_spells_the_layout_of_the_data_home() -> None:
    # Each folder and file name of the data home is written once, in ashyq/home.py: no
    # ``home / "portal"``, ``self.home / "store"`` or ``data_home() / "inputs"`` elsewhere.
    names = {"store", "quarantine", "portal", "files", "reports", "rating-photos", "inputs"}
    names |= {"methodologies", "calendar", "portal.sqlite3", "liability.yaml"}
    spelled = []
    for path in (ROOT / "src" / "ashyq").rglob("*.py"):
        if path.name == "home.py" and path.parent.name == "ashyq":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.BinOp)
                and isinstance(node.op, ast.Div)
                and isinstance(node.right, ast.Constant)
                and node.right.value in names
                and "home" in ast.unparse(node.left)
            ):
                spelled.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.right.value}")
    assert spelled == []
