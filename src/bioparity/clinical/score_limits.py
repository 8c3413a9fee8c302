"""Score confidence limits by Newton's method on the score equation, blocks of tables at a time.

A score limit solves ``Z(delta) = t`` (``t = z`` for the lower limit, ``-z`` for the upper) where
``Z = (observed - delta) / sqrt(V(delta))`` is the score statistic at the restricted MLE
(:mod:`bioparity.clinical.score`). ``Z`` is smooth and decreasing with an analytic derivative: the restricted
MLE ``x(delta)`` is a simple root of the Farrington-Manning cubic ``P(x, delta) = 0`` (of the
Miettinen-Nurminen quadratic for a ratio), so ``dx/ddelta = -P_delta / P_x`` (implicit differentiation).
Newton's method on ``Z - t`` (whose direction is always right, ``Z`` being monotone) converges
quadratically from Newcombe's limits (a difference) or the MOVER-Wilson limits (a ratio, on the log scale):
three steps bring about 95% of the limits to rounding error.

For a difference the restricted MLE is carried along with ``delta``: the cubic's root is computed once in
trigonometric form at the start, then each step predicts it from ``dx/ddelta`` and corrects it by one
Newton step on the cubic (no trigonometric function per step). For a ratio the quadratic is solved at every
step.

The tables are processed in blocks of :data:`BLOCK` so that the temporaries stay in the CPU cache, both
limits of a block at once and every step computed for the whole block (no compaction). A limit is accepted
when Newton's last step is at most :data:`STEP_TOL` (the error after a step is of the order of the square
of the step, far below 1e-10), as is the last correction of the restricted MLE, with the restricted MLE
strictly inside its range (then it is the MLE: the constrained log-likelihood is strictly concave) and the
limit strictly inside its bracket. Where a group has x = 0 or x = n the restricted MLE may sit on the
boundary at the limit; ``Z`` is then the Wilson statistic of the other group and the limit has a closed
form, used where the log-likelihood's derivative at that boundary confirms it. The limits not accepted
after :data:`MAIN_STEPS` continue together, safeguarded by a bracket, for up to :data:`EXTRA_STEPS` steps;
any still unsettled (none in the tests) are reported as not done, and the callers solve them with the
bracketing search :func:`~bioparity.clinical.roots.solve_decreasing`.

References
----------
Miettinen O, Nurminen M (1985) Comparative analysis of two rates. Stat Med 4:213-226 (appendix: the
restricted MLE). Farrington CP, Manning G (1990) Stat Med 9:1447-1454 (section 2: the cubic).
Koopman PAR (1984) Biometrics 40:513-517. Newcombe RG (1998) Stat Med 17:873-890 (method 10: the start).
Zou GY, Donner A (2008) Stat Med 27:1693-1702 (MOVER: the start for a ratio). Wilson EB (1927) J Am Stat
Assoc 22:209-212.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np

from bioparity.arrays import BoolArray, FloatArray, IndexArray
from bioparity.clinical.score import (
    fm_cubic_terms,
    mn_variance_factor,
    score_z_difference,
    score_z_ratio,
    wilson_interval,
)

#: ``x1, n1, x2, n2``: flat float arrays of one length.
Tables = tuple[FloatArray, FloatArray, FloatArray, FloatArray]

#: Tables per block: the temporaries of a block (two limits x 4096 tables) stay in a core's L2 cache.
BLOCK = 4096
#: Newton steps taken for every limit of a block.
MAIN_STEPS = 3
#: Further steps for the limits not accepted after :data:`MAIN_STEPS`; the rest go to the safe search.
EXTRA_STEPS = 30
#: A limit is accepted when Newton's last step is at most this (error ~ step^2 x curvature, << 1e-10).
STEP_TOL = 1e-8
#: A bracket at most this wide gives its midpoint (as :func:`~bioparity.clinical.roots.solve_decreasing`).
EMPTY_BRACKET = 1e-13

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
    ) -> tuple[FloatArray, FloatArray, BoolArray, FloatArray]:
        """Newton's step at ``root`` for the target ``t``, the state at the next root, whether the step
        is valid (restricted MLE strictly inside its range and, for a difference, settled) and ``h`` (of
        the sign of ``Z - t``)."""

    @staticmethod
    def statistic(
        x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, root: FloatArray, corrected: bool
    ) -> FloatArray:
        """The score statistic at ``root`` by its definition (:mod:`bioparity.clinical.score`)."""

    @staticmethod
    def boundary(
        x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, t: FloatArray, corrected: bool
    ) -> list[FloatArray]:
        """Closed-form solutions of ``Z = t`` where the restricted MLE lies on a boundary (NaN where it
        cannot: the group's observed proportion is not 0 or 1)."""


def newton_limits(
    stepper: type[Stepper],
    start: Start,
    tables: Tables,
    z: FloatArray,
    corrected: bool,
    bounds: tuple[FloatArray | float, FloatArray, FloatArray | float],
    bracketed: Callable[[IndexArray], tuple[FloatArray, FloatArray]],
) -> FloatArray:
    """Both score limits of every table by Newton's method in blocks, a bracketing search where it fails.

    Parameters
    ----------
    stepper
        :class:`DifferenceStep` or :class:`RatioStep`.
    start
        Approximate limits to start from (Newcombe's for a difference, MOVER-Wilson for a log ratio).
    tables
        Flat float arrays ``x1, n1, x2, n2``.
    z
        Critical value per table: the lower limit solves ``Z = z``, the upper ``Z = -z``.
    corrected
        Miettinen-Nurminen's variance factor N/(N-1).
    bounds
        ``(low, centre, high)``: the lower limit lies in ``[low, centre]``, the upper in ``[centre, high]``.
    bracketed
        ``bracketed(index)``: both limits of the flat tables at ``index`` by the safeguarded bracketing
        search (:func:`~bioparity.clinical.roots.solve_decreasing`), for the tables where Newton's method
        leaves a limit unsettled (none in the tests).

    Returns
    -------
    numpy.ndarray, shape (2, n)
        The limits (lower row, upper row).

    Notes
    -----
    A settled Newton iteration whose restricted MLE is strictly inside its range is the limit (that MLE is
    the unique maximiser of a strictly concave constrained log-likelihood). For a table with x = 0 or
    x = n in a group the closed-form limit with the restricted MLE on that boundary
    (``stepper.boundary``) takes precedence where it applies: Newton's iteration there may follow an
    interior root of the cubic that rounding makes look valid. A bracket narrower than
    :data:`EMPTY_BRACKET` gives its midpoint, as the bracketing search does.
    """
    x1, n1, x2, n2 = tables
    size = z.size
    low, centre, high = (np.broadcast_to(np.asarray(v, dtype=float), (size,)) for v in bounds)
    roots = np.empty((2, size))
    starts = np.empty((2, size))
    settled = np.empty((2, size), dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        for first in range(0, size, BLOCK):
            block = slice(first, min(first + BLOCK, size))
            tabs = (x1[block], n1[block], x2[block], n2[block])
            newton = stepper(*tabs, corrected)
            root = roots[:, block]  # a view: the iteration runs in place
            root[0], root[1] = start(*tabs, z[block])
            starts[:, block] = root
            t = np.stack([z[block], -z[block]])
            state = newton.state(root)
            for _ in range(MAIN_STEPS):
                step, state, ok, _ = newton.step(root, state, t)
                root += step
            lo, mid, hi = low[block], centre[block], high[block]
            settled[:, block] = ok & (np.abs(step) <= STEP_TOL)
            settled[0, block] &= (root[0] > lo) & (root[0] < mid)
            settled[1, block] &= (root[1] > mid) & (root[1] < hi)
        brackets = (low, centre, high)
        irregular = np.flatnonzero((x1 == 0) | (x1 == n1) | (x2 == 0) | (x2 == n2))
        if irregular.size:
            _boundary_limits(stepper, tables, z, corrected, brackets, irregular, roots, settled)
            for row, (a, b) in enumerate(((low, centre), (centre, high))):
                empty = np.flatnonzero(b - a <= EMPTY_BRACKET)
                roots[row, empty] = 0.5 * (a + b)[empty]
                settled[row, empty] = True
        if not settled.all():
            _continue(stepper, tables, corrected, brackets, starts, roots, z, settled)
    rest = np.flatnonzero(~settled.all(axis=0))
    if rest.size:
        roots[:, rest] = np.stack(bracketed(rest))
    return roots


def _continue(
    stepper: type[Stepper],
    tables: Tables,
    corrected: bool,
    bounds: tuple[FloatArray, FloatArray, FloatArray],
    starts: FloatArray,
    roots: FloatArray,
    z: FloatArray,
    settled: BoolArray,
) -> None:
    """Up to :data:`EXTRA_STEPS` more steps for the unsettled limits, all together, safeguarded.

    The restricted MLE is solved afresh at every step, the sign of ``Z - t`` narrows a bracket of the root,
    and a Newton step that is not valid or leaves the bracket is replaced by the bracket's midpoint (a
    safeguarded Newton iteration, Press et al., Numerical Recipes, ``rtsafe``); limits leave the iteration
    as they converge. Updates ``roots`` and ``settled`` in place.
    """
    rows, cols = np.nonzero(~settled)
    tabs = _take(tables, cols)
    root, t = roots[rows, cols], np.where(rows == 0, z[cols], -z[cols])
    low, centre, high = (v[cols] for v in bounds)
    first_lo = lo = np.where(rows == 0, low, centre)
    first_hi = hi = np.where(rows == 0, centre, high)
    # Restart from the start value (else the bracket's midpoint) where Newton left the bracket.
    start = starts[rows, cols]
    root = np.where(
        (root > lo) & (root < hi), root, np.where((start > lo) & (start < hi), start, 0.5 * (lo + hi))
    )
    ok = np.zeros(rows.size, dtype=bool)
    active = np.arange(rows.size)  # the limits still iterating
    for _ in range(EXTRA_STEPS):
        sub = _take(tabs, active)
        newton = stepper(*sub, corrected)
        r, ta, la, ha = root[active], t[active], lo[active], hi[active]
        step, _, valid, h = newton.step(r, newton.state(r), ta)
        # h has the sign of Z - t where the restricted MLE is valid; elsewhere ask the definition.
        above = h > 0
        odd = np.flatnonzero(~valid)
        if odd.size:  # a NaN statistic counts as below the target, as in bisection
            above[odd] = stepper.statistic(*_take(sub, odd), r[odd], corrected) > ta[odd]
        la = np.where(above, np.maximum(la, r), la)
        ha = np.where(above, ha, np.minimum(ha, r))
        new = r + step
        converged = valid & (np.abs(step) <= STEP_TOL) & (new > first_lo[active]) & (new < first_hi[active])
        newton_ok = converged | (valid & (new >= la) & (new <= ha))
        root[active] = np.where(newton_ok, new, 0.5 * (la + ha))
        lo[active], hi[active] = la, ha
        ok[active[converged]] = True
        active = active[~converged]
        if not active.size:
            break
    roots[rows, cols] = root
    settled[rows, cols] = ok


def _take(tables: Tables, index: IndexArray) -> Tables:
    """The tables at ``index``."""
    x1, n1, x2, n2 = tables
    return x1[index], n1[index], x2[index], n2[index]


def _boundary_limits(
    stepper: type[Stepper],
    tables: Tables,
    z: FloatArray,
    corrected: bool,
    bounds: tuple[FloatArray, FloatArray, FloatArray],
    which: IndexArray,
    roots: FloatArray,
    settled: BoolArray,
) -> None:
    """The closed-form limits of the tables ``which`` where the restricted MLE lies on a boundary at the
    limit (``stepper.boundary``), in place of Newton's; updates ``roots`` and ``settled`` in place.

    Newton's iteration there would follow an interior root of the cubic that the boundary has made
    spurious (its restricted ``p`` rounds to 0 or 1 and still counts as inside)."""
    tabs = _take(tables, np.concatenate([which, which]))  # lower limits, then upper
    low, centre, high = (v[which] for v in bounds)
    lo, hi = np.concatenate([low, centre]), np.concatenate([centre, high])
    best = np.full(lo.size, np.nan)
    for candidate in stepper.boundary(*tabs, np.concatenate([z[which], -z[which]]), corrected):
        take = np.isnan(best) & (candidate >= lo) & (candidate <= hi)
        best[take] = candidate[take]
    found = ~np.isnan(best.reshape(2, -1))
    roots[:, which] = np.where(found, best.reshape(2, -1), roots[:, which])
    settled[:, which] |= found


class DifferenceStep:
    """Newton's iteration for limits of ``p1 - p2``; the restricted MLE of ``p1`` is carried as the state.

    The cubic ``P(x) = a x^3 + b x^2 + c x + d`` of
    :func:`~bioparity.clinical.score.restricted_mle_difference`
    (``a = 1 + n2/n1``; ``b, c, d`` depend on ``delta``) is solved in trigonometric form at the start; each
    step then corrects the predicted root by one Newton step on the cubic.

    Parameters
    ----------
    x1, n1, x2, n2 : numpy.ndarray
        The tables (flat float arrays of one length).
    corrected : bool
        Miettinen-Nurminen's variance factor N/(N-1) (else Farrington-Manning).
    """

    def __init__(
        self, x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, corrected: bool
    ) -> None:
        p1, p2 = x1 / n1, x2 / n2
        theta = n2 / n1
        factor = mn_variance_factor(n1, n2) if corrected else 1.0
        self.a = 1.0 + theta
        self.a3 = 3.0 * self.a
        # b = b0 + bd delta, c = c0 + delta (cd + delta)
        self.b0, self.bd, self.c0, self.cd = fm_cubic_terms(p1, p2, theta)
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
        w = (np.pi + np.arccos(np.minimum(np.maximum(v / (u * u * u), -1.0), 1.0))) / 3.0
        return np.asarray(2.0 * u * np.cos(w) - bk, dtype=float)

    def step(
        self, root: FloatArray, state: FloatArray, t: FloatArray
    ) -> tuple[FloatArray, FloatArray, BoolArray, FloatArray]:
        """Newton's step for ``h(delta) = observed - delta - t sd(delta)`` (see the module docstring)."""
        # The same arithmetic as written in the comments, in place on a few temporaries (fewer passes
        # over memory): b, c, d of the cubic at delta = root, its value and slope at the state.
        b = self.bd * root  # b = b0 + bd delta
        b += self.b0
        c = root + self.cd  # c = c0 + delta (cd + delta)
        c *= root
        c += self.c0
        cubic = self.a * state  # ((a x + b) x + c) x + d, d = -p1 delta (1 + delta)
        cubic += b
        cubic *= state
        cubic += c
        cubic *= state
        d = root + 1.0
        d *= root
        d *= self.p1
        cubic -= d
        slope = self.a3 * state  # P_x = (3a x + 2b) x + c
        b *= 2.0
        slope += b
        slope *= state
        slope += c
        correction = np.divide(cubic, slope, out=cubic)
        x = state - correction
        y = x - root
        qx = 1.0 - x
        qx *= x
        qy = 1.0 - y
        qy *= y
        var = self.w1 * qx  # V = w1 x (1 - x) + w2 y (1 - y)
        var += np.multiply(self.w2, qy, out=d)
        # dx/ddelta = -P_delta / P_x = (p1 (1 + 2 delta) - x (bd x + 2 delta + cd)) / P_x
        twice = root + root
        dx = self.bd * x
        dx += twice
        dx += self.cd
        dx *= x
        twice += 1.0
        twice *= self.p1
        np.subtract(twice, dx, out=dx)
        dx /= slope
        # dV/ddelta = w1 (1 - 2x) dx + w2 (1 - 2y) (dx - 1)
        dv = np.multiply(x, -2.0, out=slope)
        dv += 1.0
        dv *= self.w1
        dv *= dx
        dy = np.multiply(y, -2.0, out=c)
        dy += 1.0
        dy *= self.w2
        dy *= np.subtract(dx, 1.0, out=b)
        dv += dy
        # Newton on Z - t: step = h / (1 + numerator dV / (2 V))
        h, denominator = _newton_terms(self.observed - root, var, dv, t, twice, 1.0)
        step = np.divide(h, denominator, out=denominator)
        valid = (np.minimum(qx, qy) > 0.0) & (np.abs(correction) <= STEP_TOL)
        dx *= step
        dx += x
        return step, dx, valid, h

    @staticmethod
    def statistic(
        x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, root: FloatArray, corrected: bool
    ) -> FloatArray:
        """:func:`~bioparity.clinical.score.score_z_difference` at ``delta = root``."""
        return score_z_difference(x1, n1, x2, n2, root, corrected)

    @staticmethod
    def boundary(
        x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, t: FloatArray, corrected: bool
    ) -> list[FloatArray]:
        """Limits where one restricted proportion is 0 or 1 (possible only where that group's is).

        There ``Z`` is the Wilson statistic of the other group with critical value ``t sqrt(f)`` (``f`` the
        variance factor): restricted ``p1`` at ``p1_hat`` (0 or 1) gives ``delta = p1_hat - p2`` with ``p2``
        a Wilson limit of group 2; restricted ``p2`` at ``p2_hat`` gives ``delta = p1 - p2_hat``. Such a
        limit is kept only where the restricted MLE is indeed on that boundary: the constrained
        log-likelihood is concave, so it is where its derivative at that end points outwards.
        """
        q1, q2 = _wilson_limits(x1, n1, x2, n2, t, corrected)
        with np.errstate(divide="ignore", invalid="ignore"):
            delta = x1 / n1 - q2  # restricted p1 = x1/n1 (0 or 1), p2 = q2
            slope = np.where(x1 == 0, -n1, n1) + _ratio(x2, q2) - _ratio(n2 - x2, 1.0 - q2)
            first = (x1 == 0) & (delta <= 0) & (slope <= 0) | (x1 == n1) & (delta >= 0) & (slope >= 0)
            delta2 = q1 - x2 / n2  # restricted p2 = x2/n2 (0 or 1), p1 = q1
            slope2 = _ratio(x1, q1) - _ratio(n1 - x1, 1.0 - q1) + np.where(x2 == 0, -n2, n2)
            second = (x2 == 0) & (delta2 >= 0) & (slope2 <= 0) | (x2 == n2) & (delta2 <= 0) & (slope2 >= 0)
        return [np.where(first & _inside(q2), delta, np.nan), np.where(second & _inside(q1), delta2, np.nan)]


class RatioStep:
    """Newton's iteration for limits of ``ln(p1/p2)`` (the quadratic of
    :func:`~bioparity.clinical.score.restricted_mle_ratio` solved at every step; no state).

    Parameters
    ----------
    x1, n1, x2, n2 : numpy.ndarray
        The tables (flat float arrays of one length).
    corrected : bool
        Miettinen-Nurminen's variance factor N/(N-1) (else Koopman).
    """

    def __init__(
        self, x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, corrected: bool
    ) -> None:
        total = n1 + n2
        factor = mn_variance_factor(n1, n2) if corrected else 1.0
        # A p^2 + B p + C with A = (n1 + n2) phi, -B = phi (n1 + x2) + (x1 + n2), C = x1 + x2.
        self.total = total
        self.m1 = n1 + x2
        self.m0 = x1 + n2
        self.c = x1 + x2
        self.c2 = 2.0 * self.c
        self.four_ac = 4.0 * total * self.c  # 4 A C / phi
        self.p1 = x1 / n1
        self.p2 = x2 / n2
        self.w1 = factor / n1  # V = w1 x (1 - x) + w2 phi^2 y (1 - y), x = phi y
        self.w2 = factor / n2

    def state(self, root: FloatArray) -> FloatArray:
        """No state (zeros): the restricted MLE is solved afresh at every step."""
        return np.zeros_like(root)

    def step(
        self, root: FloatArray, state: FloatArray, t: FloatArray
    ) -> tuple[FloatArray, FloatArray, BoolArray, FloatArray]:
        """Newton's step for ``h(ln phi) = p1 - phi p2 - t sd(phi)``."""
        # The arithmetic of the comments, in place on a few temporaries (fewer passes over memory).
        phi = np.exp(root)
        minus_b = phi * self.m1  # -B = phi m1 + m0
        minus_b += self.m0
        disc = minus_b * minus_b  # sqrt(B^2 - 4 A C), A = (n1 + n2) phi
        work = phi * self.four_ac
        disc -= work
        np.maximum(disc, 0.0, out=disc)
        np.sqrt(disc, out=disc)
        y = np.add(minus_b, disc, out=minus_b)  # the smaller root 2C / (-B + disc): restricted p2
        np.divide(self.c2, y, out=y)
        x = phi * y
        qx = 1.0 - x
        qx *= x
        qy = 1.0 - y
        qy *= y
        phi2 = phi * phi
        var = self.w1 * qx  # V = w1 x (1 - x) + w2 phi^2 y (1 - y)
        np.multiply(self.w2, phi2, out=work)
        work *= qy
        var += work
        # dp2/dphi = -Q_phi / Q_p with Q_p = 2 A p + B = -disc at the smaller root: y (total y - m1) / disc
        dy = self.total * y
        dy -= self.m1
        dy *= y
        dy /= disc
        # dV/dphi = w1 (1 - 2x) (y + phi dy) + w2 (2 phi qy + phi^2 (1 - 2y) dy)
        dv = np.multiply(x, -2.0, out=x)
        dv += 1.0
        dv *= self.w1
        np.multiply(phi, dy, out=work)
        work += y
        dv *= work
        second = np.multiply(y, -2.0, out=disc)
        second += 1.0
        second *= phi2
        second *= dy
        np.multiply(phi, qy, out=work)
        work *= 2.0
        second += work
        second *= self.w2
        dv += second
        numerator = phi * self.p2  # p1 - phi p2
        np.subtract(self.p1, numerator, out=numerator)
        # Newton on Z - t in ln phi: step = h / (phi (p2 + numerator dV / (2 V)))
        h, denominator = _newton_terms(numerator, var, dv, t, work, self.p2)
        denominator *= phi
        step = np.divide(h, denominator, out=denominator)
        return step, state, np.minimum(qx, qy) > 0.0, h

    @staticmethod
    def statistic(
        x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, root: FloatArray, corrected: bool
    ) -> FloatArray:
        """:func:`~bioparity.clinical.score.score_z_ratio` at ``phi = exp(root)``."""
        return score_z_ratio(x1, n1, x2, n2, np.exp(root), corrected)

    @staticmethod
    def boundary(
        x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, t: FloatArray, corrected: bool
    ) -> list[FloatArray]:
        """Limits of ``ln phi`` where a restricted proportion is 1 (possible only where that group's is).

        Restricted ``p1 = 1`` (``x1 = n1``) makes ``Z`` the Wilson statistic of group 2 at ``p2 = 1/phi``
        with critical value ``z sqrt(f)``; restricted ``p2 = 1`` (``x2 = n2``) that of group 1 at ``phi``.
        """
        q1, q2 = _wilson_limits(x1, n1, x2, n2, t, corrected)
        with np.errstate(divide="ignore", invalid="ignore"):
            # p1 = 1 at p2 = q2 = 1/phi (the upper end of p2 for phi > 1): d loglik/dp2 >= 0 there.
            first = (x1 == n1) & ((n1 + x2) / q2 - _ratio(n2 - x2, 1.0 - q2) >= 0) & _inside(q2)
            # p2 = 1 at p1 = q1 = phi < 1 (the upper end of p2): d loglik/dp2 >= 0 there.
            second = (x2 == n2) & (x1 + n2 - _ratio(n1 - x1, 1.0 - q1) * q1 >= 0) & _inside(q1)
            return [np.where(first, -np.log(q2), np.nan), np.where(second, np.log(q1), np.nan)]


def _newton_terms(
    numerator: FloatArray,
    var: FloatArray,
    dv: FloatArray,
    t: FloatArray,
    out: FloatArray,
    offset: FloatArray | float,
) -> tuple[FloatArray, FloatArray]:
    """The two terms of Newton's step on the score equation ``Z - t``: the residual
    ``h = numerator - t sqrt(V)`` (written into ``out``) and ``offset + numerator dV / (2 V)`` (written into
    ``numerator``), from the score numerator, its variance ``V`` and ``dV`` at the current root."""
    h = np.sqrt(var, out=out)  # h = numerator - t sd
    h *= t
    np.subtract(numerator, h, out=h)
    numerator *= dv
    numerator /= var
    numerator *= 0.5
    numerator += offset
    return h, numerator


def _wilson_limits(
    x1: FloatArray, n1: FloatArray, x2: FloatArray, n2: FloatArray, t: FloatArray, corrected: bool
) -> tuple[FloatArray, FloatArray]:
    """Wilson limits of both groups at ``|t|`` times the root of the variance factor: the lower limit of
    group 1 and the upper of group 2 for ``t > 0`` (a lower limit of the comparison), else the others."""
    zf = np.abs(t) * (np.sqrt(mn_variance_factor(n1, n2)) if corrected else 1.0)
    l1, u1 = wilson_interval(x1, n1, zf)
    l2, u2 = wilson_interval(x2, n2, zf)
    return np.where(t > 0, l1, u1), np.where(t > 0, u2, l2)


def _ratio(count: FloatArray, share: FloatArray) -> FloatArray:
    """``count / share`` with 0 where ``count`` is 0 (a term of a log-likelihood's derivative)."""
    return np.asarray(np.where(count == 0, 0.0, count / share), dtype=float)


def _inside(share: FloatArray) -> BoolArray:
    """A proportion strictly inside (0, 1): there the Wilson statistic is finite."""
    return np.asarray((share > 0.0) & (share < 1.0))
