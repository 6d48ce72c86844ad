"""Reading generated reports back: every table and heading of a `Report` must be found in
the DOCX (python-docx), the XLSX (openpyxl) and the PDF (pypdf) rendered from it, with no
template leftovers; the first PDF pages are kept as PNG artefacts."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pypdfium2 as pdfium  # type: ignore[import-untyped]
from docx import Document
from pypdf import PdfReader

from ashyq.reports.model import (
    BulletList,
    Chart,
    Heading,
    Paragraph,
    Report,
    Table,
    TableOfContents,
)
from ashyq.reports.render import REPORT_RENDERERS

ARTEFACTS = Path(__file__).parent.parent / "test-artifacts" / "reports"
# What a template leaves behind when a value is missing.
LEFTOVERS = re.compile(r"\{[a-z_]*\}|\bNone\b|\bnan\b|\bNaN\b")


def plain(text: str) -> str:
    """``text`` with no-break spaces and runs of white space as single spaces."""
    return re.sub(r"\s+", " ", text.replace("\N{NO-BREAK SPACE}", " ").replace("\u202f", " "))


def report_texts(report: Report) -> Iterator[str]:
    """Every string a reader of any format could see, data sheets included."""
    yield from (report.title, report.subtitle, report.footer)
    for block in report.blocks:
        if isinstance(block, Heading | Paragraph):
            yield block.text
        elif isinstance(block, BulletList):
            yield from block.items
        elif isinstance(block, Table):
            yield block.caption
            yield from (column.title for column in block.columns)
            yield from (label for _, label in block.legend)
            for row in block.rows:
                for cell in row:
                    yield cell.text
                    if cell.note:
                        yield cell.note
        elif isinstance(block, Chart):
            yield from (block.caption, block.alt)
        elif isinstance(block, TableOfContents):
            yield block.title
    for sheet in report.data_sheets:
        yield sheet.title
        yield from (column.title for column in sheet.columns)
        yield from (cell.text for row in sheet.rows for cell in row)


def render_all(report: Report) -> dict[str, bytes]:
    """The report in every registered format."""
    return {name: renderer.render(report) for name, renderer in REPORT_RENDERERS.items()}


def check_docx(report: Report, data: bytes) -> str:
    """Every table of the report is a DOCX table with the same cells; returns all text."""
    document = Document(io.BytesIO(data))
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in document.tables]
    expected = [
        [[c.title for c in t.columns], *([c.text for c in row] for row in t.rows)]
        for t in report.tables()
    ]
    assert tables == expected
    text = "\n".join(p.text for p in document.paragraphs)
    for heading in report.headings():
        assert heading.text in text
    return text + "\n".join("\t".join(row) for table in tables for row in table)


def sheets_by_caption(workbook: Any) -> dict[str, Any]:
    """The sheets of a report's workbook by the caption of their table, as its contents
    sheet (the first) lists them: from row 4, the sheet's name, then the caption."""
    contents = workbook.worksheets[0]
    return {
        str(caption): workbook[str(name)]
        for name, caption in contents.iter_rows(min_row=4, max_col=2, values_only=True)
        if name and caption
    }


def check_xlsx(report: Report, data: bytes) -> str:
    """Every table is a sheet of its own, named in the report's language: an Excel table
    whose header is the first row (pandas reads its columns by their titles), numbers as
    numbers, the header repeated on every printed page, printed one page wide."""
    import pandas as pd  # type: ignore[import-untyped]

    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheets = sheets_by_caption(workbook)
    if report.lang != "en":
        identifiers = [
            ws.title for ws in workbook.worksheets if re.fullmatch(r"[\w~.]+", ws.title, re.ASCII)
        ]
        assert not identifiers, identifiers
    for table in report.tables():
        sheet = sheets[table.caption]
        assert [c.value for c in sheet[1]] == [c.title for c in table.columns]
        assert sheet.freeze_panes in {"A2", "B2"}
        if table.rows:
            assert len(sheet.tables) == 1, table.caption
        assert sheet.print_title_rows in {"1:1", "$1:$1"}
        assert sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.page_setup.fitToWidth in {None, 1} and sheet.page_setup.fitToHeight == 0
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == len(table.rows)
        for got, cells in zip(rows, table.rows, strict=True):
            for value, cell, column in zip(got, cells, table.columns, strict=True):
                if column.kind != "text" and isinstance(cell.value, Decimal | int):
                    assert isinstance(value, int | float)
                    assert Decimal(str(value)) == Decimal(cell.value), (table.key, cell)
                elif column.kind == "text":
                    assert value == cell.text
    for table in list(report.tables())[:5]:
        frame = pd.read_excel(io.BytesIO(data), sheet_name=sheets[table.caption].title)
        assert list(frame.columns) == [c.title for c in table.columns]
        for index, column in enumerate(table.columns):
            if column.kind in {"number", "integer"} and table.rows:
                assert frame.dtypes.iloc[index].kind in "if", (table.caption, column.title)
    return "\n".join(
        str(v)
        for ws in workbook.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    )


def pdf_text(data: bytes) -> str:
    """The text of every page, white space folded."""
    return plain("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def check_pdf(report: Report, data: bytes, stem: str, pages: int = 3) -> str:
    """Headings and table cells are in the PDF's text; the first pages are saved as PNG.

    Lines break inside narrow cells (also after a hyphen), so the text is compared with
    all white space removed."""
    text = pdf_text(data)
    compact = re.sub(r"\s+", "", text)

    def found(value: str) -> bool:
        return re.sub(r"\s+", "", value) in compact

    for heading in report.headings():
        assert found(heading.text), heading.text
    for table in report.tables():
        kinds = [column.kind for column in table.columns]
        first = kinds.index("text") if "text" in kinds else 0
        for row in table.rows:
            assert found(row[first].text), (table.key, row[first].text)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    document = pdfium.PdfDocument(data)
    try:
        for index in range(min(pages, len(document))):
            image = document[index].render(scale=1.5).to_pil()
            image.save(ARTEFACTS / f"{stem}-page{index + 1}.png")
            assert image.convert("L").getextrema()[0] < 64  # something dark is drawn
    finally:
        document.close()
    return text


def check_all_formats(report: Report, stem: str) -> tuple[dict[str, bytes], dict[str, str]]:
    """Render ``report`` in every format, read each back, and check for leftovers; returns
    the files and their text by format."""
    files = render_all(report)
    texts = {
        "docx": check_docx(report, files["docx"]),
        "xlsx": check_xlsx(report, files["xlsx"]),
        "pdf": check_pdf(report, files["pdf"], stem),
        "html": re.sub(r"<style>.*?</style>", "", files["html"].decode("utf-8"), flags=re.S),
    }
    for name, text in texts.items():
        assert not LEFTOVERS.search(text), (name, LEFTOVERS.search(text))
    return files, texts
