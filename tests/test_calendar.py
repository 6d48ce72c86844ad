"""The Kazakhstan working-day calendar: 2025's days off, deadlines across Nauryz, overrides."""

from __future__ import annotations

import importlib.metadata
import re
import types
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import holidays
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.compute as pc  # type: ignore[import-untyped, unused-ignore]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ashyq.calendar
from ashyq.calendar import (
    DAY_KINDS,
    CalendarError,
    DayOverride,
    WorkingCalendar,
    default_override_files,
    load_overrides,
)
from ashyq.errors import InputError

ROOT = Path(__file__).parents[1]
FIRST = date(2025, 1, 1)
LAST = date(2025, 12, 31)


@cache
def calendar_2025() -> WorkingCalendar:
    # No overrides: the figures below are those of the holidays package alone.
    return WorkingCalendar.build(FIRST, LAST, overrides=())


@cache
def calendar_into_2026() -> WorkingCalendar:
    # Long enough that 20 working days after 31 December 2025 still fall inside.
    return WorkingCalendar.build(FIRST, date(2026, 3, 31), overrides=())


def kind_of(calendar: WorkingCalendar, day: date) -> str:
    table = calendar.table()
    kind: str = table.column("kind")[(day - calendar.first).days].as_py()
    return kind


@pytest.mark.parametrize(
    ("day", "working", "kind"),
    [
        (date(2025, 1, 1), False, "holiday"),  # New Year
        (date(2025, 1, 2), False, "holiday"),  # New Year, second day
        (date(2025, 1, 3), False, "transfer_day_off"),  # Friday, off instead of Sunday 5 Jan
        (date(2025, 1, 4), False, "weekend"),
        (date(2025, 1, 5), True, "working_weekend"),  # Sunday worked for Friday 3 Jan
        (date(2025, 1, 6), True, "working"),
        (date(2025, 1, 7), False, "holiday"),  # Orthodox Christmas
        (date(2025, 3, 8), False, "holiday"),  # Women's Day on a Saturday
        (date(2025, 3, 10), False, "holiday"),  # ... observed on Monday
        (date(2025, 3, 21), False, "holiday"),  # Nauryz, Friday
        (date(2025, 3, 22), False, "holiday"),  # Nauryz, Saturday
        (date(2025, 3, 23), False, "holiday"),  # Nauryz, Sunday
        (date(2025, 3, 24), False, "holiday"),  # Nauryz observed, Monday
        (date(2025, 3, 25), False, "holiday"),  # Nauryz observed, Tuesday
        (date(2025, 3, 26), True, "working"),
    ],
)
def test_2025_days_off_and_transfers(day: date, working: bool, kind: str) -> None:
    calendar = calendar_2025()
    assert calendar.is_working(day) is working
    assert kind_of(calendar, day) == kind


def test_every_day_agrees_with_the_package() -> None:
    package = holidays.country_holidays("KZ", years=2025)
    calendar = calendar_2025()
    day = FIRST
    while day <= LAST:
        assert calendar.is_working(day) is package.is_working_day(day), day
        day += timedelta(days=1)


def test_review_deadline_across_nauryz() -> None:
    # Received (and registered) on Friday 14 March 2025: that day is day zero.
    # Working days after it: Mon 17 (1), Tue 18 (2), Wed 19 (3), Thu 20 (4);
    # Fri 21 – Tue 25 are Nauryz and the weekend; Wed 26 (5), Thu 27 (6), Fri 28 (7),
    # Mon 31 (8), Tue 1 Apr (9), Wed 2 (10), Thu 3 (11), Fri 4 (12), Mon 7 (13),
    # Tue 8 (14), Wed 9 April (15).
    calendar = calendar_2025()
    assert calendar.add_working_days(date(2025, 3, 14), 15) == date(2025, 4, 9)
    assert calendar.add_working_days(date(2025, 3, 14), 14) == date(2025, 4, 8)
    assert calendar.add_working_days(date(2025, 3, 14), 4) == date(2025, 3, 20)
    assert calendar.add_working_days(date(2025, 3, 14), 5) == date(2025, 3, 26)
    assert calendar.working_days_between(date(2025, 3, 14), date(2025, 4, 9)) == 15


