"""Stratified (multi-centre) risk difference with Cochran-Mantel-Haenszel weights.

Strata run along the **last axis** of ``x1, n1, x2, n2``; leading axes are scenarios. Weights are the
CMH weights ``w_h = n1h n2h / (n1h + n2h)``, normalised to sum to one. The common difference is
``d_MH = sum w_h (p1h - p2h)`` (Mantel & Haenszel 1959). Intervals:

* ``mh``: Wald interval with the Sato (1989) variance, valid both for few large strata and for many
  sparse strata: ``var = (d_MH sum P_h + sum Q_h) / (sum W_h)^2`` with the unnormalised weights ``W_h`` and
  ``P_h = (n1h^2 x2h - n2h^2 x1h + n1h n2h (n2h - n1h)/2) / N_h^2``,
  ``Q_h = (x1h (n2h - x2h) + x2h (n1h - x1h)) / (2 N_h)`` (SAS PROC FREQ ``COMMONRISKDIFF(CL=MH)``);
* ``newcombe`` (default): stratified Newcombe (Yan & Su 2010): for each group the stratified Wilson limits
  solve ``(p_hat - p)^2 = z^2 p (1 - p) sum_h w_h^2 / n_ih`` around ``p_hat = sum w_h p_ih`` and are combined
  by square-and-add as in Newcombe's method 10. With one stratum it is Newcombe's interval.
* ``mn``: stratified Miettinen-Nurminen score interval (Miettinen & Nurminen 1985, section on stratified
  analysis): with weights ``w_h = (1/n1h + 1/n2h)^-1`` (the same CMH weights) the limits solve
  ``Z(delta) = sum w_h (p1h - p2h - delta) / sqrt(sum w_h^2 V_h(delta)) = +/- z``, where
  ``V_h(delta) = (p1h~ (1 - p1h~)/n1h + p2h~ (1 - p2h~)/n2h) N_h / (N_h - 1)`` uses the restricted MLE of
  stratum ``h`` under ``p1h - p2h = delta`` (SAS PROC FREQ ``COMMONRISKDIFF(CL=SCORE)``). With one stratum
  it is the Miettinen-Nurminen interval of :func:`bioparity.clinical.ci_difference`.

A stratum with no subject in one arm carries no information on the difference: it is an error (merge or
remove it explicitly), never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bioparity._results import ResultMixin, interval_text, scenarios, software_version
from bioparity.arrays import FloatArray, broadcast_shape
from bioparity.clinical._checks import check_conf, counts, method_name, z_two_sided
from bioparity.clinical.proportions import square_and_add
from bioparity.clinical.roots import bisect_decreasing
from bioparity.clinical.score import restricted_mle_difference

STRATIFIED_METHODS: dict[str, str] = {
    "newcombe": "stratified Newcombe with CMH weights (Yan & Su 2010)",
    "mh": "Mantel-Haenszel estimate with Sato variance (Wald)",
    "mn": "stratified Miettinen-Nurminen score with CMH weights (Miettinen & Nurminen 1985)",
}


@dataclass(frozen=True, repr=False)
class StratifiedDifferenceCI(ResultMixin):
    """Common risk difference over strata, with its interval, per scenario.

    Scenario arrays have the shape of the inputs without their last (strata) axis.

    Attributes
    ----------
    diff : numpy.ndarray of float
        Mantel-Haenszel common difference ``sum w_h (p1h - p2h)`` (fraction).
    ci_lower, ci_upper : numpy.ndarray of float
        Its two-sided ``conf_level`` interval (method ``method``).
    se_sato : numpy.ndarray of float
        Sato's standard error of ``diff`` (the ``mh`` interval's; reported for every method).
    n_strata : int
        Number of strata (length of the last axis).
    conf_level : numpy.ndarray of float
        Two-sided confidence level.
    method : str
        ``newcombe``, ``mh`` or ``mn`` (:data:`STRATIFIED_METHODS`).
    weights : numpy.ndarray of float
        Normalised CMH weights ``w_h`` (sum 1 over the last axis), in the shape of the inputs.
    software_version : str
        bioparity's version.
    """

    SETTINGS = ("method", "conf_level")
    REPR_FIELDS = ("diff", "ci_lower", "ci_upper", "n_strata", "conf_level", "method")

    diff: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    se_sato: FloatArray
    n_strata: int
    conf_level: FloatArray
    method: str
    weights: FloatArray
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        return (
            f"Common difference p1 - p2 over {self.n_strata} strata ({self.method}){scenarios(self.diff)}: "
            f"{interval_text(self.diff, self.ci_lower, self.ci_upper, self.conf_level)}"
        )


def stratified_wilson(
    x: FloatArray, n: FloatArray, w: FloatArray, z: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weighted proportion ``sum w_h x_h/n_h`` and its stratified Wilson limits (strata on the last axis)."""
    p = np.sum(w * x / n, axis=-1)
    c = z * z * np.sum(w * w / n, axis=-1)
    centre = p + c / 2.0
    half = np.sqrt(c * p * (1.0 - p) + c * c / 4.0)
    lower = np.clip((centre - half) / (1.0 + c), 0.0, 1.0)
    upper = np.clip((centre + half) / (1.0 + c), 0.0, 1.0)
    return np.asarray(p), np.asarray(lower), np.asarray(upper)


