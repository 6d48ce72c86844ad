"""The portal's shared state and the per-request context: database session, actor, language."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path as FilePath
from typing import Annotated, Any, Final

from fastapi import Depends, Form, Path, Query, Request, Security, UploadFile
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData

from ashyq.access.accounts import Actor, session_actor
from ashyq.access.checks import SIGN_IN
from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.cycle.actions import sync_deadlines
from ashyq.cycle.files import MAX_ATTACHMENT_BYTES, too_large
from ashyq.db.models import Computation, EvaluationPeriod, Snapshot, utcnow
from ashyq.errors import ActionError, InvalidError, SignInRequiredError
from ashyq.home import Home
from ashyq.i18n import DEFAULT_LANG, LANGUAGES, N_, Lang, translate
from ashyq.i18n.dates import ASTANA
from ashyq.i18n.dates import day as spell_day
from ashyq.i18n.grammar import number as spell_number
from ashyq.i18n.grammar import percent as spell_percent
from ashyq.i18n.quotes import quoted
from ashyq.index.methodology import Methodology, load_methodology
from ashyq.results.model import ResultsDocument
from ashyq.web.limits import LIMITS
from ashyq.web.security import (
    CSRF_COOKIE_SCHEME,
    CSRF_HEADER_SCHEME,
    SESSION_COOKIE,
    SESSION_SCHEME,
    LoginLimiter,
    check_csrf,
)
from ashyq.web.views import HistoryPoint

__all__ = [
    "LANG_COOKIE",
    "ActorDep",
    "ApiWriteDep",
    "BusyError",
    "FormDep",
    "FormWriteDep",
    "LangDep",
    "Portal",
    "Published",
    "RecordId",
    "SessionDep",
    "Version",
    "Year",
    "YearQuery",
    "after_commit",
    "formatters",
    "methodology_of",
    "portal_of",
    "published_snapshots",
    "read_attachments",
    "read_upload",
    "request_lang",
    "require_signed_in",
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
    _documents: dict[int, ResultsDocument] = field(default_factory=dict)
    _deadline_lock: threading.Lock = field(default_factory=threading.Lock)
    _drafts: OrderedDict[int, ResultsDocument] = field(default_factory=OrderedDict)
    _drafts_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def files(self) -> FilePath:
        """Uploaded files: outside the package, so never served as static content."""
        return Home(self.home).uploads

    def document(self, session: Session, snapshot_id: int) -> ResultsDocument:
        """The document of a published snapshot, read and parsed once per process."""
        cached = self._documents.get(snapshot_id)
        if cached is None:
            loaded = session.scalar(select(Snapshot.payload).where(Snapshot.id == snapshot_id))
            if loaded is None:
                raise LookupError(snapshot_id)
            cached = self._documents[snapshot_id] = ResultsDocument.from_payload(loaded)
        return cached

    def draft(self, session: Session, computation: Computation) -> ResultsDocument:
        """The document of a computation (a draft, never changed once written), parsed once
        per process for the newest few."""
        with self._drafts_lock:
            cached = self._drafts.get(computation.id)
            if cached is not None:
                self._drafts.move_to_end(computation.id)
                return cached
        loaded: dict[str, Any] | None = session.scalar(
            select(Computation.payload).where(Computation.id == computation.id)
        )
        if loaded is None:
            raise LookupError(computation.id)
        document = ResultsDocument.from_payload(loaded)
        with self._drafts_lock:
            self._drafts[computation.id] = document
            while len(self._drafts) > 8:
                self._drafts.popitem(last=False)
        return document

    def keep_deadlines(self, session: Session) -> None:
        """Move periods whose deadlines passed, at most once a minute per process."""
        now = time.monotonic()
        if now - self._last_deadline_check < self.deadline_check_seconds:
            return
        # Requests run in many threads: one checks, the others go on without waiting.
        if not self._deadline_lock.acquire(blocking=False):
            return
        try:
            if now - self._last_deadline_check < self.deadline_check_seconds:
                return
            self._last_deadline_check = now
            if sync_deadlines(session, self.clock()):
                session.commit()
        finally:
            self._deadline_lock.release()


class BusyError(ActionError):
    """The portal is at one of its limits; the same request may succeed a little later."""

    status = 503
    code = "busy"

    def __init__(self, text: str, retry_after: int) -> None:
        super().__init__(text)
        self.retry_after = retry_after

    def response_headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def require_signed_in(actor: Actor) -> None:
    """Raise SignInRequiredError for the public (pages then redirect to the sign-in form)."""
    if not actor.signed_in:
        raise SignInRequiredError(SIGN_IN)


def methodology_of(session: Session, year: int) -> Methodology:
    """The methodology a period is evaluated by (the packaged one of its year if unknown)."""
    period = session.scalar(select(EvaluationPeriod).where(EvaluationPeriod.year == year))
    return load_methodology(period.methodology if period else str(year))


def portal_of(request: Request) -> Portal:
    """The portal serving ``request``."""
    portal: Portal = request.app.state.portal
    return portal


def _session(request: Request) -> Iterator[Session]:
    # A plain function, as every endpoint and dependency that touches the database: FastAPI
    # runs it in its thread pool, so a slow or waiting query never stalls the event loop
    # (docs/architecture.md, "Concurrency in the portal").
    portal = portal_of(request)
    session = portal.sessions()
    try:
        portal.keep_deadlines(session)
        yield session
    finally:
        session.close()


SessionDep = Annotated[Session, Depends(_session)]


def _writing(request: Request, session: Session, token: str | None) -> Iterator[Session]:
    # Checked before the handler runs; committed after it returns and before the response
    # is sent (the dependency's scope is the handler's), so a failed commit is an error
    # answer, never a success the database does not hold. A handler that raises commits
    # nothing.
    check_csrf(request, token)
    yield session
    session.commit()
    for action in session.info.pop(_AFTER_COMMIT, []):
        action()


_AFTER_COMMIT = "ashyq.after_commit"


def after_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once the write dependency has committed ``session`` (not at all if
    it does not): for what reads the committed state through another connection, such as
    the rating desk's directory of keys and points."""
    session.info.setdefault(_AFTER_COMMIT, []).append(action)


