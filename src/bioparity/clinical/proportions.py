"""Confidence intervals for the difference of two independent binomial proportions.

``diff = p1 - p2`` (group 1 minus group 2, e.g. biosimilar minus reference). Methods:

* ``wald``: ``diff +/- z sqrt(p1 q1/n1 + p2 q2/n2)``, clipped to [-1, 1] (Newcombe 1998 method 1);
* ``newcombe`` (default): hybrid score, the square-and-add combination of the two Wilson intervals
  (Newcombe 1998 method 10; SAS ``CL=NEWCOMBE``; DescTools ``score``);
* ``newcombe-cc``: the same with continuity-corrected Wilson intervals (Newcombe 1998 method 11; SAS
  ``CL=NEWCOMBE(CORRECT)``; DescTools ``scorecc``), wider, for those who want the correction;
* ``mn``: Miettinen-Nurminen score interval, restricted-MLE variance times N/(N-1) (method 6; SAS ``CL=MN``);
* ``fm``: Farrington-Manning score interval, the same without the N/(N-1) factor (Mee 1984,
  Newcombe's method 5; SAS ``CL=FM``; DescTools ``mee``).

All inputs broadcast; every method is one vectorised NumPy computation (score limits by Newton's method
on the score equation started from Newcombe's limits, in closed form where the restricted MLE sits on a
boundary; see :mod:`bioparity.clinical.score_limits`).

Example
-------
>>> r = ci_difference(56, 70, 48, 80, method="newcombe", conf=0.95)
>>> round(float(r.ci_lower), 4), round(float(r.ci_upper), 4)
(0.0524, 0.3339)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import numpy.typing as npt

import bioparity.clinical._checks as checks
from bioparity._results import ResultMixin, interval_text, scenarios, software_version
from bioparity.arrays import BoolArray, FloatArray, IntArray
from bioparity.clinical._checks import flat_tables, method_name, table_fields, tables_and_level, z_two_sided
from bioparity.clinical.roots import solve_decreasing
from bioparity.clinical.score import DifferenceScore, wilson_cc_interval, wilson_interval, wilson_roots
from bioparity.clinical.score_limits import DifferenceStep, newton_limits
from bioparity.errors import InputError
from bioparity.i18n.notes import note_template

#: Methods of :func:`ci_difference` and what they are.
DIFFERENCE_METHODS: dict[str, str] = {
    "wald": "Wald (asymptotic, no continuity correction)",
    "newcombe": "Newcombe hybrid score (square-and-add Wilson intervals)",
    "newcombe-cc": "Newcombe hybrid score with continuity correction (method 11)",
    "mn": "Miettinen-Nurminen score (variance x N/(N-1))",
    "fm": "Farrington-Manning score (Mee)",
}

#: Note of a Wald interval with a group at 0 or all responders (:attr:`DifferenceCI.notes`).
WALD_DEGENERATE = note_template(
    "Wald interval: {count} of {total} tables have a group with 0 or all responders, whose variance "
    "p(1 - p)/n is 0, so the interval is too narrow (zero width when both groups have 0 or all "
    "responders); use newcombe, mn or fm"
)


class WaldNotesMixin:
    """Notes of a result whose intervals may be degenerate Wald intervals (a ``degenerate`` flag each).

    :attr:`notes` words the flagged intervals with :attr:`NOTE_TEMPLATE` (:func:`wald_notes`), and
    :meth:`with_warnings` ends a summary with them; a result worded otherwise sets its own template.
    """

    #: The note template of :func:`wald_notes` (placeholders ``count`` and ``total``).
    NOTE_TEMPLATE: ClassVar[str] = WALD_DEGENERATE

    degenerate: BoolArray

    @property
    def notes(self) -> tuple[str, ...]:
        """Warnings about the intervals (:attr:`NOTE_TEMPLATE` when some are degenerate), else empty."""
        return wald_notes(self.degenerate, self.NOTE_TEMPLATE)

    def with_warnings(self, text: str) -> str:
        """``text`` followed by one ``Warning: ...`` line per note of :attr:`notes`."""
        return "\n".join((text, *(f"Warning: {note}" for note in self.notes)))


@dataclass(frozen=True, repr=False)
class DifferenceCI(WaldNotesMixin, ResultMixin):
    """Confidence interval for ``p1 - p2`` per scenario (0-d arrays for a single table).

    Every array has the broadcast shape of the inputs of :func:`ci_difference`; proportions and
    differences are fractions (0.12, not 12%).

    Attributes
    ----------
    diff : numpy.ndarray of float
        Observed difference ``p1 - p2``.
    ci_lower, ci_upper : numpy.ndarray of float
        The two-sided ``conf_level`` confidence interval of the difference, within [-1, 1].
    p1, p2 : numpy.ndarray of float
        Observed proportions ``x1 / n1`` and ``x2 / n2``.
    x1, n1, x2, n2 : numpy.ndarray of int
        Responders and subjects of group 1 (e.g. biosimilar) and group 2 (reference).
    conf_level : numpy.ndarray of float
        Two-sided confidence level (0.95, or 0.90 for the TOST-equivalent interval).
    method : str
        The interval method (a key of :data:`DIFFERENCE_METHODS`).
    degenerate : numpy.ndarray of bool
        True where the interval is degenerate: the Wald interval of a table with a group of 0 or all
        responders, whose variance term ``p(1 - p)/n`` is 0 (the interval is too narrow; zero width when
        both groups are at 0 or n; Newcombe 1998, method 1). Always False for the score methods.
        :attr:`notes` says so in words.
    software_version : str
        bioparity's version.
    """

    SETTINGS = ("method", "conf_level")

    diff: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    p1: FloatArray
    p2: FloatArray
    x1: IntArray
    n1: IntArray
    x2: IntArray
    n2: IntArray
    conf_level: FloatArray
    method: str
    degenerate: BoolArray
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        text = (
            f"Difference of proportions p1 - p2 ({self.method}){scenarios(self.diff)}: "
            f"{interval_text(self.diff, self.ci_lower, self.ci_upper, self.conf_level)}\n"
            f"{checks.tables_text(self.p1, self.x1, self.n1, self.p2, self.x2, self.n2)}"
        )
        return self.with_warnings(text)


def newcombe_limits(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, z: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Newcombe's method 10: ``d - sqrt((p1-l1)^2 + (u2-p2)^2)``, ``d + sqrt((u1-p1)^2 + (p2-l2)^2)``."""
    return _newcombe(x1, n1, x2, n2, z, wilson_interval)


