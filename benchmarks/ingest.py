"""The streaming ingest of a national year of appeals against a bare DuckDB copy.

Run from the repository root::

    .venv/bin/python benchmarks/ingest.py [--scale 1.0] [--repeat 1] [--data DIR]
        [--memory-limit SIZE] [--only parquet,csv,decade] [--report]

The synthetic year (5,882,116 appeals at scale 1.0) is the file ``benchmarks/appeals.py``
writes, ``DATA/scale-X/in/appeals-2025.parquet``, synthesised here the same way when it
is missing. Two copies are made once beside it and reused afterwards: the year as CSV
(``in/appeals-2025.csv``, written by DuckDB), and ten years
(``decade/appeals-2016.parquet`` … ``appeals-2025.parquet``: the year with every date
and timestamp shifted by whole years).

Each measured variant runs in a child process of its own, so its peak memory is that
child's peak resident set size (``ru_maxrss`` from ``wait4``). Ingest writes, so there is
no warm-up: each of the ``--repeat`` timed runs starts from an empty folder (a fresh
``ASHYQ_HOME`` for Ashyq), removed afterwards. The file read is first read once by the
parent, so that the page cache holds it for the baseline and Ashyq alike.

- ``bare-parquet``: DuckDB with its defaults copies the Parquet file to one Parquet file
  per body (``COPY … (FORMAT parquet, PARTITION_BY (body))``): the baseline.
- ``ashyq-parquet``: ``ashyq.records.ingest.ingest`` of the same file for 2025: read,
  validate, quarantine, write by body, reconcile, within ``ASHYQ_MEMORY_LIMIT``.
- ``bare-csv``, ``ashyq-csv``: the same on the CSV copy.
- ``ashyq-year-YYYY``: the ten years ingested one after another, a child for each, into
  one data home that grows; the target is that the peak memory stays flat.
- ``bare-deliveries``, ``ashyq-deliveries`` (``--only deliveries``): the national year of
  public-service deliveries (292.5 M records at scale 1.0) as twelve monthly Parquet
  files, ``DATA/scale-X/deliveries/deliveries-2025-MM.parquet`` from ``ashyq synth
  services --layout monthly`` (written once). The baseline copies the twelve files to
  one Parquet file per body in one COPY; Ashyq ingests them one after another, each an
  atomic run, into one data home. Then ``detect-deliveries`` ingests the other kinds
  (registry, staff, findings…) into that home and counts the violation registry on it,
  which must equal the synthesis plan.

With ``--report`` a section with the figures, the targets and the machine's description
is appended to ``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import harness
from harness import gib, machine_table, met

ROOT = Path(__file__).resolve().parents[1]
PERIOD_NAME = "2025"
YEAR = 2025
DECADE = tuple(range(2016, 2026))
GROUPS = ("parquet", "csv", "decade", "deliveries")
DECADE_HOME = "decade-home"
# The targets of the ingest (the project's issue).
TARGET_RATIO = 3.0
TARGET_PEAK_GIB = 2.0
TARGET_DELIVERIES_PEAK_GIB = 4.0
DELIVERIES_HOME = "deliveries-home"
TARGET_FLAT = 1.25
TIMESTAMP_FORMAT = "%Y-%m-%dT%H:%M:%S"


# --- Where the data lives ---------------------------------------------------------------


def _scale_dir(data: Path, scale: float) -> Path:
    return data / f"scale-{scale:g}"


def _year_parquet(directory: Path) -> Path:
    return directory / "in" / f"appeals-{PERIOD_NAME}.parquet"


def _year_csv(directory: Path) -> Path:
    return directory / "in" / f"appeals-{PERIOD_NAME}.csv"


def _decade_file(directory: Path, year: int) -> Path:
    return directory / "decade" / f"appeals-{year}.parquet"


def _deliveries_dir(directory: Path) -> Path:
    return directory / "deliveries"


def _months(directory: Path) -> list[Path]:
    return [
        _deliveries_dir(directory) / f"deliveries-{YEAR}-{month:02d}.parquet"
        for month in range(1, 13)
    ]


def _work(directory: Path) -> Path:
    return directory / "work"


def _quoted(path: Path) -> str:
    """``path`` as a SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


