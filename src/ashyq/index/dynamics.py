"""Dynamics: how each body moved against an earlier period's published results."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import Any

from ashyq.bodies import BodyRegistry, UnknownBodyError
from ashyq.errors import InputError, InputProblem, Message
from ashyq.i18n import N_
from ashyq.index.engine import BodyResult, IndexResult
from ashyq.index.methodology import BandScale, Methodology
from ashyq.numbers import parse_decimal
from ashyq.tabular import Cell, read_table

__all__ = [
    "BodyDynamics",
    "Change",
    "Movement",
    "PreviousResult",
    "compare_periods",
    "read_previous",
]


class Change(StrEnum):
    """Which way something moved."""

    IMPROVED = "improved"
    DECLINED = "declined"
    KEPT = "kept"


@dataclass(frozen=True)
class PreviousResult:
    """One body's result in an earlier period, as read from a results file."""

    body: str
    total: Decimal
    grade: str
    rank: int
    criteria: dict[str, Decimal]
    categories: dict[str, str]
    indicators: dict[str, Decimal]
    levels: dict[str, str]


@dataclass(frozen=True)
class Movement:
    """A value now and before, and which way it moved."""

    current: str
    previous: str
    change: Change
    delta: Decimal | None = None  # for scores: current − previous


@dataclass(frozen=True)
class BodyDynamics:
    """Every movement of one body against the earlier period."""

    body: str
    total: Movement
    grade: Movement
    rank: Movement
    criteria: dict[str, Movement]
    categories: dict[str, Movement]
    indicators: dict[str, Movement]
    levels: dict[str, Movement]


def _direction(better: bool, worse: bool) -> Change:
    return Change.IMPROVED if better else Change.DECLINED if worse else Change.KEPT


def _score(current: Decimal, previous: Decimal, *, lower_is_better: bool = False) -> Movement:
    delta = current - previous
    better, worse = (delta < 0, delta > 0) if lower_is_better else (delta > 0, delta < 0)
    return Movement(str(current), str(previous), _direction(better, worse), delta)


def _band(scale: BandScale, current: str, previous: str) -> Movement:
    # Bands run from the best to the worst, so a smaller position is better.
    now, before = scale.rank_of(current), scale.rank_of(previous)
    return Movement(current, previous, _direction(now < before, now > before))


def compare_periods(
    result: IndexResult, previous: dict[str, PreviousResult]
) -> dict[str, BodyDynamics]:
    """Compare each body of ``result`` with its earlier result, when there is one.

    Returns the dynamics by body code; a body absent from the earlier period is left out.
    """
    methodology = result.methodology
    dynamics: dict[str, BodyDynamics] = {}
    for body_result in result.bodies:
        before = previous.get(body_result.body.code)
        if before is None:
            continue
        dynamics[body_result.body.code] = _body_dynamics(methodology, body_result, before)
    return dynamics


def _body_dynamics(
    methodology: Methodology, now: BodyResult, before: PreviousResult
) -> BodyDynamics:
    rank = Movement(
        str(now.rank), str(before.rank), _direction(now.rank < before.rank, now.rank > before.rank)
    )
    criteria, categories, indicators, levels = {}, {}, {}, {}
    for criterion in methodology.criteria:
        result = now.criteria[criterion.id]
        if criterion.id in before.criteria:
            criteria[criterion.id] = _score(result.score, before.criteria[criterion.id])
        if criterion.id in before.categories:
            categories[criterion.id] = _band(
                criterion.categories, result.category, before.categories[criterion.id]
            )
    for indicator in methodology.indicators:
        result_i = now.indicators[indicator.id]
        penalty = indicator.role.value == "penalty"
        if indicator.id in before.indicators:
            indicators[indicator.id] = _score(
                result_i.score, before.indicators[indicator.id], lower_is_better=penalty
            )
        if indicator.id in before.levels:
            levels[indicator.id] = _band(
                methodology.level_scale(indicator), result_i.level, before.levels[indicator.id]
            )
    return BodyDynamics(
        body=now.body.code,
        total=_score(now.total, before.total),
        grade=_band(methodology.grades, now.grade, before.grade),
        rank=rank,
        criteria=criteria,
        categories=categories,
        indicators=indicators,
        levels=levels,
    )


def _rows(path: Path) -> list[tuple[int, dict[str, Any]]]:
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InputError(
                [
                    InputProblem(
                        "unreadable_file",
                        str(path),
                        None,
                        None,
                        Message(N_("the JSON results of `ashyq index compute`")),
                        str(error),
                    )
                ]
            ) from error
        # The JSON of a results table holds its rows; one written before it, "results".
        records = data
        if isinstance(data, dict):
            records = data["rows"] if "rows" in data else data.get("results", [])
        return [(number, dict(row)) for number, row in enumerate(records, start=1)]
    table = read_table(path)
    return [(row.number, row.cells) for row in table.rows if not row.is_empty()]


def read_previous(
    path: Path, methodology: Methodology, registry: BodyRegistry
) -> dict[str, PreviousResult]:
    """Read an earlier period's results (CSV, XLSX or JSON written by ``ashyq index compute``).

    Levels missing from the file are classified from the scores with this methodology's
    scales. Raises InputError naming every unreadable cell.
    """
    problems: list[InputProblem] = []
    previous: dict[str, PreviousResult] = {}
    file = str(path)

    def number(row: int, column: str, cell: Cell | Any) -> Decimal | None:
        if cell is None or str(cell).strip() == "":
            return None
        try:
            return parse_decimal(str(cell))
        except ValueError:
            problems.append(
                InputProblem(
                    "not_a_number",
                    file,
                    row,
                    column,
                    Message(N_("a number, such as 3,78")),
                    str(cell),
                )
            )
            return None

    for row, cells in _rows(path):
        try:
            code = registry.resolve(str(cells.get("body") or "")).code
        except UnknownBodyError:
            problems.append(
                InputProblem(
                    "unknown_body",
                    file,
                    row,
                    "body",
                    Message(N_("the code or name of an evaluated body (see `ashyq bodies list`)")),
                    str(cells.get("body") or ""),
                )
            )
            continue
        total = number(row, "total", cells.get("total"))
        rank = number(row, "rank", cells.get("rank"))
        if total is None or rank is None:
            problems.append(
                InputProblem(
                    "missing_result",
                    file,
                    row,
                    "total" if total is None else "rank",
                    Message(N_("the results of `ashyq index compute`, with total and rank")),
                    "",
                )
            )
            continue
        criteria = {
            c.id: v
            for c in methodology.criteria
            if (v := number(row, c.id, cells.get(c.id))) is not None
        }
        indicators = {
            i.id: v
            for i in methodology.indicators
            if (v := number(row, i.id, cells.get(i.id))) is not None
        }
        categories = {
            c.id: str(cells[f"{c.id}_category"])
            for c in methodology.criteria
            if cells.get(f"{c.id}_category")
        }
        levels = {
            i.id: str(cells.get(f"{i.id}_level") or "")
            or methodology.level_scale(i).classify(indicators[i.id], i.max)
            for i in methodology.indicators
            if i.id in indicators
        }
        grade = str(cells.get("grade") or "") or methodology.grades.classify(
            total, methodology.max_total
        )
        previous[code] = PreviousResult(
            code, total, grade, int(rank), criteria, categories, indicators, levels
        )
    if problems:
        raise InputError(problems)
    return previous
