"""Study designs and their constants, as PowerTOST defines them.

Nomenclature is treatments x sequences x periods. For each design: the error degrees of freedom
as a linear function of the total number of subjects ``n`` (``df = df_slope * n + df_offset``),
the "robust" df used for mixed models, the number of sequence groups (``steps``: sample sizes are
multiples of it), and the design constants ``bk`` and ``bkni`` such that the standard error of the
log-scale treatment difference is ``se * sqrt(bkni * sum(1 / n_i))`` (``se * sqrt(bk / n)`` when
balanced).

Source: PowerTOST ``known.designs()`` (R/DesignHelpers.R; D. Labes, H. Schuetz & B. Lang, R package
PowerTOST).
Designs without carry-over terms.

Example
-------
>>> get_design("2x2x4").df(np.array([24]))
array([68])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bioparity.arrays import StrArray
from bioparity.errors import UnknownDesignError
from bioparity.i18n import gettext_noop


@dataclass(frozen=True)
class Design:
    """One study design and its PowerTOST constants (PowerTOST ``known.designs()``).

    Attributes
    ----------
    name : str
        Canonical name, treatments x sequences x periods (``2x2``, ``2x3x3``, ``parallel``, ...).
    description : str
        The design in words, with its sequences (``2x2 crossover (TR|RT)``).
    df_slope, df_offset : int
        Error degrees of freedom of the ANOVA for ``n`` subjects in total:
        ``df = df_slope * n + df_offset`` (2x2: ``n - 2``; 2x2x4: ``3 n - 4``).
    robust_df_slope, robust_df_offset : int
        The same for the "robust" degrees of freedom of a mixed model with subject-by-treatment
        interaction (PowerTOST ``robust=TRUE``; 2x2x4: ``n - 2``).
    steps : int
        Number of sequence groups; sample sizes of a balanced study are multiples of it.
    bk : float
        Design constant of a balanced study: the standard error of the log-scale treatment
        difference is ``se * sqrt(bk / n)`` (2x2: 2; parallel: 4).
    bkni : float
        Design constant for unbalanced groups of sizes ``n_i``: that standard error is
        ``se * sqrt(bkni * sum(1 / n_i))`` (2x2: 1/2).

    References
    ----------
    Labes D, Schuetz H, Lang B. PowerTOST (R package), ``known.designs()`` in R/DesignHelpers.R.

    Examples
    --------
    >>> d = get_design("2x2x4")
    >>> d.steps, d.bk, int(d.df(24))
    (2, 1.0, 68)
    """

    name: str
    description: str
    df_slope: int
    df_offset: int
    robust_df_slope: int
    robust_df_offset: int
    steps: int
    bk: float
    bkni: float

    def df(self, n: npt.ArrayLike, robust: bool = False) -> npt.NDArray[np.int64]:
        """Error degrees of freedom for ``n`` subjects in total."""
        n_arr = np.asarray(n, dtype=np.int64)
        if robust:
            return self.robust_df_slope * n_arr + self.robust_df_offset
        return self.df_slope * n_arr + self.df_offset

    def n_min(self, robust: bool = False) -> int:
        """Smallest total n that is a multiple of ``steps`` and leaves df >= 1 (PowerTOST's nmin)."""
        n = 1
        while int(self.df(n, robust)) < 1:
            n += 1
        return -(-n // self.steps) * self.steps


_DESIGNS: tuple[Design, ...] = (
    Design("parallel", gettext_noop("two parallel groups"), 1, -2, 1, -2, 2, 4.0, 1.0),
    Design("2x2", gettext_noop("2x2 crossover (TR|RT)"), 1, -2, 1, -2, 2, 2.0, 1 / 2),
    Design("3x3", gettext_noop("3x3 crossover (Latin square)"), 2, -4, 1, -3, 3, 2.0, 2 / 9),
    Design("3x6x3", gettext_noop("3x6x3 crossover (Williams)"), 2, -4, 1, -6, 6, 2.0, 1 / 18),
    Design("4x4", gettext_noop("4x4 crossover (Latin square)"), 3, -6, 1, -4, 4, 2.0, 1 / 8),
    Design("2x2x3", gettext_noop("2x2x3 full replicate (TRT|RTR or TRR|RTT)"), 2, -3, 1, -2, 2, 1.5, 3 / 8),
    Design("2x2x4", gettext_noop("2x2x4 full replicate (TRTR|RTRT)"), 3, -4, 1, -2, 2, 1.0, 1 / 4),
    Design("2x4x4", gettext_noop("2x4x4 full replicate (4 sequences)"), 3, -4, 1, -4, 4, 1.0, 1 / 16),
    Design("2x3x3", gettext_noop("2x3x3 partial replicate (TRR|RTR|RRT)"), 2, -3, 1, -3, 3, 1.5, 1 / 6),
    Design("2x4x2", gettext_noop("2x4x2 Balaam (TR|RT|TT|RR)"), 1, -2, 1, -2, 4, 8.0, 1 / 2),
    Design("2x2x2r", gettext_noop("2x2x2 repeated crossover (Liu)"), 3, -2, 1, -2, 2, 1.0, 1 / 4),
    Design("paired", gettext_noop("paired means"), 1, -1, 1, -1, 1, 2.0, 2.0),
)

#: Alternative spellings accepted for a design name.
ALIASES: dict[str, str] = {"2x2x2": "2x2", "3x3x3": "3x3", "4x4x4": "4x4"}

DESIGNS: dict[str, Design] = {d.name: d for d in _DESIGNS}
DESIGN_NAMES: tuple[str, ...] = tuple(d.name for d in _DESIGNS)


def canonical_design_name(name: str) -> str:
    """The canonical name of a design, resolving aliases; raises for an unknown name."""
    key = str(name).strip().lower()
    key = ALIASES.get(key, key)
    if key not in DESIGNS:
        known = ", ".join(list(DESIGN_NAMES) + list(ALIASES))
        raise UnknownDesignError(f"unknown design {str(name)!r}; expected one of: {known}")
    return key


def get_design(name: str) -> Design:
    """The :class:`Design` for a name or alias (case-insensitive).

    Parameters
    ----------
    name : str
        A design name of :data:`DESIGN_NAMES` (``parallel``, ``2x2``, ``3x3``, ``3x6x3``, ``4x4``,
        ``2x2x3``, ``2x2x4``, ``2x4x4``, ``2x3x3``, ``2x4x2``, ``2x2x2r``, ``paired``) or an alias
        (``2x2x2``, ``3x3x3``, ``4x4x4``); surrounding blanks and case are ignored.

    Returns
    -------
    Design
        The design and its constants.

    Raises
    ------
    UnknownDesignError
        For a name that is neither a design nor an alias; the message lists the known names.

    Examples
    --------
    >>> get_design(" 2X2X2 ").name
    '2x2'
    """
    return DESIGNS[canonical_design_name(name)]


@dataclass(frozen=True)
class DesignArrays:
    """Design constants broadcast over scenarios (one entry per scenario)."""

    name: StrArray
    df_slope: npt.NDArray[np.int64]
    df_offset: npt.NDArray[np.int64]
    steps: npt.NDArray[np.int64]
    bk: npt.NDArray[np.float64]
    bkni: npt.NDArray[np.float64]
    n_min: npt.NDArray[np.int64]

    def df(self, n: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Error degrees of freedom per scenario."""
        return self.df_slope * n + self.df_offset


def design_arrays(names: npt.ArrayLike, robust: bool = False) -> DesignArrays:
    """Look up design constants for an array of design names (vectorised, one lookup per unique name)."""
    arr = np.asarray(names, dtype=object)
    uniq, inverse = np.unique(arr.ravel().astype(str), return_inverse=True)
    designs = [get_design(u) for u in uniq]
    shape = arr.shape

    def column(values: list[float] | list[int], dtype: type) -> npt.NDArray[np.generic]:
        return np.asarray(values, dtype=dtype)[inverse].reshape(shape)

    slope = [d.robust_df_slope if robust else d.df_slope for d in designs]
    offset = [d.robust_df_offset if robust else d.df_offset for d in designs]
    n_min = [d.n_min(robust) for d in designs]
    return DesignArrays(
        name=np.asarray([d.name for d in designs], dtype=str)[inverse].reshape(shape),
        df_slope=column(slope, np.int64),  # type: ignore[arg-type]
        df_offset=column(offset, np.int64),  # type: ignore[arg-type]
        steps=column([d.steps for d in designs], np.int64),  # type: ignore[arg-type]
        bk=column([d.bk for d in designs], np.float64),  # type: ignore[arg-type]
        bkni=column([d.bkni for d in designs], np.float64),  # type: ignore[arg-type]
        n_min=column(n_min, np.int64),  # type: ignore[arg-type]
    )
