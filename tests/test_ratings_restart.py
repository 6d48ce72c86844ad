"""The escalation worker's state is the database: a portal process killed while an incident
is open escalates it after it is started again, and no acknowledged rating is lost.

The portal runs as ``ashyq serve`` in a process of its own, with a 3-second window so
the test does not wait five minutes; it is killed with SIGKILL (no shutdown hooks run).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ashyq.db import make_engine
from ashyq.db.models import Incident, Rating
from tests.served import Server

WINDOW_SECONDS = 3


def _post(url: str, body: dict[str, object], headers: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={**headers, "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "home", "--incident-window", str(WINDOW_SECONDS))
    try:
        yield running
    finally:
        if running.process is not None:
            running.kill()


def _incident(home: Path, incident_id: int) -> tuple[str, datetime | None]:
    """The incident's status and escalation time, read by a connection of the test's own."""
    engine = make_engine(f"sqlite:///{home / 'portal.sqlite3'}")
    try:
        with engine.connect() as connection:
            row = connection.execute(
                select(Incident.status, Incident.escalated_at).where(Incident.id == incident_id)
            ).one()
            return row.status, row.escalated_at
    finally:
        engine.dispose()


def test_an_incident_open_when_the_process_dies_escalates_after_the_restart(
    server: Server, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    server.run("ratings", "point", "add", "MF-AST-1", "--body", "mf", "--name", "ЦОН Астана")
    server.run(
        "ratings", "service", "add", "00101",
        "--name-ru", "Регистрация по месту жительства граждан Республики Казахстан",
        "--name-kk", "Қазақстан Республикасының азаматтарын тұрғылықты жері бойынша тіркеу",
    )  # fmt: skip
    key = server.run("ratings", "key", "issue", "terminal 1", "--point", "MF-AST-1")
    server.start()
    headers = {"Authorization": f"Bearer {key}", "Idempotency-Key": "t1-0001"}
    body = {"service": "00101", "score": 1, "comment": "Нет бланков"}
    code, receipt = _post(f"{server.url}/api/v1/ratings", body, headers)
    assert code == 201, receipt
    due = datetime.fromisoformat(receipt["incident"]["due_at"])

    server.kill()  # mid-incident: the window is still open
    killed_at = datetime.now(due.tzinfo)
    assert killed_at < due, "the process must die before the incident is due"
    time.sleep(max(0.0, (due - datetime.now(due.tzinfo)).total_seconds()) + 1.0)
    assert _incident(home, receipt["incident"]["id"])[0] == "open"  # nobody escalated

    server.start()
    deadline = time.monotonic() + 15
    status, escalated_at = _incident(home, receipt["incident"]["id"])
    while status == "open" and time.monotonic() < deadline:
        time.sleep(0.1)
        status, escalated_at = _incident(home, receipt["incident"]["id"])
    assert status == "escalated"
    assert escalated_at is not None and escalated_at >= due
    assert escalated_at - due < timedelta(seconds=60)

    # The acknowledged rating survived: its retry is answered from the database.
    code, again = _post(f"{server.url}/api/v1/ratings", body, headers)
    assert code == 200 and again["rating"] == receipt["rating"]
    engine = make_engine(f"sqlite:///{home / 'portal.sqlite3'}")
    with engine.connect() as connection:
        assert len(connection.execute(select(Rating.id)).all()) == 1
    engine.dispose()
