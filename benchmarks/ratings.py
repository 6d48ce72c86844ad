"""The real-time rating endpoint under load, and across a restart: Ashyq against two
baselines, in the same run.

Run from the repository root::

    .venv/bin/python benchmarks/ratings.py [--rates 500,1000] [--seconds 20] [--repeat 3]
        [--connections 64] [--points 400] [--write-docs]

A fresh data directory gets a SQLite portal with ``--points`` service points (of the 49
bodies in turn) and a key each. Every server runs in a process of its own on loopback:

- ``ashyq``: ``ashyq serve`` as shipped (one uvicorn process; the rating writer and the
  escalation worker in it), with its default limit of 5 ratings a second per key.
- ``naive``: the straightforward endpoint: a minimal Starlette app under the same uvicorn
  settings that checks the key, reads the JSON and stores each rating in its own SQLite
  transaction (same WAL file settings, same idempotency rule, answering after the
  commit) from uvicorn's thread pool. What group commit saves is the difference.
- ``bare``: the same minimal app answering 201 without storing anything: the HTTP ceiling
  of this machine with this load generator.

The load is open-loop: a load generator in another process schedules rating ``i`` at
``start + i / rate`` and sends it on the first free of ``--connections`` HTTP/1.1
keep-alive connections; a request's latency runs from its scheduled time to its answer,
so time spent waiting for a free connection counts (no coordinated omission). 10 % of
the ratings are scores of 1 or 2 (each opens an incident in Ashyq), each carries its own
``Idempotency-Key``, keys are used in turn. Each rate is run ``--repeat`` times per
server; the medians are reported.

The restart run: Ashyq at the first rate, killed with SIGKILL halfway through and started
again on the same port. The generator retries every rating that got no answer (a refused
or reset connection) with the same idempotency key until it is acknowledged. Afterwards
the stored ratings are counted against those sent: the run passes when every rating sent
is stored exactly once.

With ``--write-docs`` a section with the figures and the machine's description is
appended to ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
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
from portal import Server, _free_port, _percentile, _read_response, settle

if TYPE_CHECKING:
    from starlette.applications import Starlette

ROOT = Path(__file__).resolve().parents[1]
BENCHMARKS = Path(__file__).resolve().parent
HOST = "127.0.0.1"
TARGET_RATE = 500.0
TARGET_P95_MS = 50.0
READY_SECONDS = 60.0
RETRY_SECONDS = 60.0

# What the baseline servers read: the database file and the keys.
DATABASE_ENV = "ASHYQ_BENCH_DATABASE"
KEYS_ENV = "ASHYQ_BENCH_KEYS"
STORE_ENV = "ASHYQ_BENCH_STORE"

SERVERS = ("ashyq", "naive", "bare")


# --- The data directory -------------------------------------------------------------------


def prepare(home: Path, points: int) -> list[str]:
    """A portal database with ``points`` service points and a key each, and in the
    register the 700 rated services the load names (``_body``); the keys."""
    from sqlalchemy.orm import sessionmaker

    from ashyq.bodies import load_bodies
    from ashyq.db import make_engine, session_scope, upgrade
    from ashyq.ratings.keys import add_point, issue_key
    from ashyq.ratings.services import add_service

    engine = make_engine(f"sqlite:///{home / 'portal.sqlite3'}")
    upgrade(engine)
    registry = load_bodies()
    bodies = [body.code for body in registry]
    keys = []
    with session_scope(sessionmaker(engine)) as session:
        for number in range(700):
            code = f"{number:05d}"
            add_service(
                session, code, f"Государственная услуга {code}", f"{code} мемлекеттік қызметі"
            )
        for number in range(points):
            code = f"P{number:04d}"
            add_point(session, registry, code, bodies[number % len(bodies)], f"Point {code}")
            keys.append(issue_key(session, code, code, "benchmark").key)
    engine.dispose()
    return keys


def naive_database(path: Path) -> None:
    """The baseline's table: the same unique (key, idempotency key) rule as Ashyq's."""
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute(
            "CREATE TABLE IF NOT EXISTS ratings (id INTEGER PRIMARY KEY, key TEXT NOT NULL, "
            "idempotency_key TEXT, service TEXT NOT NULL, score INTEGER NOT NULL, "
            "comment TEXT, received_at TEXT NOT NULL, UNIQUE (key, idempotency_key))"
        )


# --- The baseline servers ---------------------------------------------------------------


def baseline_app() -> Starlette:
    """``naive`` (``$ASHYQ_BENCH_STORE`` = 1) or ``bare``: see the module's description."""
    import threading

    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    keys = set(json.loads(Path(os.environ[KEYS_ENV]).read_text(encoding="utf-8")))
    store = os.environ.get(STORE_ENV) == "1"
    database = os.environ.get(DATABASE_ENV, "")
    local = threading.local()

    def connection() -> sqlite3.Connection:
        if not hasattr(local, "connection"):
            local.connection = sqlite3.connect(database, timeout=30, isolation_level=None)
            local.connection.execute("PRAGMA journal_mode=WAL")
            local.connection.execute("PRAGMA synchronous=FULL")
        found: sqlite3.Connection = local.connection
        return found

    def insert(key: str, idempotency: str | None, body: dict[str, Any]) -> tuple[int, bool]:
        db = connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            if idempotency is not None:
                row = db.execute(
                    "SELECT id FROM ratings WHERE key = ? AND idempotency_key = ?",
                    (key, idempotency),
                ).fetchone()
                if row is not None:
                    db.execute("COMMIT")
                    return int(row[0]), True
            cursor = db.execute(
                "INSERT INTO ratings (key, idempotency_key, service, score, comment, "
                "received_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    key,
                    idempotency,
                    str(body["service"]),
                    int(body["score"]),
                    body.get("comment"),
                    datetime.now().astimezone().isoformat(),
                ),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return int(cursor.lastrowid or 0), False

    async def submit(request: Request) -> JSONResponse:
        key = request.headers.get("authorization", "").removeprefix("Bearer ")
        if key not in keys:
            return JSONResponse({"error": "invalid key"}, status_code=401)
        body = await request.json()
        if not store:
            return JSONResponse({"rating": 0, "replayed": False}, status_code=201)
        rating, replayed = await run_in_threadpool(
            insert, key, request.headers.get("idempotency-key"), body
        )
        return JSONResponse(
            {"rating": rating, "replayed": replayed}, status_code=200 if replayed else 201
        )

    return Starlette(routes=[Route("/api/v1/ratings", submit, methods=["POST"])])


