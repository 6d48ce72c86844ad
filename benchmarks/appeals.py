"""The appeals pipeline at national scale: Ashyq (Ibis on DuckDB) against plain pandas.

Run from the repository root::

    .venv/bin/python benchmarks/appeals.py [--scale 1.0] [--repeat 3] [--data DIR]

The synthetic year (5,882,116 appeals at scale 1.0) is written and ingested once into
``--data`` (default ``benchmarks/.data/``) and reused afterwards; the ingest's wall time is
recorded there and reported, but it is not part of the indicator timings.

Each measured variant runs in a child process of its own, so its peak memory is that
child's peak resident set size (``ru_maxrss`` from ``wait4``). A variant is run once to
warm up (imports, the page cache) and then ``--repeat`` times; the median is reported.

- ``year-ashyq``: ``open_period`` and ``body_counts`` on DuckDB (and ``national_stats``
  when ``ashyq.appeals.stats`` provides it): Parquet to every declared count.
- ``year-pandas``: the same counts written directly in pandas (below). Its per-body
  results must equal Ashyq's before any figure is reported.
- ``decade-ashyq``: the year's files read ten times over (59 million appeals) through the
  same enrichment and count expressions; its counts must be ten times the year's.
- ``decade-pandas``: the pandas baseline on the same ten years, only when the year's peak
  memory times ten fits the machine (``--pandas-limit-gb``); otherwise a note says why not.

A section with the figures and the machine's description is appended to
``docs/benchmarks.md`` (``--report``).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PERIOD_NAME = "2025"
SEED = 0
DECADE = 10
# The targets of the appeals pipeline at national scale.
TARGET_YEAR_SECONDS = 15.0
TARGET_DECADE_PEAK_GB = 8.0
TARGET_SPEEDUP = 10.0

Counts = dict[str, dict[str, int]]


# --- The data: synthesised and ingested once --------------------------------------------


def _scale_dir(data: Path, scale: float) -> Path:
    return data / f"scale-{scale:g}"


def prepare(data: Path, scale: float) -> dict[str, Any]:
    """The ingested store of the synthetic year at ``scale``: built once, then reused.

    Returns what the build recorded (rows, synthesis and ingest wall times, when).
    """
    from ashyq.appeals.ingest import ingest
    from ashyq.appeals.store import AppealStore
    from ashyq.index.methodology import load_methodology
    from ashyq.periods import Period

    directory = _scale_dir(data, scale)
    record_file = directory / "ingest.json"
    if record_file.exists():
        record: dict[str, Any] = json.loads(record_file.read_text(encoding="utf-8"))
        record["reused"] = True
        return record
    period = Period.parse(PERIOD_NAME)
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    from ashyq.synth.appeals import synthesize_appeals

    synth = synthesize_appeals(
        load_methodology(PERIOD_NAME), directory / "in", period=period, scale=scale, seed=SEED
    )
    synth_seconds = time.perf_counter() - started
    print(f"synthesised {synth.rows:,} appeals in {synth_seconds:.1f} s", flush=True)
    store = AppealStore(directory / "home")
    ingested: dict[str, Any] = {}
    for path in (synth.appeals, synth.bookings):
        started = time.perf_counter()
        report = ingest(path, period, store=store)
        seconds = time.perf_counter() - started
        if not report.reconciles or report.quarantined:
            raise SystemExit(f"{path}: {report.quarantined} records quarantined; see {store.home}")
        ingested[report.kind] = {"rows": report.stored, "seconds": round(seconds, 2)}
        print(f"ingested {report.stored:,} {report.kind} in {seconds:.1f} s", flush=True)
    record = {
        "scale": scale,
        "seed": SEED,
        "built": datetime.now().isoformat(timespec="seconds"),
        "synthesis_seconds": round(synth_seconds, 2),
        "ingest": ingested,
    }
    record_file.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    record["reused"] = False
    return record


# --- The pandas baseline ----------------------------------------------------------------

_APPEAL_COLUMNS = [
    "registration_number",
    "registered_at",
    "body",
    "appeal_type",
    "redirected_to",
    "redirected_at",
    "redirect_unjustified",
    "answered_at",
    "extended_until",
    "hearing_required",
    "hearing_held",
    "rating",
    "court_outcome",
    "distortions",
]
_BOOKING_COLUMNS = [
    "body",
    "booked_at",
    "answer_sent_at",
    "scheduled_for",
    "received_at",
    "received_by",
    "cancelled_by_applicant",
]
_REVIEWED_TYPES = ["application", "complaint"]


def _read(files: list[Path], columns: list[str], times: int) -> Any:
    import pandas as pd

    return pd.concat(
        [pd.read_parquet(f, columns=columns) for f in files * times], ignore_index=True
    )


def _day(stamps: Any) -> Any:
    """Midnight of each timestamp, to join on the calendar's dates."""
    return stamps.dt.floor("D")


