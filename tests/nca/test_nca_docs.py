"""The documented examples of the NCA package and of its entry (``run_nca``) give the stated numbers
(T20: the log trapezoid 2 x 5 / ln 2, Purves 1992)."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

import bioparity.nca
import bioparity.nca.run


@pytest.mark.parametrize("module", [bioparity.nca, bioparity.nca.run], ids=lambda m: m.__name__)
def test_docstring_examples(module: ModuleType) -> None:
    result = doctest.testmod(module, verbose=False)
    assert result.attempted >= 1
    assert result.failed == 0
