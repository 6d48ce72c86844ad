"""Ingest an import file into the store: read, validate, quarantine, merge, reconcile.

Nothing is lost: every record read either lands in the store or is written to a
quarantine file with its reasons (file, row, field, expected, found), and the report
reconciles ``read = stored + quarantined``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Final

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from ibis.backends.duckdb import Backend as DuckDBBackend

from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.errors import InputError, InputProblem, Message
from ashyq.i18n import N_, Lang
from ashyq.periods import Period
from ashyq.records.model import RecordKind
from ashyq.records.sources import ROW_COLUMN, Progress, Source, open_source, plain_csv_lines
from ashyq.records.store import RecordStore, WriteResult
from ashyq.records.validate import (
    FLAG_COLUMN,
    PROBLEM_COLUMNS,
    as_text,
    checked_records,
    expected_message,
    record_problems,
    repeated_keys,
)
from ashyq.records.work import connect, watching, workspace
from ashyq.settings import settings
from ashyq.storage.atomic import replacing

__all__ = ["QUARANTINE_COLUMNS", "IngestReport", "detect_kind", "ingest"]

# What grouping one record by its key takes in the engine, at most: a key of a few dozen
# bytes, its body, the first row and a count (5.9 M appeals grouped within 1 GiB).
_GROUPED_KEY_BYTES: Final = 128
QUARANTINE_COLUMNS: Final = ("file", "row", "field", "code", "expected", "found", "record")

# The block the engine's CSV reader reads at a time: its own default when None.
_CSV_BUFFER_BYTES: int | None = None

Stage = Callable[[str, int, int], None]
"""Called with (stage name, units done, units in all) as the ingest goes on."""


@dataclass(frozen=True)
class IngestReport:
    """What one ingest did, and the reconciliation of its counts."""

    file: str
    kind: str
    period: str
    read: int
    new: int
    replaced: int
    quarantined: int
    problems: tuple[InputProblem, ...]
    quarantine_file: Path | None
    by_body: tuple[WriteResult, ...] = field(default_factory=tuple)

    @property
    def stored(self) -> int:
        """Records that landed: new ones and ones that replaced a stored version."""
        return self.new + self.replaced

    @property
    def reconciles(self) -> bool:
        """True when every record read was stored or quarantined, exactly once."""
        return self.read == self.stored + self.quarantined


def detect_kind(header: tuple[str, ...], kinds: Sequence[RecordKind]) -> RecordKind | None:
    """The first of ``kinds`` whose key column the header has, or None."""
    for kind in kinds:
        if kind.key in header:
            return kind
    return None


def _check_header(source: Source, kind: RecordKind) -> None:
    """Reject a file whose columns are not the format's: unknown keys are not ignored."""
    known = set(kind.names())
    problems = [
        InputProblem(
            "unknown_column",
            source.file,
            1 if source.format in {"csv", "xlsx"} else None,
            name,
            Message(
                N_("a column of the {kind} format (see docs/data-formats.md)"), {"kind": kind.name}
            ),
            name,
        )
        for name in source.header
        if name not in known
    ]
    problems += [
        InputProblem(
            "missing_column",
            source.file,
            1 if source.format in {"csv", "xlsx"} else None,
            spec.name,
            Message(N_("a column «{column}»"), {"column": spec.name}),
            "",
        )
        for spec in kind.fields
        if spec.required and spec.name not in source.header
    ]
    if problems:
        raise InputError(problems)


def _stage(
    con: DuckDBBackend,
    source: Source,
    kind: RecordKind,
    folder: Path,
    reading: Callable[[float], None] | None = None,
) -> ir.Table:
    """The records of ``source`` as a table of ``con``: a column per field of ``kind`` (a
    missing optional one null), and ``_row``. A Parquet file is read in place, typed; a
    plain CSV file is copied by the engine to a Parquet file of text
    (``_stage_plain_csv``); the batches of the other formats are appended to a table of
    text, one at a time."""
    present = set(source.header)
    if source.parquet is not None:
        table = con.read_parquet(source.parquet, file_row_number=True)
        columns: dict[str, ir.Value] = {
            spec.name: table[spec.name] if spec.name in present else ibis.null("string")
            for spec in kind.fields
        }
        return table.select(**columns, **{ROW_COLUMN: table.file_row_number + 1})
    staged = None
    if source.delimiter is not None:
        staged = _stage_plain_csv(con, source, folder, reading)
    if staged is None:
        schema = ibis.schema({**dict.fromkeys(source.header, "string"), ROW_COLUMN: "int64"})
        staged = con.create_table("source_records", schema=schema, overwrite=True)
        for batch in source.batches:
            con.insert("source_records", pa.Table.from_batches([batch]))
    columns = {
        spec.name: staged[spec.name] if spec.name in present else ibis.null("string")
        for spec in kind.fields
    }
    return staged.select(**columns, **{ROW_COLUMN: staged[ROW_COLUMN]})


