"""Settings of a noncompartmental analysis, with PKNCA's defaults."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from bioparity.errors import InputError
from bioparity.nca.auc import canonical_auc_method
from bioparity.nca.blq import BLQRule

ROUTES = ("extravascular", "iv-bolus", "iv-infusion")
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
        parts = [
            f"best fit (PKNCA): last >= {self.min_points} points after "
            + ("Tmax (inclusive)" if self.allow_tmax_in_lambda_z else "Tmax")
            + f", largest adj. R2 within {self.adj_r2_factor:g}, most points"
        ]
        if self.lambda_z_max_points is not None:
            parts.append(f"at most {self.lambda_z_max_points} points")
        if self.lambda_z_start_after is not None:
            parts.append(f"no point before t = {self.lambda_z_start_after:g}")
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
