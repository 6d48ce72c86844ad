"""The scratch space of one ingest: a folder on the store's file system, and the embedded
engine that works in it within a bounded memory.

The folder lives under ``<store>/.work/`` so that the files made there are moved into the
store by a rename, not copied. It holds the engine's database and whatever the engine
spills when a national file outgrows ``Settings.memory_limit``. Each folder is locked by
its run (``flock``); a run that was killed leaves its folder unlocked, and the next run
removes it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import duckdb
import ibis
from ibis.backends.duckdb import Backend as DuckDBBackend

from ashyq.errors import LimitError, Message, StorageFullError
from ashyq.i18n import N_
from ashyq.settings import settings
from ashyq.storage.atomic import FULL_DISK_ERRNOS, refusing_full_disk

__all__ = ["WORK", "connect", "watching", "workspace"]

WORK: Final = ".work"
_OUT_OF_MEMORY: Final = N_(
    "The command needed more memory than ASHYQ_MEMORY_LIMIT allows ({limit}); nothing was "
    "stored. Raise the limit, or split the file."
)
_LOCK: Final = ".lock"
_POLL_SECONDS: Final = 0.25
_GRACE_SECONDS: Final = 60


@contextmanager
def workspace(store_root: Path) -> Iterator[Path]:
    """A new, empty scratch folder under ``store_root``, removed when the block ends.

    The engine's errors inside become Ashyq's: a full disk ``StorageFullError``, memory
    beyond ``Settings.memory_limit`` a ``LimitError`` that says which setting to raise.
    """
    root = store_root / WORK
    with refusing_full_disk():
        root.mkdir(parents=True, exist_ok=True)
        _sweep(root)
        folder = root / f"{datetime.now(UTC):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
        # With its parents: another run may just have removed an empty .work.
        folder.mkdir(parents=True)
    try:
        with (folder / _LOCK).open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield folder
    except duckdb.OutOfMemoryException as error:
        limit = settings().memory_limit
        raise LimitError(Message(_OUT_OF_MEMORY, {"limit": limit})) from error
    except duckdb.Error as error:
        if any(os.strerror(code) in str(error) for code in FULL_DISK_ERRNOS):
            raise StorageFullError() from error
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)
        with contextlib.suppress(OSError):
            root.rmdir()  # unless another run is working


def _sweep(root: Path) -> None:
    """Remove the folders of runs that were killed: their lock is free. A folder younger
    than ``_GRACE_SECONDS`` is left alone: its run may have made its lock file and not yet
    locked it."""
    now = time.time()
    for folder in root.iterdir():
        lock = folder / _LOCK
        try:
            if now - lock.stat().st_mtime < _GRACE_SECONDS:
                continue
        except FileNotFoundError:
            continue
        with lock.open("a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                continue  # a run in progress
            shutil.rmtree(folder, ignore_errors=True)


def connect(folder: Path) -> DuckDBBackend:
    """The embedded engine, with its database and its spill space in ``folder``."""
    config = settings()
    options: dict[str, object] = {
        "memory_limit": config.memory_limit,
        "temp_directory": str(folder / "spill"),
        # Order is asked for where it matters (the stored files are sorted by key).
        "preserve_insertion_order": False,
    }
    if config.threads is not None:
        options["threads"] = config.threads
    con = ibis.duckdb.connect(str(folder / "work.duckdb"), **options)
    # The progress of a long query is polled (``watching``), never printed by the engine.
    con.raw_sql("SET enable_progress_bar = true; SET enable_progress_bar_print = false")
    return con


@contextmanager
def watching(con: DuckDBBackend, report: Callable[[float], None] | None) -> Iterator[None]:
    """Call ``report`` with the fraction done (0–1) of the query ``con`` runs meanwhile,
    a few times a second, from a thread of its own."""
    if report is None:
        yield
        return
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(_POLL_SECONDS):
            done = con.con.query_progress()
            if done >= 0:
                report(min(done, 100.0) / 100)

    thread = threading.Thread(target=poll, name="ashyq-progress", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
    report(1.0)
