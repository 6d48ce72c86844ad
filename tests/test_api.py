"""The JSON API as its users meet it: the published results, the one error shape, who may
see what, and the evaluation cycle from a dispute to a second published version.

Read-only tests share one seeded SQLite portal; tests that change the portal get a fresh
one, on SQLite and on PostgreSQL (``portal``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from ashyq.access.accounts import Actor
from ashyq.cycle import actions
from ashyq.cycle.demo import demo_source_files
from ashyq.cycle.workflow import ASTANA
from ashyq.db.models import Account
from ashyq.errors import NotAllowedError
from ashyq.index.methodology import Methodology
from tests.portal_support import SeededPortal, csrf, seeded_portal

API = "/api/v1"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def sqlite_portal(tmp_path: Path) -> Iterator[SeededPortal]:
    """A fresh seeded SQLite portal, for changes whose database does not matter."""
    seeded = seeded_portal(f"sqlite:///{tmp_path / 'portal.sqlite3'}", tmp_path / "home")
    try:
        yield seeded
    finally:
        seeded.close()


# --- helpers -----------------------------------------------------------------------------


def assert_error(response: httpx2.Response, status: int, code: str | None = None) -> Any:
    """Check the one error shape of the API; returns its ``error`` object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"status", "code", "message", "problems"}, error
    assert error["status"] == status
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["problems"], list)
    if code is not None:
        assert error["code"] == code, error
    return error


def send(client: TestClient, method: str, url: str, **kwargs: Any) -> httpx2.Response:
    """A state-changing call with the client's CSRF token in the header."""
    headers = {"X-CSRF-Token": csrf(client), **kwargs.pop("headers", {})}
    return client.request(method, url, headers=headers, **kwargs)


def ok(response: httpx2.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def file_dispute(
    client: TestClient,
    indicator: str,
    justification: str = "The authority counted appeals that were withdrawn.",
    attachments: list[tuple[str, bytes, str]] | None = None,
    period: int = 2026,
) -> httpx2.Response:
    files = [("attachments", attachment) for attachment in attachments or []]
    return send(
        client,
        "POST",
        f"{API}/cycle/periods/{period}/disputes",
        data={"indicator": indicator, "justification": justification},
        files=files or None,
    )


def upload(client: TestClient, period: int, filename: str, content: bytes) -> httpx2.Response:
    return send(
        client,
        "POST",
        f"{API}/cycle/periods/{period}/uploads",
        files={"file": (filename, content, "text/csv")},
    )


def draft(client: TestClient, code: str, period: int = 2026) -> Any:
    return ok(client.get(f"{API}/cycle/periods/{period}/drafts/{code}"))


def indicator_of(view: Any, indicator: str) -> Any:
    return next(i for c in view["criteria"] for i in c["indicators"] if i["id"] == indicator)


def state_of(client: TestClient, period: int) -> Any:
    periods = ok(client.get(f"{API}/cycle/periods"))
    return next(p for p in periods if p["period"] == period)


def audit_log(admin: TestClient) -> list[Any]:
    entries: list[Any] = ok(admin.get(f"{API}/admin/audit", params={"limit": 1000}))
    return entries


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8")), delimiter=";"))


def csv_bytes(rows: list[list[str]]) -> bytes:
    return "".join(";".join(row) + "\n" for row in rows).encode("utf-8")


def ranking_codes_on_page(html: str) -> list[str]:
    """The body codes of the ranking table of the rankings page, in table order."""
    table = html.split('<table class="ranking">', 1)[1].split("</table>", 1)[0]
    return re.findall(r'href="/bodies/([\w-]+)\?period=\d+"', table)


# --- the published results ---------------------------------------------------------------


def test_periods_lists_the_published_2025_version_only(read_only_portal: SeededPortal) -> None:
    periods = ok(read_only_portal.client().get(f"{API}/periods"))
    assert [(p["period"], p["version"]) for p in periods] == [(2025, 1)]
    assert re.fullmatch(r"[0-9a-f]{64}", periods[0]["sha256"])


@pytest.mark.parametrize(("level", "count"), [("CGO", 29), ("MIO", 20)])
def test_a_ranking_holds_every_body_of_its_level_in_rank_order(
    read_only_portal: SeededPortal, level: str, count: int
) -> None:
    view = ok(read_only_portal.client().get(f"{API}/periods/2025/ranking", params={"level": level}))
    assert (view["period"], view["version"], view["level"]) == (2025, 1, level)
    assert view["total_bodies"] == count
    rows = view["rows"]
    assert len(rows) == count
    assert len({r["body"] for r in rows}) == count
    assert {r["level"] for r in rows} == {level}
    ranks = [r["rank"] for r in rows]
    assert ranks[0] == 1
    assert ranks == sorted(ranks)
    totals = [Decimal(r["total"]) for r in rows]
    assert totals == sorted(totals, reverse=True), "a better rank never has fewer points"


def test_ranking_filters_keep_exactly_the_matching_bodies(read_only_portal: SeededPortal) -> None:
    client = read_only_portal.client()
    everyone = ok(client.get(f"{API}/periods/2025/ranking", params={"level": "MIO"}))["rows"]

    by_grade = ok(client.get(f"{API}/periods/2025/ranking", params={"level": "MIO", "grade": "B"}))
    assert by_grade["filters"]["grade"] == "B"
    assert by_grade["total_bodies"] == 20
    expected = [r["body"] for r in everyone if r["grade"] == "B"]
    assert expected, "the 2025 ranking has akimats graded B"
    assert [r["body"] for r in by_grade["rows"]] == expected
    assert all(r["needs_roadmap"] for r in by_grade["rows"])

    params = {"level": "MIO", "criterion": "public_feedback", "category": "A"}
    by_category = ok(client.get(f"{API}/periods/2025/ranking", params=params))
    expected = [r["body"] for r in everyone if r["criteria"]["public_feedback"]["category"] == "A"]
    assert expected
    assert len(expected) < len(everyone)
    assert [r["body"] for r in by_category["rows"]] == expected

    none = ok(client.get(f"{API}/periods/2025/ranking", params={"grade": "AAA", "level": "CGO"}))
    assert none["rows"] == []
    assert none["total_bodies"] == 29


def test_ranking_sorts_by_total_and_by_name(read_only_portal: SeededPortal) -> None:
    client = read_only_portal.client()
    by_rank = ok(client.get(f"{API}/periods/2025/ranking"))["rows"]

    params = {"sort": "total", "order": "desc"}
    by_total = ok(client.get(f"{API}/periods/2025/ranking", params=params))
    assert (by_total["sort"], by_total["descending"]) == ("total", True)
    totals = [Decimal(r["total"]) for r in by_total["rows"]]
    assert totals == sorted(totals, reverse=True)
    assert sorted(r["body"] for r in by_total["rows"]) == sorted(r["body"] for r in by_rank)

    by_name = ok(client.get(f"{API}/periods/2025/ranking", params={"sort": "name"}))["rows"]
    names = [r["name"].casefold() for r in by_name]
    assert names == sorted(names)
    assert names != [r["name"].casefold() for r in by_rank]

    backwards = ok(client.get(f"{API}/periods/2025/ranking", params={"order": "desc"}))["rows"]
    assert [r["rank"] for r in backwards] == sorted((r["rank"] for r in by_rank), reverse=True)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"level": "MIO"},
        {"level": "MIO", "grade": "BBB"},
        {"level": "CGO", "criterion": "open_government", "category": "B"},
        {"level": "CGO", "sort": "total", "order": "desc"},
        {"level": "MIO", "sort": "name"},
    ],
    ids=["default", "mio", "grade", "category", "total-desc", "name"],
)
def test_the_api_ranking_agrees_with_the_ranking_page(
    read_only_portal: SeededPortal, params: dict[str, str]
) -> None:
    client = read_only_portal.client()
    api = ok(client.get(f"{API}/periods/2025/ranking", params=params))
    page = client.get("/rankings", params={"period": "2025", **params})
    assert page.status_code == 200
    assert ranking_codes_on_page(page.text) == [r["body"] for r in api["rows"]]


