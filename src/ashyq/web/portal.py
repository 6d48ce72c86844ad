"""The portal's shared state and the per-request context: database session, actor, language."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path as FilePath
from typing import Annotated, Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal as babel_decimal
from fastapi import Depends, Path, Query, Request
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.cycle.accounts import Actor, session_actor
from ashyq.cycle.actions import sync_deadlines
from ashyq.cycle.workflow import ASTANA
from ashyq.db.models import Period, Snapshot, utcnow
from ashyq.i18n import DEFAULT_LANG, LANGUAGES, Lang, translate
from ashyq.web.security import SESSION_COOKIE, LoginLimiter
from ashyq.web.views import HistoryPoint

__all__ = [
    "LANG_COOKIE",
    "ActorDep",
    "LangDep",
    "Portal",
    "RecordId",
    "SessionDep",
    "Version",
    "Year",
    "YearQuery",
    "formatters",
    "published_snapshots",
    "request_lang",
]

LANG_COOKIE = "ashyq_lang"

# Bounded numbers in URLs: an id past the database's integer range is simply not found.
_MAX_ID = 2_147_483_647
Year = Annotated[int, Path(ge=1900, le=2100)]
Version = Annotated[int, Path(ge=1, le=_MAX_ID)]
RecordId = Annotated[int, Path(ge=1, le=_MAX_ID)]
YearQuery = Annotated[int | None, Query(ge=1900, le=2100)]


@dataclass
class Portal:
    """What every request shares: the database, where files go, the sign-in limiter."""

    engine: Engine
    home: FilePath
    secure_cookies: bool = False
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    registry: BodyRegistry = field(default_factory=load_bodies)
    deadline_check_seconds: float = 60.0
    # The time deadlines are judged by; tests fix it so seeded periods stay where they are.
    clock: Callable[[], datetime] = utcnow
    _last_deadline_check: float = float("-inf")

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def files(self) -> FilePath:
        """Uploaded files: outside the package, so never served as static content."""
        return self.home / "portal" / "files"

    def keep_deadlines(self, session: Session) -> None:
        """Move periods whose deadlines passed, at most once a minute per process."""
        now = time.monotonic()
        if now - self._last_deadline_check < self.deadline_check_seconds:
            return
        self._last_deadline_check = now
        if sync_deadlines(session, self.clock()):
            session.commit()


def _portal(request: Request) -> Portal:
    portal: Portal = request.app.state.portal
    return portal


def _session(request: Request) -> Iterator[Session]:
    portal = _portal(request)
    session = portal.sessions()
    try:
        portal.keep_deadlines(session)
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(_session)]


def _actor(request: Request, session: SessionDep) -> Actor:
    actor = session_actor(session, request.cookies.get(SESSION_COOKIE))
    request.state.actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(_actor)]


def request_lang(request: Request) -> Lang:
    """The reader's language: ``?lang=``, else the cookie, else Russian."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            chosen: Lang = candidate
            return chosen
    return DEFAULT_LANG


LangDep = Annotated[Lang, Depends(request_lang)]


def published_snapshots(session: Session) -> dict[int, Snapshot]:
    """The newest published version of every published period, by year."""
    latest: dict[int, Snapshot] = {}
    rows = session.execute(
        select(Period.year, Snapshot).join(Snapshot, Snapshot.period_id == Period.id)
    )
    for year, snapshot in rows:
        if year not in latest or snapshot.version > latest[year].version:
            latest[year] = snapshot
    return dict(sorted(latest.items()))


def history_of(snapshots: dict[int, Snapshot], code: str) -> list[HistoryPoint]:
    """A body's totals, grades and ranks in every published period."""
    points = []
    for year, snapshot in snapshots.items():
        for body in snapshot.payload["bodies"]:
            if body["code"] == code:
                points.append(
                    HistoryPoint(
                        period=year,
                        total=Decimal(body["total"]),
                        grade=body["grade"],
                        rank=body["rank"],
                    )
                )
    return points


def formatters(lang: Lang) -> dict[str, Any]:
    """Template helpers that spell numbers, dates and messages for ``lang``."""
    locale = {"ru": "ru_RU", "kk": "kk_KZ", "en": "en_GB"}[lang]

    def number(value: Decimal | int | float | str | None, digits: int = 2) -> str:
        if value is None or value == "":
            return "—"
        return babel_decimal(Decimal(str(value)), locale=locale, format=f"#,##0.{'#' * digits}")

    def day(value: date | datetime | None) -> str:
        if value is None:
            return "—"
        if isinstance(value, datetime):
            return format_datetime(value.astimezone(ASTANA), "medium", locale=locale)
        return format_date(value, "medium", locale=locale)

    def message(text: str, **params: object) -> str:
        return translate(text, lang, **params)

    def local_input(value: datetime) -> str:
        # The value of a datetime-local field: Astana wall-clock time, to the minute.
        return value.astimezone(ASTANA).strftime("%Y-%m-%dT%H:%M")

    return {"_": message, "number": number, "day": day, "lang": lang, "local_input": local_input}