def _stage_plain_csv(
    con: DuckDBBackend,
    source: Source,
    folder: Path,
    reading: Callable[[float], None] | None,
) -> ir.Table | None:
    """The records of a plain CSV file read by the engine, as text, with their line
    numbers; None when the file is not plain (``plain_csv_lines``), or the engine finds a
    line it cannot split strictly, text that is not UTF-8 or a line over the limit. The
    file is then read line by line, which says what is wrong where.

    The engine's reader is several times faster than Python's; it is used only where the
    two read the same records.
    """
    lines = plain_csv_lines(source)
    if lines is None:
        return None
    columns = ", ".join(f"{_quoted(name)}: 'VARCHAR'" for name in source.header)
    reader = (
        f"read_csv({_literal(source.file)}, header = true, auto_detect = false, "
        f"delim = {_literal(source.delimiter or ',')}, quote = '\"', escape = '\"', "
        f"strict_mode = true, null_padding = false, encoding = 'utf-8', "
        f"max_line_size = {source.limits.field_chars}, "
        f"columns = {{{columns}}}{_csv_buffer()})"
    )
    # The records are copied, in the order of the file, to one Parquet file, whose row
    # numbers are then their line numbers: the header is line 1, and each line one
    # record, when the engine read one record for each line after the header (a blank
    # line, or a line break in a quoted field, leaves it fewer). Numbering them as they
    # are read, by a window over the whole file, holds every record in memory at once
    # and took 2.6 times as long.
    staged = folder / "source.parquet"
    con.raw_sql("SET preserve_insertion_order = true")
    try:
        with watching(con, reading):
            con.raw_sql(
                f"COPY (SELECT * FROM {reader}) TO {_literal(str(staged))} "
                f"(FORMAT parquet, COMPRESSION lz4_raw)"
            )
    except duckdb.InvalidInputException:
        staged.unlink(missing_ok=True)
        return None
    finally:
        con.raw_sql("SET preserve_insertion_order = false")
    if pq.read_metadata(staged).num_rows != lines - 1:
        staged.unlink()
        return None
    table = con.read_parquet(staged, file_row_number=True)
    return table.select(*source.header, **{ROW_COLUMN: (table.file_row_number + 2).cast("int64")})


def _csv_buffer() -> str:
    """The engine's CSV reading block, when set (a test sets a small one, so that a small
    file is read in several blocks at once, in parallel, as a national one is)."""
    return "" if _CSV_BUFFER_BYTES is None else f", buffer_size = {_CSV_BUFFER_BYTES}"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _views(con: DuckDBBackend, prefix: str) -> Callable[[str, ir.Table], ir.Table]:
    """Views of ``con`` named with ``prefix``, for the steps of the validation."""
    return lambda name, table: con.create_view(f"{prefix}_{name}", table, overwrite=True)


def _tables(con: DuckDBBackend, prefix: str) -> Callable[[str, ir.Table], ir.Table]:
    """Tables of ``con`` named with ``prefix``: for a step read more than once."""
    return lambda name, table: con.create_table(f"{prefix}_{name}", table, overwrite=True)


def _partition(
    con: DuckDBBackend, records: ir.Table, kind: RecordKind, folder: Path
) -> dict[str, list[Path]]:
    """Write ``records`` by body under ``folder`` (one file each, as a rule); return the
    files of each body. (Not sorted: a sort of a national year costs more than the rest
    of the ingest, and nothing reads the store in file order.)"""
    body = kind.body_field
    con.to_parquet(records, folder, partition_by=body, write_partition_columns=True)
    if not any(folder.glob("*/*.parquet")):
        return {}
    files = con.read_parquet(
        str(folder / "*" / "*.parquet"), filename=True, hive_partitioning=False
    )
    found = con.to_pyarrow(files.select(body, "filename").distinct().order_by("filename"))
    parts: dict[str, list[Path]] = {}
    for code, name in zip(found[body].to_pylist(), found["filename"].to_pylist(), strict=True):
        parts.setdefault(code, []).append(Path(name))
    return parts


