"""Shared behaviour of bioparity's immutable result objects.

Every computation returns a frozen dataclass that mixes in :class:`ResultMixin`: the numbers,
the settings used and the software version, exportable with ``to_dict()`` and ``to_frame()``.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd

from bioparity import __version__


def plain(value: Any) -> Any:
    """Convert NumPy values (and containers of them) to JSON-friendly Python values."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    return value


class ResultMixin:
    """``to_dict``, ``to_frame`` and a short ``repr`` for frozen result dataclasses.

    Array fields of one common shape become the columns of ``to_frame()``; scalar fields
    (settings) are repeated on every row so that each row is self-describing.
    """

    software_version: str

    def to_dict(self) -> dict[str, Any]:
        """All fields as plain Python values (lists for arrays), ready for ``json.dumps``."""
        assert dataclasses.is_dataclass(self)
        return {f.name: plain(getattr(self, f.name)) for f in dataclasses.fields(self)}

    def to_frame(self) -> pd.DataFrame:
        """One row per scenario: array fields as columns, scalar settings repeated."""
        assert dataclasses.is_dataclass(self)
        columns: dict[str, Any] = {}
        shape: tuple[int, ...] | None = None
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray) and value.ndim > 0:
                shape = value.shape if shape is None else shape
                columns[f.name] = value.ravel()
            else:
                columns[f.name] = plain(value)
        if shape is None:
            return pd.DataFrame([columns])
        return pd.DataFrame(columns, index=pd.RangeIndex(int(np.prod(shape))))

    def _repr_fields(self) -> list[str]:
        """Field names shown by ``repr``; subclasses may narrow it."""
        assert dataclasses.is_dataclass(self)
        return [f.name for f in dataclasses.fields(self) if f.name != "software_version"]

    def __repr__(self) -> str:
        parts = []
        for name in self._repr_fields():
            value = getattr(self, name)
            if isinstance(value, np.ndarray):
                if value.size == 1:
                    shown = repr(value.item())
                elif value.size <= 6:
                    shown = np.array2string(value, precision=6, separator=", ")
                else:
                    shown = f"<{value.size} values>"
            else:
                shown = repr(value)
            parts.append(f"{name}={shown}")
        return f"{type(self).__name__}({', '.join(parts)})"


def software_version() -> str:
    """The bioparity version string recorded in every result."""
    return __version__
