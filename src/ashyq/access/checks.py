"""The check every action starts with: may the actor's role do this at all?

Each feature's checks (``ashyq.cycle.auth``, ``ashyq.ratings.auth``, ``ashyq.access.auth``)
call ``require`` first, then add their own scope (own body, own authority) and state.
"""

from __future__ import annotations

from ashyq.access.accounts import Actor
from ashyq.access.roles import Permission, may
from ashyq.errors import NotAllowedError, SignInRequiredError
from ashyq.i18n import N_

__all__ = ["NO_PERMISSION", "SIGN_IN", "require"]

NO_PERMISSION = N_("Your role may not do this.")
SIGN_IN = N_("Sign in to do this.")


def require(actor: Actor, permission: Permission) -> None:
    """Go on if ``actor``'s role holds ``permission``; else ask whoever has not signed in
    to sign in, and tell whoever has that their role may not."""
    if not may(actor.role, permission):
        if not actor.signed_in:
            raise SignInRequiredError(SIGN_IN)
        raise NotAllowedError(NO_PERMISSION)
