"""The appeals pipeline at national scale: Ashyq (Ibis on DuckDB) against plain pandas.

Run from the repository root::

    .venv/bin/python benchmarks/appeals.py [--scale 1.0] [--repeat 3] [--data DIR]

The synthetic year (5,882,116 appeals at scale 1.0) is written and ingested once into
``--data`` (default ``benchmarks/.data/``) and reused afterwards; the ingest's wall time is
recorded there and reported, but it is not part of the indicator timings.

Each measured variant runs in a child process of its own, so its peak memory is that
child's peak resident set size (``ru_maxrss`` from ``wait4``). A variant is run once to
warm up (imports, the page cache) and then ``--repeat`` times; the median is reported.

- ``year-ashyq``: ``open_period`` and ``body_counts`` on DuckDB: Parquet to every
  declared count, the same work as the pandas baseline.
- ``year-ashyq-stats``: the same and ``national_stats``, when ``ashyq.appeals.stats``
  provides it: Parquet to every indicator input and statistic (the one-year target).
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
import shutil
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import harness
from harness import gib, machine_table, met

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


def synthesize(directory: Path, scale: float) -> dict[str, Any]:
    """In a child: write the synthetic year's import files to ``directory / "in"``."""
    from ashyq.index.methodology import load_methodology
    from ashyq.periods import Period
    from ashyq.synth.appeals import synthesize_appeals

    started = time.perf_counter()
    synth = synthesize_appeals(
        load_methodology(PERIOD_NAME),
        directory / "in",
        period=Period.parse(PERIOD_NAME),
        scale=scale,
        seed=SEED,
    )
    return {"seconds": [time.perf_counter() - started], "rows": synth.rows}


def ingest_year(directory: Path) -> dict[str, Any]:
    """In a child: ingest the import files into a new store at ``directory / "home"``."""
    from ashyq.appeals.model import KINDS
    from ashyq.periods import Period
    from ashyq.records.ingest import ingest
    from ashyq.records.store import RecordStore

    period = Period.parse(PERIOD_NAME)
    home = directory / "home"
    if home.exists():
        # A store left by an interrupted build: start again, so the timing is of a clean ingest.
        shutil.rmtree(home)
    store = RecordStore(home)
    kinds: dict[str, Any] = {}
    for name in ("appeals", "bookings"):
        path = directory / "in" / f"{name}-{period.name}.parquet"
        started = time.perf_counter()
        result = ingest(path, period, KINDS, store=store)
        seconds = time.perf_counter() - started
        if not result.reconciles or result.quarantined:
            raise SystemExit(f"{path}: {result.quarantined} records quarantined, see {home}")
        kinds[result.kind] = {"rows": result.stored, "seconds": seconds}
    return {"seconds": [sum(k["seconds"] for k in kinds.values())], "kinds": kinds}


def prepare(data: Path, scale: float) -> dict[str, Any]:
    """The ingested store of the synthetic year at ``scale``: built once, then reused.

    Returns what the build recorded: when, and each step's wall time and peak memory.
    """
    directory = _scale_dir(data, scale)
    record_file = directory / "ingest.json"
    if record_file.exists():
        record: dict[str, Any] = json.loads(record_file.read_text(encoding="utf-8"))
        record["reused"] = True
        return record
    directory.mkdir(parents=True, exist_ok=True)
    synthesis = run_child("synthesize", directory, scale=scale)
    ingested = run_child("ingest", directory)
    record = {
        "scale": scale,
        "seed": SEED,
        "built": datetime.now().isoformat(timespec="seconds"),
        "synthesis": {"seconds": synthesis["median"], "peak_rss": synthesis["peak_rss"]},
        "ingest": {"kinds": ingested["kinds"], "peak_rss": ingested["peak_rss"]},
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
    rules = tables.rules.to_pandas()[
        ["appeal_type", "review_working_days", "redirect_working_days"]
    ]

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
            "received_later_or_never": active & received & ~on_date_flag & ~within_month_flag,
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


def ashyq_year(home: Path, with_stats: bool) -> Counts:
    """Parquet to every count, and to the national statistics when ``with_stats``."""
    from ashyq.appeals.pipeline import body_counts, open_period
    from ashyq.periods import Period
    from ashyq.records.store import RecordStore

    data = open_period(Period.parse(PERIOD_NAME), store=RecordStore(home))
    counts: Counts = body_counts(data)
    stats = _national_stats() if with_stats else None
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

    appeals_files, bookings_files = _files(home)
    con = ibis.duckdb.connect()
    tables = calendar_tables(_period())
    days = con.create_table("calendar_days", tables.days, temp=True)
    working_days = con.create_table("calendar_working_days", tables.working_days, temp=True)
    rules = con.create_table("deadline_rules", tables.rules, temp=True)
    appeals = con.read_parquet([str(f) for f in appeals_files] * times)
    bookings = con.read_parquet([str(f) for f in bookings_files] * times)
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


def _period() -> Any:
    from ashyq.periods import Period

    return Period.parse(PERIOD_NAME)


def _files(home: Path) -> tuple[list[Path], list[Path]]:
    from ashyq.appeals.model import APPEALS, BOOKINGS
    from ashyq.records.store import RecordStore

    store = RecordStore(home)
    return store.files(APPEALS, _period()), store.files(BOOKINGS, _period())


def _rows(files: list[Path]) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(f).metadata.num_rows for f in files)


