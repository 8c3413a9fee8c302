"""A progress bar for long commands on a terminal (rich), silent when the output is piped or redirected.

``with progress_bar("simulating studies") as bar: core(..., progress=bar)``: the core calls
``bar(done, total)``. A command of several steps names each one, ``bar.stage("writing out.csv",
total=None)`` (no total: the bar pulses until the step reports ``done`` of ``total``). The bar is drawn
on standard error and removed when the command ends, so the command's own output (tables, JSON, CSV on
standard output) is unchanged; when standard error is not a terminal nothing at all is drawn.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID


class ProgressBar(Protocol):
    """What :func:`progress_bar` yields: a ``progress(done, total)`` callback with named steps."""

    def __call__(self, done: int, total: int) -> None:
        """``done`` of ``total`` units of the current step are complete."""

    def stage(self, description: str, total: int | None = None) -> None:
        """Start the step ``description`` (``total`` units, or None when unknown)."""


class _Silent:
    """No progress display (standard error is not a terminal)."""

    def __call__(self, done: int, total: int) -> None:
        """Nothing to draw."""

    def stage(self, description: str, total: int | None = None) -> None:
        """Nothing to draw."""


class _Bar:
    """A rich progress bar with one task, whose description is the current step."""

    def __init__(self, progress: Progress, task: TaskID) -> None:
        self._progress = progress
        self._task = task

    def __call__(self, done: int, total: int) -> None:
        self._progress.update(self._task, completed=done, total=total)

    def stage(self, description: str, total: int | None = None) -> None:
        self._progress.reset(self._task, description=description, total=total)


@contextmanager
def progress_bar(description: str, *, force: bool | None = None) -> Iterator[ProgressBar]:
    """A bar on standard error when it is a terminal (or ``force``), else a silent callback."""
    show = sys.stderr.isatty() if force is None else force
    if not show:
        yield _Silent()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True, force_terminal=force),
        transient=True,
    ) as bar:
        yield _Bar(bar, bar.add_task(description, total=None))
