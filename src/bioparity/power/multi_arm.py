"""Sample size of a k-arm parallel PK similarity study for a target *joint* power.

A biosimilar mAb PK study in healthy volunteers usually has three parallel arms (candidate, EU- and
US-sourced reference) and passes only if every required pairwise comparison passes for every required
PK metric (EMA/CHMP/BMWP/403543/2010 section 4.2; FDA "Clinical Pharmacology Data to Support a
Demonstration of Biosimilarity", 2016, section IV.B). Each comparison is a TOST at level ``alpha``
(90% CI of the geometric mean ratio within ``[theta1, theta2]``, Schuirmann 1987), analysed on log values
with the variance model of :func:`bioparity.be.similarity.pk_similarity`:

* ``welch`` (default): per comparison, ``se^2 = s_i^2/n_i + s_j^2/n_j`` with Welch-Satterthwaite df
  (Welch 1947; FDA Guidance "Statistical Approaches to Establishing Bioequivalence", 2001, section VI.C:
  equal variances should not be assumed in parallel designs);
* ``pooled``: one residual variance over all k arms, ``df = k (n - 1)``.

Model: on the log scale each arm ``a`` and metric ``m`` are normal with mean ``log ratio[a, m]`` and
``sd[a, m] = sqrt(log(1 + cv[a, m]^2))``; metrics of one subject are correlated (``correlation``).
With ``n`` completers per arm the arm's sample means are ``N(mu_a, Sigma_a / n)`` and independent of its
sample covariance, which is ``Wishart(n - 1, Sigma_a) / (n - 1)``; the simulation draws exactly these
sufficient statistics (Bartlett decomposition, Bartlett 1933; Anderson 2003 section 7.2) instead of
subjects, so each study costs ``O(k M^2)`` numbers whatever ``n``. Draws are common random numbers over
``n`` (the chi-square variates by inverse CDF of fixed uniforms), so the estimated power is smooth in
``n`` and the search is a bracket + bisection on ``n`` with every step one vectorised evaluation of all
studies.

When exactly one (comparison, metric) must pass, the variance model is ``pooled`` and all arms share
that metric's CV, the power is exact: Owen's Q (:func:`bioparity.power.kernels.power_exact`) with
``df = k (n - 1)`` and ``sem = sd sqrt(2 / n)``; for two arms this is PowerTOST ``sampleN.TOST``
for a parallel design (total ``2 n``).

Enrolled per arm = ``ceil(n / (1 - dropout))``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
from scipy import special, stats

from bioparity._results import ResultMixin, percent, software_version
from bioparity.arrays import FloatArray
from bioparity.errors import InputError, SearchError
from bioparity.power._bracket import smallest_reaching
from bioparity.power.acceptance import VARIANCE_MODELS as VARIANCE_MODELS
from bioparity.power.acceptance import arm_comparison_settings
from bioparity.power.kernels import critical_t, power_exact
from bioparity.seeding import check_seed

#: Default arms of a biosimilar mAb PK study (candidate, EU- and US-sourced reference).
DEFAULT_ARMS: tuple[str, ...] = ("test", "eu-ref", "us-ref")
#: Planning ratios: candidate 0.95 of both references, references equal (the usual planning assumption
#: of three-arm PK similarity studies in healthy volunteers).
DEFAULT_RATIOS: tuple[float, ...] = (0.95, 1.0, 1.0)
N_MAX = 100_000


@dataclass(frozen=True, repr=False)
class MultiArmSampleSize(ResultMixin):
    """Completers and enrolled per arm for the target joint power, with the settings used.

    ``power`` is the joint power at ``n_per_arm`` (``power_se`` its Monte Carlo SE, 0 when exact);
    ``power_below`` the power at ``n_per_arm - 1`` (below the target). ``alpha`` is the one-sided level
    of each of the two one-sided tests of every comparison, ``conf_level = 1 - 2 alpha`` the level of its CI.
    """

    SETTINGS = (
        "method", "target_power", "arms", "ratios", "metrics", "cv", "correlation", "comparisons",
        "required_metrics", "variance", "alpha", "theta1", "theta2", "dropout", "n_sim", "seed",
    )  # fmt: skip
    REPR_FIELDS = (
        "n_per_arm", "enrolled_per_arm", "power", "power_se", "method", "arms", "metrics", "conf_level",
    )  # fmt: skip

    n_per_arm: int
    enrolled_per_arm: int
    n_total: int
    enrolled_total: int
    power: float
    power_se: float
    power_below: float
    method: str
    target_power: float
    arms: tuple[str, ...]
    ratios: tuple[tuple[float, ...], ...]
    metrics: tuple[str, ...]
    cv: tuple[tuple[float, ...], ...]
    correlation: float
    comparisons: tuple[str, ...]
    required_metrics: tuple[str, ...]
    variance: str
    alpha: float
    conf_level: float
    theta1: float
    theta2: float
    dropout: float
    n_sim: int
    seed: int
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        se = f"MC SE {self.power_se:.4f}; " if self.power_se > 0 else ""
        return (
            f"k-arm PK similarity sample size ({self.method}): {self.n_per_arm} per arm (enrolled "
            f"{self.enrolled_per_arm}, total {self.enrolled_total}), joint power "
            f"{self.power:.4f} ({se}target {self.target_power:g})\n"
            f"arms {', '.join(self.arms)}; {len(self.comparisons)} comparison(s) x "
            f"{len(self.metrics)} metric(s); "
            f"{100 * self.conf_level:g}% CI within {percent(self.theta1)} to {percent(self.theta2)}"
        )


@dataclass(frozen=True)
class _Plan:
    k: int
    log_mean: FloatArray  # (k, M)
    chol: FloatArray  # (k, M, M): Cholesky factor of each arm's covariance of log values
    sd: FloatArray  # (k, M)
    pairs: tuple[tuple[int, int], ...]
    metric_idx: tuple[int, ...]
    variance: str
    alpha: float
    lower: float
    upper: float


def _as_matrix(value: npt.ArrayLike, k: int, n_metrics: int, what: str) -> FloatArray:
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        arr = np.full((k, n_metrics), float(arr))
    elif arr.ndim == 1 and arr.size == n_metrics and what == "cv":
        arr = np.tile(arr, (k, 1))
    elif arr.ndim == 1 and arr.size == k:
        arr = np.repeat(arr[:, None], n_metrics, axis=1)
    if arr.shape != (k, n_metrics):
        raise InputError(
            f"{what} has shape {arr.shape}; expected one value, one per "
            f"{'metric' if what == 'cv' else 'arm'} or an arms x metrics table ({k} x {n_metrics})"
        )
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise InputError(f"{what} values must be positive numbers; got {arr.tolist()}")
    return arr


def _parse_comparisons(
    comparisons: Sequence[str] | None, arms: tuple[str, ...]
) -> tuple[tuple[int, int], ...]:
    all_pairs = tuple((i, j) for i in range(len(arms)) for j in range(i + 1, len(arms)))
    if comparisons is None:
        return all_pairs
    out: list[tuple[int, int]] = []
    for text in comparisons:
        parts = [p.strip() for p in str(text).split("/")]
        if len(parts) != 2 or parts[0] not in arms or parts[1] not in arms or parts[0] == parts[1]:
            raise InputError(
                f"comparison {text!r} is not 'armA/armB' with two different arms of {', '.join(arms)}"
            )
        i, j = arms.index(parts[0]), arms.index(parts[1])
        out.append((min(i, j), max(i, j)))
    if not out:
        raise InputError("at least one comparison must be required to pass")
    return tuple(dict.fromkeys(out))


def _plan(
    arms: Sequence[str],
    ratios: npt.ArrayLike,
    cv: npt.ArrayLike,
    metrics: Sequence[str],
    correlation: float,
    comparisons: Sequence[str] | None,
    required_metrics: Sequence[str] | None,
    variance: str,
    alpha: float,
    theta1: float,
    theta2: float | None,
) -> tuple[_Plan, tuple[str, ...], tuple[str, ...], FloatArray, FloatArray]:
    arm_list, theta1, t2 = arm_comparison_settings(arms, variance, alpha, theta1, theta2)
    arm_t = tuple(arm_list)
    met_t = tuple(str(m) for m in metrics)
    if not met_t or len(set(met_t)) != len(met_t):
        raise InputError(f"need at least one metric, each once; got {list(met_t)}")
    k, n_met = len(arm_t), len(met_t)
    if not -1.0 / max(n_met - 1, 1) < correlation < 1.0 and n_met > 1:
        raise InputError(f"correlation between metrics must be in (-1/(M-1), 1); got {correlation}")
    ratio_m = _as_matrix(ratios, k, n_met, "ratios")
    cv_m = _as_matrix(cv, k, n_met, "cv")
    req = met_t if required_metrics is None else tuple(str(m) for m in required_metrics)
    unknown = [m for m in req if m not in met_t]
    if unknown or not req:
        raise InputError(f"required metric(s) {unknown or '(none)'} not among the metrics {', '.join(met_t)}")
    pairs = _parse_comparisons(comparisons, arm_t)
    sd = np.sqrt(np.log1p(cv_m**2))
    corr = np.full((n_met, n_met), float(correlation)) + (1.0 - float(correlation)) * np.eye(n_met)
    chol = sd[:, :, None] * np.linalg.cholesky(corr)[None, :, :]
    plan = _Plan(
        k=k,
        log_mean=np.log(ratio_m),
        chol=chol,
        sd=sd,
        pairs=pairs,
        metric_idx=tuple(met_t.index(m) for m in dict.fromkeys(req)),
        variance=variance,
        alpha=float(alpha),
        lower=math.log(theta1),
        upper=math.log(t2),
    )
    return plan, arm_t, met_t, ratio_m, cv_m


def _is_exact(plan: _Plan) -> bool:
    if plan.variance != "pooled" or len(plan.pairs) * len(plan.metric_idx) != 1:
        return False
    m = plan.metric_idx[0]
    return bool(np.allclose(plan.sd[:, m], plan.sd[0, m], rtol=0, atol=0))


def _exact_power(plan: _Plan, n: npt.NDArray[np.int64]) -> FloatArray:
    """Owen's Q power of the single required comparison, pooled variance over k arms, at each n."""
    (i, j), m = plan.pairs[0], plan.metric_idx[0]
    df = (plan.k * (n - 1)).astype(float)
    sem = plan.sd[0, m] * np.sqrt(2.0 / n)
    diff = plan.log_mean[i, m] - plan.log_mean[j, m]
    return power_exact(df, critical_t(plan.alpha, df), (diff - plan.lower) / sem, (diff - plan.upper) / sem)


