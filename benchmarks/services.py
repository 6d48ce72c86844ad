"""Violation detection over a national year of public-service deliveries.

Run from the repository root::

    .venv/bin/python benchmarks/services.py [--scale 1.0] [--repeat 3] [--data DIR]

The synthetic year (292.5 million deliveries at scale 1.0, ``ashyq synth services``) is
written once as a data home under ``--data`` (default ``benchmarks/.data/``) and reused.
A sample of ``--sample`` deliveries (10 million by default), the first records of every
body in proportion, is written beside it with the same registry, staff, leave and
findings.

Each variant runs in a child process of its own (its peak memory is that child's peak
resident set size), once to warm up and then ``--repeat`` times; the median is reported.

- ``scan``: the engine's ceiling: DuckDB reads every column detection reads, from the
  same files, and hashes them (nothing is skipped).
- ``detect``: ``ashyq.services.detect`` on DuckDB: the whole year to the violation
  registry, written to Parquet (what ``ashyq services violations --format parquet``
  does); the counts per type and body are read back from it.
- ``sample-ashyq``: the same on the sample.
- ``sample-pandas``: the same rules written directly in pandas (below) on the sample.
  Its counts per type and body must equal Ashyq's before any figure is reported.
- ``profile`` (not timed): ``detect`` once more with DuckDB's profiler on, each of its
  queries profiled apart: the flagged records (one scan of the year, cached), the
  queue-based records, and the registry written from them. The operators that took the
  most time are reported, so that the section says where the time goes.

A section with the figures and the machine's description is appended to
``docs/benchmarks.md``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import harness
from harness import gib, machine_table, met

ROOT = Path(__file__).resolve().parents[1]
YEAR = 2025
SEED = 0
SAMPLE_ROWS = 10_000_000
TARGET_SECONDS = 120.0
TARGET_PEAK_GB = 12.0
# Detection against the bare scan of the same columns, measured in the same run.
TARGET_RATIO = 1.5
PROFILE_TOP = 12

Counts = dict[str, int]
REFERENCE_KINDS = ("services", "staff", "leaves", "findings")


def _home(data: Path, scale: float) -> Path:
    return data / f"services-scale-{scale:g}" / "home"


def _sample_home(data: Path, scale: float, rows: int) -> Path:
    return data / f"services-scale-{scale:g}" / f"sample-{rows}" / "home"


# --- The data ---------------------------------------------------------------------------


def synthesize(home: Path, scale: float) -> dict[str, Any]:
    """In a child: write the synthetic year as a data home."""
    from ashyq.synth.services import synthesize_services

    if home.exists():
        shutil.rmtree(home)
    started = time.perf_counter()
    result = synthesize_services(YEAR, scale, SEED, home, layout="store")
    return {"seconds": [time.perf_counter() - started], "deliveries": result.deliveries}


def sample(home: Path, target: Path, rows: int) -> dict[str, Any]:
    """In a child: the first records of every body's deliveries, ``rows`` in all."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    started = time.perf_counter()
    if target.exists():
        shutil.rmtree(target)
    period = str(YEAR)
    files = sorted((home / "store" / "deliveries" / period).glob("*.parquet"))
    counts = {f: pq.ParquetFile(f).metadata.num_rows for f in files}
    total = sum(counts.values())
    out = target / "store" / "deliveries" / period
    out.mkdir(parents=True)
    written = 0
    for index, path in enumerate(files):
        share = rows - written if index == len(files) - 1 else round(rows * counts[path] / total)
        share = min(share, counts[path])
        batches, taken = [], 0
        for batch in pq.ParquetFile(path).iter_batches(batch_size=1_000_000):
            batches.append(batch.slice(0, share - taken))
            taken += batches[-1].num_rows
            if taken >= share:
                break
        pq.write_table(pa.Table.from_batches(batches), out / path.name)
        written += taken
    for kind in REFERENCE_KINDS:
        source = home / "store" / kind / period
        if source.exists():
            shutil.copytree(source, target / "store" / kind / period)
    return {"seconds": [time.perf_counter() - started], "rows": written}


