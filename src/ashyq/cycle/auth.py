"""One authorisation check per action, of the same name as the action.

Each check raises ``NotAllowedError`` (or ``NotFoundError`` where even the object's existence is
not the actor's to know) with the reason, and returns nothing when the action may go on.
The role table is ``ashyq.cycle.roles.ROLE_PERMISSIONS``; these checks add the scope
(own body, own authority's indicators) and the period's state and deadlines.
"""

from __future__ import annotations

from datetime import datetime

from ashyq.cycle.accounts import Actor
from ashyq.cycle.errors import NotAllowedError, NotFoundError, SignInRequiredError
from ashyq.cycle.roles import Permission, Role, may
from ashyq.cycle.workflow import State
from ashyq.db.models import Dispute, Incident, Period
from ashyq.i18n import N_

__all__ = [
    "SIGN_IN",
    "add_rated_service",
    "add_service_point",
    "close_incident",
    "compute_period",
    "create_account",
    "create_period",
    "file_dispute",
    "import_rated_services",
    "issue_api_key",
    "move_period",
    "publish_period",
    "reopen_period",
    "resolve_dispute",
    "resolve_incident",
    "revoke_api_key",
    "set_account_active",
    "set_deadlines",
    "set_rated_service_active",
    "submit_roadmap",
    "upload_source_data",
    "view_audit_log",
    "view_dispute",
    "view_draft",
    "view_incident",
    "view_incidents",
    "view_uploads",
]

_NO_PERMISSION = N_("Your role may not do this.")
SIGN_IN = N_("Sign in to do this.")


def _require(actor: Actor, permission: Permission) -> None:
    if not may(actor.role, permission):
        if not actor.signed_in:
            raise SignInRequiredError(SIGN_IN)
        raise NotAllowedError(_NO_PERMISSION)


def _state(period: Period, *allowed: State) -> None:
    if State(period.state) not in allowed:
        raise NotAllowedError(
            N_("Not while the {period} period is in the state «{state}»."),
            period=period.year,
            state=period.state,
        )


def create_account(actor: Actor) -> None:
    """The administrator manages accounts."""
    _require(actor, Permission.MANAGE_ACCOUNTS)


def set_account_active(actor: Actor) -> None:
    """The administrator blocks and unblocks accounts."""
    _require(actor, Permission.MANAGE_ACCOUNTS)


def create_period(actor: Actor) -> None:
    """The administrator opens periods."""
    _require(actor, Permission.MANAGE_PERIODS)


def set_deadlines(actor: Actor, period: Period) -> None:
    """The administrator sets deadlines, until the period is published."""
    _require(actor, Permission.MANAGE_PERIODS)
    _state(period, State.DRAFT, State.COLLECTING, State.DISPUTES_OPEN, State.CONSOLIDATION)


def view_audit_log(actor: Actor) -> None:
    """The administrator reads the audit log."""
    _require(actor, Permission.VIEW_AUDIT_LOG)


def move_period(actor: Actor, period: Period) -> None:
    """An analyst moves a period forward, up to consolidation; publishing is its own action."""
    _require(actor, Permission.MOVE_PERIOD)
    _state(period, State.DRAFT, State.COLLECTING, State.DISPUTES_OPEN)


def upload_source_data(actor: Actor, period: Period, now: datetime) -> None:
    """An authority uploads its own indicators while collecting, before its deadline; an
    analyst uploads any indicator until consolidation ends."""
    if may(actor.role, Permission.UPLOAD_ANY_SOURCE_DATA):
        _state(period, State.COLLECTING, State.DISPUTES_OPEN, State.CONSOLIDATION)
        return
    _require(actor, Permission.UPLOAD_OWN_SOURCE_DATA)
    if not actor.authority:
        raise NotAllowedError(_NO_PERMISSION)
    _state(period, State.COLLECTING)
    if now > period.source_data_due:
        raise NotAllowedError(
            N_("The source data of {period} were due by {deadline}."),
            period=period.year,
            deadline=period.source_data_due.isoformat(),
        )


def view_uploads(actor: Actor, authority: str | None) -> None:
    """Analysts see every upload report; an authority sees its own."""
    if may(actor.role, Permission.UPLOAD_ANY_SOURCE_DATA):
        return
    _require(actor, Permission.VIEW_UPLOAD_REPORTS)
    if authority != actor.authority:
        raise NotFoundError(N_("No such upload."))


def compute_period(actor: Actor, period: Period) -> None:
    """An analyst computes draft results until the period is published."""
    _require(actor, Permission.COMPUTE)
    _state(period, State.COLLECTING, State.DISPUTES_OPEN, State.CONSOLIDATION)


