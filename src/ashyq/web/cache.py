"""Public pages and public API answers, served from memory to readers who are not signed in.

Everything public is derived from published snapshots (immutable) and roadmaps, and every
change to either goes through an action that writes the audit log. The cache key holds
the newest audit entry's id, so a publication, a reopening or a roadmap is a new key:
nothing stale is served once the key has been read again. The key is read at most once a
second per process, and at once after any change this process made itself; another
process sees a change within that second.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass

from sqlalchemy import Engine, func, select
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ashyq.db.models import AuditEntry
from ashyq.web.security import SESSION_COOKIE

__all__ = ["CACHED_PREFIXES", "ChangeStamp", "PageCache", "PublicCache"]

# What the public reads; never the workspace, sign-in, the cycle's API or static files.
CACHED_PREFIXES = (
    "/rankings",
    "/bodies/",
    "/methodology",
    "/statistics",
    "/open-data",
    "/api/v1/periods",
    "/api/v1/methodologies/",
)


# Writes that never change what the public reads.
UNPUBLISHED_WRITES = ("/api/v1/ratings",)


@dataclass(frozen=True)
class Cached:
    """A stored answer: status, headers (no cookies) and body."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


class PageCache:
    """Stored answers, least recently used out first."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Cached] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Cached | None:
        """The answer stored under ``key``, if any."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, entry: Cached) -> None:
        """Store ``entry``, dropping the least recently used past the size."""
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


class ChangeStamp:
    """The id of the newest audit entry, read at most once per ``ttl`` seconds."""

    def __init__(self, engine: Engine, ttl: float = 1.0) -> None:
        self.engine = engine
        self.ttl = ttl
        self._value: int | None = None
        self._read_at = float("-inf")

    def current(self) -> int:
        """The stamp, read from the database when the last reading is older than ``ttl``."""
        now = time.monotonic()
        if self._value is None or now - self._read_at >= self.ttl:
            with self.engine.connect() as connection:
                self._value = connection.scalar(select(func.max(AuditEntry.id))) or 0
            self._read_at = now
        return self._value

    def expire(self) -> None:
        """Read the stamp again on next use: this process has just changed something."""
        self._read_at = float("-inf")


class PublicCache:
    """An ASGI layer before routing: answers cacheable GETs of readers who are not signed
    in from memory, and stores such answers when they are 200."""

    def __init__(self, app: ASGIApp, cache: PageCache, stamp: ChangeStamp) -> None:
        self.app = app
        self.cache = cache
        self.stamp = stamp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] != "GET":
            # Whatever a POST, PUT or DELETE changed, this process shows it at once; the
            # ratings service points send change nothing public, and come hundreds a second.
            if not scope["path"].startswith(UNPUBLISHED_WRITES):
                self.stamp.expire()
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if not scope["path"].startswith(CACHED_PREFIXES) or SESSION_COOKIE in request.cookies:
            await self.app(scope, receive, send)
            return
        key = (
            scope["path"],
            scope["query_string"],
            request.headers.get("host", ""),
            request.query_params.get("lang") or request.cookies.get("ashyq_lang", ""),
            self.stamp.current(),
        )
        hit = self.cache.get(key)
        if hit is not None:
            await send(
                {"type": "http.response.start", "status": hit.status, "headers": list(hit.headers)}
            )
            await send({"type": "http.response.body", "body": hit.body})
            return
        started: dict[str, Message] = {}
        chunks: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                started["start"] = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body") and started["start"]["status"] == 200:
                    headers = tuple(
                        (name, value)
                        for name, value in started["start"]["headers"]
                        if name.lower() != b"set-cookie"
                    )
                    self.cache.put(key, Cached(200, headers, b"".join(chunks)))
            await send(message)

        await self.app(scope, receive, keep)
