"""Taking in ratings: what a submission holds, the photo store, and the writer that commits
submissions in groups.

A rating is acknowledged only after the transaction holding it (and its incident, for a
low score) has committed, so an acknowledged rating survives a crash. To do that hundreds
of times a second on one SQLite file, one writer thread takes every submission waiting in
its queue and commits them together (group commit): the request threads wait for their
own receipt, and a commit's cost is shared by all the ratings in it.

Idempotency: a submission with a key the same API key already used gets the first one's
receipt back, without a second rating, when it is the same request (same SHA-256 of its
content), and is refused when it is a different one.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import json
import logging
import queue
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Connection, Engine, insert, select, tuple_
from sqlalchemy.exc import IntegrityError

from ashyq.db.models import Incident, Rating
from ashyq.errors import ActionError, InvalidError
from ashyq.i18n import N_
from ashyq.storage.atomic import store_once

__all__ = [
    "LOW_SCORE",
    "MAX_PHOTO_BYTES",
    "WINDOW",
    "IdempotencyKeyReusedError",
    "Photo",
    "RatingRules",
    "RatingWriter",
    "Receipt",
    "Submission",
    "decode_photo",
    "request_hash",
    "store_photo",
    "write_submissions",
]

_log = logging.getLogger(__name__)

WINDOW: Final = timedelta(minutes=5)  # the provider's time to resolve a low rating
LOW_SCORE: Final = 2  # scores 1 and 2 open an incident
MAX_PHOTO_BYTES: Final = 2 * 1024 * 1024

_PHOTO_TYPES: Final = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)


@dataclass(frozen=True)
class RatingRules:
    """When a rating opens an incident, and how long its provider has to resolve it."""

    low_score: int = LOW_SCORE
    window: timedelta = WINDOW

    def opens_incident(self, score: int) -> bool:
        """Whether a rating of ``score`` opens an incident."""
        return score <= self.low_score


class IdempotencyKeyReusedError(ActionError):
    """An idempotency key sent again with a different request."""

    status = 422
    code = "idempotency_key_reused"

    def __init__(self, key: str) -> None:
        super().__init__(
            N_(
                "The idempotency key {key} was already used for a different rating; "
                "use a new key for a new rating."
            ),
            key=key,
        )


@dataclass(frozen=True)
class Photo:
    """A photo sent with a rating: its bytes, type and SHA-256."""

    content: bytes
    content_type: str
    extension: str

    @property
    def sha256(self) -> str:
        """The SHA-256 of the content: the photo's name in the store."""
        return hashlib.sha256(self.content).hexdigest()


def decode_photo(text: str) -> Photo:
    """The photo of a base64 text; InvalidError unless it is a JPEG or PNG up to 2 MiB."""
    try:
        content = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidError(N_("The photo is not valid base64.")) from None
    if len(content) > MAX_PHOTO_BYTES:
        raise InvalidError(
            N_("The photo has {size} bytes; at most {limit} are accepted."),
            size=len(content),
            limit=MAX_PHOTO_BYTES,
        )
    for magic, content_type, extension in _PHOTO_TYPES:
        if content.startswith(magic):
            return Photo(content, content_type, extension)
    raise InvalidError(N_("The photo must be a JPEG or PNG image."))


def store_photo(folder: Path, photo: Photo) -> Path:
    """Write ``photo`` under its SHA-256 in ``folder``, whole or not at all (once: a retry
    finds it there, unless what is there is truncated). Raises StorageFullError (507) when
    the disk is full, leaving no partial file."""
    sha256 = photo.sha256
    return store_once(folder / f"{sha256}.{photo.extension}", photo.content, sha256)