def prepare(data: Path, scale: float, rows: int) -> dict[str, Any]:
    """The data home of the year and its sample: built once, then reused."""
    home = _home(data, scale)
    record_file = home.parent / "build.json"
    if record_file.exists():
        record: dict[str, Any] = json.loads(record_file.read_text(encoding="utf-8"))
        if record.get("sample_rows") == rows:
            record["reused"] = True
            return record
    home.parent.mkdir(parents=True, exist_ok=True)
    built = run_child("synthesize", home, scale=scale)
    sampled = run_child("sample", home, scale=scale, rows=rows)
    record = {
        "scale": scale,
        "seed": SEED,
        "built": datetime.now().isoformat(timespec="seconds"),
        "deliveries": built["deliveries"],
        "synthesis": {"seconds": built["median"], "peak_rss": built["peak_rss"]},
        "sample_rows": sampled["rows"],
    }
    record_file.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    record["reused"] = False
    return record


# --- Ashyq and the bare scan ------------------------------------------------------------

# Every deliveries column detection reads.
SCANNED = (
    "delivery_id",
    "service_code",
    "provider_body",
    "provider_unit",
    "form",
    "submitted_at",
    "registered_at",
    "routed_ok",
    "registered_in_monitoring",
    "documents_requested",
    "documents_submitted",
    "review_documents_requested",
    "rejected_incomplete_at",
    "queue_list",
    "queue_position",
    "hearing_notice_at",
    "hearing_held_at",
    "hearing_form",
    "decision",
    "decision_at",
    "extended_at",
    "extended_until",
    "refusal_reasons",
    "refusal_legal_basis",
    "signed_at",
    "signed_by",
    "applicant_id",
    "employee_id",
    "source_file",
    "source_row",
)


def _scanned(home: Path) -> list[str]:
    """The scanned columns the stored deliveries hold: a data home written before a field
    was added lacks it, and Ashyq reads it as blank (``RecordStore.read``)."""
    import pyarrow.parquet as pq

    first = min((home / "store" / "deliveries" / str(YEAR)).glob("*.parquet"))
    names = set(pq.read_schema(first).names)
    return [column for column in SCANNED if column in names]


def bare_scan(home: Path) -> Counts:
    """Read and hash every scanned column of every delivery: the engine's ceiling."""
    import duckdb

    glob = str(home / "store" / "deliveries" / str(YEAR) / "*.parquet")
    hashed = " + ".join(f"hash({column}) % 1000" for column in _scanned(home))
    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    rows, checksum = con.execute(
        f"select count(*), sum({hashed}) from read_parquet('{glob}')"
    ).fetchone()
    con.close()
    return {"rows": int(rows), "checksum": int(checksum) % 1_000_003}


def ashyq_detect(home: Path) -> Counts:
    """The violation registry of the year written to Parquet; its counts per type and body."""
    import ibis
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from ashyq.periods import Period
    from ashyq.records.store import RecordStore
    from ashyq.services.detect import detect, open_period

    con = ibis.duckdb.connect()
    data = open_period(Period.parse(str(YEAR)), con, RecordStore(home))
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "violations.parquet"
        con.to_parquet(detect(data), out)
        table = pq.read_table(out, columns=["violation_type", "provider_body"])
    con.disconnect()
    keys = pc.binary_join_element_wise(
        table["violation_type"], table["provider_body"], "@"
    ).value_counts()
    return {str(item["values"]): int(item["counts"]) for item in keys.to_pylist()}


def _operators(profile: dict[str, Any], query: str) -> list[dict[str, Any]]:
    """Every operator of a DuckDB JSON profile: its name, what it works on, time, rows."""
    found: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        extra = node.get("extra_info") or {}
        parts = [
            extra.get(name)
            for name in ("Conditions", "Function", "Filters", "Aggregates", "Expression")
        ]
        detail = " ".join(
            " AND ".join(part) if isinstance(part, list) else str(part) for part in parts if part
        )
        if node.get("operator_type"):
            found.append(
                {
                    "query": query,
                    "operator": node["operator_type"],
                    "detail": detail.replace("|", "/")[:90],
                    "seconds": float(node.get("operator_timing", 0.0)),
                    "rows": int(node.get("operator_cardinality", 0)),
                }
            )
        for child in node.get("children", []):
            walk(child)

    walk(profile)
    return found


