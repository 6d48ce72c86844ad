"""Writing a file that a later reader trusts: whole and durable, or not at all.

Every file the portal or a later command reads is written to a temporary name in its own
folder, flushed to disk (``os.fsync``), renamed over its final name (``os.replace``, atomic
on POSIX: a reader opens the old file or the new one, never half of one), and then the
folder itself is fsynced, so that the rename survives a power cut. A write that fails
(a full disk, an error midway) removes its temporary file before the error goes on; only a
killed process can leave one behind (``.<name>.<random>.part``), and no reader opens it.

A full disk (ENOSPC, or EDQUOT for a quota) becomes ``StorageFullError``: a clear,
translated refusal (507 on the portal) instead of a traceback. Any other error of the
operating system goes on as it is.
"""

from __future__ import annotations

import errno
import hashlib
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from ashyq.errors import StorageFullError

__all__ = [
    "FULL_DISK_ERRNOS",
    "fsync_directory",
    "fsync_file",
    "is_full_disk",
    "refusing_full_disk",
    "remove_leftovers",
    "replacing",
    "store_once",
    "write_file",
]

FULL_DISK_ERRNOS: Final = frozenset({errno.ENOSPC, errno.EDQUOT})
# Written in pieces, so a large file does not need a second copy in memory for the call.
_CHUNK: Final = 1024 * 1024


def is_full_disk(error: OSError) -> bool:
    """True when ``error`` says the disk or the quota is full."""
    return error.errno in FULL_DISK_ERRNOS


@contextmanager
def refusing_full_disk() -> Iterator[None]:
    """Turn an OSError of a full disk raised inside into ``StorageFullError``."""
    try:
        yield
    except OSError as error:
        if is_full_disk(error):
            raise StorageFullError() from error
        raise


def fsync_directory(folder: Path) -> None:
    """Flush ``folder``'s entries to disk, so a rename or a new name in it survives a crash.

    File systems that cannot fsync a directory (EINVAL) still rename atomically; there it
    is a no-op.
    """
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(descriptor)
    except OSError as error:
        if error.errno != errno.EINVAL:
            raise
    finally:
        os.close(descriptor)


def fsync_file(path: Path) -> None:
    """Flush the content of the file at ``path`` to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A temporary path beside ``path`` for the caller (or a library) to write the file to.

    When the block ends without an error, the temporary file is fsynced and renamed over
    ``path``, and the folder is fsynced; when it raises, the temporary file is removed.
    Creates the folder if needed. Raises StorageFullError when the disk is full.
    """
    folder = path.parent
    with refusing_full_disk():
        folder.mkdir(parents=True, exist_ok=True)
        temporary = folder / f".{path.name}.{secrets.token_hex(6)}.part"
        try:
            yield temporary
            fsync_file(temporary)
            temporary.replace(path)
            fsync_directory(folder)
        finally:
            # Gone after the rename; left by a failure before it, so removed here.
            temporary.unlink(missing_ok=True)


def remove_leftovers(folder: Path, older_than: float = 3600.0) -> int:
    """Remove the temporary files (``.<name>.<random>.part``) under ``folder`` that killed
    processes left, once older than ``older_than`` seconds (a younger one may be another
    process's write in progress). Returns how many were removed."""
    if not folder.is_dir():
        return 0
    removed = 0
    cutoff = time.time() - older_than
    for path in folder.rglob(".*.part"):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # removed meanwhile by another process's sweep
            continue
    return removed


def write_file(path: Path, content: bytes) -> Path:
    """Write ``content`` to ``path`` atomically and durably (see the module); returns
    ``path``. Raises StorageFullError when the disk is full, OSError for other failures."""
    with replacing(path) as temporary:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        descriptor = os.open(temporary, flags, 0o666)
        try:
            view = memoryview(content)
            while view:
                written = os.write(descriptor, view[:_CHUNK])
                view = view[written:]
        finally:
            os.close(descriptor)
    return path


def _holds(path: Path, size: int, sha256: str) -> bool:
    """True when ``path`` is a file of ``size`` bytes whose SHA-256 is ``sha256``."""
    try:
        if not path.is_file() or path.stat().st_size != size:
            return False
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest() == sha256
    except FileNotFoundError:  # removed between the checks
        return False


def store_once(path: Path, content: bytes, sha256: str) -> Path:
    """Keep ``content`` (whose SHA-256 is ``sha256``) at ``path``, a content-addressed name.

    A file already there is trusted only when its size and SHA-256 match: a truncated or
    damaged leftover (of a full disk under an older version) is written again. Returns
    ``path``; raises StorageFullError when the disk is full.
    """
    if not _holds(path, len(content), sha256):
        write_file(path, content)
    return path
