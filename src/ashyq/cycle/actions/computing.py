"""Computing a period's draft results from its source values."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, defer

from ashyq.access import audit
from ashyq.access.accounts import Actor
from ashyq.bodies import load_bodies
from ashyq.cycle import auth
from ashyq.cycle.actions.state import (
    hold,
    methodology_of,
)
from ashyq.db.models import (
    Computation,
    EvaluationPeriod,
    Snapshot,
    SourceValue,
)
from ashyq.index.engine import BodyInput, Fact, Provenance, compute_index
from ashyq.index.methodology import Methodology
from ashyq.results.document import results_document

__all__ = [
    "compute",
    "compute_period",
    "latest_computation",
    "latest_snapshot",
    "previous_published",
]


def latest_computation(session: Session, period: EvaluationPeriod) -> Computation | None:
    """The newest draft results of a period, if it was computed."""
    # The document (hundreds of KB of JSON) is read only if used: a listing needs none.
    return session.scalar(
        select(Computation)
        .options(defer(Computation.payload))
        .where(Computation.period_id == period.id)
        .order_by(Computation.id.desc())
        .limit(1)
    )


def latest_snapshot(session: Session, period: EvaluationPeriod) -> Snapshot | None:
    """The newest published version of a period, if it was published."""
    return session.scalar(
        select(Snapshot)
        .options(defer(Snapshot.payload))
        .where(Snapshot.period_id == period.id)
        .order_by(Snapshot.version.desc())
        .limit(1)
    )


def previous_published(session: Session, period: EvaluationPeriod) -> dict[str, Any] | None:
    earlier = session.scalar(
        select(Snapshot)
        .join(EvaluationPeriod, Snapshot.period_id == EvaluationPeriod.id)
        .where(EvaluationPeriod.year < period.year)
        .order_by(EvaluationPeriod.year.desc(), Snapshot.version.desc())
        .limit(1)
    )
    return earlier.payload if earlier is not None else None


def _inputs(
    session: Session, period: EvaluationPeriod, methodology: Methodology
) -> tuple[list[BodyInput], dict[str, list[str]]]:
    values: dict[str, dict[str, SourceValue]] = {}
    for value in session.scalars(select(SourceValue).where(SourceValue.period_id == period.id)):
        values.setdefault(value.body_code, {})[value.field] = value
    inputs, incomplete = [], {}
    for body in load_bodies():
        given = values.get(body.code, {})
        scores: dict[str, Fact] = {}
        counts: dict[str, Fact] = {}
        missing = []
        for indicator in methodology.indicators:
            source = given.get(indicator.id)
            if source is not None:
                scores[indicator.id] = _fact(source)
            elif indicator.input_fields and all(f in given for f in indicator.input_fields):
                counts.update({f: _fact(given[f]) for f in indicator.input_fields})
            else:
                missing.append(indicator.id)
        if missing:
            incomplete[body.code] = missing
        else:
            inputs.append(BodyInput(body.code, scores, counts))
    return inputs, incomplete


def _fact(value: SourceValue) -> Fact:
    file = value.file if value.dispute_id is None else f"{value.file} (dispute {value.dispute_id})"
    return Fact(value.value, Provenance(file, value.row, value.column, value.authority))


def compute(session: Session, actor: Actor, period: EvaluationPeriod) -> Computation:
    methodology = methodology_of(period)
    inputs, incomplete = _inputs(session, period, methodology)
    result = compute_index(methodology, inputs, load_bodies())
    document = results_document(
        result,
        period.year,
        previous=previous_published(session, period),
        incomplete=incomplete,
    )
    computation = Computation(
        period_id=period.id, account_id=actor.account_id, payload=document.payload()
    )
    session.add(computation)
    session.flush()
    after = {"bodies": len(document.bodies), "incomplete": sorted(incomplete)}
    audit.record(session, actor, "compute_period", "period", period.year, None, after)
    return computation


def compute_period(session: Session, actor: Actor, period: EvaluationPeriod) -> Computation:
    """Compute draft results from the period's source values.

    Bodies missing an indicator are listed as incomplete and not ranked.
    """
    auth.compute_period(actor, period)
    hold(session, period)
    return compute(session, actor, period)