class _ProfiledConnection:
    """A DuckDB connection that gives each query it executes a profile file of its own."""

    def __init__(self, raw: Any, folder: Path) -> None:
        self._raw = raw
        self._folder = folder
        self.queries: list[tuple[str, Path]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._raw, name)

    def execute(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query, str) and not query.lstrip().upper().startswith(("PRAGMA", "SET")):
            output = self._folder / f"query-{len(self.queries):03d}.json"
            self._raw.execute(f"PRAGMA profiling_output = '{output}'")
            self.queries.append((query, output))
        return self._raw.execute(query, *args, **kwargs)


def _query_name(sql: str) -> str:
    """What one of detection's queries does, from its text (a cached table is created with
    its columns listed: the flagged records' include the flags)."""
    words = sql.split(maxsplit=1)
    first = words[0].upper() if words else ""
    if first == "COPY":
        return "registry written"
    if first == "CREATE" and "ibis_cached" in sql:
        return "flagged records cached" if '"_is_' in sql else "queue-based records cached"
    return first.lower()


def profile_detect(home: Path) -> dict[str, Any]:
    """``detect`` with DuckDB's profiler on for every query it runs, each profiled apart;
    the queries that took at least 2 % of the time are kept."""
    import ibis

    from ashyq.periods import Period
    from ashyq.records.store import RecordStore
    from ashyq.services.detect import detect, open_period

    con = ibis.duckdb.connect()
    data = open_period(Period.parse(str(YEAR)), con, RecordStore(home))
    raw = con.con
    raw.execute("SET enable_progress_bar = false")
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        profiled = _ProfiledConnection(raw, folder)
        con.con = profiled
        raw.execute("PRAGMA enable_profiling = 'json'")
        started = time.perf_counter()
        con.to_parquet(detect(data), folder / "violations.parquet")
        seconds = time.perf_counter() - started
        raw.execute("PRAGMA disable_profiling")
        con.con = raw
        found = []
        for sql, output in profiled.queries:
            if output.exists():
                profile = json.loads(output.read_text(encoding="utf-8"))
                found.append((_query_name(sql), profile))
    total = sum(float(profile.get("latency", 0.0)) for _, profile in found) or 1.0
    queries: dict[str, dict[str, Any]] = {}
    for name, profile in found:
        latency = float(profile.get("latency", 0.0))
        if latency >= 0.02 * total:
            if name in queries:
                name = f"{name} ({len(queries) + 1})"
            queries[name] = {
                "seconds": latency,
                "cpu": float(profile.get("cpu_time", 0.0)),
                "operators": _operators(profile, name),
            }
    return {"seconds": [seconds], "queries": queries}


def ashyq_stats(home: Path) -> dict[str, Any]:
    """``ashyq services stats`` over the year: the figures to hold against seed 000."""
    import ibis

    from ashyq.periods import Period
    from ashyq.records.store import RecordStore
    from ashyq.services.detect import open_period
    from ashyq.services.stats import service_stats

    started = time.perf_counter()
    con = ibis.duckdb.connect()
    stats = service_stats(open_period(Period.parse(str(YEAR)), con, RecordStore(home)))
    figures: dict[str, Any] = stats.as_dict()
    con.disconnect()
    return {"seconds": [time.perf_counter() - started], "stats": figures}


# Seed 000's figures for 2025, and where each is in the statistics.
PUBLISHED: tuple[tuple[str, str, float], ...] = (
    ("Services delivered", "deliveries.total", 292_500_000),
    ("Electronic share, %", "deliveries.electronic_pct", 94),
    ("Violations", "violations.total", 478_300),
    ("on local executive bodies", "violations.by_level.MIO", 347_600),
    ("on central bodies", "violations.by_level.CGO", 130_700),
    ("Deadline violations, %", "violations.deadline_pct", 30.7),
    ("Control measures", "control_measures.total", 4_300),
    ("Rights restored", "rights_restored.total", 12_300),
    ("restored without an inspection («свыше 7 тыс.»)", "rights_restored.remotely", 7_000),
    ("Disciplinary sanctions", "disciplinary.total", 1_600),
    ("of them managers", "disciplinary.managers", 447),
    ("Administrative protocols", "protocols.total", 917),
    ("Fines collected, tenge", "protocols.fines_collected_tenge", 49_500_000),
    ("Orders to remedy", "representations.total", 720),
    ("Instructions («более 2000»)", "representations.instructions", 2_000),
    ("executed («свыше 2000»)", "representations.instructions_executed", 2_000),
)


