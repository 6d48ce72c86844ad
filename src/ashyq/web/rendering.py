"""Rendering what the portal answers: templates, the context every page needs, and the one
shape of an error (JSON for the API, the error page for pages)."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from typing import Any
from urllib.parse import parse_qsl

from fastapi import Request, Response
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from ashyq.access.roles import ROLE_NAMES, Permission, Role, may
from ashyq.cycle.workflow import STATE_NAMES, State
from ashyq.i18n import Lang
from ashyq.web.cache import declared_query
from ashyq.web.portal import formatters, request_lang
from ashyq.web.security import LazyCsrfToken

__all__ = [
    "PACKAGE",
    "error_body",
    "error_response",
    "page_context",
    "render",
    "see_other",
    "templates",
    "wants_json",
    "workspace_page",
]

PACKAGE = resources.files("ashyq.web")
templates = Jinja2Templates(directory=str(PACKAGE / "templates"))


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


def error_body(
    status: int, code: str, message: str, problems: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The one error shape of the whole API."""
    return {
        "error": {"status": status, "code": code, "message": message, "problems": problems or []}
    }


def wants_json(request: Request) -> bool:
    """True for the API, whose errors are JSON; pages get the error page."""
    return request.url.path.startswith("/api/")


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    problems: list[dict[str, Any]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """An error in the one shape: JSON under ``/api/``, else the error page in the reader's
    language."""
    if wants_json(request):
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


def workspace_page(request: Request, name: str, lang: Lang, **context: Any) -> Response:
    """Render a page of the workspace: ``context``, the page context, and the names its
    templates use to say what a role may do and what state a period is in."""
    return render(
        request,
        name,
        {
            **context,
            **page_context(request, lang),
            "State": State,
            "STATE_NAMES": STATE_NAMES,
            "ROLE_NAMES": ROLE_NAMES,
            "Role": Role,
            "Permission": Permission,
            "may": may,
        },
    )


def see_other(url: str) -> RedirectResponse:
    """After a form's action: the page to show, fetched with GET (303 See Other)."""
    return RedirectResponse(url, status_code=303)