def _form_write(
    request: Request, session: SessionDep, csrf_token: Annotated[str, Form()] = ""
) -> Iterator[Session]:
    yield from _writing(request, session, csrf_token)


def _api_write(
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Security(CSRF_HEADER_SCHEME)],
    _cookie: Annotated[str | None, Security(CSRF_COOKIE_SCHEME)],
) -> Iterator[Session]:
    # The cookie is read by check_csrf; declared here so that the API's description
    # names both halves of the pair.
    yield from _writing(request, session, token)


FormWriteDep = Annotated[Session, Depends(_form_write, scope="function")]
"""The session of a page's form that changes something: the form's ``csrf_token`` field is
checked first, and the session committed when the handler returns (and only then)."""

ApiWriteDep = Annotated[Session, Depends(_api_write, scope="function")]
"""The same for the API, whose token comes in the ``X-CSRF-Token`` header."""


def _actor(request: Request, session: SessionDep) -> Actor:
    actor = session_actor(session, request.cookies.get(SESSION_COOKIE))
    request.state.actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(_actor)]

SIGNED_IN: Final = Security(SESSION_SCHEME)
"""For a router whose every operation needs a signed-in actor: declares the session
cookie in the API's description (``ActorDep`` reads it, and the actions refuse an actor
who is not signed in)."""


def read_upload(upload: UploadFile, limit: int) -> bytes:
    """The bytes of an uploaded file; raises InvalidError, naming the file and its whole
    size, when it has more than ``limit`` (read no further than that).

    Call it from a plain (threaded) endpoint: the spooled file may be on disk.
    """
    upload.file.seek(0)
    content = upload.file.read(limit + 1)
    if len(content) > limit:
        raise too_large(upload.filename or "", limit, upload.size or len(content))
    return content


def read_attachments(attachments: list[UploadFile]) -> list[tuple[str, bytes]]:
    """The named files of a dispute, each read as ``read_upload`` does; raises
    InvalidError past the number of attachments a dispute may have."""
    named = [upload for upload in attachments if upload.filename]
    if len(named) > LIMITS.attachments_per_dispute:
        raise InvalidError(
            N_("A dispute has at most {limit} attachments; found {found}."),
            limit=LIMITS.attachments_per_dispute,
            found=len(named),
        )
    return [(upload.filename or "", read_upload(upload, MAX_ATTACHMENT_BYTES)) for upload in named]


