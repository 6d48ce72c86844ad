"""Signing in under attack: the failure limit holds under concurrent guesses and behind a
proxy, a blocked account's cookies die for good, and the CSRF token changes at sign-in."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx2
import pytest
from argon2 import PasswordHasher, profiles
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from ashyq.access.accounts import hash_password, use_hasher
from ashyq.cli import app as cli
from ashyq.db.models import Account
from ashyq.settings import Settings
from ashyq.web import create_app
from ashyq.web.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    LoginLimiter,
    TooManyAttemptsError,
    TrustedProxies,
)
from tests.portal_support import NOW, SeededPortal, csrf, sign_in

API = "/api/v1"
GUESSERS = 12
PROXY = "10.0.0.7"

# The limiter and the cookies are the same on both databases: one is enough, except for
# ending sessions, which the database does.
sqlite_only = pytest.mark.parametrize("portal_template", ["sqlite"], indirect=True)


@pytest.fixture
def slow_password_of_mf(portal: SeededPortal) -> Iterator[None]:
    """mf's password hashed with argon2 parameters that take tens of milliseconds, as a
    real profile does: concurrent guesses then overlap for real."""
    use_hasher(PasswordHasher(time_cost=4, memory_cost=32768, parallelism=1))
    try:
        with portal.app.state.portal.sessions() as session:
            account = session.scalar(select(Account).where(Account.username == "mf"))
            assert account is not None
            account.password_hash = hash_password(portal.passwords["mf"])
            session.commit()
        yield
    finally:
        use_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))


def _guess_by_api(client: TestClient, token: str) -> httpx2.Response:
    credentials = {"username": "mf", "password": "a wrong guess"}
    return client.post(f"{API}/session", json=credentials, headers={"X-CSRF-Token": token})


def _guess_by_form(client: TestClient, token: str) -> httpx2.Response:
    form = {"username": "mf", "password": "a wrong guess", "csrf_token": token}
    return client.post("/login", data=form, follow_redirects=False)


@sqlite_only
@pytest.mark.parametrize("guess", [_guess_by_api, _guess_by_form], ids=["api", "form"])
@pytest.mark.usefixtures("slow_password_of_mf")
def test_concurrent_wrong_passwords_are_cut_off_at_the_limit(
    portal: SeededPortal, guess: Any
) -> None:
    clients = [portal.client() for _ in range(GUESSERS)]
    tokens = [csrf(client) for client in clients]
    barrier = threading.Barrier(GUESSERS, timeout=30)

    def attempt(client: TestClient, token: str) -> int:
        barrier.wait()
        status: int = guess(client, token).status_code
        return status

    with ThreadPoolExecutor(GUESSERS) as pool:
        statuses = sorted(pool.map(attempt, clients, tokens))
    limit = LoginLimiter().limit
    assert statuses == [401] * limit + [429] * (GUESSERS - limit)


def test_the_limiter_counts_an_attempt_before_the_password_is_checked() -> None:
    limiter = LoginLimiter(limit=3, window=60)
    barrier = threading.Barrier(GUESSERS, timeout=30)

    def attempt(_: int) -> str:
        barrier.wait()
        try:
            limiter.reserve("192.0.2.1", "mf")
        except TooManyAttemptsError:
            return "refused"
        return "counted"

    with ThreadPoolExecutor(GUESSERS) as pool:
        outcomes = sorted(pool.map(attempt, range(GUESSERS)))
    assert outcomes == ["counted"] * 3 + ["refused"] * (GUESSERS - 3)


def test_a_correct_password_gives_back_its_attempt() -> None:
    limiter = LoginLimiter(limit=2, window=60)
    limiter.reserve("192.0.2.1", "mf")  # a failure: it stays counted
    for _ in range(5):
        # Signing in and out again and again from one address never locks it out.
        limiter.succeeded(limiter.reserve("192.0.2.1", "mf"))
    limiter.reserve("192.0.2.1", "someone")
    with pytest.raises(TooManyAttemptsError):
        limiter.reserve("192.0.2.1", "another")


def test_the_limiter_forgets_idle_keys() -> None:
    limiter = LoginLimiter(limit=2, window=60, keep_keys=10)
    for number in range(50):
        limiter.reserve(f"192.0.2.{number}", f"user{number}", now=float(number * 100))
    assert limiter.tracked() <= 12


# --- trusted proxies ---------------------------------------------------------------------


def test_the_client_is_the_right_most_address_no_trusted_proxy_added() -> None:
    proxies = TrustedProxies.parse("10.0.0.0/8, 192.168.1.1 ::1")
    assert proxies.client_address("10.0.0.7", ["203.0.113.9"]) == "203.0.113.9"
    # The client may send its own X-Forwarded-For; the proxies append to it, so the
    # right-most address no trusted proxy wrote is the one that reached the first of them.
    forwarded = ["198.51.100.1, 203.0.113.9", "192.168.1.1"]
    assert proxies.client_address("10.0.0.7", forwarded) == "203.0.113.9"
    assert proxies.client_address("::1", ["2001:db8::5"]) == "2001:db8::5"
    assert proxies.client_address("10.0.0.7", ["203.0.113.9:5123"]) == "203.0.113.9"
    assert proxies.client_address("10.0.0.7", ["[2001:db8::5]:5123"]) == "2001:db8::5"
    # A peer that is no trusted proxy is the client, whatever it claims.
    assert proxies.client_address("198.51.100.7", ["203.0.113.9"]) == "198.51.100.7"
    # Without the header, or with only proxies in it, the nearest proxy is all there is.
    assert proxies.client_address("10.0.0.7", []) == "10.0.0.7"
    assert proxies.client_address("10.0.0.7", ["10.0.0.8"]) == "10.0.0.8"
    assert proxies.client_address("10.0.0.7", ["not-an-address, 10.0.0.8"]) == "10.0.0.8"
    assert TrustedProxies().client_address("10.0.0.7", ["203.0.113.9"]) == "10.0.0.7"


@pytest.mark.parametrize("entry", ["10.0.0.300", "proxy.example", "10.0.0.0/33"])
def test_a_wrong_trusted_proxy_is_refused_by_name(entry: str) -> None:
    with pytest.raises(ValueError, match=entry.replace(".", r"\.")):
        TrustedProxies.parse(f"10.0.0.1,{entry}")


@pytest.fixture
def behind_proxy(portal: SeededPortal, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Make apps over the seeded portal's database, with trusted proxies given by
    ``create_app`` or by the environment."""
    made: list[SeededPortal] = []

    def make(trusted: list[str] | None, environment: str | None = None) -> SeededPortal:
        if environment is None:
            monkeypatch.delenv("ASHYQ_TRUSTED_PROXIES", raising=False)
        else:
            monkeypatch.setenv("ASHYQ_TRUSTED_PROXIES", environment)
        config = Settings(home=portal.home, database_url=portal.url)
        if trusted is not None:
            config = config.model_copy(update={"trusted_proxies": ",".join(trusted)})
        application = create_app(config, clock=lambda: NOW)
        made.append(SeededPortal(application, portal.home, portal.url, portal.passwords))
        return made[-1]

    yield make
    for seeded in made:
        seeded.close()


