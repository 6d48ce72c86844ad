"""The workspace's pages of the evaluation cycle: a period and its actions, uploads,
drafts, disputes and roadmaps, and the administrator's forms for periods and deadlines.
Each form posts to an action; the action's check decides who may."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ashyq.access.accounts import Actor
from ashyq.access.roles import Permission, Role, may
from ashyq.cycle import actions, auth
from ashyq.cycle.files import MAX_SOURCE_BYTES
from ashyq.cycle.workflow import ASTANA, NEXT_STATE, State
from ashyq.db.models import EvaluationPeriod, Roadmap, SourceValue, Upload
from ashyq.errors import InvalidError, NotFoundError
from ashyq.i18n import N_, Lang
from ashyq.index.methodology import Methodology, load_methodology
from ashyq.records import engine
from ashyq.web.cycle.shared import (
    MAX_MEASURES,
    Attachments,
    Deadlines,
    DisputedIndicator,
    Justification,
    MeasureIn,
    RoadmapIn,
    file_dispute_from_form,
    max_lengths,
)
from ashyq.web.portal import (
    ActorDep,
    FormDep,
    FormWriteDep,
    LangDep,
    RecordId,
    SessionDep,
    Year,
    portal_of,
    published_snapshots,
    read_upload,
    require_signed_in,
)
from ashyq.web.rendering import see_other, workspace_page
from ashyq.web.views import body_view, ranking_view

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


ModelT = TypeVar("ModelT", bound=BaseModel)


@router.get("/workspace/periods/{year}")
def period_page(
    request: Request, session: SessionDep, actor: ActorDep, lang: LangDep, year: Year
) -> Response:
    """One period: its state, uploads, draft results and disputes, as the role may see."""
    require_signed_in(actor)
    period = actions.get_period(session, year)
    methodology = load_methodology(period.methodology)
    computation = actions.latest_computation(session, period)
    uploads: list[Upload] = []
    if may(actor.role, Permission.UPLOAD_ANY_SOURCE_DATA):
        uploads = list(
            session.scalars(
                select(Upload).where(Upload.period_id == period.id).order_by(Upload.id.desc())
            )
        )
    elif may(actor.role, Permission.UPLOAD_OWN_SOURCE_DATA):
        uploads = list(
            session.scalars(
                select(Upload)
                .where(Upload.period_id == period.id, Upload.authority == actor.authority)
                .order_by(Upload.id.desc())
            )
        )
    draft = portal_of(request).draft(session, computation) if computation else None
    drafts = {}
    if draft is not None and may(actor.role, Permission.VIEW_ALL_DRAFTS):
        for level in ("CGO", "MIO"):
            drafts[level] = ranking_view(
                draft, methodology, portal_of(request).registry, lang, level=level
            )
    own_indicators = [
        i
        for i in methodology.indicators
        if actor.role is Role.ANALYST or i.authority.value == actor.authority
    ]
    snapshot = actions.latest_snapshot(session, period)
    roadmap_due = False
    if snapshot is not None and actor.role is Role.BODY:
        published = portal_of(request).document(session, snapshot.id).body(actor.body_code or "")
        grade = published.grade if published is not None else None
        roadmap_due = grade is not None and methodology.needs_roadmap(grade)
    return workspace_page(
        request,
        "workspace/period.html",
        lang,
        period=period,
        methodology=methodology,
        computation=computation,
        uploads=uploads,
        drafts=drafts,
        disputes=actions.visible_disputes(session, actor, period),
        next_state=NEXT_STATE.get(State(period.state)),
        own_indicators=own_indicators,
        snapshot=snapshot,
        roadmap_due=roadmap_due,
        incomplete=(draft.incomplete if draft else {}),
    )


_PERIOD_ACTIONS: dict[str, tuple[Callable[[Session, Actor, EvaluationPeriod], object], str]] = {
    "move": (actions.move_period, "Move the period to its next state."),
    "compute": (actions.compute_period, "Compute the draft results from the source values."),
    "publish": (actions.publish_period, "Publish the period as a new snapshot version."),
}


def _period_form(action: Callable[[Session, Actor, EvaluationPeriod], object], doc: str) -> Any:
    def run(
        request: Request,
        session: FormWriteDep,
        actor: ActorDep,
        year: Year,
    ) -> Response:
        action(session, actor, actions.get_period(session, year))
        return see_other(f"/workspace/periods/{year}")

    run.__doc__ = doc
    return run


for _name, (_action, _doc) in _PERIOD_ACTIONS.items():
    router.post(f"/workspace/periods/{{year}}/{_name}", name=f"{_name}_form")(
        _period_form(_action, _doc)
    )


@router.post("/workspace/periods/{year}/reopen")
def reopen(
    request: Request,
    session: FormWriteDep,
    actor: ActorDep,
    year: Year,
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Reopen a published period, with the reason recorded."""
    actions.reopen_period(session, actor, actions.get_period(session, year), reason)
    return see_other(f"/workspace/periods/{year}")


