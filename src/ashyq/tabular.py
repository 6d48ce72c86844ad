"""Read a spreadsheet-like file (CSV or XLSX) into header and rows, keeping row numbers.

Row numbers are the ones a person sees: the header is row 1 in a CSV and in a sheet, so
the first data row is row 2. In a CSV a row is a physical line, the one an editor shows:
a record whose quoted field holds a line break spans several lines and is numbered by
the first. Cells stay as the file holds them (text, or numbers from a sheet);
interpreting them is the caller's job, so it can say exactly what it expected.

Every file is read within ``ashyq.limits.INPUT_LIMITS``: a workbook's zip directory is
checked before any sheet is parsed (unpacked size, compression ratio, no DTD), the
sheet's declared size before its rows are read, and rows and cells are counted while
they are read, so a file that lies about its size is stopped all the same. The record
importers read a CSV record by record through ``open_csv``, with the same rules.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Final, NamedTuple
from xml.parsers import expat

from ashyq.errors import InputError, InputProblem, Message
from ashyq.i18n import N_
from ashyq.limits import INPUT_LIMITS, InputLimits

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook

__all__ = [
    "Cell",
    "CsvBrokenLine",
    "CsvFile",
    "CsvRecord",
    "Table",
    "TableRow",
    "open_csv",
    "read_table",
]

Cell = str | int | float | bool | Decimal | datetime | date | time | timedelta | None
_PLAIN = (str, int, float, bool, Decimal, datetime, date, time, timedelta)


def _sheet_cell(value: object) -> Cell:
    """A sheet value as a plain cell: rich text and formulas become their text."""
    if value is None or isinstance(value, _PLAIN):
        return value
    return str(value)


_CSV_SUFFIXES = {".csv", ".tsv", ".txt"}
_XLSX_SUFFIXES = {".xlsx", ".xlsm"}
_MiB: Final = 1024 * 1024
# What a found line shows of itself: enough to find it in an editor.
_SHOWN_CHARS: Final = 200


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


def _refusal(
    code: str,
    file: str,
    expected: Message,
    found: str | Message,
    row: int | None = None,
    column: str | None = None,
) -> InputError:
    return InputError([InputProblem(code, file, row, column, expected, found)])


def _problem(file: str, expected: str, found: str, **params: object) -> InputError:
    return _refusal("unreadable_file", file, Message(expected, params), found)


def _megabytes(size: int) -> str:
    return f"{size / _MiB:.1f}".removesuffix(".0")


def _check_header(file: str, header: list[str]) -> None:
    """Refuse a header that names a column twice: its cells would overwrite each other."""
    seen: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if name in seen:
            found = Message(
                N_("«{column}» in columns {first} and {second}"),
                {"column": name, "first": seen[name], "second": position},
            )
            raise _refusal(
                "duplicate_column", file, Message(N_("each column named once")), found, 1, name
            )
        seen[name] = position


def _too_many(file: str, row: int, rows: int, cells: int, limits: InputLimits) -> None:
    """Refuse, at ``row``, a file that passes the limit on rows or on cells."""
    if rows > limits.rows:
        expected = Message(N_("at most {limit} rows"), {"limit": limits.rows})
        raise _refusal("too_large", file, expected, Message(N_("more rows, from this one on")), row)
    if cells > limits.cells:
        expected = Message(N_("at most {limit} cells in all"), {"limit": limits.cells})
        found = Message(N_("more cells, from this row on"))
        raise _refusal("too_large", file, expected, found, row)


# --- CSV ------------------------------------------------------------------------------------


class CsvRecord(NamedTuple):
    """A record of a CSV file: the line it starts on, the line it ends on, and its cells.

    ``text`` is its first line as the file holds it, to show when the record is refused.
    (A named tuple: a file holds millions of records, and a tuple is made fastest.)"""

    line: int
    last_line: int
    cells: list[str]
    text: str


@dataclass(frozen=True)
class CsvBrokenLine:
    """A line that could not be split into a record: where it is, what was expected."""

    line: int
    expected: Message
    found: str | Message


@dataclass(frozen=True)
class CsvFile:
    """An open CSV file: its delimiter, its header and its records in file order."""

    file: str
    delimiter: str
    header: tuple[str, ...]
    records: Iterator[CsvRecord | CsvBrokenLine]


def _shown(text: str) -> str:
    text = text.rstrip("\r\n")
    return text if len(text) <= _SHOWN_CHARS else f"{text[:_SHOWN_CHARS]}…"


_BLOCK_BYTES: Final = 1 << 20
_TEXT_FILE: Final = N_("a UTF-8 or Windows-1251 text file")


class _Lines:
    """The physical lines of a CSV file, decoded, for the csv module to read.

    The file is read and decoded a block of whole lines at a time; only a block that does
    not decode at once is gone through line by line, to name the line at fault. The
    encoding is taken from the first line that is not plain ASCII (UTF-8 if it decodes as
    such, else Windows-1251, as Russian-locale Excel saves), and every later line must be
    in the same one: a file that changes encoding is refused naming the line. The lines of
    the record being read are kept in ``pending``, so that a record that cannot be split
    is reported line by line.
    """

    def __init__(
        self,
        handle: BinaryIO,
        file: str,
        limits: InputLimits,
        progress: Callable[[int], None] | None,
    ) -> None:
        self.handle = handle
        self.file = file
        self.progress = progress
        self.encoding: str | None = None
        self.pending: list[str] = []
        self.lines_before = 0  # lines of the blocks before the one being decoded
        # Until the header is known, a line may hold a header's worth of names.
        self.max_bytes = 8 * limits.field_chars
        self.bytes_read = 0

    def __iter__(self) -> Iterator[str]:
        pending = self.pending
        carry = b""
        while True:
            block = self.handle.read(_BLOCK_BYTES)
            buffer = carry + block if carry else block
            if block:
                cut = buffer.rfind(b"\n") + 1
                if cut == 0:
                    if len(buffer) > self.max_bytes:
                        limit = {"limit": self.max_bytes}
                        raise _refusal(
                            "too_large",
                            self.file,
                            Message(N_("a line of at most {limit} bytes"), limit),
                            Message(N_("a longer line")),
                            self.lines_before + 1,
                        )
                    carry = buffer
                    continue
                buffer, carry = buffer[:cut], buffer[cut:]
            elif not buffer:
                return
            self.bytes_read += len(buffer)
            # Lines end at LF, CRLF or a lone CR, as the csv module and editors see them.
            lines = io.StringIO(self.decode(buffer), newline="").readlines()
            self.lines_before += len(lines)
            if self.progress is not None:
                self.progress(self.bytes_read)
            for line in lines:
                pending.append(line)
                yield line
            if not block:
                return

    def refuse(self, number: int, expected: Message, found: str | Message) -> InputError:
        return _refusal("unreadable_file", self.file, expected, found, number)

    def decode(self, raw: bytes) -> str:
        if self.lines_before == 0:
            if raw.startswith(codecs.BOM_UTF8):
                raw = raw[len(codecs.BOM_UTF8) :]
                self.encoding = "utf-8"
            elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
                raise self.refuse(1, Message(N_("a CSV file in UTF-8 or Windows-1251")), "UTF-16")
        if b"\x00" not in raw:
            if raw.isascii():
                return raw.decode("ascii")
            if self.encoding != "cp1251":
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    pass
                else:
                    # Every line decodes as UTF-8, so the first that is not ASCII is UTF-8.
                    self.encoding = "utf-8"
                    return text
        numbered = enumerate(raw.splitlines(keepends=True), start=self.lines_before + 1)
        return "".join(self.decode_line(number, line) for number, line in numbered)

    def decode_line(self, number: int, raw: bytes) -> str:
        if b"\x00" in raw:
            raise self.refuse(number, Message(_TEXT_FILE), "binary data")
        if raw.isascii():
            return raw.decode("ascii")
        utf8 = _utf8(raw)
        if self.encoding is None:
            self.encoding = "utf-8" if utf8 is not None else "cp1251"
        if self.encoding == "utf-8":
            if utf8 is None:
                raise self.refuse(
                    number,
                    Message(N_("UTF-8 text, as in the lines before it")),
                    Message(N_("bytes that are not UTF-8: the file changes encoding here")),
                )
            return utf8
        # Windows-1251 text of two Cyrillic letters in a row is never valid UTF-8.
        if utf8 is not None:
            raise self.refuse(
                number,
                Message(N_("Windows-1251 text, as in the lines before it")),
                Message(N_("UTF-8 text: the file changes encoding here")),
            )
        try:
            return raw.decode("cp1251")
        except UnicodeDecodeError:  # 0x98, the one byte Windows-1251 leaves undefined
            raise self.refuse(number, Message(_TEXT_FILE), "binary data") from None


def _utf8(raw: bytes) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _broken(
    first: int, lines: list[str], reason: str, delimiter: str, width: int, limits: InputLimits
) -> Iterator[CsvBrokenLine]:
    """Each line of a record that cannot be split, from line ``first`` on, with why.

    Quarantining the lines of the record, rather than guessing where the record should
    have ended, is what can be made exact: the csv module reads a quoted field until its
    closing quote, so a quote left open swallows the lines after it up to the next quote
    in the file (or its end), and only the record's own lines are known for certain.
    Reading goes on at the next line, which starts a record again.
    """
    last = first + len(lines) - 1
    if first == last and reason.startswith("field larger than field limit"):
        expected = Message(
            N_("a field of at most {limit} characters"), {"limit": limits.field_chars}
        )
        yield CsvBrokenLine(first, expected, _shown(lines[0]))
        return
    if first == last and "expected after" in reason:
        expected = Message(
            N_("«{delimiter}» or the end of the line after a closing quote"),
            {"delimiter": delimiter},
        )
        yield CsvBrokenLine(first, expected, _shown(lines[0]))
        return
    expected = Message(
        N_("{count} cells separated by «{delimiter}», each quote closed"),
        {"count": width, "delimiter": delimiter},
    )
    for number, text in enumerate(lines, start=first):
        found = Message(
            N_(
                "an unterminated quote in the record that begins on line {start} "
                "(it runs to line {end}); this line holds «{text}»"
            ),
            {"start": first, "end": last, "text": _shown(text)},
        )
        yield CsvBrokenLine(number, expected, found)


def _csv_records(
    lines: _Lines, stream: Iterator[str], delimiter: str, width: int, limits: InputLimits
) -> Iterator[CsvRecord | CsvBrokenLine]:
    # Strict: a closing quote followed by anything but a delimiter or the end of the line is
    # an error, not silently glued to the field.
    reader = csv.reader(stream, delimiter=delimiter, quotechar='"', doublequote=True, strict=True)
    # The csv module's field limit is process-wide; when someone raised it, check ours here.
    check_lengths = csv.field_size_limit() > limits.field_chars
    pending = lines.pending
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if pending:
                # The reader counts the lines it read; the header, line 1, was read before.
                first = reader.line_num + 2 - len(pending)
                yield from _broken(first, pending[:], str(error), delimiter, width, limits)
                pending.clear()
            continue
        last = reader.line_num + 1
        first = last + 1 - len(pending)
        if check_lengths and any(len(cell) > limits.field_chars for cell in cells):
            reason = "field larger than field limit"
            yield from _broken(first, pending[:], reason, delimiter, width, limits)
        elif first != last and len(cells) != width:
            # A quote that closed lines later, where another field's quote opened.
            yield from _broken(first, pending[:], "", delimiter, width, limits)
        else:
            yield CsvRecord(first, last, cells, pending[0])
        pending.clear()


@contextmanager
def open_csv(
    path: Path,
    limits: InputLimits = INPUT_LIMITS,
    progress: Callable[[int], None] | None = None,
) -> Iterator[CsvFile]:
    """Open a CSV file (comma, semicolon or tab separated; UTF-8 or Windows-1251).

    Yields its header and an iterator of its records and of the lines that could not be
    split into one (a quote left open, a field over the limit), each with its line.
    ``progress`` is called with the bytes read so far. Raises InputError when the file is
    empty, names a column twice, holds an over-long line or binary data, or changes
    encoding: a file that cannot be read line by line is refused whole.
    """
    file = str(path)
    with path.open("rb") as handle:
        lines = _Lines(handle, file, limits, progress)
        stream = iter(lines)
        first = next(stream, None)
        if first is None or not first.strip():
            raise _problem(file, N_("a header row and data rows"), "an empty file")
        try:
            delimiter = csv.Sniffer().sniff(first, delimiters=",;\t").delimiter
        except csv.Error:
            delimiter = ","
        try:
            names = next(csv.reader([first], delimiter=delimiter, strict=True))
        except csv.Error:
            raise _refusal(
                "unreadable_file",
                file,
                Message(N_("a header row of column names")),
                _shown(first),
                1,
            ) from None
        header = [name.strip() for name in names]
        _check_header(file, header)
        lines.pending.clear()
        # No valid record is longer than its columns at the longest field, in UTF-8.
        lines.max_bytes = (len(header) + 1) * (4 * limits.field_chars + 3)
        records = _csv_records(lines, stream, delimiter, len(header), limits)
        yield CsvFile(file, delimiter, tuple(header), records)


def _row_cells(header: tuple[str, ...], values: list[str] | tuple[object, ...]) -> dict[str, Cell]:
    cells: dict[str, Cell] = dict.fromkeys(header)
    for index, value in enumerate(values):
        if index < len(header):
            cells[header[index]] = _sheet_cell(value)
        elif value is not None:
            cells[f"#{index + 1}"] = _sheet_cell(value)
    return cells


def _read_csv(path: Path, file: str, limits: InputLimits) -> Table:
    rows: list[TableRow] = []
    problems: list[InputProblem] = []
    cells_read = 0
    with open_csv(path, limits) as source:
        header = source.header
        for item in source.records:
            if isinstance(item, CsvBrokenLine):
                problems.append(
                    InputProblem("unsplit_row", file, item.line, None, item.expected, item.found)
                )
                continue
            cells_read += max(len(item.cells), len(header))
            _too_many(file, item.line, len(rows) + len(problems) + 1, cells_read, limits)
            rows.append(TableRow(item.line, _row_cells(header, item.cells)))
    if problems:
        raise InputError(problems)
    return Table(file, header, tuple(rows))


# --- XLSX -----------------------------------------------------------------------------------

# A damaged workbook fails inside zipfile, zlib, the XML parsers (SyntaxError covers
# ElementTree's ParseError and lxml's XMLSyntaxError; ValueError defusedxml's refusals)
# or openpyxl's own checks of what it read.
_DAMAGED: Final = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    SyntaxError,
    expat.ExpatError,
)
_XML_PARTS: Final = (".xml", ".rels", ".vml")


class _PrologEndError(Exception):
    """Raised by the XML scan once the root element starts: the prolog is behind."""


class _DoctypeError(Exception):
    """Raised by the XML scan at a DOCTYPE, the only place entities are declared."""


def _check_xml_prolog(archive: zipfile.ZipFile, info: zipfile.ZipInfo, file: str) -> None:
    """Refuse a part whose XML declares a DOCTYPE: entities that expand a billion times
    live there, and Excel never writes one. Reads only up to the root element."""

    def stop(*_: object) -> None:
        raise _PrologEndError

    def doctype(*_: object) -> None:
        raise _DoctypeError

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = doctype
    parser.StartElementHandler = stop
    with archive.open(info) as part:
        try:
            while chunk := part.read(64 * 1024):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except _PrologEndError:
            return
        except _DoctypeError:
            raise _refusal(
                "unsafe_file",
                file,
                Message(N_("a workbook without a DTD or XML entities")),
                Message(N_("a DOCTYPE in «{part}»"), {"part": info.filename}),
            ) from None


def _check_package(archive: zipfile.ZipFile, file: str, limits: InputLimits) -> None:
    """Refuse a workbook, from its zip directory alone, that would unpack too far."""
    members = archive.infolist()
    for info in members:
        checked = info.file_size >= limits.compression_checked_from_bytes
        if checked and info.file_size > limits.compression_ratio * max(info.compress_size, 1):
            expected = Message(
                N_("parts that unpack to at most {ratio} times their packed size"),
                {"ratio": limits.compression_ratio},
            )
            found = Message(
                N_("«{part}» unpacks {ratio} times: {packed} bytes to {size} MB (a zip bomb?)"),
                {
                    "part": info.filename,
                    "ratio": info.file_size // max(info.compress_size, 1),
                    "packed": info.compress_size,
                    "size": _megabytes(info.file_size),
                },
            )
            raise _refusal("too_large", file, expected, found)
    total = sum(info.file_size for info in members)
    if total > limits.xlsx_uncompressed_bytes:
        largest = max(members, key=lambda info: info.file_size)
        expected = Message(
            N_("a workbook of at most {limit} MB once unpacked"),
            {"limit": _megabytes(limits.xlsx_uncompressed_bytes)},
        )
        found = Message(
            N_("{size} MB, of which «{part}» {part_size} MB"),
            {
                "size": _megabytes(total),
                "part": largest.filename,
                "part_size": _megabytes(largest.file_size),
            },
        )
        raise _refusal("too_large", file, expected, found)
    for info in members:
        if info.filename.lower().endswith(_XML_PARTS):
            _check_xml_prolog(archive, info, file)


def _check_dimension(sheet: object, file: str, limits: InputLimits) -> None:
    """Refuse a sheet whose ``<dimension ref=...>`` declares more than the limits allow."""
    from openpyxl.utils import get_column_letter

    min_row = getattr(sheet, "min_row", 1) or 1
    min_column = getattr(sheet, "min_column", 1) or 1
    max_row = getattr(sheet, "max_row", None)
    max_column = getattr(sheet, "max_column", None)
    if not isinstance(max_row, int) or not isinstance(max_column, int):
        return  # no dimension: the rows are counted while they are read
    rows, columns = max_row - 1, max_column
    if rows <= limits.rows and columns <= limits.columns and rows * columns <= limits.cells:
        return
    ref = f"{get_column_letter(min_column)}{min_row}:{get_column_letter(max_column)}{max_row}"
    expected = Message(
        N_("a sheet of at most {rows} rows, {columns} columns and {cells} cells"),
        {"rows": limits.rows, "columns": limits.columns, "cells": limits.cells},
    )
    found = Message(
        N_("a sheet that declares {ref}: {rows} rows and {columns} columns"),
        {"ref": ref, "rows": max_row, "columns": max_column},
    )
    raise _refusal("too_large", file, expected, found)


def _sheet_table(workbook: Workbook, file: str, limits: InputLimits) -> Table:
    if not workbook.worksheets:
        raise _problem(file, N_("a header row and data rows"), "a workbook without sheets")
    sheet = workbook.worksheets[0]
    _check_dimension(sheet, file, limits)
    # Read the rows the sheet holds, counted below: a <dimension> that is wrong would
    # otherwise cut the rows short, or pad them out to millions.
    sheet.reset_dimensions()
    iterator = sheet.iter_rows(values_only=True)
    try:
        first = next(iterator, None)
        if first is None:
            raise _problem(file, N_("a header row and data rows"), "an empty sheet")
        names = [str(value).strip() if value is not None else "" for value in first]
        while names and names[-1] == "":
            names.pop()
        _check_header(file, names)
        header = tuple(names)
        rows = []
        cells_read = 0
        for number, values in enumerate(iterator, start=2):
            cells_read += max(len(values), len(header))
            _too_many(file, number, number - 1, cells_read, limits)
            rows.append(TableRow(number, _row_cells(header, values)))
    finally:
        # Close the sheet's part now, not when the collector finds it: reading may stop early.
        iterator.close()
    return Table(file, header, tuple(rows))


def _read_xlsx(path: Path, file: str, limits: InputLimits) -> Table:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with zipfile.ZipFile(path) as archive:
            _check_package(archive, file, limits)
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            return _sheet_table(workbook, file, limits)
        finally:
            workbook.close()
    except InputError:
        raise
    except (InvalidFileException, *_DAMAGED) as error:
        found = str(error) or type(error).__name__
        raise _problem(file, N_("an Excel workbook (.xlsx)"), found) from error


def read_table(path: Path, limits: InputLimits = INPUT_LIMITS) -> Table:
    """Read a CSV (comma, semicolon or tab separated) or the first sheet of an XLSX file.

    Raises InputError when the file is missing, empty, of another type or unreadable,
    names a column twice, passes ``limits``, or holds a CSV record that cannot be split
    (each of its lines named).
    """
    file = str(path)
    if not path.is_file():
        raise _problem(file, N_("an existing file"), "no such file")
    suffix = path.suffix.lower()
    if suffix in _CSV_SUFFIXES:
        return _read_csv(path, file, limits)
    if suffix in _XLSX_SUFFIXES:
        return _read_xlsx(path, file, limits)
    raise _problem(file, N_("a .csv or .xlsx file"), f"a {suffix or 'nameless'} file")
