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
    "open_source",
    "plain_csv_lines",
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
    (``delimiter`` set) whose every line is one whole record (``plain_csv_lines``) may also
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


def plain_csv_lines(source: Source) -> int | None:
    """The number of lines of a CSV file the engine may read itself, or None.

    The engine may read a file whose every line after the header is one record (line
    ``n`` is row ``n``). What this reading of the file rules out, it cannot see later:
    a NUL, and a line ending but LF or CRLF. The rest the engine checks as it reads,
    strictly: a line that does not split into the header's number of fields, text that
    is not UTF-8, a line longer than the field limit (``max_line_size``). A line break in
    a quoted field or a blank line it would accept; either leaves it fewer records than
    the file has lines after the header, which the caller compares. Reads the whole
    file."""
    if source.delimiter is None:
        return None
    return _line_count(Path(source.file))


_SCAN_BYTES: Final = 1 << 24


def _line_count(path: Path) -> int | None:
    """The lines of the file at ``path``, or None when it holds a NUL or a CR that does
    not end a line (a lone CR ends a line for Python's reader, and not for the engine's).

    Read in blocks, each searched and its line breaks counted in C, without a copy: 2 s
    for the 1.77 GB national appeals CSV on the benchmark machine.
    """
    lines, last = 0, b""
    with path.open("rb") as handle:
        while block := handle.read(_SCAN_BYTES):
            if b"\0" in block:
                return None
            if last == b"\r" and not block.startswith(b"\n"):
                return None
            # A CR at the end of a block is followed by the next block's first byte.
            if b"\r" in block:
                returns = block.count(b"\r") - block.endswith(b"\r")
                if returns != block.count(b"\r\n"):
                    return None
            lines += block.count(b"\n")
            last = block[-1:]
    if last == b"\r":
        return None
    return lines + (last not in {b"", b"\n"})


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
