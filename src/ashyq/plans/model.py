"""A strategic plan: directions, goals, target indicators with plan and actual values per
year, and the risk register; the verdict of each target follows its direction.

A plan is declared in a YAML file (``reference/*.yaml`` ship with Ashyq). Numbers may be
written as the reports print them ("7,4", "391 954"). A file that breaks the schema is
rejected with every problem named: file, the path of the field, what was expected and
what was found.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from ashyq.errors import InputError, InputProblem, Message
from ashyq.i18n import N_, Text
from ashyq.numbers import parse_decimal

__all__ = [
    "Goal",
    "ImprovementDirection",
    "PlanNotFoundError",
    "Risk",
    "StrategicDirection",
    "StrategicPlan",
    "Target",
    "TargetIndicator",
    "Verdict",
    "YearValue",
    "available_plans",
    "load_plan",
]

_IDENT = r"^[a-z][a-z0-9_]*$"


def _number(value: object) -> object:
    """Accept Russian spellings of numbers ("7,4", "391 954") as well as YAML numbers."""
    if isinstance(value, str):
        return parse_decimal(value, allow_percent=True)
    if isinstance(value, int | float):
        return Decimal(str(value))
    return value


Number = Annotated[Decimal, BeforeValidator(_number)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ImprovementDirection(StrEnum):
    """Which way a target indicator improves."""

    HIGHER = "higher_is_better"
    LOWER = "lower_is_better"


class Verdict(StrEnum):
    """Whether a target was met in a year."""

    ACHIEVED = "achieved"
    NOT_ACHIEVED = "not_achieved"
    NO_DATA = "no_data"


VERDICT_NAMES: dict[Verdict, str] = {
    Verdict.ACHIEVED: N_("Achieved"),
    Verdict.NOT_ACHIEVED: N_("Not achieved"),
    Verdict.NO_DATA: N_("No actual value"),
}
# How reports print a verdict (seed 004, column 6).
PRINTED_VERDICTS: dict[str, Verdict] = {
    "Достигнут": Verdict.ACHIEVED,
    "Не достигнут": Verdict.NOT_ACHIEVED,
    "Қол жеткізілді": Verdict.ACHIEVED,
    "Қол жеткізілмеді": Verdict.NOT_ACHIEVED,
}


class YearValue(_Strict):
    """A target's plan and actual value in one year, and what the report printed."""

    plan: Number
    actual: Number | None = None
    verdict_as_printed: str | None = None
    note: str | None = None
    seed_line: int | None = None

    @model_validator(mode="after")
    def _known_verdict(self) -> YearValue:
        printed = self.verdict_as_printed
        if printed is not None and printed not in PRINTED_VERDICTS:
            known = ", ".join(PRINTED_VERDICTS)
            raise ValueError(f"verdict_as_printed {printed!r} is not one of: {known}")
        return self


class TargetIndicator(_Strict):
    """A target indicator of a goal."""

    id: Annotated[str, Field(pattern=_IDENT)]
    name: Text
    source: str
    unit: str
    direction: ImprovementDirection
    values: dict[int, YearValue] = Field(min_length=1)

    def verdict(self, year: int) -> Verdict:
        """Achieved when the actual value reaches the plan in the indicator's direction:
        ``actual ≥ plan`` when higher is better, ``actual ≤ plan`` when lower is better."""
        value = self.values.get(year)
        if value is None or value.actual is None:
            return Verdict.NO_DATA
        if self.direction is ImprovementDirection.HIGHER:
            met = value.actual >= value.plan
        else:
            met = value.actual <= value.plan
        return Verdict.ACHIEVED if met else Verdict.NOT_ACHIEVED


class Goal(_Strict):
    """A goal of a strategic direction and its target indicators."""

    id: str
    name: Text
    seed_line: int | None = None
    indicators: tuple[TargetIndicator, ...] = Field(min_length=1)


class StrategicDirection(_Strict):
    """A strategic direction and its goals."""

    id: str
    name: Text
    seed_line: int | None = None
    goals: tuple[Goal, ...] = Field(min_length=1)


class Risk(_Strict):
    """A risk of the register: the planned mitigation and what was actually done."""

    goal: str
    risk: str
    planned: str
    actual: str | None = None
    status: Literal["executed", "partly_executed", "not_executed"]
    status_as_printed: str | None = None
    seed_lines: tuple[int, ...] = ()


@dataclass(frozen=True)
class Target:
    """One row of the table of targets: a target indicator in one year, and its verdict."""

    direction: StrategicDirection
    goal: Goal
    indicator: TargetIndicator
    year: int
    value: YearValue
    verdict: Verdict

    @property
    def printed_verdict(self) -> Verdict | None:
        """The verdict the report printed, if it printed one."""
        printed = self.value.verdict_as_printed
        return PRINTED_VERDICTS[printed] if printed is not None else None


