"""Settings read from environment variables (the server's and the store's ``BIOPARITY_*`` variables)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from bioparity.errors import InputError

Number = TypeVar("Number", int, float)


def env_number(
    name: str, default: Number, parse: Callable[[str], Number], valid: Callable[[Number], bool], expected: str
) -> Number:
    """The number in the environment variable ``name``: ``default`` when it is unset or blank.

    Raises
    ------
    InputError
        ``NAME='value' is not <expected>`` when the value is not a number ``parse`` reads or ``valid``
        refuses it.

    Examples
    --------
    >>> env_number("BIOPARITY_EXAMPLE_UNSET", 3, int, lambda n: n > 0, "a positive whole number")
    3
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = parse(raw)
    except ValueError:
        value = None
    if value is None or not valid(value):
        raise InputError(f"{name}={raw!r} is not {expected}")
    return value
