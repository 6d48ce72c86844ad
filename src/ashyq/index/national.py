"""National statistics of a published period: appeals (seed 003) and public-service control
(seed 000), each figure with the line of the report it is quoted from."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources

from ashyq.i18n import N_

__all__ = ["APPEAL_TYPES", "Figure", "PeriodStatistics", "period_statistics"]


@dataclass(frozen=True)
class Figure:
    """One published figure, and where the report states it."""

    key: str
    value: Decimal
    unit: str
    period: str
    source: str
    quote: str


@dataclass(frozen=True)
class PeriodStatistics:
    """The published national figures of one period, by key."""

    period: int
    appeals: dict[str, Figure]
    services: dict[str, Figure]

    def appeal(self, key: str) -> Figure | None:
        """An appeal figure by key, if the report states it."""
        return self.appeals.get(key)


# The appeal types the report breaks the total down by, with their labels.
APPEAL_TYPES: tuple[tuple[str, str], ...] = (
    ("statements", N_("Statements")),
    ("requests", N_("Requests")),
    ("messages", N_("Messages")),
    ("complaints", N_("Complaints")),
    ("proposals", N_("Proposals")),
    ("responses", N_("Responses")),
)


def _rows(period: int, name: str) -> list[dict[str, str]]:
    folder = resources.files("ashyq.index.reference").joinpath(str(period))
    entry = folder.joinpath(name)
    if not entry.is_file():
        return []
    return list(csv.DictReader(io.StringIO(entry.read_text(encoding="utf-8"))))


@cache
def period_statistics(period: int) -> PeriodStatistics | None:
    """The published statistics of ``period``, or None when Ashyq holds no transcription."""
    appeals = {
        row["key"]: Figure(
            row["key"],
            Decimal(row["value"]),
            row["unit"],
            row["period"],
            f"seed 003, line {row['seed_line']}",
            row["quote"],
        )
        for row in _rows(period, "national_facts.csv")
    }
    services = {
        row["key"]: Figure(
            row["key"],
            Decimal(row["value"]),
            row["unit"],
            row["period"],
            f"seed {row['seed']}, line {row['seed_line']}",
            row["quote"],
        )
        for row in _rows(period, "services_facts.csv")
    }
    if not appeals and not services:
        return None
    return PeriodStatistics(period, appeals, services)
