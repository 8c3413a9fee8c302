"""The documented example of the NCA package runs and gives the stated number (regulatory.md T20)."""

from __future__ import annotations

import doctest

import bioparity.nca


def test_package_docstring_example() -> None:
    result = doctest.testmod(bioparity.nca, verbose=False)
    assert result.attempted >= 1
    assert result.failed == 0
