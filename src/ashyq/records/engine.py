"""The engine that runs the record analytics: the embedded DuckDB, or a Spark cluster.

``Settings.engine`` chooses it (``ASHYQ_ENGINE`` or ``ashyq --engine``); every analytical
command opens its records through ``backend()``, so the same Ibis expressions run on
either. The embedded engine is bounded by ``Settings.memory_limit`` and spills beyond it
to a folder of its own. Spark is reached at ``Settings.spark_master`` (``local[*]`` for a
session inside this process, ``spark://host:7077`` for a standalone cluster, ``yarn``...),
one session per process, stopped when the process ends; its executors read the store's
files at the same path, so a cluster needs the data home on a file system every node
mounts (docs/scaling.md).
"""

from __future__ import annotations

import atexit
import shutil
import socket
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

import ibis
from ibis.backends.duckdb import Backend as DuckDBBackend

from ashyq.errors import EngineError, Message
from ashyq.i18n import N_
from ashyq.settings import Engine, settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

__all__ = ["backend", "embedded", "spark_session"]

_NO_PYSPARK: Final = N_(
    "ASHYQ_ENGINE=spark needs PySpark, which is not installed: install Ashyq with its "
    "«spark» extra (pip install 'ashyq[spark]')."
)
_UNREACHABLE: Final = N_(
    "No Spark master answers at {master} (ASHYQ_SPARK_MASTER): {reason}. Start the "
    "cluster, or correct the address."
)
_NO_JAVA: Final = N_(
    "Spark could not start its Java process: {reason}. Spark needs Java 17 or later "
    "(java on PATH, or JAVA_HOME)."
)
_CONNECT_SECONDS: Final = 5.0
_LOG_CONFIG: Final = Path(__file__).with_name("spark-log4j2.properties").as_uri()


def backend() -> ibis.BaseBackend:
    """A connection of the engine the settings choose, for one command's analytics."""
    config = settings()
    if config.engine == Engine.SPARK:
        return ibis.pyspark.connect(spark_session(config.spark_master))
    return embedded()


def embedded() -> DuckDBBackend:
    """A new in-memory DuckDB within ``Settings.memory_limit`` and ``Settings.threads``;
    what outgrows the limit spills to a folder removed when the process ends."""
    config = settings()
    options: dict[str, Any] = {
        "memory_limit": config.memory_limit,
        "temp_directory": str(_spill_folder()),
    }
    if config.threads is not None:
        options["threads"] = config.threads
    return ibis.duckdb.connect(**options)


@cache
def _spill_folder() -> str:
    return _scratch_folder("ashyq-spill-")


def _scratch_folder(prefix: str) -> str:
    """A new temporary folder, removed when the process ends."""
    folder = tempfile.mkdtemp(prefix=prefix)
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


@cache
def spark_session(master: str) -> SparkSession:
    """The Spark session of this process at ``master``, made once and stopped at exit.

    Raises EngineError when PySpark is missing, when a ``spark://`` master does not answer
    (within a few seconds, rather than Spark's own minute of retries), or when Java cannot
    start.
    """
    try:
        from pyspark.errors import PySparkException
        from pyspark.sql import SparkSession
    except ImportError:
        raise EngineError(Message(_NO_PYSPARK)) from None
    _check_reachable(master)
    builder = (
        SparkSession.builder.master(master)
        .appName("ashyq")
        # Dates and times are civil (Asia/Almaty in the records); nothing may shift them.
        .config("spark.sql.session.timeZone", "UTC")
        # Ashyq shows its own progress; Spark's console bar would garble it.
        .config("spark.ui.showConsoleProgress", "false")
        # Spark logs errors only; its start-up chatter would bury Ashyq's own output.
        .config("spark.driver.extraJavaOptions", f"-Dlog4j2.configurationFile={_LOG_CONFIG}")
        # Temporary views only: nothing is written to a warehouse, not even an empty one.
        .config("spark.sql.warehouse.dir", _scratch_folder("ashyq-spark-"))
    )
    try:
        session = builder.getOrCreate()
    except PySparkException as error:
        raise EngineError(Message(_NO_JAVA, {"reason": str(error).strip()})) from None
    session.sparkContext.setLogLevel("ERROR")
    atexit.register(session.stop)
    return session


def _check_reachable(master: str) -> None:
    """Raise EngineError unless some master of a ``spark://`` URL accepts a connection."""
    if not master.startswith("spark://"):
        return  # local[...], yarn, k8s://: Spark itself knows how to reach them
    reason = ""
    for address in master.removeprefix("spark://").split(","):
        parts = urlsplit(f"//{address}")
        try:
            host, port = parts.hostname or "", parts.port or 7077
        except ValueError as error:
            reason = str(error)
            continue
        try:
            with socket.create_connection((host, port), timeout=_CONNECT_SECONDS):
                return
        except OSError as error:
            reason = error.strerror or str(error)
    raise EngineError(Message(_UNREACHABLE, {"master": master, "reason": reason}))
