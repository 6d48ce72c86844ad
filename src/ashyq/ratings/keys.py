"""Service points and the API keys they submit ratings with.

A key reads ``ashyq_<prefix>_<secret>``: the prefix finds the key, the SHA-256 of the
whole key is what the database holds, so a copy of the database submits nothing. Keys are
random (256 bits), so a plain SHA-256 is enough; a slow password hash would only cost
every rating its time.

The rating endpoint checks keys, service points and the codes of the register of rated
services against an in-memory copy of their tables, read again when an unknown prefix,
point or code arrives (at most once a second) and at least every ``ttl`` seconds, so a
revoked key or a service taken out of the register stops being accepted within that time
in every process.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from ashyq.access import audit
from ashyq.access.accounts import Actor
from ashyq.bodies import BodyRegistry
from ashyq.db.models import ApiKey, RatedService, ServicePoint, utcnow
from ashyq.errors import ConflictError, InvalidError, NotFoundError
from ashyq.i18n import N_
from ashyq.ratings import auth

__all__ = [
    "KEY_PATTERN",
    "POINT_CODE",
    "Directory",
    "IssuedKey",
    "KeyHolder",
    "PointEntry",
    "add_point",
    "add_service_point",
    "issue_api_key",
    "issue_key",
    "revoke_api_key",
    "revoke_key",
]

POINT_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
KEY_PATTERN = re.compile(r"^ashyq_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$")


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("ascii")).hexdigest()


def add_point(
    session: Session,
    registry: BodyRegistry,
    code: str,
    body: str,
    name: str,
    region: str | None = None,
) -> ServicePoint:
    """Register a service point of ``body`` (a code, name or alias of the registry)."""
    if not POINT_CODE.match(code):
        raise InvalidError(
            N_("A service point's code is 1-40 letters, digits, dots, dashes or underscores.")
        )
    try:
        body_code = registry.resolve(body).code
    except LookupError:
        raise NotFoundError(N_("No body «{body}» in the registry."), body=body) from None
    if session.scalar(select(ServicePoint.id).where(ServicePoint.code == code)) is not None:
        raise ConflictError(N_("The service point {code} already exists."), code=code)
    point = ServicePoint(code=code, body_code=body_code, name=name.strip(), region=region)
    session.add(point)
    session.flush()
    return point


@dataclass(frozen=True)
class IssuedKey:
    """A new key: ``key`` is shown once and never stored."""

    id: int
    prefix: str
    key: str
    label: str
    point: str | None


def issue_key(session: Session, label: str, point: str | None, created_by: str) -> IssuedKey:
    """A key for the service point ``point``, or for an app when ``point`` is None."""
    point_id = None
    if point is not None:
        point_id = session.scalar(select(ServicePoint.id).where(ServicePoint.code == point))
        if point_id is None:
            raise NotFoundError(N_("No service point {code}."), code=point)
    prefix = secrets.token_hex(6)
    key = f"ashyq_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        prefix=prefix,
        key_hash=_digest(key),
        label=label.strip() or prefix,
        service_point_id=point_id,
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return IssuedKey(row.id, prefix, key, row.label, point)


def revoke_key(session: Session, prefix: str, now: datetime | None = None) -> ApiKey:
    """Stop the key of ``prefix`` from submitting; its ratings stay."""
    row = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if row is None:
        raise NotFoundError(N_("No API key {prefix}."), prefix=prefix)
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
    return row


def add_service_point(
    session: Session,
    actor: Actor,
    registry: BodyRegistry,
    code: str,
    body: str,
    name: str,
    region: str | None = None,
) -> ServicePoint:
    """The administrator registers a service point (``add_point``), in the audit log."""
    auth.add_service_point(actor)
    point = add_point(session, registry, code, body, name, region)
    after = {"body": point.body_code, "name": point.name, "region": point.region}
    audit.record(session, actor, "add_service_point", "service_point", point.code, after=after)
    return point


def issue_api_key(session: Session, actor: Actor, label: str, point: str | None) -> IssuedKey:
    """The administrator issues a key (``issue_key``), in the audit log (not the key)."""
    auth.issue_api_key(actor)
    issued = issue_key(session, label, point, actor.username)
    after = {"label": issued.label, "point": issued.point}
    audit.record(session, actor, "issue_api_key", "api_key", issued.prefix, after=after)
    return issued


def revoke_api_key(session: Session, actor: Actor, prefix: str) -> ApiKey:
    """The administrator revokes a key (``revoke_key``), in the audit log."""
    auth.revoke_api_key(actor)
    row = revoke_key(session, prefix)
    after = {"revoked_at": row.revoked_at.isoformat() if row.revoked_at else None}
    audit.record(session, actor, "revoke_api_key", "api_key", prefix, after=after)
    return row


@dataclass(frozen=True)
class KeyHolder:
    """Who a valid key belongs to: the key, and its service point unless it is an app's."""

    key_id: int
    prefix: str
    point_id: int | None


