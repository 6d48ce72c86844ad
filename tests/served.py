"""A portal served by a real ``ashyq serve`` process, for tests that need one: a kill and
restart, or real concurrency over loopback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path


def ashyq_command(*args: str) -> list[str]:
    """The ``ashyq`` command line of this interpreter."""
    return [sys.executable, "-c", "from ashyq.cli import main; main()", *args]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Server:
    """``ashyq serve`` over one data directory (and database URL), started and killed at
    will; ``serve_args`` are added to each start."""

    def __init__(self, home: Path, *serve_args: str, database_url: str | None = None) -> None:
        self.home = home
        self.env = {**os.environ, "ASHYQ_HOME": str(home)}
        self.env.pop("ASHYQ_DATABASE_URL", None)
        if database_url is not None:
            self.env["ASHYQ_DATABASE_URL"] = database_url
        self.serve_args = serve_args
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log = home.parent / "serve.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def run(self, *args: str) -> str:
        """Run another ``ashyq`` command over the same data; its standard output."""
        done = subprocess.run(
            ashyq_command(*args), env=self.env, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def start(self) -> None:
        """Start the portal and wait until it answers (at most 60 s)."""
        command = ashyq_command("serve", "--port", str(self.port), *self.serve_args)
        self.log = self.home.parent / f"serve-{time.monotonic_ns()}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, env=self.env, stdout=subprocess.DEVNULL, stderr=log
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(self.log.read_text())
            try:
                with urllib.request.urlopen(f"{self.url}/api/v1/periods", timeout=1.0):
                    return
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        raise RuntimeError("the portal did not start within 60 s")

    def resident_bytes(self) -> int:
        """The server process's resident memory now."""
        assert self.process is not None
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1]) * 1024

    def kill(self) -> None:
        """SIGKILL: no shutdown hook runs."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)
        self.process = None
