"""Writing what was drawn: to a data home's store, or to import files (by month for the
deliveries, in the monthly layout)."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import ExitStack
from datetime import datetime
from pathlib import Path
from typing import Final

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ashyq.periods import Period
from ashyq.records.model import RecordKind
from ashyq.records.store import RecordStore, StoreRun
from ashyq.services.model import (
    DELIVERIES,
)
from ashyq.synth.services.targets import Layout

__all__: list[str] = []


# --- Files ---------------------------------------------------------------------------------

# Columns with few distinct values, dictionary-encoded; ids and times are written plain.
_DICTIONARY_COLUMNS: Final = (
    "service_code",
    "provider_body",
    "provider_unit",
    "channel",
    "form",
    "documents_requested",
    "documents_submitted",
    "review_documents_requested",
    "queue_list",
    "decision",
    "refusal_reasons",
    "refusal_legal_basis",
    "signed_by",
    "employee_id",
    "period",
    "source_file",
)
_SOURCE_FILE: Final = "synthetic"


class _Writers:
    """Parquet writers for one layout: a store partition per kind and body; one import
    file per kind; or, ``monthly``, the deliveries in one import file per month of
    submission and the other kinds in one each. Numbers the rows of each kind as an import
    file would."""

    def __init__(self, out: Path, year: int, layout: Layout) -> None:
        self.out = out
        self.year = year
        self.layout = layout
        self.rows: dict[str, int] = {}
        self.open: dict[tuple[str, str], pq.ParquetWriter] = {}
        self.files: list[Path] = []
        # In the store layout each kind's year is one atomic run of the store, published
        # when every file is written (``close``), dropped if the synthesis fails.
        self.store = RecordStore(out)
        self.runs = ExitStack()
        self.folders: dict[str, tuple[StoreRun, Path]] = {}
        # The store's ingest time: when the data for the year is due (20 January).
        self.ingested_at = pa.scalar(datetime(year + 1, 1, 20), pa.timestamp("us"))

    def _schema(self, kind: RecordKind) -> pa.Schema:
        return kind.arrow_schema() if self.layout == "store" else kind.record_schema()

    def _monthly(self, kind: RecordKind) -> bool:
        return self.layout == "monthly" and kind is DELIVERIES

    def _writer(self, kind: RecordKind, body: str) -> pq.ParquetWriter:
        """The writer of ``body``'s partition (store), of the month ``body`` (monthly
        deliveries), or of the kind's one import file."""
        key = (kind.name, body if self.layout == "store" or self._monthly(kind) else "")
        if key not in self.open:
            if self.layout == "store":
                if kind.name not in self.folders:
                    run = self.runs.enter_context(
                        self.store.run(kind, Period.parse(str(self.year)))
                    )
                    self.folders[kind.name] = (run, run.replace_all())
                path = self.folders[kind.name][1] / f"{body}.parquet"
                published = self.store.partition(kind, Period.parse(str(self.year)), body)
            elif self._monthly(kind):
                path = published = self.out / f"{kind.name}-{self.year}-{body}.parquet"
            else:
                path = published = self.out / f"{kind.name}-{self.year}.parquet"
            path.parent.mkdir(parents=True, exist_ok=True)
            schema = self._schema(kind)
            dictionary = [c for c in _DICTIONARY_COLUMNS if c in schema.names]
            self.open[key] = pq.ParquetWriter(
                path, schema, compression="zstd", use_dictionary=dictionary
            )
            self.files.append(published)
        return self.open[key]

    def write(self, kind: RecordKind, body: str, table: pa.Table) -> None:
        """Append ``table`` (records of ``kind``) to the file of ``body`` (or of the kind)."""
        first = self.rows.get(kind.name, 0)
        self.rows[kind.name] = first + table.num_rows
        if self.layout == "store":
            if table.num_rows == 0:
                return
            n = table.num_rows
            rows = np.arange(first + 1, first + n + 1, dtype=np.int64)
            table = (
                table.append_column("period", pa.repeat(str(self.year), n))
                .append_column("source_file", pa.repeat(_SOURCE_FILE, n))
                .append_column("source_row", pa.array(rows))
                .append_column("ingested_at", pa.repeat(self.ingested_at, n))
            )
        if self._monthly(kind):
            months = pc.month(table.column(kind.dated_by))
            for month in range(1, 13):
                part = table.filter(pc.equal(months, month))
                if part.num_rows:
                    self._writer(kind, f"{month:02d}").write_table(part.cast(self._schema(kind)))
            return
        self._writer(kind, body).write_table(table.cast(self._schema(kind)))

    def start(self, kinds: Sequence[RecordKind]) -> None:
        """Open the import files of ``kinds`` at once, so that each exists even if empty."""
        if self.layout == "store":
            return
        for kind in kinds:
            for part in [f"{m:02d}" for m in range(1, 13)] if self._monthly(kind) else [""]:
                self._writer(kind, part)

    def finish_body(self, body: str) -> None:
        """Close the store partitions of ``body``."""
        for key in [k for k in self.open if k[1] == body]:
            self.open.pop(key).close()

    def close(self) -> tuple[Path, ...]:
        """Close every file and publish the store's runs; returns the files written (where
        readers find them), in order."""
        for writer in self.open.values():
            writer.close()
        self.open.clear()
        for run, _ in self.folders.values():
            run.finish_files()
        self.runs.close()
        return tuple(sorted(self.files))

    def abort(self) -> None:
        """Drop what was written: the store's runs publish nothing."""
        for writer in self.open.values():
            writer.close()
        self.open.clear()
        error = RuntimeError("the synthesis failed")
        self.runs.__exit__(RuntimeError, error, None)