def test_every_body_view_adds_up(read_only_portal: SeededPortal) -> None:
    client = read_only_portal.client()
    for level in ("CGO", "MIO"):
        ranking = ok(client.get(f"{API}/periods/2025/ranking", params={"level": level}))
        for row in ranking["rows"]:
            view = ok(client.get(f"{API}/periods/2025/bodies/{row['body']}"))
            where = row["body"]
            assert (view["body"], view["period"], view["version"]) == (row["body"], 2025, 1)
            assert (view["rank"], view["of"], view["grade"]) == (
                row["rank"],
                ranking["total_bodies"],
                row["grade"],
            )
            total = Decimal(view["total"])
            assert total == Decimal(row["total"]), where
            assert sum(Decimal(c["score"]) for c in view["criteria"]) == total, where
            assert total <= Decimal(view["max_total"])
            for criterion in view["criteria"]:
                score = Decimal(criterion["score"])
                assert score <= Decimal(criterion["max"]) + Decimal(criterion["bonus_max"]), where
                for indicator in criterion["indicators"]:
                    label = f"{where}/{indicator['id']}"
                    assert 0 <= Decimal(indicator["score"]) <= Decimal(indicator["max"]), label
                    assert indicator["facts"], f"{label} shows no source value"
                    for fact in indicator["facts"]:
                        assert fact["source"], label
                        assert Decimal(fact["value"]) >= 0, label
            assert [(h["period"], h["rank"]) for h in view["history"]] == [(2025, row["rank"])]


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/periods/1999/ranking",
        f"{API}/periods/2025/bodies/no-such-body",
        f"{API}/periods/1999/bodies/mf",
        f"{API}/periods/1999/roadmaps",
        f"{API}/methodologies/no-such-methodology",
        # 2026 exists, but is not published: to the public it is simply not there.
        f"{API}/periods/2026/ranking",
        f"{API}/periods/2026/bodies/mf",
        f"{API}/periods/2026/roadmaps",
        f"{API}/periods/2026/statistics",
    ],
)
def test_what_is_not_published_is_not_found(read_only_portal: SeededPortal, url: str) -> None:
    assert_error(read_only_portal.client().get(url), 404, "not_found")


def _figure_pattern(value: Decimal) -> re.Pattern[str]:
    whole, _, fraction = f"{value:f}".partition(".")
    return re.compile(rf"(?<![\d.,]){whole}[.,]{fraction}(?![\d])")


