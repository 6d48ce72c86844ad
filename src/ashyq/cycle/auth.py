"""One authorisation check per action of the evaluation cycle, of the same name as the action.

Each check raises ``NotAllowedError`` (or ``NotFoundError`` where even the object's existence is
not the actor's to know) with the reason, and returns nothing when the action may go on.
The role table is ``ashyq.access.roles.ROLE_PERMISSIONS`` (``ashyq.access.checks.require``);
these checks add the scope (own body, own authority's indicators) and the period's state and
deadlines.
"""

from __future__ import annotations

from datetime import datetime

from ashyq.access.accounts import Actor
from ashyq.access.checks import NO_PERMISSION
from ashyq.access.checks import require as _require
from ashyq.access.roles import Permission, Role, may
from ashyq.cycle.workflow import State
from ashyq.db.models import Dispute, EvaluationPeriod
from ashyq.errors import NotAllowedError, NotFoundError
from ashyq.i18n import N_

__all__ = [
    "compute_period",
    "create_period",
    "file_dispute",
    "move_period",
    "publish_period",
    "reopen_period",
    "resolve_dispute",
    "set_deadlines",
    "submit_roadmap",
    "upload_source_data",
    "view_dispute",
    "view_draft",
    "view_uploads",
]


def _state(period: EvaluationPeriod, *allowed: State) -> None:
    if State(period.state) not in allowed:
        raise NotAllowedError(
            N_("Not while the {period} period is in the state «{state}»."),
            period=period.year,
            state=period.state,
        )


def create_period(actor: Actor) -> None:
    """The administrator opens periods."""
    _require(actor, Permission.MANAGE_PERIODS)


def set_deadlines(actor: Actor, period: EvaluationPeriod) -> None:
    """The administrator sets deadlines, until the period is published."""
    _require(actor, Permission.MANAGE_PERIODS)
    _state(period, State.DRAFT, State.COLLECTING, State.DISPUTES_OPEN, State.CONSOLIDATION)


def move_period(actor: Actor, period: EvaluationPeriod) -> None:
    """An analyst moves a period forward, up to consolidation; publishing is its own action."""
    _require(actor, Permission.MOVE_PERIOD)
    _state(period, State.DRAFT, State.COLLECTING, State.DISPUTES_OPEN)


def upload_source_data(actor: Actor, period: EvaluationPeriod, now: datetime) -> None:
    """An authority uploads its own indicators while collecting, before its deadline; an
    analyst uploads any indicator until consolidation ends."""
    if may(actor.role, Permission.UPLOAD_ANY_SOURCE_DATA):
        _state(period, State.COLLECTING, State.DISPUTES_OPEN, State.CONSOLIDATION)
        return
    _require(actor, Permission.UPLOAD_OWN_SOURCE_DATA)
    if not actor.authority:
        raise NotAllowedError(NO_PERMISSION)
    _state(period, State.COLLECTING)
    if now > period.source_data_due:
        raise NotAllowedError(
            N_("The source data of {period} were due by {deadline}."),
            period=period.year,
            deadline=period.source_data_due,
        )


def view_uploads(actor: Actor, authority: str | None) -> None:
    """Analysts see every upload report; an authority sees its own."""
    if may(actor.role, Permission.UPLOAD_ANY_SOURCE_DATA):
        return
    _require(actor, Permission.VIEW_UPLOAD_REPORTS)
    if authority != actor.authority:
        raise NotFoundError(N_("No such upload."))


def compute_period(actor: Actor, period: EvaluationPeriod) -> None:
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


def file_dispute(actor: Actor, period: EvaluationPeriod, body_code: str, now: datetime) -> None:
    """A representative disputes their own body's values while the window is open."""
    _require(actor, Permission.FILE_DISPUTE)
    if actor.body_code != body_code:
        raise NotAllowedError(N_("You may dispute the values of your own body only."))
    _state(period, State.DISPUTES_OPEN)
    if now > period.disputes_until:
        raise NotAllowedError(
            N_("Disputes on {period} were open until {deadline}."),
            period=period.year,
            deadline=period.disputes_until,
        )


def view_dispute(actor: Actor, dispute: Dispute) -> None:
    """Analysts see every dispute; a representative only their own body's — another
    body's dispute is reported as not found, so its existence does not leak."""
    if may(actor.role, Permission.VIEW_ALL_DISPUTES):
        return
    if not may(actor.role, Permission.VIEW_OWN_DISPUTES) or actor.body_code != dispute.body_code:
        raise NotFoundError(N_("No such dispute."))


def resolve_dispute(actor: Actor, period: EvaluationPeriod) -> None:
    """An analyst resolves disputes before publication."""
    _require(actor, Permission.RESOLVE_DISPUTE)
    _state(period, State.DISPUTES_OPEN, State.CONSOLIDATION)


def publish_period(actor: Actor, period: EvaluationPeriod) -> None:
    """An analyst publishes a period from consolidation."""
    _require(actor, Permission.PUBLISH)
    _state(period, State.CONSOLIDATION)


def reopen_period(actor: Actor, period: EvaluationPeriod) -> None:
    """An analyst reopens a published period (its next publication is a new version)."""
    _require(actor, Permission.REOPEN)
    _state(period, State.PUBLISHED)


def submit_roadmap(actor: Actor, period: EvaluationPeriod, body_code: str) -> None:
    """A representative submits their own body's roadmap for a published period."""
    _require(actor, Permission.SUBMIT_ROADMAP)
    if actor.role is not Role.BODY or actor.body_code != body_code:
        raise NotAllowedError(N_("You may submit the roadmap of your own body only."))
    _state(period, State.PUBLISHED)
