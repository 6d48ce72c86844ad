"""Read an import file (CSV, JSON Lines, Parquet or XLSX) into a table of text columns.

Every value stays text, exactly as the file holds it (Parquet values are written out as
text), so the validator can report what it found. Each row keeps the number a person
sees in the file: in CSV and XLSX the header is row 1, so the first record is row 2; in
JSON Lines and Parquet the first record is row 1. Rows the reader cannot split into
fields (a CSV line with the wrong number of cells, a line that is not a JSON object) are
returned apart, with the reason, so that they are quarantined rather than lost.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from ashyq.errors import InputError, InputProblem, Message
from ashyq.i18n import N_
from ashyq.tabular import read_table

__all__ = ["ROW_COLUMN", "Progress", "Source", "UnsplitRow", "read_source"]

ROW_COLUMN: Final = "_row"
Progress = Callable[[int, int], None]
"""Called with (units done, units in all) while a file is read."""

_SAMPLE_BYTES: Final = 1 << 20
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
    found: str


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


class _CountingReader(io.RawIOBase):
    """A binary file that reports how many bytes have been read from it."""

    def __init__(self, handle: io.BufferedReader, total: int, progress: Progress | None) -> None:
        self._handle = handle
        self._total = total
        self._done = 0
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count: int = self._handle.readinto(buffer)
        self._done += count
        if self._progress is not None:
            self._progress(self._done, self._total)
        return count


def _sniff_csv(path: Path, file: str) -> tuple[str, str, list[str]]:
    """The encoding, the delimiter and the header of a CSV file."""
    with path.open("rb") as handle:
        sample = handle.read(_SAMPLE_BYTES)
    if not sample.strip():
        raise _unreadable(file, N_("a header row and data rows"), "an empty file")
    complete = sample if len(sample) < _SAMPLE_BYTES else sample[: sample.rfind(b"\n") + 1]
    try:
        text = complete.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError:
        # Russian-locale Excel saves CSV as Windows-1251.
        text = complete.decode("cp1251", errors="replace")
        encoding = "cp1251"
    first_line = text.split("\n", 1)[0]
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    header = [name.strip() for name in next(csv.reader([first_line], delimiter=delimiter))]
    return encoding, delimiter, header


def _row_numbers(kept: int, skipped: list[int], first: int) -> pa.Array:
    """The file row numbers of the kept records, given the numbers of the skipped ones."""
    numbers = np.arange(first, first + kept + len(skipped), dtype=np.int64)
    if skipped:
        numbers = numbers[~np.isin(numbers, np.asarray(skipped, dtype=np.int64))]
    return pa.array(numbers[:kept], pa.int64())


def _read_csv(path: Path, file: str, progress: Progress | None) -> Source:
    encoding, delimiter, header = _sniff_csv(path, file)
    unsplit: list[UnsplitRow] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        number = row.number or -1  # pyarrow may not know the line
        unsplit.append(
            UnsplitRow(
                number,
                Message(
                    N_("{count} cells separated by «{delimiter}»"),
                    {
                        "count": row.expected_columns,
                        "delimiter": delimiter,
                    },
                ),
                f"{row.actual_columns}: {row.text[:200]}",
            )
        )
        return "skip"

    read_options = pacsv.ReadOptions(
        encoding=encoding, use_threads=False, block_size=1 << 24, column_names=header, skip_rows=1
    )
    parse_options = pacsv.ParseOptions(
        delimiter=delimiter, newlines_in_values=True, invalid_row_handler=on_invalid
    )
    convert_options = pacsv.ConvertOptions(
        column_types=dict.fromkeys(header, pa.string()),
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    total = path.stat().st_size
    with path.open("rb") as raw:
        stream = io.BufferedReader(_CountingReader(raw, total, progress), 1 << 20)
        try:
            table = pacsv.read_csv(stream, read_options, parse_options, convert_options)
        except pa.ArrowInvalid as error:
            raise _unreadable(
                file, N_("a CSV file in UTF-8 or Windows-1251"), str(error)
            ) from error
    # pyarrow numbers lines from the start of the file, the skipped header being line 1.
    skipped = sorted(item.row for item in unsplit if item.row > 0)
    rows = _row_numbers(table.num_rows, skipped, first=2)
    return Source(file, "csv", tuple(header), table.append_column(ROW_COLUMN, rows), tuple(unsplit))


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
    return text.append_column(ROW_COLUMN, _row_numbers(text.num_rows, [], first_row))


def _read_parquet(path: Path, file: str, progress: Progress | None) -> Source:
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


def _read_jsonl(path: Path, file: str, progress: Progress | None) -> Source:
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


def _read_xlsx(path: Path, file: str, progress: Progress | None) -> Source:
    table = read_table(path)  # the first sheet, as the index inputs are read
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


def read_source(path: Path, progress: Progress | None = None) -> Source:
    """Read ``path`` as text, choosing the reader by its extension.

    Raises InputError when the file is missing, of an unknown type, or unreadable as a
    whole. Rows that cannot be split into fields are returned in ``Source.unsplit``.
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
    return readers[kind](path, file, progress)
