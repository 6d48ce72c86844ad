"""The published figures of the public monitoring (seed 001), as reference data: the
multi-year trend of the average score, the national figures, and the bodies and services
the report names with their scores."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Any

import yaml

from ashyq.i18n import Text
from ashyq.numbers import parse_decimal

__all__ = ["Barrier", "PublishedMonitoring", "PublishedScore", "load_published_monitoring"]


def _decimal(value: object) -> Decimal:
    return parse_decimal(str(value))


@dataclass(frozen=True)
class PublishedScore:
    """A body or service the report names, with its average (or the range it gives), and
    what it says of its satisfaction: above a level, within a range, or its change
    against the previous year in percentage points (as printed, or "fell by more than").

    ``code`` is the body's code (in the registry of monitored bodies) or the service's;
    ``body`` is the body named, or the body that provides the service named.
    """

    name: str
    low: Decimal | None
    high: Decimal | None
    source: str
    code: str = ""
    body: str | None = None
    satisfaction_above_pct: Decimal | None = None
    satisfaction_range_pct: tuple[Decimal, Decimal] | None = None
    satisfaction_change_pp: Decimal | None = None
    satisfaction_change_pp_below: Decimal | None = None


@dataclass(frozen=True)
class Barrier:
    """A barrier to the highest score, administrative or technical."""

    code: str
    kind: str
    name: Text


@dataclass(frozen=True)
class PublishedMonitoring:
    """Everything seed 001 states about one year of public monitoring."""

    period: int
    trend: dict[int, Decimal]
    national: dict[str, Decimal]
    bodies: tuple[PublishedScore, ...]
    services: tuple[PublishedScore, ...]
    barriers: tuple[Barrier, ...]


def _score(entry: dict[str, Any]) -> PublishedScore:
    low: Decimal | None
    high: Decimal | None
    if "average" in entry:
        low = high = _decimal(entry["average"])
    elif "average_range" in entry:
        low, high = (_decimal(v) for v in entry["average_range"])
    else:
        low = high = None
    satisfaction = entry.get("satisfaction_range_pct")

    def optional(key: str) -> Decimal | None:
        return _decimal(entry[key]) if key in entry else None

    return PublishedScore(
        entry["name"],
        low,
        high,
        entry["source"],
        code=entry.get("code", entry.get("body", "")),
        body=entry.get("body"),
        satisfaction_above_pct=optional("satisfaction_above_pct"),
        satisfaction_range_pct=(
            (_decimal(satisfaction[0]), _decimal(satisfaction[1])) if satisfaction else None
        ),
        satisfaction_change_pp=optional("satisfaction_change_pp"),
        satisfaction_change_pp_below=optional("satisfaction_change_pp_below"),
    )


@cache
def load_published_monitoring() -> PublishedMonitoring:
    """The published figures of the 2025 public monitoring."""
    text = resources.files("ashyq.monitoring").joinpath("published.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return PublishedMonitoring(
        period=int(data["period"]),
        trend={int(p["year"]): _decimal(p["average"]) for p in data["trend"]},
        national={key: _decimal(v["value"]) for key, v in data["national"].items()},
        bodies=tuple(_score(entry) for entry in data["bodies"]),
        services=tuple(_score(entry) for entry in data["services"]),
        barriers=tuple(
            Barrier(b["code"], kind, Text(ru=b["ru"], kk=b["kk"], en=b["en"]))
            for kind, entries in data["barriers"].items()
            for b in entries
        ),
    )