def test_the_public_sees_no_2026_figure_anywhere(read_only_portal: SeededPortal) -> None:
    analyst = read_only_portal.signed_in("analyst")
    public = read_only_portal.client()
    codes = [b.code for b in read_only_portal.app.state.portal.registry]
    published = public.get("/open-data/2025/v1/results.json").text
    published += public.get("/open-data/2025/v1/indicators.json").text
    mf_2025 = Decimal(ok(public.get(f"{API}/periods/2025/bodies/mf"))["total"])
    mf_2026 = Decimal(draft(analyst, "mf")["results"]["total"])
    assert mf_2026 != mf_2025, "the demo's 2026 draft moves mf's total"
    # Draft totals of 2026 that no published figure has, with two significant decimals so
    # that pages (3,78) and open data (3.78) spell them alike.
    figures = {mf_2026}
    for code in codes:
        total = Decimal(draft(analyst, code)["results"]["total"])
        two_decimals = total.as_tuple().exponent == -2 and total % Decimal("0.1") != 0
        if two_decimals and not _figure_pattern(total).search(published):
            figures.add(total)
    assert len(figures) >= 10
    # The search finds them where they may be seen: the analyst's draft, page and API.
    draft_page = analyst.get("/workspace/periods/2026/bodies/mf").text
    assert _figure_pattern(mf_2026).search(draft_page)
    assert _figure_pattern(mf_2026).search(analyst.get(f"{API}/cycle/periods/2026/drafts/mf").text)

    urls = [
        f"{API}/periods",
        f"{API}/periods/2025/ranking",
        f"{API}/periods/2025/ranking?level=MIO&sort=total&order=desc",
        f"{API}/periods/2026/ranking",
        f"{API}/periods/2026/ranking?level=MIO",
        f"{API}/periods/2026/roadmaps",
        f"{API}/periods/2025/roadmaps",
        f"{API}/periods/2025/statistics",
        f"{API}/periods/2026/statistics",
        f"{API}/methodologies/2025",
        f"{API}/session",
        f"{API}/cycle/periods",
        f"{API}/cycle/periods/2026/drafts/mf",
        f"{API}/cycle/periods/2026/disputes",
        "/rankings",
        "/rankings?level=MIO",
        "/rankings?period=2026",
        "/rankings?period=2026&level=MIO",
        "/statistics",
        "/statistics?period=2026",
        "/methodology",
        "/open-data",
        "/open-data/datapackage.json",
        "/open-data/2025/v1/results.csv",
        "/open-data/2026/v1/results.csv",
        "/open-data/2026/v1/results.json",
        "/open-data/2026/v1/indicators.csv",
        "/workspace",
        "/workspace/periods/2026",
        "/workspace/periods/2026/bodies/mf",
        "/login",
    ]
    for code in codes:
        urls += [f"{API}/periods/2025/bodies/{code}", f"{API}/periods/2026/bodies/{code}"]
        urls += [f"/bodies/{code}", f"/bodies/{code}?period=2026"]
    for url in urls:
        response = public.get(url, follow_redirects=False)
        assert response.status_code < 500, url
        if "/2026" in url or "period=2026" in url or "/cycle/" in url or "workspace" in url:
            refused = response.status_code in (401, 403, 404) or (
                response.status_code == 303 and response.headers["location"].startswith("/login")
            )
            assert refused, f"{url}: {response.status_code}"
        else:
            assert response.status_code == 200, url
        for figure in figures:
            found = _figure_pattern(figure).search(response.text)
            assert found is None, f"2026 draft figure {figure} is public at {url}"


# --- the one error shape -----------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"{API}/cycle/periods",
        f"{API}/cycle/periods/2026/drafts/mf",
        f"{API}/cycle/periods/2026/disputes",
        f"{API}/cycle/disputes/1",
        f"{API}/admin/audit",
    ],
)
def test_a_signed_out_cycle_call_is_401(read_only_portal: SeededPortal, url: str) -> None:
    assert_error(read_only_portal.client().get(url), 401)


def test_a_signed_out_change_is_401_and_changes_nothing(read_only_portal: SeededPortal) -> None:
    client = read_only_portal.client()
    assert_error(send(client, "POST", f"{API}/cycle/periods/2026/move"), 401)
    assert_error(send(client, "POST", f"{API}/cycle/periods", json={"period": 2030}), 401)
    analyst = read_only_portal.signed_in("analyst")
    assert state_of(analyst, 2026)["state"] == "disputes_open"
    assert 2030 not in [p["period"] for p in ok(analyst.get(f"{API}/cycle/periods"))]


def test_a_role_that_may_not_gets_403(read_only_portal: SeededPortal) -> None:
    analyst = read_only_portal.signed_in("analyst")
    mf = read_only_portal.signed_in("mf")
    kpssu = read_only_portal.signed_in("kpssu")
    assert_error(analyst.get(f"{API}/admin/audit"), 403)
    assert_error(send(mf, "POST", f"{API}/cycle/periods/2026/move"), 403)
    assert_error(send(mf, "POST", f"{API}/cycle/periods/2026/publish"), 403)
    assert_error(send(kpssu, "POST", f"{API}/cycle/periods/2026/compute"), 403)
    assert_error(send(analyst, "POST", f"{API}/cycle/periods", json={"period": 2030}), 403)
    assert_error(kpssu.get(f"{API}/cycle/periods/2026/drafts/mf"), 403)
    assert state_of(analyst, 2026)["state"] == "disputes_open"


