"""Who may do what: one table maps each role to its permissions.

Each action (``ashyq.cycle.actions``, the ratings' ``keys``, ``services`` and
``incidents``, the accounts' ``ashyq.access.management``) has an authorisation check of the
same name (``ashyq.cycle.auth``, ``ashyq.ratings.auth``, ``ashyq.access.auth``); the checks
consult this table first (``checks.require``), then
the scope of the role (the representative's own body, the authority's own indicators) and
the period's state.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from ashyq.i18n import N_

__all__ = ["ROLE_NAMES", "ROLE_PERMISSIONS", "Permission", "Role", "may"]


class Role(StrEnum):
    """The roles of the portal; ``PUBLIC`` is everyone who has not signed in."""

    ADMIN = "admin"
    ANALYST = "analyst"
    AUTHORITY = "authority"
    BODY = "body"
    PUBLIC = "public"


class Permission(StrEnum):
    """What a role may do, independent of which body or period it is done to."""

    VIEW_PUBLISHED = "view_published"
    MANAGE_ACCOUNTS = "manage_accounts"
    MANAGE_PERIODS = "manage_periods"
    VIEW_AUDIT_LOG = "view_audit_log"
    UPLOAD_ANY_SOURCE_DATA = "upload_any_source_data"
    UPLOAD_OWN_SOURCE_DATA = "upload_own_source_data"
    VIEW_UPLOAD_REPORTS = "view_upload_reports"
    COMPUTE = "compute"
    MOVE_PERIOD = "move_period"
    VIEW_ALL_DRAFTS = "view_all_drafts"
    VIEW_OWN_DRAFTS = "view_own_drafts"
    FILE_DISPUTE = "file_dispute"
    VIEW_ALL_DISPUTES = "view_all_disputes"
    VIEW_OWN_DISPUTES = "view_own_disputes"
    RESOLVE_DISPUTE = "resolve_dispute"
    PUBLISH = "publish"
    REOPEN = "reopen"
    SUBMIT_ROADMAP = "submit_roadmap"
    VIEW_ALL_INCIDENTS = "view_all_incidents"
    VIEW_OWN_INCIDENTS = "view_own_incidents"
    RESOLVE_INCIDENT = "resolve_incident"
    CLOSE_INCIDENT = "close_incident"
    MANAGE_SERVICE_POINTS = "manage_service_points"


P = Permission

ROLE_PERMISSIONS: Final[dict[Role, frozenset[Permission]]] = {
    Role.PUBLIC: frozenset({P.VIEW_PUBLISHED}),
    Role.ADMIN: frozenset(
        {
            P.VIEW_PUBLISHED,
            P.MANAGE_ACCOUNTS,
            P.MANAGE_PERIODS,
            P.VIEW_AUDIT_LOG,
            P.MANAGE_SERVICE_POINTS,
        }
    ),
    Role.ANALYST: frozenset(
        {
            P.VIEW_PUBLISHED,
            P.UPLOAD_ANY_SOURCE_DATA,
            P.VIEW_UPLOAD_REPORTS,
            P.COMPUTE,
            P.MOVE_PERIOD,
            P.VIEW_ALL_DRAFTS,
            P.VIEW_ALL_DISPUTES,
            P.RESOLVE_DISPUTE,
            P.PUBLISH,
            P.REOPEN,
            P.VIEW_ALL_INCIDENTS,
            P.CLOSE_INCIDENT,
        }
    ),
    Role.AUTHORITY: frozenset({P.VIEW_PUBLISHED, P.UPLOAD_OWN_SOURCE_DATA, P.VIEW_UPLOAD_REPORTS}),
    Role.BODY: frozenset(
        {
            P.VIEW_PUBLISHED,
            P.VIEW_OWN_DRAFTS,
            P.FILE_DISPUTE,
            P.VIEW_OWN_DISPUTES,
            P.SUBMIT_ROADMAP,
            P.VIEW_OWN_INCIDENTS,
            P.RESOLVE_INCIDENT,
        }
    ),
}

ROLE_NAMES: Final[dict[Role, str]] = {
    Role.ADMIN: N_("ADGS administrator"),
    Role.ANALYST: N_("ADGS analyst"),
    Role.AUTHORITY: N_("Authorised body"),
    Role.BODY: N_("Evaluated-body representative"),
    Role.PUBLIC: N_("Public"),
}


def may(role: Role, permission: Permission) -> bool:
    """Whether ``role`` holds ``permission`` in the table."""
    return permission in ROLE_PERMISSIONS[role]
