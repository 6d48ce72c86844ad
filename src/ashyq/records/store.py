"""The Parquet store of records, partitioned by kind, period and body; each ingest atomic.

Layout: ``<home>/store/<kind>/<period>/<body>.parquet``, one file per body and period,
holding typed records (``model.RecordKind.arrow_schema``), and beside it the body's later
segments, ``<body>.<segment>.parquet``: records that arrived in a later run and replaced
none of the body's stored ones (the next month of a year) are added as a segment, so a
year delivered month by month is written once, not rewritten with each month. A run that
replaces some of a body's records rewrites that body's files into one.

A record is identified by its key: within its body, or within the period when the kind
says so (``key_scope``), in which case a record that arrives under another body moves
there. Writing a record that is already there replaces it, so re-ingesting a file never
duplicates anything. The directories are plain names (not ``key=value``), so DuckDB and
Spark read the files the same way, with ``period`` and ``body`` as ordinary columns.

Each run is atomic for readers. ``<kind>/<period>`` is a symbolic link to a version folder,
``<home>/store/.versions/<kind>/<period>/<version>/``, and a published version never
changes. A run (``RecordStore.run``) links the current version's files into a staging
folder (hard links: nothing is copied), writes each body it changes there as a new file,
fsyncs them, and publishes by renaming the staging folder to a version and replacing the
link with one ``os.replace``. A reader that resolves the link therefore reads the period as
it was before the run or as it is after, never a part of it, and keeps the version it
resolved. A run that fails removes its staging folder; a killed one leaves it, and the next
run of the same kind and period removes it. Runs of one kind and period wait for each other
(``flock`` on a lock file). The version before the current one is kept until the next
publish, for readers still on it. A period written before versions existed (a plain folder)
becomes a version at its next run. See docs/architecture.md, "Atomic ingests".
"""

from __future__ import annotations

import errno
import fcntl
import os
import secrets
import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import duckdb
import ibis
import ibis.expr.types as ir
import pyarrow.parquet as pq
from ibis.backends.duckdb import Backend as DuckDBBackend

from ashyq.errors import StorageFullError
from ashyq.home import Home
from ashyq.periods import Period
from ashyq.records.model import RecordKind
from ashyq.settings import settings
from ashyq.storage.atomic import (
    FULL_DISK_ERRNOS,
    fsync_directory,
    fsync_file,
    refusing_full_disk,
)

__all__ = ["RecordStore", "StoreRun", "WriteResult", "body_files"]

VERSIONS: Final = ".versions"
_STAGING: Final = ".staging"
_RETIRED: Final = ".retired"
_POINTER: Final = ".pointer-"
_LOCK: Final = ".lock"
# Where a hard link cannot be made, the file is copied instead.
_NO_HARD_LINK: Final = frozenset({errno.EXDEV, errno.EPERM, errno.EMLINK, errno.EOPNOTSUPP})


@dataclass(frozen=True)
class WriteResult:
    """How many records of one body were new, how many replaced a stored one, and how many
    stored ones moved away to another body (a corrected body, for a period-wide key)."""

    body: str
    new: int
    replaced: int
    moved_away: int = 0


def _with_every_field(table: ir.Table, kind: RecordKind) -> ir.Table:
    """``table`` with every field of ``kind``: a period stored before a field was added to
    the kind reads it as missing (null)."""
    missing = {
        field.name: ibis.null(ibis.dtype(field.type))
        for field in kind.arrow_schema()
        if field.name not in table.columns
    }
    return table.mutate(**missing) if missing else table


