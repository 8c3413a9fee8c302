"""A progress bar for long commands on a terminal (rich), silent when the output is piped or redirected.

``with progress_bar("simulating studies") as tick: core(..., progress=tick)``: the core calls
``tick(done, total)``. The bar is drawn on standard error and removed when the command ends, so the
command's own output (tables, JSON, CSV on standard output) is unchanged.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from bioparity.progress import ProgressCallback


def _silent(done: int, total: int) -> None:
    """No progress display (output is not a terminal)."""


@contextmanager
def progress_bar(description: str, *, force: bool | None = None) -> Iterator[ProgressCallback]:
    """A callback drawing a transient bar on standard error when it is a terminal (or ``force``)."""
    show = sys.stderr.isatty() if force is None else force
    if not show:
        yield _silent
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
        task = bar.add_task(description, total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield tick