# --- The data: written once, in children ------------------------------------------------


def synthesize(directory: Path, scale: float) -> dict[str, Any]:
    """In a child: the synthetic year, as ``benchmarks/appeals.py`` writes it."""
    import appeals

    result: dict[str, Any] = appeals.synthesize(directory, scale)
    return result


def write_csv(parquet: Path) -> dict[str, Any]:
    """In a child: the year as CSV beside its Parquet file (written whole, then renamed)."""
    import duckdb

    target = parquet.with_suffix(".csv")
    partial = target.with_name(target.name + ".partial")
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute(
        f"COPY (SELECT * FROM read_parquet({_quoted(parquet)})) TO {_quoted(partial)} "
        f"(HEADER, TIMESTAMPFORMAT '{TIMESTAMP_FORMAT}')"
    )
    con.close()
    partial.replace(target)
    return {"seconds": [time.perf_counter() - started]}


def write_decade(parquet: Path, directory: Path) -> dict[str, Any]:
    """In a child: ten years, the year's records with every date and timestamp shifted by
    the whole years between 2025 and each year (each written whole, then renamed)."""
    import duckdb

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    source = f"read_parquet({_quoted(parquet)})"
    columns = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
    for year in DECADE:
        shift = year - YEAR
        selected = []
        for name, kind, *_ in columns:
            column = '"' + str(name).replace('"', '""') + '"'
            if kind == "DATE" or str(kind).startswith("TIMESTAMP"):
                # DATE + INTERVAL is a TIMESTAMP: cast back to the column's own type.
                selected.append(f"CAST({column} + INTERVAL ({shift}) YEAR AS {kind}) AS {column}")
            else:
                selected.append(column)
        target = _decade_file(directory, year)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".partial")
        con.execute(
            f"COPY (SELECT {', '.join(selected)} FROM {source}) TO {_quoted(partial)} "
            "(FORMAT parquet)"
        )
        partial.replace(target)
    con.close()
    return {"seconds": [time.perf_counter() - started]}


def synthesize_deliveries(directory: Path, scale: float) -> dict[str, Any]:
    """The year of public services, the deliveries in monthly files (``--layout monthly``)."""
    from ashyq.synth.services import synthesize_services

    started = time.perf_counter()
    result = synthesize_services(YEAR, scale, 0, directory, layout="monthly")
    return {"seconds": [time.perf_counter() - started], "deliveries": result.deliveries}


# --- The variants, each in a child ------------------------------------------------------


def bare_deliveries(directory: Path, work: Path, repeat: int) -> dict[str, Any]:
    """DuckDB with its defaults: the twelve monthly files to one Parquet file per body, in
    one COPY."""
    files = "read_parquet([" + ", ".join(_quoted(path) for path in _months(directory)) + "])"
    return _bare(files, files, "provider_body", work, repeat, "the deliveries")


def ashyq_deliveries(directory: Path, work: Path, repeat: int) -> dict[str, Any]:
    """The twelve monthly files ingested one after another into one data home; the last
    run's home is kept for ``detect-deliveries``."""
    import pyarrow.parquet as pq

    from ashyq.periods import Period
    from ashyq.records.ingest import ingest
    from ashyq.services.model import KINDS
    from ashyq.settings import settings

    months = _months(directory)
    rows = sum(pq.read_metadata(path).num_rows for path in months)
    home = work / DELIVERIES_HOME
    seconds: list[float] = []
    per_month: list[float] = []
    totals: dict[str, int] = {}
    for _ in range(repeat):
        shutil.rmtree(home, ignore_errors=True)
        os.environ["ASHYQ_HOME"] = str(home)
        totals = {"read": 0, "stored": 0, "quarantined": 0, "replaced": 0}
        per_month = []
        started = time.perf_counter()
        for path in months:
            began = time.perf_counter()
            report = ingest(path, Period.parse(PERIOD_NAME), KINDS)
            per_month.append(time.perf_counter() - began)
            if not report.reconciles:
                raise SystemExit(f"{path}: the counts do not reconcile")
            totals["read"] += report.read
            totals["stored"] += report.stored
            totals["quarantined"] += report.quarantined
            totals["replaced"] += report.replaced
        seconds.append(time.perf_counter() - started)
    if totals["read"] != rows or totals["stored"] != rows:
        raise SystemExit(f"the deliveries: {totals}, not {rows} records read and stored")
    config = settings()
    return {
        "seconds": seconds,
        "rows": rows,
        **totals,
        "per_month": per_month,
        "memory_limit": config.memory_limit,
        "threads": config.threads or os.cpu_count(),
    }


