"""Assay sensitivity from positive-control dilution curves.

Per run, the positive-control concentration whose signal equals the cut point is found either by
**linear interpolation** of the signal on ``log10(concentration)`` between the two dilutions that
bracket the cut point, or from a **4PL** fit ``s = d + (a - d) / (1 + (c / c50)^b)`` inverted at the
cut point, ``c = c50 ((a - d) / (CP - d) - 1)^(1 / b)`` (Findlay & Dillard 2007, AAPS J 9:E260). The
sensitivity reported is the concentration detected in 95% of runs,
``mean + t(0.95, n - 1) SD`` of the per-run concentrations (Shankar et al. 2008, J Pharm Biomed Anal
48:1267, section 3.3 and Appendix 2; FDA 2019 ADA guidance, section IV.C). Runs in which the cut point
is not crossed inside the tested range are listed in the notes and left out (never extrapolated), with
one exception: a run whose signal stays below the cut point even at the highest concentration tested did
not detect that concentration, so no concentration below it is "detected in 95% of runs"; the sensitivity
is then not reported (NaN, with a note) rather than computed from the other runs (which would claim a
sensitivity that the run contradicts). A run that failed its documented acceptance criteria is removed
from the data by the analyst, not by this function.

A **floating** screening cut point differs between runs (the run's negative control times the
normalisation factor, NC x exp(factor) on the log scale, or NC plus the factor when the result's stored
``normalization`` is ``additive``: Shankar et al. 2008, Appendix 1 section 5), so
each run's curve is read at its own cut point, given in a ``cut_point`` column (one per run). One cut
point for data that carry each run's negative control ``nc`` is refused rather than applied to every run
(it would read each curve at the wrong signal); signals already divided by their run's NC can use the
normalisation factor as the one cut point (FDA 2019 ADA guidance, sections IV.B-C).

Every concentration (per run, mean, SD, sensitivity) is in the unit of the input, carried as
``concentration_unit`` (ng/mL by default, the unit FDA 2019 states a sensitivity in).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as sps

from bioparity.bioassay.results import SensitivityResult
from bioparity.errors import InputError, require_columns
from bioparity.i18n.notes import note_template

#: The note of a run whose curve does not reach the cut point (templates: see bioparity.i18n.notes).
NOT_CROSSED = note_template("run {run}: cut point not crossed inside the tested range; run left out")
#: The note of a run that stays below the cut point at the highest concentration: no sensitivity reported.
NOT_DETECTED_AT_TOP = note_template(
    "run {run}: signal below the cut point even at the highest concentration {concentration:g}; the "
    "concentration detected in 95% of runs is not within the tested range, sensitivity not reported "
    "(remove the run only if it failed its documented acceptance criteria)"
)

#: A concentration unit with symbols bioparity does not know: carried as written (``bioparity.nca.units``).
UNKNOWN_CONC_UNIT = note_template(
    "concentration unit {unit} ({source}) is not one bioparity knows: carried as written"
)
#: Refusal of one cut point for runs that carry their own negative control (a floating cut point).
FLOATING_NEEDS_RUN_CUT_POINTS = note_template(
    "the data give each run's negative control 'nc' (a floating screening cut point) but one cut point was "
    "given for every run: give each run's own cut point (NC x normalisation factor, NC x exp(factor) on the "
    "log scale, NC + factor when additive) in a 'cut_point' column, or signals normalised by their run's NC "
    "(divided by it, or minus it when additive) with the normalisation factor as the cut point (FDA 2019, "
    "Immunogenicity Testing of Therapeutic Protein Products - Developing and Validating Assays for Anti-Drug "
    "Antibody Detection, sections IV.B-C; Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1-2)"
)
#: Refusal of a cut point given twice: as a number and as each run's column.
CUT_POINT_TWICE = note_template(
    "the data give each run's cut point in a 'cut_point' column and one cut point {cut_point:g} was given "
    "too: give one or the other"
)
NO_CUT_POINT = note_template(
    "no cut point: give the screening cut point, or each run's in a 'cut_point' column"
)
RUN_CUT_POINT_VARIES = note_template("run {run}: 'cut_point' differs between rows; one cut point per run")
#: The ``cut_point_type`` of a result: one cut point for every run, or each run's own (floating).
FIXED, FLOATING = "fixed", "floating (each run's own)"

SENSITIVITY_METHODS = ("linear", "4pl")


def checked_concentration_unit(text: str, source: str) -> tuple[str, str | None]:
    """A concentration unit as given (stripped) and the note when bioparity does not know its symbols.

    The rule of :func:`bioparity.nca.units.input_unit`: a mass, amount or activity per volume (``ng/mL``,
    ``nmol/L``, ``IU/mL``; FDA 2019 ADA guidance, section IV.C, states a sensitivity in ng/mL) is known; a
    known unit of another dimension (``h``) is refused naming ``source``; unknown symbols are carried as
    written with a note.

    Examples
    --------
    >>> checked_concentration_unit(" ng/mL ", "--conc-unit")
    ('ng/mL', None)
    >>> checked_concentration_unit("ng/mll", "--conc-unit")[1]
    "concentration unit 'ng/mll' (--conc-unit) is not one bioparity knows: carried as written"
    """
    from bioparity.nca.units import check_unit, input_unit

    unit = input_unit(text, "concentration")
    check_unit(unit.text, "concentration", source=source)
    return unit.text, None if unit.known else UNKNOWN_CONC_UNIT.format(unit=repr(unit.text), source=source)


def run_cut_points(data: pd.DataFrame, cut_point: float | None) -> tuple[dict[str, float], str]:
    """Each run's cut point and the type: ``cut_point`` for every run (fixed), or each run's own from the
    data's ``cut_point`` column (floating); refused when both or neither are given, or when the data carry
    each run's negative control ``nc`` but one cut point is given (module docstring). ``data`` has a
    ``run`` column (text); shared with :func:`bioparity.bioassay.drug_tolerance`."""
    runs = sorted(data["run"].unique())
    if "cut_point" in data.columns:
        if cut_point is not None:
            raise InputError(CUT_POINT_TWICE.format(cut_point=cut_point))
        own: dict[str, float] = {}
        for run, g in data.groupby("run", sort=True):
            values = g["cut_point"].astype(float).unique()
            if values.size != 1:
                raise InputError(RUN_CUT_POINT_VARIES.format(run=run))
            own[str(run)] = float(values[0])
        return own, FLOATING
    if cut_point is None:
        raise InputError(NO_CUT_POINT)
    if "nc" in data.columns:
        raise InputError(FLOATING_NEEDS_RUN_CUT_POINTS)
    return dict.fromkeys(map(str, runs), float(cut_point)), FIXED


def _four_pl(c: np.ndarray, a: float, b: float, c50: float, d: float) -> np.ndarray:
    return d + (a - d) / (1.0 + (c / c50) ** b)


def _linear(conc: np.ndarray, sig: np.ndarray, cp: float) -> float:
    """Lowest-concentration crossing of the cut point, interpolated on log10 concentration."""
    above = sig >= cp
    if above[0]:
        return math.nan  # detected already at the lowest concentration: below the tested range
    for i in range(len(conc) - 1):
        if not above[i] and above[i + 1]:
            x0, x1 = np.log10(conc[i]), np.log10(conc[i + 1])
            return float(10 ** (x0 + (cp - sig[i]) * (x1 - x0) / (sig[i + 1] - sig[i])))
    return math.nan


def _fit_4pl(conc: np.ndarray, sig: np.ndarray, cp: float) -> float:
    if conc.size < 5:
        raise InputError(f"a 4PL fit needs at least 5 concentrations per run; got {conc.size}")
    start = [float(sig.min()), 1.0, float(np.exp(np.mean(np.log(conc)))), float(sig.max())]
    try:
        params, _ = optimize.curve_fit(_four_pl, conc, sig, p0=start, maxfev=20000)
    except RuntimeError as exc:
        raise InputError(f"4PL fit did not converge: {exc}; try --method linear") from exc
    a, b, c50, d = (float(v) for v in params)
    ratio = (a - d) / (cp - d) - 1.0
    lo, hi = min(a, d), max(a, d)
    if not lo < cp < hi or ratio <= 0:
        return math.nan
    at = float(c50 * ratio ** (1.0 / b))
    return at if conc.min() <= at <= conc.max() else math.nan  # never extrapolated


def sensitivity(
    frame: pd.DataFrame,
    cut_point: float | None = None,
    *,
    method: str = "linear",
    concentration_unit: str = "ng/mL",
    unit_source: str = "concentration_unit",
) -> SensitivityResult:
    """Per-run concentration at the cut point and the 95%-detection sensitivity.

    ``frame`` has ``run``, ``concentration`` (> 0) and ``signal``; replicates are averaged.

    Parameters
    ----------
    frame : pandas.DataFrame
        Positive-control dilution curves, one row per well: ``run``, ``concentration`` (> 0, in
        ``concentration_unit``) and ``signal``; optionally ``cut_point`` (each run's own screening cut
        point, one per run: a floating cut point) or ``nc`` (each run's negative control).
    cut_point : float or None, default None
        Screening cut point (signal units) applied to every run (a fixed cut point, or the normalisation
        factor when the signals are divided by their run's negative control); None when ``frame`` has
        each run's ``cut_point``. A floating cut point differs between runs: each run's curve is read
        at its own (FDA 2019 ADA guidance, sections IV.B-C; Shankar et al. 2008, Appendix 1 section 5 and
        Appendix 2), so one number for every run is refused when ``frame`` gives the runs' ``nc``.
    method : str, default "linear"
        ``linear`` (interpolation of the signal on log10 concentration between the bracketing
        dilutions) or ``4pl`` (four-parameter logistic fit per run, at least 5 concentrations).
    concentration_unit : str, default "ng/mL"
        Unit of ``concentration`` (and so of the result), written beside every concentration; the unit
        of FDA 2019 ADA guidance, section IV.C. A known unit of another dimension is refused, unknown
        symbols are carried with a note (:func:`checked_concentration_unit`).
    unit_source : str, default "concentration_unit"
        Where the unit was given, as the refusal and the note name it (``--conc-unit``).

    Returns
    -------
    SensitivityResult
        Per-run concentrations at the cut point and the 95 %-detection sensitivity, in the
        concentration units of ``frame``; the sensitivity is NaN (with a note) when a run's signal
        stays below the cut point at the highest concentration tested.

    Raises
    ------
    InputError
        When the method is unknown, a column is missing, a concentration is <= 0, a 4PL fit fails,
        fewer than 2 runs cross the cut point inside the tested range, the cut point is given both as
        a number and per run (or neither), or the runs carry their own ``nc`` with one cut point.

    References
    ----------
    Shankar G. et al. (2008), J Pharm Biomed Anal 48:1267, section 3.3 and Appendix 2; Findlay J. W.
    A. and Dillard R. F. (2007), AAPS J 9:E260; FDA ADA guidance (2019), section IV.C.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"run": ["1"] * 4 + ["2"] * 4 + ["3"] * 4,
    ...                       "concentration": [10, 30, 100, 300] * 3,
    ...                       "signal": [40, 60, 120, 300, 38, 55, 110, 280, 42, 65, 130, 320]})
    >>> result = sensitivity(frame, cut_point=50)
    >>> result.concentration_at_cut_point.round(2).tolist(), round(result.sensitivity_95, 2)
    ([17.32, 21.72, 14.65], 28.31)
    """
    if method not in SENSITIVITY_METHODS:
        raise InputError(f"method must be one of {', '.join(SENSITIVITY_METHODS)}; got {method!r}")
    need = ["run", "concentration", "signal"]
    require_columns(frame.columns, need, file=None, context=" in the sensitivity data")
    data = frame.assign(run=frame["run"].astype(str))
    if (data["concentration"].astype(float) <= 0).any():
        raise InputError("positive-control concentrations must be > 0")
    unit, unit_note = checked_concentration_unit(concentration_unit, unit_source)
    own, kind = run_cut_points(data, cut_point)
    curves = data.groupby(["run", "concentration"], sort=True)["signal"].mean().reset_index()
    runs, concs, notes = [], [], [] if unit_note is None else [unit_note]
    undetected = False
    for run, g in curves.groupby("run", sort=True):
        c = g["concentration"].to_numpy(float)
        s = g["signal"].to_numpy(float)
        at = own[str(run)]
        value = _linear(c, s, at) if method == "linear" else _fit_4pl(c, s, at)
        runs.append(str(run))
        concs.append(value)
        if s[-1] < at:
            undetected = True
            notes.append(NOT_DETECTED_AT_TOP.format(run=run, concentration=c[-1]))
        elif math.isnan(value):
            notes.append(NOT_CROSSED.format(run=run))
    arr = np.asarray(concs, dtype=float)
    ok = arr[~np.isnan(arr)]
    if ok.size < 2:
        raise InputError("sensitivity needs at least 2 runs with the cut point crossed in the tested range")
    mean, sd = float(np.mean(ok)), float(np.std(ok, ddof=1))
    t = float(sps.t.ppf(0.95, ok.size - 1))
    return SensitivityResult(
        runs=np.asarray(runs, dtype=object),
        concentration_at_cut_point=arr,
        cut_point=float(cut_point) if cut_point is not None and kind == FIXED else math.nan,
        method=method,
        mean=mean,
        sd=sd,
        sensitivity_95=math.nan if undetected else mean + t * sd,
        t_factor=t,
        n_runs=int(ok.size),
        notes=tuple(notes),
        concentration_unit=unit,
        cut_point_type=kind,
        run_cut_points=np.asarray([own[r] for r in runs], dtype=float),
    )
