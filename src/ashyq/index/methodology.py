"""The Openness Index methodology, declared as data.

A methodology is one YAML file (see ``methodologies/openness-2025.yaml``). This module
defines its schema; the engine, the input validator, the docs and the reports all read
the same declaration, so a new year's methodology is a new file, not new code.
"""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from typing import Annotated, Final, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ashyq.bodies import Level
from ashyq.i18n import Text
from ashyq.settings import settings

__all__ = [
    "Authority",
    "BandScale",
    "BucketedAverage",
    "CappedBonus",
    "Component",
    "CorrelatingCoefficients",
    "Criterion",
    "Formula",
    "Indicator",
    "IndicatorRole",
    "Methodology",
    "MethodologyNotFoundError",
    "Penalty",
    "PerFactDeduction",
    "RateDeduction",
    "ReadyScore",
    "RoadmapRule",
    "StepThresholds",
    "available_methodologies",
    "load_methodology",
    "load_methodology_file",
]

_IDENT = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    """Unknown keys in a methodology file are an error, never silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Authority(StrEnum):
    """The authorised bodies that supply the source data of an indicator."""

    KPSSU = "kpssu"
    MKI = "mki"
    MIICR = "miicr"


class IndicatorRole(StrEnum):
    """How an indicator enters its criterion: added, added beyond the max, or subtracted."""

    CORE = "core"
    BONUS = "bonus"
    PENALTY = "penalty"


class EmptyRule(StrEnum):
    """What an empty denominator (nothing to evaluate) gives."""

    FULL = "full"
    ZERO = "zero"


# --- formula kinds -----------------------------------------------------------------------


class RateDeduction(_Strict):
    """``max · (1 − scale · numerator / denominator)``, clamped at 0."""

    kind: Literal["rate_deduction"]
    numerator: str
    denominator: str
    scale: Decimal = Field(gt=0)
    empty_denominator: EmptyRule = EmptyRule.FULL

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.numerator, self.denominator)


class PerFactDeduction(_Strict):
    """``max − per_fact · count``, clamped at 0."""

    kind: Literal["per_fact_deduction"]
    count: str
    per_fact: Decimal = Field(gt=0)

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.count,)


class Step(_Strict):
    """One step: the score given when the measured value passes ``threshold``."""

    threshold: Decimal
    score: Decimal = Field(ge=0)


class StepThresholds(_Strict):
    """A score read off a step table.

    The measured value is either one input field (``value``) or the percentage
    ``100 · numerator / denominator``. With ``higher_is_better`` the first step whose
    threshold the value reaches (≥) applies; with ``lower_is_better`` the first step whose
    threshold the value does not exceed (≤). A value that passes no step scores
    ``otherwise``. ``steps_by_level`` lets CGO and MIO have different tables.
    """

    kind: Literal["step_thresholds"]
    value: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    direction: Literal["higher_is_better", "lower_is_better"]
    steps_by_level: dict[Level, tuple[Step, ...]]
    otherwise: Decimal = Decimal(0)
    empty_denominator: EmptyRule = EmptyRule.FULL

    @model_validator(mode="after")
    def _one_measure(self) -> StepThresholds:
        ratio = self.numerator is not None and self.denominator is not None
        if (self.value is None) == (not ratio):
            raise ValueError("declare either `value` or both `numerator` and `denominator`")
        if set(self.steps_by_level) != set(Level):
            raise ValueError("steps_by_level must declare a table for CGO and for MIO")
        for steps in self.steps_by_level.values():
            thresholds = [step.threshold for step in steps]
            ordered = sorted(thresholds, reverse=self.direction == "higher_is_better")
            if thresholds != ordered:
                raise ValueError("steps must run from the best threshold to the worst")
        return self

    @property
    def fields(self) -> tuple[str, ...]:
        if self.value is not None:
            return (self.value,)
        assert self.numerator is not None and self.denominator is not None
        return (self.numerator, self.denominator)


class Bucket(_Strict):
    """A count field and the weight each counted item carries."""

    field: str
    weight: Decimal = Field(ge=0)


class BucketedAverage(_Strict):
    """The count-weighted mean of bucket points, times a mean correction coefficient.

    ``score = (Σ points_i · n_i / Σ n_i) · (Σ coefficient_j · m_j / Σ m_j)``. When nothing
    was booked at all (both sums are zero), ``empty`` applies.
    """

    kind: Literal["bucketed_average"]
    buckets: tuple[Bucket, ...] = Field(min_length=1)
    correction: tuple[Bucket, ...] = ()
    empty: EmptyRule = EmptyRule.FULL

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(b.field for b in (*self.buckets, *self.correction))


class Component(_Strict):
    """A sub-score field and the most it may hold."""

    field: str
    max: Decimal = Field(gt=0)


class CorrelatingCoefficients(_Strict):
    """``(Σ components) · min(coefficient_cap, Σ coefficients)``.

    Each coefficient takes one of ``coefficient_values`` (0, 0.25 or 0.5 in 2025).
    """

    kind: Literal["correlating_coefficients"]
    components: tuple[Component, ...] = Field(min_length=1)
    coefficients: tuple[str, ...] = Field(min_length=1)
    coefficient_cap: Decimal = Decimal(1)
    coefficient_values: tuple[Decimal, ...] = (Decimal("0"), Decimal("0.25"), Decimal("0.5"))

    @property
    def fields(self) -> tuple[str, ...]:
        return (*(c.field for c in self.components), *self.coefficients)


class Penalty(_Strict):
    """Penalty points ``min(max, per_fact · count)``, subtracted from the criterion."""

    kind: Literal["penalty"]
    count: str
    per_fact: Decimal = Field(gt=0)

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.count,)


class CappedBonus(_Strict):
    """Bonus points ``min(max, per_fact · count)``, added beyond the criterion's max."""

    kind: Literal["capped_bonus"]
    count: str
    per_fact: Decimal = Field(gt=0)

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.count,)


