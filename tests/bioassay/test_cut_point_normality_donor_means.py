"""``method = auto`` judges normality on the donor means across runs, not on every donor x run value.

A donor measured in every run gives correlated values (they share the donor's effect), so Shapiro-Wilk on all
donor x run values counts each donor once per run and over-rejects normality; the cut point is a percentile
of donors, and the outlier steps already take the donor as the unit (biological outliers on donor means;
Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1; Devanarayan et al. 2017, AAPS J 19:1487,
"Outlier evaluation"). Shipped example ``examples/ada/ada-cutpoint-validation.csv`` (24 donors x 3 runs, D08 a
biological outlier of the screening tier), R 4.2.2 on ``log(signal)`` of the 23 donors left (script in the
test below's docstring):

* ``shapiro.test`` of the 69 donor x run values: W 0.94, p 0.002451 (earlier versions: nonparametric);
* ``shapiro.test`` of the 23 donor means: W 0.917479489668973, p 0.0588473367104242 -> parametric;
* screening ``exp(mean(y) + qnorm(0.95) * sd(y))`` 1.29934284746556, titration (``qnorm(0.999)``)
  1.63562458603009 (the nonparametric ``exp(quantile(y, 0.95, type = 7))`` 1.25104816780632 still reported);
* confirmatory (% inhibition, 24 donor means): W 0.932229246224042, p 0.109345499524464.

Tolerances: W and p relative 1e-6 (R and SciPy both use Royston's AS R94; they agree to about 1e-8), cut
points relative 1e-12.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bioparity.bioassay import screening_and_confirmatory

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ada" / "ada-cutpoint-validation.csv"


def test_the_example_is_judged_on_its_23_donor_means() -> None:
    """R 4.2.2::

    d <- read.csv("examples/ada/ada-cutpoint-validation.csv")
    a <- aggregate(signal ~ donor + run, d, mean); a <- a[a$donor != "D08", ]
    y <- log(a$signal); m <- tapply(y, a$donor, mean)
    shapiro.test(m); shapiro.test(y)
    exp(mean(y) + qnorm(c(0.95, 0.999)) * sd(y))
    d$inh <- 100 * (1 - d$signal_drug / d$signal)
    b <- aggregate(inh ~ donor + run, d, mean); shapiro.test(tapply(b$inh, b$donor, mean))
    """
    screening, confirmatory, titration = screening_and_confirmatory(
        pd.read_csv(EXAMPLE), confirm_fpr=0.01, titration_fpr=0.001
    )
    assert [o.code for o in screening.outliers] == ["biological:D08"]
    assert (screening.n_values, screening.shapiro_n, screening.normality_values) == (69, 23, "donor means")
    assert screening.shapiro_w == pytest.approx(0.917479489668973, rel=1e-6)
    assert screening.shapiro_p == pytest.approx(0.0588473367104242, rel=1e-6)
    assert screening.method == "parametric"  # all 69 values (p = 0.00245) gave nonparametric
    assert screening.cut_point == pytest.approx(1.29934284746556, rel=1e-12)
    assert screening.nonparametric == pytest.approx(1.25104816780632, rel=1e-12)
    assert titration.method == "parametric"
    assert titration.cut_point == pytest.approx(1.63562458603009, rel=1e-12)
    assert confirmatory.shapiro_n == 24 and confirmatory.method == "parametric"
    assert confirmatory.shapiro_w == pytest.approx(0.932229246224042, rel=1e-6)
    assert confirmatory.shapiro_p == pytest.approx(0.109345499524464, rel=1e-6)
    assert (
        "method selected: parametric (Shapiro-Wilk on 23 donor means across runs: W = 0.9175, p = 0.0588)"
        in screening.notes
    )
    assert "Shapiro-Wilk on 23 donor means: W = 0.9175, p = 0.0588" in screening.summary()


def test_a_forced_method_is_kept_and_the_test_still_reported() -> None:
    """``--method`` forces the estimate (unchanged); the normality test is reported all the same."""
    frame = pd.read_csv(EXAMPLE)
    for method in ("parametric", "nonparametric", "robust"):
        screening = screening_and_confirmatory(frame, confirm_fpr=None, method=method)[0]
        assert screening.method == method
        assert screening.shapiro_p == pytest.approx(0.0588473367104242, rel=1e-6)
        assert not any(n.startswith("method selected") for n in screening.notes)
    nonparametric = screening_and_confirmatory(frame, confirm_fpr=None, method="nonparametric")[0]
    assert nonparametric.cut_point == pytest.approx(1.25104816780632, rel=1e-12)