@dataclass(frozen=True)
class _Draws:
    z_mean: FloatArray  # (S, k, M)
    u_chi: FloatArray  # (S, k, M)
    z_off: FloatArray  # (S, k, M, M), strictly lower triangle used


def _draws(plan: _Plan, n_sim: int, seed: int) -> _Draws:
    rng = np.random.default_rng(np.random.SeedSequence(check_seed(seed)))
    n_met = plan.sd.shape[1]
    return _Draws(
        z_mean=rng.standard_normal((n_sim, plan.k, n_met)),
        u_chi=rng.random((n_sim, plan.k, n_met)),
        z_off=np.tril(rng.standard_normal((n_sim, plan.k, n_met, n_met)), -1),
    )


def _simulated_pass(plan: _Plan, draws: _Draws, n: int) -> npt.NDArray[np.bool_]:
    """Whether each simulated study passes every required comparison and metric, ``n`` per arm."""
    n_met = plan.sd.shape[1]
    nu = n - 1
    # Bartlett: A lower triangular, A_mm = sqrt(chi2(nu - m)), A_ml ~ N(0, 1) (l < m); W = L A A' L'.
    chi_df = nu - np.arange(n_met, dtype=float)
    diag = np.sqrt(special.gammaincinv(chi_df / 2.0, draws.u_chi) * 2.0)
    a = draws.z_off + diag[..., None] * np.eye(n_met)
    b = np.einsum("kij,skjl->skil", plan.chol, a)
    var = (b**2).sum(axis=-1) / nu  # (S, k, M): sample variances of log values
    means = plan.log_mean[None] + np.einsum("kij,skj->ski", plan.chol, draws.z_mean) / math.sqrt(n)
    ii = np.array([p[0] for p in plan.pairs])
    jj = np.array([p[1] for p in plan.pairs])
    mm = np.array(plan.metric_idx)
    diff = means[:, ii][:, :, mm] - means[:, jj][:, :, mm]  # (S, P, Mr)
    if plan.variance == "welch":
        vi, vj = var[:, ii][:, :, mm], var[:, jj][:, :, mm]
        se = np.sqrt((vi + vj) / n)
        df = nu * (vi + vj) ** 2 / (vi**2 + vj**2)
    else:
        pooled = var[:, :, mm].mean(axis=1)[:, None, :]
        se = np.broadcast_to(np.sqrt(2.0 * pooled / n), diff.shape)
        df = np.full(diff.shape, float(plan.k * nu))
    t = stats.t.ppf(1.0 - plan.alpha, df)
    ok = (diff - t * se >= plan.lower) & (diff + t * se <= plan.upper)
    return np.asarray(ok.all(axis=(1, 2)))


