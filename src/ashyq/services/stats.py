"""The statistics of a year's public-service control, as seeds 000 and 002 report them.

Services delivered by channel and form; violations found by type, stage and level
(central or local bodies), with the shares of deadline and order violations; control
measures by kind and the complaints behind them; violations confirmed; rights restored
and the share restored remotely; disciplinary sanctions and the share of managers;
protocols with their fines (imposed and collected, in tenge at the MCI of the decision's
year); orders to remedy, their instructions and execution. Each figure is an Ibis
aggregate over the stored records and the violation registry.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import ibis
import ibis.expr.types as ir

from ashyq.bodies import BodyRegistry, load_bodies
from ashyq.i18n import Lang
from ashyq.numbers import Share, percent
from ashyq.records.backend import small_table
from ashyq.records.model import RecordKind
from ashyq.services.catalogue import Category, Stage, load_catalogue
from ashyq.services.control import (
    CONTROL_MEASURES,
    DISCIPLINARY,
    INSTRUCTIONS,
    PROTOCOLS,
    REPRESENTATIONS,
    RIGHTS_RESTORED,
)
from ashyq.services.detect import ServicesPeriod, detect
from ashyq.services.liability import load_mci, mci_table

__all__ = ["ServiceStats", "TypeCount", "service_stats"]


@dataclass(frozen=True)
class TypeCount:
    """Violations of one type, on central and on local bodies."""

    type: str
    stage: str
    category: str
    central: int
    local: int

    @property
    def total(self) -> int:
        """On every body."""
        return self.central + self.local

    def as_dict(self) -> dict[str, Any]:
        """The row as plain JSON values."""
        return {
            "type": self.type,
            "stage": self.stage,
            "category": self.category,
            "central": self.central,
            "local": self.local,
            "total": self.total,
        }


@dataclass(frozen=True)
class ServiceStats:
    """Every figure of one period's public-service control."""

    period: str
    deliveries: int
    by_channel: tuple[Share, ...]
    by_form: tuple[Share, ...]
    refusals: int
    refusals_reconsidered: tuple[Share, ...]
    violations: int
    by_level: tuple[Share, ...]
    by_stage: tuple[Share, ...]
    by_category: tuple[Share, ...]
    by_type: tuple[TypeCount, ...]
    control_measures: int
    measures_by_kind: tuple[Share, ...]
    complaints: int
    confirmed: int
    confirmed_by: tuple[Share, ...]
    rights_restored: int
    restored_remotely: int
    disciplinary: int
    disciplinary_managers: int
    penalties: tuple[Share, ...]
    protocols: int
    fined: int
    fines_mci: int
    fines_tenge: int
    fines_paid: int
    fines_collected_tenge: int
    representations: int
    instructions: int
    instructions_by_status: tuple[Share, ...]

    def _count(self, shares: tuple[Share, ...], key: str) -> int:
        return next((share.count for share in shares if share.key == key), 0)

    @property
    def reconsidered(self) -> int:
        """Refusals later revoked by the provider or overturned on complaint or in court."""
        return sum(share.count for share in self.refusals_reconsidered)

    @property
    def reconsidered_pct(self) -> Decimal:
        """Share of refusals reconsidered."""
        return percent(self.reconsidered, self.refusals)

    @property
    def electronic_pct(self) -> Decimal:
        """Share of deliveries applied for electronically."""
        return percent(self._count(self.by_form, "electronic"), self.deliveries)

    @property
    def deadline_pct(self) -> Decimal:
        """Share of violations that breach a deadline (seed 000: 30.7 % in 2025)."""
        return percent(self._count(self.by_category, Category.DEADLINE), self.violations)

    @property
    def order_pct(self) -> Decimal:
        """Share of violations of the order of delivery."""
        return percent(self._count(self.by_category, Category.ORDER), self.violations)

    @property
    def restored_remotely_pct(self) -> Decimal:
        """Share of restored rights restored without an inspection."""
        return percent(self.restored_remotely, self.rights_restored)

    @property
    def managers_pct(self) -> Decimal:
        """Share of managers among those disciplined (seed 000: over 27 % in 2025)."""
        return percent(self.disciplinary_managers, self.disciplinary)

    @property
    def instructions_executed(self) -> int:
        """Instructions executed."""
        return self._count(self.instructions_by_status, "executed")

    def as_dict(self) -> dict[str, Any]:
        """Every figure as plain JSON values."""

        def shares(items: tuple[Share, ...]) -> list[dict[str, Any]]:
            return [share.as_dict() for share in items]

        return {
            "period": self.period,
            "deliveries": {
                "total": self.deliveries,
                "electronic_pct": float(self.electronic_pct),
                "by_channel": shares(self.by_channel),
                "by_form": shares(self.by_form),
                "refused": self.refusals,
                "reconsidered": self.reconsidered,
                "reconsidered_pct": float(self.reconsidered_pct),
                "reconsidered_by": shares(self.refusals_reconsidered),
            },
            "violations": {
                "total": self.violations,
                "deadline_pct": float(self.deadline_pct),
                "order_pct": float(self.order_pct),
                "by_level": shares(self.by_level),
                "by_stage": shares(self.by_stage),
                "by_category": shares(self.by_category),
                "by_type": [row.as_dict() for row in self.by_type],
            },
            "control_measures": {
                "total": self.control_measures,
                "by_kind": shares(self.measures_by_kind),
                "complaints": self.complaints,
                "violations_confirmed": self.confirmed,
                "confirmed_by": shares(self.confirmed_by),
            },
            "rights_restored": {
                "total": self.rights_restored,
                "remotely": self.restored_remotely,
                "remotely_pct": float(self.restored_remotely_pct),
            },
            "disciplinary": {
                "total": self.disciplinary,
                "managers": self.disciplinary_managers,
                "managers_pct": float(self.managers_pct),
                "by_penalty": shares(self.penalties),
            },
            "protocols": {
                "total": self.protocols,
                "fined": self.fined,
                "fines_mci": self.fines_mci,
                "fines_tenge": self.fines_tenge,
                "fines_paid": self.fines_paid,
                "fines_collected_tenge": self.fines_collected_tenge,
            },
            "representations": {
                "total": self.representations,
                "instructions": self.instructions,
                "instructions_executed": self.instructions_executed,
                "by_status": shares(self.instructions_by_status),
            },
        }