def test_a_change_without_the_csrf_token_is_403(read_only_portal: SeededPortal) -> None:
    analyst = read_only_portal.signed_in("analyst")
    move = f"{API}/cycle/periods/2026/move"
    assert_error(analyst.post(move), 403, "csrf")
    assert_error(analyst.post(move, headers={"X-CSRF-Token": "not-the-token"}), 403, "csrf")
    token = csrf(analyst)
    # The token without its cookie (as another site would send it) does not do either.
    cookie = analyst.cookies.pop("ashyq_csrf")
    assert cookie == token
    assert_error(analyst.post(move, headers={"X-CSRF-Token": token}), 403, "csrf")
    assert state_of(analyst, 2026)["state"] == "disputes_open"
    # Nor does signing in.
    client = read_only_portal.client()
    credentials = {"username": "mf", "password": read_only_portal.passwords["mf"]}
    assert_error(client.post(f"{API}/session", json=credentials), 403, "csrf")
    assert ok(client.get(f"{API}/session"))["role"] == "public"


def test_unknown_things_are_404(read_only_portal: SeededPortal) -> None:
    analyst = read_only_portal.signed_in("analyst")
    assert_error(analyst.get(f"{API}/no-such-route"), 404, "not_found")
    assert_error(read_only_portal.client().get(f"{API}/v2/periods"), 404, "not_found")
    assert_error(analyst.get(f"{API}/cycle/disputes/999999"), 404, "not_found")
    assert_error(analyst.get(f"{API}/cycle/periods/1999/drafts/mf"), 404, "not_found")
    assert_error(analyst.get(f"{API}/cycle/periods/2026/drafts/no-such-body"), 404, "not_found")
    assert_error(send(analyst, "POST", f"{API}/cycle/periods/1999/move"), 404, "not_found")


def test_a_wrong_method_is_405(read_only_portal: SeededPortal) -> None:
    assert_error(read_only_portal.client().delete(f"{API}/periods"), 405)


def test_an_existing_period_cannot_be_created_again(read_only_portal: SeededPortal) -> None:
    admin = read_only_portal.signed_in("admin")
    assert_error(
        send(admin, "POST", f"{API}/cycle/periods", json={"period": 2025}), 409, "conflict"
    )


def test_a_malformed_request_is_422_naming_the_field(read_only_portal: SeededPortal) -> None:
    client = read_only_portal.client()
    error = assert_error(
        send(
            client,
            "POST",
            f"{API}/session",
            content=b'{"username": "mf", "password": ',
            headers={"Content-Type": "application/json"},
        ),
        422,
    )
    assert error["problems"]
    assert all(set(p) >= {"code", "field", "message"} for p in error["problems"])

    error = assert_error(send(client, "POST", f"{API}/session", json={"username": "mf"}), 422)
    assert [p["field"] for p in error["problems"]] == ["body.password"]

    for params, field in [
        ({"level": "XYZ"}, "query.level"),
        ({"order": "upwards"}, "query.order"),
        ({"sort": "colour"}, "query.sort"),
    ]:
        response = client.get(f"{API}/periods/2025/ranking", params=params)
        error = assert_error(response, 422)
        assert [p["field"] for p in error["problems"]] == [field]

    error = assert_error(client.get(f"{API}/periods/twenty/ranking"), 422)
    assert [p["field"] for p in error["problems"]] == ["path.period"]

    admin = read_only_portal.signed_in("admin")
    error = assert_error(admin.get(f"{API}/admin/audit", params={"limit": 0}), 422)
    assert [p["field"] for p in error["problems"]] == ["query.limit"]
    period = {"period": 1900}
    error = assert_error(send(admin, "POST", f"{API}/cycle/periods", json=period), 422)
    assert [p["field"] for p in error["problems"]] == ["body.period"]


def test_sign_in_is_rate_limited_after_five_failures(sqlite_portal: SeededPortal) -> None:
    client = sqlite_portal.client()

    def attempt(username: str, password: str) -> httpx2.Response:
        credentials = {"username": username, "password": password}
        return send(client, "POST", f"{API}/session", json=credentials)

    for _ in range(5):
        assert_error(attempt("mf", "wrong password"), 401)
    limited = attempt("mf", "wrong password")
    assert_error(limited, 429, "too_many_attempts")
    assert 0 < int(limited.headers["Retry-After"]) <= 900
    # While limited, even the right password does not sign in, from this address at all.
    assert_error(attempt("mf", sqlite_portal.passwords["mf"]), 429)
    assert_error(attempt("analyst", sqlite_portal.passwords["analyst"]), 429)
    assert ok(client.get(f"{API}/session"))["role"] == "public"


# --- who sees what -----------------------------------------------------------------------


