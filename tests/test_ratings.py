"""Real-time ratings: the endpoint, its keys, limits and idempotency, incidents and their
escalation, the dashboards, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from ashyq.bodies import load_bodies
from ashyq.cli import app
from ashyq.db import make_engine, session_scope, upgrade
from ashyq.db.models import AuditEntry, Incident, RatedService, Rating
from ashyq.ratings.demo import DEMO_POINTS, seed_ratings
from ashyq.ratings.desk import RatingDesk
from ashyq.ratings.incidents import dashboard, escalate_due
from ashyq.ratings.intake import RatingRules, Submission, write_submissions
from ashyq.ratings.keys import KEY_PATTERN, Directory, add_point, issue_key, revoke_key
from ashyq.ratings.limits import RateLimiter
from ashyq.ratings.services import add_service, set_service_active
from tests.portal_support import NOW, SeededPortal, SeededTemplate, portal_from, post_form

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64).decode()


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# The rated services the desk registers: code, name in Russian and in Kazakh.
SERVICES = (
    (
        "00101",
        "Регистрация по месту жительства граждан Республики Казахстан",
        "Қазақстан Республикасының азаматтарын тұрғылықты жері бойынша тіркеу",
    ),
    (
        "00102",
        "Выдача документов, удостоверяющих личность",
        "Жеке басын куәландыратын құжаттарды беру",
    ),
    (
        "00201",
        "Государственная регистрация рождения ребенка",
        "Баланың тууын мемлекеттік тіркеу",
    ),
)


@dataclass
class Desk:
    """A seeded portal with two service points of the Ministry of Finance (``mf``), one of
    the Ministry of Health, a key for each and an app's key, and three rated services."""

    portal: SeededPortal
    clock: Clock
    keys: dict[str, str]

    @property
    def desk(self) -> RatingDesk:
        desk: RatingDesk = self.portal.app.state.ratings
        return desk

    def post(self, key: str | None, body: dict[str, Any], idempotency: str | None = None) -> Any:
        headers = {}
        if key is not None:
            headers["Authorization"] = f"Bearer {self.keys.get(key, key)}"
        if idempotency is not None:
            headers["Idempotency-Key"] = idempotency
        return self.portal.client().post("/api/v1/ratings", json=body, headers=headers)

    def count(self, model: type[Any]) -> int:
        with self.portal.app.state.portal.sessions() as session:
            counted: int = session.scalar(select(func.count()).select_from(model)) or 0
            return counted


@pytest.fixture
def desk(portal_template: SeededTemplate, tmp_path: Path) -> Iterator[Desk]:
    clock = Clock()
    config = {"rating_rate": 1000.0, "rating_burst": 1000, "escalation_worker": True}
    for seeded in portal_from(portal_template, tmp_path, clock=clock, config=config):
        factory = seeded.app.state.portal.sessions
        with session_scope(factory) as session:
            registry = load_bodies()
            add_point(session, registry, "MF-AST-1", "mf", "ЦОН, Астана, ул. Бейбітшілік 10")
            add_point(session, registry, "MF-ALA-2", "mf", "ЦОН, Алматы")
            add_point(session, registry, "MZ-AST-1", "mz", "Поликлиника № 1")
            keys = {
                point: issue_key(session, point, point, "test").key
                for point in ("MF-AST-1", "MF-ALA-2", "MZ-AST-1")
            }
            keys["app"] = issue_key(session, "eGov mobile", None, "test").key
            for code, name_ru, name_kk in SERVICES:
                add_service(session, code, name_ru, name_kk)
        seeded.app.state.ratings.directory.refresh()
        yield Desk(seeded, clock, keys)


def test_a_rating_is_stored_and_a_low_one_opens_an_incident_due_in_five_minutes(
    desk: Desk,
) -> None:
    good = desk.post("MF-AST-1", {"service": "00101", "score": 5})
    assert good.status_code == 201, good.text
    assert good.json()["incident"] is None
    bad = desk.post("MF-AST-1", {"service": "00101", "score": 1, "comment": " Очередь 2 часа "})
    assert bad.status_code == 201, bad.text
    receipt = bad.json()
    assert receipt["replayed"] is False
    due = datetime.fromisoformat(receipt["incident"]["due_at"])
    assert due == NOW + timedelta(minutes=5)
    with desk.portal.app.state.portal.sessions() as session:
        incident = session.get(Incident, receipt["incident"]["id"])
        assert incident is not None
        assert (incident.status, incident.body_code, incident.point.code) == (
            "open",
            "mf",
            "MF-AST-1",
        )
        assert incident.rating.comment == "Очередь 2 часа"
        assert incident.rating.score == 1
    # A score of 3 is not low: no incident.
    assert desk.post("MF-AST-1", {"service": "00101", "score": 3}).json()["incident"] is None
    assert (desk.count(Rating), desk.count(Incident)) == (3, 1)


