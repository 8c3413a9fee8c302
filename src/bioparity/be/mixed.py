"""Random-intercept linear mixed model by REML, for EMA Method B.

Model (replicateBE ``method.B``; EMA Q&A "Method B"): ``log(PK) ~ sequence + period + treatment``
fixed, subject random: ``y = X beta + Z u + e``, ``u ~ N(0, s2_s)``, ``e ~ N(0, s2_e)``.

With ``gamma = s2_s / s2_e`` the covariance of subject i's ``n_i`` observations is
``s2_e (I + gamma J)`` whose inverse is ``(I - w_i J) / s2_e`` with ``w_i = gamma / (1 + n_i gamma)``.
Hence ``X' V^-1 X``, ``X' V^-1 y`` and ``r' V^-1 r`` need only per-subject sums (one sparse product), and
``s2_e`` and ``beta`` profile out of the REML log-likelihood, leaving a one-dimensional maximisation
over ``log(gamma)``:

``-2 l_R(gamma) = (N - p) log(s2_e(gamma)) + sum_i log(1 + n_i gamma) + log |X' H^-1 X| + const``,
``H = I + gamma Z Z'``, ``s2_e(gamma) = r' H^-1 r / (N - p)``.

Degrees of freedom of a within-subject effect:

* ``"contain"``: nlme's containment rule, ``N - n_subjects - p_within`` (replicateBE's default
  ``option=2``; equal to SAS ``DDFM=CONTAIN`` here);
* ``"satterthwaite"``: ``2 v^2 / (g' A g)`` with ``v`` the variance of the estimate, ``g`` its gradient
  in ``(s2_s, s2_e)`` and ``A`` the inverse observed REML information (lmerTest, replicateBE
  ``option=1``; SAS ``DDFM=SATTERTHWAITE``). Derivatives by central differences.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import optimize

from bioparity.arrays import FloatArray, IntArray
from bioparity.be.anova import group_matrix
from bioparity.errors import InputError

DF_METHODS: tuple[str, ...] = ("contain", "satterthwaite")


@dataclass(frozen=True)
class MixedFit:
    """REML fit of the random-intercept model; ``cov`` is the covariance of ``coef``."""

    coef: FloatArray
    cov: FloatArray
    var_subject: float
    var_residual: float
    df_contain: int
    converged: bool


class _RandomIntercept:
    """Per-subject sufficient statistics of the random-intercept model and its REML pieces."""

    def __init__(self, y: FloatArray, X: FloatArray, subject: IntArray) -> None:
        n_sub = int(subject.max()) + 1
        g = group_matrix(subject, n_sub)
        self.y, self.X, self.subject = y, X, subject
        self.counts = np.asarray(g.sum(axis=1)).ravel()
        self.sx = np.asarray(g @ X)
        self.xtx = X.T @ X
        self.n, self.p = X.shape
        self.g = g

    def gls(self, gamma: float) -> tuple[FloatArray, FloatArray, float]:
        """``(beta, X' H^-1 X, r' H^-1 r)`` at ``gamma``; residuals computed directly (no cancellation)."""
        w = gamma / (1.0 + self.counts * gamma)
        a = self.xtx - (self.sx * w[:, None]).T @ self.sx
        sy = np.asarray(self.g @ self.y)
        b = self.X.T @ self.y - (self.sx * w[:, None]).T @ sy
        beta = np.linalg.solve(a, b)
        r = self.y - self.X @ beta
        sr = np.asarray(self.g @ r)
        quad = float(r @ r - w @ (sr * sr))
        return beta, a, quad

    def profile_deviance(self, log_gamma: float) -> float:
        """``-2 l_R`` with ``beta`` and ``s2_e`` profiled out (constant dropped)."""
        gamma = float(np.exp(log_gamma))
        _, a, quad = self.gls(gamma)
        dof = self.n - self.p
        return float(dof * np.log(quad / dof) + np.log1p(self.counts * gamma).sum() + np.linalg.slogdet(a)[1])

    def deviance(self, var_subject: float, var_residual: float) -> float:
        """``-2 l_R`` at given variance components (for the information matrix)."""
        gamma = var_subject / var_residual
        _, a, quad = self.gls(gamma)
        return float(
            quad / var_residual
            + (self.n - self.p) * np.log(var_residual)
            + np.log1p(self.counts * gamma).sum()
            + np.linalg.slogdet(a)[1]
        )

    def coef_variance(self, var_subject: float, var_residual: float, index: int) -> float:
        """Variance of ``coef[index]`` at given variance components."""
        _, a, _ = self.gls(var_subject / var_residual)
        return float(var_residual * np.linalg.inv(a)[index, index])


def fit_random_intercept(y: FloatArray, X: FloatArray, subject: IntArray, within_columns: int) -> MixedFit:
    """REML fit of ``y = X beta + u_subject + e``; ``X`` must have full column rank.

    ``within_columns`` is the number of columns of ``X`` that vary within subjects (for the
    containment degrees of freedom).
    """
    if np.linalg.matrix_rank(X) < X.shape[1]:
        raise InputError("fixed-effects design of the mixed model is rank deficient")
    model = _RandomIntercept(y, X, subject)
    grid = np.linspace(-16.0, 10.0, 105)
    dev = np.array([model.profile_deviance(v) for v in grid])
    k = int(np.argmin(dev))
    lo, hi = grid[max(k - 1, 0)], grid[min(k + 1, grid.size - 1)]
    opt = optimize.minimize_scalar(
        model.profile_deviance, bounds=(lo, hi), method="bounded", options={"xatol": 1e-11, "maxiter": 500}
    )
    gamma = float(np.exp(opt.x))
    beta, a, quad = model.gls(gamma)
    var_residual = quad / (model.n - model.p)
    n_subjects = int((model.counts > 0).sum())
    return MixedFit(
        coef=beta,
        cov=var_residual * np.linalg.inv(a),
        var_subject=gamma * var_residual,
        var_residual=var_residual,
        df_contain=int(y.size - n_subjects - within_columns),
        converged=bool(opt.success) and k not in (0, grid.size - 1),
    )


def satterthwaite_df(y: FloatArray, X: FloatArray, subject: IntArray, fit: MixedFit, index: int) -> float:
    """Satterthwaite df of ``coef[index]`` (observed REML information, numerical derivatives)."""
    model = _RandomIntercept(y, X, subject)
    theta = np.array([max(fit.var_subject, 1e-12), fit.var_residual])
    h = 1e-4 * theta

    def dev(t: FloatArray) -> float:
        return model.deviance(float(t[0]), float(t[1]))

    hess = np.empty((2, 2))
    for i in range(2):
        for j in range(2):
            ei, ej = np.eye(2)[i] * h[i], np.eye(2)[j] * h[j]
            hess[i, j] = (
                dev(theta + ei + ej) - dev(theta + ei - ej) - dev(theta - ei + ej) + dev(theta - ei - ej)
            ) / (4 * h[i] * h[j])
    # deviance = -2 logL, so the information is hess / 2 and the covariance 2 * inv(hess)
    acov = 2.0 * np.linalg.inv(hess)
    grad = np.array(
        [
            (
                model.coef_variance(
                    float(theta[0] + (i == 0) * h[0]), float(theta[1] + (i == 1) * h[1]), index
                )
                - model.coef_variance(
                    float(theta[0] - (i == 0) * h[0]), float(theta[1] - (i == 1) * h[1]), index
                )
            )
            / (2 * h[i])
            for i in range(2)
        ]
    )
    v = float(fit.cov[index, index])
    return float(2.0 * v * v / (grad @ acov @ grad))
