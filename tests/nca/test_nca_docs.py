"""The documented example of the NCA package runs and gives the stated number (T20: the log trapezoid
2 x 5 / ln 2, Purves 1992)."""

from __future__ import annotations

import doctest

import bioparity.nca


def test_package_docstring_example() -> None:
    result = doctest.testmod(bioparity.nca, verbose=False)
    assert result.attempted >= 1
    assert result.failed == 0
