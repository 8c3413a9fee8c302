"""Parallel-line (log dose, linear response) assay: ANOVA, validity tests, potency and Fieller CI.

Model (Ph. Eur. 5.3, section 3.2.1): y = a_S + b x for the standard and y = a_T + b x for the test,
x = ln(dose), common slope b. The log relative potency is M = (a_T - a_S) / b and its confidence
limits are Fieller's (Ph. Eur. 5.3, section 3.2.5; Finney 1978, section 2.5), with the residual error
of the analysis of variance (s^2 on its degrees of freedom).

Analysis of variance (Ph. Eur. 5.3, section 3.2.3): preparations, regression, non-parallelism and
non-linearity, computed as sequential (extra) sums of squares of nested least-squares models after the
block effects (rows: randomised block; rows and columns: Latin square; section 3.2.2), with the residual
error from the treatment-cell model. For balanced designs this equals the contrast formulas of section
3.2.3; for unbalanced data it is the standard extra-sum-of-squares generalisation.

Multiple assays (one standard, several test preparations; Ph. Eur. 5.3 examples 5.1.1 and 5.1.4): when
``data.preparation`` codes other tests (2, 3, ...), all preparations are fitted together with one common
slope and one residual error, and the potency of test 1 comes from that joint fit.
"""

from __future__ import annotations

import math

import numpy as np

from bioparity.i18n.notes import note_template
from bioparity.potency.design import AssayData, fieller, require_positive_doses
from bioparity.potency.linear import (
    anova_row,
    block_columns,
    block_models,
    extra_ss_row,
    ols,
    outlier_flags,
    residual_error,
    t_quantile,
)
from bioparity.potency.results import AnovaRow, EquivalenceCheck, ModelFit

# The flags of a parallel-line fit (templates: see bioparity.i18n.notes).
FIELLER_UNBOUNDED = note_template(
    "Fieller g = {g:.3g} >= 1: slope not significant, confidence limits unbounded"
)
FIELLER_IMPRECISE = note_template("Fieller g = {g:.3g} > 0.1: slope imprecise, limits far from symmetric")
#: Also the flag of a slope-ratio fit.
REGRESSION_NOT_SIGNIFICANT = note_template("regression not significant (p = {p:.3g})")

NAN = float("nan")