def view_draft(actor: Actor, body_code: str) -> None:
    """Analysts see every body's drafts; a representative only their own body's."""
    if may(actor.role, Permission.VIEW_ALL_DRAFTS):
        return
    _require(actor, Permission.VIEW_OWN_DRAFTS)
    if actor.body_code != body_code:
        raise NotAllowedError(N_("You may see the drafts of your own body only."))


def file_dispute(actor: Actor, period: Period, body_code: str, now: datetime) -> None:
    """A representative disputes their own body's values while the window is open."""
    _require(actor, Permission.FILE_DISPUTE)
    if actor.body_code != body_code:
        raise NotAllowedError(N_("You may dispute the values of your own body only."))
    _state(period, State.DISPUTES_OPEN)
    if now > period.disputes_until:
        raise NotAllowedError(
            N_("Disputes on {period} were open until {deadline}."),
            period=period.year,
            deadline=period.disputes_until.isoformat(),
        )


def view_dispute(actor: Actor, dispute: Dispute) -> None:
    """Analysts see every dispute; a representative only their own body's — another
    body's dispute is reported as not found, so its existence does not leak."""
    if may(actor.role, Permission.VIEW_ALL_DISPUTES):
        return
    if not may(actor.role, Permission.VIEW_OWN_DISPUTES) or actor.body_code != dispute.body_code:
        raise NotFoundError(N_("No such dispute."))


def resolve_dispute(actor: Actor, period: Period) -> None:
    """An analyst resolves disputes before publication."""
    _require(actor, Permission.RESOLVE_DISPUTE)
    _state(period, State.DISPUTES_OPEN, State.CONSOLIDATION)


def publish_period(actor: Actor, period: Period) -> None:
    """An analyst publishes a period from consolidation."""
    _require(actor, Permission.PUBLISH)
    _state(period, State.CONSOLIDATION)


def reopen_period(actor: Actor, period: Period) -> None:
    """An analyst reopens a published period (its next publication is a new version)."""
    _require(actor, Permission.REOPEN)
    _state(period, State.PUBLISHED)


def submit_roadmap(actor: Actor, period: Period, body_code: str) -> None:
    """A representative submits their own body's roadmap for a published period."""
    _require(actor, Permission.SUBMIT_ROADMAP)
    if actor.role is not Role.BODY or actor.body_code != body_code:
        raise NotAllowedError(N_("You may submit the roadmap of your own body only."))
    _state(period, State.PUBLISHED)


def view_incidents(actor: Actor, body_code: str | None) -> None:
    """Analysts see the rating incidents of every provider (``body_code`` None: all of
    them); a representative only their own body's."""
    if may(actor.role, Permission.VIEW_ALL_INCIDENTS):
        return
    _require(actor, Permission.VIEW_OWN_INCIDENTS)
    if body_code is None or actor.body_code != body_code:
        raise NotAllowedError(N_("You may see the incidents of your own body only."))


def view_incident(actor: Actor, incident: Incident) -> None:
    """As ``view_incidents``; another body's incident is reported as not found."""
    if may(actor.role, Permission.VIEW_ALL_INCIDENTS):
        return
    _require(actor, Permission.VIEW_OWN_INCIDENTS)
    if actor.body_code != incident.body_code:
        raise NotFoundError(N_("No such incident."))


def resolve_incident(actor: Actor, incident: Incident) -> None:
    """A representative of the provider resolves its incident within the window."""
    view_incident(actor, incident)
    _require(actor, Permission.RESOLVE_INCIDENT)


def close_incident(actor: Actor, incident: Incident) -> None:
    """An analyst closes an incident escalated to the agency."""
    view_incident(actor, incident)
    _require(actor, Permission.CLOSE_INCIDENT)


def add_service_point(actor: Actor) -> None:
    """The administrator registers service points."""
    _require(actor, Permission.MANAGE_SERVICE_POINTS)


def issue_api_key(actor: Actor) -> None:
    """The administrator issues the API keys of service points and apps."""
    _require(actor, Permission.MANAGE_SERVICE_POINTS)


def revoke_api_key(actor: Actor) -> None:
    """The administrator revokes API keys."""
    _require(actor, Permission.MANAGE_SERVICE_POINTS)


def add_rated_service(actor: Actor) -> None:
    """The administrator adds services to the register of rated services."""
    _require(actor, Permission.MANAGE_SERVICE_POINTS)


def set_rated_service_active(actor: Actor) -> None:
    """The administrator takes a service out of the register and puts it back."""
    _require(actor, Permission.MANAGE_SERVICE_POINTS)


def import_rated_services(actor: Actor) -> None:
    """The administrator imports the register of rated services from a file."""
    _require(actor, Permission.MANAGE_SERVICE_POINTS)
