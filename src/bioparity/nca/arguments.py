"""The arguments of a call by name, with the callee's defaults: for a function that forwards ``**options``
to a public function's checks without restating its signature and defaults."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any


def call_arguments(func: Callable[..., Any], /, *args: Any, **kwargs: Any) -> dict[str, Any]:
    """The arguments ``func(*args, **kwargs)`` would receive, by parameter name, defaults filled in.

    Parameters
    ----------
    func : callable
        The function whose signature names the arguments and gives the defaults.
    *args, **kwargs
        The call's arguments.

    Returns
    -------
    dict of str to object
        Every parameter of ``func`` (``**kwargs`` parameters as one dict), in signature order.

    Raises
    ------
    TypeError
        When ``func`` takes no such argument or one is missing, as the call itself would.

    Examples
    --------
    >>> def f(a, *, b=2, c=None):
    ...     return a
    >>> call_arguments(f, 1, c=3)
    {'a': 1, 'b': 2, 'c': 3}
    """
    bound = inspect.signature(func).bind(*args, **kwargs)
    bound.apply_defaults()
    return dict(bound.arguments)
