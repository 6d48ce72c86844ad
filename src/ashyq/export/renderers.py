"""The built-in renderers: ``table`` for the terminal, ``csv``, ``json`` and ``xlsx``."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from typing import Protocol

from rich.console import Console
from rich.table import Table

from ashyq.bodies import Level
from ashyq.export.document import ResultsDocument, Value
from ashyq.i18n import N_, translate
from ashyq.i18n.grammar import number as spell_number
from ashyq.i18n.grammar import signed_number
from ashyq.numbers import plain_decimal

__all__ = ["RENDERERS", "Renderer", "register_renderer"]

# Fills for the four indicator levels, the same in every format (ColorBrewer-like, and
# dark text on each passes WCAG AA contrast).
LEVEL_COLOURS = {
    "high": "#C6EFCE",
    "medium": "#FFEB9C",
    "low": "#FCD5B4",
    "ineffective": "#FFC7CE",
}


class Renderer(Protocol):
    """Turns a results document into the bytes of one file format."""

    name: str
    suffix: str

    def render(self, document: ResultsDocument) -> bytes:
        """Return the whole file."""
        ...


RENDERERS: dict[str, Renderer] = {}


def register_renderer(renderer: Renderer) -> Renderer:
    """Make ``renderer`` available under ``renderer.name``; returns it, to use as a decorator."""
    RENDERERS[renderer.name] = renderer
    return renderer


def _machine(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain_decimal(value)
    return str(value)


class CsvRenderer:
    """UTF-8 CSV with the machine-readable column codes and dot decimals."""

    name = "csv"
    suffix = ".csv"

    def render(self, document: ResultsDocument) -> bytes:
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(document.columns)
        for row in document.rows:
            writer.writerow([_machine(row[column]) for column in document.columns])
        return buffer.getvalue().encode("utf-8")


class JsonRenderer:
    """JSON: the methodology and period, and the same rows with numbers as JSON numbers."""

    name = "json"
    suffix = ".json"

    def render(self, document: ResultsDocument) -> bytes:
        def convert(value: Value) -> object:
            if isinstance(value, Decimal):
                return int(value) if value == value.to_integral_value() else float(value)
            return value

        methodology = document.result.methodology
        payload = {
            "methodology": methodology.id,
            "version": methodology.version,
            "period": methodology.period,
            "columns": list(document.columns),
            "results": [{k: convert(v) for k, v in row.items()} for row in document.rows],
        }
        return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


_RANK = N_("Rank")
_BODY = N_("Body")
_TOTAL = N_("Total")
_GRADE = N_("Grade")
_CHANGE = N_("Change")
_LEVEL_TITLES = {
    Level.CGO: N_("Central government bodies"),
    Level.MIO: N_("Local executive bodies"),
}


class TableRenderer:
    """Two ranking tables for the terminal, one per level."""

    name = "table"
    suffix = ".txt"

    def render(self, document: ResultsDocument) -> bytes:
        lang = document.lang
        methodology = document.result.methodology
        console = Console(file=io.StringIO(), width=160, record=True, color_system=None)
        for level in Level:
            table = Table(title=translate(_LEVEL_TITLES[level], lang), title_justify="left")
            table.add_column(translate(_RANK, lang), justify="right")
            table.add_column(translate(_BODY, lang))
            for criterion in methodology.criteria:
                table.add_column(criterion.name[lang], justify="right", max_width=18)
            table.add_column(translate(_TOTAL, lang), justify="right")
            table.add_column(translate(_GRADE, lang))
            if document.dynamics is not None:
                table.add_column(translate(_CHANGE, lang))
            for result in document.result.of_level(level):
                cells = [str(result.rank), result.body.short(lang)]
                cells += [
                    f"{spell_number(c.score, lang)} {c.category}" for c in result.criteria.values()
                ]
                grade = methodology.grades.band(result.grade).name[lang]
                cells += [spell_number(result.total, lang), grade]
                if document.dynamics is not None:
                    moved = document.dynamics.get(result.body.code)
                    cells.append(
                        f"{signed_number(moved.total.delta, lang)} ({moved.grade.change.value})"
                        if moved and moved.total.delta is not None
                        else "—"
                    )
                table.add_row(*cells)
            console.print(table)
        return console.export_text().encode("utf-8")


register_renderer(CsvRenderer())
register_renderer(JsonRenderer())
register_renderer(TableRenderer())
