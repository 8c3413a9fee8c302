"""Settings of a noncompartmental analysis, with PKNCA's defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bioparity.errors import InputError
from bioparity.i18n.notes import note_template
from bioparity.nca.auc import canonical_auc_method
from bioparity.nca.blq import BLQRule

ROUTES = ("extravascular", "iv-bolus", "iv-infusion")
#: The lambda_z selection rule in words (:meth:`NCAOptions.lambda_z_method`), its parts ``"; "``-joined.
BEST_FIT = note_template(
    "best fit (PKNCA): last >= {n} points after Tmax, largest adj. R2 within {factor:g}, most points"
)
BEST_FIT_WITH_TMAX = note_template(
    "best fit (PKNCA): last >= {n} points after Tmax (inclusive), largest adj. R2 within {factor:g}, "
    "most points"
)
AT_MOST_POINTS = note_template("at most {n} points")
NO_POINT_BEFORE = note_template("no point before t = {t:g}")
_ROUTE_ALIASES = {
    "ev": "extravascular",
    "oral": "extravascular",
    "bolus": "iv-bolus",
    "infusion": "iv-infusion",
}


def canonical_route(route: str) -> str:
    """Normalise a route name: extravascular, iv-bolus or iv-infusion."""
    r = route.strip().lower().replace("_", "-")
    r = _ROUTE_ALIASES.get(r, r)
    if r not in ROUTES:
        raise InputError(f"route {route!r} unknown; expected one of {', '.join(ROUTES)}")
    return r


@dataclass(frozen=True)
class NCAOptions:
    """How to compute (PKNCA option names in brackets) and when to flag a value for review.

    ``auc_method`` [auc.method]: ``lin-up-log-down`` (default) or ``linear``. ``blq`` [conc.blq]:
    PKNCA's default keeps leading and trailing BLQ as 0 and drops BLQ between measurable samples.
    ``min_points`` [min.hl.points], ``adj_r2_factor`` [adj.r.squared.factor], ``allow_tmax_in_lambda_z``
    [allow.tmax.in.half.life], ``first_tmax`` [first.tmax]. Review flags: adjusted R² below
    ``r2adj_min``, AUC %extrapolated above ``max_aucpext`` (percent), span ratio below ``min_span_ratio``.

    Phoenix WinNonlin-style restrictions of the lambda_z best fit (none by default, PKNCA's rule):
    ``lambda_z_max_points`` (at most this many terminal points) and ``lambda_z_start_after`` (no point
    before this time after the dose). Points excluded or included by hand are given per profile to
    :func:`~bioparity.nca.single.frame.nca` with a reason; :meth:`lambda_z_method` states the rule used.

    ``auctau_extrapolate`` (multiple dosing): when the last dosing interval ends after the last sample,
    extrapolate AUCTAU, AUMCTAU and CTROUGH to its end with lambda_z (Phoenix WinNonlin's rule); by
    default (PKNCA) they are missing with the reason stated.

    Parameters
    ----------
    auc_method : {"lin-up-log-down", "linear"}, default "lin-up-log-down"
        Trapezoidal rule [auc.method]: linear while the concentration rises or stays, log-linear while it
        falls (Purves 1992), or linear throughout. Aliases accepted by
        :func:`~bioparity.nca.auc.canonical_auc_method` are normalised.
    route : {"extravascular", "iv-bolus", "iv-infusion"}, default "extravascular"
        Route of administration; decides C0 (back-extrapolated for an IV bolus) and which parameters
        apply (e.g. MRT corrected for infusion duration). ``"oral"``, ``"ev"``, ``"bolus"``,
        ``"infusion"`` are accepted aliases.
    blq : BLQRule, default ``BLQRule()``
        Handling of below-LLOQ samples before, between and after the measurable ones [conc.blq].
    min_points : int, default 3
        Least number of terminal points in a lambda_z regression [min.hl.points]; a whole number >= 3.
    adj_r2_factor : float, default 1e-4
        Fits whose adjusted R² is within this of the best one count as equally good; the one with most
        points is then chosen [adj.r.squared.factor]; >= 0.
    allow_tmax_in_lambda_z : bool, default False
        Whether the point at Tmax may be part of the terminal regression [allow.tmax.in.half.life].
    first_tmax : bool, default True
        When Cmax occurs more than once, report the first time (True) or the last [first.tmax].
    r2adj_min : float, default 0.8
        Flag lambda_z-based parameters for review when the fit's adjusted R² is below this.
    max_aucpext : float, default 20.0
        Flag AUCINF for review when the extrapolated part exceeds this percentage (0 < value < 100;
        EMA CPMP/EWP/QWP/1401/98 Rev. 1, sections 4.1.4 and 4.1.8: AUC(0-t) should cover at least 80 %).
    min_span_ratio : float, default 2.0
        Flag lambda_z for review when the regression spans fewer than this many half-lives.
    lambda_z_max_points : int or None, default None
        At most this many terminal points in the lambda_z fit (a whole number >= ``min_points``);
        None places no limit (PKNCA).
    lambda_z_start_after : float or None, default None
        No lambda_z point earlier than this time after the dose (time unit of the data); None places
        no limit.
    auctau_extrapolate : bool, default False
        Multiple dosing: extrapolate AUCTAU, AUMCTAU and CTROUGH to the end of an interval that ends
        after the last sample (Phoenix WinNonlin); False leaves them missing with the reason (PKNCA).

    Raises
    ------
    bioparity.errors.InputError
        When a method or route is unknown or a number is outside the range stated above.

    References
    ----------
    Denney W, Duvvuri S, Buckeridge C. Simple, automatic noncompartmental analysis: the PKNCA R
    package. J Pharmacokinet Pharmacodyn 2015;42(S1):S65 (option names and defaults, ``PKNCA.options``).
    Purves RD. Optimum numerical integration methods for estimation of area-under-the-curve (AUC) and
    area-under-the-moment-curve (AUMC). J Pharmacokinet Biopharm 1992;20(3):211-226.

    Examples
    --------
    >>> print(NCAOptions(lambda_z_max_points=5).lambda_z_method())
    best fit (PKNCA): last >= 3 points after Tmax, largest adj. R2 within 0.0001, most points;
    at most 5 points
    """

    auc_method: str = "lin-up-log-down"
    route: str = "extravascular"
    blq: BLQRule = field(default_factory=BLQRule)
    min_points: int = 3
    adj_r2_factor: float = 1e-4
    allow_tmax_in_lambda_z: bool = False
    first_tmax: bool = True
    r2adj_min: float = 0.8
    max_aucpext: float = 20.0
    min_span_ratio: float = 2.0
    lambda_z_max_points: int | None = None
    lambda_z_start_after: float | None = None
    auctau_extrapolate: bool = False

    def lambda_z_method(self) -> str:
        """The lambda_z selection rule in words (recorded with every result)."""
        best_fit = BEST_FIT_WITH_TMAX if self.allow_tmax_in_lambda_z else BEST_FIT
        parts = [best_fit.format(n=self.min_points, factor=self.adj_r2_factor)]
        if self.lambda_z_max_points is not None:
            parts.append(AT_MOST_POINTS.format(n=self.lambda_z_max_points))
        if self.lambda_z_start_after is not None:
            parts.append(NO_POINT_BEFORE.format(t=self.lambda_z_start_after))
        return "; ".join(parts)

    def __post_init__(self) -> None:
        object.__setattr__(self, "auc_method", canonical_auc_method(self.auc_method))
        object.__setattr__(self, "route", canonical_route(self.route))
        if int(self.min_points) != self.min_points or self.min_points < 3:
            raise InputError(f"min_points = {self.min_points!r}; expected a whole number >= 3")
        if not self.adj_r2_factor >= 0:
            raise InputError(f"adj_r2_factor = {self.adj_r2_factor!r}; expected a number >= 0 (PKNCA: 1e-4)")
        mp = self.lambda_z_max_points
        if mp is not None and (int(mp) != mp or mp < self.min_points):
            raise InputError(
                f"lambda_z_max_points = {mp!r}; expected a whole number >= min_points ({self.min_points})"
            )
        sa = self.lambda_z_start_after
        if sa is not None and not np.isfinite(sa):
            raise InputError(f"lambda_z_start_after = {sa!r}; expected a finite time after the dose")
        if not 0 < self.max_aucpext < 100:
            raise InputError(f"max_aucpext = {self.max_aucpext!r}; expected a percentage between 0 and 100")
