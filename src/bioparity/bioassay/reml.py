"""Variance components of a linear mixed model with random intercepts, estimated by REML.

Model: ``y = X b + sum_k Z_k u_k + e`` with ``u_k ~ N(0, s2_k I)`` (one random intercept per grouping
factor, crossed or nested) and ``e ~ N(0, s2_e I)``. With ``V = I + sum_k t_k Z_k Z_k'`` and
``t_k = s2_k / s2_e`` the residual (restricted) log-likelihood, profiled over ``s2_e``, is

    l_R(t) = -1/2 [ (n - p) log(r' V^-1 r / (n - p)) + log|V| + log|X' V^-1 X| ] + const,

with ``r = y - X b_GLS`` (Patterson & Thompson 1971, Biometrika 58:545; Harville 1977, JASA 72:320,
eq. 3.9; the same criterion as ``lme4::lmer(REML = TRUE)``, Bates et al. 2015, J Stat Softw 67(1), section
3.4). The ratios ``t >= 0`` are found by bounded quasi-Newton with the analytic gradient, the interior ones
polished by solving the score equations, and then
``s2_e = r' V^-1 r / (n - p)``. The algebra works in the q random levels (Woodbury and Sylvester
identities), so a fit costs O(n q^2 + q^3) per step, not O(n^3): thousands of observations take well under
a second.

Data without residual scatter have no REML estimate: when ``y`` is fitted exactly by the fixed effects, or by
the fixed effects and the factors (``s2_e -> 0``: the restricted likelihood grows without bound as a ratio
``t_k`` grows), the fit raises :class:`NoResidualScatterError`. A ratio is bounded by
:data:`MAX_VARIANCE_RATIO`; an optimum on that bound is such data (a residual variance below 1e-10 of a
factor's, which ``V`` can no longer represent: it rounds ``I + t ZZ'`` to a singular matrix).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import linalg, optimize

from bioparity.errors import InputError

FloatArray = NDArray[np.float64]

#: Largest ratio ``t_k = s2_k / s2_e`` of the fit: an optimum there means no residual scatter.
MAX_VARIANCE_RATIO = 1e10
#: Residual sum of squares of the fixed effects alone, relative to ``y'y``, counted as none.
_NO_RESIDUAL = 1e-24


class NoResidualScatterError(InputError):
    """The data leave no residual variance to estimate (REML has no maximum): ``factor`` is the random
    factor whose variance the residual variance vanishes against, None when the fixed effects alone fit
    every value."""

    def __init__(self, message: str, *, factor: str | None = None) -> None:
        self.factor = factor
        super().__init__(message)

    def __reduce__(self) -> tuple[Any, ...]:
        # as ScenarioError: cls(*args) would lose the keyword argument (an error sent back by a worker)
        return partial(type(self), factor=self.factor), self.args


@dataclass(frozen=True)
class RemlFit:
    """REML estimates: variance of each random factor, residual variance, fixed effects, their covariance.

    Attributes
    ----------
    variances : dict of str to float
        Variance of each random intercept, by factor name (units of y squared; 0 at the boundary).
    residual_variance : float
        Residual variance s2_e (units of y squared).
    beta : numpy.ndarray, shape (p,)
        Generalised least-squares estimates of the fixed effects.
    beta_cov : numpy.ndarray, shape (p, p)
        Their covariance matrix, ``s2_e (X' V^-1 X)^-1``.
    log_likelihood : float
        Maximised restricted (REML) log-likelihood, comparable with ``logLik`` of
        ``lme4::lmer(REML = TRUE)``.
    n, p : int
        Number of observations and of fixed effects.
    """

    variances: dict[str, float]
    residual_variance: float
    beta: FloatArray
    beta_cov: FloatArray
    log_likelihood: float
    n: int
    p: int


def _indicator(codes: NDArray[np.int64]) -> FloatArray:
    levels = int(codes.max()) + 1
    z = np.zeros((codes.size, levels))
    z[np.arange(codes.size), codes] = 1.0
    return z


def reml_fit(y: FloatArray, x: FloatArray, groups: dict[str, NDArray[np.int64]]) -> RemlFit:
    """Fit the random-intercept model by REML; ``groups`` maps a factor name to integer codes 0..L-1.

    Parameters
    ----------
    y : numpy.ndarray, shape (n,)
        Responses.
    x : numpy.ndarray, shape (n, p)
        Fixed-effect design matrix of full column rank (include the intercept column).
    groups : dict of str to numpy.ndarray of int
        Random factors: name -> level code (0 .. L-1) of each observation; crossed or nested.

    Returns
    -------
    RemlFit
        Variance components, residual variance, fixed effects with their covariance and the REML
        log-likelihood.

    Raises
    ------
    InputError
        When ``x`` is rank deficient or n - p leaves too few degrees of freedom for the factors.
    NoResidualScatterError
        When the data have no residual scatter (see the module docstring).

    References
    ----------
    Patterson H. D. and Thompson R. (1971), Biometrika 58:545; Harville D. A. (1977), JASA 72:320,
    eq. 3.9; Bates D. et al. (2015), Fitting linear mixed-effects models using lme4, J Stat Softw
    67(1), section 3.4.

    Examples
    --------
    In a balanced one-way layout REML equals the ANOVA estimator: here MS(error) = 1 and
    (MS(groups) - MS(error)) / 2 = 10.083:

    >>> import numpy as np
    >>> fit = reml_fit(np.array([1, 2, 4, 5, 7, 9.0]), np.ones((6, 1)), {"g": np.array([0, 0, 1, 1, 2, 2])})
    >>> round(fit.variances["g"], 4), round(fit.residual_variance, 4), fit.beta.round(4).tolist()
    (10.0833, 1.0, [4.6667])
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    n, p = x.shape
    if np.linalg.matrix_rank(x) < p:
        raise InputError("REML: the fixed-effect design is rank deficient (a level without data?)")
    if n - p < 1 + len(groups):
        raise InputError(
            f"REML: {n} observations are too few for {p} fixed effects and {len(groups)} factors"
        )
    names = list(groups)
    fixed_residual = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
    if float(fixed_residual @ fixed_residual) <= _NO_RESIDUAL * float(y @ y):
        raise NoResidualScatterError("REML: the fixed effects fit every value exactly (no residual scatter)")
    zs = [_indicator(np.asarray(groups[k], dtype=np.int64)) for k in names]
    sizes = [z.shape[1] for z in zs]
    blocks = np.cumsum([0, *sizes])
    zc = np.hstack(zs)
    # Everything below works in the q random levels, never with an n x n matrix: with D = diag(t of each
    # level), V = I + Z D Z' has V^-1 = I - Z D (I + G D)^-1 Z' (Woodbury) and |V| = |I + D G| (Sylvester),
    # G = Z'Z; the same penalised least-squares algebra as lme4 (Bates et al. 2015, section 3.4).
    g = zc.T @ zc
    xtz, zty = x.T @ zc, zc.T @ y
    xtx, xty = x.T @ x, x.T @ y
    eye = np.eye(zc.shape[1])

    def parts(t: FloatArray) -> tuple[float, FloatArray, FloatArray, float, FloatArray]:
        """Profiled REML deviance at variance ratios ``t``, GLS estimates and the gradient in ``t``."""
        d = np.repeat(np.asarray(t, dtype=float), sizes)
        k = eye + g * d
        if np.any(d < 0) and np.linalg.eigvals(k).real.min() <= 0:  # a trial step of the score solver
            raise np.linalg.LinAlgError("V is not positive definite")
        lu = linalg.lu_factor(k, check_finite=False)
        logdet_v = float(np.sum(np.log(np.abs(np.diag(lu[0])))))
        # D (I + G D)^-1 applied to Z'X, Z'y and G at once: then X'V^-1 X = X'X - X'Z D K^-1 Z'X, ...
        solved = d[:, None] * linalg.lu_solve(lu, np.column_stack([xtz.T, zty, g]), check_finite=False)
        dk_zx, dk_zy, dk_g = solved[:, : x.shape[1]], solved[:, x.shape[1]], solved[:, x.shape[1] + 1 :]
        xtvx = xtx - xtz @ dk_zx
        xtvx_inv = np.linalg.inv(xtvx)
        beta = xtvx_inv @ (xty - xtz @ dk_zy)
        r = y - x @ beta
        zr = zty - xtz.T @ beta
        dk_zr = d * linalg.lu_solve(lu, zr, check_finite=False)
        rss = float(r @ r - zr @ dk_zr)
        logdet_x = float(np.linalg.slogdet(xtvx)[1])
        s2 = rss / (n - p)
        dev = (n - p) * np.log(s2) + logdet_v + logdet_x
        # d dev / d t_k = tr(Z_k' P Z_k) - (n - p) |Z_k' V^-1 r|^2 / rss,
        # P = V^-1 - V^-1 X (X'V^-1 X)^-1 X'V^-1; Z'V^-1 Z = G - G D K^-1 G, X'V^-1 Z = X'Z - X'Z D K^-1 G
        zvz_diag = np.diag(g) - np.einsum("ij,ji->i", g, dk_g)
        xvz = xtz - xtz @ dk_g
        zvr = zr - g @ dk_zr
        level_trace = zvz_diag - np.einsum("ij,ij->j", xvz, xtvx_inv @ xvz)
        grad = np.array(
            [
                float(np.sum(level_trace[a:b])) - (n - p) * float(np.sum(zvr[a:b] ** 2)) / rss
                for a, b in itertools.pairwise(blocks)
            ]
        )
        return float(dev), np.asarray(beta, float), np.asarray(xtvx_inv, float), float(s2), grad

    def objective(t: FloatArray) -> tuple[float, FloatArray]:
        dev, _b, _c, _s, grad = parts(t)
        return dev, grad

    best = optimize.minimize(
        objective,
        np.ones(len(names)),
        jac=True,
        method="L-BFGS-B",
        bounds=[(0.0, MAX_VARIANCE_RATIO)] * len(names),
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 5000},
    )
    t = np.asarray(best.x, dtype=float)
    # polish the interior ratios by solving the REML score equations (the deviance is too flat near
    # its minimum for a value-based stopping rule to give more than ~7 digits)
    inner = t > 1e-8
    if inner.any():

        def score(ti: FloatArray) -> FloatArray:
            full = t.copy()
            full[inner] = ti
            return parts(full)[4][inner]

        try:
            sol = optimize.root(score, t[inner], method="hybr", options={"xtol": 1e-14})
        except (np.linalg.LinAlgError, ZeroDivisionError):  # a step to t < 0 (V not positive definite)
            sol = None
        if sol is not None and sol.success and np.all((sol.x > 0) & (sol.x < MAX_VARIANCE_RATIO)):
            trial = t.copy()
            trial[inner] = sol.x
            if parts(trial)[0] <= best.fun + 1e-9:
                t = trial
    at_bound = [k for k, tk in zip(names, t, strict=True) if tk >= MAX_VARIANCE_RATIO * (1.0 - 1e-6)]
    if at_bound:
        raise NoResidualScatterError(
            f"REML: the residual variance vanishes against the variance of {at_bound[0]!r} (ratio above "
            f"{MAX_VARIANCE_RATIO:g}): the data have no residual scatter",
            factor=at_bound[0],
        )
    dev, beta, xtvx_inv, s2, _grad = parts(t)
    const = (n - p) * (1.0 + np.log(2.0 * np.pi))
    return RemlFit(
        variances={k: float(tk * s2) for k, tk in zip(names, t, strict=True)},
        residual_variance=float(s2),
        beta=beta,
        beta_cov=xtvx_inv * s2,
        log_likelihood=-0.5 * (dev + const),
        n=n,
        p=p,
    )
