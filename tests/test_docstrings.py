"""Every public function and class has a numpydoc docstring with Parameters and Returns (issue #26).

"Public" is the ``__all__`` of each public package. A function passes when its docstring (parsed by
numpydoc's own parser, the one the documentation build uses) has a Parameters section naming every
parameter of its signature, and a Returns (or Yields) section. A class passes when its docstring documents
the constructor's arguments in a Parameters or Attributes section naming each of them. Constants are
described in the module docstrings and the API reference, not here.

Every package in :data:`PUBLIC_PACKAGES` passes entirely, so a new public definition without a numpydoc
docstring fails this test; a new public package is added to the list.
"""

from __future__ import annotations

import importlib
import inspect
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from numpydoc.docscrape import ClassDoc, FunctionDoc, NumpyDocString

PUBLIC_PACKAGES = (
    "bioparity.power",
    "bioparity.nca",
    "bioparity.be",
    "bioparity.caa",
    "bioparity.clinical",
    "bioparity.simulate",
    "bioparity.scale",
    "bioparity.pathways",
    "bioparity.market",
    "bioparity.validation",
    "bioparity.potency",
    "bioparity.bioassay",
    "bioparity.stability",
    "bioparity.profiles",
    "bioparity.analyses",
)


def _documented_names(doc: NumpyDocString, *sections: str) -> set[str]:
    names: set[str] = set()
    for section in sections:
        for item in doc[section]:
            for name in item.name.split(","):  # "x, y : float" documents both
                names.add(name.strip().lstrip("*"))
    return names


def _signature_names(obj: Callable[..., Any]) -> list[str]:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):  # builtins without a signature
        return []
    return [name for name in sig.parameters if name not in ("self", "cls")]


def problems(obj: Any) -> list[str]:
    """What the docstring of ``obj`` lacks ([] when it passes)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numpydoc warns about unknown sections; reported below instead
        if inspect.isclass(obj):
            doc: NumpyDocString = ClassDoc(obj, config={"show_class_members": False})
        else:
            doc = FunctionDoc(obj)
    if not (obj.__doc__ or "").strip():
        return ["no docstring"]
    out: list[str] = []
    if inspect.isclass(obj):
        wanted = [] if issubclass(obj, BaseException) else _signature_names(obj)
        missing = [n for n in wanted if n not in _documented_names(doc, "Parameters", "Attributes")]
        if missing:
            out.append(f"Parameters/Attributes without {', '.join(missing)}")
        return out
    missing = [n for n in _signature_names(obj) if n not in _documented_names(doc, "Parameters")]
    if missing:
        out.append(f"Parameters without {', '.join(missing)}")
    if not doc["Returns"] and not doc["Yields"]:
        out.append("no Returns section")
    return out


def public_definitions(package: str) -> list[tuple[str, Any]]:
    module = importlib.import_module(package)
    names = getattr(module, "__all__", None)
    assert names, f"{package} has no __all__"
    return [
        (f"{package}.{name}", getattr(module, name))
        for name in names
        if inspect.isclass(getattr(module, name)) or inspect.isroutine(getattr(module, name))
    ]


def failures(packages: tuple[str, ...]) -> dict[str, list[str]]:
    return {
        name: found
        for package in packages
        for name, obj in public_definitions(package)
        if (found := problems(obj))
    }


def test_the_checker_sees_a_missing_section() -> None:
    def documented(x: int) -> int:
        """Double.

        Parameters
        ----------
        x : int
            The number.

        Returns
        -------
        int
            ``2 x``.
        """
        return 2 * x

    def undocumented(x: int, y: int) -> int:
        """Sum.

        Parameters
        ----------
        x : int
            The first.
        """
        return x + y

    assert problems(documented) == []
    assert problems(undocumented) == ["Parameters without y", "no Returns section"]


@pytest.mark.parametrize("package", PUBLIC_PACKAGES)
def test_public_definitions_have_numpydoc_docstrings(package: str) -> None:
    found = failures((package,))
    assert not found, "\n".join(f"{name}: {'; '.join(why)}" for name, why in found.items())
