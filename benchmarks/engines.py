"""Record analytics on three engines: embedded DuckDB, Spark local, a Spark cluster.

Run from the repository root::

    .venv/bin/python benchmarks/engines.py [--work appeals|detection] [--scale 1.0]
        [--repeat 2] [--cluster]

``--work appeals`` (the default) measures the appeals counts, on one year and ten;
``--work detection`` measures the public-service violation registry on one year.

The work measured is what ``ashyq appeals indicators --period 2025`` does with its records:
``open_period`` on the engine's Ibis backend, then ``body_counts``. The data is
``benchmarks/appeals.py``'s: the synthetic national year (5,882,116 appeals at scale 1.0),
written and ingested once into ``--data`` (default ``benchmarks/.data/``) and reused.

The engines:

- ``duckdb``: the embedded engine, ``ashyq.records.engine.embedded()`` (DuckDB within
  ``ASHYQ_MEMORY_LIMIT``, 1GiB by default, one thread per core unless ``ASHYQ_THREADS``).
  The baseline: every other engine's counts must equal its counts.
- ``spark-local``: a Spark session inside the measured process,
  ``ibis.pyspark.connect(engine.spark_session("local[2]"))``.
- ``spark-cluster``: a Spark standalone cluster at ``--master`` (default
  ``spark://127.0.0.1:7077``), with ``--cluster`` only. When nothing listens there, the
  script starts one with ``scripts/spark-cluster start`` (a master and one worker with
  ``--cluster-cores`` cores) and stops it at the end; when it cannot be used, the engine is
  skipped with a note in the report.

The cases, for each engine:

- ``year``: ``open_period(period, con=<backend>, store=RecordStore(home))`` and
  ``body_counts``: the national year, one warm-up then ``--repeat`` timed runs, the median
  reported. Each run opens a new Ibis backend, as each command does (DuckDB: a new
  in-memory database; Spark: a new Ibis backend on the process's one session).
- ``decade``: the year's stored files read ten times over through the same enrichment and
  count expressions (DuckDB: one read of the file list ×10, as ``benchmarks/appeals.py``;
  Spark: a union of ten reads of the year's glob). Its counts must be exactly ten times
  the year's. ``--decade-repeat`` timed runs after the warm-up ``--decade-warmup`` names:
  ``year`` (default: one untimed one-year run, which starts the engine's code paths and
  warms the page cache at a tenth of a decade's cost), ``decade`` or ``none``.

Each engine × case runs in a child process of its own, so its peak memory is its own: the
peak resident set size of that child (``ru_maxrss`` from ``wait4``). For Spark the driver
JVM is a child of that process; the child reaps it before it exits, so the figure is the
larger of the Python process's and the driver JVM's peaks, and the driver JVM's own peak
(``VmHWM``) is reported beside it. A cluster's executor JVM is not a child of it (the
worker starts it); the child samples its ``VmHWM`` every 0.5 s and reports the maximum.

With ``--work detection``, the work is what ``ashyq services violations --period 2025``
does: ``services.detect.open_period`` on the engine's Ibis backend, then ``detect``, its
registry written to Parquet (Spark writes a folder of parts). The data is
``benchmarks/services.py``'s synthetic year of deliveries at ``--scale`` (0.1: 29 M
deliveries), built once into ``--data`` and reused. There is only the one-year case. Every
engine's registry must hold the same violations per type and body as DuckDB's.

A section with the figures and the machine's description is appended to ``--report``
(default ``docs/benchmarks.md``).
"""

from __future__ import annotations

import argparse
import atexit
import importlib.metadata
import json
import os
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import appeals as appeals_bench
import harness
import services as services_bench
from harness import gib, machine, machine_table

if TYPE_CHECKING:
    import ibis

ROOT = Path(__file__).resolve().parents[1]
CLUSTER_SCRIPT = ROOT / "scripts" / "spark-cluster"
DECADE = appeals_bench.DECADE
LOCAL_MASTER = "local[2]"
LOCAL_CORES = 2
DEFAULT_MASTER = "spark://127.0.0.1:7077"
SAMPLE_SECONDS = 0.5
EXECUTOR_CLASS = "CoarseGrainedExecutorBackend"

