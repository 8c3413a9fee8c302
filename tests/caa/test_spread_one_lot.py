"""A spread check cannot judge a single test lot: the comparison is not evaluable, never a "fail" on a NaN
ratio; a catalogue cannot lower the lot minimums below the method's technical minimum.

With one lot the sample SD (n - 1 denominator) is undefined: R ``sd(100)`` is ``NA``. The plan qr-2025
requires s_T/s_R <= 1.5 (FDA 2019 draft / 2025 final CAA guidance, quality-range section: similar
population mean *and* standard deviation), so a comparison whose s_T cannot be computed cannot be
judged by that plan.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bioparity.caa.assessment import compare
from bioparity.errors import InputError

REFERENCE = np.linspace(98.0, 102.0, 10)
WHY = "only one lot made so far"


def test_one_test_lot_with_a_spread_check_is_not_evaluable() -> None:
    res = compare([100.0], REFERENCE, "quality-range", min_test_lots=1, lot_justification=WHY)
    assert (res.status, res.spread_status, res.passed) == ("not-evaluable", "not-evaluable", None)
    assert math.isnan(res.sd_ratio) and "nan" not in res.reasons
    assert res.reasons == ("not evaluable: 1 lot of test: the spread check s_T/s_R needs >= 2 lots for an SD")
    tolerance = compare([100.0], REFERENCE, "tolerance-interval", min_test_lots=1, lot_justification=WHY)
    assert (tolerance.status, tolerance.spread_status) == ("not-evaluable", "not-evaluable")


def test_one_test_lot_without_a_spread_check_keeps_its_verdict() -> None:
    res = compare([100.0], REFERENCE, "quality-range", min_test_lots=1, plan="tiered-2017")
    assert (res.status, res.spread_status) == ("pass", "off")
    two = compare([100.0, 100.5], REFERENCE, "quality-range", min_test_lots=2, lot_justification=WHY)
    assert (two.status, two.spread_status) == ("pass", "pass")


@pytest.mark.parametrize("plan", ["qr-2025", "tiered-2017"])
def test_lot_minimums_below_the_methods_technical_minimum_are_refused(plan: str) -> None:
    """Methods.min_reference_lots (3) is the floor: 2 reference lots give s_R on 1 degree of freedom (a k = 3
    range from two lots), 1 lot no SD at all; before, a catalogue could lower the minimum to either."""
    for n in (1, 2):
        with pytest.raises(InputError, match="below the technical minimum of quality-range"):
            compare(
                REFERENCE,
                REFERENCE[: n + 1],
                "quality-range",
                min_reference_lots=n,
                lot_justification=WHY,
                plan=plan,
            )
    ok = compare(
        REFERENCE, REFERENCE[:3], "quality-range", min_reference_lots=3, lot_justification=WHY, plan=plan
    )
    assert ok.status in ("pass", "fail")
    flat = compare(REFERENCE, [100.0] * 10, "quality-range", plan=plan)
    assert flat.reasons == "not evaluable: reference SD is 0: no scale for the range or margin"