def test_redirect_deadline_across_nauryz() -> None:
    # Registered on Thursday 20 March 2025, the eve of Nauryz: Fri 21 – Tue 25 are off,
    # so Wed 26 (1), Thu 27 (2), Fri 28 March (3).
    calendar = calendar_2025()
    assert calendar.add_working_days(date(2025, 3, 20), 3) == date(2025, 3, 28)
    assert calendar.working_days_between(date(2025, 3, 20), date(2025, 3, 28)) == 3


def test_zero_working_days_is_the_day_itself_or_the_next_working_day() -> None:
    calendar = calendar_2025()
    assert calendar.add_working_days(date(2025, 3, 20), 0) == date(2025, 3, 20)
    assert calendar.add_working_days(date(2025, 3, 21), 0) == date(2025, 3, 26)


def test_a_day_off_counts_from_the_last_working_day_before_it() -> None:
    # Received on Saturday 22 March (Nauryz): the first working day after it is 26 March.
    calendar = calendar_2025()
    assert calendar.add_working_days(date(2025, 3, 22), 1) == date(2025, 3, 26)


def test_out_of_range_and_negative_are_errors() -> None:
    calendar = calendar_2025()
    with pytest.raises(ValueError, match="outside the calendar"):
        calendar.is_working(date(2026, 1, 1))
    with pytest.raises(ValueError, match="outside the calendar"):
        calendar.working_days_up_to(date(2024, 12, 31))
    with pytest.raises(ValueError, match="after the calendar's last day"):
        calendar.add_working_days(date(2025, 12, 29), 3)
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_days(date(2025, 3, 14), -1)
    with pytest.raises(ValueError, match="before it starts"):
        WorkingCalendar.build(LAST, FIRST, overrides=())


def test_working_days_between_is_negative_backwards() -> None:
    calendar = calendar_2025()
    assert calendar.working_days_between(date(2025, 3, 28), date(2025, 3, 20)) == -3


def test_cumulative_number_rises_by_one_on_working_days_only() -> None:
    rows = calendar_2025().table().to_pylist()
    previous = 0
    for row in rows:
        assert row["wd"] - previous == (1 if row["is_working"] else 0), row["date"]
        assert row["is_working"] is (row["kind"] in {"working", "working_weekend"})
        previous = row["wd"]


def test_table_shape_and_2025_count() -> None:
    calendar = calendar_2025()
    table = calendar.table()
    assert table.num_rows == 365
    assert table.schema.field("date").type == pa.date32()
    assert table.schema.field("is_working").type == pa.bool_()
    assert table.schema.field("wd").type == pa.int32()
    assert set(table.column("kind").to_pylist()) <= set(DAY_KINDS)
    assert calendar.working_days_up_to(LAST) == 246
    assert sum(table.column("is_working").to_pylist()) == 246


def test_2025_count_by_an_independent_reckoning() -> None:
    # 2025 has 261 weekdays; 16 of them are days off; one Sunday (5 January) is worked.
    weekdays = sum(1 for i in range(365) if (FIRST + timedelta(days=i)).weekday() < 5)
    weekday_days_off = [
        (1, 1), (1, 2), (1, 3), (1, 7), (3, 10), (3, 21), (3, 24), (3, 25),
        (5, 1), (5, 7), (5, 9), (6, 6), (7, 7), (9, 1), (10, 27), (12, 16),
    ]  # fmt: skip
    assert weekdays == 261
    assert all(date(2025, m, d).weekday() < 5 for m, d in weekday_days_off)
    assert weekdays - len(weekday_days_off) + 1 == calendar_2025().working_days_up_to(LAST)


def test_names_and_sources() -> None:
    rows = {row["date"]: row for row in calendar_2025().table().to_pylist()}
    version = f"holidays {importlib.metadata.version('holidays')}"
    assert rows[date(2025, 3, 10)]["name"] == "International Women's Day (observed)"
    assert rows[date(2025, 1, 3)]["source"] == version
    assert rows[date(2025, 1, 5)]["source"] == version
    assert rows[date(2025, 3, 26)]["name"] is None
    assert rows[date(2025, 3, 26)]["source"] is None


