"""DOCX (python-docx): real headings and tables, a contents field, page numbers, charts.

Word fills the contents field when the file is opened (``updateFields``); LibreOffice
when asked to update indexes. Cells are shaded by level with the same colours as the
other formats, and the level is also written as text, so colour is never the only cue.

DejaVu Sans is embedded (a subset with Latin and Cyrillic, obfuscated as ECMA-376 Part 1,
§17.8.1 prescribes), so the Kazakh letters render on a computer that lacks the font.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Sequence
from typing import Any, Final

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Length, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph as DocxParagraph
from lxml import etree  # type: ignore[import-untyped]

from ashyq.reports.fonts import FAMILY, font_faces, subset_font, text_width
from ashyq.reports.model import (
    BulletList,
    Chart,
    Heading,
    PageBreak,
    Paragraph,
    Report,
    Table,
    TableOfContents,
)
from ashyq.results.render import LEVEL_COLOURS

__all__ = ["DocxRenderer"]

_NUMERIC = {"number", "integer", "percent"}
_OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
_EMBED_ELEMENT = {
    ("normal", "normal"): "w:embedRegular",
    ("bold", "normal"): "w:embedBold",
    ("normal", "italic"): "w:embedItalic",
    ("bold", "italic"): "w:embedBoldItalic",
}
# The keys of the embedded faces: fixed, so the same report gives the same file.
_FONT_NAMESPACE = uuid.UUID("6f0d3c1e-5a0b-4e55-9a37-6173687971a0")


def obfuscate_font(data: bytes, key: uuid.UUID) -> bytes:
    """XOR the first 32 bytes of a font with its key's bytes in reverse order (§17.8.1);
    the same operation de-obfuscates."""
    mask = bytes.fromhex(key.hex)[::-1]
    head = bytes(byte ^ mask[index % 16] for index, byte in enumerate(data[:32]))
    return head + data[32:]


def _embed_fonts(document: DocxDocument) -> None:
    """Embed the report font's faces in the font table and tell Word to use them."""
    relationship = next(
        r for r in document.part.rels.values() if r.reltype == RELATIONSHIP_TYPE.FONT_TABLE
    )
    table_part = relationship.target_part
    table = parse_xml(table_part.blob)
    font = OxmlElement("w:font")
    font.set(qn("w:name"), FAMILY)
    for number, face in enumerate(font_faces(), start=1):
        key = uuid.uuid5(_FONT_NAMESPACE, face.path.name)
        data = obfuscate_font(subset_font(face.path), key)
        part = Part(
            PackURI(f"/word/fonts/font{number}.odttf"),
            _OBFUSCATED_FONT,
            data,
            document.part.package,
        )
        relation_id = table_part.relate_to(part, RELATIONSHIP_TYPE.FONT)
        embedded = OxmlElement(_EMBED_ELEMENT[face.weight, face.style])
        embedded.set(qn("r:id"), relation_id)
        embedded.set(qn("w:fontKey"), "{" + str(key).upper() + "}")
        font.append(embedded)
    table.append(font)
    table_part._blob = etree.tostring(
        table, xml_declaration=True, encoding="UTF-8", standalone=True
    )
    settings = document.settings.element
    _insert_setting(settings, OxmlElement("w:embedTrueTypeFonts"), _AFTER_EMBEDDING)
    _insert_setting(settings, OxmlElement("w:saveSubsetFonts"), _AFTER_EMBEDDING)


