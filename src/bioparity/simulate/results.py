"""Outcomes of simulated studies: per-study arrays, exact integer tallies, and the summary result."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity._results import ResultMixin, software_version
from bioparity.simulate.design import PKSimilarityDesign

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class StudyOutcomes:
    """Per study ``s``, metric ``m``, comparison ``c`` (and arm ``a``): the decision of each study.

    ``gmr``, ``ci_lower``, ``ci_upper`` are ratios (not percent); NaN where not estimable.
    """

    gmr: FloatArray  # (S, M, C)
    ci_lower: FloatArray  # (S, M, C)
    ci_upper: FloatArray  # (S, M, C)
    passed: BoolArray  # (S, M, C)
    estimable: BoolArray  # (S, M, C)
    n_analysed: IntArray  # (S, M, A)
    n_dropouts: IntArray  # (S,)
    n_ada: IntArray  # (S,)
    n_aucpext_over: IntArray  # (S,) analysed subjects with %AUCext above the limit (AUCIFO)

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
    """Integer counts over a set of studies; adding tallies is exact and order-free."""

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
    """

    SETTINGS = ("n_studies", "seed", "design", "studies_per_block")

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

    def _repr_fields(self) -> list[str]:
        return ["probability", "mc_se", "n_studies", "seed"]

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
    """The result object of a finished simulation."""
    K = tally.n_studies
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
