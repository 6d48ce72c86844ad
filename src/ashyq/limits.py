"""Limits that keep a hostile or broken input from exhausting the server, declared once.

The readers of CSV and XLSX files (``ashyq.tabular`` for index inputs and portal uploads,
``ashyq.records.sources`` for the record importers) and the portal's upload report read
these values; docs/data-formats.md lists them, and a test checks that it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

__all__ = ["INPUT_LIMITS", "InputLimits"]

MiB: Final = 1024 * 1024


@dataclass(frozen=True)
class InputLimits:
    """How large an input file may be, checked before and while it is read."""

    # A workbook is a zip: its sheets may expand far beyond the file's own size. 64 MiB of
    # XML is about two million cells, what ``cells`` allows (measured: 1 M cells, 53 MB).
    xlsx_uncompressed_bytes: int = 64 * MiB
    # Sheets of real data deflate 5-20 times (measured on XlsxWriter sheets, even all
    # zeros: 15); a zip bomb deflates hundreds of times (the probe's: 280).
    compression_ratio: int = 100
    # Parts smaller than this are never a danger, whatever their ratio.
    compression_checked_from_bytes: int = 1 * MiB
    # Excel's own maximum; a sheet or a table file read into memory row by row has no more.
    rows: int = 1_048_576
    # An index input has one row per evaluated body (49 today): a thousand leaves room for
    # any registry and blank lines, and keeps a file of a million rows from being read
    # whole (one of 1 M unknown bodies took 12 s and 717 MB before its problems were cut).
    index_input_rows: int = 1_000
    # Excel's own maximum number of columns.
    columns: int = 16_384
    # A cell read into memory costs about 130 bytes (measured with tracemalloc): two
    # million cells stay under 300 MB, whatever the rows and columns.
    cells: int = 2_000_000
    # Python's csv module's own limit, so no process-wide setting is changed; a field this
    # long is a broken quote or a broken export, not a value.
    field_chars: int = 131_072
    # The problems of one upload kept in full in its report; beyond them only the counts
    # by kind are kept (a broken file once stored 960,018 problems and 940 MB).
    problems_stored: int = 1_000


INPUT_LIMITS: Final = InputLimits()
"""The limits in force."""
