"""Numbers as people in Kazakhstan write them ("3,78", "391 954", "1 234,5", "93,2%"), read
and written; and a count with its share of a whole."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

__all__ = ["Share", "parse_decimal", "percent", "plain_decimal"]

# Digit groups may be separated by a space, a no-break space, a narrow no-break space or a
# thin space — what Word, Excel and the e-Otinish exports put in "391 954".
_GROUP_SEPARATORS = "\u0020\u00a0\u202f\u2009"
_NUMBER = re.compile(
    rf"""
    [+-]?
    (?: \d{{1,3}} (?: [{_GROUP_SEPARATORS}] \d{{3}} )+   # grouped thousands
      | \d+ )                                           # or plain digits
    (?: [.,] \d+ )?                                     # decimal comma or point
    """,
    re.VERBOSE,
)


def parse_decimal(text: str, *, allow_percent: bool = False) -> Decimal:
    """Return the number ``text`` spells, as an exact Decimal.

    Accepts a decimal comma or point and digits grouped by spaces; with ``allow_percent``
    a trailing ``%`` is dropped. Raises ValueError for anything else, including an empty
    string, letters, and a mix of ``,`` and ``.`` (ambiguous between locales).
    """
    cleaned = text.strip()
    if allow_percent and cleaned.endswith("%"):
        cleaned = cleaned[:-1].rstrip()
    if not _NUMBER.fullmatch(cleaned):
        raise ValueError(f"not a number: {text!r}")
    for separator in _GROUP_SEPARATORS:
        cleaned = cleaned.replace(separator, "")
    try:
        return Decimal(cleaned.replace(",", "."))
    except InvalidOperation as error:  # unreachable for strings the pattern accepts
        raise ValueError(f"not a number: {text!r}") from error


def plain_decimal(value: Decimal) -> str:
    """A machine-readable spelling: dot decimal, no exponent, no trailing zeros."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def percent(part: int, whole: int) -> Decimal:
    """``part`` as a percentage of ``whole``, to one decimal (half up); 0 when ``whole`` is 0."""
    if whole == 0:
        return Decimal(0)
    return (Decimal(100 * part) / Decimal(whole)).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass(frozen=True)
class Share:
    """A count and its share of the whole, in percent to one decimal."""

    key: str
    count: int
    share_pct: Decimal
    parts: tuple[Share, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """The share as plain JSON values."""
        result: dict[str, Any] = {
            "key": self.key,
            "count": self.count,
            "share_pct": float(self.share_pct),
        }
        if self.parts:
            result["parts"] = [part.as_dict() for part in self.parts]
        return result