Counts = dict[str, dict[str, int]]

# Each engine: what it is.
ENGINES: dict[str, str] = {
    "duckdb": "embedded DuckDB (`engine.embedded()`)",
    "spark-local": f"Spark `{LOCAL_MASTER}` in the process",
    "spark-cluster": "Spark standalone cluster",
}
# Each case: how many years of records it reads.
CASES: dict[str, int] = {"year": 1, "decade": DECADE}
# Each work: the cases it is measured on.
WORKS: dict[str, tuple[str, ...]] = {"appeals": ("year", "decade"), "detection": ("year",)}


# --- In the child: the engines ----------------------------------------------------------


def _status_kib(pid: int, field: str) -> int | None:
    """A ``/proc/<pid>/status`` field in KiB (``VmHWM``, ``VmRSS``); None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    return None


class ExecutorPeak:
    """The peak RSS of a Spark application's executor JVMs on this machine, sampled.

    Every ``SAMPLE_SECONDS`` a background thread reads ``VmHWM`` from
    ``/proc/<pid>/status`` of every process whose command line holds
    ``CoarseGrainedExecutorBackend`` and the application's id (so that another
    application's executors are not counted), and keeps the maximum.
    """

    def __init__(self, app_id: str) -> None:
        self.app_id = app_id.encode()
        self.peak_kib = 0
        self.pids: set[int] = set()
        self.cores: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="executor-peak", daemon=True)

    def start(self) -> None:
        self.sample()
        self._thread.start()

    def stop(self) -> None:
        """Sample once more, then end the thread."""
        self.sample()
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self.sample()

    def sample(self) -> None:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                arguments = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if not any(EXECUTOR_CLASS.encode() in a for a in arguments):
                continue
            if self.app_id not in arguments:
                continue
            pid = int(entry.name)
            hwm = _status_kib(pid, "VmHWM")
            if hwm is None:
                continue
            self.pids.add(pid)
            self.peak_kib = max(self.peak_kib, hwm)
            if b"--cores" in arguments:
                self.cores[pid] = int(arguments[arguments.index(b"--cores") + 1])


class Engine:
    """One engine in the child: a new Ibis backend per run, and what to report of it."""

    def __init__(self, name: str, master: str) -> None:
        self.name = name
        self.master = master
        self.session: Any = None
        self.session_seconds: float | None = None
        self.executors: ExecutorPeak | None = None
        self.driver_peak: int | None = None

    def start(self) -> None:
        """Start the Spark session (not timed), and the executor sampler on a cluster."""
        if self.name == "duckdb":
            return
        from ashyq.records import engine

        started = time.perf_counter()
        self.session = engine.spark_session(self.master)
        self.session_seconds = time.perf_counter() - started
        if self.master.startswith("spark://"):
            self.executors = ExecutorPeak(self.session.sparkContext.applicationId)
            self.executors.start()

    def connect(self) -> ibis.BaseBackend:
        if self.name == "duckdb":
            from ashyq.records import engine

            return engine.embedded()
        import ibis

        return ibis.pyspark.connect(self.session)

    def release(self, con: ibis.BaseBackend) -> None:
        """After a run: close a DuckDB database (a Spark backend's disconnect would stop
        the session, which the next run uses)."""
        if self.name == "duckdb":
            con.disconnect()

    def cores(self) -> int:
        """The cores the engine computes with (DuckDB's threads, Spark's executor cores)."""
        if self.name == "duckdb":
            from ashyq.settings import settings

            return settings().threads or os.cpu_count() or 1
        if self.executors is not None and self.executors.cores:
            return sum(self.executors.cores.values())
        return int(self.session.sparkContext.defaultParallelism)

    def stop(self) -> None:
        """Stop the session, then end the driver JVM and reap it, so that its peak counts in
        this process's ``ru_maxrss``; its own peak is kept in ``driver_peak``."""
        if self.session is None:
            return
        from pyspark import SparkContext

        if self.executors is not None:
            self.executors.stop()
        gateway: Any = SparkContext._gateway
        process = getattr(gateway, "proc", None)
        self.session.stop()
        atexit.unregister(self.session.stop)  # stopped already; the JVM is about to go
        if process is None:
            return
        hwm = _status_kib(process.pid, "VmHWM")
        self.driver_peak = hwm * 1024 if hwm is not None else None
        gateway.shutdown()
        SparkContext._gateway = None
        SparkContext._jvm = None
        # The gateway JVM exits when its standard input closes.
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- In the child: the work -------------------------------------------------------------


