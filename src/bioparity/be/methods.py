"""Bioequivalence methods, a registry keyed by ``abe``, ``ema-abel-a``, ``ema-abel-b``, ``fda-rsabe``.

* ``abe``: average BE, ANOVA on log scale with sequence, subject(sequence), period, treatment all fixed;
  ``1 - 2 alpha`` CI of the GMR within ``theta1``-``theta2`` (default 80.00-125.00%). EMA Guideline on
  the Investigation of Bioequivalence (CPMP/EWP/QWP/1401/98 Rev. 1) section 4.1.8; FDA Guidance
  "Statistical Approaches to Establishing Bioequivalence" (2001); Schuirmann 1987.
* ``ema-abel-a``: EMA ABEL, Method A (the same all-fixed ANOVA); limits expanded from CVwR of the
  reference-only ANOVA; GMR within 80.00-125.00%. EMA guideline section 4.1.10 and Q&A EMA/618604/2008
  Rev. 13 (replicateBE ``method.A``).
* ``ema-abel-b``: EMA ABEL, Method B: subject random (REML), containment df by default as replicateBE's
  default (``option=2``, nlme), or Satterthwaite df (``df_method="satterthwaite"``, replicateBE
  ``option=1``/lmerTest). EMA Q&A EMA/618604/2008 Rev. 13 (replicateBE ``method.B``).
* ``fda-rsabe``: FDA RSABE, intra-subject contrasts, Howe's upper bound, switching at swR 0.294, PE
  constraint. FDA Draft Guidance on Progesterone (2011).

Decisions follow replicateBE: the CI limits and the PE, in percent rounded to two decimals, are compared
with the (unrounded) acceptance limits in percent.

Example
-------
>>> import pandas as pd
>>> rows = [(s, p, q, q[p - 1], v) for s, q, vals in [(1, "TR", (100, 90)), (2, "RT", (95, 105)),
...         (3, "TR", (80, 85)), (4, "RT", (110, 100))] for p, v in zip((1, 2), vals)]
>>> frame = pd.DataFrame(rows, columns=["subject", "period", "sequence", "treatment", "PK"])
>>> res = evaluate_be(frame, "abe")
>>> round(res.pe, 6), res.df
(1.012454, 2)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from bioparity.arrays import BoolArray, FloatArray
from bioparity.be.anova import estimable, period_columns, within_subject_fit, within_variance
from bioparity.be.data import CrossoverData, MissingPK, crossover_data, without_subjects
from bioparity.be.limits import EMA, FDA_SWR_SWITCH, FDA_THETA_S, abel_limits, acceptance_limits
from bioparity.be.mixed import DF_METHODS, fit_random_intercept, satterthwaite_df
from bioparity.be.outliers import reference_outliers
from bioparity.be.results import BEResult
from bioparity.be.rsabe import howe_upper_bound, intra_subject_contrasts
from bioparity.errors import InputError
from bioparity.i18n.notes import note_template
from bioparity.left_out import STORED_RESULT, left_out_rows
from bioparity.power.conversions import mse_to_cv

#: The reasons of a decision (``BEResult.reasons``), one sentence per criterion.
OUTLIERS_FLAGGED = note_template(
    "{n} reference outlier(s) flagged (studentised residual outside {fence:g} x IQR fence): "
    "subject(s) {subjects}; reported only, all data used"
)
MISSING_NOT_ANALYSED = note_template("{n} missing PK value(s) not analysed: {cells}")
MISSING_NOT_ANALYSED_MORE = note_template("{n} missing PK value(s) not analysed: {cells} and {more:d} more")
#: Missing values a reason names (``BEResult.missing_cells`` holds every one).
NAMED_MISSING = 10
#: The note of the missing PK values a run stored before they were named as every analysis names the rows
#: it left out (:func:`bioparity.left_out.left_out_rows`): no longer made, kept so that the pages of those
#: runs still show it in the reader's language.
MISSING_LEFT_OUT = note_template("{n:d} missing PK value(s) not analysed: {cells} (all in missing_cells)")
MISSING_LEFT_OUT_MORE = note_template(
    "{n:d} missing PK value(s) not analysed: {cells} and {more:d} more (all in missing_cells)"
)
MISSING_CELL = note_template(
    "row {row:d} (line {line:d}) subject={subject} period={period} treatment={treatment}"
)
CI_WITHIN = note_template("{level:g}% CI {lower:.2f}-{upper:.2f}% within {low:.2f}-{high:.2f}%")
CI_NOT_WITHIN = note_template("{level:g}% CI {lower:.2f}-{upper:.2f}% not within {low:.2f}-{high:.2f}%")
ABE_MODEL = note_template(
    "average BE: ANOVA with sequence, subject(sequence), period, treatment (all fixed) on log scale"
)
CONVENTIONAL = note_template("CVwR {cv:.2f}% <= 30%: conventional limits 80.00-125.00%")
CAPPED = note_template("CVwR {cv:.2f}% > 50%: limits capped at {low:.2f}-{high:.2f}% (k = {k:.3f})")
EXPANDED = note_template("CVwR {cv:.2f}% > 30%: limits expanded to {low:.2f}-{high:.2f}% (k = {k:.3f})")
METHOD_B_SATTERTHWAITE = note_template("Method B: subject random (REML), Satterthwaite df")
METHOD_B_CONTAINMENT = note_template("Method B: subject random (REML), containment df")
METHOD_A = note_template("Method A: all effects fixed")
PE_WITHIN = note_template("point estimate {pe:.2f}% within 80.00-125.00%")
PE_NOT_WITHIN = note_template("point estimate {pe:.2f}% not within 80.00-125.00%")
WITHOUT_OUTLIERS_PASS = note_template(
    "without the flagged subjects' R data: CVwR {cv:.2f}%, limits {low:.2f}-{high:.2f}%, pass "
    "(information; the decision above uses all data)"
)
WITHOUT_OUTLIERS_FAIL = note_template(
    "without the flagged subjects' R data: CVwR {cv:.2f}%, limits {low:.2f}-{high:.2f}%, fail "
    "(information; the decision above uses all data)"
)
CONTRASTS = note_template(
    "intra-subject contrasts: {n_ilat} subjects for T-R (df {df}), {n_dlat} for R-R (df {df_rr})"
)
SCALED = note_template(
    "swR {swr:.4f} >= {switch}: reference-scaled criterion applies (implied limits {low:.2f}-{high:.2f}%)"
)
BOUND_PASS = note_template("95% upper bound of the linearised criterion {bound:.6g} <= 0")
BOUND_FAIL = note_template("95% upper bound of the linearised criterion {bound:.6g} > 0")
UNSCALED = note_template("swR {swr:.4f} < {switch}: unscaled average BE")
#: A subject of a crossover without T and R data (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8).
INCOMPLETE_SUBJECT = note_template(
    "subject {subject} not included (not counted in n): {treatment} data only, no {lacking} "
    "(EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8: a crossover subject needs evaluable T and R data)"
)


@dataclass(frozen=True)
class Settings:
    """Options shared by the methods."""

    alpha: float = 0.05
    theta1: float = 0.80
    theta2: float = 1.25
    df_method: str = "contain"
    fence: float = 2.0


@dataclass(frozen=True)
class Estimate:
    """A log-scale T - R estimate with its standard error and degrees of freedom."""

    pe: float
    se: float
    df: float

    def ci(self, alpha: float) -> tuple[float, float]:
        t = float(stats.t.ppf(1.0 - alpha, self.df))
        return float(np.exp(self.pe - t * self.se)), float(np.exp(self.pe + t * self.se))


@dataclass(frozen=True)
class BEMethod:
    """One registered method: name, one-line description and its evaluation function.

    The instances live in :data:`BE_METHODS`; :func:`evaluate_be` checks the options and calls
    ``evaluate``.

    Attributes
    ----------
    name : str
        Registry key: ``abe``, ``ema-abel-a``, ``ema-abel-b`` or ``fda-rsabe``.
    description : str
        One line for listings (``bioparity be --help``, the workspace).
    evaluate : callable
        ``evaluate(data, settings) -> BEResult``: evaluates a :class:`CrossoverData` with the checked
        options (alpha, limits, df method, outlier fence).
    """

    name: str
    description: str
    evaluate: Callable[[CrossoverData, Settings], BEResult]


def _rounded_within(value: float, lower: float, upper: float) -> bool:
    """replicateBE's rule: ``round(100 * value, 2)`` inside ``[100 * lower, 100 * upper]``."""
    v = round(100.0 * value, 2)
    return bool(100.0 * lower <= v <= 100.0 * upper)


