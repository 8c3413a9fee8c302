"""Least-squares helpers shared by the parallel-line and slope-ratio models (no I/O)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import stats

from bioparity.arrays import FloatArray
from bioparity.errors import InputError
from bioparity.i18n.notes import note_template
from bioparity.potency.results import AnovaRow


@dataclass(frozen=True)
class LinearFit:
    """Ordinary least squares: coefficients, residual sum of squares, rank and (X'X)^-1 (pseudo-inverse)."""

    beta: FloatArray
    rss: float
    rank: int
    xtx_inv: FloatArray


def ols(x: FloatArray, y: FloatArray) -> LinearFit:
    """Fit y = X beta by least squares (SVD; rank-deficient designs give the minimum-norm solution)."""
    beta, _res, rank, _sv = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ beta
    xtx_inv = np.asarray(np.linalg.pinv(x.T @ x), dtype=np.float64)
    return LinearFit(np.asarray(beta, dtype=np.float64), float(resid @ resid), int(rank), xtx_inv)


def dummies(labels: tuple[str, ...]) -> FloatArray:
    """Indicator columns of a factor, first level dropped (empty when there is no factor)."""
    if not labels:
        return np.zeros((0, 0))
    levels = sorted(set(labels))
    return np.array([[1.0 if lab == lev else 0.0 for lev in levels[1:]] for lab in labels])


def block_columns(n: int, rows: tuple[str, ...], columns: tuple[str, ...]) -> FloatArray:
    """Block effects of a randomised-block (rows) or Latin-square (rows and columns) design."""
    parts = [d for d in (dummies(rows), dummies(columns)) if d.size]
    return np.hstack(parts) if parts else np.zeros((n, 0))


def block_models(
    n: int, rows: tuple[str, ...], columns: tuple[str, ...], y: FloatArray
) -> tuple[FloatArray, Callable[..., FloatArray], LinearFit, LinearFit]:
    """What every assay model of ``n`` responses ``y`` starts from: the block columns
    (:func:`block_columns`), a function putting model columns next to them (``design(one, x, ...)``) and the
    two models the analysis of variance nests the others in, the grand mean and the blocks (European
    Pharmacopoeia, chapter 5.3, sections 3.2 and 3.3: randomised blocks and Latin squares)."""
    blocks = block_columns(n, rows, columns)

    def design(*cols: FloatArray) -> FloatArray:
        return np.column_stack([*cols, blocks]) if blocks.size else np.column_stack(cols)

    one = np.ones(n)
    return blocks, design, ols(one[:, None], y), ols(design(one), y)


def residual_error(
    cells: list[tuple[object, float]], blocks: FloatArray, y: FloatArray, where: str, hint: str = ""
) -> tuple[LinearFit, int, float]:
    """The residual error of an assay's analysis of variance: the fit of one mean per treatment with the
    block effects, its degrees of freedom and its mean square (European Pharmacopoeia, chapter 5.3,
    sections 3.2 and 3.3: the residual error of the parallel-line and slope-ratio models).

    ``cells`` gives each response's treatment (preparation or test/standard, and dose); ``blocks`` the block
    columns of :func:`block_columns`. Without replicate responses there is no residual error: an
    :class:`~bioparity.errors.InputError` ``"{where}: no replicate responses, so no residual error{hint}"``.
    """
    levels = sorted(set(cells))
    cell_x = np.array([[1.0 if cell == level else 0.0 for level in levels] for cell in cells])
    fit = ols(np.column_stack([cell_x, blocks]) if blocks.size else cell_x, y)
    df = y.size - fit.rank
    if df <= 0:
        raise InputError(f"{where}: no replicate responses, so no residual error{hint}")
    return fit, df, fit.rss / df


def anova_row(source: str, df: int, ss: float, ms_error: float, df_error: int) -> AnovaRow:
    """One ANOVA line with F = MS / MS(error) and its upper-tail p value (NaN when df is 0)."""
    if df <= 0:
        return AnovaRow(source, 0, 0.0, float("nan"), float("nan"), float("nan"))
    ms = ss / df
    f = ms / ms_error if ms_error > 0 else float("inf")
    p = float(stats.f.sf(f, df, df_error)) if df_error > 0 else float("nan")
    return AnovaRow(source, df, ss, ms, f, p)


def extra_ss_row(
    source: str, smaller: LinearFit, larger: LinearFit, ms_error: float, df_error: int
) -> AnovaRow:
    """The ANOVA line of the terms ``larger`` adds to the nested model ``smaller`` (extra sum of squares:
    Draper & Smith, Applied Regression Analysis, 3rd ed., section 6.1)."""
    return anova_row(source, larger.rank - smaller.rank, smaller.rss - larger.rss, ms_error, df_error)


def t_quantile(conf_level: float, df: int) -> float:
    """Two-sided Student t quantile for a ``conf_level`` interval (normal when df is infinite)."""
    return float(stats.t.ppf(0.5 + conf_level / 2.0, df))


#: |residual| / s above which a response is flagged as a possible outlier (never removed).
OUTLIER_LIMIT = 3.5


#: The flag of a response far from the fitted line (template: see bioparity.i18n.notes).
POSSIBLE_OUTLIER = note_template(
    "possible outlier ({who}, dose {dose:g}, residual {residual:.4g} = {z:.2f} s > {limit:g} s; "
    "kept in the analysis)"
)


def outlier_flags(
    residuals: FloatArray,
    s2: float,
    dose: FloatArray,
    is_test: npt.NDArray[np.bool_],
    limit: float = OUTLIER_LIMIT,
) -> list[str]:
    """Flags for responses with |residual| / s > ``limit`` (s^2 the residual variance); nothing is removed.

    The screening is stated, not applied: a flagged response stays in the analysis for the analyst to judge
    (USP <1032>, section 4.4, asks for outlier procedures to be predefined and documented).
    """
    if not (s2 > 0 and np.isfinite(s2)):
        return []
    z = np.abs(residuals) / np.sqrt(s2)
    out = []
    for i in np.flatnonzero(z > limit):
        who = "test" if is_test[i] else "standard"
        out.append(POSSIBLE_OUTLIER.format(who=who, dose=dose[i], residual=residuals[i], z=z[i], limit=limit))
    return out