def test_a_representative_sees_only_its_own_body(portal: SeededPortal) -> None:
    mf = portal.signed_in("mf")
    karaganda = portal.signed_in("rep-karaganda")
    analyst = portal.signed_in("analyst")
    secret = "Karaganda's own argument, for the analysts only."
    theirs = ok(file_dispute(karaganda, "review_timeliness", secret), 201)
    own = ok(file_dispute(mf, "review_timeliness"), 201)
    assert (theirs["body"], own["body"]) == ("karaganda", "mf")

    # Drafts: the own body's only.
    assert draft(mf, "mf")["body"] == "mf"
    assert_error(mf.get(f"{API}/cycle/periods/2026/drafts/karaganda"), 403)
    assert_error(karaganda.get(f"{API}/cycle/periods/2026/drafts/mf"), 403)

    # Another body's dispute is as unknown as a dispute that does not exist.
    assert ok(mf.get(f"{API}/cycle/disputes/{own['id']}"))["id"] == own["id"]
    other = assert_error(mf.get(f"{API}/cycle/disputes/{theirs['id']}"), 404)
    missing = assert_error(mf.get(f"{API}/cycle/disputes/{theirs['id'] + 1000}"), 404)
    assert other == missing
    resolution = {"accept": False, "resolution": "No."}
    assert_error(
        send(mf, "POST", f"{API}/cycle/disputes/{own['id']}/resolve", json=resolution), 403
    )

    # Lists: the own body's only; the analyst sees both.
    listed = ok(mf.get(f"{API}/cycle/periods/2026/disputes"))
    assert [d["id"] for d in listed] == [own["id"]]
    listed = ok(karaganda.get(f"{API}/cycle/periods/2026/disputes"))
    assert [d["id"] for d in listed] == [theirs["id"]]
    listed = ok(analyst.get(f"{API}/cycle/periods/2026/disputes"))
    assert sorted(d["id"] for d in listed) == sorted([own["id"], theirs["id"]])

    # The pages refuse the same things.
    their_total = Decimal(draft(analyst, "karaganda")["results"]["total"])
    page = mf.get("/workspace/periods/2026/bodies/karaganda")
    assert page.status_code == 403
    assert _figure_pattern(their_total).search(page.text) is None
    assert mf.get("/workspace/periods/2026/bodies/mf").status_code == 200
    page = mf.get(f"/workspace/disputes/{theirs['id']}")
    assert page.status_code == 404
    assert secret not in page.text
    assert mf.get(f"/workspace/disputes/{theirs['id'] + 1000}").status_code == 404
    assert mf.get(f"/workspace/disputes/{own['id']}").status_code == 200


def test_authorities_upload_only_their_own_indicators_while_collecting(
    portal: SeededPortal, methodology: Methodology
) -> None:
    files = demo_source_files(methodology)
    kpssu = portal.signed_in("kpssu")
    analyst = portal.signed_in("analyst")
    admin = portal.signed_in("admin")

    # 2026 has left collecting: an authority's upload is refused outright.
    assert_error(upload(kpssu, 2026, "kpssu-late.csv", files["kpssu"]), 403)

    ok(send(admin, "POST", f"{API}/cycle/periods", json={"period": 2027}), 201)
    assert ok(send(analyst, "POST", f"{API}/cycle/periods/2027/move"))["state"] == "collecting"

    # Another authority's indicator is an unknown column to this one.
    rows = csv_rows(files["kpssu"])[:3]
    foreign = [[*row, value] for row, value in zip(rows, ["open_budget", "10", "9,5"], strict=True)]
    result = ok(upload(kpssu, 2027, "kpssu-with-budget.csv", csv_bytes(foreign)), 201)
    assert (result["status"], result["values_loaded"]) == ("rejected", 0)
    problems = [p for p in result["problems"] if p["code"] == "unknown_column"]
    assert [(p["file"], p["row"], p["column"], p["found"]) for p in problems] == [
        ("kpssu-with-budget.csv", 1, "open_budget", "open_budget")
    ]
    assert problems[0]["expected"]
    assert draft(analyst, rows[1][0], 2027)["values"] == []

    # Decimal commas, as Russian spreadsheets write them, load.
    assert all("," in cell for row in rows[1:] for cell in row[1:] if "." not in cell)
    result = ok(upload(kpssu, 2027, "kpssu.csv", csv_bytes(rows)), 201)
    assert (result["status"], result["problems"]) == ("loaded", [])
    assert (result["rows_read"], result["values_loaded"]) == (2, 2 * (len(rows[0]) - 1))
    column = rows[0].index("review_timeliness")
    values = {v["field"]: v for v in draft(analyst, rows[2][0], 2027)["values"]}
    loaded = values["review_timeliness"]
    assert Decimal(loaded["value"]) == Decimal(rows[2][column].replace(",", "."))
    assert (loaded["authority"], loaded["file"], loaded["row"]) == ("kpssu", "kpssu.csv", 3)

    # A cell that is no number rejects the whole file, naming the file, row and column.
    bad = [list(row) for row in rows]
    bad[2][column] = "abc"
    bad[1][column] = "3,78"
    result = ok(upload(kpssu, 2027, "kpssu-bad.csv", csv_bytes(bad)), 201)
    assert (result["status"], result["values_loaded"]) == ("rejected", 0)
    assert [
        (p["code"], p["file"], p["row"], p["column"], p["found"]) for p in result["problems"]
    ] == [("not_a_number", "kpssu-bad.csv", 3, "review_timeliness", "abc")]
    assert result["problems"][0]["expected"]
    values = {v["field"]: v for v in draft(analyst, rows[1][0], 2027)["values"]}
    assert values["review_timeliness"]["file"] == "kpssu.csv", "a rejected file loads nothing"

    # A file that is not a CSV or XLSX is an error.
    assert_error(upload(kpssu, 2027, "kpssu.txt", csv_bytes(rows)), 422)

    # An upload report is the uploader's authority's and the analysts' to read.
    report = f"{API}/cycle/uploads/{result['id']}"
    assert ok(kpssu.get(report)) == result
    assert ok(analyst.get(report)) == result
    assert_error(portal.signed_in("mki").get(report), 404)
    assert_error(portal.signed_in("mf").get(report), 403)
    assert_error(portal.client().get(report), 401)