def _true(flags: Any) -> Any:
    """True where a (possibly missing) flag is true: SQL's ``fill_null(False)``."""
    return flags.eq(True) & flags.notna()


def _false(flags: Any) -> Any:
    """True where a flag is present and false: SQL's ``NOT flag`` with nulls left out."""
    return flags.eq(False) & flags.notna()


def pandas_counts(appeals_files: list[Path], bookings_files: list[Path], times: int = 1) -> Counts:
    """Every declared count per body, computed with pandas merges, masks and groupby sums."""
    import pandas as pd

    from ashyq.appeals.indicators import COUNTS, calendar_tables
    from ashyq.periods import Period

    tables = calendar_tables(Period.parse(PERIOD_NAME))
    days = tables.days.to_pandas()
    days["date"] = pd.to_datetime(days["date"])
    for column in ("one_month_later", "extension_limit"):
        days[column] = pd.to_datetime(days[column])
    working = tables.working_days.to_pandas()
    working["date"] = pd.to_datetime(working["date"])
    rules = tables.rules.to_pandas()[["appeal_type", "review_working_days", "redirect_working_days"]]

    a = _read(appeals_files, _APPEAL_COLUMNS, times)
    a["registered_on"] = _day(a["registered_at"])
    a = a.merge(
        days[["date", "wd", "extension_limit"]].rename(columns={"date": "registered_on"}),
        on="registered_on",
        how="left",
    )
    a = a.merge(rules, on="appeal_type", how="left")
    a["review_wd"] = a["wd"] + a["review_working_days"]
    a["redirect_wd"] = a["wd"] + a["redirect_working_days"]
    a = a.merge(
        working.rename(columns={"wd": "review_wd", "date": "review_by"}), on="review_wd", how="left"
    )
    a = a.merge(
        working.rename(columns={"wd": "redirect_wd", "date": "redirect_by"}),
        on="redirect_wd",
        how="left",
    )
    extended_until = pd.to_datetime(a["extended_until"])
    extended = extended_until.notna()
    limited = extended_until.where(extended_until <= a["extension_limit"], a["extension_limit"])
    review_deadline = limited.where(extended, a["review_by"])
    is_redirected = a["redirected_to"].notna()
    is_reviewed_type = a["appeal_type"].isin(_REVIEWED_TYPES)
    is_reviewed = is_reviewed_type & ~is_redirected & a["answered_at"].notna()
    review_late = is_reviewed & (_day(a["answered_at"]) > review_deadline)
    redirect_late = is_redirected & (_day(a["redirected_at"]) > a["redirect_by"])
    distortions = a["distortions"]
    facts = (distortions.str.count(r"\|") + 1).where(distortions.notna(), 0)
    appeal_measures = pd.DataFrame(
        {
            "body": a["body"],
            "appeals_total": a["registration_number"].notna(),
            "information_requests": a["appeal_type"].eq("request"),
            "received_total": is_reviewed_type,
            "redirected_late": is_reviewed_type & redirect_late,
            "reviewed_total": is_reviewed,
            "reviewed_late": review_late,
            "unjustified_redirects": is_redirected & _true(a["redirect_unjustified"]),
            "hearings_required": _true(a["hearing_required"]),
            "hearings_missed": _true(a["hearing_required"]) & _false(a["hearing_held"]),
            "statistics_distortions": facts.astype("int64"),
            "court_upheld_cases": a["court_outcome"].eq("upheld"),
            "ratings_total": a["rating"].notna(),
            "ratings_satisfied": a["rating"].ge(3),
        }
    )
    del a

    b = _read(bookings_files, _BOOKING_COLUMNS, times)
    day_numbers = days[["date", "day_number"]]
    b["booked_on"] = _day(b["booked_at"])
    b["answered_on"] = _day(b["answer_sent_at"])
    b["received_on"] = _day(b["received_at"])
    b["scheduled_for"] = pd.to_datetime(b["scheduled_for"])
    b = b.merge(
        day_numbers.rename(columns={"date": "booked_on", "day_number": "booked_day"}),
        on="booked_on",
        how="left",
    )
    b = b.merge(
        day_numbers.rename(columns={"date": "answered_on", "day_number": "answered_day"}),
        on="answered_on",
        how="left",
    )
    b = b.merge(
        days[["date", "one_month_later"]].rename(
            columns={"date": "scheduled_for", "one_month_later": "scheduled_month"}
        ),
        on="scheduled_for",
        how="left",
    )
    active = _false(b["cancelled_by_applicant"])
    wait = b["answered_day"] - b["booked_day"]
    received = b["received_on"].notna()
    on_date = received & (b["received_on"] <= b["scheduled_for"])
    within_month = (
        received
        & (b["received_on"] > b["scheduled_for"])
        & (b["received_on"] <= b["scheduled_month"])
    )
    on_date_flag = active & on_date
    within_month_flag = active & within_month
    booking_measures = pd.DataFrame(
        {
            "body": b["body"],
            "citizens_received": active & b["received_at"].notna(),
            "received_by_first_head": active & b["received_by"].eq("first_head"),
            "booking_answer_within_15": active & wait.le(15),
            "booking_answer_within_30": active & wait.gt(15) & wait.le(30),
            "booking_answer_within_60": active & wait.gt(30) & wait.le(60),
            "booking_answer_over_60": active & (wait.isna() | wait.gt(60)),
            "received_on_date": on_date_flag,
            "received_within_month": within_month_flag,
            "received_later_or_never": active & ~on_date_flag & ~within_month_flag,
        }
    )
    del b

    counts: Counts = {}
    for measures in (appeal_measures, booking_measures):
        totals = measures.groupby("body", sort=True).sum()
        for body, row in totals.iterrows():
            counts.setdefault(str(body), {}).update({k: int(v) for k, v in row.items()})
    declared = {spec.name for spec in COUNTS}
    for body, values in counts.items():
        if set(values) != declared:
            raise AssertionError(f"{body}: the baseline's counts are not the declared ones")
    return dict(sorted(counts.items()))


