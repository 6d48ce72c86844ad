"""Real-time ratings on the portal: the endpoint service points submit to, their incidents,
and the dashboards of the agency and the providers.

Service points authenticate with ``Authorization: Bearer <API key>``; people use the
portal's sign-in as everywhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Final

from fastapi import APIRouter, Form, Header, Query, Request, Response, Security
from fastapi import Path as FastPath
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse
from fastapi.security import HTTPAuthorizationCredentials
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from ashyq.access.accounts import Actor
from ashyq.access.roles import Permission, may
from ashyq.db.models import ApiKey, Incident, RatedService, ServicePoint
from ashyq.errors import ActionError, NotAllowedError, NotFoundError
from ashyq.i18n import N_, Lang, translate
from ashyq.ratings import auth
from ashyq.ratings.desk import RatingDesk
from ashyq.ratings.incidents import (
    BodyFigures,
    IncidentStatus,
    close_incident,
    dashboard,
    get_incident,
    list_incidents,
    record_resolution,
    resolve_incident,
)
from ashyq.ratings.intake import (
    MAX_PHOTO_BYTES,
    Photo,
    Receipt,
    Submission,
    decode_photo,
    request_hash,
    store_photo,
)
from ashyq.ratings.keys import (
    POINT_CODE,
    KeyHolder,
    PointEntry,
    add_service_point,
    issue_api_key,
    revoke_api_key,
)
from ashyq.ratings.services import (
    MAX_NAME_CHARS,
    add_rated_service,
    service_names,
    set_rated_service_active,
)
from ashyq.web.charts import Bar, bar_chart
from ashyq.web.portal import (
    SIGNED_IN,
    ActorDep,
    FormWriteDep,
    LangDep,
    RecordId,
    SessionDep,
    after_commit,
    portal_of,
    request_lang,
    require_signed_in,
)
from ashyq.web.rendering import page_context, render
from ashyq.web.schema import ErrorBody
from ashyq.web.security import RATING_KEY_SCHEME

__all__ = ["BODY_LIMITS", "ApiKeyError", "RateLimitedError", "api", "pages"]

_CODE = POINT_CODE.pattern
_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (400, 401, 403, 404, 409, 413, 422, 429)
}

api = APIRouter(prefix="/api/v1/ratings", tags=["ratings"], responses=_ERRORS)
pages = APIRouter(include_in_schema=False)


class ApiKeyError(ActionError):
    """No API key, or one that is malformed, unknown or revoked."""

    status = 401
    code = "invalid_api_key"

    def response_headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": 'Bearer realm="ashyq-ratings"'}


class RateLimitedError(ActionError):
    """The key submitted faster than its rate."""

    status = 429
    code = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            N_("Too many ratings from this key; try again in {seconds} s."), seconds=retry_after
        )
        self.retry_after = retry_after

    def response_headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}


def desk_of(request: Request) -> RatingDesk:
    """The rating desk of the app serving ``request``."""
    desk: RatingDesk = request.app.state.ratings
    return desk


def _bearer(authorization: HTTPAuthorizationCredentials | None) -> str:
    return authorization.credentials.strip() if authorization is not None else ""


def _holder(desk: RatingDesk, authorization: HTTPAuthorizationCredentials | None) -> KeyHolder:
    key = _bearer(authorization)
    holder = desk.directory.holder(key) if key else None
    if holder is None:
        raise ApiKeyError(
            N_("Send a valid API key of a service point: Authorization: Bearer <key>.")
        )
    return holder


# --- the API of service points ---------------------------------------------------------


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _no_bool_nor_text(value: object) -> object:
    # JSON Schema's integer: 3 and 3.0, but not true (an int to Python) nor "3".
    if isinstance(value, bool | str):
        raise ValueError("expected a JSON integer")
    return value


JsonInteger = Annotated[int, BeforeValidator(_no_bool_nor_text)]


class RatingIn(_Model):
    """A citizen's rating of a service, as a service point or an app submits it."""

    service: str = Field(
        pattern=_CODE,
        description=(
            "The service's code in the portal's register of rated services; a code the "
            "register does not hold, or a service taken out of it, is refused with 422."
        ),
    )
    point: str | None = Field(
        default=None,
        pattern=_CODE,
        description="The service point; required with an app's key, else the key's own.",
    )
    score: JsonInteger = Field(ge=1, le=5, description="1 (very bad) to 5 (very good).")
    comment: str | None = Field(default=None, max_length=2000)
    photo: str | None = Field(
        default=None,
        max_length=(MAX_PHOTO_BYTES + 2) // 3 * 4,
        description="A JPEG or PNG photo of at most 2 MiB, base64-encoded.",
    )