def newcombe_cc_limits(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, z: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Newcombe's method 11: :func:`square_and_add` of the continuity-corrected Wilson intervals
    (:func:`~bioparity.clinical.score.wilson_cc_interval`; Newcombe 1998, Stat Med 17:873-890)."""
    return _newcombe(x1, n1, x2, n2, z, wilson_cc_interval)


def _newcombe_start(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, z: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """:func:`newcombe_limits` to rounding (the Wilson limits not set exactly at x = 0 and x = n): the start
    of Newton's method for the score limits."""
    return _newcombe(x1, n1, x2, n2, z, wilson_roots)


def _newcombe(
    x1: FloatArray,
    n1: FloatArray,
    x2: FloatArray,
    n2: FloatArray,
    z: FloatArray,
    wilson: Callable[[FloatArray, FloatArray, FloatArray], tuple[FloatArray, FloatArray]],
) -> tuple[FloatArray, FloatArray]:
    p1, p2 = x1 / n1, x2 / n2
    lower, upper = square_and_add(p1 - p2, (p1, *wilson(x1, n1, z)), (p2, *wilson(x2, n2, z)))
    return np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)


def square_and_add(
    diff: FloatArray,
    group1: tuple[FloatArray, FloatArray, FloatArray],
    group2: tuple[FloatArray, FloatArray, FloatArray],
) -> tuple[FloatArray, FloatArray]:
    """Newcombe's square-and-add limits of ``p1 - p2`` from an interval of each proportion.

    ``group1`` and ``group2`` are ``(p, lower, upper)``: a proportion and its limits (Wilson's, or the
    stratified Wilson limits of :func:`bioparity.clinical.stratified.stratified_wilson`). The limits are
    ``diff - sqrt((p1 - l1)^2 + (u2 - p2)^2)`` and ``diff + sqrt((u1 - p1)^2 + (p2 - l2)^2)`` (Newcombe
    1998, Stat Med 17:873-890, method 10; Yan & Su 2010, Stat Biopharm Res 2:329-335, stratified).
    """
    p1, l1, u1 = group1
    p2, l2, u2 = group2
    return diff - np.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), diff + np.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def score_limits_difference(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, z: FloatArray, corrected: bool
) -> tuple[FloatArray, FloatArray]:
    """Limits ``{delta : |Z(delta)| <= z}`` of the score test for ``p1 - p2 = delta`` (MN or FM).

    ``Z`` is decreasing in ``delta``; each limit is the root of ``Z(delta) = +/- z`` inside ``[-1, d]`` or
    ``[d, 1]``. Newton's method with the analytic derivative of the score equation, started from
    Newcombe's limits, and closed forms where the restricted MLE lies on a boundary
    (:func:`~bioparity.clinical.score_limits.newton_limits`) find them; a limit they leave unsettled (none
    in the tests) is found by the safeguarded bracketing search
    :func:`~bioparity.clinical.roots.solve_decreasing`.
    """
    shape, (f1, k1, f2, k2, fz) = flat_tables(x1, n1, x2, n2, z)
    roots = newton_limits(
        DifferenceStep,
        _newcombe_start,
        (f1, k1, f2, k2),
        fz,
        corrected,
        (-1.0, f1 / k1 - f2 / k2, 1.0),
        lambda rest: _bracketed_limits_difference(
            f1[rest], k1[rest], f2[rest], k2[rest], fz[rest], corrected
        ),
    )
    return roots[0].reshape(shape), roots[1].reshape(shape)


