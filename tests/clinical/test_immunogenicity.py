"""Immunogenicity summaries on a small hand-checked data set; intervals against statsmodels and SciPy."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from bioparity.clinical import ada_incidence, exposure_by_ada, incidence_difference, titre_summary
from bioparity.errors import BioparityWarning, InputError
from tests.conftest import require_module

statsmodels_proportion = require_module("statsmodels.stats.proportion")


def _value(frame: pd.DataFrame, column: str, **keys: str) -> float:
    """The one value of ``column`` in the row matching ``keys``."""
    mask = np.ones(len(frame), dtype=bool)
    for key, wanted in keys.items():
        mask &= frame[key].to_numpy() == wanted
    values = frame[column].to_numpy(dtype=float)[mask]
    assert values.size == 1
    return float(values[0])


def _ada() -> pd.DataFrame:
    rows = []
    # Arm T: 10 subjects; D29: 4 positive, 1 missing; D57: 3 positive (T10 positive only at D57).
    for i in range(1, 11):
        d29 = "POS" if i <= 4 else ("" if i == 5 else "NEG")
        d57 = "POS" if i in (1, 2, 10) else "NEG"
        rows += [(f"T{i:02d}", "T", "D29", d29, 40 * i if d29 == "POS" else None)]
        rows += [(f"T{i:02d}", "T", "D57", d57, 160 if d57 == "POS" else None)]
    # Arm R: 8 subjects; D29 positive: 1; D57 positive: 2 (the same subject and one more).
    for i in range(1, 9):
        d29 = "positive" if i == 1 else "negative"
        d57 = "Y" if i in (1, 2) else "N"
        rows += [(f"R{i:02d}", "R", "D29", d29, 20 if i == 1 else None)]
        rows += [(f"R{i:02d}", "R", "D57", d57, 80 if i in (1, 2) else None)]
    return pd.DataFrame(rows, columns=["USUBJID", "ARM", "VISIT", "ADA", "TITRE"])


def test_incidence_counts_missing_and_overall_by_hand() -> None:
    res = ada_incidence(_ada(), conf=0.95).to_frame().set_index(["arm", "timepoint"])

    def cells(arm: str, timepoint: str, columns: list[str]) -> list[int]:
        flat = res.reset_index()
        return [int(_value(flat, c, arm=arm, timepoint=timepoint)) for c in columns]

    assert cells("T", "D29", ["n_evaluable", "n_positive", "n_missing"]) == [9, 4, 1]
    assert cells("T", "D57", ["n_evaluable", "n_positive"]) == [10, 3]
    assert cells("T", "OVERALL", ["n_evaluable", "n_positive"]) == [10, 5]
    assert cells("R", "OVERALL", ["n_evaluable", "n_positive"]) == [8, 2]
    lo, hi = statsmodels_proportion.proportion_confint(4, 9, alpha=0.05, method="wilson")
    assert res.loc[("T", "D29"), "ci_lower"] == pytest.approx(lo, abs=1e-12)
    assert res.loc[("T", "D29"), "ci_upper"] == pytest.approx(hi, abs=1e-12)


def test_difference_to_reference_arm_uses_newcombe() -> None:
    inc = ada_incidence(_ada())
    diff = incidence_difference(inc, reference_arm="R").to_frame().set_index("timepoint")
    lo, hi = statsmodels_proportion.confint_proportions_2indep(5, 10, 2, 8, method="newcomb", compare="diff")
    assert diff.loc["OVERALL", "diff"] == pytest.approx(0.5 - 0.25)
    assert diff.loc["OVERALL", "ci_lower"] == pytest.approx(lo, abs=1e-12)
    assert diff.loc["OVERALL", "ci_upper"] == pytest.approx(hi, abs=1e-12)


def test_titre_summary_geometric_mean_by_hand() -> None:
    res = titre_summary(_ada()).to_frame().set_index(["arm", "timepoint"])
    # T at D29: titres 40, 80, 120, 160 -> geometric mean (40*80*120*160)^(1/4)
    assert res.loc[("T", "D29"), "geometric_mean"] == pytest.approx((40 * 80 * 120 * 160) ** 0.25, rel=1e-12)
    assert res.loc[("T", "D29"), "median"] == pytest.approx(np.sqrt(80 * 120), rel=1e-12)
    assert res.loc[("R", "D57"), "n"] == 2 and res.loc[("R", "D57"), "geometric_cv_percent"] == 0.0


def test_unknown_result_code_names_the_row() -> None:
    frame = _ada()
    frame.loc[3, "ADA"] = "borderline"
    with pytest.raises(InputError, match="data row 4"):
        ada_incidence(frame)


def test_positive_sample_without_titre_is_an_error() -> None:
    frame = _ada()
    frame.loc[0, "TITRE"] = None
    with pytest.raises(InputError, match="titre"):
        titre_summary(frame)


def _pp_and_status() -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(3)
    subjects = [f"S{i:02d}" for i in range(24)]
    arms = ["T"] * 12 + ["R"] * 12
    status = ["POS" if i % 3 == 0 else "NEG" for i in range(24)]
    auc = np.exp(rng.normal(np.log(1000), 0.3, 24)) * np.where(np.array(status) == "POS", 0.7, 1.0)
    pp = pd.DataFrame(
        {
            "USUBJID": subjects * 2,
            "ARM": arms * 2,
            "PPTESTCD": ["AUCIFO"] * 24 + ["CMAX"] * 24,
            "PPSTRESN": np.concatenate([auc, auc / 20]),
        }
    )
    return pp, pd.DataFrame({"USUBJID": subjects, "ADA": status})


def test_exposure_by_ada_matches_a_t_test_on_logs() -> None:
    pp, status = _pp_and_status()
    res = exposure_by_ada(pp, status, conf=0.90).to_frame().set_index(["arm", "parameter"])
    sel = (pp["ARM"] == "T") & (pp["PPTESTCD"] == "AUCIFO")
    logs = np.log(pp.loc[sel, "PPSTRESN"].to_numpy())
    pos = status.set_index("USUBJID").loc[pp.loc[sel, "USUBJID"], "ADA"].to_numpy() == "POS"
    ci = stats.ttest_ind(logs[pos], logs[~pos], equal_var=True).confidence_interval(0.90)
    flat = res.reset_index()
    row = {
        c: _value(flat, c, arm="T", parameter="AUCIFO")
        for c in ("n_positive", "n_negative", "ratio", "ci_lower", "ci_upper")
    }
    assert (row["n_positive"], row["n_negative"]) == (4, 8)
    assert row["ratio"] == pytest.approx(np.exp(logs[pos].mean() - logs[~pos].mean()), rel=1e-12)
    assert row["ci_lower"] == pytest.approx(np.exp(ci.low), rel=1e-10)
    assert row["ci_upper"] == pytest.approx(np.exp(ci.high), rel=1e-10)


def test_non_positive_pk_values_are_counted_and_flagged() -> None:
    pp, status = _pp_and_status()
    pp.loc[0, "PPSTRESN"] = 0.0
    with pytest.warns(BioparityWarning, match="excluded"):
        res = exposure_by_ada(pp, status).to_frame().set_index(["arm", "parameter"])
    assert res.loc[("T", "AUCIFO"), "n_excluded"] == 1
    assert res.loc[("T", "CMAX"), "n_excluded"] == 0


def test_subject_without_ada_status_is_an_error() -> None:
    pp, status = _pp_and_status()
    with pytest.raises(InputError, match="S05"):
        exposure_by_ada(pp, status[status["USUBJID"] != "S05"])
