"""The run comparison that decides between a fixed and a floating cut point (Shankar et al. 2008, J Pharm
Biomed Anal 48:1267, Appendix 1 section 3: equal run means and equal run variances) against R 4.2.2
(values in tests/data/reference/bioassay/run_comparison_reference.csv, made by
make_run_comparison_reference.R there with nlme 3.1-162; R is never called at test time).

* Equal run means: the Wald F test of ``nlme::lme(y ~ run, random = ~ 1 | donor, method = "REML")``
  (``anova``, containment denominator df ``n - p - (donors - 1)``). For the balanced design it is the F of
  the two-way ANOVA ``lm(y ~ donor + run)`` exactly (REML = ANOVA estimators), which nlme's optimiser
  reproduces only to about 1e-7: p relative 1e-9 against the ANOVA there; for the unbalanced and nested
  designs against nlme, p relative 1e-4 (both optimisers stop near the same optimum; the p-values are of
  order 1e-10 to 1e-13, where a relative 1e-6 difference in F moves p by about 1e-5 relative).
* Equal run variances: Levene's (1960) test with deviations from the run means, ``anova(lm(|y - run
  mean| ~ run))`` in base R (not ``car::leveneTest``, whose default centres on the median: the
  Brown-Forsythe test); relative 1e-10.
"""

from __future__ import annotations

import pandas as pd
import pytest
from scipy import stats

from bioparity.bioassay import compute_cut_point
from tests.conftest import REFERENCE

REF = REFERENCE / "bioassay"
ROWS = pd.read_csv(REF / "run_comparison_reference.csv").set_index("design")


@pytest.mark.parametrize("design", ["balanced", "unbalanced", "nested"])
def test_run_means_and_variances_tests_match_r(design: str) -> None:
    data = pd.read_csv(REF / f"designs_{design}.csv").rename(columns={"signal": "value"})
    got = compute_cut_point(data, transform="log", remove_outliers=False)
    want = ROWS.loc[design]
    assert got.n_values == want["n"]
    if design == "balanced":
        assert got.run_means_p == pytest.approx(want["anova_p"], rel=1e-9)
        assert want["lme_p"] == pytest.approx(want["anova_p"], rel=1e-6)
    else:
        assert got.run_means_p == pytest.approx(want["lme_p"], rel=1e-4)
    # the denominator df by containment: recovered from the p and nlme's F and numerator df
    assert stats.f.sf(want["lme_F"], want["lme_numDF"], want["lme_denDF"]) == pytest.approx(
        want["lme_p"], rel=1e-9
    )
    assert got.n_values - got.n_runs - (got.n_donors - 1) == want["lme_denDF"]
    assert got.run_variances_p == pytest.approx(want["levene_p"], rel=1e-10)
    # means differ at 5%, variances do not: a floating cut point (Shankar 2008, Appendix 1 section 3)
    assert want["lme_p"] < 0.05 <= want["levene_p"] and got.cut_point_type == "floating"
