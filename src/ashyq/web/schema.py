"""What every part of the JSON API shares: the base of its models, the one error shape,
the errors every route may answer, and the roadmap as it is shown (published, or just
submitted)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict

from ashyq.db.models import Roadmap

__all__ = [
    "ERRORS",
    "ApiModel",
    "ErrorBody",
    "ErrorDetail",
    "MeasureOut",
    "RoadmapOut",
    "roadmap_out",
]


class ApiModel(BaseModel):
    """A model of the API: a field it does not declare is refused."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(ApiModel):
    """What went wrong, for people (``message``) and programs (``code``)."""

    status: int
    code: str
    message: str
    problems: list[dict[str, Any]]


class ErrorBody(ApiModel):
    """The one error shape of the whole API."""

    error: ErrorDetail


ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody} for status in (400, 401, 403, 404, 409, 422, 429)
}


class MeasureOut(ApiModel):
    """A roadmap measure."""

    measure: str
    owner: str
    due_on: date
    indicator: str


class RoadmapOut(ApiModel):
    """A published roadmap."""

    period: int
    body: str
    approved_by: str
    approved_on: date
    measures: list[MeasureOut]


def roadmap_out(year: int, roadmap: Roadmap) -> RoadmapOut:
    """A stored roadmap as the API shows it."""
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