def _fixed_effects(data: CrossoverData) -> tuple[Estimate, float]:
    """Treatment estimate of the all-fixed ANOVA (Method A) and its residual MSE."""
    n_periods = len(data.periods)
    columns = np.column_stack([period_columns(data.period, n_periods), data.is_test.astype(float)])
    if not estimable(columns, data.subject, columns.shape[1] - 1):
        raise InputError("treatment effect not estimable: no subject has both T and R observations")
    fit = within_subject_fit(data.log_pk, data.subject, columns)
    if fit.df < 1:
        raise InputError("no residual degrees of freedom left in the ANOVA")
    return Estimate(float(fit.coef[-1]), float(np.sqrt(fit.mse * fit.xtx_inv[-1, -1])), fit.df), fit.mse


def _independent(columns: list[FloatArray]) -> list[FloatArray]:
    """Keep each column that raises the rank (the last, treatment, must survive)."""
    kept: list[FloatArray] = []
    rank = 0
    for col in columns:
        trial = np.column_stack([*kept, col])
        r = int(np.linalg.matrix_rank(trial))
        if r > rank:
            kept.append(col)
            rank = r
        elif col is columns[-1]:
            raise InputError("treatment effect not estimable in the mixed model")
    return kept


def _mixed_effects(data: CrossoverData, df_method: str) -> Estimate:
    """Treatment estimate of the random-subject model (Method B)."""
    if df_method not in DF_METHODS:
        raise InputError(f"unknown df method {df_method!r}; expected one of {', '.join(DF_METHODS)}")
    n_seq = len(data.sequences)
    between = [np.ones(data.log_pk.size)] + [(data.sequence == k).astype(float) for k in range(1, n_seq)]
    within = [*period_columns(data.period, len(data.periods)).T, data.is_test.astype(float)]
    kept = _independent(between + within)
    n_within = sum(1 for c in kept if any(c is w for w in within))
    X = np.column_stack(kept)
    fit = fit_random_intercept(data.log_pk, X, data.subject, n_within)
    idx = X.shape[1] - 1
    se = float(np.sqrt(fit.cov[idx, idx]))
    if df_method == "satterthwaite":
        df = satterthwaite_df(data.log_pk, X, data.subject, fit, idx)
    else:
        df = float(fit.df_contain)
    return Estimate(float(fit.coef[idx]), se, df)