@router.post("/workspace/periods/{year}/uploads")
def upload(
    request: Request,
    session: FormWriteDep,
    actor: ActorDep,
    lang: LangDep,
    year: Year,
    file: Annotated[UploadFile, File()],
) -> Response:
    """Upload a source-data file; shows its validation and reconciliation report."""
    content = read_upload(file, MAX_SOURCE_BYTES)
    result = actions.upload_source_data(
        session,
        actor,
        actions.get_period(session, year),
        file.filename or "upload.csv",
        content,
        portal_of(request).files,
        lang=lang,
        now=portal_of(request).clock(),
    )
    return see_other(f"/workspace/uploads/{result.id}")


@router.get("/workspace/uploads/{upload_id}")
def upload_page(
    request: Request, session: SessionDep, actor: ActorDep, lang: LangDep, upload_id: RecordId
) -> Response:
    """The validation and reconciliation report of one upload."""
    require_signed_in(actor)
    found = actions.get_upload(session, actor, upload_id)
    period = found.period
    return workspace_page(request, "workspace/upload.html", lang, upload=found, period=period)


@router.get("/workspace/periods/{year}/bodies/{code}")
def draft_page(
    request: Request, session: SessionDep, actor: ActorDep, lang: LangDep, year: Year, code: str
) -> Response:
    """A body's draft scores and source values before publication, to its own
    representative and to analysts only; the form to dispute a value."""
    require_signed_in(actor)
    auth.view_draft(actor, code)
    period = actions.get_period(session, year)
    methodology = load_methodology(period.methodology)
    computation = actions.latest_computation(session, period)
    draft = portal_of(request).draft(session, computation) if computation else None
    view = None
    if draft is not None:
        view = body_view(draft, methodology, portal_of(request).registry, code, lang)
    values = list(
        session.scalars(
            select(SourceValue)
            .where(SourceValue.period_id == period.id, SourceValue.body_code == code)
            .order_by(SourceValue.field)
        )
    )
    disputes = [d for d in actions.visible_disputes(session, actor, period) if d.body_code == code]
    return workspace_page(
        request,
        "workspace/draft.html",
        lang,
        period=period,
        methodology=methodology,
        view=view,
        values=values,
        body=portal_of(request).registry.get(code),
        disputes=disputes,
        incomplete=(draft.incomplete.get(code) if draft else None),
    )


@router.post("/workspace/periods/{year}/disputes")
def file_dispute(
    request: Request,
    session: FormWriteDep,
    actor: ActorDep,
    year: Year,
    indicator: DisputedIndicator,
    justification: Justification,
    attachments: Attachments = [],  # noqa: B006 - FastAPI copies it
) -> Response:
    """File a dispute on one indicator value of the representative's own body."""
    dispute = file_dispute_from_form(
        request, session, actor, year, indicator, justification, attachments
    )
    return see_other(f"/workspace/disputes/{dispute.id}")


