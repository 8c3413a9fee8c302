"""``bioparity serve`` in a subprocess for the tests that need a real server process (one helper for all).

The wait for start-up is generous: a loaded machine (a CI worker beside a browser and WeasyPrint) may take a
minute to import; start-up speed is measured in ``bench/``, never asserted here. The server's standard error
goes to a file, not a pipe: a pipe nobody reads blocks the server once it holds 64 KB of log.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx

#: How long a server may take to answer /health (not a performance target).
START_TIMEOUT_S = 300


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Served:
    """A running ``bioparity serve``: its base URL, port, process and standard error so far."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    stderr: IO[bytes]

    def log(self) -> str:
        """What the server wrote to standard error until now."""
        self.stderr.flush()
        return Path(self.stderr.name).read_bytes().decode(errors="replace")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (``/proc/PID/stat`` fields 14 and 15), a
        measure of work done that a busy machine does not inflate as it does wall-clock time."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def serve(database_url: str, *args: str, env: dict[str, str] | None = None) -> Iterator[Served]:
    """Start ``bioparity serve --port P *args`` on ``database_url``; yield once /health answers 200;
    stop it (terminate, then kill) on the way out."""
    port = free_port()
    with tempfile.NamedTemporaryFile(prefix="bioparity-serve-", suffix=".log") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bioparity.cli.main", "serve", "--port", str(port), *args],
            env=os.environ | {"BIOPARITY_DATABASE_URL": database_url} | (env or {}),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        served = Served(f"http://127.0.0.1:{port}", port, process, stderr)
        try:
            _wait_for_health(served)
            yield served
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def _wait_for_health(served: Served) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        try:
            if httpx.get(f"{served.url}/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if served.process.poll() is not None:
            raise AssertionError(f"the server exited with {served.process.returncode}:\n{served.log()}")
        if time.monotonic() > deadline:
            raise AssertionError(
                f"the server did not answer /health within {START_TIMEOUT_S} s:\n{served.log()}"
            )
        time.sleep(0.2)
