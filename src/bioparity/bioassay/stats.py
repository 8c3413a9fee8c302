"""Small statistics shared by the assay analyses: R quantile types, MAD, the boxplot rule, skewness.

* ``quantile(x, p, type)`` is R's ``quantile(x, p, type = type)`` (Hyndman & Fan 1996, Am Stat 50:361,
  definitions 1-9; R's default is type 7);
* ``mad(x)`` is R's ``mad``: ``1.4826 * median(|x - median(x)|)`` (the constant makes it consistent for
  the normal SD; Hampel 1974, JASA 69:383);
* the boxplot rule flags values below ``Q1 - 1.5 IQR`` or above ``Q3 + 1.5 IQR`` (Tukey 1977, Exploratory
  Data Analysis, ch. 2); the quartiles are a choice (:data:`OUTLIER_QUARTILES`): R ``quantile`` type 7 (the
  default, as bioparity has always computed them) or Tukey's hinges (R ``fivenum``, what R's
  ``boxplot``/``boxplot.stats`` use), or another R type. Shankar et al. 2008 (J Pharm Biomed Anal 48:1267,
  Appendix 1) and Devanarayan et al. 2017 (AAPS J 19:1487, "Outlier evaluation") give the 1.5 IQR rule but
  no quartile algorithm, and the two differ on the few values of one donor's runs (8 values 10-15, 19, 25:
  type 7 flags 25, R's boxplot does not), so the choice is an option and every result states it;
* ``skewness`` is the adjusted Fisher-Pearson coefficient ``G1`` (Joanes & Gill 1998, The Statistician 47:183,
  ``b1`` times ``sqrt(n(n-1))/(n-2)``), as in SAS PROC UNIVARIATE.
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import NDArray
from scipy import stats as sps

from bioparity.errors import InputError

FloatArray = NDArray[np.float64]

#: R quantile type -> NumPy ``method`` (NumPy implements Hyndman & Fan's nine definitions).
QUANTILE_METHODS = {
    1: "inverted_cdf",
    2: "averaged_inverted_cdf",
    3: "closest_observation",
    4: "interpolated_inverted_cdf",
    5: "hazen",
    6: "weibull",
    7: "linear",
    8: "median_unbiased",
    9: "normal_unbiased",
}

#: Consistency constant of the MAD for the normal distribution, 1 / qnorm(0.75) rounded as in R.
MAD_CONSTANT = 1.4826


def quantile(x: FloatArray, p: float, qtype: int = 7) -> float:
    """R ``quantile(x, p, type = qtype)``."""
    if qtype not in QUANTILE_METHODS:
        raise InputError(f"quantile type must be 1..9 (Hyndman & Fan 1996); got {qtype}")
    return float(np.quantile(np.asarray(x, dtype=float), p, method=QUANTILE_METHODS[qtype]))  # type: ignore[call-overload]


def mad(x: FloatArray) -> float:
    """R ``mad(x)``: ``1.4826 * median(|x - median(x)|)``."""
    x = np.asarray(x, dtype=float)
    return float(MAD_CONSTANT * np.median(np.abs(x - np.median(x))))


#: The quartiles of the boxplot rule: ``tukey`` (Tukey's hinges, R ``fivenum`` as ``boxplot.stats``) or
#: ``typeK``, R ``quantile(x, c(0.25, 0.75), type = K)``; ``type7`` is the default.
OUTLIER_QUARTILES = ("type7", "tukey", *(f"type{k}" for k in (1, 2, 3, 4, 5, 6, 8, 9)))
DEFAULT_OUTLIER_QUARTILES = "type7"


def check_outlier_quartiles(method: str) -> str:
    """``method`` when it is one of :data:`OUTLIER_QUARTILES`; else an :class:`InputError` naming them."""
    if method not in OUTLIER_QUARTILES:
        raise InputError(
            f"outlier quartiles must be one of {', '.join(OUTLIER_QUARTILES)}; got {method!r} (tukey: "
            "Tukey's hinges as R boxplot.stats; typeK: R quantile type K)"
        )
    return method


def quartiles(x: FloatArray, method: str = DEFAULT_OUTLIER_QUARTILES) -> tuple[float, float]:
    """Lower and upper quartiles of ``x`` by ``method`` (:data:`OUTLIER_QUARTILES`).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([10.0, 11, 12, 13, 14, 15, 19, 25])
    >>> quartiles(x), quartiles(x, "tukey")
    ((11.75, 16.0), (11.5, 17.0))
    """
    check_outlier_quartiles(method)
    x = np.asarray(x, dtype=float)
    if method == "tukey":
        from bioparity.be.outliers import tukey_hinges

        return tukey_hinges(x)
    qtype = int(method.removeprefix("type"))
    return quantile(x, 0.25, qtype), quantile(x, 0.75, qtype)


def boxplot_fences(
    x: FloatArray, k: float = 1.5, method: str = DEFAULT_OUTLIER_QUARTILES
) -> tuple[float, float]:
    """``(Q1 - k IQR, Q3 + k IQR)`` with the quartiles of ``method`` (:func:`quartiles`)."""
    q1, q3 = quartiles(x, method)
    return q1 - k * (q3 - q1), q3 + k * (q3 - q1)


def boxplot_flags(
    x: FloatArray, k: float = 1.5, method: str = DEFAULT_OUTLIER_QUARTILES
) -> NDArray[np.bool_]:
    """True where ``x`` lies outside :func:`boxplot_fences` (none flagged among fewer than 4 values).

    With ``method="tukey"`` the flags are R's ``boxplot.stats(x, coef = k)$out``.
    """
    x = np.asarray(x, dtype=float)
    check_outlier_quartiles(method)
    if x.size < 4:
        return np.zeros(x.size, dtype=bool)
    lo, hi = boxplot_fences(x, k, method)
    return (x < lo) | (x > hi)


def skewness(x: FloatArray) -> float:
    """Adjusted Fisher-Pearson skewness ``G1`` (bias-corrected)."""
    x = np.asarray(x, dtype=float)
    if x.size < 3 or float(np.std(x)) == 0.0:
        return 0.0
    return float(sps.skew(x, bias=False))


#: The largest sample of R's ``shapiro.test`` (Royston 1995, algorithm AS R94, is valid for 3 to 5000 values):
#: beyond it the p-value is SciPy's extrapolation of the same algorithm, approximate (a note says so).
SHAPIRO_MAX_N = 5000


def shapiro_wilk(x: FloatArray) -> tuple[float, float]:
    """Shapiro-Wilk ``(W, p)`` (Shapiro and Wilk 1965, Biometrika 52:591; p by Royston 1995, algorithm AS R94,
    as R's ``shapiro.test`` for 3 to :data:`SHAPIRO_MAX_N` values; approximate beyond, where R refuses and
    SciPy warns: the warning is left to the caller's note); ``(NaN, NaN)`` when n < 3 or all values are
    equal."""
    x = np.asarray(x, dtype=float)
    if x.size < 3 or float(np.ptp(x)) == 0.0:
        return float("nan"), float("nan")
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message=r"scipy\.stats\.shapiro: For N > 5000", category=UserWarning
        )
        test = sps.shapiro(x)
    return float(test.statistic), float(test.pvalue)


def shapiro_p(x: FloatArray) -> float:
    """Shapiro-Wilk p-value of :func:`shapiro_wilk`; NaN when n < 3 or all values are equal."""
    return shapiro_wilk(x)[1]


def normal_quantile_lcl_factor(n: int, p: float, confidence: float) -> float:
    """Factor ``k`` with ``mean + k SD`` a one-sided lower confidence limit of the normal ``p`` quantile.

    ``k = qt(1 - confidence, df = n - 1, ncp = sqrt(n) z_p) / sqrt(n)`` (noncentral t; Owen 1968,
    Technometrics 10:445; the lower-confidence-limit cut point of Devanarayan et al. 2017, AAPS J 19:1487,
    section "Cut point computation": 90% confidence for screening, 80% for confirmatory).
    """
    if n < 2:
        raise InputError("a confidence limit of the cut point needs at least 2 donors")
    z = float(sps.norm.ppf(p))
    return float(sps.nct.ppf(1.0 - confidence, n - 1, np.sqrt(n) * z) / np.sqrt(n))
