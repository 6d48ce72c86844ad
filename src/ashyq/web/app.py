"""The FastAPI application: public pages, the workspace, the JSON API and one error shape."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from http import HTTPStatus
from importlib import resources
from typing import Any, Final
from urllib.parse import parse_qsl, quote

import anyio
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ashyq.bodies import UnknownBodyError
from ashyq.db import make_engine, upgrade
from ashyq.db.models import utcnow
from ashyq.errors import ActionError, NotFoundError, SignInRequiredError
from ashyq.i18n import LANGUAGES, N_, Lang, translate
from ashyq.ratings.desk import RatingDesk
from ashyq.settings import Settings, settings
from ashyq.storage.atomic import remove_leftovers
from ashyq.web.cache import ChangeStamp, PageCache, PublicCache, declared_query
from ashyq.web.limits import LIMITS
from ashyq.web.portal import LANG_COOKIE, Portal, formatters, request_lang
from ashyq.web.security import (
    CSRF_COOKIE,
    SECURITY_HEADERS,
    LazyCsrfToken,
    LoginLimiter,
    TrustedProxies,
)

__all__ = ["create_app", "error_body", "page_context", "render", "templates"]

_log = logging.getLogger(__name__)
_PACKAGE = resources.files("ashyq.web")
templates = Jinja2Templates(directory=str(_PACKAGE / "templates"))


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """Render template ``name`` (HTML, autoescaped) with ``context``."""
    response: Response = templates.TemplateResponse(
        request, name, context, status_code=status_code, headers=headers
    )
    return response


_HTTP_MESSAGES = {
    400: N_("The request could not be read."),
    404: N_("No such page."),
    405: N_("This address does not accept that method."),
    413: N_("The request is too large."),
}


def error_body(
    status: int, code: str, message: str, problems: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The one error shape of the whole API."""
    return {
        "error": {"status": status, "code": code, "message": message, "problems": problems or []}
    }


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    problems: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    if _wants_json(request):
        return JSONResponse(error_body(status, code, message, problems), status, headers=headers)
    lang = request_lang(request)
    context = {
        "request": request,
        "status": status,
        "code": code,
        "message": message,
        "problems": problems or [],
        **page_context(request, lang),
    }
    return render(request, "error.html", context, status, headers)


def page_context(request: Request, lang: Lang) -> dict[str, Any]:
    """What every page template needs: formatters, the actor, the CSRF token, the URL."""
    path, query = request.url.path, request.url.query
    return {
        **formatters(lang),
        "actor": getattr(request.state, "actor", None),
        "csrf_token": LazyCsrfToken(request),
        "path": request.url.path,
        # Only what the route declares: a page never echoes parameters it does not know.
        "query": dict(parse_qsl(declared_query(request.app.state.routes, path, query)[1])),
    }


async def _action_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ActionError)
    if isinstance(error, SignInRequiredError) and not _wants_json(request):
        # A page behind sign-in sends the reader to the form, and back after.
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)
    lang = request_lang(request)
    headers = error.response_headers() or None
    problems = [{**p.as_dict(lang), "message": p.render(lang)} for p in error.problems]
    return _error_response(request, error.status, error.code, error.render(lang), problems, headers)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    lang = request_lang(request)
    text = _HTTP_MESSAGES.get(error.status_code)
    message = translate(text, lang) if text else str(error.detail)
    code = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
        error.status_code, "http_error"
    )
    headers = dict(error.headers or {})
    if error.status_code == 405:
        # Each method of a path is its own route; Allow must list them all, not the first.
        headers["Allow"] = ", ".join(_allowed_methods(request))
    # What the parser said (a form field too large, say) stays, under the reader's text.
    problems = [{"code": code, "field": "", "message": str(error.detail)}] if text else None
    if problems and error.detail == HTTPStatus(error.status_code).phrase:
        problems = None
    return _error_response(request, error.status_code, code, message, problems, headers)


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.state.routes:
        path_regex = getattr(route, "path_regex", None)
        if path_regex is not None and path_regex.match(request.url.path):
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


# Pydantic words its messages in English: the kinds of problem readers meet most are said
# in their language, what was expected; any other keeps pydantic's own text.
_FIELD_MESSAGES: Final = {
    "missing": N_("required"),
    "extra_forbidden": N_("not a field of this request"),
    "string_too_short": N_("at least {min_length} characters"),
    "string_too_long": N_("at most {max_length} characters"),
    "too_short": N_("at least {min_length} items"),
    "too_long": N_("at most {max_length} items"),
    "greater_than_equal": N_("at least {ge}"),
    "less_than_equal": N_("at most {le}"),
    "int_type": N_("a whole number"),
    "int_parsing": N_("a whole number"),
    "date_parsing": N_("a date such as 2027-03-31"),
    "date_from_datetime_parsing": N_("a date such as 2027-03-31"),
    "datetime_parsing": N_("a date and time such as 2027-01-20T23:59:00+05:00"),
    "datetime_from_date_parsing": N_("a date and time such as 2027-01-20T23:59:00+05:00"),
    "plan_year": N_("a year from {first} to {last}"),
}


def _field_message(item: Mapping[str, Any], lang: Lang) -> str:
    template = _FIELD_MESSAGES.get(str(item.get("type")))
    if template is None:
        return str(item.get("msg", ""))
    context = {key: str(value) for key, value in (item.get("ctx") or {}).items()}
    try:
        return translate(template, lang, **context)
    except KeyError:  # a context without the value the text names: pydantic's own words
        return str(item.get("msg", ""))


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    lang = request_lang(request)
    problems = [
        {
            "code": str(item.get("type", "invalid")),
            "field": ".".join(str(part) for part in item.get("loc", ())),
            "message": _field_message(item, lang),
        }
        for item in error.errors()
    ]
    message = translate(N_("Some fields of the request are missing or wrong."), lang)
    return _error_response(request, 422, "invalid_request", message, problems)


