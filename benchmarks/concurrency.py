"""The portal under concurrent load where no cache helps: signed-in workspace pages and
API reads, anonymous requests with bogus session cookies, public pages with varied
queries; a closed and an open loop, Ashyq against the bare server.

Run from the repository root::

    .venv/bin/python benchmarks/concurrency.py [--clients 200] [--seconds 30] [--rate 100]
        [--timeout 10] [--repeat 1] [--scenario NAME] [--load closed|open] [--write-docs]

A fresh SQLite portal is seeded in a temporary directory (``seed_demo``), and every demo
account signs in once through ``POST /api/v1/session``; the signed-in scenarios share
these few sessions, in turn. Servers, their start and their peak memory are those of
``benchmarks/portal.py`` (``python -m uvicorn --factory``, one worker unless
``--workers``); so is the closed-loop load generator, run here in a process of its own.
Traffic goes to 127.0.0.1 only. Every load stops by itself: after ``--seconds`` (a
request in flight then still gets ``--timeout`` seconds) or its bounded number of
requests, whichever comes first.

Scenarios (none of them is answered from the public cache, which skips every request
carrying a session cookie and stores an answer per query):

- ``workspace``: signed in, ``GET /workspace`` and ``GET /workspace/periods/2026``.
- ``api-cycle``: signed in, ``GET /api/v1/cycle/periods``.
- ``bogus-cookie``: ``GET /workspace`` with a made-up ``ashyq_session`` cookie (one of
  1,000): the session is looked up in the database, then the reader is sent to sign in.
- ``public-varied``: no cookie; the ranking page (with and without ``period``) and the
  JSON ranking with every filter that keeps some bodies, in every sort order and
  language, and the body pages in every language: over 5,000 distinct queries in a
  shuffled order, each run going on where the last stopped, so that no answer comes from
  the cache. Should a server answer more than that in one run, the queries come round
  again (the script says so); a cache that holds fewer answers than that, least recently
  used out first, still misses every one.

Loads:

- ``closed``: ``--clients`` keep-alive connections, each sending its next request when
  the previous answer is read, for ``--seconds``. Reported: answers per second, latency
  percentiles, errors (answers other than 2xx and 3xx, and refused or broken
  connections; 5xx counted apart), timeouts (no answer within ``--timeout``; the
  connection is then opened again), the server's RSS after the warm-up and at the end,
  its peak RSS (``VmHWM``), and its CPU time per answer (``/proc/<pid>/stat``). With C
  cores available to the server (one per worker), C / (CPU seconds per answer) is the
  throughput the CPU allows; the ratio of the measured throughput to it says whether the
  server was busy or waiting. Targets: no error or timeout, ratio ≥ 80 %, RSS at the end
  at most 10 % above the start.
- ``open``: requests started on schedule at ``--rate`` per second for ``--seconds``,
  whatever the answers' latency (a new connection when none is free), each latency
  counted from the request's scheduled time, so that a stall shows in full instead of
  holding the next requests back. Target: p95 ≤ 100 ms, with no error or timeout.

Latency percentiles count a request that timed out as the slowest (printed "> N s").
Before the measured loads a warm-up of two requests on each of ``--clients`` connections
compiles the templates and starts the threads and database connections the load will
use, so that the RSS at the start is that of a server already at full concurrency.

The baseline is the bare server of ``benchmarks/portal.py``: the same responses (for
``public-varied``, one per page path), fetched once from Ashyq, served from memory by a
minimal Starlette app under the same uvicorn settings.

With ``--write-docs`` a section with the figures, the targets and whether each is met,
and the machine's description is appended to ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import http.client
import itertools
import json
import math
import os
import random
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from harness import machine, machine_table, met
from portal import (
    _BROKEN,
    BASELINE_ENV,
    HOME_ENV,
    HOST,
    URL_ENV,
    Connection,
    Server,
    _busy_seconds,
    _children_cpu,
    _close,
    _percentile,
    _proc_status,
    _read_response,
    _versions,
    add_run_options,
    closed_loop,
    request_bytes,
    seed,
    settle,
    start_server,
)

PUBLISHED_YEAR = 2025
CYCLE_YEAR = 2026
TARGET_CLIENTS = 200
TARGET_SECONDS = 30.0
TARGET_RATE = 100.0
TARGET_OPEN_P95_MS = 100.0
TARGET_CPU_SHARE = 0.8
FLAT_GROWTH = 0.10
TIMEOUT_SECONDS = 10.0
LANGUAGES = ("ru", "kk", "en")
BOGUS_COOKIES = 1000
WARM_ROUNDS = 2
# The closed loop's bound in count: more answers a second than any server here gives.
MOST_PER_SECOND = 20_000
# Uvicorn closes a keep-alive connection idle for 5 s; the open loop never reuses one
# idle for longer than this.
IDLE_SECONDS = 2.0
LOADS = ("closed", "open")
APPS = ("ashyq", "baseline")

Request = tuple[str, dict[str, str]]


@dataclass
class Scenario:
    """What one scenario requests, in turn, and how the baseline finds its answers."""

    name: str
    description: str
    requests: list[Request]
    # Each request is meant to be new to the public cache, which keys on the query; the
    # baseline then holds one answer per page path instead of one per query.
    varied: bool = False


# --- Signing in and the scenarios -------------------------------------------------------


def _exchange(
    port: int, method: str, target: str, headers: dict[str, str], body: bytes | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One blocking request: the status, the headers and the body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def _set_cookies(headers: http.client.HTTPMessage) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}


def sign_in(port: int, username: str, password: str) -> str:
    """Sign in through the API as the browser's script does; the session cookie's value.

    Raises SystemExit when the portal refuses.
    """
    from ashyq.web.security import CSRF_COOKIE, SESSION_COOKIE

    _, headers, body = _exchange(port, "GET", "/api/v1/session", {})
    token = _set_cookies(headers).get(CSRF_COOKIE) or json.loads(body)["csrf_token"]
    status, headers, body = _exchange(
        port,
        "POST",
        "/api/v1/session",
        {
            "Content-Type": "application/json",
            "X-CSRF-Token": token,
            "Cookie": f"{CSRF_COOKIE}={token}",
        },
        json.dumps({"username": username, "password": password}).encode("utf-8"),
    )
    cookie = _set_cookies(headers).get(SESSION_COOKIE)
    if status != 200 or not cookie:
        raise SystemExit(f"signing in as {username}: status {status}, {body[:200]!r}")
    return cookie


def _bogus_cookies(count: int) -> list[str]:
    """Session cookies that look like the portal's (32 random bytes) and name no session."""
    chance = random.Random(16)
    return [
        base64.urlsafe_b64encode(chance.randbytes(32)).rstrip(b"=").decode("ascii")
        for _ in range(count)
    ]