@dataclass(frozen=True)
class PointEntry:
    """A service point as the rating endpoint needs it."""

    id: int
    code: str
    body_code: str
    active: bool


class Directory:
    """The valid keys, the service points and the rated services, kept in memory and read
    again from the database when something unknown is asked for and at least every ``ttl``
    seconds."""

    def __init__(self, engine: Engine, ttl: float = 10.0) -> None:
        self.engine = engine
        self.ttl = ttl
        self._keys: dict[str, tuple[str, KeyHolder]] = {}
        self._points: dict[str, PointEntry] = {}
        self._points_by_id: dict[int, PointEntry] = {}
        self._services: dict[str, bool] = {}  # code -> active
        self._read_at = float("-inf")
        self._lock = threading.Lock()

    def _reload(self) -> None:
        with self.engine.connect() as connection:
            keys = connection.execute(
                select(ApiKey.id, ApiKey.prefix, ApiKey.key_hash, ApiKey.service_point_id).where(
                    ApiKey.revoked_at.is_(None)
                )
            ).all()
            points = connection.execute(
                select(
                    ServicePoint.id, ServicePoint.code, ServicePoint.body_code, ServicePoint.active
                )
            ).all()
            services = connection.execute(select(RatedService.code, RatedService.active)).all()
        self._keys = {
            row.prefix: (row.key_hash, KeyHolder(row.id, row.prefix, row.service_point_id))
            for row in keys
        }
        entries = [PointEntry(row.id, row.code, row.body_code, row.active) for row in points]
        self._points = {entry.code: entry for entry in entries}
        self._points_by_id = {entry.id: entry for entry in entries}
        self._services = {row.code: row.active for row in services}
        self._read_at = time.monotonic()

    def _stale(self, known: bool) -> bool:
        # Something unknown is looked up again at most once a second: made-up keys
        # cannot turn every request into a database read.
        age = time.monotonic() - self._read_at
        return age >= self.ttl or (not known and age >= 1.0)

    def _fresh(self, known: bool) -> None:
        if self._stale(known):
            self._reload()

    def needs_reading(self, key: str, point: str | None, service: str | None = None) -> bool:
        """Whether looking up ``key``, ``point`` and ``service`` would read the database
        now: a caller on an event loop then calls ``refresh`` in a worker thread first."""
        match = KEY_PATTERN.match(key)
        with self._lock:
            if match is not None and self._stale(match.group(1) in self._keys):
                return True
            if point is not None and self._stale(point in self._points):
                return True
            return service is not None and self._stale(service in self._services)

    def refresh(self) -> None:
        """Read the keys, points and services again now (this process has just changed
        them)."""
        with self._lock:
            self._reload()

    def holder(self, key: str) -> KeyHolder | None:
        """The holder of ``key``, or None when it is malformed, unknown or revoked."""
        match = KEY_PATTERN.match(key)
        if match is None:
            return None
        prefix = match.group(1)
        with self._lock:
            self._fresh(prefix in self._keys)
            entry = self._keys.get(prefix)
        if entry is None or not secrets.compare_digest(entry[0], _digest(key)):
            return None
        return entry[1]

    def point(self, code: str) -> PointEntry | None:
        """The service point of ``code``, if registered."""
        with self._lock:
            self._fresh(code in self._points)
            return self._points.get(code)

    def point_by_id(self, point_id: int) -> PointEntry | None:
        """The service point of ``point_id``, if registered."""
        with self._lock:
            self._fresh(point_id in self._points_by_id)
            return self._points_by_id.get(point_id)

    def service(self, code: str) -> bool | None:
        """Whether the rated service of ``code`` is active; None when the register does not
        hold it."""
        with self._lock:
            self._fresh(code in self._services)
            return self._services.get(code)
