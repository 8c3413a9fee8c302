"""Parallel-group PK similarity: pairwise geometric mean ratios with ``1 - 2 alpha`` CIs, any number of arms.

For a biosimilar mAb the PK study is usually parallel with three arms (candidate, EU-sourced and
US-sourced reference) and three comparisons: test vs EU-ref, test vs US-ref, EU-ref vs US-ref
(regulatory.md 2.1). Arms are given in order; every pair ``(arms[i], arms[j])``, ``i < j``, is compared
as ``arms[i] / arms[j]``, so ``test, eu-ref, us-ref`` yields exactly those three.

Variance models (stated in every result):

* ``pooled`` (default): one linear model on log values with an arm factor (plus optional covariates,
  i.e. ANCOVA, e.g. body weight), fitted to all arms; pairwise contrasts of the arm effects with the
  residual variance pooled over all arms, ``df = N - k - q``. Without covariates and with two arms this
  is the classical pooled two-sample interval (PowerTOST convention, regulatory.md 2.1).
* ``welch``: each pair by Welch's unequal-variance interval with Welch-Satterthwaite df (no covariates).

Example
-------
>>> import numpy as np
>>> arm = np.array(["T"] * 3 + ["R"] * 3)
>>> res = pk_similarity(np.array([100., 110, 90, 95, 105, 100]), arm, ["T", "R"], metric="CMAX")
>>> round(res[0].gmr, 3)
99.749
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from bioparity._results import ResultMixin, software_version
from bioparity.errors import DataFileError, InputError

FloatArray = npt.NDArray[np.float64]

VARIANCE_MODELS: tuple[str, ...] = ("pooled", "welch")
#: PK metrics compared by default (CDISC PPTESTCD): AUC0-inf, AUC0-last, Cmax.
DEFAULT_METRICS: tuple[str, ...] = ("AUCIFO", "AUCLST", "CMAX")


@dataclass(frozen=True, repr=False)
class PairwiseComparison(ResultMixin):
    """One pairwise comparison of one PK metric; ratio, CI, limits and CVs in percent."""

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

    def to_dict(self) -> dict[str, object]:
        """Plain values; ``pass`` for ``passed``, covariates joined by ``+``."""
        raw = super().to_dict()
        raw["pass"] = raw.pop("passed")
        raw["covariates"] = "+".join(self.covariates)
        return raw


def _cv(log_values: FloatArray) -> float:
    """Geometric CV (percent) of one arm: ``sqrt(exp(s^2) - 1)``."""
    if log_values.size < 2:
        return float("nan")
    return float(100.0 * np.sqrt(np.expm1(np.var(log_values, ddof=1))))


def pk_similarity(
    values: npt.ArrayLike,
    arm: npt.ArrayLike,
    arms: Sequence[str],
    *,
    metric: str = "",
    covariates: npt.ArrayLike | None = None,
    covariate_names: Sequence[str] = (),
    variance: str = "pooled",
    alpha: float = 0.05,
    theta1: float = 0.80,
    theta2: float | None = None,
) -> tuple[PairwiseComparison, ...]:
    """All pairwise comparisons ``arms[i] / arms[j]`` (``i < j``) of one PK metric.

    ``values`` (positive, one per subject) and ``arm`` (labels) are aligned; NaN values must be removed
    by the caller (and reported there). Subjects of arms not listed are ignored by ``welch`` but
    contribute to the pooled variance only if listed. ``covariates`` is ``N x q`` (ANCOVA, ``pooled`` only).
    """
    y = np.asarray(values, dtype=float)
    labels = np.asarray(arm, dtype=object).astype(str)
    arm_list = [str(a) for a in arms]
    if len(arm_list) < 2 or len(set(arm_list)) != len(arm_list):
        raise InputError(f"need at least two distinct arms; got {arm_list}")
    if variance not in VARIANCE_MODELS:
        raise InputError(f"unknown variance model {variance!r}; expected one of {', '.join(VARIANCE_MODELS)}")
    if not 0 < alpha < 0.5:
        raise InputError(f"alpha must be in (0, 0.5); got {alpha}")
    t2 = 1.0 / theta1 if theta2 is None else theta2
    if y.shape != labels.shape:
        raise InputError("values and arm labels must have the same length")
    if np.any(~np.isfinite(y)) or np.any(y <= 0):
        raise InputError(f"{metric or 'PK'} values must be positive and finite (analysed on the log scale)")
    keep = np.isin(labels, arm_list)
    y, labels = np.log(y[keep]), labels[keep]
    cov = None
    if covariates is not None:
        cov = np.asarray(covariates, dtype=float).reshape(keep.size, -1)[keep]
        if variance == "welch":
            raise InputError("covariates need the pooled (ANCOVA) model; Welch's interval has no covariates")
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
    estimates = _pooled(y, labels, arm_list, cov) if variance == "pooled" else _welch(y, labels, arm_list)
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
                gmr=100.0 * float(np.exp(diff)),
                ci_lower=100.0 * lo,
                ci_upper=100.0 * hi,
                df=float(df),
                variance=variance,
                covariates=names,
                cv_test=_cv(y[labels == a]),
                cv_reference=_cv(y[labels == b]),
                cv_pooled=cv_pooled,
                lower_limit=100.0 * theta1,
                upper_limit=100.0 * t2,
                passed=ok,
                alpha=alpha,
                software_version=software_version(),
            )
        )
    return tuple(out)


Estimates = dict[tuple[str, str], tuple[float, float, float, float | None]]


def _pairs(arms: list[str]) -> list[tuple[int, int]]:
    return [(i, j) for i in range(len(arms)) for j in range(i + 1, len(arms))]


def _pooled(
    y: FloatArray, labels: npt.NDArray[np.str_], arms: list[str], cov: FloatArray | None
) -> Estimates:
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
    cv_pooled = float(100.0 * np.sqrt(np.expm1(mse)))
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


def _welch(y: FloatArray, labels: npt.NDArray[np.str_], arms: list[str]) -> Estimates:
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


def pk_similarity_table(
    frame: pd.DataFrame,
    arm_column: str,
    arms: Sequence[str],
    metrics: Sequence[str] = DEFAULT_METRICS,
    *,
    covariates: Sequence[str] = (),
    variance: str = "pooled",
    alpha: float = 0.05,
    theta1: float = 0.80,
    theta2: float | None = None,
    file: str | None = None,
) -> tuple[pd.DataFrame, list[str]]:
    """:func:`pk_similarity` for every metric of a one-row-per-subject frame, as one table.

    Subjects with a missing metric (or covariate) are left out of that metric's comparisons and counted
    per arm in ``n_missing_test`` / ``n_missing_reference``; the returned notes say so in words.
    Arms not present in the data are an error naming the column.
    """
    labels = frame[arm_column].astype(str).str.strip().to_numpy()
    unknown = sorted(set(arms) - set(labels.tolist()))
    if unknown:
        raise DataFileError(
            f"arm(s) {', '.join(unknown)} not in the data",
            file=file,
            column=arm_column,
            expected="one of: " + ", ".join(sorted(set(labels.tolist()))),
        )
    rows: list[dict[str, object]] = []
    notes: list[str] = []
    cov = frame[list(covariates)].to_numpy(dtype=float) if covariates else None
    for metric in metrics:
        values = frame[metric].to_numpy(dtype=float)
        ok = np.isfinite(values) & np.isin(labels, list(arms))
        if cov is not None:
            ok &= np.all(np.isfinite(cov), axis=1)
        missing = {a: int(((labels == a) & ~ok).sum()) for a in arms}
        if any(missing.values()):
            notes.append(
                f"{metric}: not analysed (missing value): "
                + ", ".join(f"{a} {k}" for a, k in missing.items() if k)
            )
        results = pk_similarity(
            values[ok],
            labels[ok],
            arms,
            metric=metric,
            covariates=None if cov is None else cov[ok],
            covariate_names=covariates,
            variance=variance,
            alpha=alpha,
            theta1=theta1,
            theta2=theta2,
        )
        for r in results:
            row = r.to_dict()
            row["n_missing_test"] = missing[r.test_arm]
            row["n_missing_reference"] = missing[r.reference_arm]
            rows.append(row)
    return pd.DataFrame(rows), notes
