"""Slope-ratio assay: responses linear in dose, common intercept, potency = ratio of slopes.

Model (Ph. Eur. 5.3, section 3.3.1): y = a + b_S z_S + b_T z_T, z the dose (not its log); the blank
(dose 0, any sample name) belongs to both lines. The relative potency is R = b_T / b_S with Fieller's
confidence limits (section 3.3.5) using the residual error of the analysis of variance.

Analysis of variance (section 3.3.3) as sequential extra sums of squares after block effects:
regression (2 df), blanks (the blank's deviation from the common intercept, (hd+1) designs only),
intersection (separate intercepts of the two lines, 1 df), non-linearity, residual error. The validity
tests (section 3.3.4) are intersection and non-linearity (pass when p >= alpha).
"""

from __future__ import annotations

import math

import numpy as np

from bioparity.i18n.notes import note_template
from bioparity.potency.design import AssayData, fieller
from bioparity.potency.linear import (
    anova_row,
    block_models,
    extra_ss_row,
    ols,
    outlier_flags,
    residual_error,
    t_quantile,
)
from bioparity.potency.parallel_line import REGRESSION_NOT_SIGNIFICANT
from bioparity.potency.results import AnovaRow, EquivalenceCheck, ModelFit

#: The flag of a slope-ratio fit whose standard has no significant slope (see bioparity.i18n.notes).
FIELLER_STANDARD_UNBOUNDED = note_template(
    "Fieller g = {g:.3g} >= 1: slope of the standard not significant, limits unbounded"
)

NAN = float("nan")


def fit_slope_ratio(
    data: AssayData, conf_level: float = 0.95, *, alpha: float = 0.05, equivalence_level: float = 0.90
) -> ModelFit:
    """Fit the slope-ratio model; potency b_T/b_S with Fieller CI, ANOVA and validity tests.

    For USP <1032>-style similarity the intercept difference a_T - a_S of the separate-intercepts
    model is given with its t interval at ``equivalence_level``.

    Parameters
    ----------
    data : AssayData
        Standard and test responses against dose (not log dose); responses at dose 0 are blanks,
        shared by both lines, whatever their sample.
    conf_level : float, default 0.95
        Confidence level of the Fieller interval of the potency.
    alpha : float, default 0.05
        Level of the test of regression: p >= ``alpha`` is flagged (the intersection and
        non-linearity tests are judged by :func:`analyse_assay`).
    equivalence_level : float, default 0.90
        Confidence level of the t interval of the intercept difference.

    Returns
    -------
    ModelFit
        Relative potency b_T/b_S with its Fieller limits, residual variance and df, the parameters
        (``intercept``, ``slope_standard``, ``slope_test``), the p values of intersection and
        non-linearity, the intercept-difference equivalence measure, the ANOVA table and flags.

    Raises
    ------
    InputError
        When there is no replicate (no residual degrees of freedom).

    References
    ----------
    European Pharmacopoeia, chapter 5.3, sections 3.3.1-3.3.5.

    Examples
    --------
    A test 1.5 times as potent as the standard, with blanks (dose 0):

    >>> import numpy as np
    >>> dose = np.array([0, 0, 1, 1, 2, 2, 3, 3.0])
    >>> noise = np.array([0.05, -0.05, 0.1, -0.1, -0.1, 0.1, 0.1, -0.1])
    >>> data = AssayData.from_arrays(dose, 1 + 2 * dose + noise, dose[2:], 1 + 3 * dose[2:] + noise[2:])
    >>> fit = fit_slope_ratio(data)
    >>> round(fit.relative_potency, 6), round(fit.ci_lower, 4), round(fit.ci_upper, 4)
    (1.5, 1.4452, 1.5587)
    """
    n = data.dose.size
    y = data.response
    blank = data.dose == 0
    t_ind = (data.is_test & ~blank).astype(float)
    s_ind = (~data.is_test & ~blank).astype(float)
    z_s = data.dose * s_ind
    z_t = data.dose * t_ind
    one = np.ones(n)
    blocks, design, fit_mean, fit_blocks = block_models(n, data.rows, data.columns, y)
    fit_common = ols(design(one, z_s, z_t), y)
    has_blank = bool(blank.any())
    fit_blank = ols(design(one, blank.astype(float), z_s, z_t), y) if has_blank else fit_common
    sep_cols = (one, blank.astype(float), t_ind, z_s, z_t) if has_blank else (one, t_ind, z_s, z_t)
    fit_sep = ols(design(*sep_cols), y)
    fit_cell, df_err, s2 = residual_error(
        list(zip((data.is_test & ~blank).tolist(), data.dose.tolist(), strict=True)),
        blocks,
        y,
        f"assay {data.assay!r}, sample {data.sample!r}",
    )
    reg = extra_ss_row("regression", fit_blocks, fit_common, s2, df_err)
    blanks = extra_ss_row("blanks", fit_common, fit_blank, s2, df_err)
    inter = extra_ss_row("intersection", fit_blank, fit_sep, s2, df_err)
    nonlin = extra_ss_row("non-linearity", fit_sep, fit_cell, s2, df_err)
    treat = extra_ss_row("treatments", fit_blocks, fit_cell, s2, df_err)
    rows: list[AnovaRow] = [reg]
    if has_blank:
        rows.append(blanks)
    rows += [inter, nonlin, treat]
    if blocks.size:
        rows.append(anova_row("blocks", fit_blocks.rank - 1, fit_mean.rss - fit_blocks.rss, s2, df_err))
    rows += [AnovaRow("residual error", df_err, fit_cell.rss, s2, NAN, NAN)]
    rows += [AnovaRow("total", n - 1, fit_mean.rss, NAN, NAN, NAN)]

    tq = t_quantile(conf_level, df_err)
    cov = s2 * fit_common.xtx_inv
    a, b_s, b_t = (float(v) for v in fit_common.beta[:3])
    iv = fieller(b_t, b_s, float(cov[2, 2]), float(cov[1, 1]), float(cov[1, 2]), tq)
    flags: list[str] = []
    resid_common = y - design(one, z_s, z_t) @ fit_common.beta
    flags += outlier_flags(resid_common, s2, data.dose, data.is_test)
    if math.isnan(iv.lower):
        flags.append(FIELLER_STANDARD_UNBOUNDED.format(g=iv.g))
    if not reg.p < alpha:
        flags.append(REGRESSION_NOT_SIGNIFICANT.format(p=reg.p))
    k = 2 if has_blank else 1
    cs = s2 * fit_sep.xtx_inv
    diff = float(fit_sep.beta[k])
    half = t_quantile(equivalence_level, df_err) * math.sqrt(float(cs[k, k]))
    return ModelFit(
        relative_potency=iv.ratio,
        ci_lower=iv.lower,
        ci_upper=iv.upper,
        ci_method="Fieller",
        df=df_err,
        s2=s2,
        parameters={"intercept": a, "slope_standard": b_s, "slope_test": b_t},
        tests={"intersection": inter.p, "non_linearity": nonlin.p},
        equivalence=(EquivalenceCheck("intercept_difference", diff, diff - half, diff + half, NAN, NAN),),
        flags=tuple(flags),
        r_squared=1.0 - fit_sep.rss / fit_mean.rss if fit_mean.rss > 0 else NAN,
        anova=tuple(rows),
        required_significant={"regression": reg.p},
    )
