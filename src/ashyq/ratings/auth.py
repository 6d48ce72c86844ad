"""One authorisation check per action of the real-time ratings, of the same name as the action.

The role table is ``ashyq.access.roles.ROLE_PERMISSIONS`` (``ashyq.access.checks.require``);
these checks add the scope: a representative sees and resolves only their own body's
incidents, and another body's incident is not found rather than forbidden.
"""

from __future__ import annotations

from ashyq.access.accounts import Actor
from ashyq.access.checks import require as _require
from ashyq.access.roles import Permission, may
from ashyq.db.models import Incident
from ashyq.errors import NotAllowedError, NotFoundError
from ashyq.i18n import N_

__all__ = [
    "add_rated_service",
    "add_service_point",
    "close_incident",
    "import_rated_services",
    "issue_api_key",
    "resolve_incident",
    "revoke_api_key",
    "set_rated_service_active",
    "view_incident",
    "view_incidents",
]


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
