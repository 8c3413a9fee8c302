"""The registry of analyses the workspace can run on a stored dataset.

An analysis kind is a name, a validated file reader (path -> checked DataFrame, raising DataFileError that
names row and column) and a pure compute function (frame, options) -> JSON-able dict. Adding a kind is one
``register_analysis(...)`` line in :mod:`bioparity.workspace.kinds`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
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
    ``choices`` lists the only values an option may take (the web form shows it as a select); an
    option not named there is free (its compute function checks it). ``columns`` are the file columns
    a CSV may be mapped to at upload (renamed before ``read``).
    """

    name: str
    description: str
    read: Reader
    compute: Compute
    options: Mapping[str, str] = field(default_factory=dict)
    defaults: Mapping[str, Any] = field(default_factory=dict)
    choices: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    #: The columns the reader expects (name -> required), offered for mapping at upload.
    columns: Mapping[str, bool] = field(default_factory=dict)


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
    problems = option_errors(kind, options)
    if problems:
        raise InputError(
            f"analysis {kind.name!r}: " + "; ".join(f"option {k}: {v}" for k, v in problems.items())
        )
    return {**kind.defaults, **options}


def _shown(value: Any) -> str:
    return "'' (empty)" if value == "" else str(value).lower() if isinstance(value, bool) else str(value)


def option_errors(kind: AnalysisKind, options: Mapping[str, Any]) -> dict[str, str]:
    """Per option name, why its value is refused: not one of the kind's ``choices``, or not a number
    where the default is a number. Empty when every given option is acceptable."""
    problems: dict[str, str] = {}
    for name, value in options.items():
        allowed = kind.choices.get(name)
        default = kind.defaults.get(name)
        if allowed is not None and value not in list(allowed):
            problems[name] = f"{value!r} is not accepted; choose one of {', '.join(map(_shown, allowed))}"
        elif (
            allowed is None
            and isinstance(default, (int, float))
            and not isinstance(default, bool)
            and (isinstance(value, bool) or not isinstance(value, (int, float)))
        ):
            problems[name] = f"{value!r} is not a number (e.g. {default})"
    return problems
