"""A report as a tree of blocks: what it says, not how a format lays it out.

Builders fill a :class:`Report` with blocks; every renderer walks the same blocks. Text is
already in the report's language and every number in it already spelled: renderers never
format or translate. Table cells keep the exact value beside its spelling so that
spreadsheets get numbers and number formats, and a ``level`` so that every format can
colour the cell the same way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from ashyq.i18n import Lang

__all__ = [
    "Block",
    "BulletList",
    "Cell",
    "Chart",
    "Column",
    "DataSheet",
    "Heading",
    "LevelRule",
    "PageBreak",
    "Paragraph",
    "Report",
    "Table",
    "TableOfContents",
]


@dataclass(frozen=True)
class Heading:
    """A heading; ``level`` 1 is a chapter, 2 a section, 3 a subsection."""

    text: str
    level: Literal[1, 2, 3] = 1
    anchor: str | None = None


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of running text; ``emphasis`` marks a lead or a conclusion."""

    text: str
    style: Literal["body", "lead", "note"] = "body"


@dataclass(frozen=True)
class BulletList:
    """A list of items, each one sentence or more."""

    items: tuple[str, ...]
    ordered: bool = False


@dataclass(frozen=True)
class Cell:
    """One table cell: its spelling, the exact value behind it, and its level if any.

    ``level`` is a band id of the methodology (``high``, ``medium``, ``low``,
    ``ineffective``) or a category/grade mapped onto one of them, which every format
    colours the same way; ``note`` is a tooltip or a cell comment (e.g. a provenance).
    """

    text: str
    value: Decimal | int | str | None = None
    level: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class LevelRule:
    """A rule of a column's colours: a value ``op`` ``bound`` is at ``level``.

    A column's rules apply in order and the first that matches wins; a rule without a
    bound catches the rest. Spreadsheets keep them as conditional formats, so a cell
    changes colour when its value is edited; other formats colour by ``Cell.level``.
    """

    level: str
    op: Literal[">=", "<", "=="] = ">="
    bound: Decimal | str | None = None


@dataclass(frozen=True)
class Column:
    """A table column: its heading, the kind of values it holds, and its colour rules."""

    title: str
    kind: Literal["text", "number", "integer", "percent", "label"] = "text"
    decimals: int | None = None
    rules: tuple[LevelRule, ...] = ()


@dataclass(frozen=True)
class Table:
    """A table with a caption; ``key`` names it in spreadsheets (a sheet name)."""

    key: str
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    legend: tuple[tuple[str, str], ...] = ()  # (level, label) pairs shown under the table

    def __post_init__(self) -> None:
        for number, row in enumerate(self.rows, start=1):
            if len(row) != len(self.columns):
                raise ValueError(
                    f"table {self.key}: row {number} has {len(row)} cells, "
                    f"expected {len(self.columns)}"
                )


@dataclass(frozen=True)
class Chart:
    """A chart rendered offline, with the same picture as SVG (HTML, PDF) and PNG (DOCX).

    ``alt`` describes what the chart shows for readers who cannot see it.
    """

    key: str
    caption: str
    alt: str
    svg: bytes
    png: bytes
    width_cm: float = 16.0


@dataclass(frozen=True)
class TableOfContents:
    """The table of contents (a field in DOCX, a list of links in HTML and PDF)."""

    title: str


@dataclass(frozen=True)
class PageBreak:
    """Start the next block on a new page (in paged formats)."""


Block = Heading | Paragraph | BulletList | Table | Chart | TableOfContents | PageBreak


@dataclass(frozen=True)
class DataSheet:
    """Raw inputs that go with a report: a plain table only spreadsheets carry."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass
class Report:
    """A whole document in one language."""

    kind: str  # "openness", "scorecard", "compendium": names the file
    lang: Lang
    title: str
    subtitle: str
    blocks: list[Block] = field(default_factory=list)
    data_sheets: list[DataSheet] = field(default_factory=list)
    footer: str = ""  # printed on every page of paged formats, beside the page number
    cover: bool = True  # a title page of its own in paged formats (not for a short scorecard)

    def add(self, *blocks: Block) -> None:
        """Append ``blocks`` in order."""
        self.blocks.extend(blocks)

    def tables(self) -> Iterator[Table]:
        """Every table, in document order."""
        return (block for block in self.blocks if isinstance(block, Table))

    def headings(self) -> Iterator[Heading]:
        """Every heading, in document order."""
        return (block for block in self.blocks if isinstance(block, Heading))