# CT_Settings is a sequence: a setting goes before the first of its successors present.
_AFTER_EMBEDDING = [
    "saveFormsData",
    "mirrorMargins",
    "alignBordersAndEdges",
    "bordersDoNotSurroundHeader",
    "bordersDoNotSurroundFooter",
    "gutterAtTop",
    "hideSpellingErrors",
    "hideGrammaticalErrors",
    "activeWritingStyle",
    "proofState",
    "formsDesign",
    "attachedTemplate",
    "linkStyles",
    "stylePaneFormatFilter",
    "stylePaneSortMethod",
    "documentType",
    "mailMerge",
    "revisionView",
    "trackRevisions",
    "doNotTrackMoves",
    "doNotTrackFormatting",
    "documentProtection",
    "autoFormatOverride",
    "styleLockTheme",
    "styleLockQFSet",
    "defaultTabStop",
]
_AFTER_UPDATE_FIELDS = [
    "hdrShapeDefaults",
    "footnotePr",
    "endnotePr",
    "compat",
    "docVars",
    "rsids",
    "mathPr",
    "attachedSchema",
    "themeFontLang",
    "clrSchemeMapping",
    "doNotIncludeSubdocsInStats",
    "doNotAutoCompressPictures",
    "forceUpgrade",
    "captions",
    "readModeInkLockDown",
    "smartTagType",
    "schemaLibrary",
    "shapeDefaults",
    "doNotEmbedSmartTags",
    "decimalSymbol",
    "listSeparator",
]


def _insert_setting(settings: Any, element: Any, successors: list[str]) -> None:
    names = {qn(f"w:{name}") for name in successors}
    for index, child in enumerate(settings):
        if child.tag in names:
            settings.insert(index, element)
            return
    settings.append(element)


# The languages of the reports as Word declares them (spelling, hyphenation).
_LANGUAGE_TAGS: Final = {"ru": "ru-RU", "kk": "kk-KZ", "en": "en-GB"}
_TOC_LEVELS: Final = 3


def _declare_language(document: DocxDocument, tag: str) -> None:
    """Make ``tag`` the language of every run the styles leave undeclared (the template's
    defaults say en-US, which would check Russian text against English)."""
    styles = document.styles.element
    declared = list(styles.iter(qn("w:lang")))
    if not declared:
        defaults = styles.find(qn("w:docDefaults"))
        if defaults is None:
            defaults = OxmlElement("w:docDefaults")
            styles.insert(0, defaults)
        run_defaults = defaults.find(qn("w:rPrDefault"))
        if run_defaults is None:
            run_defaults = OxmlElement("w:rPrDefault")
            defaults.insert(0, run_defaults)
        properties = run_defaults.find(qn("w:rPr"))
        if properties is None:
            properties = OxmlElement("w:rPr")
            run_defaults.append(properties)
        declared = [OxmlElement("w:lang")]
        properties.append(declared[0])
    for element in declared:
        element.set(qn("w:val"), tag)
        element.set(qn("w:eastAsia"), tag)


def _bookmark(paragraph: DocxParagraph, name: str, number: int) -> None:
    """Put the whole of ``paragraph`` in a bookmark called ``name``."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    properties = paragraph._p.pPr
    if properties is not None:
        properties.addnext(start)
    else:
        paragraph._p.insert(0, start)
    paragraph._p.append(end)


def _contents_style(document: DocxDocument, level: int) -> str:
    """The paragraph style of a contents entry of ``level`` (Word's "toc N"), made once."""
    name = f"toc {level}"
    if name not in [style.name for style in document.styles]:
        style = document.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]
        style.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        style.paragraph_format.space_after = Pt(2)
    return name


def _contents(document: DocxDocument, entries: Sequence[tuple[str, int, str]]) -> None:
    """A table of contents whose entries are written now: each heading, as a link to its
    bookmark. A reader that does not update fields (LibreOffice, Word when told not to)
    shows them as they are; Word, updating, adds the page numbers."""
    if not entries:
        _field(document.add_paragraph(), _TOC_FIELD)
        return
    paragraphs = [
        document.add_paragraph(style=_contents_style(document, level)) for _, level, _ in entries
    ]
    _field_start(paragraphs[0], _TOC_FIELD, dirty=False)
    for paragraph, (text, _, anchor) in zip(paragraphs, entries, strict=True):
        link = OxmlElement("w:hyperlink")
        link.set(qn("w:anchor"), anchor)
        link.set(qn("w:history"), "1")
        run = OxmlElement("w:r")
        written = OxmlElement("w:t")
        written.set(qn("xml:space"), "preserve")
        written.text = text
        run.append(written)
        link.append(run)
        paragraph._p.append(link)
    _field_end(paragraphs[-1])