class RecordStore:
    """The record store of a data home (by default ``$ASHYQ_HOME``).

    Records live under ``<home>/store``; rejected records go to ``<home>/quarantine``.
    """

    def __init__(self, home: Path | None = None) -> None:
        paths = Home(home) if home is not None else settings().paths
        self.home = paths.root
        self.root = paths.store
        self.quarantine = paths.quarantine

    def directory(self, kind: RecordKind, period: Period) -> Path:
        """The directory of one kind and period (a link to its current version)."""
        return self.root / kind.name / period.name

    def partition(self, kind: RecordKind, period: Period, body: str) -> Path:
        """The file of one body's records of one kind and period."""
        return self.directory(kind, period) / f"{body}.parquet"

    def source(self, kind: RecordKind, period: Period, body: str) -> str:
        """Where one body's records of one kind and period are, for provenance: its file,
        or the glob of its files when it has later segments."""
        files = body_files(self.directory(kind, period), body)
        if len(files) > 1:
            return str(self.directory(kind, period) / f"{body}.*parquet")
        return str(self.partition(kind, period, body))

    def files(self, kind: RecordKind, period: Period) -> list[Path]:
        """The stored files of one kind and period, by body code, all of one version (the
        current one, resolved once); empty if none."""
        directory = self.directory(kind, period)
        if not directory.is_dir():
            return []
        return sorted(directory.resolve().glob("*.parquet"))

    def periods(self, kind: RecordKind) -> list[Period]:
        """The periods that hold records of ``kind``."""
        directory = self.root / kind.name
        if not directory.is_dir():
            return []
        return sorted(Period.parse(p.name) for p in directory.iterdir() if any(p.glob("*.parquet")))

    def read(self, con: ibis.BaseBackend, kind: RecordKind, period: Period) -> ir.Table | None:
        """The records of one kind and period as a table of ``con``, with every field of the
        kind; None if there are none.

        The table reads the version current at this call, even after a later ingest.
        """
        files = self.files(kind, period)
        if not files:
            return None
        # One glob, not a list: PySpark's reader takes a single path. Files written before
        # and after a field was added to the kind are read by column name; by default both
        # engines take the first file's columns and drop the others' new ones.
        merged = {"mergeSchema": "true"} if con.name == "pyspark" else {"union_by_name": True}
        return _with_every_field(
            con.read_parquet(str(files[0].parent / "*.parquet"), **merged), kind
        )

    @contextmanager
    def run(self, kind: RecordKind, period: Period) -> Iterator[StoreRun]:
        """One atomic change of a kind and period: ``StoreRun.write`` as often as needed
        (batch by batch), published when the block ends without an error, dropped whole
        when it raises. Raises StorageFullError when the disk fills up."""
        link = self.directory(kind, period)
        versions = self.root / VERSIONS / kind.name / period.name
        with refusing_full_disk():
            versions.mkdir(parents=True, exist_ok=True)
            link.parent.mkdir(parents=True, exist_ok=True)
            with _locked(versions / _LOCK):
                _recover(link, versions)
                staging = versions / f"{_version_name()}{_STAGING}"
                try:
                    _link_files(link if link.is_dir() else None, staging)
                    changes = StoreRun(kind, staging)
                    yield changes
                    if changes.changed:
                        _publish(staging, link, versions)
                finally:
                    if staging.exists():
                        shutil.rmtree(staging)

    def write(
        self,
        con: DuckDBBackend,
        kind: RecordKind,
        period: Period,
        parts: Mapping[str, Sequence[Path]],
        on_body: Callable[[str], None] | None = None,
    ) -> list[WriteResult]:
        """Merge ``parts`` (Parquet files of typed records of ``kind``, by body) into the
        store in one atomic run; the files are moved or removed.

        Returns one result per body written. ``on_body`` is called after each body that
        records arrive in; when it raises, nothing of the run is published.
        """
        with self.run(kind, period) as changes:
            return changes.write(con, parts, on_body)


