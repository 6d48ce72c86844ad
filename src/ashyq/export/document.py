"""The flat results table every renderer starts from: one row per body."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ashyq.i18n import Lang
from ashyq.index.dynamics import BodyDynamics
from ashyq.index.engine import IndexResult

__all__ = ["ResultsDocument", "build_document"]

Value = str | int | Decimal | None


@dataclass(frozen=True)
class ResultsDocument:
    """Columns and rows of the results, plus the full result for renderers that want more."""

    result: IndexResult
    columns: tuple[str, ...]
    rows: tuple[dict[str, Value], ...]
    dynamics: dict[str, BodyDynamics] | None
    lang: Lang


def build_document(
    result: IndexResult, lang: Lang, dynamics: dict[str, BodyDynamics] | None = None
) -> ResultsDocument:
    """Flatten ``result`` into rows with the columns of the published results.

    The columns are ``body, name_ru, level``, each indicator id, each criterion id,
    ``total, grade``, ``<criterion>_category``, ``rank``, then ``<indicator>_level``;
    with dynamics, ``<x>_previous`` and ``<x>_change`` for the total, grade, rank, each
    criterion and category, and each indicator and level.
    """
    methodology = result.methodology
    indicator_ids = [i.id for i in methodology.indicators]
    criterion_ids = [c.id for c in methodology.criteria]
    columns = [
        "body",
        "name_ru",
        "level",
        *indicator_ids,
        *criterion_ids,
        "total",
        "grade",
        *(f"{c}_category" for c in criterion_ids),
        "rank",
        *(f"{i}_level" for i in indicator_ids),
    ]
    if dynamics is not None:
        tracked = ["total", "grade", "rank", *criterion_ids]
        tracked += [f"{c}_category" for c in criterion_ids]
        tracked += indicator_ids + [f"{i}_level" for i in indicator_ids]
        for name in tracked:
            columns += [f"{name}_previous", f"{name}_change"]

    rows: list[dict[str, Value]] = []
    for body_result in result.bodies:
        row: dict[str, Value] = {
            "body": body_result.body.code,
            "name_ru": body_result.body.short_ru,
            "level": body_result.body.level.value,
            "total": body_result.total,
            "grade": body_result.grade,
            "rank": body_result.rank,
        }
        for indicator_id, indicator in body_result.indicators.items():
            row[indicator_id] = indicator.score
            row[f"{indicator_id}_level"] = indicator.level
        for criterion_id, criterion in body_result.criteria.items():
            row[criterion_id] = criterion.score
            row[f"{criterion_id}_category"] = criterion.category
        if dynamics is not None:
            moved = dynamics.get(body_result.body.code)
            if moved is not None:
                movements = {"total": moved.total, "grade": moved.grade, "rank": moved.rank}
                movements |= moved.criteria
                movements |= {f"{k}_category": v for k, v in moved.categories.items()}
                movements |= moved.indicators
                movements |= {f"{k}_level": v for k, v in moved.levels.items()}
                for name, movement in movements.items():
                    row[f"{name}_previous"] = movement.previous
                    row[f"{name}_change"] = movement.change.value
        rows.append({column: row.get(column) for column in columns})
    return ResultsDocument(result, tuple(columns), tuple(rows), dynamics, lang)