def _attachment(filename: str) -> str:
    # Headers are Latin-1: a Cyrillic name goes in RFC 6266's UTF-8 form, with an ASCII
    # fallback for old clients.
    fallback = filename.encode("ascii", "replace").decode("ascii").replace("?", "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@router.get("/workspace/disputes/{dispute_id}")
def dispute_page(
    request: Request, session: SessionDep, actor: ActorDep, lang: LangDep, dispute_id: RecordId
) -> Response:
    """A dispute, its attachments and its resolution; the analyst's resolution form."""
    require_signed_in(actor)
    dispute = actions.get_dispute(session, actor, dispute_id)
    period = dispute.period
    methodology = load_methodology(period.methodology)
    indicator = methodology.indicator(dispute.indicator)
    values = list(
        session.scalars(
            select(SourceValue).where(
                SourceValue.period_id == period.id,
                SourceValue.body_code == dispute.body_code,
                SourceValue.field.in_([indicator.id, *indicator.input_fields]),
            )
        )
    )
    return workspace_page(
        request,
        "workspace/dispute.html",
        lang,
        dispute=dispute,
        period=period,
        indicator=indicator,
        values=values,
        body=portal_of(request).registry.get(dispute.body_code),
        fields=[indicator.id, *indicator.input_fields],
    )


@router.get("/workspace/disputes/{dispute_id}/attachments/{attachment_id}")
def attachment(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    dispute_id: RecordId,
    attachment_id: RecordId,
) -> Response:
    """An attachment, to those who may see its dispute."""
    require_signed_in(actor)
    dispute = actions.get_dispute(session, actor, dispute_id)
    found = next((a for a in dispute.attachments if a.id == attachment_id), None)
    if found is None:
        raise NotFoundError(N_("No such attachment."))
    suffix = "." + found.filename.rsplit(".", 1)[-1].lower() if "." in found.filename else ""
    path = portal_of(request).files / f"{found.sha256}{suffix}"
    return Response(
        path.read_bytes(),
        media_type=found.content_type,
        headers={"Content-Disposition": _attachment(found.filename)},
    )


@router.post("/workspace/disputes/{dispute_id}/resolve")
def resolve(
    request: Request,
    session: FormWriteDep,
    actor: ActorDep,
    dispute_id: RecordId,
    form: FormDep,
    decision: Annotated[str, Form(pattern="^(accept|reject)$")],
    resolution: Annotated[str, Form(max_length=10000)],
) -> Response:
    """Accept (with the corrected values) or reject a dispute."""
    dispute = actions.get_dispute(session, actor, dispute_id)
    corrections = {
        str(key)[len("value_") :]: str(value).strip()
        for key, value in form.items()
        if str(key).startswith("value_") and str(value).strip()
    }
    actions.resolve_dispute(
        session,
        actor,
        dispute,
        accept=decision == "accept",
        resolution=resolution,
        corrections=corrections,
    )
    return see_other(f"/workspace/disputes/{dispute_id}")


@router.get("/workspace/periods/{year}/roadmap")
def roadmap_page(
    request: Request, session: SessionDep, actor: ActorDep, lang: LangDep, year: Year
) -> Response:
    """The roadmap form of the representative's body."""
    require_signed_in(actor)
    period = actions.get_period(session, year)
    auth.submit_roadmap(actor, period, actor.body_code or "")
    methodology = load_methodology(period.methodology)
    roadmap = session.scalar(
        select(Roadmap).where(Roadmap.period_id == period.id, Roadmap.body_code == actor.body_code)
    )
    measures: list[Any] = list(roadmap.measures) if roadmap else []
    drafted = False
    if roadmap is None:
        measures = _drafted_measures(request, session, methodology, year, actor.body_code, lang)
        drafted = bool(measures)
    return workspace_page(
        request,
        "workspace/roadmap.html",
        lang,
        period=period,
        methodology=methodology,
        roadmap=roadmap,
        measures=measures,
        drafted=drafted,
        rows=max(3, len(measures) + 1),
        limits=max_lengths(MeasureIn) | max_lengths(RoadmapIn),
        today=datetime.now(ASTANA).date(),
    )


def _drafted_measures(
    request: Request,
    session: Session,
    methodology: Methodology,
    year: int,
    body_code: str | None,
    lang: Lang,
) -> list[Any]:
    """The scorecard's roadmap draft for the body in the published results of ``year``:
    one measure per indicator where it lost points (empty before publication)."""
    from ashyq.reports.scorecard import roadmap_draft
    from ashyq.reports.sources import snapshot_openness

    portal = portal_of(request)
    snapshot = published_snapshots(session, portal).get(year)
    if snapshot is None or body_code is None:
        return []
    data = snapshot_openness(
        snapshot.document,
        methodology,
        version=snapshot.version,
        registry=portal.registry,
        con=engine.embedded(),  # the portal's engine, whatever ASHYQ_ENGINE says
    )
    try:
        result = data.result.for_body(body_code)
    except KeyError:
        return []
    return list(roadmap_draft(methodology, result, lang, period=year))


def _checked(
    model: type[ModelT],
    submitted: dict[str, Any],
    field_name: Callable[[list[str | int]], list[str | int]] = lambda location: location,
) -> ModelT:
    """``submitted`` checked by the API's declaration ``model``: a form has the same
    limits as the API, and its problems the API's shape, naming the form's fields."""
    try:
        return model.model_validate(submitted)
    except ValidationError as error:
        problems = [
            {**item, "loc": ("body", *field_name(list(item["loc"])))} for item in error.errors()
        ]
        raise RequestValidationError(problems) from None


@router.post("/workspace/periods/{year}/roadmap")
def submit_roadmap(
    request: Request,
    session: FormWriteDep,
    actor: ActorDep,
    year: Year,
    form: FormDep,
) -> Response:
    """Submit the roadmap: rows of measure, owner, due date and target indicator.

    The form is checked by the API's own declaration of a roadmap (``RoadmapIn``): the
    same limits whichever way a roadmap arrives.
    """
    numbers = [
        number
        for number in range(1, MAX_MEASURES + 1)
        if str(form.get(f"measure_{number}", "")).strip()
    ]
    fields = {"measure": "measure_{}", "owner": "owner_{}", "due_on": "due_{}"}
    fields["indicator"] = "indicator_{}"
    submitted = {
        "approved_by": str(form.get("approved_by", "")),
        "approved_on": str(form.get("approved_on", "")).strip(),
        "measures": [
            {name: str(form.get(key.format(number), "")).strip() for name, key in fields.items()}
            for number in numbers
        ],
    }

    def field_name(location: list[str | int]) -> list[str | int]:
        # Name the form's own fields (measure_3), not the positions in the list.
        if location[:1] == ["measures"] and len(location) >= 3:
            return [fields[str(location[2])].format(numbers[int(location[1])])]
        return location

    roadmap = _checked(RoadmapIn, submitted, field_name)
    actions.submit_roadmap(
        session,
        actor,
        actions.get_period(session, year),
        body_code=actor.body_code or "",
        approved_by=roadmap.approved_by,
        approved_on=roadmap.approved_on,
        measures=[actions.MeasureInput(**m.model_dump()) for m in roadmap.measures],
    )
    return see_other(f"/bodies/{actor.body_code}?period={year}")


@router.post("/admin/periods")
def create_period(
    request: Request,
    session: FormWriteDep,
    actor: ActorDep,
    year: Annotated[int, Form(ge=2020, le=2100)],
) -> Response:
    """Open a new period in draft with its methodology's deadlines."""
    actions.create_period(session, actor, year)
    return see_other(f"/workspace/periods/{year}")


@router.post("/admin/periods/{year}/deadlines")
def set_deadlines(
    request: Request,
    session: FormWriteDep,
    actor: ActorDep,
    year: Year,
    source_data_due: Annotated[str, Form()],
    disputes_until: Annotated[str, Form()],
    consolidation_by: Annotated[str, Form()],
) -> Response:
    """Change a period's deadlines (entered in Astana time)."""

    def moment(text: str, what: str) -> datetime:
        try:
            return datetime.fromisoformat(text).replace(tzinfo=ASTANA)
        except ValueError:
            raise InvalidError(
                N_("{field}: expected a date and time such as 2027-01-20T23:59; found {found}"),
                field=what,
                found=text,
            ) from None

    submitted = {
        "source_data_due": moment(source_data_due, "source_data_due"),
        "disputes_until": moment(disputes_until, "disputes_until"),
        "consolidation_by": moment(consolidation_by, "consolidation_by"),
    }
    deadlines = _checked(Deadlines, submitted)
    actions.set_deadlines(
        session,
        actor,
        actions.get_period(session, year),
        source_data_due=deadlines.source_data_due,
        disputes_until=deadlines.disputes_until,
        consolidation_by=deadlines.consolidation_by,
    )
    return see_other(f"/workspace/periods/{year}")
