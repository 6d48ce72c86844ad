"""Managing accounts: creating them and blocking or unblocking them. Each action calls
its check of the same name in ``ashyq.access.auth`` first and records what it changed in
the audit log; the caller commits."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ashyq.access import audit, auth
from ashyq.access.accounts import Actor, hash_password, new_password
from ashyq.access.roles import Role
from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.db import conditional_update
from ashyq.db.models import (
    Account,
    LoginSession,
)
from ashyq.errors import (
    ConflictError,
    InvalidError,
    NotFoundError,
)
from ashyq.i18n import N_

__all__ = ["create_account", "set_account_active"]


def create_account(
    session: Session,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    role: Role,
    body_code: str | None = None,
    authority: str | None = None,
    password: str | None = None,
    registry: BodyRegistry | None = None,
) -> tuple[Account, str]:
    """Create an account; returns it with its password (a random one unless given).

    A representative needs a body of the registry, an authority account one of the three
    authorities; other roles have neither. Raises InvalidError or ConflictError (username taken).
    """
    auth.create_account(actor)
    if role is Role.PUBLIC:
        raise InvalidError(N_("The public has no accounts."))
    if role is Role.BODY:
        if body_code is None or body_code not in {b.code for b in registry or load_bodies()}:
            raise InvalidError(N_("A representative's account needs an evaluated body."))
    elif body_code is not None:
        raise InvalidError(N_("Only a representative's account names a body."))
    if role is Role.AUTHORITY:
        if authority not in {"kpssu", "mki", "miicr"}:
            raise InvalidError(N_("An authority's account needs KPSSU, MKI or MIICR."))
    elif authority is not None:
        raise InvalidError(N_("Only an authority's account names an authority."))
    if not username.strip() or len(username) > 80:
        raise InvalidError(N_("A username of 1 to 80 characters."))
    if session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise ConflictError(N_("The username {username} is taken."), username=username)
    password = password or new_password()
    account = Account(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        role=role.value,
        body_code=body_code,
        authority=authority,
    )
    session.add(account)
    session.flush()
    after = {"username": username, "role": role.value, "body": body_code, "authority": authority}
    audit.record(session, actor, "create_account", "account", account.id, None, after)
    return account, password


def set_account_active(session: Session, actor: Actor, account_id: int, active: bool) -> Account:
    """Block or unblock an account, ending every sign-in session it has.

    Raises NotFoundError, or ConflictError when another request blocked or unblocked it
    since it was read.
    """
    auth.set_account_active(actor)
    account = session.get(Account, account_id)
    if account is None:
        raise NotFoundError(N_("No such account."))
    was = account.active
    changed = conditional_update(
        session,
        update(Account)
        .where(Account.id == account.id, Account.active == was)
        .values(active=active),
    )
    if not changed:
        raise ConflictError(
            N_(
                "Someone else changed the account {username} meanwhile; "
                "reload the page and try again."
            ),
            username=account.username,
        )
    set_committed_value(account, "active", active)
    # Unblocking ends sessions too: one a sign-in opened while the block was being written
    # must not come back to life with the account.
    session.execute(delete(LoginSession).where(LoginSession.account_id == account.id))
    after = {"active": active}
    audit.record(
        session, actor, "set_account_active", "account", account.id, {"active": was}, after
    )
    return account
