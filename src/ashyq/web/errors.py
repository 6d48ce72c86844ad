"""The portal's answers to errors, whatever raised them: an action refused, a page or
method that does not exist, a request that does not validate, a busy database, a bug.
Each is answered in the one error shape (``rendering.error_response``), in the reader's
language."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, Final
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from ashyq.bodies import UnknownBodyError
from ashyq.errors import ActionError, NotFoundError, SignInRequiredError
from ashyq.i18n import N_, Lang, translate
from ashyq.web.portal import request_lang
from ashyq.web.rendering import error_response, wants_json

__all__ = ["HTTP_MESSAGES", "install_error_handlers"]

_log = logging.getLogger(__name__)

HTTP_MESSAGES = {
    400: N_("The request could not be read."),
    404: N_("No such page."),
    405: N_("This address does not accept that method."),
    413: N_("The request is too large."),
}


async def _action_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, ActionError)
    if isinstance(error, SignInRequiredError) and not wants_json(request):
        # A page behind sign-in sends the reader to the form, and back after.
        target = quote(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
        return RedirectResponse(f"/login?next={target}", status_code=303)
    lang = request_lang(request)
    headers = error.response_headers() or None
    problems = [{**p.as_dict(lang), "message": p.render(lang)} for p in error.problems]
    return error_response(request, error.status, error.code, error.render(lang), problems, headers)


async def _http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    lang = request_lang(request)
    text = HTTP_MESSAGES.get(error.status_code)
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
    return error_response(request, error.status_code, code, message, problems, headers)


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
    return error_response(request, 422, "invalid_request", message, problems)


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
    return error_response(request, 503, "busy", message, headers={"Retry-After": "2"})


async def _server_error(request: Request, error: Exception) -> Response:
    # The last resort of Starlette's ServerErrorMiddleware: the traceback goes to the log,
    # the reader gets the API's one error shape (or the error page), never plain text.
    _log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    lang = request_lang(request)
    message = translate(N_("Something went wrong on our side; it has been logged."), lang)
    return error_response(request, 500, "server_error", message)


def install_error_handlers(app: FastAPI) -> None:
    """Answer every error of ``app`` in the one shape."""
    app.add_exception_handler(Exception, _server_error)
    app.add_exception_handler(OperationalError, _database_busy)
    app.add_exception_handler(PoolTimeout, _database_busy)
    app.add_exception_handler(ActionError, _action_error)
    app.add_exception_handler(UnknownBodyError, _unknown_body)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
