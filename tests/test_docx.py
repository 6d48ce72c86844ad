"""Word documents as a reader opens them: in LibreOffice, or in Word without updating fields.

Neither computes a table of contents that the file leaves empty, both check spelling and
hyphenate by the language the styles declare, and both lay a table out by the widths the
file gives its columns.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn

from ashyq.i18n import LANGUAGES, Lang
from ashyq.index.engine import IndexResult
from ashyq.reports.model import Heading, Report
from ashyq.reports.openness import build_openness_report
from ashyq.reports.render.docx import DocxRenderer
from ashyq.reports.scorecard import build_scorecard
from ashyq.reports.sources import published_openness
from tests.validators import libreoffice_pdf

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@pytest.fixture(scope="module")
def openness() -> dict[Lang, tuple[Report, bytes]]:
    data = published_openness(2025)
    built = {lang: build_openness_report(data, lang) for lang in LANGUAGES}
    return {lang: (report, DocxRenderer().render(report)) for lang, report in built.items()}


def _toc_entries(data: bytes) -> list[tuple[str, str]]:
    """The (text, anchor) of every entry the table of contents field holds as its result."""
    document = Document(io.BytesIO(data))
    body = document.element.body
    entries: list[tuple[str, str]] = []
    inside = False
    for paragraph in body.iter(f"{W}p"):
        instructions = "".join(t.text or "" for t in paragraph.iter(f"{W}instrText"))
        if "TOC" in instructions:
            inside = True
        if inside:
            for link in paragraph.iter(f"{W}hyperlink"):
                text = "".join(t.text or "" for t in link.iter(f"{W}t"))
                entries.append((text, link.get(qn("w:anchor"))))
            ends = [c for c in paragraph.iter(f"{W}fldChar") if c.get(qn("w:fldCharType")) == "end"]
            if ends and entries:
                break
    return entries


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_table_of_contents_is_written_with_its_entries(
    openness: dict[Lang, tuple[Report, bytes]], lang: Lang
) -> None:
    report, data = openness[lang]
    headings = [h.text for h in report.headings() if 1 <= h.level <= 3]
    entries = _toc_entries(data)
    # Every heading, in order, except the contents' own title.
    assert [text for text, _ in entries] == [h for h in headings if h != entries_title(report)]
    bookmarks = {
        b.get(qn("w:name"))
        for b in Document(io.BytesIO(data)).element.body.iter(f"{W}bookmarkStart")
    }
    assert all(anchor in bookmarks for _, anchor in entries)


def entries_title(report: Report) -> str:
    from ashyq.reports.model import TableOfContents

    return next(b.title for b in report.blocks if isinstance(b, TableOfContents))


_TAGS = {"ru": "ru-RU", "kk": "kk-KZ", "en": "en-GB"}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_styles_declare_the_documents_language(
    openness: dict[Lang, tuple[Report, bytes]], lang: Lang
) -> None:
    _, data = openness[lang]
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        styles = package.read("word/styles.xml").decode("utf-8")
    declared = set(re.findall(r'<w:lang w:val="([^"]+)"', styles))
    assert declared == {_TAGS[lang]}


def _longest_word(texts: list[str]) -> int:
    return max((len(word) for text in texts for word in text.split()), default=1)


# What a character of the tables' 8.5 pt text takes at least, in twips (0.17 cm).
_CHAR_TWIPS = 96


def test_table_columns_are_as_wide_as_their_words(result_2025: IndexResult) -> None:
    # The scorecard's indicator table gave every column the same width, so "Неэффективный"
    # broke as "Неэффективны/й": now each column is at least as wide as its longest word.
    report = build_scorecard(result_2025, "mf", "ru", period=2025)
    document = Document(io.BytesIO(DocxRenderer().render(report)))
    for grid, table in zip(document.tables, report.tables(), strict=True):
        widths = [int(c.get(qn("w:w"))) for c in grid._tbl.tblGrid.iter(f"{W}gridCol")]
        assert sum(widths) <= 17 * 567 + 10, table.caption  # the page's text width
        longest = [
            _longest_word([column.title, *(row[i].text for row in table.rows)])
            for i, column in enumerate(table.columns)
        ]
        if sum(longest) * _CHAR_TWIPS <= sum(widths):
            for width, chars in zip(widths, longest, strict=True):
                assert width >= chars * _CHAR_TWIPS, (table.caption, widths, longest)
        cells = [int(c.width.twips) for c in grid.rows[-1].cells]
        assert cells == widths, table.caption  # Word reads the cells', LibreOffice the grid's


def test_no_heading_of_the_scorecard_is_lost(result_2025: IndexResult) -> None:
    report = build_scorecard(result_2025, "mf", "kk", period=2025)
    data = DocxRenderer().render(report)
    text = "\n".join(p.text for p in Document(io.BytesIO(data)).paragraphs)
    for heading in (b for b in report.blocks if isinstance(b, Heading)):
        assert heading.text in text


def test_libreoffice_shows_the_contents_without_updating_fields(
    openness: dict[Lang, tuple[Report, bytes]], tmp_path: Path
) -> None:
    from pypdf import PdfReader

    report, data = openness["kk"]
    document = tmp_path / "openness-kk.docx"
    document.write_bytes(data)
    pdf = libreoffice_pdf(document, tmp_path)
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    contents = next(i for i, text in enumerate(pages) if entries_title(report) in text)
    listed = " ".join(" ".join(pages[contents : contents + 3]).split())
    headings = [h.text for h in report.headings() if 1 <= h.level <= 3]
    assert all(" ".join(h.split()) in listed for h in headings[:8]), listed[:500]
