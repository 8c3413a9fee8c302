"""Lots grouped by a row index (``count_inside``, ``nonparametric_limits``): arguments that do not fit are an
:class:`~bioparity.errors.InputError` naming them with their shapes.

Before, NumPy's bare errors came out (``operands could not be broadcast together with shapes (3,) (2,)``,
``index 2 is out of bounds``, ``object too deep for desired array``), and ``lower`` and ``upper`` of
different lengths gave a count per row of ``lower`` silently, the last row counted against no upper limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from bioparity.caa import count_inside, nonparametric_limits
from bioparity.errors import InputError

FORTY = np.arange(1.0, 41.0)
ONE_ROW = np.zeros(40, dtype=int)

CASES: list[tuple[str, Callable[[], Any], str]] = [
    (
        "values and rows of two lengths",
        lambda: count_inside([1.0, 2.0, 3.0], [0, 0], [0.0], [5.0]),
        "inputs cannot be broadcast together: values (3,), rows (2,)",
    ),
    (
        "lower and upper of two lengths",
        lambda: count_inside([1.0, 2.0], [0, 1], [0.0, 1.0, 2.0], [5.0, 6.0]),
        "inputs cannot be broadcast together: lower (3,), upper (2,)",
    ),
    (
        "a row beyond lower and upper",
        lambda: count_inside([1.0, 2.0], [0, 2], [0.0, 1.0], [5.0, 6.0]),
        "rows must index the 2 row(s), 0 to 1: got 0 to 2",
    ),
    (
        "a negative row",
        lambda: count_inside([1.0, 2.0], [-1, 0], [0.0, 1.0], [5.0, 6.0]),
        "rows must index the 2 row(s), 0 to 1: got -1 to 0",
    ),
    (
        "a table of values",
        lambda: count_inside(np.ones((2, 2)), np.zeros((2, 2), dtype=int), [0.0], [5.0]),
        "values and rows must be flat (1-D arrays): got values (2, 2), rows (2, 2)",
    ),
    (
        "reference values and rows of two lengths",
        lambda: nonparametric_limits(FORTY, ONE_ROW[:39], 1),
        "inputs cannot be broadcast together: values (40,), rows (39,)",
    ),
    (
        "a row beyond n_rows",
        lambda: nonparametric_limits(FORTY, np.full(40, 3), 2),
        "rows must index the 2 row(s), 0 to 1: got 3 to 3",
    ),
    (
        "directions that do not broadcast to the rows",
        lambda: nonparametric_limits(FORTY, np.arange(40) % 3, 3, direction=["two-sided", "higher-is-worse"]),
        "inputs cannot be broadcast together: direction (2,), n_rows (3,)",
    ),
    (
        "more directions than rows",
        lambda: nonparametric_limits(FORTY, ONE_ROW, 1, direction=["two-sided", "higher-is-worse"]),
        "direction (2,) must be one value, or one per row (n_rows 1)",
    ),
]


@pytest.mark.parametrize(("what", "call", "message"), CASES, ids=[c[0] for c in CASES])
def test_arguments_that_do_not_fit_are_an_input_error_naming_them(
    what: str, call: Callable[[], Any], message: str
) -> None:
    with pytest.raises(InputError) as info:
        call()
    assert str(info.value) == message, what


def test_a_direction_per_row_and_a_scalar_row_still_broadcast() -> None:
    # 40 lots 1..40 of one row, upper limit only: the largest r with P(Binomial(40, 0.1) >= r) >= 0.90
    # (Wilks 1941) is r = 2 (0.9195; r = 3 gives 0.7772), so the limit is x_(40+1-2) = 39.
    lower, upper, r = nonparametric_limits(FORTY, 0, 1, direction=["higher-is-worse"])
    assert lower.tolist() == [-np.inf] and upper.tolist() == [39.0] and r.tolist() == [2]
    # 3 lots of row 0 against [2, 3] and none of row 1 (by hand: 2 and 3 are inside, 1 is not)
    n_inside, inside = count_inside([1.0, 2.0, 3.0], 0, [2.0, 0.0], [3.0, 1.0])
    assert n_inside.tolist() == [2, 0] and inside.tolist() == [False, True, True]
