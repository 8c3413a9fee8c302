"""Simulated power / sample size of EMA ABEL and FDA RSABE against PowerTOST's published values.

Published values (PowerTOST README, version 1.5.3.9000; test vectors T7-T9) were simulated by PowerTOST
with 1e5 studies (1e6 for scABEL.ad); ours use the stated ``nsims`` and seed 123456 but a different random
stream, so agreement is checked within 4 combined Monte Carlo standard errors. The published values are in
tests/data/reference/power/scaled_published.csv (read by the validation pack too).
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from bioparity.errors import InputError
from bioparity.power import (
    power_rsabe,
    power_scabel,
    sample_size_rsabe,
    sample_size_scabel,
    scabel_adjusted_alpha,
)
from tests.conftest import REFERENCE

#: The published values with their settings (tests/data/reference/power/scaled_published.csv)
PUBLISHED = pd.read_csv(REFERENCE / "power" / "scaled_published.csv", comment="#", dtype={"cv": str})


def published(function: str, quantity: str, design: str, regulator: str = "EMA") -> float:
    rows = PUBLISHED[
        (PUBLISHED["function"] == function)
        & (PUBLISHED["quantity"] == quantity)
        & (PUBLISHED["design"] == design)
        & (PUBLISHED["regulator"] == regulator)
    ]
    assert len(rows) == 1, (function, quantity, design, regulator)
    return float(rows["expected"].iloc[0])


def within_mc(ours: float, published: float, nsims_ours: int, nsims_published: int) -> bool:
    se = math.sqrt(published * (1 - published) * (1 / nsims_ours + 1 / nsims_published))
    return abs(ours - published) <= 4 * se


def test_reference_file_states_the_settings_used_here() -> None:
    assert len(PUBLISHED) == 17
    mc = PUBLISHED[PUBLISHED["tolerance"].isna()]
    assert set(zip(mc["function"], mc["nsims"], mc["nsims_published"].fillna(0), strict=True)) == {
        ("power_scabel", 200_000, 100_000), ("sample_size_scabel", 100_000, 100_000),
        ("sample_size_rsabe", 100_000, 100_000), ("power_rsabe", 200_000, 100_000),
        ("scabel_adjusted_alpha", 1_000_000, 1_000_000), ("scabel_adjusted_alpha", 1_000_000, 0),
    }  # fmt: skip
    sizes = PUBLISHED[PUBLISHED["quantity"] == "n"]
    assert set(sizes["tolerance"]) == {0} and len(sizes) == 4
    t8 = PUBLISHED[PUBLISHED["case"] == "T8"].set_index("quantity")["tolerance"].dropna().to_dict()
    assert t8 == {"theta0_boundary": 5e-5, "alpha_adjusted": 5e-4, "power": 0.002}
    assert set(PUBLISHED.loc[PUBLISHED["case"] == "T8", "cv"]) == {"0.30|0.35"}


SCABEL = PUBLISHED[PUBLISHED["function"] == "power_scabel"]


@pytest.mark.parametrize(
    ("design", "n", "regulator", "published"),
    [
        (str(r["design"]), int(r["n"]), str(r["regulator"]), float(r["expected"]))
        for r in SCABEL.to_dict("records")
    ],
)
def test_power_scabel_matches_powertost(design: str, n: int, regulator: str, published: float) -> None:
    res = power_scabel(0.45, n, design, regulator=regulator, nsims=200_000)
    assert within_mc(res.power, published, 200_000, 100_000), res.power
    assert res.power_se == pytest.approx(math.sqrt(res.power * (1 - res.power) / 200_000))


def test_sample_size_scabel_t7() -> None:
    res = sample_size_scabel(0.45, "2x3x3")
    power = published("sample_size_scabel", "power", "2x3x3")
    assert res.n == published("sample_size_scabel", "n", "2x3x3") == 39
    assert within_mc(res.power, power, 100_000, 100_000)
    assert sample_size_scabel(0.45, "2x2x4").n == published("sample_size_scabel", "n", "2x2x4") == 28
    gcc = published("sample_size_scabel", "n", "2x3x3", "GCC")
    assert sample_size_scabel(0.45, "2x3x3", regulator="GCC").n == gcc == 54


def test_sample_size_rsabe_t9() -> None:
    res = sample_size_rsabe((0.40, 0.50), "2x2x4")
    assert res.n == published("sample_size_rsabe", "n", "2x2x4", "FDA") == 20
    assert within_mc(res.power, published("sample_size_rsabe", "power", "2x2x4", "FDA"), 100_000, 100_000)
    p = published("power_rsabe", "power", "2x2x4", "FDA")
    assert within_mc(power_rsabe((0.40, 0.50), 20, "2x2x4", nsims=200_000).power, p, 200_000, 100_000)


def test_scabel_type1_error_and_adjusted_alpha_t8() -> None:
    """scABEL.ad(CV = c(0.30, 0.35), design = "2x2x4", n = 30): TIE 0.06651, adjusted alpha 0.03540."""
    res = scabel_adjusted_alpha((0.30, 0.35), 30, "2x2x4")
    ad = "scabel_adjusted_alpha"
    assert round(res.theta0_boundary, 4) == published(ad, "theta0_boundary", "2x2x4")
    assert within_mc(res.type1_error, published(ad, "type1_error", "2x2x4"), 1_000_000, 1_000_000)
    assert res.alpha_adjusted == pytest.approx(published(ad, "alpha_adjusted", "2x2x4"), abs=5e-4)
    nominal = published(ad, "type1_error_adjusted", "2x2x4")
    assert res.type1_error_adjusted == pytest.approx(nominal, abs=4 * math.sqrt(0.05 * 0.95 / 1e6))
    power = power_scabel((0.30, 0.35), 30, "2x2x4", alpha=res.alpha_adjusted, nsims=1_000_000).power
    assert power == pytest.approx(published("power_scabel_adjusted_alpha", "power", "2x2x4"), abs=0.002)


def test_seeded_and_reproducible() -> None:
    a = power_scabel(0.40, 24, "2x2x4", nsims=10_000, seed=1)
    b = power_scabel(0.40, 24, "2x2x4", nsims=10_000, seed=1)
    c = power_scabel(0.40, 24, "2x2x4", nsims=10_000, seed=2)
    assert a.power == b.power and a.power != c.power
    assert a.n == (12, 12)


def test_components_and_limits() -> None:
    res = power_scabel(0.45, 39, "2x3x3", nsims=50_000)
    assert res.power <= min(res.p_limits, res.p_pe)
    far = power_scabel(0.45, 39, "2x3x3", theta0=1.8, nsims=20_000)
    assert far.power < 1e-3 and far.p_pe < 1e-3  # the PE constraint stops far-off products
    with pytest.raises(InputError, match="design"):
        power_scabel(0.45, 39, "2x2")
    with pytest.raises(InputError, match="sequence groups"):
        power_scabel(0.45, (10, 10), "2x3x3")