def test_an_upload_problem_names_the_file_as_sent(
    sqlite_portal: SeededPortal, methodology: Methodology
) -> None:
    analyst = sqlite_portal.signed_in("analyst")
    rows = csv_rows(demo_source_files(methodology)["kpssu"])[:2]
    rows[1][1] = "abc"
    result = ok(upload(analyst, 2026, "kpssu-bad.csv", csv_bytes(rows)), 201)
    assert result["status"] == "rejected"
    messages = [p["message"] for p in result["problems"]]
    assert messages
    for message in messages:
        # The person sent kpssu-bad.csv; the server's temporary folder is none of their business.
        assert message.startswith("kpssu-bad.csv"), message


# --- the cycle ---------------------------------------------------------------------------


def test_dispute_resolve_publish_reopen_and_publish_again(portal: SeededPortal) -> None:
    mf = portal.signed_in("mf")
    analyst = portal.signed_in("analyst")
    admin = portal.signed_in("admin")
    public = portal.client()
    disputes = f"{API}/cycle/periods/2026/disputes"

    before = draft(analyst, "mf")["results"]
    disputed = Decimal(indicator_of(before, "review_timeliness")["score"])

    # Attachments must be what they say they are.
    wrong_type = [("evidence.exe", b"MZ\x90\x00\x03", "application/octet-stream")]
    assert_error(file_dispute(mf, "review_timeliness", attachments=wrong_type), 422)
    fake_pdf = [("evidence.pdf", b"<html>not a pdf</html>", "application/pdf")]
    assert_error(file_dispute(mf, "review_timeliness", attachments=fake_pdf), 422)
    assert_error(file_dispute(mf, "no_such_indicator"), 422)
    assert ok(mf.get(disputes)) == []

    pdf = [("evidence.pdf", PDF, "application/pdf")]
    first = ok(file_dispute(mf, "review_timeliness", attachments=pdf), 201)
    assert (first["status"], first["body"], first["indicator"]) == (
        "open",
        "mf",
        "review_timeliness",
    )
    assert Decimal(first["disputed_value"]) == disputed
    assert first["attachments"] == ["evidence.pdf"]
    # One open dispute per indicator.
    assert_error(file_dispute(mf, "review_timeliness"), 409, "conflict")
    second = ok(file_dispute(mf, "redirect_timeliness"), 201)
    assert [d["id"] for d in ok(mf.get(disputes))] == [first["id"], second["id"]]

    # The analyst accepts the first with a corrected score: the draft changes.
    corrected = Decimal("3.99") if disputed != Decimal("3.99") else Decimal("3.11")
    resolution = {
        "accept": True,
        "resolution": "Withdrawn appeals were counted; corrected.",
        "corrections": {"review_timeliness": str(corrected).replace(".", ",")},
    }
    resolved = ok(
        send(analyst, "POST", f"{API}/cycle/disputes/{first['id']}/resolve", json=resolution)
    )
    assert resolved["status"] == "accepted"
    assert resolved["corrections"] == {"review_timeliness": str(corrected)}
    assert resolved["resolved_at"] is not None
    after = draft(analyst, "mf")
    assert Decimal(indicator_of(after["results"], "review_timeliness")["score"]) == corrected
    total = Decimal(before["total"]) - disputed + corrected
    assert Decimal(after["results"]["total"]) == total
    value = next(v for v in after["values"] if v["field"] == "review_timeliness")
    assert (Decimal(value["value"]), value["dispute"]) == (corrected, first["id"])
    assert Decimal(draft(mf, "mf")["results"]["total"]) == total
    assert ok(mf.get(f"{API}/cycle/disputes/{first['id']}"))["status"] == "accepted"
    # A resolved dispute stays resolved.
    again = send(analyst, "POST", f"{API}/cycle/disputes/{first['id']}/resolve", json=resolution)
    assert_error(again, 409, "conflict")

    # Consolidation; publishing waits for every dispute.
    moved = ok(send(analyst, "POST", f"{API}/cycle/periods/2026/move"))
    assert moved["state"] == "consolidation"
    assert_error(send(analyst, "POST", f"{API}/cycle/periods/2026/publish"), 409, "conflict")
    rejection = {"accept": False, "resolution": "The redirections were late indeed."}
    url = f"{API}/cycle/disputes/{second['id']}/resolve"
    assert ok(send(analyst, "POST", url, json=rejection))["status"] == "rejected"

    published = ok(send(analyst, "POST", f"{API}/cycle/periods/2026/publish"))
    assert (published["state"], published["published_version"]) == ("published", 1)
    periods = ok(public.get(f"{API}/periods"))
    assert [(p["period"], p["version"]) for p in periods] == [(2025, 1), (2026, 1)]
    ranking = ok(public.get(f"{API}/periods/2026/ranking"))
    assert ranking["version"] == 1
    assert Decimal(next(r for r in ranking["rows"] if r["body"] == "mf")["total"]) == total
    v1 = public.get("/open-data/2026/v1/results.csv")
    assert v1.status_code == 200
    assert "mf" in v1.text

    # Reopening needs a reason.
    reopen = f"{API}/cycle/periods/2026/reopen"
    assert_error(send(analyst, "POST", reopen, json={}), 422)
    assert_error(send(analyst, "POST", reopen, json={"reason": ""}), 422)
    assert_error(send(analyst, "POST", reopen, json={"reason": "   "}), 422)
    assert state_of(analyst, 2026)["state"] == "published"
    reason = "The Ministry of Finance's open-budget score was mistyped."
    reopened = ok(send(analyst, "POST", reopen, json={"reason": reason}))
    assert (reopened["state"], reopened["published_version"]) == ("consolidation", 1)

    # The analyst corrects a value by a file, and publishes again: version 2.
    values = {v["field"]: Decimal(v["value"]) for v in draft(analyst, "mf")["values"]}
    budget = Decimal("11.50") if values["open_budget"] != Decimal("11.50") else Decimal("10.25")
    values["open_budget"] = budget
    fields = sorted(values)
    cells = [str(values[f]).replace(".", ",") for f in fields]
    correction = csv_bytes([["body", *fields], ["mf", *cells]])
    assert ok(upload(analyst, 2026, "mf-correction.csv", correction), 201)["status"] == "loaded"
    republished = ok(send(analyst, "POST", f"{API}/cycle/periods/2026/publish"))
    assert (republished["state"], republished["published_version"]) == ("published", 2)
    periods = ok(public.get(f"{API}/periods"))
    assert [(p["period"], p["version"]) for p in periods] == [(2025, 1), (2026, 2)]
    body = ok(public.get(f"{API}/periods/2026/bodies/mf"))
    assert body["version"] == 2
    assert Decimal(indicator_of(body, "open_budget")["score"]) == budget

    # Version 1 stays what it was, byte for byte; version 2 is another table.
    assert public.get("/open-data/2026/v1/results.csv").content == v1.content
    v2 = public.get("/open-data/2026/v2/results.csv")
    assert v2.status_code == 200
    assert v2.content != v1.content

    # The audit log: the administrator's only, and it holds every step with before and after.
    assert_error(analyst.get(f"{API}/admin/audit"), 403)
    assert_error(mf.get(f"{API}/admin/audit"), 403)
    entries = audit_log(admin)
    ids = [e["id"] for e in entries]
    assert ids == sorted(ids, reverse=True), "newest first"

    def find(action: str, actor: str, object_id: str) -> list[Any]:
        return [
            e
            for e in entries
            if (e["action"], e["actor"], e["object_id"]) == (action, actor, object_id)
        ]

    (created,) = find("create_period", "admin", "2026")
    assert created["before"] is None
    assert created["after"]["state"] == "draft"
    moves = find("move_period", "analyst", "2026")
    assert [(m["before"]["state"], m["after"]["state"]) for m in reversed(moves)] == [
        ("draft", "collecting"),
        ("collecting", "disputes_open"),
        ("disputes_open", "consolidation"),
    ]
    uploads = [e for e in entries if e["action"] == "upload_source_data"]
    assert {e["actor"] for e in uploads} == {"kpssu", "mki", "miicr", "analyst"}
    assert any(
        e["after"]["file"] == "mf-correction.csv" for e in uploads if e["actor"] == "analyst"
    )
    (filed,) = find("file_dispute", "mf", str(first["id"]))
    assert filed["after"]["body"] == "mf"
    assert filed["after"]["indicator"] == "review_timeliness"
    assert Decimal(filed["after"]["value"]) == disputed
    (accepted,) = find("resolve_dispute", "analyst", str(first["id"]))
    assert accepted["before"] == {"status": "open"}
    assert accepted["after"]["status"] == "accepted"
    assert accepted["after"]["corrections"] == {"review_timeliness": str(corrected)}
    (rejected,) = find("resolve_dispute", "analyst", str(second["id"]))
    assert rejected["after"]["status"] == "rejected"
    publications = find("publish_period", "analyst", "2026")
    assert [(p["before"]["state"], p["after"]["version"]) for p in reversed(publications)] == [
        ("consolidation", 1),
        ("consolidation", 2),
    ]
    assert all(p["after"]["state"] == "published" for p in publications)
    (reopening,) = find("reopen_period", "analyst", "2026")
    assert reopening["before"]["state"] == "published"
    assert reopening["after"]["state"] == "consolidation"
    assert reopening["after"]["reason"] == reason
    for entry in entries:
        assert entry["actor"]
        assert entry["at"]

    # Creating a period is audited too.
    ok(send(admin, "POST", f"{API}/cycle/periods", json={"period": 2027}), 201)
    (created,) = [
        e for e in audit_log(admin) if e["action"] == "create_period" and e["object_id"] == "2027"
    ]
    assert (created["actor"], created["after"]["state"]) == ("admin", "draft")