def _number(value: float) -> str:
    return f"{int(value):,}" if value == int(value) else f"{value:g}"


def figure(stats: dict[str, Any], path: str) -> float:
    """One figure of ``ServiceStats.as_dict()`` by a dotted path (shares by their key)."""
    value: Any = stats
    for part in path.split("."):
        if isinstance(value, list):
            value = next(item["count"] for item in value if item["key"] == part)
        else:
            value = value[part]
    return float(value)


# --- The pandas baseline ----------------------------------------------------------------


def pandas_detect(home: Path) -> Counts:
    """The same rules in plain pandas: merges, masks, string splits and a groupby window."""
    import numpy as np
    import pandas as pd

    from ashyq.calendar import WorkingCalendar
    from ashyq.services.model import ACCEPTANCE_ENDS

    period = str(YEAR)
    store = home / "store"

    def read(kind: str) -> Any:
        files = sorted((store / kind / period).glob("*.parquet"))
        if not files:
            return None
        return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)

    d = pd.concat(
        [
            pd.read_parquet(f, columns=_scanned(home))
            for f in sorted((store / "deliveries" / period).glob("*.parquet"))
        ],
        ignore_index=True,
    )
    services = read("services")
    staff, leaves, findings = read("staff"), read("leaves"), read("findings")

    registry = services[
        [
            "service_code",
            "deadline_days",
            "deadline_hours",
            "refusal_days",
            "documents",
            "hearing_required",
        ]
    ].rename(columns={"refusal_days": "refusal_deadline_days", "documents": "checklist"})
    registry["refusal_deadline_days"] = registry["refusal_deadline_days"].fillna(2)
    # The end of acceptance, in minutes after midnight (a registry written before the field
    # existed has the default).
    until = services.get("accepts_until", pd.Series(index=services.index, dtype=object))
    until = until.fillna(ACCEPTANCE_ENDS).str.split(":", expand=True).astype(int)
    registry["accepts_until"] = until[0] * 60 + until[1]
    d = d.merge(registry, on="service_code", how="left")

    first = pd.Timestamp(f"{YEAR}-01-01") - pd.Timedelta(days=31)
    last = pd.Timestamp(f"{YEAR}-12-31") + pd.Timedelta(days=366)
    calendar = WorkingCalendar.build(first.date(), last.date()).table().to_pandas()
    wd = pd.Series(calendar["wd"].to_numpy(), index=pd.to_datetime(calendar["date"]))
    working = pd.Series(calendar["is_working"].to_numpy(), index=wd.index)

    def day_number(column: str) -> Any:
        return d[column].dt.floor("D").map(wd)

    after = d["submitted_at"].dt.hour * 60 + d["submitted_at"].dt.minute >= d["accepts_until"]
    not_working = ~d["submitted_at"].dt.floor("D").map(working).astype(bool)
    start = day_number("submitted_at") + (after | not_working).astype(int)

    def elapsed(column: str) -> Any:
        return (day_number(column) - start).clip(lower=0)

    def hours(column: str) -> Any:
        return (d[column] - d["submitted_at"]).dt.total_seconds() / 3600

    registration = elapsed("registered_at")
    decision = elapsed("decision_at").fillna(elapsed("signed_at"))
    result = elapsed("signed_at").fillna(elapsed("decision_at"))
    refusal = elapsed("rejected_incomplete_at")
    by_days = d["deadline_days"].notna()
    # A term extended within it ends on extended_until (never earlier than it would).
    for column in ("extended_at", "extended_until"):
        if column not in d:
            d[column] = pd.NaT
    until = pd.to_datetime(d["extended_until"]).dt.floor("D")
    extended = (
        until.notna()
        & np.where(
            by_days,
            elapsed("extended_at") <= d["deadline_days"],
            hours("extended_at") <= d["deadline_hours"],
        )
    ).to_numpy()
    result_on = d["signed_at"].fillna(d["decision_at"]).dt.floor("D")
    decision_on = d["decision_at"].fillna(d["signed_at"]).dt.floor("D")
    breach = np.where(
        by_days,
        result > d["deadline_days"],
        hours("signed_at").fillna(hours("decision_at")) > d["deadline_hours"],
    ) & (~extended | (result_on > until).to_numpy())
    decision_late = np.where(
        by_days,
        decision > d["deadline_days"],
        hours("decision_at").fillna(hours("signed_at")) > d["deadline_hours"],
    ) & (~extended | (decision_on > until).to_numpy())
    after_registration = ~extended & np.where(
        by_days,
        (result - registration) <= d["deadline_days"],
        (hours("signed_at").fillna(hours("decision_at")) - hours("registered_at"))
        <= d["deadline_hours"],
    )
    late = (registration > 0).to_numpy()
    registration_breach = breach & late & after_registration
    refused = (d["decision"] == "refused").to_numpy()
    issued = (d["decision"] == "issued").to_numpy()

    def outside(items: Any, allowed: Any) -> Any:
        mask = items.notna() & allowed.notna() & (items != allowed)
        found = np.zeros(len(d), dtype=bool)
        pairs = zip(items[mask].str.split("|"), allowed[mask].str.split("|"), strict=True)
        found[np.flatnonzero(mask.to_numpy())] = [bool(set(a) - set(b)) for a, b in pairs]
        return found

    # A basis cites a unit below the article with its number (services.citation's
    # grammar of Russian and Kazakh case forms), matched on the text in lower case.
    from ashyq.services.citation import POINT

    basis = d["refusal_legal_basis"]
    concrete = (
        basis.notna()
        & basis.fillna("").str.lower().str.contains(POINT)
        & d["refusal_reasons"].notna()
    ).to_numpy()
    # Heard in person or in writing before the decision, or notified and did not come.
    if "hearing_form" not in d:
        d["hearing_form"] = None
    held, notice, form = d["hearing_held_at"], d["hearing_notice_at"], d["hearing_form"]
    notified = notice.notna() & (notice <= held)
    heard = (held <= d["decision_at"]) & ((form != "not_attended") | form.isna() | notified)
    hearing_missing = ~heard.fillna(False).astype(bool)

    flags: dict[str, Any] = {
        "late_registration": late & ~registration_breach,
        "registration_deadline_breach": registration_breach,
        "routing_failure": (d["routed_ok"] == False).to_numpy(),  # noqa: E712
        "paper_not_in_monitoring": (
            (d["form"] == "paper") & (d["registered_in_monitoring"] == False)  # noqa: E712
        ).to_numpy(),
        "excess_documents_at_registration": outside(d["documents_requested"], d["checklist"]),
        "excess_documents_at_review": outside(d["review_documents_requested"], d["checklist"]),
        "incomplete_package_granted": issued
        & d["documents_submitted"].notna().to_numpy()
        & outside(d["checklist"], d["documents_submitted"].fillna("")),
        "review_deadline_breach": breach & ~registration_breach & decision_late,
        "late_incomplete_refusal": (refusal > d["refusal_deadline_days"]).to_numpy(),
        "refusal_without_hearing": refused
        & (d["hearing_required"] == True).to_numpy()  # noqa: E712
        & hearing_missing.to_numpy(),
        "refusal_without_reasons": refused & ~concrete,
        "signing_deadline_breach": breach & ~registration_breach & ~decision_late,
    }
    if staff is not None:
        signers = staff.rename(columns={"body": "provider_body", "employee_id": "signed_by"})
        signers = signers[
            ["provider_body", "signed_by", "can_sign", "can_sign_from", "can_sign_until"]
        ]
        listed = set(staff["body"])
        m = d[["provider_body", "signed_by", "signed_at"]].merge(
            signers, on=["provider_body", "signed_by"], how="left"
        )
        signed_on = m["signed_at"].dt.floor("D")
        authorised = (
            (m["can_sign"] == True)  # noqa: E712
            & (m["can_sign_from"].isna() | (pd.to_datetime(m["can_sign_from"]) <= signed_on))
            & (m["can_sign_until"].isna() | (pd.to_datetime(m["can_sign_until"]) >= signed_on))
        )
        on_leave = np.zeros(len(d), dtype=bool)
        if leaves is not None:
            days = [
                (row.body, row.employee_id, day)
                for row in leaves.itertuples()
                for day in pd.date_range(row.starts_on, row.ends_on)
            ]
            leave_days = pd.DataFrame(days, columns=["provider_body", "signed_by", "day"])
            leave_days["on_leave"] = True
            leave_days = leave_days.drop_duplicates(["provider_body", "signed_by", "day"])
            joined = m.assign(day=signed_on).merge(
                leave_days, on=["provider_body", "signed_by", "day"], how="left"
            )
            on_leave = joined["on_leave"].eq(True).to_numpy()
        # Or an order lets the signer sign that day (an acting period).
        orders = read("signing_authority")
        if orders is not None:
            until = pd.to_datetime(orders["valid_until"]).fillna(pd.Timestamp(f"{YEAR + 1}-12-31"))
            granted = [
                (row.body, row.employee_id, day)
                for row, last in zip(orders.itertuples(), until, strict=True)
                for day in pd.date_range(row.valid_from, last)
            ]
            grants = pd.DataFrame(granted, columns=["provider_body", "signed_by", "day"])
            grants = grants.drop_duplicates().assign(granted=True)
            by_order = m.assign(day=signed_on).merge(
                grants, on=["provider_body", "signed_by", "day"], how="left"
            )
            authorised = authorised.to_numpy() | by_order["granted"].eq(True).to_numpy()
        checked = (m["signed_by"].notna() & m["provider_body"].isin(listed)).to_numpy()
        # An unknown signer has no staff row, so no authority: ~authorised covers it.
        flags["third_party_signature"] = checked & (on_leave | ~np.asarray(authorised, bool))

    # Queue order: a running maximum of earlier positions' decision times per list.
    # The standing lists' positions wait until they left, unless a delivery holds them.
    queued = np.zeros(len(d), dtype=bool)
    keys = ["provider_body", "queue_list", "queue_position"]
    q = d[d["queue_list"].notna()].assign(_delivery=True)
    entries = read("queue_entries")
    if entries is not None:
        held = pd.MultiIndex.from_frame(q[keys])
        standing = entries[~pd.MultiIndex.from_frame(entries[keys]).isin(held)]
        standing = standing[keys].assign(decision_at=standing["left_at"], _delivery=False)
        q = pd.concat([q, standing])
    q = q.sort_values(keys)
    if len(q):
        left_at = q["decision_at"].fillna(pd.Timestamp.max)
        earlier = (
            left_at.groupby([q["provider_body"], q["queue_list"]])
            .cummax()
            .groupby([q["provider_body"], q["queue_list"]])
            .shift(1)
        )
        served = (q["decision"] == "issued") & q["_delivery"].astype(bool)
        out_of_order = served & (q["decision_at"] < earlier)
        # The applicant reviews or signs their own case (staff membership alone is lawful).
        official = (q["applicant_id"] == q["employee_id"]) | (q["applicant_id"] == q["signed_by"])
        queued[d.index.get_indexer(q.index[out_of_order | (served & official)])] = True
    flags["out_of_queue_order"] = queued

    counts: Counts = {}

    def count(name: str, bodies: pd.Series) -> None:
        for body, n in bodies.value_counts().items():
            counts[f"{name}@{body}"] = counts.get(f"{name}@{body}", 0) + int(n)

    # Every finding names a violation of its type: one entry with the record's own flag, and
    # an entry of its own when the record is not stored.
    keys = pd.MultiIndex.from_arrays([d["provider_body"], d["delivery_id"]])
    if findings is None:
        findings = pd.DataFrame(columns=["provider_body", "delivery_id", "violation_type"])
    named = findings.drop_duplicates(["provider_body", "delivery_id", "violation_type"])
    for name in sorted(set(flags) | set(named["violation_type"])):
        of_type = named[named["violation_type"] == name]
        found = pd.MultiIndex.from_arrays([of_type["provider_body"], of_type["delivery_id"]])
        flag = np.asarray(flags.get(name, np.zeros(len(d), dtype=bool)), dtype=bool)
        count(name, d.loc[flag | keys.isin(found), "provider_body"])
        count(name, of_type.loc[~found.isin(keys), "provider_body"])
    return counts


