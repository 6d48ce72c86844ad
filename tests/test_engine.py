"""The engine is a setting: every analytical command gives the same output on Spark as on
the embedded DuckDB, record by record.

A small data home (appeals, bookings, every services kind, two survey years) is made with
the command line itself. Each analytical command then runs twice, ``--engine duckdb`` and
``--engine spark``, and the two outputs must be identical. Spark is a session inside this
process (``local[1]``) unless ``ASHYQ_TEST_SPARK_MASTER`` names a cluster: CI starts a
standalone master and worker (scripts/spark-cluster) and sets it, with
``ASHYQ_REQUIRE_SPARK_CLUSTER=1`` so that the cluster cannot be silently replaced.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from ashyq.cli import app, main
from ashyq.records import engine
from ashyq.settings import override, settings

pytestmark = [
    pytest.mark.filterwarnings(
        r"ignore:fetch_arrow_table\(\) is deprecated:DeprecationWarning:ibis.backends.duckdb"
    ),
]

MASTER = os.environ.get("ASHYQ_TEST_SPARK_MASTER", "local[1]")

# The analytical commands of docs/scaling.md, each with an output that names every record
# or figure it computes (CSV or JSON, in a fixed order).
COMMANDS: dict[str, list[str]] = {
    "appeals indicators": ["appeals", "indicators", "--period", "2025", "--format", "csv"],
    "appeals drill": ["appeals", "drill", "astana", "reviewed_total", "--period", "2025"],
    "appeals stats": ["appeals", "stats", "--period", "2025", "--format", "json"],
    "services violations": ["services", "violations", "--period", "2025", "--format", "csv"],
    "services stats": ["services", "stats", "--period", "2025", "--format", "json"],
    "monitoring stats": ["monitoring", "stats", "--year", "2025", "--format", "json"],
    "index compute": [
        "index",
        "compute",
        "--period",
        "2025",
        "--input",
        "{home}/../in/authority-scores-2025.csv",
        "--format",
        "csv",
    ],
}


def invoke(runner: CliRunner, args: Sequence[str]) -> Result:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data home with a small year of every record kind, ingested by the command line."""
    root = tmp_path_factory.mktemp("engines")
    home = root / "home"
    runner = CliRunner(env={"ASHYQ_LANG": "en", "ASHYQ_HOME": str(home)})
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ASHYQ_HOME", str(home))
        patch.setenv("ASHYQ_LANG", "en")
        steps = [
            ["synth", "appeals", "--scale", "0.002", "--seed", "3", "--out", f"{root}/in"],
            ["appeals", "ingest", f"{root}/in/*.parquet", "--period", "2025"],
            ["synth", "services", "--scale", "0.0005", "--seed", "3", "--out", f"{root}/svc"],
            ["services", "ingest", f"{root}/svc", "--period", "2025"],
            ["synth", "survey", "--year", "2024-2025", "--scale", "0.25", "--out", f"{root}/srv"],
            ["monitoring", "import", f"{root}/srv/survey-answers-2024.parquet", "--year", "2024"],
            ["monitoring", "import", f"{root}/srv/survey-answers-2025.parquet", "--year", "2025"],
        ]
        for step in steps:
            invoke(runner, step)
        yield home


