"""The results workbook (XLSX): results coloured by level, inputs with provenance, methodology."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]  # XlsxWriter ships no type information

from ashyq.export.document import ResultsDocument, Value
from ashyq.export.renderers import LEVEL_COLOURS, register_renderer
from ashyq.i18n import N_, translate

__all__ = ["WorkbookRenderer"]

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
    N_("File"),
    N_("Row"),
    N_("Column"),
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


def _number(value: Value) -> Any:
    return float(value) if isinstance(value, Decimal) else value


class WorkbookRenderer:
    """An XLSX workbook; the Results sheet keeps the machine-readable column codes."""

    name = "xlsx"
    suffix = ".xlsx"

    def render(self, document: ResultsDocument) -> bytes:
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        self._results(workbook, document)
        self._inputs(workbook, document)
        self._methodology(workbook, document)
        self._legend(workbook, document)
        workbook.close()
        return buffer.getvalue()

    def _results(self, workbook: xlsxwriter.Workbook, document: ResultsDocument) -> None:
        lang = document.lang
        sheet = workbook.add_worksheet(translate(_SHEET_RESULTS, lang))
        header = workbook.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
        score = workbook.add_format({"num_format": "0.00#"})
        fills = {
            level: workbook.add_format({"num_format": "0.00#", "bg_color": colour})
            for level, colour in LEVEL_COLOURS.items()
        }
        indicator_ids = {i.id for i in document.result.methodology.indicators}
        sheet.write_row(0, 0, document.columns, header)
        for row_index, row in enumerate(document.rows, start=1):
            for col_index, column in enumerate(document.columns):
                value = row[column]
                if column in indicator_ids and isinstance(value, Decimal):
                    level = row.get(f"{column}_level")
                    cell_format = fills.get(str(level), score)
                    sheet.write_number(row_index, col_index, float(value), cell_format)
                elif isinstance(value, Decimal):
                    sheet.write_number(row_index, col_index, float(value), score)
                elif value is not None:
                    sheet.write(row_index, col_index, value)
        sheet.freeze_panes(1, 3)
        sheet.autofilter(0, 0, len(document.rows), len(document.columns) - 1)
        sheet.set_column(0, 0, 16)
        sheet.set_column(1, 1, 34)
        sheet.set_column(2, len(document.columns) - 1, 11)

    def _inputs(self, workbook: xlsxwriter.Workbook, document: ResultsDocument) -> None:
        lang = document.lang
        sheet = workbook.add_worksheet(translate(_SHEET_INPUTS, lang))
        header = workbook.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
        sheet.write_row(0, 0, [translate(title, lang) for title in _INPUT_HEADER], header)
        row_index = 1
        for result in document.result.bodies:
            for indicator in result.indicators.values():
                for field, fact in indicator.facts.items():
                    provenance = fact.provenance
                    sheet.write_row(
                        row_index,
                        0,
                        [
                            result.body.code,
                            indicator.indicator.id,
                            field,
                            _number(fact.value),
                            indicator.method.value,
                            provenance.file,
                            provenance.row if provenance.row is not None else "",
                            provenance.column or "",
                            (provenance.authority or "").upper(),
                        ],
                    )
                    row_index += 1
        sheet.freeze_panes(1, 0)
        sheet.autofilter(0, 0, max(row_index - 1, 1), len(_INPUT_HEADER) - 1)
        sheet.set_column(0, 2, 24)
        sheet.set_column(5, 5, 48)

    def _methodology(self, workbook: xlsxwriter.Workbook, document: ResultsDocument) -> None:
        lang = document.lang
        methodology = document.result.methodology
        sheet = workbook.add_worksheet(translate(_SHEET_METHODOLOGY, lang))
        header = workbook.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
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

    def _legend(self, workbook: xlsxwriter.Workbook, document: ResultsDocument) -> None:
        lang = document.lang
        methodology = document.result.methodology
        sheet = workbook.add_worksheet(translate(_SHEET_LEGEND, lang))
        header = workbook.add_format({"bold": True, "bg_color": "#DDE4EE", "border": 1})
        sheet.write_row(0, 0, [translate(title, lang) for title in _LEGEND_HEADER], header)
        names = {i.id: i.name[lang] for i in methodology.indicators}
        names |= {c.id: c.name[lang] for c in methodology.criteria}
        for row_index, column in enumerate(document.columns, start=1):
            base = column.removesuffix("_level").removesuffix("_category")
            sheet.write_row(row_index, 0, [column, names.get(base, "")])
        sheet.set_column(0, 0, 36)
        sheet.set_column(1, 1, 80)


register_renderer(WorkbookRenderer())
