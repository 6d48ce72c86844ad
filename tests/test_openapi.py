"""The OpenAPI description says what a client needs, as the standard reads it.

Authentication is a security scheme, never a header parameter (OpenAPI 3.1, 4.8.12.1: a
header parameter named ``Authorization`` SHALL be ignored): a bearer key for the rating
API, and for the portal's API the session cookie and the double-submit CSRF pair (its
cookie and its header), all required together where a change is made. Exact decimals
are strings with a declared format, and every response is typed.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from ashyq.settings import Settings
from ashyq.web import create_app
from ashyq.web.security import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE
from tests.portal_support import SeededPortal, seeded_portal
from tests.served import Server
from tests.validators import generated_client, generator_python

API = "/api/v1"


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    app = create_app(
        Settings(home=Path("unused"), database_url="sqlite:///:memory:"), migrate=False
    )
    described: dict[str, Any] = app.openapi()
    return described


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method.upper(), path, operation)
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    ]


def test_the_security_schemes_are_declared(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["ratingKey"] == {**schemes["ratingKey"], "type": "http", "scheme": "bearer"}
    for name, where, called in (
        ("sessionCookie", "cookie", SESSION_COOKIE),
        ("csrfCookie", "cookie", CSRF_COOKIE),
        ("csrfHeader", "header", CSRF_HEADER),
    ):
        assert schemes[name]["type"] == "apiKey"
        assert (schemes[name]["in"], schemes[name]["name"]) == (where, called)


def test_no_credential_is_a_parameter(spec: dict[str, Any]) -> None:
    named = [
        f"{method} {path}: {parameter['name']}"
        for method, path, operation in _operations(spec)
        for parameter in operation.get("parameters", [])
        if parameter["name"].lower() in {"authorization", CSRF_HEADER.lower(), SESSION_COOKIE}
    ]
    assert not named


def _requirements(operation: dict[str, Any]) -> list[set[str]]:
    return [set(requirement) for requirement in operation.get("security", [])]


def test_every_change_needs_the_session_and_the_csrf_pair_together(
    spec: dict[str, Any],
) -> None:
    changes = [
        (method, path, operation)
        for method, path, operation in _operations(spec)
        if method != "GET" and path.startswith((f"{API}/cycle", f"{API}/admin"))
    ]
    assert len(changes) >= 10
    for method, path, operation in changes:
        # One requirement object: all three at once (several objects would mean "any").
        assert _requirements(operation) == [{"sessionCookie", "csrfCookie", "csrfHeader"}], (
            method,
            path,
        )
    sign_in = spec["paths"][f"{API}/session"]["post"]
    assert _requirements(sign_in) == [{"csrfCookie", "csrfHeader"}]


def test_the_rating_api_needs_its_bearer_key(spec: dict[str, Any]) -> None:
    rating = [
        (method, path, operation)
        for method, path, operation in _operations(spec)
        if path.startswith(f"{API}/ratings")
    ]
    assert rating
    for method, path, operation in rating:
        # The dashboard is the agency's and the providers' page of figures, read signed in.
        needed = {"sessionCookie"} if path.endswith("/dashboard") else {"ratingKey"}
        assert _requirements(operation) == [needed], (method, path)


def test_public_reads_need_nothing(spec: dict[str, Any]) -> None:
    for path in (f"{API}/periods", f"{API}/periods/{{period}}/ranking"):
        assert "security" not in spec["paths"][path]["get"], path


def test_exact_decimals_are_strings_with_a_format(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    for model, field in (
        ("RankingRow", "total"),
        ("IndicatorView", "score"),
        ("CriterionView", "score"),
        ("BodyView", "total"),
    ):
        declared = schemas[model]["properties"][field]
        assert declared["type"] == "string", (model, field)
        assert declared["format"] == "decimal", (model, field)
        assert "pattern" in declared, (model, field)


def test_the_methodology_is_typed_and_found_by_its_own_id(
    spec: dict[str, Any], read_only_portal: SeededPortal
) -> None:
    answer = spec["paths"][f"{API}/methodologies/{{name}}"]["get"]["responses"]["200"]
    assert answer["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Methodology"
    }
    client = read_only_portal.client()
    by_year = client.get(f"{API}/methodologies/2025")
    assert by_year.status_code == 200
    by_id = client.get(f"{API}/methodologies/{by_year.json()['id']}")
    assert by_id.status_code == 200
    assert by_id.json() == by_year.json()


def test_a_client_generated_from_the_spec_signs_in_and_files_a_dispute(
    tmp_path: Path, spec: dict[str, Any]
) -> None:
    # An integrator's path, with nothing but the description: generate a client, then,
    # over HTTP to a running portal, read the CSRF token, sign in as the ministry's
    # representative and file a dispute (tests/generated_client_flow.py).
    described = tmp_path / "openapi.json"
    described.write_text(json.dumps(spec), encoding="utf-8")
    package = generated_client(described, tmp_path / "client")
    home = tmp_path / "home"
    seeded = seeded_portal(f"sqlite:///{home / 'portal.sqlite3'}", home)
    password = seeded.passwords["mf"]
    seeded.close()
    server = Server(home)
    server.start()
    try:
        program = Path(__file__).parent / "generated_client_flow.py"
        done = subprocess.run(
            [str(generator_python()), str(program), server.url, "mf", password],
            env={**os.environ, "PYTHONPATH": str(package.parent)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.kill()
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["before"] == "public" and got["signed_in"] == "body"
    assert got["status"] == 201, got
    assert got["dispute"]["body"] == "mf" and got["dispute"]["indicator"] == "review_timeliness"
