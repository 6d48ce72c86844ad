"""How a reader filters and sorts a ranking, declared once for the ranking page and the
ranking of the API, and the ranking a published snapshot gives for it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from ashyq.bodies import BodyRegistry, Level
from ashyq.i18n import Lang
from ashyq.index.methodology import Methodology
from ashyq.web.portal import Published
from ashyq.web.views import RankingView, SortKey, ranking_view

__all__ = ["RankingQuery", "RankingQueryDep", "ranking_of"]


@dataclass(frozen=True)
class RankingQuery:
    """One level's ranking, filtered by grade, criterion and category, and sorted."""

    level: Level
    grade: str | None
    criterion: str | None
    category: str | None
    sort: SortKey
    descending: bool


def _ranking_query(
    level: Level = Level.CGO,
    grade: str | None = None,
    criterion: str | None = None,
    category: str | None = None,
    sort: SortKey = SortKey.RANK,
    order: Annotated[str, Query(pattern="^(asc|desc)$")] = "asc",
) -> RankingQuery:
    # An empty filter (a form's blank choice) is no filter.
    return RankingQuery(
        level, grade or None, criterion or None, category or None, sort, order == "desc"
    )


RankingQueryDep = Annotated[RankingQuery, Depends(_ranking_query)]


def ranking_of(
    snapshot: Published,
    methodology: Methodology,
    registry: BodyRegistry,
    lang: Lang,
    query: RankingQuery,
) -> RankingView:
    """The ranking of ``snapshot`` as ``query`` asks for it."""
    return ranking_view(
        snapshot.document,
        methodology,
        registry,
        lang,
        level=query.level.value,
        grade=query.grade,
        criterion=query.criterion,
        category=query.category,
        sort=query.sort,
        descending=query.descending,
        version=snapshot.version,
    )
