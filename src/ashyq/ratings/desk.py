"""The rating desk of a portal process: the keys and points it knows, the rate limit, the
writer thread and the escalation worker, started and stopped with the process."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from ashyq.ratings.incidents import EscalationWorker
from ashyq.ratings.intake import RatingRules, RatingWriter
from ashyq.ratings.keys import Directory
from ashyq.ratings.limits import RateLimiter

__all__ = ["RatingDesk", "RatingSettings"]


@dataclass(frozen=True)
class RatingSettings:
    """How a portal takes ratings.

    ``rate`` and ``burst``: ratings a second each API key may submit on average, and at
    once. ``escalation_interval``: seconds between the worker's passes.
    ``escalation_worker``: False when escalation runs elsewhere (``ashyq ratings
    escalate`` from a scheduler, or another process).
    """

    rules: RatingRules = field(default_factory=RatingRules)
    rate: float = 5.0
    burst: int = 50
    escalation_interval: float = 1.0
    escalation_worker: bool = True


class RatingDesk:
    """Everything the rating endpoints of one process share."""

    def __init__(
        self,
        engine: Engine,
        home: Path,
        settings: RatingSettings,
        clock: Callable[[], datetime],
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.rules = settings.rules
        self.clock = clock
        self.photos = home / "portal" / "rating-photos"
        self.directory = Directory(engine)
        self.limiter = RateLimiter(settings.rate, settings.burst)
        self.writer = RatingWriter(engine, settings.rules)
        self.worker = (
            EscalationWorker(engine, clock, settings.escalation_interval)
            if settings.escalation_worker
            else None
        )

    def start(self) -> None:
        """Start the escalation worker (the writer starts with the first rating)."""
        if self.worker is not None:
            self.worker.start()

    def stop(self) -> None:
        """Store the ratings still waiting, then stop both threads."""
        self.writer.stop()
        if self.worker is not None:
            self.worker.stop()
