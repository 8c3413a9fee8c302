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


#: The thread-count variables of the BLAS libraries NumPy and SciPy may be built with (OpenBLAS, OpenMP, MKL).
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread() -> None:
    """Ask for one BLAS thread per process, unless the user set a number: call before NumPy is imported.

    The numerical cores solve small systems (tens to hundreds of rows), where OpenBLAS's helper threads
    spin-wait instead of helping, and ``serve`` (request threads), the Dask scale-out (processes) and the
    test run (one worker per CPU) already run work side by side. README, "Validation pack", gives the
    measurement (about two thirds of the CPU time of ``bioparity validate`` with two threads).

    Examples
    --------
    >>> import os
    >>> one_blas_thread()
    >>> all(os.environ[name] for name in BLAS_THREAD_VARIABLES)
    True
    """
    for name in BLAS_THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
