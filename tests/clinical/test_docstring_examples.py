"""The examples in the clinical modules' docstrings run and give what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "bioparity.clinical.proportions",
    "bioparity.clinical.ratio",
    "bioparity.clinical.means",
    "bioparity.clinical.equivalence",
    "bioparity.clinical.sample_size_means",
    "bioparity.clinical.sample_size_proportions",
    "bioparity.clinical.stratified",
    "bioparity.clinical.immunogenicity",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0
