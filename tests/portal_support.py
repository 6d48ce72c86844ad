"""Shared helpers for the portal's tests: a seeded portal on SQLite or PostgreSQL, and
clients signed in as each demo account."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from ashyq.cycle.demo import seed_demo
from ashyq.cycle.workflow import ASTANA
from ashyq.db import make_engine, session_scope, upgrade
from ashyq.settings import Settings
from ashyq.web import create_app

# The server the PostgreSQL tests create throw-away databases on. CI installs and starts
# it (.ci/run) and sets ASHYQ_REQUIRE_POSTGRES=1, so there a missing server fails the run.
POSTGRES_ADMIN_URL = os.environ.get(
    "ASHYQ_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")

# The portal's tests live on one day, inside the 2026 dispute window, whatever the date:
# deadlines are judged by this clock, so the seeded periods never move under a test.
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=ASTANA)


def database_for(backend: str, folder: Path, template: str | None = None) -> Iterator[str]:
    """Yield the URL of an empty database of ``backend`` (a copy of ``template`` when given);
    a PostgreSQL one is dropped after."""
    if backend == "sqlite":
        target = folder / "portal.sqlite3"
        if template is not None:
            shutil.copyfile(template, target)
        yield f"sqlite:///{target}"
        return
    name = f"ashyq_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{template}"' if template else ""
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    except OperationalError as error:
        admin.dispose()
        if os.environ.get("ASHYQ_REQUIRE_POSTGRES"):
            raise
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {error.orig}")
    try:
        yield make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@dataclass
class SeededPortal:
    """A portal seeded by ``seed_demo``: its app, data directory and demo passwords."""

    app: FastAPI
    home: Path
    url: str
    passwords: dict[str, str]
    _clients: list[TestClient] = field(default_factory=list)

    def client(self) -> TestClient:
        """A new browser-like client (its own cookies), signed in as nobody."""
        client = TestClient(self.app)
        self._clients.append(client)
        return client

    def signed_in(self, username: str) -> TestClient:
        """A new client signed in through the API as a demo account."""
        client = self.client()
        sign_in(client, username, self.passwords[username])
        return client

    def close(self) -> None:
        for client in self._clients:
            client.close()
        self.app.state.ratings.stop()
        self.app.state.portal.engine.dispose()


def seed(url: str, home: Path) -> dict[str, str]:
    """Migrate and seed the database at ``url``; returns the demo passwords by username."""
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(sessionmaker(engine)) as session:
        accounts = seed_demo(session, home / "portal" / "files", now=NOW)
    engine.dispose()
    return {account.username: account.password for account in accounts}


def seeded_portal(
    url: str,
    home: Path,
    passwords: dict[str, str] | None = None,
    *,
    clock: Callable[[], datetime] = lambda: NOW,
    config: dict[str, Any] | None = None,
) -> SeededPortal:
    """A portal app over a freshly seeded database (or one already seeded: ``passwords``)."""
    if passwords is None:
        passwords = seed(url, home)
    app = create_app(Settings(home=home, database_url=url, **(config or {})), clock=clock)
    return SeededPortal(app, home, url, passwords)


@dataclass(frozen=True)
class SeededTemplate:
    """A database seeded once, which each test copies: a SQLite file or a PostgreSQL
    template database, the uploaded files, and the demo passwords."""

    backend: str
    source: str
    files: Path
    passwords: dict[str, str]


def seeded_template(backend: str, folder: Path) -> Iterator[SeededTemplate]:
    """Seed one database of ``backend`` for a whole test session."""
    home = folder / "home"
    for url in database_for(backend, folder):
        passwords = seed(url, home)
        source = str(folder / "portal.sqlite3") if backend == "sqlite" else make_url(url).database
        assert source is not None
        yield SeededTemplate(backend, source, home / "portal" / "files", passwords)


def portal_from(template: SeededTemplate, folder: Path, **options: Any) -> Iterator[SeededPortal]:
    """A portal over a fresh copy of ``template``, torn down after; ``options`` go to
    ``seeded_portal`` (the clock, the rating settings)."""
    home = folder / "home"
    shutil.copytree(template.files, home / "portal" / "files")
    for url in database_for(template.backend, folder, template.source):
        seeded = seeded_portal(url, home, dict(template.passwords), **options)
        try:
            yield seeded
        finally:
            seeded.close()


def csrf(client: TestClient) -> str:
    """The client's CSRF token (from the API, which sets the cookie when missing)."""
    token: str = client.get("/api/v1/session").json()["csrf_token"]
    return token


def sign_in(client: TestClient, username: str, password: str) -> dict[str, Any]:
    """Sign in through the API; fails the test when refused."""
    response = client.post(
        "/api/v1/session",
        json={"username": username, "password": password},
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def post_form(client: TestClient, url: str, data: dict[str, str], **kwargs: Any) -> Any:
    """Post a page form with the client's CSRF token, not following the redirect."""
    return client.post(
        url, data={**data, "csrf_token": csrf(client)}, follow_redirects=False, **kwargs
    )