def fit_parallel_line(
    data: AssayData, conf_level: float = 0.95, *, alpha: float = 0.05, equivalence_level: float = 0.90
) -> ModelFit:
    """Fit the parallel-line model: potency with Fieller CI, ANOVA, validity tests, slope ratio.

    Validity tests (Ph. Eur. 5.3, section 3.2.4): regression must be significant (flagged when
    p >= ``alpha``, and the Ph. Eur. verdict fails: ``required_significant``); non-parallelism and
    non-linearity pass when p >= ``alpha``. For USP <1032> equivalence the slope ratio b_T / b_S of the
    separate-slopes model is given with its Fieller interval at ``equivalence_level``.

    Parameters
    ----------
    data : AssayData
        Standard and test responses; every dose > 0 (the model uses ln dose). Block labels give the
        randomised-block or Latin-square ANOVA; preparation codes 2, 3, ... give a joint fit.
    conf_level : float, default 0.95
        Confidence level of the Fieller interval of the potency.
    alpha : float, default 0.05
        Level at which regression must be significant (flagged otherwise).
    equivalence_level : float, default 0.90
        Confidence level of the Fieller interval of the slope ratio.

    Returns
    -------
    ModelFit
        Relative potency exp(M) with its Fieller limits, residual variance and df, the parameters
        (intercepts and slopes), the p values of non-parallelism and non-linearity, the slope-ratio
        equivalence measure, the ANOVA table and flags (outliers, g > 0.1, unbounded limits).

    Raises
    ------
    InputError
        When a dose is <= 0 or there is no replicate (no residual degrees of freedom).

    References
    ----------
    European Pharmacopoeia, chapter 5.3, sections 3.2.1-3.2.5; D. J. Finney, Statistical Method in
    Biological Assay, 3rd ed., Griffin, 1978, section 2.5 (Fieller's theorem).

    Examples
    --------
    >>> import numpy as np
    >>> dose = np.array([1, 1, 2, 2, 4, 4.0])
    >>> noise = np.array([0.1, -0.1, -0.1, 0.1, 0.1, -0.1])
    >>> fit = fit_parallel_line(AssayData.from_arrays(dose, 10 + 5 * np.log(dose) + noise,
    ...                                               dose, 10 + 5 * np.log(2 * dose) + noise))
    >>> round(fit.relative_potency, 6), fit.ci_method, fit.df
    (2.0, 'Fieller', 6)
    """
    require_positive_doses(data, "parallel-line")
    n = data.dose.size
    y = data.response
    x = np.log(data.dose)
    prep = data.preparations
    n_prep = int(prep.max()) + 1
    ind = [(prep == k).astype(float) for k in range(1, n_prep)]
    one = np.ones(n)
    blocks, design, fit_mean, fit_blocks = block_models(n, data.rows, data.columns, y)
    fit_prep = ols(design(one, *ind), y)
    fit_reg = ols(design(one, *ind, x), y)
    fit_par = ols(design(one, *ind, x, *(i * x for i in ind)), y)
    fit_cell, df_err, s2 = residual_error(
        list(zip(prep.tolist(), data.dose.tolist(), strict=True)),
        blocks,
        y,
        f"assay {data.assay!r}, sample {data.sample!r}",
        " (need more than one response per dose or fewer model terms)",
    )
    rows_ss: list[AnovaRow] = []
    if blocks.size:
        nr = len(set(data.rows)) - 1 if data.rows else 0
        if data.rows:
            fit_r = ols(np.column_stack([one, block_columns(n, data.rows, ())]), y)
            rows_ss.append(
                anova_row("rows" if data.columns else "blocks", nr, fit_mean.rss - fit_r.rss, s2, df_err)
            )
            if data.columns:
                rows_ss.append(
                    anova_row("columns", fit_blocks.rank - 1 - nr, fit_r.rss - fit_blocks.rss, s2, df_err)
                )
        else:
            rows_ss.append(
                anova_row("columns", fit_blocks.rank - 1, fit_mean.rss - fit_blocks.rss, s2, df_err)
            )
    prep_row = extra_ss_row("preparations", fit_blocks, fit_prep, s2, df_err)
    reg = extra_ss_row("regression", fit_prep, fit_reg, s2, df_err)
    nonpar = extra_ss_row("non-parallelism", fit_reg, fit_par, s2, df_err)
    nonlin = extra_ss_row("non-linearity", fit_par, fit_cell, s2, df_err)
    treat = extra_ss_row("treatments", fit_blocks, fit_cell, s2, df_err)
    resid = AnovaRow("residual error", df_err, fit_cell.rss, s2, NAN, NAN)
    total = AnovaRow("total", n - 1, fit_mean.rss, NAN, NAN, NAN)
    anova = (prep_row, reg, nonpar, nonlin, treat, *rows_ss, resid, total)

    tq = t_quantile(conf_level, df_err)
    cov = s2 * fit_reg.xtx_inv
    kb = n_prep  # position of the common slope after the intercept and the preparation indicators
    theta, b = float(fit_reg.beta[1]), float(fit_reg.beta[kb])
    iv = fieller(theta, b, float(cov[1, 1]), float(cov[kb, kb]), float(cov[1, kb]), tq)
    flags: list[str] = []
    resid_reg = y - design(one, *ind, x) @ fit_reg.beta
    flags += outlier_flags(resid_reg, s2, data.dose, data.is_test)
    if math.isnan(iv.lower):
        flags.append(FIELLER_UNBOUNDED.format(g=iv.g))
    elif iv.g > 0.1:
        flags.append(FIELLER_IMPRECISE.format(g=iv.g))

    # slope ratio b_T / b_S from the separate-slopes model, for USP <1032> equivalence
    cp = s2 * fit_par.xtx_inv
    kt = kb + 1  # interaction of this test (preparation 1) with log dose
    b_s = float(fit_par.beta[kb])
    b_t = b_s + float(fit_par.beta[kt])
    var_bt = float(cp[kb, kb] + 2 * cp[kb, kt] + cp[kt, kt])
    cov_ts = float(cp[kb, kb] + cp[kb, kt])
    sr = fieller(b_t, b_s, var_bt, float(cp[kb, kb]), cov_ts, t_quantile(equivalence_level, df_err))

    params = {
        "intercept_standard": float(fit_reg.beta[0]),
        "intercept_test": float(fit_reg.beta[0] + theta),
        "slope": b,
        "slope_standard": b_s,
        "slope_test": b_t,
    }
    if not reg.p < alpha:
        flags.append(REGRESSION_NOT_SIGNIFICANT.format(p=reg.p))
    return ModelFit(
        relative_potency=math.exp(iv.ratio),
        ci_lower=math.exp(iv.lower),
        ci_upper=math.exp(iv.upper),
        ci_method="Fieller",
        df=df_err,
        s2=s2,
        parameters=params,
        tests={"non_parallelism": nonpar.p, "non_linearity": nonlin.p},
        equivalence=(EquivalenceCheck("slope_ratio", sr.ratio, sr.lower, sr.upper, NAN, NAN),),
        flags=tuple(flags),
        r_squared=1.0 - fit_par.rss / fit_mean.rss if fit_mean.rss > 0 else NAN,
        anova=anova,
        required_significant={"regression": reg.p},
    )