class StoreRun:
    """The changes of one run to a kind and period, in its staging folder until published."""

    def __init__(self, kind: RecordKind, folder: Path) -> None:
        self.kind = kind
        self.folder = folder
        self.changed = False

    def replace_all(self) -> Path:
        """Start this run's version empty, for a writer that makes the whole period (the
        synthetic years): it writes each body's file into the returned folder, and
        ``finish_files`` before the run ends. Published versions are not touched: the
        folder held hard links to their files, which are only unlinked here."""
        for path in self.folder.glob("*.parquet"):
            path.unlink()
        self.changed = True
        return self.folder

    def finish_files(self) -> None:
        """Flush the files written into ``replace_all``'s folder to disk, before the run
        publishes them."""
        for path in self.folder.glob("*.parquet"):
            fsync_file(path)

    def write(
        self,
        con: DuckDBBackend,
        parts: Mapping[str, Sequence[Path]],
        on_body: Callable[[str], None] | None = None,
    ) -> list[WriteResult]:
        """Merge ``parts`` into this run's version of the period, body by body.

        ``parts`` maps a body to the Parquet files of its arriving records, in the stored
        schema, on the store's file system. When they replace none of the body's stored
        records, they are added beside them as one file: moved into place when they are
        one file, else written together (the parts are removed with the scratch folder).
        Otherwise the body's files and its arrivals are rewritten into one file: a
        stored record with an arriving record's key is replaced; for a kind whose key is
        unique within the period, also when it is stored under another body (it moves).
        Returns one result per body written; ``on_body`` is called after each body that
        records arrive in. Raises StorageFullError when the disk fills up.
        """
        kind = self.kind
        columns = kind.arrow_schema().names
        body_field, key = kind.body_field, kind.key
        arriving = {
            body: sum(pq.read_metadata(path).num_rows for path in files)
            for body, files in parts.items()
        }
        by_key = kind.key_scope == "period"
        staged = sorted(self.folder.glob("*.parquet"))
        replaced: dict[str, int] = {}
        moved_away: dict[str, int] = {}
        incoming: ir.Table | None = None
        candidates: list[Path] = []
        if staged and parts:
            incoming = con.read_parquet([str(path) for files in parts.values() for path in files])
            # Only the stored files whose keys may meet an arriving one are read: a month
            # that follows the stored ones costs the month, not the year so far.
            ranges = _key_ranges(con, incoming, body_field, key)
            candidates = _may_hold(staged, key, ranges, anywhere=by_key)
        if incoming is not None and candidates:
            stored = self._stored(con, candidates)
            match = [key] if by_key else [key, body_field]
            replaced = _per_body(con, incoming.semi_join(stored, match), body_field)
            if by_key:
                destinations = incoming.select(key, _to=incoming[body_field])
                moving = stored.join(destinations, key)
                moving = moving.filter(moving[body_field] != moving._to)
                moved_away = _per_body(con, moving, body_field)
        results: list[WriteResult] = []
        for body in sorted(arriving.keys() | moved_away.keys()):
            target = self.folder / f"{body}.parquet"
            present = body_files(self.folder, body)
            files = [str(path) for path in parts.get(body, ())]
            if not replaced.get(body) and not moved_away.get(body):
                # Nothing stored is replaced: the arrivals are added beside, as one file.
                added = _free_name(self.folder, body, target)
                if len(files) == 1:
                    self._move(Path(files[0]), added)
                else:
                    self._replace(con, con.read_parquet(files).select(*columns), added, ())
            else:
                arrivals = con.read_parquet(files).select(*columns) if files else None
                gone = incoming if by_key or arrivals is None else arrivals
                assert gone is not None
                merged = arrivals
                if present:  # else the replaced records are another body's (they move)
                    stored_here = self._stored(con, present)
                    kept = stored_here.anti_join(gone, key).select(*columns)
                    merged = kept if arrivals is None else ibis.union(kept, arrivals)
                assert merged is not None  # a body with nothing stored has arrivals
                self._replace(con, merged.order_by(key), target, present)
            again = replaced.get(body, 0)
            results.append(
                WriteResult(body, arriving.get(body, 0) - again, again, moved_away.get(body, 0))
            )
            if on_body is not None and body in arriving:
                on_body(body)
        return results

    def _stored(self, con: DuckDBBackend, paths: Sequence[Path]) -> ir.Table:
        """The records of stored ``paths`` with every field of the kind: files written
        before a field was added are read by column name, the field blank."""
        table = con.read_parquet([str(path) for path in paths], union_by_name=True)
        return _with_every_field(table, self.kind)

    def _move(self, part: Path, target: Path) -> None:
        """Put the new file ``part`` in place at ``target``, durably."""
        self.changed = True
        fsync_file(part)
        part.replace(target)

    def _replace(
        self, con: DuckDBBackend, records: ir.Table, target: Path, present: Sequence[Path]
    ) -> None:
        """Write ``records`` as a new file at ``target`` in place of the body's ``present``
        files (never through the hard links that may be there: those files belong to a
        published version); no file at all if there are no records."""
        self.changed = True
        empty = int(con.execute(records.count())) == 0
        temporary = target.with_name(f".{target.name}.part")
        if not empty:
            try:
                con.to_parquet(records, temporary)
            except duckdb.IOException as error:
                if any(os.strerror(code) in str(error) for code in FULL_DISK_ERRNOS):
                    raise StorageFullError() from error
                raise
            fsync_file(temporary)
        for path in present:
            path.unlink()
        if not empty:
            temporary.replace(target)


def body_files(folder: Path, body: str) -> list[Path]:
    """The files of ``body`` in a version ``folder``: ``<body>.parquet`` and its segments
    ``<body>.<segment>.parquet``, in the order they were added."""
    found = [path for path in folder.glob(f"{body}.*parquet") if path.name.split(".")[0] == body]
    return sorted(found, key=lambda path: (path.name != f"{body}.parquet", path.name))


def _free_name(folder: Path, body: str, first: Path) -> Path:
    """Where a body's next file goes: its first file, or a new segment after the others."""
    if not first.exists():
        return first
    return folder / f"{body}.{_version_name()}.parquet"


# A key's type depends on the kind (text, number, date); only its order matters here.
KeyRange = tuple[Any, Any]