# --- roadmaps ----------------------------------------------------------------------------

ROADMAP: dict[str, Any] = {
    "approved_by": "Аким Карагандинской области",
    "approved_on": "2026-03-02",
    "measures": [
        {
            "measure": "Рассматривать обращения в срок: еженедельный контроль просрочек",
            "owner": "Аппарат акима",
            "due_on": "2026-06-30",
            "indicator": "review_timeliness",
        },
        {
            "measure": "Публиковать проект бюджета на портале «Открытые бюджеты»",
            "owner": "Управление финансов",
            "due_on": "2026-09-30",
            "indicator": "open_budget",
        },
    ],
}


def test_a_low_graded_body_publishes_its_roadmap(portal: SeededPortal) -> None:
    karaganda = portal.signed_in("rep-karaganda")
    public = portal.client()
    url = f"{API}/cycle/periods/2025/roadmap"
    assert ok(public.get(f"{API}/periods/2025/bodies/karaganda"))["grade"] == "B"

    submitted = ok(send(karaganda, "PUT", url, json=ROADMAP))
    assert (submitted["period"], submitted["body"]) == (2025, "karaganda")
    assert submitted["measures"] == ROADMAP["measures"]

    listed = ok(public.get(f"{API}/periods/2025/roadmaps"))
    assert [(r["body"], r["approved_by"], r["approved_on"]) for r in listed] == [
        ("karaganda", ROADMAP["approved_by"], ROADMAP["approved_on"])
    ]
    assert listed[0]["measures"] == ROADMAP["measures"]
    page = public.get("/bodies/karaganda", params={"period": "2025"})
    assert page.status_code == 200
    for measure in ROADMAP["measures"]:
        assert measure["measure"] in page.text
        assert measure["owner"] in page.text

    # A body whose grade asks for no roadmap submits none.
    mf = portal.signed_in("mf")
    assert ok(public.get(f"{API}/periods/2025/bodies/mf"))["needs_roadmap"] is False
    assert_error(send(mf, "PUT", url, json=ROADMAP), 409, "conflict")
    # Only representatives submit roadmaps.
    analyst = portal.signed_in("analyst")
    assert_error(send(analyst, "PUT", url, json=ROADMAP), 403)
    assert_error(send(public, "PUT", url, json=ROADMAP), 401)
    # A measure must target an indicator of the methodology; the roadmap stays as it was.
    unknown = {**ROADMAP, "measures": [{**ROADMAP["measures"][0], "indicator": "happiness"}]}
    error = assert_error(send(karaganda, "PUT", url, json=unknown), 422)
    assert "happiness" in error["message"]
    listed = ok(public.get(f"{API}/periods/2025/roadmaps"))
    assert listed[0]["measures"] == ROADMAP["measures"]
    assert [r["body"] for r in listed] == ["karaganda"]


