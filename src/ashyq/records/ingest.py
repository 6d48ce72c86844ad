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

import ibis
import pyarrow as pa
import pyarrow.compute as pc
from ibis.backends.duckdb import Backend as DuckDBBackend

from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.errors import InputError, InputProblem, Message
from ashyq.i18n import N_, Lang
from ashyq.periods import Period
from ashyq.records.model import RecordKind
from ashyq.records.sources import ROW_COLUMN, Progress, Source, read_source
from ashyq.records.store import RecordStore, WriteResult
from ashyq.records.validate import expected_message, validate
from ashyq.storage.atomic import replacing

__all__ = ["QUARANTINE_COLUMNS", "IngestReport", "detect_kind", "ingest"]

QUARANTINE_COLUMNS: Final = ("file", "row", "field", "code", "expected", "found", "record")

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


def _text_table(source: Source, kind: RecordKind) -> pa.Table:
    """The source's columns in the format's order, absent optional ones as null text."""
    columns = {
        spec.name: (
            source.table.column(spec.name)
            if spec.name in source.header
            else pa.nulls(source.table.num_rows, pa.string())
        )
        for spec in kind.fields
    }
    columns[ROW_COLUMN] = source.table.column(ROW_COLUMN)
    return pa.table(columns)


def _quarantine(
    source: Source,
    kind: RecordKind,
    period: Period,
    problems: pa.Table,
    text: pa.Table,
    directory: Path,
    lang: Lang,
) -> tuple[Path | None, list[InputProblem]]:
    """Write every problem, with its whole record, to a CSV file; return it and the problems."""
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
    wanted = {problem.row for problem in listed}
    by_row = {
        record[ROW_COLUMN]: record
        for record in text.filter(
            pc.is_in(text[ROW_COLUMN], pa.array(sorted(r for r in wanted if r is not None)))
        ).to_pylist()
    }
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
    or the 49 evaluated bodies. Raises
    InputError when the file cannot be read at all, or its columns are not the format's;
    problems of single records never raise: they are quarantined and reported. The
    records land in one atomic run of the store (``RecordStore.run``): when the ingest
    fails or is killed, the store stays as it was. Raises StorageFullError when the disk
    fills up.
    """
    store = store or RecordStore()

    def progress(stage: str) -> Progress | None:
        if on_stage is None:
            return None
        return lambda done, total: on_stage(stage, done, total)

    source = read_source(path, progress("read"))
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
    _check_header(source, kind)
    if registry is None:
        registry = kind.bodies.load() if kind.bodies is not None else load_bodies()
    text = _text_table(source, kind)
    con: DuckDBBackend = ibis.duckdb.connect()
    # The text table is read in place (no copy); only the parsed records are materialised.
    raw = ibis.memtable(text)
    checked = validate(
        raw,
        kind,
        period,
        registry,
        lambda wide: con.create_table("parsed_records", wide, temp=True),
    )
    problems = con.to_pyarrow(checked.problems)
    quarantine_dir = store.quarantine / period.name
    quarantine_file, listed = _quarantine(
        source, kind, period, problems, text, quarantine_dir, lang
    )
    stamp = ibis.literal(datetime.now().replace(microsecond=0))
    valid = checked.valid.mutate(
        period=ibis.literal(period.name),
        source_file=ibis.literal(source.file),
        source_row=checked.valid[ROW_COLUMN],
        ingested_at=stamp,
    )
    landed = con.create_table("valid_records", valid, temp=True)
    total_bodies = int(con.execute(landed[kind.body_field].nunique()))
    written: list[str] = []

    def on_body(body: str) -> None:
        written.append(body)
        if on_stage is not None:
            on_stage("store", len(written), total_bodies)

    published = False
    try:
        results = store.write(con, kind, period, landed, on_body)
        published = True
    finally:
        # The quarantine file reports a run; a run that did not land leaves no report.
        if not published and quarantine_file is not None:
            quarantine_file.unlink(missing_ok=True)
    quarantined = len(source.unsplit) + len(set(problems.column(ROW_COLUMN).to_pylist()))
    con.disconnect()
    return IngestReport(
        file=source.file,
        kind=kind.name,
        period=period.name,
        read=source.rows_read,
        new=sum(r.new for r in results),
        replaced=sum(r.replaced for r in results),
        quarantined=quarantined,
        problems=tuple(listed),
        quarantine_file=quarantine_file,
        by_body=tuple(results),
    )