def _within_cvs(data: CrossoverData) -> tuple[float | None, float | None]:
    """EMA CVwR and CVwT (ratios) from the reference-only and test-only ANOVAs (None if not estimable)."""
    out: list[float | None] = []
    for test in (False, True):
        m = data.is_test == test
        mse, df, _ = within_variance(data.log_pk[m], data.subject[m], data.period[m], len(data.periods))
        out.append(float(mse_to_cv(mse)) if df > 0 else None)
    return out[0], out[1]


def _result(
    data: CrossoverData,
    method: str,
    s: Settings,
    est: Estimate,
    limits: tuple[float, float],
    *,
    cvwr: float | None,
    cvwt: float | None,
    scaled: bool,
    ci_pass: bool,
    pe_pass: bool,
    passed: bool,
    reasons: list[str],
    cvw: float | None = None,
    bound: float | None = None,
) -> BEResult:
    lo, hi = est.ci(s.alpha)
    r_mask = ~data.is_test
    flags = (
        reference_outliers(
            data.log_pk[r_mask],
            data.subject[r_mask],
            data.period[r_mask],
            len(data.periods),
            data.subject_ids,
            data.subject_sequence,
            data.sequences,
            s.fence,
        )
        if data.reference_replicated
        else ()
    )
    if flags:
        subjects = ", ".join(f.subject for f in flags)
        reasons = [*reasons, OUTLIERS_FLAGGED.format(n=len(flags), fence=s.fence, subjects=subjects)]
    if data.missing_values:
        reasons = [*reasons, _missing_reason(data)]
    return BEResult(
        method=method,
        n=data.n,
        design=data.design,
        pe=float(np.exp(est.pe)),
        ci_lower=lo,
        ci_upper=hi,
        cvwr=cvwr,
        cvwt=cvwt,
        lower_limit=float(limits[0]),
        upper_limit=float(limits[1]),
        df=est.df,
        passed=passed,
        reasons=tuple(reasons),
        alpha=s.alpha,
        df_method=s.df_method if method == "ema-abel-b" else "residual",
        scaled=scaled,
        ci_pass=ci_pass,
        pe_pass=pe_pass,
        criterion_upper_bound=bound,
        swr=None if cvwr is None else float(np.sqrt(np.log1p(cvwr**2))),
        swt=None if cvwt is None else float(np.sqrt(np.log1p(cvwt**2))),
        cvw=cvw,
        n_tr=data.n_tr,
        n_tt=data.n_tt if data.test_replicated else None,
        n_rr=data.n_rr,
        subjects_per_sequence=data.subjects_per_sequence,
        missing_per_sequence=data.missing_per_sequence,
        missing_per_period=data.missing_per_period,
        missing_values=data.missing_values,
        subjects_without_data=data.subjects_without_data,
        outliers=flags,
        missing_cells=data.missing_cells,
    )


