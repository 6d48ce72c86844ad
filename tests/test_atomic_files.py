"""Files the portal keeps (attachments, uploads, rating photos, generated reports) are
written whole or not at all.

A full disk, a killed process or an error midway must never leave a truncated file under
the name a later reader trusts; a truncated leftover of an older version is replaced; and
the person who sent the file gets a clear, translated answer (507 in the API's one error
shape), not a traceback.
"""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from ashyq.cycle.files import ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES, check_file, store_file
from ashyq.errors import ActionError
from ashyq.ratings.intake import Photo, store_photo
from ashyq.settings import Settings
from ashyq.web import create_app
from ashyq.web.reports import ReportFiles
from tests.portal_support import SeededPortal, csrf, seeded_portal

API = "/api/v1"
MiB = 1024 * 1024
# Random bytes, so that no file system can store them in less space than they take.
BIG_PDF = b"%PDF-1.4\n" + os.urandom(3 * MiB)
STORAGE_FULL_RU = "Диск сервера заполнен"


@contextmanager
def small_disk(folder: Path) -> Iterator[Path]:
    """``folder`` on a new tmpfs of 1 MiB: a real disk that fills up. Skips the test where
    mounting is not allowed (it needs root)."""
    folder.mkdir(parents=True, exist_ok=True)
    if shutil.which("mount") is None:
        pytest.skip("no mount command on this machine")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a 1 MiB tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


@pytest.fixture
def full_disk(tmp_path: Path) -> Iterator[Path]:
    """A folder on a 1 MiB tmpfs."""
    with small_disk(tmp_path / "small-disk") as folder:
        yield folder