# --- Servers ------------------------------------------------------------------------------


def _command(name: str, port: int) -> list[str]:
    if name == "ashyq":
        return [
            sys.executable,
            "-c",
            "from ashyq.cli import main; main()",
            "serve",
            "--host",
            HOST,
            "--port",
            str(port),
        ]
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "--app-dir",
        str(BENCHMARKS),
        "ratings:baseline_app",
        "--host",
        HOST,
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]


def start_server(name: str, env: dict[str, str], port: int | None = None) -> Server:
    """Start server ``name``; return when its port accepts connections."""
    import socket

    port = port or _free_port()
    extra = {STORE_ENV: "1" if name == "naive" else "0"}
    process = subprocess.Popen(
        _command(name, port), env={**os.environ, **env, **extra}, cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"{name} server exited with code {process.returncode}")
        try:
            with socket.create_connection((HOST, port), timeout=1.0):
                return Server(name, 1, port, process)
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit(f"{name} server did not start within {READY_SECONDS:g} s")


# --- The load generator (a process of its own) ------------------------------------------


def _request(port: int, key: str, idempotency: str, body: bytes) -> bytes:
    head = (
        f"POST /api/v1/ratings HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        f"Authorization: Bearer {key}\r\nIdempotency-Key: {idempotency}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("ascii") + body


def _body(number: int, chance: random.Random) -> bytes:
    score = chance.choice((1, 2)) if chance.random() < 0.1 else chance.choice((3, 4, 5, 5, 5))
    rating: dict[str, Any] = {"service": f"{number % 700:05d}", "score": score}
    if score <= 2:
        rating["comment"] = "Долгое ожидание в очереди"
    return json.dumps(rating, ensure_ascii=False).encode("utf-8")


async def _generate(
    port: int, keys: list[str], rate: float, seconds: float, connections: int, tag: str
) -> dict[str, Any]:
    total = int(rate * seconds)
    chance = random.Random(7)
    requests = [
        _request(port, keys[i % len(keys)], f"{tag}-{i}", _body(i, chance)) for i in range(total)
    ]
    queue: asyncio.Queue[tuple[int, float] | None] = asyncio.Queue()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    retries = 0
    acknowledged: set[int] = set()

    async def connect() -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        deadline = time.perf_counter() + RETRY_SECONDS
        while True:
            try:
                return await asyncio.open_connection(HOST, port)
            except OSError:
                if time.perf_counter() > deadline:
                    raise
                await asyncio.sleep(0.05)

    async def worker() -> None:
        nonlocal retries
        reader, writer = await connect()
        while (item := await queue.get()) is not None:
            number, scheduled = item
            while True:  # until the rating is acknowledged
                try:
                    writer.write(requests[number])
                    status, _, close = await _read_response(reader)
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                    retries += 1
                    writer.close()
                    reader, writer = await connect()
                    continue
                if close:
                    writer.close()
                    reader, writer = await connect()
                if status >= 500:
                    retries += 1
                    continue
                break
            latencies.append(time.perf_counter() - scheduled)
            statuses[status] += 1
            if status in (200, 201):
                acknowledged.add(number)
        writer.close()

    workers = [asyncio.create_task(worker()) for _ in range(connections)]
    await asyncio.sleep(0.2)  # the connections are open
    cpu = time.process_time()
    start = time.perf_counter()
    for number in range(total):
        delay = start + number / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        queue.put_nowait((number, start + number / rate))
    for _ in workers:
        queue.put_nowait(None)
    await asyncio.gather(*workers)
    elapsed = time.perf_counter() - start
    return {
        "sent": total,
        "acknowledged": len(acknowledged),
        "seconds": elapsed,
        "cpu_seconds": time.process_time() - cpu,
        "latencies": latencies,
        "statuses": {str(code): count for code, count in statuses.items()},
        "retries": retries,
    }


def run_generator(
    port: int, keys_file: Path, rate: float, seconds: float, connections: int, tag: str,
    scratch: Path, during: Any = None,
) -> dict[str, Any]:  # fmt: skip
    """Run the load generator in a child process; ``during(child)`` runs meanwhile."""
    out = scratch / f"{tag}.json"
    command = [
        sys.executable, str(Path(__file__).resolve()), "--generate", str(port),
        "--keys", str(keys_file), "--rate", str(rate), "--seconds", str(seconds),
        "--connections", str(connections), "--tag", tag, "--out", str(out),
    ]  # fmt: skip
    child = subprocess.Popen(command)
    if during is not None:
        during(child)
    if child.wait() != 0:
        raise SystemExit(f"the load generator failed with exit code {child.returncode}")
    result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    ordered = sorted(result.pop("latencies"))
    ok = result["statuses"].get("201", 0) + result["statuses"].get("200", 0)
    result.update(
        rate=result["acknowledged"] / result["seconds"],
        p50=_percentile(ordered, 50) * 1000,
        p95=_percentile(ordered, 95) * 1000,
        p99=_percentile(ordered, 99) * 1000,
        max=ordered[-1] * 1000 if ordered else float("nan"),
        errors=result["sent"] - ok,
        generator_cpu=result["cpu_seconds"] / result["seconds"],
    )
    return result


# --- Measuring ----------------------------------------------------------------------------


@dataclass
class Setup:
    home: Path
    keys_file: Path
    env: dict[str, str]
    scratch: Path


def measure(name: str, rate: float, setup: Setup, args: argparse.Namespace) -> dict[str, Any]:
    """Start server ``name``, warm it up, run the rate ``repeat`` times; the medians."""
    settle(args.quiet, args.patience)
    server = start_server(name, setup.env)
    runs = []
    try:
        run_generator(
            server.port, setup.keys_file, rate, 2.0, args.connections, f"{name}-warm-{rate:g}",
            setup.scratch,
        )  # fmt: skip
        for repeat in range(args.repeat):
            cpu = server.cpu_seconds()
            run = run_generator(
                server.port, setup.keys_file, rate, args.seconds, args.connections,
                f"{name}-{rate:g}-{repeat}", setup.scratch,
            )  # fmt: skip
            run["server_cpu"] = (server.cpu_seconds() - cpu) / run["seconds"]
            runs.append(run)
        peak, _ = server.peak_rss()
    finally:
        server.stop()
    summary: dict[str, Any] = {
        key: statistics.median(run[key] for run in runs)
        for key in ("rate", "p50", "p95", "p99", "max", "server_cpu", "generator_cpu")
    }
    summary.update(
        errors=sum(run["errors"] for run in runs),
        sent=sum(run["sent"] for run in runs),
        runs=[round(run["rate"], 1) for run in runs],
        p95s=[round(run["p95"], 1) for run in runs],
        peak_rss=peak,
    )
    print(
        f"{name:6} {rate:6g}/s  acknowledged {summary['rate']:7.1f}/s  p50 {summary['p50']:6.1f}"
        f" ms  p95 {summary['p95']:6.1f} ms  p99 {summary['p99']:6.1f} ms  errors "
        f"{summary['errors']}  server CPU {summary['server_cpu']:.2f}  peak RSS "
        f"{peak / 2**20:.0f} MiB",
        flush=True,
    )
    return summary


def stored(home: Path, tag: str) -> tuple[int, int]:
    """The ratings stored under the idempotency keys of run ``tag``: rows, distinct keys."""
    with sqlite3.connect(home / "portal.sqlite3") as connection:
        rows, distinct = connection.execute(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM ratings "
            "WHERE idempotency_key LIKE ?",
            (f"{tag}-%",),
        ).fetchone()
    return int(rows), int(distinct)


def restart_run(rate: float, setup: Setup, args: argparse.Namespace) -> dict[str, Any]:
    """Ashyq killed halfway through a run and started again; the ratings counted after."""
    settle(args.quiet, args.patience)
    server = start_server("ashyq", setup.env)
    port = server.port
    events: dict[str, float] = {}
    holder = {"server": server}

    def kill_and_restart(_child: subprocess.Popen[bytes]) -> None:
        time.sleep(args.seconds / 2)
        holder["server"].process.kill()  # SIGKILL: no shutdown hooks run
        holder["server"].process.wait()
        events["killed"] = time.perf_counter()
        holder["server"] = start_server("ashyq", setup.env, port)
        events["restarted"] = time.perf_counter()

    tag = f"restart-{rate:g}"
    try:
        run = run_generator(
            port, setup.keys_file, rate, args.seconds, args.connections, tag, setup.scratch,
            kill_and_restart,
        )  # fmt: skip
    finally:
        holder["server"].stop()
    rows, distinct = stored(setup.home, tag)
    run.update(
        stored=rows,
        distinct=distinct,
        down=events["restarted"] - events["killed"],
        lost=run["sent"] - distinct,
        duplicated=rows - distinct,
    )
    print(
        f"restart {rate:g}/s: sent {run['sent']}, acknowledged {run['acknowledged']}, stored "
        f"{rows} ({distinct} distinct), retries {run['retries']}, down {run['down']:.1f} s",
        flush=True,
    )
    return run


# --- Reporting ----------------------------------------------------------------------------


def _versions() -> str:
    import importlib.metadata

    names = ("fastapi", "starlette", "uvicorn", "SQLAlchemy")
    found = ", ".join(f"{n} {importlib.metadata.version(n)}" for n in names)
    return f"{found}, SQLite {sqlite3.sqlite_version}"


def report(
    results: dict[tuple[str, float], dict[str, Any]],
    restart: dict[str, Any],
    args: argparse.Namespace,
    rates: list[float],
) -> str:
    lines = [
        f"## Real-time ratings (benchmarks/ratings.py), {datetime.now():%Y-%m-%d}",
        "",
        (
            f"`benchmarks/ratings.py --rates {','.join(f'{r:g}' for r in rates)} --seconds "
            f"{args.seconds:g} --repeat {args.repeat} --connections {args.connections} --points "
            f"{args.points} --write-docs`: a fresh SQLite portal with {args.points} service points "
            "and a key each; every server in a process of its own on loopback; an open-loop "
            f"load generator in another process sends ratings at a fixed rate over "
            f"{args.connections} keep-alive connections, latency from each rating's scheduled "
            "time to its answer (waiting for a free connection counts). 10 % of the ratings are "
            "scores of 1-2 (an incident each in Ashyq); every rating has its own idempotency "
            "key. Figures are medians of the repeats; errors are answers other than 200/201 "
            "over all repeats. `ashyq` is `ashyq serve` as shipped; `naive` stores each rating "
            "in its own SQLite transaction from the thread pool (same idempotency rule, answer "
            "after commit); `bare` answers without storing."
        ),
        "",
        *machine_table({**machine(), "Server stack": _versions()}),
        "",
        (
            "| Server | Rate sent | Acknowledged / s | p50 | p95 | p99 | max | Errors | "
            "Server CPU (cores) | Server peak RSS | p95 of each repeat | Ashyq / baseline "
            "(p95) |"
        ),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    ]
    for rate in rates:
        ours = results[("ashyq", rate)]
        for name in SERVERS:
            row = results[(name, rate)]
            ratio = "" if name == "ashyq" else f"{ours['p95'] / row['p95']:.2f}"
            lines.append(
                f"| {name} | {rate:g}/s | {row['rate']:.1f} | {row['p50']:.1f} ms | "
                f"{row['p95']:.1f} ms | {row['p99']:.1f} ms | {row['max']:.0f} ms | "
                f"{row['errors']} | {row['server_cpu']:.2f} | {row['peak_rss'] / 2**20:.0f} MiB"
                f" | {row['p95s']} | {ratio} |"
            )
    target = results[("ashyq", rates[0])]
    ok = (
        target["rate"] >= TARGET_RATE * 0.99
        and target["p95"] <= TARGET_P95_MS
        and target["errors"] == 0
    )
    no_loss = restart["lost"] == 0 and restart["duplicated"] == 0
    lines += [
        "",
        (
            f"Restart run (Ashyq at {rates[0]:g}/s, SIGKILL after {args.seconds / 2:g} s, started "
            f"again on the same port, down {restart['down']:.1f} s): {restart['sent']} ratings "
            f"sent, {restart['acknowledged']} acknowledged, {restart['stored']} stored "
            f"({restart['distinct']} distinct idempotency keys), {restart['retries']} retries "
            f"by the generator; lost {restart['lost']}, stored twice {restart['duplicated']}; "
            f"p95 over the whole run {restart['p95']:.0f} ms, max {restart['max']:.0f} ms "
            "(the ratings sent while the server was down waited for it)."
        ),
        "",
        (
            f"Verdict against the target (≥ {TARGET_RATE:g} ratings/s with p95 ≤ "
            f"{TARGET_P95_MS:g} ms, no rating lost across a restart): throughput and latency "
            f"{met(ok)} ({target['rate']:.1f}/s, p95 {target['p95']:.1f} ms, "
            f"{target['errors']} errors); no loss across the restart {met(no_loss)}."
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="500,1000")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--points", type=int, default=400)
    parser.add_argument("--quiet", type=float, default=0.5)
    parser.add_argument("--patience", type=float, default=60.0)
    parser.add_argument("--servers", default=",".join(SERVERS), help="Which servers to load.")
    parser.add_argument("--no-restart", action="store_true", help="Skip the restart run.")
    parser.add_argument("--write-docs", action="store_true")
    # The load generator's own options.
    parser.add_argument("--generate", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--keys", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, help=argparse.SUPPRESS)
    parser.add_argument("--tag", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.generate:
        keys = json.loads(args.keys.read_text(encoding="utf-8"))
        result = asyncio.run(
            _generate(args.generate, keys, args.rate, args.seconds, args.connections, args.tag)
        )
        args.out.write_text(json.dumps(result), encoding="utf-8")
        return

    rates = [float(r) for r in args.rates.split(",")]
    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder) / "home"
        home.mkdir()
        print(f"preparing {args.points} service points …", flush=True)
        keys = prepare(home, args.points)
        keys_file = Path(folder) / "keys.json"
        keys_file.write_text(json.dumps(keys), encoding="utf-8")
        naive = Path(folder) / "naive.sqlite3"
        naive_database(naive)
        env = {
            "ASHYQ_HOME": str(home),
            KEYS_ENV: str(keys_file),
            DATABASE_ENV: str(naive),
        }
        os.environ.pop("ASHYQ_DATABASE_URL", None)
        scratch = Path(folder) / "scratch"
        scratch.mkdir()
        setup = Setup(home, keys_file, env, scratch)
        servers = args.servers.split(",")
        results = {
            (name, rate): measure(name, rate, setup, args) for rate in rates for name in servers
        }
        if args.no_restart or (args.write_docs is False and servers != list(SERVERS)):
            return
        restart = restart_run(rates[0], setup, args)
    text = report(results, restart, args, rates)
    print(text)
    if args.write_docs:
        docs = ROOT / "docs" / "benchmarks.md"
        with docs.open("a", encoding="utf-8") as out:
            out.write("\n" + text)
        print(f"appended to {docs}")


if __name__ == "__main__":
    main()
