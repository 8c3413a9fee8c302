"""Range methods: quality range, tolerance interval, min-max and distribution-free ranges.

Each builds a range from the reference lots and counts the test lots inside it (FDA draft guidance
"Development of Therapeutic Protein Biosimilars: Comparative Analytical Assessment and Other Quality-Related
Considerations", May 2019, section on quality ranges; EMA Reflection paper on statistical methodology for the
comparative assessment of quality attributes, EMA/CHMP/138502/2017, 2021). All functions are vectorised over
rows (one row = one attribute and comparison); lot values come as flat arrays with the row each lot belongs
to.

* quality range (x-sigma, FDA 2019/2025): ``mean_R ± k·s_R``, k = 3 by default;
* tolerance interval: ``mean_R ± k_TI·s_R`` with the beta-content, gamma-confidence normal factor
  (two-sided, or one-sided for a higher-/lower-is-worse attribute);
* min-max: ``[min R, max R]``;
* nonparametric: order statistics ``[x_(r), x_(n+1-r)]`` forming a distribution-free tolerance interval.

A one-sided attribute (``higher-is-worse``) has an open lower end (``-inf``), and vice versa.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from bioparity.arrays import FloatArray, IntArray, broadcast_named, broadcast_shape
from bioparity.caa.tolerance import nonparametric_order, tolerance_factor
from bioparity.errors import InputError


def _open_sides(
    lower: FloatArray, upper: FloatArray, direction: npt.ArrayLike
) -> tuple[FloatArray, FloatArray]:
    d = np.asarray(direction, dtype=object).astype(str)
    lower = np.where(d == "higher-is-worse", -np.inf, lower)
    upper = np.where(d == "lower-is-worse", np.inf, upper)
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def _flat(**arrays: npt.NDArray[np.generic]) -> list[npt.NDArray[np.generic]]:
    """The ``arrays`` broadcast together and flat (1-D): one entry per lot, or per row; an
    :class:`InputError` naming each argument with its shape otherwise (never NumPy's bare error)."""
    out = broadcast_named(**arrays)
    if out[0].ndim != 1:
        named = ", ".join(f"{name} {np.shape(value)}" for name, value in arrays.items())
        raise InputError(f"{' and '.join(arrays)} must be flat (1-D arrays): got {named}")
    return out


def _lot_rows(values: npt.ArrayLike, rows: npt.ArrayLike, n_rows: int) -> tuple[FloatArray, IntArray]:
    """The lot ``values`` and the ``rows`` they belong to, flat, each row an index ``0 .. n_rows - 1``."""
    v, g = _flat(values=np.asarray(values, dtype=float), rows=np.asarray(rows, dtype=np.int64))
    if g.size and (g.min() < 0 or g.max() >= n_rows):
        raise InputError(
            f"rows must index the {n_rows} row(s), 0 to {n_rows - 1}: got {g.min()} to {g.max()}"
        )
    return np.asarray(v, dtype=float), np.asarray(g, dtype=np.int64)


def quality_range_limits(
    mean_reference: npt.ArrayLike,
    sd_reference: npt.ArrayLike,
    k: npt.ArrayLike = 3.0,
    direction: npt.ArrayLike = "two-sided",
) -> tuple[FloatArray, FloatArray]:
    """``mean_R - k·s_R`` and ``mean_R + k·s_R`` (one end open for a one-sided attribute).

    All arguments broadcast together (one element per attribute and comparison).

    Parameters
    ----------
    mean_reference : array_like of float
        Mean of the reference lot values, in the attribute's unit.
    sd_reference : array_like of float
        Standard deviation of the reference lot values (``n - 1`` denominator), same unit.
    k : array_like of float, default 3.0
        Multiplier of the SD (> 0): 3 for a tier-2 attribute, smaller (2.5 in the default plan) for a
        more critical one.
    direction : array_like of str, default "two-sided"
        ``two-sided``, ``higher-is-worse`` (lower end open, ``-inf``) or ``lower-is-worse`` (upper end
        open, ``inf``), per row.

    Returns
    -------
    lower, upper : numpy.ndarray of float
        The quality range in the attribute's unit, in the broadcast shape; ``-inf``/``inf`` for an open
        end.

    References
    ----------
    FDA, Development of Therapeutic Protein Biosimilars: Comparative Analytical Assessment and Other
    Quality-Related Considerations (draft 2019, final 2025), section on quality ranges. EMA,
    Reflection paper on statistical methodology for the comparative assessment of quality attributes,
    EMA/CHMP/138502/2017 (2021), the x-sigma approach.

    Examples
    --------
    >>> quality_range_limits(100.0, 2.0, 3.0)
    (array(94.), array(106.))
    >>> quality_range_limits(100.0, 2.0, 2.5, direction="higher-is-worse")
    (array(-inf), array(105.))
    """
    m, s, kk, d = broadcast_named(
        mean_reference=np.asarray(mean_reference, dtype=float),
        sd_reference=np.asarray(sd_reference, dtype=float),
        k=np.asarray(k, dtype=float),
        direction=np.asarray(direction, dtype=object),
    )
    return _open_sides(m - kk * s, m + kk * s, d)


def tolerance_interval_limits(
    mean_reference: npt.ArrayLike,
    sd_reference: npt.ArrayLike,
    n_reference: npt.ArrayLike,
    *,
    coverage: npt.ArrayLike = 0.99,
    confidence: npt.ArrayLike = 0.95,
    method: str = "exact",
    direction: npt.ArrayLike = "two-sided",
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Normal tolerance interval of the reference lots: ``(lower, upper, k)``.

    Two-sided rows use the two-sided factor (``method``: exact, howe, he); one-sided rows the exact
    one-sided factor. Rows with ``n_reference < 2`` give NaN. The interval is
    ``mean_R -/+ k·s_R`` with ``k`` from :func:`~bioparity.caa.tolerance.tolerance_factor`.

    Parameters
    ----------
    mean_reference, sd_reference : array_like of float
        Mean and SD (``n - 1``) of the reference lot values, in the attribute's unit.
    n_reference : array_like of int
        Number of reference lots behind them.
    coverage : array_like of float, default 0.99
        Proportion of the reference population to cover, in (0, 1).
    confidence : array_like of float, default 0.95
        Confidence that the coverage is reached, in (0, 1).
    method : {"exact", "howe", "he"}, default "exact"
        Two-sided factor: exact (Odeh 1978), Howe's approximation (R ``"HE2"``) or R ``tolerance``'s
        ``"HE"``; one-sided rows are always exact.
    direction : array_like of str, default "two-sided"
        Per row, as in :func:`quality_range_limits` (one-sided rows open one end).

    Returns
    -------
    lower, upper : numpy.ndarray of float
        The tolerance interval in the attribute's unit (``-inf``/``inf`` for an open end; NaN where
        ``n_reference < 2``).
    k : numpy.ndarray of float
        The tolerance factor used per row (NaN where ``n_reference < 2``).

    Raises
    ------
    InputError
        For an unknown ``method``, a coverage or confidence outside (0, 1), or where the ``he``
        approximation is undefined.

    References
    ----------
    Howe WG (1969) JASA 64:610-620. Odeh RE (1978) Commun Stat Simul Comput 7:183-201. Krishnamoorthy K,
    Mathew T (2009) Statistical Tolerance Regions, Wiley. ISO 16269-6:2014.

    Examples
    --------
    >>> lower, upper, k = tolerance_interval_limits(100.0, 2.0, 10)
    >>> round(float(lower), 3), round(float(upper), 3), round(float(k), 4)
    (91.126, 108.874, 4.4369)
    """
    numbers = {
        "mean_reference": mean_reference,
        "sd_reference": sd_reference,
        "n_reference": n_reference,
        "coverage": coverage,
        "confidence": confidence,
    }
    m, s, n, cov, conf, d = broadcast_named(
        **{name: np.asarray(value, dtype=float) for name, value in numbers.items()},
        direction=np.asarray(direction, dtype=object),
    )
    d = d.astype(str)
    k = np.full(m.shape, np.nan)
    usable = n >= 2
    two = usable & (d == "two-sided")
    one = usable & ~two
    if two.any():
        k[two] = tolerance_factor(n[two], cov[two], conf[two], side=2, method=method)
    if one.any():
        k[one] = tolerance_factor(n[one], cov[one], conf[one], side=1)
    lower, upper = _open_sides(m - k * s, m + k * s, d)
    return lower, upper, k


def min_max_limits(
    min_reference: npt.ArrayLike, max_reference: npt.ArrayLike, direction: npt.ArrayLike = "two-sided"
) -> tuple[FloatArray, FloatArray]:
    """The reference range ``[min R, max R]`` (one end open for a one-sided attribute).

    Parameters
    ----------
    min_reference, max_reference : array_like of float
        Smallest and largest reference lot value per row, in the attribute's unit.
    direction : array_like of str, default "two-sided"
        Per row, as in :func:`quality_range_limits` (one-sided rows open one end).

    Returns
    -------
    lower, upper : numpy.ndarray of float
        The range in the broadcast shape; ``-inf``/``inf`` for an open end.

    References
    ----------
    EMA, Reflection paper on statistical methodology for the comparative assessment of quality
    attributes, EMA/CHMP/138502/2017 (2021), the min-max range approach.

    Examples
    --------
    >>> min_max_limits([98.0, 1.0], [102.0, 3.0], ["two-sided", "lower-is-worse"])
    (array([98.,  1.]), array([102.,  inf]))
    """
    lo, hi, d = broadcast_named(
        min_reference=np.asarray(min_reference, dtype=float),
        max_reference=np.asarray(max_reference, dtype=float),
        direction=np.asarray(direction, dtype=object),
    )
    return _open_sides(lo, hi, d)


def nonparametric_limits(
    values: npt.ArrayLike,
    rows: npt.ArrayLike,
    n_rows: int,
    *,
    coverage: float = 0.90,
    confidence: float = 0.90,
    direction: npt.ArrayLike = "two-sided",
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Distribution-free tolerance limits from the reference lot ``values`` grouped by ``rows``.

    Returns ``(lower, upper, r)``: ``[x_(r), x_(n+1-r)]`` per row; ``r = 0`` (and NaN limits) when the
    row has too few lots for the requested coverage and confidence. A one-sided row uses the one-sided
    order statistic and opens its other end.

    Parameters
    ----------
    values : array_like of float
        Reference lot values of all rows, flat (one per lot).
    rows : array_like of int
        Row (attribute and comparison) of each value, ``0 .. n_rows - 1``.
    n_rows : int
        Number of rows.
    coverage : float, default 0.90
        Proportion of the population to cover, in (0, 1).
    confidence : float, default 0.90
        Confidence that the coverage is reached, in (0, 1).
    direction : array_like of str, default "two-sided"
        Per row, as in :func:`quality_range_limits` (one-sided rows open one end).

    Returns
    -------
    lower, upper : numpy.ndarray of float, shape (n_rows,)
        The order-statistic limits (attribute's unit); NaN where ``r = 0``, ``-inf``/``inf`` for an open
        end.
    r : numpy.ndarray of int, shape (n_rows,)
        The order statistic index used (:func:`~bioparity.caa.tolerance.nonparametric_order`).

    Raises
    ------
    InputError
        For a coverage or confidence outside (0, 1); ``values`` and ``rows`` that are not flat arrays of
        one length, a row outside ``0 .. n_rows - 1`` or a ``direction`` neither one value nor one per
        row (naming the arguments and their shapes).

    References
    ----------
    Wilks SS (1941) Ann Math Stat 12:91-96. ISO 16269-6:2014.

    Examples
    --------
    >>> values = np.arange(1.0, 41.0)  # 40 reference lots of one row
    >>> nonparametric_limits(values, np.zeros(40, dtype=int), 1)
    (array([1.]), array([40.]), array([1]))
    >>> nonparametric_limits(values, np.zeros(40, dtype=int), 1, direction="higher-is-worse")
    (array([-inf]), array([39.]), array([2]))
    """
    v, g = _lot_rows(values, rows, n_rows)
    d = np.asarray(direction, dtype=object).astype(str)
    if broadcast_shape(direction=d.shape, n_rows=(n_rows,)) != (n_rows,):
        raise InputError(f"direction {d.shape} must be one value, or one per row (n_rows {n_rows})")
    d = np.broadcast_to(d, (n_rows,))
    order = np.lexsort((v, g))
    v, g = v[order], g[order]
    n = np.bincount(g, minlength=n_rows).astype(np.int64)
    start = np.concatenate([[0], np.cumsum(n)[:-1]])
    r = np.where(d == "two-sided", nonparametric_order(n, coverage, confidence, side=2), 0)
    r_one = nonparametric_order(n, coverage, confidence, side=1)
    r = np.where(d == "two-sided", r, r_one).astype(np.int64)
    ok = r >= 1
    safe_lo = np.clip(start + r - 1, 0, max(v.size - 1, 0))
    safe_hi = np.clip(start + n - r, 0, max(v.size - 1, 0))
    lower = np.where(ok, v[safe_lo] if v.size else np.nan, np.nan)
    upper = np.where(ok, v[safe_hi] if v.size else np.nan, np.nan)
    lower, upper = _open_sides(lower, upper, d)
    return lower, upper, r


def count_inside(
    values: npt.ArrayLike, rows: npt.ArrayLike, lower: npt.ArrayLike, upper: npt.ArrayLike
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Number of lots inside ``[lower, upper]`` of their row (closed interval), and the per-lot flags.

    Parameters
    ----------
    values : array_like of float
        Test lot values of all rows, flat (one per lot).
    rows : array_like of int
        Row of each value, an index into ``lower`` and ``upper``.
    lower, upper : array_like of float
        Range of each row (``-inf``/``inf`` for an open end); a NaN limit counts no lot inside.

    Returns
    -------
    n_inside : numpy.ndarray of int
        Lots inside the range, per row (length of ``lower``).
    inside : numpy.ndarray of bool
        Per lot (length of ``values``): inside its row's range.

    Raises
    ------
    InputError
        For ``values`` and ``rows`` (or ``lower`` and ``upper``) that are not flat arrays of one length,
        or a row that is not an index of ``lower`` (naming the arguments and their shapes).

    Examples
    --------
    >>> count_inside([99.0, 101.0, 107.0, 95.0], [0, 0, 0, 1], [94.0, 96.0], [106.0, 104.0])
    (array([2, 0]), array([ True,  True, False, False]))
    """
    lo, hi = (
        np.asarray(x, dtype=float)
        for x in _flat(lower=np.asarray(lower, dtype=float), upper=np.asarray(upper, dtype=float))
    )
    v, g = _lot_rows(values, rows, lo.size)
    inside = (v >= lo[g]) & (v <= hi[g])
    return np.bincount(g, weights=inside, minlength=lo.size).astype(np.int64), inside
