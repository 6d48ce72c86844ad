"""Reporting periods: a calendar year (``2025``) or one of its halves (``2025H1``, ``2025H2``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["Period", "PeriodError"]

_PATTERN = re.compile(r"^(?P<year>\d{4})(?:[- ]?(?P<half>[HhНн][12]))?$")


class PeriodError(ValueError):
    """A period name that is neither ``YYYY`` nor ``YYYYH1``/``YYYYH2``."""


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: its first and last day, both included."""

    year: int
    half: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        """Read ``2025``, ``2025H1`` or ``2025-H2``; raises PeriodError otherwise."""
        match = _PATTERN.match(text.strip())
        if match is None:
            raise PeriodError(f"{text!r}: expected a year such as 2025, or 2025H1 or 2025H2")
        half = match.group("half")
        return cls(int(match.group("year")), int(half[1]) if half else None)

    @property
    def name(self) -> str:
        """The canonical name: ``2025`` or ``2025H1``."""
        return f"{self.year}" if self.half is None else f"{self.year}H{self.half}"

    @property
    def first(self) -> date:
        """The first day of the period."""
        return date(self.year, 7 if self.half == 2 else 1, 1)

    @property
    def last(self) -> date:
        """The last day of the period."""
        return date(self.year, 6, 30) if self.half == 1 else date(self.year, 12, 31)

    def previous(self) -> Period:
        """The period of the same length just before this one."""
        if self.half is None:
            return Period(self.year - 1)
        return Period(self.year, 1) if self.half == 2 else Period(self.year - 1, 2)

    def __str__(self) -> str:
        return self.name
