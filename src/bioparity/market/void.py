r"""The void score: how open a molecule's biosimilar market is in one region (a pure NumPy core).

Four components, each in [0, 1] (1 = most attractive), computed per molecule and region:

* ``no_competition`` :math:`= 1/(1 + A)`, with :math:`A` the biosimilars approved in the region;
* ``no_pipeline`` :math:`= 1/(1 + D)`, with :math:`D` the biosimilar programmes in clinical
  development (distinct sponsors of the trials :mod:`bioparity.market.pipeline` keeps, or the
  curated list);
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
from bioparity.arrays import broadcast_named
from bioparity.errors import InputError

COMPONENTS = ("no_competition", "no_pipeline", "timing", "market_size")
#: The arguments of :func:`void_scores` that broadcast together, in order.
INPUT_NAMES = ("approved", "in_development", "years_to_protection_end", "sales_usd_m")


@dataclass(frozen=True)
class VoidWeights:
    """Weights of the four components (any non-negative numbers with a positive sum) and the
    timing and market-size settings.

    Only the ratios of the four weights matter: the score divides by their sum. The defaults rank
    competition first (approved biosimilars), then pipeline and timing, then market size.

    Attributes
    ----------
    no_competition : float, default 0.35
        Weight of ``1/(1 + A)``, A the approved biosimilars in the region.
    no_pipeline : float, default 0.25
        Weight of ``1/(1 + D)``, D the biosimilar programmes in clinical development.
    timing : float, default 0.25
        Weight of the timing component ``max(0, 1 - |y - L|/H)``.
    market_size : float, default 0.15
        Weight of the market-size component ``min(1, log10(1 + S)/log10(1 + S_ref))``.
    ideal_lead_years : float, default 7.0
        L, years before the end of protection at which a programme should start (years).
    timing_window_years : float, default 10.0
        H, half-width of the timing window (years, > 0): the component falls linearly to 0 at
        ``|y - L| = H``.
    sales_reference_usd_m : float, default 20000.0
        S_ref, originator annual sales (USD million, > 0) that score the full market-size component.

    Raises
    ------
    InputError
        When a setting is negative or not finite, the four weights are all zero, or
        ``timing_window_years`` or ``sales_reference_usd_m`` is zero.

    Examples
    --------
    >>> VoidWeights.parse("no_competition=0.5, timing=0.3").total
    1.2
    """

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
    """Components (NaN where the input is unknown), score and coverage, one entry per molecule-region.

    Every array has the broadcast shape of the inputs of :func:`void_scores`; components, score and
    coverage are dimensionless in [0, 1].

    Attributes
    ----------
    no_competition : numpy.ndarray
        ``1/(1 + A)``, A the approved biosimilars (NaN where A is unknown).
    no_pipeline : numpy.ndarray
        ``1/(1 + D)``, D the programmes in clinical development (NaN where unknown).
    timing : numpy.ndarray
        ``max(0, 1 - |y - L|/H)``, y the years to the end of protection (NaN where unknown).
    market_size : numpy.ndarray
        ``min(1, log10(1 + S)/log10(1 + S_ref))``, S the sales in USD million (NaN where unknown).
    score : numpy.ndarray
        The weighted mean V of the components, unknown components counting as 0.
    coverage : numpy.ndarray
        Share of the total weight resting on known components (1 = every input known).
    weights : VoidWeights
        The weights and settings used.
    software_version : str
        bioparity version that produced the result.
    """

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

    Parameters
    ----------
    approved : array_like
        Number of biosimilars approved in the region (>= 0; NaN = unknown).
    in_development : array_like
        Number of biosimilar programmes in clinical development (>= 0; NaN = unknown).
    years_to_protection_end : array_like
        Years from the as-of year to the end of protection (may be negative when protection has
        ended; NaN = unknown).
    sales_usd_m : array_like
        Originator annual sales in USD million (>= 0; NaN = unknown).
    weights : VoidWeights or None, default None
        Component weights and settings; ``None`` uses ``VoidWeights()``.

    Returns
    -------
    VoidScores
        The four components, the score and its coverage, each an array of the broadcast shape of
        the four inputs.

    Raises
    ------
    InputError
        When a known count or sales figure is negative.

    Examples
    --------
    With no competitor, one programme, protection ending at the ideal lead time and sales at the
    reference, the components are 1, 0.5, 1 and 1, so the score is
    ``(0.35 + 0.25 * 0.5 + 0.25 + 0.15) / 1 = 0.875``; an unknown pipeline counts as 0 and lowers
    the coverage by its weight:

    >>> v = void_scores([0, 0], [1, float("nan")], [7, 7], [20000, 20000])
    >>> v.score.round(3).tolist(), v.coverage.tolist()
    ([0.875, 0.75], [1.0, 0.75])
    """
    w = weights or VoidWeights()
    inputs = (approved, in_development, years_to_protection_end, sales_usd_m)
    a, d, y, s = broadcast_named(
        **{name: np.asarray(x, dtype=float) for name, x in zip(INPUT_NAMES, inputs, strict=True)}
    )
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
    return VoidScores(  # arrays (0-d for one molecule-region), as the class documents
        no_competition=np.asarray(comps[0]),
        no_pipeline=np.asarray(comps[1]),
        timing=np.asarray(comps[2]),
        market_size=np.asarray(comps[3]),
        score=np.asarray(score),
        coverage=np.asarray(coverage),
        weights=w,
        software_version=software_version(),
    )
