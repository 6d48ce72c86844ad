"""Open an import file (CSV, JSON Lines, Parquet or XLSX) for the engine to read.

Every value stays as the file holds it, text (or, in Parquet, typed), so the validator
can report what it found. Each row keeps the number a person
sees in the file: in CSV and XLSX the header is row 1, so the first record is row 2; in
JSON Lines and Parquet the first record is row 1. A CSV row is a physical line, the one
an editor shows; a record whose quoted field holds a line break is numbered by its first
line. Rows the reader cannot split into fields (a CSV line with the wrong number of
cells, each line a quote left open runs over, a line that is not a JSON object) are
returned apart, with the reason, so that they are quarantined rather than lost.

A file is read as a stream, never whole: CSV and JSON Lines in batches of text records
(JSON Lines twice, as its header is every key any line has), and a Parquet file not in
Python at all, as the engine reads it in place (``Source.parquet``), typed as it is. A
workbook, bounded by ``ashyq.limits``, is read whole and handed on as one batch.
"""

from __future__ import annotations

import glob
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ashyq.errors import InputError, InputProblem, Message
from ashyq.i18n import N_
from ashyq.limits import INPUT_LIMITS, InputLimits
from ashyq.tabular import CsvBrokenLine, CsvFile, open_csv, read_table

__all__ = [
    "ROW_COLUMN",
    "Progress",
    "Source",
    "UnsplitRow",
    "is_plain_csv",
    "open_source",
    "source_files",
]

ROW_COLUMN: Final = "_row"
Progress = Callable[[int, int], None]
"""Called with (units done, units in all) while a file is read."""

# Records are turned into Arrow columns this many at a time, to hold few Python strings;
# fewer when they are long, so a column of a batch stays within Arrow's 2 GB of text.
_BATCH_ROWS: Final = 1 << 16
_BATCH_CHARS: Final = 1 << 28
_FORMATS: Final = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}


@dataclass(frozen=True)
class UnsplitRow:
    """A row the reader could not split into fields: where it is, and what it holds."""

    row: int
    expected: Message
    found: str | Message


@dataclass
class Source:
    """A file being read: its header, and its records as batches of text columns with
    ``_row`` (``batches``), or, for Parquet, the file the engine reads in place
    (``parquet``, typed as the file holds it; its first record is row 1). A CSV file
    (``delimiter`` set) whose every line is one whole record (``is_plain_csv``) may also
    be read by the engine; when the engine finds it is not what it seemed, the batches
    read it as usual.

    ``unsplit`` grows while the batches are read: the rows that could not be split into
    fields, which count as read.
    """

    file: str
    format: str
    header: tuple[str, ...]
    batches: Iterator[pa.RecordBatch] = field(default_factory=lambda: iter(()))
    parquet: Path | None = None
    delimiter: str | None = None
    limits: InputLimits = INPUT_LIMITS
    rows: int | None = None
    unsplit: list[UnsplitRow] = field(default_factory=list)


def _unreadable(file: str, expected: str, found: str, **params: object) -> InputError:
    problem = InputProblem("unreadable_file", file, None, None, Message(expected, params), found)
    return InputError([problem])


def _cells_expected(width: int, delimiter: str) -> Message:
    return Message(
        N_("{count} cells separated by «{delimiter}»"), {"count": width, "delimiter": delimiter}
    )


def _text_column(cells: list[str]) -> pa.Array:
    """Cells as an Arrow text column: joined, then split again by Arrow, which is several
    times faster than converting them one by one. No cell holds NUL: ``open_csv`` refuses
    a file that does."""
    if not cells:
        return pa.array([], pa.string())
    joined = pa.array(["\x00".join(cells)], pa.large_string())
    return pc.split_pattern(joined, "\x00").flatten().cast(pa.string())


def _text_batch(header: tuple[str, ...], cells: list[str], numbers: list[int]) -> pa.RecordBatch:
    """A batch of records given as their cells one after another, row by row."""
    width = len(header)
    arrays = [_text_column(cells[index::width]) for index in range(width)]
    arrays.append(pa.array(numbers, pa.int64()))
    return pa.RecordBatch.from_arrays(arrays, names=[*header, ROW_COLUMN])


@contextmanager
def _open_csv(
    path: Path, file: str, progress: Progress | None, limits: InputLimits
) -> Iterator[Source]:
    total = path.stat().st_size
    on_bytes = None if progress is None else (lambda done: progress(done, total))
    with open_csv(path, limits, on_bytes) as records:
        source = Source(file, "csv", records.header, delimiter=records.delimiter, limits=limits)
        source.batches = _csv_batches(records, source.unsplit)
        yield source