def _bracketed_limits_difference(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, z: FloatArray, corrected: bool
) -> tuple[FloatArray, FloatArray]:
    """Score limits of flat tables by :func:`~bioparity.clinical.roots.solve_decreasing` (any table),
    started from Newcombe's limits with the Wald standard error as the step scale."""
    p1, p2 = x1 / n1, x2 / n2
    d = p1 - p2
    guess_lo, guess_hi = newcombe_limits(x1, n1, x2, n2, z)
    # Step scale: the Wald SE, kept away from 0 for tables with x = 0 or x = n.
    scale = np.sqrt((p1 * (1.0 - p1) + 1.0 / n1) / n1 + (p2 * (1.0 - p2) + 1.0 / n2) / n2)
    stat = DifferenceScore(x1, n1, x2, n2, corrected)
    lower = solve_decreasing(stat, -1.0, d, z, guess_lo, scale)
    upper = solve_decreasing(stat, d, 1.0, -z, guess_hi, scale)
    return lower, upper


def difference_limits(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, z: FloatArray, method: str
) -> tuple[FloatArray, FloatArray]:
    """Unchecked core of :func:`ci_difference`: limits for clean float arrays and critical values ``z``."""
    if method == "newcombe":
        return newcombe_limits(x1, n1, x2, n2, z)
    if method == "newcombe-cc":
        return newcombe_cc_limits(x1, n1, x2, n2, z)
    if method in ("mn", "fm"):
        return score_limits_difference(x1, n1, x2, n2, z, corrected=method == "mn")
    if method == "wald":
        p1, p2 = x1 / n1, x2 / n2
        half = z * np.sqrt(p1 * (1.0 - p1) / n1 + p2 * (1.0 - p2) / n2)
        d = p1 - p2
        return np.asarray(np.clip(d - half, -1.0, 1.0)), np.asarray(np.clip(d + half, -1.0, 1.0))
    raise InputError(f"unknown method {method!r}; expected one of {', '.join(DIFFERENCE_METHODS)}")


def canonical_difference_method(method: str) -> str:
    """Lower-case method name, checked against :data:`DIFFERENCE_METHODS`."""
    return method_name(method, DIFFERENCE_METHODS, "for a difference of proportions")


