"""Frozen results of the assay analyses: numbers, settings used and the software version."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bioparity import __version__
from bioparity._results import ResultMixin, plain, verdict, with_rows


@dataclass(frozen=True)
class Outlier:
    """One value (or donor) removed by an outlier step, with the step and the reason."""

    step: str  # "analytical" (a donor's values across runs) or "biological" (donor means)
    donor: str
    run: str  # "" for a biological outlier (the whole donor)
    value: float  # on the analysis (transformed) scale
    lower_fence: float
    upper_fence: float


@dataclass(frozen=True, repr=False)
class CutPointResult(ResultMixin):
    """A cut point (screening, confirmatory or titration) with every estimate and the decisions taken.

    Cut points on the analysis scale (``*_t``) and on the data scale (back-transformed when the log was
    taken). ``cut_point`` is the one selected by ``method``.
    """

    SETTINGS = ("tier", "fpr", "transform", "method", "quantile_type", "lcl_confidence", "settings")

    tier: str
    fpr: float
    transform: str
    method: str
    cut_point: float
    parametric: float
    robust: float
    nonparametric: float
    parametric_lcl: float
    parametric_t: float
    robust_t: float
    nonparametric_t: float
    parametric_lcl_t: float
    mean_t: float
    sd_t: float
    median_t: float
    mad_t: float
    n_donors: int
    n_runs: int
    n_values: int
    var_donor: float
    var_residual: float
    run_means_p: float
    run_variances_p: float
    cut_point_type: str
    normalization: str
    normalization_factor: float
    skewness_raw: float
    skewness_log: float
    shapiro_p: float
    quantile_type: int
    lcl_confidence: float
    outliers: tuple[Outlier, ...]
    notes: tuple[str, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    software_version: str = __version__

    def to_frame(self) -> pd.DataFrame:
        """One row per estimate (parametric, robust, nonparametric, parametric LCL), settings repeated."""
        rows = []
        base = {k: v for k, v in self.plain_dict().items() if k not in ("outliers", "notes", "settings")}
        for method in ("parametric", "robust", "nonparametric", "parametric_lcl"):
            row: dict[str, Any] = {"tier": self.tier, "estimate": method}
            row["cut_point_estimate"] = getattr(self, method)
            row["cut_point_estimate_t"] = getattr(self, method + "_t")
            row["selected"] = method == self.method
            row.update(base)
            row["n_outliers"] = len(self.outliers)
            row["outliers"] = "; ".join(
                f"{o.step}:{o.donor}" + (f"/{o.run}" if o.run else "") for o in self.outliers
            )
            row["notes"] = " | ".join(self.notes)
            rows.append(row)
        return pd.DataFrame(rows)

    def outlier_frame(self) -> pd.DataFrame:
        """The removed values, one row each, with the step and the fences."""
        return pd.DataFrame(
            [plain(o) for o in self.outliers],
            columns=["step", "donor", "run", "value", "lower_fence", "upper_fence"],
        )

    def _repr_fields(self) -> list[str]:
        return ["tier", "fpr", "transform", "method", "cut_point", "n_donors", "n_runs", "outliers"]

    def summary(self) -> str:
        return (
            f"{self.tier.capitalize()} cut point ({self.method}, {self.transform} scale, false positive rate "
            f"{100 * self.fpr:g}%): {self.cut_point:.4g}\n"
            f"{self.n_donors} donors x {self.n_runs} runs ({self.n_values} values), "
            f"{len(self.outliers)} outlier(s) removed; parametric {self.parametric:.4g}, "
            f"robust {self.robust:.4g}, nonparametric {self.nonparametric:.4g}"
        )


class _NotesAsText(ResultMixin):
    """``to_frame`` with the ``notes`` tuple joined into one text column (repeated on every row)."""

    notes: tuple[str, ...]

    def to_frame(self) -> pd.DataFrame:
        """One row per run / level / sample: array fields as columns, settings and notes repeated."""
        columns: dict[str, Any] = {}
        for name, value in self.plain_dict().items():
            if name == "notes":
                continue
            columns[name] = getattr(self, name) if isinstance(getattr(self, name), np.ndarray) else value
        columns["notes"] = " | ".join(self.notes)
        return pd.DataFrame(columns)


@dataclass(frozen=True, repr=False)
class SensitivityResult(_NotesAsText):
    """Per-run concentrations at the cut point and the concentration detected in 95% of runs."""

    SETTINGS = ("cut_point", "method")

    runs: np.ndarray
    concentration_at_cut_point: np.ndarray
    cut_point: float
    method: str
    mean: float
    sd: float
    sensitivity_95: float
    t_factor: float
    n_runs: int
    notes: tuple[str, ...]
    software_version: str = __version__

    def summary(self) -> str:
        return (
            f"Sensitivity (concentration detected in 95% of runs, {self.method} interpolation at cut point "
            f"{self.cut_point:.4g}): {self.sensitivity_95:.4g}\n"
            f"{self.n_runs} runs: mean {self.mean:.4g}, SD {self.sd:.4g}, t {self.t_factor:.4g}"
        )


@dataclass(frozen=True, repr=False)
class DrugToleranceResult(_NotesAsText):
    """Per ADA level, the highest drug level at which the sample is still detected (signal >= cut point)."""

    SETTINGS = ("cut_point",)

    ada_levels: np.ndarray
    drug_tolerance: np.ndarray  # NaN when not detected even without drug
    detected_at_all_levels: np.ndarray
    cut_point: float
    notes: tuple[str, ...]
    software_version: str = __version__

    def summary(self) -> str:
        rows = [
            f"ADA {a:g}: " + ("not detected without drug" if np.isnan(t) else f"detected up to drug {t:g}")
            for a, t in zip(self.ada_levels.tolist(), self.drug_tolerance.tolist(), strict=True)
        ]
        return with_rows(f"Drug tolerance at cut point {self.cut_point:g}, {len(rows)} ADA levels", rows)


@dataclass(frozen=True, repr=False)
class IsrResult(ResultMixin):
    """Incurred sample reanalysis (ICH M10 section 7): per-sample % difference, pass share, verdict."""

    SETTINGS = ("assay", "limit_percent")

    samples: np.ndarray
    original: np.ndarray
    repeat: np.ndarray
    percent_difference: np.ndarray
    within_limit: np.ndarray
    assay: str
    limit_percent: float
    n_samples: int
    n_within: int
    share_within: float
    passed: bool
    software_version: str = __version__

    def failures(self) -> pd.DataFrame:
        """The samples outside the limit (the listing ICH M10 asks to investigate)."""
        frame = self.to_frame()
        return frame.loc[~frame["within_limit"]].reset_index(drop=True)

    def summary(self) -> str:
        return (
            f"ISR ({self.assay}, ICH M10 section 7): {self.n_within} of {self.n_samples} samples within "
            f"+/-{self.limit_percent:g}% ({100 * self.share_within:.1f}%): {verdict(self.passed)}"
        )
