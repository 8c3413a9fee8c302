"""Long commands report progress: a callback per unit of work in the cores, a bar only on a terminal."""

from __future__ import annotations

import io
from contextlib import redirect_stderr

from bioparity.cli.progress import progress_bar
from bioparity.scale.runner import map_chunks
from bioparity.validation import run_validation


def _square_sum(lo: int, hi: int) -> int:
    return sum(i * i for i in range(lo, hi))


def test_map_chunks_reports_every_chunk_and_keeps_results() -> None:
    seen: list[tuple[int, int]] = []
    parts = map_chunks(_square_sum, 10, 3, None, progress=lambda d, t: seen.append((d, t)))
    assert parts == [5, 50, 149, 81]  # 0+1+4, 9+16+25, 36+49+64, 81
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]


def test_validation_reports_each_area() -> None:
    seen: list[tuple[int, int]] = []
    run = run_validation(["clinical"], progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 1)] and run.passed


def test_bar_is_silent_when_not_a_terminal_and_drawn_when_forced() -> None:
    quiet = io.StringIO()
    with redirect_stderr(quiet), progress_bar("work") as tick:
        tick(1, 2)
    assert quiet.getvalue() == ""
    with progress_bar("work", force=True) as tick:
        tick(1, 2)
        tick(2, 2)  # draws on a forced terminal console without error