def _period() -> Any:
    return appeals_bench._period()


def year_counts(engine: Engine, home: Path) -> Counts:
    """What ``ashyq appeals indicators`` computes: ``open_period`` and ``body_counts``."""
    from ashyq.appeals.pipeline import body_counts, open_period
    from ashyq.records.store import RecordStore

    con = engine.connect()
    try:
        counts: Counts = body_counts(open_period(_period(), con=con, store=RecordStore(home)))
    finally:
        engine.release(con)
    return counts


def registry_counts(engine: Engine, home: Path) -> Counts:
    """What ``ashyq services violations`` computes: the registry of the year, written to
    Parquet; the violations it holds per body and type."""
    import pyarrow.parquet as pq

    from ashyq.periods import Period
    from ashyq.records.store import RecordStore
    from ashyq.services.detect import detect, open_period

    con = engine.connect()
    try:
        data = open_period(Period.parse(str(services_bench.YEAR)), con, RecordStore(home))
        with tempfile.TemporaryDirectory() as scratch:
            out = Path(scratch) / "violations.parquet"
            con.to_parquet(detect(data), out)
            table = pq.read_table(out, columns=["provider_body", "violation_type"])
    finally:
        engine.release(con)
    counts: Counts = {}
    for row in (
        table.group_by(["provider_body", "violation_type"])
        .aggregate([([], "count_all")])
        .to_pylist()
    ):
        body = counts.setdefault(row["provider_body"], {})
        body[row["violation_type"]] = int(row["count_all"])
    return {body: dict(sorted(found.items())) for body, found in sorted(counts.items())}


def _deliveries(home: Path) -> int:
    """How many deliveries the year's stored files hold."""
    import pyarrow.parquet as pq

    files = (home / "store" / "deliveries" / str(services_bench.YEAR)).glob("*.parquet")
    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


def _repeated(con: ibis.BaseBackend, files: list[Path], times: int) -> ibis.Table:
    """The records of ``files`` read ``times`` over, as one table of ``con``."""
    import ibis

    if con.name == "duckdb":
        # As benchmarks/appeals.py's decade: one read of the list of files, ten times over.
        return con.read_parquet([str(f) for f in files] * times)
    # PySpark's reader takes one path: a union of ten reads of the year's glob.
    glob = str(files[0].parent / "*.parquet")
    return ibis.union(*[con.read_parquet(glob) for _ in range(times)], distinct=False)


def decade_counts(engine: Engine, home: Path, times: int = DECADE) -> Counts:
    """The year's files read ``times`` over, through the same enrichment and counts."""
    from ashyq.appeals.indicators import (
        calendar_tables,
        enrich_appeals,
        enrich_bookings,
        indicator_counts,
    )
    from ashyq.records.backend import small_table

    appeals_files, bookings_files = appeals_bench._files(home)
    period = _period()
    suffix = period.name.lower()
    con = engine.connect()
    try:
        tables = calendar_tables(period)
        days = small_table(con, f"calendar_days_{suffix}", tables.days)
        working_days = small_table(con, f"calendar_working_days_{suffix}", tables.working_days)
        rules = small_table(con, "deadline_rules", tables.rules)
        enriched = {
            "appeals": enrich_appeals(
                _repeated(con, appeals_files, times), days, working_days, rules
            ),
            "bookings": enrich_bookings(_repeated(con, bookings_files, times), days),
        }
        counts: Counts = {}
        for table in indicator_counts(enriched).values():
            for row in con.to_pyarrow(table).to_pylist():
                body = row.pop("body")
                counts.setdefault(body, {}).update({k: int(v or 0) for k, v in row.items()})
    finally:
        engine.release(con)
    return dict(sorted(counts.items()))