# --- Ashyq ------------------------------------------------------------------------------


def _national_stats() -> Callable[[Any], Any] | None:
    """``ashyq.appeals.stats.national_stats`` when the package has it."""
    if importlib.util.find_spec("ashyq.appeals.stats") is None:
        return None
    module = importlib.import_module("ashyq.appeals.stats")
    function: Callable[[Any], Any] | None = getattr(module, "national_stats", None)
    return function


def ashyq_year(home: Path) -> Counts:
    """Parquet to every count (and the national statistics, when there are any)."""
    from ashyq.appeals.pipeline import body_counts, open_period
    from ashyq.appeals.store import AppealStore
    from ashyq.periods import Period

    data = open_period(Period.parse(PERIOD_NAME), store=AppealStore(home))
    counts: Counts = body_counts(data)
    stats = _national_stats()
    if stats is not None:
        stats(data)
    return counts


def ashyq_decade(home: Path, times: int = DECADE) -> Counts:
    """The year's files read ``times`` over, through the same enrichment and counts."""
    import ibis

    from ashyq.appeals.indicators import (
        calendar_tables,
        enrich_appeals,
        enrich_bookings,
        indicator_counts,
    )
    from ashyq.appeals.model import APPEALS, BOOKINGS
    from ashyq.appeals.store import AppealStore
    from ashyq.periods import Period

    period = Period.parse(PERIOD_NAME)
    store = AppealStore(home)
    con = ibis.duckdb.connect()
    tables = calendar_tables(period)
    days = con.create_table("calendar_days", tables.days, temp=True)
    working_days = con.create_table("calendar_working_days", tables.working_days, temp=True)
    rules = con.create_table("deadline_rules", tables.rules, temp=True)
    appeals = con.read_parquet([str(f) for f in store.files(APPEALS, period)] * times)
    bookings = con.read_parquet([str(f) for f in store.files(BOOKINGS, period)] * times)
    enriched = {
        "appeals": enrich_appeals(appeals, days, working_days, rules),
        "bookings": enrich_bookings(bookings, days),
    }
    counts: Counts = {}
    for table in indicator_counts(enriched).values():
        for row in con.to_pyarrow(table).to_pylist():
            body = row.pop("body")
            counts.setdefault(body, {}).update({k: int(v or 0) for k, v in row.items()})
    con.disconnect()
    return dict(sorted(counts.items()))


