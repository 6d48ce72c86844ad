"""The JSON API: the pages' data and the cycle's actions, described by OpenAPI.

Every error, whatever raised it, has the one shape of ``ErrorBody``. State-changing calls
need the ``X-CSRF-Token`` header holding the ``ashyq_csrf`` cookie's value, which
``GET /api/v1/session`` sets and returns.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Final

from fastapi import APIRouter, File, Form, Query, Request, Response, UploadFile
from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from pydantic_core import PydanticCustomError
from sqlalchemy import select

from ashyq.access.accounts import SESSION_LIFETIME, authenticate, end_session, start_session
from ashyq.access.roles import Role
from ashyq.bodies import Level, UnknownBodyError
from ashyq.cycle import actions, auth
from ashyq.cycle.files import MAX_SOURCE_BYTES
from ashyq.db.models import (
    Account,
    AuditEntry,
    Dispute,
    EvaluationPeriod,
    Roadmap,
    SourceValue,
    Upload,
)
from ashyq.errors import InvalidError, NotAllowedError, NotFoundError
from ashyq.i18n import N_
from ashyq.index.methodology import load_methodology
from ashyq.index.national import period_statistics
from ashyq.web.portal import (
    ActorDep,
    ApiWriteDep,
    LangDep,
    Published,
    RecordId,
    SessionDep,
    Year,
    history_of,
    methodology_of,
    portal_of,
    published_snapshots,
    read_attachments,
    read_upload,
    require_signed_in,
)
from ashyq.web.security import (
    SESSION_COOKIE,
    csrf_token,
    rotate_csrf,
    set_session_cookie,
)
from ashyq.web.views import BodyView, RankingView, SortKey, body_view, ranking_view

__all__ = ["ErrorBody", "router"]


# The years a deadline, a due date or an approval may fall in, and the same for OpenAPI
# (JSON Schema compares no dates: a pattern on the year says it).
PLAN_YEARS: Final = (2000, 2100)
_PLAN_YEAR_PATTERN: Final = "^(20[0-9]{2}|2100)-"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ErrorDetail(_Model):
    """What went wrong, for people (``message``) and programs (``code``)."""

    status: int
    code: str
    message: str
    problems: list[dict[str, Any]]


class ErrorBody(_Model):
    """The one error shape of the whole API."""

    error: ErrorDetail


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (400, 401, 403, 404, 409, 422, 429)
}

router = APIRouter(prefix="/api/v1", responses=_ERRORS)


# --- public ------------------------------------------------------------------------------


class PublishedPeriod(_Model):
    """A published period and its newest version."""

    period: int
    version: int
    published_at: datetime
    sha256: str


@router.get("/periods", tags=["public"])
def periods(request: Request, session: SessionDep) -> list[PublishedPeriod]:
    """Every published period with its newest version."""
    return [
        PublishedPeriod(
            period=year, version=s.version, published_at=s.published_at, sha256=s.sha256
        )
        for year, s in published_snapshots(session, portal_of(request)).items()
    ]


def _published(
    request: Request, session: SessionDep, period: int
) -> tuple[dict[int, Published], Published]:
    snapshots = published_snapshots(session, portal_of(request))
    if period not in snapshots:
        raise NotFoundError(N_("No published results for {period}."), period=period)
    return snapshots, snapshots[period]


@router.get("/periods/{period}/ranking", tags=["public"])
def ranking(
    request: Request,
    session: SessionDep,
    lang: LangDep,
    period: Year,
    level: Level = Level.CGO,
    grade: str | None = None,
    criterion: str | None = None,
    category: str | None = None,
    sort: SortKey = SortKey.RANK,
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
) -> RankingView:
    """The published ranking of one level, filtered and sorted as the ranking page."""
    _, snapshot = _published(request, session, period)
    return ranking_view(
        snapshot.payload,
        load_methodology(snapshot.methodology),
        portal_of(request).registry,
        lang,
        level=level.value,
        grade=grade or None,
        criterion=criterion or None,
        category=category or None,
        sort=sort,
        descending=order == "desc",
        version=snapshot.version,
    )


@router.get("/periods/{period}/bodies/{code}", tags=["public"])
def body(request: Request, session: SessionDep, lang: LangDep, period: Year, code: str) -> BodyView:
    """A body's published results: criteria, indicators, facts, movement and history."""
    snapshots, snapshot = _published(request, session, period)
    try:
        known = portal_of(request).registry.resolve(code)
    except UnknownBodyError:
        raise NotFoundError(N_("No body {body}."), body=code) from None
    view = body_view(
        snapshot.payload,
        load_methodology(snapshot.methodology),
        portal_of(request).registry,
        known.code,
        lang,
        history=history_of(snapshots, known.code),
        version=snapshot.version,
    )
    if view is None:
        raise NotFoundError(N_("{body} was not evaluated in {period}."), body=code, period=period)
    return view