def _decade_runs(
    name: str, run: Callable[[], Counts], warm_up: Callable[[], object] | None, repeat: int
) -> tuple[Counts, list[float]]:
    """``warm_up`` once (untimed, if any), then ``repeat`` timed runs that must agree."""
    if warm_up is not None:
        warm_up()
    counts: Counts | None = None
    seconds: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        again = run()
        seconds.append(time.perf_counter() - started)
        if counts is not None and again != counts:
            raise AssertionError(f"{name}: two runs gave different results")
        counts = again
    assert counts is not None
    return counts, seconds


def measure(
    name: str,
    target: Path,
    repeat: int,
    decade_repeat: int,
    decade_warmup: str,
    master: str,
    work: str = "appeals",
) -> dict[str, Any]:
    """In the child: one engine × case, timed, with what its peaks and cores were."""
    engine_name, case = name.rsplit("-", 1)
    engine = Engine(engine_name, LOCAL_MASTER if engine_name == "spark-local" else master)
    engine.start()
    try:
        if work == "detection":
            counts, seconds = harness.timed_runs(
                name, lambda: registry_counts(engine, target), repeat
            )
        elif case == "year":
            counts, seconds = harness.timed_runs(name, lambda: year_counts(engine, target), repeat)
        elif decade_warmup == "decade":
            counts, seconds = harness.timed_runs(
                name, lambda: decade_counts(engine, target), decade_repeat
            )
        else:
            warm_up = (lambda: year_counts(engine, target)) if decade_warmup == "year" else None
            counts, seconds = _decade_runs(
                name, lambda: decade_counts(engine, target), warm_up, decade_repeat
            )
        cores = engine.cores()
    finally:
        engine.stop()
    executors = engine.executors
    if work == "detection":
        rows = {"deliveries": _deliveries(target)}
    else:
        appeals_files, bookings_files = appeals_bench._files(target)
        rows = {
            "appeals": appeals_bench._rows(appeals_files),
            "bookings": appeals_bench._rows(bookings_files),
        }
    from ashyq.settings import settings

    return {
        "seconds": seconds,
        "counts": counts,
        "rows": rows,
        "cores": cores,
        "master": engine.master if engine_name != "duckdb" else None,
        "memory_limit": settings().memory_limit,
        "session_seconds": engine.session_seconds,
        "driver_peak": engine.driver_peak,
        "executor_peak": executors.peak_kib * 1024 if executors and executors.pids else None,
        "executors": len(executors.pids) if executors else None,
    }


# --- In the parent: the cluster ---------------------------------------------------------


def _address(master: str) -> tuple[str, int]:
    parts = urlsplit(f"//{master.removeprefix('spark://')}")
    return parts.hostname or "127.0.0.1", parts.port or 7077


def _listening(master: str) -> bool:
    try:
        with socket.create_connection(_address(master), timeout=2):
            return True
    except OSError:
        return False


class Cluster:
    """The standalone cluster of ``--cluster``: used if it answers, else started here (and
    then stopped by ``stop``)."""

    def __init__(self, master: str, cores: int) -> None:
        self.master = master
        self.cores = cores
        self.started = False
        host, port = _address(master)
        self.port = port
        self.local = host in ("127.0.0.1", "localhost")

    def _script(self, action: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "SPARK_MASTER_PORT": str(self.port),
            "SPARK_WORKER_CORES": str(self.cores),
        }
        return subprocess.run(
            [str(CLUSTER_SCRIPT), action],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )

    def start(self) -> str | None:
        """Make the cluster usable; None when it is, else why it is not."""
        if _listening(self.master):
            print(f"using the Spark cluster already at {self.master}", flush=True)
            return None
        if not self.local:
            return f"no Spark master answers at {self.master}"
        print(f"starting a Spark cluster at {self.master} …", flush=True)
        self.started = True  # whatever part of it started is stopped at the end
        done = self._script("start")
        if done.returncode != 0:
            reason = (done.stderr.strip().splitlines() or ["no message"])[-1]
            return f"`scripts/spark-cluster start` failed (exit code {done.returncode}): {reason}"
        return None

    def stop(self) -> None:
        """Stop the cluster if this script started it, and wait until its port is free."""
        if not self.started:
            return
        print(f"stopping the Spark cluster at {self.master} …", flush=True)
        self._script("stop")
        for _ in range(60):
            if not _listening(self.master):
                return
            time.sleep(1)
        print(f"warning: something still listens at {self.master}", flush=True)


