"""Cookies, CSRF tokens, the login rate limit and the headers every response carries."""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from ipaddress import IPv4Network, IPv6Network, ip_address, ip_network
from typing import Final

from fastapi import Request, Response
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPBearer

from ashyq.errors import ActionError
from ashyq.i18n import N_

__all__ = [
    "CSRF_COOKIE",
    "CSRF_COOKIE_SCHEME",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "CSRF_HEADER_SCHEME",
    "RATING_KEY_SCHEME",
    "SECURITY_HEADERS",
    "SESSION_COOKIE",
    "SESSION_SCHEME",
    "CsrfError",
    "LazyCsrfToken",
    "LoginAttempt",
    "LoginLimiter",
    "NotAProxyError",
    "TooManyAttemptsError",
    "TrustedProxies",
    "check_csrf",
    "csrf_token",
    "rotate_csrf",
    "set_session_cookie",
]

SESSION_COOKIE: Final = "ashyq_session"
CSRF_COOKIE: Final = "ashyq_csrf"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "X-CSRF-Token"
# How the OpenAPI description declares each credential (the checks themselves are
# ``check_csrf``, ``session_actor`` and the rating desk's keys; none of these refuses by
# itself). An operation needs all the schemes it lists at once (``app.openapi``).
SESSION_SCHEME: Final = APIKeyCookie(
    name=SESSION_COOKIE,
    scheme_name="sessionCookie",
    description="The HttpOnly cookie POST /api/v1/session sets at sign-in.",
    auto_error=False,
)
CSRF_COOKIE_SCHEME: Final = APIKeyCookie(
    name=CSRF_COOKIE,
    scheme_name="csrfCookie",
    description="The CSRF cookie GET /api/v1/session sets (a new one at sign-in and out).",
    auto_error=False,
)
CSRF_HEADER_SCHEME: Final = APIKeyHeader(
    name=CSRF_HEADER,
    scheme_name="csrfHeader",
    description=(
        "The csrf_token of GET /api/v1/session (or of the sign-in's answer): it must equal "
        "the CSRF cookie's value on every change."
    ),
    auto_error=False,
)
RATING_KEY_SCHEME: Final = HTTPBearer(
    scheme_name="ratingKey",
    description="The API key of a service point (ashyq ratings key issue).",
    auto_error=False,
)

# Everything is served from the portal itself: no CDN, no inline script, no framing.
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


class CsrfError(ActionError):
    """A state-changing request without the token of the page it came from."""

    status = 403
    code = "csrf"


class TooManyAttemptsError(ActionError):
    """Too many failed sign-ins from this address or for this username."""

    status = 429
    code = "too_many_attempts"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            N_("Too many failed sign-ins; try again in {seconds} s."), seconds=retry_after
        )
        self.retry_after = retry_after

    def response_headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def csrf_token(request: Request) -> str:
    """The browser's CSRF token: one this request issued (a new browser's, or after a
    sign-in or sign-out), else its cookie's, else a new one the response will set."""
    token: str | None = getattr(request.state, "new_csrf", None) or request.cookies.get(CSRF_COOKIE)
    if not token:
        token = request.state.new_csrf = secrets.token_urlsafe(32)
    return token


def rotate_csrf(request: Request, response: Response, *, secure: bool) -> str:
    """Issue a new CSRF token with ``response`` and use it for the rest of this request;
    returns it. Called at sign-in and sign-out, so a token someone learnt or planted
    before no longer passes ``check_csrf`` after."""
    token = request.state.new_csrf = secrets.token_urlsafe(32)
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="lax", secure=secure, path="/")
    return token


class LazyCsrfToken:
    """The CSRF token of a page, made (and its cookie set) only if the page shows a form.

    A public page without forms then sets no cookie, so it stays the same for every reader.
    """

    def __init__(self, request: Request) -> None:
        self.request = request

    def __str__(self) -> str:
        return csrf_token(self.request)

    def __html__(self) -> str:
        return csrf_token(self.request)


def check_csrf(request: Request, submitted: str | None) -> None:
    """Raise CsrfError unless ``submitted`` (form field or header) equals the cookie's token.

    The token is a double-submit cookie: another site can make the browser send the
    cookie, but cannot read it to put it into the form or header.
    """
    expected = request.cookies.get(CSRF_COOKIE)
    if not expected or not submitted or not secrets.compare_digest(expected, submitted):
        raise CsrfError(
            N_(
                "The form has expired or did not come from this portal; "
                "reload the page and try again."
            )
        )


