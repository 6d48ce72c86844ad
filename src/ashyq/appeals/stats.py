"""National statistics of a period's appeals, the figures seed 003 opens with (lines 153-183).

Totals and growth against the previous period, shares by type, form and applicant kind,
the top topics with their subtopics' shares, the split between central and local bodies,
and the bodies with the most appeals and the most redirects. Each figure is one Ibis
aggregate over the stored records.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from ashyq.appeals.model import APPEALS
from ashyq.appeals.pipeline import PeriodData
from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.numbers import Share, percent

__all__ = ["NationalStats", "Share", "national_stats"]

_TOP = 5


@dataclass(frozen=True)
class NationalStats:
    """The national figures of one period."""

    period: str
    total: int
    previous_period: str
    previous_total: int | None
    by_type: tuple[Share, ...]
    by_form: tuple[Share, ...]
    by_applicant_kind: tuple[Share, ...]
    top_topics: tuple[Share, ...]
    by_level: tuple[Share, ...]
    top_bodies: tuple[Share, ...]
    top_redirecting_bodies: tuple[Share, ...]
    redirected_total: int = 0

    @property
    def growth_pct(self) -> Decimal | None:
        """Growth against the previous period in percent, or None without its records."""
        if not self.previous_total:
            return None
        return percent(self.total - self.previous_total, self.previous_total)

    def as_dict(self) -> dict[str, Any]:
        """Every figure as plain JSON values."""
        growth = self.growth_pct
        return {
            "period": self.period,
            "total": self.total,
            "previous_period": self.previous_period,
            "previous_total": self.previous_total,
            "growth_pct": float(growth) if growth is not None else None,
            "redirected_total": self.redirected_total,
            "by_type": [s.as_dict() for s in self.by_type],
            "by_form": [s.as_dict() for s in self.by_form],
            "by_applicant_kind": [s.as_dict() for s in self.by_applicant_kind],
            "top_topics": [s.as_dict() for s in self.top_topics],
            "by_level": [s.as_dict() for s in self.by_level],
            "top_bodies": [s.as_dict() for s in self.top_bodies],
            "top_redirecting_bodies": [s.as_dict() for s in self.top_redirecting_bodies],
        }


def _shares(con: ibis.BaseBackend, table: ir.Table, column: str, total: int) -> list[Share]:
    # Equal counts in the order of their keys: the same list on every engine and every run.
    counted = table.group_by(column).aggregate(n=table.count()).order_by(ibis.desc("n"), column)
    rows = con.to_pyarrow(counted).to_pylist()
    return [Share(str(r[column]), int(r["n"]), percent(int(r["n"]), total)) for r in rows]


def national_stats(data: PeriodData, registry: BodyRegistry | None = None) -> NationalStats:
    """The national statistics of ``data``'s period; raises LookupError without records."""
    registry = registry or load_bodies()
    # The stored records, not the enriched ones: no figure here needs a deadline.
    appeals = data.store.read(data.con, APPEALS, data.period)
    if appeals is None:
        raise LookupError(f"no appeals stored for {data.period}")
    con = data.con
    total = int(con.execute(appeals.count()))
    previous = data.period.previous()
    stored_before = data.store.read(con, APPEALS, previous)
    previous_total = int(con.execute(stored_before.count())) if stored_before is not None else None

    topics = _shares(con, appeals, "topic", total)[:_TOP]
    top_topics = []
    for topic in topics:
        within = appeals.filter(appeals.topic == topic.key)
        parts = _shares(con, within, "subtopic", topic.count)
        top_topics.append(Share(topic.key, topic.count, topic.share_pct, tuple(parts)))

    levels = ibis.memtable(
        {"body": [b.code for b in registry], "level": [b.level.value for b in registry]}
    )
    with_level = appeals.select("body").join(levels, "body")
    by_body = _shares(con, appeals, "body", total)
    redirected = appeals.filter(appeals.redirected_to.notnull())
    redirected_total = int(con.execute(redirected.count()))
    return NationalStats(
        period=data.period.name,
        total=total,
        previous_period=previous.name,
        previous_total=previous_total,
        by_type=tuple(_shares(con, appeals, "appeal_type", total)),
        by_form=tuple(_shares(con, appeals, "form", total)),
        by_applicant_kind=tuple(_shares(con, appeals, "applicant_kind", total)),
        top_topics=tuple(top_topics),
        by_level=tuple(_shares(con, with_level, "level", total)),
        top_bodies=tuple(by_body[:_TOP]),
        top_redirecting_bodies=tuple(_shares(con, redirected, "body", redirected_total)[:_TOP]),
        redirected_total=redirected_total,
    )