def joint_power_pk_similarity(
    n_per_arm: int,
    *,
    arms: Sequence[str] = DEFAULT_ARMS,
    ratios: npt.ArrayLike = DEFAULT_RATIOS,
    cv: npt.ArrayLike = 0.35,
    metrics: Sequence[str] = ("AUC",),
    correlation: float = 0.0,
    comparisons: Sequence[str] | None = None,
    required_metrics: Sequence[str] | None = None,
    variance: str = "welch",
    alpha: float = 0.05,
    theta1: float = 0.80,
    theta2: float | None = None,
    n_sim: int = 100_000,
    seed: int = 20260527,
    method: str = "auto",
) -> tuple[float, float, str]:
    """Joint power ``(power, Monte Carlo SE, method)`` at ``n_per_arm`` completers per arm.

    ``method``: ``auto`` (exact when possible, see module docstring), ``exact`` or ``simulation``.
    """
    plan = _plan(
        arms, ratios, cv, metrics, correlation, comparisons, required_metrics, variance, alpha, theta1, theta2
    )[0]
    n_met = plan.sd.shape[1]
    if int(n_per_arm) != n_per_arm or n_per_arm < n_met + 1 or n_per_arm < 3:
        raise InputError(f"n per arm = {n_per_arm}; expected a whole number >= {max(3, n_met + 1)}")
    use_exact = _method(plan, method)
    if use_exact:
        return float(_exact_power(plan, np.array([int(n_per_arm)]))[0]), 0.0, "exact"
    _check_nsim(n_sim)
    passed = _simulated_pass(plan, _draws(plan, n_sim, seed), int(n_per_arm))
    p = float(passed.mean())
    return p, math.sqrt(p * (1 - p) / n_sim), "simulation"


