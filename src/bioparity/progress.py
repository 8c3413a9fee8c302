"""Progress reporting for long computations, without any I/O in the cores.

A long-running core function takes an optional ``progress`` callback and calls ``progress(done, total)``
as units of work complete (areas of a validation run, chunks of a simulation). The command line turns it
into a progress bar on a terminal (:mod:`bioparity.cli.progress`); library callers pass nothing and pay
nothing.

Example
-------
>>> seen = []
>>> report(lambda done, total: seen.append((done, total)), 1, 4)
>>> seen
[(1, 4)]
"""

from __future__ import annotations

from collections.abc import Callable

#: ``progress(done, total)``: ``done`` of ``total`` units of work are complete.
ProgressCallback = Callable[[int, int], None]


def report(progress: ProgressCallback | None, done: int, total: int) -> None:
    """Call ``progress(done, total)`` when a callback was given."""
    if progress is not None:
        progress(done, total)