async def _unknown_body(request: Request, error: Exception) -> Response:
    # Any page or API call naming a body the registry does not know: not found.
    assert isinstance(error, UnknownBodyError)
    return await _action_error(request, NotFoundError(N_("No body {body}."), body=str(error)))


async def _database_busy(request: Request, error: Exception) -> Response:
    # A locked SQLite file, a PostgreSQL lock or statement timeout, or no free connection
    # within the wait: the request may succeed in a moment; nothing was changed.
    assert isinstance(error, OperationalError | PoolTimeout)
    _log.warning("database busy on %s %s: %s", request.method, request.url.path, error)
    lang = request_lang(request)
    message = translate(N_("The database is busy. Please try again in a moment."), lang)
    return _error_response(request, 503, "busy", message, headers={"Retry-After": "2"})


async def _server_error(request: Request, error: Exception) -> Response:
    # The last resort of Starlette's ServerErrorMiddleware: the traceback goes to the log,
    # the reader gets the API's one error shape (or the error page), never plain text.
    _log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    lang = request_lang(request)
    message = translate(N_("Something went wrong on our side; it has been logged."), lang)
    return _error_response(request, 500, "server_error", message)


class _Admission:
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
    return _error_response(request, 503, "busy", message, headers={"Retry-After": "2"})


class _BodyLimit:
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
    message = translate(_HTTP_MESSAGES[413], lang)
    return _error_response(request, 413, "too_large", message, headers={"Connection": "close"})


class _Headers:
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


def create_app(
    config: Settings | None = None,
    *,
    migrate: bool = True,
    clock: Callable[[], datetime] = utcnow,
) -> FastAPI:
    """The portal as ``config`` sets it (by default, the settings of the environment): its
    data home, its database, cookies, trusted proxies, rating limits, incident window and
    cache sizes.

    The schema is upgraded to the newest migration first unless ``migrate`` is False.
    ``clock`` gives the time deadlines and rating incidents are judged by (the real time
    by default). While the app runs (its lifespan), the escalation worker runs in a thread
    unless ``config.escalation_worker`` is off.
    """
    config = config if config is not None else settings()
    home = config.home
    from ashyq.web import api, monitoring, pages, reports, workspace
    from ashyq.web import ratings as rating_routes

    engine = make_engine(
        config.database,
        connections=LIMITS.database_connections,
        wait_seconds=LIMITS.database_wait_seconds,
    )
    if migrate:
        upgrade(engine)
    # What killed processes left half-written (never read: only final names are).
    remove_leftovers(config.paths.portal)
    desk = RatingDesk(engine, config, clock)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Every endpoint that touches the database is a plain function run in this pool;
        # the database pool has a connection for each of its threads (web/limits.py).
        anyio.to_thread.current_default_thread_limiter().total_tokens = LIMITS.worker_threads
        desk.start()
        try:
            yield
        finally:
            desk.stop()

    app = FastAPI(
        lifespan=lifespan,
        title="Ashyq",
        summary="Openness Index of Kazakhstan's government bodies: results and evaluation cycle.",
        version="1",
        # Swagger UI would load from a CDN; closed networks read the OpenAPI file itself.
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    limiter = LoginLimiter(proxies=TrustedProxies.parse(config.trusted_proxies))
    app.state.portal = Portal(
        engine=engine,
        home=home,
        secure_cookies=config.secure_cookies,
        clock=clock,
        limiter=limiter,
    )
    app.state.report_files = reports.ReportFiles(config.paths.report_files)
    app.state.report_slots = threading.BoundedSemaphore(LIMITS.report_waiters)
    app.state.ratings = desk
    app.state.survey_figures = monitoring.SurveyFigures(home)
    # Outermost last: headers and cookies go on every answer, cached or not.
    routers = (
        # Routes are matched in order: the rating endpoint, the busiest, comes first.
        rating_routes.api,
        api.router,
        pages.router,
        workspace.router,
        reports.router,
        monitoring.api,
        monitoring.router,
        rating_routes.pages,
    )
    # Every route with its full path, for what must know a route before routing.
    app.state.routes = [route for router in routers for route in router.routes]
    cache = PageCache(config.page_cache_bytes, config.page_cache_entry_bytes)
    app.add_middleware(
        _Admission,
        inside=LIMITS.worker_threads,
        waiting=LIMITS.requests_waiting,
        wait_seconds=LIMITS.database_wait_seconds,
    )
    app.add_middleware(PublicCache, cache=cache, stamp=ChangeStamp(engine), routes=app.state.routes)
    app.add_middleware(_BodyLimit, limit=LIMITS.request_bytes, limits=rating_routes.BODY_LIMITS)
    app.add_middleware(_Headers, secure=config.secure_cookies)
    app.add_exception_handler(Exception, _server_error)
    app.add_exception_handler(OperationalError, _database_busy)
    app.add_exception_handler(PoolTimeout, _database_busy)
    app.add_exception_handler(ActionError, _action_error)
    app.add_exception_handler(UnknownBodyError, _unknown_body)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.mount("/static", StaticFiles(directory=str(_PACKAGE / "static")), name="static")
    for router in routers:
        app.include_router(router)
    return app
