"""What the portal answers to what a clumsy user or an attacker sends, and to its own
faults: a clear error in the one shape, never a traceback, never a hang."""

from __future__ import annotations

import inspect
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from ashyq.cycle.files import MAX_SOURCE_BYTES
from ashyq.settings import Settings
from ashyq.web import create_app
from ashyq.web.cache import Cached, PageCache
from tests.portal_support import SeededPortal, csrf, post_form

# The only coroutines the portal runs on its event loop, and why each never blocks: all
# else (every database call above all) runs in plain functions in the thread pool.
ON_THE_EVENT_LOOP = {
    "home": "answers a redirect, reading nothing",
    "_lang": "reads the request's query and cookies",
    "_form": "awaits the request body, parsed within Starlette's limits",
    "submit_rating": "awaits the rating writer thread; the photo is written in the pool",
}


def _calls(dependant: Dependant) -> list[Callable[..., Any]]:
    found = [dependant.call] if dependant.call is not None else []
    for child in dependant.dependencies:
        found += _calls(child)
    return found


def test_only_awaiting_code_runs_on_the_event_loop(tmp_path: Path) -> None:
    app = create_app(Settings(home=tmp_path))
    coroutines = {
        call.__name__
        for route in app.state.routes
        if isinstance(route, APIRoute)
        for call in _calls(route.dependant)
        if inspect.iscoroutinefunction(call) or inspect.isasyncgenfunction(call)
    }
    assert coroutines == set(ON_THE_EVENT_LOOP)


@pytest.mark.parametrize("level", ["CGO", "MIO"])
def test_every_filter_the_ranking_form_offers_answers(
    read_only_portal: SeededPortal, level: str
) -> None:
    client = read_only_portal.client()
    for grade in ("", "AAA", "AA", "A", "BBB", "BB", "B"):
        for category in ("", "A", "B", "C"):
            url = f"/rankings?level={level}&grade={grade}&criterion=appeals&category={category}"
            answer = client.get(url)
            assert answer.status_code == 200, url


def test_an_unknown_body_in_a_workspace_address_is_not_found(
    read_only_portal: SeededPortal,
) -> None:
    client = read_only_portal.signed_in("analyst")
    for url in ("/workspace/periods/2026/bodies/NOPE", "/reports/2025/scorecards/NOPE.pdf"):
        answer = client.get(url)
        assert answer.status_code == 404, url


@pytest.mark.parametrize("name", ["README.md", "..%2Fpyproject.toml", "pyproject.toml"])
def test_a_methodology_is_never_read_from_a_path(read_only_portal: SeededPortal, name: str) -> None:
    answer = read_only_portal.client().get(f"/api/v1/methodologies/{name}")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"


