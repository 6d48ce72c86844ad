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
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

import anyio
from fastapi.routing import APIRoute
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import Request
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ashyq.db.models import AuditEntry
from ashyq.web.limits import LIMITS
from ashyq.web.security import SESSION_COOKIE

__all__ = ["CACHED_PREFIXES", "ChangeStamp", "PageCache", "PublicCache", "declared_query"]

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

    @property
    def size(self) -> int:
        """Bytes the entry holds, headers included."""
        return len(self.body) + sum(len(name) + len(value) for name, value in self.headers)


class PageCache:
    """Stored answers within a budget of bytes, least recently used out first."""

    def __init__(self, max_bytes: int, max_entry_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.max_entry_bytes = max_entry_bytes
        self.bytes = 0
        self._entries: OrderedDict[Hashable, Cached] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> Cached | None:
        """The answer stored under ``key``, if any."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, entry: Cached) -> None:
        """Store ``entry``, dropping the least recently used past the budget; an answer
        larger than one entry may be is not stored."""
        size = entry.size
        if size > self.max_entry_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self._entries[key] = entry
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self.bytes -= dropped.size


class ChangeStamp:
    """The id of the newest audit entry, read at most once per ``ttl`` seconds."""

    def __init__(self, engine: Engine, ttl: float = 1.0) -> None:
        self.engine = engine
        self.ttl = ttl
        self._value: int | None = None
        self._read_at = float("-inf")
        self._reading: anyio.Lock | None = None

    def _stale(self) -> bool:
        return self._value is None or time.monotonic() - self._read_at >= self.ttl

    def current(self) -> int:
        """The stamp, read from the database when the last reading is older than ``ttl``.

        Blocking: call it from a worker thread, or use ``read`` on the event loop.
        """
        if self._stale():
            started = time.monotonic()
            with self.engine.connect() as connection:
                self._value = connection.scalar(select(func.max(AuditEntry.id))) or 0
            self._read_at = started
        assert self._value is not None
        return self._value

    async def read(self) -> int:
        """The stamp, for the event loop: a stale one is read in a worker thread, by one
        request at a time while the others wait for that reading."""
        if not self._stale():
            assert self._value is not None
            return self._value
        if self._reading is None:
            self._reading = anyio.Lock()
        async with self._reading:
            return await anyio.to_thread.run_sync(self.current)

    def expire(self) -> None:
        """Read the stamp again on next use: this process has just changed something."""
        self._read_at = float("-inf")


def declared_query(routes: Sequence[BaseRoute], path: str, query: str) -> tuple[str, str]:
    """The route of ``path`` and the query parameters it declares, sorted, as a query
    string; parameters it does not declare, and repeats, are left out.

    Pages render only these (the language links among them), and the public cache keys
    answers by them: varied unknown parameters can neither grow the cache nor be echoed.
    """
    for route in routes:
        if not isinstance(route, APIRoute) or "GET" not in (route.methods or ()):
            continue
        if route.path_regex.match(path) is None:
            continue
        names = _query_names(route)
        pairs = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            if name in names and name not in pairs:
                pairs[name] = value
        return route.path, urlencode(sorted(pairs.items()))
    return "", ""


def _query_names(route: APIRoute) -> frozenset[str]:
    names = {"lang"}
    pending = [route.dependant]
    while pending:
        dependant = pending.pop()
        names.update(param.alias for param in dependant.query_params)
        pending.extend(dependant.dependencies)
    return frozenset(names)


class PublicCache:
    """An ASGI layer before routing: answers cacheable GETs of readers who are not signed
    in from memory, and stores such answers when they are 200."""

    def __init__(
        self, app: ASGIApp, cache: PageCache, stamp: ChangeStamp, routes: Sequence[BaseRoute]
    ) -> None:
        self.app = app
        self.cache = cache
        self.stamp = stamp
        self.routes = routes

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
        query_string = scope["query_string"].decode("latin-1")
        _, query = declared_query(self.routes, scope["path"], query_string)
        if len(query) > LIMITS.cached_query_chars:
            await self.app(scope, receive, send)
            return
        try:
            stamp = await self.stamp.read()
        except SQLAlchemyError:
            # The database cannot tell what changed: no cached answer can be trusted, and
            # the page itself will say the database is busy.
            await self.app(scope, receive, send)
            return
        key = (
            scope["path"],
            query,
            request.headers.get("host", ""),
            request.query_params.get("lang") or request.cookies.get("ashyq_lang", ""),
            stamp,
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
        size = 0

        async def keep(message: Message) -> None:
            nonlocal size
            if message["type"] == "http.response.start":
                started["start"] = message
            elif message["type"] == "http.response.body" and size <= self.cache.max_entry_bytes:
                chunk = message.get("body", b"")
                size += len(chunk)
                chunks.append(chunk)
                if not message.get("more_body") and started["start"]["status"] == 200:
                    headers = tuple(
                        (name, value)
                        for name, value in started["start"]["headers"]
                        if name.lower() != b"set-cookie"
                    )
                    self.cache.put(key, Cached(200, headers, b"".join(chunks)))
            await send(message)

        await self.app(scope, receive, keep)
