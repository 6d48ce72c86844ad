"""Passwords (argon2) and sign-in sessions.

Only argon2 hashes of passwords and SHA-256 digests of session tokens are stored: a copy
of the database lets nobody sign in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ashyq.access.roles import Role
from ashyq.db.models import Account, LoginSession, utcnow

__all__ = [
    "SESSION_LIFETIME",
    "Actor",
    "authenticate",
    "end_session",
    "hash_password",
    "new_password",
    "session_actor",
    "start_session",
    "use_hasher",
]

SESSION_LIFETIME = timedelta(hours=8)
# argon2id with the library's defaults (RFC 9106, low-memory profile).
_HASHER = PasswordHasher()


@dataclass(frozen=True)
class Actor:
    """Who is acting: the role and, where the role is scoped, its body or authority."""

    role: Role
    account_id: int | None = None
    username: str = "public"
    body_code: str | None = None
    authority: str | None = None

    @classmethod
    def of(cls, account: Account) -> Actor:
        """The actor an account signs in as."""
        return cls(
            Role(account.role), account.id, account.username, account.body_code, account.authority
        )

    @property
    def signed_in(self) -> bool:
        """Whether this is a person with an account (not the public)."""
        return self.account_id is not None


PUBLIC = Actor(Role.PUBLIC)
SYSTEM = Actor(Role.ANALYST, None, "system")


def use_hasher(hasher: PasswordHasher) -> None:
    """Replace the argon2 parameters (the test suite uses the cheapest profile)."""
    global _HASHER, _DUMMY_HASH
    _HASHER = hasher
    _DUMMY_HASH = hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The argon2id hash of ``password``."""
    return _HASHER.hash(password)


def new_password() -> str:
    """A random password of 16 URL-safe characters (about 96 bits)."""
    return secrets.token_urlsafe(12)


def authenticate(session: Session, username: str, password: str) -> Account | None:
    """The active account with this username and password, or None.

    A wrong username costs the same argon2 verification as a wrong password, so timing
    does not tell which usernames exist.
    """
    account = session.scalar(select(Account).where(Account.username == username))
    stored = account.password_hash if account is not None else _DUMMY_HASH
    try:
        _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or not account.active:
        return None
    if _HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    return account


_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(session: Session, account: Account, now: datetime | None = None) -> str:
    """Open a sign-in session for ``account``; returns the token for the cookie."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            token_hash=_digest(token),
            account_id=account.id,
            created_at=now,
            expires_at=now + SESSION_LIFETIME,
        )
    )
    session.execute(delete(LoginSession).where(LoginSession.expires_at < now))
    return token


def session_actor(session: Session, token: str | None, now: datetime | None = None) -> Actor:
    """The actor of a cookie token: its account when the session is live, else the public."""
    if not token:
        return PUBLIC
    found = session.get(LoginSession, _digest(token))
    if found is None or found.expires_at < (now or utcnow()) or not found.account.active:
        return PUBLIC
    return Actor.of(found.account)


def end_session(session: Session, token: str | None) -> None:
    """Sign out: forget the session of ``token`` (nothing happens for an unknown one)."""
    if token:
        session.execute(delete(LoginSession).where(LoginSession.token_hash == _digest(token)))
