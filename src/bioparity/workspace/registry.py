"""The registry of analyses the workspace can run on a stored dataset.

An analysis kind is a name, a validated file reader (path -> checked DataFrame, raising DataFileError that
names row and column) and a pure compute function (frame, options) -> JSON-able dict. Adding a kind is one
``register_analysis(...)`` line in :mod:`bioparity.workspace.kinds`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bioparity.errors import InputError

Reader = Callable[[Path], pd.DataFrame]
Compute = Callable[[pd.DataFrame, Mapping[str, Any]], Mapping[str, Any]]


@dataclass(frozen=True)
class AnalysisKind:
    """One runnable analysis: ``read`` validates the dataset, ``compute`` must be deterministic.

    ``options`` maps each accepted option name to a one-line description; any other option is refused.
    ``defaults`` are merged under the given options, so a run records every setting it used.
    """

    name: str
    description: str
    read: Reader
    compute: Compute
    options: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, AnalysisKind] = {}


def register_analysis(kind: AnalysisKind) -> AnalysisKind:
    """Add ``kind`` to the registry (names are unique)."""
    if kind.name in _REGISTRY:
        raise ValueError(f"analysis kind {kind.name!r} is already registered")
    _REGISTRY[kind.name] = kind
    return kind


def _load_builtin_kinds() -> None:
    importlib.import_module("bioparity.workspace.kinds")


def get_kind(name: str) -> AnalysisKind:
    _load_builtin_kinds()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise InputError(
            f"unknown analysis kind {name!r}; expected one of {', '.join(sorted(_REGISTRY))}"
        ) from None


def analysis_kinds() -> dict[str, AnalysisKind]:
    """All registered kinds by name."""
    _load_builtin_kinds()
    return dict(sorted(_REGISTRY.items()))


def effective_options(kind: AnalysisKind, options: Mapping[str, Any]) -> dict[str, Any]:
    """The options a run uses: the kind's defaults overridden by the given ones (unknown names refused)."""
    unknown = sorted(set(options) - set(kind.options))
    if unknown:
        accepted = ", ".join(f"{k} ({v})" for k, v in kind.options.items()) or "none"
        raise InputError(f"analysis {kind.name!r} does not accept option(s) {unknown}; accepted: {accepted}")
    return {**kind.defaults, **options}
