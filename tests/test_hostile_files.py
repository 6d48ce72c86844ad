"""Hostile and broken input files are refused or quarantined precisely: no traceback, no
lost row, no exhausted memory.

Each case is a file a clumsy user or an attacker could send: a CSV with a quote left
open, a field of megabytes, an encoding that changes midway, a column named twice; an
XLSX that is a zip bomb, that declares XML entities, that lies about its size. Each
test asserts what the person would notice: the counts, the row numbers, the message
naming file, line, field, what was expected and what was found.
"""

from __future__ import annotations

import csv
import io
import json
import struct
import tempfile
import tracemalloc
import zipfile
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import select

from ashyq.access.accounts import Actor
from ashyq.appeals.model import APPEALS, KINDS
from ashyq.cycle import actions
from ashyq.db.models import Account
from ashyq.errors import InputError, InputProblem
from ashyq.limits import INPUT_LIMITS, InputLimits
from ashyq.periods import Period
from ashyq.records.ingest import IngestReport, ingest
from ashyq.records.store import RecordStore
from ashyq.tabular import CsvBrokenLine, open_csv, read_table
from tests.portal_support import SeededPortal

FIXTURES = Path(__file__).parent / "fixtures" / "hostile"
DOCS = Path(__file__).parents[1] / "docs" / "data-formats.md"
PERIOD = Period.parse("2025")
MiB = 1024 * 1024


def ingest_file(path: Path, store_folder: Path) -> IngestReport:
    return ingest(path, PERIOD, KINDS, store=RecordStore(store_folder))


def stored_rows(store_folder: Path) -> dict[str, int]:
    """The stored appeals: registration number → the row it was read from."""
    files = RecordStore(store_folder).files(APPEALS, PERIOD)
    table = pa.concat_tables([pq.read_table(f) for f in files])
    numbers = table.column("registration_number").to_pylist()
    rows = table.column("source_row").to_pylist()
    return dict(zip(numbers, rows, strict=True))


def refused(path: Path, limits: InputLimits = INPUT_LIMITS) -> InputProblem:
    """The first problem ``read_table`` refuses ``path`` with."""
    with pytest.raises(InputError) as raised:
        read_table(path, limits)
    return raised.value.problems[0]


# --- CSV read by the record importers ------------------------------------------------------


def test_an_unterminated_quote_quarantines_each_line_it_spans_and_loses_none(
    tmp_path: Path,
) -> None:
    # 200 records; line 31 opens a quote that the first quote of line 40 closes.
    report = ingest_file(FIXTURES / "unterminated_quote.csv", tmp_path)

    assert (report.read, report.stored, report.quarantined) == (200, 190, 10)
    assert report.reconciles
    assert [(p.code, p.row, p.column) for p in report.problems] == [
        ("unsplit_row", line, None) for line in range(31, 41)
    ]
    message = report.problems[3].render("en")
    assert "unterminated_quote.csv, row 34" in message
    assert "unterminated quote" in message and "line 31" in message
    assert "ЖТ-2025-0033" in message  # what the line holds, to find it and fix it
    # Row numbers are the lines a person sees in an editor, after the broken lines too.
    rows = stored_rows(tmp_path)
    assert len(rows) == 190
    assert all(row == int(number[-4:]) + 1 for number, row in rows.items())
    assert rows["ЖТ-2025-0041"] == 42


def test_a_quote_open_to_the_end_of_the_file_quarantines_the_lines_to_the_end(
    tmp_path: Path,
) -> None:
    report = ingest_file(FIXTURES / "quote_open_at_end.csv", tmp_path)
    assert (report.read, report.stored, report.quarantined) == (3, 1, 2)
    assert [p.row for p in report.problems] == [3, 4]
    assert all("line 3" in p.render("en") for p in report.problems)


def test_a_quoted_field_over_several_lines_is_one_record_numbered_by_its_first_line(
    tmp_path: Path,
) -> None:
    # Line 3 opens a quoted title that line 4 closes; line 6 is blank.
    report = ingest_file(FIXTURES / "multiline_title.csv", tmp_path)
    assert (report.read, report.stored, report.quarantined) == (4, 4, 0)
    assert stored_rows(tmp_path) == {
        "ЖТ-2025-0001": 2,
        "ЖТ-2025-0002": 3,
        "ЖТ-2025-0003": 5,
        "ЖТ-2025-0004": 7,
    }
    files = RecordStore(tmp_path).files(APPEALS, PERIOD)
    titles = set(pq.read_table(files[0]).column("title").to_pylist())
    assert titles == {"Обращение 1", "Обращение\nв две строки", "Обращение 3", 'Обращение "4"'}


