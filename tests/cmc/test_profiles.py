"""Profile similarity: clr / Aitchison distances vs base R, closure invariance, zeros, ranges.

Reference: ``tests/data/reference/cmc/data_profile.csv`` and the ``profile`` rows of ``ref_stability.csv``
(base R: ``log``, ``rowMeans``, ``colMeans``, ``sd``; ``make_reference.R``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bioparity.errors import InputError
from bioparity.profiles import aitchison_distance, clr, profile_similarity

REF = Path(__file__).resolve().parents[1] / "data" / "reference" / "cmc"


def _wide() -> pd.DataFrame:
    long = pd.read_csv(REF / "data_profile.csv")
    wide = long.pivot_table(index=["source", "lot"], columns="species", values="value", sort=False)
    return wide.reset_index()


def test_distances_and_ranges_match_r() -> None:
    ref_tab = pd.read_csv(REF / "ref_stability.csv", dtype=str)
    ref = dict(
        zip(
            ref_tab.loc[ref_tab.case == "profile", "name"],
            ref_tab.loc[ref_tab.case == "profile", "value"],
            strict=True,
        )
    )
    wide = _wide()
    species = [c for c in wide.columns if c not in ("source", "lot")]
    res = profile_similarity(wide[species].to_numpy(), wide["lot"], wide["source"], species)
    for lot, d in zip(res.lot_table["lot"], res.lot_table["distance"], strict=True):
        assert d == pytest.approx(float(ref[f"distance_{lot}"]), rel=1e-10)
    for row in res.species_table.to_dict("records"):
        assert row["reference_mean"] == pytest.approx(float(ref[f"ref_mean_{row['species']}"]), rel=1e-12)
        assert row["reference_sd"] == pytest.approx(float(ref[f"ref_sd_{row['species']}"]), rel=1e-10)
        assert row["range_lower"] == pytest.approx(row["reference_mean"] - 3 * row["reference_sd"], rel=1e-12)
    loo = res.lot_table.loc[res.lot_table.source == "reference", "distance"]
    assert res.threshold == pytest.approx(float(loo.max()))
    # the test lots were generated 8% higher in G0F, 10% lower in G2F: further from the centre
    assert res.n_test_within < res.n_test
    assert res.passed is False


@settings(max_examples=30, deadline=None)
@given(scale=st.floats(0.5, 2.0), seed=st.integers(0, 1000))
def test_closure_does_not_change_the_distance(scale: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    a = rng.uniform(1, 50, (4, 5))
    b = rng.uniform(1, 50, (4, 5))
    assert aitchison_distance(a * scale, b) == pytest.approx(aitchison_distance(a, b), rel=1e-9)
    assert clr(a).sum(axis=1) == pytest.approx(np.zeros(4), abs=1e-9)


def test_identical_profiles_have_distance_zero_and_known_value() -> None:
    # two-part composition: d_A((1,1), (e, 1)) = |ln e| / sqrt(2) (from the definition, Aitchison 1986)
    assert aitchison_distance([1.0, 1.0], [np.e, 1.0]) == pytest.approx(1 / np.sqrt(2), rel=1e-14)
    assert aitchison_distance([30.0, 70.0], [30.0, 70.0]) == pytest.approx(0.0, abs=1e-15)


def test_zeros_need_an_explicit_replacement_and_are_flagged() -> None:
    x = np.array([[50, 30, 20], [49, 31, 20], [51, 29, 20], [50, 30, 20.0], [60, 40, 0.0]])
    lots, src = ["R1", "R2", "R3", "R4", "T1"], ["reference"] * 4 + ["test"]
    with pytest.raises(InputError, match="lot T1, species c: 0 has no log-ratio"):
        profile_similarity(x, lots, src, ["a", "b", "c"])
    res = profile_similarity(x, lots, src, ["a", "b", "c"], zero_replacement=0.05)
    assert "c was 0, replaced by 0.05" in res.lot_table["flags"].loc[4]
    assert any("replaced multiplicatively" in f for f in res.flags)


def test_closure_deviation_is_flagged_not_dropped() -> None:
    x = np.array([[50, 30, 20], [49, 31, 20], [51, 29, 20], [45, 30, 20.0]])
    res = profile_similarity(x, ["R1", "R2", "R3", "T1"], ["reference"] * 3 + ["test"], ["a", "b", "c"])
    assert "parts sum to 95" in res.lot_table["flags"].loc[3]
    assert len(res.lot_table) == 4


def test_quantile_threshold_and_bad_threshold() -> None:
    wide = _wide()
    species = [c for c in wide.columns if c not in ("source", "lot")]
    res = profile_similarity(wide[species].to_numpy(), wide["lot"], wide["source"], species, threshold="q0.5")
    loo = res.lot_table.loc[res.lot_table.source == "reference", "distance"].to_numpy()
    assert res.threshold == pytest.approx(float(np.median(loo)), rel=1e-12)
    with pytest.raises(InputError, match="threshold 'q2' unknown"):
        profile_similarity(wide[species].to_numpy(), wide["lot"], wide["source"], species, threshold="q2")