def _public_targets(port: int) -> list[str]:
    """Public pages with varied queries, shuffled: the filters that keep some bodies, with
    every sort order and language, and the body pages; each query once."""
    from ashyq.bodies import Level, load_bodies
    from ashyq.index.methodology import load_methodology
    from ashyq.web.views import SortKey

    methodology = load_methodology(str(PUBLISHED_YEAR))
    grades = [None, *(band.id for band in methodology.grades.bands)]
    filters = [None] + [
        (criterion.id, band.id)
        for criterion in methodology.criteria
        for band in criterion.categories.bands
    ]
    orders = list(itertools.product(SortKey, ("asc", "desc"), LANGUAGES))
    ranking_api = f"/api/v1/periods/{PUBLISHED_YEAR}/ranking"
    targets = []
    for level in Level:
        status, _, body = _exchange(port, "GET", f"{ranking_api}?level={level.value}", {})
        if status != 200:
            raise SystemExit(f"{ranking_api}?level={level.value}: status {status}")
        rows = json.loads(body)["rows"]
        for grade, chosen in itertools.product(grades, filters):
            query: dict[str, str] = {"level": level.value}
            if grade:
                query["grade"] = grade
            if chosen:
                query["criterion"], query["category"] = chosen
            kept = [
                row
                for row in rows
                if (not grade or row["grade"] == grade)
                and (not chosen or row["criteria"][chosen[0]]["category"] == chosen[1])
            ]
            # Only the filters that keep some bodies: an empty answer costs next to nothing.
            if not kept:
                continue
            for sort, order, lang in orders:
                full = urlencode({**query, "sort": sort.value, "order": order, "lang": lang})
                targets.append(f"{ranking_api}?{full}")
                targets.append(f"/rankings?{full}")
                targets.append(f"/rankings?{full}&period={PUBLISHED_YEAR}")
    for body_code, lang, period in itertools.product(
        (body.code for body in load_bodies()), LANGUAGES, (None, PUBLISHED_YEAR)
    ):
        query = {"lang": lang} | ({"period": str(period)} if period else {})
        targets.append(f"/bodies/{body_code}?{urlencode(query)}")
    random.Random(16).shuffle(targets)
    return targets