def set_session_cookie(response: Response, token: str, *, secure: bool, max_age: int) -> None:
    """Set the sign-in cookie: HttpOnly, SameSite=Lax, Secure behind HTTPS."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=secure,
        path="/",
    )


_Network = IPv4Network | IPv6Network


class NotAProxyError(ValueError):
    """A trusted proxy that is neither an IP address nor a network."""

    def __init__(self, entry: str) -> None:
        super().__init__(f"not an IP address or network: {entry}")
        self.entry = entry


@dataclass(frozen=True)
class TrustedProxies:
    """The reverse proxies whose ``X-Forwarded-For`` names the client.

    Behind a proxy every request comes from the proxy's address; the client's is the
    right-most address in ``X-Forwarded-For`` that no trusted proxy added. A request from
    any other peer is its own client, whatever header it sends: the header is trivial to
    forge.
    """

    networks: tuple[_Network, ...] = ()

    @classmethod
    def parse(cls, entries: str | Iterable[str]) -> TrustedProxies:
        """Addresses or networks (``10.0.0.0/8``), separated by commas or spaces; raises
        NotAProxyError for the first entry that is neither."""
        texts = [entries] if isinstance(entries, str) else list(entries)
        networks = []
        for entry in (part for text in texts for part in re.split(r"[\s,]+", text) if part):
            try:
                networks.append(ip_network(entry, strict=False))
            except ValueError:
                raise NotAProxyError(entry) from None
        return cls(tuple(networks))

    def trusts(self, address: str) -> bool:
        """Whether ``address`` is one of the trusted proxies."""
        try:
            parsed = ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self.networks)

    def client_address(self, peer: str, forwarded_for: list[str]) -> str:
        """The client's address, given the direct ``peer`` and the ``X-Forwarded-For``
        headers in the order received.

        Walks the header from the right past trusted proxies. Should it hold only proxies,
        the left-most is the client; should it hold something that is no address, the
        nearest proxy is all that is known.
        """
        if not self.trusts(peer):
            return peer
        hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
        client = peer
        for hop in reversed([hop for hop in hops if hop]):
            try:
                client = str(ip_address(_without_port(hop)))
            except ValueError:
                return client
            if not self.trusts(client):
                return client
        return client


def _without_port(hop: str) -> str:
    # Some proxies write "203.0.113.9:51234" or "[2001:db8::5]:51234".
    if hop.startswith("["):
        return hop[1:].split("]", 1)[0]
    return hop.split(":", 1)[0] if hop.count(":") == 1 else hop


@dataclass(frozen=True)
class LoginAttempt:
    """A sign-in attempt, counted as a failure until ``LoginLimiter.succeeded`` says not."""

    address_key: str
    username_key: str
    at: float


@dataclass
class LoginLimiter:
    """At most ``limit`` failed sign-ins per address and per username in ``window`` seconds.

    An attempt is counted before its password is checked (argon2 takes a while), so
    concurrent guesses cannot all pass the check before any is counted; a correct
    password gives its attempt back. Kept in the process's memory: one portal process per
    database, as ``ashyq serve`` runs. Past ``keep_keys`` addresses and usernames, those
    with no attempt in the window are forgotten, so guesses at random names cannot fill the
    memory.
    """

    limit: int = 5
    window: float = 900.0
    proxies: TrustedProxies = field(default_factory=TrustedProxies)
    keep_keys: int = 10_000
    _attempts: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def address(self, request: Request) -> str:
        """The address a request's attempts count against: the client's, behind a trusted
        proxy too."""
        peer = request.client.host if request.client else "unknown"
        return self.proxies.client_address(peer, request.headers.getlist("x-forwarded-for"))

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._attempts.setdefault(key, deque())
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        return stamps

    def _forget_idle(self, now: float) -> None:
        if len(self._attempts) <= self.keep_keys:
            return
        idle = [
            k
            for k, stamps in self._attempts.items()
            if not stamps or stamps[-1] <= now - self.window
        ]
        for key in idle:
            del self._attempts[key]

    def reserve(self, address: str, username: str, now: float | None = None) -> LoginAttempt:
        """Count an attempt against the address and the username, at once with the check;
        raises TooManyAttemptsError, counting nothing, while either is at the limit."""
        now = time.monotonic() if now is None else now
        attempt = LoginAttempt(f"ip:{address}", f"user:{username.casefold()}", now)
        with self._lock:
            self._forget_idle(now)
            counted = [
                self._recent(key, now) for key in (attempt.address_key, attempt.username_key)
            ]
            for stamps in counted:
                if len(stamps) >= self.limit:
                    raise TooManyAttemptsError(int(stamps[0] + self.window - now) + 1)
            for stamps in counted:
                stamps.append(now)
        return attempt

    def succeeded(self, attempt: LoginAttempt) -> None:
        """A correct password: its attempt is no failure, and the username's failures are
        cleared (the address's other failures stay)."""
        with self._lock:
            stamps = self._attempts.get(attempt.address_key)
            if stamps is not None and attempt.at in stamps:
                stamps.remove(attempt.at)
            self._attempts.pop(attempt.username_key, None)

    def tracked(self) -> int:
        """How many addresses and usernames are remembered."""
        with self._lock:
            return len(self._attempts)
