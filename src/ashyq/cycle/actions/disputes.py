"""Disputes of a draft value: filing one, within the window, and resolving it, which may
correct the value."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ashyq.access import audit
from ashyq.access.accounts import Actor
from ashyq.access.roles import Permission, may
from ashyq.cycle import auth
from ashyq.cycle.actions.computing import compute, latest_computation
from ashyq.cycle.actions.state import (
    hold,
    methodology_of,
)
from ashyq.cycle.files import (
    ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    check_file,
    store_file,
)
from ashyq.db import conditional_update
from ashyq.db.models import (
    Attachment,
    Dispute,
    EvaluationPeriod,
    SourceValue,
    utcnow,
)
from ashyq.errors import (
    ConflictError,
    InvalidError,
    NotFoundError,
)
from ashyq.i18n import N_
from ashyq.numbers import parse_decimal
from ashyq.results.model import ResultsDocument

__all__ = [
    "file_dispute",
    "get_dispute",
    "resolve_dispute",
    "visible_disputes",
]


def visible_disputes(session: Session, actor: Actor, period: EvaluationPeriod) -> list[Dispute]:
    """The disputes of a period the actor may see: every one for analysts, their own
    body's for a representative, none for anyone else."""
    query = select(Dispute).where(Dispute.period_id == period.id).order_by(Dispute.id)
    if may(actor.role, Permission.VIEW_ALL_DISPUTES):
        return list(session.scalars(query))
    if may(actor.role, Permission.VIEW_OWN_DISPUTES) and actor.body_code:
        return list(session.scalars(query.where(Dispute.body_code == actor.body_code)))
    return []


def get_dispute(session: Session, actor: Actor, dispute_id: int) -> Dispute:
    """A dispute the actor may see; raises NotFoundError for a missing one and for one
    of another body alike."""
    dispute = session.get(Dispute, dispute_id)
    if dispute is None:
        raise NotFoundError(N_("No such dispute."))
    auth.view_dispute(actor, dispute)
    return dispute


def file_dispute(
    session: Session,
    actor: Actor,
    period: EvaluationPeriod,
    *,
    body_code: str,
    indicator: str,
    justification: str,
    attachments: list[tuple[str, bytes]],
    files: Path,
    now: datetime | None = None,
) -> Dispute:
    """Dispute one indicator value of the representative's own body, inside the window.

    The disputed value is the current draft score. Raises NotAllowedError, InvalidError (unknown
    indicator, empty justification, a bad attachment) or ConflictError (already disputed).
    """
    now = now or utcnow()
    auth.file_dispute(actor, period, body_code, now)
    # Held first: two filings of one indicator cannot both find it undisputed, and the
    # period cannot move on to its publication while this one is being filed.
    hold(session, period)
    methodology = methodology_of(period)
    if indicator not in {i.id for i in methodology.indicators}:
        raise InvalidError(N_("No indicator {indicator}."), indicator=indicator)
    if not justification.strip():
        raise InvalidError(N_("A dispute needs a justification."))
    computation = latest_computation(session, period)
    scores: dict[str, str] = {}
    if computation is not None:
        drafted = ResultsDocument.from_payload(computation.payload).body(body_code)
        if drafted is not None:
            scores = {k: str(v.score) for k, v in drafted.indicators.items()}
    if indicator not in scores:
        raise ConflictError(
            N_("There is no draft value of {indicator} to dispute yet."), indicator=indicator
        )
    open_one = session.scalar(
        select(Dispute.id).where(
            Dispute.period_id == period.id,
            Dispute.body_code == body_code,
            Dispute.indicator == indicator,
            Dispute.status == "open",
        )
    )
    if open_one is not None:
        raise ConflictError(
            N_("{indicator} is already disputed (dispute {id})."), indicator=indicator, id=open_one
        )
    checked = [
        (check_file(name, content, ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES), content)
        for name, content in attachments
        if content
    ]
    dispute = Dispute(
        period_id=period.id,
        body_code=body_code,
        indicator=indicator,
        disputed_value=Decimal(scores[indicator]),
        justification=justification.strip(),
        status="open",
        filed_by=actor.account_id,
        filed_at=now,
    )
    session.add(dispute)
    session.flush()
    for stored, content in checked:
        store_file(files, stored, content)
        session.add(
            Attachment(
                dispute_id=dispute.id,
                filename=stored.filename,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
            )
        )
    session.flush()
    after = {"body": body_code, "indicator": indicator, "value": scores[indicator]}
    audit.record(session, actor, "file_dispute", "dispute", dispute.id, None, after)
    return dispute


