"""Simulated studies: calibration against exact TOST power, and the conduct effects (dropout, LLOQ, ADA)."""

from __future__ import annotations

import numpy as np
import pytest

from bioparity.errors import InputError
from bioparity.power.kernels import critical_t, power_exact
from bioparity.power.tost import power_tost
from bioparity.simulate import PKSimilarityDesign, simulate_block, simulate_studies


def test_auc_pass_rate_matches_exact_tost_power() -> None:
    """With only CL varying and no residual error, log AUCinf is normal with SD omega_CL; the pass rate of
    test vs EU-ref must equal the exact TOST power (Owen's Q, checked against PowerTOST) at the pooled
    3-arm df = 3n - 3, within 4 Monte Carlo SEs."""
    n, cv, theta0, K = 16, 0.25, 0.92, 3000
    design = PKSimilarityDesign(
        n_per_arm=n,
        bioavailability=(theta0, 1.0, 1.0),
        cv_v=0.0,
        cv_ka=0.0,
        cv_cl=cv,
        residual_cv=0.0,
        metrics=("AUCIFO",),
        max_aucpext=100.0,
        times=tuple(np.linspace(0.0, 4000.0, 41)),
        variance="pooled",  # the pooled 3-arm df of the exact power below
        ada_fraction=0.0,
    )
    out = simulate_studies(design, seed=11, lo=0, hi=K)
    p_sim = out.passed[:, 0, 0].mean()
    sem = np.sqrt(np.log1p(cv * cv)) * np.sqrt(2.0 / n)
    df = 3 * n - 3
    expected = float(
        power_exact(
            df,
            critical_t(0.05, df),
            (np.log(theta0) - np.log(0.8)) / sem,
            (np.log(theta0) - np.log(1.25)) / sem,
        )
    )
    se = np.sqrt(expected * (1 - expected) / K)
    assert abs(p_sim - expected) < 4 * se, (p_sim, expected, se)
    # and the 3-arm pooled df gives a little more power than the 2-arm parallel design (PowerTOST)
    two_arm = float(power_tost(design="parallel", cv=cv, theta0=theta0, n=2 * n).power)
    assert expected > two_arm


def test_same_seed_same_studies_and_prefix_property() -> None:
    design = PKSimilarityDesign(n_per_arm=8, dropout=0.1, lloq=0.05)
    a = simulate_studies(design, seed=3, lo=0, hi=250)
    b = simulate_studies(design, seed=3, lo=40, hi=160)  # crosses block boundaries
    np.testing.assert_array_equal(a.ci_lower[40:160], b.ci_lower)
    np.testing.assert_array_equal(a.passed[40:160], b.passed)
    c = simulate_studies(design, seed=4, lo=0, hi=250)
    assert not np.array_equal(a.ci_lower, c.ci_lower, equal_nan=True)


def test_dropouts_reduce_the_completers_analysed() -> None:
    design = PKSimilarityDesign(n_per_arm=20, dropout=0.2)
    out = simulate_studies(design, seed=5, lo=0, hi=300)
    rate = out.n_dropouts.sum() / (300 * 60)
    assert rate == pytest.approx(0.2, abs=4 * np.sqrt(0.2 * 0.8 / (300 * 60)))
    # completers: every analysed count of Cmax equals the arm size minus the arm's dropouts
    assert np.array_equal(out.n_analysed[:, 2, :].sum(axis=1), 60 - out.n_dropouts)
    available = simulate_studies(
        PKSimilarityDesign(n_per_arm=20, dropout=0.2, analysis_set="available"), seed=5, lo=0, hi=300
    )
    cmax_n = available.n_analysed[:, 2, :].sum(axis=1)
    assert np.all(cmax_n >= 60 - out.n_dropouts)
    # Cmax is missing only for a dropout before the first post-dose sample (6 h of 1680 h)
    assert (60 - cmax_n).sum() < 0.02 * out.n_dropouts.sum()


def test_lloq_marks_blq_and_shortens_auclast() -> None:
    base = PKSimilarityDesign(n_per_arm=10, residual_cv=0.0)
    with_lloq = PKSimilarityDesign(n_per_arm=10, residual_cv=0.0, lloq=0.5)
    s0 = simulate_block(base, seed=1, block=0, first=0, stop=5)
    s1 = simulate_block(with_lloq, seed=1, block=0, first=0, stop=5)
    np.testing.assert_array_equal(s0.conc, s1.conc)  # same subjects (common random numbers)
    assert np.array_equal(s1.blq, s1.conc < 0.5)
    assert s1.blq[:, :, -1].mean() > 0.3  # late samples fall below 0.5 mg/L


