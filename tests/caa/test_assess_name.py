"""``bioparity.caa.assess`` is the function, whatever was imported before (the engine's module is
``bioparity.caa.assessment``, so importing a submodule cannot replace the lazily loaded function)."""

from __future__ import annotations

import importlib
import pkgutil

import bioparity.caa


def test_assess_is_the_function_after_every_submodule_is_imported() -> None:
    for info in pkgutil.iter_modules(bioparity.caa.__path__):
        importlib.import_module(f"bioparity.caa.{info.name}")
    from bioparity.caa import assess

    assert callable(assess) and assess.__module__ == "bioparity.caa.assessment"