# --- Running and reporting --------------------------------------------------------------

VARIANTS: dict[str, str] = {
    "scan": "DuckDB reads and hashes every column detection reads (the ceiling)",
    "detect": "Ashyq: the year's violation registry, written to Parquet",
    "sample-ashyq": "Ashyq on the sample",
    "sample-pandas": "pandas baseline on the sample",
}


def _variant(name: str, target: Path) -> Callable[[], Counts]:
    variants: dict[str, Callable[[], Counts]] = {
        "scan": lambda: bare_scan(target),
        "detect": lambda: ashyq_detect(target),
        "sample-ashyq": lambda: ashyq_detect(target),
        "sample-pandas": lambda: pandas_detect(target),
    }
    return variants[name]


def measure(name: str, target: Path, repeat: int, scale: float, rows: int) -> dict[str, Any]:
    """In the child: run one step, or one variant (a warm-up and ``repeat`` timed runs)."""
    if name == "synthesize":
        return synthesize(target, scale)
    if name == "sample":
        return sample(target, _sample_home(target.parent.parent, scale, rows), rows)
    if name == "stats":
        return ashyq_stats(target)
    if name == "profile":
        return profile_detect(target)
    counts, seconds = harness.timed_runs(name, _variant(name, target), repeat)
    return {"seconds": seconds, "counts": counts}