def test_a_retry_with_the_same_idempotency_key_is_stored_once(desk: Desk) -> None:
    body = {"service": "00101", "score": 2}
    first = desk.post("MF-AST-1", body, idempotency="terminal-7:0001")
    again = desk.post("MF-AST-1", body, idempotency="terminal-7:0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["rating"] == first.json()["rating"]
    assert again.json()["incident"] == first.json()["incident"]
    assert again.json()["replayed"] is True
    # The same key with another rating is refused, and stores nothing.
    other = desk.post("MF-AST-1", {"service": "00101", "score": 5}, idempotency="terminal-7:0001")
    assert other.status_code == 422
    assert other.json()["error"]["code"] == "idempotency_key_reused"
    # Keys are per API key: another point may use the same one.
    assert desk.post("MF-ALA-2", body, idempotency="terminal-7:0001").status_code == 201
    assert (desk.count(Rating), desk.count(Incident)) == (2, 2)


def test_duplicates_within_one_group_commit_are_one_rating(desk: Desk) -> None:
    holder = desk.desk.directory.holder(desk.keys["MF-AST-1"])
    assert holder is not None and holder.point_id is not None

    def submission(key: str | None, digest: str, score: int = 1) -> Submission:
        return Submission(
            holder.key_id, key, digest, holder.point_id or 0, "mf", "00101", score,
            None, None, None, NOW,
        )  # fmt: skip

    outcomes = write_submissions(
        desk.desk.engine,
        RatingRules(),
        [
            submission("a", "h1"),
            submission("a", "h1"),
            submission("a", "h2"),
            submission(None, "h3", 5),
            submission(None, "h3", 5),
        ],
    )
    receipts = [getattr(o, "rating_id", None) for o in outcomes]
    assert receipts[0] == receipts[1] and receipts[0] is not None
    assert getattr(outcomes[1], "replayed", None) is True
    assert type(outcomes[2]).__name__ == "IdempotencyKeyReusedError"
    assert receipts[3] != receipts[4]  # no key: two ratings
    assert (desk.count(Rating), desk.count(Incident)) == (3, 1)
    # Another group with a key stored before answers from the database.
    again = write_submissions(desk.desk.engine, RatingRules(), [submission("a", "h1")])
    assert getattr(again[0], "rating_id", None) == receipts[0]


def test_keys_are_checked_and_bound_to_their_service_point(desk: Desk) -> None:
    body = {"service": "00101", "score": 4}
    missing = desk.post(None, body)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert missing.json()["error"]["code"] == "invalid_api_key"
    assert desk.post("ashyq_000000000000_" + "x" * 43, body).status_code == 401
    assert desk.post("not-a-key", body).status_code == 401
    # A point's key rates only at its point; an app's key names the point.
    assert desk.post("MF-AST-1", {**body, "point": "MZ-AST-1"}).status_code == 403
    assert desk.post("MF-AST-1", {**body, "point": "MF-AST-1"}).status_code == 201
    assert desk.post("app", body).status_code == 403
    assert desk.post("app", {**body, "point": "NOPE-1"}).status_code == 404
    via_app = desk.post("app", {**body, "point": "MZ-AST-1", "score": 1})
    assert via_app.status_code == 201
    # A revoked key stops at the next reading of the keys.
    with session_scope(desk.portal.app.state.portal.sessions) as session:
        revoke_key(session, desk.keys["MZ-AST-1"].split("_")[1])
    desk.desk.directory.refresh()
    assert desk.post("MZ-AST-1", body).status_code == 401
    assert desk.count(Rating) == 2


def test_invalid_ratings_are_refused_with_the_field_named(desk: Desk) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"service": "00101", "score": 6}, "score"),
        ({"service": "00101", "score": 0}, "score"),
        ({"service": "", "score": 3}, "service"),
        ({"score": 3}, "service"),
        ({"service": "00101", "score": 3, "extra": 1}, "extra"),
        ({"service": "00101", "score": 3, "comment": "x" * 2001}, "comment"),
        # A score is a JSON integer: not a boolean (an int to Python), nor a string.
        ({"service": "00101", "score": True}, "score"),
        ({"service": "00101", "score": "5"}, "score"),
        ({"service": "00101", "score": 4.5}, "score"),
    ]
    for body, field in cases:
        answer = desk.post("MF-AST-1", body)
        assert answer.status_code == 422, body
        assert any(field in p["field"] for p in answer.json()["error"]["problems"]), answer.json()
    not_image = base64.b64encode(b"GIF89a....").decode()
    answer = desk.post("MF-AST-1", {"service": "00101", "score": 3, "photo": not_image})
    assert answer.status_code == 422
    assert "JPEG" in answer.json()["error"]["message"]
    bad_base64 = desk.post("MF-AST-1", {"service": "00101", "score": 3, "photo": "@@@"})
    assert bad_base64.status_code == 422
    # A body past the largest photo is cut off before it is read whole.
    huge = desk.post("MF-AST-1", {"service": "00101", "score": 3, "photo": "A" * 4_000_000})
    assert huge.status_code == 413
    assert huge.json()["error"]["code"] == "too_large"  # the one error shape, not plain text
    assert desk.count(Rating) == 0