def _key_ranges(
    con: DuckDBBackend, table: ir.Table, body_field: str, key: str
) -> dict[str, KeyRange]:
    """The smallest and largest key of ``table``'s records, by body."""
    keys = table[key]
    found = con.to_pyarrow(
        table.group_by(body_field).agg(_lo=keys.min(), _hi=keys.max())
    ).to_pylist()
    return {row[body_field]: (row["_lo"], row["_hi"]) for row in found if row["_lo"] is not None}


def _may_hold(
    files: Sequence[Path], key: str, ranges: Mapping[str, KeyRange], *, anywhere: bool
) -> list[Path]:
    """The ``files`` that may hold a record whose key is in one of ``ranges``: those of the
    ranges' bodies (of any body when ``anywhere``, for a key unique in the period) with a
    row group whose keys, by the file's own statistics, reach into a range. A row group
    without statistics (or of keys of another type) may hold any key."""
    chosen = []
    for path in files:
        body = path.name.split(".")[0]
        wanted = list(ranges.values()) if anywhere else [ranges[body]] if body in ranges else []
        if wanted and _reaches(path, key, wanted):
            chosen.append(path)
    return chosen


def _reaches(path: Path, key: str, ranges: Sequence[KeyRange]) -> bool:
    metadata = pq.read_metadata(path)
    column = metadata.schema.names.index(key)
    for group in range(metadata.num_row_groups):
        statistics = metadata.row_group(group).column(column).statistics
        if statistics is None or not statistics.has_min_max:
            return True
        low, high = statistics.min, statistics.max
        for first, last in ranges:
            if type(low) is not type(first) or type(high) is not type(last):
                return True
            if first <= high and low <= last:
                return True
    return False


def _per_body(con: DuckDBBackend, table: ir.Table, body_field: str) -> dict[str, int]:
    counted = con.to_pyarrow(table.group_by(body_field).agg(_n=table.count()))
    return dict(zip(counted[body_field].to_pylist(), counted["_n"].to_pylist(), strict=True))


def _version_name() -> str:
    """A new version's name: sortable by time, unique by a random tail."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%f}-{secrets.token_hex(4)}"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (the kernel releases it if the process dies)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _link_files(source: Path | None, target: Path) -> None:
    """Make ``target`` with a hard link to each Parquet file of ``source`` (the current
    version, if any); where links cannot be made, with a copy."""
    target.mkdir()
    if source is None:
        return
    for path in sorted(source.resolve().glob("*.parquet")):
        try:
            (target / path.name).hardlink_to(path)
        except OSError as error:
            if error.errno not in _NO_HARD_LINK:
                raise
            shutil.copyfile(path, target / path.name)
            fsync_file(target / path.name)


def _point(link: Path, version: Path, versions: Path) -> None:
    """Make ``link`` point to ``version`` in one atomic step, and make that durable."""
    pointer = versions / f"{_POINTER}{secrets.token_hex(6)}"
    # Relative, so that the data home can be moved or restored elsewhere.
    pointer.symlink_to(os.path.relpath(version, link.parent))
    pointer.replace(link)
    fsync_directory(link.parent)


def _publish(staging: Path, link: Path, versions: Path) -> None:
    """Make the staged version the current one, keeping the one it replaces for readers
    still on it, and remove older ones."""
    fsync_directory(staging)
    version = versions / staging.name.removesuffix(_STAGING)
    staging.rename(version)
    fsync_directory(versions)
    previous = link.resolve() if link.is_symlink() else None
    _point(link, version, versions)
    keep = {version.name, previous.name if previous is not None else ""}
    for entry in versions.iterdir():
        if entry.is_dir() and entry.name not in keep:
            shutil.rmtree(entry)


def _recover(link: Path, versions: Path) -> None:
    """Before a run: remove what killed runs left, and turn a period written before
    versions existed (a plain folder) into a version."""
    for entry in versions.iterdir():
        if entry.name.endswith((_STAGING, _RETIRED)):
            shutil.rmtree(entry)
        elif entry.name.startswith(_POINTER):
            entry.unlink()
    if link.is_dir() and not link.is_symlink():
        # The folder's files become a version (hard links), then the folder makes way for
        # the link: readers may find the period empty between these two renames, once.
        version = versions / _version_name()
        staging = versions / f"{version.name}{_STAGING}"
        _link_files(link, staging)
        fsync_directory(staging)
        staging.rename(version)
        fsync_directory(versions)
        retired = versions / f"{_version_name()}{_RETIRED}"
        link.rename(retired)
        _point(link, version, versions)
        shutil.rmtree(retired)
    elif not link.exists() and not link.is_symlink():
        # Killed between those two renames: the newest version holds the folder's files.
        published = sorted(
            e for e in versions.iterdir() if e.is_dir() and not e.name.startswith(".")
        )
        if published:
            _point(link, published[-1], versions)
