"""The deadlines of appeals per appeal type, declared in ``deadlines.yaml`` with their sources.

Each rule says how many working days (or calendar months) an action on an appeal may
take, counted from registration as day zero, and which article of the APPK says so. A rule
whose article, or whose application to its appeal type, was not verified from a text
read is marked ``assumption`` and says why in its ``note``. ``DeadlineRules.table()`` gives
one row per appeal type for joining against appeals; with ``ashyq.calendar`` a deadline is
then ``wd_of_registration + review_working_days`` looked up in the working-day index.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Final, Literal, get_args

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

__all__ = [
    "ACTIONS",
    "APPEAL_TYPE_CODES",
    "Action",
    "AppealTypeCode",
    "DeadlineRule",
    "DeadlineRules",
    "Reference",
    "load_deadline_rules",
]

AppealTypeCode = Literal["complaint", "application", "request", "message", "proposal", "response"]
APPEAL_TYPE_CODES: Final[tuple[AppealTypeCode, ...]] = get_args(AppealTypeCode)

Action = Literal["review", "redirect", "extension"]
ACTIONS: Final[tuple[Action, ...]] = get_args(Action)

# Every appeal type needs these; an extension is optional.
_REQUIRED_ACTIONS: Final[tuple[Action, ...]] = ("review", "redirect")

_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Strict):
    """A text that was read to source the rules: where it is and what it says."""

    id: _Text
    where: _Text
    says: _Text


class DeadlineRule(_Strict):
    """How long one action on one appeal type may take, and where that is laid down."""

    appeal_type: AppealTypeCode
    action: Action
    working_days: int | None = Field(default=None, gt=0)
    calendar_months: int | None = Field(default=None, gt=0)
    counted_from: Literal["registration"]
    source: _Text
    assumption: bool = False
    note: str = ""

    @model_validator(mode="after")
    def _one_unit_and_a_reason(self) -> DeadlineRule:
        if self.action == "extension":
            if self.calendar_months is None or self.working_days is not None:
                raise ValueError("an extension is given in calendar_months, not working_days")
        elif self.working_days is None or self.calendar_months is not None:
            raise ValueError(f"a {self.action} rule is given in working_days, not calendar_months")
        if self.assumption and not self.note.strip():
            raise ValueError("an assumption needs a note saying why it is one")
        return self


class DeadlineRules(_Strict):
    """Every deadline rule: one per appeal type and action, with a review and a redirect each."""

    note: str = ""
    references: tuple[Reference, ...] = ()
    rules: tuple[DeadlineRule, ...]

    @model_validator(mode="after")
    def _complete_and_unique(self) -> DeadlineRules:
        keys = [(rule.appeal_type, rule.action) for rule in self.rules]
        duplicates = sorted({key for key in keys if keys.count(key) > 1})
        if duplicates:
            raise ValueError(f"rules given twice: {duplicates}")
        missing = [
            (appeal_type, action)
            for appeal_type in APPEAL_TYPE_CODES
            for action in _REQUIRED_ACTIONS
            if (appeal_type, action) not in keys
        ]
        if missing:
            raise ValueError(f"rules missing: {missing}")
        ids = [reference.id for reference in self.references]
        if len(ids) != len(set(ids)):
            raise ValueError("a reference id is given twice")
        return self

    def rule(self, appeal_type: str, action: str) -> DeadlineRule:
        """The rule for ``action`` on ``appeal_type``; raises KeyError when there is none."""
        for rule in self.rules:
            if rule.appeal_type == appeal_type and rule.action == action:
                return rule
        raise KeyError(f"no {action!r} rule for appeal type {appeal_type!r}")

    def _working_days(self, appeal_type: str, action: str) -> int:
        days = self.rule(appeal_type, action).working_days
        assert days is not None  # guaranteed by DeadlineRule's validator
        return days

    def review_working_days(self, appeal_type: str) -> int:
        """Working days to review an appeal of this type; raises KeyError for an unknown type."""
        return self._working_days(appeal_type, "review")

    def redirect_working_days(self, appeal_type: str) -> int:
        """Working days to redirect an appeal of this type; raises KeyError for an unknown type."""
        return self._working_days(appeal_type, "redirect")

    def extension_months(self, appeal_type: str) -> int:
        """The longest extended review in calendar months; raises KeyError without a rule."""
        months = self.rule(appeal_type, "extension").calendar_months
        assert months is not None  # guaranteed by DeadlineRule's validator
        return months

    def table(self) -> pa.Table:
        """One row per appeal type, to join on: appeal_type, review_working_days,
        redirect_working_days and extension_months (null where there is no extension rule).
        """
        extensions = {
            r.appeal_type: r.calendar_months for r in self.rules if r.action == "extension"
        }
        return pa.table(
            {
                "appeal_type": pa.array(APPEAL_TYPE_CODES, type=pa.string()),
                "review_working_days": pa.array(
                    [self.review_working_days(t) for t in APPEAL_TYPE_CODES], type=pa.int32()
                ),
                "redirect_working_days": pa.array(
                    [self.redirect_working_days(t) for t in APPEAL_TYPE_CODES], type=pa.int32()
                ),
                "extension_months": pa.array(
                    [extensions.get(t) for t in APPEAL_TYPE_CODES], type=pa.int32()
                ),
            }
        )


def _parse(text: str) -> DeadlineRules:
    return DeadlineRules.model_validate(yaml.safe_load(text))


@cache
def _packaged() -> DeadlineRules:
    text = resources.files("ashyq.appeals").joinpath("deadlines.yaml").read_text(encoding="utf-8")
    return _parse(text)


def load_deadline_rules(path: Path | None = None) -> DeadlineRules:
    """Return the deadline rules of ``path``, or the packaged ``deadlines.yaml`` (cached).

    Raises pydantic's ValidationError when the file does not follow the schema (an unknown
    key, appeal type or action; a missing review or redirect rule; a rule given twice; an
    assumption without a note), yaml.YAMLError when it is not YAML, and OSError when it
    cannot be read.
    """
    if path is None:
        return _packaged()
    return _parse(path.read_text(encoding="utf-8"))
