"""The JSON API against its own OpenAPI description, by Schemathesis.

Schemathesis generates requests for every operation of ``/api/v1/openapi.json``, valid and
invalid ones, and checks each response with its default checks: no server error, a
documented status code, content type and headers, a body that conforms to the documented
schema (every error is ``ErrorBody``), valid data accepted and invalid data rejected.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import ignored_auth

from ashyq.settings import Settings
from ashyq.web import create_app
from ashyq.web.security import SESSION_COOKIE
from tests.portal_support import SeededPortal, seeded_portal

SCHEMA_URL = "/api/v1/openapi.json"

# Generated examples per operation (on top of Schemathesis's own coverage cases): enough to
# vary every parameter, few enough that the whole module runs in about a minute.
EXAMPLES = 10

# The description does not depend on the data, so it is read when the tests are collected,
# from an app over an empty in-memory database, without running it: a running app starts
# the escalation worker, which would outlive the collection. Every request goes to a seeded
# portal (``app=``); ``test_the_schema_is_the_one_the_portal_serves`` checks they are the
# same.
_schema_app = create_app(
    Settings(home=Path("unused"), database_url="sqlite:///:memory:"), migrate=False
)
schema = schemathesis.openapi.from_dict(_schema_app.openapi())

_settings = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # The seeded portal is a module-scoped fixture: it is meant to outlive the examples.
    # Dates with a pattern on their year (2000-2100) are drawn as dates, then filtered.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@pytest.fixture(scope="module")
def schema_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededPortal]:
    """A seeded SQLite portal (2025 published, 2026 open for disputes) for this module."""
    folder = tmp_path_factory.mktemp("schema-portal")
    seeded = seeded_portal(f"sqlite:///{folder / 'portal.sqlite3'}", folder / "home")
    try:
        yield seeded
    finally:
        seeded.close()


@pytest.fixture(scope="module")
def analyst_cookies(schema_portal: SeededPortal) -> dict[str, str]:
    """The session cookie of the analyst, signed in through the API."""
    client = schema_portal.signed_in("analyst")
    return {SESSION_COOKIE: str(client.cookies[SESSION_COOKIE])}


def test_the_schema_is_the_one_the_portal_serves(schema_portal: SeededPortal) -> None:
    served = schema_portal.client().get(SCHEMA_URL)
    assert served.status_code == 200
    assert served.json() == schema.raw_schema


@schema.parametrize()
@_settings
def test_signed_out(case: Case[Any], schema_portal: SeededPortal) -> None:
    """Every operation, by nobody: reads answer as documented, changes are refused."""
    response = case.call_and_validate(app=schema_portal.app)
    method = case.operation.method.upper()
    # (Schemathesis also sends methods an operation does not have: those get a 405.)
    if method != "GET" and case.method.upper() == method:
        assert response.status_code in (400, 401, 403, 422), response.text


@schema.include(method="GET").parametrize()
@_settings
def test_signed_in_as_analyst(
    case: Case[Any], schema_portal: SeededPortal, analyst_cookies: dict[str, str]
) -> None:
    """Every read, by the analyst, who may see the drafts and disputes of every body."""
    # The operations that declare the session cookie get one generated: the analyst's
    # replaces it (given as the case's own, the transport stays the app's). Schemathesis's
    # check that an operation refuses bad credentials resends the case, whose cookie is
    # the analyst's: it runs in test_signed_out, where the credentials are its own.
    case.cookies = {**(case.cookies or {}), **analyst_cookies}
    case.call_and_validate(app=schema_portal.app, excluded_checks=[ignored_auth])