def test_a_field_over_the_limit_is_quarantined_with_its_line(tmp_path: Path) -> None:
    lines = (FIXTURES / "multiline_title.csv").read_text(encoding="utf-8").splitlines()
    long_title = "x" * (INPUT_LIMITS.field_chars + 10)
    lines[4] = lines[4].replace("Обращение 3", long_title)
    path = tmp_path / "long_field.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    report = ingest_file(path, tmp_path / "store")
    assert (report.read, report.stored, report.quarantined) == (4, 3, 1)
    (problem,) = report.problems
    assert (problem.code, problem.row) == ("unsplit_row", 5)
    assert f"a field of at most {INPUT_LIMITS.field_chars} characters" in problem.render("en")
    assert set(stored_rows(tmp_path / "store").values()) == {2, 3, 7}


def test_an_encoding_that_changes_midway_is_refused_naming_the_line(tmp_path: Path) -> None:
    # UTF-8 up to line 6, Windows-1251 from line 7.
    with pytest.raises(InputError) as raised:
        ingest_file(FIXTURES / "encoding_changes.csv", tmp_path)
    (problem,) = raised.value.problems
    assert (problem.code, problem.row) == ("unreadable_file", 7)
    message = problem.render("en")
    assert "encoding_changes.csv, row 7" in message
    assert "UTF-8" in message
    assert RecordStore(tmp_path).files(APPEALS, PERIOD) == []


def test_utf8_after_windows_1251_is_refused_naming_the_line(tmp_path: Path) -> None:
    lines = (FIXTURES / "multiline_title.csv").read_bytes().decode().split("\r\n")
    path = tmp_path / "mixed.csv"
    path.write_bytes(
        "\r\n".join(lines[:3]).encode("cp1251") + b"\r\n" + "\r\n".join(lines[3:]).encode()
    )
    # Line 5 starts the UTF-8 part: lines 3 and 4 are one record, a title over two lines.
    problem = refused(path)
    assert (problem.code, problem.row) == ("unreadable_file", 5)
    assert "Windows-1251" in problem.render("en")


def test_a_windows_1251_file_whose_first_megabyte_is_plain_ascii_is_read(
    tmp_path: Path,
) -> None:
    header, *_ = (FIXTURES / "multiline_title.csv").read_text(encoding="utf-8").splitlines()
    ascii_row = (
        "ZH-2025-{:05d};14.03.2025 10:05;mf;complaint;electronic;individual;tax_customs;;;;;;"
    )
    cyrillic = "ЖТ-2025-0001;14.03.2025 10:05;МФ;жалоба;почтой;ФЛ;tax_customs;Заголовок;;;;;"
    text = "\n".join([header, *(ascii_row.format(i) for i in range(13_000)), cyrillic]) + "\n"
    path = tmp_path / "late_cyrillic.csv"
    path.write_bytes(text.encode("cp1251"))
    assert path.stat().st_size > MiB

    report = ingest_file(path, tmp_path / "store")
    assert (report.read, report.stored, report.quarantined) == (13_001, 13_001, 0)
    assert stored_rows(tmp_path / "store")["ЖТ-2025-0001"] == 13_002


@pytest.mark.parametrize("name", ["duplicate_column.csv", "duplicate_column.xlsx"])
def test_a_column_named_twice_is_refused_naming_it(name: str, tmp_path: Path) -> None:
    with pytest.raises(InputError) as raised:
        ingest_file(FIXTURES / name, tmp_path)
    (problem,) = raised.value.problems
    assert (problem.code, problem.row, problem.column) == ("duplicate_column", 1, "body")
    message = problem.render("en")
    assert f"{name}, row 1, column «body»" in message
    assert "columns 3 and 8" in message


# --- CSV read as a table (index inputs, portal uploads) -------------------------------------

INDEX_HEADER = "body;review_timeliness"


def write_csv(folder: Path, *lines: str, name: str = "input.csv") -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_table_keeps_the_line_of_a_record_over_several_lines(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "body;note", 'mf;"two\nlines"', "", "mvd;one line")
    table = read_table(path)
    assert [(row.number, row.cells["note"]) for row in table.rows] == [
        (2, "two\nlines"),
        (4, None),
        (5, "one line"),
    ]


def test_a_table_with_an_unterminated_quote_is_refused_naming_each_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path, INDEX_HEADER, "mf;1", 'mvd;"2', "mzh;3")
    with pytest.raises(InputError) as raised:
        read_table(path)
    assert [(p.code, p.row) for p in raised.value.problems] == [
        ("unsplit_row", 3),
        ("unsplit_row", 4),
    ]
    assert "unterminated quote" in raised.value.problems[1].render("en")
    assert "line 3" in raised.value.problems[1].render("en")


