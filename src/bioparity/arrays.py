"""NumPy array type aliases of the numerical cores, and the one broadcasting of their scenario arguments.

One definition for every package (float, integer, boolean, index and string arrays), not one per module;
:func:`broadcast_named` broadcasts the arguments of a vectorised function and, when their shapes do not
fit, raises the :class:`~bioparity.errors.InputError` that names each argument with its shape (never
NumPy's bare ``ValueError``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from bioparity.errors import InputError

__all__ = [
    "BoolArray",
    "FloatArray",
    "IndexArray",
    "IntArray",
    "StrArray",
    "as_float",
    "broadcast_named",
    "broadcast_shape",
    "listed_values",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
IndexArray = npt.NDArray[np.intp]
StrArray = npt.NDArray[np.str_]


def as_float(name: str, value: npt.ArrayLike) -> FloatArray:
    """``value`` as a float array, or an :class:`InputError` naming ``name`` (``x must be numeric; got
    'a'``)."""
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name} must be numeric; got {value!r}") from exc


def broadcast_shape(**shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape that the named ``shapes`` broadcast to.

    Raises
    ------
    InputError
        When they do not broadcast: ``inputs cannot be broadcast together: x1 (2,), n1 (3,)``.
    """
    try:
        return np.broadcast_shapes(*shapes.values())
    except ValueError as exc:
        named = ", ".join(f"{name} {tuple(shape)}" for name, shape in shapes.items())
        raise InputError(f"inputs cannot be broadcast together: {named}") from exc


def broadcast_named(**arrays: npt.ArrayLike) -> list[npt.NDArray[Any]]:
    """The arrays broadcast to one shape (read-only views, as :func:`numpy.broadcast_arrays`), in the order
    given; shapes that do not broadcast are an :class:`InputError` naming each argument (see
    :func:`broadcast_shape`). Convert the dtypes first: the values are taken as they are."""
    values = [np.asarray(v) for v in arrays.values()]
    shape = broadcast_shape(**{name: v.shape for name, v in zip(arrays, values, strict=True)})
    return [np.broadcast_to(v, shape) for v in values]


def listed_values(values: npt.ArrayLike, limit: int = 3) -> str:
    """Distinct values for a message, as a user typed them: ``1``, ``0, 1.5, 7`` or ``0, 1.5, 7 and 2 more``
    (the first ``limit``, in order), never NumPy's repr (``[1.]``); a broadcast value is named once."""
    flat = list(dict.fromkeys(np.asarray(values).ravel().tolist()))
    shown = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in flat[:limit])
    return shown if len(flat) <= limit else f"{shown} and {len(flat) - limit} more"
