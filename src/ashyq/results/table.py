"""The flat projections of a results document: one row per body, one per indicator.

Every file of results is one of these tables, whoever asks for it: ``ashyq index compute``
and the demo write the ``results`` table; the portal's open data publishes both, with the
Table Schema of each in ``datapackage.json``. A table's columns, their order, types and
descriptions are declared here once.

Numbers are exact: a score keeps the decimals the methodology gives it (79.085 stays
79.085), in every file. Rounding is for people, not for files: pages and reports show a
figure with ``i18n.grammar.number``, which writes the same exact value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from ashyq.results.render import Results

__all__ = ["TABLES", "Column", "ResultsTable", "Value", "indicators_table", "results_table"]

Value = str | int | Decimal | None
Kind = Literal["string", "integer", "number"]

# What each movement column holds (the change is one of the words of ``index.dynamics``).
_CHANGES: Final = "improved, kept or declined against the previous period"


@dataclass(frozen=True)
class Column:
    """A column: its code, its Table Schema type and what it holds (in English, as the
    column codes are)."""

    name: str
    kind: Kind
    description: str

    def field(self) -> dict[str, str]:
        """The column as a Table Schema field."""
        return {"name": self.name, "type": self.kind, "description": self.description}


@dataclass(frozen=True)
class ResultsTable:
    """A table of results: its name, columns, primary key and rows (each a dict with the
    columns in order)."""

    name: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    rows: tuple[dict[str, Value], ...]

    def names(self) -> list[str]:
        return [column.name for column in self.columns]

    def schema(self) -> dict[str, Any]:
        """The table's Table Schema (frictionless), as ``datapackage.json`` holds it."""
        return {
            "fields": [column.field() for column in self.columns],
            "primaryKey": list(self.primary_key),
        }


_BODY: Final = Column("body", "string", "Body code of the Ashyq registry")
_LEVEL: Final = Column("level", "string", "CGO (central) or MIO (akimat)")


def _movement_columns(name: str, what: str) -> list[Column]:
    return [
        Column(f"{name}_previous", "string", f"{what} in the previous period"),
        Column(f"{name}_change", "string", f"{what}: {_CHANGES}"),
    ]


def results_table(results: Results) -> ResultsTable:
    """One row per body: its names, level, rank, total and grade; each criterion with its
    category; each indicator with its level; then, when the document moves against a
    previous period, the previous value and the change of the total, grade, rank, each
    criterion and each indicator."""
    document, methodology, registry = results.document, results.methodology, results.registry
    columns = [
        _BODY,
        Column("name_ru", "string", "Short name in Russian"),
        Column("name_kk", "string", "Short name in Kazakh"),
        Column("name_en", "string", "Short name in English"),
        _LEVEL,
        Column("rank", "integer", "Rank within the level"),
        Column("total", "number", "Total points (bonuses included)"),
        Column("grade", "string", "Grade of the total"),
    ]
    for criterion in methodology.criteria:
        columns.append(Column(criterion.id, "number", criterion.name.en))
        columns.append(Column(f"{criterion.id}_category", "string", "Category of the criterion"))
    for indicator in methodology.indicators:
        columns.append(Column(indicator.id, "number", indicator.name.en))
        columns.append(Column(f"{indicator.id}_level", "string", "Level of the indicator"))
    moves = any(body.movement is not None for body in document.bodies)
    if moves:
        columns += _movement_columns("total", "Total points")
        columns += _movement_columns("grade", "Grade")
        columns += _movement_columns("rank", "Rank")
        for criterion in methodology.criteria:
            columns += _movement_columns(criterion.id, criterion.name.en)
        for indicator in methodology.indicators:
            columns += _movement_columns(indicator.id, indicator.name.en)
    rows = []
    for body in document.bodies:
        known = registry.get(body.code)
        row: dict[str, Value] = {
            "body": body.code,
            "name_ru": known.short_ru,
            "name_kk": known.short_kk,
            "name_en": known.short_en,
            "level": body.level,
            "rank": body.rank,
            "total": body.total,
            "grade": body.grade,
        }
        for criterion_id, scored in body.criteria.items():
            row[criterion_id] = scored.score
            row[f"{criterion_id}_category"] = scored.category
        for indicator_id, entry in body.indicators.items():
            row[indicator_id] = entry.score
            row[f"{indicator_id}_level"] = entry.level
        if body.movement is not None:
            for name, moved in (
                ("total", body.movement.total),
                ("grade", body.movement.grade),
                ("rank", body.movement.rank),
            ):
                row[f"{name}_previous"], row[f"{name}_change"] = moved.previous, moved.change
            movements = {k: v.movement for k, v in body.criteria.items()}
            movements |= {k: v.movement for k, v in body.indicators.items()}
            for name, movement in movements.items():
                if movement is not None:
                    row[f"{name}_previous"] = movement.previous
                    row[f"{name}_change"] = movement.change
        rows.append({column.name: row.get(column.name) for column in columns})
    return ResultsTable("results", tuple(columns), ("body",), tuple(rows))


def indicators_table(results: Results) -> ResultsTable:
    """One row per body and indicator: the score, its maximum and level, how it was
    obtained and which authorised body supplied its source data."""
    document, methodology = results.document, results.methodology
    columns = (
        _BODY,
        _LEVEL,
        Column("criterion", "string", "Criterion id"),
        Column("indicator", "string", "Indicator id"),
        Column("score", "number", "Points"),
        Column("max", "number", "Max points of the indicator"),
        Column("indicator_level", "string", "Level of the indicator"),
        Column("method", "string", "computed from raw counts, or ready from the authority"),
        Column("authority", "string", "Authorised body that supplied the source data"),
    )
    rows: list[dict[str, Value]] = []
    for body in document.bodies:
        for indicator_id, indicator in body.indicators.items():
            declared = methodology.indicator(indicator_id)
            rows.append(
                {
                    "body": body.code,
                    "level": body.level,
                    "criterion": methodology.criterion_of(indicator_id).id,
                    "indicator": indicator_id,
                    "score": indicator.score,
                    "max": declared.max,
                    "indicator_level": indicator.level,
                    "method": indicator.method,
                    "authority": declared.authority.value,
                }
            )
    return ResultsTable("indicators", columns, ("body", "indicator"), tuple(rows))


TABLES: Final[dict[str, Callable[[Results], ResultsTable]]] = {
    "results": results_table,
    "indicators": indicators_table,
}