def _files(home: Path) -> tuple[list[Path], list[Path]]:
    from ashyq.appeals.model import APPEALS, BOOKINGS
    from ashyq.appeals.store import AppealStore
    from ashyq.periods import Period

    store, period = AppealStore(home), Period.parse(PERIOD_NAME)
    return store.files(APPEALS, period), store.files(BOOKINGS, period)


def _variant(name: str, home: Path) -> Callable[[], Counts]:
    appeals_files, bookings_files = _files(home)
    variants: dict[str, Callable[[], Counts]] = {
        "year-ashyq": lambda: ashyq_year(home),
        "year-pandas": lambda: pandas_counts(appeals_files, bookings_files),
        "decade-ashyq": lambda: ashyq_decade(home),
        "decade-pandas": lambda: pandas_counts(appeals_files, bookings_files, DECADE),
    }
    return variants[name]


def measure(name: str, home: Path, repeat: int, out: Path) -> None:
    """In the child: one warm-up run, ``repeat`` timed runs; the timings and counts to ``out``."""
    run = _variant(name, home)
    counts = run()
    seconds: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        again = run()
        seconds.append(time.perf_counter() - started)
        if again != counts:
            raise AssertionError(f"{name}: two runs gave different counts")
    out.write_text(json.dumps({"seconds": seconds, "counts": counts}), encoding="utf-8")


