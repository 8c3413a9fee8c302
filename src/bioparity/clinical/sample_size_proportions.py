"""Power and sample size for the equivalence of two proportions (difference scale).

Equivalence is concluded when the two-sided ``1 - 2 alpha`` interval for ``p1 - p2`` lies inside
``(margin_lower, margin_upper)``. Two ways to compute the power:

* ``normal``: large-sample approximation for the Wald-type test with the unpooled variance at the true
  proportions, ``se = sqrt(p1 q1/n1 + p2 q2/n2)``,
  ``power = Phi((margin_upper - d)/se - z) + Phi((d - margin_lower)/se - z) - 1``, ``z = z(1 - alpha)``.
  With ``d = 0`` the sample size is Chow, Shao & Wang's (2008, 4.2.4) closed form
  ``n2 = (z(1-alpha) + z(1-beta/2))^2 (p1 q1/k + p2 q2) / margin^2``.
* ``fm``: Farrington & Manning (1990, Stat Med 9:1447-1454): the score test's variance under
  each null ``p1 - p2 = margin`` at the restricted maximum likelihood estimates ``p1~, p2~`` (the
  Farrington-Manning cubic of :func:`~bioparity.clinical.score.restricted_mle_difference` solved at the
  true rates with ``theta = n2/n1``), ``s0(m) = sqrt(p1~ q1~/n1 + p2~ q2~/n2)``, and the unpooled variance
  ``s1`` at the true rates under the alternative:
  ``power = Phi((d - lo - z s0(lo))/s1) + Phi((hi - d - z s0(hi))/s1) - 1``. For non-inferiority alone
  (``margin_upper = 1``: the upper test then rejects with probability ``Phi((1 - d)/s1)``, about 1) the
  sample size is FM's ``n2 = (z(1-alpha) s0 + z(1-beta) s1)^2 / (d - lo)^2`` with ``s0, s1`` per unit of
  ``n2``. The variance is that of the score (FM / Mee) test or interval of the analysis.
* ``exact``: complete enumeration of the ``(n1 + 1)(n2 + 1)`` outcomes, ``power = sum b(x1) b(x2)
  1[CI(x1, x2) inside the margins]`` for the interval method actually used in the analysis
  (``ci_method``: newcombe, newcombe-cc, mn, fm or wald). Exact power is a saw-tooth in n; the exact
  sample size is the smallest n2, scanning upwards from half the normal-approximation n2, whose power
  reaches the target. Meant for small studies: at most :data:`EXACT_N_MAX` subjects per group.

Vectorised over broadcast scenario arrays; the exact enumeration computes the intervals of all outcomes
once per distinct design ``(n1, n2, alpha)`` and reuses them for every scenario with that design.

Example
-------
>>> r = sample_size_equivalence_proportions(p1=0.6, p2=0.6, margin_lower=-0.15, margin_upper=0.15)
>>> int(r.n2)
183
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import special, stats

import bioparity.clinical._design as design
from bioparity._results import ResultMixin, fixed, scenarios, software_version, values_text
from bioparity.arrays import FloatArray, IntArray
from bioparity.clinical._checks import broadcast, check, method_name, z_two_sided
from bioparity.clinical._search import smallest_reaching_n
from bioparity.clinical.proportions import canonical_difference_method, difference_limits
from bioparity.clinical.score import restricted_mle_difference, score_z_difference
from bioparity.errors import SearchError

PROPORTION_POWER_METHODS = ("normal", "fm", "exact")
#: Largest group size for exact enumeration (the outcome grid has (n1 + 1)(n2 + 1) cells).
EXACT_N_MAX = 1000
#: Largest group size searched by the normal approximation.
N_MAX = 100_000_000
#: Two arrays of a scenario: rates ``(p1, p2)``, group sizes ``(n1, n2)`` or margins ``(lower, upper)``.
Pair = tuple[FloatArray, FloatArray]
#: Cells (scenarios x outcomes) evaluated at once in the exact enumeration.
_CHUNK_CELLS = 20_000_000


@dataclass(frozen=True, repr=False)
class ProportionsPowerResult(ResultMixin):
    """Power of the equivalence test for two proportions, per scenario.

    ``alpha`` is the one-sided level of each of the two one-sided tests (Schuirmann 1987).

    Attributes
    ----------
    p1, p2 : numpy.ndarray of float
        True response rates assumed (fractions).
    power, n1, n2, margin_lower, margin_upper, alpha, software_version
        As in :class:`~bioparity.clinical.MeansPowerResult`: power in [0, 1], subjects per group, margins
        (here of ``p1 - p2``, as fractions), one-sided level, version.
    method : str
        ``normal`` (approximation), ``fm`` (Farrington-Manning null variance) or ``exact`` (enumeration of
        all outcomes).
    ci_method : str
        Interval of the analysis used by ``exact`` (a key of
        :data:`~bioparity.clinical.proportions.DIFFERENCE_METHODS`).
    """

    SETTINGS = ("n1", "n2", "p1", "p2", "margin_lower", "margin_upper", "alpha", "method", "ci_method")

    power: FloatArray
    n1: IntArray
    n2: IntArray
    p1: FloatArray
    p2: FloatArray
    margin_lower: FloatArray
    margin_upper: FloatArray
    alpha: FloatArray
    method: str
    ci_method: str
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        return (
            f"Power of the equivalence test for two proportions ({self.method}, CI {self.ci_method})"
            f"{scenarios(self.power)}: {values_text(self.power, fixed)}\n"
            f"n1 {values_text(self.n1)}, n2 {values_text(self.n2)}; p1 {values_text(self.p1)}, "
            f"p2 {values_text(self.p2)}; "
            f"{design.margins_text(self.margin_lower, self.margin_upper, self.alpha)}"
        )


@dataclass(frozen=True, repr=False)
class ProportionsSampleSizeResult(ResultMixin):
    """Smallest group sizes reaching ``target_power`` for the equivalence of two proportions.

    ``alpha`` is the one-sided level of each of the two one-sided tests (Schuirmann 1987).

    Attributes
    ----------
    n1, n2, n_total, power, target_power, ratio
        As in :class:`~bioparity.clinical.MeansSampleSizeResult` (``n1 = ceil(ratio n2)``, at least 1).
    p1, p2, margin_lower, margin_upper, alpha, method, ci_method, software_version
        As in :class:`ProportionsPowerResult`.
    """

    SETTINGS = (
        "p1",
        "p2",
        "margin_lower",
        "margin_upper",
        "alpha",
        "target_power",
        "ratio",
        "method",
        "ci_method",
    )

    n1: IntArray
    n2: IntArray
    n_total: IntArray
    power: FloatArray
    p1: FloatArray
    p2: FloatArray
    margin_lower: FloatArray
    margin_upper: FloatArray
    alpha: FloatArray
    target_power: FloatArray
    ratio: FloatArray
    method: str
    ci_method: str
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        return (
            f"Sample size for the equivalence of two proportions ({self.method}, CI {self.ci_method})"
            f"{scenarios(self.n1)}:\n"
            f"{design.found_text(self.n1, self.n2, self.n_total, self.power, self.target_power)}\n"
            f"p1 {values_text(self.p1)}, p2 {values_text(self.p2)}; "
            f"{design.allocation_text(self.margin_lower, self.margin_upper, self.alpha, self.ratio)}"
        )


def normal_power(
    p1: FloatArray,
    p2: FloatArray,
    n1: FloatArray,
    n2: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    alpha: FloatArray,
) -> FloatArray:
    """Normal-approximation power (module docstring); 0 where the variance vanishes outside the margins."""
    d = p1 - p2
    se = np.sqrt(p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2)
    z = special.ndtri(1.0 - alpha)
    with np.errstate(divide="ignore", invalid="ignore"):
        power = special.ndtr((hi - d) / se - z) + special.ndtr((d - lo) / se - z) - 1.0
    degenerate = np.where((d > lo) & (d < hi), 1.0, 0.0)
    return np.asarray(np.where(se > 0, np.maximum(power, 0.0), degenerate), dtype=float)


def fm_power(
    p1: FloatArray, p2: FloatArray, n1: FloatArray, n2: FloatArray, margins: Pair, alpha: FloatArray
) -> FloatArray:
    """Farrington-Manning power (module docstring): null variances at the restricted MLE of each margin
    ``margins = (lo, hi)``.

    Where the variance under the alternative vanishes (both rates 0 or 1) each test is decided for sure:
    it rejects when ``d - lo > z s0(lo)`` (resp. ``hi - d > z s0(hi)``).
    """
    lo, hi = margins
    d = p1 - p2
    z = special.ndtri(1.0 - alpha)
    s1 = np.sqrt(p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2)
    sides = []
    for margin, distance in ((lo, d - lo), (hi, hi - d)):
        r1, r2 = restricted_mle_difference(p1, n1, p2, n2, np.clip(margin, -1.0, 1.0))
        shift = distance - z * np.sqrt(r1 * (1.0 - r1) / n1 + r2 * (1.0 - r2) / n2)
        with np.errstate(divide="ignore", invalid="ignore"):
            sides.append(np.where(s1 > 0, special.ndtr(shift / s1), np.where(shift > 0, 1.0, 0.0)))
    return np.asarray(np.maximum(sides[0] + sides[1] - 1.0, 0.0), dtype=float)


def _approximate_power(name: str, rates: Pair, sizes: Pair, margins: Pair, alpha: FloatArray) -> FloatArray:
    """Large-sample power of method ``fm`` or ``normal`` (``sizes`` are ``(n1, n2)`` as floats)."""
    if name == "fm":
        return fm_power(*rates, *sizes, margins, alpha)
    return normal_power(*rates, *sizes, *margins, alpha)


def exact_power_design(
    n1: int,
    n2: int,
    alpha: float,
    p1: FloatArray,
    p2: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    ci_method: str,
) -> FloatArray:
    """Exact power of scenarios sharing one design ``(n1, n2, alpha)`` by enumerating all outcomes.

    For the score methods the interval is inside the margins exactly when the score test rejects at both
    margins (``Z(lo) > z`` and ``Z(hi) < -z``, Z decreasing), so no limit needs to be searched for.
    """
    x1 = np.arange(n1 + 1, dtype=float)
    x2 = np.arange(n2 + 1, dtype=float)
    g1, g2 = (v.ravel() for v in np.meshgrid(x1, x2, indexing="ij"))
    k1, k2 = np.full_like(g1, n1), np.full_like(g2, n2)
    z = float(z_two_sided(1.0 - 2.0 * alpha))
    score = ci_method in ("mn", "fm")
    if not score:
        lower, upper = difference_limits(g1, k1, g2, k2, np.full_like(g1, z), ci_method)
    pmf1 = np.asarray(stats.binom.pmf(x1[None, :], n1, p1[:, None]), dtype=float)
    pmf2 = np.asarray(stats.binom.pmf(x2[None, :], n2, p2[:, None]), dtype=float)
    out = np.empty(p1.size)
    chunk = max(1, _CHUNK_CELLS // (4 * g1.size))
    for start in range(0, p1.size, chunk):
        sl = slice(start, start + chunk)
        m_lo, m_hi = lo[sl, None], hi[sl, None]
        if score:
            corrected = ci_method == "mn"
            at_lo = score_z_difference(g1, k1, g2, k2, np.maximum(m_lo, -1.0), corrected)
            at_hi = score_z_difference(g1, k1, g2, k2, np.minimum(m_hi, 1.0), corrected)
            inside = ((m_lo < -1.0) | (at_lo > z)) & ((m_hi > 1.0) | (at_hi < -z))
        else:
            inside = (lower[None, :] > m_lo) & (upper[None, :] < m_hi)
        w = (pmf1[sl, :, None] * pmf2[sl, None, :]).reshape(inside.shape[0], -1)
        out[sl] = np.sum(w * inside, axis=1)
    return out


def exact_power(
    p1: FloatArray,
    p2: FloatArray,
    n1: IntArray,
    n2: IntArray,
    lo: FloatArray,
    hi: FloatArray,
    alpha: FloatArray,
    ci_method: str,
) -> FloatArray:
    """Exact power for flat scenario arrays, grouped by distinct design."""
    out = np.empty(p1.size)
    designs = np.stack([n1.astype(float), n2.astype(float), alpha], axis=1)
    uniq, inverse = np.unique(designs, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    for g, (k1, k2, a) in enumerate(uniq):
        sel = np.flatnonzero(inverse == g)
        out[sel] = exact_power_design(
            int(k1), int(k2), float(a), p1[sel], p2[sel], lo[sel], hi[sel], ci_method
        )
    return out


def _check_common(p1: FloatArray, p2: FloatArray, lo: FloatArray, hi: FloatArray, alpha: FloatArray) -> None:
    for label, p in (("p1", p1), ("p2", p2)):
        check(np.isfinite(p) & (p >= 0) & (p <= 1), label, p, "a proportion between 0 and 1")
    design.check_margins(lo, hi)
    design.check_proportion_difference_margins(lo, hi)
    design.check_tost_alpha(alpha)


def _methods(method: str, ci_method: str) -> tuple[str, str]:
    return method_name(method, PROPORTION_POWER_METHODS), canonical_difference_method(ci_method)


def power_equivalence_proportions(
    *,
    p1: npt.ArrayLike,
    p2: npt.ArrayLike,
    n1: npt.ArrayLike,
    n2: npt.ArrayLike,
    margin_lower: npt.ArrayLike,
    margin_upper: npt.ArrayLike,
    alpha: npt.ArrayLike = 0.05,
    method: str = "normal",
    ci_method: str = "newcombe",
) -> ProportionsPowerResult:
    """Power to conclude equivalence of two response rates (``ci_method`` is used by ``method="exact"``).

    Parameters
    ----------
    p1, p2 : array_like of float
        True response rates of group 1 and group 2, in [0, 1].
    n1, n2 : array_like of int
        Subjects per group, whole numbers >= 1 (at most :data:`EXACT_N_MAX` for ``exact``).
    margin_lower, margin_upper : array_like of float
        Equivalence margins of ``p1 - p2`` (fractions within [-1, 1]), ``margin_lower < margin_upper``.
    alpha : array_like of float, default 0.05
        One-sided level of each test, in (0, 0.5) (0.05: 90% CI; 0.025: 95% CI).
    method : {"normal", "fm", "exact"}, default "normal"
        Normal approximation (unpooled variance), Farrington-Manning (null variance at the restricted MLE
        of each margin; the variance of the score test) or exact enumeration of the outcomes.
    ci_method : {"newcombe", "newcombe-cc", "mn", "fm", "wald"}, default "newcombe"
        Interval of the analysis, for ``exact``.

    Returns
    -------
    ProportionsPowerResult
        The power per scenario, with the settings used.

    Raises
    ------
    InputError
        For an unknown method or interval, or inputs that do not broadcast.
    ScenarioError
        For an input out of its domain (including more than :data:`EXACT_N_MAX` per group for
        ``exact``).

    References
    ----------
    Chow SC, Shao J, Wang H (2008) Sample Size Calculations in Clinical Research, 2nd ed., section 4.2.4.
    Farrington CP, Manning G (1990) Stat Med 9:1447-1454. Newcombe RG (1998) Stat Med 17:873-890.

    Examples
    --------
    >>> r = power_equivalence_proportions(p1=0.6, p2=0.6, n1=183, n2=183, margin_lower=-0.15,
    ...                                   margin_upper=0.15, method="exact")
    >>> round(float(r.power), 4)
    0.8178
    """
    name, ci_name = _methods(method, ci_method)
    q1, q2, k1, k2, lo, hi, a = broadcast(
        p1=p1, p2=p2, n1=n1, n2=n2, margin_lower=margin_lower, margin_upper=margin_upper, alpha=alpha
    )
    _check_common(q1, q2, lo, hi, a)
    design.check_group_sizes(k1, k2, 1)
    if name == "exact":
        check(
            np.maximum(k1, k2) <= EXACT_N_MAX,
            "n2",
            np.maximum(k1, k2),
            f"at most {EXACT_N_MAX} per group for exact",
        )
        flat = [v.ravel() for v in (q1, q2, lo, hi, a)]
        power = exact_power(
            flat[0],
            flat[1],
            k1.ravel().astype(np.int64),
            k2.ravel().astype(np.int64),
            flat[2],
            flat[3],
            flat[4],
            ci_name,
        ).reshape(q1.shape)
    else:
        power = _approximate_power(name, (q1, q2), (k1, k2), (lo, hi), a)
    fields = design.power_fields(k1, k2, lo, hi, a)
    return ProportionsPowerResult(
        power=np.asarray(power), p1=q1, p2=q2, method=name, ci_method=ci_name, **fields
    )


def sample_size_equivalence_proportions(
    *,
    p1: npt.ArrayLike,
    p2: npt.ArrayLike,
    margin_lower: npt.ArrayLike,
    margin_upper: npt.ArrayLike,
    alpha: npt.ArrayLike = 0.05,
    target_power: npt.ArrayLike = 0.80,
    ratio: npt.ArrayLike = 1.0,
    method: str = "normal",
    ci_method: str = "newcombe",
) -> ProportionsSampleSizeResult:
    """Smallest ``n2`` (``n1 = ceil(ratio n2)``) with power >= ``target_power``; ``p1 - p2`` strictly inside
    the margins. ``method="exact"`` enumerates outcomes for the interval ``ci_method`` (small n only).

    Parameters
    ----------
    p1, p2, margin_lower, margin_upper, alpha, method, ci_method
        As in :func:`power_equivalence_proportions`; ``p1 - p2`` must lie strictly inside the margins.
    target_power : array_like of float, default 0.80
        Power to reach, in (0, 1).
    ratio : array_like of float, default 1.0
        Allocation ratio ``n1 / n2``, > 0.

    Returns
    -------
    ProportionsSampleSizeResult
        Group sizes, total and power reached per scenario, with the settings used.

    Raises
    ------
    InputError
        For an unknown method or interval, or inputs that do not broadcast.
    ScenarioError
        For an input out of its domain.
    SearchError
        When the target is not reached within :data:`N_MAX` (normal) or :data:`EXACT_N_MAX` (exact)
        subjects per group.

    References
    ----------
    Chow SC, Shao J, Wang H (2008) Sample Size Calculations in Clinical Research, 2nd ed., section 4.2.4.
    Farrington CP, Manning G (1990) Stat Med 9:1447-1454 (``method="fm"``).

    Examples
    --------
    >>> r = sample_size_equivalence_proportions(p1=0.6, p2=0.6, margin_lower=-0.2, margin_upper=0.2,
    ...                                         method="exact")
    >>> int(r.n2), round(float(r.power), 4)
    (101, 0.8164)
    """
    name, ci_name = _methods(method, ci_method)
    q1, q2, lo, hi, a, tgt, k = broadcast(
        p1=p1,
        p2=p2,
        margin_lower=margin_lower,
        margin_upper=margin_upper,
        alpha=alpha,
        target_power=target_power,
        ratio=ratio,
    )
    _check_common(q1, q2, lo, hi, a)
    d = q1 - q2
    design.check_inside_margins("p1 - p2", d, lo, hi)
    design.check_target(tgt, k)
    fq1, fq2, flo, fhi, fa, ftgt, fk = (v.ravel() for v in (q1, q2, lo, hi, a, tgt, k))

    approximate = "fm" if name == "fm" else "normal"

    def reaches(n2: IntArray, idx: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
        n1 = design.allocated_n1(fk[idx], n2, 1).astype(float)
        rates, margins = (fq1[idx], fq2[idx]), (flo[idx], fhi[idx])
        p = _approximate_power(approximate, rates, (n1, n2.astype(float)), margins, fa[idx])
        return np.asarray(p >= ftgt[idx])

    n2 = smallest_reaching_n(reaches, np.ones(fq1.size, dtype=np.int64), N_MAX)
    if name == "exact":
        n2 = _exact_search(fq1, fq2, flo, fhi, fa, ftgt, fk, n2, ci_name)
    n1 = design.allocated_n1(fk, n2, 1)
    if name == "exact":
        power = exact_power(fq1, fq2, n1, n2, flo, fhi, fa, ci_name)
    else:
        power = _approximate_power(name, (fq1, fq2), (n1.astype(float), n2.astype(float)), (flo, fhi), fa)
    found = design.sample_size_fields(n1, n2, power, q1.shape, lo, hi, a, tgt, k)
    return ProportionsSampleSizeResult(p1=q1, p2=q2, method=name, ci_method=ci_name, **found)


def _exact_search(
    p1: FloatArray,
    p2: FloatArray,
    lo: FloatArray,
    hi: FloatArray,
    alpha: FloatArray,
    target: FloatArray,
    ratio: FloatArray,
    n_normal: IntArray,
    ci_method: str,
) -> IntArray:
    """Scan n2 upwards (one step for all unfinished scenarios) from half the normal-approximation n2."""
    start = np.maximum(n_normal // 2, 1)
    result = np.zeros(p1.size, dtype=np.int64)
    pending = np.ones(p1.size, dtype=bool)
    n2 = int(start.min())
    while pending.any():
        if (
            n2 > EXACT_N_MAX
            or design.allocated_n1(ratio[pending], np.full(int(pending.sum()), n2), 1).max() > EXACT_N_MAX
        ):
            first = int(np.flatnonzero(pending)[0])
            raise SearchError(
                f"scenario {first}: exact power does not reach the target with up to {EXACT_N_MAX} subjects "
                "per group; use method='normal' for large studies"
            )
        idx = np.flatnonzero(pending & (start <= n2))
        if idx.size:
            n1 = design.allocated_n1(ratio[idx], np.full(idx.size, n2), 1)
            power = exact_power(
                p1[idx], p2[idx], n1, np.full(idx.size, n2), lo[idx], hi[idx], alpha[idx], ci_method
            )
            ok = power >= target[idx]
            result[idx[ok]] = n2
            pending[idx[ok]] = False
        n2 += 1
    return result
