"""The results document as a typed, frozen model: the one shape of a period's results.

``results_payload`` builds it from a computation; a stored draft or snapshot is read back
with ``ResultsDocument.from_payload``. ``payload()`` gives the JSON document exactly as it
is stored, decimals as their exact text, so a published snapshot's SHA-256 still verifies
after a round trip (``tests/test_results_model.py``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict

__all__ = [
    "BodyEntry",
    "BodyMovement",
    "CriterionEntry",
    "FactEntry",
    "IndicatorEntry",
    "MethodologyRef",
    "MovementEntry",
    "ResultsDocument",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MovementEntry(_Model):
    """A value's change against the previous published period."""

    previous: str
    change: str

    def payload(self) -> dict[str, str]:
        return {"previous": self.previous, "change": self.change}


class FactEntry(_Model):
    """A raw value behind a score, with where it came from."""

    field: str
    value: Decimal
    source: str
    authority: str | None

    def payload(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "value": str(self.value),
            "source": self.source,
            "authority": self.authority,
        }


class IndicatorEntry(_Model):
    """An indicator's score, level, how it was obtained, its facts and its movement."""

    score: Decimal
    level: str | None
    method: str
    facts: tuple[FactEntry, ...]
    movement: MovementEntry | None = None

    def payload(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "score": str(self.score),
            "level": self.level,
            "method": self.method,
            "facts": [fact.payload() for fact in self.facts],
        }
        if self.movement is not None:
            entry["movement"] = self.movement.payload()
        return entry


class CriterionEntry(_Model):
    """A criterion's score, category and movement."""

    score: Decimal
    category: str | None
    movement: MovementEntry | None = None

    def payload(self) -> dict[str, Any]:
        entry: dict[str, Any] = {"score": str(self.score), "category": self.category}
        if self.movement is not None:
            entry["movement"] = self.movement.payload()
        return entry


class BodyMovement(_Model):
    """How a body's total, grade and rank moved."""

    total: MovementEntry
    grade: MovementEntry
    rank: MovementEntry

    def payload(self) -> dict[str, Any]:
        return {
            "total": self.total.payload(),
            "grade": self.grade.payload(),
            "rank": self.rank.payload(),
        }


class BodyEntry(_Model):
    """One body's results: rank, total, grade, criteria, indicators and movement."""

    code: str
    level: str
    rank: int | None
    total: Decimal
    grade: str | None
    criteria: dict[str, CriterionEntry]
    indicators: dict[str, IndicatorEntry]
    movement: BodyMovement | None = None

    def payload(self) -> dict[str, Any]:
        entry: dict[str, Any] = {
            "code": self.code,
            "level": self.level,
            "rank": self.rank,
            "total": str(self.total),
            "grade": self.grade,
            "criteria": {key: value.payload() for key, value in self.criteria.items()},
            "indicators": {key: value.payload() for key, value in self.indicators.items()},
        }
        if self.movement is not None:
            entry["movement"] = self.movement.payload()
        return entry


class MethodologyRef(_Model):
    """The methodology the results were computed by."""

    id: str
    version: str

    def payload(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version}


class ResultsDocument(_Model):
    """A period's results: every body's, with the previous period they move against and
    the bodies whose source data is still incomplete (not ranked yet). A published
    snapshot also holds its ``version``; a draft has none."""

    period: int
    previous_period: int | None
    methodology: MethodologyRef
    bodies: tuple[BodyEntry, ...]
    incomplete: dict[str, list[str]]
    version: int | None = None

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ResultsDocument:
        """The document stored as ``payload``; raises pydantic's ValidationError when it is
        not one."""
        return cls.model_validate(payload)

    def payload(self) -> dict[str, Any]:
        """The JSON document exactly as stored (and hashed)."""
        document: dict[str, Any] = {
            "period": self.period,
            "previous_period": self.previous_period,
            "methodology": self.methodology.payload(),
            "bodies": [body.payload() for body in self.bodies],
            "incomplete": {key: list(value) for key, value in self.incomplete.items()},
        }
        if self.version is not None:
            document["version"] = self.version
        return document

    def body(self, code: str) -> BodyEntry | None:
        """The results of body ``code``, if it was evaluated."""
        return next((body for body in self.bodies if body.code == code), None)