def run_child(
    name: str, target: Path, repeat: int = 1, scale: float = 1.0, rows: int = SAMPLE_ROWS
) -> dict[str, Any]:
    """Run one step or variant in a child process; its results and its peak RSS (bytes)."""
    options = ("--repeat", str(repeat), "--scale", str(scale), "--sample", str(rows))
    return harness.run_child(Path(__file__).resolve(), name, target, *options)


def report(
    command: str,
    repeat: int,
    built: dict[str, Any],
    results: dict[str, Any],
    figures: dict[str, Any],
    profile: dict[str, Any],
) -> str:
    """The Markdown section appended to the benchmarks document."""
    detect, scan = results["detect"], results["scan"]
    violations = sum(detect["counts"].values())
    method = (
        f"`{command}`: the synthetic national year (seed {built['seed']}, "
        f"{built['deliveries']:,} deliveries) written once as a data home; a sample of "
        f"{built['sample_rows']:,} deliveries (the first records of every body, in "
        f"proportion) beside it. Times are the median of {repeat} warm runs after one "
        "warm-up, DuckDB with its default threads. Peak memory is the peak resident set "
        "size (`ru_maxrss` from `wait4`) of the child process that ran the variant."
    )
    when = f"reused, built {built['built']}" if built.get("reused") else "built by this run"
    building = (
        f"Building the data ({when}; not part of the timings): synthesis "
        f"{built['synthesis']['seconds']:.1f} s, peak {gib(built['synthesis']['peak_rss'])}."
    )
    lines = [
        "",
        f"## Public services: violation detection over a year ({datetime.now():%Y-%m-%d})",
        "",
        method,
        "",
        *machine_table(),
        "",
        building,
        "",
        "| Variant | What runs | Median | Runs | Peak RSS |",
        "|---|---|---:|---|---:|",
    ]
    for name, result in results.items():
        runs = ", ".join(f"{s:.2f}" for s in result["seconds"])
        lines.append(
            f"| {name} | {VARIANTS[name]} | {result['median']:.2f} s | {runs} "
            f"| {gib(result['peak_rss'])} |"
        )
    ratio = detect["median"] / scan["median"]
    speedup = results["sample-pandas"]["median"] / results["sample-ashyq"]["median"]
    lines += [
        "",
        f"- Violations found in the year: {violations:,}.",
        f"- Detection / bare scan of the same columns: {ratio:.1f}×.",
        f"- pandas / Ashyq on the sample, the same counts per type and body: {speedup:.1f}×.",
        "",
        "| Target | Measured | |",
        "|---|---|---|",
    ]
    seconds, peak = detect["median"], detect["peak_rss"]
    lines.append(
        f"| Detection over the year ≤ {TARGET_SECONDS:g} s | {seconds:.1f} s "
        f"| {met(seconds <= TARGET_SECONDS)} |"
    )
    lines.append(
        f"| Detection ≤ {TARGET_RATIO:g}× the bare scan of the same columns | {ratio:.2f}× "
        f"| {met(ratio <= TARGET_RATIO)} |"
    )
    lines.append(
        f"| Peak memory ≤ {TARGET_PEAK_GB:g} GB | {peak / 1e9:.2f} GB "
        f"| {met(peak <= TARGET_PEAK_GB * 1e9)} |"
    )
    stats = figures["stats"]
    heading = (
        f"`ashyq services stats --period {YEAR}` over the same year "
        f"({figures['median']:.1f} s, peak {gib(figures['peak_rss'])}), against seed "
        "000's figures for 2025:"
    )
    lines += [
        "",
        heading,
        "",
        "| Figure | Seed 000 | Synthetic year |",
        "|---|---:|---:|",
    ]
    for label, path, published in PUBLISHED:
        lines.append(f"| {label} | {_number(published)} | {_number(figure(stats, path))} |")
    lines += ["", *profile_lines(profile)]
    return "\n".join(lines) + "\n"


