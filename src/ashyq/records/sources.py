"""Read an import file (CSV, JSON Lines, Parquet or XLSX) into a table of text columns.

Every value stays text, exactly as the file holds it (Parquet values are written out as
text), so the validator can report what it found. Each row keeps the number a person
sees in the file: in CSV and XLSX the header is row 1, so the first record is row 2; in
JSON Lines and Parquet the first record is row 1. A CSV row is a physical line, the one
an editor shows; a record whose quoted field holds a line break is numbered by its first
line. Rows the reader cannot split into fields (a CSV line with the wrong number of
cells, each line a quote left open runs over, a line that is not a JSON object) are
returned apart, with the reason, so that they are quarantined rather than lost.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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
from ashyq.tabular import CsvBrokenLine, open_csv, read_table

__all__ = ["ROW_COLUMN", "Progress", "Source", "UnsplitRow", "read_source"]

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


@dataclass(frozen=True)
class Source:
    """A file read as text: its header, a text table with ``_row``, and unsplit rows."""

    file: str
    format: str
    header: tuple[str, ...]
    table: pa.Table
    unsplit: tuple[UnsplitRow, ...]

    @property
    def rows_read(self) -> int:
        """Every record of the file: the ones split into fields and the ones not."""
        rows: int = self.table.num_rows
        return rows + len(self.unsplit)


def _unreadable(file: str, expected: str, found: str, **params: object) -> InputError:
    problem = InputProblem("unreadable_file", file, None, None, Message(expected, params), found)
    return InputError([problem])


def _cells_expected(width: int, delimiter: str) -> Message:
    return Message(
        N_("{count} cells separated by «{delimiter}»"), {"count": width, "delimiter": delimiter}
    )


def _row_numbers(kept: int, first: int) -> pa.Array:
    """Row numbers counted from ``first``, for formats with one record per row."""
    return pa.array(np.arange(first, first + kept, dtype=np.int64), pa.int64())


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


def _read_csv(path: Path, file: str, progress: Progress | None, limits: InputLimits) -> Source:
    total = path.stat().st_size
    on_bytes = None if progress is None else (lambda done: progress(done, total))
    unsplit: list[UnsplitRow] = []
    batches: list[pa.RecordBatch] = []
    cells: list[str] = []
    numbers: list[int] = []
    chars = 0
    with open_csv(path, limits, on_bytes) as source:
        header, width = source.header, len(source.header)
        for item in source.records:
            if isinstance(item, CsvBrokenLine):
                unsplit.append(UnsplitRow(item.line, item.expected, item.found))
                continue
            line, _, values, text = item
            if len(values) == width:
                cells.extend(values)
                numbers.append(line)
                chars += len(text)
                if len(numbers) == _BATCH_ROWS or chars > _BATCH_CHARS:
                    batches.append(_text_batch(header, cells, numbers))
                    cells, numbers, chars = [], [], 0
            elif values:  # a blank line holds no record
                expected = _cells_expected(width, source.delimiter)
                found = f"{len(values)}: {text.rstrip(chr(13) + chr(10))[:200]}"
                unsplit.append(UnsplitRow(line, expected, found))
    batches.append(_text_batch(header, cells, numbers))
    table = pa.Table.from_batches(batches)
    return Source(file, "csv", header, table, tuple(unsplit))


def _as_text(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """A column as text: numbers and dates as a person would type them."""
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return column.cast(pa.string())
    if pa.types.is_null(kind):
        return pa.chunked_array([pa.nulls(len(column), pa.string())])
    if pa.types.is_timestamp(kind):
        return pc.strftime(column, format="%Y-%m-%dT%H:%M:%S")
    if pa.types.is_boolean(kind) or pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return column.cast(pa.string())
    if pa.types.is_date(kind):
        return column.cast(pa.string())
    return pa.chunked_array(
        [pa.array([None if v is None else json.dumps(v, default=str) for v in column.to_pylist()])]
    )


def _as_text_table(table: pa.Table, first_row: int) -> pa.Table:
    columns = [_as_text(table.column(name)) for name in table.column_names]
    text = pa.table(columns, names=table.column_names)
    return text.append_column(ROW_COLUMN, _row_numbers(text.num_rows, first_row))


def _read_parquet(path: Path, file: str, progress: Progress | None, limits: InputLimits) -> Source:
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowInvalid, OSError) as error:
        raise _unreadable(file, N_("a Parquet file"), str(error)) from error
    total = parquet.metadata.num_rows
    batches: list[pa.RecordBatch] = []
    for batch in parquet.iter_batches(batch_size=1 << 18):
        batches.append(batch)
        if progress is not None:
            progress(sum(b.num_rows for b in batches), total)
    table = pa.Table.from_batches(batches, schema=parquet.schema_arrow)
    return Source(file, "parquet", tuple(table.column_names), _as_text_table(table, 1), ())


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


def _read_jsonl(path: Path, file: str, progress: Progress | None, limits: InputLimits) -> Source:
    records: list[dict[str, Any]] = []
    numbers: list[int] = []
    unsplit: list[UnsplitRow] = []
    header: dict[str, None] = {}
    for number, line in _json_lines(path, progress):
        try:
            value = json.loads(line)
        except (json.JSONDecodeError, UnicodeDecodeError):
            value = None
        if not isinstance(value, dict):
            unsplit.append(
                UnsplitRow(
                    number, Message(N_("a JSON object")), line[:200].decode(errors="replace")
                )
            )
            continue
        header.update(dict.fromkeys(value))
        records.append(value)
        numbers.append(number)
    names = list(header)
    columns = {
        name: pa.array([_cell_text(record.get(name)) for record in records], pa.string())
        for name in names
    }
    table = pa.table(columns) if names else pa.table({})
    table = table.append_column(ROW_COLUMN, pa.array(numbers, pa.int64()))
    return Source(file, "jsonl", tuple(names), table, tuple(unsplit))


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


def _read_xlsx(path: Path, file: str, progress: Progress | None, limits: InputLimits) -> Source:
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
    return Source(file, "xlsx", table.header, text, ())


def read_source(
    path: Path, progress: Progress | None = None, limits: InputLimits = INPUT_LIMITS
) -> Source:
    """Read ``path`` as text, choosing the reader by its extension.

    Raises InputError when the file is missing, of an unknown type, unreadable as a
    whole, names a column twice, or passes ``limits`` (see ``ashyq.limits``). Rows that
    cannot be split into fields are returned in ``Source.unsplit``, one per line of the
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
        "csv": _read_csv,
        "jsonl": _read_jsonl,
        "parquet": _read_parquet,
        "xlsx": _read_xlsx,
    }
    return readers[kind](path, file, progress, limits)