def _missing_reason(data: CrossoverData) -> str:
    """The reason naming the missing PK values by subject, period and treatment (the first
    :data:`NAMED_MISSING`; every one, with its file row and line, in ``BEResult.missing_cells``)."""
    cells = ", ".join(
        f"subject {c.subject} period {c.period} ({c.treatment})" for c in data.missing_cells[:NAMED_MISSING]
    )
    more = data.missing_values - min(len(data.missing_cells), NAMED_MISSING)
    if more > 0:
        return MISSING_NOT_ANALYSED_MORE.format(n=data.missing_values, cells=cells, more=more)
    return MISSING_NOT_ANALYSED.format(n=data.missing_values, cells=cells)


def missing_note(cells: Sequence[MissingPK]) -> str | None:
    """The note naming the missing PK values a run left out (the ``be`` kind's ``notes``): how many, the first
    :data:`~bioparity.left_out.SHOWN_LEFT_OUT` by data row, file line, subject, period and treatment, and
    how many more (:func:`~bioparity.left_out.left_out_rows`, as ``bioparity be`` names them); None when
    none is missing.

    Examples
    --------
    >>> missing_note([MissingPK(3, 4, "7", "2", "R")])
    '1 row left out: row 3 (line 4) subject=7 period=2 treatment=R (all in the stored result)'
    """
    if not cells:
        return None
    return left_out_rows((asdict(cell) for cell in cells), len(cells), STORED_RESULT)


def _ci_reason(est: Estimate, s: Settings, limits: tuple[float, float], ok: bool) -> str:
    lo, hi = est.ci(s.alpha)
    return (CI_WITHIN if ok else CI_NOT_WITHIN).format(
        level=100 * (1 - 2 * s.alpha),
        lower=100 * lo,
        upper=100 * hi,
        low=100 * limits[0],
        high=100 * limits[1],
    )


