"""What the cycle's pages and its API share: the models of what both accept (deadlines,
roadmaps) and filing a dispute."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Final

from fastapi import File, Form, Request, UploadFile
from pydantic import AfterValidator, BaseModel, Field
from pydantic_core import PydanticCustomError
from sqlalchemy.orm import Session

from ashyq.access.accounts import Actor
from ashyq.cycle import actions
from ashyq.db.models import Dispute
from ashyq.web.portal import (
    portal_of,
    read_attachments,
)
from ashyq.web.schema import ApiModel

__all__ = [
    "MAX_MEASURES",
    "PLAN_YEARS",
    "Attachments",
    "Deadlines",
    "DisputedIndicator",
    "Justification",
    "MeasureIn",
    "PlanDate",
    "PlanMoment",
    "RoadmapIn",
    "file_dispute_from_form",
    "max_lengths",
]

# The years a deadline, a due date or an approval may fall in, and the same for OpenAPI
# (JSON Schema compares no dates: a pattern on the year says it).
PLAN_YEARS: Final = (2000, 2100)
_PLAN_YEAR_PATTERN: Final = "^(20[0-9]{2}|2100)-"


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


class Deadlines(ApiModel):
    """A period's deadlines (timezone-aware; Astana is UTC+05:00)."""

    source_data_due: PlanMoment
    disputes_until: PlanMoment
    consolidation_by: PlanMoment


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


class MeasureIn(ApiModel):
    """A measure of a roadmap (the API and the workspace form both check it)."""

    measure: str = Field(min_length=1, max_length=2000)
    owner: str = Field(min_length=1, max_length=200)
    due_on: PlanDate
    indicator: str = Field(max_length=80)


class RoadmapIn(ApiModel):
    """A roadmap as submitted by the body."""

    approved_by: str = Field(min_length=1, max_length=200)
    approved_on: PlanDate
    measures: list[MeasureIn] = Field(min_length=1, max_length=MAX_MEASURES)


# The fields of a dispute, as the page's form and the API both take them.
DisputedIndicator = Annotated[str, Form(min_length=1, max_length=80)]
Justification = Annotated[str, Form(min_length=1, max_length=10000)]
Attachments = Annotated[list[UploadFile], File()]


def file_dispute_from_form(
    request: Request,
    session: Session,
    actor: Actor,
    year: int,
    indicator: str,
    justification: str,
    attachments: list[UploadFile],
) -> Dispute:
    """File a dispute of the actor's own body, from the page's form or the API's: the one
    place both read the attachments and call the action."""
    portal = portal_of(request)
    return actions.file_dispute(
        session,
        actor,
        actions.get_period(session, year),
        body_code=actor.body_code or "",
        indicator=indicator,
        justification=justification,
        attachments=read_attachments(attachments),
        files=portal.files,
        now=portal.clock(),
    )
