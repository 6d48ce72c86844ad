"""The actions of the evaluation cycle, one module per part of it (``periods``,
``sources``, ``computing``, ``disputes``, ``publication``, ``roadmaps``; ``state`` holds
what they share). Each calls its authorisation check of the same name in
``ashyq.cycle.auth`` first, and records what it changed in the audit log.

The caller owns the transaction: actions add and flush, and the portal's write dependency
commits once per request, so an action that fails leaves nothing half done.

Requests run at the same time. Every change of state (a period's, a dispute's; an
account's in ``ashyq.access.management`` likewise) is one conditional UPDATE from the
state the request read, and an action that depends on a period's state holds it the same
way; when another request changed it first, the action raises ConflictError. The UPDATE
does the same on SQLite (whose write lock then serialises the rest of the transaction) and
on PostgreSQL (whose row lock does).
"""

from __future__ import annotations

from ashyq.cycle.actions.computing import compute_period, latest_computation, latest_snapshot
from ashyq.cycle.actions.disputes import (
    file_dispute,
    get_dispute,
    resolve_dispute,
    visible_disputes,
)
from ashyq.cycle.actions.periods import create_period, move_period, set_deadlines, sync_deadlines
from ashyq.cycle.actions.publication import publish_period, reopen_period
from ashyq.cycle.actions.roadmaps import MeasureInput, submit_roadmap
from ashyq.cycle.actions.sources import get_upload, load_values, upload_source_data
from ashyq.cycle.actions.state import get_period

__all__ = [
    "MeasureInput",
    "compute_period",
    "create_period",
    "file_dispute",
    "get_dispute",
    "get_period",
    "get_upload",
    "latest_computation",
    "latest_snapshot",
    "load_values",
    "move_period",
    "publish_period",
    "reopen_period",
    "resolve_dispute",
    "set_deadlines",
    "submit_roadmap",
    "sync_deadlines",
    "upload_source_data",
    "visible_disputes",
]
