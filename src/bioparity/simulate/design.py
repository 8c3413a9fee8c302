"""The design of a simulated parallel-group PK similarity study (biosimilar mAb, three arms by default).

Units: time in hours, dose in mg, clearance in L/h, volume in L, absorption rate in 1/h, so that
concentrations (and the LLOQ) are in mg/L (= ug/mL). The defaults describe a subcutaneous IgG1 mAb in
healthy volunteers, a single 40 mg dose and sampling to day 70, calibrated to the published three-arm
adalimumab study of Kaur et al. (2017), "A randomised, single-blind, single-dose, three-arm,
parallel-group study in healthy subjects to demonstrate pharmacokinetic equivalence of ABP 501 and
adalimumab", Ann Rheum Dis 76:526-533 (n = 67/69/67, 40 mg SC; Table 5, PK by ADA status):

* CL/F 0.012 L/h and V/F 6 L give a terminal half-life of about 350 h, as in ADA-negative subjects there
  (arithmetic mean t1/2 281-371 h);
* between-subject CVs 35% (CL), 35% (V), 30% (ka) reproduce the geometric CVs reported within ADA strata:
  AUCinf 33-37% (ADA-negative) and Cmax 28-33% (the simulation gives about 34% and 30%);
* ADA incidence 59% (119 of 203 subjects ADA-positive in Kaur et al. Table 5: 36/67, 38/69, 45/67);
* ADA-driven clearance: factor 2 from day 15 (``ada_onset`` 336 h, an assumption: onset is not
  reported) gives an AUCinf ratio ADA-positive/negative of about 0.71 and t1/2 about 186 h, against
  0.69-0.84 and 143-176 h (mean t1/2) reported;
* true exposure ratio 0.95 of the candidate to both references (:data:`PLANNING_RATIO`);
* dropout 0 and LLOQ 0 by default: set them for the study planned (dropout changes the analysed
  completers, not the enrolment, see :func:`bioparity.power.multi_arm.sample_size_pk_similarity` for
  completers -> enrolled).

These are a starting point calibrated to one published study, not data of the product planned.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from bioparity.errors import InputError

# Variance models of the pairwise intervals (the same as :func:`bioparity.be.similarity.pk_similarity`).
from bioparity.power.acceptance import VARIANCE_MODELS as VARIANCE_MODELS

#: Metrics the decision can use (CDISC PPTESTCD codes of bioparity.nca).
DECISION_METRICS: tuple[str, ...] = ("AUCIFO", "AUCLST", "CMAX")

#: Sampling times (h): pre-dose, 6 h, 12 h, days 1-7, 10, 14, 21, 28, 42, 56 and 70.
DEFAULT_TIMES: tuple[float, ...] = (
    0.0, 6.0, 12.0, 24.0, 48.0, 72.0, 96.0, 120.0, 144.0, 168.0,
    240.0, 336.0, 504.0, 672.0, 1008.0, 1344.0, 1680.0,
)  # fmt: skip

ANALYSIS_SETS: tuple[str, ...] = ("completers", "available")
#: What happens to AUCIFO of subjects with %AUCext above ``max_aucpext``.
AUCPEXT_RULES: tuple[str, ...] = ("keep", "exclude")
#: Planning ratio of the first arm (the candidate) to the references: the conventional planning
#: assumption of PowerTOST (``sampleN.TOST`` default ``theta0 = 0.95``; Labes, Schuetz & Lang, R package
#: PowerTOST) and of issue 27; the references are assumed equal.
PLANNING_RATIO = 0.95


def _per_arm(name: str, value: float | Sequence[float], n_arms: int) -> tuple[float, ...]:
    values = (
        (float(value),) * n_arms
        if isinstance(value, (int, float, np.integer, np.floating))
        else tuple(float(v) for v in value)
    )
    if len(values) == 1:
        values = values * n_arms
    if len(values) != n_arms:
        raise InputError(f"{name} has {len(values)} values for {n_arms} arms; give one value or one per arm")
    return values


@dataclass(frozen=True)
class PKSimilarityDesign:
    """One-compartment PK with first-order absorption, between-subject variability and study conduct.

    Every subject ``i`` of arm ``a`` gets ``CL_i = cl exp(eta_CL)``, ``V_i = v exp(eta_V)``,
    ``ka_i = ka exp(eta_ka)`` with independent ``eta ~ N(0, ln(1 + cv^2))``, and exposure
    ``bioavailability[a] * dose`` (so ``bioavailability`` holds the true exposure ratios between arms: the
    true GMR of AUC and Cmax of arm ``a`` vs arm ``b`` is ``bioavailability[a] / bioavailability[b]``).
    Observations carry log-normal proportional error (CV ``residual_cv``); values below ``lloq`` are
    reported BLQ and handled by the NCA engine's BLQ rule (PKNCA's). A fraction ``ada_fraction[a]`` of the
    subjects develops anti-drug antibodies at ``ada_onset`` h, after which their clearance is
    ``ada_cl_factor`` times higher. Each subject drops out with probability ``dropout``, at a time uniform
    over the sampling period (after the first sample); later samples are missing.

    ``bioavailability`` defaults to :data:`PLANNING_RATIO` for the first arm and 1 for the others.

    Analysis (the same rules as :func:`bioparity.be.similarity.pk_similarity_table`, issue 27): NCA
    (``metrics`` from lin-up/log-down AUCs, PKNCA defaults), then all pairwise comparisons
    ``arms[i] / arms[j]`` (``i < j``) of each metric by the parallel-group ``1 - 2 alpha`` CI with the
    ``variance`` model (``welch`` default, ``pooled``), which must lie within ``theta1``-``theta2``. A study
    succeeds when every comparison of every metric passes. ``analysis_set`` ``completers`` (default)
    analyses the subjects who did not drop out and have every metric; ``available`` uses, per metric,
    what the NCA estimates (also from truncated profiles). Subjects with an extrapolated AUC share above
    ``max_aucpext`` percent are kept in AUCIFO and counted (``aucpext_rule="keep"``, EMA Guideline on the
    investigation of bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.8) or excluded from it
    (``"exclude"``, the behaviour before issue 27: from AUCIFO only, their AUC0-t and Cmax stay analysed,
    also with ``completers``); a metric that is not estimable is left out.

    Units: time h, dose mg, clearance L/h, volume L, rate constants 1/h, concentrations mg/L. Each
    per-arm argument takes one value for every arm or one value per arm.

    Parameters
    ----------
    arms : tuple of str, default ("test", "eu-ref", "us-ref")
        Arm labels, at least two and distinct; the first is the candidate. Comparisons are
        ``arms[i] / arms[j]`` for ``i < j``.
    n_per_arm : int or tuple of int, default 50
        Subjects enrolled per arm, whole numbers >= 2.
    bioavailability : float or tuple of float, optional
        Relative exposure per arm (> 0): the true GMR of arm ``a`` vs ``b`` is their ratio. Default
        :data:`PLANNING_RATIO` (0.95) for the first arm and 1 for the others.
    dose : float, default 40.0
        Single dose into the depot (mg), > 0.
    times : tuple of float, default DEFAULT_TIMES
        Sampling times (h): at least 3, increasing, >= 0 (default pre-dose to day 70).
    cl : float, default 0.012
        Typical apparent clearance CL/F (L/h), > 0.
    v : float, default 6.0
        Typical apparent volume V/F (L), > 0.
    ka : float, default 0.012
        Typical absorption rate constant (1/h), > 0.
    cv_cl, cv_v, cv_ka : float, default 0.35, 0.35 and 0.30
        Between-subject CVs (fractions, >= 0) of the log-normal CL, V and ka.
    residual_cv : float, default 0.10
        CV of the log-normal proportional residual error of each observation, >= 0.
    lloq : float, default 0.0
        Lower limit of quantification (mg/L), >= 0; observations below it are reported BLQ (0: none).
    dropout : float, default 0.0
        Probability that a subject drops out, in [0, 1); the dropout time is uniform over the sampling
        period and later samples are missing.
    analysis_set : {"completers", "available"}, default "completers"
        ``completers``: subjects who did not drop out and have every metric; ``available``: per metric,
        every subject whose metric the NCA estimates.
    ada_fraction : float or tuple of float, default 0.59
        Fraction of the subjects of each arm who develop anti-drug antibodies, in [0, 1].
    ada_onset : float, default 336.0
        Time (h) from which the clearance of ADA-positive subjects rises, >= 0.
    ada_cl_factor : float, default 2.0
        Factor on the clearance of ADA-positive subjects from ``ada_onset`` on, > 0.
    metrics : tuple of str, default DECISION_METRICS
        Distinct NCA codes of the decision among ``AUCIFO``, ``AUCLST``, ``CMAX`` (case-insensitive).
    alpha : float, default 0.05
        One-sided level of each of the two one-sided tests (the 90% CI), in (0, 0.5).
    theta1 : float, default 0.80
        Lower acceptance limit of each ratio, in (0, 1).
    theta2 : float, optional
        Upper acceptance limit, > 1; default ``1 / theta1``.
    max_aucpext : float, default 20.0
        Largest extrapolated share of AUCIFO (percent, in (0, 100]) before a subject is counted (and,
        with ``aucpext_rule="exclude"``, excluded from AUCIFO).
    variance : {"welch", "pooled"}, default "welch"
        Variance model of the pairwise intervals (:func:`welch_pairwise_intervals`,
        :func:`pooled_pairwise_intervals`).
    aucpext_rule : {"keep", "exclude"}, default "keep"
        What happens to AUCIFO of subjects above ``max_aucpext``.

    Attributes
    ----------
    comparisons : tuple of (int, int)
        The pairs ``(i, j)``, ``i < j``, of arm indices compared (set by the constructor).

    Raises
    ------
    InputError
        For any argument outside its domain (named in the message), or a per-arm argument whose number
        of values is neither 1 nor the number of arms.

    References
    ----------
    Kaur P et al. (2017) Ann Rheum Dis 76:526-533 (the calibration of the defaults). EMA, Guideline on
    the Investigation of Bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1 (2010), section 4.1.8 (extrapolated
    AUC above 20%). Welch BL (1947) Biometrika 34:28-35.

    Examples
    --------
    >>> d = PKSimilarityDesign(n_per_arm=(30, 25, 25), dropout=0.1)
    >>> d.comparison_labels
    ('test vs eu-ref', 'test vs us-ref', 'eu-ref vs us-ref')
    >>> d.bioavailability, d.theta2
    ((0.95, 1.0, 1.0), 1.25)
    """

    arms: tuple[str, ...] = ("test", "eu-ref", "us-ref")
    n_per_arm: tuple[int, ...] | int = 50
    bioavailability: tuple[float, ...] | float | None = None
    dose: float = 40.0
    times: tuple[float, ...] = DEFAULT_TIMES
    cl: float = 0.012
    v: float = 6.0
    ka: float = 0.012
    cv_cl: float = 0.35
    cv_v: float = 0.35
    cv_ka: float = 0.30
    residual_cv: float = 0.10
    lloq: float = 0.0
    dropout: float = 0.0
    analysis_set: str = "completers"
    ada_fraction: tuple[float, ...] | float = 0.59
    ada_onset: float = 336.0
    ada_cl_factor: float = 2.0
    metrics: tuple[str, ...] = DECISION_METRICS
    alpha: float = 0.05
    theta1: float = 0.80
    theta2: float | None = None
    max_aucpext: float = 20.0
    variance: str = "welch"
    aucpext_rule: str = "keep"
    comparisons: tuple[tuple[int, int], ...] = field(init=False)

    def __post_init__(self) -> None:
        arms = tuple(str(a) for a in self.arms)
        if len(arms) < 2 or len(set(arms)) != len(arms):
            raise InputError(f"need at least two distinct arms; got {list(arms)}")
        k = len(arms)
        sizes = _per_arm("n_per_arm", self.n_per_arm, k)
        if any(s != int(s) or s < 2 for s in sizes):
            raise InputError(f"n_per_arm = {sizes}; expected whole numbers >= 2 (subjects enrolled per arm)")
        planning = (PLANNING_RATIO, *([1.0] * (k - 1)))
        f = planning if self.bioavailability is None else _per_arm("bioavailability", self.bioavailability, k)
        if not all(math.isfinite(x) and x > 0 for x in f):
            raise InputError(f"bioavailability = {f}; expected positive relative exposures, one per arm")
        ada = _per_arm("ada_fraction", self.ada_fraction, k)
        if not all(0.0 <= x <= 1.0 for x in ada):
            raise InputError(f"ada_fraction = {ada}; expected fractions between 0 and 1, one per arm")
        times = tuple(float(t) for t in self.times)
        if len(times) < 3 or times[0] < 0 or any(b <= a for a, b in itertools.pairwise(times)):
            raise InputError(f"times = {times}; expected at least 3 increasing sampling times >= 0 (h)")
        for name in ("dose", "cl", "v", "ka", "ada_cl_factor"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InputError(f"{name} = {value!r}; expected a positive number")
        for name in ("cv_cl", "cv_v", "cv_ka", "residual_cv", "lloq", "ada_onset"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise InputError(f"{name} = {value!r}; expected a number >= 0")
        if not 0.0 <= self.dropout < 1.0:
            raise InputError(f"dropout = {self.dropout!r}; expected a probability in [0, 1)")
        if self.analysis_set not in ANALYSIS_SETS:
            raise InputError(
                f"analysis_set = {self.analysis_set!r}; expected one of {', '.join(ANALYSIS_SETS)}"
            )
        if self.variance not in VARIANCE_MODELS:
            raise InputError(f"variance = {self.variance!r}; expected one of {', '.join(VARIANCE_MODELS)}")
        if self.aucpext_rule not in AUCPEXT_RULES:
            raise InputError(
                f"aucpext_rule = {self.aucpext_rule!r}; expected one of {', '.join(AUCPEXT_RULES)}"
            )
        metrics = tuple(m.strip().upper() for m in self.metrics)
        unknown = [m for m in metrics if m not in DECISION_METRICS]
        if not metrics or unknown or len(set(metrics)) != len(metrics):
            raise InputError(
                f"metrics = {list(self.metrics)}; expected distinct codes among {', '.join(DECISION_METRICS)}"
            )
        if not 0 < self.alpha < 0.5:
            raise InputError(f"alpha = {self.alpha!r}; expected a level in (0, 0.5)")
        theta2 = 1.0 / self.theta1 if self.theta2 is None else float(self.theta2)
        if not 0 < self.theta1 < 1 < theta2:
            raise InputError(f"limits {self.theta1}-{theta2}; expected 0 < theta1 < 1 < theta2")
        if not 0 < self.max_aucpext <= 100:
            raise InputError(f"max_aucpext = {self.max_aucpext!r}; expected a percentage in (0, 100]")
        object.__setattr__(self, "arms", arms)
        object.__setattr__(self, "n_per_arm", tuple(int(s) for s in sizes))
        object.__setattr__(self, "bioavailability", f)
        object.__setattr__(self, "ada_fraction", ada)
        object.__setattr__(self, "times", times)
        object.__setattr__(self, "metrics", metrics)
        object.__setattr__(self, "theta2", theta2)
        object.__setattr__(self, "comparisons", tuple((i, j) for i in range(k) for j in range(i + 1, k)))

    # Typed views of the normalised fields (the constructor also accepts scalars).
    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(int(s) for s in np.atleast_1d(self.n_per_arm))

    @property
    def exposure(self) -> tuple[float, ...]:
        return tuple(float(x) for x in np.atleast_1d(np.asarray(self.bioavailability, dtype=float)))

    @property
    def ada_fractions(self) -> tuple[float, ...]:
        return tuple(float(x) for x in np.atleast_1d(self.ada_fraction))

    @property
    def upper_limit(self) -> float:
        return float(self.theta2) if self.theta2 is not None else 1.0 / self.theta1

    @property
    def n_subjects(self) -> int:
        """Subjects enrolled per study (all arms)."""
        return sum(self.sizes)

    @property
    def comparison_labels(self) -> tuple[str, ...]:
        return tuple(f"{self.arms[i]} vs {self.arms[j]}" for i, j in self.comparisons)

    def arm_of_subject(self) -> np.ndarray[tuple[int], np.dtype[np.int64]]:
        """Arm index of each subject column: arm 0's subjects first, then arm 1's, ..."""
        return np.repeat(np.arange(len(self.arms), dtype=np.int64), self.sizes)