def _rows(con: ibis.BaseBackend, expr: ir.Table) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = con.to_pyarrow(expr).to_pylist()
    return rows


def _shares(counts: dict[str, int], order: tuple[str, ...] = ()) -> tuple[Share, ...]:
    """Counts as shares of their sum: in ``order`` first, then by count, largest first."""
    whole = sum(counts.values())
    rest = sorted((k for k in counts if k not in order), key=lambda k: (-counts[k], k))
    keys = [k for k in order if k in counts] + rest
    return tuple(Share(key, counts[key], percent(counts[key], whole)) for key in keys)


def _counted(
    data: ServicesPeriod, table: ir.Table | None, column: str, order: tuple[str, ...] = ()
) -> tuple[int, tuple[Share, ...]]:
    """The rows of ``table`` and their split by ``column`` (0 and nothing without a table)."""
    if table is None:
        return 0, ()
    counted = table.group_by(column).aggregate(n=table.count())
    counts = {str(r[column]): int(r["n"]) for r in _rows(data.con, counted)}
    return sum(counts.values()), _shares(counts, order)


def _total(data: ServicesPeriod, table: ir.Table | None) -> int:
    """The rows of ``table`` (0 without a table)."""
    return 0 if table is None else int(data.con.execute(table.count()))


def _read(data: ServicesPeriod, kind: RecordKind) -> ir.Table | None:
    return data.store.read(data.con, kind, data.period)


def _fines(data: ServicesPeriod, protocols: ir.Table | None) -> tuple[int, int, int, int, int]:
    """Of the protocols: fined, fines in MCI, fines in tenge, fines paid, tenge collected."""
    if protocols is None:
        return 0, 0, 0, 0, 0
    mci = small_table(data.con, "mci_values", mci_table())
    fined = protocols.filter(protocols.outcome == "fined")
    priced = fined.left_join(mci, fined.decided_on.year().cast("int32") == mci.year)
    unpriced = _rows(
        data.con,
        priced.filter(priced.mci_tenge.isnull()).select(year=priced.decided_on.year()).distinct(),
    )
    if unpriced:
        known = ", ".join(str(value.year) for value in load_mci())
        years = ", ".join(str(r["year"]) for r in unpriced)
        raise LookupError(f"no MCI value for {years} (known: {known}); add it to mci.yaml")
    tenge = priced.fine_mci * priced.mci_tenge
    paid = priced.paid_on.notnull()
    totals = _rows(
        data.con,
        priced.aggregate(
            fined=priced.count(),
            mci=priced.fine_mci.sum(),
            tenge=tenge.sum(),
            paid=paid.sum(),
            collected=ibis.ifelse(paid, priced.paid_tenge.fill_null(tenge), 0).sum(),
        ),
    )[0]
    return (
        int(totals["fined"]),
        int(totals["mci"] or 0),
        int(totals["tenge"] or 0),
        int(totals["paid"] or 0),
        int(totals["collected"] or 0),
    )


