"""Load on the public portal: the ranking and body pages, Ashyq against static bytes.

Run from the repository root::

    .venv/bin/python benchmarks/portal.py [--requests 5000] [--concurrency 50]
        [--repeat 3] [--workers 1,2,2+nodelay] [--write-docs]

A fresh SQLite portal is seeded in a temporary directory (``seed_demo``, as the tests
do). For every scenario and number of uvicorn workers, the server is started in a
process of its own (``python -m uvicorn --factory``, asyncio loop and h11, as
``ashyq serve`` runs it), warmed up, then loaded ``--repeat`` times with a bounded
number of requests by a load generator in another process: ``--concurrency`` HTTP/1.1
keep-alive connections over ``asyncio.open_connection``, each issuing its requests one
after the other, no cookies (every request is a first visit). The median of the repeats
is reported: requests per second, latency percentiles, non-200 answers, and the peak
resident set size of the server's processes (``VmHWM``, summed over the supervisor and
its workers).

Server setups (``--workers``): ``1``, ``2`` uvicorn workers, and ``2+nodelay``: two
workers with ``TCP_NODELAY`` set on their connections, which uvicorn's own multi-worker
socket misses (see ``_worker_setup``).

The baseline is the bare server: the same responses, fetched once from Ashyq, served
from memory by a minimal Starlette app under the same uvicorn settings. Ashyq / baseline
shows what the database, the views, the chart and the templates add.

Scenarios:

- ``rankings-cgo``: ``/rankings?level=CGO``
- ``rankings-mio``: ``/rankings?level=MIO``
- ``bodies``: ``/bodies/<code>`` of all 49 bodies in turn
- ``api-ranking``: ``/api/v1/periods/2025/ranking?level=CGO`` (JSON)

With ``--write-docs`` a section with the figures and the machine's description is
appended to ``docs/benchmarks.md``.

The loads no cache answers (signed-in pages and API reads, bogus session cookies, public
pages with varied queries; a closed loop of 200 clients and an open loop at a fixed rate)
are in ``benchmarks/concurrency.py``, which uses this script's servers and generator.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import importlib.metadata
import importlib.util
import json
import os
import resource
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness import machine, machine_table, met

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.applications import Starlette

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = Path(__file__).resolve().parent
YEAR = 2025
HOST = "127.0.0.1"
TARGET_RPS = 300.0
TARGET_P95_MS = 100.0
TARGET_CLIENTS = 50

# What the server processes read: the portal's data home, its database, the baseline's pages.
HOME_ENV = "ASHYQ_BENCH_HOME"
URL_ENV = "ASHYQ_BENCH_URL"
BASELINE_ENV = "ASHYQ_BENCH_BASELINE"
NODELAY_ENV = "ASHYQ_BENCH_NODELAY"
NODELAY = "+nodelay"

APPS = ("ashyq", "baseline")
READY_SECONDS = 120.0
# A response slower than this counts as failed (and its connection is opened again).
RESPONSE_SECONDS = 120.0


def scenarios() -> dict[str, list[str]]:
    """The paths each scenario requests, in turn."""
    from ashyq.bodies import load_bodies

    return {
        "rankings-cgo": ["/rankings?level=CGO"],
        "rankings-mio": ["/rankings?level=MIO"],
        "bodies": [f"/bodies/{body.code}" for body in load_bodies()],
        "api-ranking": [f"/api/v1/periods/{YEAR}/ranking?level=CGO"],
    }


# --- The servers: app factories uvicorn imports as ``portal:ashyq_app`` ----------------


def _force_nodelay(sock: socket.socket) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.type == socket.SOCK_STREAM:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def _worker_setup() -> None:
    """In a server process, before it accepts: the socket fix when ``NODELAY_ENV`` asks.

    With ``--workers`` above 1 uvicorn binds the socket itself as ``socket.socket(family)``,
    whose ``proto`` is 0, and asyncio sets ``TCP_NODELAY`` only on sockets whose ``proto``
    is ``IPPROTO_TCP``: Nagle's algorithm then holds the body of a response (written after
    its headers) until the client's delayed ACK, some 40 ms. The fix sets it on every TCP
    connection the worker accepts.
    """
    if os.environ.get(NODELAY_ENV):
        import asyncio.base_events

        setattr(asyncio.base_events, "_set_nodelay", _force_nodelay)  # noqa: B010


def ashyq_app() -> FastAPI:
    """The portal over the seeded home and database named by the environment."""
    from ashyq.settings import Settings
    from ashyq.web import create_app

    _worker_setup()
    # The database is seeded and migrated before any server starts.
    config = Settings(home=Path(os.environ[HOME_ENV]), database_url=os.environ[URL_ENV])
    return create_app(config, migrate=False)


def baseline_app() -> Starlette:
    """The bare server: the pre-fetched responses, from memory, by path and query (or by
    path alone when the index has no entry for the query).

    An entry of the index may give a ``status`` other than 200 and a ``location``: a
    redirect is served as Ashyq answered it.
    """
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.routing import Route

    _worker_setup()
    folder = Path(os.environ[BASELINE_ENV])
    index: dict[str, dict[str, Any]] = json.loads(
        (folder / "index.json").read_text(encoding="utf-8")
    )
    pages = {
        target: (
            (folder / entry["file"]).read_bytes(),
            entry["type"],
            int(entry.get("status", 200)),
            {"Location": entry["location"]} if entry.get("location") else None,
        )
        for target, entry in index.items()
    }

    async def serve(request: Request) -> Response:
        path = request.scope["raw_path"].decode("ascii")
        target = path
        if request.scope["query_string"]:
            target += "?" + request.scope["query_string"].decode("ascii")
        found = pages.get(target) or pages.get(path)
        if found is None:
            return Response(status_code=404)
        body, media_type, status, headers = found
        return Response(body, status_code=status, headers=headers, media_type=media_type)

    return Starlette(routes=[Route("/{path:path}", serve)])


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text(encoding="utf-8")
        except OSError:
            continue
        # The command may hold spaces and parentheses: the fields follow the last ")".
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def _proc_status(pid: int, key: str) -> int:
    try:
        lines = Path(f"/proc/{pid}/status").read_text(encoding="utf-8").splitlines()
    except OSError:
        return 0
    for line in lines:
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) * 1024
    return 0


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores)."""
    fields = Path("/proc/stat").read_text(encoding="utf-8").splitlines()[0].split()[1:]
    # user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    ticks = [int(value) for value in fields[:8]]
    busy = sum(ticks) - ticks[3] - ticks[4]
    return busy / os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()
    # utime and stime: fields 14 and 15 of stat(5), the 12th and 13th after the ")".
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A uvicorn server in a process of its own (a supervisor and workers when several)."""

    app: str
    workers: int
    port: int
    process: subprocess.Popen[bytes]

    def pids(self) -> list[int]:
        """The server's processes: uvicorn and everything it started."""
        tree, found, todo = _children(), [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(tree.get(pid, []))
        return found

    def workers_pids(self) -> list[int]:
        """The processes that answer requests: uvicorn itself, or its spawned workers."""
        if self.workers == 1:
            return [self.process.pid]
        return [pid for pid in self.pids() if b"spawn_main" in _cmdline(pid)]

    def peak_rss(self) -> tuple[int, int]:
        """The summed and the largest worker's peak RSS (VmHWM), in bytes."""
        total = sum(_proc_status(pid, "VmHWM") for pid in self.pids())
        largest = max((_proc_status(pid, "VmHWM") for pid in self.workers_pids()), default=0)
        return total, largest

    def cpu_seconds(self) -> float:
        return sum(_cpu_seconds(pid) for pid in self.pids())

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def _setup(setup: str) -> tuple[int, bool]:
    """The number of workers of a setup (``2``, ``2+nodelay``) and whether to fix the socket."""
    return int(setup.removesuffix(NODELAY)), setup.endswith(NODELAY)


def start_server(app: str, setup: str, env: dict[str, str]) -> Server:
    """Start ``app`` under uvicorn as ``setup`` says; return when it answers."""
    workers, nodelay = _setup(setup)
    if nodelay:
        env = {**env, NODELAY_ENV: "1"}
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "--app-dir",
        str(BENCHMARKS),
        f"portal:{app}_app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT)
    server = Server(app, workers, port, process)
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{app} server exited with code {process.returncode}")
        try:
            status, _, _ = fetch(port, "/static/does-not-exist")
        except OSError:
            time.sleep(0.2)
            continue
        if status in (200, 404) and (workers == 1 or len(server.workers_pids()) >= workers):
            return server
        time.sleep(0.2)
    server.stop()
    raise SystemExit(f"{app} server did not answer within {READY_SECONDS:g} s")


def fetch(port: int, target: str) -> tuple[int, str, bytes]:
    """One blocking GET: the status, the content type and the body."""
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        connection.request("GET", target)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type", ""), response.read()
    finally:
        connection.close()


# --- The portal and the baseline's pages ------------------------------------------------


def seed(home: Path) -> tuple[str, dict[str, str]]:
    """Migrate and seed a SQLite portal in ``home``; its database URL and the demo
    accounts' passwords by username."""
    from sqlalchemy.orm import sessionmaker

    from ashyq.cycle.demo import seed_demo
    from ashyq.db import make_engine, session_scope, upgrade

    url = f"sqlite:///{home / 'portal.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    with session_scope(sessionmaker(engine)) as session:
        accounts = seed_demo(session, home / "portal" / "files")
    engine.dispose()
    return url, {account.username: account.password for account in accounts}


def prefetch(port: int, paths: list[str], folder: Path) -> dict[str, int]:
    """Fetch every path once from Ashyq into ``folder``; the size of each response."""
    folder.mkdir(parents=True, exist_ok=True)
    index: dict[str, dict[str, str]] = {}
    sizes: dict[str, int] = {}
    for number, target in enumerate(paths):
        status, content_type, body = fetch(port, target)
        if status != 200:
            raise SystemExit(f"{target}: status {status} from Ashyq")
        name = f"{number}.bin"
        (folder / name).write_bytes(body)
        index[target] = {"file": name, "type": content_type}
        sizes[target] = len(body)
    (folder / "index.json").write_text(json.dumps(index), encoding="utf-8")
    return sizes


# --- The load generator: a process of its own -------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int, bool]:
    """Read one response: its status, its body's size and whether the server closes."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head[:-4].split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length: int | None = None
    chunked = close = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding":
            chunked = b"chunked" in value.lower()
        elif name == b"connection":
            close = b"close" in value.lower()
    if chunked:
        size = 0
        while True:
            chunk = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(chunk + 2)
            size += chunk
            if chunk == 0:
                break
        return status, size, close
    if length is None:
        return status, len(await reader.read()), True
    await reader.readexactly(length)
    return status, length, close


def request_bytes(port: int, target: str, headers: dict[str, str] | None = None) -> bytes:
    """One HTTP/1.1 keep-alive GET of ``target``, with ``headers`` (a cookie, say) added."""
    extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    return (
        f"GET {target} HTTP/1.1\r\nHost: {HOST}:{port}\r\nUser-Agent: ashyq-bench\r\n"
        f"Accept: */*\r\n{extra}\r\n"
    ).encode("ascii")


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]

# What a request that got no answer ends in, besides a timeout.
_BROKEN = (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError)


async def closed_loop(
    port: int,
    raw: list[bytes],
    requests: int,
    concurrency: int,
    *,
    seconds: float = float("inf"),
    timeout: float = RESPONSE_SECONDS,
) -> dict[str, Any]:
    """``concurrency`` keep-alive connections, each sending its next request (of ``raw``,
    in turn) when the previous answer is read, until ``requests`` are sent or ``seconds``
    have passed; a request in flight then still gets ``timeout`` seconds.

    Returns the wall and CPU seconds, the latencies of the answers, their statuses, and
    the requests that got none: ``timeouts`` (not answered within ``timeout``, the
    connection is then opened again) and ``failures`` (a refused, reset or garbled one).
    """
    numbers = iter(range(requests))
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    timeouts = 0
    received = 0

    async def client(connection: Connection | None) -> None:
        nonlocal received, timeouts
        # The iterator is shared: each connection takes the next request number in turn.
        for number in numbers:
            started = time.perf_counter()
            if started >= deadline:
                break
            try:
                async with asyncio.timeout(timeout):
                    if connection is None:
                        connection = await asyncio.open_connection(HOST, port)
                    reader, writer = connection
                    writer.write(raw[number % len(raw)])
                    status, size, close = await _read_response(reader)
            except TimeoutError:
                timeouts += 1
                _close(connection)
                connection = None
                continue
            except _BROKEN as error:
                failures.append(type(error).__name__)
                _close(connection)
                connection = None
                # A refused connection fails at once: do not spin on it.
                await asyncio.sleep(0.05)
                continue
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
            received += size
            if close:
                _close(connection)
                connection = None
        _close(connection)

    connections = await asyncio.gather(*(_connect(port, timeout) for _ in range(concurrency)))
    cpu = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(client(connection) for connection in connections))
    return {
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
        "latencies": latencies,
        "statuses": {str(code): count for code, count in statuses.items()},
        "failures": len(failures),
        "timeouts": timeouts,
        "bytes": received,
    }


async def _connect(port: int, timeout: float) -> Connection | None:
    """A connection to the server; None when it is refused or not made within ``timeout``
    (the client then tries again with its first request, which counts the failure)."""
    try:
        async with asyncio.timeout(timeout):
            return await asyncio.open_connection(HOST, port)
    except (TimeoutError, OSError):
        return None


def _close(connection: Connection | None) -> None:
    if connection is not None:
        connection[1].close()


def load(port: int, paths: list[str], requests: int, concurrency: int) -> dict[str, Any]:
    """In the load generator's process: ``requests`` GETs over ``concurrency`` connections."""
    raw = [request_bytes(port, target) for target in paths]
    return asyncio.run(closed_loop(port, raw, requests, concurrency))


def _percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of sorted values."""
    if not ordered:
        return float("nan")
    rank = max(1, -(-len(ordered) * share // 100))
    return ordered[int(rank) - 1]


def run_load(
    server: Server, paths: list[str], requests: int, concurrency: int, scratch: Path
) -> dict[str, Any]:
    """Run the load generator in a child process against ``server``; its summary."""
    paths_file, out = scratch / "paths.json", scratch / "load.json"
    paths_file.write_text(json.dumps(paths), encoding="utf-8")
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--load-port",
        str(server.port),
        "--load-paths",
        str(paths_file),
        "--requests",
        str(requests),
        "--concurrency",
        str(concurrency),
        "--out",
        str(out),
    ]
    server_cpu, busy, children = server.cpu_seconds(), _busy_seconds(), _children_cpu()
    wall = time.perf_counter()
    child = subprocess.run(command, check=False)
    wall = time.perf_counter() - wall
    server_cpu, busy = server.cpu_seconds() - server_cpu, _busy_seconds() - busy
    # The generator's whole life, its start-up included: it is a child of this process.
    generator = _children_cpu() - children
    if child.returncode != 0:
        raise SystemExit(f"the load generator failed with exit code {child.returncode}")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    ordered = sorted(result.pop("latencies"))
    done = len(ordered)
    ok = result["statuses"].get("200", 0)
    return {
        "requests": done,
        "seconds": result["seconds"],
        "rps": done / result["seconds"],
        "p50": _percentile(ordered, 50) * 1000,
        "p95": _percentile(ordered, 95) * 1000,
        "p99": _percentile(ordered, 99) * 1000,
        "max": ordered[-1] * 1000 if ordered else float("nan"),
        "errors": done - ok + result["failures"] + result["timeouts"],
        "statuses": result["statuses"],
        "bytes": result["bytes"],
        # CPU per wall second: 1.0 is one core busy.
        "generator_cpu": result["cpu_seconds"] / result["seconds"],
        "generator_ceiling": done / result["cpu_seconds"] if result["cpu_seconds"] else 0.0,
        "server_cpu": server_cpu / result["seconds"],
        # Server CPU per answered request, in milliseconds.
        "cpu_ms": server_cpu / done * 1000 if done else float("nan"),
        # What other processes kept busy meanwhile, over the generator's whole life.
        "other_cpu": max(0.0, busy - server_cpu - generator) / wall,
    }


# --- Measuring and reporting ------------------------------------------------------------


def busy_cores(seconds: float) -> float:
    """How many cores the whole machine keeps busy, over ``seconds``."""
    before = _busy_seconds()
    time.sleep(seconds)
    return (_busy_seconds() - before) / seconds


def settle(quiet: float, patience: float) -> float:
    """Wait, at most ``patience`` seconds, until other work keeps < ``quiet`` cores busy.

    Returns the last measured load; the run goes on anyway when the machine stays busy.
    """
    deadline = time.monotonic() + patience
    while True:
        busy = busy_cores(3.0)
        if busy < quiet or time.monotonic() >= deadline:
            if busy >= quiet:
                print(f"(the machine stays busy: {busy:.2f} cores; measuring anyway) ", end="")
            return busy
        time.sleep(10.0)


def measure(
    app: str,
    setup: str,
    paths: list[str],
    env: dict[str, str],
    args: argparse.Namespace,
) -> dict[str, Any]:
    """Start a server, warm it up, load it ``repeat`` times; the medians and its peak RSS."""
    idle = settle(args.quiet, args.patience)
    server = start_server(app, setup, env)
    try:
        with tempfile.TemporaryDirectory() as scratch:
            # The warm-up: templates compiled, caches filled, every worker and thread busy.
            warm = max(len(paths), args.concurrency) * 4
            run_load(server, paths, warm, args.concurrency, Path(scratch))
            runs = [
                run_load(server, paths, args.requests, args.concurrency, Path(scratch))
                for _ in range(args.repeat)
            ]
        total_rss, worker_rss = server.peak_rss()
    finally:
        server.stop()
    summary: dict[str, Any] = {
        key: statistics.median(run[key] for run in runs)
        for key in (
            "rps",
            "p50",
            "p95",
            "p99",
            "max",
            "generator_cpu",
            "server_cpu",
            "cpu_ms",
            "other_cpu",
        )
    }
    summary["generator_ceiling"] = min(run["generator_ceiling"] for run in runs)
    summary["errors"] = sum(run["errors"] for run in runs)
    summary["requests"] = sum(run["requests"] for run in runs)
    summary["runs"] = [round(run["rps"], 1) for run in runs]
    summary["before"] = idle
    summary["peak_rss"] = total_rss
    summary["worker_rss"] = worker_rss
    print(
        f"{app:8} {setup:10} {summary['rps']:8.1f} req/s  p50 {summary['p50']:6.1f} ms"
        f"  p95 {summary['p95']:6.1f} ms  p99 {summary['p99']:6.1f} ms  errors "
        f"{summary['errors']}  runs {summary['runs']}  server CPU {summary['server_cpu']:.2f}"
        f" ({summary['cpu_ms']:.1f} ms/request)  generator CPU {summary['generator_cpu']:.2f}"
        f"  other CPU {summary['other_cpu']:.2f}  peak RSS {_mib(total_rss)}",
        flush=True,
    )
    return summary


def _mib(size: float) -> str:
    return f"{size / 2**20:.0f} MiB"


def _meets(result: dict[str, Any]) -> bool:
    return bool(
        result["rps"] >= TARGET_RPS and result["p95"] <= TARGET_P95_MS and not result["errors"]
    )


def _versions() -> str:
    packages = ("fastapi", "starlette", "uvicorn", "h11", "Jinja2", "SQLAlchemy")
    versions = [f"{name} {importlib.metadata.version(name)}" for name in packages]
    extras = [name for name in ("uvloop", "httptools") if importlib.util.find_spec(name)]
    loop = f"uvicorn on {'/'.join(extras) if extras else 'asyncio and h11'}"
    return ", ".join(versions) + f"; {loop}"


Results = dict[tuple[str, str], dict[str, dict[str, Any]]]


def _label(setup: str) -> str:
    workers, nodelay = _setup(setup)
    return f"{workers} + TCP_NODELAY" if nodelay else str(workers)


def table(results: Results, setups: list[str]) -> str:
    """The Markdown table: one row per scenario and server setup."""
    lines = [
        (
            "| Scenario | Workers | req/s | p50 | p95 | p99 | max | Errors | Server peak RSS "
            "| Server CPU / request | Other CPU | Baseline req/s | Baseline p95 "
            "| Ashyq / baseline | Target |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name in results[("ashyq", setups[0])]:
        for setup in setups:
            ours, base = results[("ashyq", setup)][name], results[("baseline", setup)][name]
            workers, _ = _setup(setup)
            rss = _mib(ours["peak_rss"])
            if workers > 1:
                rss += f" ({workers} workers, ≤ {_mib(ours['worker_rss'])} each)"
            lines.append(
                f"| {name} | {_label(setup)} | {ours['rps']:.0f} | {ours['p50']:.1f} ms "
                f"| {ours['p95']:.1f} ms | {ours['p99']:.1f} ms | {ours['max']:.0f} ms "
                f"| {ours['errors']} | {rss} | {ours['cpu_ms']:.1f} ms "
                f"| {ours['other_cpu']:.2f} | {base['rps']:.0f} | {base['p95']:.1f} ms "
                f"| {ours['rps'] / base['rps']:.2f} | {met(_meets(ours))} |"
            )
    return "\n".join(lines)


def report(
    command: str,
    args: argparse.Namespace,
    setups: list[str],
    chosen: dict[str, list[str]],
    sizes: dict[str, int],
    results: Results,
    load_averages: list[float],
) -> str:
    """The Markdown section appended to the benchmarks document."""
    described = machine()
    described["Versions"] = _versions()
    method = (
        f"`{command}`: a fresh SQLite portal seeded by `seed_demo`; for every scenario and "
        "server setup the server runs in a process of its own (`python -m uvicorn "
        "--factory --workers N`), is warmed up, "
        f"then loaded {args.repeat} times with {args.requests:,} requests by a load "
        f"generator in another process on the same machine: {args.concurrency} HTTP/1.1 "
        "keep-alive connections (asyncio), each sending its next request when the "
        "previous answer is read, no cookies (every request a first visit). Figures are "
        "the medians of the repeats; errors are all non-200 answers and failed requests "
        "of all repeats. Server peak RSS is `VmHWM` summed over uvicorn's processes "
        "(with several workers: the supervisor and its workers, the largest worker in "
        "parentheses). The baseline is the bare server: the same responses, fetched once "
        "from Ashyq, served from memory by a minimal Starlette app under the same uvicorn "
        "setup. Server CPU / request is the CPU time of uvicorn's processes (`/proc`) "
        "over the answered requests; other CPU is the cores kept busy meanwhile by "
        "everything but the server and the load generator (`/proc/stat`). Before each "
        f"measurement the script waited up to {args.patience:g} s for the rest of the "
        f"machine to keep fewer than {args.quiet:g} cores busy, and measured anyway when it "
        "did not."
    )
    scenario_lines = [
        f"- `{name}`: {', '.join(f'`{p}`' for p in paths[:1])}"
        + (f" … ({len(paths)} pages in turn)" if len(paths) > 1 else "")
        + f", {sum(sizes[p] for p in paths) / len(paths) / 1024:.1f} KiB a response"
        for name, paths in chosen.items()
    ]
    lines = [
        "",
        f"## Portal load (benchmarks/portal.py), {datetime.now():%Y-%m-%d}",
        "",
        method,
        "",
        *machine_table(described),
        "",
        *scenario_lines,
        "",
        table(results, setups),
        "",
    ]
    if any(_setup(setup)[1] for setup in setups):
        lines += [
            (
                "`+ TCP_NODELAY`: with more than one worker uvicorn binds the socket itself "
                "(`socket.socket(family)`, `proto` 0), and asyncio sets `TCP_NODELAY` only on "
                "sockets whose `proto` is `IPPROTO_TCP`; Nagle's algorithm then holds each "
                "response's body, written after its headers, until the client's delayed ACK "
                "(about 40 ms). These rows set `TCP_NODELAY` on every accepted connection in "
                "the workers (a patch in this script, not in Ashyq); the rows without it are "
                "uvicorn as it ships."
            ),
            "",
        ]
    usage = []
    for setup in setups:
        for name, ours in results[("ashyq", setup)].items():
            usage.append(
                f"{name}/{_label(setup)}: server {ours['server_cpu']:.2f}, generator "
                f"{ours['generator_cpu']:.2f}, other {ours['other_cpu']:.2f}"
            )
    loads = ", ".join(f"{value:.1f}" for value in load_averages)
    (app, setup, name), fastest = max(
        (
            ((app, setup, name), result)
            for (app, setup), by_name in results.items()
            for name, result in by_name.items()
        ),
        key=lambda item: float(item[1]["rps"]),
    )
    ceiling = fastest["generator_ceiling"]
    enough = (
        "more than any server answered"
        if ceiling > fastest["rps"]
        else "**no more** than the servers answered: it may have been the bottleneck"
    )
    lines += [
        "Cores busy during the Ashyq runs (scenario/workers): " + "; ".join(usage) + ". "
        f"Load average (1 min) before the first and after the last run: {loads}.",
        (
            f"In the fastest run ({app}, {name}, workers {_label(setup)}, "
            f"{fastest['rps']:,.0f} req/s) the load generator kept "
            f"{fastest['generator_cpu']:.2f} of a core busy, 1 core-second per "
            f"{ceiling:,.0f} requests: on a core of its own it drives {enough}; on this "
            "machine it still takes CPU the server could otherwise use."
        ),
        "",
        verdict(results, setups),
    ]
    return "\n".join(lines) + "\n"


def verdict(results: Results, setups: list[str]) -> str:
    """The verdict against the target, for every server setup."""
    target = (
        f"≥ {TARGET_RPS:g} requests/s at {TARGET_CLIENTS} concurrent clients with p95 ≤ "
        f"{TARGET_P95_MS:g} ms"
    )
    sentences = []
    for setup in setups:
        by_name = results[("ashyq", setup)]
        missed = [name for name, result in by_name.items() if not _meets(result)]
        if not missed:
            sentences.append(f"workers {_label(setup)}: every scenario meets it")
        elif len(missed) == len(by_name):
            sentences.append(f"workers {_label(setup)}: no scenario meets it")
        else:
            sentences.append(f"workers {_label(setup)}: {', '.join(missed)} miss it")
    cores = os.cpu_count() or 1
    bounds = []
    for name in results[("ashyq", setups[0])]:
        cheapest = min(results[("ashyq", setup)][name]["cpu_ms"] for setup in setups)
        bounds.append(f"{name} {cheapest:.1f} ms, ≤ {cores * 1000 / cheapest:.0f} req/s")
    return (
        f"Verdict against the target ({target}): "
        + "; ".join(sentences)
        + f". With {TARGET_CLIENTS} clients each waiting for its answer, the mean latency "
        f"is {TARGET_CLIENTS} / throughput, so p95 ≤ {TARGET_P95_MS:g} ms takes well over "
        f"{TARGET_CLIENTS * 1000 / TARGET_P95_MS:g} req/s: the latency bound is the "
        "binding one. CPU bounds the throughput: at the lowest measured server CPU per "
        f"request, {cores} fully free cores answer at most " + "; ".join(bounds) + "."
    )


def add_run_options(parser: argparse.ArgumentParser) -> None:
    """The options every portal benchmark takes: waiting for a quiet machine, and where
    its figures are appended."""
    parser.add_argument(
        "--quiet",
        type=float,
        default=0.5,
        help="before each measurement, wait for other work to keep fewer cores busy",
    )
    parser.add_argument(
        "--patience", type=float, default=120.0, help="how long to wait for --quiet (seconds)"
    )
    parser.add_argument("--write-docs", action="store_true", help="append to --report")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")


def main(argv: list[str] | None = None) -> None:
    """Seed a portal, measure every scenario on Ashyq and the baseline, report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000, help="requests per run")
    parser.add_argument("--concurrency", type=int, default=TARGET_CLIENTS, help="connections")
    parser.add_argument("--repeat", type=int, default=3, help="runs after the warm-up")
    parser.add_argument(
        "--workers",
        default=f"1,2,2{NODELAY}",
        help=f"server setups: uvicorn workers, {NODELAY} to set TCP_NODELAY in them",
    )
    parser.add_argument("--scenario", action="append", help="only these scenarios")
    add_run_options(parser)
    parser.add_argument("--load-port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--load-paths", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load_port:
        paths = json.loads(args.load_paths.read_text(encoding="utf-8"))
        result = load(args.load_port, paths, args.requests, args.concurrency)
        args.out.write_text(json.dumps(result), encoding="utf-8")
        return

    setups = args.workers.split(",")
    for setup in setups:
        _setup(setup)
    chosen = scenarios()
    if args.scenario:
        chosen = {name: chosen[name] for name in args.scenario}
    load_averages = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory(prefix="ashyq-portal-bench-") as scratch:
        home = Path(scratch) / "home"
        print("seeding the portal …", flush=True)
        url, _ = seed(home)
        env = {HOME_ENV: str(home), URL_ENV: url, BASELINE_ENV: str(Path(scratch) / "baseline")}
        server = start_server("ashyq", "1", env)
        try:
            every = [target for paths in chosen.values() for target in paths]
            sizes = prefetch(server.port, every, Path(env[BASELINE_ENV]))
        finally:
            server.stop()
        results: Results = {}
        for name, paths in chosen.items():
            for setup in setups:
                for app in APPS:
                    print(f"{name}: ", end="", flush=True)
                    result = measure(app, setup, paths, env, args)
                    results.setdefault((app, setup), {})[name] = result
    load_averages.append(os.getloadavg()[0])
    command = "benchmarks/portal.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    print()
    print(table(results, setups))
    print()
    print(verdict(results, setups))
    if args.write_docs:
        section = report(command.strip(), args, setups, chosen, sizes, results, load_averages)
        with args.report.open("a", encoding="utf-8") as document:
            document.write(section)
        print(f"appended to {args.report}")


if __name__ == "__main__":
    main()