def _answers(port: int, target: str, headers: dict[str, str]) -> bool:
    status, _, _ = _exchange(port, "GET", target, headers)
    return status == 200


def scenarios(port: int, passwords: dict[str, str]) -> dict[str, Scenario]:
    """Sign every demo account in once; the scenarios.

    The signed-in scenarios use the accounts that may read all their pages; raises
    SystemExit when none may.
    """
    from ashyq.web.security import SESSION_COOKIE

    signed_in = ["/workspace", f"/workspace/periods/{CYCLE_YEAR}", "/api/v1/cycle/periods"]
    sessions = {}
    for username, password in passwords.items():
        cookie = {"Cookie": f"{SESSION_COOKIE}={sign_in(port, username, password)}"}
        refused = [target for target in signed_in if not _answers(port, target, cookie)]
        if refused:
            print(f"{username} is left out: no 200 for {', '.join(refused)}", flush=True)
        else:
            sessions[username] = cookie
    if not sessions:
        raise SystemExit("no demo account may read the workspace pages")
    accounts = ", ".join(sessions)
    return {
        "workspace": Scenario(
            "workspace",
            f"signed in ({accounts}, in turn), `/workspace` and `/workspace/periods/{CYCLE_YEAR}`",
            [(target, cookie) for cookie in sessions.values() for target in signed_in[:2]],
        ),
        "api-cycle": Scenario(
            "api-cycle",
            f"signed in ({accounts}, in turn), `/api/v1/cycle/periods`",
            [(signed_in[2], cookie) for cookie in sessions.values()],
        ),
        "bogus-cookie": Scenario(
            "bogus-cookie",
            f"`/workspace` with a made-up `{SESSION_COOKIE}` cookie "
            f"({BOGUS_COOKIES:,} of them, in turn)",
            [
                ("/workspace", {"Cookie": f"{SESSION_COOKIE}={token}"})
                for token in _bogus_cookies(BOGUS_COOKIES)
            ],
        ),
        "public-varied": Scenario(
            "public-varied",
            "no cookie; `/rankings`, `/api/v1/periods/2025/ranking` and `/bodies/<code>` "
            "with varied filters, sort orders and languages, each query once in turn",
            [(target, {}) for target in _public_targets(port)],
            varied=True,
        ),
    }


def prefetch(port: int, scenario: Scenario, folder: Path) -> float:
    """Fetch the baseline's answers of ``scenario`` into ``folder``; their mean size.

    Raises SystemExit when Ashyq answers one with an error: the load would measure that.
    """
    folder.mkdir(parents=True, exist_ok=True)
    index: dict[str, dict[str, Any]] = {}
    sizes = []
    for target, headers in scenario.requests:
        key = urlsplit(target).path if scenario.varied else target
        if key in index:
            continue
        status, answer_headers, body = _exchange(port, "GET", target, headers)
        if status >= 400:
            raise SystemExit(f"{target}: status {status} from Ashyq")
        name = f"{len(index)}.bin"
        (folder / name).write_bytes(body)
        index[key] = {
            "file": name,
            "type": answer_headers.get("Content-Type", ""),
            "status": status,
            "location": answer_headers.get("Location", ""),
        }
        sizes.append(len(body))
    (folder / "index.json").write_text(json.dumps(index), encoding="utf-8")
    return statistics.mean(sizes)