def test_the_rate_limit_answers_429_with_retry_after(desk: Desk) -> None:
    desk.desk.limiter = RateLimiter(rate=0.5, burst=2)
    body = {"service": "00101", "score": 4}
    assert [desk.post("MF-AST-1", body).status_code for _ in range(2)] == [201, 201]
    limited = desk.post("MF-AST-1", body)
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "2"
    assert limited.json()["error"]["code"] == "rate_limited"
    # Another key has its own bucket.
    assert desk.post("MF-ALA-2", body).status_code == 201


def test_rate_limiter_refills_at_its_rate() -> None:
    now = [0.0]
    limiter = RateLimiter(rate=2.0, burst=3, clock=lambda: now[0])
    assert [limiter.take(1) for _ in range(4)] == [0, 0, 0, 1]
    now[0] += 0.5  # one token back
    assert limiter.take(1) == 0
    assert limiter.take(1) == 1
    now[0] += 10.0  # full again, never above the burst
    assert [limiter.take(1) for _ in range(4)] == [0, 0, 0, 1]


def _incident_id(answer: Any) -> int:
    assert answer.status_code == 201, answer.text
    value: int = answer.json()["incident"]["id"]
    return value


def test_the_provider_resolves_within_the_window_and_not_after(desk: Desk) -> None:
    first = _incident_id(desk.post("MF-AST-1", {"service": "00101", "score": 1}))
    second = _incident_id(desk.post("MF-AST-1", {"service": "00102", "score": 2}))
    rep = desk.portal.signed_in("mf")
    desk.clock.advance(minutes=4, seconds=59)
    page = rep.get(f"/workspace/ratings/incidents/{first}")
    assert page.status_code == 200
    assert f'action="/workspace/ratings/incidents/{first}/resolve"' in page.text
    done = post_form(rep, f"/workspace/ratings/incidents/{first}/resolve", {"note": "Принят"})
    assert done.status_code == 303
    desk.clock.advance(seconds=2)  # past the second one's window
    late = post_form(rep, f"/workspace/ratings/incidents/{second}/resolve", {"note": "Поздно"})
    assert late.status_code == 409
    with desk.portal.app.state.portal.sessions() as session:
        resolved = session.get(Incident, first)
        assert resolved is not None
        assert (resolved.status, resolved.resolved_by, resolved.resolution) == (
            "resolved",
            "mf",
            "Принят",
        )
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "resolve_incident"))
        assert entry is not None and entry.object_id == str(first) and entry.actor == "mf"
        assert session.get(Incident, second).status == "open"


