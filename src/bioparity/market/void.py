r"""The void score: how open a molecule's biosimilar market is in one region (a pure NumPy core).

Four components, each in [0, 1] (1 = most attractive), computed per molecule and region:

* ``no_competition`` :math:`= 1/(1 + A)`, with :math:`A` the biosimilars approved in the region;
* ``no_pipeline`` :math:`= 1/(1 + D)`, with :math:`D` the biosimilar programmes in clinical
  development (distinct sponsors of ongoing trials, or the curated list);
* ``timing`` :math:`= \max(0, 1 - |y - L| / H)`, with :math:`y` the years from the as-of year to the
  end of protection, :math:`L` the ideal lead time (a programme started now reaches the market when
  protection ends) and :math:`H` the half-width of the window;
* ``market_size`` :math:`= \min(1, \log_{10}(1 + S)/\log_{10}(1 + S_{ref}))`, with :math:`S` the
  originator's annual sales in USD million and :math:`S_{ref}` the sales that count as the maximum.

The score is the weighted mean

.. math:: V = \frac{\sum_i w_i c_i}{\sum_i w_i},

where a component whose input is unknown counts as :math:`c_i = 0` (an unknown is never rewarded)
and ``coverage`` :math:`= \sum_{i\,known} w_i / \sum_i w_i` says how much of the score rests on
known inputs. Raising one weight :math:`w_k` by :math:`\delta` moves the score by exactly
:math:`\delta (c_k - V)/(W + \delta)` with :math:`W = \sum_i w_i`: up when the component is above the
current score, down when below, unchanged when equal.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike, NDArray

from bioparity._results import ResultMixin, number, software_version, values_text
from bioparity.errors import InputError

COMPONENTS = ("no_competition", "no_pipeline", "timing", "market_size")


@dataclass(frozen=True)
class VoidWeights:
    """Weights of the four components (any non-negative numbers with a positive sum) and the
    timing and market-size settings."""

    no_competition: float = 0.35
    no_pipeline: float = 0.25
    timing: float = 0.25
    market_size: float = 0.15
    ideal_lead_years: float = 7.0
    timing_window_years: float = 10.0
    sales_reference_usd_m: float = 20_000.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not np.isfinite(value) or value < 0:
                raise InputError(f"weight setting {f.name} must be a finite number >= 0, got {value!r}")
        if self.total <= 0:
            raise InputError("the component weights must not all be zero")
        if self.timing_window_years <= 0 or self.sales_reference_usd_m <= 0:
            raise InputError("timing_window_years and sales_reference_usd_m must be > 0")

    @property
    def vector(self) -> NDArray[np.float64]:
        return np.array([getattr(self, c) for c in COMPONENTS], dtype=float)

    @property
    def total(self) -> float:
        return float(self.vector.sum())

    @classmethod
    def parse(cls, text: str) -> VoidWeights:
        """``"no_competition=0.5,timing=0.3"`` -> weights (unnamed ones keep their defaults)."""
        values: dict[str, float] = {}
        names = {f.name for f in fields(cls)}
        for part in filter(None, (p.strip() for p in text.split(","))):
            key, sep, number = part.partition("=")
            key = key.strip().replace("-", "_")
            if not sep or key not in names:
                raise InputError(
                    f"bad weight {part!r}; expected name=value with name in {', '.join(sorted(names))}"
                )
            try:
                values[key] = float(number)
            except ValueError:
                raise InputError(f"weight {key} is not a number: {number!r}") from None
        return cls(**values)


@dataclass(frozen=True, repr=False)
class VoidScores(ResultMixin):
    """Components (NaN where the input is unknown), score and coverage, one entry per molecule-region."""

    SETTINGS = ("weights",)

    no_competition: NDArray[np.float64]
    no_pipeline: NDArray[np.float64]
    timing: NDArray[np.float64]
    market_size: NDArray[np.float64]
    score: NDArray[np.float64]
    coverage: NDArray[np.float64]
    weights: VoidWeights
    software_version: str

    def summary(self) -> str:
        return (
            f"Market void scores of {self.score.size} molecule-regions: score "
            f"{values_text(self.score, number)}, coverage {values_text(self.coverage, number)}"
        )


def void_scores(
    approved: ArrayLike,
    in_development: ArrayLike,
    years_to_protection_end: ArrayLike,
    sales_usd_m: ArrayLike,
    weights: VoidWeights | None = None,
) -> VoidScores:
    """Void components and score for arrays of inputs (NaN = unknown), broadcast together.

    Counts and sales must be >= 0 where known; see the module docstring for the formula.
    """
    w = weights or VoidWeights()
    inputs = (approved, in_development, years_to_protection_end, sales_usd_m)
    a, d, y, s = np.broadcast_arrays(*(np.asarray(x, dtype=float) for x in inputs))
    for name, arr in (("approved", a), ("in_development", d), ("sales_usd_m", s)):
        if np.any(arr < 0):
            raise InputError(f"{name} must be >= 0 where known")
    with np.errstate(invalid="ignore"):
        comps = np.stack(
            [
                1.0 / (1.0 + a),
                1.0 / (1.0 + d),
                np.clip(1.0 - np.abs(y - w.ideal_lead_years) / w.timing_window_years, 0.0, 1.0),
                np.minimum(1.0, np.log10(1.0 + s) / np.log10(1.0 + w.sales_reference_usd_m)),
            ]
        )
    known = ~np.isnan(comps)
    vec = w.vector.reshape((-1,) + (1,) * a.ndim)
    score = np.sum(vec * np.where(known, comps, 0.0), axis=0) / w.total
    coverage = np.sum(vec * known, axis=0) / w.total
    return VoidScores(
        no_competition=comps[0],
        no_pipeline=comps[1],
        timing=comps[2],
        market_size=comps[3],
        score=score,
        coverage=coverage,
        weights=w,
        software_version=software_version(),
    )