class MeasureOut(_Model):
    """A roadmap measure."""

    measure: str
    owner: str
    due_on: date
    indicator: str


class RoadmapOut(_Model):
    """A published roadmap."""

    period: int
    body: str
    approved_by: str
    approved_on: date
    measures: list[MeasureOut]


def _roadmap_out(year: int, roadmap: Roadmap) -> RoadmapOut:
    return RoadmapOut(
        period=year,
        body=roadmap.body_code,
        approved_by=roadmap.approved_by,
        approved_on=roadmap.approved_on,
        measures=[
            MeasureOut(measure=m.measure, owner=m.owner, due_on=m.due_on, indicator=m.indicator)
            for m in roadmap.measures
        ],
    )


@router.get("/periods/{period}/roadmaps", tags=["public"])
def roadmaps(request: Request, session: SessionDep, period: Year) -> list[RoadmapOut]:
    """The roadmaps published for a period."""
    _published(request, session, period)
    found = session.scalars(
        select(Roadmap)
        .join(EvaluationPeriod, Roadmap.period_id == EvaluationPeriod.id)
        .where(EvaluationPeriod.year == period)
        .order_by(Roadmap.body_code)
    )
    return [_roadmap_out(period, r) for r in found]


@router.get("/methodologies/{name}", tags=["public"])
def methodology(name: str) -> dict[str, Any]:
    """A methodology declaration, as the engine reads it."""
    try:
        loaded = load_methodology(name)
    except (LookupError, OSError):
        raise NotFoundError(N_("No methodology {name}."), name=name) from None
    return loaded.model_dump(mode="json")


class FigureOut(_Model):
    """A published national figure and the report line it is quoted from."""

    key: str
    value: Decimal
    unit: str
    period: str
    source: str
    quote: str


class StatisticsOut(_Model):
    """The published national statistics of a period."""

    period: int
    appeals: list[FigureOut]
    services: list[FigureOut]


@router.get("/periods/{period}/statistics", tags=["public"])
def statistics(request: Request, session: SessionDep, period: Year) -> StatisticsOut:
    """The national appeal and public-service figures published for a period."""
    _published(request, session, period)
    figures = period_statistics(period)
    if figures is None:
        raise NotFoundError(N_("No published statistics for {period}."), period=period)
    return StatisticsOut(
        period=period,
        appeals=[FigureOut(**vars(f)) for f in figures.appeals.values()],
        services=[FigureOut(**vars(f)) for f in figures.services.values()],
    )


# --- session -----------------------------------------------------------------------------


class SessionOut(_Model):
    """Who is signed in, and the token state-changing calls must send."""

    username: str | None
    role: Role
    body: str | None
    authority: str | None
    csrf_token: str


class Credentials(_Model):
    """A username and password."""

    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


@router.get("/session", tags=["session"])
def current_session(request: Request, actor: ActorDep) -> SessionOut:
    """The signed-in actor (role ``public`` when nobody), and the CSRF token."""
    return SessionOut(
        username=actor.username if actor.signed_in else None,
        role=actor.role,
        body=actor.body_code,
        authority=actor.authority,
        csrf_token=csrf_token(request),
    )