class StrategicPlan(_Strict):
    """A body's strategic plan for a span of years."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    body: str
    name: Text
    first_year: int
    last_year: int
    source: str
    directions: tuple[StrategicDirection, ...] = Field(min_length=1)
    sources: dict[str, Text]
    risks: tuple[Risk, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> StrategicPlan:
        problems = []
        if self.first_year > self.last_year:
            problems.append(f"first_year {self.first_year} is after last_year {self.last_year}")
        ids = [i.id for i in self.indicators]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            problems.append(f"indicator ids declared twice: {', '.join(twice)}")
        for indicator in self.indicators:
            if indicator.source not in self.sources:
                problems.append(f"indicator {indicator.id}: unknown source {indicator.source!r}")
            outside = [y for y in indicator.values if not self.first_year <= y <= self.last_year]
            if outside:
                years = ", ".join(map(str, outside))
                problems.append(f"indicator {indicator.id}: years outside the plan: {years}")
        goals = {goal.id for direction in self.directions for goal in direction.goals}
        for risk in self.risks:
            if risk.goal not in goals:
                problems.append(f"a risk names an unknown goal {risk.goal!r}")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    @property
    def indicators(self) -> tuple[TargetIndicator, ...]:
        """Every target indicator, in declaration order."""
        return tuple(
            indicator
            for direction in self.directions
            for goal in direction.goals
            for indicator in goal.indicators
        )

    @property
    def years(self) -> tuple[int, ...]:
        """The years with at least one plan value, in order."""
        return tuple(sorted({year for i in self.indicators for year in i.values}))

    def targets(self, year: int) -> list[Target]:
        """The table of targets of ``year``: every indicator with a plan that year."""
        return [
            Target(
                direction, goal, indicator, year, indicator.values[year], indicator.verdict(year)
            )
            for direction in self.directions
            for goal in direction.goals
            for indicator in goal.indicators
            if year in indicator.values
        ]

    def risks_of(self, goal_id: str) -> list[Risk]:
        """The risks declared under a goal."""
        return [risk for risk in self.risks if risk.goal == goal_id]


class PlanNotFoundError(LookupError):
    """No packaged plan has that name and no such file exists."""


_PACKAGED = "ashyq.plans.reference"


def available_plans() -> list[str]:
    """The names of the plans that ship with Ashyq (e.g. ``["adgs-2017-2021"]``)."""
    folder = resources.files(_PACKAGED)
    return sorted(
        e.name.removesuffix(".yaml") for e in folder.iterdir() if e.name.endswith(".yaml")
    )


_EXPECTED = N_("a value that follows the plan schema ({reason})")


def _field_path(location: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in location) or "(file)"


def _parse(text: str, file: str) -> StrategicPlan:
    try:
        data: Any = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as error:
        problem = InputProblem(
            "yaml", file, None, None, Message(N_("a YAML document")), str(error).splitlines()[0]
        )
        raise InputError([problem]) from None
    try:
        return StrategicPlan.model_validate(data)
    except ValidationError as error:
        details = error.errors()
        locations = [tuple(detail["loc"]) for detail in details]
        problems = [
            InputProblem(
                "schema",
                file,
                None,
                _field_path(detail["loc"]),
                Message(_EXPECTED, {"reason": detail["msg"]}),
                _shown(detail["input"]),
            )
            for detail in details
            # A list emptied by its items' own errors adds nothing: name the items only.
            if not any(
                len(other) > len(detail["loc"]) and other[: len(detail["loc"])] == detail["loc"]
                for other in locations
            )
        ]
        raise InputError(problems) from None


def _shown(value: object) -> str:
    if isinstance(value, dict):
        return "{…}"
    if isinstance(value, list | tuple):
        return "[…]"
    return repr(value)


@cache
def _packaged(name: str) -> StrategicPlan | None:
    entry = resources.files(_PACKAGED).joinpath(f"{name}.yaml")
    if not entry.is_file():
        return None
    return _parse(entry.read_text(encoding="utf-8"), f"{name}.yaml")


def load_plan(name_or_path: str | Path) -> StrategicPlan:
    """A packaged plan by name, or a plan file by path.

    Raises PlanNotFoundError when neither exists and InputError naming every problem of a
    file that breaks the schema.
    """
    packaged = _packaged(str(name_or_path))
    if packaged is not None:
        return packaged
    path = Path(name_or_path)
    if not path.is_file():
        known = ", ".join(available_plans())
        raise PlanNotFoundError(
            f"no plan {str(name_or_path)!r}: not a packaged one ({known}) nor a file"
        )
    return _parse(path.read_text(encoding="utf-8"), str(path))
