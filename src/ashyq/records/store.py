"""The Parquet store of records, partitioned by kind, period and body.

Layout: ``<home>/store/<kind>/<period>/<body>.parquet``, one file per body and period,
holding typed records (``model.RecordKind.arrow_schema``). A record is identified by its
body and its key (a registration, booking or delivery number): writing a record that is already
there replaces it, so re-ingesting a file never duplicates anything. Each partition is
written to a temporary file and renamed into place, so a reader never sees half a file.
The directories are plain names (not ``key=value``), so DuckDB and Spark read the files
the same way, with ``period`` and ``body`` as ordinary columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import ibis
import ibis.expr.types as ir
from ibis.backends.duckdb import Backend as DuckDBBackend

from ashyq.home import data_home
from ashyq.periods import Period
from ashyq.records.model import RecordKind

__all__ = ["RecordStore", "WriteResult"]


@dataclass(frozen=True)
class WriteResult:
    """How many records of one body were new, and how many replaced a stored one."""

    body: str
    new: int
    replaced: int


class RecordStore:
    """The record store of a data home (by default ``$ASHYQ_HOME``).

    Records live under ``<home>/store``; rejected records go to ``<home>/quarantine``.
    """

    def __init__(self, home: Path | None = None) -> None:
        self.home = home if home is not None else data_home()
        self.root = self.home / "store"
        self.quarantine = self.home / "quarantine"

    def directory(self, kind: RecordKind, period: Period) -> Path:
        """The directory of one kind and period."""
        return self.root / kind.name / period.name

    def partition(self, kind: RecordKind, period: Period, body: str) -> Path:
        """The file of one body's records of one kind and period."""
        return self.directory(kind, period) / f"{body}.parquet"

    def files(self, kind: RecordKind, period: Period) -> list[Path]:
        """The stored files of one kind and period, by body code; empty if none."""
        directory = self.directory(kind, period)
        return sorted(directory.glob("*.parquet")) if directory.is_dir() else []

    def periods(self, kind: RecordKind) -> list[Period]:
        """The periods that hold records of ``kind``."""
        directory = self.root / kind.name
        if not directory.is_dir():
            return []
        return sorted(Period.parse(p.name) for p in directory.iterdir() if any(p.glob("*.parquet")))

    def read(self, con: ibis.BaseBackend, kind: RecordKind, period: Period) -> ir.Table | None:
        """The records of one kind and period as a table of ``con``; None if there are none."""
        if not self.files(kind, period):
            return None
        # One glob, not a list: PySpark's reader takes a single path.
        return con.read_parquet(str(self.directory(kind, period) / "*.parquet"))

    def write(
        self,
        con: DuckDBBackend,
        kind: RecordKind,
        period: Period,
        incoming: ir.Table,
        on_body: Callable[[str], None] | None = None,
    ) -> list[WriteResult]:
        """Merge ``incoming`` (typed records of ``kind``) into the store, body by body.

        Returns one result per body written. ``on_body`` is called after each body.
        """
        directory = self.directory(kind, period)
        directory.mkdir(parents=True, exist_ok=True)
        columns = kind.arrow_schema().names
        incoming = incoming.select(*columns)
        body_field = kind.body_field
        bodies = sorted(
            con.to_pyarrow(incoming.select(body_field).distinct())[body_field].to_pylist()
        )
        results: list[WriteResult] = []
        for body in bodies:
            arriving = incoming.filter(incoming[body_field] == body)
            target = self.partition(kind, period, body)
            new = arriving
            replaced = 0
            if target.exists():
                stored = con.read_parquet(str(target))
                kept = stored.anti_join(arriving, kind.key)
                replaced = int(con.execute(stored.count())) - int(con.execute(kept.count()))
                new = ibis.union(kept.select(*columns), arriving)
            arriving_count = int(con.execute(arriving.count()))
            temporary = target.with_suffix(".parquet.tmp")
            con.to_parquet(new.order_by(kind.key), temporary)
            temporary.replace(target)
            results.append(WriteResult(body, arriving_count - replaced, replaced))
            if on_body is not None:
                on_body(body)
        return results