def _from(seeded: SeededPortal, peer: str, forwarded_for: str | None = None) -> TestClient:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    client = TestClient(seeded.app, client=(peer, 40000), headers=headers)
    seeded._clients.append(client)
    return client


def _fail_five_times(client: TestClient) -> None:
    for _ in range(LoginLimiter().limit):
        assert _guess_by_api(client, csrf(client)).status_code == 401
    assert _guess_by_api(client, csrf(client)).status_code == 429


def _signs_in(client: TestClient, seeded: SeededPortal) -> int:
    credentials = {"username": "analyst", "password": seeded.passwords["analyst"]}
    answer = client.post(f"{API}/session", json=credentials, headers={"X-CSRF-Token": csrf(client)})
    return answer.status_code


@sqlite_only
@pytest.mark.parametrize("configured", ["create_app", "environment"])
def test_behind_a_trusted_proxy_one_guesser_does_not_lock_out_the_others(
    behind_proxy: Any, configured: str
) -> None:
    seeded = (
        behind_proxy([PROXY, "10.1.0.0/16"])
        if configured == "create_app"
        else behind_proxy(None, f"{PROXY} 10.1.0.0/16")
    )
    _fail_five_times(_from(seeded, PROXY, "203.0.113.66"))
    assert _signs_in(_from(seeded, PROXY, "198.51.100.20"), seeded) == 200


@sqlite_only
def test_without_trusted_proxies_the_forwarded_address_is_ignored(behind_proxy: Any) -> None:
    seeded = behind_proxy(None)
    _fail_five_times(_from(seeded, PROXY, "203.0.113.66"))
    assert _signs_in(_from(seeded, PROXY, "198.51.100.20"), seeded) == 429


@sqlite_only
def test_a_spoofed_forwarded_address_from_an_untrusted_peer_is_ignored(
    behind_proxy: Any,
) -> None:
    seeded = behind_proxy([PROXY])
    attacker = "198.51.100.99"
    for number in range(LoginLimiter().limit):
        guesser = _from(seeded, attacker, f"203.0.113.{number}")
        assert _guess_by_api(guesser, csrf(guesser)).status_code == 401
    # A new forged address changes nothing: the attacker's own address is counted.
    again = _from(seeded, attacker, "203.0.113.200")
    assert _signs_in(again, seeded) == 429


