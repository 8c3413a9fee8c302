"""Parallel-group PK similarity: pairwise geometric mean ratios with ``1 - 2 alpha`` CIs, any number of arms.

For a biosimilar mAb the PK study is usually parallel with three arms (candidate, EU-sourced and US-sourced
reference) and three comparisons: test vs EU-ref, test vs US-ref, EU-ref vs US-ref (EMA Guideline on similar
biological medicinal products containing monoclonal antibodies, EMA/CHMP/BMWP/403543/2010, section on
pharmacokinetic studies; FDA Guidance "Clinical Pharmacology Data to Support a Demonstration of Biosimilarity
to a Reference Product", 2016). Arms are given in order; every pair ``(arms[i], arms[j])``, ``i < j``, is
compared as ``arms[i] / arms[j]``, so ``test, eu-ref, us-ref`` yields exactly those three.

Variance models (stated in every result):

* ``welch`` (default): arm-specific variances, because equal variances should not be assumed in a
  parallel design (FDA Guidance for Industry "Statistical Approaches to Establishing Bioequivalence",
  2001, section VI.C). Without covariates each pair is Welch's unequal-variance interval with the
  Welch-Satterthwaite df (Welch 1947; Satterthwaite 1946). With covariates (ANCOVA, e.g. body weight)
  the model is generalised least squares with one residual variance per arm, estimated by REML
  (the model of SAS PROC MIXED ``REPEATED / GROUP=arm`` and of R ``nlme::gls(weights = varIdent(~1|arm))``,
  Pinheiro & Bates 2000 section 5.2.1), and each contrast has Satterthwaite df from the observed REML
  information (Giesbrecht & Burns 1985); without covariates this is exactly Welch.
* ``pooled``: one linear model on log values with an arm factor (plus optional covariates, i.e. ANCOVA),
  fitted to all arms; pairwise contrasts of the arm effects with the residual variance pooled over all
  arms, ``df = N - k - q``. Without covariates and with two arms this is the classical pooled two-sample
  interval (PowerTOST convention). Kept as an explicit option (the default before issue 27).

Example
-------
>>> import numpy as np
>>> arm = np.array(["T"] * 3 + ["R"] * 3)
>>> res = pk_similarity(np.array([100., 110, 90, 95, 105, 100]), arm, ["T", "R"], metric="CMAX")
>>> round(res[0].gmr, 5)
0.99749
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from bioparity._results import ResultMixin, percent, share_percent, software_version, verdict
from bioparity.arrays import FloatArray, StrArray
from bioparity.be.limits import acceptance_limits
from bioparity.errors import DataFileError, InputError, refuse_first_row
from bioparity.i18n.notes import note_template
from bioparity.power.acceptance import VARIANCE_MODELS as VARIANCE_MODELS
from bioparity.power.acceptance import arm_comparison_settings
from bioparity.problems import (
    A_PK_VALUE_NOT_NEGATIVE,
    ADA_STATUS_NOT_BINARY,
    AN_ADA_STATUS,
    ARMS_NOT_IN_DATA,
    ENOUGH_PER_ARM,
    NEGATIVE_PK_VALUE,
    ONE_OF,
    TOO_FEW_ANALYSED,
)

#: Analysis populations: subjects with every metric (default) or, per metric, every subject with a value.
POPULATIONS: tuple[str, ...] = ("completers", "available")
#: Subjects with extrapolated AUC above the limit: kept and counted (EMA, default) or excluded from AUCIFO.
AUCPEXT_RULES: tuple[str, ...] = ("keep", "exclude")
#: PK metrics compared by default (CDISC PPTESTCD): AUC0-inf, AUC0-last, Cmax.
DEFAULT_METRICS: tuple[str, ...] = ("AUCIFO", "AUCLST", "CMAX")


@dataclass(frozen=True, repr=False)
class PairwiseComparison(ResultMixin):
    """One pairwise comparison of one PK metric; ratio, CI, limits and CVs as fractions (0.9658).

    ``alpha`` is the one-sided level of each of the two one-sided tests; the CI is two-sided at
    ``conf_level = 1 - 2 alpha``. :meth:`to_record` is the row of the output table (percent, ``pass``).
    """

    #: Fractions shown in percent by :meth:`to_record`.
    PERCENT_FIELDS: ClassVar[tuple[str, ...]] = (
        "gmr", "ci_lower", "ci_upper", "cv_test", "cv_reference", "cv_pooled", "lower_limit", "upper_limit",
    )  # fmt: skip
    SETTINGS = ("variance", "covariates", "alpha", "lower_limit", "upper_limit")

    metric: str
    test_arm: str
    reference_arm: str
    n_test: int
    n_reference: int
    gmr: float
    ci_lower: float
    ci_upper: float
    df: float
    variance: str
    covariates: tuple[str, ...]
    cv_test: float
    cv_reference: float
    cv_pooled: float | None
    lower_limit: float
    upper_limit: float
    passed: bool
    alpha: float
    software_version: str

    @property
    def conf_level(self) -> float:
        """Two-sided level of the interval, ``1 - 2 alpha`` (0.90 for alpha 0.05)."""
        return round(1.0 - 2.0 * self.alpha, 12)

    def to_record(self) -> dict[str, Any]:
        """The output-table row: ratios, CVs and limits in percent; ``pass`` for ``passed``, covariates
        joined by ``+``, ``ci_level`` (the two-sided level) added."""
        raw = self.plain_dict()
        for name in self.PERCENT_FIELDS:
            raw[name] = None if raw[name] is None else 100.0 * raw[name]
        raw["ci_level"] = self.conf_level
        raw["pass"] = raw.pop("passed")
        raw["covariates"] = "+".join(self.covariates)
        return raw

    def to_frame(self) -> pd.DataFrame:
        """:meth:`to_record` as a one-row table (percent)."""
        return pd.DataFrame([self.to_record()])

    def summary(self) -> str:
        return (
            f"PK similarity {self.metric}, {self.test_arm} vs {self.reference_arm} (n {self.n_test}/"
            f"{self.n_reference}, {self.variance}): {verdict(self.passed)}\n"
            f"GMR {percent(self.gmr)}, {100 * self.conf_level:g}% CI {percent(self.ci_lower)} to "
            f"{percent(self.ci_upper)}; limits {percent(self.lower_limit)} to {percent(self.upper_limit)}"
        )


def _cv(log_values: FloatArray) -> float:
    """Geometric CV (fraction) of one arm: ``sqrt(exp(s^2) - 1)``."""
    if log_values.size < 2:
        return float("nan")
    return float(np.sqrt(np.expm1(np.var(log_values, ddof=1))))


def pk_similarity(
    values: npt.ArrayLike,
    arm: npt.ArrayLike,
    arms: Sequence[str],
    *,
    metric: str = "",
    covariates: npt.ArrayLike | None = None,
    covariate_names: Sequence[str] = (),
    variance: str = "welch",
    alpha: float = 0.05,
    theta1: float = 0.80,
    theta2: float | None = None,
) -> tuple[PairwiseComparison, ...]:
    """All pairwise comparisons ``arms[i] / arms[j]`` (``i < j``) of one PK metric.

    ``values`` (positive, one per subject) and ``arm`` (labels) are aligned; NaN values must be removed
    by the caller (and reported there). Subjects of arms not listed are ignored by ``welch`` but
    contribute to the pooled variance only if listed. ``covariates`` is ``N x q`` (ANCOVA; with ``welch``
    fitted by GLS with one variance per arm).
    """
    y = np.asarray(values, dtype=float)
    labels = np.asarray(arm, dtype=object).astype(str)
    arm_list, theta1, t2 = arm_comparison_settings(arms, variance, alpha, theta1, theta2)
    if y.shape != labels.shape:
        raise InputError("values and arm labels must have the same length")
    if np.any(~np.isfinite(y)) or np.any(y <= 0):
        raise InputError(f"{metric or 'PK'} values must be positive and finite (analysed on the log scale)")
    keep = np.isin(labels, arm_list)
    y, labels = np.log(y[keep]), labels[keep]
    cov = None
    if covariates is not None:
        cov = np.asarray(covariates, dtype=float).reshape(keep.size, -1)[keep]
        if not np.all(np.isfinite(cov)):
            raise InputError("covariate values must be finite numbers for every analysed subject")
    counts = {a: int((labels == a).sum()) for a in arm_list}
    empty = [a for a, c in counts.items() if c == 0]
    if empty:
        raise InputError(
            f"arm(s) {', '.join(empty)} have no {metric or 'PK'} values; arms found: "
            f"{', '.join(sorted(set(labels.tolist())))}"
        )
    names = tuple(covariate_names) if cov is not None else ()
    if variance == "pooled":
        estimates = _pooled(y, labels, arm_list, cov)
    elif cov is None:
        estimates = _welch(y, labels, arm_list)
    else:
        estimates = _gls_by_arm(y, labels, arm_list, cov)
    out = []
    for (a, b), (diff, se, df, cv_pooled) in estimates.items():
        t = float(stats.t.ppf(1.0 - alpha, df))
        lo, hi = float(np.exp(diff - t * se)), float(np.exp(diff + t * se))
        ok = bool(100 * theta1 <= round(100 * lo, 2) and round(100 * hi, 2) <= 100 * t2)
        out.append(
            PairwiseComparison(
                metric=metric,
                test_arm=a,
                reference_arm=b,
                n_test=counts[a],
                n_reference=counts[b],
                gmr=float(np.exp(diff)),
                ci_lower=lo,
                ci_upper=hi,
                df=float(df),
                variance=variance,
                covariates=names,
                cv_test=_cv(y[labels == a]),
                cv_reference=_cv(y[labels == b]),
                cv_pooled=cv_pooled,
                lower_limit=float(theta1),
                upper_limit=float(t2),
                passed=ok,
                alpha=alpha,
                software_version=software_version(),
            )
        )
    return tuple(out)


Estimates = dict[tuple[str, str], tuple[float, float, float, float | None]]


def _pairs(arms: list[str]) -> list[tuple[int, int]]:
    return [(i, j) for i in range(len(arms)) for j in range(i + 1, len(arms))]


def _pooled(y: FloatArray, labels: StrArray, arms: list[str], cov: FloatArray | None) -> Estimates:
    """Cell-means (ANCOVA) model: one column per arm plus centred covariates; pairwise contrasts."""
    dummies = (labels[:, None] == np.asarray(arms)[None, :]).astype(float)
    X = dummies if cov is None else np.column_stack([dummies, cov - cov.mean(axis=0)])
    rank = int(np.linalg.matrix_rank(X))
    if rank < X.shape[1]:
        raise InputError("covariates are collinear with the arms (or constant); the ANCOVA is not estimable")
    df = y.size - rank
    if df < 1:
        raise InputError("no residual degrees of freedom: need more than one subject per arm")
    xtx_inv = np.linalg.inv(X.T @ X)
    beta = xtx_inv @ (X.T @ y)
    resid = y - X @ beta
    mse = float(resid @ resid) / df
    cv_pooled = float(np.sqrt(np.expm1(mse)))
    out: Estimates = {}
    for i, j in _pairs(arms):
        c = np.zeros(X.shape[1])
        c[i], c[j] = 1.0, -1.0
        out[(arms[i], arms[j])] = (
            float(c @ beta),
            float(np.sqrt(mse * c @ xtx_inv @ c)),
            float(df),
            cv_pooled,
        )
    return out


def _welch(y: FloatArray, labels: StrArray, arms: list[str]) -> Estimates:
    """Welch's interval per pair; df by Welch-Satterthwaite."""
    out: Estimates = {}
    for i, j in _pairs(arms):
        a, b = y[labels == arms[i]], y[labels == arms[j]]
        if a.size < 2 or b.size < 2:
            raise InputError(
                f"Welch's interval needs at least 2 subjects per arm ({arms[i]}: {a.size}, "
                f"{arms[j]}: {b.size})"
            )
        va, vb = np.var(a, ddof=1) / a.size, np.var(b, ddof=1) / b.size
        se2 = va + vb
        df = se2**2 / (va**2 / (a.size - 1) + vb**2 / (b.size - 1))
        out[(arms[i], arms[j])] = (float(a.mean() - b.mean()), float(np.sqrt(se2)), float(df), None)
    return out


