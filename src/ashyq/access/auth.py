"""The checks of managing accounts and reading the audit log, one per action of the same
name (``ashyq.access.management``, and the pages and API of the log)."""

from __future__ import annotations

from ashyq.access.accounts import Actor
from ashyq.access.checks import require as _require
from ashyq.access.roles import Permission

__all__ = ["create_account", "set_account_active", "view_audit_log"]


def create_account(actor: Actor) -> None:
    """The administrator manages accounts."""
    _require(actor, Permission.MANAGE_ACCOUNTS)


def set_account_active(actor: Actor) -> None:
    """The administrator blocks and unblocks accounts."""
    _require(actor, Permission.MANAGE_ACCOUNTS)


def view_audit_log(actor: Actor) -> None:
    """The administrator reads the audit log."""
    _require(actor, Permission.VIEW_AUDIT_LOG)