def _quarantine(
    source: Source,
    kind: RecordKind,
    period: Period,
    problems: pa.Table,
    records: pa.Table,
    directory: Path,
    lang: Lang,
) -> tuple[Path | None, list[InputProblem]]:
    """Write every problem, with its whole record (``records``: the records with a
    problem, as text), to a CSV file; return it and the problems."""
    listed: list[InputProblem] = [
        InputProblem("unsplit_row", source.file, item.row, None, item.expected, item.found)
        for item in source.unsplit
    ]
    rows = problems.sort_by([(ROW_COLUMN, "ascending"), ("field", "ascending")]).to_pylist()
    for row in rows:
        expected = expected_message(kind, period, row["field"], row["code"])
        listed.append(
            InputProblem(
                row["code"], source.file, row[ROW_COLUMN], row["field"], expected, row["found"]
            )
        )
    if not listed:
        return None, []
    by_row = {record[ROW_COLUMN]: record for record in records.to_pylist()}
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%dT%H%M%S%f")
    path = directory / f"{kind.name}-{Path(source.file).stem}-{stamp}.csv"
    with replacing(path) as temporary, temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(QUARANTINE_COLUMNS)
        for problem in listed:
            record = by_row.get(problem.row, {})
            cells = {k: v for k, v in record.items() if k != ROW_COLUMN and v not in (None, "")}
            found = (
                problem.found.render(lang) if isinstance(problem.found, Message) else problem.found
            )
            writer.writerow(
                [
                    problem.file,
                    problem.row,
                    problem.column or "",
                    problem.code,
                    problem.expected.render(lang),
                    found,
                    json.dumps(cells, ensure_ascii=False) if cells else "",
                ]
            )
    return path, listed


def ingest(
    path: Path,
    period: Period,
    kinds: Sequence[RecordKind],
    *,
    store: RecordStore | None = None,
    registry: BodyRegistry | None = None,
    lang: Lang = "ru",
    on_stage: Stage | None = None,
) -> IngestReport:
    """Ingest the records of ``path`` for ``period`` into ``store``.

    The kind of record is the first of ``kinds`` whose key column the header has; its
    bodies resolve against ``registry``, by default the kind's own (``RecordKind.bodies``)
    or the 49 evaluated bodies. Raises InputError when the file cannot be read at all, or
    its columns are not the format's; problems of single records never raise: they are
    quarantined and reported. The records land in one atomic run of the store
    (``RecordStore.run``): when the ingest fails or is killed, the store stays as it was.
    Raises StorageFullError when the disk fills up.

    The file is streamed, never held whole: the records go into the engine's database in
    a scratch folder (``records.work``), which spills to disk beyond
    ``Settings.memory_limit``; they are parsed and checked there in one pass, written out
    by body, and the files moved into the store. ``on_stage`` hears of the stages: "read"
    (bytes of a text file), "check" (records) and "store" (bodies).
    """
    store = store or RecordStore()

    def progress(stage: str) -> Progress | None:
        if on_stage is None:
            return None
        return lambda done, total: on_stage(stage, done, total)

    with open_source(path, progress("read")) as source:
        kind = _kind_of(source, kinds)
        _check_header(source, kind)
        if registry is None:
            registry = kind.bodies.load() if kind.bodies is not None else load_bodies()
        with workspace(store.root) as folder:
            return _ingest_in(folder, source, kind, period, registry, store, lang, on_stage)


def _ingest_in(
    folder: Path,
    source: Source,
    kind: RecordKind,
    period: Period,
    registry: BodyRegistry,
    store: RecordStore,
    lang: Lang,
    on_stage: Stage | None,
) -> IngestReport:
    con = connect(folder)
    try:
        return _ingest(con, source, kind, period, registry, store, folder, lang, on_stage)
    finally:
        con.disconnect()


