"""The vectorised decisions (pooled and Welch) against bioparity.be.pk_similarity on the same data, and
the simulator's analysis rules against :func:`bioparity.be.similarity.pk_similarity_table` (issue 27:
planning and analysis apply the same variance model, population and %AUCext rule)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bioparity.be.similarity import pk_similarity, pk_similarity_table
from bioparity.simulate import (
    PKSimilarityDesign,
    analyse,
    pooled_pairwise_intervals,
    simulate_block,
    welch_pairwise_intervals,
)

ARMS = ["test", "eu-ref", "us-ref"]
PAIRS = ((0, 1), (0, 2), (1, 2))


def _check_row(  # type: ignore[no-untyped-def]
    values: np.ndarray, include: np.ndarray, arm: np.ndarray, got, r: int, variance: str = "pooled"
) -> None:
    labels = np.asarray(ARMS, dtype=object)[arm]
    ref = pk_similarity(values[include], labels[include], ARMS, metric="AUC", variance=variance)
    for c, comp in enumerate(ref):
        assert got.gmr[r, c] == pytest.approx(comp.gmr, rel=1e-11)
        assert got.ci_lower[r, c] == pytest.approx(comp.ci_lower, rel=1e-11)
        assert got.ci_upper[r, c] == pytest.approx(comp.ci_upper, rel=1e-11)
        assert bool(got.passed[r, c]) == comp.passed
        df = got.df[r] if variance == "pooled" else got.df[r, c]
        assert df == pytest.approx(comp.df, rel=1e-12)


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
    welch = welch_pairwise_intervals(np.log(values), include, arm, 3, PAIRS)
    for r in range(R):
        _check_row(values[r], include[r], arm, welch, r, variance="welch")


def test_matches_pk_similarity_on_simulated_studies() -> None:
    """Whole simulated studies (NCA values with dropouts and exclusions): same CIs and decisions."""
    design = PKSimilarityDesign(
        n_per_arm=(12, 10, 11), bioavailability=(0.9, 1.0, 1.05), dropout=0.15, variance="pooled",
        aucpext_rule="exclude", analysis_set="available",
    )  # fmt: skip
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
            keep = np.isfinite(values[s])
            if metric == "AUCIFO":
                keep &= res.value("AUCPEO").reshape(S, N)[s] <= design.max_aucpext
            ref = pk_similarity(
                values[s][keep], labels[keep], list(design.arms), metric=metric, variance="pooled"
            )
            for c, comp in enumerate(ref):
                assert out.ci_lower[s, m, c] == pytest.approx(comp.ci_lower, rel=1e-11)
                assert out.ci_upper[s, m, c] == pytest.approx(comp.ci_upper, rel=1e-11)
                assert bool(out.passed[s, m, c]) == comp.passed
                assert out.n_analysed[s, m, comp_arm(design, comp.test_arm)] == comp.n_test


def comp_arm(design: PKSimilarityDesign, name: str) -> int:
    return design.arms.index(name)


def test_regulatory_two_arm_interval() -> None:
    """Pooled parallel-group CI (FDA Guidance "Statistical Approaches to Establishing Bioequivalence", 2001;
    PowerTOST parallel design): exp((mean_T - mean_R) +/- t(0.95, nT + nR - 2) s_p sqrt(1/nT + 1/nR))."""
    from scipy import stats

    t_vals = np.log([100.0, 110, 90, 120])
    r_vals = np.log([95.0, 105, 100])
    y = np.concatenate([t_vals, r_vals])[None, :]
    arm = np.array([0] * 4 + [1] * 3)
    got = pooled_pairwise_intervals(y, np.ones_like(y, dtype=bool), arm, 2, ((0, 1),))
    sp2 = (np.var(t_vals, ddof=1) * 3 + np.var(r_vals, ddof=1) * 2) / 5
    half = stats.t.ppf(0.95, 5) * np.sqrt(sp2 * (1 / 4 + 1 / 3))
    d = t_vals.mean() - r_vals.mean()
    assert got.ci_lower[0, 0] == pytest.approx(np.exp(d - half), rel=1e-12)
    assert got.ci_upper[0, 0] == pytest.approx(np.exp(d + half), rel=1e-12)


def test_arm_without_values_is_not_estimable() -> None:
    y = np.log(np.array([[100.0, 110, 90, 95, 105, 100]]))
    include = np.array([[True, True, True, False, False, True]])  # arm 1 empty
    arm = np.array([0, 0, 1, 1, 2, 2])
    include[0, 2] = False
    got = pooled_pairwise_intervals(y, include, arm, 3, PAIRS)
    assert got.estimable[0].tolist() == [False, True, False]
    assert not got.passed[0, 0] and np.isnan(got.ci_lower[0, 0])


@pytest.mark.parametrize("rule", ["keep", "exclude"])
def test_simulator_default_rules_equal_the_analysis_defaults(rule: str) -> None:
    """Default design (Welch, completers, %AUCext > 20% kept and counted) vs the default analysis of the
    same NCA values by pk_similarity_table (dropouts are not in the PK population of the analysis); and
    with ``aucpext_rule="exclude"``, which leaves the subjects above 20% out of AUCIFO only: their AUC0-t
    and Cmax stay in the completers' analysis, in the simulator as in the analysis (EMA
    CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8; was: out of every metric, in both)."""
    design = PKSimilarityDesign(
        n_per_arm=(14, 12, 13),
        dropout=0.1,
        times=(0.0, 6.0, 24.0, 72.0, 168.0, 336.0, 504.0, 672.0, 1008.0),
        aucpext_rule=rule,
    )
    assert (design.variance, design.analysis_set) == ("welch", "completers")
    assert design.exposure == (0.95, 1.0, 1.0)  # planning ratio
    studies = simulate_block(design, seed=3, block=0, first=0, stop=6)
    out = analyse(design, studies)
    from bioparity.nca import nca_arrays

    S, N, T = studies.conc.shape
    res = nca_arrays(
        np.broadcast_to(np.asarray(design.times), (S * N, T)),
        studies.conc.reshape(S * N, T),
        blq=studies.blq.reshape(S * N, T),
        parameters=["AUCIFO", "AUCLST", "CMAX", "AUCPEO"],
    )
    labels = np.asarray(design.arms, dtype=object)[design.arm_of_subject()]
    assert out.n_aucpext_over.sum() > 0  # short sampling: some subjects above 20%, kept
    for s in range(S):
        frame = pd.DataFrame(
            {
                "arm": labels,
                **{m: res.value(m).reshape(S, N)[s] for m in ["AUCIFO", "AUCLST", "CMAX", "AUCPEO"]},
            }
        )[~studies.dropped[s]]
        table, _ = pk_similarity_table(
            frame, "arm", list(design.arms), list(design.metrics), aucpext_rule=rule
        )
        for m, metric in enumerate(design.metrics):
            rows = table[table["metric"] == metric].reset_index(drop=True)
            first = rows.iloc[0]
            assert out.n_analysed[s, m, :2].tolist() == [int(first["n_test"]), int(first["n_reference"])]
            for c in range(len(design.comparisons)):
                assert out.ci_lower[s, m, c] == pytest.approx(rows["ci_lower"].loc[c] / 100, rel=1e-11)
                assert out.ci_upper[s, m, c] == pytest.approx(rows["ci_upper"].loc[c] / 100, rel=1e-11)
                assert bool(out.passed[s, m, c]) == bool(rows.loc[c, "pass"])
        aucifo = table[(table["metric"] == "AUCIFO")]
        counted = int(aucifo.iloc[0]["n_aucpext_over_test"] + aucifo.iloc[0]["n_aucpext_over_reference"])
        counted += int(aucifo.iloc[1]["n_aucpext_over_reference"])  # third arm via test vs us-ref
        assert counted == out.n_aucpext_over[s]
    m_aucifo, m_cmax = design.metrics.index("AUCIFO"), design.metrics.index("CMAX")
    fewer = out.n_analysed[:, m_aucifo].sum(axis=1) < out.n_analysed[:, m_cmax].sum(axis=1)
    assert fewer.any() if rule == "exclude" else not fewer.any()