def incomplete_subjects(data: CrossoverData) -> tuple[BoolArray, tuple[str, ...]]:
    """For a plain crossover (no treatment replicated, e.g. 2x2): the subjects without both T and R data,
    as a mask over the subjects, and one note each naming the subject and what it lacks (none for a
    replicate design).

    Such a subject carries no T-R contrast: in the all-fixed model its own effect absorbs its one value, so
    the estimates, residual df and CVw are those without it. It is not included, as EMA
    CPMP/EWP/QWP/1401/98 Rev. 1 (2010), 4.1.8 (subject accountability) asks: subjects in a crossover trial
    who do not provide evaluable data for both the test and the reference product should not be included
    (FDA, Statistical Approaches to Establishing Bioequivalence, 2001, likewise analyses the subjects with
    both). In a replicate design such a subject still adds to the period effects and the within-subject
    variances, and EMA Methods A/B and FDA RSABE use all data (EMA/618604/2008 Rev. 13; replicateBE), so
    nothing is left out there.
    """
    if data.test_replicated or data.reference_replicated:
        return np.zeros(data.n, dtype=bool), ()
    n_t = np.bincount(data.subject, weights=data.is_test, minlength=data.n)
    n_r = np.bincount(data.subject, weights=~data.is_test, minlength=data.n)
    left_out = (n_t == 0) | (n_r == 0)
    notes = tuple(
        INCOMPLETE_SUBJECT.format(
            subject=data.subject_ids[i],
            treatment="R" if n_t[i] == 0 else "T",
            lacking="T" if n_t[i] == 0 else "R",
        )
        for i in np.flatnonzero(left_out)
    )
    return left_out, notes


def left_out_subjects(data: CrossoverData, method: str) -> tuple[str, ...]:
    """The notes of the subjects ``method`` does not include (:func:`incomplete_subjects`): only ``abe``
    leaves out a plain crossover's subjects without T and R; the replicate methods use all data.

    Examples
    --------
    >>> import pandas as pd
    >>> from bioparity.be.data import REQUIRED_COLUMNS
    >>> rows = [(1, 1, "TR", "T", 100), (1, 2, "TR", "R", 90), (2, 1, "RT", "R", 95), (3, 2, "RT", "T", 85)]
    >>> notes = left_out_subjects(crossover_data(pd.DataFrame(rows, columns=list(REQUIRED_COLUMNS))), "abe")
    >>> len(notes), notes[1][:54]
    (2, 'subject 3 not included (not counted in n): T data only')
    """
    return incomplete_subjects(data)[1] if method == "abe" else ()


def _abe(data: CrossoverData, s: Settings) -> BEResult:
    mask, left_out = incomplete_subjects(data)
    if left_out:  # a plain crossover's subjects without T and R: not included, named (EMA 4.1.8)
        data = without_subjects(data, mask)
    est, mse = _fixed_effects(data)
    limits = (s.theta1, s.theta2)
    lo, hi = est.ci(s.alpha)
    ok = _rounded_within(lo, *limits) and _rounded_within(hi, *limits)
    cvwr, cvwt = _within_cvs(data) if data.reference_replicated else (None, None)
    reasons = [
        ABE_MODEL,
        _ci_reason(est, s, limits, ok),
        *left_out,
    ]
    return _result(
        data,
        "abe",
        s,
        est,
        limits,
        cvwr=cvwr,
        cvwt=cvwt,
        scaled=False,
        ci_pass=ok,
        pe_pass=True,
        passed=ok,
        reasons=reasons,
        cvw=float(mse_to_cv(mse)),
    )


def _abel(data: CrossoverData, s: Settings, method_b: bool) -> BEResult:
    if not data.reference_replicated:
        raise InputError(
            f"EMA ABEL needs a replicate design with R at least twice; design {data.design} is not"
        )
    cvwr, cvwt = _within_cvs(data)
    if cvwr is None:
        raise InputError("CVwR not estimable: no subject has two R observations")
    low, up = abel_limits(cvwr, EMA)
    limits = (float(low), float(up))
    est = _mixed_effects(data, s.df_method) if method_b else _fixed_effects(data)[0]
    lo, hi = est.ci(s.alpha)
    ci_ok = _rounded_within(lo, *limits) and _rounded_within(hi, *limits)
    pe_ok = _rounded_within(float(np.exp(est.pe)), EMA.pe_lower, EMA.pe_upper)
    scaled = cvwr > EMA.cv_switch
    if not scaled:
        first = CONVENTIONAL.format(cv=100 * cvwr)
    else:
        rule = CAPPED if cvwr > EMA.cv_cap else EXPANDED
        first = rule.format(cv=100 * cvwr, low=100 * limits[0], high=100 * limits[1], k=EMA.k)
    model = (
        (METHOD_B_SATTERTHWAITE if s.df_method == "satterthwaite" else METHOD_B_CONTAINMENT)
        if method_b
        else METHOD_A
    )
    reasons = [
        model,
        first,
        _ci_reason(est, s, limits, ci_ok),
        (PE_WITHIN if pe_ok else PE_NOT_WITHIN).format(pe=100 * np.exp(est.pe)),
    ]
    res = _result(
        data,
        "ema-abel-b" if method_b else "ema-abel-a",
        s,
        est,
        limits,
        cvwr=cvwr,
        cvwt=cvwt,
        scaled=bool(scaled),
        ci_pass=ci_ok,
        pe_pass=pe_ok,
        passed=ci_ok and pe_ok,
        reasons=reasons,
    )
    return _without_outliers(data, res, lo, hi, pe_ok) if res.outliers else res