def test_deadlines_in_year_9999_are_refused_by_the_form_and_the_api(portal: SeededPortal) -> None:
    client = portal.signed_in("admin")
    moments = dict.fromkeys(("source_data_due", "disputes_until", "consolidation_by"))
    api = client.put(
        "/api/v1/cycle/periods/2026/deadlines",
        json=dict.fromkeys(moments, "9999-12-31T23:59:00+05:00"),
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert api.status_code == 422
    (problem, *_) = api.json()["error"]["problems"]
    assert problem["field"] == "body.source_data_due"
    assert problem["message"] == "год с 2000 по 2100"  # in the reader's language (ru)
    form = post_form(
        client, "/admin/periods/2026/deadlines", dict.fromkeys(moments, "9999-12-31T23:59")
    )
    assert form.status_code == 422
    assert "source_data_due" in form.text
    assert client.get("/workspace/periods/2026").status_code == 200


def _roadmap_form(measure: str, due: str = "2027-06-30") -> dict[str, str]:
    return {
        "approved_by": "Аким",
        "approved_on": "2026-11-20",
        "measure_1": measure,
        "owner_1": "Аппарат акима",
        "due_1": due,
        "indicator_1": "review_timeliness",
    }


def test_the_roadmap_form_has_the_limits_of_the_api(portal: SeededPortal) -> None:
    client = portal.signed_in("rep-karaganda")
    for form, field in (
        (_roadmap_form("m" * 900_000), "measure_1"),
        (_roadmap_form("Обучение", due="9999-01-01"), "due_1"),
    ):
        answer = post_form(client, "/workspace/periods/2025/roadmap", form)
        assert answer.status_code == 422
        assert field in answer.text
    api = client.put(
        "/api/v1/cycle/periods/2025/roadmap",
        json={
            "approved_by": "Аким",
            "approved_on": "2026-11-20",
            "measures": [
                {"measure": "м" * 2001, "owner": "А", "due_on": "2027-06-30", "indicator": ""}
            ],
        },
        headers={"X-CSRF-Token": csrf(client)},
    )
    assert api.status_code == 422
    fine = post_form(client, "/workspace/periods/2025/roadmap", _roadmap_form("Обучение"))
    assert fine.status_code == 303


def test_an_unexpected_error_takes_the_one_error_shape(tmp_path: Path) -> None:
    app = create_app(Settings(home=tmp_path))

    def broken() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/broken", broken)
    app.add_api_route("/broken", broken)
    client = TestClient(app, raise_server_exceptions=False)
    api = client.get("/api/v1/broken?lang=en")
    assert api.status_code == 500
    assert api.json()["error"]["code"] == "server_error"
    assert "a bug" not in api.text  # the traceback goes to the log, not to the reader
    page = client.get("/broken?lang=ru")
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")


def test_a_locked_database_answers_503_and_the_portal_goes_on(
    read_only_portal: SeededPortal,
) -> None:
    client = read_only_portal.signed_in("admin")
    token = csrf(client)
    path = read_only_portal.url.split("///", 1)[1]
    locker = sqlite3.connect(path, timeout=0)
    try:
        locker.execute("BEGIN EXCLUSIVE")
        answer = client.post(
            "/api/v1/cycle/periods", json={"period": 2031}, headers={"X-CSRF-Token": token}
        )
    finally:
        locker.rollback()
        locker.close()
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "busy"
    assert answer.headers["Retry-After"]
    assert client.get("/api/v1/cycle/periods").status_code == 200


def test_the_page_cache_keeps_to_its_byte_budget() -> None:
    cache = PageCache(max_bytes=10_000, max_entry_bytes=2_000)
    for number in range(100):
        cache.put(number, Cached(200, (), b"x" * 1_500))
    assert cache.bytes <= 10_000
    assert len(cache) == 6
    assert cache.get(99) is not None and cache.get(0) is None
    cache.put("big", Cached(200, (), b"x" * 2_001))
    assert cache.get("big") is None


def _upload(client: TestClient, filename: str, content: bytes) -> Any:
    return client.post(
        "/api/v1/cycle/periods/2026/uploads?lang=en",
        files={"file": (filename, content, "text/csv")},
        headers={"X-CSRF-Token": csrf(client)},
    )


def _mf_values(client: TestClient) -> tuple[list[str], list[str]]:
    draft = client.get("/api/v1/cycle/periods/2026/drafts/mf").json()
    values = {v["field"]: v["value"] for v in draft["values"]}
    fields = sorted(values)
    return fields, [str(values[f]).replace(".", ",") for f in fields]


def test_a_windows_1251_csv_from_excel_is_read_and_a_broken_one_names_its_line(
    portal: SeededPortal,
) -> None:
    client = portal.signed_in("analyst")
    fields, cells = _mf_values(client)
    lines = [";".join(["body", *fields]), ";".join(["Министерство финансов", *cells])]
    saved_by_excel = ("\r\n".join(lines) + "\r\n").encode("cp1251")
    answer = _upload(client, "минфин.csv", saved_by_excel)
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "loaded"
    # Windows-1251 on line 2, UTF-8 from line 3: the reader names the line.
    mixed = saved_by_excel + ";".join(["Министерство финансов", *cells]).encode() + b"\r\n"
    refused = _upload(client, "mixed.csv", mixed)
    assert refused.status_code == 201 and refused.json()["status"] == "rejected"
    report = client.get(f"/api/v1/cycle/uploads/{refused.json()['id']}?lang=en").json()
    assert any("row 3" in problem["message"] for problem in report["problems"]), report
    binary = _upload(client, "binary.csv", b"body;x\r\nmf;1\r\n\x00\x01\x02")
    assert binary.status_code == 422
    assert "line 3" in binary.json()["error"]["message"]


@pytest.mark.parametrize(
    ("lang", "said"), [("ru", "не длиннее 2000 символов"), ("kk", "ең көбі 2000 таңба")]
)
def test_a_field_problem_is_said_in_the_readers_language(
    portal: SeededPortal, lang: str, said: str
) -> None:
    client = portal.signed_in("rep-karaganda")
    answer = post_form(
        client, f"/workspace/periods/2025/roadmap?lang={lang}", _roadmap_form("m" * 2001)
    )
    assert answer.status_code == 422
    assert said in answer.text


def test_a_file_over_the_limit_is_refused_with_its_real_size(portal: SeededPortal) -> None:
    client = portal.signed_in("analyst")
    size = MAX_SOURCE_BYTES + 100  # under the request limit, over the file's
    answer = _upload(client, "big.csv", b"body;x\n" + b"x" * (size - 7))
    assert answer.status_code == 422
    assert answer.json()["error"]["message"] == (
        f"big.csv: expected at most 20 MB; found {size} bytes"
    )