# --- Running each variant in a child process of its own ---------------------------------

# Each variant: what it runs, how many years of records it reads.
VARIANTS: dict[str, tuple[str, int]] = {
    "year-ashyq": ("Ashyq: open_period + body_counts", 1),
    "year-ashyq-stats": ("Ashyq: open_period + body_counts + national_stats", 1),
    "year-pandas": ("pandas baseline: the same counts", 1),
    "decade-ashyq": ("Ashyq: enrich + indicator_counts, the year's files ×10", DECADE),
    "decade-pandas": ("pandas baseline, the year's files ×10", DECADE),
}


def _variant(name: str, home: Path) -> Callable[[], Counts]:
    appeals_files, bookings_files = _files(home)
    variants: dict[str, Callable[[], Counts]] = {
        "year-ashyq": lambda: ashyq_year(home, with_stats=False),
        "year-ashyq-stats": lambda: ashyq_year(home, with_stats=True),
        "year-pandas": lambda: pandas_counts(appeals_files, bookings_files),
        "decade-ashyq": lambda: ashyq_decade(home),
        "decade-pandas": lambda: pandas_counts(appeals_files, bookings_files, DECADE),
    }
    return variants[name]


def measure(name: str, target: Path, repeat: int, scale: float) -> dict[str, Any]:
    """In the child: run one step, or one variant (a warm-up and ``repeat`` timed runs)."""
    if name == "synthesize":
        return synthesize(target, scale)
    if name == "ingest":
        return ingest_year(target)
    counts, seconds = harness.timed_runs(name, _variant(name, target), repeat)
    appeals_files, bookings_files = _files(target)
    return {
        "seconds": seconds,
        "counts": counts,
        "rows": {"appeals": _rows(appeals_files), "bookings": _rows(bookings_files)},
        "stats": _national_stats() is not None,
    }


def run_child(name: str, target: Path, repeat: int = 1, scale: float = 1.0) -> dict[str, Any]:
    """Run one step or variant in a child process; its results and its peak RSS (bytes)."""
    options = ("--repeat", str(repeat), "--scale", str(scale))
    return harness.run_child(Path(__file__).resolve(), name, target, *options)


# --- The report -------------------------------------------------------------------------


