"""Survey statistics with survey weights, as Ibis expressions (DuckDB by default, the same
on PySpark): the average score, the satisfaction level and their confidence intervals, per
any grouping (body, service, region, channel), and the scale band of each average.

With weights ``w`` and scores ``s`` of a group:

- average ``m = Σ w·s / Σ w``;
- satisfaction ``p = Σ w·[s ≥ 5] / Σ w`` (the share of the highest score: ``scale.yaml``
  says why 4 cannot count as satisfied in seed 001);
- Kish's effective sample size ``n_eff = (Σ w)² / Σ w²`` (equal weights give n);
- standard errors ``√(v / n_eff)`` with ``v = Σ w·s² / Σ w − m²`` for the average and
  ``√(p·(1 − p) / n_eff)`` for the satisfaction; the 95 % intervals are ± 1,96 of them.

Every figure is one aggregate over the group: a single pass over the answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import ibis.expr.types as ir
import yaml

from ashyq.i18n import Text
from ashyq.numbers import parse_decimal

__all__ = ["SATISFIED_FROM", "Z_95", "ScaleBand", "scale_band", "scale_bands", "weighted_summary"]

Z_95 = 1.959964


@cache
def _declared() -> dict[str, Any]:
    text = resources.files("ashyq.monitoring").joinpath("scale.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


SATISFIED_FROM: int = _declared()["satisfied_from"]  # the lowest score that counts as satisfied


def weighted_summary(answers: ir.Table, by: list[str]) -> ir.Table:
    """One row per group of ``by`` (one row in all for no ``by``): answers, their
    weight, the weighted average and satisfaction (in %), the effective sample size and the
    95 % confidence intervals.

    ``answers`` needs a ``score`` column (1-5) and a ``weight`` column (positive).
    """
    weight = answers.weight.cast("float64")
    score = answers.score.cast("float64")
    satisfied = (answers.score >= SATISFIED_FROM).ifelse(1.0, 0.0)
    # No grouping: one row for all the answers.
    sums = (answers.group_by(by) if by else answers).aggregate(
        answers=answers.count(),
        weight_sum=weight.sum(),
        weighted_score=(weight * score).sum(),
        weighted_square=(weight * score * score).sum(),
        weighted_satisfied=(weight * satisfied).sum(),
        square_weight=(weight * weight).sum(),
    )
    average = sums.weighted_score / sums.weight_sum
    share = sums.weighted_satisfied / sums.weight_sum
    effective = sums.weight_sum * sums.weight_sum / sums.square_weight
    variance = (sums.weighted_square / sums.weight_sum - average * average).clip(lower=0.0)
    score_error = (variance / effective).sqrt()
    share_error = (share * (1.0 - share) / effective).sqrt()
    return sums.select(
        *by,
        "answers",
        "weight_sum",
        average=average,
        average_low=average - Z_95 * score_error,
        average_high=average + Z_95 * score_error,
        satisfaction_pct=100.0 * share,
        satisfaction_low_pct=100.0 * (share - Z_95 * share_error).clip(lower=0.0),
        satisfaction_high_pct=100.0 * (share + Z_95 * share_error).clip(upper=1.0),
        effective_n=effective,
    )


@dataclass(frozen=True)
class ScaleBand:
    """A band of the scale of average scores: from ``above`` (exclusive) or ``from_``
    (inclusive) up, with its name and where the report states it."""

    id: str
    name: Text
    lower: Decimal | None
    inclusive: bool
    source: str


def scale_bands() -> tuple[ScaleBand, ...]:
    """The bands of the scale, from the best down."""
    bands = []
    for band in _declared()["bands"]:
        above = band.get("above")
        from_ = band.get("from")
        bound = above if above is not None else from_
        bands.append(
            ScaleBand(
                band["id"],
                Text.model_validate(band["name"]),
                parse_decimal(str(bound)) if bound is not None else None,
                above is None,
                band["source"],
            )
        )
    return tuple(bands)


def scale_band(average: Decimal) -> ScaleBand:
    """The band an average score falls in."""
    for band in scale_bands():
        if band.lower is None:
            return band
        if average > band.lower or (band.inclusive and average == band.lower):
            return band
    raise AssertionError("unreachable: the last band has no bound")
