"""Profile similarity of compositional data (glycan species %, charge variants %, size variants %).

Two views of the same lots (one row per lot, one column per species, parts of a whole):

**Per-species ranges**: for every species the reference lots' quality range ``mean_R +/- k * SD_R``
(``k = 3`` by default; FDA draft guidance *Development of Therapeutic Protein Biosimilars: Comparative
Analytical Assessment and Other Quality-Related Considerations*, 2019, the quality-range approach), and
how many test lots fall within it.

**Whole profile**: the closure (the parts sum to 100%) makes species percentages dependent, so distances
are taken in Aitchison geometry (Aitchison J., *The Statistical Analysis of Compositional Data*,
Chapman & Hall 1986; Pawlowsky-Glahn V., Egozcue J.J., Tolosana-Delgado R., *Modeling and
Analysis of Compositional Data*, Wiley 2015): the centred log-ratio
``clr(x)_i = ln x_i - mean_j ln x_j`` and the Aitchison distance ``d_A(x, y) = ||clr(x) - clr(y)||_2``.
Both are scale invariant, so the closure is handled exactly: a profile summing to 99.2% gives the same
clr as its closed version. The reference centre is the closed geometric mean (``mean clr``). Each
test lot's distance to the reference centre is compared with the reference-to-reference distribution:
each reference lot's distance to the centre of the *other* reference lots (leave-one-out, so that a
reference lot is not judged against a centre it helped to build). A test lot is within when its
distance does not exceed the largest reference leave-one-out distance (``threshold="max"``) or the
chosen quantile of them.

**Zeros** have no logarithm. They are never replaced silently: ``zero_replacement=delta`` applies the
multiplicative replacement of Martin-Fernandez, Barcelo-Vidal and Pawlowsky-Glahn (*Dealing with zeros
and missing values in compositional data sets using nonparametric imputation*, Math Geol 35:253-278,
2003): zeros become ``delta`` and the non-zero parts are scaled by ``(total - sum of deltas) /
total`` of their lot; each replaced part is flagged. Without it a zero is an error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity._results import ResultMixin, software_version, verdict
from bioparity.arrays import FloatArray, broadcast_named
from bioparity.errors import InputError
from bioparity.i18n.notes import note_template

# The flags of a profile comparison, per lot and overall (templates: see bioparity.i18n.notes).
NOT_CLOSED = note_template("parts sum to {sum:.4g}, not {total:g} (+/- {tolerance:g})")
LOTS_NOT_CLOSED = note_template(
    "{n:d} lot(s) whose parts do not sum to {total:g}: compared in Aitchison geometry"
)
ZERO_REPLACED = note_template("{part} was 0, replaced by {value:g}")
ZEROS_REPLACED = note_template("{n:d} zero part(s) replaced multiplicatively by {value:g}")
OTHER_SOURCES = note_template(
    "lots of other sources shown with their distance to the reference centre: {sources}"
)


def clr(parts: Any) -> FloatArray:
    """Centred log-ratio of each row: ``ln x_i - mean_j ln x_j`` (Aitchison 1986).

    Parameters
    ----------
    parts : array_like, shape (..., D)
        Compositions along the last axis (percentages or any positive parts; no zeros). The closure
        does not matter: ``clr(c x) == clr(x)`` for any ``c > 0``.

    Returns
    -------
    numpy.ndarray
        The clr coordinates, same shape as ``parts``; each row sums to 0.

    Raises
    ------
    InputError
        When a part is <= 0 or not finite (replace zeros first with :func:`replace_zeros`).

    References
    ----------
    J. Aitchison, The Statistical Analysis of Compositional Data, Chapman & Hall, 1986.

    Examples
    --------
    >>> clr([[50, 30, 20]]).round(4).tolist()
    [[0.4757, -0.0351, -0.4406]]
    """
    x = np.asarray(parts, dtype=float)
    if np.any(~np.isfinite(x)) or np.any(x <= 0):
        raise InputError("clr needs finite parts > 0 (replace zeros first, see zero_replacement)")
    logs = np.log(x)
    return np.asarray(logs - logs.mean(axis=-1, keepdims=True), dtype=float)


def aitchison_distance(a: Any, b: Any) -> FloatArray:
    """Aitchison distance ``||clr(a) - clr(b)||`` row by row (Pawlowsky-Glahn et al. 2015).

    Parameters
    ----------
    a, b : array_like, shape (..., D)
        Compositions with positive parts, broadcastable against each other (e.g. many lots against
        one centre).

    Returns
    -------
    numpy.ndarray
        Distance per row, shape of the broadcast leading axes (a scalar array for two single
        profiles); dimensionless.

    Raises
    ------
    InputError
        When a part is <= 0 or not finite.

    References
    ----------
    V. Pawlowsky-Glahn, J. J. Egozcue, R. Tolosana-Delgado, Modeling and Analysis of Compositional
    Data, Wiley, 2015 (the Aitchison geometry and distance).

    Examples
    --------
    A profile and its double are the same composition:

    >>> float(aitchison_distance([50, 30, 20], [45, 35, 20]).round(4))
    0.1846
    >>> float(aitchison_distance([50, 30, 20], [100, 60, 40]).round(12))
    0.0
    """
    ca, cb = clr(a), clr(b)
    if ca.shape[-1:] != cb.shape[-1:]:
        raise InputError(
            f"a and b need the same number of parts (last axis); shapes {ca.shape} and {cb.shape}"
        )
    ca, cb = broadcast_named(a=ca, b=cb)
    return np.asarray(np.sqrt(((ca - cb) ** 2).sum(axis=-1)), dtype=float)


def replace_zeros(parts: Any, delta: float, total: float = 100.0) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
    """Multiplicative zero replacement (Martin-Fernandez et al. 2003); returns (parts, replaced).

    Zeros become ``delta``; the non-zero parts of the same row are multiplied by
    ``(total - sum of deltas) / total`` so that the ratios between them are kept.

    Parameters
    ----------
    parts : array_like, shape (n, D)
        Compositions, one row per lot (parts >= 0).
    delta : float
        Value given to a zero part (> 0, same unit as the parts; e.g. 0.65 times the detection
        limit).
    total : float, default 100.0
        Closure constant of the rows (100 for percentages).

    Returns
    -------
    parts : numpy.ndarray, shape (n, D)
        The compositions with the zeros replaced.
    replaced : numpy.ndarray of bool, shape (n, D)
        True where a zero was replaced.

    Raises
    ------
    InputError
        When ``delta`` is not > 0.

    References
    ----------
    J. A. Martin-Fernandez, C. Barcelo-Vidal, V. Pawlowsky-Glahn, Dealing with zeros and missing
    values in compositional data sets using nonparametric imputation, Math Geol 35:253-278, 2003.

    Examples
    --------
    >>> import numpy as np
    >>> parts, replaced = replace_zeros(np.array([[60.0, 40.0, 0.0]]), 0.5)
    >>> parts.round(2).tolist(), replaced.tolist()
    ([[59.7, 39.8, 0.5]], [[False, False, True]])
    """
    x = np.asarray(parts, dtype=float)
    if not delta > 0:
        raise InputError(f"zero_replacement {delta} must be > 0 (e.g. 0.65 x the detection limit)")
    zero = x == 0
    sum_delta = (zero * delta).sum(axis=1, keepdims=True)
    row_total = x.sum(axis=1, keepdims=True) + 0.0
    scale = (total - sum_delta) / total
    with np.errstate(invalid="ignore"):
        out = np.where(zero, delta, x * np.where(row_total > 0, scale, 1.0))
    return np.asarray(out, dtype=float), zero


@dataclass(frozen=True, repr=False)
class ProfileResult(ResultMixin):
    """Profile similarity of test lots against reference lots.

    ``species_table``: one row per species (reference mean, SD, range, test min/max, test lots within).
    ``lot_table``: one row per lot (source, sum of parts, distance to the reference centre, leave-one-out
    for reference lots, within the reference-to-reference threshold, flags). Scalars: ``threshold``,
    ``n_test_within``, ``all_species_within``, ``passed`` (every test lot within the threshold) and the
    settings.

    Attributes
    ----------
    test, reference : str
        Source labels of the test and reference lots.
    species : tuple of str
        Species names, in column order.
    species_table : pandas.DataFrame
        One row per species: ``reference_mean``, ``reference_sd``, ``range_lower``, ``range_upper``
        (``mean +/- k SD``), ``k``, ``test_mean``, ``test_min``, ``test_max``, ``n_test``,
        ``n_test_within``, ``all_within`` (percentages as measured).
    lot_table : pandas.DataFrame
        One row per lot: ``lot``, ``source``, ``sum_of_parts``, ``distance`` (Aitchison distance to
        the reference centre; leave-one-out for reference lots), ``distance_kind``,
        ``within_threshold``, ``all_species_within``, ``flags``.
    k : float
        Multiplier of the reference SD in the quality ranges.
    threshold_rule : str
        ``max`` or a quantile such as ``q0.95`` of the reference leave-one-out distances.
    threshold : float
        The distance threshold that rule gives (dimensionless).
    n_test, n_reference : int
        Lots of each source.
    n_test_within : int
        Test lots whose distance does not exceed the threshold.
    all_species_within : bool
        Every species of every test lot lies within its reference range.
    passed : bool
        Every test lot is within the distance threshold (the whole-profile verdict).
    total : float
        Closure constant (100 for percentages).
    closure_tolerance : float
        Allowed deviation of a lot's sum from ``total`` before it is flagged.
    zero_replacement : float or None
        Value that replaced zero parts, or ``None`` when none was allowed.
    flags : tuple of str
        Review flags (lots off the closure, zeros replaced, other sources shown).
    software_version : str
        bioparity version that produced the result.
    """

    SETTINGS = ("test", "reference", "k", "threshold_rule", "total", "closure_tolerance", "zero_replacement")
    REPR_FIELDS = ("test", "reference", "species", "threshold", "n_test_within", "n_test", "passed")

    test: str
    reference: str
    species: tuple[str, ...]
    species_table: pd.DataFrame
    lot_table: pd.DataFrame
    k: float
    threshold_rule: str
    threshold: float
    n_test: int
    n_reference: int
    n_test_within: int
    all_species_within: bool
    passed: bool
    total: float
    closure_tolerance: float
    zero_replacement: float | None
    flags: tuple[str, ...]
    software_version: str = field(default_factory=software_version)

    def to_frame(self) -> pd.DataFrame:
        """The lot table (one row per lot) with the settings."""
        out = self.lot_table.copy()
        out["threshold"] = self.threshold
        out["threshold_rule"] = self.threshold_rule
        out["software_version"] = self.software_version
        return out

    def to_dict(self) -> dict[str, Any]:
        base = {k: v for k, v in super().to_dict().items() if k not in ("species_table", "lot_table")}
        base["species_table"] = self.species_table.to_dict(orient="records")
        base["lot_table"] = self.lot_table.to_dict(orient="records")
        return base

    def summary(self) -> str:
        return (
            f"Profile similarity of {self.test} vs {self.reference} over {len(self.species)} species: "
            f"{verdict(self.passed)}\n"
            f"{self.n_test_within} of {self.n_test} {self.test} lots within the reference-to-reference "
            f"Aitchison distance ({self.threshold_rule} = {self.threshold:.4g})\n"
            f"every species within the reference +/-{self.k:g} SD range: "
            f"{'yes' if self.all_species_within else 'no'}"
        )


def profile_similarity(
    parts: Any,
    lots: Any,
    sources: Any,
    species: Any,
    *,
    test: str = "test",
    reference: str = "reference",
    k: float = 3.0,
    threshold: str = "max",
    total: float = 100.0,
    closure_tolerance: float = 2.0,
    zero_replacement: float | None = None,
) -> ProfileResult:
    """Per-species quality ranges and the Aitchison whole-profile comparison (module docstring).

    ``parts``: lots x species array of percentages (or any positive parts); ``lots``/``sources``: one
    label per row; ``species``: one name per column. ``threshold`` is ``"max"`` or a quantile such as
    ``"q0.95"`` of the reference leave-one-out distances. A lot whose parts sum differs from ``total``
    by more than ``closure_tolerance`` is flagged (the distances do not depend on the closure).

    Parameters
    ----------
    parts : array_like, shape (n_lots, n_species)
        Species percentages (or any parts >= 0) of each lot, e.g. the glycan species of an N-glycan
        map.
    lots : array_like, shape (n_lots,)
        Lot names.
    sources : array_like, shape (n_lots,)
        Source of each lot: ``test``, ``reference`` or any other label (shown, not judged).
    species : sequence of str, length n_species
        Species names (at least 2).
    test : str, default "test"
        Source label of the proposed product's lots (at least 1).
    reference : str, default "reference"
        Source label of the reference product's lots (at least 3).
    k : float, default 3.0
        Multiplier of the reference SD in the per-species quality ranges.
    threshold : str, default "max"
        ``max`` (the largest reference leave-one-out distance) or ``qP`` with P in (0, 1] (that
        quantile of them, e.g. ``q0.95``).
    total : float, default 100.0
        Closure constant of a lot (100 for percentages).
    closure_tolerance : float, default 2.0
        Allowed ``abs(sum of parts - total)`` before a lot is flagged.
    zero_replacement : float or None, default None
        Value for zero parts (multiplicative replacement, see :func:`replace_zeros`); ``None`` makes
        a zero an error.

    Returns
    -------
    ProfileResult
        The species table, the lot table with distances, the threshold and the verdicts.

    Raises
    ------
    InputError
        When the shapes disagree, a part is negative or not finite, there are fewer than 2 species,
        fewer than 3 reference lots or no test lot, the threshold is unknown, or a zero meets no
        ``zero_replacement``.

    References
    ----------
    FDA, Development of Therapeutic Protein Biosimilars: Comparative Analytical Assessment and Other
    Quality-Related Considerations, draft guidance, 2019 (quality ranges); J. Aitchison (1986) and
    Pawlowsky-Glahn et al. (2015) for the whole-profile distance.

    Examples
    --------
    >>> parts = [[50, 30, 20], [51, 29, 20], [49, 31, 20], [50.5, 29.5, 20],  # reference lots
    ...          [50, 30.5, 19.5], [49.5, 30, 20.5]]  # test lots
    >>> result = profile_similarity(parts, ["R1", "R2", "R3", "R4", "T1", "T2"],
    ...                             ["reference"] * 4 + ["test"] * 2, ["G0F", "G1F", "G2F"])
    >>> result.passed, round(result.threshold, 4), result.n_test_within, result.all_species_within
    (True, 0.057, 2, False)
    """
    x = np.asarray(parts, dtype=float)
    lot_names = np.asarray(lots, dtype=object).astype(str)
    src = np.asarray(sources, dtype=object).astype(str)
    names = tuple(str(s) for s in species)
    if x.ndim != 2 or x.shape[0] != lot_names.size or x.shape[0] != src.size or x.shape[1] != len(names):
        raise InputError(
            "parts must be lots x species with one lot and source label per row, one name per column"
        )
    if x.shape[1] < 2:
        raise InputError("a profile needs at least 2 species")
    bad = np.argwhere(~np.isfinite(x) | (x < 0))
    if bad.size:
        i, j = bad[0]
        raise InputError(
            f"lot {lot_names[i]}, species {names[j]}: value {x[i, j]} is not a finite percentage >= 0"
        )
    is_t = src == test
    is_r = src == reference
    if is_r.sum() < 3:
        raise InputError(
            f"{int(is_r.sum())} reference lot(s) ({reference!r}): need at least 3 for ranges and distances"
        )
    if not is_t.any():
        raise InputError(f"no lot of {test!r} (sources present: {', '.join(sorted(set(src)))})")
    threshold_rule = str(threshold).strip().lower()
    if threshold_rule != "max" and not (threshold_rule.startswith("q") and _is_prob(threshold_rule[1:])):
        raise InputError(f"threshold {threshold!r} unknown; expected 'max' or a quantile like 'q0.95'")
    flags: list[str] = []
    sums = x.sum(axis=1)
    lot_flags: list[list[str]] = [[] for _ in range(x.shape[0])]
    off = np.flatnonzero(np.abs(sums - total) > closure_tolerance)
    for i in off:
        lot_flags[i].append(NOT_CLOSED.format(sum=sums[i], total=total, tolerance=closure_tolerance))
    if off.size:
        flags.append(LOTS_NOT_CLOSED.format(n=off.size, total=total))
    zeros = x == 0
    if zeros.any():
        if zero_replacement is None:
            i, j = np.argwhere(zeros)[0]
            raise InputError(
                f"lot {lot_names[i]}, species {names[j]}: 0 has no log-ratio; give zero_replacement "
                "(e.g. 0.65 x the detection limit, Martin-Fernandez et al. 2003)"
            )
        x, replaced = replace_zeros(x, zero_replacement, total)
        for i, j in np.argwhere(replaced):
            lot_flags[i].append(ZERO_REPLACED.format(part=names[j], value=zero_replacement))
        flags.append(ZEROS_REPLACED.format(n=int(replaced.sum()), value=zero_replacement))
    # per-species quality ranges on the percentages as measured (not re-closed)
    closed = x
    ref = closed[is_r]
    tst = closed[is_t]
    mean_r = ref.mean(axis=0)
    sd_r = ref.std(axis=0, ddof=1)
    lo, hi = mean_r - k * sd_r, mean_r + k * sd_r
    within = (tst >= lo) & (tst <= hi)
    species_table = pd.DataFrame(
        {
            "species": names,
            "reference_mean": mean_r,
            "reference_sd": sd_r,
            "range_lower": lo,
            "range_upper": hi,
            "k": k,
            "test_mean": tst.mean(axis=0),
            "test_min": tst.min(axis=0),
            "test_max": tst.max(axis=0),
            "n_test": int(is_t.sum()),
            "n_test_within": within.sum(axis=0),
            "all_within": within.all(axis=0),
        }
    )
    # whole profile: clr, reference centre, leave-one-out reference distances
    z = clr(x)
    zr = z[is_r]
    m = zr.shape[0]
    centre = zr.mean(axis=0)
    loo_centres = (zr.sum(axis=0, keepdims=True) - zr) / (m - 1)
    d_ref = np.sqrt(((zr - loo_centres) ** 2).sum(axis=1))
    d_all = np.sqrt(((z - centre) ** 2).sum(axis=1))
    if threshold_rule == "max":
        cut = float(d_ref.max())
    else:
        cut = float(np.quantile(d_ref, float(threshold_rule[1:])))
    distance = d_all.copy()
    distance[np.flatnonzero(is_r)] = d_ref
    lot_table = pd.DataFrame(
        {
            "lot": lot_names,
            "source": src,
            "sum_of_parts": sums,
            "distance": distance,
            "distance_kind": np.where(is_r, "leave-one-out", "to reference centre"),
            "within_threshold": distance <= cut,
            "all_species_within": _species_within_rows(closed, lo, hi),
            "flags": ["; ".join(f) for f in lot_flags],
        }
    )
    others = sorted(set(src[~(is_t | is_r)]))
    if others:
        flags.append(OTHER_SOURCES.format(sources=", ".join(others)))
    n_within = int((d_all[is_t] <= cut).sum())
    all_species = bool(within.all())
    return ProfileResult(
        test=test,
        reference=reference,
        species=names,
        species_table=species_table,
        lot_table=lot_table,
        k=float(k),
        threshold_rule=threshold_rule,
        threshold=cut,
        n_test=int(is_t.sum()),
        n_reference=m,
        n_test_within=n_within,
        all_species_within=all_species,
        passed=bool(n_within == int(is_t.sum())),
        total=float(total),
        closure_tolerance=float(closure_tolerance),
        zero_replacement=zero_replacement,
        flags=tuple(flags),
    )


def _species_within_rows(closed: FloatArray, lo: FloatArray, hi: FloatArray) -> npt.NDArray[np.bool_]:
    return np.asarray(((closed >= lo) & (closed <= hi)).all(axis=1), dtype=bool)


def _is_prob(text: str) -> bool:
    try:
        p = float(text)
    except ValueError:
        return False
    return math.isfinite(p) and 0 < p <= 1
