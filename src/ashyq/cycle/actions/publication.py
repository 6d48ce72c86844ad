"""Publishing a period as a new snapshot version, and reopening a published one."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ashyq.access.accounts import Actor
from ashyq.cycle import auth
from ashyq.cycle.actions.computing import (
    compute,
    latest_snapshot,
)
from ashyq.cycle.actions.state import (
    hold,
    move,
)
from ashyq.cycle.workflow import State
from ashyq.db.models import (
    AuditEntry,
    Dispute,
    EvaluationPeriod,
    Snapshot,
)
from ashyq.errors import (
    ConflictError,
    InvalidError,
)
from ashyq.i18n import N_
from ashyq.results.document import digest
from ashyq.results.model import ResultsDocument

__all__ = [
    "publish_period",
    "reopen_period",
]


def publish_period(session: Session, actor: Actor, period: EvaluationPeriod) -> Snapshot:
    """Publish the period's results as a new immutable, versioned snapshot.

    Recomputes from the source values first; raises ConflictError while a dispute is open, a
    body misses source data, or when another request published or moved the period first.
    """
    auth.publish_period(actor, period)
    # Held before anything is counted, so the version number and the open disputes are
    # those of this moment, not of another publication's.
    hold(session, period)
    open_disputes = session.scalar(
        select(func.count(Dispute.id)).where(
            Dispute.period_id == period.id, Dispute.status == "open"
        )
    )
    if open_disputes:
        raise ConflictError(N_("{count} disputes are still open."), count=open_disputes)
    computation = compute(session, actor, period)
    incomplete = ResultsDocument.from_payload(computation.payload).incomplete
    if incomplete:
        raise ConflictError(
            N_("Source data are missing for {count} bodies: {bodies}"),
            count=len(incomplete),
            bodies=", ".join(sorted(incomplete)),
        )
    latest = latest_snapshot(session, period)
    version = 1 if latest is None else latest.version + 1
    reason = None
    if latest is not None:
        reason = session.scalar(
            select(AuditEntry.after)
            .where(
                AuditEntry.action == "reopen_period",
                AuditEntry.object_id == str(period.year),
            )
            .order_by(AuditEntry.id.desc())
            .limit(1)
        )
    payload = {**computation.payload, "version": version}
    snapshot = Snapshot(
        period_id=period.id,
        version=version,
        account_id=actor.account_id,
        reason=(reason or {}).get("reason") if isinstance(reason, dict) else None,
        sha256=digest(payload),
        payload=payload,
    )
    session.add(snapshot)
    session.flush()
    noted = {"version": version, "sha256": snapshot.sha256}
    move(session, actor, period, State.PUBLISHED, "publish_period", **noted)
    return snapshot


def reopen_period(
    session: Session, actor: Actor, period: EvaluationPeriod, reason: str
) -> EvaluationPeriod:
    """Reopen a published period into consolidation; its next publication is a new
    version that carries ``reason``. Raises InvalidError without a reason, ConflictError when
    another request reopened it first."""
    auth.reopen_period(actor, period)
    if not reason.strip():
        raise InvalidError(N_("Reopening a published period needs a reason."))
    move(session, actor, period, State.CONSOLIDATION, "reopen_period", reason=reason.strip())
    return period
