"""The JSON API of the session: who is signed in, signing in and out, and the CSRF token
that calls which change something must send."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from pydantic import Field

from ashyq.access.accounts import SESSION_LIFETIME, authenticate, end_session, start_session
from ashyq.access.roles import Role
from ashyq.errors import NotAllowedError
from ashyq.i18n import N_
from ashyq.web.portal import (
    ActorDep,
    ApiWriteDep,
    portal_of,
)
from ashyq.web.schema import (
    ERRORS,
    ApiModel,
)
from ashyq.web.security import (
    SESSION_COOKIE,
    csrf_token,
    rotate_csrf,
    set_session_cookie,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", responses=ERRORS)


class SessionOut(ApiModel):
    """Who is signed in, and the token state-changing calls must send."""

    username: str | None
    role: Role
    body: str | None
    authority: str | None
    csrf_token: str


class Credentials(ApiModel):
    """A username and password."""

    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


@router.get("/session", tags=["session"])
def current_session(request: Request, actor: ActorDep) -> SessionOut:
    """The signed-in actor (role ``public`` when nobody), and the CSRF token."""
    return SessionOut(
        username=actor.username if actor.signed_in else None,
        role=actor.role,
        body=actor.body_code,
        authority=actor.authority,
        csrf_token=csrf_token(request),
    )


@router.post("/session", tags=["session"])
def sign_in(
    request: Request,
    response: Response,
    session: ApiWriteDep,
    credentials: Credentials,
) -> SessionOut:
    """Sign in; sets the HttpOnly session cookie and a new CSRF token, which the answer
    holds. Rate-limited like the sign-in page."""
    portal = portal_of(request)
    attempt = portal.limiter.reserve(portal.limiter.address(request), credentials.username)
    account = authenticate(session, credentials.username, credentials.password)
    if account is None:
        raise _WrongPasswordError(N_("Wrong username or password."))
    portal.limiter.succeeded(attempt)
    cookie = start_session(session, account)
    set_session_cookie(
        response,
        cookie,
        secure=portal.secure_cookies,
        max_age=int(SESSION_LIFETIME.total_seconds()),
    )
    return SessionOut(
        username=account.username,
        role=Role(account.role),
        body=account.body_code,
        authority=account.authority,
        csrf_token=rotate_csrf(request, response, secure=portal.secure_cookies),
    )


class _WrongPasswordError(NotAllowedError):
    status = 401
    code = "wrong_credentials"


@router.delete("/session", tags=["session"], status_code=204)
def sign_out(request: Request, session: ApiWriteDep) -> Response:
    """Sign out; sets a new CSRF token."""
    end_session(session, request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    rotate_csrf(request, response, secure=portal_of(request).secure_cookies)
    return response
