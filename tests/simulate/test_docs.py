"""The examples in the simulate and scale docstrings run as written."""

from __future__ import annotations

import doctest

import bioparity.simulate


def test_simulate_docstring_examples() -> None:
    result = doctest.testmod(bioparity.simulate, raise_on_error=False)
    assert result.attempted >= 2 and result.failed == 0
