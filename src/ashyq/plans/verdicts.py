"""The verdicts of a plan's year checked against those its report printed (seed 004)."""

from __future__ import annotations

from dataclasses import dataclass

from ashyq.plans.model import StrategicPlan, Target

__all__ = ["Reconciliation", "reconcile_verdicts"]


@dataclass(frozen=True)
class Reconciliation:
    """The computed verdicts of a year against those the report printed."""

    targets: tuple[Target, ...]

    @property
    def printed(self) -> list[Target]:
        """The targets whose report printed a verdict."""
        return [t for t in self.targets if t.printed_verdict is not None]

    @property
    def differing(self) -> list[Target]:
        """The targets whose printed verdict is not the one the values give."""
        return [t for t in self.printed if t.printed_verdict is not t.verdict]


def reconcile_verdicts(plan: StrategicPlan, year: int) -> Reconciliation:
    """Compare every verdict of ``year`` with the one the report printed."""
    return Reconciliation(tuple(plan.targets(year)))