def test_a_table_field_over_the_limit_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = write_csv(tmp_path, INDEX_HEADER, "mf;1", "mvd;" + "9" * 200_000)
    problem = refused(path)
    assert (problem.code, problem.row) == ("unsplit_row", 3)
    assert "at most 131072 characters" in problem.render("en")


def test_a_table_whose_encoding_changes_is_refused_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "mixed.csv"
    path.write_bytes("body;note\nmf;Минфин\n".encode() + "mvd;МВД\n".encode("cp1251"))
    problem = refused(path)
    assert (problem.code, problem.row) == ("unreadable_file", 3)
    assert "mixed.csv, row 3" in problem.render("en")


def test_a_table_with_a_column_named_twice_is_refused(tmp_path: Path) -> None:
    problem = refused(write_csv(tmp_path, "body;score;score", "mf;1;2"))
    assert (problem.code, problem.row, problem.column) == ("duplicate_column", 1, "score")
    assert "columns 2 and 3" in problem.render("en")


def test_a_table_of_too_many_rows_or_cells_is_refused_while_read(tmp_path: Path) -> None:
    path = write_csv(tmp_path, "a;b;c", *(f"{i};{i};{i}" for i in range(20)))
    rows = refused(path, InputLimits(rows=10))
    assert (rows.code, rows.row) == ("too_large", 12)
    assert "at most 10 rows" in rows.render("en")
    cells = refused(path, InputLimits(cells=25))
    assert (cells.code, cells.row) == ("too_large", 10)
    assert "at most 25 cells" in cells.render("en")


def test_a_line_longer_than_any_record_can_be_is_refused_without_reading_it_whole(
    tmp_path: Path,
) -> None:
    path = write_csv(tmp_path, INDEX_HEADER, "mf;1", "mvd;" + "9" * 3 * MiB)
    problem = refused(path, InputLimits(field_chars=1_000))
    assert (problem.code, problem.row) == ("too_large", 3)
    assert "a line of at most" in problem.render("en")


@pytest.mark.parametrize(
    ("content", "row", "found"),
    [
        ("body;note\nmf;x\n".encode("utf-16"), 1, "UTF-16"),
        (b"body;note\nmf;x\nmvd;\x00\x01\x02\n", 3, "binary data"),
        ("body;note\nmf;Минфин\n".encode("cp1251") + b"mvd;\x98\n", 3, "binary data"),
    ],
)
def test_a_file_that_is_not_text_is_refused_naming_the_line(
    tmp_path: Path, content: bytes, row: int, found: str
) -> None:
    path = tmp_path / "not_text.csv"
    path.write_bytes(content)
    problem = refused(path)
    assert (problem.code, problem.row, problem.found) == ("unreadable_file", row, found)


CSV_PIECES = st.sampled_from(['"', '""', "a", "б", ";", "\n", "\r\n", "\r", " ", "x;y"])


@settings(max_examples=300, deadline=None)
@given(st.lists(CSV_PIECES, max_size=60))
def test_every_line_of_a_csv_is_a_record_or_a_broken_line_exactly_once(pieces: list[str]) -> None:
    text = "a;b\n" + "".join(pieces)
    lines = len(io.StringIO(text, newline="").readlines())
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.csv"
        path.write_text(text, encoding="utf-8", newline="")
        with open_csv(path) as source:
            covered = []
            for item in source.records:
                if isinstance(item, CsvBrokenLine):
                    covered.append(item.line)
                else:
                    covered.extend(range(item.line, item.last_line + 1))
    assert covered == list(range(2, lines + 1))


# --- XLSX -----------------------------------------------------------------------------------


def sheet_xml(rows: Iterator[str], dimension: str | None = None) -> Iterator[bytes]:
    yield b'<?xml version="1.0" encoding="UTF-8"?>'
    yield b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    if dimension is not None:
        yield f'<dimension ref="{dimension}"/>'.encode()
    yield b"<sheetData>"
    for row in rows:
        yield row.encode()
    yield b"</sheetData></worksheet>"


def text_row(number: int | None, *values: str) -> str:
    cells = "".join(f'<c t="inlineStr"><is><t>{v}</t></is></c>' for v in values)
    return f'<row r="{number}">{cells}</row>' if number else f"<row>{cells}</row>"


