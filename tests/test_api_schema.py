"""The JSON API against its own OpenAPI description, by Schemathesis.

Schemathesis generates requests for every operation of ``/api/v1/openapi.json`` (valid and
invalid ones) and checks each response: no server error, a documented status code and
content type, and a body that conforms to the documented schema (for errors, ``ErrorBody``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case

from ashyq.web import create_app
from tests.portal_support import SeededPortal, seeded_portal

EXAMPLES = 25

# The OpenAPI description does not depend on the data, so it is read at collection time from
# an app over an empty in-memory database; the requests go to a seeded portal (``app=``).
schema = schemathesis.openapi.from_asgi(
    "/api/v1/openapi.json",
    create_app(Path("unused"), url="sqlite:///:memory:", migrate=False),
)


@pytest.fixture(scope="module")
def schema_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeededPortal]:
    folder = tmp_path_factory.mktemp("schema-portal")
    seeded = seeded_portal(f"sqlite:///{folder / 'portal.sqlite3'}", folder / "home")
    try:
        yield seeded
    finally:
        seeded.close()


@pytest.fixture(scope="module")
def analyst_cookies(schema_portal: SeededPortal) -> dict[str, str]:
    client = schema_portal.signed_in("analyst")
    return {"ashyq_session": str(client.cookies["ashyq_session"])}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_signed_out(case: Case, schema_portal: SeededPortal) -> None:
    response = case.call_and_validate(app=schema_portal.app)
    if case.method != "GET":
        assert response.status_code >= 400, response.text


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_signed_in_as_analyst(
    case: Case, schema_portal: SeededPortal, analyst_cookies: dict[str, str]
) -> None:
    case.call_and_validate(app=schema_portal.app, cookies=analyst_cookies)