# --- The open-loop load generator, in the generator's process ---------------------------


async def open_loop(
    port: int, raw: list[bytes], rate: float, seconds: float, timeout: float
) -> dict[str, Any]:
    """Start request ``i`` (of ``raw``, in turn) at ``i / rate`` seconds, for ``seconds``.

    Each goes on an idle keep-alive connection, or a new one when none is idle; its
    latency and its ``timeout`` run from its scheduled time. Returns what ``closed_loop``
    does.
    """
    idle: list[tuple[Connection, float]] = []
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    failures = timeouts = received = 0

    def reuse() -> Connection | None:
        while idle:
            connection, since = idle.pop()
            if time.perf_counter() - since < IDLE_SECONDS and not connection[0].at_eof():
                return connection
            _close(connection)
        return None

    async def send(number: int, scheduled: float) -> None:
        nonlocal failures, timeouts, received
        connection = None
        try:
            async with asyncio.timeout(scheduled + timeout - time.perf_counter()):
                connection = reuse() or await asyncio.open_connection(HOST, port)
                connection[1].write(raw[number % len(raw)])
                status, size, close = await _read_response(connection[0])
        except TimeoutError:
            timeouts += 1
            _close(connection)
            return
        except _BROKEN:
            failures += 1
            _close(connection)
            return
        latencies.append(time.perf_counter() - scheduled)
        statuses[status] += 1
        received += size
        if close:
            _close(connection)
        else:
            idle.append((connection, time.perf_counter()))

    cpu = time.process_time()
    started = time.perf_counter()
    sending = []
    for number in range(int(rate * seconds)):
        scheduled = started + number / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sending.append(asyncio.create_task(send(number, scheduled)))
    await asyncio.gather(*sending)
    for connection, _ in idle:
        _close(connection)
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "latencies": latencies,
        "statuses": {str(code): count for code, count in statuses.items()},
        "failures": failures,
        "timeouts": timeouts,
        "bytes": received,
    }


def generate(plan: dict[str, Any]) -> dict[str, Any]:
    """In the generator's process: the load ``plan`` describes (see ``run_generator``)."""
    requests: list[Request] = plan["requests"]
    start = plan["start"] % len(requests)
    raw = [
        request_bytes(plan["port"], target, headers)
        for target, headers in requests[start:] + requests[:start]
    ]
    if plan["load"] == "open":
        work = open_loop(plan["port"], raw, plan["rate"], plan["seconds"], plan["timeout"])
    else:
        work = closed_loop(
            plan["port"],
            raw,
            plan["count"],
            plan["clients"],
            seconds=plan["seconds"],
            timeout=plan["timeout"],
        )
    return asyncio.run(work)


# --- Measuring --------------------------------------------------------------------------


def _rss(server: Server) -> int:
    return sum(_proc_status(pid, "VmRSS") for pid in server.pids())