def detect_deliveries(directory: Path, work: Path) -> dict[str, Any]:
    """The other kinds ingested into the deliveries' home, then the violation registry
    counted there; it must equal the synthesis plan."""
    import pyarrow.parquet as pq

    from ashyq.periods import Period
    from ashyq.records.ingest import ingest
    from ashyq.services.detect import detect, open_period
    from ashyq.services.model import KINDS

    home = work / DELIVERIES_HOME
    os.environ["ASHYQ_HOME"] = str(home)
    period = Period.parse(PERIOD_NAME)
    months = set(_months(directory))
    for path in sorted(_deliveries_dir(directory).glob("*.parquet")):
        if path not in months:
            ingest(path, period, KINDS)
    planned = pq.read_metadata(
        _deliveries_dir(directory) / "plan" / f"planned-violations-{YEAR}.parquet"
    ).num_rows
    started = time.perf_counter()
    data = open_period(period)
    found = int(data.con.execute(detect(data, "en").count()))
    seconds = time.perf_counter() - started
    shutil.rmtree(home, ignore_errors=True)
    if found != planned:
        raise SystemExit(f"detection found {found} violations, the plan has {planned}")
    return {"seconds": [seconds], "violations": found}


def bare_copy(source: Path, work: Path, repeat: int, csv: bool) -> dict[str, Any]:
    """DuckDB with its defaults: ``source`` to one Parquet file per body."""
    parquet = source.with_suffix(".parquet")
    reader = (
        f"read_csv({_quoted(source)}, header = true)" if csv else f"read_parquet({_quoted(source)})"
    )
    return _bare(reader, f"read_parquet({_quoted(parquet)})", "body", work, repeat, str(source))


def _bare(
    reader: str, counter: str, body: str, work: Path, repeat: int, what: str
) -> dict[str, Any]:
    """``COPY (SELECT * FROM reader) … PARTITION_BY (body)`` ``repeat`` times, each into a
    new folder removed afterwards; only the COPY is timed. Every run must write as many
    rows as ``counter`` (a typed read of the same records) holds."""
    import duckdb

    seconds: list[float] = []
    copied: list[int] = []
    expected = 0
    for _ in range(repeat):
        con = duckdb.connect()
        con.execute("set enable_progress_bar = false")
        counted = con.execute(f"SELECT count(*) FROM {counter}").fetchone()
        expected = int((counted or (-1,))[0])
        scratch = Path(tempfile.mkdtemp(prefix="bare-", dir=work))
        try:
            started = time.perf_counter()
            row = con.execute(
                f"COPY (SELECT * FROM {reader}) TO {_quoted(scratch / 'out')} "
                f"(FORMAT parquet, PARTITION_BY ({body}))"
            ).fetchone()
            seconds.append(time.perf_counter() - started)
        finally:
            con.close()
            shutil.rmtree(scratch, ignore_errors=True)
        copied.append(int(row[0]) if row else -1)
    if any(count != expected for count in copied):
        raise SystemExit(f"the bare copy of {what} wrote {copied} rows, not {expected}")
    return {
        "seconds": seconds,
        "rows": expected,
        "memory_limit": "DuckDB's default",
        "threads": os.cpu_count(),
    }


