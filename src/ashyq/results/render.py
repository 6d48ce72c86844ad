"""Renderers that turn a results document into files: a terminal table, CSV, JSON, XLSX.

Every format is a renderer registered under its name, the same way a third party adds
one: ``register_renderer(MyRenderer())``. ``ashyq index compute --format NAME`` and the
demo look the name up here; the portal's open data writes its tables with the same
writers (``write_table``), so a file of results is the same whoever asks for it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final, Protocol

import xlsxwriter  # type: ignore[import-untyped]  # XlsxWriter ships no type information
from rich.console import Console
from rich.table import Table

from ashyq.bodies import BodyRegistry, Level, load_bodies
from ashyq.i18n import N_, Lang, translate
from ashyq.i18n.grammar import number as spell_number
from ashyq.i18n.grammar import signed_number
from ashyq.index.dynamics import PreviousResult
from ashyq.index.engine import IndexResult
from ashyq.index.methodology import Methodology
from ashyq.numbers import plain_decimal
from ashyq.results.document import results_document
from ashyq.results.model import ResultsDocument
from ashyq.results.table import ResultsTable, Value, results_table

__all__ = [
    "LEVEL_COLOURS",
    "RENDERERS",
    "TABLE_FORMATS",
    "Renderer",
    "Results",
    "register_renderer",
    "results_of",
    "write_table",
]

# Fills for the four indicator levels, the same in every format (ColorBrewer-like, and
# dark text on each passes WCAG AA contrast).
LEVEL_COLOURS: Final = {
    "high": "#C6EFCE",
    "medium": "#FFEB9C",
    "low": "#FCD5B4",
    "ineffective": "#FFC7CE",
}


@dataclass(frozen=True)
class Results:
    """A results document with what renders it: its methodology, the registry of bodies
    that names them, and the language of the words around the figures."""

    document: ResultsDocument
    methodology: Methodology
    registry: BodyRegistry
    lang: Lang


def results_of(
    result: IndexResult,
    lang: Lang,
    *,
    earlier: Mapping[str, PreviousResult] | None = None,
    registry: BodyRegistry | None = None,
) -> Results:
    """The results of a computation, as its document for the methodology's period; with
    ``earlier`` (``index.dynamics.read_previous``), with each body's movements."""
    document = results_document(result, result.methodology.period, earlier=earlier)
    return Results(document, result.methodology, registry or load_bodies(), lang)


class Renderer(Protocol):
    """Turns results into the bytes of one file format."""

    name: str
    suffix: str

    def render(self, results: Results) -> bytes:
        """Return the whole file."""
        ...


RENDERERS: dict[str, Renderer] = {}


def register_renderer(renderer: Renderer) -> Renderer:
    """Make ``renderer`` available under ``renderer.name``; returns it."""
    RENDERERS[renderer.name] = renderer
    return renderer


# --- one table, in each machine-readable format --------------------------------------------

TABLE_FORMATS: Final = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def _text(value: Value) -> str:
    if value is None:
        return ""
    return plain_decimal(value) if isinstance(value, Decimal) else str(value)


