"""Score confidence limits by Newton's method on the score equation, blocks of tables at a time.

A score limit solves ``Z(delta) = +/- z`` where ``Z`` is the score statistic at the restricted MLE
(:mod:`bioparity.clinical.score`). Written as ``h(delta) = (observed - delta) - t sqrt(V(delta)) = 0``
(``t = z`` for the lower limit, ``-z`` for the upper; ``V`` the restricted variance), ``h`` is smooth and
its derivative analytic: the restricted MLE ``x(delta)`` is a simple root of the Farrington-Manning cubic
``P(x, delta) = 0`` (of the Miettinen-Nurminen quadratic for a ratio), so ``dx/ddelta = -P_delta / P_x``
(implicit differentiation). Newton's method converges quadratically from Newcombe's limits (a difference)
or the half-count Katz limits (a ratio, on the log scale): three steps bring almost every limit to
rounding error.

For a difference the restricted MLE is carried along with ``delta``: the cubic's root is computed once in
closed form at the start, then each step predicts it from ``dx/ddelta`` and corrects it by one Newton step
on the cubic (no trigonometric function per step). For a ratio the quadratic is solved at every step.

The tables are processed in blocks of :data:`BLOCK` so that the temporaries stay in the CPU cache, both
limits of a block at once and every step computed for the whole block. A limit is accepted when Newton's
last step is at most :data:`STEP_TOL` (the error after a step is of the order of the square of the step,
far below 1e-10), as is the last correction of the restricted MLE, with the restricted MLE strictly inside
its range and the limit strictly inside its bracket. The few limits not accepted after :data:`MAIN_STEPS`
continue together for up to :data:`EXTRA_STEPS` steps. Everything else (tables with a zero cell or
``x = n``, where ``Z`` is infinite at an end or the restricted MLE sits on the boundary, and the rare limit
Newton does not settle) is reported as not done; the callers solve those with the safeguarded bracketing
search :func:`~bioparity.clinical.roots.solve_decreasing`.

References
----------
Miettinen O, Nurminen M (1985) Comparative analysis of two rates. Stat Med 4:213-226 (appendix: the
restricted MLE). Farrington CP, Manning G (1990) Stat Med 9:1447-1454 (section 2: the cubic).
Koopman PAR (1984) Biometrics 40:513-517. Newcombe RG (1998) Stat Med 17:873-890 (method 10: the start).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Tables per block: the temporaries of a block (two limits x 4096 tables) stay in a core's L2 cache.
BLOCK = 4096
#: Newton steps taken for every limit of a block.
MAIN_STEPS = 3
#: Further steps for the limits not accepted after :data:`MAIN_STEPS`; the rest go to the safe search.
EXTRA_STEPS = 12
#: A limit is accepted when Newton's last step is at most this (error ~ step^2 x curvature, << 1e-10).
STEP_TOL = 1e-8

#: ``start(x1, n1, x2, n2, z)``: approximate lower and upper limits of the tables (Newton's start).
Start = Callable[[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray], tuple[FloatArray, FloatArray]]


class Stepper(Protocol):
    """Newton's iteration for score limits of tables (:class:`DifferenceStep`, :class:`RatioStep`).

    Constructed from the tables ``x1, n1, x2, n2`` (flat arrays of one length m) and ``corrected``
    (Miettinen-Nurminen's variance factor N/(N-1)); the roots and targets it is called with have shape
    (m,) or (2, m) (both limits of every table).
    """

    def __init__(
        self, x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, corrected: bool
    ) -> None:
        """Per-table constants."""

    def state(self, root: FloatArray) -> FloatArray:
        """The auxiliary state carried along with the roots (the restricted MLE for a difference)."""

    def step(
        self, root: FloatArray, state: FloatArray, t: FloatArray
    ) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Newton's step at ``root`` for the target ``t``, the state at the next root, and whether the
        step is valid (restricted MLE strictly inside its range and, for a difference, settled)."""


def newton_limits(
    stepper: type[Stepper],
    start: Start,
    tables: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    z: FloatArray,
    corrected: bool,
    bounds: tuple[FloatArray | float, FloatArray, FloatArray | float],
) -> tuple[FloatArray, BoolArray]:
    """Both score limits of every table by Newton's method in blocks; the limits and which were accepted.

    Parameters
    ----------
    stepper
        :class:`DifferenceStep` or :class:`RatioStep`.
    start
        Approximate limits to start from (Newcombe's for a difference, half-count Katz for a log ratio).
    tables
        Flat float arrays ``x1, n1, x2, n2``.
    z
        Critical value per table: the lower limit solves ``Z = z``, the upper ``Z = -z``.
    corrected
        Miettinen-Nurminen's variance factor N/(N-1).
    bounds
        ``(low, centre, high)``: the lower limit lies in ``(low, centre)``, the upper in ``(centre, high)``.

    Returns
    -------
    roots, done : numpy.ndarray, shape (2, n)
        The limits (lower row, upper row) and whether each was accepted. Tables with a zero cell or
        ``x = n`` are never accepted (their statistic is infinite at an end of the bracket or the
        restricted MLE lies on its boundary); a limit not accepted holds NaN.
    """
    x1, n1, x2, n2 = tables
    size = z.size
    low, centre, high = (np.broadcast_to(np.asarray(v, dtype=float), (size,)) for v in bounds)
    regular = np.flatnonzero((x1 > 0) & (x1 < n1) & (x2 > 0) & (x2 < n2))
    if regular.size < size:
        x1, n1, x2, n2, z = (v[regular] for v in (x1, n1, x2, n2, z))
    count = regular.size
    roots = np.empty((2, count))
    states = np.empty((2, count))
    targets = np.stack([z, -z])
    steps = np.empty((2, count))
    valid = np.empty((2, count), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for first in range(0, count, BLOCK):
            block = slice(first, min(first + BLOCK, count))
            tabs = (x1[block], n1[block], x2[block], n2[block])
            newton = stepper(*tabs, corrected)
            root = np.stack(start(*tabs, z[block]))
            state = newton.state(root)
            for _ in range(MAIN_STEPS):
                step, state, ok = newton.step(root, state, targets[:, block])
                root += step
            roots[:, block], states[:, block], steps[:, block], valid[:, block] = root, state, step, ok
        settled = valid & (np.abs(steps) <= STEP_TOL)
        if not settled.all():
            _continue(stepper, (x1, n1, x2, n2), corrected, roots, states, targets, settled)
    lo, mid, hi = (v[regular] for v in (low, centre, high))
    settled &= np.stack([(roots[0] > lo) & (roots[0] < mid), (roots[1] > mid) & (roots[1] < hi)])
    out = np.full((2, size), np.nan)
    done = np.zeros((2, size), dtype=bool)
    out[:, regular] = np.where(settled, roots, np.nan)
    done[:, regular] = settled
    return out, done


def _continue(
    stepper: type[Stepper],
    tables: tuple[FloatArray, FloatArray, FloatArray, FloatArray],
    corrected: bool,
    roots: FloatArray,
    states: FloatArray,
    targets: FloatArray,
    settled: BoolArray,
) -> None:
    """Up to :data:`EXTRA_STEPS` more steps for the unsettled limits, all together (flat arrays); updates
    ``roots`` and ``settled`` in place."""
    rows, cols = np.nonzero(~settled)
    newton = stepper(*(v[cols] for v in tables), corrected)
    root, state, t = roots[rows, cols], states[rows, cols], targets[rows, cols]
    ok = np.zeros(rows.size, dtype=bool)
    for _ in range(EXTRA_STEPS):
        step, state, valid = newton.step(root, state, t)
        root += step
        ok = valid & (np.abs(step) <= STEP_TOL)
        if ok.all():
            break
    roots[rows, cols] = root
    settled[rows, cols] = ok


class DifferenceStep:
    """Newton's iteration for limits of ``p1 - p2``; the restricted MLE of ``p1`` is carried as the state.

    The cubic ``P(x) = a x^3 + b x^2 + c x + d`` of
    :func:`~bioparity.clinical.score.restricted_mle_difference`
    (``a = 1 + n2/n1``; ``b, c, d`` depend on ``delta``) is solved in trigonometric form at the start; each
    step then corrects the predicted root by one Newton step on the cubic.
    """

    def __init__(
        self, x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, corrected: bool
    ) -> None:
        p1, p2 = x1 / n1, x2 / n2
        theta = n2 / n1
        total = n1 + n2
        factor = total / np.maximum(total - 1.0, 1.0) if corrected else 1.0
        self.a = 1.0 + theta
        self.a3 = 3.0 * self.a
        self.b0 = -(1.0 + theta + p1 + theta * p2)  # b = b0 + bd delta
        self.bd = -(theta + 2.0)
        self.c0 = p1 + theta * p2  # c = c0 + delta (cd + delta)
        self.cd = 2.0 * p1 + theta + 1.0
        self.p1 = p1  # d = -p1 delta (1 + delta)
        self.observed = p1 - p2
        self.w1 = factor / n1  # V = w1 x (1 - x) + w2 y (1 - y), y = x - delta
        self.w2 = factor / n2

    def state(self, root: FloatArray) -> FloatArray:
        """The restricted MLE of ``p1`` at ``root`` (the cubic's root in trigonometric form)."""
        k = 1.0 / self.a3
        bk = (self.b0 + self.bd * root) * k
        ck = (self.c0 + root * (self.cd + root)) * k
        # u^2 = b^2/(3a)^2 - c/(3a), v = b^3/(3a)^3 - bc/(6a^2) + d/(2a); x = 2 u cos(w) - b/(3a)
        v = bk * (bk * bk - 1.5 * ck) - 1.5 * k * self.p1 * root * (1.0 + root)
        u = np.copysign(np.sqrt(np.maximum(bk * bk - ck, 0.0)), v)
        w = (np.pi + np.arccos(np.clip(v / (u * u * u), -1.0, 1.0))) / 3.0
        return np.asarray(2.0 * u * np.cos(w) - bk, dtype=float)

    def step(
        self, root: FloatArray, state: FloatArray, t: FloatArray
    ) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Newton's step for ``h(delta) = observed - delta - t sd(delta)`` (see the module docstring)."""
        b = self.b0 + self.bd * root
        c = self.c0 + root * (self.cd + root)
        cubic = ((self.a * state + b) * state + c) * state - self.p1 * root * (1.0 + root)
        slope = (self.a3 * state + 2.0 * b) * state + c  # P_x
        correction = cubic / slope
        x = state - correction
        y = x - root
        qx = x * (1.0 - x)
        qy = y * (1.0 - y)
        sd = np.sqrt(self.w1 * qx + self.w2 * qy)
        # dx/ddelta = -P_delta / P_x; dV/ddelta from it.
        dx = (self.p1 * (1.0 + 2.0 * root) - x * (self.bd * x + 2.0 * root + self.cd)) / slope
        dv = self.w1 * (1.0 - 2.0 * x) * dx + self.w2 * (1.0 - 2.0 * y) * (dx - 1.0)
        h = self.observed - root - t * sd
        step = h / (1.0 + t * dv / (2.0 * sd))
        valid = (np.minimum(qx, qy) > 0.0) & (np.abs(correction) <= STEP_TOL)
        return step, x + dx * step, valid


class RatioStep:
    """Newton's iteration for limits of ``ln(p1/p2)`` (the quadratic of
    :func:`~bioparity.clinical.score.restricted_mle_ratio` solved at every step; no state)."""

    def __init__(
        self, x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, corrected: bool
    ) -> None:
        total = n1 + n2
        factor = total / np.maximum(total - 1.0, 1.0) if corrected else 1.0
        # A p^2 + B p + C with A = (n1 + n2) phi, -B = phi (n1 + x2) + (x1 + n2), C = x1 + x2.
        self.total = total
        self.m1 = n1 + x2
        self.m0 = x1 + n2
        self.c = x1 + x2
        self.p1 = x1 / n1
        self.p2 = x2 / n2
        self.w1 = factor / n1  # V = w1 x (1 - x) + w2 phi^2 y (1 - y), x = phi y
        self.w2 = factor / n2

    def state(self, root: FloatArray) -> FloatArray:
        """No state (zeros): the restricted MLE is solved afresh at every step."""
        return np.zeros_like(root)

    def step(
        self, root: FloatArray, state: FloatArray, t: FloatArray
    ) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Newton's step for ``h(ln phi) = p1 - phi p2 - t sd(phi)``."""
        phi = np.exp(root)
        minus_b = phi * self.m1 + self.m0
        disc = np.sqrt(np.maximum(minus_b * minus_b - 4.0 * self.total * phi * self.c, 0.0))
        y = 2.0 * self.c / (minus_b + disc)  # the smaller root: restricted p2
        x = phi * y
        qx = x * (1.0 - x)
        qy = y * (1.0 - y)
        phi2 = phi * phi
        sd = np.sqrt(self.w1 * qx + self.w2 * phi2 * qy)
        # dp2/dphi = -Q_phi / Q_p with Q_p = 2 A p + B = -disc at the smaller root.
        dy = y * (self.total * y - self.m1) / disc
        dv = self.w1 * (1.0 - 2.0 * x) * (y + phi * dy) + self.w2 * (
            2.0 * phi * qy + phi2 * (1.0 - 2.0 * y) * dy
        )
        h = self.p1 - phi * self.p2 - t * sd
        step = h / (phi * (self.p2 + t * dv / (2.0 * sd)))
        return step, state, np.minimum(qx, qy) > 0.0
