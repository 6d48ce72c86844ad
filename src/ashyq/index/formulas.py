"""The formula kinds a methodology may declare, each scoring one indicator from raw counts.

Every function returns the *unclamped, unrounded* score; the engine clamps it to
``[0, max]`` and rounds it by the methodology's rule, so that rule lives in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ashyq.bodies import Level
from ashyq.index.methodology import (
    Bucket,
    BucketedAverage,
    CappedBonus,
    CorrelatingCoefficients,
    EmptyRule,
    Indicator,
    Penalty,
    PerFactDeduction,
    RateDeduction,
    ReadyScore,
    Rounding,
    StepThresholds,
)

__all__ = ["clamp_and_round", "raw_score", "round_half_up"]

Values = Mapping[str, Decimal]
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """Round to ``decimals`` places, halves away from zero (3.785 → 3.79)."""
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def clamp_and_round(value: Decimal, maximum: Decimal, rounding: Rounding) -> Decimal:
    """Clamp a computed score to ``[0, maximum]``, then round it by the methodology's rule."""
    clamped = min(max(value, _ZERO), maximum)
    return round_half_up(clamped, rounding.decimals)


def _empty(rule: EmptyRule, maximum: Decimal) -> Decimal:
    return maximum if rule is EmptyRule.FULL else _ZERO


def _rate_deduction(f: RateDeduction, v: Values, maximum: Decimal, level: Level) -> Decimal:
    denominator = v[f.denominator]
    if denominator == 0:
        return _empty(f.empty_denominator, maximum)
    return maximum * (1 - f.scale * v[f.numerator] / denominator)


def _per_fact(f: PerFactDeduction, v: Values, maximum: Decimal, level: Level) -> Decimal:
    return maximum - f.per_fact * v[f.count]


def _step_thresholds(f: StepThresholds, v: Values, maximum: Decimal, level: Level) -> Decimal:
    if f.value is not None:
        measured = v[f.value]
    else:
        assert f.numerator is not None and f.denominator is not None
        denominator = v[f.denominator]
        if denominator == 0:
            return _empty(f.empty_denominator, maximum)
        measured = _HUNDRED * v[f.numerator] / denominator
    for step in f.steps_by_level[level]:
        reached = (
            measured >= step.threshold
            if f.direction == "higher_is_better"
            else measured <= step.threshold
        )
        if reached:
            return step.score
    return f.otherwise


def _weighted_mean(buckets: tuple[Bucket, ...], v: Values) -> tuple[Decimal, Decimal]:
    """The weighted sum of the bucket counts, and the plain count."""
    count = sum((v[b.field] for b in buckets), _ZERO)
    weighted = sum((b.weight * v[b.field] for b in buckets), _ZERO)
    return weighted, count


def _bucketed_average(f: BucketedAverage, v: Values, maximum: Decimal, level: Level) -> Decimal:
    weighted, count = _weighted_mean(f.buckets, v)
    if count == 0:
        return _empty(f.empty, maximum)
    score = weighted / count
    if f.correction:
        corrected, received = _weighted_mean(f.correction, v)
        # Bookings answered but nobody counted as received: no coefficient can be formed,
        # and the validator reports it; treat it as no correction evidence (coefficient 0).
        score *= corrected / received if received else _ZERO
    return score


def _correlating(f: CorrelatingCoefficients, v: Values, maximum: Decimal, level: Level) -> Decimal:
    base = sum((v[c.field] for c in f.components), _ZERO)
    coefficient = min(f.coefficient_cap, sum((v[c] for c in f.coefficients), _ZERO))
    return base * coefficient


def _capped_count(f: Penalty | CappedBonus, v: Values, maximum: Decimal, level: Level) -> Decimal:
    return min(maximum, f.per_fact * v[f.count])


def _ready(f: ReadyScore, v: Values, maximum: Decimal, level: Level) -> Decimal:
    raise ValueError("a ready-score indicator has no formula to compute")


_KINDS: dict[str, Callable[[Any, Values, Decimal, Level], Decimal]] = {
    "rate_deduction": _rate_deduction,
    "per_fact_deduction": _per_fact,
    "step_thresholds": _step_thresholds,
    "bucketed_average": _bucketed_average,
    "correlating_coefficients": _correlating,
    "penalty": _capped_count,
    "capped_bonus": _capped_count,
    "ready_score": _ready,
}


def raw_score(indicator: Indicator, values: Values, level: Level) -> Decimal:
    """Compute an indicator's score from its raw counts, before clamping and rounding.

    ``values`` must hold every field in ``indicator.input_fields``; a missing one raises
    KeyError (the input validator guarantees they are present). Raises ValueError for a
    ready-score indicator.
    """
    return _KINDS[indicator.formula.kind](indicator.formula, values, indicator.max, level)