def is_plain_csv(source: Source) -> bool:
    """Whether ``source`` is a CSV file the engine may read itself: every line after the
    header is one record (line ``n`` is row ``n``), with no line break in a quoted field,
    no blank line, no line ending but LF or CRLF, no NUL and no line longer than the field
    limit. Whether each line splits into the header's number of fields, and whether the
    file is UTF-8, the engine checks as it reads (strictly). Reads the whole file."""
    if source.delimiter is None:
        return False
    return _one_record_a_line(Path(source.file), source.limits.field_chars)


_SCAN_BYTES: Final = 1 << 24
_LF: Final = 10
_CR: Final = 13
_QUOTE: Final = 34


def _one_record_a_line(path: Path, max_line: int) -> bool:
    """Whether each line of the file at ``path`` is one whole record (``is_plain_csv``).

    Read in blocks at C speed (``bytes`` and NumPy): 3.4 s for the 1.77 GB national
    appeals CSV on the benchmark machine.
    """
    with path.open("rb") as handle:
        carry = b""
        while True:
            block = handle.read(_SCAN_BYTES)
            data = carry + block if carry else block
            if not block:
                return not data or _plain_lines(data + b"\n", max_line)
            cut = data.rfind(b"\n") + 1
            if cut == 0:
                if len(data) > max_line:
                    return False
                carry = data
                continue
            if not _plain_lines(data[:cut], max_line):
                return False
            carry = data[cut:]


def _plain_lines(lines: bytes, max_line: int) -> bool:
    """Whether ``lines`` (whole lines, each ending with LF) are plain records."""
    if b"\0" in lines:
        return False
    array = np.frombuffer(lines, np.uint8)
    ends = np.flatnonzero(array == _LF)
    lengths = np.diff(ends, prepend=-1) - 1
    if not lengths.all() or int(lengths.max()) > max_line:
        return False  # a blank line, or a line over the limit
    if b"\r" in lines:
        returns = np.flatnonzero(array == _CR)
        # Only CRLF: a lone CR ends a line for Python's reader, and not for the engine's.
        if not bool((array[returns + 1] == _LF).all()):
            return False
        if bool((array[ends - 1] == _CR)[lengths == 1].any()):
            return False  # a blank line ending with CRLF
    if b'"' not in lines:
        return True
    # An odd number of quotes on a line leaves a quoted field open over its end.
    quotes_before = np.searchsorted(np.flatnonzero(array == _QUOTE), ends)
    return not bool((np.diff(quotes_before, prepend=0) & 1).any())


def _csv_batches(records: CsvFile, unsplit: list[UnsplitRow]) -> Iterator[pa.RecordBatch]:
    """The records of a CSV file, a batch at a time; the rows that do not split go to
    ``unsplit``."""
    header, width = records.header, len(records.header)
    cells: list[str] = []
    numbers: list[int] = []
    chars = 0
    for item in records.records:
        if isinstance(item, CsvBrokenLine):
            unsplit.append(UnsplitRow(item.line, item.expected, item.found))
            continue
        line, _, values, text = item
        if len(values) == width:
            cells.extend(values)
            numbers.append(line)
            chars += len(text)
            if len(numbers) == _BATCH_ROWS or chars > _BATCH_CHARS:
                yield _text_batch(header, cells, numbers)
                cells, numbers, chars = [], [], 0
        elif values:  # a blank line holds no record
            expected = _cells_expected(width, records.delimiter)
            found = f"{len(values)}: {text.rstrip(chr(13) + chr(10))[:200]}"
            unsplit.append(UnsplitRow(line, expected, found))
    if numbers:
        yield _text_batch(header, cells, numbers)