def test_a_service_point_sees_and_resolves_its_incidents_through_the_api(desk: Desk) -> None:
    mine = _incident_id(desk.post("MF-AST-1", {"service": "00101", "score": 1}))
    theirs = _incident_id(desk.post("MZ-AST-1", {"service": "00201", "score": 1}))
    client = desk.portal.client()
    headers = {"Authorization": f"Bearer {desk.keys['MF-AST-1']}"}
    listed = client.get("/api/v1/ratings/incidents?status=open", headers=headers)
    assert [i["id"] for i in listed.json()] == [mine]
    other = client.post(
        f"/api/v1/ratings/incidents/{theirs}/resolve", json={"note": "x"}, headers=headers
    )
    assert other.status_code == 404
    done = client.post(
        f"/api/v1/ratings/incidents/{mine}/resolve", json={"note": "Перезвонили"}, headers=headers
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "resolved"
    again = client.post(
        f"/api/v1/ratings/incidents/{mine}/resolve", json={"note": "ещё"}, headers=headers
    )
    assert again.status_code == 409
    app_key = {"Authorization": f"Bearer {desk.keys['app']}"}
    assert client.get("/api/v1/ratings/incidents", headers=app_key).status_code == 403


def test_an_unresolved_incident_escalates_and_the_agency_closes_it(desk: Desk) -> None:
    incident = _incident_id(desk.post("MF-AST-1", {"service": "00101", "score": 1}))
    engine = desk.desk.engine
    assert escalate_due(engine, NOW + timedelta(minutes=4)) == []
    assert escalate_due(engine, NOW + timedelta(minutes=5)) == [incident]
    assert escalate_due(engine, NOW + timedelta(minutes=6)) == []  # once only
    rep = desk.portal.signed_in("mf")
    refused = post_form(rep, f"/workspace/ratings/incidents/{incident}/close", {"note": "x"})
    assert refused.status_code == 403
    analyst = desk.portal.signed_in("analyst")
    closed = post_form(
        analyst, f"/workspace/ratings/incidents/{incident}/close", {"note": "Проверка ЦОН"}
    )
    assert closed.status_code == 303
    with desk.portal.app.state.portal.sessions() as session:
        row = session.get(Incident, incident)
        assert row is not None
        assert row.status == "closed" and row.escalated_at == NOW + timedelta(minutes=5)
        actions = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.object_type == "incident")
        ).all()
        assert sorted(actions) == ["analyst", "escalation"]


def test_the_worker_escalates_in_the_background_while_the_app_runs(desk: Desk) -> None:
    incident = _incident_id(desk.post("MF-AST-1", {"service": "00101", "score": 2}))
    desk.clock.advance(minutes=6)
    with TestClient(desk.portal.app):  # the lifespan: the worker runs
        deadline = time.monotonic() + 10
        status = "open"
        while time.monotonic() < deadline and status == "open":
            time.sleep(0.1)
            with desk.portal.app.state.portal.sessions() as session:
                status = session.get(Incident, incident).status
    assert status == "escalated"


def test_photos_are_stored_once_and_shown_to_those_who_may_see_the_incident(desk: Desk) -> None:
    body = {"service": "00101", "score": 1, "photo": PNG}
    incident = _incident_id(desk.post("MF-AST-1", body))
    _incident_id(desk.post("MF-ALA-2", body))
    assert len(list(desk.desk.photos.iterdir())) == 1
    analyst = desk.portal.signed_in("analyst")
    photo = analyst.get(f"/workspace/ratings/incidents/{incident}/photo")
    assert photo.status_code == 200 and photo.headers["content-type"] == "image/png"
    assert photo.content == base64.b64decode(PNG)
    other = _incident_id(desk.post("MZ-AST-1", body))
    rep = desk.portal.signed_in("mf")
    assert rep.get(f"/workspace/ratings/incidents/{other}").status_code == 404
    assert rep.get(f"/workspace/ratings/incidents/{other}/photo").status_code == 404
    public = desk.portal.client().get(
        f"/workspace/ratings/incidents/{incident}", follow_redirects=False
    )
    assert public.status_code == 303 and public.headers["location"].startswith("/login")