def profile_lines(profile: dict[str, Any]) -> list[str]:
    """Where detection's time goes: its largest queries, and their costliest operators."""
    queries = profile["queries"]
    total = sum(query["cpu"] for query in queries.values()) or 1.0
    summary = "; ".join(
        f"{name}: {query['seconds']:.1f} s, {query['cpu']:.1f} s of operator time"
        for name, query in queries.items()
    )
    operators = sorted(
        (operator for query in queries.values() for operator in query["operators"]),
        key=lambda operator: -operator["seconds"],
    )[:PROFILE_TOP]
    heading = (
        "Where the time goes: `detect` run once more with DuckDB's profiler on (not timed "
        f"above), each query apart; the queries that took 2 % of the time or more "
        f"({summary}). Operator time is summed over threads; the {PROFILE_TOP} costliest "
        "operators:"
    )
    lines = [
        heading,
        "",
        "| Query | Operator | On | Rows | Seconds | Share |",
        "|---|---|---|---:|---:|---:|",
    ]
    for operator in operators:
        lines.append(
            f"| {operator['query']} | {operator['operator']} | {operator['detail']} "
            f"| {operator['rows']:,} | {operator['seconds']:.1f} "
            f"| {100 * operator['seconds'] / total:.0f} % |"
        )
    return lines


