"""The JSON API of the evaluation cycle: periods, uploads, drafts, disputes, roadmaps.

Calls that change something need the ``X-CSRF-Token`` header holding the ``ashyq_csrf``
cookie's value, which ``GET /api/v1/session`` sets and returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Request, UploadFile
from pydantic import Field
from sqlalchemy import select

from ashyq.cycle import actions, auth
from ashyq.cycle.files import MAX_SOURCE_BYTES
from ashyq.db.models import (
    Dispute,
    EvaluationPeriod,
    SourceValue,
    Upload,
)
from ashyq.errors import InvalidError, NotFoundError
from ashyq.i18n import N_
from ashyq.web.cycle.shared import (
    Attachments,
    Deadlines,
    DisputedIndicator,
    Justification,
    RoadmapIn,
    file_dispute_from_form,
)
from ashyq.web.portal import (
    SIGNED_IN,
    ActorDep,
    ApiWriteDep,
    LangDep,
    RecordId,
    SessionDep,
    Year,
    methodology_of,
    portal_of,
    read_upload,
    require_signed_in,
)
from ashyq.web.schema import (
    ERRORS,
    ApiModel,
    RoadmapOut,
    roadmap_out,
)
from ashyq.web.views import BodyView, ExactDecimal, body_view

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", responses=ERRORS, dependencies=[SIGNED_IN])


class PeriodOut(ApiModel):
    """A period's state and deadlines."""

    period: int
    methodology: str
    state: str
    source_data_due: datetime
    disputes_until: datetime
    consolidation_by: datetime
    published_version: int | None


def _period_out(session: SessionDep, period: EvaluationPeriod) -> PeriodOut:
    snapshot = actions.latest_snapshot(session, period)
    return PeriodOut(
        period=period.year,
        methodology=period.methodology,
        state=period.state,
        source_data_due=period.source_data_due,
        disputes_until=period.disputes_until,
        consolidation_by=period.consolidation_by,
        published_version=snapshot.version if snapshot else None,
    )


@router.get("/cycle/periods", tags=["cycle"])
def cycle_periods(session: SessionDep, actor: ActorDep) -> list[PeriodOut]:
    """Every period with its state and deadlines (signed in)."""
    require_signed_in(actor)
    return [
        _period_out(session, p)
        for p in session.scalars(select(EvaluationPeriod).order_by(EvaluationPeriod.year))
    ]


class Create(ApiModel):
    """A new period."""

    period: int = Field(ge=2020, le=2100)
    methodology: str = "2025"


@router.post("/cycle/periods", tags=["cycle"], status_code=201)
def create_period(
    request: Request, session: ApiWriteDep, actor: ActorDep, body: Create
) -> PeriodOut:
    """Open a period in draft (administrator)."""
    period = actions.create_period(session, actor, body.period, body.methodology)
    return _period_out(session, period)


def _action(name: str) -> Any:
    def run(
        request: Request,
        session: ApiWriteDep,
        actor: ActorDep,
        period: Year,
    ) -> PeriodOut:
        found = actions.get_period(session, period)
        getattr(actions, name)(session, actor, found)
        return _period_out(session, found)

    run.__doc__ = {
        "move_period": "Move a period to its next state (analyst).",
        "compute_period": "Compute the draft results (analyst).",
        "publish_period": "Publish a new immutable version (analyst).",
    }[name]
    return run


router.post("/cycle/periods/{period}/move", tags=["cycle"], name="move_period")(
    _action("move_period")
)
router.post("/cycle/periods/{period}/compute", tags=["cycle"], name="compute_period")(
    _action("compute_period")
)
router.post("/cycle/periods/{period}/publish", tags=["cycle"], name="publish_period")(
    _action("publish_period")
)


class Reason(ApiModel):
    """Why a published period is reopened."""

    reason: str = Field(min_length=1, max_length=2000)


@router.post("/cycle/periods/{period}/reopen", tags=["cycle"])
def reopen(
    request: Request,
    session: ApiWriteDep,
    actor: ActorDep,
    period: Year,
    body: Reason,
) -> PeriodOut:
    """Reopen a published period; its next publication is a new version (analyst)."""
    found = actions.get_period(session, period)
    actions.reopen_period(session, actor, found, body.reason)
    return _period_out(session, found)


