"""``make unit`` runs the test files slowest first on both workers (tests/conftest.py orders them by
tests/durations.txt).

pytest-xdist's ``--dist loadfile`` re-sorts the files by their number of tests unless
``--no-loadscope-reorder`` is given (``--loadscope-reorder`` is on by default since pytest-xdist 3.6): the
order of tests/conftest.py was then lost, and tests/web/test_gallery.py, the slowest file but a single test,
started 291st of 303 files and ran alone at the end while the other worker waited.
"""

from __future__ import annotations

import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _pytest_command() -> str:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    found = re.search(r"^\tCI=\$\$\{CI:-true\} \$\(BIN\)/python -m pytest(.*)$", makefile, flags=re.M)
    assert found is not None, "no pytest command in the Makefile"
    return found.group(1)


def test_make_unit_keeps_the_collection_order_of_the_files() -> None:
    options = _pytest_command().split()
    assert "--dist" in options and options[options.index("--dist") + 1] == "loadfile"
    assert "--no-loadscope-reorder" in options


def test_the_slowest_measured_file_is_collected_first() -> None:
    """The order the workers keep: the measured files, slowest first, before the others."""
    from tests import conftest

    seconds = conftest._measured_seconds()
    slowest = max(seconds, key=seconds.__getitem__)

    class Item:
        def __init__(self, nodeid: str) -> None:
            self.nodeid = nodeid

    items = [Item("tests/test_x.py::test_a"), Item(f"{slowest}::test_b"), Item("tests/test_y.py::test_c")]
    conftest.pytest_collection_modifyitems(items)  # type: ignore[arg-type]
    assert items[0].nodeid == f"{slowest}::test_b"