def no_space_after_first_write(folder: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make every write into ``folder`` after the first one fail with ENOSPC, as a disk
    that fills up midway does; returns the files written to so far."""
    real_write = os.write
    touched: list[str] = []

    def write(fd: int, data: Any) -> int:
        target = str(Path(f"/proc/self/fd/{fd}").readlink())
        if target.startswith(str(folder)):
            touched.append(target)
            if len(touched) > 1:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), target)
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", write)
    return touched


def left_in(folder: Path) -> list[str]:
    """Every file left under ``folder``, temporary ones included."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


def assert_storage_full(error: pytest.ExceptionInfo[ActionError]) -> None:
    assert (error.value.status, error.value.code) == (507, "storage_full")
    assert error.value.render("ru").startswith(STORAGE_FULL_RU)
    assert error.value.render("kk") != error.value.render("en")


def store_attachment(folder: Path, content: bytes) -> Path:
    checked = check_file("evidence.pdf", content, ATTACHMENT_TYPES, MAX_ATTACHMENT_BYTES)
    return store_file(folder, checked, content)


def store_png(folder: Path, content: bytes) -> Path:
    return store_photo(folder, Photo(b"\x89PNG\r\n\x1a\n" + content, "image/png", "png"))


def store_report(folder: Path, content: bytes) -> Path:
    return ReportFiles(folder).get("snapshot", "openness-2025-ru.pdf", lambda: content)


WRITERS: dict[str, Callable[[Path, bytes], Path]] = {
    "attachment": store_attachment,
    "rating photo": store_png,
    "report": store_report,
}


# --- a leftover of an older version ------------------------------------------------------


def test_a_truncated_attachment_left_under_its_sha256_is_written_again(tmp_path: Path) -> None:
    content = b"%PDF-1.4\n" + os.urandom(64 * 1024)
    digest = hashlib.sha256(content).hexdigest()
    (tmp_path / f"{digest}.pdf").write_bytes(content[:4096])  # what a full disk left
    path = store_attachment(tmp_path, content)
    assert path == tmp_path / f"{digest}.pdf"
    assert path.read_bytes() == content


def test_a_truncated_photo_left_under_its_sha256_is_written_again(tmp_path: Path) -> None:
    photo = Photo(b"\x89PNG\r\n\x1a\n" + os.urandom(8192), "image/png", "png")
    (tmp_path / f"{photo.sha256}.png").write_bytes(photo.content[:100])
    assert store_photo(tmp_path, photo).read_bytes() == photo.content


def test_an_empty_report_left_by_a_crash_is_generated_again(tmp_path: Path) -> None:
    (tmp_path / "snapshot").mkdir()
    (tmp_path / "snapshot" / "openness-2025-ru.pdf").write_bytes(b"")
    assert store_report(tmp_path, b"%PDF-report").read_bytes() == b"%PDF-report"


def test_a_whole_stored_file_is_kept_not_rewritten(tmp_path: Path) -> None:
    content = b"%PDF-1.4\n" + os.urandom(1024)
    first = store_attachment(tmp_path, content)
    written = first.stat().st_mtime_ns
    os.utime(first, ns=(written - 10**9, written - 10**9))
    assert store_attachment(tmp_path, content).stat().st_mtime_ns == written - 10**9


# --- a full disk ---------------------------------------------------------------------------


@pytest.mark.parametrize("what", sorted(WRITERS))
def test_a_full_disk_leaves_no_partial_file(what: str, full_disk: Path) -> None:
    write = WRITERS[what]
    with pytest.raises(ActionError) as error:
        write(full_disk, BIG_PDF)
    assert_storage_full(error)
    assert left_in(full_disk) == []
    # The disk is usable again at once: nothing of the failed write takes space.
    small = b"%PDF-1.4\n" + os.urandom(100 * 1024)
    assert write(full_disk, small).read_bytes().endswith(small[9:])


@pytest.mark.parametrize("what", sorted(WRITERS))
def test_a_disk_that_fills_up_midway_leaves_no_partial_file(
    what: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    touched = no_space_after_first_write(tmp_path, monkeypatch)
    with pytest.raises(ActionError) as error:
        WRITERS[what](tmp_path, BIG_PDF)
    assert_storage_full(error)
    assert len(touched) == 2  # one chunk was written before the disk filled up
    assert left_in(tmp_path) == []
    monkeypatch.undo()
    assert WRITERS[what](tmp_path, BIG_PDF).stat().st_size >= len(BIG_PDF)


def test_an_error_other_than_a_full_disk_is_not_disguised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(fd: int, data: Any) -> int:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(os, "write", denied)
    with pytest.raises(PermissionError):
        store_attachment(tmp_path, BIG_PDF)
    monkeypatch.undo()
    assert left_in(tmp_path) == []


# --- through the portal ------------------------------------------------------------------


@pytest.fixture
def sqlite_portal(tmp_path: Path) -> Iterator[SeededPortal]:
    seeded = seeded_portal(f"sqlite:///{tmp_path / 'portal.sqlite3'}", tmp_path / "home")
    try:
        yield seeded
    finally:
        seeded.close()


def test_a_full_disk_refuses_a_dispute_with_507_and_keeps_nothing(
    sqlite_portal: SeededPortal, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sqlite_portal.home / "portal" / "files"
    before = left_in(files)
    mf = sqlite_portal.signed_in("mf")
    disputes = f"{API}/cycle/periods/2026/disputes"
    no_space_after_first_write(files, monkeypatch)
    answer = mf.post(
        disputes,
        headers={"X-CSRF-Token": csrf(mf)},
        data={"indicator": "review_timeliness", "justification": "Withdrawn appeals counted."},
        files=[("attachments", ("evidence.pdf", BIG_PDF, "application/pdf"))],
    )
    assert answer.status_code == 507, answer.text[:500]
    assert answer.headers["content-type"].startswith("application/json")
    error = answer.json()["error"]
    assert set(error) == {"status", "code", "message", "problems"}
    assert (error["status"], error["code"], error["problems"]) == (507, "storage_full", [])
    assert error["message"].startswith(STORAGE_FULL_RU)
    assert left_in(files) == before
    # Nothing was filed: the dispute can be filed once the disk has room again.
    monkeypatch.undo()
    assert mf.get(disputes).json() == []
    again = mf.post(
        disputes,
        headers={"X-CSRF-Token": csrf(mf)},
        data={"indicator": "review_timeliness", "justification": "Withdrawn appeals counted."},
        files=[("attachments", ("evidence.pdf", BIG_PDF, "application/pdf"))],
    )
    assert again.status_code == 201, again.text[:500]


def test_a_full_disk_refuses_an_upload_with_507_in_english_when_asked(
    sqlite_portal: SeededPortal, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sqlite_portal.home / "portal" / "files"
    before = left_in(files)
    analyst = sqlite_portal.signed_in("analyst")
    content = ("body;review_timeliness\n" + "mf;3,5\n" * 300_000).encode("utf-8")
    no_space_after_first_write(files, monkeypatch)
    answer = analyst.post(
        f"{API}/cycle/periods/2026/uploads?lang=en",
        headers={"X-CSRF-Token": csrf(analyst)},
        files={"file": ("scores.csv", content, "text/csv")},
    )
    assert answer.status_code == 507, answer.text[:500]
    error = answer.json()["error"]
    assert error["code"] == "storage_full"
    assert error["message"].startswith("The server's disk is full")
    assert left_in(files) == before


def test_the_file_of_a_refused_dispute_is_whole_unreachable_and_reused(
    sqlite_portal: SeededPortal, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first attachment is stored, the second meets a full disk: the dispute (and its
    # rows) roll back, the first file stays. It is harmless: whole (its name is its
    # SHA-256), served only through an attachment row, and the next request reuses it.
    files = sqlite_portal.home / "portal" / "files"
    mf = sqlite_portal.signed_in("mf")
    disputes = f"{API}/cycle/periods/2026/disputes"
    small = b"%PDF-1.4\n" + os.urandom(1024)
    attachments = [
        ("attachments", ("letter.pdf", small, "application/pdf")),
        ("attachments", ("evidence.pdf", BIG_PDF, "application/pdf")),
    ]
    form = {"indicator": "review_timeliness", "justification": "Withdrawn appeals counted."}
    no_space_after_first_write(files, monkeypatch)
    refused = mf.post(disputes, headers={"X-CSRF-Token": csrf(mf)}, data=form, files=attachments)
    assert refused.status_code == 507, refused.text[:500]
    monkeypatch.undo()
    orphan = files / f"{hashlib.sha256(small).hexdigest()}.pdf"
    assert orphan.read_bytes() == small
    assert mf.get(disputes).json() == []
    filed = mf.post(disputes, headers={"X-CSRF-Token": csrf(mf)}, data=form, files=attachments)
    assert filed.status_code == 201, filed.text[:500]
    assert filed.json()["attachments"] == ["letter.pdf", "evidence.pdf"]
    assert orphan.read_bytes() == small


def test_the_portal_removes_what_killed_writes_left_when_it_starts(tmp_path: Path) -> None:
    files = tmp_path / "portal" / "files"
    files.mkdir(parents=True)
    stale = files / ".abc.pdf.0123456789ab.part"
    fresh = files / ".def.pdf.ba9876543210.part"
    kept = files / "abc.pdf"
    for path in (stale, fresh, kept):
        path.write_bytes(b"%PDF-")
    day_ago = time.time() - 86_400
    os.utime(stale, (day_ago, day_ago))
    create_app(Settings(home=tmp_path))
    # A fresh one may be another process's write in progress; a stored file is never touched.
    assert (stale.exists(), fresh.exists(), kept.exists()) == (False, True, True)