def ashyq_ingest(
    source: Path, period_name: str, work: Path, repeat: int, home: Path | None
) -> dict[str, Any]:
    """``ingest`` of ``source`` for ``period_name``; only the call is timed.

    With ``home`` None, each run has a new data home under ``work``, removed afterwards;
    otherwise every run goes into ``home``, which is kept (the ten years grow one store).
    """
    import pyarrow.parquet as pq

    from ashyq.appeals.model import KINDS
    from ashyq.periods import Period
    from ashyq.records.ingest import ingest
    from ashyq.settings import settings

    rows = pq.read_metadata(source.with_suffix(".parquet")).num_rows
    period = Period.parse(period_name)
    seconds: list[float] = []
    counts: dict[str, int] | None = None
    for _ in range(repeat):
        fresh = home is None
        run_home = home if home is not None else Path(tempfile.mkdtemp(prefix="ashyq-", dir=work))
        os.environ["ASHYQ_HOME"] = str(run_home)
        try:
            started = time.perf_counter()
            report = ingest(source, period, KINDS)
            seconds.append(time.perf_counter() - started)
        finally:
            if fresh:
                shutil.rmtree(run_home, ignore_errors=True)
        if not report.reconciles or report.read != rows:
            raise SystemExit(
                f"{source}: read {report.read} of {rows} records, stored {report.stored}, "
                f"quarantined {report.quarantined}: the counts do not reconcile"
            )
        found = {
            "read": report.read,
            "stored": report.stored,
            "quarantined": report.quarantined,
        }
        if counts is not None and found != counts:
            raise SystemExit(f"{source}: two runs gave different counts: {counts} ≠ {found}")
        counts = found
    config = settings()
    return {
        "seconds": seconds,
        "rows": rows,
        **(counts or {}),
        "memory_limit": config.memory_limit,
        "threads": config.threads or os.cpu_count(),
    }


def measure(name: str, target: Path, args: argparse.Namespace) -> dict[str, Any]:
    """In the child: run one step of the preparation or one variant."""
    if args.memory_limit:
        os.environ["ASHYQ_MEMORY_LIMIT"] = args.memory_limit
    directory = _scale_dir(args.data, args.scale)
    work = _work(directory)
    work.mkdir(parents=True, exist_ok=True)
    if name == "synthesize":
        return synthesize(target, args.scale)
    if name == "csv":
        return write_csv(target)
    if name == "decade":
        return write_decade(target, directory)
    if name in ("bare-parquet", "bare-csv"):
        return bare_copy(target, work, args.repeat, csv=name == "bare-csv")
    if name in ("ashyq-parquet", "ashyq-csv"):
        return ashyq_ingest(target, PERIOD_NAME, work, args.repeat, home=None)
    if name == "synthesize-deliveries":
        return synthesize_deliveries(target, args.scale)
    if name == "bare-deliveries":
        return bare_deliveries(target, work, args.repeat)
    if name == "ashyq-deliveries":
        return ashyq_deliveries(target, work, args.repeat)
    if name == "detect-deliveries":
        return detect_deliveries(target, work)
    if name.startswith("ashyq-year-"):
        return ashyq_ingest(target, str(args.year), work, 1, home=work / DECADE_HOME)
    raise SystemExit(f"unknown step {name}")


# --- The parent: nothing heavy imported -------------------------------------------------


def run_child(name: str, target: Path, args: argparse.Namespace, *extra: str) -> dict[str, Any]:
    """Run one step or variant in a child process; its results and its peak RSS (bytes)."""
    options = ["--repeat", str(args.repeat), "--scale", str(args.scale), "--data", str(args.data)]
    if args.memory_limit:
        options += ["--memory-limit", args.memory_limit]
    return harness.run_child(Path(__file__).resolve(), name, target, *options, *extra)


def warm(path: Path) -> None:
    """Read ``path`` once, so the page cache holds it for every variant alike."""
    buffer = bytearray(1 << 23)
    with path.open("rb", buffering=0) as handle:
        while handle.readinto(buffer):
            pass


