"""Compute the Openness Index from validated inputs and a methodology."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from ashyq.bodies import Body, BodyRegistry, Level
from ashyq.index.formulas import clamp_and_round, raw_score
from ashyq.index.methodology import Indicator, IndicatorRole, Methodology

__all__ = [
    "BodyInput",
    "BodyResult",
    "CriterionResult",
    "Fact",
    "IndexResult",
    "IndicatorResult",
    "Method",
    "Provenance",
    "compute_index",
]

_ZERO = Decimal(0)


@dataclass(frozen=True)
class Provenance:
    """Where a value came from: the supplying authority, the file, its row and column."""

    file: str
    row: int | None = None
    column: str | None = None
    authority: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(self.column)
        if self.authority:
            parts.append(self.authority.upper())
        return ", ".join(parts)


@dataclass(frozen=True)
class Fact:
    """A number together with its provenance."""

    value: Decimal
    provenance: Provenance


@dataclass(frozen=True)
class BodyInput:
    """What is known about one body: ready scores by indicator, raw counts by field."""

    body: str
    scores: Mapping[str, Fact] = field(default_factory=dict)
    counts: Mapping[str, Fact] = field(default_factory=dict)


class Method(StrEnum):
    """How an indicator's score was obtained."""

    COMPUTED = "computed"  # from raw counts by the declared formula
    READY = "ready"  # delivered as a score by the authority


@dataclass(frozen=True)
class IndicatorResult:
    """One indicator of one body."""

    indicator: Indicator
    score: Decimal
    level: str
    method: Method
    facts: Mapping[str, Fact]

    @property
    def points_lost(self) -> Decimal:
        """Points the body did not get (for a penalty: the penalty points it got)."""
        if self.indicator.role is IndicatorRole.PENALTY:
            return self.score
        return self.indicator.max - self.score

    @property
    def signed_score(self) -> Decimal:
        """The score as it enters the criterion: negative for a penalty."""
        return -self.score if self.indicator.role is IndicatorRole.PENALTY else self.score


@dataclass(frozen=True)
class CriterionResult:
    """One criterion of one body."""

    criterion_id: str
    score: Decimal
    category: str


@dataclass(frozen=True)
class BodyResult:
    """The full result of one body."""

    body: Body
    indicators: Mapping[str, IndicatorResult]
    criteria: Mapping[str, CriterionResult]
    total: Decimal
    grade: str
    rank: int


@dataclass(frozen=True)
class IndexResult:
    """The results of every body, CGO first, each level in rank order."""

    methodology: Methodology
    bodies: tuple[BodyResult, ...]

    def of_level(self, level: Level) -> list[BodyResult]:
        """The results of one level, in rank order."""
        return [r for r in self.bodies if r.body.level is level]

    def for_body(self, code: str) -> BodyResult:
        """The result of one body; raises KeyError when it was not evaluated."""
        for result in self.bodies:
            if result.body.code == code:
                return result
        raise KeyError(code)


def _indicator_result(
    methodology: Methodology, indicator: Indicator, body_input: BodyInput, level: Level
) -> IndicatorResult:
    ready = body_input.scores.get(indicator.id)
    if ready is not None:
        score, method, facts = ready.value, Method.READY, {indicator.id: ready}
    else:
        facts = {name: body_input.counts[name] for name in indicator.input_fields}
        values = {name: fact.value for name, fact in facts.items()}
        unrounded = raw_score(indicator, values, level)
        score = clamp_and_round(unrounded, indicator.max, methodology.rounding)
        method = Method.COMPUTED
    level_id = methodology.level_scale(indicator).classify(score, indicator.max)
    return IndicatorResult(indicator, score, level_id, method, facts)


def _competition_ranks(totals: list[Decimal]) -> list[int]:
    """Ranks for totals sorted best first; equal totals share a rank (1, 2, 2, 4)."""
    ranks: list[int] = []
    for position, total in enumerate(totals):
        ranks.append(ranks[-1] if position and total == totals[position - 1] else position + 1)
    return ranks


def compute_index(
    methodology: Methodology, inputs: Iterable[BodyInput], registry: BodyRegistry
) -> IndexResult:
    """Score every body in ``inputs`` and rank it within its level.

    Each indicator is the ready score when one is given, otherwise the declared formula
    over the raw counts, clamped to ``[0, max]`` and rounded by the methodology. A criterion
    is the sum of its indicators (bonuses added, penalties subtracted); the total is the sum
    of the criteria. Raises KeyError when an indicator has neither a score nor its counts —
    ``read_index_input`` rejects such files with a precise message first.
    """
    unranked: list[tuple[Body, dict[str, IndicatorResult], dict[str, CriterionResult]]] = []
    for body_input in inputs:
        body = registry.get(body_input.body)
        indicators: dict[str, IndicatorResult] = {}
        criteria: dict[str, CriterionResult] = {}
        for criterion in methodology.criteria:
            score = _ZERO
            for indicator in criterion.indicators:
                result = _indicator_result(methodology, indicator, body_input, body.level)
                indicators[indicator.id] = result
                score += result.signed_score
            category = criterion.categories.classify(score, criterion.max)
            criteria[criterion.id] = CriterionResult(criterion.id, score, category)
        unranked.append((body, indicators, criteria))

    ranked: list[BodyResult] = []
    for level in Level:
        rows = [row for row in unranked if row[0].level is level]
        totals = {row[0].code: sum((c.score for c in row[2].values()), _ZERO) for row in rows}
        rows.sort(key=lambda row: (-totals[row[0].code], row[0].code))
        ranks = _competition_ranks([totals[row[0].code] for row in rows])
        for (body, indicators, criteria), rank in zip(rows, ranks, strict=True):
            total = totals[body.code]
            grade = methodology.grades.classify(total, methodology.max_total)
            ranked.append(BodyResult(body, indicators, criteria, total, grade, rank))
    return IndexResult(methodology, tuple(ranked))
