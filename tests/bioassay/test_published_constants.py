"""The printed constants of the cut-point papers.

Neither Shankar et al. 2008 (J Pharm Biomed Anal 48:1267) nor Devanarayan et al. 2017 (AAPS J 19:1487)
could be found in a form with their worked-example data tables in this project's reference search, so
their worked examples are not reproduced; what they print and we check: the parametric screening cut
point ``mean + 1.645 SD`` at 5% FPR (Shankar 2008, Appendix 1), ``mean + 2.33 SD`` at 1% (confirmatory)
and ``mean + 3.09 SD`` at 0.1% (titration) (Devanarayan 2017, "Cut point computation"), and the robust
SD ``1.4826 MAD`` (Devanarayan 2017). A data set with mean 0 and SD 1 on the analysis scale shows the
factors directly.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.bioassay import compute_cut_point
from bioparity.bioassay.stats import MAD_CONSTANT


def _standardised() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    x = rng.normal(size=60)
    x = (x - x.mean()) / x.std(ddof=1)
    return pd.DataFrame({"donor": [f"D{i // 2}" for i in range(60)], "run": ["R1", "R2"] * 30, "value": x})


@pytest.mark.parametrize(
    ("tier", "fpr", "printed", "digits"),
    [("screening", 0.05, 1.645, 3), ("confirmatory", 0.01, 2.33, 2), ("titration", 0.001, 3.09, 2)],
)
def test_parametric_factor_is_the_printed_z(tier: str, fpr: float, printed: float, digits: int) -> None:
    res = compute_cut_point(_standardised(), tier=tier, fpr=fpr, transform="none", remove_outliers=False)
    assert res.mean_t == pytest.approx(0.0, abs=1e-12) and res.sd_t == pytest.approx(1.0, rel=1e-12)
    assert round(res.parametric_t, digits) == pytest.approx(printed, abs=1e-12)


def test_robust_sd_constant_is_1_4826() -> None:
    assert MAD_CONSTANT == 1.4826
    res = compute_cut_point(_standardised(), transform="none", remove_outliers=False)
    assert res.robust_t == pytest.approx(res.median_t + 1.6448536269514722 * res.mad_t, rel=1e-12)


def test_normalisation_factor_is_the_cut_point_factor_of_the_normalised_data() -> None:
    # signal = NC of the run x donor factor: normalised log values are the standardised set, so the
    # additive log-scale NF of the parametric 5% estimate is Shankar's printed 1.645 (mean 0, SD 1)
    base = _standardised()
    nc = base["run"].map({"R1": 0.4, "R2": 0.9}).to_numpy(float)
    frame = base.assign(value=nc * np.exp(base["value"].to_numpy(float)), nc=nc)
    res = compute_cut_point(frame, transform="log", method="parametric", remove_outliers=False)
    assert res.normalization == "additive on log scale"
    assert round(res.normalization_factor, 3) == pytest.approx(1.645, abs=1e-12)
    assert res.cut_point_type == "floating"
