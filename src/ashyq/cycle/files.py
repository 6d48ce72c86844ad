"""Files people upload: checked for type and size, stored outside the web root.

A stored file is named by its SHA-256 under ``<data directory>/portal/files``; the portal
serves it only through an action that checks who is asking. Files are written atomically
(``ashyq.storage.atomic``): a reader never finds a truncated file under that name.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ashyq.errors import InvalidError
from ashyq.i18n import N_
from ashyq.storage.atomic import store_once

__all__ = [
    "ATTACHMENT_TYPES",
    "MAX_ATTACHMENT_BYTES",
    "MAX_SOURCE_BYTES",
    "SOURCE_TYPES",
    "StoredFile",
    "check_file",
    "safe_name",
    "store_file",
    "too_large",
]

MAX_SOURCE_BYTES: Final = 20 * 1024 * 1024
MAX_ATTACHMENT_BYTES: Final = 10 * 1024 * 1024

_ZIP = b"PK\x03\x04"
# Suffix → (content type, leading bytes the content must start with; None: UTF-8 text).
SOURCE_TYPES: Final[dict[str, tuple[str, bytes | None]]] = {
    ".csv": ("text/csv", None),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
}
ATTACHMENT_TYPES: Final[dict[str, tuple[str, bytes | None]]] = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _ZIP,
    ),
    **SOURCE_TYPES,
}


@dataclass(frozen=True)
class StoredFile:
    """A checked file: its original name, type, size and SHA-256."""

    filename: str
    content_type: str
    size: int
    sha256: str
    suffix: str


def safe_name(filename: str) -> str:
    """The file's own name without folders or characters a path could abuse."""
    name = Path(filename.replace("\\", "/")).name
    name = re.sub(r"[^\w.\- ]", "_", name).strip(" .")
    return name[:200] or "file"


def too_large(filename: str, max_bytes: int, size: int) -> InvalidError:
    """The refusal of a file of ``size`` bytes over ``max_bytes``, naming it."""
    return InvalidError(
        N_("{file}: expected at most {limit} MB; found {size} bytes"),
        file=safe_name(filename),
        limit=max_bytes // (1024 * 1024),
        size=size,
    )


def check_file(
    filename: str, content: bytes, allowed: dict[str, tuple[str, bytes | None]], max_bytes: int
) -> StoredFile:
    """Check ``content`` against the allowed types (by suffix and by its first bytes) and
    the size limit; returns what will be stored. Raises InvalidError naming the file."""
    name = safe_name(filename)
    suffix = Path(name).suffix.lower()
    if suffix not in allowed:
        raise InvalidError(
            N_("{file}: expected a file of type {types}; found {found}"),
            file=name,
            types=", ".join(sorted(allowed)),
            found=suffix or "—",
        )
    if not content:
        raise InvalidError(N_("{file}: the file is empty"), file=name)
    if len(content) > max_bytes:
        raise too_large(name, max_bytes, len(content))
    content_type, magic = allowed[suffix]
    if magic is not None and not content.startswith(magic):
        raise InvalidError(
            N_("{file}: the content is not a {suffix} file"), file=name, suffix=suffix
        )
    if magic is None:
        _check_text(name, content)
    digest = hashlib.sha256(content).hexdigest()
    return StoredFile(name, content_type, len(content), digest, suffix)


def _check_text(name: str, content: bytes) -> None:
    """Refuse what is not text, naming the line: a NUL byte, or bytes that are neither
    UTF-8 nor Windows-1251 (what Russian-locale Excel saves CSV as, and what the readers
    of ``ashyq.tabular`` accept; a file that changes encoding midway is theirs to name)."""
    nul = content.find(b"\x00")
    if nul >= 0:
        line = content.count(b"\n", 0, nul) + 1
        raise InvalidError(
            N_("{file}, line {line}: expected text; found a NUL byte (a binary file?)"),
            file=name,
            line=line,
        )
    try:
        content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        try:
            content.decode("cp1251")
        except UnicodeDecodeError:
            line = content.count(b"\n", 0, error.start) + 1
            raise InvalidError(
                N_("{file}, line {line}: expected UTF-8 or Windows-1251 text; found other bytes"),
                file=name,
                line=line,
            ) from None


def store_file(folder: Path, checked: StoredFile, content: bytes) -> Path:
    """Keep ``content`` under its SHA-256 in ``folder``, written whole or not at all; a file
    already there is kept only if its size and SHA-256 match. Returns the path; raises
    StorageFullError (507) when the disk is full, leaving no partial file.

    A file whose request then fails (its database row rolled back) stays: it is whole,
    nobody can reach it without a row naming its SHA-256, and removing it could take the
    file of a concurrent request for the same content away (docs/security.md, "Files and
    the record store").
    """
    return store_once(folder / f"{checked.sha256}{checked.suffix}", content, checked.sha256)
