"""The states of an evaluation period and how it moves between them.

draft → collecting → disputes open → consolidation → published. A period moves forward
on its deadlines (Astana time) or by an analyst's action; a published period reopens only
into consolidation, and its next publication is a new version.
"""

from __future__ import annotations

from datetime import datetime, time
from enum import StrEnum
from typing import Final

from ashyq.i18n import N_
from ashyq.i18n.dates import ASTANA
from ashyq.index.methodology import Timeline

__all__ = [
    "ASTANA",
    "NEXT_STATE",
    "STATE_NAMES",
    "State",
    "deadline_of",
    "due_state",
    "timeline_deadlines",
]


class State(StrEnum):
    """Where a period's cycle stands."""

    DRAFT = "draft"
    COLLECTING = "collecting"
    DISPUTES_OPEN = "disputes_open"
    CONSOLIDATION = "consolidation"
    PUBLISHED = "published"


STATE_NAMES: Final[dict[State, str]] = {
    State.DRAFT: N_("Draft"),
    State.COLLECTING: N_("Collecting source data"),
    State.DISPUTES_OPEN: N_("Disputes open"),
    State.CONSOLIDATION: N_("Consolidation"),
    State.PUBLISHED: N_("Published"),
}

# The forward move an analyst may make; publishing is its own action (it writes a snapshot).
NEXT_STATE: Final[dict[State, State]] = {
    State.DRAFT: State.COLLECTING,
    State.COLLECTING: State.DISPUTES_OPEN,
    State.DISPUTES_OPEN: State.CONSOLIDATION,
}


def deadline_of(day: str, year: int) -> datetime:
    """The end of ``day`` (``MM-DD``) of ``year`` in Astana time: 23:59:59 that day."""
    month, dom = (int(part) for part in day.split("-"))
    return datetime.combine(datetime(year, month, dom).date(), time(23, 59, 59), tzinfo=ASTANA)


def timeline_deadlines(timeline: Timeline, period_year: int) -> tuple[datetime, datetime, datetime]:
    """The three deadlines of a period's cycle, in the year after the period."""
    year = period_year + 1
    return (
        deadline_of(timeline.source_data_due, year),
        deadline_of(timeline.disputes_until, year),
        deadline_of(timeline.consolidation_by, year),
    )


def due_state(
    state: State, now: datetime, source_data_due: datetime, disputes_until: datetime
) -> State:
    """The state a period should be in at ``now`` given its deadlines.

    Collecting ends when the source data are due; disputes end when their window closes.
    Draft, consolidation and published never move by the clock: opening a period,
    publishing and reopening are decisions.
    """
    if state is State.COLLECTING and now > source_data_due:
        state = State.DISPUTES_OPEN
    if state is State.DISPUTES_OPEN and now > disputes_until:
        state = State.CONSOLIDATION
    return state
