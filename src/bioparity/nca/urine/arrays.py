"""Urine (or other excreta) NCA: amounts excreted per collection interval and excretion-rate parameters.

Each collection ``[start, end)`` of a profile has a concentration and a volume; all profiles at once on
padded ``(profiles x collections)`` arrays (collections sorted, not overlapping). Phoenix WinNonlin's
urine model and PKNCA define (CDISC PPTESTCD codes where one exists):

* amount per interval ``Ae_i = C_i V_i``; cumulative ``Ae``; ``RCAMINT`` (amount recovered) = total Ae;
  ``VOLPK`` = total volume; ``FE = Ae / dose`` and ``RCPCINT = 100 Ae / dose`` (percent recovered);
  ``RENALCL = Ae / AUC`` with the plasma AUC over the same period, when given;
* excretion rate ``Ae_i / (end_i - start_i)`` at the midpoint ``(start_i + end_i) / 2``; ``ERMAX`` and
  its midpoint ``ERTMAX`` (first when tied), the last positive rate ``ERLST`` and its midpoint ``ERTLST``;
* ``AURCLST``: area under the rate-midpoint curve from the dose (rate 0 at time 0) to ``ERTLST`` by the
  AUC method of the options (Phoenix: linear); lambda_z of the rates (the options' best-fit rule over the
  midpoints after ``ERTMAX``), its half-life, ``AURCIFO = AURCLST + ERLST / lambda_z`` and ``AURCPEO``.
"""

from __future__ import annotations

import numpy as np

from bioparity.nca.auc import cumulative_area
from bioparity.nca.lambda_z import lambda_z_best_fit
from bioparity.nca.options import NCAOptions
from bioparity.nca.profiles import FloatArray, first_true_index, last_true_index, quiet_divide, row_take

URINE_LABELS = {
    "RCAMINT": "Amount Recovered",
    "VOLPK": "Sum of Urine Vol",
    "FE": "Fraction Excreted",
    "RCPCINT": "Percent Recovered",
    "RENALCL": "Renal CL",
    "ERMAX": "Max Excretion Rate",
    "ERTMAX": "Midpoint of Interval of Max Excretion Rate",
    "ERLST": "Last Meas Excretion Rate",
    "ERTLST": "Midpoint of Interval of Last Nonzero Excretion Rate",
    "AURCLST": "AURC to Last Nonzero Rate",
    "LAMZ": "Lambda z",
    "LAMZHL": "Half-Life Lambda z",
    "R2ADJ": "R Squared Adjusted",
    "LAMZNPT": "Number of Points for Lambda z",
    "AURCIFO": "AURC Infinity Obs",
    "AURCPEO": "AURC % Extrapolation Obs",
}


def urine_arrays(
    start: FloatArray,
    end: FloatArray,
    conc: FloatArray,
    volume: FloatArray,
    *,
    options: NCAOptions,
    dose: FloatArray | None = None,
    plasma_auc: FloatArray | None = None,
) -> tuple[dict[str, FloatArray], dict[str, FloatArray]]:
    """Per-profile parameters and per-collection quantities (``ae``, ``cum_ae``, ``midpoint``, ``rate``).

    Rows are profiles, columns collections (NaN padded at the end); a missing concentration or volume
    makes the totals missing (never silently dropped).
    """
    P = start.shape[0]
    present = ~np.isnan(start)
    ae = conc * volume
    incomplete = (present & np.isnan(ae)).any(axis=1)
    total = np.where(incomplete, np.nan, np.where(present, ae, 0.0).sum(axis=1))
    vol = np.where(
        (present & np.isnan(volume)).any(axis=1), np.nan, np.where(present, volume, 0.0).sum(axis=1)
    )
    cum = np.where(present, np.cumsum(np.where(present, np.nan_to_num(ae), 0.0), axis=1), np.nan)
    cum = np.where(np.isnan(ae) | (np.cumsum(np.isnan(ae) & present, axis=1) > 0), np.nan, cum)
    mid = (start + end) / 2.0
    rate = quiet_divide(ae, end - start)
    ok_rate = present & ~np.isnan(rate)
    ermax = np.where(ok_rate.any(axis=1), np.where(ok_rate, rate, -np.inf).max(axis=1), np.nan)
    at_max = ok_rate & (rate == ermax[:, None])
    ertmax = row_take(mid, first_true_index(at_max))
    i_last = last_true_index(ok_rate & (rate > 0))
    erlst = row_take(rate, i_last)
    ertlst = row_take(mid, i_last)
    # rate curve from the dose: (0, 0), then (midpoint, rate); zero after the last positive rate
    t_curve = np.concatenate((np.zeros((P, 1)), np.where(ok_rate, mid, np.nan)), axis=1)
    r_curve = np.concatenate((np.zeros((P, 1)), np.where(ok_rate, rate, np.nan)), axis=1)
    area = cumulative_area(t_curve, r_curve, np.where(i_last >= 0, i_last + 1, -1), options.auc_method)
    aurclst = np.where(i_last >= 0, row_take(area.cum_auc, i_last + 1), np.nan)
    fit = lambda_z_best_fit(
        np.where(ok_rate, mid, np.nan),
        np.where(ok_rate, rate, np.nan),
        ertmax,
        min_points=options.min_points,
        adj_r2_factor=options.adj_r2_factor,
        allow_tmax=options.allow_tmax_in_lambda_z,
        max_points=options.lambda_z_max_points,
        start_after=options.lambda_z_start_after,
    )
    aurcifo = aurclst + quiet_divide(erlst, fit.lambda_z)
    values: dict[str, FloatArray] = {
        "RCAMINT": total,
        "VOLPK": vol,
        "ERMAX": ermax,
        "ERTMAX": ertmax,
        "ERLST": erlst,
        "ERTLST": ertlst,
        "AURCLST": aurclst,
        "LAMZ": fit.lambda_z,
        "LAMZHL": quiet_divide(np.full(P, np.log(2.0)), fit.lambda_z),
        "R2ADJ": fit.adj_r_squared,
        "LAMZNPT": fit.n_points,
        "AURCIFO": aurcifo,
        "AURCPEO": 100.0 * (1.0 - quiet_divide(aurclst, aurcifo)),
    }
    if dose is not None:
        values["FE"] = quiet_divide(total, dose)
        values["RCPCINT"] = 100.0 * values["FE"]
    if plasma_auc is not None:
        values["RENALCL"] = np.where(plasma_auc > 0, quiet_divide(total, plasma_auc), np.nan)
    per_collection = {"ae": ae, "cum_ae": cum, "midpoint": mid, "rate": rate}
    return values, per_collection