def test_the_dashboards_count_per_provider_and_service_point(desk: Desk) -> None:
    # MF-AST-1: 5, 4, 1 (resolved in time), 2 (escalated), 1 (open); MF-ALA-2: 3;
    # MZ-AST-1: 1 (escalated, then closed).
    for score in (5, 4):
        desk.post("MF-AST-1", {"service": "00101", "score": score})
    resolved = _incident_id(desk.post("MF-AST-1", {"service": "00101", "score": 1}))
    _incident_id(desk.post("MF-AST-1", {"service": "00101", "score": 2}))
    closed = _incident_id(desk.post("MZ-AST-1", {"service": "00201", "score": 1}))
    desk.post("MF-ALA-2", {"service": "00101", "score": 3})
    rep = desk.portal.signed_in("mf")
    post_form(rep, f"/workspace/ratings/incidents/{resolved}/resolve", {"note": "ok"})
    desk.clock.advance(minutes=5)
    escalate_due(desk.desk.engine, desk.clock())
    analyst = desk.portal.signed_in("analyst")
    post_form(analyst, f"/workspace/ratings/incidents/{closed}/close", {"note": "ok"})
    _incident_id(desk.post("MF-AST-1", {"service": "00101", "score": 1}))  # open, not due

    figures = analyst.get("/api/v1/ratings/dashboard?days=1").json()
    by_body = {b["body"]: b for b in figures}
    mf = by_body["mf"]["total"]
    assert (mf["ratings"], mf["low"], mf["incidents"]) == (6, 3, 3)
    assert (mf["open"], mf["resolved_in_time"], mf["escalated"], mf["overdue"]) == (1, 1, 1, 0)
    assert mf["average"] == round((5 + 4 + 1 + 2 + 3 + 1) / 6, 3)
    points = {p["code"]: p for p in by_body["mf"]["points"]}
    assert points["MF-AST-1"]["ratings"] == 5 and points["MF-ALA-2"]["incidents"] == 0
    mz = by_body["mz"]["total"]
    assert (mz["escalated"], mz["closed_by_agency"]) == (1, 1)
    # Providers with the most escalations first, then the most incidents.
    assert [b["body"] for b in figures][:2] == ["mf", "mz"]

    # The representative of mf sees mf only; the public is asked to sign in.
    own = rep.get("/api/v1/ratings/dashboard?days=1").json()
    assert [b["body"] for b in own] == ["mf"]
    assert desk.portal.client().get("/api/v1/ratings/dashboard").status_code == 401
    page = analyst.get("/workspace/ratings?days=1")
    assert page.status_code == 200
    assert "MF-AST-1" in page.text and "MZ-AST-1" in page.text and "<svg" in page.text
    rep_page = rep.get("/workspace/ratings?days=1")
    assert "MF-AST-1" in rep_page.text and "MZ-AST-1" not in rep_page.text
    fragment = analyst.get("/workspace/ratings?days=1", headers={"HX-Request": "true"})
    assert fragment.text.lstrip().startswith('<div id="live">')


def test_the_dashboard_page_speaks_kazakh_and_english(desk: Desk) -> None:
    analyst = desk.portal.signed_in("analyst")
    desk.post("MF-AST-1", {"service": "00101", "score": 1})
    for lang in ("kk", "en", "ru"):
        page = analyst.get(f"/workspace/ratings?lang={lang}")
        assert page.status_code == 200
        assert f'lang="{lang}"' in page.text