class IncidentRef(_Model):
    """The incident a low rating opened: the provider must resolve it by ``due_at``."""

    id: int
    due_at: datetime


class ReceiptOut(_Model):
    """A stored rating; ``replayed`` when this was a retry of one stored before."""

    rating: int
    received_at: datetime
    incident: IncidentRef | None
    replayed: bool


IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=100,
        pattern=r"^[\x21-\x7e]+$",
        description="A key of the submitter's choice; a retry with the same key is stored once.",
    ),
]
Authorization = Annotated[HTTPAuthorizationCredentials | None, Security(RATING_KEY_SCHEME)]
"""The service point's key, ``Authorization: Bearer <key>`` (None without one)."""


# A rating with the largest photo, base64-encoded, and room for the rest of its JSON.
_MAX_RATING_BYTES = (MAX_PHOTO_BYTES + 2) // 3 * 4 + 16 * 1024
BODY_LIMITS: Final = {"/api/v1/ratings": _MAX_RATING_BYTES}
"""Request bodies the rating API accepts, by path prefix (the portal's limit elsewhere)."""


@api.post(
    "",
    status_code=201,
    response_model=ReceiptOut,
    responses={200: {"model": ReceiptOut}},
)
async def submit_rating(
    request: Request,
    rating: RatingIn,
    authorization: Authorization = None,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    """Submit a rating. A score of 1 or 2 opens an incident the provider has 5 minutes to
    resolve. Answers 201 when stored, 200 with the first receipt for a retry."""
    desk = desk_of(request)
    # The keys, points and services are served from memory; when that copy is due to be
    # read again, it is read in a worker thread, not on the event loop.
    if desk.directory.needs_reading(_bearer(authorization), rating.point, rating.service):
        await run_in_threadpool(desk.directory.refresh)
    holder = _holder(desk, authorization)
    wait = desk.limiter.take(holder.key_id)
    if wait:
        raise RateLimitedError(wait)
    point = _point_of(desk, holder, rating.point)
    _check_service(request, desk, rating.service)
    photo = None
    if rating.photo:
        photo = await run_in_threadpool(_stored_photo, desk, rating.photo)
    comment = (rating.comment or "").strip() or None
    content = {
        "service": rating.service,
        "point": point.code,
        "score": rating.score,
        "comment": comment,
        "photo": photo.sha256 if photo else None,
    }
    submission = Submission(
        key_id=holder.key_id,
        idempotency_key=idempotency_key,
        request_hash=request_hash(content),
        point_id=point.id,
        body_code=point.body_code,
        service_code=rating.service,
        score=rating.score,
        comment=comment,
        photo_sha256=photo.sha256 if photo else None,
        photo_type=photo.content_type if photo else None,
        received_at=desk.clock().astimezone(UTC),
    )
    receipt = await desk.writer.submit(submission)
    return _receipt(receipt)


_UNKNOWN_SERVICE = N_("No service {code} in the register.")
_INACTIVE_SERVICE = N_(
    "The service {code} has been taken out of the register; its ratings are not accepted."
)


def _check_service(request: Request, desk: RatingDesk, code: str) -> None:
    """Refuse a service the register does not hold, or no longer holds active, as the
    other fields of the rating are refused: 422, the field ``body.service`` named."""
    active = desk.directory.service(code)
    if active:
        return
    kind, text = ("unknown_service", _UNKNOWN_SERVICE)
    if active is not None:
        kind, text = ("inactive_service", _INACTIVE_SERVICE)
    message = translate(text, request_lang(request), code=code)
    raise RequestValidationError([{"type": kind, "loc": ("body", "service"), "msg": message}])


def _stored_photo(desk: RatingDesk, text: str) -> Photo:
    photo = decode_photo(text)
    store_photo(desk.photos, photo)
    return photo


def _receipt(receipt: Receipt) -> Response:
    status = 200 if receipt.replayed else 201
    headers = {"Idempotent-Replayed": "true"} if receipt.replayed else None
    return JSONResponse(receipt.as_dict(), status_code=status, headers=headers)


def _point_of(desk: RatingDesk, holder: KeyHolder, code: str | None) -> PointEntry:
    if holder.point_id is not None:
        point = desk.directory.point_by_id(holder.point_id)
        if point is None or (code is not None and code != point.code):
            raise NotAllowedError(
                N_("This key belongs to another service point than {point}."), point=code
            )
    else:
        if code is None:
            raise NotAllowedError(N_("An app's key must name the service point."))
        point = desk.directory.point(code)
        if point is None:
            raise NotFoundError(N_("No service point {code}."), code=code)
    if not point.active:
        raise NotAllowedError(N_("The service point {code} is closed."), code=point.code)
    return point


class IncidentOut(_Model):
    """An incident as its service point sees it."""

    id: int
    status: str
    rating: int
    service: str
    score: int
    comment: str | None
    opened_at: datetime
    due_at: datetime
    resolved_at: datetime | None
    escalated_at: datetime | None


def _incident_out(incident: Incident) -> IncidentOut:
    return IncidentOut(
        id=incident.id,
        status=incident.status,
        rating=incident.rating_id,
        service=incident.rating.service_code,
        score=incident.rating.score,
        comment=incident.rating.comment,
        opened_at=incident.opened_at,
        due_at=incident.due_at,
        resolved_at=incident.resolved_at,
        escalated_at=incident.escalated_at,
    )


def _point_holder(
    desk: RatingDesk, authorization: HTTPAuthorizationCredentials | None
) -> KeyHolder:
    holder = _holder(desk, authorization)
    if holder.point_id is None:
        raise NotAllowedError(N_("Only a service point's key sees and resolves incidents."))
    return holder


@api.get("/incidents", response_model=list[IncidentOut])
def point_incidents(
    request: Request,
    session: SessionDep,
    authorization: Authorization = None,
    status: Annotated[IncidentStatus | None, Query()] = None,
) -> list[IncidentOut]:
    """The incidents of the key's service point, the newest first (at most 200)."""
    holder = _point_holder(desk_of(request), authorization)
    found = list_incidents(session, point_id=holder.point_id, status=status)
    return [_incident_out(incident) for incident in found]


class ResolutionIn(_Model):
    """What the provider did about the rating."""

    note: str = Field(min_length=1, max_length=4000)


@api.post(
    "/incidents/{incident_id}/resolve",
    response_model=IncidentOut,
)
def resolve_point_incident(
    request: Request,
    session: SessionDep,
    incident_id: RecordId,
    resolution: ResolutionIn,
    authorization: Authorization = None,
) -> IncidentOut:
    """Resolve an open incident of the key's service point before it is due."""
    desk = desk_of(request)
    holder = _point_holder(desk, authorization)
    incident = get_incident(session, incident_id)
    if incident.service_point_id != holder.point_id:
        raise NotFoundError(N_("No such incident."))
    record_resolution(session, incident, resolution.note, desk.clock(), f"key:{holder.prefix}")
    session.commit()
    return _incident_out(incident)


# --- the dashboards ----------------------------------------------------------------------

_DAYS = (1, 7, 30, 365)
Days = Annotated[int, Query(ge=1, le=3660)]


def _scope(actor: Actor) -> str | None:
    """The body whose figures ``actor`` sees (None: every body)."""
    require_signed_in(actor)
    if may(actor.role, Permission.VIEW_ALL_INCIDENTS):
        auth.view_incidents(actor, None)
        return None
    auth.view_incidents(actor, actor.body_code)
    return actor.body_code


class PointFiguresOut(_Model):
    """A service point's (or a provider's) ratings and incidents over the period asked."""

    code: str
    name: str
    ratings: int
    average: float | None
    low: int
    incidents: int
    open: int
    overdue: int
    resolved_in_time: int
    escalated: int
    closed_by_agency: int


class BodyFiguresOut(_Model):
    """A provider's figures and those of each of its service points."""

    body: str
    total: PointFiguresOut
    points: list[PointFiguresOut]


def _dashboard(
    request: Request, session: Session, body_code: str | None, days: int
) -> list[BodyFigures]:
    desk = desk_of(request)
    now = desk.clock()
    return dashboard(
        session, now - timedelta(days=days), now, body_code, low_score=desk.rules.low_score
    )


@api.get("/dashboard", response_model=list[BodyFiguresOut], dependencies=[SIGNED_IN])
def dashboard_api(
    request: Request, session: SessionDep, actor: ActorDep, lang: LangDep, days: Days = 30
) -> list[BodyFiguresOut]:
    """Ratings and incidents of the last ``days`` days per provider and service point:
    every provider for the agency, one's own for a provider's representative; names in the
    reader's language (``?lang=``)."""
    registry = portal_of(request).registry
    return [
        BodyFiguresOut(
            body=body.body_code,
            total=PointFiguresOut(
                code=body.body_code,
                name=registry.get(body.body_code).short(lang),
                **body.total.as_dict(),
            ),
            points=[PointFiguresOut(code=p.code, name=p.name, **p.as_dict()) for p in body.points],
        )
        for body in _dashboard(request, session, _scope(actor), days)
    ]


def _page(request: Request, name: str, lang: Lang, **context: Any) -> Response:
    extra = {"Permission": Permission, "IncidentStatus": IncidentStatus, "may": may}
    return render(request, name, {**context, **page_context(request, lang), **extra})


@pages.get("/workspace/ratings")
def dashboard_page(
    request: Request,
    session: SessionDep,
    actor: ActorDep,
    lang: LangDep,
    days: Days = 7,
    status: Annotated[IncidentStatus | None, Query()] = None,
) -> Response:
    """The dashboard: per provider (and service point) the ratings and incidents, a chart
    of the share resolved in time, and the latest incidents."""
    scope = _scope(actor)
    bodies = _dashboard(request, session, scope, days)
    registry = portal_of(request).registry
    names = {b.body_code: registry.get(b.body_code).short(lang) for b in bodies}
    settled = [b for b in bodies if b.total.resolved_share is not None]
    chart = None
    if settled:
        chart = bar_chart(
            [
                Bar(
                    names[b.body_code],
                    b.total.resolved_share or 0.0,
                    "high" if (b.total.resolved_share or 0.0) >= 90 else "low",
                )
                for b in sorted(settled, key=lambda b: b.total.resolved_share or 0.0)
            ],
            title=translate(N_("Incidents resolved in time, %"), lang),
            description=translate(
                N_("Share of settled incidents resolved within the window, per provider."), lang
            ),
            value_format=lambda v: f"{v:.1f}",
        )
    incidents = list_incidents(session, body_code=scope, status=status, limit=100)
    codes = {incident.rating.service_code for incident in incidents}
    context = {
        "bodies": bodies,
        "names": names,
        "services": service_names(session, codes, lang),
        "chart": chart,
        "incidents": incidents,
        "days": days,
        "day_choices": _DAYS,
        "status": status,
        "statuses": list(IncidentStatus),
        "now": desk_of(request).clock(),
        "window_minutes": int(desk_of(request).rules.window.total_seconds() // 60),
    }
    name = "workspace/ratings_live.html" if request.headers.get("HX-Request") else None
    return _page(request, name or "workspace/ratings.html", lang, **context)


def _visible_incident(session: Session, actor: Actor, incident_id: int) -> Incident:
    require_signed_in(actor)
    incident = get_incident(session, incident_id)
    auth.view_incident(actor, incident)
    return incident


@pages.get("/workspace/ratings/incidents/{incident_id}")
def incident_page(
    request: Request, session: SessionDep, actor: ActorDep, lang: LangDep, incident_id: RecordId
) -> Response:
    """An incident: the rating, its deadline, what the provider and the agency did."""
    incident = _visible_incident(session, actor, incident_id)
    registry = portal_of(request).registry
    return _page(
        request,
        "workspace/incident.html",
        lang,
        incident=incident,
        body=registry.get(incident.body_code),
        services=service_names(session, {incident.rating.service_code}, lang),
        now=desk_of(request).clock(),
    )


@pages.get("/workspace/ratings/incidents/{incident_id}/photo")
def incident_photo(
    request: Request, session: SessionDep, actor: ActorDep, incident_id: RecordId
) -> Response:
    """The photo sent with the incident's rating."""
    incident = _visible_incident(session, actor, incident_id)
    rating = incident.rating
    if rating.photo_sha256 is None or rating.photo_type is None:
        raise NotFoundError(N_("This rating came without a photo."))
    extension = "png" if rating.photo_type == "image/png" else "jpg"
    path = desk_of(request).photos / f"{rating.photo_sha256}.{extension}"
    if not path.exists():
        raise NotFoundError(N_("This rating came without a photo."))
    return FileResponse(path, media_type=rating.photo_type)


Note = Annotated[str, Form(max_length=4000)]
IncidentAction = Callable[[Session, Actor, Incident, str, datetime], Incident]


def _incident_form(action: IncidentAction, doc: str) -> Callable[..., Response]:
    def run(
        request: Request,
        session: FormWriteDep,
        actor: ActorDep,
        incident_id: RecordId,
        note: Note,
    ) -> Response:
        incident = _visible_incident(session, actor, incident_id)
        action(session, actor, incident, note, desk_of(request).clock())
        return RedirectResponse(f"/workspace/ratings/incidents/{incident_id}", status_code=303)

    run.__doc__ = doc
    return run


pages.post("/workspace/ratings/incidents/{incident_id}/resolve", name="resolve_incident_form")(
    _incident_form(
        resolve_incident, "The provider's representative resolves an open incident of their body."
    )
)
pages.post("/workspace/ratings/incidents/{incident_id}/close", name="close_incident_form")(
    _incident_form(close_incident, "An analyst closes an escalated incident with what was done.")
)


# --- administration: service points, keys and the register of rated services -----------


def _admin_page(
    request: Request, session: Session, actor: Actor, lang: Lang, **context: Any
) -> Response:
    points = list(session.scalars(select(ServicePoint).order_by(ServicePoint.code)))
    codes = {p.id: p.code for p in points}
    keys = list(session.scalars(select(ApiKey).order_by(ApiKey.id.desc())))
    services = list(session.scalars(select(RatedService).order_by(RatedService.code)))
    response = _page(
        request,
        "workspace/service_points.html",
        lang,
        points=points,
        keys=keys,
        codes=codes,
        services=services,
        name_limit=MAX_NAME_CHARS,
        bodies=list(portal_of(request).registry),
        **context,
    )
    response.headers["Cache-Control"] = "no-store"  # a new key is on the page once
    return response


@pages.get("/admin/ratings")
def service_points_page(
    request: Request, session: SessionDep, actor: ActorDep, lang: LangDep
) -> Response:
    """Service points, API keys and the register of rated services, and the forms to add
    them."""
    require_signed_in(actor)
    auth.add_service_point(actor)
    return _admin_page(request, session, actor, lang)


@pages.post("/admin/ratings/points")
def add_point_form(
    request: Request,
    session: FormWriteDep,
    actor: ActorDep,
    code: Annotated[str, Form(max_length=40)],
    body: Annotated[str, Form(max_length=20)],
    name: Annotated[str, Form(max_length=300)],
    region: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Register a service point."""
    registry = portal_of(request).registry
    add_service_point(session, actor, registry, code.strip(), body, name, region.strip() or None)
    after_commit(session, desk_of(request).directory.refresh)
    return RedirectResponse("/admin/ratings", status_code=303)


@pages.post("/admin/ratings/keys")
def issue_key_form(
    request: Request,
    session: FormWriteDep,
    actor: ActorDep,
    lang: LangDep,
    label: Annotated[str, Form(max_length=200)],
    point: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Issue a key; it is shown once, on the page this answers with."""
    issued = issue_api_key(session, actor, label, point or None)
    after_commit(session, desk_of(request).directory.refresh)
    return _admin_page(request, session, actor, lang, issued=issued)


@pages.post("/admin/ratings/keys/{prefix}/revoke")
def revoke_key_form(
    request: Request,
    session: FormWriteDep,
    actor: ActorDep,
    prefix: Annotated[str, FastPath(pattern="^[a-z0-9]{12}$")],
) -> Response:
    """Revoke a key."""
    revoke_api_key(session, actor, prefix)
    after_commit(session, desk_of(request).directory.refresh)
    return RedirectResponse("/admin/ratings", status_code=303)


Name = Annotated[str, Form(max_length=MAX_NAME_CHARS)]
ServiceCode = Annotated[str, FastPath(pattern=_CODE)]


@pages.post("/admin/ratings/services")
def add_service_form(
    request: Request,
    session: FormWriteDep,
    actor: ActorDep,
    code: Annotated[str, Form(max_length=40)],
    name_ru: Name,
    name_kk: Name,
    name_en: Name = "",
) -> Response:
    """Add a service to the register of rated services."""
    add_rated_service(session, actor, code, name_ru, name_kk, name_en or None)
    after_commit(session, desk_of(request).directory.refresh)
    return RedirectResponse("/admin/ratings", status_code=303)


def _service_state_form(active: bool, doc: str) -> Callable[..., Response]:
    def run(
        request: Request,
        session: FormWriteDep,
        actor: ActorDep,
        code: ServiceCode,
    ) -> Response:
        set_rated_service_active(session, actor, code, active=active)
        after_commit(session, desk_of(request).directory.refresh)
        return RedirectResponse("/admin/ratings", status_code=303)

    run.__doc__ = doc
    return run


pages.post("/admin/ratings/services/{code}/deactivate", name="deactivate_service_form")(
    _service_state_form(False, "Take a service out of the register: new ratings of it are refused.")
)
pages.post("/admin/ratings/services/{code}/activate", name="activate_service_form")(
    _service_state_form(True, "Put a service taken out of the register back in.")
)