def workbook_with_sheet(path: Path, parts: Iterator[bytes]) -> Path:
    """A real workbook (openpyxl's) whose first sheet's XML is ``parts``."""
    template = path.with_suffix(".template.xlsx")
    book = Workbook()
    book.active.append(["body", "review_timeliness"])  # type: ignore[union-attr]
    book.save(template)
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                member = zipfile.ZipInfo(info.filename, info.date_time)
                member.compress_type = zipfile.ZIP_DEFLATED
                with target.open(member, "w", force_zip64=True) as sheet:
                    for part in parts:
                        sheet.write(part)
                continue
            target.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED)
    template.unlink()
    return path


@pytest.fixture
def opened_parts(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the zip members read while the test runs."""
    names: list[str] = []
    original = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: Any, *args: Any, **kwargs: Any) -> Any:
        names.append(name.filename if isinstance(name, zipfile.ZipInfo) else str(name))
        return original(self, name, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    return names


def zip_bomb(path: Path) -> Path:
    # About the probe's: a few hundred KB holding a sheet of over 60 MB.
    row = text_row(None, "mf", "1" * 40)
    return workbook_with_sheet(path, sheet_xml(iter([row * 1000] * 600)))


def test_a_zip_bomb_is_refused_before_any_sheet_xml_is_read(
    tmp_path: Path, opened_parts: list[str]
) -> None:
    path = zip_bomb(tmp_path / "bomb.xlsx")
    with zipfile.ZipFile(path) as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    assert path.stat().st_size < 400_000 and sheet.file_size > 60 * 1000 * 1000
    opened_parts.clear()

    tracemalloc.start()
    try:
        problem = refused(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert problem.code == "too_large"
    message = problem.render("en")
    assert "bomb.xlsx" in message and "xl/worksheets/sheet1.xml" in message
    assert opened_parts == []
    assert peak < 5 * MiB


def test_a_zip_bomb_sent_to_the_record_importers_is_refused(tmp_path: Path) -> None:
    path = zip_bomb(tmp_path / "bomb.xlsx")
    with pytest.raises(InputError) as raised:
        ingest_file(path, tmp_path / "store")
    assert raised.value.problems[0].code == "too_large"


def test_a_workbook_over_the_unpacked_size_limit_is_refused(tmp_path: Path) -> None:
    rows = (text_row(n, "mf", str(n)) for n in range(1, 30_001))
    path = workbook_with_sheet(tmp_path / "big.xlsx", sheet_xml(rows, "A1:B30000"))
    problem = refused(path, InputLimits(xlsx_uncompressed_bytes=MiB))
    assert problem.code == "too_large"
    assert "at most 1 MB" in problem.render("en")


def test_a_workbook_declaring_a_huge_sheet_is_refused_before_its_rows_are_read(
    tmp_path: Path,
) -> None:
    rows = iter([text_row(1, "body", "score"), text_row(2, "mf", "1")])
    path = workbook_with_sheet(tmp_path / "huge.xlsx", sheet_xml(rows, "A1:XFD1048576"))
    problem = refused(path)
    assert problem.code == "too_large"
    assert "A1:XFD1048576" in problem.render("en")


def test_a_sheet_that_lies_about_its_size_loses_no_row_and_is_counted_while_read(
    tmp_path: Path,
) -> None:
    # The sheet says A1:B2 and holds 50 rows: all are read, and the limit still holds.
    rows = (text_row(n, "mf" if n > 1 else "body", str(n)) for n in range(1, 51))
    path = workbook_with_sheet(tmp_path / "lying.xlsx", sheet_xml(rows, "A1:B2"))
    table = read_table(path)
    assert [row.number for row in table.rows] == list(range(2, 51))
    problem = refused(path, InputLimits(rows=10))
    assert (problem.code, problem.row) == ("too_large", 12)


def test_a_zip_whose_directory_lies_about_a_size_is_refused_cleanly(tmp_path: Path) -> None:
    rows = (text_row(n, "mf", str(n)) for n in range(1, 2_001))
    path = workbook_with_sheet(tmp_path / "liar.xlsx", sheet_xml(rows, "A1:B2000"))
    data = bytearray(path.read_bytes())
    entry = data.index(b"PK\x01\x02")
    name = b"xl/worksheets/sheet1.xml"
    while data[entry + 46 : entry + 46 + len(name)] != name:
        entry = data.index(b"PK\x01\x02", entry + 4)
    # A 64-bit size sits in the zip64 extra field when the 32-bit one says 0xFFFFFFFF.
    (size,) = struct.unpack_from("<I", data, entry + 24)
    if size == 0xFFFFFFFF:
        extra = entry + 46 + len(name) + 4
        struct.pack_into("<Q", data, extra, 1_000)
    else:
        struct.pack_into("<I", data, entry + 24, 1_000)
    path.write_bytes(bytes(data))

    problem = refused(path)
    assert problem.code == "unreadable_file"
    assert "liar.xlsx" in problem.render("en") and "an Excel workbook" in problem.render("en")


def test_xml_entity_expansion_is_refused_with_a_clear_message() -> None:
    problem = refused(FIXTURES / "entity_expansion.xlsx")
    assert problem.code == "unsafe_file"
    message = problem.render("en")
    assert "entity_expansion.xlsx" in message
    assert "DOCTYPE" in message and "xl/worksheets/sheet1.xml" in message


def test_openpyxl_parses_sheets_with_defusedxml() -> None:
    # Defence in depth: openpyxl uses defusedxml's parser for sheets when it is installed.
    assert openpyxl.DEFUSEDXML is True


# --- the portal's upload report --------------------------------------------------------------


def test_an_upload_with_thousands_of_problems_keeps_the_first_ones_and_every_count(
    portal: SeededPortal,
) -> None:
    session = portal.app.state.portal.sessions()
    try:
        kpssu, admin, analyst = (
            Actor.of(session.scalars(select(Account).where(Account.username == name)).one())
            for name in ("kpssu", "admin", "analyst")
        )
        actions.create_period(session, admin, 2027)
        period = actions.get_period(session, 2027)
        actions.move_period(session, analyst, period)
        # Within the 1,000 rows of an index input, more problems than the report lists.
        lines = ["body;review_timeliness", *(f"Нет такого органа {i};1" for i in range(990))]
        lines += ["mf;много"] * 10
        content = ("\n".join(lines) + "\n").encode()

        upload = actions.upload_source_data(
            session, kpssu, period, "many.csv", content, portal.home / "files", lang="en"
        )
        limit = INPUT_LIMITS.problems_stored
        assert upload.status == "rejected"
        report = upload.report
        # 990 unknown bodies, then mf: a word for a number, the rest of its indicators
        # missing, and 9 more rows of it.
        by_code = report["problems_by_code"]
        assert by_code["unknown_body"] == 990
        assert by_code["not_a_number"] == 1 and by_code["duplicate_body"] == 9
        found = sum(by_code.values())
        assert upload.values_rejected == report["problems_found"] == found > 1_000
        listed, summary = report["problems"][:limit], report["problems"][limit:]
        assert [p["row"] for p in listed[:990]] == list(range(2, 992))
        assert all(p["code"] == "unknown_body" for p in listed[:990])
        assert all(p["file"] == "many.csv" for p in listed)
        (note,) = summary
        assert note["code"] == "problems_not_listed"
        assert f"{found - limit} more problems" in note["message"]
    finally:
        session.rollback()
        session.close()


def test_a_zip_bomb_uploaded_on_the_portal_is_rejected_with_a_small_report(
    portal: SeededPortal, tmp_path: Path
) -> None:
    content = zip_bomb(tmp_path / "bomb.xlsx").read_bytes()
    session = portal.app.state.portal.sessions()
    try:
        analyst = Actor.of(
            session.scalars(select(Account).where(Account.username == "analyst")).one()
        )
        period = actions.get_period(session, 2026)
        upload = actions.upload_source_data(
            session, analyst, period, "bomb.xlsx", content, portal.home / "files", lang="en"
        )
        assert (upload.status, upload.values_rejected) == ("rejected", 1)
        (problem,) = upload.report["problems"]
        assert (problem["code"], problem["file"]) == ("too_large", "bomb.xlsx")
        assert "xl/worksheets/sheet1.xml" in problem["message"]
        assert len(json.dumps(upload.report)) < 2_000
    finally:
        session.rollback()
        session.close()


# --- the limits are documented -------------------------------------------------------------


def test_every_limit_is_documented_with_its_value() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for spec in fields(InputLimits):
        value = getattr(INPUT_LIMITS, spec.name)
        assert f"`{spec.name}`" in text, spec.name
        shown = f"{value:,}".replace(",", " ")
        assert shown in text or f"{value // MiB} MiB" in text, (spec.name, value)


def test_quarantine_file_lists_each_broken_line(tmp_path: Path) -> None:
    report = ingest_file(FIXTURES / "unterminated_quote.csv", tmp_path)
    assert report.quarantine_file is not None
    with report.quarantine_file.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(r["row"]) for r in rows] == list(range(31, 41))
    assert all(r["code"] == "unsplit_row" for r in rows)