def run_generator(
    server: Server, scenario: Scenario, plan: dict[str, Any], scratch: Path
) -> dict[str, Any]:
    """Run the load generator in a child process against ``server``; its summary.

    ``plan`` gives ``load`` (``closed`` or ``open``), ``start`` (the first request's
    number), ``seconds``, ``timeout``, and ``clients`` and ``count`` (closed) or ``rate``
    (open).
    """
    plan_file, out = scratch / "plan.json", scratch / "load.json"
    plan = {**plan, "port": server.port, "requests": scenario.requests}
    plan_file.write_text(json.dumps(plan), encoding="utf-8")
    command = [sys.executable, str(Path(__file__).resolve()), "--generate", str(plan_file)]
    command += ["--out", str(out)]
    server_cpu, busy, children = server.cpu_seconds(), _busy_seconds(), _children_cpu()
    wall = time.perf_counter()
    # The generator stops by itself; this bound only guards against a bug in it.
    bound = plan["seconds"] + 3 * plan["timeout"] + 60
    child = subprocess.run(command, check=False, timeout=bound)
    wall = time.perf_counter() - wall
    server_cpu, busy = server.cpu_seconds() - server_cpu, _busy_seconds() - busy
    generator = _children_cpu() - children
    if child.returncode != 0:
        raise SystemExit(f"the load generator failed with exit code {child.returncode}")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    latencies = result.pop("latencies")
    answered = len(latencies)
    statuses = {int(code): count for code, count in result["statuses"].items()}
    good = sum(count for code, count in statuses.items() if 200 <= code < 400)
    # A request that timed out ranks as the slowest.
    ordered = sorted(latencies) + [math.inf] * result["timeouts"]
    seconds = result["seconds"]
    return {
        "sent": answered + result["failures"] + result["timeouts"],
        "answered": answered,
        "seconds": seconds,
        "rps": answered / seconds,
        "p50": _percentile(ordered, 50) * 1000,
        "p95": _percentile(ordered, 95) * 1000,
        "p99": _percentile(ordered, 99) * 1000,
        "max": max(latencies, default=math.nan) * 1000,
        "errors": answered - good + result["failures"],
        "server_errors": sum(count for code, count in statuses.items() if code >= 500),
        "timeouts": result["timeouts"],
        "statuses": result["statuses"],
        "server_cpu": server_cpu,
        "cpu_ms": server_cpu / answered * 1000 if answered else math.nan,
        # CPU per wall second: 1.0 is one core busy.
        "generator_cpu": result["cpu_seconds"] / seconds,
        "other_cpu": max(0.0, busy - server_cpu - generator) / wall,
    }


def measure(
    app: str, scenario: Scenario, load: str, env: dict[str, str], args: argparse.Namespace
) -> dict[str, Any]:
    """Start a server, warm it up, run ``load`` ``repeat`` times; medians, sums, memory."""
    settle(args.quiet, args.patience)
    server = start_server(app, args.workers, env)
    runs = []
    try:
        with tempfile.TemporaryDirectory() as scratch:
            common = {"seconds": args.seconds, "timeout": args.timeout}
            warm = {"load": "closed", "clients": args.clients, "count": args.clients * WARM_ROUNDS}
            # Each run starts where the last stopped: a query of public-varied is new.
            warmed = run_generator(server, scenario, {**warm, **common, "start": 0}, Path(scratch))
            start = warmed["sent"]
            rss_start = _rss(server)
            for _ in range(args.repeat):
                plan = {"load": load, "start": start, **common}
                if load == "closed":
                    count = int(args.clients + MOST_PER_SECOND * args.seconds)
                    plan.update(clients=args.clients, count=count)
                else:
                    plan.update(rate=args.rate)
                runs.append(run_generator(server, scenario, plan, Path(scratch)))
                start += runs[-1]["sent"]
            rss_end = _rss(server)
        peak, _ = server.peak_rss()
    finally:
        server.stop()
    summary: dict[str, Any] = {
        key: statistics.median(run[key] for run in runs)
        for key in ("rps", "p50", "p95", "p99", "max", "cpu_ms", "generator_cpu", "other_cpu")
    }
    for key in ("sent", "answered", "errors", "server_errors", "timeouts"):
        summary[key] = sum(run[key] for run in runs)
    summary["seconds"] = sum(run["seconds"] for run in runs)
    summary["server_cpu"] = sum(run["server_cpu"] for run in runs)
    summary.update(rss_start=rss_start, rss_end=rss_end, peak_rss=peak, timeout=args.timeout)
    # The warm-up's and the runs' requests, against the distinct ones.
    summary["repeated"] = app == "ashyq" and scenario.varied and start > len(scenario.requests)
    cores = min(int(args.workers), os.cpu_count() or 1)
    # Throughput over what the CPU allows: cores / (CPU seconds per answer).
    summary["cores"] = cores
    summary["ceiling"] = cores / (summary["cpu_ms"] / 1000) if summary["answered"] else 0.0
    summary["cpu_share"] = summary["rps"] / summary["ceiling"] if summary["ceiling"] else 0.0
    print(
        f"{scenario.name:13} {load:6} {app:8} {summary['rps']:7.1f} answers/s  "
        + "  ".join(f"{key} {value}" for key, value in _percentiles(summary).items())
        + f"  errors {summary['errors']} (5xx {summary['server_errors']})  timeouts "
        f"{summary['timeouts']}  of {summary['sent']}  server CPU "
        f"{_ms(summary['cpu_ms'], 0)}/answer, "
        f"{summary['cpu_share']:.0%} of the ceiling  RSS {_mib(rss_start)} → {_mib(rss_end)}"
        f" (peak {_mib(peak)})  generator CPU {summary['generator_cpu']:.2f}  other CPU "
        f"{summary['other_cpu']:.2f}",
        flush=True,
    )
    if summary["repeated"]:
        print(
            f"  ({start:,} requests of {len(scenario.requests):,} distinct ones: the queries "
            "sent a second time came from the cache if it held them all)",
            flush=True,
        )
    return summary