def test_ada_in_test_arm_lowers_its_exposure_ratio() -> None:
    kw = {"n_per_arm": 30, "cv_cl": 0.1, "residual_cv": 0.05}
    clean = simulate_studies(PKSimilarityDesign(**kw), seed=2, lo=0, hi=100)  # type: ignore[arg-type]
    ada = simulate_studies(
        PKSimilarityDesign(**kw, ada_fraction=(1.0, 0.0, 0.0), ada_onset=336.0, ada_cl_factor=2.0),  # type: ignore[arg-type]
        seed=2,
        lo=0,
        hi=100,
    )
    # AUClast (metric 1) of test vs EU-ref: ratio falls, Cmax (before the onset) barely moves
    drop = np.median(ada.gmr[:, 1, 0]) / np.median(clean.gmr[:, 1, 0])
    assert 0.6 < drop < 0.85
    assert np.median(ada.gmr[:, 2, 0]) == pytest.approx(np.median(clean.gmr[:, 2, 0]), rel=0.01)
    assert ada.n_ada.sum() == 100 * 30


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"n_per_arm": (10, 10)}, "n_per_arm has 2 values for 3 arms"),
        ({"n_per_arm": 1}, "expected whole numbers >= 2"),
        ({"bioavailability": (1.0, -1.0, 1.0)}, "bioavailability"),
        ({"dropout": 1.0}, "dropout"),
        ({"metrics": ("CMAX", "TMAX")}, "metrics"),
        ({"times": (0.0, 5.0, 2.0)}, "increasing"),
        ({"analysis_set": "all"}, "completers"),
        ({"ada_fraction": 1.5}, "ada_fraction"),
        ({"theta1": 1.2}, "theta1"),
        ({"arms": ("a", "a")}, "distinct arms"),
    ],
)
def test_design_rejects_bad_settings(kwargs: dict[str, object], words: str) -> None:
    with pytest.raises(InputError, match=words):
        PKSimilarityDesign(**kwargs)  # type: ignore[arg-type]


def test_default_design_reproduces_the_published_three_arm_adalimumab_study() -> None:
    """Kaur et al. 2017, Ann Rheum Dis 76:526, Table 5 (ABP 501 / adalimumab US / EU, 40 mg SC in healthy
    subjects): ADA-positive 119/203 (59%); AUCinf geometric CV 33-37% (ADA-negative), Cmax 28-33%;
    AUCinf ratio ADA-positive/negative 0.69-0.84; mean t1/2 281-371 h (negative), 143-176 h (positive).
    Tolerances: the published ranges widened by the simulation's sampling error (600 subjects)."""
    from bioparity.nca import nca_arrays

    design = PKSimilarityDesign(n_per_arm=100, bioavailability=1.0)
    st = simulate_block(design, seed=1, block=0, first=0, stop=2)
    S, N, T = st.conc.shape
    res = nca_arrays(
        np.broadcast_to(np.asarray(design.times), (S * N, T)),
        st.conc.reshape(S * N, T),
        blq=st.blq.reshape(S * N, T),
        parameters=["AUCIFO", "CMAX", "LAMZHL"],
    )
    auc, cmax, hl = (res.value(p) for p in ("AUCIFO", "CMAX", "LAMZHL"))
    ada = st.ada.reshape(-1)
    ok = np.isfinite(auc)

    def gcv(x: np.ndarray) -> float:
        return float(100 * np.sqrt(np.expm1(np.var(np.log(x), ddof=1))))

    assert 0.52 < ada.mean() < 0.66
    assert 29 < gcv(auc[ok & ~ada]) < 41 and 24 < gcv(cmax) < 37
    ratio = np.exp(np.log(auc[ok & ada]).mean() - np.log(auc[ok & ~ada]).mean())
    assert 0.64 < ratio < 0.89
    assert 260 < np.nanmean(hl[~ada]) < 400 and 130 < np.nanmean(hl[ada]) < 200


@pytest.mark.parametrize(("lo", "hi"), [(5, 5), (6, 5), (-1, 3)])
def test_empty_or_reversed_study_range_is_refused_with_the_numbers(lo: int, hi: int) -> None:
    with pytest.raises(InputError, match=rf"0 <= lo < hi .*lo={lo}, hi={hi}"):
        simulate_studies(PKSimilarityDesign(n_per_arm=6), seed=1, lo=lo, hi=hi)


def test_a_summary_of_no_study_is_refused() -> None:
    from bioparity.simulate import STUDIES_PER_BLOCK, summarise

    design = PKSimilarityDesign(n_per_arm=6)
    empty = simulate_studies(design, seed=1, lo=0, hi=1).tally()
    empty = type(empty)(**{**empty.__dict__, "n_studies": 0})
    with pytest.raises(InputError, match="at least one study"):
        summarise(design, 1, empty, STUDIES_PER_BLOCK)
