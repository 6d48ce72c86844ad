"""The portal's ASGI middleware, outside routing: admission (at most as many requests
inside as worker threads), the limit on request bodies, and the security headers and
cookies on every answer."""

from __future__ import annotations

from collections.abc import Mapping

import anyio
from fastapi import Request, Response
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ashyq.i18n import LANGUAGES, N_, translate
from ashyq.web.errors import HTTP_MESSAGES
from ashyq.web.portal import LANG_COOKIE, request_lang
from ashyq.web.rendering import error_response
from ashyq.web.security import CSRF_COOKIE, SECURITY_HEADERS

__all__ = ["Admission", "BodyLimit", "SecurityHeaders"]


class Admission:
    """Lets at most ``inside`` requests into the app at once (``LIMITS.worker_threads``);
    the others wait their turn, at most ``waiting`` of them for at most ``wait_seconds``,
    and are otherwise answered 503 with ``Retry-After``.

    Each request takes a worker thread for each of its dependencies and its endpoint, and
    keeps its database connection from its first query to its end. With no more requests
    inside than threads, and a connection for every thread (``web/limits.py``), neither
    can run out: without this, 200 concurrent requests left all 40 threads waiting for
    connections held by requests that waited for a thread. Static files and the public
    cache, which need neither, are outside it.
    """

    def __init__(self, app: ASGIApp, inside: int, waiting: int, wait_seconds: float) -> None:
        self.app = app
        self.inside = inside
        self.waiting = waiting
        self.wait_seconds = wait_seconds
        self._slots: anyio.Semaphore | None = None
        self._waiters = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = anyio.Semaphore(self.inside)
        slots = self._slots
        admitted = False
        if slots.value or self._waiters < self.waiting:
            self._waiters += 1
            try:
                with anyio.move_on_after(self.wait_seconds):
                    await slots.acquire()
                    admitted = True
            finally:
                self._waiters -= 1
        if not admitted:
            await _busy(Request(scope, receive))(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            slots.release()


def _busy(request: Request) -> Response:
    lang = request_lang(request)
    message = translate(N_("The portal is busy. Please try again in a moment."), lang)
    return error_response(request, 503, "busy", message, headers={"Retry-After": "2"})


class BodyLimit:
    """Refuses a request body larger than the portal's limit with 413 in the one error
    shape: at once when ``Content-Length`` says so, or as soon as a streamed body passes it.
    """

    def __init__(self, app: ASGIApp, limit: int, limits: Mapping[str, int]) -> None:
        self.app = app
        self.limit = limit
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        limit = next((v for k, v in self.limits.items() if path.startswith(k)), self.limit)
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(Request(scope, receive))(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                # Raised inside the endpoint's reading of the body: the app's handler
                # answers it like any 413.
                raise StarletteHTTPException(413)
            return message

        await self.app(scope, counted, send)


def _too_large(request: Request) -> Response:
    lang = request_lang(request)
    message = translate(HTTP_MESSAGES[413], lang)
    return error_response(request, 413, "too_large", message, headers={"Connection": "close"})


class SecurityHeaders:
    """Security headers on every response; the CSRF and language cookies when new.

    A plain ASGI middleware: it only adds headers to the response start, without the
    stream copying of Starlette's BaseHTTPMiddleware.
    """

    def __init__(self, app: ASGIApp, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    if name not in headers:
                        headers.append(name, value)
                state = scope.get("state") or {}
                new_csrf = state.get("new_csrf")
                if new_csrf and not request.cookies.get(CSRF_COOKIE):
                    headers.append("Set-Cookie", _cookie(CSRF_COOKIE, new_csrf, None, self.secure))
                chosen = request.query_params.get("lang")
                if chosen in LANGUAGES and chosen != request.cookies.get(LANG_COOKIE):
                    headers.append(
                        "Set-Cookie", _cookie(LANG_COOKIE, chosen, 365 * 86400, self.secure)
                    )
            await send(message)

        await self.app(scope, receive, with_headers)


def _cookie(name: str, value: str, max_age: int | None, secure: bool) -> str:
    response = Response()
    response.set_cookie(
        name, value, max_age=max_age, httponly=True, samesite="lax", secure=secure, path="/"
    )
    return response.headers["set-cookie"]
