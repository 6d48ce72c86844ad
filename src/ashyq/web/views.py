"""What the pages show, as data: the same models feed the HTML templates and the JSON API.

Every view reads a results document (a published snapshot or a draft computation) and the
methodology; none reads the engine, so a published page never changes after publication.
"""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Final

from pydantic import BaseModel, ConfigDict, PlainSerializer, WithJsonSchema

from ashyq.bodies import BodyRegistry
from ashyq.i18n import Lang
from ashyq.index.methodology import Methodology
from ashyq.results.model import BodyMovement, MovementEntry, ResultsDocument

__all__ = [
    "DECIMAL_PATTERN",
    "BodyView",
    "CriterionView",
    "ExactDecimal",
    "Fact",
    "HistoryPoint",
    "IndicatorView",
    "Movement",
    "RankingRow",
    "RankingView",
    "SortKey",
    "body_view",
    "ranking_view",
]

DECIMAL_PATTERN: Final = r"^-?[0-9]+(\.[0-9]+)?$"

ExactDecimal = Annotated[
    Decimal,
    # Every decimal the value has, never an exponent (0.00, not 0E-2) and never a float.
    PlainSerializer(lambda value: format(value, "f"), return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "format": "decimal",
            "pattern": DECIMAL_PATTERN,
            "description": "An exact decimal number, written with a dot: 79.085.",
            "examples": ["79.085"],
        }
    ),
]
"""A score, total or value as the API writes it: exact, as a string with a dot."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Movement(_Model):
    """A value in the previous period and which way it moved since."""

    previous: str
    change: str


class CriterionScore(_Model):
    """A criterion's score and category."""

    score: ExactDecimal
    category: str


class RankingRow(_Model):
    """One body in a ranking."""

    body: str
    name: str
    level: str
    rank: int
    total: ExactDecimal
    grade: str
    grade_name: str
    criteria: dict[str, CriterionScore]
    movement: dict[str, Movement] | None = None
    needs_roadmap: bool


class SortKey(StrEnum):
    """The columns a ranking sorts by."""

    RANK = "rank"
    TOTAL = "total"
    NAME = "name"


class Choice(_Model):
    """A filter value and its label."""

    id: str
    name: str


class RankingView(_Model):
    """A ranking of one period and level, filtered and sorted as asked."""

    period: int
    version: int | None
    level: str
    rows: list[RankingRow]
    total_bodies: int
    grades: list[Choice]
    criteria: list[Choice]
    categories: list[Choice]
    filters: dict[str, str | None]
    sort: SortKey
    descending: bool


def _grade_names(methodology: Methodology, lang: Lang) -> dict[str, str]:
    return {band.id: band.name[lang] for band in methodology.grades.bands}


def _moved(entry: MovementEntry) -> Movement:
    return Movement(previous=entry.previous, change=entry.change)


def _movement(moved: BodyMovement | None) -> dict[str, Movement] | None:
    if moved is None:
        return None
    return {
        "total": _moved(moved.total),
        "grade": _moved(moved.grade),
        "rank": _moved(moved.rank),
    }


def ranking_view(
    document: ResultsDocument,
    methodology: Methodology,
    registry: BodyRegistry,
    lang: Lang,
    *,
    level: str,
    grade: str | None = None,
    criterion: str | None = None,
    category: str | None = None,
    sort: SortKey = SortKey.RANK,
    descending: bool = False,
    version: int | None = None,
) -> RankingView:
    """The ranking of one level, keeping the bodies that pass every filter given.

    ``criterion`` with ``category`` keeps the bodies whose criterion is in that category;
    ``sort`` orders by rank (the default), total or name.
    """
    names = _grade_names(methodology, lang)
    rows = []
    of_level = [b for b in document.bodies if b.level == level]
    for body in of_level:
        if grade and body.grade != grade:
            continue
        if criterion and category:
            scored = body.criteria.get(criterion)
            if scored is None or scored.category != category:
                continue
        rows.append(
            RankingRow(
                body=body.code,
                name=registry.get(body.code).short(lang),
                level=body.level,
                rank=body.rank,
                total=body.total,
                grade=body.grade,
                grade_name=names.get(body.grade or "", body.grade),
                criteria={
                    k: CriterionScore(score=v.score, category=v.category)
                    for k, v in body.criteria.items()
                },
                movement=_movement(body.movement),
                needs_roadmap=methodology.needs_roadmap(body.grade or ""),
            )
        )
    keys = {
        SortKey.RANK: lambda r: (r.rank, r.name),
        SortKey.TOTAL: lambda r: (r.total, r.name),
        SortKey.NAME: lambda r: (r.name.casefold(), r.rank),
    }
    rows.sort(key=keys[sort], reverse=descending)
    categories = {
        band.id: band.name[lang] for c in methodology.criteria for band in c.categories.bands
    }
    return RankingView(
        period=document.period,
        version=version,
        level=level,
        rows=rows,
        total_bodies=len(of_level),
        grades=[Choice(id=band.id, name=band.name[lang]) for band in methodology.grades.bands],
        criteria=[Choice(id=c.id, name=c.name[lang]) for c in methodology.criteria],
        categories=[Choice(id=k, name=v) for k, v in categories.items()],
        filters={"grade": grade, "criterion": criterion, "category": category},
        sort=sort,
        descending=descending,
    )