def prepare(directory: Path, groups: set[str], args: argparse.Namespace) -> list[str]:
    """The year, its CSV copy and the ten years, each made once; what was made now."""
    made: list[str] = []
    parquet = _year_parquet(directory)
    if groups & {"parquet", "csv", "decade"} and not parquet.exists():
        directory.mkdir(parents=True, exist_ok=True)
        done = run_child("synthesize", directory, args)
        made.append(f"the year synthesised in {done['median']:.1f} s")
    if "csv" in groups and not _year_csv(directory).exists():
        done = run_child("csv", parquet, args)
        made.append(f"its CSV copy written in {done['median']:.1f} s")
    if "deliveries" in groups and not all(path.exists() for path in _months(directory)):
        _deliveries_dir(directory).mkdir(parents=True, exist_ok=True)
        done = run_child("synthesize-deliveries", _deliveries_dir(directory), args)
        made.append(f"the deliveries' year synthesised in {done['median']:.1f} s")
    if "decade" in groups and not all(_decade_file(directory, y).exists() for y in DECADE):
        done = run_child("decade", parquet, args)
        made.append(f"the ten years written in {done['median']:.1f} s")
    return made


def pair(
    label: str, source: Path, args: argparse.Namespace
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The bare copy and Ashyq's ingest of ``source``, one after the other."""
    warm(source)
    bare = run_child(f"bare-{label}", source, args)
    ashyq = run_child(f"ashyq-{label}", source, args)
    return bare, ashyq


def decade(directory: Path, args: argparse.Namespace) -> dict[int, dict[str, Any]]:
    """The ten years ingested one after another into one data home, cleared first."""
    home = _work(directory) / DECADE_HOME
    if home.exists():
        shutil.rmtree(home)
    years: dict[int, dict[str, Any]] = {}
    try:
        for year in DECADE:
            source = _decade_file(directory, year)
            warm(source)
            years[year] = run_child(f"ashyq-year-{year}", source, args, "--year", str(year))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return years


# --- The report -------------------------------------------------------------------------


def _runs(result: dict[str, Any]) -> str:
    return ", ".join(f"{s:.2f}" for s in result["seconds"])


def _limit(results: dict[str, Any], args: argparse.Namespace) -> str:
    """The memory limit Ashyq's children ran with, as they read it."""
    limits = {r["memory_limit"] for r in results.values()}
    found = ", ".join(sorted(limits)) or "(no Ashyq run)"
    if args.memory_limit:
        return f"{found} (`--memory-limit {args.memory_limit}`)"
    if "ASHYQ_MEMORY_LIMIT" in os.environ:
        return f"{found} (`ASHYQ_MEMORY_LIMIT` from the environment)"
    return f"{found} (Ashyq's default)"


def _years_title(results: dict[str, Any], years: dict[int, dict[str, Any]]) -> str:
    appeals = years or "ashyq-parquet" in results or "ashyq-csv" in results
    deliveries = "ashyq-deliveries" in results
    if appeals and deliveries:
        return "appeals and deliveries years"
    return "deliveries year" if deliveries else "appeals year"


def report(
    command: str,
    args: argparse.Namespace,
    made: list[str],
    results: dict[str, dict[str, Any]],
    years: dict[int, dict[str, Any]],
) -> str:
    """The Markdown section: the method, the targets, the ten years and the machine."""
    now = datetime.now()
    runs = {n: r for n, r in results.items() if n.startswith("ashyq") and "threads" in r}
    runs.update({f"ashyq-year-{y}": r for y, r in years.items()})
    threads = {r["threads"] for r in runs.values()}
    inputs = []
    if "ashyq-parquet" in results:
        inputs.append("as one Parquet file")
    if "ashyq-csv" in results:
        inputs.append("as one CSV file (written from the Parquet file by DuckDB)")
    if years:
        inputs.append(
            f"as {len(years)} years ({min(years)}–{max(years)}) made from it by shifting "
            "every date and timestamp by whole years"
        )
    described = []
    if inputs:
        described.append(
            "the synthetic national year of appeals (`benchmarks/appeals.py`'s, seed 0) "
            + "; ".join(inputs)
        )
    if "ashyq-deliveries" in results:
        described.append(
            "the synthetic national year of public-service deliveries as twelve monthly "
            'Parquet files (`synthesize_services(…, layout="monthly")`, seed 0), ingested '
            "one after another into one data home (the baseline copies the twelve in one "
            "COPY partitioned by `provider_body`)"
        )
    method = (
        f"`{command}`, run {now:%Y-%m-%d %H:%M}: {'; and '.join(described)}. "
        "Each variant runs in a child process of its own; "
        "its peak memory is that child's peak resident set size (`ru_maxrss` from "
        "`wait4`). Ingest writes, so there is no warm-up: each timed run "
        f"(`--repeat {args.repeat}`, the median reported) starts from an empty folder, "
        "a fresh data home for Ashyq, on the same disk; each file was read once by the "
        "parent beforehand, so the page cache held it for both. The bare copy is DuckDB with its "
        "defaults (memory limit 80% of RAM, a thread per core) writing the same records "
        "as one Parquet file per body (`COPY … (FORMAT parquet, PARTITION_BY (body))`), "
        "only the COPY timed. Ashyq runs `ashyq.records.ingest.ingest` (read, validate, "
        "quarantine, write by body, reconcile), only the call timed, with the memory "
        f"limit {_limit(runs, args)} and "
        f"{', '.join(str(t) for t in sorted(threads)) or '—'} threads."
    )
    if made:
        method += " Made by this run before the measurements: " + "; ".join(made) + "."
    title = _years_title(results, years)
    lines = [
        "",
        f"## Ingest of the national {title} (streaming, bounded memory), {now:%Y-%m-%d}",
        "",
        method,
        "",
        "| What | Bare DuckDB | Ashyq | Ratio | Peak (Ashyq) | Target | Met |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    notes: list[str] = []
    for label, title in (("parquet", "one Parquet"), ("csv", "one CSV")):
        if f"ashyq-{label}" not in results:
            continue
        bare, ashyq = results[f"bare-{label}"], results[f"ashyq-{label}"]
        ratio = ashyq["median"] / bare["median"]
        peak = ashyq["peak_rss"]
        ok = ratio <= TARGET_RATIO and peak <= TARGET_PEAK_GIB * 2**30
        lines.append(
            f"| Ingest of the national appeals year, {title} ({ashyq['rows']:,} records) "
            f"| {bare['median']:.2f} s | {ashyq['median']:.2f} s | {ratio:.2f}× "
            f"| {gib(peak)} | ≤ {TARGET_RATIO:g}× the bare copy; ≤ {TARGET_PEAK_GIB:g} GiB "
            f"peak | {met(ok)} |"
        )
        notes.append(
            f"{title}: bare copy runs {_runs(bare)} s, peak {gib(bare['peak_rss'])}; "
            f"Ashyq runs {_runs(ashyq)} s, peak {gib(peak)} (VmHWM "
            f"{gib(ashyq['high_water_mark'])}); read {ashyq['read']:,}, stored "
            f"{ashyq['stored']:,}, quarantined {ashyq['quarantined']:,}."
        )
    if "ashyq-deliveries" in results:
        bare, ashyq = results["bare-deliveries"], results["ashyq-deliveries"]
        ratio = ashyq["median"] / bare["median"]
        peak = ashyq["peak_rss"]
        ok = ratio <= TARGET_RATIO and peak <= TARGET_DELIVERIES_PEAK_GIB * 2**30
        lines.append(
            f"| Ingest of the national deliveries year, twelve monthly Parquet files "
            f"({ashyq['rows']:,} records) | {bare['median']:.2f} s | {ashyq['median']:.2f} s "
            f"| {ratio:.2f}× | {gib(peak)} | completes; ≤ {TARGET_RATIO:g}× the bare copy; "
            f"≤ {TARGET_DELIVERIES_PEAK_GIB:g} GiB peak | {met(ok)} |"
        )
        months = ", ".join(f"{s:.0f}" for s in ashyq["per_month"])
        detected = results["detect-deliveries"]
        notes.append(
            f"deliveries: bare copy runs {_runs(bare)} s, peak {gib(bare['peak_rss'])}; "
            f"Ashyq runs {_runs(ashyq)} s (the months of the last run: {months} s), peak "
            f"{gib(peak)}; read {ashyq['read']:,}, stored {ashyq['stored']:,}, replaced "
            f"{ashyq['replaced']:,}, quarantined {ashyq['quarantined']:,}. Detection on "
            f"what was ingested (after the other kinds were ingested too): "
            f"{detected['violations']:,} violations, as planned, in {detected['median']:.1f} s "
            f"at a peak of {gib(detected['peak_rss'])}."
        )
    if years:
        peaks = [r["peak_rss"] for r in years.values()]
        first, last = peaks[0], peaks[-1]
        growth, spread = last / first, max(peaks) / min(peaks)
        total = sum(r["median"] for r in years.values())
        lines.append(
            f"| Ten years of appeals ingested one after another ({len(years)} children, "
            f"one data home) | — | {total:.2f} s in all | last/first {growth:.2f}×, "
            f"max/min {spread:.2f}× | {gib(first)} first, {gib(last)} last, "
            f"{gib(max(peaks))} max | peak memory stays flat (last ≤ {TARGET_FLAT:g}× "
            f"first) | {met(growth <= TARGET_FLAT)} |"
        )
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    if years:
        lines += [
            "",
            (
                "The ten years, one child each, into the same data home (cleared before "
                "the first year, so the store grows by a year each time):"
            ),
            "",
            "| Year | Records | Stored | Quarantined | Seconds | Peak RSS |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for year, result in years.items():
            lines.append(
                f"| {year} | {result['read']:,} | {result['stored']:,} "
                f"| {result['quarantined']:,} | {result['median']:.2f} "
                f"| {gib(result['peak_rss'])} |"
            )
    lines += [
        "",
        *machine_table(),
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    """Prepare the data, measure the bare copy and Ashyq side by side, report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: the national year")
    parser.add_argument("--repeat", type=int, default=1, help="timed runs (no warm-up)")
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / ".data")
    parser.add_argument(
        "--memory-limit", help="ASHYQ_MEMORY_LIMIT for Ashyq's children (default: Ashyq's)"
    )
    parser.add_argument(
        "--only",
        default="parquet,csv,decade",
        help="a comma-separated subset of parquet,csv,decade,deliveries",
    )
    parser.add_argument(
        "--report", action="store_true", help="append a section to docs/benchmarks.md"
    )
    harness.child_options(parser)
    parser.add_argument("--year", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.data = args.data.resolve()
    if args.measure:
        result = measure(args.measure, args.target, args)
        result["high_water_mark"] = harness.high_water_mark()
        args.out.write_text(json.dumps(result), encoding="utf-8")
        return

    groups = {group.strip() for group in args.only.split(",") if group.strip()}
    if not groups or groups - set(GROUPS):
        parser.error(f"--only takes a comma-separated subset of {','.join(GROUPS)}")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    directory = _scale_dir(args.data, args.scale)
    made = prepare(directory, groups, args)
    _work(directory).mkdir(parents=True, exist_ok=True)
    results: dict[str, dict[str, Any]] = {}
    sources = {"parquet": _year_parquet(directory), "csv": _year_csv(directory)}
    for label in ("parquet", "csv"):
        if label in groups:
            results[f"bare-{label}"], results[f"ashyq-{label}"] = pair(label, sources[label], args)
    if "deliveries" in groups:
        for path in _months(directory):
            warm(path)
        results["bare-deliveries"] = run_child("bare-deliveries", directory, args)
        results["ashyq-deliveries"] = run_child("ashyq-deliveries", directory, args)
        results["detect-deliveries"] = run_child("detect-deliveries", directory, args)
    years = decade(directory, args) if "decade" in groups else {}
    with contextlib.suppress(OSError):
        _work(directory).rmdir()  # unless a run left something behind

    command = "benchmarks/ingest.py " + shlex.join(sys.argv[1:] if argv is None else argv)
    section = report(command.strip(), args, made, results, years)
    print(section)
    if args.report:
        document = ROOT / "docs" / "benchmarks.md"
        with document.open("a", encoding="utf-8") as handle:
            handle.write(section)
        print(f"appended to {document}")


if __name__ == "__main__":
    main()