def request_hash(fields: dict[str, Any]) -> str:
    """The SHA-256 of a submission's content, to tell a retry from a different request."""
    text = json.dumps(fields, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Submission:
    """A validated rating, ready to be written."""

    key_id: int
    idempotency_key: str | None
    request_hash: str
    point_id: int
    body_code: str
    service_code: str
    score: int
    comment: str | None
    photo_sha256: str | None
    photo_type: str | None
    received_at: datetime


@dataclass(frozen=True)
class Receipt:
    """What the submitter gets back: the rating, its incident if any, and whether this was
    a retry of a rating already stored."""

    rating_id: int
    received_at: datetime
    incident_id: int | None
    due_at: datetime | None
    replayed: bool = False

    def as_dict(self) -> dict[str, Any]:
        """The receipt as the API answers it."""
        incident = None
        if self.incident_id is not None and self.due_at is not None:
            incident = {"id": self.incident_id, "due_at": self.due_at.isoformat()}
        return {
            "rating": self.rating_id,
            "received_at": self.received_at.isoformat(),
            "incident": incident,
            "replayed": self.replayed,
        }


def _stored(
    connection: Connection, keyed: set[tuple[int, str]]
) -> dict[tuple[int, str], tuple[str, Receipt]]:
    """The ratings already stored under these (API key, idempotency key) pairs."""
    if not keyed:
        return {}
    rows = connection.execute(
        select(
            Rating.api_key_id,
            Rating.idempotency_key,
            Rating.request_hash,
            Rating.id,
            Rating.received_at,
            Incident.id.label("incident_id"),
            Incident.due_at,
        )
        .outerjoin(Incident, Incident.rating_id == Rating.id)
        .where(tuple_(Rating.api_key_id, Rating.idempotency_key).in_(sorted(keyed)))
    ).all()
    return {
        (row.api_key_id, row.idempotency_key): (
            row.request_hash,
            Receipt(row.id, row.received_at, row.incident_id, row.due_at, replayed=True),
        )
        for row in rows
    }


def _write(
    connection: Connection, rules: RatingRules, submissions: Sequence[Submission]
) -> list[Receipt | ActionError]:
    keyed = {(s.key_id, s.idempotency_key) for s in submissions if s.idempotency_key}
    stored = _stored(connection, keyed)
    outcomes: list[Receipt | ActionError | None] = [None] * len(submissions)
    new: list[int] = []  # positions of the submissions to insert
    first_of: dict[tuple[int, str], int] = {}  # a key's first position in this group
    repeats: list[tuple[int, int]] = []  # (position, position of its first)
    for position, submission in enumerate(submissions):
        if submission.idempotency_key is None:
            new.append(position)
            continue
        pair = (submission.key_id, submission.idempotency_key)
        if pair in stored:
            digest, receipt = stored[pair]
            ok = digest == submission.request_hash
            outcomes[position] = receipt if ok else IdempotencyKeyReusedError(pair[1])
        elif pair in first_of:
            repeats.append((position, first_of[pair]))
        else:
            first_of[pair] = position
            new.append(position)
    if new:
        ids = connection.execute(
            insert(Rating).returning(Rating.id, sort_by_parameter_order=True),
            [
                {
                    "api_key_id": s.key_id,
                    "idempotency_key": s.idempotency_key,
                    "request_hash": s.request_hash,
                    "service_point_id": s.point_id,
                    "service_code": s.service_code,
                    "score": s.score,
                    "comment": s.comment,
                    "photo_sha256": s.photo_sha256,
                    "photo_type": s.photo_type,
                    "received_at": s.received_at,
                }
                for s in (submissions[p] for p in new)
            ],
        ).scalars()
        rating_ids = dict(zip(new, ids, strict=True))
        low = [p for p in new if rules.opens_incident(submissions[p].score)]
        incident_ids: dict[int, int] = {}
        if low:
            inserted = connection.execute(
                insert(Incident).returning(Incident.id, sort_by_parameter_order=True),
                [
                    {
                        "rating_id": rating_ids[p],
                        "service_point_id": submissions[p].point_id,
                        "body_code": submissions[p].body_code,
                        "status": "open",
                        "opened_at": submissions[p].received_at,
                        "due_at": submissions[p].received_at + rules.window,
                    }
                    for p in low
                ],
            ).scalars()
            incident_ids = dict(zip(low, inserted, strict=True))
        for p in new:
            submission = submissions[p]
            incident = incident_ids.get(p)
            outcomes[p] = Receipt(
                rating_ids[p],
                submission.received_at,
                incident,
                submission.received_at + rules.window if incident is not None else None,
            )
    for position, first in repeats:
        original = outcomes[first]
        assert isinstance(original, Receipt)
        same = submissions[position].request_hash == submissions[first].request_hash
        key = submissions[position].idempotency_key or ""
        outcomes[position] = (
            Receipt(
                original.rating_id,
                original.received_at,
                original.incident_id,
                original.due_at,
                replayed=True,
            )
            if same
            else IdempotencyKeyReusedError(key)
        )
    return [outcome for outcome in outcomes if outcome is not None]


def write_submissions(
    engine: Engine, rules: RatingRules, submissions: Sequence[Submission]
) -> list[Receipt | ActionError]:
    """Store ``submissions`` in one transaction; one receipt or refusal each, in order.

    When another process stored one of the same idempotency keys meanwhile, the unique
    constraint refuses the group; each submission is then written on its own.
    """
    try:
        with engine.begin() as connection:
            return _write(connection, rules, submissions)
    except IntegrityError:
        if len(submissions) == 1:
            with engine.begin() as connection:
                return _write(connection, rules, submissions)
    outcomes: list[Receipt | ActionError] = []
    for submission in submissions:
        outcomes.extend(write_submissions(engine, rules, [submission]))
    return outcomes


@dataclass
class _Waiting:
    submission: Submission
    future: asyncio.Future[Receipt]
    loop: asyncio.AbstractEventLoop


def _settle(future: asyncio.Future[Receipt], outcome: Receipt | BaseException) -> None:
    if future.done():  # the client went away
        return
    if isinstance(outcome, BaseException):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


class RatingWriter:
    """The one thread that writes ratings: it commits whatever is waiting, up to
    ``max_group`` submissions, in one transaction, then answers each waiting request."""

    def __init__(self, engine: Engine, rules: RatingRules, max_group: int = 256) -> None:
        self.engine = engine
        self.rules = rules
        self.max_group = max_group
        self._queue: queue.SimpleQueue[_Waiting | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the thread, if it is not running."""
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="ashyq-rating-writer", daemon=True
                )
                self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Write what is waiting, then end the thread."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None and thread.is_alive():
            self._queue.put(None)
            thread.join(timeout)

    async def submit(self, submission: Submission) -> Receipt:
        """Queue ``submission`` and wait until it is committed; its receipt."""
        self.start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Receipt] = loop.create_future()
        self._queue.put(_Waiting(submission, future, loop))
        return await future

    def _run(self) -> None:
        running = True
        while running:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            while len(group) < self.max_group:
                try:
                    waiting = self._queue.get_nowait()
                except queue.Empty:
                    break
                if waiting is None:
                    running = False
                    break
                group.append(waiting)
            self._commit(group)

    def _commit(self, group: list[_Waiting]) -> None:
        outcomes: Sequence[Receipt | BaseException]
        try:
            outcomes = write_submissions(self.engine, self.rules, [w.submission for w in group])
        except Exception as error:  # noqa: BLE001 - no waiting request may hang on a failure
            # The database is away, or a fault: every waiting request hears it.
            _log.exception("could not store %d ratings", len(group))
            outcomes = [error] * len(group)
        for waiting, outcome in zip(group, outcomes, strict=True):
            try:
                waiting.loop.call_soon_threadsafe(_settle, waiting.future, outcome)
            except RuntimeError:  # the request's event loop has closed
                continue