def _gls_by_arm(y: FloatArray, labels: StrArray, arms: list[str], cov: FloatArray) -> Estimates:
    """ANCOVA with one residual variance per arm: REML by fixed-point iteration, Satterthwaite df.

    With ``W = diag(1 / sigma_a^2)``: ``beta = (X'WX)^-1 X'Wy``; the REML score equations give
    ``sigma_a^2 = sum_{i in a} r_i^2 / (n_a - sum_{i in a} h_ii)``, ``h_ii = x_i'(X'WX)^-1 x_i / sigma_a^2``
    (Harville 1977), iterated to convergence. For a contrast ``c``, ``V = c'(X'WX)^-1 c``,
    ``g_a = dV/dsigma_a^2`` and the observed REML information
    ``I_ab = y'P D_a P D_b P y - tr(P D_a P D_b) / 2`` (``P = W - WX(X'WX)^-1X'W``, ``D_a`` the indicator of
    arm ``a``) give ``df = 2 V^2 / (g' I^-1 g)`` (Satterthwaite 1946; Giesbrecht & Burns 1985; the
    df of R ``emmeans(gls_fit, mode = "satterthwaite")``). Without covariates this is Welch's df.
    """
    dummies = (labels[:, None] == np.asarray(arms)[None, :]).astype(float)
    X = np.column_stack([dummies, cov - cov.mean(axis=0)])
    if int(np.linalg.matrix_rank(X)) < X.shape[1]:
        raise InputError("covariates are collinear with the arms (or constant); the ANCOVA is not estimable")
    group = dummies.argmax(axis=1)
    n_a = dummies.sum(axis=0)
    if np.any(n_a < 2) or y.size - X.shape[1] < len(arms):
        raise InputError(
            "the unequal-variance ANCOVA needs at least 2 subjects per arm and more subjects than "
            "arms + covariates + arms; use fewer covariates or variance 'pooled'"
        )
    sigma2 = np.array([np.var(y[group == a], ddof=1) for a in range(len(arms))])
    sigma2 = np.where(sigma2 > 0, sigma2, 1e-12)
    for _ in range(500):
        w = 1.0 / sigma2[group]
        xtwx_inv = np.linalg.inv(X.T @ (w[:, None] * X))
        beta = xtwx_inv @ (X.T @ (w * y))
        resid = y - X @ beta
        h = np.einsum("ij,jk,ik->i", X, xtwx_inv, X) * w
        rss = np.bincount(group, resid**2, len(arms))
        lev = np.bincount(group, h, len(arms))
        new = rss / (n_a - lev)
        if np.any(~np.isfinite(new)) or np.any(new <= 0):
            raise InputError("the unequal-variance ANCOVA did not converge (an arm has no residual spread)")
        done = bool(np.max(np.abs(new / sigma2 - 1.0)) < 1e-12)
        sigma2 = new
        if done:
            break
    else:
        raise InputError("the unequal-variance ANCOVA did not converge in 500 iterations")
    w = 1.0 / sigma2[group]
    xtwx_inv = np.linalg.inv(X.T @ (w[:, None] * X))
    beta = xtwx_inv @ (X.T @ (w * y))
    wx = w[:, None] * X
    proj = np.diag(w) - wx @ xtwx_inv @ wx.T
    py = w * (y - X @ beta)  # P y
    info = np.empty((len(arms), len(arms)))
    for a in range(len(arms)):
        for b in range(len(arms)):
            ia, ib = group == a, group == b
            block = proj[np.ix_(ia, ib)]
            info[a, b] = float(py[ia] @ block @ py[ib]) - 0.5 * float(np.sum(block * block))
    info_inv = np.linalg.inv(info)
    out: Estimates = {}
    for i, j in _pairs(arms):
        c = np.zeros(X.shape[1])
        c[i], c[j] = 1.0, -1.0
        v = float(c @ xtwx_inv @ c)
        u = xtwx_inv @ c
        g = np.array([float(np.sum((X[group == a] @ u) ** 2)) / sigma2[a] ** 2 for a in range(len(arms))])
        df = 2.0 * v**2 / float(g @ info_inv @ g)
        out[(arms[i], arms[j])] = (float(c @ beta), float(np.sqrt(v)), df, None)
    return out


