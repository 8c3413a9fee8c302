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


@needs_sigkill
def test_the_workers_of_a_killed_server_process_end(tmp_path: Path) -> None:
    pid_file, log = tmp_path / "workers.json", tmp_path / "server.log"
    env = dict(os.environ)
    src = str(Path(bioparity.__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [src, env.get("PYTHONPATH")]))
    workers: list[int] = []
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, str(pid_file)], env=env, stdout=output, stderr=output
        )
    try:
        started = _wait_for(lambda: pid_file.exists() or server.poll() is not None, START_SECONDS)
        assert started and pid_file.exists(), f"the server did not start its pools: {log.read_text()}"
        workers = json.loads(pid_file.read_text())
        assert len(set(workers)) == 2 and server.pid not in workers
        assert all(_running(pid) for pid in workers)

        server.send_signal(signal.SIGKILL)  # as the out-of-memory killer does: no exit handler runs
        server.wait(timeout=GONE_SECONDS)
        _wait_for(lambda: not any(_running(pid) for pid in workers), GONE_SECONDS)
        left = [pid for pid in workers if _running(pid)]
        assert not left, f"worker processes {left} outlived the server process killed {GONE_SECONDS} s ago"
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        for pid in workers:  # a failing run leaves nothing behind either
            if _running(pid):
                os.kill(pid, signal.SIGKILL)


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