async def _form(request: Request) -> FormData:
    # Async only to await the body, which Starlette parses within its own limits on the
    # number of fields and the size of each; what is done with it runs in a worker thread.
    return await request.form()


FormDep = Annotated[FormData, Depends(_form)]
"""Every field of a posted form, for forms whose fields are numbered (value_<id>, ...)."""


def request_lang(request: Request) -> Lang:
    """The reader's language: ``?lang=``, else the cookie, else Russian."""
    for candidate in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if candidate in LANGUAGES:
            chosen: Lang = candidate
            return chosen
    return DEFAULT_LANG


async def _lang(request: Request) -> Lang:
    return request_lang(request)


LangDep = Annotated[Lang, Depends(_lang)]


@dataclass(frozen=True)
class Published:
    """The newest published version of a period, with its (immutable) document."""

    id: int
    period_id: int
    year: int
    methodology: str
    version: int
    published_at: datetime
    sha256: str
    document: ResultsDocument


def published_snapshots(session: Session, portal: Portal) -> dict[int, Published]:
    """The newest published version of every published period, by year.

    One small query per call; each version's document is read and parsed once per
    process, since a published snapshot never changes.
    """
    rows = session.execute(
        select(
            Snapshot.id,
            Snapshot.period_id,
            EvaluationPeriod.year,
            EvaluationPeriod.methodology,
            Snapshot.version,
            Snapshot.published_at,
            Snapshot.sha256,
        )
        .join(EvaluationPeriod, Snapshot.period_id == EvaluationPeriod.id)
        .order_by(EvaluationPeriod.year, Snapshot.version)
    ).all()
    latest = {row.year: row for row in rows}  # ordered by version: the last one wins
    return {
        year: Published(
            row.id,
            row.period_id,
            year,
            row.methodology,
            row.version,
            row.published_at,
            row.sha256,
            portal.document(session, row.id),
        )
        for year, row in latest.items()
    }


def history_of(snapshots: dict[int, Published], code: str) -> list[HistoryPoint]:
    """A body's totals, grades and ranks in every published period."""
    points = []
    for year, snapshot in snapshots.items():
        for body in snapshot.document.bodies:
            if body.code == code:
                points.append(
                    HistoryPoint(
                        period=year,
                        total=body.total,
                        grade=body.grade,
                        rank=body.rank,
                    )
                )
    return points


@lru_cache(maxsize=65536)
def _spelled(value: str, digits: int | None, lang: Lang) -> str:
    # A page spells the same few hundred scores again and again: Babel once per value.
    return spell_number(Decimal(value), lang, at_most=digits)


def formatters(lang: Lang) -> dict[str, Any]:
    """Template helpers that spell numbers, dates and messages for ``lang``."""

    def number(value: Decimal | int | float | str | None, digits: int | None = None) -> str:
        # Exact unless the template asks for at most ``digits`` decimals (survey figures):
        # the index's scores and totals are shown as computed, as everywhere else.
        if value is None or value == "":
            return "—"
        return _spelled(str(value), digits, lang)

    def percent(value: Decimal | int | float | str | None, digits: int | None = None) -> str:
        # The one speller of percentages (grammar.percent): "70,1%", "70.1%".
        if value is None or value == "":
            return "—"
        return spell_percent(Decimal(str(value)), lang, at_most=digits)

    def day(value: date | datetime | None) -> str:
        return "—" if value is None else spell_day(value, lang)

    def message(text: str, **params: object) -> str:
        return translate(text, lang, **params)

    def local_input(value: datetime) -> str:
        # The value of a datetime-local field: Astana wall-clock time, to the minute.
        return value.astimezone(ASTANA).strftime("%Y-%m-%dT%H:%M")

    return {
        "_": message,
        "number": number,
        "percent": percent,
        "day": day,
        "quoted": lambda text: quoted(str(text), lang),
        "lang": lang,
        "local_input": local_input,
    }