# The notes of a PK similarity table (templates: see bioparity.i18n.notes).
NOT_A_COMPLETER = note_template("{metric}: not analysed (not a completer): {counts}")
MISSING_VALUE = note_template("{metric}: not analysed (missing value): {counts}")
AUCEXT_KEPT = note_template(
    "AUCIFO: {n:d} of {total:d} subjects ({share}) have %AUCext > {limit:g}% (kept and counted)"
)
AUCEXT_EXCLUDED = note_template(
    "AUCIFO: {n:d} of {total:d} subjects ({share}) have %AUCext > {limit:g}% (excluded from AUCIFO)"
)
AUCEXT_DISCUSS = note_template(
    "{note}; more than 20% of observations affected: discuss (EMA BE guideline 4.1.8)"
)
ZERO_NOT_ANALYSED = note_template(
    "{metric}: value 0 not analysed (no logarithm; EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8: a subject "
    "without measurable concentrations may be left out, and must be reported): {subjects}"
)
AUCEXT_EXCLUDED_SUBJECTS = note_template(
    "AUCIFO: %AUCext > {limit:g}%, left out of AUCIFO only (AUC0-t and Cmax analysed): {subjects}"
)
#: Who the %AUCext count of ``keep`` is (subject accountability, EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8).
AUCEXT_KEPT_SUBJECTS = note_template("AUCIFO: %AUCext > {limit:g}%, kept in AUCIFO: {subjects}")
AUCEXT_KEPT_SUBJECTS_MORE = note_template(
    "AUCIFO: %AUCext > {limit:g}%, kept in AUCIFO: {subjects} and {more:d} more"
)
SUBJECTS_NOT_ANALYSED = note_template("{metric}: subjects not analysed: {subjects}")
SUBJECTS_NOT_ANALYSED_MORE = note_template("{metric}: subjects not analysed: {subjects} and {more:d} more")
#: Subjects a note names one by one (the rest counted).
NAMED_SUBJECTS = 20
AUCEXT_NOT_CHECKED = note_template("AUCIFO: no {column} column, %AUCext > {limit:g}% not checked")
SUBGROUP_TOO_SMALL = note_template(
    "{metric}: {subgroup} subgroup has fewer than 2 subjects in an arm; not analysed"
)