# --- deadlines ---------------------------------------------------------------------------


def test_a_period_moves_by_itself_when_its_deadline_passes(portal: SeededPortal) -> None:
    sessions = portal.app.state.portal.sessions
    with sessions() as session:
        period = actions.get_period(session, 2026)
        deadline = period.disputes_until
        assert deadline == datetime(2027, 1, 27, 23, 59, 59, tzinfo=ASTANA)
        mf = Actor.of(session.scalars(select(Account).where(Account.username == "mf")).one())

        def dispute_at(now: datetime) -> None:
            actions.file_dispute(
                session,
                mf,
                period,
                body_code="mf",
                indicator="review_timeliness",
                justification="Filed at the last moment.",
                attachments=[],
                files=portal.home / "portal" / "files",
                now=now,
            )

        dispute_at(deadline)  # the last second of the window is inside it
        session.rollback()
        with pytest.raises(NotAllowedError):
            dispute_at(deadline + timedelta(seconds=1))
        session.rollback()

        assert actions.sync_deadlines(session, now=deadline) == []
        moved = actions.sync_deadlines(session, now=datetime(2027, 1, 28, tzinfo=ASTANA))
        assert [p.year for p in moved] == [2026]
        session.commit()

    analyst = portal.signed_in("analyst")
    states = {p["period"]: p["state"] for p in ok(analyst.get(f"{API}/cycle/periods"))}
    assert states == {2025: "published", 2026: "consolidation"}
    entry = audit_log(portal.signed_in("admin"))[0]
    assert (entry["actor"], entry["action"], entry["object_id"]) == (
        "system",
        "deadline_passed",
        "2026",
    )
    assert (entry["before"]["state"], entry["after"]["state"]) == ("disputes_open", "consolidation")
    # Disputes are over for 2026.
    assert_error(file_dispute(portal.signed_in("mf"), "review_timeliness"), 403)


def test_collecting_ends_when_the_source_data_are_due(portal: SeededPortal) -> None:
    admin = portal.signed_in("admin")
    analyst = portal.signed_in("analyst")
    ok(send(admin, "POST", f"{API}/cycle/periods", json={"period": 2027}), 201)
    ok(send(analyst, "POST", f"{API}/cycle/periods/2027/move"))
    with portal.app.state.portal.sessions() as session:
        due = actions.get_period(session, 2027).source_data_due
        # By then the 2026 disputes are long over; 2027 itself moves only after its due time.
        assert [p.year for p in actions.sync_deadlines(session, now=due)] == [2026]
        moved = actions.sync_deadlines(session, now=due + timedelta(seconds=1))
        assert [p.year for p in moved] == [2027]
        session.commit()
    states = {p["period"]: p["state"] for p in ok(analyst.get(f"{API}/cycle/periods"))}
    assert states == {2025: "published", 2026: "consolidation", 2027: "disputes_open"}
    assert_error(upload(portal.signed_in("kpssu"), 2027, "late.csv", b"body\n"), 403)
