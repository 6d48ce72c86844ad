"""The rating desk of a portal process: the keys and points it knows, the rate limit, the
writer thread and the escalation worker, started and stopped with the process."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Engine

from ashyq.ratings.incidents import EscalationWorker
from ashyq.ratings.intake import RatingRules, RatingWriter
from ashyq.ratings.keys import Directory
from ashyq.ratings.limits import RateLimiter
from ashyq.settings import Settings

__all__ = ["RatingDesk"]


class RatingDesk:
    """Everything the rating endpoints of one process share."""

    def __init__(self, engine: Engine, config: Settings, clock: Callable[[], datetime]) -> None:
        """The desk over ``engine`` as ``config`` sets it: the rate limit per key
        (``rating_rate``, ``rating_burst``), the incident window, and the escalation worker
        (``escalation_interval``; none when ``escalation_worker`` is off, because escalation
        runs elsewhere: ``ashyq ratings escalate`` from a scheduler, or another process)."""
        self.engine = engine
        self.rules = RatingRules(window=timedelta(seconds=config.incident_window))
        self.clock = clock
        self.photos = config.paths.rating_photos
        self.directory = Directory(engine)
        self.limiter = RateLimiter(config.rating_rate, config.rating_burst)
        self.writer = RatingWriter(engine, self.rules)
        self.worker = (
            EscalationWorker(engine, clock, config.escalation_interval)
            if config.escalation_worker
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