def _without_outliers(data: CrossoverData, res: BEResult, lo: float, hi: float, pe_ok: bool) -> BEResult:
    """Add CVwR, limits and decision recalculated without the flagged subjects' reference data."""
    flagged = {f.subject for f in res.outliers}
    keep_subject = np.array([sid not in flagged for sid in data.subject_ids])
    m = ~data.is_test & keep_subject[data.subject]
    mse, df, _ = within_variance(data.log_pk[m], data.subject[m], data.period[m], len(data.periods))
    if df <= 0:
        return res
    cv = float(mse_to_cv(mse))
    low, up = (float(v) for v in abel_limits(cv, EMA))
    ok = _rounded_within(lo, low, up) and _rounded_within(hi, low, up) and pe_ok
    reason = (WITHOUT_OUTLIERS_PASS if ok else WITHOUT_OUTLIERS_FAIL).format(
        cv=100 * cv, low=100 * low, high=100 * up
    )
    return replace(
        res,
        cvwr_without_outliers=cv,
        lower_limit_without_outliers=low,
        upper_limit_without_outliers=up,
        passed_without_outliers=ok,
        reasons=(*res.reasons, reason),
    )


def _fda_rsabe(data: CrossoverData, s: Settings) -> BEResult:
    c = intra_subject_contrasts(data)
    est = Estimate(c.pe, c.se, c.df)
    swr = float(np.sqrt(c.s2wr))
    cvwr = float(mse_to_cv(c.s2wr))
    cvwt = None if c.s2wt is None else float(mse_to_cv(c.s2wt))
    pe_ok = _rounded_within(float(np.exp(c.pe)), 0.80, 1.25)
    lo, hi = est.ci(s.alpha)
    scaled = swr >= FDA_SWR_SWITCH
    bound: float | None = None
    head = CONTRASTS.format(n_ilat=c.n_ilat, df=c.df, n_dlat=c.n_dlat, df_rr=c.df_rr)
    if scaled:
        bound = howe_upper_bound(c.pe, c.se, c.df, c.s2wr, c.df_rr, FDA_THETA_S, 0.05)
        ci_ok = bound <= 0.0
        limits = (float(np.exp(-FDA_THETA_S * swr)), float(np.exp(FDA_THETA_S * swr)))
        reasons = [
            head,
            SCALED.format(swr=swr, switch=FDA_SWR_SWITCH, low=100 * limits[0], high=100 * limits[1]),
            (BOUND_PASS if ci_ok else BOUND_FAIL).format(bound=bound),
        ]
    else:
        limits = (0.80, 1.25)
        ci_ok = _rounded_within(lo, *limits) and _rounded_within(hi, *limits)
        reasons = [
            head,
            UNSCALED.format(swr=swr, switch=FDA_SWR_SWITCH),
            _ci_reason(est, s, limits, ci_ok),
        ]
    reasons.append((PE_WITHIN if pe_ok else PE_NOT_WITHIN).format(pe=100 * np.exp(c.pe)))
    return _result(
        data,
        "fda-rsabe",
        s,
        est,
        limits,
        cvwr=cvwr,
        cvwt=cvwt,
        scaled=scaled,
        ci_pass=ci_ok,
        pe_pass=pe_ok,
        passed=ci_ok and pe_ok,
        reasons=reasons,
        bound=bound,
    )


