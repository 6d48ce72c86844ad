"""A period and its state under concurrent requests: read it, hold it in the state the
request read, or move it from that state, in one conditional UPDATE each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ashyq.access import audit
from ashyq.access.accounts import Actor
from ashyq.cycle.workflow import State
from ashyq.db import conditional_update
from ashyq.db.models import EvaluationPeriod
from ashyq.errors import (
    ConflictError,
    NotFoundError,
)
from ashyq.i18n import N_
from ashyq.index.methodology import Methodology, load_methodology

__all__ = [
    "PERIOD_CHANGED",
    "get_period",
    "hold",
    "methodology_of",
    "move",
    "period_state",
    "transition",
]


def period_state(period: EvaluationPeriod) -> dict[str, Any]:
    return {
        "state": period.state,
        "source_data_due": period.source_data_due.isoformat(),
        "disputes_until": period.disputes_until.isoformat(),
        "consolidation_by": period.consolidation_by.isoformat(),
    }


def get_period(session: Session, year: int) -> EvaluationPeriod:
    """The period of ``year``; raises NotFoundError."""
    period = session.scalar(select(EvaluationPeriod).where(EvaluationPeriod.year == year))
    if period is None:
        raise NotFoundError(N_("No period {period}."), period=year)
    return period


PERIOD_CHANGED = N_(
    "Someone else changed the {period} period meanwhile; reload the page and try again."
)


def hold(session: Session, period: EvaluationPeriod) -> None:
    """Hold the period in the state this request read (and authorised the action by) until
    the transaction ends; raise ConflictError when another request has moved it.

    A no-op conditional UPDATE: it locks the period's row on PostgreSQL and takes the write
    lock on SQLite, so no transition slips in between this check and the commit. (pysqlite
    begins the transaction at this first write, so no older read snapshot is upgraded, which
    would fail at once with "database is locked" instead of waiting for the lock.)
    """
    held = conditional_update(
        session,
        update(EvaluationPeriod)
        .where(EvaluationPeriod.id == period.id, EvaluationPeriod.state == period.state)
        .values(state=EvaluationPeriod.state),
    )
    if not held:
        session.expire(period, ["state"])
        raise ConflictError(PERIOD_CHANGED, period=period.year)


def transition(
    session: Session, period: EvaluationPeriod, target: State, *still: ColumnElement[bool]
) -> bool:
    """Move the period from the state this request read to ``target`` if it is still there
    (and every condition of ``still`` holds), in one UPDATE; returns whether it moved."""
    moved = conditional_update(
        session,
        update(EvaluationPeriod)
        .where(EvaluationPeriod.id == period.id, EvaluationPeriod.state == period.state, *still)
        .values(state=target.value),
    )
    if moved:
        set_committed_value(period, "state", target.value)
    else:
        # Read again when next asked for: the state is no longer what this request saw.
        session.expire(period, ["state"])
    return bool(moved)


def methodology_of(period: EvaluationPeriod) -> Methodology:
    return load_methodology(period.methodology)


def move(
    session: Session,
    actor: Actor,
    period: EvaluationPeriod,
    state: State,
    action: str,
    **noted: Any,
) -> None:
    """Move ``period`` from the state this request read to ``state`` and record ``action``
    in the audit log (with ``noted``); raise ConflictError when another request moved it
    first."""
    before = period_state(period)
    if not transition(session, period, state):
        raise ConflictError(PERIOD_CHANGED, period=period.year)
    after = {**period_state(period), **noted}
    audit.record(session, actor, action, "period", period.year, before, after)