def test_serve_takes_trusted_proxies_from_its_option_and_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    served: list[Any] = []
    monkeypatch.setattr("ashyq.web.create_app", lambda config: served.append(config))
    monkeypatch.setattr("uvicorn.run", lambda *args, **options: None)
    monkeypatch.setenv("ASHYQ_HOME", str(tmp_path))
    runner = CliRunner()
    assert "--trusted-proxies" in runner.invoke(cli, ["serve", "--help"]).stdout
    given = runner.invoke(cli, ["serve", "--trusted-proxies", "10.0.0.7,10.1.0.0/16"])
    assert given.exit_code == 0, given.output
    monkeypatch.setenv("ASHYQ_TRUSTED_PROXIES", "192.168.0.1")
    from_environment = runner.invoke(cli, ["serve"])
    assert from_environment.exit_code == 0, from_environment.output
    assert [config.trusted_proxies for config in served] == [
        "10.0.0.7,10.1.0.0/16",
        "192.168.0.1",
    ]
    wrong = runner.invoke(cli, ["serve", "--trusted-proxies", "10.0.0.7,proxy.example"])
    assert wrong.exit_code == 2
    assert "proxy.example" in wrong.stderr


# --- sessions of blocked accounts ---------------------------------------------------------


def _set_active(admin: TestClient, account_id: int, active: bool) -> None:
    answer = admin.put(
        f"{API}/admin/accounts/{account_id}/active",
        json={"active": active},
        headers={"X-CSRF-Token": csrf(admin)},
    )
    assert answer.status_code == 200, answer.text


def test_blocking_ends_the_sessions_and_unblocking_does_not_revive_them(
    portal: SeededPortal,
) -> None:
    mf = portal.signed_in("mf")
    old_cookie = mf.cookies[SESSION_COOKIE]
    assert mf.get(f"{API}/session").json()["username"] == "mf"
    admin = portal.signed_in("admin")
    with portal.app.state.portal.sessions() as session:
        account_id = session.scalar(select(Account.id).where(Account.username == "mf"))
        assert account_id is not None

    _set_active(admin, account_id, False)
    assert mf.get(f"{API}/session").json()["role"] == "public"
    _set_active(admin, account_id, True)
    # The cookie of before the block, sent again after the unblock: still nobody.
    stale = portal.client()
    stale.cookies.set(SESSION_COOKIE, old_cookie)
    assert stale.get(f"{API}/session").json()["role"] == "public"
    assert stale.get("/workspace", follow_redirects=False).status_code == 303
    again = portal.client()
    assert sign_in(again, "mf", portal.passwords["mf"])["username"] == "mf"
    assert again.get(f"{API}/session").json()["username"] == "mf"


# --- CSRF tokens --------------------------------------------------------------------------


def _move_2026(client: TestClient, token: str) -> int:
    answer = client.post(f"{API}/cycle/periods/2026/move", headers={"X-CSRF-Token": token})
    return answer.status_code


@sqlite_only
def test_the_csrf_token_changes_at_sign_in_through_the_api(portal: SeededPortal) -> None:
    client = portal.client()
    before = csrf(client)
    credentials = {"username": "analyst", "password": portal.passwords["analyst"]}
    signed = client.post(f"{API}/session", json=credentials, headers={"X-CSRF-Token": before})
    assert signed.status_code == 200
    after = signed.json()["csrf_token"]
    assert after != before
    assert signed.cookies.get(CSRF_COOKIE) == after
    assert csrf(client) == after
    # The token someone may have learnt before the sign-in changes nothing after it.
    assert _move_2026(client, before) == 403
    assert _move_2026(client, after) == 200


@sqlite_only
def test_the_csrf_token_changes_at_sign_in_and_out_through_the_form(
    portal: SeededPortal,
) -> None:
    client = portal.client()
    before = csrf(client)
    form = {"username": "analyst", "password": portal.passwords["analyst"]}
    signed = client.post("/login", data={**form, "csrf_token": before}, follow_redirects=False)
    assert signed.status_code == 303
    after = signed.cookies.get(CSRF_COOKIE)
    assert after and after != before
    assert f'value="{after}"' in client.get("/workspace").text
    assert _move_2026(client, before) == 403
    out = client.post("/logout", data={"csrf_token": after}, follow_redirects=False)
    assert out.status_code == 303
    fresh = out.cookies.get(CSRF_COOKIE)
    assert fresh and fresh not in (before, after)