def run_child(name: str, home: Path, repeat: int) -> dict[str, Any]:
    """Run one variant in a child process; its timings, counts and peak RSS (bytes)."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "result.json"
        command = [
            sys.executable,
            str(Path(__file__).resolve()),
            "--measure",
            name,
            "--home",
            str(home),
            "--repeat",
            str(repeat),
            "--out",
            str(out),
        ]
        print(f"running {name} …", flush=True)
        started = time.perf_counter()
        child = subprocess.Popen(command)
        # wait4 gives this child's own resource usage, so each variant has its own peak.
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if child.returncode != 0:
            raise SystemExit(f"{name} failed with exit code {child.returncode}")
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    # ru_maxrss is in kilobytes on Linux.
    result["peak_rss"] = usage.ru_maxrss * 1024
    result["wall"] = wall
    result["median"] = statistics.median(result["seconds"])
    print(
        f"{name}: median {result['median']:.2f} s of {result['seconds']}, "
        f"peak RSS {result['peak_rss'] / 2**30:.2f} GiB",
        flush=True,
    )
    return result


# --- The report -------------------------------------------------------------------------


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _ram_bytes() -> int:
    for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    return 0


def _os_name() -> str:
    release = Path("/etc/os-release")
    if release.exists():
        for line in release.read_text(encoding="utf-8").splitlines():
            if line.startswith("PRETTY_NAME="):
                return f"{line.split('=', 1)[1].strip(chr(34))}, Linux {platform.release()}"
    return platform.platform()


def machine() -> dict[str, str]:
    """The machine and the versions the figures were measured with."""
    versions = {
        package: importlib.metadata.version(package)
        for package in ("duckdb", "ibis-framework", "pandas", "pyarrow")
    }
    return {
        "CPU": _cpu_model(),
        "Cores": str(os.cpu_count()),
        "RAM": f"{_ram_bytes() / 2**30:.1f} GiB",
        "OS": _os_name(),
        "Python": platform.python_version(),
        "Versions": ", ".join(f"{name} {version}" for name, version in versions.items()),
    }


def _gib(size: float) -> str:
    return f"{size / 2**30:.2f} GiB"


def _met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def report(
    scale: float,
    repeat: int,
    built: dict[str, Any],
    rows: dict[str, int],
    results: dict[str, dict[str, Any]],
    notes: list[str],
) -> str:
    """The Markdown section appended to the benchmarks document."""
    lines = [
        "",
        f"## Appeals: Parquet to indicator counts ({datetime.now():%Y-%m-%d})",
        "",
        f"`benchmarks/appeals.py --scale {scale:g} --repeat {repeat}`: the synthetic "
        f"national year (seed {built.get('seed', SEED)}), ingested into the store once. "
        f"Times are the median of {repeat} warm runs after one warm-up; peak memory is the "
        "peak resident set size of the child process that ran the variant (warm-up included).",
        "",
        "| Machine | |",
        "|---|---|",
        *[f"| {key} | {value} |" for key, value in machine().items()],
        "",
    ]
    ingest = built.get("ingest", {})
    ingest_text = ", ".join(
        f"{kind} {entry['rows']:,} rows in {entry['seconds']:.1f} s" for kind, entry in ingest.items()
    )
    when = "built by this run" if not built.get("reused") else f"built {built.get('built')}"
    lines += [
        f"Ingest (not part of the timings below; {when}): {ingest_text}; "
        f"synthesis {built.get('synthesis_seconds', 0):.1f} s.",
        "",
        "| Variant | Appeals | Bookings | Median | Runs | Peak RSS |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for name, result in results.items():
        factor = DECADE if name.startswith("decade") else 1
        runs = ", ".join(f"{s:.2f}" for s in result["seconds"])
        lines.append(
            f"| {name} | {rows['appeals'] * factor:,} | {rows['bookings'] * factor:,} "
            f"| {result['median']:.2f} s | {runs} | {_gib(result['peak_rss'])} |"
        )
    year, baseline = results["year-ashyq"], results["year-pandas"]
    speedup = baseline["median"] / year["median"]
    lines += ["", f"pandas / Ashyq, one year: {speedup:.1f}×."]
    if "decade-pandas" in results and "decade-ashyq" in results:
        decade_speedup = results["decade-pandas"]["median"] / results["decade-ashyq"]["median"]
        lines.append(f"pandas / Ashyq, ten years: {decade_speedup:.1f}×.")
    lines += ["", "| Target | Measured | |", "|---|---|---|"]
    lines.append(
        f"| One year warm ≤ {TARGET_YEAR_SECONDS:g} s | {year['median']:.2f} s "
        f"| {_met(year['median'] <= TARGET_YEAR_SECONDS)} |"
    )
    if "decade-ashyq" in results:
        peak = results["decade-ashyq"]["peak_rss"]
        lines.append(
            f"| Ten years within {TARGET_DECADE_PEAK_GB:g} GB peak | {peak / 1e9:.2f} GB "
            f"| {_met(peak <= TARGET_DECADE_PEAK_GB * 1e9)} |"
        )
    lines.append(
        f"| ≥ {TARGET_SPEEDUP:g}× faster than pandas | {speedup:.1f}× "
        f"| {_met(speedup >= TARGET_SPEEDUP)} |"
    )
    if notes:
        lines += ["", *[f"- {note}" for note in notes]]
    return "\n".join(lines) + "\n"


def _differences(expected: Counts, found: Counts) -> list[str]:
    bodies = sorted(expected.keys() | found.keys())
    return [
        f"{body}.{name}: {expected.get(body, {}).get(name)} ≠ {found.get(body, {}).get(name)}"
        for body in bodies
        for name in sorted(expected.get(body, {}).keys() | found.get(body, {}).keys())
        if expected.get(body, {}).get(name) != found.get(body, {}).get(name)
    ]


def main(argv: list[str] | None = None) -> None:
    """Prepare the data, measure every variant, check them against each other, report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: the national year")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs after the warm-up")
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / ".data")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument(
        "--pandas-limit-gb",
        type=float,
        default=20.0,
        help="run pandas on ten years only if ten times its one-year peak fits in this",
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        measure(args.measure, args.home, args.repeat, args.out)
        return

    built = prepare(args.data, args.scale)
    home = _scale_dir(args.data, args.scale) / "home"
    notes: list[str] = []
    if _national_stats() is None:
        notes.append(
            "`ashyq.appeals.stats.national_stats` does not exist yet: Ashyq's timing covers "
            "the counts only, like the pandas baseline."
        )
    else:
        notes.append(
            "Ashyq's timing includes `national_stats`; the pandas baseline computes the "
            "counts only."
        )
    results: dict[str, dict[str, Any]] = {}
    results["year-ashyq"] = run_child("year-ashyq", home, args.repeat)
    results["year-pandas"] = run_child("year-pandas", home, args.repeat)
    year_counts = results["year-ashyq"]["counts"]
    mismatches = _differences(year_counts, results["year-pandas"]["counts"])
    if mismatches:
        raise SystemExit("pandas and Ashyq disagree:\n" + "\n".join(mismatches[:50]))
    notes.append("The pandas baseline's per-body counts equal Ashyq's, every body, every count.")

    results["decade-ashyq"] = run_child("decade-ashyq", home, args.repeat)
    tenfold = {
        body: {name: value * DECADE for name, value in values.items()}
        for body, values in year_counts.items()
    }
    mismatches = _differences(tenfold, results["decade-ashyq"]["counts"])
    if mismatches:
        raise SystemExit("ten years are not ten times one year:\n" + "\n".join(mismatches[:50]))
    notes.append("Ashyq's ten-year counts are exactly ten times the year's.")

    projected = results["year-pandas"]["peak_rss"] * DECADE
    if projected <= args.pandas_limit_gb * 2**30:
        results["decade-pandas"] = run_child("decade-pandas", home, args.repeat)
        mismatches = _differences(tenfold, results["decade-pandas"]["counts"])
        if mismatches:
            raise SystemExit("pandas' ten years disagree:\n" + "\n".join(mismatches[:50]))
    else:
        notes.append(
            f"pandas was not run on ten years: ten times its one-year peak "
            f"({_gib(projected)}) exceeds the {args.pandas_limit_gb:g} GiB guard."
        )

    appeals_files, bookings_files = _files(home)
    rows = {"appeals": _rows(appeals_files), "bookings": _rows(bookings_files)}
    section = report(args.scale, args.repeat, built, rows, results, notes)
    with args.report.open("a", encoding="utf-8") as document:
        document.write(section)
    print(section)


def _rows(files: list[Path]) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


if __name__ == "__main__":
    main()
