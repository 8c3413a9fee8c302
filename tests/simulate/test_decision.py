"""The vectorised pooled-variance decision against bioparity.be.pk_similarity on the same data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bioparity.be.similarity import pk_similarity
from bioparity.simulate import PKSimilarityDesign, analyse, pooled_pairwise_intervals, simulate_block

ARMS = ["test", "eu-ref", "us-ref"]
PAIRS = ((0, 1), (0, 2), (1, 2))


def _check_row(values: np.ndarray, include: np.ndarray, arm: np.ndarray, got, r: int) -> None:  # type: ignore[no-untyped-def]
    labels = np.asarray(ARMS, dtype=object)[arm]
    ref = pk_similarity(values[include], labels[include], ARMS, metric="AUC")
    for c, comp in enumerate(ref):
        assert got.gmr[r, c] == pytest.approx(comp.gmr / 100, rel=1e-11)
        assert got.lower[r, c] == pytest.approx(comp.ci_lower / 100, rel=1e-11)
        assert got.upper[r, c] == pytest.approx(comp.ci_upper / 100, rel=1e-11)
        assert bool(got.passed[r, c]) == comp.passed
        assert got.df[r] == comp.df


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.tuples(*(st.integers(2, 12) for _ in range(3))),
    cv=st.floats(0.05, 0.8),
    shift=st.floats(-0.3, 0.3),
    drop=st.floats(0.0, 0.4),
    seed=st.integers(0, 2**32 - 1),
)
def test_matches_pk_similarity_pooled(
    sizes: tuple[int, int, int], cv: float, shift: float, drop: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    arm = np.repeat(np.arange(3), sizes)
    R = 4
    sd = np.sqrt(np.log1p(cv * cv))
    values = np.exp(4.0 + shift * (arm == 0) + sd * rng.standard_normal((R, arm.size)))
    include = rng.random((R, arm.size)) >= drop
    for a in range(3):  # keep two values per arm so that every row is estimable
        include[:, np.flatnonzero(arm == a)[:2]] = True
    got = pooled_pairwise_intervals(np.log(values), include, arm, 3, PAIRS)
    for r in range(R):
        _check_row(values[r], include[r], arm, got, r)


def test_matches_pk_similarity_on_simulated_studies() -> None:
    """Whole simulated studies (NCA values with dropouts and exclusions): same CIs and decisions."""
    design = PKSimilarityDesign(n_per_arm=(12, 10, 11), bioavailability=(0.9, 1.0, 1.05), dropout=0.15)
    studies = simulate_block(design, seed=7, block=0, first=0, stop=8)
    out = analyse(design, studies)
    from bioparity.nca import nca_arrays

    S, N, T = studies.conc.shape
    res = nca_arrays(
        np.broadcast_to(np.asarray(design.times), (S * N, T)),
        studies.conc.reshape(S * N, T),
        blq=studies.blq.reshape(S * N, T),
        parameters=["AUCIFO", "AUCLST", "CMAX", "AUCPEO"],
    )
    arm = design.arm_of_subject()
    labels = np.asarray(design.arms, dtype=object)[arm]
    for m, metric in enumerate(design.metrics):
        values = res.value(metric).reshape(S, N)
        for s in range(S):
            keep = np.isfinite(values[s]) & ~studies.dropped[s]
            if metric == "AUCIFO":
                keep &= res.value("AUCPEO").reshape(S, N)[s] <= design.max_aucpext
            ref = pk_similarity(values[s][keep], labels[keep], list(design.arms), metric=metric)
            for c, comp in enumerate(ref):
                assert out.lower[s, m, c] == pytest.approx(comp.ci_lower / 100, rel=1e-11)
                assert out.upper[s, m, c] == pytest.approx(comp.ci_upper / 100, rel=1e-11)
                assert bool(out.passed[s, m, c]) == comp.passed
                assert out.n_analysed[s, m, comp_arm(design, comp.test_arm)] == comp.n_test


def comp_arm(design: PKSimilarityDesign, name: str) -> int:
    return design.arms.index(name)


def test_regulatory_two_arm_interval() -> None:
    """regulatory.md 2.1: exp((mean_T - mean_R) +/- t(0.95, nT + nR - 2) s_p sqrt(1/nT + 1/nR))."""
    from scipy import stats

    t_vals = np.log([100.0, 110, 90, 120])
    r_vals = np.log([95.0, 105, 100])
    y = np.concatenate([t_vals, r_vals])[None, :]
    arm = np.array([0] * 4 + [1] * 3)
    got = pooled_pairwise_intervals(y, np.ones_like(y, dtype=bool), arm, 2, ((0, 1),))
    sp2 = (np.var(t_vals, ddof=1) * 3 + np.var(r_vals, ddof=1) * 2) / 5
    half = stats.t.ppf(0.95, 5) * np.sqrt(sp2 * (1 / 4 + 1 / 3))
    d = t_vals.mean() - r_vals.mean()
    assert got.lower[0, 0] == pytest.approx(np.exp(d - half), rel=1e-12)
    assert got.upper[0, 0] == pytest.approx(np.exp(d + half), rel=1e-12)


def test_arm_without_values_is_not_estimable() -> None:
    y = np.log(np.array([[100.0, 110, 90, 95, 105, 100]]))
    include = np.array([[True, True, True, False, False, True]])  # arm 1 empty
    arm = np.array([0, 0, 1, 1, 2, 2])
    include[0, 2] = False
    got = pooled_pairwise_intervals(y, include, arm, 3, PAIRS)
    assert got.estimable[0].tolist() == [False, True, False]
    assert not got.passed[0, 0] and np.isnan(got.lower[0, 0])
