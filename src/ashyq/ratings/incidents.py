"""Incidents of low ratings: resolution by the provider, escalation to the agency, closing,
and the figures of the dashboards.

An incident is ``open`` from the low rating until its ``due_at`` (the rating's time plus
the window, 5 minutes). The provider resolves it within the window (``resolved``);
otherwise the escalation worker moves it to ``escalated``, and an analyst of the agency
closes it (``closed``). Every move is a conditional update from the state it leaves, so
a resolution and an escalation racing for the same incident cannot both win, whichever
process or thread runs them.

The worker's only state is the incidents table: after a restart it escalates, at its
first pass, every incident that fell due while the process was down.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, case, func, insert, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from ashyq.access import audit
from ashyq.access.accounts import Actor
from ashyq.db.models import AuditEntry, Incident, Rating, ServicePoint, utcnow
from ashyq.errors import ConflictError, InvalidError, NotFoundError
from ashyq.i18n import N_
from ashyq.ratings import auth
from ashyq.ratings.intake import LOW_SCORE

__all__ = [
    "ESCALATION_ACTOR",
    "BodyFigures",
    "EscalationWorker",
    "IncidentStatus",
    "PointFigures",
    "close_incident",
    "dashboard",
    "escalate_due",
    "get_incident",
    "list_incidents",
    "record_resolution",
    "resolve_incident",
]

_log = logging.getLogger(__name__)

ESCALATION_ACTOR = "escalation"
_NOTE_LIMIT = 4000


class IncidentStatus(StrEnum):
    """Where an incident stands."""

    OPEN = "open"
    RESOLVED = "resolved"
    ESCALATED = "escalated"
    CLOSED = "closed"


def escalate_due(engine: Engine, now: datetime) -> list[int]:
    """Escalate every open incident due by ``now``, in one transaction; their ids.

    Each escalation is written to the audit log as done by the worker.
    """
    due = (Incident.status == IncidentStatus.OPEN) & (Incident.due_at <= now)
    with engine.connect() as connection:
        # A read first: on SQLite an UPDATE takes the write lock even when nothing matches,
        # and the rating writer needs that lock hundreds of times a second.
        if connection.scalar(select(Incident.id).where(due).limit(1)) is None:
            return []
    with engine.begin() as connection:
        escalated = list(
            connection.execute(
                update(Incident)
                .where(due)
                .values(status=IncidentStatus.ESCALATED, escalated_at=now)
                .returning(Incident.id, Incident.due_at)
            ).all()
        )
        if escalated:
            connection.execute(
                insert(AuditEntry),
                [
                    audit.entry(
                        ESCALATION_ACTOR,
                        "escalate_incident",
                        "incident",
                        row.id,
                        {"status": "open", "due_at": row.due_at.isoformat()},
                        {"status": "escalated", "escalated_at": now.isoformat()},
                        at=now,
                    )
                    for row in escalated
                ],
            )
    return sorted(row.id for row in escalated)


@dataclass
class EscalationWorker:
    """A thread that escalates due incidents every ``interval`` seconds, at once on start."""

    engine: Engine
    clock: Callable[[], datetime] = utcnow
    interval: float = 1.0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    passes: int = 0

    def start(self) -> None:
        """Start the thread."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="ashyq-escalation", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread after its current pass."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while True:
            try:
                escalate_due(self.engine, self.clock())
            except SQLAlchemyError:  # the database is away for a moment: try again next time
                _log.exception("escalation pass failed")
            self.passes += 1
            if self._stop.wait(self.interval):
                return


def get_incident(session: Session, incident_id: int) -> Incident:
    """The incident ``incident_id``; NotFoundError."""
    incident = session.get(Incident, incident_id)
    if incident is None:
        raise NotFoundError(N_("No such incident."))
    return incident


def _note(text: str) -> str:
    note = text.strip()
    if not note:
        raise InvalidError(N_("Say what was done about the rating."))
    if len(note) > _NOTE_LIMIT:
        raise InvalidError(N_("The note is longer than {limit} characters."), limit=_NOTE_LIMIT)
    return note


def resolve_incident(
    session: Session, actor: Actor, incident: Incident, note: str, now: datetime
) -> Incident:
    """A representative of the provider resolves ``incident`` within its window."""
    auth.resolve_incident(actor, incident)
    return record_resolution(session, incident, note, now, actor)


def record_resolution(
    session: Session,
    incident: Incident,
    note: str,
    now: datetime,
    who: Actor | str,
) -> Incident:
    """Record the provider's resolution of ``incident``, which must be open and not due.

    The caller has checked who may: ``resolve_incident`` for a person (``who`` is the
    actor), the service point's own key for the API (``who`` is ``key:<prefix>``).
    """
    text = _note(note)
    moved = session.execute(
        update(Incident)
        .where(
            Incident.id == incident.id,
            Incident.status == IncidentStatus.OPEN,
            Incident.due_at >= now,
        )
        .values(
            status=IncidentStatus.RESOLVED,
            resolved_at=now,
            resolved_by=who.username if isinstance(who, Actor) else who,
            resolution=text,
        )
    )
    session.refresh(incident)
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        if incident.status == IncidentStatus.OPEN:
            raise ConflictError(
                N_("The window to resolve incident {id} ended at {due}; it goes to the agency."),
                id=incident.id,
                due=incident.due_at,
            )
        raise ConflictError(
            N_("Incident {id} is already {status}."), id=incident.id, status=incident.status
        )
    after = {"status": incident.status}
    audit.record(
        session, who, "resolve_incident", "incident", incident.id, {"status": "open"}, after, now
    )
    return incident


