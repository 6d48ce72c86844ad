"""The portal's limits: every resource a request can grow, with its bound, declared once.

docs/security.md lists them with the test that holds each; ``test_security_docs`` fails
when one is missing there.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

from ashyq.cycle.files import MAX_ATTACHMENT_BYTES, MAX_SOURCE_BYTES

__all__ = ["LIMITS", "PortalLimits"]

_MIB: Final = 1024 * 1024


@dataclass(frozen=True)
class PortalLimits:
    """Bounds on what one request, or all requests together, may make the portal hold."""

    # Worker threads that run endpoints (every database call runs in one of them), and so
    # also the requests let into the app at once: a request holds a database connection
    # from its first query to its end and needs a thread for each step, so more requests
    # inside than threads could leave every thread waiting for a connection held by a
    # request waiting for a thread.
    worker_threads: int = 40
    # Requests waiting for their turn to enter; more are answered 503 at once.
    requests_waiting: int = 1_000
    # Database connections of one process: one per worker thread, plus the rating writer,
    # the escalation worker and the cache stamp, so no thread waits for a connection.
    database_connections: int = 48
    # Seconds a request waits for a database connection or lock before a 503.
    database_wait_seconds: float = 10.0
    # The largest request body: one source file or dispute attachments, with the form.
    request_bytes: int = max(MAX_SOURCE_BYTES, 3 * MAX_ATTACHMENT_BYTES) + _MIB
    # Attachments of one dispute.
    attachments_per_dispute: int = 3
    # Requests that may wait for a report being generated; more are told to come back.
    report_waiters: int = 4
    # Characters of a query string a public page is cached under.
    cached_query_chars: int = 512

    def as_rows(self) -> list[tuple[str, int | float]]:
        """Every limit by name, in declaration order (for docs and the CLI)."""
        return [(item.name, getattr(self, item.name)) for item in fields(self)]


LIMITS: Final = PortalLimits()