def _json(value: Value) -> object:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _csv(table: ResultsTable) -> bytes:
    """UTF-8 CSV with the column codes and dot decimals."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(table.names())
    for row in table.rows:
        writer.writerow([_text(value) for value in row.values()])
    return buffer.getvalue().encode("utf-8")


def _json_file(table: ResultsTable, document: ResultsDocument) -> bytes:
    """JSON: what the table is of, its Table Schema, and its rows with numbers as numbers."""
    payload = {
        "table": table.name,
        "period": document.period,
        "version": document.version,
        "methodology": document.methodology.payload(),
        "schema": table.schema(),
        "rows": [{name: _json(value) for name, value in row.items()} for row in table.rows],
    }
    return (json.dumps(payload, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def _sheet(workbook: xlsxwriter.Workbook, title: str, table: ResultsTable) -> None:
    """The table as a sheet: the column codes in the first row, numbers as numbers, each
    indicator's score filled with the colour of its level."""
    sheet = workbook.add_worksheet(title)
    header = workbook.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
    score = workbook.add_format({"num_format": "0.00#"})
    fills = {
        level: workbook.add_format({"num_format": "0.00#", "bg_color": colour})
        for level, colour in LEVEL_COLOURS.items()
    }
    names = table.names()
    sheet.write_row(0, 0, names, header)
    for row_index, row in enumerate(table.rows, start=1):
        for col_index, (name, value) in enumerate(row.items()):
            if isinstance(value, Decimal):
                level = row.get(f"{name}_level")
                sheet.write_number(row_index, col_index, float(value), fills.get(str(level), score))
            elif isinstance(value, int):
                sheet.write_number(row_index, col_index, value)
            elif value is not None:
                sheet.write_string(row_index, col_index, value)
    sheet.freeze_panes(1, 1)
    sheet.autofilter(0, 0, max(len(table.rows), 1), len(names) - 1)
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, len(names) - 1, 12)


def write_table(table: ResultsTable, document: ResultsDocument, fmt: str) -> bytes:
    """``table`` as a file of ``fmt`` (one of ``TABLE_FORMATS``); KeyError for another."""
    if fmt == "csv":
        return _csv(table)
    if fmt == "json":
        return _json_file(table, document)
    if fmt == "xlsx":
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        _sheet(workbook, table.name, table)
        workbook.close()
        return buffer.getvalue()
    raise KeyError(fmt)


# --- the renderers of the results ----------------------------------------------------------


class CsvRenderer:
    """The results table as UTF-8 CSV (``results_table``)."""

    name = "csv"
    suffix = ".csv"

    def render(self, results: Results) -> bytes:
        return write_table(results_table(results), results.document, "csv")


class JsonRenderer:
    """The results table as JSON, with its Table Schema."""

    name = "json"
    suffix = ".json"

    def render(self, results: Results) -> bytes:
        return write_table(results_table(results), results.document, "json")


_SHEET_RESULTS = N_("Results")
_SHEET_INPUTS = N_("Inputs")
_SHEET_METHODOLOGY = N_("Methodology")
_SHEET_LEGEND = N_("Columns")
_INPUT_HEADER = (
    N_("Body"),
    N_("Indicator"),
    N_("Field"),
    N_("Value"),
    N_("Method"),
    N_("Source"),
    N_("Authority"),
)
_METHODOLOGY_HEADER = (
    N_("Criterion"),
    N_("Indicator"),
    N_("Name"),
    N_("Max"),
    N_("Role"),
    N_("Authority"),
    N_("Formula"),
    N_("Raw-count fields"),
    N_("Source"),
    N_("Assumption"),
)
_LEGEND_HEADER = (N_("Column"), N_("Meaning"))