def _method(plan: _Plan, method: str) -> bool:
    if method not in ("auto", "exact", "simulation"):
        raise InputError(f"unknown method {method!r}; expected auto, exact or simulation")
    if method == "exact" and not _is_exact(plan):
        raise InputError(
            "the exact method needs one required comparison and metric, the pooled variance model and "
            "equal CVs across arms; use method 'simulation'"
        )
    return method == "exact" or (method == "auto" and _is_exact(plan))


def _check_nsim(n_sim: int) -> None:
    if int(n_sim) != n_sim or n_sim < 1000:
        raise InputError(f"n_sim = {n_sim}; expected a whole number >= 1000")


def sample_size_pk_similarity(
    *,
    arms: Sequence[str] = DEFAULT_ARMS,
    ratios: npt.ArrayLike = DEFAULT_RATIOS,
    cv: npt.ArrayLike = 0.35,
    metrics: Sequence[str] = ("AUC",),
    correlation: float = 0.0,
    comparisons: Sequence[str] | None = None,
    required_metrics: Sequence[str] | None = None,
    variance: str = "welch",
    target_power: float = 0.90,
    dropout: float = 0.0,
    alpha: float = 0.05,
    theta1: float = 0.80,
    theta2: float | None = None,
    n_sim: int = 100_000,
    seed: int = 20260527,
    method: str = "auto",
) -> MultiArmSampleSize:
    """Smallest completers per arm reaching ``target_power`` (joint); enrolled per arm for ``dropout``.

    ``ratios`` are true geometric means per arm relative to a common reference (one per arm, or arms x
    metrics); the true ratio of comparison ``a/b`` is ``ratios[a] / ratios[b]``. ``cv``: one value, one per
    metric, or arms x metrics. ``comparisons``: ``"armA/armB"`` strings that must pass (default every pair);
    ``required_metrics``: metrics that must pass (default all). Simulated power has Monte Carlo SE
    ``sqrt(p (1 - p) / n_sim)``; the search compares the estimate with the target.
    """
    plan, arm_t, met_t, ratio_m, cv_m = _plan(
        arms, ratios, cv, metrics, correlation, comparisons, required_metrics, variance, alpha, theta1, theta2
    )
    if not 0 < target_power < 1:
        raise InputError(f"target power must be in (0, 1); got {target_power}")
    if not 0 <= dropout < 1:
        raise InputError(f"dropout must be in [0, 1); got {dropout}")
    use_exact = _method(plan, method)
    n_min = max(3, plan.sd.shape[1] + 1)
    if use_exact:
        grid = np.arange(n_min, N_MAX + 1, dtype=np.int64)
        powers = _exact_power(plan, grid)
        hit = np.flatnonzero(powers >= target_power)
        if hit.size == 0:
            raise SearchError(f"target power {target_power} not reached with up to {N_MAX} per arm")
        n = int(grid[hit[0]])
        power, se = float(powers[hit[0]]), 0.0
        below = float(powers[hit[0] - 1]) if hit[0] > 0 else float("nan")
    else:
        _check_nsim(n_sim)
        draws = _draws(plan, n_sim, seed)
        cache: dict[int, float] = {}

        def est(n_: int) -> float:
            if n_ not in cache:
                cache[n_] = float(_simulated_pass(plan, draws, n_).mean())
            return cache[n_]

        def failure(_: int) -> str:
            return f"target power {target_power} not reached with up to {N_MAX} per arm"

        n = smallest_reaching(lambda n_: est(n_) >= target_power, n_min - 1, n_min, N_MAX, failure)
        power = est(n)
        se = math.sqrt(power * (1 - power) / n_sim)
        below = est(n - 1) if n - 1 >= n_min else float("nan")
    enrolled = math.ceil(n / (1.0 - dropout) - 1e-9)
    return MultiArmSampleSize(
        n_per_arm=n,
        enrolled_per_arm=enrolled,
        n_total=n * plan.k,
        enrolled_total=enrolled * plan.k,
        power=power,
        power_se=se,
        power_below=below,
        method="exact" if use_exact else "simulation",
        target_power=float(target_power),
        arms=arm_t,
        ratios=tuple(tuple(float(v) for v in row) for row in ratio_m),
        metrics=met_t,
        cv=tuple(tuple(float(v) for v in row) for row in cv_m),
        correlation=float(correlation),
        comparisons=tuple(f"{arm_t[i]}/{arm_t[j]}" for i, j in plan.pairs),
        required_metrics=tuple(met_t[m] for m in plan.metric_idx),
        variance=plan.variance,
        alpha=plan.alpha,
        conf_level=1.0 - 2.0 * plan.alpha,
        theta1=float(theta1),
        theta2=math.exp(plan.upper),
        dropout=float(dropout),
        n_sim=0 if use_exact else int(n_sim),
        seed=int(seed),
    )