# --- Reporting ----------------------------------------------------------------------------


def _mib(size: float) -> str:
    return f"{size / 2**20:.0f} MiB"


def _ms(value: float, timeout: float) -> str:
    """Milliseconds; a timed-out percentile as "> N s", none (no answer) as "—"."""
    if math.isinf(value):
        return f"> {timeout:g} s"
    if math.isnan(value):
        return "—"
    return f"{value:.1f} ms"


def _per_second(rate: float) -> str:
    return f"{rate:.0f}/s" if rate else "—"


def _percentiles(result: dict[str, Any]) -> dict[str, str]:
    """p50, p95 and p99 of ``result``, formatted."""
    return {key: _ms(result[key], result["timeout"]) for key in ("p50", "p95", "p99")}


def _flat(result: dict[str, Any]) -> bool:
    return bool(result["rss_end"] <= result["rss_start"] * (1 + FLAT_GROWTH))


def _clean(result: dict[str, Any]) -> bool:
    return not result["errors"] and not result["timeouts"]


def closed_targets(result: dict[str, Any]) -> dict[str, bool]:
    """Each target of the closed loop and whether ``result`` meets it."""
    return {
        "no error or timeout": _clean(result),
        f"≥ {TARGET_CPU_SHARE:.0%} of the CPU ceiling": result["cpu_share"] >= TARGET_CPU_SHARE,
        "memory flat": _flat(result),
    }


def open_targets(result: dict[str, Any]) -> dict[str, bool]:
    """Each target of the open loop and whether ``result`` meets it."""
    return {
        f"p95 ≤ {TARGET_OPEN_P95_MS:g} ms": result["p95"] <= TARGET_OPEN_P95_MS,
        "no error or timeout": _clean(result),
    }


def _targets(met_by: dict[str, bool]) -> str:
    return "; ".join(f"{what}: {met(ok)}" for what, ok in met_by.items())


Results = dict[tuple[str, str, str], dict[str, Any]]


