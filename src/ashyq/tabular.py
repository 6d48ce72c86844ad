"""Read a spreadsheet-like file (CSV or XLSX) into header and rows, keeping row numbers.

Row numbers are the ones a person sees: the header is row 1 in a CSV and in a sheet, so
the first data row is row 2. Cells stay as the file holds them (text, or numbers from a
sheet); interpreting them is the caller's job, so it can say exactly what it expected.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

from ashyq.errors import InputError, InputProblem, Message
from ashyq.i18n import N_

__all__ = ["Cell", "Table", "TableRow", "read_table"]

Cell = str | int | float | bool | Decimal | datetime | date | time | timedelta | None
_PLAIN = (str, int, float, bool, Decimal, datetime, date, time, timedelta)


def _sheet_cell(value: object) -> Cell:
    """A sheet value as a plain cell: rich text and formulas become their text."""
    if value is None or isinstance(value, _PLAIN):
        return value
    return str(value)


_CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}


@dataclass(frozen=True)
class TableRow:
    """One data row: its row number in the file and its cells by column name."""

    number: int
    cells: dict[str, Cell]

    def is_empty(self) -> bool:
        """True when every cell is blank."""
        return all(value is None or str(value).strip() == "" for value in self.cells.values())


@dataclass(frozen=True)
class Table:
    """A header row and the data rows under it."""

    file: str
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]


def _problem(file: str, expected: str, found: str, **params: object) -> InputError:
    return InputError(
        [InputProblem("unreadable_file", file, None, None, Message(expected, params), found)]
    )


def _decode(raw: bytes, file: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    # Russian-locale Excel saves CSV as Windows-1251; every byte decodes, so try it last.
    text = raw.decode("cp1251")
    if "\x98" in text:  # the one byte cp1251 leaves undefined
        raise _problem(file, N_("a UTF-8 or Windows-1251 text file"), "binary data")
    return text


def _read_csv(path: Path, file: str) -> Table:
    text = _decode(path.read_bytes(), file)
    if not text.strip():
        raise _problem(file, N_("a header row and data rows"), "an empty file")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text.split("\n", 1)[0], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    header = [name.strip() for name in next(reader)]
    rows = []
    for number, values in enumerate(reader, start=2):
        cells: dict[str, Cell] = dict.fromkeys(header)
        for index, value in enumerate(values):
            name = header[index] if index < len(header) else f"#{index + 1}"
            cells[name] = value
        rows.append(TableRow(number, cells))
    return Table(file, tuple(header), tuple(rows))


def _read_xlsx(path: Path, file: str) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        found = str(error) or type(error).__name__
        raise _problem(file, N_("an Excel workbook (.xlsx)"), found) from error
    try:
        sheet = workbook.worksheets[0]
        iterator = sheet.iter_rows(values_only=True)
        first = next(iterator, None)
        if first is None:
            raise _problem(file, N_("a header row and data rows"), "an empty sheet")
        header = [str(value).strip() if value is not None else "" for value in first]
        while header and header[-1] == "":
            header.pop()
        rows = []
        for number, values in enumerate(iterator, start=2):
            cells: dict[str, Cell] = dict.fromkeys(header)
            for index, value in enumerate(values):
                if index < len(header):
                    cells[header[index]] = _sheet_cell(value)
                elif value is not None:
                    cells[f"#{index + 1}"] = _sheet_cell(value)
            rows.append(TableRow(number, cells))
    finally:
        workbook.close()
    return Table(file, tuple(header), tuple(rows))


def read_table(path: Path) -> Table:
    """Read a CSV (comma, semicolon or tab separated) or the first sheet of an XLSX file.

    Raises InputError when the file is missing, empty, of another type or unreadable.
    """
    file = str(path)
    if not path.is_file():
        raise _problem(file, N_("an existing file"), "no such file")
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        return _read_csv(path, file)
    if suffix in _XLSX_SUFFIXES:
        return _read_xlsx(path, file)
    raise _problem(file, N_("a .csv or .xlsx file"), f"a {suffix or 'nameless'} file")
