"""Large uploads are parsed in a worker process of lower CPU priority, so the server stays responsive.

Reading a file of a million rows with its analysis kind's reader takes seconds of CPU, much of it holding
the interpreter lock (pandas, the kind's checks). In the server process that stalls every other request:
a sign-in during such an upload took over a second. :func:`parse_upload_apart` hands an upload larger than
:data:`PARSE_APART_BYTES` to one worker process (started with ``spawn`` at the first large upload, kept for
the life of the server process, at the lower CPU priority of
:func:`~bioparity.workspace.executors.lower_priority` so that the operating system prefers the
server's interactive requests when the cores are busy, and ending with the server process even when that is
killed: :mod:`~bioparity.workspace.worker_lifetime`); smaller files, kinds registered at run time by a
plug-in (a fresh interpreter knows the built-in kinds only) and ``BIOPARITY_JOB_WORKERS=0`` are parsed in
the calling thread, as before. Either way the result is :func:`~bioparity.workspace.datasets.parse_upload`'s
(the same function runs in the worker), and its errors (``DataFileError`` naming file, row and column) are
raised in the caller unchanged.
"""

from __future__ import annotations

import atexit
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from bioparity.errors import BioparityError
from bioparity.i18n import current_language, use_language
from bioparity.workspace.datasets import PendingUpload, parse_upload
from bioparity.workspace.executors import KeptPool, is_builtin, job_workers, prepare_worker

#: Uploads at least this large are parsed in the worker process (1 MiB: ~25,000 rows of a typical file).
PARSE_APART_BYTES = 1 << 20


class ParserLostError(BioparityError):
    """The worker process parsing an upload stopped (killed, out of memory): nothing was stored."""


def _parse_in_language(pending: PendingUpload, language: str) -> tuple[int | None, str | None]:
    """What :func:`parse_upload` adds to the upload (row count, column mapping): only those travel back,
    not the file's bytes the server already holds."""
    with use_language(language):
        parsed = parse_upload(pending)
    return parsed.n_rows, parsed.column_map


class _Parser:
    """The one worker process of this server process that parses large uploads (replaced if it dies)."""

    def __init__(self) -> None:
        self._pools = KeptPool(_parser_pool, _shut_down)

    def _current(self) -> ProcessPoolExecutor:
        return self._pools.current()

    def parse(self, pending: PendingUpload) -> PendingUpload:
        pool = self._current()
        try:
            n_rows, column_map = pool.submit(_parse_in_language, pending, current_language()).result()
        except BrokenProcessPool as exc:
            self._pools.discard(pool)
            raise ParserLostError(
                f"the worker process reading {pending.filename} stopped unexpectedly (for example, it ran "
                "out of memory or was killed); nothing was stored: upload the file again"
            ) from exc
        return replace(pending, n_rows=n_rows, column_map=column_map)

    def close(self) -> None:
        self._pools.close()


def _parser_pool() -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=prepare_worker
    )


def _shut_down(pool: ProcessPoolExecutor) -> None:
    pool.shutdown(wait=False, cancel_futures=True)


_PARSER = _Parser()
atexit.register(_PARSER.close)


def parse_upload_apart(pending: PendingUpload) -> PendingUpload:
    """:func:`~bioparity.workspace.datasets.parse_upload`, in the worker process for a large upload of a
    built-in kind (see the module's description), else in the calling thread."""
    builtin = pending.analysis_kind is None or is_builtin(pending.analysis_kind)
    if len(pending.content) < PARSE_APART_BYTES or not builtin or job_workers() == 0:
        return parse_upload(pending)
    return _PARSER.parse(pending)