@router.post("/session", tags=["session"])
def sign_in(
    request: Request,
    response: Response,
    session: ApiWriteDep,
    credentials: Credentials,
) -> SessionOut:
    """Sign in; sets the HttpOnly session cookie and a new CSRF token, which the answer
    holds. Rate-limited like the sign-in page."""
    portal = portal_of(request)
    attempt = portal.limiter.reserve(portal.limiter.address(request), credentials.username)
    account = authenticate(session, credentials.username, credentials.password)
    if account is None:
        raise _WrongPasswordError(N_("Wrong username or password."))
    portal.limiter.succeeded(attempt)
    cookie = start_session(session, account)
    set_session_cookie(
        response,
        cookie,
        secure=portal.secure_cookies,
        max_age=int(SESSION_LIFETIME.total_seconds()),
    )
    return SessionOut(
        username=account.username,
        role=Role(account.role),
        body=account.body_code,
        authority=account.authority,
        csrf_token=rotate_csrf(request, response, secure=portal.secure_cookies),
    )


class _WrongPasswordError(NotAllowedError):
    status = 401
    code = "wrong_credentials"


@router.delete("/session", tags=["session"], status_code=204)
def sign_out(request: Request, session: ApiWriteDep) -> Response:
    """Sign out; sets a new CSRF token."""
    end_session(session, request.cookies.get(SESSION_COOKIE))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    rotate_csrf(request, response, secure=portal_of(request).secure_cookies)
    return response


# --- the cycle ---------------------------------------------------------------------------


class PeriodOut(_Model):
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


class Create(_Model):
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


class Reason(_Model):
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


class UploadOut(_Model):
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
    period = session.get(EvaluationPeriod, found.period_id)
    assert period is not None
    return _upload_out(found, period.year)


def _plan_years(moment: datetime) -> datetime:
    if not PLAN_YEARS[0] <= moment.year <= PLAN_YEARS[1]:
        raise PydanticCustomError(
            "plan_year",
            "a year from {first} to {last}",
            {"first": PLAN_YEARS[0], "last": PLAN_YEARS[1]},
        )
    return moment


# A deadline within the years a plan can name; year 9999 is a typo, not a deadline.
PlanMoment = Annotated[
    datetime,
    AfterValidator(_plan_years),
    Field(json_schema_extra={"pattern": _PLAN_YEAR_PATTERN}),
]


class Deadlines(_Model):
    """A period's deadlines (timezone-aware; Astana is UTC+05:00)."""

    source_data_due: PlanMoment
    disputes_until: PlanMoment
    consolidation_by: PlanMoment


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


class SourceValueOut(_Model):
    """A source value and where it came from."""

    field: str
    value: Decimal
    authority: str
    file: str
    row: int | None
    column: str | None
    dispute: int | None


class DraftOut(_Model):
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
        payload = portal_of(request).draft(session, computation)
        results = body_view(
            payload, methodology_of(session, period), portal_of(request).registry, code, lang
        )
        missing = list(payload["incomplete"].get(code, []))
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


class DisputeOut(_Model):
    """A dispute and its resolution."""

    id: int
    period: int
    body: str
    indicator: str
    disputed_value: Decimal
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
    indicator: Annotated[str, Form(min_length=1, max_length=80)],
    justification: Annotated[str, Form(min_length=1, max_length=10000)],
    attachments: Annotated[list[UploadFile], File()] = [],  # noqa: B006 - FastAPI copies it
) -> DisputeOut:
    """Dispute one indicator value of the representative's own body, inside the window."""
    files = read_attachments(attachments)
    dispute = actions.file_dispute(
        session,
        actor,
        actions.get_period(session, period),
        body_code=actor.body_code or "",
        indicator=indicator,
        justification=justification,
        attachments=files,
        files=portal_of(request).files,
        now=portal_of(request).clock(),
    )
    return _dispute_out(dispute, period)


@router.get("/cycle/disputes/{dispute_id}", tags=["cycle"])
def dispute(session: SessionDep, actor: ActorDep, dispute_id: RecordId) -> DisputeOut:
    """One dispute, to analysts and to its body's representative."""
    require_signed_in(actor)
    found = actions.get_dispute(session, actor, dispute_id)
    period = session.get(EvaluationPeriod, found.period_id)
    assert period is not None
    return _dispute_out(found, period.year)