class UploadOut(ApiModel):
    """An upload and its validation and reconciliation report."""

    id: int
    period: int
    file: str
    sha256: str
    status: str
    rows_read: int
    values_loaded: int
    problems: list[dict[str, Any]]


def _upload_out(upload: Upload, year: int) -> UploadOut:
    return UploadOut(
        id=upload.id,
        period=year,
        file=upload.filename,
        sha256=upload.sha256,
        status=upload.status,
        rows_read=upload.rows_read,
        values_loaded=upload.values_loaded,
        problems=list(upload.report.get("problems", [])),
    )


@router.post("/cycle/periods/{period}/uploads", tags=["cycle"], status_code=201)
def upload(
    request: Request,
    session: ApiWriteDep,
    actor: ActorDep,
    lang: LangDep,
    period: Year,
    file: Annotated[UploadFile, File()],
) -> UploadOut:
    """Upload a CSV or XLSX of source values (analyst, or an authority for its own
    indicators before its deadline)."""
    found = actions.get_period(session, period)
    content = read_upload(file, MAX_SOURCE_BYTES)
    result = actions.upload_source_data(
        session,
        actor,
        found,
        file.filename or "upload.csv",
        content,
        portal_of(request).files,
        lang=lang,
        now=portal_of(request).clock(),
    )
    return _upload_out(result, period)


@router.get("/cycle/uploads/{upload_id}", tags=["cycle"])
def upload_report(session: SessionDep, actor: ActorDep, upload_id: RecordId) -> UploadOut:
    """An upload's validation and reconciliation report (analysts; an authority its own)."""
    require_signed_in(actor)
    found = actions.get_upload(session, actor, upload_id)
    period = found.period
    return _upload_out(found, period.year)


@router.put("/cycle/periods/{period}/deadlines", tags=["cycle"])
def set_deadlines(
    request: Request,
    session: ApiWriteDep,
    actor: ActorDep,
    period: Year,
    body: Deadlines,
) -> PeriodOut:
    """Change a period's deadlines (administrator)."""
    for moment in (body.source_data_due, body.disputes_until, body.consolidation_by):
        if moment.tzinfo is None:
            raise InvalidError(N_("Deadlines need a time zone, such as +05:00."))
    found = actions.get_period(session, period)
    actions.set_deadlines(
        session,
        actor,
        found,
        source_data_due=body.source_data_due,
        disputes_until=body.disputes_until,
        consolidation_by=body.consolidation_by,
    )
    return _period_out(session, found)


class SourceValueOut(ApiModel):
    """A source value and where it came from."""

    field: str
    value: ExactDecimal
    authority: str
    file: str
    row: int | None
    column: str | None
    dispute: int | None


class DraftOut(ApiModel):
    """A body's draft before publication: source values and, when computed, scores."""

    period: int
    body: str
    missing: list[str]
    values: list[SourceValueOut]
    results: BodyView | None


@router.get("/cycle/periods/{period}/drafts/{code}", tags=["cycle"])
def draft(
    request: Request, session: SessionDep, actor: ActorDep, lang: LangDep, period: Year, code: str
) -> DraftOut:
    """A body's draft: to analysts and to that body's own representative only."""
    require_signed_in(actor)
    auth.view_draft(actor, code)
    found = actions.get_period(session, period)
    if code not in {b.code for b in portal_of(request).registry}:
        raise NotFoundError(N_("No body {body}."), body=code)
    computation = actions.latest_computation(session, found)
    results = None
    missing: list[str] = []
    if computation is not None:
        document = portal_of(request).draft(session, computation)
        results = body_view(
            document, methodology_of(session, period), portal_of(request).registry, code, lang
        )
        missing = list(document.incomplete.get(code, []))
    values = session.scalars(
        select(SourceValue)
        .where(SourceValue.period_id == found.id, SourceValue.body_code == code)
        .order_by(SourceValue.field)
    )
    return DraftOut(
        period=period,
        body=code,
        missing=missing,
        values=[
            SourceValueOut(
                field=v.field,
                value=v.value,
                authority=v.authority,
                file=v.file,
                row=v.row,
                column=v.column,
                dispute=v.dispute_id,
            )
            for v in values
        ],
        results=results,
    )