def ci_difference(
    x1: npt.ArrayLike,
    n1: npt.ArrayLike,
    x2: npt.ArrayLike,
    n2: npt.ArrayLike,
    *,
    method: str = "newcombe",
    conf: npt.ArrayLike = 0.95,
) -> DifferenceCI:
    """Two-sided ``conf`` confidence interval for ``p1 - p2`` from ``x_i`` responders out of ``n_i``.

    Parameters
    ----------
    x1, n1, x2, n2 : array_like of int
        Responders and subjects of group 1 (e.g. biosimilar) and group 2 (reference); broadcast.
        Whole numbers with ``n >= 1`` and ``0 <= x <= n``.
    method : {"newcombe", "newcombe-cc", "mn", "fm", "wald"}, default "newcombe"
        The interval (see the module docstring and :data:`DIFFERENCE_METHODS`); case-insensitive.
    conf : array_like of float, default 0.95
        Two-sided confidence level in (0, 1): 0.95, or 0.90 for the TOST-equivalent interval at alpha
        0.05.

    Returns
    -------
    DifferenceCI
        The difference, its interval and the tables, per scenario (broadcast shape).

    Raises
    ------
    InputError
        For an unknown method or inputs that do not broadcast.
    ScenarioError
        For a count or level out of its domain, naming the parameter and the first scenario.

    Notes
    -----
    Score limits solve ``Z(delta) = +/- z`` with ``Z`` the score statistic at the restricted MLE
    (:mod:`bioparity.clinical.score`); ``diff`` lies inside every interval.

    References
    ----------
    Newcombe RG (1998) Stat Med 17:873-890. Miettinen O, Nurminen M (1985) Stat Med 4:213-226.
    Farrington CP, Manning G (1990) Stat Med 9:1447-1454. Mee RW (1984) Biometrics 40:1175-1176.

    Examples
    --------
    >>> r = ci_difference(56, 70, 48, 80, method="mn", conf=0.90)
    >>> round(float(r.diff), 4), round(float(r.ci_lower), 4), round(float(r.ci_upper), 4)
    (0.2, 0.077, 0.3167)
    """
    name = canonical_difference_method(method)
    a, b, c, d, level = tables_and_level(x1, n1, x2, n2, conf)
    lower, upper = difference_limits(a, b, c, d, z_two_sided(level), name)
    diff = np.asarray(a / b - c / d)
    return DifferenceCI(
        diff=diff,
        ci_lower=lower,
        ci_upper=upper,
        degenerate=wald_degenerate(a, b, c, d) if name == "wald" else np.zeros(diff.shape, dtype=bool),
        **table_fields(a, b, c, d, level, name),
    )


def wald_notes(degenerate: npt.ArrayLike, template: str = WALD_DEGENERATE) -> tuple[str, ...]:
    """:data:`WALD_DEGENERATE` for the intervals flagged in ``degenerate`` (one note for all of them), or
    nothing when none is.

    Parameters
    ----------
    degenerate : array_like of bool
        Per interval, whether it is degenerate (:func:`wald_degenerate`).
    template : str, default WALD_DEGENERATE
        The note template (placeholders ``count`` and ``total``): the ADA incidence differences word it for
        arms and positive subjects (:data:`bioparity.clinical.immunogenicity.ADA_WALD_DEGENERATE`).

    Returns
    -------
    tuple of str
        The note counting the flagged intervals among all, or empty.

    Examples
    --------
    >>> wald_notes([True, False, True])[0][:40]
    'Wald interval: 2 of 3 tables have a grou'
    >>> wald_notes([False])
    ()
    """
    flags = np.asarray(degenerate, dtype=bool)
    count = int(np.count_nonzero(flags))
    return (template.format(count=count, total=int(flags.size)),) if count else ()


def wald_degenerate(x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray) -> BoolArray:
    """Tables whose Wald variance has a zero term: a group with 0 or all responders (``x = 0`` or
    ``x = n``), where ``p(1 - p)/n`` is 0 and the Wald interval too narrow (zero width when both groups
    are; Newcombe 1998, Stat Med 17:873-890, method 1)."""
    at_edge = (x1 <= 0) | (x1 >= n1) | (x2 <= 0) | (x2 >= n2)
    return np.asarray(at_edge, dtype=bool)
