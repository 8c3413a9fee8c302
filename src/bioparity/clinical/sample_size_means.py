"""Power and sample size for the equivalence of two means (parallel groups, additive margins).

Equivalence is concluded when the two-sided ``1 - 2 alpha`` pooled-t interval for ``mean1 - mean2`` lies
inside ``(margin_lower, margin_upper)``. With ``sem = sd sqrt(1/n1 + 1/n2)``, ``df = n1 + n2 - 2``:

* ``exact``: the probability that both one-sided t tests reject, by Owen's Q (the same kernel as
  :func:`bioparity.power.power_tost`; PowerTOST ``power.TOST(logscale = FALSE, design = "parallel")``);
* ``normal``: ``Phi((margin_upper - diff)/sem - z) + Phi((diff - margin_lower)/sem - z) - 1`` with
  ``z = z(1 - alpha)``. With ``diff = 0`` its sample size is Chow, Shao & Wang's (2008, 3.2.4)
  ``n2 = (z(1-alpha) + z(1-beta/2))^2 sd^2 (1 + 1/k) / margin^2``.

``ratio = n1/n2`` (allocation); sizes are per group, ``n1 = ceil(ratio n2)``. Vectorised over broadcast
scenario arrays.

Example
-------
>>> r = sample_size_equivalence_means(diff=0.0, sd=1.0, margin_lower=-0.5, margin_upper=0.5)
>>> int(r.n1), int(r.n2)
(70, 70)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import special

import bioparity.clinical._design as design
from bioparity._results import ResultMixin, fixed, scenarios, software_version, values_text
from bioparity.arrays import FloatArray, IntArray
from bioparity.clinical._checks import broadcast, check, method_name
from bioparity.clinical._search import smallest_reaching_n
from bioparity.power.kernels import critical_t, power_exact

MEAN_POWER_METHODS = ("exact", "normal")
#: Largest group size searched.
N_MAX = 10_000_000
#: Newton steps of the start value (:func:`_start_n2`).
START_STEPS = 4


@dataclass(frozen=True, repr=False)
class MeansPowerResult(ResultMixin):
    """Power of the equivalence test for two means, per scenario.

    ``alpha`` is the one-sided level of each of the two one-sided tests (Schuirmann 1987). Arrays have
    the broadcast shape of the inputs; differences, SDs and margins are in the endpoint's unit.

    Attributes
    ----------
    power : numpy.ndarray of float
        Probability of concluding equivalence, in [0, 1].
    n1, n2 : numpy.ndarray of int
        Subjects per group.
    diff : numpy.ndarray of float
        True difference ``mean1 - mean2`` assumed.
    sd : numpy.ndarray of float
        Common standard deviation of the endpoint.
    margin_lower, margin_upper : numpy.ndarray of float
        Equivalence margins of the difference.
    alpha : numpy.ndarray of float
        One-sided level of each test (0.05: 90% CI; 0.025: 95% CI).
    method : str
        ``exact`` (Owen's Q, t distribution) or ``normal``.
    software_version : str
        bioparity's version.
    """

    SETTINGS = ("n1", "n2", "diff", "sd", "margin_lower", "margin_upper", "alpha", "method")

    power: FloatArray
    n1: IntArray
    n2: IntArray
    diff: FloatArray
    sd: FloatArray
    margin_lower: FloatArray
    margin_upper: FloatArray
    alpha: FloatArray
    method: str
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        return (
            f"Power of the equivalence test for two means ({self.method}){scenarios(self.power)}: "
            f"{values_text(self.power, fixed)}\n"
            f"n1 {values_text(self.n1)}, n2 {values_text(self.n2)}; difference {values_text(self.diff)}, "
            f"SD {values_text(self.sd)}; "
            f"{design.margins_text(self.margin_lower, self.margin_upper, self.alpha)}"
        )


@dataclass(frozen=True, repr=False)
class MeansSampleSizeResult(ResultMixin):
    """Smallest group sizes reaching ``target_power`` for the equivalence of two means.

    ``alpha`` is the one-sided level of each of the two one-sided tests (Schuirmann 1987).

    Attributes
    ----------
    n1, n2 : numpy.ndarray of int
        Subjects per group: the smallest ``n2``, and ``n1 = ceil(ratio n2)`` (at least 2).
    n_total : numpy.ndarray of int
        ``n1 + n2``.
    power : numpy.ndarray of float
        Power reached at ``(n1, n2)``, at least ``target_power``.
    target_power : numpy.ndarray of float
        The power to reach, in (0, 1).
    ratio : numpy.ndarray of float
        Allocation ratio ``n1 / n2``.
    diff, sd, margin_lower, margin_upper, alpha, method, software_version
        As in :class:`MeansPowerResult`.
    """

    SETTINGS = ("diff", "sd", "margin_lower", "margin_upper", "alpha", "target_power", "ratio", "method")

    n1: IntArray
    n2: IntArray
    n_total: IntArray
    power: FloatArray
    diff: FloatArray
    sd: FloatArray
    margin_lower: FloatArray
    margin_upper: FloatArray
    alpha: FloatArray
    target_power: FloatArray
    ratio: FloatArray
    method: str
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        return (
            f"Sample size for the equivalence of two means ({self.method}){scenarios(self.n1)}: "
            f"{design.found_text(self.n1, self.n2, self.n_total, self.power, self.target_power)}\n"
            f"difference {values_text(self.diff)}, SD {values_text(self.sd)}; "
            f"{design.allocation_text(self.margin_lower, self.margin_upper, self.alpha, self.ratio)}"
        )


def means_power_core(
    diff: FloatArray,
    sd: FloatArray,
    n1: FloatArray,
    n2: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    alpha: FloatArray,
    method: str,
) -> FloatArray:
    """Unchecked power for clean arrays (see the module docstring for the formulas)."""
    sem = sd * np.sqrt(1.0 / n1 + 1.0 / n2)
    if method == "exact":
        df = n1 + n2 - 2.0
        return power_exact(df, critical_t(alpha, df), (diff - lo) / sem, (diff - hi) / sem)
    z = special.ndtri(1.0 - alpha)
    power = special.ndtr((hi - diff) / sem - z) + special.ndtr((diff - lo) / sem - z) - 1.0
    return np.asarray(np.maximum(power, 0.0), dtype=float)


def _start_n2(
    diff: FloatArray,
    sd: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    alpha: FloatArray,
    target: FloatArray,
    ratio: FloatArray,
    method: str,
) -> FloatArray:
    """Start for the search of ``n2``: the root of an approximate power for a continuous ``n2``, less 0.6.

    Power is about ``F(A/sem - q) + F(B/sem - q) - 1`` with ``A, B`` the distances from ``diff`` to the
    margins and ``sem = sd sqrt((1 + 1/ratio)/n2)``: for ``normal`` ``F = Phi`` and ``q = z(1 - alpha)``
    (the normal power itself), for ``exact`` the shifted central t (Chow & Liu 2009, 9.6), with the t
    quantile by its Cornish-Fisher expansion and the t CDF by ``Phi(g (1 - 1/(4 df)) / sqrt(1 + g^2/(2 df)))``
    (Abramowitz & Stegun 26.7.8). Newton steps start from the one-sided solution for the nearer margin.
    The shifted t overstates the exact ``n2`` by 0.1 to 1.3, so the search starts at ``ceil(root - 0.6)``,
    mostly the answer or one below it: two exact power evaluations per scenario. The search makes the
    answer exact from any start.
    """
    spread = sd * np.sqrt(1.0 + 1.0 / ratio)  # sem = spread / sqrt(n2)
    near, far = np.minimum(hi - diff, diff - lo), np.maximum(hi - diff, diff - lo)
    z = special.ndtri(1.0 - alpha)
    n2 = np.maximum(((z + special.ndtri(target)) * spread / near) ** 2, 1.0)
    exact = method == "exact"
    for _ in range(START_STEPS):
        df = np.maximum(n2 * (1.0 + ratio) - 2.0, 1.0)
        q = _t_quantile(z, df) if exact else z
        root_n = np.sqrt(n2)
        g_near, g_far = near * root_n / spread - q, far * root_n / spread - q
        if exact:
            g_near, g_far = _t_to_normal(g_near, df), _t_to_normal(g_far, df)
        power = special.ndtr(g_near) + special.ndtr(g_far) - 1.0
        slope = (_density(g_near) * near + _density(g_far) * far) / (2.0 * spread * root_n)
        n2 = np.maximum(n2 + (target - power) / slope, 1.0)
    return np.asarray(n2 - 0.6, dtype=float)


def _t_quantile(z: FloatArray, df: FloatArray) -> FloatArray:
    """Student's t quantile from the normal one, Cornish-Fisher to 1/df^3 (Abramowitz & Stegun 26.7.5)."""
    z2 = z * z
    return np.asarray(
        z
        + z * (z2 + 1.0) / (4.0 * df)
        + z * ((5.0 * z2 + 16.0) * z2 + 3.0) / (96.0 * df**2)
        + z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / (384.0 * df**3),
        dtype=float,
    )


def _t_to_normal(g: FloatArray, df: FloatArray) -> FloatArray:
    """The normal deviate with about the t CDF of ``g`` (Abramowitz & Stegun 26.7.8)."""
    return np.asarray(g * (1.0 - 0.25 / df) / np.sqrt(1.0 + g * g / (2.0 * df)), dtype=float)


def _density(g: FloatArray) -> FloatArray:
    return np.asarray(np.exp(-0.5 * g * g) / np.sqrt(2.0 * np.pi), dtype=float)


def _check_common(
    diff: FloatArray, sd: FloatArray, lo: FloatArray, hi: FloatArray, alpha: FloatArray
) -> None:
    check(np.isfinite(sd) & (sd > 0), "sd", sd, "a standard deviation > 0")
    design.check_margins(lo, hi)
    check(np.isfinite(diff), "diff", diff, "a finite true difference")
    design.check_tost_alpha(alpha)


def power_equivalence_means(
    *,
    diff: npt.ArrayLike,
    sd: npt.ArrayLike,
    n1: npt.ArrayLike,
    n2: npt.ArrayLike,
    margin_lower: npt.ArrayLike,
    margin_upper: npt.ArrayLike,
    alpha: npt.ArrayLike = 0.05,
    method: str = "exact",
) -> MeansPowerResult:
    """Power of the equivalence test for ``mean1 - mean2`` with true difference ``diff`` and common ``sd``.

    The test concludes equivalence when the two-sided ``1 - 2 alpha`` pooled-t interval lies inside the
    margins; all arguments broadcast (see the module docstring for both methods).

    Parameters
    ----------
    diff : array_like of float
        True difference ``mean1 - mean2`` (endpoint's unit), finite.
    sd : array_like of float
        Common standard deviation, > 0.
    n1, n2 : array_like of int
        Subjects per group, whole numbers >= 2.
    margin_lower, margin_upper : array_like of float
        Equivalence margins, finite, ``margin_lower < margin_upper``.
    alpha : array_like of float, default 0.05
        One-sided level of each test, in (0, 0.5) (0.05: 90% CI; 0.025: 95% CI).
    method : {"exact", "normal"}, default "exact"
        Exact t power by Owen's Q (PowerTOST ``power.TOST(logscale = FALSE, design = "parallel")``) or
        the normal approximation.

    Returns
    -------
    MeansPowerResult
        The power per scenario, with the settings used.

    Raises
    ------
    InputError
        For an unknown method or inputs that do not broadcast.
    ScenarioError
        For an input out of its domain, naming the parameter and the first scenario.

    References
    ----------
    Schuirmann DJ (1987) J Pharmacokinet Biopharm 15:657-680. Owen DB (1965) Biometrika 52:437-446.
    Chow SC, Shao J, Wang H (2008) Sample Size Calculations in Clinical Research, 2nd ed., section 3.2.4.

    Examples
    --------
    >>> r = power_equivalence_means(diff=0.0, sd=1.0, n1=70, n2=70, margin_lower=-0.5, margin_upper=0.5)
    >>> round(float(r.power), 4)
    0.8059
    """
    name = method_name(method, MEAN_POWER_METHODS)
    d, s, k1, k2, lo, hi, a = broadcast(
        diff=diff, sd=sd, n1=n1, n2=n2, margin_lower=margin_lower, margin_upper=margin_upper, alpha=alpha
    )
    _check_common(d, s, lo, hi, a)
    design.check_group_sizes(k1, k2, 2)
    power = means_power_core(d, s, k1, k2, lo, hi, a, name)
    return MeansPowerResult(
        power=np.asarray(power), diff=d, sd=s, method=name, **design.power_fields(k1, k2, lo, hi, a)
    )


def sample_size_equivalence_means(
    *,
    diff: npt.ArrayLike,
    sd: npt.ArrayLike,
    margin_lower: npt.ArrayLike,
    margin_upper: npt.ArrayLike,
    alpha: npt.ArrayLike = 0.05,
    target_power: npt.ArrayLike = 0.80,
    ratio: npt.ArrayLike = 1.0,
    method: str = "exact",
) -> MeansSampleSizeResult:
    """Smallest ``n2`` (and ``n1 = ceil(ratio n2)``) with power >= ``target_power``; ``diff`` strictly inside
    the margins. Power increases with n for both methods, so the search gives the smallest n exactly.

    Parameters
    ----------
    diff, sd, margin_lower, margin_upper, alpha, method
        As in :func:`power_equivalence_means`; ``diff`` must lie strictly inside the margins.
    target_power : array_like of float, default 0.80
        Power to reach, in (0, 1).
    ratio : array_like of float, default 1.0
        Allocation ratio ``n1 / n2`` (> 0; 2 for 2:1).

    Returns
    -------
    MeansSampleSizeResult
        Group sizes, total and power reached per scenario, with the settings used.

    Raises
    ------
    InputError
        For an unknown method or inputs that do not broadcast.
    ScenarioError
        For an input out of its domain (including ``diff`` not strictly inside the margins).
    SearchError
        When the target is not reached with :data:`N_MAX` subjects per group.

    References
    ----------
    Chow SC, Shao J, Wang H (2008) Sample Size Calculations in Clinical Research, 2nd ed., section 3.2.4.
    Labes D, Schuetz H, Lang B. PowerTOST (R package), ``sampleN.TOST(logscale = FALSE)``.

    Examples
    --------
    >>> r = sample_size_equivalence_means(diff=0.1, sd=1.2, margin_lower=-0.6, margin_upper=0.6,
    ...                                   alpha=0.025, target_power=0.9, ratio=2)
    >>> int(r.n1), int(r.n2), round(float(r.power), 4)
    (186, 93, 0.9004)
    """
    name = method_name(method, MEAN_POWER_METHODS)
    d, s, lo, hi, a, tgt, k = broadcast(
        diff=diff,
        sd=sd,
        margin_lower=margin_lower,
        margin_upper=margin_upper,
        alpha=alpha,
        target_power=target_power,
        ratio=ratio,
    )
    _check_common(d, s, lo, hi, a)
    design.check_inside_margins("diff", d, lo, hi)
    design.check_target(tgt, k)
    flat = [v.ravel() for v in (d, s, lo, hi, a, tgt, k)]
    fd, fs, flo, fhi, fa, ftgt, fk = flat

    # The power at the smallest n2 found to reach the target so far (the answer's power at the end).
    best_n2 = np.full(fd.size, N_MAX + 1, dtype=np.int64)
    power = np.full(fd.size, np.nan)

    def reaches(n2: IntArray, idx: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        n1 = design.allocated_n1(fk[idx], n2, 2).astype(float)
        p = means_power_core(fd[idx], fs[idx], n1, n2.astype(float), flo[idx], fhi[idx], fa[idx], name)
        ok = p >= ftgt[idx]
        better = ok & (n2 < best_n2[idx])
        best_n2[idx[better]], power[idx[better]] = n2[better], p[better]
        return np.asarray(ok)

    start = _start_n2(fd, fs, flo, fhi, fa, ftgt, fk, name)
    n2 = smallest_reaching_n(reaches, np.full(fd.size, 2, dtype=np.int64), N_MAX, start)
    n1 = design.allocated_n1(fk, n2, 2)
    found = design.sample_size_fields(n1, n2, power, d.shape, lo, hi, a, tgt, k)
    return MeansSampleSizeResult(diff=d, sd=s, method=name, **found)
