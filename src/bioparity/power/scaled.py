"""Power and sample size of reference-scaled BE (EMA/HC/GCC/FDA ABEL, FDA RSABE) by simulating key statistics.

Semantics of PowerTOST ``power.scABEL`` / ``sampleN.scABEL`` (ABEL) and ``power.RSABE`` / ``sampleN.RSABE``
(FDA, intra-subject contrasts and Howe's bound); Labes & Schuetz, Pharm Res 2016;33(11):2805-14 (methods)
and Tothfalusi & Endrenyi, J Pharm Pharm Sci 2012;15(1):73-84 (the key-statistics simulation). Instead of
simulating subjects, each study is reduced to its sufficient statistics, drawn independently:

* point estimate ``m ~ N(ln theta0, Emse * C)``;
* within-subject reference variance ``s2wR * chi2(dfRR) / dfRR`` (and test, ``dfTT``, for the ANOVA path);
* the error variance of the CI.

How ABEL studies are evaluated (``evaluation``) follows the regulator, as in PowerTOST's ``reg_const``:

* ``"ANOVA"`` (EMA, GCC; EMA Q&A on the BE guideline, Method A): ``C = bkni * sum(1/n_i)``, the residual
  df of the ANOVA (``2n-3``, ``3n-4``), and the same mixture of the ANOVA residual and the component
  variances as PowerTOST's ``power.scABEL1`` for each design (partial replicate: from the components only;
  2x2x4 and 2x2x3: the average of both). When the true CVwR <= 0.2 the conventional-ABE CI uses an
  extra, independently simulated ANOVA residual ``Emse * chi2(df) / df`` alone, PowerTOST's empirical
  correction of its mixture at low CV (the mixture is calibrated for the scaling region; below CVwR 0.2 the
  study is practically always evaluated by ABE, where the ANOVA residual is what the evaluation uses).
* ``"ISC"`` (Health Canada, FDA ABEL): evaluation by intra-subject contrasts, PowerTOST's ``power.scABEL2``
  path (``reg_const``: ``est_method = "ISC"`` for HC and FDA; Health Canada's "Comparative Bioavailability
  Standards: Formulations Used for Systemic Effects" (2018) asks for a mixed model, and the FDA draft
  guidance on progesterone (2011, rev. 2012) for the T-R and R-R intra-subject contrasts, of which the
  contrasts are the close approximation): ``C = sum(1/n_i) / seqs^2``, ``df = n - seqs`` (2x3x3 ``n-3``,
  2x2x4 and 2x2x3 ``n-2``), ``dfRR`` of the R-R contrasts, and the CI variance
  ``Emse * C * chi2(df) / df`` of the T-R contrasts; no low-CV branch. It is the default for HC and FDA
  because it is what PowerTOST computes for them, so results are comparable with its published values;
  ``evaluation="ANOVA"`` gives the ANOVA path for these regulators (bioparity 0.1.0 used it for all).

A study passes when (ABEL) its ``1 - 2 alpha`` CI lies within the limits expanded from its own CVwR
(``exp(-/+ k swR)`` above the switching CV, capped) and the PE within ``theta1``-``theta2``; or (RSABE) when
the 95% upper bound of ``(muT - muR)^2 - theta_s^2 s2wR`` is <= 0 if its CVwR exceeds the switching CV,
else its CI within ``theta1``-``theta2``, and the PE within ``theta1``-``theta2``.

Power is the fraction of ``nsims`` simulated studies that pass; its Monte Carlo standard error
``sqrt(p (1 - p) / nsims)`` is reported. Runs are reproducible: a NumPy ``Generator`` seeded with ``seed``
(default 123456, PowerTOST's), and the same seed at every step of a sample-size search (common random
numbers, so the simulated power is monotone in n up to Monte Carlo noise). R's random stream is not
reproduced: values agree with PowerTOST within Monte Carlo error, not digit by digit.

>>> round(power_scabel(cv=0.45, n=39, design="2x3x3", nsims=20_000).power, 2)
0.8
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import stats

from bioparity._results import ResultMixin, percent, software_version
from bioparity.arrays import FloatArray
from bioparity.errors import InputError
from bioparity.power._bracket import smallest_reaching
from bioparity.power.conversions import cv_to_mse, group_sizes

#: Regulatory constants (PowerTOST ``reg_const``): regulatory constant k, switching CV, cap on CVwR.
REGULATORS: dict[str, tuple[float, float, float]] = {
    "EMA": (0.760, 0.30, 0.50),
    "HC": (0.760, 0.30, 0.57382),
    # GCC: fixed 75.00-133.33% above CVwR 30%, i.e. scaling capped at the switching CV
    "GCC": (math.log(1 / 0.75) / math.sqrt(math.log(1.09)), 0.30, 0.30),
    "FDA": (math.log(1.25) / 0.25, 0.30, math.inf),
}

#: How ABEL studies are evaluated per regulator (PowerTOST ``reg_const``, ``est_method``).
DEFAULT_EVALUATION: dict[str, str] = {"EMA": "ANOVA", "HC": "ISC", "GCC": "ANOVA", "FDA": "ISC"}
EVALUATIONS: tuple[str, ...] = ("ANOVA", "ISC")


def _regulator_constants(regulator: str) -> tuple[float, float, float]:
    """The regulator's ``(k, switching CV, cap on CVwR)`` from :data:`REGULATORS`; InputError naming the
    choices for an unknown one."""
    if regulator not in REGULATORS:
        raise InputError(f"unknown regulator {regulator!r}; expected one of {', '.join(REGULATORS)}")
    return REGULATORS[regulator]


#: PowerTOST's low-CV correction: at a true CVwR <= 0.2 the ABE CI of the ANOVA path uses its own residual.
LOW_CV = 0.2

SCALED_DESIGNS: tuple[str, ...] = ("2x3x3", "2x2x4", "2x2x3")
#: The smallest total n of a design: 2 subjects per sequence (where a sample-size search starts).
_MIN_N = {"2x3x3": 6, "2x2x4": 4, "2x2x3": 4}
_CHUNK = 1 << 20


@dataclass(frozen=True, repr=False)
class ScaledPowerResult(ResultMixin):
    """Simulated power of one scenario; ``power_se`` is its Monte Carlo standard error.

    ``p_limits``: fraction passing the CI / criterion part alone; ``p_pe``: the PE constraint alone;
    ``p_abe``: conventional ABE (CI within ``theta1``-``theta2``). ``alpha`` is the one-sided level of
    each of the two one-sided tests; CVs and ratios are fractions.

    Attributes
    ----------
    power : float
        Fraction of the simulated studies that pass (scaled criterion and point-estimate constraint).
    power_se : float
        Its Monte Carlo standard error, ``sqrt(power (1 - power) / nsims)``.
    p_limits, p_pe, p_abe : float
        Fractions passing the CI / criterion part alone, the PE constraint alone, and conventional ABE.
    method : str
        ``ABEL`` or ``RSABE``.
    regulator : str
        ``EMA``, ``HC``, ``GCC`` or ``FDA``.
    evaluation : str
        ``ANOVA`` or ``ISC`` (intra-subject contrasts).
    design : str
        ``2x3x3``, ``2x2x4`` or ``2x2x3``.
    n : tuple of int
        Subjects per sequence.
    cvwt, cvwr : float
        Within-subject CVs of test and reference, fractions.
    theta0, theta1, theta2 : float
        True ratio and the conventional limits.
    alpha : float
        One-sided level of each of the two one-sided tests.
    nsims, seed : int
        Number of simulated studies and the seed.
    software_version : str
        bioparity's version.
    """

    SETTINGS = (
        "method", "regulator", "evaluation", "design", "n", "cvwt", "cvwr", "theta0", "theta1", "theta2",
        "alpha", "nsims", "seed",
    )  # fmt: skip

    power: float
    power_se: float
    p_limits: float
    p_pe: float
    p_abe: float
    method: str
    regulator: str
    evaluation: str
    design: str
    n: tuple[int, ...]
    cvwt: float
    cvwr: float
    theta0: float
    theta1: float
    theta2: float
    alpha: float
    nsims: int
    seed: int
    software_version: str

    def summary(self) -> str:
        return (
            f"Simulated power of {self.method} ({self.regulator}, {self.evaluation}), design "
            f"{self.design}, n {sum(self.n)}: {self.power:.4f} (MC SE {self.power_se:.4f}, "
            f"{self.nsims} simulations)\n"
            f"CVwR {percent(self.cvwr)}, CVwT {percent(self.cvwt)}, true ratio {percent(self.theta0)}; "
            f"passing the limits alone {self.p_limits:.4f}, the PE constraint alone {self.p_pe:.4f}, "
            f"ABE {self.p_abe:.4f}"
        )


@dataclass(frozen=True, repr=False)
class ScaledSampleSizeResult(ResultMixin):
    """Smallest total n (a multiple of the number of sequences) whose simulated power reaches the target.

    Attributes
    ----------
    n : int
        Smallest total sample size, balanced over the sequences.
    power, power_se : float
        Simulated power at ``n`` and its Monte Carlo standard error.
    target_power : float
        The power to reach.
    method, regulator, evaluation, design : str
        As in :class:`ScaledPowerResult`.
    cvwt, cvwr : float
        Within-subject CVs of test and reference, fractions.
    theta0 : float
        True ratio assumed.
    nsims, seed : int
        Number of simulated studies per n and the seed (the same at every n).
    software_version : str
        bioparity's version.
    """

    SETTINGS = (
        "target_power", "method", "regulator", "evaluation", "design", "cvwt", "cvwr", "theta0", "nsims",
        "seed",
    )  # fmt: skip

    n: int
    power: float
    power_se: float
    target_power: float
    method: str
    regulator: str
    evaluation: str
    design: str
    cvwt: float
    cvwr: float
    theta0: float
    nsims: int
    seed: int
    software_version: str

    def summary(self) -> str:
        return (
            f"Sample size for {self.method} ({self.regulator}, {self.evaluation}), design {self.design}: "
            f"n = {self.n}, simulated power {self.power:.4f} (MC SE {self.power_se:.4f}, target "
            f"{self.target_power:g})\nCVwR {percent(self.cvwr)}, CVwT {percent(self.cvwt)}, true ratio "
            f"{percent(self.theta0)}; {self.nsims} simulations, seed {self.seed}"
        )


@dataclass(frozen=True)
class _Scenario:
    design: str
    sizes: tuple[int, ...]
    cvwt: float
    cvwr: float
    s2wt: float
    s2wr: float
    theta0: float
    ln_theta1: float
    ln_theta2: float
    alpha: float
    k: float
    s2switch: float
    s2cap: float
    evaluation: str


def _sizes(n: int | tuple[int, ...] | list[int], design: str) -> tuple[int, ...]:
    seqs = 3 if design == "2x3x3" else 2
    sizes = group_sizes(int(n), seqs) if isinstance(n, (int, np.integer)) else tuple(int(v) for v in n)
    if len(sizes) != seqs or min(sizes) < 2:
        raise InputError(
            f"design {design} needs {seqs} sequence groups of at least 2 subjects; got n = {n!r}"
        )
    return sizes


def _scenario(
    cv: Any,
    n: Any,
    design: str,
    theta0: float,
    theta1: float,
    theta2: float | None,
    alpha: float,
    regulator: str,
    evaluation: str | None = None,
) -> _Scenario:
    if design not in SCALED_DESIGNS:
        raise InputError(
            f"unknown design {design!r} for scaled BE; expected one of {', '.join(SCALED_DESIGNS)}"
        )
    k, cv_switch, cv_cap = _regulator_constants(regulator)
    cvs = np.atleast_1d(np.asarray(cv, dtype=float))
    if cvs.size not in (1, 2) or np.any(~(cvs > 0)):
        raise InputError(f"cv must be CVw (> 0) or (CVwT, CVwR); got {cv!r}")
    cvwt, cvwr = float(cvs[0]), float(cvs[-1])
    t2 = 1.0 / theta1 if theta2 is None else float(theta2)
    if not (0 < theta1 < 1 < t2) or not theta0 > 0 or not 0 < alpha < 0.5:
        raise InputError(
            f"need 0 < theta1 < 1 < theta2, theta0 > 0, 0 < alpha < 0.5; got {theta1}, {t2}, "
            f"{theta0}, {alpha}"
        )
    evaluation = DEFAULT_EVALUATION[regulator] if evaluation is None else evaluation
    if evaluation not in EVALUATIONS:
        raise InputError(f"unknown evaluation {evaluation!r}; expected one of {', '.join(EVALUATIONS)}")
    return _Scenario(
        design,
        _sizes(n, design),
        cvwt,
        cvwr,
        float(cv_to_mse(cvwt)),
        float(cv_to_mse(cvwr)),
        float(theta0),
        math.log(theta1),
        math.log(t2),
        float(alpha),
        k,
        float(cv_to_mse(cv_switch)),
        float(cv_to_mse(cv_cap)) if math.isfinite(cv_cap) else math.inf,
        evaluation,
    )


def _abel_counts(sc: _Scenario, rng: np.random.Generator, m: int) -> FloatArray:
    """Counts (BE, limits, PE, ABE) of ``m`` simulated ABEL studies evaluated by ANOVA (``power.scABEL1``)."""
    n1, n = sc.sizes[0], sum(sc.sizes)
    inv = sum(1.0 / v for v in sc.sizes)
    if sc.design == "2x3x3":
        bkni, df, df_rr = 1 / 6, 2 * n - 3, n - 2
        df_tt = df_rr
        emse = (sc.s2wt + 2 * sc.s2wr) / 3
    elif sc.design == "2x2x4":
        bkni, df, df_rr, df_tt = 1 / 4, 3 * n - 4, n - 2, n - 2
        emse = (sc.s2wt + sc.s2wr) / 2
    else:  # 2x2x3: TRT|RTR (or TRR|RTT); T replicated in sequence 1, R in sequence 2
        bkni, df, df_tt, df_rr = 3 / 8, 2 * n - 3, n1 - 1, sc.sizes[1] - 1
        emse = (n1 * (2 * sc.s2wt + sc.s2wr) / 3 + sc.sizes[1] * (sc.s2wt + 2 * sc.s2wr) / 3) / n
    ccon = bkni * inv
    low_cv = sc.s2wr <= float(cv_to_mse(LOW_CV))
    means = rng.normal(math.log(sc.theta0), math.sqrt(emse * ccon), m)
    s2wr = sc.s2wr * rng.chisquare(df_rr, m) / df_rr
    s2wt = sc.s2wt * rng.chisquare(df_tt, m) / df_tt
    mse_abe: FloatArray | None = None
    if sc.design == "2x3x3":
        mse = (s2wt + 2 * s2wr) / 3
        if low_cv:  # the extra, independent ANOVA residual of PowerTOST's low-CV branch
            mse_abe = emse * rng.chisquare(df, m) / df
    elif sc.design == "2x2x4":
        mse_abe = emse * rng.chisquare(df, m) / df
        mse = 0.5 * (mse_abe + 0.5 * (s2wt + s2wr))
    else:
        mse_abe = emse * rng.chisquare(df, m) / df
        parts = ((df_tt + 1) * (2 * s2wt + s2wr) / 3 + (df_rr + 1) * (s2wt + 2 * s2wr) / 3) / (
            df_tt + df_rr + 2
        )
        mse = 0.5 * mse_abe + 0.5 * parts
    tcrit = float(stats.t.ppf(1 - sc.alpha, df))
    hw = tcrit * np.sqrt(ccon * mse)
    hw_abe = tcrit * np.sqrt(ccon * mse_abe) if low_cv and mse_abe is not None else hw
    upper = sc.k * np.sqrt(np.minimum(s2wr, sc.s2cap))
    scaled_ok = (-upper <= means - hw) & (means + hw <= upper)
    abe = (sc.ln_theta1 <= means - hw_abe) & (means + hw_abe <= sc.ln_theta2)
    return _tally(means, np.where(s2wr > sc.s2switch, scaled_ok, abe), abe, sc)


def _isc_statistics(
    sc: _Scenario, rng: np.random.Generator, m: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, int]:
    """Key statistics of ``m`` studies evaluated by intra-subject contrasts (PowerTOST ``.pwr.SABE.isc``).

    Returns the point estimates, the CI half-widths (``1 - 2 alpha``), the squared SEs, s2wR and ``dfRR``.
    """
    n = sum(sc.sizes)
    seqs = len(sc.sizes)
    if sc.design == "2x3x3":
        df, df_rr = n - 3, n - 3
        emse = sc.s2wt + sc.s2wr / 2
    elif sc.design == "2x2x4":
        df, df_rr = n - 2, n - 2
        emse = (sc.s2wt + sc.s2wr) / 2
    else:
        df_tt, df_rr = sc.sizes[0] - 1, sc.sizes[1] - 1
        df = n - 2
        emse = (df_rr * (sc.s2wt + sc.s2wr / 2) + df_tt * (sc.s2wt / 2 + sc.s2wr)) / (df_rr + df_tt)
    c3 = sum(1.0 / v for v in sc.sizes) / seqs**2
    means = rng.normal(math.log(sc.theta0), math.sqrt(emse * c3), m)
    se2 = emse * c3 * rng.chisquare(df, m) / df
    s2wr = sc.s2wr * rng.chisquare(df_rr, m) / df_rr
    hw = float(stats.t.ppf(1 - sc.alpha, df)) * np.sqrt(se2)
    return means, hw, se2, s2wr, df_rr


def _abel_isc_counts(sc: _Scenario, rng: np.random.Generator, m: int) -> FloatArray:
    """Counts (BE, limits, PE, ABE) of ``m`` simulated ABEL studies evaluated by intra-subject contrasts."""
    means, hw, _, s2wr, _ = _isc_statistics(sc, rng, m)
    upper = sc.k * np.sqrt(np.minimum(s2wr, sc.s2cap))
    scaled_ok = (-upper <= means - hw) & (means + hw <= upper)
    abe = (sc.ln_theta1 <= means - hw) & (means + hw <= sc.ln_theta2)
    return _tally(means, np.where(s2wr > sc.s2switch, scaled_ok, abe), abe, sc)


def _rsabe_counts(sc: _Scenario, rng: np.random.Generator, m: int) -> FloatArray:
    """Counts (BE, criterion, PE, ABE) of ``m`` simulated FDA RSABE studies."""
    means, hw, se2, s2wr, df_rr = _isc_statistics(sc, rng, m)
    em = means * means - se2
    es = sc.k * sc.k * s2wr
    cm = (np.abs(means) + hw) ** 2
    cs = es * (df_rr / float(stats.chi2.ppf(1 - sc.alpha, df_rr)))
    bound = em - es + np.sqrt((cm - em) ** 2 + (cs - es) ** 2)
    abe = (sc.ln_theta1 <= means - hw) & (means + hw <= sc.ln_theta2)
    crit = np.where(s2wr > sc.s2switch, bound <= 0, abe)
    return _tally(means, crit, abe, sc)


def _tally(
    means: FloatArray,
    passed: npt.NDArray[np.bool_],
    abe: npt.NDArray[np.bool_],
    sc: _Scenario,
) -> FloatArray:
    pe = (means >= sc.ln_theta1) & (means <= sc.ln_theta2)
    return np.array(
        [
            np.count_nonzero(passed & pe),
            np.count_nonzero(passed),
            np.count_nonzero(pe),
            np.count_nonzero(abe),
        ],
        dtype=float,
    )


def _simulate(sc: _Scenario, method: str, nsims: int, seed: int) -> FloatArray:
    if nsims < 1:
        raise InputError(f"nsims must be >= 1; got {nsims}")
    rng = np.random.default_rng(seed)
    if method == "RSABE":
        kernel = _rsabe_counts
    else:
        kernel = _abel_isc_counts if sc.evaluation == "ISC" else _abel_counts
    counts = np.zeros(4)
    done = 0
    while done < nsims:
        m = min(_CHUNK, nsims - done)
        counts += kernel(sc, rng, m)
        done += m
    return counts / nsims


def _power(sc: _Scenario, method: str, regulator: str, nsims: int, seed: int) -> ScaledPowerResult:
    p = _simulate(sc, method, nsims, seed)
    return ScaledPowerResult(
        power=float(p[0]),
        power_se=float(math.sqrt(p[0] * (1 - p[0]) / nsims)),
        p_limits=float(p[1]),
        p_pe=float(p[2]),
        p_abe=float(p[3]),
        method=method,
        regulator=regulator,
        evaluation=sc.evaluation,
        design=sc.design,
        n=sc.sizes,
        cvwt=sc.cvwt,
        cvwr=sc.cvwr,
        theta0=sc.theta0,
        theta1=math.exp(sc.ln_theta1),
        theta2=math.exp(sc.ln_theta2),
        alpha=sc.alpha,
        nsims=nsims,
        seed=seed,
        software_version=software_version(),
    )


def power_scabel(
    cv: Any,
    n: Any,
    design: str = "2x3x3",
    *,
    theta0: float = 0.90,
    theta1: float = 0.80,
    theta2: float | None = None,
    alpha: float = 0.05,
    regulator: str = "EMA",
    nsims: int = 100_000,
    seed: int = 123456,
    evaluation: str | None = None,
) -> ScaledPowerResult:
    """Power of ABEL (PowerTOST ``power.scABEL``) for ``regulator`` EMA, HC, GCC or FDA.

    ``cv``: CVw or ``(CVwT, CVwR)``; ``n``: total or subjects per sequence. ``evaluation``: ``"ANOVA"``
    (EMA Method A; default for EMA and GCC) or ``"ISC"`` (intra-subject contrasts; default for HC and FDA,
    as PowerTOST's ``reg_const``); see the module docstring for both paths and PowerTOST's low-CV branch.

    A simulated study passes when its ``1 - 2 alpha`` CI lies within the limits ``exp(-/+ k swR)``
    expanded from its own CVwR (above the switching CV, with swR capped), or within
    ``theta1``-``theta2`` at or below it, and its point estimate within ``theta1``-``theta2``.

    Parameters
    ----------
    cv : float or tuple of float
        Within-subject CV as a fraction: one value ``CVw`` for test and reference, or ``(CVwT, CVwR)``.
        Must be > 0.
    n : int or tuple of int
        Total number of subjects (split over the sequences as evenly as possible, PowerTOST ``nvec``) or
        the number of subjects per sequence (3 values for ``2x3x3``, 2 for ``2x2x4`` and ``2x2x3``); at
        least 2 per sequence.
    design : str, default "2x3x3"
        Replicate design: ``2x3x3`` (partial replicate TRR|RTR|RRT), ``2x2x4`` (full replicate
        TRTR|RTRT) or ``2x2x3`` (full replicate TRT|RTR).
    theta0 : float, default 0.90
        True test/reference ratio assumed (PowerTOST's default for scaled BE).
    theta1 : float, default 0.80
        Lower limit of the conventional ABE range and of the point-estimate constraint; in (0, 1).
    theta2 : float, optional
        Upper limit; default ``1 / theta1`` (1.25).
    alpha : float, default 0.05
        One-sided level of each of the two one-sided tests (the 90% CI), in (0, 0.5).
    regulator : {"EMA", "HC", "GCC", "FDA"}, default "EMA"
        Regulatory constants (PowerTOST ``reg_const``): EMA ``k = 0.760``, switching CVwR 30%, cap 50%
        (limits at most 69.84-143.19%); HC the same with a cap of 57.38% (66.7-150.0%); GCC fixed
        75.00-133.33% above CVwR 30%; FDA ABEL ``k = ln(1.25)/0.25`` without a cap.
    nsims : int, default 100000
        Number of simulated studies (>= 1); the Monte Carlo standard error of a power ``p`` is
        ``sqrt(p (1 - p) / nsims)``.
    seed : int, default 123456
        Seed of the NumPy ``Generator`` (PowerTOST's default seed, but not R's random stream): the same
        seed gives the same result.
    evaluation : {"ANOVA", "ISC"}, optional
        How each simulated study is evaluated: ``ANOVA`` (EMA Method A; the default for EMA and GCC) or
        ``ISC`` (intra-subject contrasts; the default for HC and FDA), as PowerTOST's ``reg_const``.

    Returns
    -------
    ScaledPowerResult
        The simulated power, its Monte Carlo standard error, the fractions passing each part of the
        criterion, and the settings used.

    Raises
    ------
    InputError
        For a design other than ``2x3x3``, ``2x2x4``, ``2x2x3``; an unknown regulator or evaluation; a CV
        <= 0; fewer than 2 subjects in a sequence; limits not satisfying ``0 < theta1 < 1 < theta2``,
        ``theta0 <= 0``, alpha outside (0, 0.5), or ``nsims < 1``.

    References
    ----------
    EMA, Guideline on the Investigation of Bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1/Corr (2010),
    section 4.1.10 (highly variable drugs: widened limits, ``k = 0.760``, cap at CVwR 50%, point estimate
    within 80.00-125.00%); EMA Questions & Answers on the BE guideline (Method A, the ANOVA evaluation).
    Health Canada, Comparative Bioavailability Standards: Formulations Used for Systemic Effects (2018).
    Tothfalusi L, Endrenyi L (2012) J Pharm Pharm Sci 15(1):73-84 (simulation from key statistics).
    Labes D, Schuetz H (2016) Pharm Res 33(11):2805-2814. Labes D, Schuetz H, Lang B. PowerTOST
    (R package), ``power.scABEL``, ``sampleN.scABEL``.

    Examples
    --------
    >>> r = power_scabel(cv=0.45, n=39, design="2x3x3", nsims=20_000)
    >>> round(r.power, 2), r.n
    (0.8, (13, 13, 13))
    """
    sc = _scenario(cv, n, design, theta0, theta1, theta2, alpha, regulator, evaluation)
    return _power(sc, "ABEL", regulator, nsims, seed)


def power_rsabe(
    cv: Any,
    n: Any,
    design: str = "2x3x3",
    *,
    theta0: float = 0.90,
    theta1: float = 0.80,
    theta2: float | None = None,
    alpha: float = 0.05,
    nsims: int = 100_000,
    seed: int = 123456,
) -> ScaledPowerResult:
    """Power of FDA RSABE (PowerTOST ``power.RSABE``).

    ``cv``: CVw or ``(CVwT, CVwR)``; ``n``: total or subjects per sequence. Each simulated study is
    evaluated by intra-subject contrasts: above the switching CVwR (30%) it passes when Howe's 95% upper
    bound of ``(muT - muR)^2 - theta_s^2 s2wR`` is <= 0 (``theta_s = ln(1.25)/0.25``), at or below it when
    its ``1 - 2 alpha`` CI lies within ``theta1``-``theta2``; and its point estimate within
    ``theta1``-``theta2``.

    Parameters
    ----------
    cv, n, design, theta0, theta1, theta2, alpha, nsims, seed
        As in :func:`power_scabel` (``cv`` > 0 as a fraction or ``(CVwT, CVwR)``; ``n`` a total or
        subjects per sequence; ``design`` ``2x3x3``, ``2x2x4`` or ``2x2x3``; ``theta0`` default 0.90).

    Returns
    -------
    ScaledPowerResult
        The simulated power (``method="RSABE"``, ``regulator="FDA"``, ``evaluation="ISC"``), its Monte
        Carlo standard error, the fractions passing each part of the criterion, and the settings used.

    Raises
    ------
    InputError
        As :func:`power_scabel` (design, CV, group sizes, limits, alpha, ``nsims``).

    References
    ----------
    FDA, Draft Guidance on Progesterone (2011, revised 2012): the RSABE criterion with
    ``theta_s = ln(1.25)/0.25``, switching at swR 0.294 (CVwR 30%), point estimate within 80.00-125.00%.
    Davit BM et al. (2012) AAPS J 14(4):915-924. Howe WG (1974) J Am Stat Assoc 69:789-794 (the
    approximate upper bound). Tothfalusi L, Endrenyi L (2012) J Pharm Pharm Sci 15(1):73-84. Labes D,
    Schuetz H, Lang B. PowerTOST (R package), ``power.RSABE``, ``sampleN.RSABE``.

    Examples
    --------
    >>> round(power_rsabe(cv=0.45, n=39, design="2x3x3", nsims=20_000).power, 2)
    0.88
    """
    sc = _scenario(cv, n, design, theta0, theta1, theta2, alpha, "FDA", "ISC")
    return _power(sc, "RSABE", "FDA", nsims, seed)


def _sample_size(
    first: _Scenario,
    method: str,
    regulator: str,
    nsims: int,
    seed: int,
    target_power: float,
    n_max: int,
) -> ScaledSampleSizeResult:
    """The search over n: ``first`` is the scenario at the smallest n (2 per sequence)."""
    if not 0 < target_power < 1:
        raise InputError(f"target_power must be in (0, 1); got {target_power}")
    steps = len(first.sizes)
    cache: dict[int, ScaledPowerResult] = {}

    def pw(k: int) -> float:
        if k not in cache:
            sc = replace(first, sizes=_sizes(k * steps, first.design))
            cache[k] = _power(sc, method, regulator, nsims, seed)
        return cache[k].power

    def failure(k: int) -> str:
        return (
            f"power {target_power} not reached with n <= {n_max} (power {pw(k):.4f} "
            f"at n = {k * steps}); theta0 may be outside the reachable range"
        )

    def reaches(k: int) -> bool:
        return pw(k) >= target_power

    # k in units of `steps` subjects, at least 2 per sequence
    hi = 2 if reaches(2) else smallest_reaching(reaches, 2, 4, n_max // steps, failure)
    # Everything but n and the target is that of the simulated power at the answer.
    own: dict[str, Any] = {"n": hi * steps, "target_power": target_power}
    at_n = {f.name: getattr(cache[hi], f.name) for f in fields(ScaledSampleSizeResult) if f.name not in own}
    return ScaledSampleSizeResult(**at_n, **own)


def sample_size_scabel(
    cv: Any,
    design: str = "2x3x3",
    *,
    theta0: float = 0.90,
    theta1: float = 0.80,
    theta2: float | None = None,
    alpha: float = 0.05,
    regulator: str = "EMA",
    target_power: float = 0.80,
    nsims: int = 100_000,
    seed: int = 123456,
    n_max: int = 10_000,
    evaluation: str | None = None,
) -> ScaledSampleSizeResult:
    """Sample size for ABEL (PowerTOST ``sampleN.scABEL``): smallest balanced n with the target power.

    ``evaluation`` as in :func:`power_scabel` (default: the regulator's, as PowerTOST). The search runs
    over multiples of the number of sequences from 2 subjects per sequence, with the same seed at every n
    (common random numbers), so the simulated power is monotone in n up to Monte Carlo noise.

    Parameters
    ----------
    cv, design, theta0, theta1, theta2, alpha, regulator, nsims, seed, evaluation
        As in :func:`power_scabel`; ``nsims`` and ``seed`` are used at every n searched.
    target_power : float, default 0.80
        Power to reach, in (0, 1).
    n_max : int, default 10000
        Largest total sample size searched.

    Returns
    -------
    ScaledSampleSizeResult
        The total sample size, its simulated power and Monte Carlo standard error, and the settings.

    Raises
    ------
    InputError
        As :func:`power_scabel`, and for ``target_power`` outside (0, 1).
    SearchError
        When the target power is not reached with ``n <= n_max`` (for example ``theta0`` outside the
        range the scaled limits can accept).

    References
    ----------
    As :func:`power_scabel`; PowerTOST (R package) ``sampleN.scABEL``.

    Examples
    --------
    >>> r = sample_size_scabel(cv=0.45, design="2x3x3", nsims=20_000)
    >>> r.n, round(r.power, 2)
    (39, 0.8)
    """
    sc = _scenario(cv, _MIN_N.get(design, 4), design, theta0, theta1, theta2, alpha, regulator, evaluation)
    return _sample_size(sc, "ABEL", regulator, nsims, seed, target_power, n_max)


def sample_size_rsabe(
    cv: Any,
    design: str = "2x3x3",
    *,
    theta0: float = 0.90,
    theta1: float = 0.80,
    theta2: float | None = None,
    alpha: float = 0.05,
    target_power: float = 0.80,
    nsims: int = 100_000,
    seed: int = 123456,
    n_max: int = 10_000,
) -> ScaledSampleSizeResult:
    """Sample size for FDA RSABE (PowerTOST ``sampleN.RSABE``): smallest balanced n with the target power.

    The search runs over multiples of the number of sequences from 2 subjects per sequence, with the same
    seed at every n (common random numbers); each study is evaluated as in :func:`power_rsabe`.

    Parameters
    ----------
    cv, design, theta0, theta1, theta2, alpha, nsims, seed
        As in :func:`power_rsabe`; ``nsims`` and ``seed`` are used at every n searched.
    target_power, n_max
        As in :func:`sample_size_scabel` (defaults 0.80 and 10000).

    Returns
    -------
    ScaledSampleSizeResult
        As :func:`sample_size_scabel`, for ``method="RSABE"`` (``regulator="FDA"``,
        ``evaluation="ISC"``).

    Raises
    ------
    InputError
        As :func:`power_rsabe`, and for ``target_power`` outside (0, 1).
    SearchError
        When the target power is not reached with ``n <= n_max``.

    References
    ----------
    As :func:`power_rsabe`; PowerTOST (R package) ``sampleN.RSABE``.

    Examples
    --------
    >>> sample_size_rsabe(cv=0.45, design="2x3x3", nsims=20_000).n
    33
    """
    sc = _scenario(cv, _MIN_N.get(design, 4), design, theta0, theta1, theta2, alpha, "FDA", "ISC")
    return _sample_size(sc, "RSABE", "FDA", nsims, seed, target_power, n_max)


@dataclass(frozen=True, repr=False)
class AdjustedAlphaResult(ResultMixin):
    """Type I error of ABEL at the nominal alpha and the alpha that controls it (PowerTOST ``scABEL.ad``).

    The TIE is the simulated power at ``theta0`` equal to the upper limit of the true CVwR (the border of
    the null hypothesis of the scaled criterion: 1.25 at or below the switching CV, the cap above it).
    ``alpha`` is the nominal one-sided level of each of the two one-sided tests.

    Attributes
    ----------
    alpha : float
        Nominal one-sided level.
    type1_error : float
        Simulated type I error at ``alpha``.
    alpha_adjusted : float
        The largest alpha whose simulated type I error is at most ``alpha`` (``alpha`` itself when the
        nominal TIE does not exceed it).
    type1_error_adjusted : float
        Simulated type I error at ``alpha_adjusted``.
    theta0_boundary : float
        True ratio simulated: the upper acceptance limit implied by the true CVwR.
    design, n, cvwt, cvwr, regulator
        As in :class:`ScaledPowerResult` (design name, subjects per sequence, within-subject CVs of
        test and reference as fractions, regulator).
    nsims, seed : int
        Number of simulated studies per alpha and the seed (the same for every alpha).
    software_version : str
        bioparity's version.
    """

    SETTINGS = ("alpha", "design", "n", "cvwt", "cvwr", "regulator", "nsims", "seed")

    alpha: float
    type1_error: float
    alpha_adjusted: float
    type1_error_adjusted: float
    theta0_boundary: float
    design: str
    n: tuple[int, ...]
    cvwt: float
    cvwr: float
    regulator: str
    nsims: int
    seed: int
    software_version: str

    def summary(self) -> str:
        return (
            f"Type I error of ABEL ({self.regulator}), design {self.design}, n {sum(self.n)}, CVwR "
            f"{percent(self.cvwr)}: {self.type1_error:.4f} at alpha {self.alpha:g}\n"
            f"adjusted alpha {self.alpha_adjusted:.4f} gives {self.type1_error_adjusted:.4f} "
            f"({self.nsims} simulations at a true ratio of {percent(self.theta0_boundary)})"
        )


def scabel_adjusted_alpha(
    cv: Any,
    n: Any,
    design: str = "2x3x3",
    *,
    alpha: float = 0.05,
    regulator: str = "EMA",
    nsims: int = 1_000_000,
    seed: int = 123456,
    evaluation: str | None = None,
) -> AdjustedAlphaResult:
    """Empirical TIE of EMA ABEL and the largest alpha keeping it at the nominal level (Labes & Schuetz 2016).

    The search uses the same seed for every alpha (common random numbers), so the TIE is a monotone step
    function of alpha; the root is located to 1e-6. The TIE is the power of :func:`power_scabel` at a
    true ratio on the border of the null hypothesis: 1.25 when the true CVwR is at or below the switching
    CV, ``exp(k swR)`` (with swR capped) above it.

    Parameters
    ----------
    cv, n, design, regulator, evaluation
        As in :func:`power_scabel`.
    alpha : float, default 0.05
        Nominal one-sided level of each of the two one-sided tests.
    nsims : int, default 1000000
        Number of simulated studies per evaluated alpha (a TIE near 0.05 needs about 10^6 for a Monte
        Carlo standard error of 0.0002).
    seed : int, default 123456
        Seed of the NumPy ``Generator``, the same for every alpha.

    Returns
    -------
    AdjustedAlphaResult
        The TIE at ``alpha``, the adjusted alpha and its TIE, and the boundary ratio simulated.

    Raises
    ------
    InputError
        For a regulator other than ``EMA``, ``HC``, ``GCC``, ``FDA``, and as :func:`power_scabel`
        (design, evaluation, CV, group sizes, alpha, ``nsims``).

    References
    ----------
    Labes D, Schuetz H (2016) Inflation of type I error in the evaluation of scaled average
    bioequivalence, and a method for its control. Pharm Res 33(11):2805-2814. EMA, Guideline on the
    Investigation of Bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1/Corr (2010), section 4.1.10.
    Labes D, Schuetz H, Lang B. PowerTOST (R package), ``scABEL.ad``.

    Examples
    --------
    >>> r = scabel_adjusted_alpha(cv=0.35, n=34, design="2x3x3", nsims=100_000)
    >>> round(r.type1_error, 3), round(r.alpha_adjusted, 4)
    (0.055, 0.0455)
    """
    from scipy import optimize

    k, cv_switch, cv_cap = _regulator_constants(regulator)
    cvwr = float(np.atleast_1d(np.asarray(cv, dtype=float))[-1])
    upper = 1.25 if cvwr <= cv_switch else math.exp(k * math.sqrt(float(cv_to_mse(min(cvwr, cv_cap)))))

    def simulated(a: float) -> ScaledPowerResult:
        return power_scabel(
            cv,
            n,
            design,
            theta0=upper,
            alpha=a,
            regulator=regulator,
            nsims=nsims,
            seed=seed,
            evaluation=evaluation,
        )

    at_nominal = simulated(alpha)
    nominal = at_nominal.power
    adjusted, adjusted_tie = alpha, nominal
    if nominal > alpha:
        adjusted = float(optimize.brentq(lambda a: simulated(a).power - alpha, 1e-5, alpha, xtol=1e-6))
        adjusted_tie = simulated(adjusted).power
    return AdjustedAlphaResult(
        alpha=alpha,
        type1_error=nominal,
        alpha_adjusted=adjusted,
        type1_error_adjusted=adjusted_tie,
        theta0_boundary=upper,
        design=at_nominal.design,
        n=at_nominal.n,
        cvwt=at_nominal.cvwt,
        cvwr=at_nominal.cvwr,
        regulator=regulator,
        nsims=nsims,
        seed=seed,
        software_version=software_version(),
    )
