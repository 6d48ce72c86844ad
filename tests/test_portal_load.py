"""The portal under concurrent load and hostile requests, served by a real ``ashyq serve``.

Every request goes to 127.0.0.1, every loop is bounded in count and time. Each test
asserts what a reader would notice: every request is answered within a few seconds (no
hang), none with a 5xx, and the server's memory does not grow with what anonymous
readers send.
"""

from __future__ import annotations

import http.client
import json
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.portal_support import BACKENDS, database_for, seed
from tests.served import Server
from tests.test_hostile_files import zip_bomb

pytestmark = pytest.mark.load

# Every request must be answered within this; a stalled event loop answers nothing.
ANSWER_SECONDS = 15.0


@dataclass(frozen=True)
class Answer:
    """A request's status (0: no answer in time) and how long it took."""

    status: int
    seconds: float
    body: bytes = b""


def request(
    server: Server,
    path: str,
    *,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Answer:
    """One request on a new connection, waiting at most ANSWER_SECONDS."""
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=ANSWER_SECONDS)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        content = response.read()
        return Answer(response.status, time.monotonic() - started, content)
    except (TimeoutError, ConnectionError, http.client.HTTPException):
        return Answer(0, time.monotonic() - started)
    finally:
        connection.close()


def all_at_once(server: Server, paths: list[str], headers: dict[str, str]) -> list[Answer]:
    """Send every request of ``paths`` at the same time, one thread each."""
    with ThreadPoolExecutor(max_workers=len(paths)) as pool:
        return list(pool.map(lambda path: request(server, path, headers=headers), paths))


def _set_cookies(answer: http.client.HTTPResponse) -> dict[str, str]:
    pairs = [v.split(";", 1)[0] for name, v in answer.getheaders() if name == "set-cookie"]
    return dict(pair.split("=", 1) for pair in pairs)


def signed_in_cookie(server: Server, username: str, password: str) -> str:
    """The Cookie header of a session signed in through the API (with the CSRF cookie
    issued at sign-in, which replaces the one from before)."""
    first = http.client.HTTPConnection("127.0.0.1", server.port, timeout=ANSWER_SECONDS)
    first.request("GET", "/api/v1/session")
    answer = first.getresponse()
    token = json.loads(answer.read())["csrf_token"]
    jar = _set_cookies(answer)
    first.close()
    second = http.client.HTTPConnection("127.0.0.1", server.port, timeout=ANSWER_SECONDS)
    second.request(
        "POST",
        "/api/v1/session",
        body=json.dumps({"username": username, "password": password}),
        headers={
            "Content-Type": "application/json",
            "X-CSRF-Token": token,
            "Cookie": "; ".join(f"{name}={value}" for name, value in jar.items()),
        },
    )
    answer = second.getresponse()
    answer.read()
    assert answer.status == 200
    jar |= _set_cookies(answer)
    second.close()
    return "; ".join(f"{name}={value}" for name, value in jar.items())


@dataclass
class Served:
    """A seeded portal served by ``ashyq serve``, and the demo passwords."""

    server: Server
    passwords: dict[str, str]


@pytest.fixture(params=BACKENDS)
def served(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Served]:
    home = tmp_path / "home"
    home.mkdir()
    for url in database_for(request.param, home):
        passwords = seed(url, home)
        server = Server(home, database_url=url)
        server.start()
        try:
            yield Served(server, passwords)
        finally:
            server.kill()


def _no_hang_no_error(answers: list[Answer], expected: int) -> None:
    statuses = Counter(answer.status for answer in answers)
    assert statuses == {expected: len(answers)}, statuses
    assert max(answer.seconds for answer in answers) < ANSWER_SECONDS


