"""The administrator's pages: accounts and the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from ashyq.access import auth as access_auth
from ashyq.access import management
from ashyq.access.roles import Role
from ashyq.db.models import Account, AuditEntry
from ashyq.i18n import Lang
from ashyq.web.portal import (
    ActorDep,
    FormWriteDep,
    LangDep,
    RecordId,
    SessionDep,
    portal_of,
    require_signed_in,
)
from ashyq.web.rendering import see_other, workspace_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.get("/admin/accounts")
def accounts_page(
    request: Request, session: SessionDep, actor: ActorDep, lang: LangDep, created: str = ""
) -> Response:
    """Accounts, and the form to add one."""
    require_signed_in(actor)
    access_auth.create_account(actor)
    return _accounts(request, session, lang, created=created)


def _accounts(request: Request, session: Session, lang: Lang, **shown: str) -> Response:
    """The accounts page: every account, the form to add one, and what was just done."""
    accounts = list(session.scalars(select(Account).order_by(Account.role, Account.username)))
    bodies = list(portal_of(request).registry)
    return workspace_page(
        request, "workspace/accounts.html", lang, accounts=accounts, bodies=bodies, **shown
    )


@router.post("/admin/accounts")
def create_account(
    request: Request,
    session: FormWriteDep,
    actor: ActorDep,
    lang: LangDep,
    username: Annotated[str, Form(max_length=80)],
    display_name: Annotated[str, Form(max_length=200)],
    role: Annotated[Role, Form()],
    body_code: Annotated[str, Form(max_length=20)] = "",
    authority: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Create an account; its one-time password is shown once."""
    account, password = management.create_account(
        session,
        actor,
        username=username,
        display_name=display_name,
        role=role,
        body_code=body_code or None,
        authority=authority or None,
        registry=portal_of(request).registry,
    )
    return _accounts(request, session, lang, created=account.username, password=password)


@router.post("/admin/accounts/{account_id}/active")
def set_active(
    request: Request,
    session: FormWriteDep,
    actor: ActorDep,
    account_id: RecordId,
    active: Annotated[bool, Form()],
) -> Response:
    """Block or unblock an account."""
    management.set_account_active(session, actor, account_id, active)
    return see_other("/admin/accounts")


@router.get("/admin/audit")
def audit_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    lang: LangDep,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
) -> Response:
    """The audit log, newest first, 100 entries a page."""
    require_signed_in(actor)
    access_auth.view_audit_log(actor)
    page = max(page, 1)
    entries = list(
        session.scalars(
            select(AuditEntry).order_by(AuditEntry.id.desc()).offset((page - 1) * 100).limit(101)
        )
    )
    return workspace_page(
        request,
        "workspace/audit.html",
        lang,
        entries=entries[:100],
        page=page,
        more=len(entries) > 100,
    )