def closed_table(results: Results, names: list[str]) -> str:
    """The Markdown table of the closed loop: Ashyq and the baseline per scenario."""
    lines = [
        (
            "| Scenario | Server | Answers/s | p50 | p95 | p99 | Errors (5xx) | Timeouts "
            "| Server CPU / answer | CPU ceiling | Throughput / ceiling | RSS start → end "
            "| Peak RSS | Targets |"
        ),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name in names:
        for app in APPS:
            result = results.get((name, "closed", app))
            if result is None:
                continue
            targets = _targets(closed_targets(result)) if app == "ashyq" else "—"
            lines.append(
                f"| {name} | {app} | {result['rps']:.0f} | "
                + " | ".join(_percentiles(result).values())
                + f" | {result['errors']} ({result['server_errors']}) | {result['timeouts']} "
                f"| {_ms(result['cpu_ms'], 0)} | {_per_second(result['ceiling'])} "
                f"| {result['cpu_share']:.0%} "
                f"| {_mib(result['rss_start'])} → {_mib(result['rss_end'])} "
                f"| {_mib(result['peak_rss'])} | {targets} |"
            )
    return "\n".join(lines)


def open_table(results: Results, names: list[str]) -> str:
    """The Markdown table of the open loop: Ashyq and the baseline per scenario."""
    lines = [
        (
            "| Scenario | Server | Answers/s | p50 | p95 | p99 | max | Errors (5xx) | Timeouts "
            "| Server CPU / answer | Peak RSS | Target |"
        ),
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name in names:
        for app in APPS:
            result = results.get((name, "open", app))
            if result is None:
                continue
            target = _targets(open_targets(result)) if app == "ashyq" else "—"
            lines.append(
                f"| {name} | {app} | {result['rps']:.0f} | "
                + " | ".join(_percentiles(result).values())
                + f" | {_ms(result['max'], 0)} | {result['errors']} ({result['server_errors']}) "
                f"| {result['timeouts']} | {_ms(result['cpu_ms'], 0)} "
                f"| {_mib(result['peak_rss'])} | {target} |"
            )
    return "\n".join(lines)


def verdict(results: Results, names: list[str], loads: list[str]) -> str:
    """One sentence per load: the scenarios of Ashyq that meet every target, and not."""
    sentences = []
    for load in loads:
        missed = []
        for name in names:
            result = results[(name, load, "ashyq")]
            met_by = closed_targets(result) if load == "closed" else open_targets(result)
            failed = [what for what, ok in met_by.items() if not ok]
            if failed:
                missed.append(f"{name} (misses {', '.join(failed)})")
        if load == "closed":
            what = (
                "closed loop (no error or timeout, throughput ≥ "
                f"{TARGET_CPU_SHARE:.0%} of what the CPU allows, memory flat)"
            )
        else:
            what = f"open loop (p95 ≤ {TARGET_OPEN_P95_MS:g} ms, no error or timeout)"
        if missed:
            sentences.append(f"{what}: not met by {'; '.join(missed)}")
        else:
            sentences.append(f"{what}: met by every scenario")
    return "Verdict against the targets: " + ". ".join(sentences) + "."


def report(
    command: str,
    args: argparse.Namespace,
    chosen: dict[str, Scenario],
    sizes: dict[str, float],
    results: Results,
    loads: list[str],
) -> str:
    """The Markdown section appended to the benchmarks document."""
    described = machine()
    described["Versions"] = _versions()
    times = "once" if args.repeat == 1 else f"{args.repeat} times (medians reported)"
    method = (
        f"`{command}`: a fresh SQLite portal seeded by `seed_demo`, every demo account "
        "signed in once; for every scenario, load and server a server of its own (`python "
        f"-m uvicorn --factory --workers {args.workers}`), warmed up by {WARM_ROUNDS} "
        f"requests on each of {args.clients} connections, then loaded {times} for "
        f"{args.seconds:g} s by a load generator in another process on the same machine. "
        f"Closed loop: {args.clients} HTTP/1.1 keep-alive connections, each sending its next "
        f"request when the previous answer is read. Open loop: {args.rate:g} requests a "
        "second started on schedule whatever the latency, each latency from its scheduled "
        "time. A request not answered within "
        f"{args.timeout:g} s is a timeout and ranks as the slowest in the percentiles; "
        "errors are answers other than 2xx/3xx and broken connections, 5xx in parentheses. "
        "Server CPU / answer is the CPU time of uvicorn's processes (`/proc/<pid>/stat`) "
        "over the answers; the CPU ceiling is the cores available to the server (one per "
        "worker) divided by it, and throughput / ceiling is how busy the server kept them. "
        "RSS start → end: the server's resident set after the warm-up and after the load; "
        "peak RSS is `VmHWM`. The baseline is the bare server: the same responses, fetched "
        "once from Ashyq, served from memory by a minimal Starlette app under the same "
        "uvicorn settings. Before each measurement the script waited up to "
        f"{args.patience:g} s for the rest of the machine to keep fewer than {args.quiet:g} "
        "cores busy, and measured anyway when it did not."
    )
    scenario_lines = []
    for name, scenario in chosen.items():
        line = (
            f"- `{name}`: {scenario.description}; {len(scenario.requests):,} distinct "
            f"requests, {sizes[name] / 1024:.1f} KiB an answer"
        )
        repeated = [load for load in loads if results[(name, load, "ashyq")]["repeated"]]
        if repeated:
            line += (
                f" (the {' and '.join(repeated)} loop sent Ashyq more requests than that: "
                "the queries sent a second time came from the cache if it held them all)"
            )
        scenario_lines.append(line)
    lines = [
        "",
        f"## Portal under concurrent load (benchmarks/concurrency.py), {datetime.now():%Y-%m-%d}",
        "",
        method,
        "",
        *machine_table(described),
        "",
        *scenario_lines,
        "",
    ]
    if "closed" in loads:
        lines += [
            (
                f"Closed loop, {args.clients} clients, {args.seconds:g} s. Targets: no error "
                f"or timeout; throughput ≥ {TARGET_CPU_SHARE:.0%} of the CPU ceiling; RSS at "
                f"the end at most {FLAT_GROWTH:.0%} above the start."
            ),
            "",
            closed_table(results, list(chosen)),
            "",
        ]
    if "open" in loads:
        lines += [
            (
                f"Open loop, {args.rate:g} requests/s, {args.seconds:g} s. Target: p95 ≤ "
                f"{TARGET_OPEN_P95_MS:g} ms with no error or timeout."
            ),
            "",
            open_table(results, list(chosen)),
            "",
        ]
    usage = [
        f"{name}/{load}: generator {result['generator_cpu']:.2f}, other {result['other_cpu']:.2f}"
        for (name, load, app), result in results.items()
        if app == "ashyq"
    ]
    lines += [
        "Cores kept busy during the Ashyq runs besides the server (scenario/load): "
        + "; ".join(usage)
        + ".",
        "",
        verdict(results, list(chosen), loads),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Seed a portal, sign in, measure every scenario and load on Ashyq and the baseline."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--clients", type=int, default=TARGET_CLIENTS, help="closed loop")
    parser.add_argument("--rate", type=float, default=TARGET_RATE, help="open loop, per s")
    parser.add_argument("--seconds", type=float, default=TARGET_SECONDS, help="of each load")
    parser.add_argument(
        "--timeout", type=float, default=TIMEOUT_SECONDS, help="seconds an answer may take"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each load")
    parser.add_argument("--workers", default="1", help="uvicorn workers")
    parser.add_argument("--scenario", action="append", help="only these scenarios")
    parser.add_argument("--load", action="append", choices=LOADS, help="only these loads")
    add_run_options(parser)
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.generate:
        plan = json.loads(args.generate.read_text(encoding="utf-8"))
        args.out.write_text(json.dumps(generate(plan)), encoding="utf-8")
        return

    loads = args.load or list(LOADS)
    with tempfile.TemporaryDirectory(prefix="ashyq-concurrency-bench-") as scratch:
        home = Path(scratch) / "home"
        print("seeding the portal …", flush=True)
        url, passwords = seed(home)
        env = {HOME_ENV: str(home), URL_ENV: url}
        server = start_server("ashyq", "1", env)
        try:
            every = scenarios(server.port, passwords)
            unknown = set(args.scenario or ()) - set(every)
            if unknown:
                raise SystemExit(f"no scenario {', '.join(sorted(unknown))}; see --help")
            chosen = {name: every[name] for name in args.scenario or every}
            sizes = {
                name: prefetch(server.port, scenario, Path(scratch) / "baseline" / name)
                for name, scenario in chosen.items()
            }
        finally:
            server.stop()
        results: Results = {}
        for name, scenario in chosen.items():
            scenario_env = {**env, BASELINE_ENV: str(Path(scratch) / "baseline" / name)}
            for load in loads:
                for app in APPS:
                    results[(name, load, app)] = measure(app, scenario, load, scenario_env, args)
    command = "benchmarks/concurrency.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    names = list(chosen)
    print()
    if "closed" in loads:
        print(closed_table(results, names), end="\n\n")
    if "open" in loads:
        print(open_table(results, names), end="\n\n")
    print(verdict(results, names, loads))
    if args.write_docs:
        section = report(command.strip(), args, chosen, sizes, results, loads)
        with args.report.open("a", encoding="utf-8") as document:
            document.write(section)
        print(f"appended to {args.report}")


if __name__ == "__main__":
    main()