class Resolution(_Model):
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
    period = session.get(EvaluationPeriod, found.period_id)
    assert period is not None
    return _dispute_out(found, period.year)


MAX_MEASURES: Final = 50
# Dates a roadmap may name: a typo such as 9999 is refused, not stored.
PlanDate = Annotated[
    date,
    Field(
        ge=date(PLAN_YEARS[0], 1, 1),
        le=date(PLAN_YEARS[1], 12, 31),
        json_schema_extra={"pattern": _PLAN_YEAR_PATTERN},
    ),
]


def max_lengths(model: type[BaseModel]) -> dict[str, int]:
    """The longest text each field of ``model`` takes, for forms to say the same."""
    return {
        name: rule.max_length
        for name, info in model.model_fields.items()
        for rule in info.metadata
        if isinstance(getattr(rule, "max_length", None), int)
    }


class MeasureIn(_Model):
    """A measure of a roadmap (the API and the workspace form both check it)."""

    measure: str = Field(min_length=1, max_length=2000)
    owner: str = Field(min_length=1, max_length=200)
    due_on: PlanDate
    indicator: str = Field(max_length=80)


class RoadmapIn(_Model):
    """A roadmap as submitted by the body."""

    approved_by: str = Field(min_length=1, max_length=200)
    approved_on: PlanDate
    measures: list[MeasureIn] = Field(min_length=1, max_length=MAX_MEASURES)


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
    return _roadmap_out(period, roadmap)


class AccountOut(_Model):
    """An account (never its password hash)."""

    id: int
    username: str
    display_name: str
    role: Role
    body: str | None
    authority: str | None
    active: bool


class NewAccount(_Model):
    """An account to create."""

    username: str = Field(min_length=1, max_length=80)
    display_name: str = Field(min_length=1, max_length=200)
    role: Role
    body: str | None = Field(default=None, max_length=20)
    authority: str | None = Field(default=None, max_length=10)


class CreatedAccount(_Model):
    """A new account and its one-time password."""

    account: AccountOut
    password: str


def _account_out(account: Account) -> AccountOut:
    return AccountOut(
        id=account.id,
        username=account.username,
        display_name=account.display_name,
        role=Role(account.role),
        body=account.body_code,
        authority=account.authority,
        active=account.active,
    )


@router.get("/admin/accounts", tags=["admin"])
def accounts(session: SessionDep, actor: ActorDep) -> list[AccountOut]:
    """Every account (administrator)."""
    require_signed_in(actor)
    auth.create_account(actor)
    return [_account_out(a) for a in session.scalars(select(Account).order_by(Account.id))]


@router.post("/admin/accounts", tags=["admin"], status_code=201)
def create_account(
    request: Request,
    session: ApiWriteDep,
    actor: ActorDep,
    body: NewAccount,
) -> CreatedAccount:
    """Create an account; the response holds its password, shown only this once."""
    account, password = actions.create_account(
        session,
        actor,
        username=body.username,
        display_name=body.display_name,
        role=body.role,
        body_code=body.body,
        authority=body.authority,
        registry=portal_of(request).registry,
    )
    return CreatedAccount(account=_account_out(account), password=password)


class Activity(_Model):
    """Whether an account may sign in."""

    active: bool


@router.put("/admin/accounts/{account_id}/active", tags=["admin"])
def set_active(
    request: Request,
    session: ApiWriteDep,
    actor: ActorDep,
    account_id: RecordId,
    body: Activity,
) -> AccountOut:
    """Block or unblock an account (administrator)."""
    account = actions.set_account_active(session, actor, account_id, body.active)
    return _account_out(account)


class AuditOut(_Model):
    """One audit entry."""

    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@router.get("/admin/audit", tags=["admin"])
def audit_log(
    session: SessionDep,
    actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    before_id: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> list[AuditOut]:
    """The audit log, newest first (administrator)."""
    require_signed_in(actor)
    auth.view_audit_log(actor)
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    return [
        AuditOut(
            id=e.id,
            at=e.at,
            actor=e.actor,
            action=e.action,
            object_type=e.object_type,
            object_id=e.object_id,
            before=e.before,
            after=e.after,
        )
        for e in session.scalars(query)
    ]
