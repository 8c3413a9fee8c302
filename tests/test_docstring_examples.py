"""Every example in the docstrings of the public packages runs and prints what it says (issue #26).

One case per module of every package in :data:`tests.test_docstrings.PUBLIC_PACKAGES` (submodules found
with :mod:`pkgutil`), so an example in the API reference cannot drift from the code. A module without
examples passes trivially; an example that is too slow to run here is marked ``# doctest: +SKIP`` with the
reason written next to it.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import numpy as np
import pytest

from tests.test_docstrings import PUBLIC_PACKAGES

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def _modules() -> list[str]:
    names: list[str] = []
    for package in PUBLIC_PACKAGES:
        names.append(package)
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}."):
            names.append(info.name)
    return sorted(set(names))


@pytest.mark.parametrize("name", _modules())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report: list[str] = []
    with np.printoptions(legacy=False, precision=8, suppress=False, linewidth=75):
        for test in doctest.DocTestFinder().find(module, name):
            if test.name.startswith(name) and test.examples:
                runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