def resolve_dispute(
    session: Session,
    actor: Actor,
    dispute: Dispute,
    *,
    accept: bool,
    resolution: str,
    corrections: dict[str, str] | None = None,
) -> Dispute:
    """Accept a dispute, correcting source values of its indicator, or reject it.

    ``corrections`` maps the indicator id (a ready score) or its raw-count fields to new
    values; an accepted dispute recomputes the draft results. Raises InvalidError, or
    ConflictError when the dispute is resolved already (by another request too).
    """
    period = dispute.period
    auth.resolve_dispute(actor, period)
    if dispute.status != "open":
        raise ConflictError(N_("Dispute {id} is already resolved."), id=dispute.id)
    if not resolution.strip():
        raise InvalidError(N_("A resolution needs its reasons."))
    methodology = methodology_of(period)
    indicator = methodology.indicator(dispute.indicator)
    parsed: dict[str, Decimal] = {}
    if accept:
        allowed = {indicator.id, *indicator.input_fields}
        for field, text in (corrections or {}).items():
            if field not in allowed:
                raise InvalidError(
                    N_("{field} is not a value of {indicator}; expected one of {allowed}"),
                    field=field,
                    indicator=indicator.id,
                    allowed=", ".join(sorted(allowed)),
                )
            try:
                parsed[field] = parse_decimal(text)
            except (ValueError, InvalidOperation):
                raise InvalidError(
                    N_("{field}: expected a number, such as 3,78; found {found}"),
                    field=field,
                    found=text,
                ) from None
        if indicator.id in parsed and not 0 <= parsed[indicator.id] <= indicator.max:
            raise InvalidError(
                N_("{field}: expected a score from 0 to {maximum}; found {found}"),
                field=indicator.id,
                maximum=indicator.max,
                found=parsed[indicator.id],
            )
        if not parsed:
            raise InvalidError(N_("An accepted dispute needs the corrected value."))
    hold(session, period)
    status = "accepted" if accept else "rejected"
    claimed = conditional_update(
        session,
        update(Dispute)
        .where(Dispute.id == dispute.id, Dispute.status == "open")
        .values(status=status),
    )
    if not claimed:
        session.expire(dispute, ["status"])
        raise ConflictError(N_("Dispute {id} is already resolved."), id=dispute.id)
    set_committed_value(dispute, "status", status)
    before = {"status": "open"}
    for field, value in parsed.items():
        _correct(session, period, dispute, field, value, indicator.authority.value)
    dispute.resolution = resolution.strip()
    dispute.resolved_by = actor.account_id
    dispute.resolved_at = utcnow()
    dispute.corrections = {k: str(v) for k, v in parsed.items()}
    after = {"status": dispute.status, "corrections": dispute.corrections}
    audit.record(session, actor, "resolve_dispute", "dispute", dispute.id, before, after)
    if accept:
        compute(session, actor, period)
    return dispute


def _correct(
    session: Session,
    period: EvaluationPeriod,
    dispute: Dispute,
    field: str,
    value: Decimal,
    authority: str,
) -> None:
    existing = session.scalar(
        select(SourceValue).where(
            SourceValue.period_id == period.id,
            SourceValue.body_code == dispute.body_code,
            SourceValue.field == field,
        )
    )
    if existing is None:
        existing = SourceValue(
            period_id=period.id,
            body_code=dispute.body_code,
            field=field,
            authority=authority,
            file="dispute",
            value=value,
        )
        session.add(existing)
    existing.value = value
    existing.dispute_id = dispute.id
    existing.updated_at = utcnow()
    session.flush()
