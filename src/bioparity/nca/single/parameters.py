"""The NCA parameter registry, keyed by CDISC PPTESTCD codes (PKNCA's design: name -> function + depends).

Adding a parameter means registering one :class:`Parameter`: its code, the PKNCA name it matches, the
parameters it depends on, a vectorised function of the shared context and the values computed so far,
the review flags that apply to it and the reasons that can make it missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from bioparity.errors import InputError
from bioparity.i18n.notes import note_template
from bioparity.nca.profiles import FloatArray, quiet_divide
from bioparity.nca.single.context import NCAContext

Compute = Callable[[NCAContext, Mapping[str, FloatArray]], FloatArray]

#: Review flags, per profile; each parameter lists the ones that concern it.
FLAGS = {
    "lambda_z_few_points": "fewer than min_points usable samples after Tmax: lambda_z not estimated",
    "lambda_z_manual": "lambda_z from user-selected points",
    "lambda_z_points_excluded": "samples excluded from the lambda_z fit by the user (reason reported)",
    "r2adj_low": "adjusted R2 of the lambda_z fit below the threshold",
    "span_ratio_low": "span ratio (fit time range / half-life) below the threshold",
    "aucpeo_high": "AUC extrapolated beyond Tlast above the threshold (percent)",
    "blq_imputed": (
        "a BLQ sample after the dose was kept as 0 or imputed (a pre-dose 0 kept as 0 is the baseline)"
    ),
    "no_time0": "no sample at the dose time: AUC from time 0 not computed (not guessed)",
}

#: Reasons why a value is missing, in the order they are reported.
REASONS = {
    "no_data": note_template("fewer than 2 samples in the profile"),
    "no_time0": note_template("no sample at or before time 0 (the dose): AUC from 0 is not extrapolated"),
    "lambda_z": note_template("lambda_z not estimated"),
    "no_dose": note_template("dose missing"),
    "auc_not_positive": note_template("AUC <= 0"),
}

_LZ = frozenset(
    {"lambda_z_few_points", "lambda_z_manual", "lambda_z_points_excluded", "r2adj_low", "span_ratio_low"}
)
_AUC = frozenset({"blq_imputed", "no_time0"})
_INF = _LZ | _AUC | {"aucpeo_high"}
ALL_ROUTES = frozenset({"extravascular", "iv-bolus", "iv-infusion"})
IV = frozenset({"iv-bolus", "iv-infusion"})
EV = frozenset({"extravascular"})


@dataclass(frozen=True)
class Parameter:
    """One NCA parameter: CDISC code and label, PKNCA name, dependencies and its vectorised function.

    Attributes
    ----------
    code : str
        CDISC PPTESTCD (e.g. ``"AUCIFO"``), the key in ``PARAMETERS``.
    label : str
        CDISC PPTEST label (e.g. ``"AUC Infinity Obs"``), used in SDTM PP and ADaM ADPP.
    pknca : str
        The matching PKNCA name (e.g. ``"aucinf.obs"``), accepted in place of the code.
    depends : tuple of str
        Codes whose values ``compute`` reads (computed first, in dependency order).
    compute : callable
        ``compute(context, values) -> (P,) array``: vectorised over the profiles of an
        :class:`~bioparity.nca.single.context.NCAContext`, given the values computed so far by code.
    flags : frozenset of str, default frozenset()
        Review flags that concern this parameter (names of ``FLAGS``).
    reasons : tuple of str, default ()
        Keys of ``REASONS`` that can make this parameter missing.
    routes : frozenset of str, default all routes
        Routes it applies to (``"extravascular"``, ``"iv-bolus"``, ``"iv-infusion"``).
    needs_dose : bool, default False
        Whether it needs a dose (clearance, volume).

    References
    ----------
    Denney W, Duvvuri S, Buckeridge C. Simple, automatic noncompartmental analysis: the PKNCA R package.
    J Pharmacokinet Pharmacodyn 2015;42(S1):S65 (name -> function + depends registry). CDISC
    Controlled Terminology, PK Parameters codelist (PPTESTCD/PPTEST).

    Examples
    --------
    >>> PARAMETERS["AUCIFO"].pknca, PARAMETERS["AUCIFO"].needs_dose
    ('aucinf.obs', False)
    """

    code: str
    label: str
    pknca: str
    depends: tuple[str, ...]
    compute: Compute
    flags: frozenset[str] = frozenset()
    reasons: tuple[str, ...] = ()
    routes: frozenset[str] = ALL_ROUTES
    needs_dose: bool = False


PARAMETERS: dict[str, Parameter] = {}


def register(p: Parameter) -> Parameter:
    """Add a parameter to the registry (codes are unique)."""
    if p.code in PARAMETERS:
        raise ValueError(f"parameter {p.code} registered twice")
    PARAMETERS[p.code] = p
    return p


def _auc_from_zero(ctx: NCAContext, auc: bool) -> FloatArray:
    g0_auc, g0_aumc = ctx.area_from_zero
    tlast = ctx.tlast
    g_auc, g_aumc = ctx.area_to_tlast
    value = (g_auc - g0_auc) if auc else (g_aumc - g0_aumc)
    value = np.where(np.isnan(tlast), 0.0, value)  # every concentration BLQ: the area is 0 (PKNCA)
    return np.where(ctx.n_auc_points < 2, np.nan, value)


def _dose(ctx: NCAContext) -> FloatArray:
    assert ctx.dose is not None
    return np.asarray(ctx.dose, dtype=float)


def _clearance(ctx: NCAContext, v: Mapping[str, FloatArray]) -> FloatArray:
    auc = v["AUCIFO"]
    return np.where(auc > 0, quiet_divide(_dose(ctx), auc), np.nan)


def _mrt(ctx: NCAContext, v: Mapping[str, FloatArray]) -> FloatArray:
    auc = v["AUCIFO"]
    dur = ctx.duration if ctx.options.route == "iv-infusion" else 0.0
    return np.where(auc > 0, quiet_divide(v["AUMCIFO"], auc) - dur / 2.0, np.nan)


def _auc_infinity(code: str, label: str, pknca: str, clast: str) -> Parameter:
    """AUC from 0 to infinity, AUClast + Clast / lambda_z, with the observed (``CLST``) or the predicted
    (``CLSTP``) last concentration (Gabrielsson & Weiner 2016, chapter 2)."""
    return Parameter(
        code,
        label,
        pknca,
        ("AUCLST", "LAMZ", clast),
        lambda c, v: v["AUCLST"] + quiet_divide(v[clast], v["LAMZ"]),
        _INF,
        ("no_data", "no_time0", "lambda_z"),
    )


def _volume(code: str, label: str, clearance: str, routes: frozenset[str]) -> Parameter:
    """Volume of the terminal phase, Vz = CL / lambda_z, from the clearance of ``routes`` (``CLFO``,
    apparent, extravascular; ``CLO``, intravascular) (Gabrielsson & Weiner 2016, chapter 2)."""
    return Parameter(
        code,
        label,
        "vz.obs",
        (clearance, "LAMZ"),
        lambda c, v: quiet_divide(v[clearance], v["LAMZ"]),
        _INF,
        ("no_data", "no_time0", "lambda_z", "no_dose", "auc_not_positive"),
        routes,
        True,
    )


_ALL = (
    Parameter("CMAX", "Max Conc", "cmax", (), lambda c, v: c.cmax, frozenset({"blq_imputed"})),
    Parameter("TMAX", "Time of CMAX", "tmax", (), lambda c, v: c.tmax, frozenset({"blq_imputed"})),
    Parameter("TLST", "Time of Last Nonzero Conc", "tlast", (), lambda c, v: c.tlast),
    Parameter("CLST", "Last Nonzero Conc", "clast.obs", (), lambda c, v: c.clast),
    Parameter("C0", "Initial Conc", "c0", (), lambda c, v: c.c0, routes=frozenset({"iv-bolus"})),
    Parameter(
        "AUCLST",
        "AUC to Last Nonzero Conc",
        "auclast",
        (),
        lambda c, v: _auc_from_zero(c, True),
        _AUC,
        ("no_data", "no_time0"),
    ),
    Parameter(
        "AUCALL",
        "AUC All",
        "aucall",
        ("AUCLST",),
        lambda c, v: v["AUCLST"] + c.auc_tail[0],
        _AUC,
        ("no_data", "no_time0"),
    ),
    Parameter(
        "AUMCLST",
        "AUMC to Last Nonzero Conc",
        "aumclast",
        (),
        lambda c, v: _auc_from_zero(c, False),
        _AUC,
        ("no_data", "no_time0"),
    ),
    Parameter("LAMZ", "Lambda z", "lambda.z", (), lambda c, v: c.fit.lambda_z, _LZ, ("lambda_z",)),
    Parameter("R2", "R Squared", "r.squared", (), lambda c, v: c.fit.r_squared, _LZ, ("lambda_z",)),
    Parameter(
        "R2ADJ",
        "R Squared Adjusted",
        "adj.r.squared",
        (),
        lambda c, v: c.fit.adj_r_squared,
        _LZ,
        ("lambda_z",),
    ),
    Parameter(
        "LAMZLL",
        "Lambda z Lower Limit",
        "lambda.z.time.first",
        (),
        lambda c, v: c.fit.time_first,
        _LZ,
        ("lambda_z",),
    ),
    Parameter(
        "LAMZUL",
        "Lambda z Upper Limit",
        "lambda.z.time.last",
        (),
        lambda c, v: c.fit.time_last,
        _LZ,
        ("lambda_z",),
    ),
    Parameter(
        "LAMZNPT",
        "Number of Points for Lambda z",
        "lambda.z.n.points",
        (),
        lambda c, v: c.fit.n_points,
        _LZ,
        ("lambda_z",),
    ),
    Parameter(
        "CLSTP",
        "Last Nonzero Conc Predicted",
        "clast.pred",
        (),
        lambda c, v: c.fit.predict(c.tlast),
        _LZ,
        ("lambda_z",),
    ),
    Parameter(
        "LAMZHL",
        "Half-Life Lambda z",
        "half.life",
        ("LAMZ",),
        lambda c, v: quiet_divide(np.log(2.0), v["LAMZ"]),
        _LZ,
        ("lambda_z",),
    ),
    Parameter(
        "LAMZSPN",
        "Lambda z Span",
        "span.ratio",
        ("LAMZHL",),
        lambda c, v: quiet_divide(c.fit.time_last - c.fit.time_first, v["LAMZHL"]),
        _LZ,
        ("lambda_z",),
    ),
    _auc_infinity("AUCIFO", "AUC Infinity Obs", "aucinf.obs", "CLST"),
    _auc_infinity("AUCIFP", "AUC Infinity Pred", "aucinf.pred", "CLSTP"),
    Parameter(
        "AUMCIFO",
        "AUMC Infinity Obs",
        "aumcinf.obs",
        ("AUMCLST", "LAMZ", "CLST", "TLST"),
        lambda c, v: (
            v["AUMCLST"]
            + quiet_divide(v["CLST"] * v["TLST"], v["LAMZ"])
            + quiet_divide(v["CLST"], v["LAMZ"] ** 2)
        ),
        _INF,
        ("no_data", "no_time0", "lambda_z"),
    ),
    Parameter(
        "AUCPEO",
        "AUC %Extrapolation Obs",
        "aucpext.obs",
        ("AUCLST", "AUCIFO"),
        lambda c, v: np.where(
            (v["AUCIFO"] > 0) & (v["AUCLST"] > 0),
            100.0 * (1.0 - quiet_divide(v["AUCLST"], v["AUCIFO"])),
            np.nan,
        ),
        _INF,
        ("no_data", "no_time0", "lambda_z", "auc_not_positive"),
    ),
    Parameter(
        "CLFO",
        "Total CL Obs by F",
        "cl.obs",
        ("AUCIFO",),
        _clearance,
        _INF,
        ("no_data", "no_time0", "lambda_z", "no_dose", "auc_not_positive"),
        EV,
        True,
    ),
    Parameter(
        "CLO",
        "Total CL Obs",
        "cl.obs",
        ("AUCIFO",),
        _clearance,
        _INF,
        ("no_data", "no_time0", "lambda_z", "no_dose", "auc_not_positive"),
        IV,
        True,
    ),
    Parameter(
        "MRTEVIFO",
        "MRT Extravasc Infinity Obs",
        "mrt.obs",
        ("AUCIFO", "AUMCIFO"),
        _mrt,
        _INF,
        ("no_data", "no_time0", "lambda_z", "auc_not_positive"),
        EV,
    ),
    Parameter(
        "MRTIVIFO",
        "MRT Intravasc Infinity Obs",
        "mrt.iv.obs",
        ("AUCIFO", "AUMCIFO"),
        _mrt,
        _INF,
        ("no_data", "no_time0", "lambda_z", "auc_not_positive"),
        IV,
    ),
    _volume("VZFO", "Vz Obs by F", "CLFO", EV),
    _volume("VZO", "Vz Obs", "CLO", IV),
)
for _p in _ALL:
    register(_p)

#: Codes computed by default, in report order (route-specific ones are skipped where they do not apply).
DEFAULT_CODES = tuple(p.code for p in _ALL)

PKNCA_NAMES = {p.code: p.pknca for p in _ALL}

#: For an IV bolus the AUCs integrate from (0, C0): PKNCA computes these as separate parameters.
#: (PKNCA has no back-extrapolated AUMC; AUMCLST/AUMCIFO and the MRT here include the C0 interval.)
PKNCA_IV_BOLUS_NAMES = {
    "AUCLST": "aucivlast",
    "AUCALL": "aucivall",
    "AUCIFO": "aucivinf.obs",
    "AUCIFP": "aucivinf.pred",
    "CLO": "cl.iv.obs",
    "VZO": "vz.iv.obs",
}


def pknca_name(code: str, route: str) -> str:
    """The PKNCA parameter that a code corresponds to for ``route``."""
    if route == "iv-bolus" and code in PKNCA_IV_BOLUS_NAMES:
        return PKNCA_IV_BOLUS_NAMES[code]
    return PKNCA_NAMES[code]


def resolve(codes: Iterable[str], route: str, with_dose: bool) -> list[Parameter]:
    """Requested parameters that apply to ``route`` (and to a dose, if any), plus their dependencies,
    in an order where each comes after what it depends on."""
    order: list[Parameter] = []
    seen: set[str] = set()

    def visit(code: str, stack: tuple[str, ...]) -> None:
        if code in seen:
            return
        if code in stack:
            raise ValueError(f"dependency cycle through {code}")
        p = PARAMETERS[code]
        for d in p.depends:
            visit(d, (*stack, code))
        seen.add(code)
        order.append(p)

    for code in codes:
        key = code.strip().upper()
        if key not in PARAMETERS:
            by_pknca = [p.code for p in PARAMETERS.values() if p.pknca == code.strip()]
            if not by_pknca:
                raise InputError(f"parameter {code!r} unknown; expected one of {', '.join(PARAMETERS)}")
            candidates = [PARAMETERS[c] for c in by_pknca]
        else:
            candidates = [PARAMETERS[key]]
        for p in candidates:
            if route in p.routes and (with_dose or not p.needs_dose):
                visit(p.code, ())
    return order
