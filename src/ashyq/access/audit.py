"""The audit log: who did what to which object, with its state before and after.

Every change made for a person or by the portal itself is written here, in the same
transaction as the change: ``record`` for one change through an ORM session, ``entry`` for
the values of a row inserted in bulk (``insert(AuditEntry)``, as the escalation worker
does for every incident it escalates at once). The actor is a person's ``Actor``, or the
name of what acted without an account: a service point's key (``key:<prefix>``), the
escalation worker.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from ashyq.access.accounts import Actor
from ashyq.access.roles import Role
from ashyq.db.models import AuditEntry, utcnow

__all__ = ["entry", "record"]


def entry(
    actor: Actor | str,
    action: str,
    obj: str,
    object_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The values of one audit row: ``actor`` did ``action`` to ``obj`` ``object_id``."""
    person = actor if isinstance(actor, Actor) else Actor(Role.PUBLIC, None, actor)
    return {
        "at": at if at is not None else utcnow(),
        "account_id": person.account_id,
        "actor": person.username,
        "action": action,
        "object_type": obj,
        "object_id": str(object_id),
        "before": before,
        "after": after,
    }


def record(
    session: Session,
    actor: Actor | str,
    action: str,
    obj: str,
    object_id: object,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Add the audit row of one change to ``session``'s transaction."""
    session.add(AuditEntry(**entry(actor, action, obj, object_id, before, after, at)))
