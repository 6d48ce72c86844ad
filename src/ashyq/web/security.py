"""Cookies, CSRF tokens, the login rate limit and the headers every response carries."""

from __future__ import annotations

import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Final

from fastapi import Request, Response

from ashyq.cycle.errors import ActionError
from ashyq.i18n import N_

__all__ = [
    "CSRF_COOKIE",
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SECURITY_HEADERS",
    "SESSION_COOKIE",
    "CsrfError",
    "LazyCsrfToken",
    "LoginLimiter",
    "TooManyAttemptsError",
    "check_csrf",
    "csrf_token",
    "set_session_cookie",
]

SESSION_COOKIE: Final = "ashyq_session"
CSRF_COOKIE: Final = "ashyq_csrf"
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "X-CSRF-Token"

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
    """The browser's CSRF token: its cookie's, or a new one the response will set."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(32)
        request.state.new_csrf = token
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


@dataclass
class LoginLimiter:
    """At most ``limit`` failed sign-ins per address and per username in ``window`` seconds.

    Kept in the process's memory: one portal process per database, as ``ashyq serve`` runs.
    """

    limit: int = 5
    window: float = 900.0
    _failures: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: str, now: float) -> deque[float]:
        stamps = self._failures.setdefault(key, deque())
        while stamps and stamps[0] <= now - self.window:
            stamps.popleft()
        return stamps

    def check(self, address: str, username: str) -> None:
        """Raise TooManyAttemptsError while either key is over the limit."""
        now = time.monotonic()
        with self._lock:
            for key in (f"ip:{address}", f"user:{username.casefold()}"):
                stamps = self._recent(key, now)
                if len(stamps) >= self.limit:
                    raise TooManyAttemptsError(int(stamps[0] + self.window - now) + 1)

    def failed(self, address: str, username: str) -> None:
        """Count a failed sign-in against the address and the username."""
        now = time.monotonic()
        with self._lock:
            for key in (f"ip:{address}", f"user:{username.casefold()}"):
                self._recent(key, now).append(now)

    def succeeded(self, username: str) -> None:
        """A correct password clears the username's failures (not the address's)."""
        with self._lock:
            self._failures.pop(f"user:{username.casefold()}", None)