class ReadyScore(_Strict):
    """The authority delivers the score itself; the report publishes no formula."""

    kind: Literal["ready_score"]

    @property
    def fields(self) -> tuple[str, ...]:
        return ()


Formula = Annotated[
    RateDeduction
    | PerFactDeduction
    | StepThresholds
    | BucketedAverage
    | CorrelatingCoefficients
    | Penalty
    | CappedBonus
    | ReadyScore,
    Field(discriminator="kind"),
]


# --- scales ------------------------------------------------------------------------------


class Band(_Strict):
    """One band of a scale: ``id`` applies from ``bound`` on (see the scale's direction)."""

    id: str
    bound: Decimal | None = None
    name: Text


class BandScale(_Strict):
    """An ordered scale of bands, from the best band to the worst.

    With ``higher_is_better`` a value belongs to the first band whose ``bound`` it reaches
    (value ≥ bound); with ``lower_is_better`` to the first band it stays below
    (value < bound). The last band has no bound and catches the rest.
    """

    measure: Literal["points", "share_of_max"]
    direction: Literal["higher_is_better", "lower_is_better"] = "higher_is_better"
    bands: tuple[Band, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _ordered(self) -> BandScale:
        *bounded, last = self.bands
        if last.bound is not None or any(b.bound is None for b in bounded):
            raise ValueError("every band but the last needs a bound; the last has none")
        bounds = [b.bound for b in bounded if b.bound is not None]
        if bounds != sorted(bounds, reverse=self.direction == "higher_is_better"):
            raise ValueError("bands must run from the best to the worst")
        return self

    def classify(self, value: Decimal, maximum: Decimal) -> str:
        """Return the id of the band that ``value`` (out of ``maximum``) falls in."""
        measured = value / maximum if self.measure == "share_of_max" else value
        for band in self.bands:
            if band.bound is None:
                return band.id
            if self.direction == "higher_is_better" and measured >= band.bound:
                return band.id
            if self.direction == "lower_is_better" and measured < band.bound:
                return band.id
        raise AssertionError("unreachable: the last band has no bound")

    def band(self, band_id: str) -> Band:
        """Return the band with this id; raises KeyError for an unknown id."""
        for band in self.bands:
            if band.id == band_id:
                return band
        raise KeyError(band_id)

    def rank_of(self, band_id: str) -> int:
        """0 for the best band; larger is worse."""
        return [b.id for b in self.bands].index(band_id)


# --- criteria and indicators -------------------------------------------------------------


class Source(_Strict):
    """Where the rule comes from: a line of the published report, or a stated assumption."""

    ref: str
    assumption: str | None = None


class Indicator(_Strict):
    """One indicator: its points, who supplies it, and how it is scored.

    ``purpose`` says what the indicator evaluates and why, as the report's methodology
    does; the methodology text of the reports is generated from it (``reports.describe``).
    """

    id: Annotated[str, Field(pattern=_IDENT)]
    name: Text
    purpose: Text
    max: Decimal = Field(gt=0)
    role: IndicatorRole = IndicatorRole.CORE
    authority: Authority
    formula: Formula
    levels: BandScale | None = None
    source: Source

    @property
    def input_fields(self) -> tuple[str, ...]:
        """The raw-count fields the formula reads (empty for a ready score)."""
        return self.formula.fields


class Criterion(_Strict):
    """A criterion: the sum of its indicators (penalties subtracted, bonuses added)."""

    id: Annotated[str, Field(pattern=_IDENT)]
    name: Text
    purpose: Text
    max: Decimal = Field(gt=0)
    bonus_max: Decimal = Decimal(0)
    categories: BandScale
    indicators: tuple[Indicator, ...] = Field(min_length=1)
    source: Source

    @model_validator(mode="after")
    def _points_add_up(self) -> Criterion:
        core = sum((i.max for i in self.indicators if i.role is IndicatorRole.CORE), Decimal(0))
        bonus = sum((i.max for i in self.indicators if i.role is IndicatorRole.BONUS), Decimal(0))
        if core != self.max:
            raise ValueError(f"criterion {self.id}: indicators add up to {core}, max is {self.max}")
        if bonus != self.bonus_max:
            raise ValueError(
                f"criterion {self.id}: bonuses add up to {bonus}, not {self.bonus_max}"
            )
        return self


class Rounding(_Strict):
    """How computed indicator scores are rounded."""

    decimals: int = Field(ge=0, le=6)
    mode: Literal["half_up"]


class Timeline(_Strict):
    """The evaluation cycle's deadlines, as month-day of the year after the period."""

    source_data_due: str
    disputes_until: str
    consolidation_by: str


class RoadmapRule(_Strict):
    """Which grades oblige a body to approve and publish a roadmap."""

    grades: tuple[str, ...] = Field(min_length=1)
    source: Source


class Methodology(_Strict):
    """A complete, versioned Openness Index methodology.

    ``fields`` labels every raw-count field a formula reads (and nothing else), so the
    methodology text can name the counts in the reader's language.
    """

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")]
    version: str
    period: int
    title: Text
    source: Source
    rounding: Rounding
    levels: BandScale
    grades: BandScale
    timeline: Timeline
    roadmap: RoadmapRule
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    fields: dict[Annotated[str, Field(pattern=_IDENT)], Text]

    @model_validator(mode="after")
    def _unique_ids(self) -> Methodology:
        ids = [c.id for c in self.criteria] + [i.id for i in self.indicators]
        duplicated = sorted({x for x in ids if ids.count(x) > 1})
        if duplicated:
            raise ValueError(f"ids declared twice: {', '.join(duplicated)}")
        return self

    @model_validator(mode="after")
    def _roadmap_grades_exist(self) -> Methodology:
        known = {band.id for band in self.grades.bands}
        unknown = [grade for grade in self.roadmap.grades if grade not in known]
        if unknown:
            raise ValueError(f"roadmap grades not among the grades: {', '.join(unknown)}")
        return self

    @model_validator(mode="after")
    def _every_field_labelled(self) -> Methodology:
        read = self.raw_fields
        problems = []
        unlabelled = [field for field in read if field not in self.fields]
        if unlabelled:
            problems.append(
                f"raw fields without a label in `fields`: {', '.join(unlabelled)} "
                "(give each a ru, kk and en label)"
            )
        unknown = [field for field in self.fields if field not in read]
        if unknown:
            problems.append(
                f"`fields` labels fields no formula reads: {', '.join(unknown)} "
                "(remove the label or fix the field id)"
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def field_label(self, field: str) -> Text:
        """The label of a raw-count field in the three languages; raises KeyError if none."""
        return self.fields[field]

    def needs_roadmap(self, grade: str) -> bool:
        """Whether a body with ``grade`` must approve and publish a roadmap."""
        return grade in self.roadmap.grades

    @property
    def indicators(self) -> tuple[Indicator, ...]:
        """Every indicator, in declaration order."""
        return tuple(i for c in self.criteria for i in c.indicators)

    @cached_property
    def _by_id(self) -> dict[str, tuple[Criterion, Indicator]]:
        return {i.id: (c, i) for c in self.criteria for i in c.indicators}

    def indicator(self, indicator_id: str) -> Indicator:
        """Return the indicator with this id; raises KeyError if none."""
        return self._by_id[indicator_id][1]

    def criterion_of(self, indicator_id: str) -> Criterion:
        """Return the criterion an indicator belongs to; raises KeyError if none."""
        return self._by_id[indicator_id][0]

    def criterion(self, criterion_id: str) -> Criterion:
        """Return the criterion with this id; raises KeyError if none."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(criterion_id)

    def level_scale(self, indicator: Indicator) -> BandScale:
        """The level scale of an indicator: its own, or the methodology's default."""
        return indicator.levels or self.levels

    @property
    def max_total(self) -> Decimal:
        """The maximum total without bonuses (100 in 2025)."""
        return sum((c.max for c in self.criteria), Decimal(0))

    @property
    def raw_fields(self) -> tuple[str, ...]:
        """Every raw-count field any formula reads, in declaration order, once each."""
        seen: dict[str, None] = {}
        for indicator in self.indicators:
            for field in indicator.input_fields:
                seen.setdefault(field, None)
        return tuple(seen)


class MethodologyNotFoundError(LookupError):
    """No packaged methodology has that name and no such file exists."""


_PACKAGED = "ashyq.index.methodologies"


def available_methodologies() -> list[str]:
    """Return the names of the packaged methodologies (e.g. ``["2025"]``)."""
    names = []
    for entry in resources.files(_PACKAGED).iterdir():
        match = re.fullmatch(r"openness-(.+)\.yaml", entry.name)
        if match:
            names.append(match.group(1))
    return sorted(names)


@cache
def _packaged(name: str) -> Methodology | None:
    # Packaged declarations never change while running: parse each once per process.
    candidate = resources.files(_PACKAGED).joinpath(f"openness-{name}.yaml")
    if not candidate.is_file():
        return None
    return _parse(candidate.read_text(encoding="utf-8"))


def _parse(text: str) -> Methodology:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return Methodology.model_validate(yaml.load(text, Loader=loader))


# A methodology's id is its name in the catalogue after this prefix (openness-2025).
_ID_PREFIX: Final = "openness-"
# A methodology's name in the catalogue: never a path, so no request can name a file.
_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,63}")


def load_methodology(name: str) -> Methodology:
    """Load a methodology of the catalogue by name (``"2025"``, or its id,
    ``"openness-2025"``): a packaged one, or one the agency added to the data directory
    as ``methodologies/openness-<name>.yaml``.

    Names are letters, digits, ``-`` and ``_``: a path is never read (``load_methodology_file``
    reads a file a user names on the command line). Raises MethodologyNotFoundError when
    there is no such methodology, and pydantic's ValidationError when its file does not
    follow the schema.
    """
    name = name.removeprefix(_ID_PREFIX)
    if _NAME.fullmatch(name):
        packaged = _packaged(name)
        if packaged is not None:
            return packaged
        added = settings().paths.methodologies / f"openness-{name}.yaml"
        if added.is_file():
            return _parse(added.read_text(encoding="utf-8"))
    known = ", ".join(available_methodologies())
    raise MethodologyNotFoundError(f"no methodology {name!r} (the catalogue has: {known})")


def load_methodology_file(path: Path) -> Methodology:
    """Load the methodology YAML file at ``path``; raises MethodologyNotFoundError when it
    does not exist, and pydantic's ValidationError when it does not follow the schema."""
    if not path.is_file():
        raise MethodologyNotFoundError(f"no methodology file {str(path)!r}")
    return _parse(path.read_text(encoding="utf-8"))
