"""What every benchmark shares: running a step in a child process with its own peak
memory, and describing the machine the figures were measured on."""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

Result = TypeVar("Result")

__all__ = [
    "child_options",
    "gib",
    "high_water_mark",
    "machine",
    "machine_table",
    "met",
    "run_child",
    "timed_runs",
]


def high_water_mark() -> int:
    """This process's own peak RSS in bytes (VmHWM): a cross-check of ``ru_maxrss``."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


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


def machine_table(described: dict[str, str] | None = None) -> list[str]:
    """The Markdown table of the machine (``machine()`` unless ``described`` is given)."""
    rows = described if described is not None else machine()
    return ["| Machine | |", "|---|---|", *[f"| {key} | {value} |" for key, value in rows.items()]]


def gib(size: float) -> str:
    return f"{size / 2**30:.2f} GiB"


def met(ok: bool) -> str:
    return "met" if ok else "**not met**"


def child_options(parser: argparse.ArgumentParser) -> None:
    """The hidden options ``run_child`` starts a child with: ``--measure NAME --target PATH
    --out FILE``."""
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--target", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)


def run_child(script: Path, name: str, target: Path, *options: str) -> dict[str, Any]:
    """Run step ``name`` of ``script`` in a child process; its results and its peak RSS.

    The child is ``script --measure NAME --target TARGET OPTIONS --out FILE`` and writes
    its results as JSON (with ``seconds``, a list, and ``high_water_mark``). The parent
    imports nothing heavy: a child started by vfork inherits the parent's peak as the
    floor of its own ``ru_maxrss``.
    """
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "result.json"
        command = [
            sys.executable,
            str(script),
            "--measure",
            name,
            "--target",
            str(target),
            *options,
            "--out",
            str(out),
        ]
        print(f"running {name} …", flush=True)
        child = subprocess.Popen(command)
        # wait4 gives this child's own resource usage, so each variant has its own peak.
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode != 0:
            raise SystemExit(f"{name} failed with exit code {child.returncode}")
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    # ru_maxrss is in kilobytes on Linux.
    result["peak_rss"] = usage.ru_maxrss * 1024
    result["median"] = statistics.median(result["seconds"])
    print(
        f"{name}: median {result['median']:.2f} s of "
        f"{[round(s, 2) for s in result['seconds']]}, peak RSS {gib(result['peak_rss'])} "
        f"(VmHWM {gib(result['high_water_mark'])})",
        flush=True,
    )
    return result


def timed_runs(name: str, run: Callable[[], Result], repeat: int) -> tuple[Result, list[float]]:
    """Run once to warm up, then ``repeat`` timed times; the result and the wall times.

    Raises AssertionError when a timed run's result differs from the warm-up's.
    """
    result = run()
    seconds: list[float] = []
    for _ in range(repeat):
        started = time.perf_counter()
        again = run()
        seconds.append(time.perf_counter() - started)
        if again != result:
            raise AssertionError(f"{name}: two runs gave different results")
    return result, seconds