def report(
    command: str,
    repeat: int,
    built: dict[str, Any],
    results: dict[str, dict[str, Any]],
    notes: list[str],
) -> str:
    """The Markdown section appended to the benchmarks document."""
    rows = results["year-ashyq"]["rows"]
    method = (
        f"`{command}`: the synthetic national year (seed {built['seed']}), ingested into "
        f"the store once. Times are the median of {repeat} warm runs after one warm-up, "
        "DuckDB with its default threads. Peak memory is the peak resident set size "
        "(`ru_maxrss` from `wait4`) of the child process that ran the variant, warm-up "
        "included."
    )
    lines = [
        "",
        f"## Appeals: Parquet to indicator counts ({datetime.now():%Y-%m-%d})",
        "",
        method,
        "",
        *machine_table(),
        "",
    ]
    when = "built by this run" if not built.get("reused") else f"built {built['built']}"
    synthesis, ingest = built["synthesis"], built["ingest"]
    ingest_text = ", ".join(
        f"{kind} {entry['rows']:,} rows in {entry['seconds']:.1f} s"
        for kind, entry in ingest["kinds"].items()
    )
    building = (
        f"Building the store ({when}; not part of the timings below): synthesis "
        f"{synthesis['seconds']:.1f} s, peak {gib(synthesis['peak_rss'])}; "
        f"ingest {ingest_text}, peak {gib(ingest['peak_rss'])}."
    )
    lines += [
        building,
        "",
        "| Variant | What runs | Appeals | Bookings | Median | Runs | Peak RSS |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    for name, result in results.items():
        title, years = VARIANTS[name]
        runs = ", ".join(f"{s:.2f}" for s in result["seconds"])
        lines.append(
            f"| {name} | {title} | {rows['appeals'] * years:,} | {rows['bookings'] * years:,} "
            f"| {result['median']:.2f} s | {runs} | {gib(result['peak_rss'])} |"
        )
    year, baseline = results["year-ashyq"], results["year-pandas"]
    speedup = baseline["median"] / year["median"]
    lines += ["", f"- pandas / Ashyq, one year, the same counts: {speedup:.1f}×."]
    if "year-ashyq-stats" in results:
        with_stats = baseline["median"] / results["year-ashyq-stats"]["median"]
        lines.append(
            f"- pandas (counts) / Ashyq (counts and national statistics), one year: "
            f"{with_stats:.1f}×."
        )
    if "decade-pandas" in results:
        decade = results["decade-pandas"]["median"] / results["decade-ashyq"]["median"]
        lines.append(f"- pandas / Ashyq, ten years: {decade:.1f}×.")
    full = results.get("year-ashyq-stats", year)["median"]
    peak = results["decade-ashyq"]["peak_rss"]
    targets = [
        (
            f"One year, Parquet to every count and statistic, warm ≤ {TARGET_YEAR_SECONDS:g} s",
            f"{full:.2f} s",
            full <= TARGET_YEAR_SECONDS,
        ),
        (
            f"Ten years within {TARGET_DECADE_PEAK_GB:g} GB peak",
            f"{peak / 1e9:.2f} GB",
            peak <= TARGET_DECADE_PEAK_GB * 1e9,
        ),
        (
            f"≥ {TARGET_SPEEDUP:g}× faster than pandas on the same counts",
            f"{speedup:.1f}×",
            speedup >= TARGET_SPEEDUP,
        ),
    ]
    lines += ["", "| Target | Measured | |", "|---|---|---|"]
    lines += [f"| {target} | {measured} | {met(ok)} |" for target, measured, ok in targets]
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


def _check(name: str, expected: Counts, found: Counts) -> None:
    mismatches = _differences(expected, found)
    if mismatches:
        raise SystemExit(f"{name} disagrees with Ashyq's year:\n" + "\n".join(mismatches[:50]))


def main(argv: list[str] | None = None) -> None:
    """Prepare the data, measure every variant, check them against each other, report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
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
    harness.child_options(parser)
    args = parser.parse_args(argv)
    if args.measure:
        result = measure(args.measure, args.target, args.repeat, args.scale)
        result["high_water_mark"] = harness.high_water_mark()
        args.out.write_text(json.dumps(result), encoding="utf-8")
        return

    built = prepare(args.data, args.scale)
    home = _scale_dir(args.data, args.scale) / "home"
    results: dict[str, dict[str, Any]] = {}
    notes: list[str] = []
    results["year-ashyq"] = run_child("year-ashyq", home, args.repeat)
    year = results["year-ashyq"]["counts"]
    if results["year-ashyq"]["stats"]:
        results["year-ashyq-stats"] = run_child("year-ashyq-stats", home, args.repeat)
        _check("year-ashyq-stats", year, results["year-ashyq-stats"]["counts"])
    else:
        notes.append(
            "`ashyq.appeals.stats.national_stats` does not exist: the one-year target is "
            "measured on the counts only."
        )
    results["year-pandas"] = run_child("year-pandas", home, args.repeat)
    _check("the pandas baseline", year, results["year-pandas"]["counts"])
    notes.append("The pandas baseline's per-body counts equal Ashyq's: every body, every count.")

    tenfold = {body: {k: v * DECADE for k, v in values.items()} for body, values in year.items()}
    results["decade-ashyq"] = run_child("decade-ashyq", home, args.repeat)
    _check("Ashyq's ten years (×1/10)", tenfold, results["decade-ashyq"]["counts"])
    notes.append("Ashyq's ten-year counts are exactly ten times the year's.")
    projected = results["year-pandas"]["peak_rss"] * DECADE
    if projected <= args.pandas_limit_gb * 2**30:
        results["decade-pandas"] = run_child("decade-pandas", home, args.repeat)
        _check("pandas' ten years (×1/10)", tenfold, results["decade-pandas"]["counts"])
    else:
        notes.append(
            f"pandas was not run on ten years: ten times its one-year peak "
            f"({gib(projected)}) exceeds the {args.pandas_limit_gb:g} GiB guard."
        )

    command = f"benchmarks/appeals.py --scale {args.scale:g} --repeat {args.repeat}"
    section = report(command, args.repeat, built, results, notes)
    with args.report.open("a", encoding="utf-8") as document:
        document.write(section)
    print(section)


if __name__ == "__main__":
    main()
