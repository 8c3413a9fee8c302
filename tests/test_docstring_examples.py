"""Every example in the docstrings of the public packages runs and prints what it says (issue #26).

One case per module of every package in :data:`tests.test_docstrings.PUBLIC_PACKAGES` (submodules found
with :mod:`pkgutil`, plus the modules outside the package whose definitions it re-exports, such as
:mod:`bioparity.seeding`), so an example in the API reference cannot drift from the code. A module without
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
    """The packages, their submodules, and the modules their ``__all__`` re-exports from elsewhere."""
    names: list[str] = []
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        names.append(package)
        names += [info.name for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}.")]
        names += [getattr(getattr(module, attr), "__module__", package) or package for attr in module.__all__]
    return sorted(n for n in set(names) if n.startswith("bioparity."))


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
