"""From the store to the index: open a period on a backend, count, and hand over inputs.

The backend is DuckDB (embedded, the default) or any Ibis backend the caller connects,
such as PySpark for a national or multi-year run; the expressions are the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import ibis
import ibis.expr.types as ir

from ashyq.appeals.indicators import (
    COUNTS,
    calendar_tables,
    count_spec,
    enrich_appeals,
    enrich_bookings,
    indicator_counts,
    records_behind,
    satisfaction_pct,
)
from ashyq.appeals.model import APPEALS, BOOKINGS
from ashyq.index.engine import Fact, Provenance
from ashyq.index.inputs import field_specs
from ashyq.index.methodology import Methodology
from ashyq.periods import Period
from ashyq.records import engine
from ashyq.records.backend import small_table
from ashyq.records.store import RecordStore

__all__ = [
    "INDEX_FIELDS",
    "PeriodData",
    "body_counts",
    "index_counts",
    "open_period",
]

# The index input fields the records give; the rest are auxiliary counts.
INDEX_FIELDS: tuple[str, ...] = (
    *(spec.name for spec in COUNTS if not spec.name.startswith("ratings_")),
    "satisfaction_pct",
)


@dataclass(frozen=True)
class PeriodData:
    """One period's records on a backend, enriched with deadlines and flags."""

    con: ibis.BaseBackend
    period: Period
    store: RecordStore
    appeals: ir.Table | None
    bookings: ir.Table | None

    def enriched(self, kind: str) -> ir.Table | None:
        """The enriched table of ``appeals`` or ``bookings``."""
        return self.appeals if kind == "appeals" else self.bookings


def open_period(
    period: Period, con: ibis.BaseBackend | None = None, store: RecordStore | None = None
) -> PeriodData:
    """Read ``period``'s records from ``store`` on ``con`` (by default, a new connection of
    the engine the settings choose)."""
    con = con if con is not None else engine.backend()
    store = store or RecordStore()
    tables = calendar_tables(period)
    suffix = period.name.lower()
    days = small_table(con, f"calendar_days_{suffix}", tables.days)
    working_days = small_table(con, f"calendar_working_days_{suffix}", tables.working_days)
    rules = small_table(con, "deadline_rules", tables.rules)
    appeals = store.read(con, APPEALS, period)
    bookings = store.read(con, BOOKINGS, period)
    return PeriodData(
        con,
        period,
        store,
        enrich_appeals(appeals, days, working_days, rules) if appeals is not None else None,
        enrich_bookings(bookings, days) if bookings is not None else None,
    )


def body_counts(data: PeriodData) -> dict[str, dict[str, int]]:
    """Every declared count per body code; a body without records of a kind has none."""
    enriched = {
        kind: table
        for kind, table in (("appeals", data.appeals), ("bookings", data.bookings))
        if table is not None
    }
    counts: dict[str, dict[str, int]] = {}
    for table in indicator_counts(enriched).values():
        for row in data.con.to_pyarrow(table).to_pylist():
            body = row.pop("body")
            counts.setdefault(body, {}).update({k: int(v or 0) for k, v in row.items()})
    return dict(sorted(counts.items()))


def index_counts(
    data: PeriodData, counts: dict[str, dict[str, int]], methodology: Methodology
) -> dict[str, dict[str, Fact]]:
    """The index input fields per body, each with the store partition it came from and
    the authority the methodology names for it."""
    authorities = {name: spec.authority for name, spec in field_specs(methodology).items()}
    result: dict[str, dict[str, Fact]] = {}
    for body, values in counts.items():
        facts: dict[str, Fact] = {}
        for name, value in values.items():
            if name not in INDEX_FIELDS:
                continue
            source = data.store.source(count_spec(name).kind, data.period, body)
            provenance = Provenance(source, None, name, authorities.get(name))
            facts[name] = Fact(Decimal(value), provenance)
        share = satisfaction_pct(values.get("ratings_satisfied", 0), values.get("ratings_total", 0))
        if share is not None:
            source = data.store.source(APPEALS, data.period, body)
            provenance = Provenance(source, None, "rating", authorities.get("satisfaction_pct"))
            facts["satisfaction_pct"] = Fact(share, provenance)
        result[body] = facts
    return result


def drill_down(data: PeriodData, body: str, name: str) -> ir.Table:
    """The records behind the count ``name`` of ``body``, key first.

    Raises KeyError for an unknown count and LookupError when its kind is not stored.
    """
    spec = count_spec(name)
    table = data.enriched(spec.kind.name)
    if table is None:
        raise LookupError(f"no {spec.kind.name} stored for {data.period}")
    behind = records_behind(table.filter(table.body == body), name)
    return behind.select(
        spec.kind.key, *[c for c in behind.columns if c != spec.kind.key and not c.startswith("_")]
    ).order_by(spec.kind.key)
