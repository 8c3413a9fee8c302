"""``method = auto`` reports the empirical percentile when the values are not normal.

Shankar et al. 2008 (J Pharm Biomed Anal 48:1267, Appendix 1 section 4): the parametric cut point
``mean + z SD`` for normal values, the nonparametric 95th percentile otherwise. The robust estimate
``median + z 1.4826 MAD`` assumes a symmetric normal core: on the right-skewed set here it is 13.71 while
6 of the 25 donors of run R1 (24%, not 5%) read above it; the percentile is 19.24. Numbers from R 4.2.2 on the
same 50 values (``quantile(x, 0.95, type = 7)`` 19.2365; the normality test is on the 25 donor means,
``shapiro.test((r1 + r2) / 2)`` W 0.769512651635921, p 7.34760676194936e-05; all 50 values: p
1.68331750568554e-07,
``median(x) + qnorm(0.95) * mad(x)`` 13.7069836692459, ``quantile(x, 0.999, type = 7)`` 21.35187); relative
1e-12 (Shapiro-Wilk 1e-6: Royston's algorithm in SciPy and R agree to about 1e-8). Fewer than 1/FPR values
(50 at 0.1%, the titration tier) put the percentile between the largest values: stated in a note.
"""

from __future__ import annotations

import pandas as pd
import pytest

from bioparity.bioassay import compute_cut_point

_R1 = (10.2, 10.4, 10.5, 10.6, 10.7, 10.8, 10.9, 11.0, 11.1, 11.2, 11.3, 11.4, 11.5, 11.6, 11.8, 12.0, 12.3,
       12.7, 13.2, 13.9, 14.8, 15.9, 17.3, 19.0, 21.0)  # fmt: skip


def skewed() -> pd.DataFrame:
    """25 donors in two runs, R2 reading 2% higher with +/-0.05 scatter (values as R read them)."""
    rows = [(f"D{i + 1:02d}", "R1", x) for i, x in enumerate(_R1)]
    rows += [
        (f"D{i + 1:02d}", "R2", round(x * 1.02 + (0.05 if i % 2 else -0.05), 3)) for i, x in enumerate(_R1)
    ]
    return pd.DataFrame(rows, columns=["donor", "run", "value"])


def test_values_that_are_not_normal_get_the_empirical_percentile() -> None:
    result = compute_cut_point(skewed(), transform="none", remove_outliers=False)
    assert result.shapiro_p == pytest.approx(7.34760676194936e-05, rel=1e-6)
    assert result.shapiro_w == pytest.approx(0.769512651635921, rel=1e-6)
    assert (result.shapiro_n, result.normality_values) == (25, "donor means")
    assert result.method == "nonparametric"
    assert result.cut_point == pytest.approx(19.2365, rel=1e-12)
    assert result.robust == pytest.approx(13.7069836692459, rel=1e-12)  # still reported, not selected
    assert sum(x > result.robust for x in _R1) == 6
    assert (
        "method selected: nonparametric (Shapiro-Wilk on 25 donor means across runs: W = 0.7695, "
        "p = 7.35e-05)" in result.notes
    )
    assert not any(n.startswith("the nonparametric cut point at FPR") for n in result.notes)


def test_a_percentile_of_fewer_than_one_over_fpr_values_is_stated() -> None:
    result = compute_cut_point(skewed(), tier="titration", transform="none", remove_outliers=False)
    assert result.method == "nonparametric"
    assert result.cut_point == pytest.approx(21.35187, rel=1e-12)
    assert (
        "the nonparametric cut point at FPR 0.001 of 50 values (fewer than 1/FPR) lies between the largest "
        "values, so one or two donors set it"
    ) in " | ".join(result.notes)


def test_the_robust_estimate_is_still_there_when_asked_for() -> None:
    result = compute_cut_point(skewed(), transform="none", remove_outliers=False, method="robust")
    assert result.method == "robust" and result.cut_point == pytest.approx(13.7069836692459, rel=1e-12)
    assert not any(n.startswith("method selected") for n in result.notes)