@pytest.fixture(scope="module")
def spark_master() -> Iterator[str]:
    if os.environ.get("ASHYQ_REQUIRE_SPARK_CLUSTER") and not MASTER.startswith("spark://"):
        pytest.fail("ASHYQ_REQUIRE_SPARK_CLUSTER is set but ASHYQ_TEST_SPARK_MASTER is not")
    override(spark_master=MASTER)
    try:
        yield MASTER
    finally:
        if engine.spark_session.cache_info().currsize:
            engine.spark_session(MASTER).stop()
            engine.spark_session.cache_clear()
        override(spark_master=None, engine=None)


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_analytical_command_gives_the_same_output_on_spark(
    name: str, home: Path, spark_master: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASHYQ_HOME", str(home))
    runner = CliRunner(env={"ASHYQ_LANG": "en", "ASHYQ_HOME": str(home)})
    args = [part.format(home=home) for part in COMMANDS[name]]
    on_duckdb = invoke(runner, ["--engine", "duckdb", *args]).stdout
    jobs = engine.spark_session(spark_master).sparkContext.statusTracker()
    before = set(jobs.getJobIdsForGroup())
    on_spark = invoke(runner, ["--engine", "spark", *args]).stdout
    assert set(jobs.getJobIdsForGroup()) - before  # Spark, not DuckDB, ran the command
    assert on_duckdb.count("\n") > 1, on_duckdb  # a real output, not an empty one
    assert on_spark.splitlines() == on_duckdb.splitlines()


def test_the_engine_option_lasts_one_command(home: Path, spark_master: str) -> None:
    runner = CliRunner(env={"ASHYQ_LANG": "en", "ASHYQ_HOME": str(home)})
    invoke(runner, ["--engine", "spark", "bodies", "list"])
    assert settings().engine == "spark"
    invoke(runner, ["bodies", "list"])
    assert settings().engine == "duckdb"


def test_the_embedded_engine_keeps_to_the_memory_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ASHYQ_MEMORY_LIMIT", "300MB")
    monkeypatch.setenv("ASHYQ_THREADS", "1")
    con = engine.backend()
    limit = con.raw_sql("SELECT current_setting('memory_limit')").fetchone()[0]
    threads = con.raw_sql("SELECT current_setting('threads')").fetchone()[0]
    spill = con.raw_sql("SELECT current_setting('temp_directory')").fetchone()[0]
    assert (limit, threads) == ("286.1 MiB", 1)
    assert Path(spill).name.startswith("ashyq-spill-")


def _run_main(argv: list[str], monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr("sys.argv", ["ashyq", *argv])
    with pytest.raises(SystemExit) as exited:
        main()
    return int(exited.value.code or 0)


def test_a_spark_master_that_does_not_answer_is_one_clear_message(
    home: Path,
    spark_master: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("ASHYQ_HOME", str(home))
    monkeypatch.setenv("ASHYQ_LANG", "en")
    monkeypatch.setenv("ASHYQ_SPARK_MASTER", f"spark://127.0.0.1:{port}")
    override(spark_master=None)  # the environment's, not the other tests' master
    try:
        code = _run_main(["--engine", "spark", *COMMANDS["appeals indicators"]], monkeypatch)
    finally:
        override(spark_master=spark_master)
    err = capsys.readouterr().err
    assert code == 1
    assert f"No Spark master answers at spark://127.0.0.1:{port} (ASHYQ_SPARK_MASTER)" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("ASHYQ_ENGINE", "postgres", "expected duckdb or spark; found postgres"),
        ("ASHYQ_MEMORY_LIMIT", "lots", "expected a size such as 1GiB or 512MB; found lots"),
    ],
)
def test_a_setting_the_environment_spoils_is_named(
    variable: str,
    value: str,
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ASHYQ_LANG", "en")
    monkeypatch.setenv(variable, value)
    code = _run_main(["appeals", "stats", "--period", "2025"], monkeypatch)
    err = capsys.readouterr().err
    assert code == 2
    assert f"«{variable}»" in err and expected in err, err


def test_the_console_script_ends_a_refused_setting_without_a_traceback(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("ashyq")
    environment = {**os.environ, "ASHYQ_ENGINE": "oops", "ASHYQ_LANG": "en"}
    environment["ASHYQ_HOME"] = str(tmp_path)
    done = subprocess.run(
        [str(script), "appeals", "stats", "--period", "2025"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "environment, column «ASHYQ_ENGINE»: expected duckdb or spark; found oops"
    )


def test_ingest_says_it_validates_on_the_embedded_engine(home: Path, tmp_path: Path) -> None:
    runner = CliRunner(env={"ASHYQ_LANG": "en", "ASHYQ_HOME": str(tmp_path / "home")})
    source = home.parent / "srv" / "survey-answers-2025.parquet"
    args = ["monitoring", "import", str(source), "--year", "2025"]
    result = invoke(runner, ["--engine", "spark", *args])
    assert "Ingest validates on the embedded engine" in result.stderr
    assert "Ingest validates" not in invoke(runner, args).stderr


def test_statistics_for_a_report_run_on_the_engine_they_are_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ashyq.records.store import RecordStore
    from ashyq.reports.sources import appeal_statistics

    def no_spark(master: str) -> None:
        raise AssertionError(f"Spark was started at {master}")

    monkeypatch.setenv("ASHYQ_ENGINE", "spark")
    monkeypatch.setattr(engine, "spark_session", no_spark)
    store = RecordStore(tmp_path)  # 2026 is not published and has no stored appeals
    # The portal passes its embedded engine: ASHYQ_ENGINE does not reach it.
    assert appeal_statistics(2026, store=store, con=engine.embedded()) is None
    with pytest.raises(AssertionError, match="Spark was started"):
        appeal_statistics(2026, store=store)  # a command follows the setting
