"""``ashyq portal`` and ``ashyq serve`` on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ashyq.access.accounts import authenticate
from ashyq.cli import app
from ashyq.db import make_engine
from ashyq.db.models import Account


def test_create_admin_prints_a_password_that_signs_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASHYQ_HOME", str(tmp_path))
    monkeypatch.delenv("ASHYQ_DATABASE_URL", raising=False)
    runner = CliRunner()
    created = runner.invoke(app, ["portal", "create-admin", "chief"])
    assert created.exit_code == 0, created.output
    password = created.stdout.strip()
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    with Session(engine) as session:
        account = authenticate(session, "chief", password)
        assert account is not None
        assert account.role == "admin"
        assert session.scalars(select(Account.username)).all() == ["chief"]
    engine.dispose()
    again = runner.invoke(app, ["portal", "create-admin", "chief"])
    assert again.exit_code == 1
    assert "chief" in again.stderr


def test_serve_documents_its_options() -> None:
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--host", "--port", "--secure-cookies"):
        assert option in result.stdout
    demo = CliRunner().invoke(app, ["demo", "--help"])
    assert "--no-serve" in demo.stdout