_TOC_FIELD: Final = r'TOC \o "1-3" \h \z \u'


def _field_start(paragraph: DocxParagraph, instruction: str, *, dirty: bool) -> None:
    """Open a complex field in ``paragraph``: its instruction, then its result follows
    (``dirty``: Word computes it again on opening)."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    if dirty:
        begin.set(qn("w:dirty"), "true")
    text = OxmlElement("w:instrText")
    text.set(qn("xml:space"), "preserve")
    text.text = f" {instruction} "
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    for element in (begin, text, separate):
        run._r.append(element)


def _field_end(paragraph: DocxParagraph) -> None:
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def _field(paragraph: DocxParagraph, instruction: str, placeholder: str = "") -> None:
    """A complex field (TOC, PAGE, NUMPAGES) that Word computes, showing ``placeholder``
    until it does."""
    _field_start(paragraph, instruction, dirty=True)
    if placeholder:
        paragraph.add_run(placeholder)
    _field_end(paragraph)


# The width of the text of a page (A4 less the margins, rounded down); the tables' text
# size; and a cell's padding: the table style's margins (0.19 cm each side) and a little
# room, so that the longest word of a column fits on one line in Word and LibreOffice.
_TEXT_WIDTH: Final = Cm(17)
_CELL_TEXT_PT: Final = 8.5
_CELL_PADDING: Final = Cm(0.5)


def _column_widths(table: Table) -> list[Length]:
    """Each column as wide as its longest word (so no word breaks mid-word), measured in
    the report font (bold in the header); the rest of the page's width shared by how much
    text the columns hold beyond that."""
    needed: list[int] = []
    extra: list[float] = []
    for index, column in enumerate(table.columns):
        cells = [row[index].text for row in table.rows]
        words = [text_width(word, _CELL_TEXT_PT, bold=True) for word in column.title.split()] + [
            text_width(word, _CELL_TEXT_PT) for text in cells for word in text.split()
        ]
        longest = max(words, default=0.0)
        average = sum(text_width(text, _CELL_TEXT_PT) for text in cells) / max(len(cells), 1)
        needed.append(int(Pt(longest)) + int(_CELL_PADDING))
        extra.append(max(average - longest, 0.0))
    total = int(_TEXT_WIDTH)
    if sum(needed) >= total or not any(extra):
        # Words longer than a page allows (or no text beyond them): shared by need.
        scale = total / sum(needed) if sum(needed) >= total else 1.0
        return [Length(int(width * scale)) for width in needed]
    spare = total - sum(needed)
    return [
        Length(int(width + spare * share / sum(extra)))
        for width, share in zip(needed, extra, strict=True)
    ]


def _shade(cell: _Cell, colour: str) -> None:
    properties = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour.lstrip("#"))
    properties.append(shading)


def _repeat_header(row_element: object) -> None:
    properties = row_element.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _set_font(style: object, size: float | None = None) -> None:
    font = style.font  # type: ignore[attr-defined]
    font.name = FAMILY
    if size is not None:
        font.size = Pt(size)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()  # type: ignore[attr-defined]
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FAMILY)


class DocxRenderer:
    """A Word document with styles Heading 1-3, tables and the charts as pictures."""

    name = "docx"
    suffix = ".docx"
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    def render(self, report: Report) -> bytes:
        """Return the DOCX file."""
        document = Document()
        self._setup(document, report)
        # Each heading the contents list gets a bookmark, named by its place among them.
        anchors = {
            id(heading): f"_Toc{number}"
            for number, heading in enumerate(
                (h for h in report.headings() if 1 <= h.level <= _TOC_LEVELS), start=1
            )
        }
        for block in report.blocks:
            if isinstance(block, Heading):
                heading = document.add_heading(block.text, level=block.level)
                if id(block) in anchors:
                    anchor = anchors[id(block)]
                    _bookmark(heading, anchor, int(anchor.removeprefix("_Toc")))
            elif isinstance(block, Paragraph):
                paragraph = document.add_paragraph(block.text)
                if block.style == "lead":
                    for run in paragraph.runs:
                        run.bold = True
                elif block.style == "note":
                    for run in paragraph.runs:
                        run.font.size = Pt(8.5)
            elif isinstance(block, BulletList):
                style = "List Number" if block.ordered else "List Bullet"
                for item in block.items:
                    document.add_paragraph(item, style=style)
            elif isinstance(block, Table):
                self._table(document, block)
            elif isinstance(block, Chart):
                self._chart(document, block)
            elif isinstance(block, TableOfContents):
                document.add_heading(block.title, level=1)
                entries = [
                    (h.text, h.level, anchors[id(h)]) for h in report.headings() if id(h) in anchors
                ]
                _contents(document, entries)
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
            elif isinstance(block, PageBreak):
                document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        buffer = io.BytesIO()
        document.save(buffer)
        return buffer.getvalue()

    def _setup(self, document: DocxDocument, report: Report) -> None:
        section = document.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.left_margin, section.right_margin = Cm(2), Cm(1.5)
        section.top_margin, section.bottom_margin = Cm(1.8), Cm(2)
        styles = document.styles
        _set_font(styles["Normal"], 10)
        for name in ("Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Caption"):
            _set_font(styles[name])
        _declare_language(document, _LANGUAGE_TAGS[report.lang])
        core = document.core_properties
        core.title = report.title
        core.subject = report.subtitle
        core.language = report.lang
        core.author = "Ashyq"
        document.add_heading(report.title, level=0)
        document.add_paragraph(report.subtitle, style="Subtitle")
        footer = section.footer.paragraphs[0]
        footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if report.footer:
            footer.add_run(f"{report.footer}    ")
        _field(footer, "PAGE", "1")
        footer.add_run(" / ")
        _field(footer, "NUMPAGES", "1")
        _embed_fonts(document)
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        _insert_setting(document.settings.element, update, _AFTER_UPDATE_FIELDS)

    def _table(self, document: DocxDocument, table: Table) -> None:
        caption = document.add_paragraph(table.caption, style="Caption")
        caption.paragraph_format.keep_with_next = True
        grid = document.add_table(rows=1, cols=len(table.columns))
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        grid.autofit = False
        widths = _column_widths(table)
        for column, width in zip(grid.columns, widths, strict=True):
            column.width = width
        header = grid.rows[0]
        _repeat_header(header._tr)
        for cell, column in zip(header.cells, table.columns, strict=True):
            cell.text = column.title
            _shade(cell, "#E7E6E6")
            for run in cell.paragraphs[0].runs:
                run.bold = True
                run.font.size = Pt(_CELL_TEXT_PT)
        for cell, width in zip(header.cells, widths, strict=True):
            cell.width = width
        for values in table.rows:
            row = grid.add_row()
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width
            for cell, value, column in zip(row.cells, values, table.columns, strict=True):
                cell.text = value.text
                paragraph = cell.paragraphs[0]
                if column.kind in _NUMERIC:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                for run in paragraph.runs:
                    run.font.size = Pt(_CELL_TEXT_PT)
                if value.level in LEVEL_COLOURS:
                    _shade(cell, LEVEL_COLOURS[value.level])
        if table.legend:
            legend = document.add_paragraph()
            for level, label in table.legend:
                run = legend.add_run(f" {label} ")
                run.font.size = Pt(8)
                colour = LEVEL_COLOURS.get(level)
                if colour:
                    shading = OxmlElement("w:shd")
                    shading.set(qn("w:val"), "clear")
                    shading.set(qn("w:fill"), colour.lstrip("#"))
                    run._r.get_or_add_rPr().append(shading)
                legend.add_run(" ")

    def _chart(self, document: DocxDocument, chart: Chart) -> None:
        document.add_picture(io.BytesIO(chart.png), width=Cm(min(chart.width_cm, 17)))
        picture = document.paragraphs[-1]
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        document.add_paragraph(chart.caption, style="Caption")
        # The description for screen readers, as the picture's alternative text.
        inline = picture.runs[-1]._r.findall(".//" + qn("wp:docPr"))
        for properties in inline:
            properties.set("descr", chart.alt)