def _stratified_score_limits(
    x1: FloatArray,
    n1: FloatArray,
    x2: FloatArray,
    n2: FloatArray,
    w: FloatArray,
    z: FloatArray,
    d: FloatArray,
) -> tuple[FloatArray, FloatArray]:
    """Limits ``{delta : |Z(delta)| <= z}`` of the stratified MN score statistic (strata on the last axis)."""
    p1, p2 = x1 / n1, x2 / n2
    correction = (n1 + n2) / np.maximum(n1 + n2 - 1.0, 1.0)

    def stat(delta: FloatArray) -> FloatArray:
        dh = np.asarray(delta)[..., None]
        r1, r2 = restricted_mle_difference(p1, n1, p2, n2, np.broadcast_to(dh, p1.shape))
        var = (r1 * (1.0 - r1) / n1 + r2 * (1.0 - r2) / n2) * correction
        num = np.sum(w * (p1 - p2 - dh), axis=-1)
        den = np.sqrt(np.sum(w * w * var, axis=-1))
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.sign(num) * np.inf)
        return np.asarray(out, dtype=float)

    lower = bisect_decreasing(stat, -1.0, d, z)
    upper = bisect_decreasing(stat, d, 1.0, -z)
    return lower, upper


def ci_difference_stratified(
    x1: npt.ArrayLike,
    n1: npt.ArrayLike,
    x2: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    method: str = "newcombe",
    conf: npt.ArrayLike = 0.95,
) -> StratifiedDifferenceCI:
    """Common risk difference ``p1 - p2`` over strata (last axis) with CMH weights and a ``conf`` interval.

    Parameters
    ----------
    x1, n1, x2, n2 : array_like of int
        Responders and subjects of group 1 and group 2 per stratum; strata along the last axis,
        scenarios along the leading axes. Every stratum needs ``n >= 1`` in both groups.
    method : {"newcombe", "mh", "mn"}, default "newcombe"
        Stratified Newcombe (Yan & Su 2010), Mantel-Haenszel with Sato's variance, or stratified
        Miettinen-Nurminen score interval (see the module docstring).
    conf : array_like of float, default 0.95
        Two-sided confidence level in (0, 1), per scenario.

    Returns
    -------
    StratifiedDifferenceCI
        The common difference, its interval, Sato's SE and the weights, per scenario.

    Raises
    ------
    InputError
        For an unknown method or inputs that do not broadcast.
    ScenarioError
        For a count or level out of its domain (including a stratum with no subject in one group).

    References
    ----------
    Mantel N, Haenszel W (1959) J Natl Cancer Inst 22:719-748. Sato T (1989) Biometrics 45:1323-1324.
    Yan X, Su XG (2010) Stat Biopharm Res 2:329-335. Miettinen O, Nurminen M (1985) Stat Med
    4:213-226.

    Examples
    --------
    >>> r = ci_difference_stratified([12, 20, 8], [40, 50, 30], [10, 15, 9], [40, 50, 30], method="mh")
    >>> round(float(r.diff), 4), round(float(r.ci_lower), 4), round(float(r.ci_upper), 4)
    (0.05, -0.0665, 0.1665)
    >>> r.weights.round(4).tolist()
    [0.3333, 0.4167, 0.25]
    """
    name = method_name(method, STRATIFIED_METHODS, "for a stratified difference")
    a, b, c, d = counts(x1, n1, x2, n2)
    if a.ndim == 0:
        a, b, c, d = (v[None] for v in (a, b, c, d))
    level = check_conf(conf)
    if level.shape != a.shape[:-1]:  # one level per scenario (the strata are the last axis)
        scenarios = broadcast_shape(**{"conf": level.shape, "counts without their strata axis": a.shape[:-1]})
        level = np.broadcast_to(level, scenarios)
        a, b, c, d = (np.broadcast_to(v, (*scenarios, v.shape[-1])) for v in (a, b, c, d))
    z = z_two_sided(level)
    total = b + d
    big_w = b * d / total
    w = big_w / np.sum(big_w, axis=-1, keepdims=True)
    p1h, p2h = a / b, c / d
    diff = np.sum(w * (p1h - p2h), axis=-1)
    p_term = (b * b * c - d * d * a + b * d * (d - b) / 2.0) / total**2
    q_term = (a * (d - c) + c * (b - a)) / (2.0 * total)
    var = (diff * np.sum(p_term, axis=-1) + np.sum(q_term, axis=-1)) / np.sum(big_w, axis=-1) ** 2
    se = np.sqrt(np.maximum(var, 0.0))
    if name == "mh":
        lower = np.clip(diff - z * se, -1.0, 1.0)
        upper = np.clip(diff + z * se, -1.0, 1.0)
    elif name == "mn":
        lower, upper = _stratified_score_limits(a, b, c, d, w, np.asarray(z, dtype=float), diff)
    else:
        # z is one per scenario, as the sums over the strata (last axis) in stratified_wilson
        lower, upper = square_and_add(diff, stratified_wilson(a, b, w, z), stratified_wilson(c, d, w, z))
    return StratifiedDifferenceCI(
        diff=np.asarray(diff),
        ci_lower=np.asarray(lower),
        ci_upper=np.asarray(upper),
        se_sato=np.asarray(se),
        n_strata=int(a.shape[-1]),
        conf_level=np.asarray(level, dtype=float),
        method=name,
        weights=np.asarray(w),
    )
