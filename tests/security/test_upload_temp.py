"""Issue 16, item 13: temporary upload folders left by a process killed with SIGKILL are removed when a
server starts; folders of live processes are left alone. (On today's main the folders are named
``bioparity-<random>`` with nothing to tell a live owner from a dead one, and nothing removes them.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from bioparity.server import create_app
from bioparity.workspace.datasets import UPLOAD_FOLDER_PREFIX, clean_stale_upload_folders
from tests.workspace.conftest import database

PARSER = textwrap.dedent(
    """
    import sys, time
    from bioparity.workspace.datasets import read_stored

    def slow_reader(path):
        print(path.parent, flush=True)
        time.sleep(120)

    read_stored(b"a,b\\n1,2\\n", "upload.csv", slow_reader)
    """
)


def _killed_while_parsing(folder: Path) -> Path:
    """Start a process that parses an upload, SIGKILL it mid-parse; the folder it leaves behind."""
    env = os.environ | {"TMPDIR": str(folder)}
    child = subprocess.Popen([sys.executable, "-c", PARSER], env=env, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    left = Path(child.stdout.readline().strip())
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert left.is_dir() and left.parent == folder and (left / "upload.csv").exists()
    assert left.name.startswith(f"{UPLOAD_FOLDER_PREFIX}{child.pid}-")
    return left


def test_folders_of_dead_processes_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    dead = _killed_while_parsing(tmp_path)
    live = tmp_path / f"{UPLOAD_FOLDER_PREFIX}{os.getpid()}-inuse"
    live.mkdir()
    old_style = tmp_path / "bioparity-ab12cd34"
    old_style.mkdir()
    recent_old_style = tmp_path / "bioparity-zz99yy88"
    recent_old_style.mkdir()
    an_hour_ago = time.time() - 2 * 3600
    os.utime(old_style, (an_hour_ago, an_hour_ago))
    unrelated = tmp_path / "bioparity-upload-notapid"
    unrelated.mkdir()

    removed = clean_stale_upload_folders(tmp_path)

    assert sorted(removed) == sorted([dead, old_style])
    assert not dead.exists() and not old_style.exists()
    assert live.exists() and recent_old_style.exists() and unrelated.exists()


def test_server_start_up_removes_what_a_killed_server_left(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    left = _killed_while_parsing(scratch)
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    with database("sqlite", tmp_path) as eng:
        create_app(engine=eng, web=False)
    assert not left.exists()
    assert list(scratch.iterdir()) == []
