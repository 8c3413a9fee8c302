"""Long commands report progress: a callback per unit of work in the cores, a bar only on a terminal."""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
import threading
from contextlib import redirect_stderr
from pathlib import Path

from bioparity.cli.progress import progress_bar
from bioparity.demo import pk_concentrations
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


#: What a drawn bar leaves in the output: its step descriptions, carriage returns and terminal control codes
#: (rich's bar glyph is not among them: the tables printed by `run` use the same character).
BAR_MARKS = ("reading ", "computing ", "writing ", "\r", "\x1b[")
# Runs long commands in one interpreter (one start-up), as `bioparity ...` would, with the test's streams.
_DRIVER = """
import json, sys
from bioparity.cli.main import app
for args in json.loads(sys.argv[1]):
    try:
        app(args)
    except SystemExit as exc:
        assert exc.code in (0, None), (args, exc.code)
"""


def _commands(folder: Path) -> list[list[str]]:
    """A sample-size grid, NCA of a small file (streamed by blocks) and ``run`` on the same file."""
    grid = folder / "grid.csv"
    grid.write_text("design,cv,theta0,theta1,theta2,alpha,target_power\n2x2,0.3,0.95,,,,0.8\n")
    conc = folder / "conc.csv"
    frame = pk_concentrations(seed=3, per_arm=4)
    frame.to_csv(conc, index=False)
    return [
        ["samplesize", "--grid", str(grid), "--out", str(folder / "n.csv")],
        ["nca", str(conc), "--out", str(folder / "pp.csv")],
        ["run", "nca", str(conc), "--out", str(folder / "run.csv")],
    ]


def test_long_commands_draw_a_bar_on_a_terminal_and_nothing_when_piped(tmp_path: Path) -> None:
    """The same commands twice at once: standard error on a pseudo-terminal shows each command's bar (its
    last step, then removed); with standard error piped, nothing of a bar is in the output. Standard output
    is piped in both and keeps exactly the commands' output."""
    (tmp_path / "tty").mkdir()
    (tmp_path / "piped").mkdir()
    env = os.environ | {"TERM": "xterm-256color", "COLUMNS": "120"}
    controller, terminal = pty.openpty()
    seen: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal side was closed
                return
            if not chunk:
                return
            seen.append(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        on_tty = subprocess.Popen(
            [sys.executable, "-c", _DRIVER, json.dumps(_commands(tmp_path / "tty"))],
            stdout=subprocess.PIPE, stderr=terminal, env=env,
        )  # fmt: skip
        piped = subprocess.run(
            [sys.executable, "-c", _DRIVER, json.dumps(_commands(tmp_path / "piped"))],
            capture_output=True, text=True, timeout=300, check=True, env=env,
        )  # fmt: skip
        tty_stdout, _ = on_tty.communicate(timeout=300)
        assert on_tty.returncode == 0
    finally:
        os.close(terminal)
        reader.join(timeout=30)
        os.close(controller)
    drawn = b"".join(seen).decode("utf-8", "replace")
    assert "━" in drawn and "\x1b[" in drawn  # a bar, drawn with terminal control codes
    assert "writing n.csv" in drawn and "writing pp.csv" in drawn and "writing run.csv" in drawn
    assert not [mark for mark in BAR_MARKS if mark in tty_stdout.decode()]
    output = piped.stdout + piped.stderr
    assert "wrote 1 row to" in output and "profiles) to" in output  # the commands ran and said so
    assert not [mark for mark in BAR_MARKS if mark in output], output[-2000:]
    assert (tmp_path / "piped" / "pp.csv").read_bytes() == (tmp_path / "tty" / "pp.csv").read_bytes()
