"""Progress reporting for long computations, without any I/O in the cores.

A long-running core function takes an optional ``progress`` callback and calls ``progress(done, total)``
as units of work complete (areas of a validation run, chunks of a simulation). The command line turns it
into a progress bar on a terminal (:mod:`bioparity.cli.progress`); library callers pass nothing and pay
nothing. A workspace analysis computed in the background reports its stages instead,
``stage(fraction, message)`` (:data:`StageCallback`), which the server keeps with the job.

Example
-------
>>> seen = []
>>> report(lambda done, total: seen.append((done, total)), 1, 4)
>>> seen
[(1, 4)]
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

#: ``progress(done, total)``: ``done`` of ``total`` units of work are complete.
ProgressCallback = Callable[[int, int], None]
#: ``stage(fraction, message)``: the work is about ``fraction`` (0 to 1) done and now does ``message``.
StageCallback = Callable[[float, str], None]


def report(progress: ProgressCallback | None, done: int, total: int) -> None:
    """Call ``progress(done, total)`` when a callback was given."""
    if progress is not None:
        progress(done, total)


def report_stage(stage: StageCallback | None, fraction: float, message: str) -> None:
    """Call ``stage(fraction, message)`` when a callback was given.

    Parameters
    ----------
    stage : callable or None
        ``stage(fraction, message)``; None reports nothing.
    fraction : float
        How much of the work is done, from 0 to 1.
    message : str
        What the work does now, e.g. ``"reading conc.csv"``.

    Examples
    --------
    >>> stages = []
    >>> report_stage(lambda f, m: stages.append((f, m)), 0.5, "computing")
    >>> report_stage(None, 1.0, "done")
    >>> stages
    [(0.5, 'computing')]
    """
    if stage is not None:
        stage(fraction, message)


def ticking(items: Iterable[T], total: int, progress: ProgressCallback | None) -> Iterator[T]:
    """Yield ``items``, calling ``progress(i, total)`` once the ``i``-th has been used.

    Parameters
    ----------
    items : iterable
        The units of work, e.g. blocks of rows being written.
    total : int
        How many there are.
    progress : callable or None
        ``progress(done, total)``; None reports nothing.

    Returns
    -------
    iterator
        The same items, in order.

    Examples
    --------
    >>> seen = []
    >>> [x * 2 for x in ticking([1, 2], 2, lambda done, total: seen.append((done, total)))]
    [2, 4]
    >>> seen
    [(1, 2), (2, 2)]
    """
    for done, item in enumerate(items, 1):
        yield item
        report(progress, done, total)