@contextmanager
def _open_parquet(
    path: Path, file: str, progress: Progress | None, limits: InputLimits
) -> Iterator[Source]:
    try:
        metadata = pq.read_metadata(path)
        schema = pq.read_schema(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise _unreadable(file, N_("a Parquet file"), str(error)) from error
    header = tuple(schema.names)
    if len(set(header)) != len(header):
        twice = next(name for name in header if header.count(name) > 1)
        raise _unreadable(file, N_("each column named once"), twice)
    yield Source(file, "parquet", header, parquet=path, rows=metadata.num_rows)


def _json_lines(path: Path, progress: Progress | None) -> Iterator[tuple[int, bytes]]:
    total = path.stat().st_size
    done = 0
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            done += len(line)
            if progress is not None and number % 50_000 == 0:
                progress(done, total)
            if line.strip():
                yield number, line
    if progress is not None:
        progress(total, total)


@contextmanager
def _open_jsonl(
    path: Path, file: str, progress: Progress | None, limits: InputLimits
) -> Iterator[Source]:
    # Two passes: the header is every key any object has, known only at the end; then the
    # records, a batch at a time.
    unsplit: list[UnsplitRow] = []
    header: dict[str, None] = {}
    for number, value, line in _json_objects(path, progress):
        if value is None:
            found = line[:200].decode(errors="replace")
            unsplit.append(UnsplitRow(number, Message(N_("a JSON object")), found))
        else:
            header.update(dict.fromkeys(value))
    names = tuple(header)
    yield Source(file, "jsonl", names, _json_batches(path, names), unsplit=unsplit)


def _json_objects(
    path: Path, progress: Progress | None
) -> Iterator[tuple[int, dict[str, Any] | None, bytes]]:
    """Each non-blank line: its number, its object (None when it is not one), its bytes."""
    for number, line in _json_lines(path, progress):
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            value = None
        yield number, value if isinstance(value, dict) else None, line


def _json_batches(path: Path, names: tuple[str, ...]) -> Iterator[pa.RecordBatch]:
    records: list[dict[str, Any]] = []
    numbers: list[int] = []
    for number, value, _ in _json_objects(path, None):
        if value is not None:
            records.append(value)
            numbers.append(number)
        if len(numbers) == _BATCH_ROWS:
            yield _json_batch(names, records, numbers)
            records, numbers = [], []
    if numbers:
        yield _json_batch(names, records, numbers)


def _json_batch(
    names: tuple[str, ...], records: list[dict[str, Any]], numbers: list[int]
) -> pa.RecordBatch:
    arrays = [
        pa.array([_cell_text(record.get(name)) for record in records], pa.string())
        for name in names
    ]
    arrays.append(pa.array(numbers, pa.int64()))
    return pa.RecordBatch.from_arrays(arrays, names=[*names, ROW_COLUMN])


def _cell_text(value: object) -> str | None:
    """A cell of JSON or a sheet as text; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@contextmanager
def _open_xlsx(
    path: Path, file: str, progress: Progress | None, limits: InputLimits
) -> Iterator[Source]:
    table = read_table(path, limits)  # the first sheet, as the index inputs are read
    rows = [row for row in table.rows if not row.is_empty()]
    columns = {
        name: pa.array([_cell_text(row.cells.get(name)) for row in rows], pa.string())
        for name in table.header
    }
    text = pa.table(columns).append_column(
        ROW_COLUMN, pa.array([row.number for row in rows], pa.int64())
    )
    if progress is not None:
        progress(len(rows), len(rows))
    yield Source(file, "xlsx", table.header, iter(text.to_batches()))


@contextmanager
def open_source(
    path: Path, progress: Progress | None = None, limits: InputLimits = INPUT_LIMITS
) -> Iterator[Source]:
    """Open ``path`` for reading, choosing the reader by its extension.

    Raises InputError when the file is missing, of an unknown type, unreadable as a
    whole, names a column twice, or passes ``limits`` (see ``ashyq.limits``); a CSV file
    may also raise it while its batches are read (a line over the limit, binary data).
    Rows that cannot be split into fields land in ``Source.unsplit``, one per line of the
    file, so that they are quarantined rather than lost.
    """
    file = str(path)
    if not path.is_file():
        raise _unreadable(file, N_("an existing file"), "no such file")
    kind = _FORMATS.get(path.suffix.lower())
    if kind is None:
        expected = N_("a .csv, .jsonl, .parquet or .xlsx file")
        raise _unreadable(file, expected, f"a {path.suffix or 'nameless'} file")
    readers = {
        "csv": _open_csv,
        "jsonl": _open_jsonl,
        "parquet": _open_parquet,
        "xlsx": _open_xlsx,
    }
    with readers[kind](path, file, progress, limits) as source:
        yield source


def source_files(path: Path) -> list[Path]:
    """The import files ``path`` names, in a stable order: the file itself; the files of a
    directory that have a supported extension (not its subdirectories, nor hidden files);
    or the files a glob pattern (``*``, ``?``, ``[…]``, ``**``) matches, likewise.

    Raises InputError when ``path`` is none of these, or names no import file.
    """
    if path.is_file():
        return [path]
    file = str(path)
    if path.is_dir():
        found = [p for p in path.iterdir() if p.is_file()]
    elif glob.has_magic(file):
        root, pattern = (
            (Path(path.anchor), file[len(path.anchor) :]) if path.anchor else (Path(), file)
        )
        found = [p for p in root.glob(pattern) if p.is_file()]
    else:
        raise _unreadable(file, N_("an existing file, directory or pattern"), "no such file")
    chosen = sorted(
        (p for p in found if p.suffix.lower() in _FORMATS and not p.name.startswith(".")),
        key=lambda p: str(p),
    )
    if not chosen:
        raise _unreadable(
            file, N_("a .csv, .jsonl, .parquet or .xlsx file in it"), "no import file"
        )
    return chosen