class DisputeOut(ApiModel):
    """A dispute and its resolution."""

    id: int
    period: int
    body: str
    indicator: str
    disputed_value: ExactDecimal
    justification: str
    status: str
    filed_at: datetime
    resolution: str | None
    resolved_at: datetime | None
    corrections: dict[str, str]
    attachments: list[str]


def _dispute_out(dispute: Dispute, year: int) -> DisputeOut:
    return DisputeOut(
        id=dispute.id,
        period=year,
        body=dispute.body_code,
        indicator=dispute.indicator,
        disputed_value=dispute.disputed_value,
        justification=dispute.justification,
        status=dispute.status,
        filed_at=dispute.filed_at,
        resolution=dispute.resolution,
        resolved_at=dispute.resolved_at,
        corrections=dict(dispute.corrections),
        attachments=[a.filename for a in dispute.attachments],
    )


@router.get("/cycle/periods/{period}/disputes", tags=["cycle"])
def disputes(session: SessionDep, actor: ActorDep, period: Year) -> list[DisputeOut]:
    """The disputes the actor may see: all (analyst) or their own body's."""
    require_signed_in(actor)
    found = actions.get_period(session, period)
    return [_dispute_out(d, period) for d in actions.visible_disputes(session, actor, found)]


@router.post("/cycle/periods/{period}/disputes", tags=["cycle"], status_code=201)
def file_dispute(
    request: Request,
    session: ApiWriteDep,
    actor: ActorDep,
    period: Year,
    indicator: DisputedIndicator,
    justification: Justification,
    attachments: Attachments = [],  # noqa: B006 - FastAPI copies it
) -> DisputeOut:
    """Dispute one indicator value of the representative's own body, inside the window."""
    dispute = file_dispute_from_form(
        request, session, actor, period, indicator, justification, attachments
    )
    return _dispute_out(dispute, period)


@router.get("/cycle/disputes/{dispute_id}", tags=["cycle"])
def dispute(session: SessionDep, actor: ActorDep, dispute_id: RecordId) -> DisputeOut:
    """One dispute, to analysts and to its body's representative."""
    require_signed_in(actor)
    found = actions.get_dispute(session, actor, dispute_id)
    period = found.period
    return _dispute_out(found, period.year)


class Resolution(ApiModel):
    """An analyst's decision on a dispute."""

    accept: bool
    resolution: str = Field(min_length=1, max_length=10000)
    corrections: dict[str, str] = Field(default_factory=dict)


@router.post("/cycle/disputes/{dispute_id}/resolve", tags=["cycle"])
def resolve(
    request: Request,
    session: ApiWriteDep,
    actor: ActorDep,
    dispute_id: RecordId,
    body: Resolution,
) -> DisputeOut:
    """Accept a dispute with corrected values, or reject it (analyst)."""
    require_signed_in(actor)
    found = actions.get_dispute(session, actor, dispute_id)
    actions.resolve_dispute(
        session,
        actor,
        found,
        accept=body.accept,
        resolution=body.resolution,
        corrections=body.corrections,
    )
    period = found.period
    return _dispute_out(found, period.year)


@router.put("/cycle/periods/{period}/roadmap", tags=["cycle"])
def submit_roadmap(
    request: Request,
    session: ApiWriteDep,
    actor: ActorDep,
    period: Year,
    body: RoadmapIn,
) -> RoadmapOut:
    """Submit (or replace) the representative's body's roadmap; it is published at once."""
    roadmap = actions.submit_roadmap(
        session,
        actor,
        actions.get_period(session, period),
        body_code=actor.body_code or "",
        approved_by=body.approved_by,
        approved_on=body.approved_on,
        measures=[actions.MeasureInput(**m.model_dump()) for m in body.measures],
    )
    return roadmap_out(period, roadmap)
