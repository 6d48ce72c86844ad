"""Signing in and out, and the workspace's front page: the periods of the evaluation
cycle the signed-in person may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from sqlalchemy import select

from ashyq.access.accounts import SESSION_LIFETIME, authenticate, end_session, start_session
from ashyq.db.models import EvaluationPeriod
from ashyq.web.portal import (
    ActorDep,
    FormWriteDep,
    LangDep,
    SessionDep,
    portal_of,
    require_signed_in,
)
from ashyq.web.rendering import page_context, render, workspace_page
from ashyq.web.security import SESSION_COOKIE, rotate_csrf, set_session_cookie

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _local(target: str) -> str:
    # Only a path on this portal: never an open redirect to another site.
    return target if target.startswith("/") and not target.startswith("//") else "/workspace"


@router.get("/login")
def login_page(
    request: Request, actor: ActorDep, lang: LangDep, next: str = "/workspace"
) -> Response:
    """The sign-in form."""
    context = {"failed": False, "username": "", "next": _local(next), **page_context(request, lang)}
    return render(request, "login.html", context)


@router.post("/login")
def login(
    request: Request,
    session: FormWriteDep,
    lang: LangDep,
    username: Annotated[str, Form(max_length=80)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "/workspace",
) -> Response:
    """Sign in: rate-limited per address and username; a new session and CSRF token on
    success."""
    portal = portal_of(request)
    attempt = portal.limiter.reserve(portal.limiter.address(request), username)
    account = authenticate(session, username, password)
    if account is None:
        context = {
            "failed": True,
            "username": username,
            "next": _local(next),
            **page_context(request, lang),
        }
        return render(request, "login.html", context, status_code=401)
    portal.limiter.succeeded(attempt)
    token = start_session(session, account)
    response = RedirectResponse(_local(next), status_code=303)
    set_session_cookie(
        response,
        token,
        secure=portal.secure_cookies,
        max_age=int(SESSION_LIFETIME.total_seconds()),
    )
    rotate_csrf(request, response, secure=portal.secure_cookies)
    return response


@router.post("/logout")
def logout(request: Request, session: FormWriteDep) -> Response:
    """Sign out: forget the session, and issue a new CSRF token."""
    end_session(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/rankings", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    rotate_csrf(request, response, secure=portal_of(request).secure_cookies)
    return response


@router.get("/workspace")
def workspace(request: Request, session: SessionDep, actor: ActorDep, lang: LangDep) -> Response:
    """Every period with its state and deadlines, and what the actor may do."""
    require_signed_in(actor)
    periods = list(session.scalars(select(EvaluationPeriod).order_by(EvaluationPeriod.year.desc())))
    return workspace_page(request, "workspace/index.html", lang, periods=periods)
