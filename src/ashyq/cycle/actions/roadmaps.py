"""Roadmaps: the measures a body with a low grade commits to, published when submitted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ashyq.access import audit
from ashyq.access.accounts import Actor
from ashyq.cycle import auth
from ashyq.cycle.actions.computing import latest_snapshot
from ashyq.cycle.actions.state import (
    hold,
    methodology_of,
)
from ashyq.db.models import (
    EvaluationPeriod,
    Roadmap,
    RoadmapMeasure,
    utcnow,
)
from ashyq.errors import (
    ConflictError,
    InvalidError,
)
from ashyq.i18n import N_
from ashyq.results.model import ResultsDocument

__all__ = [
    "MeasureInput",
    "submit_roadmap",
]


@dataclass(frozen=True)
class MeasureInput:
    """One measure of a roadmap as submitted."""

    measure: str
    owner: str
    due_on: date
    indicator: str


def submit_roadmap(
    session: Session,
    actor: Actor,
    period: EvaluationPeriod,
    *,
    body_code: str,
    approved_by: str,
    approved_on: date,
    measures: list[MeasureInput],
) -> Roadmap:
    """Submit (or replace) the representative's body's roadmap for a published period.

    Only a body whose published grade obliges one may submit it. Raises ConflictError or
    InvalidError (no measure, a measure without owner, an unknown indicator, a past due date).
    """
    auth.submit_roadmap(actor, period, body_code)
    # Held, so two first submissions replace one another instead of both inserting, and
    # the period is not reopened under the roadmap.
    hold(session, period)
    snapshot = latest_snapshot(session, period)
    methodology = methodology_of(period)
    grade = None
    if snapshot is not None:
        published = ResultsDocument.from_payload(snapshot.payload).body(body_code)
        grade = published.grade if published is not None else None
    if grade is None or not methodology.needs_roadmap(grade):
        raise ConflictError(
            N_("Only a body graded {grades} submits a roadmap."),
            grades=", ".join(methodology.roadmap.grades),
        )
    if not approved_by.strip():
        raise InvalidError(N_("A roadmap names who approved it."))
    if not measures:
        raise InvalidError(N_("A roadmap needs at least one measure."))
    known = {i.id for i in methodology.indicators}
    for number, item in enumerate(measures, start=1):
        if not item.measure.strip() or not item.owner.strip():
            raise InvalidError(N_("Measure {number}: a measure and its owner."), number=number)
        if item.indicator not in known:
            raise InvalidError(
                N_("Measure {number}: no indicator {indicator}."),
                number=number,
                indicator=item.indicator,
            )
        if item.due_on < approved_on:
            raise InvalidError(
                N_("Measure {number}: due on or after the approval date."), number=number
            )
    roadmap = session.scalar(
        select(Roadmap).where(Roadmap.period_id == period.id, Roadmap.body_code == body_code)
    )
    before = None
    if roadmap is None:
        roadmap = Roadmap(period_id=period.id, body_code=body_code)
        session.add(roadmap)
    else:
        before = {"measures": len(roadmap.measures), "approved_on": roadmap.approved_on.isoformat()}
        roadmap.measures.clear()
    roadmap.approved_by = approved_by.strip()
    roadmap.approved_on = approved_on
    roadmap.submitted_by = actor.account_id or 0
    roadmap.submitted_at = utcnow()
    for position, item in enumerate(measures, start=1):
        roadmap.measures.append(
            RoadmapMeasure(
                position=position,
                measure=item.measure.strip(),
                owner=item.owner.strip(),
                due_on=item.due_on,
                indicator=item.indicator,
            )
        )
    session.flush()
    after = {"measures": len(measures), "approved_on": approved_on.isoformat()}
    audit.record(
        session, actor, "submit_roadmap", "roadmap", f"{period.year}/{body_code}", before, after
    )
    return roadmap
