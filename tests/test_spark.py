"""Record-level analytics on PySpark: the same expressions, the same figures as on DuckDB.

A small synthetic year is ingested once into a temporary store; every count of every body
is computed on a local Spark session and on DuckDB, and both must equal the synthesis plan.
The violation registry of the public-service cases must be the same on both backends, and so
must the figures of the public monitoring (rankings, changes, barriers, trend).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import ibis
import pytest
from pyspark.sql import SparkSession

from ashyq.appeals.indicators import COUNTS
from ashyq.appeals.model import KINDS
from ashyq.appeals.pipeline import body_counts, open_period
from ashyq.index.methodology import Methodology
from ashyq.monitoring.figures import open_survey, trend, year_figures
from ashyq.monitoring.stats import weighted_summary
from ashyq.periods import Period
from ashyq.records.ingest import ingest
from ashyq.records.store import RecordStore
from ashyq.services.detect import detect as detect_violations
from ashyq.services.detect import open_period as open_services
from ashyq.synth.appeals import synthesize_appeals
from ashyq.synth.survey import synthesize_survey
from tests.services_cases import CASES, ingest_cases

pytestmark = [
    # DuckDB 1.5 deprecates the call Ibis 12 makes to fetch results; nothing of ours.
    pytest.mark.filterwarnings(
        r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning:ibis.backends.duckdb"
    ),
]

PERIOD = Period.parse("2025")
# About 12,000 appeals: every body has records of every kind, and one Spark core is enough.
SCALE = 0.002
SEED = 7


@dataclass(frozen=True)
class Ingested:
    store: RecordStore
    planned: dict[str, dict[str, int]]


@pytest.fixture(scope="module")
def ingested(methodology: Methodology, tmp_path_factory: pytest.TempPathFactory) -> Ingested:
    root = tmp_path_factory.mktemp("spark-appeals")
    synth = synthesize_appeals(methodology, root / "in", period=PERIOD, scale=SCALE, seed=SEED)
    store = RecordStore(root / "home")
    for path in (synth.appeals, synth.bookings):
        report = ingest(path, PERIOD, KINDS, store=store)
        assert report.quarantined == 0, report.problems
    planned = {
        plan.body: {
            **plan.counts,
            "ratings_total": plan.rated,
            "ratings_satisfied": plan.satisfied,
        }
        for plan in synth.plans
    }
    return Ingested(store, planned)


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparkSession]:
    # A warehouse of its own, so tables a backend writes never land in the working directory.
    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        SparkSession.builder.master("local[1]")
        .appName("ashyq-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _differences(
    expected: dict[str, dict[str, int]], found: dict[str, dict[str, int]]
) -> dict[tuple[str, str], tuple[int | None, int | None]]:
    """Every (body, count) whose figures differ, with both figures."""
    names = [spec.name for spec in COUNTS]
    return {
        (body, name): (expected.get(body, {}).get(name), found.get(body, {}).get(name))
        for body in sorted(expected.keys() | found.keys())
        for name in names
        if expected.get(body, {}).get(name) != found.get(body, {}).get(name)
    }


def test_the_plan_covers_every_declared_count(ingested: Ingested) -> None:
    declared = {spec.name for spec in COUNTS}
    for body, counts in ingested.planned.items():
        assert set(counts) == declared, body


def test_duckdb_counts_equal_the_plan(ingested: Ingested) -> None:
    counts = body_counts(open_period(PERIOD, store=ingested.store))
    assert set(counts) == set(ingested.planned)
    assert _differences(ingested.planned, counts) == {}


def test_pyspark_counts_equal_duckdb(ingested: Ingested, spark: SparkSession) -> None:
    on_duckdb = body_counts(open_period(PERIOD, store=ingested.store))
    on_spark = body_counts(
        open_period(PERIOD, con=ibis.pyspark.connect(spark), store=ingested.store)
    )
    assert len(on_spark) == len(ingested.planned)
    assert _differences(on_duckdb, on_spark) == {}
    assert _differences(ingested.planned, on_spark) == {}


def test_pyspark_violation_registry_equals_duckdb(
    spark: SparkSession, tmp_path_factory: pytest.TempPathFactory
) -> None:
    store = ingest_cases(tmp_path_factory.mktemp("spark-services"))
    on_duckdb = open_services(PERIOD, store=store)
    duckdb_rows = on_duckdb.con.to_pyarrow(detect_violations(on_duckdb)).to_pylist()
    on_spark = open_services(PERIOD, con=ibis.pyspark.connect(spark), store=store)
    spark_rows = on_spark.con.to_pyarrow(detect_violations(on_spark)).to_pylist()

    def key(row: dict[str, object]) -> str:
        return str(row["violation_id"])

    assert len(duckdb_rows) == sum(len(case.expected) for case in CASES.values())
    assert sorted(spark_rows, key=key) == sorted(duckdb_rows, key=key)


def test_pyspark_reads_a_period_whose_files_differ_in_their_fields(
    spark: SparkSession, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """One body's file lacks a field the others hold: Spark reads it by name, as DuckDB."""
    import pyarrow.parquet as pq

    from ashyq.services.model import DELIVERIES

    store = ingest_cases(tmp_path_factory.mktemp("spark-mixed"))
    [first] = [p for p in store.files(DELIVERIES, PERIOD) if p.stem == "akmola"]
    older = pq.read_table(first).drop_columns(["review_documents_requested"])
    first.unlink()
    pq.write_table(older, first)
    on_spark = open_services(PERIOD, con=ibis.pyspark.connect(spark), store=store)
    rows = on_spark.con.to_pyarrow(detect_violations(on_spark)).to_pylist()
    on_duckdb = open_services(PERIOD, store=store)
    expected = on_duckdb.con.to_pyarrow(detect_violations(on_duckdb)).to_pylist()
    assert {"S07/excess_documents_at_review"} <= {
        f"{row['delivery_id']}/{row['violation_type']}" for row in rows
    }
    assert sorted(r["violation_id"] for r in rows) == sorted(r["violation_id"] for r in expected)