def test_the_demo_week_reconciles(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    upgrade(engine)
    now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
    seeded = seed_ratings(engine, load_bodies(), now, per_point=200)
    assert seeded.ratings == 200 * len(DEMO_POINTS)
    assert seeded.incidents == seeded.resolved + seeded.escalated + seeded.open
    assert seeded.open >= len(DEMO_POINTS)  # each point's fresh complaint
    with sessionmaker(engine)() as session:
        assert session.scalar(select(func.count()).select_from(Rating)) == seeded.ratings
        low = session.scalar(select(func.count()).select_from(Rating).where(Rating.score <= 2))
        assert low == seeded.incidents
        resolved = session.scalars(select(Incident).where(Incident.status == "resolved")).all()
        assert all(i.resolved_at is not None and i.resolved_at <= i.due_at for i in resolved)
        bodies = dashboard(session, now - timedelta(days=8), now)
        # Every rated service is in the register, named in Russian and Kazakh.
        rated = set(session.scalars(select(Rating.service_code).distinct()))
        register = {s.code: s for s in session.scalars(select(RatedService))}
        assert rated and rated <= {code for code, s in register.items() if s.active}
        assert all(s.name_ru.strip() and s.name_kk.strip() for s in register.values())
    assert sum(b.total.ratings for b in bodies) == seeded.ratings
    assert sum(b.total.escalated_total for b in bodies) == seeded.escalated
    assert {b.body_code for b in bodies} == {body for _, body, _ in DEMO_POINTS}
    engine.dispose()


def test_the_command_line_manages_points_and_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASHYQ_HOME", str(tmp_path))
    monkeypatch.delenv("ASHYQ_DATABASE_URL", raising=False)
    runner = CliRunner()
    added = runner.invoke(app, ["ratings", "point", "add", "K-1", "--body", "МФ", "--name", "X"])
    assert added.exit_code == 0, added.output
    assert added.output.split("\t")[1] == "mf"
    unknown = runner.invoke(
        app, ["ratings", "point", "add", "K-2", "--body", "nope", "--name", "Y"]
    )
    assert unknown.exit_code == 1 and "nope" in unknown.output
    key = runner.invoke(app, ["ratings", "key", "issue", "kiosk", "--point", "K-1"]).output.strip()
    assert KEY_PATTERN.match(key)
    listed = runner.invoke(app, ["ratings", "key", "list"]).output
    assert key.split("_")[1] in listed and key not in listed  # the secret is never shown again
    revoked = runner.invoke(app, ["ratings", "key", "revoke", key.split("_")[1]])
    assert revoked.exit_code == 0
    figures = runner.invoke(app, ["ratings", "dashboard", "--format", "json"])
    nothing = {
        "ratings": 0,
        "average": None,
        "low": 0,
        "incidents": 0,
        "open": 0,
        "overdue": 0,
        "resolved_in_time": 0,
        "escalated": 0,
        "closed_by_agency": 0,
    }
    assert json.loads(figures.output) == [
        {"body": "mf", **nothing, "points": [{"code": "K-1", **nothing}]}
    ]
    assert "escalated 0" in runner.invoke(app, ["ratings", "escalate"]).output


def test_the_administrator_registers_points_and_issues_and_revokes_keys(desk: Desk) -> None:
    admin = desk.portal.signed_in("admin")
    added = post_form(
        admin, "/admin/ratings/points", {"code": "MT-AST-9", "body": "mt", "name": "ЦОН № 9"}
    )
    assert added.status_code == 303, added.text
    issued = post_form(admin, "/admin/ratings/keys", {"label": "терминал 1", "point": "MT-AST-9"})
    assert issued.status_code == 200 and issued.headers["Cache-Control"] == "no-store"
    match = re.search(r"ashyq_[a-z0-9]{12}_[A-Za-z0-9_-]{43}", issued.text)
    assert match is not None
    key = match.group(0)
    assert admin.get("/admin/ratings").text.count(key) == 0  # shown once only
    desk.keys["MT-AST-9"] = key
    assert desk.post("MT-AST-9", {"service": "00101", "score": 4}).status_code == 201
    prefix = key.split("_")[1]
    assert post_form(admin, f"/admin/ratings/keys/{prefix}/revoke", {}).status_code == 303
    assert desk.post("MT-AST-9", {"service": "00101", "score": 4}).status_code == 401
    duplicate = post_form(
        admin, "/admin/ratings/points", {"code": "MT-AST-9", "body": "mt", "name": "x"}
    )
    assert duplicate.status_code == 409
    analyst = desk.portal.signed_in("analyst")
    assert analyst.get("/admin/ratings").status_code == 403
    refused = post_form(analyst, "/admin/ratings/keys", {"label": "x", "point": "MT-AST-9"})
    assert refused.status_code == 403
    with desk.portal.app.state.portal.sessions() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.object_type.in_(["service_point", "api_key"]))
        ).all()
        assert [e.action for e in entries] == [
            "add_service_point",
            "issue_api_key",
            "revoke_api_key",
        ]
        assert all(key not in json.dumps(e.after) for e in entries)


def test_the_key_directory_says_when_a_lookup_would_read_the_database(desk: Desk) -> None:
    # The rating endpoint runs on the event loop: it reads the directory again in a worker
    # thread whenever a lookup would otherwise query the database there.
    directory = Directory(desk.desk.directory.engine)
    key = desk.keys["MF-AST-1"]
    assert directory.needs_reading(key, None)  # never read
    directory.refresh()
    assert not directory.needs_reading(key, "MF-AST-1")
    assert directory.holder(key) is not None
    made_up = "ashyq_zzzzzzzzzzzz_" + "A" * 43
    assert not directory.needs_reading(made_up, None)  # unknown, but read under a second ago
    expiring = Directory(desk.desk.directory.engine, ttl=0.0)
    expiring.refresh()
    assert expiring.needs_reading(key, None)  # past its time to live


# --- the register of rated services ---------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures" / "ratings"