def pk_similarity_table(
    frame: pd.DataFrame,
    arm_column: str,
    arms: Sequence[str],
    metrics: Sequence[str] = DEFAULT_METRICS,
    *,
    covariates: Sequence[str] = (),
    variance: str = "welch",
    alpha: float = 0.05,
    theta1: float = 0.80,
    theta2: float | None = None,
    population: str = "completers",
    extrapolation_column: str | None = "AUCPEO",
    aucpext_rule: str = "keep",
    max_aucpext: float = 20.0,
    ada_column: str | None = None,
    file: str | None = None,
    subject_column: str | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """:func:`pk_similarity` for every metric of a one-row-per-subject frame, as one table.

    Analysis population (``population``, the same rule as the planning simulator
    :class:`bioparity.simulate.PKSimilarityDesign`): ``completers`` (default) analyses the subjects with a
    value of every requested metric (and covariate); ``available`` analyses, per metric, every subject with
    that value (the behaviour before issue 27). Left-out subjects are counted per arm in
    ``n_missing_test`` / ``n_missing_reference`` and the notes say so in words.

    Extrapolated AUC (``extrapolation_column``, percent, e.g. CDISC ``AUCPEO``, used when present): with
    ``aucpext_rule="keep"`` (default) subjects with more than ``max_aucpext`` % are kept in AUCIFO and
    counted (``n_aucpext_over_test`` / ``_reference``), and a note asks for a discussion when more than 20 %
    of the observations are affected (EMA Guideline on the investigation of bioequivalence,
    CPMP/EWP/QWP/1401/98 Rev. 1, 2010, section 4.1.8); ``exclude`` leaves them out of AUCIFO only, named
    in a note: their AUC0-t and Cmax do not rest on the extrapolation and stay in the analysis, also of
    the completers (as PKNCA's ``exclude_nca_max.aucinf.pext`` excludes the AUCinf parameters only). The
    counts ``n_aucpext_over_*`` are of the subjects above the limit in the population, kept or left out.

    ADA sensitivity (``ada_column``: 1 = ADA-positive, 0 = negative per subject): the comparisons are
    repeated within each ADA subgroup (rows with ``subgroup`` ``ADA-negative`` / ``ADA-positive``; the main
    analysis is ``all``), as reported in published three-arm PK similarity studies. Arms not present in the
    data are an error naming the column.

    Values on the log scale: a negative value of a listed arm is an error naming the file, the column and the
    subject (``subject_column``; else the data row); a value of 0 (no measurable exposure) is left out of that
    metric and named, subject by subject, in the notes (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 2010, section
    4.1.8, reasons for exclusion: such a subject may be excluded, and the exclusion is reported).
    """
    acceptance_limits(theta1, theta2)
    if population not in POPULATIONS:
        raise InputError(f"unknown population {population!r}; expected one of {', '.join(POPULATIONS)}")
    if aucpext_rule not in AUCPEXT_RULES:
        raise InputError(f"unknown %AUCext rule {aucpext_rule!r}; expected one of {', '.join(AUCPEXT_RULES)}")
    if not 0 < max_aucpext <= 100:
        raise InputError(f"max %AUCext = {max_aucpext}; expected a percentage in (0, 100]")
    labels = frame[arm_column].astype(str).str.strip().to_numpy()
    unknown = sorted(set(arms) - set(labels.tolist()))
    if unknown:
        raise DataFileError(
            ARMS_NOT_IN_DATA.format(arms=", ".join(unknown)),
            file=file,
            column=arm_column,
            expected=ONE_OF.format(choices=", ".join(sorted(set(labels.tolist())))),
        )
    ada = None
    if ada_column is not None:
        ada = pd.to_numeric(frame[ada_column], errors="coerce").to_numpy(dtype=float)
        refuse_first_row(
            ~np.isin(ada, [0.0, 1.0]) & np.isin(labels, list(arms)),
            ADA_STATUS_NOT_BINARY,
            ada_column,
            [str(value) for value in frame[ada_column]],
            AN_ADA_STATUS,
            file=file,
        )
    pext = None
    if extrapolation_column is not None and extrapolation_column in frame.columns and "AUCIFO" in metrics:
        pext = pd.to_numeric(frame[extrapolation_column], errors="coerce").to_numpy(dtype=float)
    cov = frame[list(covariates)].to_numpy(dtype=float) if covariates else None
    in_arms = np.isin(labels, list(arms))
    base = in_arms if cov is None else in_arms & np.all(np.isfinite(cov), axis=1)
    values = {m: frame[m].to_numpy(dtype=float) for m in metrics}
    who = frame[subject_column].astype(str).to_numpy() if subject_column else None
    _refuse_negative(values, in_arms, who, file)
    usable = {m: np.isfinite(v) & (v > 0) for m, v in values.items()}
    not_analysed = NOT_A_COMPLETER if population == "completers" else MISSING_VALUE
    over = np.zeros(labels.size, dtype=bool) if pext is None else np.nan_to_num(pext, nan=0.0) > max_aucpext
    # completers: a value of every metric. The %AUCext rule then acts on AUCIFO alone: a subject whose
    # AUCIFO is unreliable (extrapolated share above the limit) keeps its AUC0-t and Cmax, which do not
    # rest on the extrapolation (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8; PKNCA's exclude_nca_max.aucinf.pext
    # excludes the AUCinf parameters only). Before, ``exclude`` also dropped such a subject from every metric.
    complete = base & np.logical_and.reduce([usable[m] for m in metrics])
    excluded = over & (pext is not None and aucpext_rule == "exclude")
    notes: list[str] = []
    rows: list[dict[str, object]] = []
    subgroups: list[tuple[str, npt.NDArray[np.bool_]]] = [("all", np.ones(labels.size, dtype=bool))]
    if ada is not None:
        subgroups += [("ADA-negative", ada == 0.0), ("ADA-positive", ada == 1.0)]
    for metric in metrics:
        zero = base & (values[metric] == 0.0)
        if zero.any():
            subjects, _more = _named(labels, who, zero, limit=None)
            notes.append(ZERO_NOT_ANALYSED.format(metric=metric, subjects=subjects))
        in_population = complete if population == "completers" else base & usable[metric]
        left_out = {a: int(((labels == a) & ~in_population).sum()) for a in arms}
        if any(left_out.values()):
            counts = ", ".join(f"{a} {k}" for a, k in left_out.items() if k)
            notes.append(not_analysed.format(metric=metric, counts=counts))
            if who is not None:  # subject accountability (EMA 1401 Rev. 1, 4.1.8): who, not only how many
                subjects, more = _named(labels, who, in_arms & ~in_population, limit=NAMED_SUBJECTS)
                template = SUBJECTS_NOT_ANALYSED_MORE if more else SUBJECTS_NOT_ANALYSED
                notes.append(template.format(metric=metric, subjects=subjects, more=more))
        ok = in_population & ~excluded if metric == "AUCIFO" else in_population.copy()
        if metric == "AUCIFO" and (in_arms & in_population & excluded).any():
            subjects, _more = _named(labels, who, in_arms & in_population & excluded, limit=None)
            notes.append(AUCEXT_EXCLUDED_SUBJECTS.format(limit=max_aucpext, subjects=subjects))
        missing = {a: int(((labels == a) & ~ok).sum()) for a in arms}
        if metric == "AUCIFO" and pext is not None:
            hi = sum(int(((labels == a) & base & usable["AUCIFO"] & over).sum()) for a in arms)
            n_obs = sum(int(((labels == a) & base & np.isfinite(values["AUCIFO"])).sum()) for a in arms)
            share = hi / n_obs if n_obs else 0.0
            if hi:
                template = AUCEXT_KEPT if aucpext_rule == "keep" else AUCEXT_EXCLUDED
                note = template.format(n=hi, total=n_obs, share=share_percent(share), limit=max_aucpext)
                notes.append(AUCEXT_DISCUSS.format(note=note) if share > 0.20 else note)
                if aucpext_rule == "keep" and who is not None:  # the excluded are named above
                    subjects, more = _named(
                        labels, who, in_arms & base & usable["AUCIFO"] & over, NAMED_SUBJECTS
                    )
                    template = AUCEXT_KEPT_SUBJECTS_MORE if more else AUCEXT_KEPT_SUBJECTS
                    notes.append(template.format(limit=max_aucpext, subjects=subjects, more=more))
        elif metric == "AUCIFO" and extrapolation_column is not None:
            notes.append(AUCEXT_NOT_CHECKED.format(column=extrapolation_column, limit=max_aucpext))
        lacks = {m: base & ~usable[m] for m in (metrics if population == "completers" else [metric])}
        lacks["covariates"] = in_arms & ~base
        if metric == "AUCIFO":
            lacks[f"%AUCext > {max_aucpext:g}%"] = in_population & excluded
        _refuse_too_few(
            metric, labels, arms, ok, lacks, 1 if variance == "pooled" else 2, population, file, arm_column
        )
        for subgroup, member in subgroups:
            sel = ok & member
            if subgroup != "all" and any(int(((labels == a) & sel).sum()) < 2 for a in arms):
                notes.append(SUBGROUP_TOO_SMALL.format(metric=metric, subgroup=subgroup))
                continue
            results = pk_similarity(
                values[metric][sel],
                labels[sel],
                arms,
                metric=metric,
                covariates=None if cov is None else cov[sel],
                covariate_names=covariates,
                variance=variance,
                alpha=alpha,
                theta1=theta1,
                theta2=theta2,
            )
            for r in results:
                row = r.to_record()
                row["subgroup"] = subgroup
                row["population"] = population
                row["n_missing_test"] = missing[r.test_arm]
                row["n_missing_reference"] = missing[r.reference_arm]
                track = metric == "AUCIFO" and pext is not None
                row["aucpext_rule"] = f"{aucpext_rule} >{max_aucpext:g}%" if track else ""
                # above the limit in the population: kept and counted, or left out (``exclude``)
                counted = in_population & member & over
                row["n_aucpext_over_test"] = int(((labels == r.test_arm) & counted).sum()) if track else 0
                row["n_aucpext_over_reference"] = (
                    int(((labels == r.reference_arm) & counted).sum()) if track else 0
                )
                rows.append(row)
    return pd.DataFrame(rows), notes


def _refuse_too_few(
    metric: str,
    labels: npt.NDArray[Any],
    arms: Sequence[str],
    ok: npt.NDArray[np.bool_],
    lacks: dict[str, npt.NDArray[np.bool_]],
    minimum: int,
    population: str,
    file: str | None,
    arm_column: str,
) -> None:
    """An arm with fewer than ``minimum`` subjects analysed in ``metric`` (Welch: 2, a variance per arm;
    pooled: 1) is an error that says why: how many of its subjects each reason in ``lacks`` left out (no
    value above 0 of a metric the population needs, completers: every metric; a covariate missing; %AUCext
    over the limit with ``exclude``). Was "arm(s) us-ref have no AUCIFO values" when their CMAX was 0 (they
    had AUCIFO values; CMAX made them non-completers), or "Welch's interval needs at least 2 subjects per
    arm", naming neither the metric nor the file; the notes naming the subjects were then not printed."""
    analysed = {a: int(((labels == a) & ok).sum()) for a in arms}
    small = [a for a, n in analysed.items() if n < minimum]
    if not small:
        return
    mine = np.isin(labels, small)
    counts = {reason: int((mine & mask).sum()) for reason, mask in lacks.items()}
    raise DataFileError(
        TOO_FEW_ANALYSED.format(
            metric=metric,
            minimum=minimum,
            arms=", ".join(small),
            population=population,
            counts=", ".join(f"{a} {n}" for a, n in analysed.items()),
            lacking=", ".join(f"{reason} {n}" for reason, n in counts.items() if n) or "0",
        ),
        file=file,
        column=arm_column,
        expected=ENOUGH_PER_ARM.format(minimum=minimum),
    )


def _refuse_negative(
    values: dict[str, FloatArray],
    in_arms: npt.NDArray[np.bool_],
    who: npt.NDArray[Any] | None,
    file: str | None,
) -> None:
    """A negative PK value of an analysed arm is an error (was left out as if missing: it cannot be a
    concentration, an AUC or a Cmax, and has no logarithm)."""
    for metric, v in values.items():
        bad = np.isfinite(v) & (v < 0) & in_arms
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataFileError(
                NEGATIVE_PK_VALUE.format(subject=who[i] if who is not None else f"#{i + 1}"),
                file=file,
                row=None if who is not None else i + 1,
                column=metric,
                value=f"{v[i]:g}",
                expected=A_PK_VALUE_NOT_NEGATIVE,
            )


def _named(
    labels: npt.NDArray[Any], who: npt.NDArray[Any] | None, mask: npt.NDArray[np.bool_], limit: int | None
) -> tuple[str, int]:
    """``("test PK101-0006, eu-ref PK101-0070", 0)``: arm and subject (``#row`` without a subject column)
    of the rows in ``mask``, the first ``limit`` (None: all) named, and how many more there are."""
    rows = np.flatnonzero(mask)
    shown = rows if limit is None else rows[:limit]
    names = [f"{labels[i]} {who[i] if who is not None else f'#{i + 1}'}" for i in shown]
    return ", ".join(names), len(rows) - len(shown)
