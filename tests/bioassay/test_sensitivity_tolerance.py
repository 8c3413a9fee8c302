"""Sensitivity (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, section 3.3: concentration detected in
95% of runs = mean + t(0.95, n - 1) SD of the per-run concentrations at the cut point), drug tolerance and
tiered classification on constructed curves with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.bioassay import classify_samples, compute_cut_point, drug_tolerance, sensitivity
from bioparity.errors import InputError


def _linear_curves(crossings: list[float]) -> pd.DataFrame:
    """Signal = 1 + log10(c / crossing) per run: crosses 1.0 exactly at ``crossing``."""
    conc = np.array([1.0, 3.0, 10.0, 30.0, 100.0, 300.0])
    rows = [
        {"run": f"R{i}", "concentration": c, "signal": 1.0 + np.log10(c / x)}
        for i, x in enumerate(crossings)
        for c in conc
    ]
    return pd.DataFrame(rows)


def test_linear_interpolation_recovers_the_crossing_and_the_95_percent_rule() -> None:
    res = sensitivity(_linear_curves([10.0, 20.0, 30.0]), cut_point=1.0, method="linear")
    assert np.allclose(res.concentration_at_cut_point, [10.0, 20.0, 30.0], rtol=1e-12)
    # mean 20, SD 10, t(0.95, 2) = 2.920 (Student t table, e.g. NIST/SEMATECH e-Handbook 1.3.6.7.2)
    assert res.mean == pytest.approx(20.0) and res.sd == pytest.approx(10.0)
    assert res.t_factor == pytest.approx(2.920, abs=5e-4)
    assert res.sensitivity_95 == pytest.approx(20.0 + 2.920 * 10.0, abs=5e-3)


def test_4pl_inversion_recovers_the_concentration() -> None:
    a, b, c50, d = 0.1, 1.3, 40.0, 3.0
    conc = np.array([0.5, 1.5, 5.0, 15.0, 50.0, 150.0, 500.0, 1500.0])
    rows = []
    for run, shift in (("R1", 1.0), ("R2", 1.2), ("R3", 0.9)):
        sig = d + (a - d) / (1 + (conc / (c50 * shift)) ** b)
        rows += [{"run": run, "concentration": c, "signal": s} for c, s in zip(conc, sig, strict=True)]
    res = sensitivity(pd.DataFrame(rows), cut_point=0.5, method="4pl")
    expected = [c50 * s * ((a - d) / (0.5 - d) - 1) ** (1 / b) for s in (1.0, 1.2, 0.9)]
    assert np.allclose(res.concentration_at_cut_point, expected, rtol=1e-5)


def test_run_not_crossing_is_left_out_and_noted() -> None:
    res = sensitivity(_linear_curves([10.0, 20.0, 1000.0]), cut_point=1.0)
    assert np.isnan(res.concentration_at_cut_point[2])
    assert res.n_runs == 2
    assert any("R2" in n for n in res.notes)


def test_drug_tolerance_highest_detected_drug_level() -> None:
    rows = []
    for ada, tol in ((100.0, 10.0), (500.0, 100.0)):
        for drug in (0.0, 1.0, 10.0, 100.0, 1000.0):
            rows.append({"ada_level": ada, "drug_level": drug, "signal": 2.0 if drug <= tol else 0.5})
    res = drug_tolerance(pd.DataFrame(rows), cut_point=1.0)
    assert list(res.drug_tolerance) == [10.0, 100.0]
    assert not res.detected_at_all_levels.any()


def test_drug_tolerance_not_detected_without_drug_is_nan_and_noted() -> None:
    frame = pd.DataFrame({"ada_level": [10.0, 10.0], "drug_level": [0.0, 5.0], "signal": [0.2, 0.1]})
    res = drug_tolerance(frame, cut_point=1.0)
    assert np.isnan(res.drug_tolerance[0]) and res.notes


def _validation(seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for d in range(24):
        u = rng.normal(0, 0.2)
        for r in range(3):
            s = float(np.exp(u + rng.normal(0, 0.05)))
            rows.append(
                {
                    "donor": f"D{d}",
                    "run": f"R{r}",
                    "signal": s,
                    "signal_drug": s * (1 - rng.normal(0.05, 0.04)),
                }
            )
    return pd.DataFrame(rows)


def test_classification_applies_both_tiers_and_records_the_run() -> None:
    from bioparity.bioassay import screening_and_confirmatory

    scp, ccp = screening_and_confirmatory(_validation(), fpr=0.05, confirm_fpr=0.01)
    samples = pd.DataFrame(
        {
            "sample": ["low", "screen-only", "confirmed"],
            "signal": [scp.cut_point * 0.5, scp.cut_point * 2, scp.cut_point * 2],
            "signal_drug": [0.0, scp.cut_point * 2 * (1 - ccp.cut_point / 200), scp.cut_point * 2 * 0.1],
        }
    )
    out = classify_samples(samples, scp, ccp, cut_point_run="validation-2026-12")
    assert list(out["screen_positive"]) == [False, True, True]
    assert list(out["status"]) == ["NEG", "NEG", "POS"]
    assert set(out["cut_point_run"]) == {"validation-2026-12"}
    with pytest.raises(InputError):
        classify_samples(samples, ccp)


def test_floating_cut_point_scales_with_the_plate_negative_control() -> None:
    frame = _validation(3)
    frame["signal"] = frame["signal"] * frame["run"].map({"R0": 1.0, "R1": 1.5, "R2": 2.0})
    frame["nc"] = 0.5 * frame["run"].map({"R0": 1.0, "R1": 1.5, "R2": 2.0})
    res = compute_cut_point(frame.rename(columns={"signal": "value"}), transform="log")
    assert res.cut_point_type == "floating"
    assert res.normalization == "additive on log scale"
    plate = classify_samples(
        pd.DataFrame({"sample": ["a", "b"], "signal": [1.0, 1.0], "nc": [0.5, 1.0]}), res
    )
    ratio = plate["screening_cut_point"].iloc[1] / plate["screening_cut_point"].iloc[0]
    assert ratio == pytest.approx(2.0, rel=1e-12)


def _pc_curves() -> pd.DataFrame:
    """Four runs of a positive-control dilution series (ng/mL); run R3 stays below the cut point 1418.6
    even at 250 ng/mL."""
    conc = [3.9, 15.6, 62.5, 250.0]
    signal = {
        "R1": [900, 1300, 2400, 6000],
        "R2": [850, 1200, 2200, 5200],
        "R3": [700, 800, 950, 1300],
        "R4": [950, 1350, 2600, 6500],
    }
    rows = [(run, c, s) for run, values in signal.items() for c, s in zip(conc, values, strict=True)]
    return pd.DataFrame(rows, columns=["run", "concentration", "signal"])


def test_a_run_not_detecting_the_top_concentration_withholds_the_sensitivity() -> None:
    """R 4.2: ``10^approx(signal, log10(conc), xout = 1418.6)$y`` per run -> R1 18.1180974703,
    R2 21.1293887195, R4 16.8346393056; mean 18.6940418318, sd 2.2045412364, mean + qt(0.95, 2) sd
    25.1312704532. That 25.13 ng/mL is not "detected in 95% of runs": R3 missed 250 ng/mL."""
    res = sensitivity(_pc_curves(), cut_point=1418.6)
    assert res.concentration_at_cut_point[[0, 1, 3]] == pytest.approx(
        [18.1180974703, 21.1293887195, 16.8346393056], rel=1e-9
    )
    assert np.isnan(res.concentration_at_cut_point[2])
    assert res.mean == pytest.approx(18.6940418318, rel=1e-9) and res.sd == pytest.approx(
        2.2045412364, rel=1e-9
    )
    assert np.isnan(res.sensitivity_95)
    assert any(
        n.startswith("run R3: signal below the cut point even at the highest concentration 250")
        for n in res.notes
    )
    assert "not reported" in res.summary()
    # with R3 removed by the analyst (a documented run failure), the R value is reported
    kept = sensitivity(_pc_curves().query("run != 'R3'"), cut_point=1418.6)
    assert kept.sensitivity_95 == pytest.approx(25.1312704532, rel=1e-9) and not kept.notes


def test_4pl_crossing_below_the_tested_range_is_not_extrapolated() -> None:
    """Signal already above the cut point at the lowest concentration: the 4PL curve crosses it below the
    tested range (c50 ((a - d) / (CP - d) - 1)^(1/b) = 40 (2.9 / 2.5 - 1)^(1/1.3) = 9.5 < 15), so the run
    is left out, not extrapolated."""
    a, b, c50, d = 0.1, 1.3, 40.0, 3.0
    assert c50 * ((a - d) / (0.5 - d) - 1) ** (1 / b) < 15.0
    conc = np.array([15.0, 50.0, 150.0, 500.0, 1500.0])
    rows = []
    for run, shift in (("R1", 1.0), ("R2", 10.0), ("R3", 12.0)):
        sig = d + (a - d) / (1 + (conc / (c50 * shift)) ** b)
        rows += [{"run": run, "concentration": c, "signal": s} for c, s in zip(conc, sig, strict=True)]
    res = sensitivity(pd.DataFrame(rows), cut_point=0.5, method="4pl")
    assert np.isnan(res.concentration_at_cut_point[0])
    # R2, R3: 10 and 12 times the R1 crossing 40 (2.9 / 2.5 - 1)^(1 / 1.3), inside the range
    first = 40.0 * (2.9 / 2.5 - 1.0) ** (1 / 1.3)
    assert res.concentration_at_cut_point[1:] == pytest.approx([10 * first, 12 * first], rel=1e-5)
    assert res.n_runs == 2 and any("run R1: cut point not crossed" in n for n in res.notes)
