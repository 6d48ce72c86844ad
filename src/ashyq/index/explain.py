"""Explain a body's score: the points it lost, the facts behind them, and the way up.

The way up is the smallest set of indicators whose recovery lifts the total to the next
grade: the indicators are taken in order of the points they can still give, so no
smaller set of indicators can close the gap, and the last one only as far as needed.
Where the formula can be inverted, the improvement is also stated in raw facts
("at most 13 late reviews instead of 25").
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from ashyq.index.engine import BodyResult, IndicatorResult, Method
from ashyq.index.methodology import (
    CappedBonus,
    Methodology,
    Penalty,
    PerFactDeduction,
    RateDeduction,
)

__all__ = ["Explanation", "Improvement", "explain"]

_ZERO = Decimal(0)
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class Improvement:
    """Raise one indicator by ``gain`` points; optionally, the raw count that achieves it."""

    indicator: IndicatorResult
    gain: Decimal
    target_score: Decimal
    field: str | None = None
    current_count: Decimal | None = None
    target_count: Decimal | None = None


@dataclass(frozen=True)
class Explanation:
    """Why a body scored what it did, and what would lift it one grade."""

    result: BodyResult
    losses: tuple[IndicatorResult, ...]  # indicators with points lost, largest first
    next_grade: str | None
    points_needed: Decimal
    improvements: tuple[Improvement, ...]


def _count_target(indicator: IndicatorResult, target: Decimal) -> tuple[str, Decimal] | None:
    """The raw count, and the value of it, that gives ``target`` points; None if not invertible."""
    formula = indicator.indicator.formula
    maximum = indicator.indicator.max
    if isinstance(formula, RateDeduction):
        # max·(1 − scale·n/d) ≥ target  ⇔  n ≤ d·(1 − target/max)/scale
        denominator = indicator.facts[formula.denominator].value
        allowed = denominator * (1 - target / maximum) / formula.scale
        return formula.numerator, Decimal(math.floor(allowed))
    if isinstance(formula, PerFactDeduction):
        return formula.count, Decimal(math.floor((maximum - target) / formula.per_fact))
    if isinstance(formula, Penalty):
        return formula.count, Decimal(math.floor(target / formula.per_fact))
    if isinstance(formula, CappedBonus):
        return formula.count, (target / formula.per_fact).to_integral_value(rounding=ROUND_CEILING)
    return None


def _with_facts(indicator: IndicatorResult, gain: Decimal) -> Improvement:
    """An improvement of ``gain`` points, stated in raw counts where the formula allows."""
    penalty = isinstance(indicator.indicator.formula, Penalty)
    target = indicator.score - gain if penalty else indicator.score + gain
    counted = _count_target(indicator, target) if indicator.method is Method.COMPUTED else None
    if counted is None:
        return Improvement(indicator, gain, target)
    field, target_count = counted
    return Improvement(indicator, gain, target, field, indicator.facts[field].value, target_count)


def explain(methodology: Methodology, result: BodyResult) -> Explanation:
    """Explain ``result``: its losses, the next grade and the fewest improvements to reach it."""
    losses = sorted(
        (i for i in result.indicators.values() if i.points_lost > 0),
        key=lambda i: (-i.points_lost, i.indicator.id),
    )
    position = methodology.grades.rank_of(result.grade)
    if position == 0:
        return Explanation(result, tuple(losses), None, _ZERO, ())
    next_band = methodology.grades.bands[position - 1]
    assert next_band.bound is not None
    needed = next_band.bound - result.total
    improvements: list[Improvement] = []
    remaining = needed
    for indicator in losses:
        if remaining <= 0:
            break
        gain = min(indicator.points_lost, remaining.quantize(_CENT, rounding=ROUND_CEILING))
        improvements.append(_with_facts(indicator, gain))
        remaining -= gain
    if remaining > 0:  # even full marks everywhere would not reach the next grade
        improvements = []
    return Explanation(result, tuple(losses), next_band.id, needed, tuple(improvements))