def test_pyspark_survey_statistics_equal_duckdb(spark: SparkSession) -> None:
    answers = {
        "body": ["mf"] * 5 + ["mvd"] * 4,
        "score": [5, 4, 5, 2, 3, 5, 5, 1, 4],
        "weight": [1.0, 0.5, 2.0, 1.5, 1.0, 1.0, 3.0, 0.25, 1.0],
    }
    duckdb_table = ibis.memtable(answers)
    on_duckdb = ibis.duckdb.connect().to_pyarrow(weighted_summary(duckdb_table, ["body"]))
    spark_con = ibis.pyspark.connect(spark)
    spark_table = spark_con.create_table("survey_answers", ibis.memtable(answers), overwrite=True)
    on_spark = spark_con.to_pyarrow(weighted_summary(spark_table, ["body"]))

    def rows(table: object) -> dict[str, dict[str, object]]:
        listed = table.to_pylist()  # type: ignore[attr-defined]
        return {row["body"]: row for row in listed}

    expected, found = rows(on_duckdb), rows(on_spark)
    assert found.keys() == expected.keys() == {"mf", "mvd"}
    for body, row in expected.items():
        for name, value in row.items():
            if isinstance(value, float):
                assert found[body][name] == pytest.approx(value), (body, name)
            else:
                assert found[body][name] == value, (body, name)


def _same_rows(
    expected: Sequence[Mapping[str, object]], found: Sequence[Mapping[str, object]]
) -> None:
    """Rows equal in order, floats to a relative 1e-9 (the backends sum in other orders)."""
    assert len(found) == len(expected)
    for want, got in zip(expected, found, strict=True):
        assert got.keys() == want.keys()
        for name, value in want.items():
            if isinstance(value, float):
                assert got[name] == pytest.approx(value, rel=1e-9), name
            else:
                assert got[name] == value, name


def test_pyspark_monitoring_figures_equal_duckdb(
    spark: SparkSession, tmp_path_factory: pytest.TempPathFactory
) -> None:
    home = tmp_path_factory.mktemp("spark-survey")
    synthesize_survey([2023, 2024, 2025], home, seed=SEED, scale=0.25, layout="store")
    store = RecordStore(home)
    on_duckdb = open_survey(store=store)
    on_spark = open_survey(con=ibis.pyspark.connect(spark), store=store)
    for by in ("body", "service"):
        expected = year_figures(on_duckdb, 2025, by)
        found = year_figures(on_spark, 2025, by)
        assert expected.previous == found.previous == 2024
        assert len(expected.rows) == (32 if by == "body" else 72)
        _same_rows(expected.rows, found.rows)
        _same_rows([expected.national], [found.national])
        _same_rows([expected.barriers], [found.barriers])
    by_year = on_duckdb.con.to_pyarrow(trend(on_duckdb)).to_pylist()
    assert [row["period"] for row in by_year] == ["2023", "2024", "2025"]
    _same_rows(by_year, on_spark.con.to_pyarrow(trend(on_spark)).to_pylist())
