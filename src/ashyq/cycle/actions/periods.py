"""Opening a period, its deadlines, and moving it through its states (by hand, or when a
deadline passes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from ashyq.access import audit
from ashyq.access.accounts import SYSTEM, Actor
from ashyq.cycle import auth
from ashyq.cycle.actions.state import (
    hold,
    move,
    period_state,
    transition,
)
from ashyq.cycle.workflow import NEXT_STATE, State, due_state, timeline_deadlines
from ashyq.db.models import (
    EvaluationPeriod,
    utcnow,
)
from ashyq.errors import (
    ConflictError,
    InvalidError,
)
from ashyq.i18n import N_
from ashyq.index.methodology import load_methodology

__all__ = [
    "create_period",
    "move_period",
    "set_deadlines",
    "sync_deadlines",
]


def create_period(
    session: Session, actor: Actor, year: int, methodology: str = "2025"
) -> EvaluationPeriod:
    """Open the period of ``year`` in draft, with the deadlines of its methodology."""
    auth.create_period(actor)
    loaded = load_methodology(methodology)
    if session.scalar(select(EvaluationPeriod.id).where(EvaluationPeriod.year == year)) is not None:
        raise ConflictError(N_("The period {period} exists."), period=year)
    due, disputes, consolidation = timeline_deadlines(loaded.timeline, year)
    period = EvaluationPeriod(
        year=year,
        methodology=methodology,
        state=State.DRAFT.value,
        source_data_due=due,
        disputes_until=disputes,
        consolidation_by=consolidation,
    )
    session.add(period)
    session.flush()
    audit.record(session, actor, "create_period", "period", year, None, period_state(period))
    return period


def set_deadlines(
    session: Session,
    actor: Actor,
    period: EvaluationPeriod,
    *,
    source_data_due: datetime,
    disputes_until: datetime,
    consolidation_by: datetime,
) -> EvaluationPeriod:
    """Change a period's deadlines; they must come in the cycle's order."""
    auth.set_deadlines(actor, period)
    if not source_data_due < disputes_until < consolidation_by:
        raise InvalidError(
            N_("Deadlines in order: source data, then disputes, then consolidation.")
        )
    hold(session, period)
    before = period_state(period)
    period.source_data_due = source_data_due
    period.disputes_until = disputes_until
    period.consolidation_by = consolidation_by
    audit.record(
        session, actor, "set_deadlines", "period", period.year, before, period_state(period)
    )
    return period


def move_period(session: Session, actor: Actor, period: EvaluationPeriod) -> EvaluationPeriod:
    """Move a period to its next state (draft → collecting → disputes open → consolidation).

    Raises ConflictError when another request moved it since it was read.
    """
    auth.move_period(actor, period)
    move(session, actor, period, NEXT_STATE[State(period.state)], "move_period")
    return period


def sync_deadlines(session: Session, now: datetime | None = None) -> list[EvaluationPeriod]:
    """Move every period whose deadline has passed; returns the periods moved.

    A period another request moved meanwhile, or whose deadline was put off meanwhile, is
    left as it is now.
    """
    now = now or utcnow()
    moved = []
    # Read them all first: on SQLite an open read cursor would block the writes below.
    for period in session.scalars(select(EvaluationPeriod)).all():
        state = State(period.state)
        target = due_state(state, now, period.source_data_due, period.disputes_until)
        if target is state:
            continue
        passed: list[ColumnElement[bool]] = []
        if state is State.COLLECTING:
            passed.append(EvaluationPeriod.source_data_due < now)
        if target is State.CONSOLIDATION:
            passed.append(EvaluationPeriod.disputes_until < now)
        before = period_state(period)
        if transition(session, period, target, *passed):
            audit.record(
                session,
                SYSTEM,
                "deadline_passed",
                "period",
                period.year,
                before,
                period_state(period),
            )
            moved.append(period)
    return moved