class Fact(_Model):
    """A source value behind a score and where it came from."""

    field: str
    value: ExactDecimal
    source: str
    authority: str | None


class IndicatorView(_Model):
    """One indicator of one body against its max, with its level and facts."""

    id: str
    name: str
    max: ExactDecimal
    role: str
    score: ExactDecimal
    share: ExactDecimal
    level: str
    level_name: str
    method: str
    authority: str
    facts: list[Fact]
    movement: Movement | None = None


class CriterionView(_Model):
    """One criterion of one body with its indicators."""

    id: str
    name: str
    max: ExactDecimal
    bonus_max: ExactDecimal
    score: ExactDecimal
    category: str
    category_name: str
    indicators: list[IndicatorView]


class HistoryPoint(_Model):
    """A body's result in one published period."""

    period: int
    total: ExactDecimal
    grade: str
    rank: int


class BodyView(_Model):
    """Everything the page of one body shows for one period."""

    period: int
    version: int | None
    body: str
    name: str
    full_name: str
    level: str
    rank: int
    of: int
    total: ExactDecimal
    max_total: ExactDecimal
    grade: str
    grade_name: str
    needs_roadmap: bool
    criteria: list[CriterionView]
    movement: dict[str, Movement] | None
    previous_period: int | None
    history: list[HistoryPoint]


def body_view(
    document: ResultsDocument,
    methodology: Methodology,
    registry: BodyRegistry,
    code: str,
    lang: Lang,
    *,
    history: list[HistoryPoint] | None = None,
    version: int | None = None,
) -> BodyView | None:
    """The page of body ``code`` in ``document``, or None when the document lacks it."""
    body = document.body(code)
    if body is None:
        return None
    known = registry.get(code)
    criteria = []
    for criterion in methodology.criteria:
        indicators = []
        for indicator in criterion.indicators:
            result = body.indicators[indicator.id]
            score = result.score
            levels = methodology.level_scale(indicator)
            indicators.append(
                IndicatorView(
                    id=indicator.id,
                    name=indicator.name[lang],
                    max=indicator.max,
                    role=indicator.role.value,
                    score=score,
                    share=(score / indicator.max * 100).quantize(Decimal(1)),
                    level=result.level,
                    level_name=levels.band(result.level or "").name[lang],
                    method=result.method,
                    authority=indicator.authority.value,
                    facts=[Fact(**fact.model_dump()) for fact in result.facts],
                    movement=_moved(result.movement) if result.movement is not None else None,
                )
            )
        own = body.criteria[criterion.id]
        criteria.append(
            CriterionView(
                id=criterion.id,
                name=criterion.name[lang],
                max=criterion.max,
                bonus_max=criterion.bonus_max,
                score=own.score,
                category=own.category,
                category_name=criterion.categories.band(own.category or "").name[lang],
                indicators=indicators,
            )
        )
    same_level = [b for b in document.bodies if b.level == body.level]
    return BodyView(
        period=document.period,
        version=version,
        body=code,
        name=known.short(lang),
        full_name=known.name(lang),
        level=body.level,
        rank=body.rank,
        of=len(same_level),
        total=body.total,
        max_total=methodology.max_total,
        grade=body.grade,
        grade_name=_grade_names(methodology, lang).get(body.grade or "", body.grade),
        needs_roadmap=methodology.needs_roadmap(body.grade or ""),
        criteria=criteria,
        movement=_movement(body.movement),
        previous_period=document.previous_period,
        history=history or [],
    )