class WorkbookRenderer:
    """An XLSX workbook: the results table (its column codes kept), the facts behind every
    score with their sources, the methodology, and what each column means."""

    name = "xlsx"
    suffix = ".xlsx"

    def render(self, results: Results) -> bytes:
        lang = results.lang
        table = results_table(results)
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        header = workbook.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
        _sheet(workbook, translate(_SHEET_RESULTS, lang), table)
        self._inputs(workbook, header, results)
        self._methodology(workbook, header, results)
        legend = workbook.add_worksheet(translate(_SHEET_LEGEND, lang))
        legend.write_row(0, 0, [translate(title, lang) for title in _LEGEND_HEADER], header)
        names = {i.id: i.name[lang] for i in results.methodology.indicators}
        names |= {c.id: c.name[lang] for c in results.methodology.criteria}
        for row_index, column in enumerate(table.columns, start=1):
            base = column.name
            for suffix in ("_level", "_category", "_previous", "_change"):
                base = base.removesuffix(suffix)
            legend.write_row(row_index, 0, [column.name, names.get(base, column.description)])
        legend.set_column(0, 0, 36)
        legend.set_column(1, 1, 80)
        workbook.close()
        return buffer.getvalue()

    def _inputs(self, workbook: xlsxwriter.Workbook, header: Any, results: Results) -> None:
        lang = results.lang
        sheet = workbook.add_worksheet(translate(_SHEET_INPUTS, lang))
        sheet.write_row(0, 0, [translate(title, lang) for title in _INPUT_HEADER], header)
        row_index = 1
        for body in results.document.bodies:
            for indicator_id, indicator in body.indicators.items():
                for fact in indicator.facts:
                    sheet.write_row(
                        row_index,
                        0,
                        [
                            body.code,
                            indicator_id,
                            fact.field,
                            float(fact.value),
                            indicator.method,
                            fact.source,
                            (fact.authority or "").upper(),
                        ],
                    )
                    row_index += 1
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(row_index - 1, 1), len(_INPUT_HEADER) - 1)
        sheet.set_column(0, 2, 24)
        sheet.set_column(5, 5, 48)

    def _methodology(self, workbook: xlsxwriter.Workbook, header: Any, results: Results) -> None:
        lang, methodology = results.lang, results.methodology
        sheet = workbook.add_worksheet(translate(_SHEET_METHODOLOGY, lang))
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        sheet.write_row(0, 0, [translate(title, lang) for title in _METHODOLOGY_HEADER], header)
        row_index = 1
        for criterion in methodology.criteria:
            for indicator in criterion.indicators:
                sheet.write_row(
                    row_index,
                    0,
                    [
                        criterion.id,
                        indicator.id,
                        indicator.name[lang],
                        float(indicator.max),
                        indicator.role.value,
                        indicator.authority.value.upper(),
                        indicator.formula.kind,
                        ", ".join(indicator.input_fields),
                        indicator.source.ref,
                        indicator.source.assumption or "",
                    ],
                    wrap,
                )
                row_index += 1
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, 1, 24)
        sheet.set_column(2, 2, 48)
        sheet.set_column(7, 9, 48)


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
    """Two ranking tables for the terminal, one per level, in the results' language."""

    name = "table"
    suffix = ".txt"

    def render(self, results: Results) -> bytes:
        lang, methodology, document = results.lang, results.methodology, results.document
        moves = any(body.movement is not None for body in document.bodies)
        console = Console(file=io.StringIO(), width=160, record=True, color_system=None)
        for level in Level:
            table = Table(title=translate(_LEVEL_TITLES[level], lang), title_justify="left")
            table.add_column(translate(_RANK, lang), justify="right")
            table.add_column(translate(_BODY, lang))
            for criterion in methodology.criteria:
                table.add_column(criterion.name[lang], justify="right", max_width=18)
            table.add_column(translate(_TOTAL, lang), justify="right")
            table.add_column(translate(_GRADE, lang))
            if moves:
                table.add_column(translate(_CHANGE, lang))
            bodies = [body for body in document.bodies if body.level == level.value]
            bodies.sort(key=lambda body: (body.rank is None, body.rank or 0))
            for body in bodies:
                cells = [
                    str(body.rank) if body.rank is not None else "—",
                    results.registry.get(body.code).short(lang),
                ]
                cells += [
                    f"{spell_number(c.score, lang)} {c.category or ''}".strip()
                    for c in body.criteria.values()
                ]
                grade = methodology.grades.band(body.grade).name[lang] if body.grade else "—"
                cells += [spell_number(body.total, lang), grade]
                if moves:
                    moved = body.movement
                    cells.append(
                        f"{signed_number(body.total - Decimal(moved.total.previous), lang)} "
                        f"({moved.grade.change})"
                        if moved is not None
                        else "—"
                    )
                table.add_row(*cells)
            console.print(table)
        return console.export_text().encode("utf-8")


register_renderer(TableRenderer())
register_renderer(CsvRenderer())
register_renderer(JsonRenderer())
register_renderer(WorkbookRenderer())
