"""Kazakhstan's working days: which day is a day off, and the cumulative working-day number.

Days off come from the ``holidays`` package (public holidays, their observed days, the
decreed transfers of a day off and the weekend days worked instead) and from override
files for decrees the package lacks. A deadline of *n* working days is then integer
arithmetic on the cumulative number ``wd``: the deadline of an appeal registered on day
``d`` is the working day whose ``wd`` is ``wd(d) + n`` (the day of registration is day
zero, as the APPK counts). ``table()`` and ``working_day_index()`` hold those numbers as
Arrow tables, so that a whole appeals table gets its deadlines by a join, not a loop.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from importlib import resources
from importlib.metadata import version
from pathlib import Path
from typing import Final, Literal, get_args

import holidays
import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from ashyq.errors import InputError, InputProblem, Message
from ashyq.settings import settings

__all__ = [
    "DAY_KINDS",
    "OVERRIDE_COLUMNS",
    "CalendarError",
    "DayKind",
    "DayOverride",
    "WorkingCalendar",
    "default_override_files",
    "load_overrides",
]

DayKind = Literal[
    "working",
    "weekend",
    "holiday",
    "transfer_day_off",
    "working_weekend",
    "override_day_off",
    "override_working",
]
DAY_KINDS: Final[tuple[DayKind, ...]] = get_args(DayKind)
_WORKING_KINDS: Final = frozenset({"working", "working_weekend", "override_working"})

OVERRIDE_COLUMNS: Final = ("date", "working", "reason", "source")

_COUNTRY: Final = "KZ"
# Names are stored in English so that the table does not depend on the machine's locale.
_HOLIDAY_LANGUAGE: Final = "en_US"
_HOLIDAYS_SOURCE: Final = f"holidays {version('holidays')}"
_SATURDAY: Final = 5

_TRUE_WORDS: Final = ("yes", "true", "1", "да", "иә")
_FALSE_WORDS: Final = ("no", "false", "0", "нет", "жоқ")
_DATE_FORMATS: Final = ("%Y-%m-%d", "%d.%m.%Y")

# Problem texts. They are English only for now: the Babel catalogues do not carry them yet.
_EXPECTED_FILE = "an existing UTF-8 CSV file"
_EXPECTED_HEADER = "the header {columns}"
_EXPECTED_ONE_OF = "one of {values}"
_EXPECTED_DATE = "a date as YYYY-MM-DD or DD.MM.YYYY"
_EXPECTED_TEXT = "a non-empty text"
_EXPECTED_CELLS = "at most {count} cells"
_EXPECTED_DATE_ONCE = "each date once; {date} is already on row {row}"


@dataclass(frozen=True)
class DayOverride:
    """A decree the ``holidays`` package lacks: ``day`` is a working day or a day off."""

    day: date
    working: bool
    reason: str
    source: str


class CalendarError(InputError):
    """An override file was rejected; ``problems`` names file, row, field, expected, found."""


def _problem(
    file: str, row: int | None, column: str | None, expected: Message, found: str
) -> InputProblem:
    return InputProblem("bad_calendar_override", file, row, column, expected, found)


def _parse_date(text: str) -> date | None:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def _parse_flag(text: str) -> bool | None:
    folded = text.casefold()
    if folded in _TRUE_WORDS:
        return True
    if folded in _FALSE_WORDS:
        return False
    return None


def load_overrides(path: Path) -> tuple[DayOverride, ...]:
    """Read an override file: CSV in UTF-8 with the header ``date,working,reason,source``.

    Lines starting with ``#`` and blank lines are skipped; row numbers are line numbers, so
    the header on the first line is row 1. Returns the overrides in file order. Raises
    CalendarError listing every problem: an unreadable file, a wrong header, a bad date
    or working flag, an empty reason or source, or a date given twice.
    """
    file = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        found = type(error).__name__ if isinstance(error, UnicodeDecodeError) else str(error)
        raise CalendarError([_problem(file, None, None, Message(_EXPECTED_FILE), found)]) from error

    problems: list[InputProblem] = []
    overrides: list[DayOverride] = []
    first_row_of: dict[date, int] = {}
    header: list[str] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cells = [cell.strip() for cell in next(csv.reader([line]))]
        if header is None:
            header = [name.casefold() for name in cells]
            if tuple(header) != OVERRIDE_COLUMNS:
                columns = ",".join(OVERRIDE_COLUMNS)
                expected = Message(_EXPECTED_HEADER, {"columns": columns})
                problems.append(_problem(file, number, None, expected, ",".join(cells)))
                break
            continue
        if len(cells) > len(OVERRIDE_COLUMNS):
            expected = Message(_EXPECTED_CELLS, {"count": len(OVERRIDE_COLUMNS)})
            problems.append(_problem(file, number, None, expected, str(len(cells))))
            continue
        values = dict(zip(OVERRIDE_COLUMNS, cells + [""] * len(OVERRIDE_COLUMNS), strict=False))
        row_problems = len(problems)
        day = _parse_date(values["date"])
        if day is None:
            problems.append(_problem(file, number, "date", Message(_EXPECTED_DATE), values["date"]))
        working = _parse_flag(values["working"])
        if working is None:
            words = ", ".join((*_TRUE_WORDS, *_FALSE_WORDS))
            expected = Message(_EXPECTED_ONE_OF, {"values": words})
            problems.append(_problem(file, number, "working", expected, values["working"]))
        for column in ("reason", "source"):
            if not values[column]:
                problems.append(_problem(file, number, column, Message(_EXPECTED_TEXT), ""))
        if day is not None and day in first_row_of:
            expected = Message(
                _EXPECTED_DATE_ONCE, {"date": day.isoformat(), "row": first_row_of[day]}
            )
            problems.append(_problem(file, number, "date", expected, values["date"]))
        elif day is not None:
            first_row_of[day] = number
        if len(problems) > row_problems or day is None or working is None:
            continue
        overrides.append(DayOverride(day, working, values["reason"], values["source"]))
    if header is None:
        columns = ",".join(OVERRIDE_COLUMNS)
        expected = Message(_EXPECTED_HEADER, {"columns": columns})
        problems.append(_problem(file, None, None, expected, "an empty file"))
    if problems:
        raise CalendarError(problems)
    return tuple(overrides)


def default_override_files() -> tuple[Path, ...]:
    """The override files ``build`` reads by default, earliest first (later files win).

    The packaged ``overrides.csv``, then ``<data home>/calendar/overrides.csv`` when it
    exists (the data home is ``$ASHYQ_HOME`` or the user's data directory).
    """
    packaged = Path(str(resources.files("ashyq.calendar").joinpath("overrides.csv")))
    files = [packaged]
    local = settings().paths.calendar_overrides
    if local.is_file():
        files.append(local)
    return tuple(files)


def _merge(overrides: Iterable[DayOverride]) -> tuple[DayOverride, ...]:
    """One override per day, the last one given winning, in date order."""
    by_day = {override.day: override for override in overrides}
    return tuple(by_day[day] for day in sorted(by_day))


def _transfer_prefix(calendar: holidays.HolidayBase) -> str | None:
    """How the package begins the name of a transferred day off, in the table's language."""
    label = getattr(calendar, "substituted_label", None)
    translate = getattr(calendar, "tr", None)
    if not isinstance(label, str) or not callable(translate):
        return None
    return str(translate(label)).split("%s", 1)[0]


@dataclass(frozen=True)
class _Day:
    kind: DayKind
    name: str | None
    source: str | None


def _classify(first: date, last: date, overrides: tuple[DayOverride, ...]) -> list[_Day]:
    # Neighbouring years too: a transfer decreed for January can make a December weekend
    # day a working day, and the package records it with the year of the transfer.
    package = holidays.country_holidays(
        _COUNTRY,
        years=range(first.year - 1, last.year + 2),
        language=_HOLIDAY_LANGUAGE,
        categories=(holidays.PUBLIC,),
    )
    transfer_prefix = _transfer_prefix(package)
    by_day = {override.day: override for override in overrides}
    days: list[_Day] = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        override = by_day.get(day)
        if override is not None:
            kind: DayKind = "override_working" if override.working else "override_day_off"
            days.append(_Day(kind, override.reason, override.source))
            continue
        name = package.get(day)
        if name is not None:
            transfer = transfer_prefix is not None and name.startswith(transfer_prefix)
            days.append(_Day("transfer_day_off" if transfer else "holiday", name, _HOLIDAYS_SOURCE))
        elif day.weekday() >= _SATURDAY:
            if day in package.weekend_workdays:
                days.append(_Day("working_weekend", None, _HOLIDAYS_SOURCE))
            else:
                days.append(_Day("weekend", None, None))
        else:
            days.append(_Day("working", None, None))
    return days


class WorkingCalendar:
    """The working days of Kazakhstan from ``first`` to ``last``; make one with ``build``."""

    def __init__(self, first: date, last: date, days: Sequence[_Day]) -> None:
        if len(days) != (last - first).days + 1:
            raise ValueError("a calendar needs exactly one entry per day from first to last")
        self._first = first
        self._last = last
        self._days = tuple(days)
        self._working = tuple(day.kind in _WORKING_KINDS for day in days)
        running = 0
        cumulative: list[int] = []
        working_dates: list[date] = []
        for offset, working in enumerate(self._working):
            if working:
                running += 1
                working_dates.append(first + timedelta(days=offset))
            cumulative.append(running)
        self._wd = tuple(cumulative)
        self._working_dates = tuple(working_dates)
        self._table = pa.table(
            {
                "date": pa.array(
                    [first + timedelta(days=i) for i in range(len(days))], type=pa.date32()
                ),
                "is_working": pa.array(self._working, type=pa.bool_()),
                "wd": pa.array(self._wd, type=pa.int32()),
                "kind": pa.array([day.kind for day in days], type=pa.string()),
                "name": pa.array([day.name for day in days], type=pa.string()),
                "source": pa.array([day.source for day in days], type=pa.string()),
            }
        )
        self._index = pa.table(
            {
                "wd": pa.array(range(1, len(working_dates) + 1), type=pa.int32()),
                "date": pa.array(working_dates, type=pa.date32()),
            }
        )

    @classmethod
    def build(
        cls, first: date, last: date, overrides: Sequence[DayOverride] | None = None
    ) -> WorkingCalendar:
        """Return the calendar of ``first``..``last`` (both included).

        ``overrides=None`` reads every file of ``default_override_files()``; a later file,
        and a later override in a sequence, wins over an earlier one for the same day, and
        an override wins over the package. Calendars are cached by their arguments.
        Raises ValueError when ``last`` is before ``first`` and CalendarError for a bad
        override file.
        """
        if last < first:
            raise ValueError(f"the calendar ends ({last}) before it starts ({first})")
        if overrides is None:
            overrides = [o for path in default_override_files() for o in load_overrides(path)]
        return _build(first, last, _merge(overrides))

    @property
    def first(self) -> date:
        """The first day of the calendar."""
        return self._first

    @property
    def last(self) -> date:
        """The last day of the calendar."""
        return self._last

    def _offset(self, day: date) -> int:
        if not self._first <= day <= self._last:
            raise ValueError(f"{day} is outside the calendar {self._first}..{self._last}")
        return (day - self._first).days

    def is_working(self, day: date) -> bool:
        """True when ``day`` is a working day; raises ValueError outside the calendar."""
        return self._working[self._offset(day)]

    def working_days_up_to(self, day: date) -> int:
        """The number of working days from ``first`` to ``day``, both included.

        Raises ValueError outside the calendar.
        """
        return self._wd[self._offset(day)]

    def add_working_days(self, day: date, n: int) -> date:
        """The date of the ``n``-th working day after ``day``, ``day`` itself being day zero.

        With ``n == 0`` it is ``day`` when that is a working day, else the next working
        day. Raises ValueError for a negative ``n``, a ``day`` outside the calendar, or a
        result after ``last``.
        """
        if n < 0:
            raise ValueError(f"a number of working days cannot be negative ({n})")
        offset = self._offset(day)
        target = self._wd[offset] + n
        if n == 0 and not self._working[offset]:
            target += 1
        if target > len(self._working_dates):
            raise ValueError(
                f"{n} working days after {day} fall after the calendar's last day {self._last}"
            )
        return self._working_dates[target - 1]

    def working_days_between(self, start: date, end: date) -> int:
        """The number of working days in (``start``, ``end``]; negative when end < start.

        Raises ValueError when either day is outside the calendar.
        """
        return self.working_days_up_to(end) - self.working_days_up_to(start)

    def table(self) -> pa.Table:
        """One row per day: date, is_working, wd (working days up to it), kind, name, source.

        ``kind`` is one of ``DAY_KINDS``; ``name`` is the holiday's name or the override's
        reason; ``source`` is ``holidays <version>`` or the override's source.
        """
        return self._table

    def working_day_index(self) -> pa.Table:
        """The working days only: ``wd`` (1, 2, …) and its ``date``.

        A deadline of ``n`` working days is the ``date`` whose ``wd`` is the ``wd`` of the
        registration day in ``table()`` plus ``n``.
        """
        return self._index


@lru_cache(maxsize=32)
def _build(first: date, last: date, overrides: tuple[DayOverride, ...]) -> WorkingCalendar:
    return WorkingCalendar(first, last, _classify(first, last, overrides))