def test_working_day_index_joins_back() -> None:
    calendar = calendar_2025()
    index = calendar.working_day_index()
    assert index.column("wd").to_pylist() == list(range(1, 247))
    assert index.schema.field("wd").type == pa.int32()
    working = calendar.table().filter(pa.array(calendar.table().column("is_working")))
    joined = working.join(index.rename_columns(["wd", "index_date"]), "wd").sort_by("wd")
    assert joined.num_rows == 246
    assert joined.column("date").to_pylist() == joined.column("index_date").to_pylist()


def test_a_deadline_is_a_join_plus_integer_addition() -> None:
    calendar = calendar_2025()
    wd = calendar.working_days_up_to(date(2025, 3, 14))
    index = calendar.working_day_index()
    found = index.filter(pc.equal(index.column("wd"), wd + 15))
    assert found.column("date").to_pylist() == [date(2025, 4, 9)]


# The first example builds the calendar (then cached): no per-example time limit.
@settings(deadline=None)
@given(
    received=st.dates(min_value=FIRST, max_value=LAST),
    n=st.integers(min_value=1, max_value=20),
)
def test_adding_then_counting_gives_back_n(received: date, n: int) -> None:
    calendar = calendar_into_2026()
    deadline = calendar.add_working_days(received, n)
    assert calendar.working_days_between(received, deadline) == n
    assert calendar.is_working(deadline)
    assert deadline > received
    # No earlier day reaches n: the deadline is the first day that does.
    assert calendar.working_days_between(received, deadline - timedelta(days=1)) == n - 1


def test_build_is_cached() -> None:
    assert WorkingCalendar.build(FIRST, LAST, overrides=()) is calendar_2025()


OVERRIDES = """date,working,reason,source
# a comment line is skipped
2025-06-02,no,Day off by decree,"Постановление № 1 (test)"
07.06.2025,да,Working Saturday,"Постановление № 1 (test)"
"""


