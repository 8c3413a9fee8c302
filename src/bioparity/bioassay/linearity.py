"""Linearity of an analytical procedure: the least-squares line of the response on the nominal level.

ICH Q2(R2) Validation of Analytical Procedures (2023), section 3.2.1 (response; linear response): a plot
of the response against the concentration, the regression line by least squares with its slope,
y-intercept, correlation coefficient or coefficient of determination and residual sum of squares, and an
analysis of the residuals; at least five concentrations (ICH Q2(R1), 2005, Part II section 2, "a minimum
of 5 concentrations is recommended"). Lack of fit of the straight line is tested against the pure error of
replicated levels (Draper & Smith, Applied Regression Analysis, 3rd ed., 1998, section 2.1).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from bioparity.bioassay.results import LinearityResult
from bioparity.errors import InputError
from bioparity.i18n.notes import note_template

#: ICH Q2(R1) Part II section 2: "a minimum of 5 concentrations is recommended".
MIN_LEVELS = 5
FEW_LEVELS = note_template("{n:d} levels: ICH Q2 recommends at least {minimum:d} concentrations")
LACK_OF_FIT = note_template("lack of fit of the straight line: F test p = {p:.3g} < {alpha:g}")
NOT_TESTED = note_template("lack of fit not tested: no level measured more than once")


def linearity(
    frame: pd.DataFrame, conf_level: float = 0.95, alpha: float = 0.05, target: float | None = None
) -> LinearityResult:
    """Least-squares line of ``response`` on ``level`` with intervals, residuals and the lack-of-fit test.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per result: ``level`` (nominal concentration, amount or % of target) and ``response``
        (finite numbers); replicates share a level.
    conf_level : float, default 0.95
        Two-sided confidence level of the slope and intercept intervals, in (0, 1).
    alpha : float, default 0.05
        Level of the lack-of-fit F test, in (0, 1).
    target : float or None, default None
        Level of 100% of the test concentration: the intercept is also reported as a percentage of the
        line's response there (None: not reported).

    Returns
    -------
    LinearityResult
        Slope, intercept, their standard errors and t intervals (``n - 2`` df), r, R^2, residual SD, RSS,
        residuals, the intercept as % of the response at ``target``, the lack-of-fit F test and the flags.

    Raises
    ------
    InputError
        When a column is missing, a value is not finite, there are fewer than 3 distinct levels, or a
        level is not finite, or ``conf_level``, ``alpha`` or ``target`` is out of range.

    References
    ----------
    ICH Q2(R2) (2023), section 3.2.1; ICH Q2(R1) (2005), Part II section 2; Draper & Smith, Applied
    Regression Analysis, 3rd ed. (1998), section 2.1 (lack of fit and pure error).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"level": [50, 50, 75, 100, 100, 125, 150],
    ...                       "response": [101, 99, 152, 198, 203, 249, 301]})
    >>> res = linearity(frame, target=100)
    >>> round(res.slope, 4), round(res.intercept, 3), res.n_levels, round(res.lof_p, 3)
    (1.9996, 0.468, 5, 0.864)
    """
    for name, value in (("conf_level", conf_level), ("alpha", alpha)):
        if not 0 < value < 1:
            raise InputError(f"{name} must be between 0 and 1; got {value!r}")
    if target is not None and not (math.isfinite(target) and target > 0):
        raise InputError(f"target must be a level > 0; got {target!r}")
    missing = sorted({"level", "response"} - set(frame.columns))
    if missing:
        raise InputError(f"linearity data need columns level and response; missing {', '.join(missing)}")
    x = frame["level"].to_numpy(float)
    y = frame["response"].to_numpy(float)
    if not (np.isfinite(x).all() and np.isfinite(y).all()):
        raise InputError("linearity levels and responses must be finite numbers")
    levels = np.unique(x)
    n, k = len(x), len(levels)
    if k < 3:
        raise InputError(f"linearity needs at least 3 distinct levels (ICH Q2: 5); got {k}")
    xm, ym = x.mean(), y.mean()
    sxx, sxy, syy = ((x - xm) ** 2).sum(), ((x - xm) * (y - ym)).sum(), ((y - ym) ** 2).sum()
    slope = sxy / sxx
    intercept = ym - slope * xm
    fitted = intercept + slope * x
    residual = y - fitted
    df = n - 2
    rss = float((residual**2).sum())
    s = math.sqrt(rss / df)
    slope_se, intercept_se = s / math.sqrt(sxx), s * math.sqrt(1 / n + xm**2 / sxx)
    t = float(stats.t.ppf(0.5 + conf_level / 2, df))
    r = float(sxy / math.sqrt(sxx * syy)) if syy > 0 else math.nan
    # pure error: spread of the replicates about their level's mean; lack of fit: the rest of the RSS
    inverse = np.searchsorted(levels, x)
    means = np.bincount(inverse, weights=y) / np.bincount(inverse)
    pure = float(((y - means[inverse]) ** 2).sum())
    df1, df2 = k - 2, n - k
    flags = [FEW_LEVELS.format(n=k, minimum=MIN_LEVELS)] if k < MIN_LEVELS else []
    if df2 > 0 and pure > 0:
        f = ((rss - pure) / df1) / (pure / df2)
        p = float(stats.f.sf(max(f, 0.0), df1, df2))
        passed: bool | None = p >= alpha
        if not passed:
            flags.append(LACK_OF_FIT.format(p=p, alpha=alpha))
    else:
        f, p, df1, df2, passed = math.nan, math.nan, 0, 0, None
        flags.append(NOT_TESTED)
    at_target = math.nan if target is None else 100 * intercept / (intercept + slope * target)
    return LinearityResult(
        level=x,
        response=y,
        fitted=fitted,
        residual=residual,
        n=n,
        n_levels=k,
        df=df,
        slope=float(slope),
        slope_se=slope_se,
        slope_ci_lower=float(slope - t * slope_se),
        slope_ci_upper=float(slope + t * slope_se),
        intercept=float(intercept),
        intercept_se=intercept_se,
        intercept_ci_lower=float(intercept - t * intercept_se),
        intercept_ci_upper=float(intercept + t * intercept_se),
        r=r,
        r_squared=r * r,
        residual_sd=s,
        rss=rss,
        target=math.nan if target is None else float(target),
        intercept_percent=float(at_target),
        lof_f=float(f),
        lof_df1=df1,
        lof_df2=df2,
        lof_p=p,
        conf_level=float(conf_level),
        alpha=float(alpha),
        passed=passed,
        flags=tuple(flags),
    )
