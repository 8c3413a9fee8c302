"""Outcomes of simulated studies: per-study arrays, exact integer tallies, and the summary result."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from bioparity._results import ResultMixin, software_version
from bioparity.arrays import BoolArray, FloatArray, IntArray
from bioparity.errors import InputError
from bioparity.simulate.design import PKSimilarityDesign


@dataclass(frozen=True)
class StudyOutcomes:
    """Per study ``s``, metric ``m``, comparison ``c`` (and arm ``a``): the decision of each study.

    ``gmr``, ``ci_lower``, ``ci_upper`` are ratios (not percent); NaN where not estimable. ``S`` is the
    number of studies, ``M`` of metrics (``design.metrics``), ``C`` of comparisons
    (``design.comparisons``), ``A`` of arms. ``success`` is True for a study whose every comparison of
    every metric passes.

    Attributes
    ----------
    gmr : numpy.ndarray of float, shape (S, M, C)
        Geometric mean ratio of each comparison (fraction).
    ci_lower, ci_upper : numpy.ndarray of float, shape (S, M, C)
        Its ``1 - 2 alpha`` confidence interval.
    passed : numpy.ndarray of bool, shape (S, M, C)
        Whether the CI (percent, two decimals) lies within the design's limits.
    estimable : numpy.ndarray of bool, shape (S, M, C)
        Whether the comparison could be computed (enough subjects with the metric).
    n_analysed : numpy.ndarray of int, shape (S, M, A)
        Subjects of each arm in the analysis of each metric.
    n_dropouts : numpy.ndarray of int, shape (S,)
        Subjects who dropped out, per study.
    n_ada : numpy.ndarray of int, shape (S,)
        ADA-positive subjects, per study.
    n_aucpext_over : numpy.ndarray of int, shape (S,)
        Subjects of the analysis set whose extrapolated AUC share exceeds ``design.max_aucpext`` (kept
        in AUCIFO, or left out of it with ``aucpext_rule="exclude"``), per study.
    """

    gmr: FloatArray  # (S, M, C)
    ci_lower: FloatArray  # (S, M, C)
    ci_upper: FloatArray  # (S, M, C)
    passed: BoolArray  # (S, M, C)
    estimable: BoolArray  # (S, M, C)
    n_analysed: IntArray  # (S, M, A)
    n_dropouts: IntArray  # (S,)
    n_ada: IntArray  # (S,)
    n_aucpext_over: IntArray  # (S,) subjects of the analysis set with %AUCext above the limit

    @property
    def n_studies(self) -> int:
        return int(self.passed.shape[0])

    @property
    def success(self) -> BoolArray:
        """A study succeeds when every comparison of every metric passes."""
        return np.asarray(self.passed.all(axis=(1, 2)), dtype=bool)

    @classmethod
    def concat(cls, parts: Sequence[StudyOutcomes]) -> StudyOutcomes:
        names = (
            "gmr", "ci_lower", "ci_upper", "passed", "estimable", "n_analysed",
            "n_dropouts", "n_ada", "n_aucpext_over",
        )  # fmt: skip
        return cls(**{k: np.concatenate([getattr(p, k) for p in parts]) for k in names})

    def tally(self) -> Tally:
        return Tally(
            n_studies=self.n_studies,
            n_success=int(self.success.sum()),
            n_pass=self.passed.sum(axis=0).astype(np.int64),
            n_estimable=self.estimable.sum(axis=0).astype(np.int64),
            n_analysed=self.n_analysed.sum(axis=0).astype(np.int64),
            n_dropouts=int(self.n_dropouts.sum()),
            n_ada=int(self.n_ada.sum()),
            n_aucpext_over=int(self.n_aucpext_over.sum()),
        )

    def to_frame(self, design: PKSimilarityDesign, first_study: int = 0) -> pd.DataFrame:
        """One row per study, metric and comparison: GMR and CI in percent, pass, subjects analysed."""
        S, M, C = self.passed.shape
        idx = np.indices((S, M, C)).reshape(3, -1)
        pairs = np.asarray(design.comparisons)[idx[2]]
        n = self.n_analysed[idx[0], idx[1]]
        return pd.DataFrame(
            {
                "study": first_study + idx[0],
                "metric": np.asarray(design.metrics, dtype=object)[idx[1]],
                "comparison": np.asarray(design.comparison_labels, dtype=object)[idx[2]],
                "gmr": 100.0 * self.gmr.ravel(),
                "ci_lower": 100.0 * self.ci_lower.ravel(),
                "ci_upper": 100.0 * self.ci_upper.ravel(),
                "pass": self.passed.ravel(),
                "n_test": n[np.arange(n.shape[0]), pairs[:, 0]],
                "n_reference": n[np.arange(n.shape[0]), pairs[:, 1]],
                "study_success": np.repeat(self.success, M * C),
                "n_dropouts": np.repeat(self.n_dropouts, M * C),
                "n_ada": np.repeat(self.n_ada, M * C),
                "n_aucpext_over": np.repeat(self.n_aucpext_over, M * C),
            }
        )


@dataclass(frozen=True)
class Tally:
    """Integer counts over a set of studies; adding tallies is exact and order-free.

    ``StudyOutcomes.tally()`` makes one; ``a + b`` and :meth:`total` combine the tallies of chunks run
    anywhere, and :func:`summarise` turns the total into rates.

    Attributes
    ----------
    n_studies : int
        Studies counted.
    n_success : int
        Studies in which every comparison of every metric passed.
    n_pass : numpy.ndarray of int, shape (M, C)
        Studies passing each comparison of each metric.
    n_estimable : numpy.ndarray of int, shape (M, C)
        Studies in which each comparison of each metric was estimable.
    n_analysed : numpy.ndarray of int, shape (M, A)
        Subjects of each arm analysed for each metric, summed over the studies.
    n_dropouts : int
        Dropouts summed over the studies.
    n_ada : int
        ADA-positive subjects summed over the studies.
    n_aucpext_over : int, default 0
        Analysed subjects with an extrapolated AUC share above the limit, summed over the studies.
    """

    n_studies: int
    n_success: int
    n_pass: IntArray  # (M, C)
    n_estimable: IntArray  # (M, C)
    n_analysed: IntArray  # (M, A) subjects analysed, summed over studies
    n_dropouts: int
    n_ada: int
    n_aucpext_over: int = 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            n_studies=self.n_studies + other.n_studies,
            n_success=self.n_success + other.n_success,
            n_pass=self.n_pass + other.n_pass,
            n_estimable=self.n_estimable + other.n_estimable,
            n_analysed=self.n_analysed + other.n_analysed,
            n_dropouts=self.n_dropouts + other.n_dropouts,
            n_ada=self.n_ada + other.n_ada,
            n_aucpext_over=self.n_aucpext_over + other.n_aucpext_over,
        )

    @staticmethod
    def total(parts: Sequence[Tally]) -> Tally:
        out = parts[0]
        for p in parts[1:]:
            out = out + p
        return out


@dataclass(frozen=True, repr=False)
class PKSimilarityPower(ResultMixin):
    """Probability that a PK similarity study of ``design`` succeeds, by simulating ``n_studies`` studies.

    ``probability`` is the fraction of studies in which every comparison of every metric passes;
    ``mc_se = sqrt(p (1 - p) / K)`` its Monte Carlo standard error. ``pass_rate[m][c]`` is the fraction
    passing comparison ``c`` of metric ``m`` alone, ``estimable_rate`` the fraction where it could be
    computed, ``mean_analysed[m][a]`` the mean number of subjects of arm ``a`` in the analysis of ``m``;
    ``mean_aucpext_over`` the mean number of analysed subjects per study with %AUCext above the limit
    (kept and counted, or excluded, as ``design.aucpext_rule`` says), the count the analysis reports.

    Attributes
    ----------
    probability : float
        Fraction of the simulated studies that succeed (every comparison of every metric passes).
    mc_se : float
        Its Monte Carlo standard error ``sqrt(p (1 - p) / n_studies)``.
    n_studies : int
        Number of simulated studies ``K``.
    seed : int
        Seed of the run (studies ``0 .. K-1`` of this seed).
    metrics : tuple of str
        NCA codes of the decision, in the order of the rates.
    comparisons : tuple of str
        Comparison labels ``"<arm i> vs <arm j>"``, in the order of the rates.
    pass_rate : tuple of tuple of float
        ``pass_rate[m][c]``: fraction of the studies passing comparison ``c`` of metric ``m``.
    estimable_rate : tuple of tuple of float
        ``estimable_rate[m][c]``: fraction of the studies in which that comparison was estimable.
    mean_analysed : dict of str to dict of str to float
        ``mean_analysed[metric][arm]``: mean number of subjects of the arm analysed for the metric.
    dropout_rate : float
        Fraction of the enrolled subjects who dropped out.
    ada_rate : float
        Fraction of the enrolled subjects who were ADA-positive.
    mean_aucpext_over : float
        Mean number per study of analysed subjects with an extrapolated AUC share above the limit.
    studies_per_block : int
        Studies per random stream (:data:`STUDIES_PER_BLOCK`; part of the definition of the numbers).
    design : PKSimilarityDesign
        The design simulated.
    software_version : str
        bioparity's version.

    References
    ----------
    Burton A, Altman DG, Royston P, Holder RL (2006) The design of simulation studies in medical
    statistics. Stat Med 25:4279-4292 (Monte Carlo standard error of a proportion).
    """

    SETTINGS = ("n_studies", "seed", "design", "studies_per_block")
    REPR_FIELDS = ("probability", "mc_se", "n_studies", "seed")

    probability: float
    mc_se: float
    n_studies: int
    seed: int
    metrics: tuple[str, ...]
    comparisons: tuple[str, ...]
    pass_rate: tuple[tuple[float, ...], ...]
    estimable_rate: tuple[tuple[float, ...], ...]
    mean_analysed: dict[str, dict[str, float]]
    dropout_rate: float
    ada_rate: float
    mean_aucpext_over: float
    studies_per_block: int
    design: PKSimilarityDesign
    software_version: str

    def to_frame(self) -> pd.DataFrame:
        """One row per metric and comparison, with the overall probability on every row."""
        rows: list[dict[str, Any]] = []
        for m, metric in enumerate(self.metrics):
            for c, comparison in enumerate(self.comparisons):
                rows.append(
                    {
                        "metric": metric,
                        "comparison": comparison,
                        "pass_rate": self.pass_rate[m][c],
                        "estimable_rate": self.estimable_rate[m][c],
                        "probability_all_pass": self.probability,
                        "mc_se": self.mc_se,
                        "n_studies": self.n_studies,
                        "seed": self.seed,
                        "software_version": self.software_version,
                    }
                )
        return pd.DataFrame(rows)

    def summary(self) -> str:
        rates = [(r, m, c) for m, row in zip(self.metrics, self.pass_rate, strict=True)
                 for c, r in zip(self.comparisons, row, strict=True)]  # fmt: skip
        low = min(rates, default=None)
        weakest = f"; lowest pass rate {low[0]:.4f} ({low[1]}, {low[2]})" if low else ""
        return (
            f"PK similarity: probability that all comparisons pass over {self.n_studies} simulated studies "
            f"(seed {self.seed}): {self.probability:.4f} (MC SE {self.mc_se:.4f})\n"
            f"{len(self.metrics)} metric(s) x {len(self.comparisons)} comparison(s){weakest}; dropout rate "
            f"{self.dropout_rate:.3f}, ADA rate {self.ada_rate:.3f}"
        )


def summarise(
    design: PKSimilarityDesign, seed: int, tally: Tally, studies_per_block: int
) -> PKSimilarityPower:
    """The result object of a finished simulation.

    Parameters
    ----------
    design : PKSimilarityDesign
        The design simulated (its metrics, comparison labels, arms and enrolment per study).
    seed : int
        Seed of the run, recorded in the result.
    tally : Tally
        Counts over all the studies of the run (at least one study), e.g. the sum of the tallies of
        the chunks.
    studies_per_block : int
        Studies per random stream used by the run (:data:`STUDIES_PER_BLOCK`), recorded in the result.

    Returns
    -------
    PKSimilarityPower
        Probability of success with its Monte Carlo standard error, the pass and estimable rates per
        metric and comparison, mean subjects analysed, dropout and ADA rates.

    Raises
    ------
    InputError
        The tally counts no study.

    Examples
    --------
    >>> from bioparity.simulate import STUDIES_PER_BLOCK, simulate_studies
    >>> design = PKSimilarityDesign(n_per_arm=60)
    >>> tally = simulate_studies(design, seed=1, lo=0, hi=100).tally()
    >>> power = summarise(design, 1, tally, STUDIES_PER_BLOCK)
    >>> power.probability, round(power.mc_se, 3), power.n_studies
    (0.52, 0.05, 100)
    """
    K = tally.n_studies
    if K < 1:
        raise InputError("no study was simulated: a simulation summary needs at least one study")
    p = tally.n_success / K
    analysed = tally.n_analysed / K
    return PKSimilarityPower(
        probability=p,
        mc_se=math.sqrt(p * (1.0 - p) / K),
        n_studies=K,
        seed=seed,
        metrics=design.metrics,
        comparisons=design.comparison_labels,
        pass_rate=tuple(tuple(float(x) for x in row) for row in tally.n_pass / K),
        estimable_rate=tuple(tuple(float(x) for x in row) for row in tally.n_estimable / K),
        mean_analysed={
            metric: {arm: float(analysed[m, a]) for a, arm in enumerate(design.arms)}
            for m, metric in enumerate(design.metrics)
        },
        dropout_rate=tally.n_dropouts / (K * design.n_subjects),
        ada_rate=tally.n_ada / (K * design.n_subjects),
        mean_aucpext_over=tally.n_aucpext_over / K,
        studies_per_block=studies_per_block,
        design=design,
        software_version=software_version(),
    )