def write(tmp_path: Path, text: str, name: str = "overrides.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_overrides_change_days_and_shift_deadlines(tmp_path: Path) -> None:
    overrides = load_overrides(write(tmp_path, OVERRIDES))
    assert overrides == (
        DayOverride(date(2025, 6, 2), False, "Day off by decree", "Постановление № 1 (test)"),
        DayOverride(date(2025, 6, 7), True, "Working Saturday", "Постановление № 1 (test)"),
    )
    plain = calendar_2025()
    changed = WorkingCalendar.build(FIRST, LAST, overrides)
    assert plain.is_working(date(2025, 6, 2)) and not changed.is_working(date(2025, 6, 2))
    assert not plain.is_working(date(2025, 6, 7)) and changed.is_working(date(2025, 6, 7))
    assert kind_of(changed, date(2025, 6, 2)) == "override_day_off"
    assert kind_of(changed, date(2025, 6, 7)) == "override_working"
    # Fri 30 May + 3: Mon 2, Tue 3, Wed 4 June; with 2 June off: Tue 3, Wed 4, Thu 5.
    assert plain.add_working_days(date(2025, 5, 30), 3) == date(2025, 6, 4)
    assert changed.add_working_days(date(2025, 5, 30), 3) == date(2025, 6, 5)
    # Thu 5 June + 2: Fri 6 is Eid al-Adha, so Mon 9, Tue 10; with Sat 7 worked: Sat 7, Mon 9.
    assert plain.add_working_days(date(2025, 6, 5), 2) == date(2025, 6, 10)
    assert changed.add_working_days(date(2025, 6, 5), 2) == date(2025, 6, 9)
    assert changed.working_days_up_to(LAST) == plain.working_days_up_to(LAST)
    row = changed.table().to_pylist()[(date(2025, 6, 2) - FIRST).days]
    assert (row["name"], row["source"]) == ("Day off by decree", "Постановление № 1 (test)")


def test_an_override_wins_over_a_holiday_and_the_later_override_wins() -> None:
    nauryz = date(2025, 3, 21)
    first = DayOverride(nauryz, False, "first", "test")
    second = DayOverride(nauryz, True, "second", "test")
    calendar = WorkingCalendar.build(FIRST, LAST, [first, second])
    assert calendar.is_working(nauryz)
    assert kind_of(calendar, nauryz) == "override_working"


def test_default_files_include_the_local_one_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASHYQ_HOME", str(tmp_path))
    assert [p.name for p in default_override_files()] == ["overrides.csv"]
    (tmp_path / "calendar").mkdir()
    local = write(tmp_path / "calendar", OVERRIDES)
    files = default_override_files()
    assert files[-1] == local
    assert files[0].parent.name == "calendar" and files[0] != local
    assert not WorkingCalendar.build(FIRST, LAST).is_working(date(2025, 6, 2))


def test_the_packaged_file_loads_and_every_real_row_names_its_decree() -> None:
    packaged = default_override_files()[0]
    assert packaged.read_text(encoding="utf-8").startswith("date,working,reason,source\n")
    for override in load_overrides(packaged):
        assert re.search(r"№|No\.", override.source), override


@pytest.mark.parametrize(
    ("text", "row", "column", "expected", "found"),
    [
        (
            "date,working,reason,source\n2025-02-30,no,x,y\n",
            2,
            "date",
            "a date as YYYY-MM-DD or DD.MM.YYYY",
            "2025-02-30",
        ),
        (
            "date,working,reason,source\n# comment\n2025-06-02,maybe,x,y\n",
            3,
            "working",
            "one of yes, true, 1, да, иә, no, false, 0, нет, жоқ",
            "maybe",
        ),
        (
            "date,working,reason,source\n2025-06-02,no,x,y\n02.06.2025,yes,x,y\n",
            3,
            "date",
            "each date once; 2025-06-02 is already on row 2",
            "02.06.2025",
        ),
        (
            "date,working,reason,source\n2025-06-02,no,x,\n",
            2,
            "source",
            "a non-empty text",
            "nothing",
        ),
    ],
)
def test_bad_rows_name_file_row_field_expected_found(
    tmp_path: Path, text: str, row: int, column: str, expected: str, found: str
) -> None:
    path = write(tmp_path, text, "bad.csv")
    with pytest.raises(CalendarError) as caught:
        load_overrides(path)
    message = str(caught.value)
    assert message == f"{path}, row {row}, column «{column}»: expected {expected}; found {found}"
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == (str(path), row, column)


def test_a_bad_header_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "day,working,reason,source\n2025-06-02,no,x,y\n", "bad.csv")
    with pytest.raises(CalendarError, match=r"row 1: expected the header date,working"):
        load_overrides(path)


def test_every_problem_is_listed(tmp_path: Path) -> None:
    text = "date,working,reason,source\n2025-13-01,no,x,y\n2025-06-02,perhaps,x,y\n"
    with pytest.raises(CalendarError) as caught:
        load_overrides(write(tmp_path, text))
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "date"), (3, "working")]
    assert isinstance(caught.value, InputError) and isinstance(caught.value, ValueError)


def test_unreadable_files_are_rejected(tmp_path: Path) -> None:
    with pytest.raises(CalendarError, match=r"missing\.csv"):
        load_overrides(tmp_path / "missing.csv")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"date,working,reason,source\n\xff\xfe,no,x,y\n")
    with pytest.raises(CalendarError, match="expected an existing UTF-8 CSV file"):
        load_overrides(binary)
    with pytest.raises(CalendarError, match="an empty file"):
        load_overrides(write(tmp_path, "# only a comment\n", "empty.csv"))


def test_all_lists_exactly_the_public_names() -> None:
    public = {
        name
        for name, value in vars(ashyq.calendar).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert sorted(ashyq.calendar.__all__) == sorted(public)


def test_every_day_kind_is_documented() -> None:
    text = (ROOT / "docs/working-days.md").read_text(encoding="utf-8")
    for kind in DAY_KINDS:
        assert f"`{kind}`" in text, kind


def test_a_date_repeated_after_a_bad_row_is_still_a_duplicate(tmp_path: Path) -> None:
    text = "date,working,reason,source\n2025-06-02,perhaps,x,y\n2025-06-02,no,x,y\n"
    with pytest.raises(CalendarError) as caught:
        load_overrides(write(tmp_path, text))
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "working"), (3, "date")]