def service_stats(
    data: ServicesPeriod, lang: Lang = "en", registry: BodyRegistry | None = None
) -> ServiceStats:
    """The statistics of ``data``'s period; raises LookupError without deliveries, or for a
    fine decided in a year without an MCI value."""
    if data.deliveries is None or data.services is None:
        raise LookupError(f"no deliveries or registry of services stored for {data.period}")
    bodies = registry or load_bodies()
    catalogue = load_catalogue()
    deliveries = data.deliveries
    split = deliveries.group_by(["channel", "form", "decision", "reconsidered_by"]).aggregate(
        n=deliveries.count()
    )
    by_channel: dict[str, int] = {}
    by_form: dict[str, int] = {}
    refusals = 0
    reconsidered: dict[str, int] = {}
    for row in _rows(data.con, split):
        n = int(row["n"])
        by_channel[row["channel"]] = by_channel.get(row["channel"], 0) + n
        by_form[row["form"]] = by_form.get(row["form"], 0) + n
        if row["decision"] == "refused":
            refusals += n
            if row["reconsidered_by"] is not None:
                who = row["reconsidered_by"]
                reconsidered[who] = reconsidered.get(who, 0) + n

    found = detect(data, lang)
    counted = found.group_by(["provider_body", "violation_type"]).aggregate(n=found.count())
    central: dict[str, int] = {}
    local: dict[str, int] = {}
    for row in _rows(data.con, counted):
        level = bodies.get(row["provider_body"]).level.value
        side = local if level == "MIO" else central
        side[row["violation_type"]] = side.get(row["violation_type"], 0) + int(row["n"])
    by_type = tuple(
        TypeCount(t.id, t.stage.value, t.category.value, central.get(t.id, 0), local.get(t.id, 0))
        for t in catalogue.types
    )
    by_stage: dict[str, int] = {}
    by_category: dict[str, int] = {}
    for count in by_type:
        by_stage[count.stage] = by_stage.get(count.stage, 0) + count.total
        by_category[count.category] = by_category.get(count.category, 0) + count.total
    violations = sum(count.total for count in by_type)

    measures = _read(data, CONTROL_MEASURES)
    measure_count, by_kind = _counted(data, measures, "kind")
    complaints = 0
    if measures is not None:
        complaints = int(data.con.execute(measures.complaint_id.nunique()))
    confirmed, confirmed_by = _counted(data, data.findings, "established_by")
    restored, via = _counted(data, _read(data, RIGHTS_RESTORED), "via")
    disciplinary_table = _read(data, DISCIPLINARY)
    disciplinary, penalties = _counted(data, disciplinary_table, "penalty")
    managers = 0
    if disciplinary_table is not None:
        managers = int(data.con.execute(disciplinary_table.is_manager.sum()) or 0)
    protocol_table = _read(data, PROTOCOLS)
    protocols = _total(data, protocol_table)
    fined, fines_mci, fines_tenge, paid, collected = _fines(data, protocol_table)
    representations = _total(data, _read(data, REPRESENTATIONS))
    instructions, by_status = _counted(data, _read(data, INSTRUCTIONS), "status", ("executed",))

    return ServiceStats(
        period=data.period.name,
        deliveries=sum(by_channel.values()),
        by_channel=_shares(by_channel, ("egov", "state_corp", "provider")),
        by_form=_shares(by_form, ("electronic", "paper")),
        refusals=refusals,
        refusals_reconsidered=_shares(reconsidered, ("body", "complaint", "court")),
        violations=violations,
        by_level=_shares(
            {"CGO": sum(central.values()), "MIO": sum(local.values())}, ("CGO", "MIO")
        ),
        by_stage=_shares(by_stage, tuple(stage.value for stage in Stage)),
        by_category=_shares(by_category, tuple(category.value for category in Category)),
        by_type=by_type,
        control_measures=measure_count,
        measures_by_kind=by_kind,
        complaints=complaints,
        confirmed=confirmed,
        confirmed_by=confirmed_by,
        rights_restored=restored,
        restored_remotely=next((s.count for s in via if s.key == "remote_monitoring"), 0),
        disciplinary=disciplinary,
        disciplinary_managers=managers,
        penalties=penalties,
        protocols=protocols,
        fined=fined,
        fines_mci=fines_mci,
        fines_tenge=fines_tenge,
        fines_paid=paid,
        fines_collected_tenge=collected,
        representations=representations,
        instructions=instructions,
        instructions_by_status=by_status,
    )