BE_METHODS: dict[str, BEMethod] = {
    m.name: m
    for m in (
        BEMethod("abe", "average BE, all-fixed ANOVA, 80.00-125.00% (or user limits)", _abe),
        BEMethod("ema-abel-a", "EMA ABEL, Method A (all effects fixed)", lambda d, s: _abel(d, s, False)),
        BEMethod("ema-abel-b", "EMA ABEL, Method B (subject random)", lambda d, s: _abel(d, s, True)),
        BEMethod("fda-rsabe", "FDA RSABE, Howe's linearised criterion", _fda_rsabe),
    )
}


def evaluate_be(
    data: CrossoverData | pd.DataFrame,
    method: str = "abe",
    *,
    alpha: float = 0.05,
    theta1: float = 0.80,
    theta2: float | None = None,
    df_method: str = "contain",
    fence: float = 2.0,
) -> BEResult:
    """Evaluate bioequivalence with a registered method (see :data:`BE_METHODS`).

    ``data`` is a :class:`CrossoverData` or a long frame with ``subject, period, sequence, treatment, PK``.
    ``theta1``/``theta2`` apply to ``abe`` only (``theta2`` defaults to ``1/theta1``); ``df_method`` to
    ``ema-abel-b`` only; ``fence`` is the outlier box-plot fence (x IQR).

    Parameters
    ----------
    data : CrossoverData or pandas.DataFrame
        The study: checked data, or a long table (one row per subject and period).
    method : str, default "abe"
        ``abe`` (average BE), ``ema-abel-a``, ``ema-abel-b`` (EMA ABEL, replicateBE ``method.A`` /
        ``method.B``) or ``fda-rsabe`` (FDA RSABE, progesterone draft guidance).
    alpha : float, default 0.05
        One-sided level of each test (0.05 gives the 90% CI).
    theta1, theta2 : float
        BE limits (ratios) of ``abe``; ``theta2`` defaults to ``1/theta1``.
    df_method : str, default "contain"
        Degrees of freedom of ``ema-abel-b``: ``contain`` (replicateBE's default) or ``satterthwaite``.
    fence : float, default 2.0
        Box-plot fence (in IQRs) of the studentised residuals for the outlier flags (flags only).

    Returns
    -------
    BEResult
        Point estimate and CI (ratios), limits, CVs (fractions), decision with its reasons, outlier flags.

    Raises
    ------
    InputError
        For an unknown method or limits/alpha out of range.
    DataFileError
        For a table that is not a valid crossover (named row and column).

    References
    ----------
    EMA, Guideline on the investigation of bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1 (2010), section 4.1.10;
    EMA, Questions & Answers: positions on specific questions addressed to the PK working party,
    EMA/618604/2008 Rev. 13 (Methods A and B); FDA, Draft guidance on progesterone (2011, RSABE).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"subject": [1, 1, 2, 2, 3, 3, 4, 4], "period": [1, 2] * 4,
    ...                       "sequence": ["TR", "TR", "RT", "RT"] * 2, "treatment": list("TRRTTRRT"),
    ...                       "PK": [100, 90, 95, 105, 80, 85, 110, 100]})
    >>> r = evaluate_be(frame, "abe")
    >>> round(r.pe, 4), round(r.ci_lower, 4), round(r.ci_upper, 4), r.passed
    (1.0125, 0.8396, 1.2208, True)
    """
    if method not in BE_METHODS:
        raise InputError(f"unknown BE method {method!r}; expected one of {', '.join(BE_METHODS)}")
    if not 0 < alpha < 0.5:
        raise InputError(f"alpha must be in (0, 0.5); got {alpha}")
    theta1, t2 = acceptance_limits(theta1, theta2)
    cd = data if isinstance(data, CrossoverData) else crossover_data(data)
    settings = Settings(alpha=alpha, theta1=theta1, theta2=t2, df_method=df_method, fence=fence)
    return BE_METHODS[method].evaluate(cd, settings)