def test_anonymous_requests_with_bogus_cookies_do_not_hang_the_portal(served: Served) -> None:
    # Each carries a session cookie, so none is answered from the public cache: each
    # looks its session up in the database.
    server = served.server
    # More than the portal's worker threads and connections: the 200 of the benchmark.
    paths = ["/workspace"] * 200
    with ThreadPoolExecutor(max_workers=201) as pool:
        bogus = [
            pool.submit(request, server, path, headers={"Cookie": f"ashyq_session=bogus{n}"})
            for n, path in enumerate(paths)
        ]
        static = pool.submit(request, server, "/static/ashyq.css")
        answers = [future.result() for future in bogus]
    _no_hang_no_error(answers, 303)  # to the sign-in form
    assert static.result().status == 200
    assert static.result().seconds < ANSWER_SECONDS


def test_signed_in_readers_all_get_their_answers(served: Served) -> None:
    server = served.server
    cookie = signed_in_cookie(server, "analyst", served.passwords["analyst"])
    answers = all_at_once(server, ["/api/v1/cycle/periods"] * 200, {"Cookie": cookie})
    _no_hang_no_error(answers, 200)
    assert all(json.loads(answer.body) for answer in answers)


def test_varied_query_strings_neither_grow_memory_nor_echo_into_pages(served: Served) -> None:
    server = served.server
    for warm in ("/rankings?level=CGO", "/rankings?level=MIO"):
        assert request(server, warm).status == 200
    before = server.resident_bytes()
    noise = "x" * 2000
    paths = [f"/rankings?level=CGO&n={n}&junk={noise}" for n in range(300)]
    with ThreadPoolExecutor(max_workers=20) as pool:
        answers = list(pool.map(lambda path: request(server, path), paths))
    _no_hang_no_error(answers, 200)
    # Unknown parameters are neither a new cache entry nor written into the page.
    assert all(b"junk" not in answer.body for answer in answers)
    assert server.resident_bytes() - before < 64 * 1024 * 1024


def test_a_protocol_relative_path_makes_no_off_site_link(served: Served) -> None:
    answer = request(served.server, "//evil.example/rankings")
    assert answer.status < 500
    assert b"//evil.example" not in answer.body


def test_a_body_larger_than_the_limit_is_refused_before_it_is_read(served: Served) -> None:
    server = served.server
    cookie = signed_in_cookie(server, "analyst", served.passwords["analyst"])
    # Content-Length says 1 GB; the body never comes: the answer must not wait for it.
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=ANSWER_SECONDS)
    connection.putrequest("POST", "/api/v1/cycle/periods/2026/uploads")
    connection.putheader("Cookie", cookie)
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(1 << 30))
    connection.endheaders()
    answer = connection.getresponse()
    body = json.loads(answer.read())
    connection.close()
    assert answer.status == 413
    assert body["error"]["code"] == "too_large"


def _multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "ashyq-test-boundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    return head + content + f"\r\n--{boundary}--\r\n".encode(), boundary


def test_a_zip_bomb_upload_neither_stalls_readers_nor_swells_the_server(
    served: Served, tmp_path: Path
) -> None:
    server = served.server
    cookie = signed_in_cookie(server, "analyst", served.passwords["analyst"])
    token = next(c.split("=", 1)[1] for c in cookie.split("; ") if c.startswith("ashyq_csrf="))
    body, boundary = _multipart("bomb.xlsx", zip_bomb(tmp_path / "bomb.xlsx").read_bytes())
    before = server.resident_bytes()
    headers = {
        "Cookie": cookie,
        "X-CSRF-Token": token,
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    }
    with ThreadPoolExecutor(max_workers=41) as pool:
        upload = pool.submit(
            request,
            server,
            "/api/v1/cycle/periods/2026/uploads",
            method="POST",
            headers=headers,
            body=body,
        )
        readers = list(pool.map(lambda n: request(server, f"/rankings?level=MIO&n={n}"), range(40)))
    _no_hang_no_error(readers, 200)
    answer = upload.result()
    assert answer.status == 201
    report = json.loads(answer.body)
    assert report["status"] == "rejected"
    assert server.resident_bytes() - before < 128 * 1024 * 1024
