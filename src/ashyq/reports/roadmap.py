"""The draft roadmap of a body whose grade obliges one: one measure per indicator that
lost points, the largest loss first, with its target, owner and due date, as the
scorecard shows it and the portal's roadmap form starts from.

The target of a roadmap measure is the better of two scores: the improvement's target when
the indicator is on the way to the next grade, and the lowest score of the indicator's next
level up (full marks from the high level; for the penalty, the highest penalty the better
level allows), raised to a score the indicator's step table can give. Measures fall due on
the date ``scorecard.yaml`` declares (30 June of the year after the period: the end of the
next period's second quarter).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_CEILING, Decimal

from ashyq.bodies import Level
from ashyq.i18n import Lang
from ashyq.index.engine import BodyResult, IndicatorResult
from ashyq.index.explain import Improvement, explain
from ashyq.index.methodology import (
    Indicator,
    IndicatorRole,
    Methodology,
    Penalty,
    StepThresholds,
)
from ashyq.reports.scorecard_texts import declaration, num, points, raw_target, say

__all__ = ["DraftMeasure", "is_penalty", "roadmap_draft"]


def is_penalty(indicator: Indicator) -> bool:
    """Whether ``indicator`` is the penalty, whose score is points taken off."""
    return indicator.role is IndicatorRole.PENALTY


def _level_target(methodology: Methodology, result: IndicatorResult) -> Decimal:
    """The lowest score of the indicator's next level up (full marks from the top level)."""
    indicator = result.indicator
    scale = methodology.level_scale(indicator)
    position = scale.rank_of(result.level)
    if position == 0:
        return Decimal(0) if is_penalty(indicator) else indicator.max
    bound = scale.bands[position - 1].bound
    assert bound is not None  # only the last band has no bound
    value = bound * indicator.max if scale.measure == "share_of_max" else bound
    unit = Decimal(1).scaleb(-methodology.rounding.decimals)
    if scale.direction == "higher_is_better":
        target = value.quantize(unit, rounding=ROUND_CEILING)
    elif isinstance(indicator.formula, Penalty):
        # The better band lies strictly below its bound: the most whole facts that stay below.
        per_fact = indicator.formula.per_fact
        target = (math.ceil(value / per_fact) - 1) * per_fact
    else:
        target = value.quantize(unit, rounding=ROUND_CEILING) - unit
    return min(max(target, Decimal(0)), indicator.max)


@dataclass(frozen=True)
class DraftMeasure:
    """One measure of a draft roadmap.

    ``position``, ``measure``, ``owner``, ``due_on`` and ``indicator`` are the fields of the
    portal's roadmap form (``ashyq.db.models.RoadmapMeasure``); ``measure`` already states the
    target, ``action`` is the same without the target sentence (for a table that shows the
    target beside it). The rest are the numbers behind it: the score now, the target score,
    and where the formula can be inverted, the raw count now and the count that reaches it.
    """

    position: int
    measure: str
    owner: str
    due_on: date
    indicator: str
    action: str
    current_score: Decimal
    target_score: Decimal
    points_lost: Decimal
    field: str | None = None
    current_count: Decimal | None = None
    target_count: Decimal | None = None


def _due_on(period: int) -> date:
    due = declaration().due
    month, day = (int(part) for part in due.month_day.split("-"))
    return date(period + due.years_after_period, month, day)


def _measure_target(
    methodology: Methodology, loss: IndicatorResult, improvement: Improvement | None
) -> tuple[Decimal, str | None, Decimal | None, Decimal | None]:
    """The target score of a measure and, when it is the improvement's, its raw counts."""
    target = _level_target(methodology, loss)
    if improvement is None:
        return target, None, None, None
    penalty = is_penalty(loss.indicator)
    better = min if penalty else max
    target = better(target, improvement.target_score)
    if target != improvement.target_score:
        return target, None, None, None
    return target, improvement.field, improvement.current_count, improvement.target_count


def _reachable(indicator: Indicator, target: Decimal, level: Level) -> Decimal:
    """``target`` raised to the next score a step table can give (satisfaction: whole points)."""
    formula = indicator.formula
    if not isinstance(formula, StepThresholds):
        return target
    scores = sorted({step.score for step in formula.steps_by_level[level]} | {formula.otherwise})
    return next((score for score in scores if score >= target), indicator.max)


def roadmap_draft(
    methodology: Methodology, body_result: BodyResult, lang: Lang, *, period: int
) -> list[DraftMeasure]:
    """Draft the roadmap of ``body_result`` for ``period`` in ``lang``.

    Returns one measure per indicator that lost points, the largest loss first, when the
    body's grade obliges a roadmap (``methodology.needs_roadmap``), and an empty list
    otherwise. Raises KeyError when ``scorecard.yaml`` has no measure for such an indicator.
    """
    if not methodology.needs_roadmap(body_result.grade):
        return []
    texts = declaration()
    explanation = explain(methodology, body_result)
    on_the_way = {i.indicator.indicator.id: i for i in explanation.improvements}
    due_on = _due_on(period)
    measures: list[DraftMeasure] = []
    for position, loss in enumerate(explanation.losses, start=1):
        indicator = loss.indicator
        try:
            declared = texts.measures[indicator.id]
        except KeyError:
            raise KeyError(f"scorecard.yaml declares no measure for {indicator.id!r}") from None
        target, field, current_count, target_count = _measure_target(
            methodology, loss, on_the_way.get(indicator.id)
        )
        target = _reachable(indicator, target, body_result.body.level)
        raw = ""
        if field is not None and current_count is not None and target_count is not None:
            raw = f" ({raw_target(field, current_count, target_count, lang)})"
        action = declared.text[lang]
        if is_penalty(indicator):
            goal = say(
                "target_penalty",
                lang,
                target_points=points(target, lang),
                target_points_of=points(target, lang, "partitive"),
                raw=raw,
            )
        else:
            goal = say(
                "target",
                lang,
                target=num(target, lang),
                max_of=points(indicator.max, lang, "partitive"),
                raw=raw,
            )
        measures.append(
            DraftMeasure(
                position=position,
                measure=f"{action}. {goal}",
                owner=texts.owners[declared.owner][lang],
                due_on=due_on,
                indicator=indicator.id,
                action=f"{action}{raw}",
                current_score=loss.score,
                target_score=target,
                points_lost=loss.points_lost,
                field=field,
                current_count=current_count,
                target_count=target_count,
            )
        )
    return measures
