"""Properties the NCA must satisfy exactly, checked against closed-form integrals (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bioparity.nca import NCAOptions, nca_arrays

times_strategy = st.lists(st.floats(0.05, 48.0), min_size=3, max_size=14, unique=True).map(
    lambda ts: np.array([0.0, *sorted(ts)])
)


@settings(max_examples=60, deadline=None)
@given(
    t=times_strategy,
    a=st.floats(0.5, 50.0),
    b=st.floats(-0.5, 5.0),
    method=st.sampled_from(["linear", "lin-up-log-down"]),
)
def test_linear_auc_of_a_straight_line_is_exact(t: np.ndarray, a: float, b: float, method: str) -> None:
    """Increasing lines are integrated linearly by both methods; the linear method is exact on any line."""
    if method == "lin-up-log-down":
        b = abs(b)  # only rising lines use the linear rule under lin-up/log-down
    b = max(b, -0.9 * a / t[-1])  # keep the line positive over the sampling times
    c = a + b * t
    res = nca_arrays(t, c, options=NCAOptions(auc_method=method), parameters=["AUCLST"])
    exact = a * t[-1] + b * t[-1] ** 2 / 2
    np.testing.assert_allclose(res.value("AUCLST"), exact, rtol=1e-10)


@settings(max_examples=60, deadline=None)
@given(t=times_strategy, c0=st.floats(0.1, 1e4), k=st.floats(0.01, 2.0))
def test_log_trapezoid_of_an_exponential_is_exact(t: np.ndarray, c0: float, k: float) -> None:
    """C = C0 exp(-k t) from t = 0: AUC and AUMC by lin-up/log-down equal the closed-form integrals."""
    c = c0 * np.exp(-k * t)
    if not (c[-1] > 0 and np.all(np.diff(c) < 0)):
        return  # underflow or equal concentrations: no strictly decreasing exponential left to test
    res = nca_arrays(t, c, parameters=["AUCLST", "AUMCLST"])
    T = t[-1]
    auc = c0 / k * (1 - np.exp(-k * T))
    aumc = c0 / k**2 * (1 - np.exp(-k * T) * (1 + k * T))
    np.testing.assert_allclose(res.value("AUCLST"), auc, rtol=1e-9)
    np.testing.assert_allclose(res.value("AUMCLST"), aumc, rtol=1e-8)


@settings(max_examples=60, deadline=None)
@given(t=times_strategy, c0=st.floats(0.1, 1e4), k=st.floats(0.01, 1.0))
def test_lambda_z_of_exact_exponential_data(t: np.ndarray, c0: float, k: float) -> None:
    """Exact exponential decay after Tmax (= 0 here): every fit has R2 = 1, so all points after Tmax are
    used, lambda_z = k, and AUCinf,obs = C0/k exactly (log trapezoids plus the exact tail)."""
    c = c0 * np.exp(-k * t)
    if not (c[-1] > 1e-300 and np.all(np.diff(c) < 0)):
        return
    res = nca_arrays(t, c, parameters=["LAMZ", "LAMZNPT", "R2ADJ", "AUCIFO", "LAMZHL", "CLSTP"])
    np.testing.assert_allclose(res.value("LAMZ"), k, rtol=1e-9)
    assert res.value("LAMZNPT")[0] == t.size - 1
    np.testing.assert_allclose(res.value("AUCIFO"), c0 / k, rtol=1e-9)
    np.testing.assert_allclose(res.value("LAMZHL"), np.log(2) / k, rtol=1e-9)
    np.testing.assert_allclose(res.value("CLSTP"), c[-1], rtol=1e-9)


def test_lambda_z_prefers_more_points_within_the_adjusted_r2_tolerance() -> None:
    """Terminal phase exact on the last 4 points, a distribution phase before: the 3-point and 4-point
    fits tie (adj. R2 = 1) and the rule takes the 4 points; the 5-point fit is worse by far more than 1e-4."""
    t = np.array([0.0, 1.0, 2.0, 4.0, 6.0, 8.0, 12.0])
    terminal = 10 * np.exp(-0.2 * t)
    c = terminal.copy()
    c[0] = 0.0  # predose
    c[1] = 8.0  # Tmax at t = 1
    c[2] = terminal[2] * 1.5  # the point at t = 2 sits above the terminal line
    res = nca_arrays(t, c, parameters=["LAMZ", "LAMZNPT", "LAMZLL"])
    assert res.value("LAMZNPT")[0] == 4
    assert res.value("LAMZLL")[0] == 4.0
    np.testing.assert_allclose(res.value("LAMZ"), 0.2, rtol=1e-12)


def test_blq_default_rule_first_kept_middle_dropped_last_kept() -> None:
    """Hand calculation: 0(BLQ),4,BLQ,2,1,BLQ at 0..5 h. PKNCA default drops the middle BLQ, so
    AUClast = 2 (0->1 linear) + 2*2/ln2 (1->3 log) + 1/ln2 (3->4 log); AUCall adds 0.5 (4->5 linear)."""
    t = np.arange(6.0)
    c = np.array([0.0, 4.0, np.nan, 2.0, 1.0, np.nan])
    blq = np.array([True, False, True, False, False, True])
    c = np.where(blq, 0.0, c)
    res = nca_arrays(t, c, blq=blq, parameters=["AUCLST", "AUCALL", "TLST"])
    auclast = 2 + 4 / np.log(2) + 1 / np.log(2)
    np.testing.assert_allclose(res.value("AUCLST"), auclast, rtol=1e-12)
    np.testing.assert_allclose(res.value("AUCALL"), auclast + 0.5, rtol=1e-12)
    assert res.value("TLST")[0] == 4.0
    assert res.flags["blq_imputed"][0]
    assert res.n_blq_dropped[0] == 1


def test_no_time_zero_gives_a_flagged_missing_auc_not_a_guess() -> None:
    t = np.array([0.5, 1.0, 2.0, 4.0, 8.0, 12.0])
    c = np.array([2.0, 5.0, 4.0, 3.0, 1.5, 0.8])
    res = nca_arrays(t, c, dose=100.0)
    frame = res.to_frame()
    for code in ("AUCLST", "AUCALL", "AUMCLST", "AUCIFO", "AUCPEO", "CLFO", "VZFO", "MRTEVIFO"):
        row = frame[frame["PPTESTCD"] == code]
        assert row["PPSTRESN"].isna().all(), code
        assert row["flag_no_time0"].all(), code
        assert "time 0" in str(row["reason"].iloc[0]), code
    assert np.isfinite(res.value("LAMZ")).all()  # lambda_z does not need time 0
    assert np.isfinite(res.value("CMAX")).all()


def test_iv_bolus_without_time_zero_back_extrapolates_c0() -> None:
    t = np.array([0.5, 1.0, 2.0, 4.0])
    c = 8.0 * np.exp(-0.3 * t)
    res = nca_arrays(t, c, options=NCAOptions(route="iv-bolus"), parameters=["C0", "AUCLST"])
    np.testing.assert_allclose(res.value("C0"), 8.0, rtol=1e-12)
    np.testing.assert_allclose(res.value("AUCLST"), 8.0 / 0.3 * (1 - np.exp(-0.3 * 4.0)), rtol=1e-12)


def test_iv_infusion_mrt_subtracts_half_the_duration() -> None:
    t = np.array([0.0, 1.0, 2.0, 3.0, 5.0, 8.0, 12.0])
    c = np.array([0.0, 6.0, 9.0, 7.0, 4.5, 2.4, 1.0])
    ev = nca_arrays(t, c, parameters=["MRTEVIFO"]).value("MRTEVIFO")
    iv = nca_arrays(t, c, options=NCAOptions(route="iv-infusion"), duration=2.0, parameters=["MRTIVIFO"])
    np.testing.assert_allclose(iv.value("MRTIVIFO"), ev - 1.0, rtol=1e-12)


def test_partial_auc_between_samples_uses_the_interval_rule() -> None:
    """AUC(0-2) of C = 10 exp(-0.5 t) sampled at 0, 1, 4: log interpolation inside the 1-4 interval is
    exact for an exponential, so AUC(0, 2) = 20 (1 - e^-1)."""
    t = np.array([0.0, 1.0, 4.0])
    c = 10 * np.exp(-0.5 * t)
    res = nca_arrays(t, c, parameters=["CMAX"], intervals=[(0.0, 2.0), (1.0, 4.0), (-1.0, 2.0)])
    np.testing.assert_allclose(res.values[0, 1], 20 * (1 - np.exp(-1.0)), rtol=1e-12)
    np.testing.assert_allclose(res.values[0, 2], 20 * (np.exp(-0.5) - np.exp(-2.0)), rtol=1e-12)
    assert np.isnan(res.values[0, 3])  # starts before the first sample: missing, with a reason
    assert res.reason_text[res.reason[0, 3]] == "the interval starts before the first sample"


def test_profiles_of_different_lengths_in_one_padded_array() -> None:
    """A short profile next to a long one: padding must not leak into either result."""
    t_long = np.array([0.0, 1.0, 2.0, 4.0, 8.0, 12.0])
    c_long = 10 * np.exp(-0.25 * t_long)
    T = np.vstack([t_long, [0.0, 1.0, 2.0, 4.0, np.nan, np.nan]])
    C = np.vstack([c_long, [*(10 * np.exp(-0.25 * t_long[:4])), np.nan, np.nan]])
    res = nca_arrays(T, C, parameters=["AUCIFO", "LAMZNPT"])
    np.testing.assert_allclose(res.value("AUCIFO"), [40.0, 40.0], rtol=1e-12)
    assert list(res.value("LAMZNPT")) == [5, 3]


def test_manual_lambda_z_window_is_used_and_reported() -> None:
    t = np.array([0.0, 1.0, 2.0, 4.0, 6.0, 8.0, 12.0])
    c = np.array([0.0, 8.0, 7.0, 5.0, 3.0, 2.5, 1.0])
    res = nca_arrays(
        t,
        c,
        parameters=["LAMZ", "LAMZNPT", "LAMZLL"],
        lambda_z_window=(6.0, 12.0),
        lambda_z_note=["rebound at 8 h"],
    )
    lz = -np.polyfit([6.0, 8.0, 12.0], np.log([3.0, 2.5, 1.0]), 1)[0]
    np.testing.assert_allclose(res.value("LAMZ"), lz, rtol=1e-12)
    assert res.value("LAMZNPT")[0] == 3
    assert res.flags["lambda_z_manual"][0]
    frame = res.to_frame()
    assert "rebound at 8 h" in frame.loc[frame["PPTESTCD"] == "LAMZ", "reason"].iloc[0]


def test_too_few_points_after_tmax_flags_lambda_z() -> None:
    res = nca_arrays(np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, 2.0, 5.0, 3.0]))
    assert np.isnan(res.value("LAMZ")).all()
    assert res.value_flags("lambda_z_few_points")[0, res.codes.index("LAMZ")]
    assert "too few points" in res.reason_text[res.reason[0, res.codes.index("AUCIFO")]]
    assert np.isfinite(res.value("AUCLST")).all()


def test_iv_bolus_with_a_blq_time_zero_sample_follows_pknca_aucivlast() -> None:
    """PKNCA aucivlast = auclast + AUC(C0 -> C1) - AUC(C(0) -> C1) over the first interval, with C0 from
    the log slope of the first two samples after 0 (here 6 and 3 at 1 h and 2 h: C0 = 12)."""
    t = np.array([0.0, 1.0, 2.0, 4.0, 6.0])
    c = np.array([0.0, 6.0, 3.0, 1.2, 0.5])
    ev = nca_arrays(t, c, parameters=["AUCLST"]).value("AUCLST")[0]
    iv = nca_arrays(t, c, options=NCAOptions(route="iv-bolus"), parameters=["C0", "AUCLST"])
    assert iv.pknca_names == ("c0", "aucivlast")
    np.testing.assert_allclose(iv.value("C0"), 12.0, rtol=1e-12)
    first_linear = 1.0 * (0.0 + 6.0) / 2
    first_log = 1.0 * (12.0 - 6.0) / np.log(2.0)
    np.testing.assert_allclose(iv.value("AUCLST"), ev - first_linear + first_log, rtol=1e-12)