def close_incident(
    session: Session, actor: Actor, incident: Incident, note: str, now: datetime
) -> Incident:
    """An analyst closes an escalated incident with what the agency did."""
    auth.close_incident(actor, incident)
    text = _note(note)
    moved = session.execute(
        update(Incident)
        .where(Incident.id == incident.id, Incident.status == IncidentStatus.ESCALATED)
        .values(
            status=IncidentStatus.CLOSED,
            closed_at=now,
            closed_by=actor.username,
            closing_note=text,
        )
    )
    session.refresh(incident)
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise ConflictError(
            N_("Only an escalated incident can be closed; incident {id} is {status}."),
            id=incident.id,
            status=incident.status,
        )
    before, after = {"status": "escalated"}, {"status": incident.status}
    audit.record(session, actor, "close_incident", "incident", incident.id, before, after, now)
    return incident


def list_incidents(
    session: Session,
    *,
    body_code: str | None = None,
    point_id: int | None = None,
    status: IncidentStatus | None = None,
    limit: int = 200,
) -> list[Incident]:
    """Incidents, the newest first, of one body or service point and status if given."""
    query = select(Incident).order_by(Incident.opened_at.desc(), Incident.id.desc())
    if body_code is not None:
        query = query.where(Incident.body_code == body_code)
    if point_id is not None:
        query = query.where(Incident.service_point_id == point_id)
    if status is not None:
        query = query.where(Incident.status == status)
    return list(session.scalars(query.limit(limit)))


@dataclass
class PointFigures:
    """The ratings and incidents of one service point since a moment."""

    point_id: int
    code: str
    name: str
    body_code: str
    ratings: int = 0
    score_sum: int = 0
    low: int = 0
    open: int = 0
    overdue: int = 0
    resolved: int = 0
    escalated: int = 0
    closed: int = 0

    @property
    def average(self) -> float | None:
        """The average score, None without ratings."""
        return self.score_sum / self.ratings if self.ratings else None

    @property
    def incidents(self) -> int:
        """Every incident opened."""
        return self.open + self.overdue + self.resolved + self.escalated + self.closed

    @property
    def escalated_total(self) -> int:
        """Incidents that went to the agency, closed since or not."""
        return self.escalated + self.closed

    @property
    def resolved_share(self) -> float | None:
        """The share of settled incidents (resolved or escalated) resolved in time, in %."""
        settled = self.resolved + self.escalated_total
        return 100.0 * self.resolved / settled if settled else None

    def as_dict(self) -> dict[str, Any]:
        """The published figures, by the names the API and the command line use."""
        return {
            "ratings": self.ratings,
            "average": None if self.average is None else round(self.average, 3),
            "low": self.low,
            "incidents": self.incidents,
            "open": self.open,
            "overdue": self.overdue,
            "resolved_in_time": self.resolved,
            "escalated": self.escalated_total,
            "closed_by_agency": self.closed,
        }

    def add(self, other: PointFigures) -> None:
        """Add ``other``'s counts to these."""
        for name in ("ratings", "score_sum", "low", "open", "overdue", "resolved"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.escalated += other.escalated
        self.closed += other.closed


@dataclass
class BodyFigures:
    """A provider's figures: the sum of its service points'."""

    body_code: str
    total: PointFigures
    points: list[PointFigures]


def dashboard(
    session: Session,
    since: datetime,
    now: datetime,
    body_code: str | None = None,
    low_score: int = LOW_SCORE,
) -> list[BodyFigures]:
    """Ratings received and incidents opened since ``since``, per provider and service
    point (of one body if given), the providers with the most escalations first.

    An open incident past its due time, which the worker has not reached yet, counts as
    ``overdue``.
    """
    points_query = select(
        ServicePoint.id, ServicePoint.code, ServicePoint.name, ServicePoint.body_code
    )
    if body_code is not None:
        points_query = points_query.where(ServicePoint.body_code == body_code)
    figures = {
        row.id: PointFigures(row.id, row.code, row.name, row.body_code)
        for row in session.execute(points_query)
    }
    rating_rows = session.execute(
        select(
            Rating.service_point_id,
            func.count(),
            func.sum(Rating.score),
            func.sum(case((Rating.score <= low_score, 1), else_=0)),
        )
        .where(Rating.received_at >= since)
        .group_by(Rating.service_point_id)
    )
    for point_id, count, score_sum, low in rating_rows:
        if point_id in figures:
            entry = figures[point_id]
            entry.ratings, entry.score_sum, entry.low = count, int(score_sum or 0), int(low or 0)
    status = case(
        (
            (Incident.status == IncidentStatus.OPEN) & (Incident.due_at < now),
            "overdue",
        ),
        else_=Incident.status,
    )
    incident_rows = session.execute(
        select(Incident.service_point_id, status.label("status"), func.count())
        .where(Incident.opened_at >= since)
        .group_by(Incident.service_point_id, status)
    )
    for point_id, state, count in incident_rows:
        if point_id in figures:
            setattr(figures[point_id], state, count)
    bodies: dict[str, BodyFigures] = {}
    for entry in sorted(figures.values(), key=lambda f: f.code):
        body = bodies.get(entry.body_code)
        if body is None:
            total = PointFigures(0, "", "", entry.body_code)
            body = bodies[entry.body_code] = BodyFigures(entry.body_code, total, [])
        body.points.append(entry)
        body.total.add(entry)
    return sorted(
        bodies.values(),
        key=lambda b: (-b.total.escalated_total, -b.total.incidents, b.body_code),
    )
