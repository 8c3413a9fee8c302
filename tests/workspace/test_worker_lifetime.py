"""The server's worker processes end with the server process, even when it is killed, and only then.

A server killed with SIGKILL (as by the out-of-memory killer) runs no exit handler: its workers (the job
pool of ``bioparity.workspace.executors``, the upload parser of ``bioparity.workspace.upload_worker``) used
to stay, adopted by process 1, idle at 150-250 MB each. They must be gone within seconds. And they must not
end while the server runs, when the thread that happened to start them ends (as with Linux's
PR_SET_PDEATHSIG, which this second test catches).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import bioparity
from bioparity.workspace.executors import LocalProcessExecutor

#: A server process in miniature: both pools started with a task each, the workers' pids written, then idle.
SERVER = """
import json, os, sys, time
from bioparity.workspace import upload_worker
from bioparity.workspace.executors import LocalProcessExecutor

jobs = LocalProcessExecutor(1)._current().executor
parser = upload_worker._PARSER._current()
pids = [jobs.submit(os.getpid).result(), parser.submit(os.getpid).result()]
with open(sys.argv[1] + ".tmp", "w") as out:
    json.dump(pids, out)
os.replace(sys.argv[1] + ".tmp", sys.argv[1])
time.sleep(600)
"""
#: A server process of ``bioparity serve --workers N`` in miniature (uvicorn's handles SIGTERM by shutting
#: down; this one notes it), and its supervisor, which starts it as uvicorn's does (``spawn``).
SERVER_STUB = """
import json, os, pathlib, signal, sys, time
from bioparity.server import create_app_from_environment

def serve(pid_file):
    marker = pathlib.Path(pid_file).with_name("terminated")
    signal.signal(signal.SIGTERM, lambda *_: (marker.touch(), sys.exit(0)))
    create_app_from_environment()
    pathlib.Path(pid_file + ".tmp").write_text(json.dumps([os.getpid()]))
    os.replace(pid_file + ".tmp", pid_file)
    time.sleep(600)
"""
SUPERVISOR = """
import multiprocessing, sys, time
import server_stub

multiprocessing.get_context("spawn").Process(target=server_stub.serve, args=(sys.argv[1],)).start()
time.sleep(600)
"""
#: Generous limits: on a loaded machine starting three interpreters can take tens of seconds.
START_SECONDS = 180
GONE_SECONDS = 30

needs_sigkill = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")


def _running(pid: int) -> bool:
    """Whether ``pid`` is a process that has not ended (a zombie waiting to be reaped has ended)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process took the pid
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: os.kill said it exists
    return state not in ("Z", "X")


def _wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def _left_after_kill(tmp_path: Path, script: str, count: int, env: dict[str, str] | None = None) -> list[int]:
    """Run ``script`` (the pids of the ``count`` processes it starts are written to ``sys.argv[1]``), SIGKILL
    it as the out-of-memory killer does (no exit handler runs), and return those of its processes still
    running :data:`GONE_SECONDS` later (killed then, so that a failing run leaves nothing behind)."""
    pid_file, log = tmp_path / "pids.json", tmp_path / "parent.log"
    environment = {**os.environ, **(env or {})}
    src = str(Path(bioparity.__file__).resolve().parents[1])
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [src, environment.get("PYTHONPATH")]))
    children: list[int] = []
    with log.open("wb") as output:
        parent = subprocess.Popen(
            [sys.executable, "-c", script, str(pid_file)], env=environment, stdout=output, stderr=output
        )
    try:
        started = _wait_for(lambda: pid_file.exists() or parent.poll() is not None, START_SECONDS)
        assert started and pid_file.exists(), f"the processes did not start: {log.read_text()}"
        children = json.loads(pid_file.read_text())
        assert len(set(children)) == count and parent.pid not in children
        assert all(_running(pid) for pid in children)
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=GONE_SECONDS)
        _wait_for(lambda: not any(_running(pid) for pid in children), GONE_SECONDS)
        return [pid for pid in children if _running(pid)]
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()
        for pid in children:
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


@needs_sigkill
def test_the_workers_of_a_killed_server_process_end(tmp_path: Path) -> None:
    left = _left_after_kill(tmp_path, SERVER, 2)
    assert not left, f"worker processes {left} outlived the server process killed {GONE_SECONDS} s ago"


@needs_sigkill
def test_a_server_process_of_a_killed_supervisor_shuts_down(tmp_path: Path) -> None:
    """``bioparity serve --workers N``: uvicorn's supervisor starts the server processes with ``spawn``
    (uvicorn.supervisors.multiprocess); killed, it used to leave them serving on its port. Each must shut
    down in order (SIGTERM, as uvicorn handles it) when the supervisor is gone."""
    (tmp_path / "server_stub.py").write_text(SERVER_STUB)
    env = {"PYTHONPATH": str(tmp_path), "BIOPARITY_DATABASE_URL": f"sqlite:///{tmp_path / 'stub.db'}"}
    left = _left_after_kill(tmp_path, SUPERVISOR, 1, env)
    assert not left, f"server process {left} outlived its supervisor killed {GONE_SECONDS} s ago"
    assert (tmp_path / "terminated").exists()  # it was asked to shut down (SIGTERM), not cut off


def test_a_worker_outlives_the_thread_that_started_it() -> None:
    executor = LocalProcessExecutor(1)
    started: list[int] = []
    try:
        thread = threading.Thread(
            target=lambda: started.append(executor._current().executor.submit(os.getpid).result())
        )
        thread.start()
        thread.join()
        time.sleep(1.0)  # the thread has ended; PR_SET_PDEATHSIG would have signalled the worker by now
        assert started and _running(started[0])
        assert executor._current().executor.submit(os.getpid).result(timeout=60) == started[0]
    finally:
        executor.close()
