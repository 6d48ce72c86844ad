"""The FastAPI application: public pages, the workspace, the JSON API and one error shape."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ashyq.cycle.errors import ActionError, SignInRequiredError
from ashyq.db import database_url, make_engine, upgrade
from ashyq.db.models import utcnow
from ashyq.i18n import LANGUAGES, N_, Lang, translate
from ashyq.ratings.desk import RatingDesk, RatingSettings
from ashyq.web.cache import ChangeStamp, PageCache, PublicCache
from ashyq.web.portal import LANG_COOKIE, Portal, formatters, request_lang
from ashyq.web.security import (
    CSRF_COOKIE,
    SECURITY_HEADERS,
    LazyCsrfToken,
    LoginLimiter,
    TrustedProxies,
)

__all__ = ["create_app", "error_body", "page_context", "render", "templates"]

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
    return {
        **formatters(lang),
        "actor": getattr(request.state, "actor", None),
        "csrf_token": LazyCsrfToken(request),
        "path": request.url.path,
        "query": dict(request.query_params),
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
    code = {404: "not_found", 405: "method_not_allowed"}.get(error.status_code, "http_error")
    headers = dict(error.headers or {})
    if error.status_code == 405:
        # Each method of a path is its own route; Allow must list them all, not the first.
        headers["Allow"] = ", ".join(_allowed_methods(request))
    return _error_response(request, error.status_code, code, message, None, headers)


def _allowed_methods(request: Request) -> list[str]:
    methods: set[str] = set()
    for route in request.app.router.routes:
        path_regex = getattr(route, "path_regex", None)
        if path_regex is not None and path_regex.match(request.url.path):
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


async def _validation_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, RequestValidationError)
    lang = request_lang(request)
    problems = [
        {
            "code": str(item.get("type", "invalid")),
            "field": ".".join(str(part) for part in item.get("loc", ())),
            "message": str(item.get("msg", "")),
        }
        for item in error.errors()
    ]
    message = translate(N_("Some fields of the request are missing or wrong."), lang)
    return _error_response(request, 422, "invalid_request", message, problems)


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
    home: Path,
    *,
    url: str | None = None,
    secure_cookies: bool = False,
    migrate: bool = True,
    clock: Callable[[], datetime] = utcnow,
    ratings: RatingSettings | None = None,
    trusted_proxies: str | Iterable[str] | None = None,
) -> FastAPI:
    """The portal over the data directory ``home`` and the database ``url``.

    Without ``url`` the database is ``$ASHYQ_DATABASE_URL`` or the SQLite file in ``home``.
    The schema is upgraded to the newest migration first unless ``migrate`` is False.
    ``clock`` gives the time deadlines and rating incidents are judged by (the real time
    by default). ``ratings`` sets the rating endpoint's limits and the incident window.
    While the app runs (its lifespan), the escalation worker runs in a thread.
    ``trusted_proxies`` (addresses or networks; ``$ASHYQ_TRUSTED_PROXIES`` by default) are
    the reverse proxies whose ``X-Forwarded-For`` names the client for the sign-in limit.
    """
    from ashyq.web import api, monitoring, pages, reports, workspace
    from ashyq.web import ratings as rating_routes

    engine = make_engine(url or database_url(home))
    if migrate:
        upgrade(engine)
    desk = RatingDesk(engine, home, ratings or RatingSettings(), clock)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
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
    limiter = LoginLimiter(proxies=TrustedProxies.configured(trusted_proxies))
    app.state.portal = Portal(
        engine=engine, home=home, secure_cookies=secure_cookies, clock=clock, limiter=limiter
    )
    app.state.report_files = reports.ReportFiles(home / "portal" / "reports")
    app.state.ratings = desk
    app.state.survey_figures = monitoring.SurveyFigures(home)
    # Outermost last: headers and cookies go on every answer, cached or not.
    app.add_middleware(PublicCache, cache=PageCache(2048), stamp=ChangeStamp(engine))
    app.add_middleware(_Headers, secure=secure_cookies)
    app.add_exception_handler(ActionError, _action_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.mount("/static", StaticFiles(directory=str(_PACKAGE / "static")), name="static")
    # Routes are matched in order: the rating endpoint, the busiest, comes first.
    app.include_router(rating_routes.api)
    app.include_router(api.router)
    app.include_router(pages.router)
    app.include_router(workspace.router)
    app.include_router(reports.router)
    app.include_router(monitoring.api)
    app.include_router(monitoring.router)
    app.include_router(rating_routes.pages)
    return app
