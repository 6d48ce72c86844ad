"""Kazakhstan's working-day calendar: days off, decreed transfers and local overrides."""

from ashyq.calendar.kz import (
    DAY_KINDS,
    OVERRIDE_COLUMNS,
    CalendarError,
    DayKind,
    DayOverride,
    WorkingCalendar,
    default_override_files,
    load_overrides,
)

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
