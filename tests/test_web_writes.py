"""Every request that changes something goes through one write dependency: its CSRF token
is checked before the handler runs, and the session is committed after it returns and
before the answer is sent, or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from ashyq.settings import Settings
from ashyq.web import create_app
from ashyq.web.portal import _api_write, _form_write
from tests.portal_support import SeededPortal, post_form

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
# Sent by rating terminals, which hold an API key and no cookie: a forged cross-site
# request cannot carry the key, so there is no CSRF token to check.
BY_API_KEY = {"/api/v1/ratings", "/api/v1/ratings/incidents/{incident_id}/resolve"}


def _routes(routes: list[Any]) -> Iterator[tuple[str, set[str], Any]]:
    """Every route of the app as (path, methods, dependant), through included routers
    (FastAPI keeps them as included-router entries, each with its effective routes)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route.path, route.methods or set(), route.dependant
        elif hasattr(route, "effective_candidates"):
            for candidate in route.effective_candidates():
                if hasattr(candidate, "effective_candidates"):
                    yield from _routes([candidate])
                else:
                    yield candidate.path, candidate.methods, candidate.dependant


def _calls(dependant: Any) -> Iterator[Any]:
    for dependency in dependant.dependencies:
        yield dependency.call
        yield from _calls(dependency)


def test_every_write_route_uses_the_write_dependency(tmp_path: Path) -> None:
    app = create_app(Settings(home=tmp_path))
    writes = [
        (path, methods, dependant)
        for path, methods, dependant in _routes(app.routes)
        if methods & UNSAFE and path not in BY_API_KEY
    ]
    assert len(writes) >= 30
    missing = [
        f"{sorted(methods)} {path}"
        for path, methods, dependant in writes
        if not {_form_write, _api_write} & set(_calls(dependant))
    ]
    assert missing == []


def test_the_api_key_routes_exist(tmp_path: Path) -> None:
    # The exceptions above name real routes, so a renamed route does not escape the check.
    app = create_app(Settings(home=tmp_path))
    paths = {path for path, _methods, _dependant in _routes(app.routes)}
    assert paths >= BY_API_KEY


def test_a_failed_commit_is_an_error_answer_not_a_success(
    portal: SeededPortal, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = portal.signed_in("admin")

    def busy(self: Session) -> None:
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    monkeypatch.setattr(Session, "commit", busy)
    answer = post_form(client, "/admin/periods", {"year": "2031", "methodology": "2025"})
    assert answer.status_code == 503
    monkeypatch.undo()
    listed = client.get("/api/v1/cycle/periods").json()
    assert listed
    assert all(period["period"] != 2031 for period in listed)


def test_a_refused_token_runs_nothing(portal: SeededPortal) -> None:
    client = portal.signed_in("admin")
    answer = client.post(
        "/admin/periods",
        data={"year": "2032", "methodology": "2025", "csrf_token": "forged"},
        follow_redirects=False,
    )
    assert answer.status_code == 403
    listed = client.get("/api/v1/cycle/periods").json()
    assert listed
    assert all(period["period"] != 2032 for period in listed)