def main(argv: list[str] | None = None) -> None:
    """Prepare the data, measure every variant, check pandas against Ashyq, report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0, help="1.0: the national year")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs after the warm-up")
    parser.add_argument("--sample", type=int, default=SAMPLE_ROWS, help="deliveries in the sample")
    parser.add_argument("--data", type=Path, default=ROOT / "benchmarks" / ".data")
    parser.add_argument("--report", type=Path, default=ROOT / "docs" / "benchmarks.md")
    harness.child_options(parser)
    args = parser.parse_args(argv)
    if args.measure:
        result = measure(args.measure, args.target, args.repeat, args.scale, args.sample)
        result["high_water_mark"] = harness.high_water_mark()
        args.out.write_text(json.dumps(result), encoding="utf-8")
        return

    built = prepare(args.data, args.scale, args.sample)
    home = _home(args.data, args.scale)
    sample_home = _sample_home(args.data, args.scale, built["sample_rows"])
    results: dict[str, Any] = {
        "scan": run_child("scan", home, args.repeat),
        "detect": run_child("detect", home, args.repeat),
        "sample-ashyq": run_child("sample-ashyq", sample_home, args.repeat),
        "sample-pandas": run_child("sample-pandas", sample_home, args.repeat),
    }
    if results["sample-ashyq"]["counts"] != results["sample-pandas"]["counts"]:
        expected, found = results["sample-ashyq"]["counts"], results["sample-pandas"]["counts"]
        differences = [
            f"{key}: {expected.get(key)} ≠ {found.get(key)}"
            for key in sorted(expected.keys() | found.keys())
            if expected.get(key) != found.get(key)
        ]
        raise SystemExit("the pandas baseline disagrees with Ashyq:\n" + "\n".join(differences))
    figures = run_child("stats", home, scale=args.scale)
    profile = run_child("profile", home, scale=args.scale)
    command = (
        f"benchmarks/services.py --scale {args.scale:g} --repeat {args.repeat} "
        f"--sample {args.sample}"
    )
    section = report(command, args.repeat, built, results, figures, profile)
    with args.report.open("a", encoding="utf-8") as document:
        document.write(section)
    print(section)


if __name__ == "__main__":
    main()
