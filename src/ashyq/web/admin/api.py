"""The JSON API of administration: accounts and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import Field
from sqlalchemy import select

from ashyq.access import auth as access_auth
from ashyq.access import management
from ashyq.access.roles import Role
from ashyq.db.models import (
    Account,
    AuditEntry,
)
from ashyq.web.portal import (
    SIGNED_IN,
    ActorDep,
    ApiWriteDep,
    RecordId,
    SessionDep,
    portal_of,
    require_signed_in,
)
from ashyq.web.schema import (
    ERRORS,
    ApiModel,
)

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", responses=ERRORS, dependencies=[SIGNED_IN])


class AccountOut(ApiModel):
    """An account (never its password hash)."""

    id: int
    username: str
    display_name: str
    role: Role
    body: str | None
    authority: str | None
    active: bool


class NewAccount(ApiModel):
    """An account to create."""

    username: str = Field(min_length=1, max_length=80)
    display_name: str = Field(min_length=1, max_length=200)
    role: Role
    body: str | None = Field(default=None, max_length=20)
    authority: str | None = Field(default=None, max_length=10)


class CreatedAccount(ApiModel):
    """A new account and its one-time password."""

    account: AccountOut
    password: str


def _account_out(account: Account) -> AccountOut:
    return AccountOut(
        id=account.id,
        username=account.username,
        display_name=account.display_name,
        role=Role(account.role),
        body=account.body_code,
        authority=account.authority,
        active=account.active,
    )


@router.get("/admin/accounts", tags=["admin"])
def accounts(session: SessionDep, actor: ActorDep) -> list[AccountOut]:
    """Every account (administrator)."""
    require_signed_in(actor)
    access_auth.create_account(actor)
    return [_account_out(a) for a in session.scalars(select(Account).order_by(Account.id))]


@router.post("/admin/accounts", tags=["admin"], status_code=201)
def create_account(
    request: Request,
    session: ApiWriteDep,
    actor: ActorDep,
    body: NewAccount,
) -> CreatedAccount:
    """Create an account; the response holds its password, shown only this once."""
    account, password = management.create_account(
        session,
        actor,
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        body_code=body.body,
        authority=body.authority,
        registry=portal_of(request).registry,
    )
    return CreatedAccount(account=_account_out(account), password=password)


class Activity(ApiModel):
    """Whether an account may sign in."""

    active: bool


@router.put("/admin/accounts/{account_id}/active", tags=["admin"])
def set_active(
    request: Request,
    session: ApiWriteDep,
    actor: ActorDep,
    account_id: RecordId,
    body: Activity,
) -> AccountOut:
    """Block or unblock an account (administrator)."""
    account = management.set_account_active(session, actor, account_id, body.active)
    return _account_out(account)


class AuditOut(ApiModel):
    """One audit entry."""

    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("/admin/audit", tags=["admin"])
def audit_log(
    session: SessionDep,
    actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> list[AuditOut]:
    """The audit log, newest first (administrator)."""
    require_signed_in(actor)
    access_auth.view_audit_log(actor)
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return [
        AuditOut(
            id=e.id,
            at=e.at,
            actor=e.actor,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            before=e.before,
            after=e.after,
        )
        for e in session.scalars(query)
    ]
