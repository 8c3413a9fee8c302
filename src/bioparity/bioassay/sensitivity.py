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
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import optimize
from scipy import stats as sps

from bioparity.bioassay.results import SensitivityResult
from bioparity.errors import InputError
from bioparity.i18n.notes import note_template

#: The note of a run whose curve does not reach the cut point (templates: see bioparity.i18n.notes).
NOT_CROSSED = note_template("run {run}: cut point not crossed inside the tested range; run left out")
#: The note of a run that stays below the cut point at the highest concentration: no sensitivity reported.
NOT_DETECTED_AT_TOP = note_template(
    "run {run}: signal below the cut point even at the highest concentration {concentration:g}; the "
    "concentration detected in 95% of runs is not within the tested range, sensitivity not reported "
    "(remove the run only if it failed its documented acceptance criteria)"
)

SENSITIVITY_METHODS = ("linear", "4pl")


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


def sensitivity(frame: pd.DataFrame, cut_point: float, *, method: str = "linear") -> SensitivityResult:
    """Per-run concentration at ``cut_point`` and the 95%-detection sensitivity.

    ``frame`` has ``run``, ``concentration`` (> 0) and ``signal``; replicates are averaged.

    Parameters
    ----------
    frame : pandas.DataFrame
        Positive-control dilution curves, one row per well: ``run``, ``concentration`` (> 0, e.g.
        ng/mL) and ``signal``.
    cut_point : float
        Screening cut point (signal units).
    method : str, default "linear"
        ``linear`` (interpolation of the signal on log10 concentration between the bracketing
        dilutions) or ``4pl`` (four-parameter logistic fit per run, at least 5 concentrations).

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
        or fewer than 2 runs cross the cut point inside the tested range.

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
    need = {"run", "concentration", "signal"}
    if not need <= set(frame.columns):
        raise InputError(f"sensitivity data need columns {sorted(need)}; got {sorted(frame.columns)}")
    data = frame.assign(run=frame["run"].astype(str))
    if (data["concentration"].astype(float) <= 0).any():
        raise InputError("positive-control concentrations must be > 0")
    curves = data.groupby(["run", "concentration"], sort=True)["signal"].mean().reset_index()
    runs, concs, notes = [], [], []
    undetected = False
    for run, g in curves.groupby("run", sort=True):
        c = g["concentration"].to_numpy(float)
        s = g["signal"].to_numpy(float)
        value = _linear(c, s, cut_point) if method == "linear" else _fit_4pl(c, s, cut_point)
        runs.append(str(run))
        concs.append(value)
        if s[-1] < cut_point:
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
        cut_point=float(cut_point),
        method=method,
        mean=mean,
        sd=sd,
        sensitivity_95=math.nan if undetected else mean + t * sd,
        t_factor=t,
        n_runs=int(ok.size),
        notes=tuple(notes),
    )