# --- In the parent: running, checking, reporting ----------------------------------------


def run_child(name: str, home: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Run one engine × case in a child process; its results and its peak RSS."""
    options = (
        "--repeat",
        str(args.repeat),
        "--decade-repeat",
        str(args.decade_repeat),
        "--decade-warmup",
        args.decade_warmup,
        "--master",
        args.master,
        "--work",
        args.work,
    )
    return harness.run_child(Path(__file__).resolve(), name, home, *options)


def _check(name: str, expected: Counts, found: Counts, what: str) -> None:
    """Fail loudly unless ``found`` equals ``expected``: every body, every count."""
    mismatches = appeals_bench._differences(expected, found)
    if mismatches:
        raise SystemExit(f"{name} disagrees with {what}:\n" + "\n".join(mismatches[:50]))


def _java_version() -> str:
    try:
        done = subprocess.run(
            ["java", "-version"], capture_output=True, text=True, check=False, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        return f"not available ({error})"
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[0] if lines else "unknown"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def _warmup_text(warmup: str, repeat: int) -> str:
    runs = f"{repeat} timed run{'s' if repeat != 1 else ''}"
    if warmup == "year":
        return (
            f"{runs}, after one untimed run of the one-year case in the same process (no "
            "ten-year warm-up)"
        )
    if warmup == "decade":
        return f"{runs}, after one untimed ten-year warm-up"
    return f"{runs}, with no warm-up at all"


def report(
    command: str,
    args: argparse.Namespace,
    built: dict[str, Any],
    results: dict[str, dict[str, Any]],
    notes: list[str],
) -> str:
    """The Markdown section appended to the benchmarks document."""
    rows = results["duckdb-year"]["rows"]
    per_year = sum(rows.values())
    baseline = results["duckdb-year"]
    common = (
        "A Spark session is started in the child before its first run and is not timed. "
        "Every variant runs in a child process of its own. "
        "*Peak RSS* is that child's `ru_maxrss` from `wait4`, warm-up included: for Spark "
        "the child stops the session and reaps the driver JVM (its child) before it exits, "
        "so the figure is the larger of the Python process's and the driver JVM's peaks "
        "(not their sum). *Driver JVM* is that JVM's own `VmHWM`, read before it ended "
        "(with `local[2]` the tasks run in it too). *Executor* is the cluster's executor "
        "JVM (started by the worker, not a child of the measured process): the maximum "
        f"of its `VmHWM`, sampled every {SAMPLE_SECONDS:g} s. "
    )
    if args.work == "detection":
        title = "Violation detection on three engines: DuckDB, Spark local, Spark cluster"
        method = (
            f"`{command}`: the synthetic year of deliveries of `benchmarks/services.py` "
            f"(scale {args.scale:g}, seed {built['seed']}, {rows['deliveries']:,} "
            "deliveries), built into a data home once. Each engine runs what `ashyq "
            "services violations --period 2025` computes: `open_period(period, "
            "con=<backend>, store=...)`, then `detect`, its registry written to Parquet, a "
            "new Ibis backend per run. One warm-up then "
            f"{args.repeat} timed run{'s' if args.repeat != 1 else ''}, the median "
            f"reported. {common}*Records* are deliveries; *per core* divides the "
            "deliveries a second by the cores the engine computed with (DuckDB's threads, "
            "the `local[2]` threads, the executor's cores); *× DuckDB* is the median's "
            "ratio to DuckDB's median."
        )
    else:
        title = "Appeals on three engines: DuckDB, Spark local, Spark cluster"
        decade_runs = _warmup_text(args.decade_warmup, args.decade_repeat)
        method = (
            f"`{command}`: the synthetic national year of `benchmarks/appeals.py` (seed "
            f"{built['seed']}, {rows['appeals']:,} appeals and {rows['bookings']:,} "
            "bookings), ingested into the store once. Each engine runs what `ashyq appeals "
            "indicators --period 2025` computes, `open_period(period, con=<backend>, "
            "store=...)` then `body_counts`, a new Ibis backend per run. One year: one "
            f"warm-up then {args.repeat} timed run{'s' if args.repeat != 1 else ''}, the "
            "median reported. Ten years: the year's stored files read ten times over "
            "through the same enrichment and count expressions (DuckDB: one read of the "
            "file list ×10; Spark: a union of ten reads of the year's glob); "
            f"{decade_runs}. {common}*Records* are appeals and bookings; *per core* "
            "divides the records a second by the cores the engine computed with (DuckDB's "
            "threads, the `local[2]` threads, the executor's cores); *× DuckDB* is the "
            "median's ratio to DuckDB's median of the same case."
        )
    details = machine()
    today = f"{datetime.now():%Y-%m-%d}"
    header = (
        "| Engine | Case | Records | Median | Runs | × DuckDB | Cores | Records/s per core "
        "| Peak RSS | Driver JVM | Executor |"
    )
    details["PySpark"] = _version("pyspark")
    details["Java"] = _java_version()
    lines = [
        "",
        f"## {title} ({today})",
        "",
        method,
        "",
        *machine_table(details),
        "",
        header,
        "|---|---|---:|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, result in results.items():
        engine_name, case = name.rsplit("-", 1)
        records = per_year * CASES[case]
        duckdb = results.get(f"duckdb-{case}")
        ratio = f"{result['median'] / duckdb['median']:.1f}×" if duckdb else "—"
        runs = ", ".join(f"{s:.2f}" for s in result["seconds"])
        rate = records / result["median"] / result["cores"]
        driver = gib(result["driver_peak"]) if result.get("driver_peak") else "—"
        executor = gib(result["executor_peak"]) if result.get("executor_peak") else "—"
        lines.append(
            f"| {engine_name} | {case} | {records:,} | {result['median']:.2f} s | {runs} "
            f"| {ratio} | {result['cores']} | {rate:,.0f} | {gib(result['peak_rss'])} "
            f"| {driver} | {executor} |"
        )
    lines += [
        "",
        (
            f"- DuckDB: memory limit {baseline['memory_limit']} (`ASHYQ_MEMORY_LIMIT`), "
            f"{baseline['cores']} threads."
        ),
    ]
    for name, result in results.items():
        if result.get("session_seconds") is not None:
            executors = (
                f", {result['executors']} executor JVM(s) seen"
                if result.get("executors") is not None
                else ""
            )
            lines.append(
                f"- {name}: Spark session at `{result['master']}` started in "
                f"{result['session_seconds']:.1f} s (not timed); the Python process's own "
                f"peak (`VmHWM`) {gib(result['high_water_mark'])}{executors}."
            )
    if notes:
        lines += [f"- {note}" for note in notes]
    return "\n".join(lines) + "\n"


def _command(args: argparse.Namespace) -> str:
    parts = ["benchmarks/engines.py", f"--work {args.work}", f"--scale {args.scale:g}"]
    parts.append(f"--repeat {args.repeat}")
    if args.work == "appeals":
        parts += [
            f"--decade-repeat {args.decade_repeat}",
            f"--decade-warmup {args.decade_warmup}",
        ]
    if args.cluster:
        parts.append("--cluster")
        if args.master != DEFAULT_MASTER:
            parts.append(f"--master {args.master}")
    return " ".join(parts)


def main(argv: list[str] | None = None) -> None:
    """Prepare the data, measure every engine and case, check them against DuckDB, report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--work",
        choices=tuple(WORKS),
        default="appeals",
        help="the appeals counts (one year and ten), or the violation registry (one year)",
    )
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: the national year")
    parser.add_argument("--repeat", type=int, default=2, help="timed one-year runs")
    parser.add_argument("--decade-repeat", type=int, default=1, help="timed ten-year runs")
    parser.add_argument(
        "--decade-warmup",
        choices=("year", "decade", "none"),
        default="year",
        help="before the timed ten-year runs: one one-year run (default), one ten-year run, "
        "or nothing",
    )
    parser.add_argument("--cluster", action="store_true", help="also the standalone cluster")
    parser.add_argument("--master", default=DEFAULT_MASTER, help="the cluster's master URL")
    parser.add_argument(
        "--cluster-cores", type=int, default=2, help="the worker's cores, if started here"
    )
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / ".data")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    harness.child_options(parser)
    args = parser.parse_args(argv)
    if args.measure:
        result = measure(
            args.measure,
            args.target,
            args.repeat,
            args.decade_repeat,
            args.decade_warmup,
            args.master,
            args.work,
        )
        result["high_water_mark"] = harness.high_water_mark()
        args.out.write_text(json.dumps(result), encoding="utf-8")
        return

    started = time.perf_counter()
    if args.work == "detection":
        built = services_bench.prepare(args.data, args.scale, services_bench.SAMPLE_ROWS)
        home = services_bench._home(args.data, args.scale)
    else:
        built = appeals_bench.prepare(args.data, args.scale)
        home = appeals_bench._scale_dir(args.data, args.scale) / "home"
    cases = WORKS[args.work]
    results: dict[str, dict[str, Any]] = {}
    notes: list[str] = []

    def run_engine(engine_name: str) -> None:
        year = results.get("duckdb-year", {}).get("counts")
        for case in cases:
            name = f"{engine_name}-{case}"
            results[name] = run_child(name, home, args)
            found = results[name]["counts"]
            if case == "year" and year is not None:
                _check(name, year, found, "DuckDB's year")
            if case == "decade":
                year = results["duckdb-year"]["counts"]
                tenfold = {b: {k: v * DECADE for k, v in c.items()} for b, c in year.items()}
                _check(name, tenfold, found, "ten times DuckDB's year")

    run_engine("duckdb")
    run_engine("spark-local")
    notes.append(
        "Every engine's registry holds the same violations per body and type as DuckDB's."
        if args.work == "detection"
        else "Every engine's per-body counts equal DuckDB's, every body and every count; "
        "every ten-year count is exactly ten times the year's."
    )
    if args.cluster:
        cluster = Cluster(args.master, args.cluster_cores)
        try:
            problem = cluster.start()
            if problem is None:
                try:
                    run_engine("spark-cluster")
                except SystemExit as failure:
                    # A child that could not run is a skip; a disagreement is not.
                    if "failed with exit code" not in str(failure):
                        raise
                    problem = f"{failure} (its error is in the run's output)"
                    for case in cases:
                        results.pop(f"spark-cluster-{case}", None)
            if problem is not None:
                notes.append(f"spark-cluster was skipped: {problem}.")
            elif cluster.started:
                notes.append(
                    f"spark-cluster: started by this run with `scripts/spark-cluster start` "
                    f"(a master and one worker with {args.cluster_cores} cores and "
                    f"{os.environ.get('SPARK_WORKER_MEMORY', '2g')}, "
                    f"on this machine) and stopped after it."
                )
            else:
                notes.append(
                    f"spark-cluster: the cluster already running at `{args.master}` (not "
                    "started by this run)."
                )
        finally:
            cluster.stop()
    else:
        notes.append("spark-cluster was not run (no `--cluster`).")
    notes.append(f"The whole run, data preparation included, took {_minutes(started)}.")

    section = report(_command(args), args, built, results, notes)
    with args.report.open("a", encoding="utf-8") as document:
        document.write(section)
    print(section)


def _minutes(started: float) -> str:
    seconds = time.perf_counter() - started
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


if __name__ == "__main__":
    main()
