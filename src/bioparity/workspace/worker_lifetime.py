"""A worker process of the server ends when the server process that started it ends, however it ends.

The server's worker processes (:mod:`bioparity.workspace.executors`, :mod:`bioparity.workspace.upload_worker`)
are workers of a ``spawn`` :class:`concurrent.futures.ProcessPoolExecutor`, stopped by the server's ``atexit``
handlers. A server that is killed (``SIGKILL``, the kernel's out-of-memory killer) runs no handler, and its
idle workers, which wait for tasks on a pipe they hold open themselves, would never see it close: adopted by
process 1, each would keep its memory (about 150-250 MB) until someone killed it. :func:`exit_with_parent`,
called by each worker's initialiser, makes the worker end as soon as its parent is gone. The server processes
of ``bioparity serve --workers N``, started with ``spawn`` by uvicorn's supervisor, call it too
(:func:`bioparity.server.create_app_from_environment`), with a grace period to shut down in order.

It waits, in a daemon thread, on the parent's sentinel (:func:`multiprocessing.parent_process`; Python
documentation, ``multiprocessing``: ``parent_process()`` and ``Process.sentinel``): on POSIX the read end of
the pipe whose write end only the parent process holds, on Windows a handle of the parent process; either is
ready once the parent has ended, by any cause. A parent that ended before the worker got here is seen at
once. Dask's worker processes end with their nanny the same way (``distributed.process.AsyncProcess``,
``_immediate_exit_when_closed``).

Linux's ``prctl(PR_SET_PDEATHSIG)`` is deliberately not used: the signal is sent when the *thread* that
created the child ends, not the process (Linux man-pages, prctl(2), ``PR_SET_PDEATHSIG``), and the pools are
started by whichever thread first needs them (a request's thread of the web server's thread pool, ended
after a few idle seconds; a job thread of an app that closes while the pool is shared with others), so it
would kill the workers of a server that is still running. Polling ``os.getppid()`` is not used either: on
Windows it keeps returning the pid of a parent that has ended.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from multiprocessing.connection import wait

#: The exit status of a worker that ended because its parent had ended (nothing waits for it).
ORPHANED_EXIT_STATUS = 70


def _end_when_ready(sentinel: int, grace_seconds: float | None) -> None:
    wait([sentinel])
    if grace_seconds is not None:
        os.kill(os.getpid(), signal.SIGTERM)  # the process's own orderly shutdown
        time.sleep(grace_seconds)
    os._exit(ORPHANED_EXIT_STATUS)  # no clean-up: the task, if any, belongs to a server that is gone


def exit_with_parent(grace_seconds: float | None = None) -> None:
    """In a process started by :mod:`multiprocessing` with ``spawn`` (the server's pools; the server
    processes of ``bioparity serve --workers N``): end it as soon as the process that started it ends. Does
    nothing in a process not started by :mod:`multiprocessing`.

    Parameters
    ----------
    grace_seconds : float or None, default None
        None: end at once (``os._exit``, status :data:`ORPHANED_EXIT_STATUS`), for a worker that only
        computes. A number: first ``SIGTERM`` to the process itself, so that a server shuts down in order
        (uvicorn finishes the requests under way, the job runner fails the jobs it holds), then ``os._exit``
        if it still runs that many seconds later.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    watcher = threading.Thread(
        target=_end_when_ready,
        args=(parent.sentinel, grace_seconds),
        name="bioparity-parent-watch",
        daemon=True,
    )
    watcher.start()
