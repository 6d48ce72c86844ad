"""Published results as open data: CSV, XLSX and JSON tables and a Frictionless Data Package.

Every table is generated from a published snapshot only, so a download is as immutable as
the version it names; ``datapackage.json`` lists every table of every version with its
Table Schema.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Final

import xlsxwriter  # type: ignore[import-untyped]  # XlsxWriter ships no type information

from ashyq.bodies import BodyRegistry
from ashyq.index.methodology import Methodology
from ashyq.numbers import plain_decimal
from ashyq.results.model import ResultsDocument

__all__ = ["FORMATS", "TABLES", "Table", "data_package", "render_table", "table_of"]

TABLES: Final = ("results", "indicators")
FORMATS: Final = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


@dataclass(frozen=True)
class Table:
    """A published table: its Table Schema fields and its rows."""

    name: str
    fields: list[dict[str, str]]
    rows: list[dict[str, Any]]


def _field(name: str, kind: str, description: str) -> dict[str, str]:
    return {"name": name, "type": kind, "description": description}


def table_of(
    name: str, document: ResultsDocument, methodology: Methodology, registry: BodyRegistry
) -> Table:
    """Build table ``name`` (``results`` or ``indicators``) of a published document."""
    if name == "results":
        fields = [
            _field("body", "string", "Body code of the Ashyq registry"),
            _field("name_ru", "string", "Short name in Russian"),
            _field("name_kk", "string", "Short name in Kazakh"),
            _field("name_en", "string", "Short name in English"),
            _field("level", "string", "CGO (central) or MIO (akimat)"),
            _field("rank", "integer", "Rank within the level"),
            _field("total", "number", "Total points (bonuses included)"),
            _field("grade", "string", "Grade of the total"),
        ]
        for criterion in methodology.criteria:
            fields.append(_field(criterion.id, "number", criterion.name.en))
            fields.append(_field(f"{criterion.id}_category", "string", "Category"))
        fields += [_field(i.id, "number", i.name.en) for i in methodology.indicators]
        rows = []
        for body in document.bodies:
            known = registry.get(body.code)
            row: dict[str, Any] = {
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
            for indicator_id, indicator in body.indicators.items():
                row[indicator_id] = indicator.score
            rows.append(row)
        return Table(name, fields, rows)
    if name == "indicators":
        fields = [
            _field("body", "string", "Body code of the Ashyq registry"),
            _field("level", "string", "CGO (central) or MIO (akimat)"),
            _field("criterion", "string", "Criterion id"),
            _field("indicator", "string", "Indicator id"),
            _field("score", "number", "Points"),
            _field("max", "number", "Max points of the indicator"),
            _field("indicator_level", "string", "Level of the indicator"),
            _field("method", "string", "computed from raw counts, or ready from the authority"),
            _field("authority", "string", "Authorised body that supplied the source data"),
        ]
        rows = []
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
        return Table(name, fields, rows)
    raise KeyError(name)


def _plain(value: Any) -> Any:
    return plain_decimal(value) if isinstance(value, Decimal) else value


def render_table(table: Table, fmt: str) -> bytes:
    """The table as CSV (UTF-8, dot decimals), XLSX (numbers as numbers) or JSON."""
    names = [f["name"] for f in table.fields]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, names, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: _plain(v) for k, v in row.items()} for row in table.rows)
        return buffer.getvalue().encode("utf-8")
    if fmt == "json":
        rows = [{k: _plain(v) for k, v in row.items()} for row in table.rows]
        return json.dumps({"fields": table.fields, "rows": rows}, ensure_ascii=False).encode()
    if fmt == "xlsx":
        output = io.BytesIO()
        book = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = book.add_worksheet(table.name)
        bold = book.add_format({"bold": True})
        for column, name in enumerate(names):
            sheet.write_string(0, column, name, bold)
        for number, row in enumerate(table.rows, start=1):
            for column, name in enumerate(names):
                value = row.get(name)
                if isinstance(value, Decimal | int):
                    sheet.write_number(number, column, float(value))
                elif value is not None:
                    sheet.write_string(number, column, str(value))
        sheet.freeze_panes(1, 1)
        book.close()
        return output.getvalue()
    raise KeyError(fmt)


def data_package(
    published: list[tuple[int, int, str, dict[str, Any]]],
    methodologies: dict[int, Methodology],
    registry: BodyRegistry,
) -> dict[str, Any]:
    """``datapackage.json``: one CSV resource per table of every published version.

    ``published`` holds (period, version, sha256, document). Each table's path is relative
    to the descriptor (``/open-data/datapackage.json``), as the Data Package standard
    reads it: never built from the request, whose Host header the sender chooses.
    """
    resources = []
    for period, version, sha256, payload in published:
        document = ResultsDocument.from_payload(payload)
        for name in TABLES:
            table = table_of(name, document, methodologies[period], registry)
            resources.append(
                {
                    "name": f"{name}-{period}-v{version}",
                    "path": f"{period}/v{version}/{name}.csv",
                    "profile": "tabular-data-resource",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "encoding": "utf-8",
                    "description": f"{name} of the {period} Openness Index, version {version} "
                    f"(snapshot sha256 {sha256})",
                    "schema": {"fields": table.fields, "primaryKey": _key(name)},
                }
            )
    return {
        "profile": "tabular-data-package",
        "name": "ashyq-openness-index",
        "title": "Openness Index of Kazakhstan's government bodies",
        "licenses": [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/"}],
        "resources": resources,
    }


def _key(name: str) -> list[str]:
    return ["body"] if name == "results" else ["body", "indicator"]
