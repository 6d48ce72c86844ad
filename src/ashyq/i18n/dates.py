"""Dates and times as their readers write them, in the time zone of Kazakhstan.

``day`` is the one speller of a date or time shown to a reader: pages, reports, the CLI
and every message (``translate`` spells a date placeholder with it). A time is shown in
Astana time, whatever zone it was stored in; a file keeps ISO 8601, never this.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import TYPE_CHECKING, Final, Literal

from babel import Locale
from babel.dates import format_date, format_time

if TYPE_CHECKING:
    from ashyq.i18n import Lang

__all__ = ["ASTANA", "day"]

# Kazakhstan keeps one time zone, UTC+5, since 1 March 2024; every period is later.
ASTANA: Final = timezone(timedelta(hours=5), "Astana")

_LOCALES: Final = {"ru": "ru_RU", "kk": "kk_KZ", "en": "en_GB"}


# A date in figures, as the seed documents and Kazakhstan's official papers write it
# (08.03.2025); English as British readers do (08/03/2025).
_NUMERIC: Final = {"ru": "dd.MM.yyyy", "kk": "dd.MM.yyyy", "en": "dd/MM/yyyy"}


def day(
    value: date | datetime,
    lang: Lang,
    width: Literal["numeric", "medium", "long"] = "medium",
) -> str:
    """``value`` as a reader of ``lang`` writes it: ``28 мар. 2025 г.``, ``2025 ж. 28
    нау.``, ``28 Mar 2025`` (``long``: the month's name in full; ``numeric``:
    ``28.03.2025``, for tables); a time (aware, else taken as UTC) with its hour and minute
    in Astana time."""
    locale = _LOCALES[lang]
    local: datetime | None = None
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        local = aware.astimezone(ASTANA)
    if width == "numeric":
        return format_date(local.date() if local else value, _NUMERIC[lang], locale=locale)
    if local is None:
        return format_date(value, width, locale=locale)
    # The locale's own joining of a date and a time ("{1}, {0}"), the time to the minute.
    joined = str(Locale.parse(locale).datetime_formats[width])
    spelled_day = format_date(local.date(), width, locale=locale)
    spelled_time = format_time(local.time(), "short", locale=locale)
    return joined.replace("{1}", spelled_day).replace("{0}", spelled_time)