def test_a_rating_names_an_active_service_of_the_register(desk: Desk) -> None:
    # A code of the right shape that the register does not hold: refused, the field named.
    unknown = desk.post("MF-AST-1", {"service": "99999", "score": 1})
    assert unknown.status_code == 422, unknown.text
    error = unknown.json()["error"]
    assert error["code"] == "invalid_request"
    [problem] = error["problems"]
    assert (problem["field"], problem["code"]) == ("body.service", "unknown_service")
    assert "99999" in problem["message"]
    # The same through an app's key, in the reader's language.
    client = desk.portal.client()
    english = client.post(
        "/api/v1/ratings?lang=en",
        json={"service": "99999", "point": "MZ-AST-1", "score": 4},
        headers={"Authorization": f"Bearer {desk.keys['app']}"},
    )
    assert english.status_code == 422
    assert "No service 99999 in the register" in english.json()["error"]["problems"][0]["message"]
    assert desk.post("MF-AST-1", {"service": "00102", "score": 4}).status_code == 201
    # A service taken out of the register is refused from the next reading of it on.
    with session_scope(desk.portal.app.state.portal.sessions) as session:
        set_service_active(session, "00102", active=False)
    desk.desk.directory.refresh()
    inactive = desk.post("MF-AST-1", {"service": "00102", "score": 4})
    assert inactive.status_code == 422, inactive.text
    [problem] = inactive.json()["error"]["problems"]
    assert (problem["field"], problem["code"]) == ("body.service", "inactive_service")
    # Refused ratings store nothing and open no incident.
    assert (desk.count(Rating), desk.count(Incident)) == (1, 0)


def test_the_directory_reads_again_for_an_unknown_service(desk: Desk) -> None:
    directory = Directory(desk.desk.directory.engine)
    key = desk.keys["MF-AST-1"]
    assert directory.needs_reading(key, None, "00101")  # never read
    directory.refresh()
    assert not directory.needs_reading(key, None, "00101")
    assert directory.service("00101") is True
    # Unknown, but read under a second ago: not again yet.
    assert not directory.needs_reading(key, None, "00777")
    assert directory.service("00777") is None
    with session_scope(desk.portal.app.state.portal.sessions) as session:
        add_service(session, "00777", "Апостилирование документов", "Құжаттарға апостиль қою")
    time.sleep(1.05)
    assert not directory.needs_reading(key, None, "00101")  # known: kept for its ttl
    assert directory.needs_reading(key, None, "00777")  # unknown: read again
    directory.refresh()
    assert directory.service("00777") is True


def test_the_administrator_keeps_the_register_of_rated_services(desk: Desk) -> None:
    admin = desk.portal.signed_in("admin")
    form = {
        "code": "00305",
        "name_ru": "Государственная регистрация прав на недвижимое имущество",
        "name_kk": "Жылжымайтын мүлікке құқықтарды мемлекеттік тіркеу",
        "name_en": "",
    }
    added = post_form(admin, "/admin/ratings/services", form)
    assert added.status_code == 303, added.text
    page = admin.get("/admin/ratings")
    assert 'action="/admin/ratings/services"' in page.text
    assert "00305" in page.text and form["name_ru"] in page.text
    assert desk.post("MF-AST-1", {"service": "00305", "score": 5}).status_code == 201
    assert post_form(admin, "/admin/ratings/services", form).status_code == 409
    blank = post_form(admin, "/admin/ratings/services", {**form, "code": "00306", "name_kk": " "})
    assert blank.status_code == 422
    off = post_form(admin, "/admin/ratings/services/00305/deactivate", {})
    assert off.status_code == 303
    assert desk.post("MF-AST-1", {"service": "00305", "score": 5}).status_code == 422
    on = post_form(admin, "/admin/ratings/services/00305/activate", {})
    assert on.status_code == 303
    assert desk.post("MF-AST-1", {"service": "00305", "score": 5}).status_code == 201
    # Nobody else manages the register.
    for username in ("analyst", "mf"):
        other = desk.portal.signed_in(username)
        refused = post_form(other, "/admin/ratings/services", {**form, "code": "00411"})
        assert refused.status_code == 403
        assert post_form(other, "/admin/ratings/services/00101/deactivate", {}).status_code == 403
    assert desk.post("MF-AST-1", {"service": "00411", "score": 5}).status_code == 422
    assert desk.post("MF-AST-1", {"service": "00101", "score": 5}).status_code == 201
    with desk.portal.app.state.portal.sessions() as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.object_type == "rated_service")
            .order_by(AuditEntry.id)
        ).all()
        assert [(e.action, e.actor, e.object_id) for e in entries] == [
            ("add_rated_service", "admin", "00305"),
            ("set_rated_service_active", "admin", "00305"),
            ("set_rated_service_active", "admin", "00305"),
        ]
        assert entries[0].after == {
            "name_ru": form["name_ru"],
            "name_kk": form["name_kk"],
            "name_en": None,
            "active": True,
        }
        assert (entries[1].before, entries[1].after) == ({"active": True}, {"active": False})