def _kind_of(source: Source, kinds: Sequence[RecordKind]) -> RecordKind:
    kind = detect_kind(source.header, kinds)
    if kind is None:
        expected = Message(
            N_("a key column: {columns}"),
            {"columns": ", ".join(f"«{k.key}»" for k in kinds)},
        )
        raise InputError(
            [
                InputProblem(
                    "unknown_format", source.file, 1, None, expected, ", ".join(source.header)
                )
            ]
        )
    return kind


def _ingest(
    con: DuckDBBackend,
    source: Source,
    kind: RecordKind,
    period: Period,
    registry: BodyRegistry,
    store: RecordStore,
    folder: Path,
    lang: Lang,
    on_stage: Stage | None,
) -> IngestReport:
    def reading(done: float) -> None:
        if on_stage is not None:
            size = Path(source.file).stat().st_size
            on_stage("read", round(done * size), size)

    raw = _stage(con, source, kind, folder, reading)
    staged = source.rows if source.rows is not None else int(con.execute(raw.count()))
    read = staged + len(source.unsplit)
    checked = checked_records(raw, kind, period, registry, _views(con, "file"))
    # A key used twice, from the keys and bodies alone (the rest is not parsed for it);
    # by their hashes first when grouping the keys themselves might not fit in memory.
    by_hash = staged * _GROUPED_KEY_BYTES > settings().memory_bytes
    repeated = con.create_table(
        "repeated_keys",
        repeated_keys(
            checked.select(ROW_COLUMN, kind.key, kind.body_field),
            kind,
            _tables(con, "keys"),
            by_hash=by_hash,
        ),
    )
    stamp = ibis.literal(datetime.now().replace(microsecond=0))
    valid = checked.filter(~checked[FLAG_COLUMN]).anti_join(repeated, ROW_COLUMN)
    landed = valid.mutate(
        period=ibis.literal(period.name),
        source_file=ibis.literal(source.file),
        source_row=valid[ROW_COLUMN],
        ingested_at=stamp,
    ).select(*kind.arrow_schema().names)

    def checking(done: float) -> None:
        if on_stage is not None:
            on_stage("check", round(done * read), read)

    # One pass over the file: every record parsed and checked, the good ones written out
    # by body. It is the whole of the work when the file is clean.
    with watching(con, checking):
        parts = _partition(con, landed, kind, folder / "parts")
    landing = sum(pq.read_metadata(path).num_rows for files in parts.values() for path in files)
    problems: pa.Table = pa.table(
        {
            name: pa.array([], pa.int64() if name == ROW_COLUMN else pa.string())
            for name in PROBLEM_COLUMNS
        }
    )
    texts = problems.select([ROW_COLUMN])
    if landing < staged:
        # Some records broke a rule: read the file again to say what is wrong with each.
        keep = _tables(con, "broken")
        rules = record_problems(raw, kind, period, registry, _views(con, "broken"), keep)
        problems = con.to_pyarrow(ibis.union(rules, repeated))
        rows = ibis.memtable(pa.table({ROW_COLUMN: pc.unique(problems[ROW_COLUMN])}))
        quarantined_records = raw.semi_join(rows, ROW_COLUMN)
        texts = con.to_pyarrow(
            quarantined_records.select(
                ROW_COLUMN, **{n: as_text(quarantined_records[n]) for n in kind.names()}
            )
        )
    quarantine_dir = store.quarantine / period.name
    quarantine_file, listed = _quarantine(
        source, kind, period, problems, texts, quarantine_dir, lang
    )
    written: list[str] = []

    def on_body(body: str) -> None:
        written.append(body)
        if on_stage is not None:
            on_stage("store", len(written), len(parts))

    published = False
    try:
        results = store.write(con, kind, period, parts, on_body)
        published = True
    finally:
        # The quarantine file reports a run; a run that did not land leaves no report.
        if not published and quarantine_file is not None:
            quarantine_file.unlink(missing_ok=True)
    quarantined = len(source.unsplit) + len(set(problems.column(ROW_COLUMN).to_pylist()))
    return IngestReport(
        file=source.file,
        kind=kind.name,
        period=period.name,
        read=read,
        new=sum(r.new for r in results),
        replaced=sum(r.replaced for r in results),
        quarantined=quarantined,
        problems=tuple(listed),
        quarantine_file=quarantine_file,
        by_body=tuple(results),
    )