def test_the_incident_shows_the_service_by_name_in_the_readers_language(desk: Desk) -> None:
    incident = _incident_id(desk.post("MF-AST-1", {"service": "00201", "score": 1}))
    analyst = desk.portal.signed_in("analyst")
    _, name_ru, name_kk = SERVICES[2]
    for lang, name in (("ru", name_ru), ("kk", name_kk), ("en", name_ru)):
        page = analyst.get(f"/workspace/ratings/incidents/{incident}?lang={lang}")
        assert page.status_code == 200
        assert name in page.text, lang
        listed = analyst.get(f"/workspace/ratings?lang={lang}")
        assert name in listed.text, lang


def test_the_command_line_keeps_the_register_of_rated_services(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASHYQ_HOME", str(tmp_path))
    monkeypatch.delenv("ASHYQ_DATABASE_URL", raising=False)
    runner = CliRunner()
    good = FIXTURES / "rated_services.csv"
    first = runner.invoke(app, ["ratings", "service", "import", str(good), "--lang", "en"])
    assert first.exit_code == 0, first.output
    assert "4 added, 0 updated, 0 unchanged" in first.output
    again = runner.invoke(app, ["ratings", "service", "import", str(good), "--lang", "en"])
    assert "0 added, 0 updated, 4 unchanged" in again.output  # idempotent
    listed = runner.invoke(app, ["ratings", "service", "list"]).output.splitlines()
    assert [line.split("\t")[0] for line in listed] == ["00101", "00102", "00305", "00512"]
    assert listed[2].split("\t")[1:4] == [
        "Государственная регистрация прав на недвижимое имущество",
        "Жылжымайтын мүлікке құқықтарды мемлекеттік тіркеу",
        "",
    ]

    # One bad row refuses the whole file, naming the file, the row and the field.
    bad = FIXTURES / "rated_services_bad_row.csv"
    refused = runner.invoke(app, ["ratings", "service", "import", str(bad), "--lang", "en"])
    assert refused.exit_code == 2
    assert f"{bad}, row 4, column «name_kk»: expected" in refused.output
    as_json = runner.invoke(
        app, ["ratings", "service", "import", str(bad), "--format", "json", "--lang", "en"]
    )
    assert as_json.exit_code == 2
    [problem] = json.loads(as_json.output)["errors"]
    assert (problem["file"], problem["row"], problem["column"], problem["found"]) == (
        str(bad),
        4,
        "name_kk",
        "",
    )
    after = runner.invoke(app, ["ratings", "service", "list"]).output
    assert "00204" not in after and "00411" not in after  # nothing of it was imported

    # One by one, and taken out of the register.
    added = runner.invoke(
        app,
        [
            "ratings", "service", "add", "00999",
            "--name-ru", "Выдача апостиля", "--name-kk", "Апостиль қою",
            "--name-en", "Apostille",
        ],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    twice = runner.invoke(
        app, ["ratings", "service", "add", "00999", "--name-ru", "x", "--name-kk", "y"]
    )
    assert twice.exit_code == 1 and "00999" in twice.output
    malformed = runner.invoke(
        app, ["ratings", "service", "add", "00 9", "--name-ru", "x", "--name-kk", "y"]
    )
    assert malformed.exit_code == 1
    off = runner.invoke(app, ["ratings", "service", "deactivate", "00999"])
    assert off.exit_code == 0, off.output
    last = runner.invoke(app, ["ratings", "service", "list"]).output.splitlines()[-1]
    assert last.split("\t") == ["00999", "Выдача апостиля", "Апостиль қою", "Apostille", "inactive"]

    # A name changed in the register's file is updated; the change is in the audit log.
    changed = tmp_path / "changed.csv"
    changed.write_text(
        good.read_text(encoding="utf-8").replace(
            "Issuing identity documents", "Issue of identity documents"
        ),
        encoding="utf-8",
    )
    updated = runner.invoke(app, ["ratings", "service", "import", str(changed), "--lang", "en"])
    assert "0 added, 1 updated, 3 unchanged" in updated.output, updated.output
    engine = make_engine(f"sqlite:///{tmp_path / 'portal.sqlite3'}")
    with sessionmaker(engine)() as session:
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "rated_service")
            .order_by(AuditEntry.id)
        ).all()
    engine.dispose()
    assert actions == [
        *["import_rated_services"] * 4,
        "add_rated_service",
        "set_rated_service_active",
        "import_rated_services",
    ]
