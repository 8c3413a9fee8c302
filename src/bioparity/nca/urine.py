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

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bioparity._results import ResultMixin, software_version, values_text
from bioparity.errors import DataFileError
from bioparity.nca.auc import cumulative_area
from bioparity.nca.frame import Where, constant_per_profile, parse_numbers, profile_codes
from bioparity.nca.lambda_z import lambda_z_best_fit
from bioparity.nca.options import NCAOptions
from bioparity.nca.profiles import FloatArray, first_true_index, last_true_index, pad_profiles, row_take

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


def _div(a: FloatArray, b: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(a / b, dtype=float)


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
    rate = _div(ae, end - start)
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
    aurcifo = aurclst + _div(erlst, fit.lambda_z)
    values: dict[str, FloatArray] = {
        "RCAMINT": total,
        "VOLPK": vol,
        "ERMAX": ermax,
        "ERTMAX": ertmax,
        "ERLST": erlst,
        "ERTLST": ertlst,
        "AURCLST": aurclst,
        "LAMZ": fit.lambda_z,
        "LAMZHL": _div(np.full(P, np.log(2.0)), fit.lambda_z),
        "R2ADJ": fit.adj_r_squared,
        "LAMZNPT": fit.n_points,
        "AURCIFO": aurcifo,
        "AURCPEO": 100.0 * (1.0 - _div(aurclst, aurcifo)),
    }
    if dose is not None:
        values["FE"] = _div(total, dose)
        values["RCPCINT"] = 100.0 * values["FE"]
    if plasma_auc is not None:
        values["RENALCL"] = np.where(plasma_auc > 0, _div(total, plasma_auc), np.nan)
    per_collection = {"ae": ae, "cum_ae": cum, "midpoint": mid, "rate": rate}
    return values, per_collection


@dataclass(frozen=True, repr=False)
class UrineResult(ResultMixin):
    """Urine NCA: ``values[p, k]`` is code ``codes[k]`` of profile ``p``; ``collections`` lists every
    collection with its amount, cumulative amount, midpoint and excretion rate."""

    SETTINGS = ("options",)

    profiles: pd.DataFrame
    codes: tuple[str, ...]
    values: FloatArray
    collections: pd.DataFrame
    options: NCAOptions
    software_version: str = field(default_factory=software_version)

    def value(self, code: str) -> FloatArray:
        return self.values[:, self.codes.index(code)]

    def _repr_fields(self) -> list[str]:
        return ["codes"]

    def __repr__(self) -> str:
        return f"UrineResult({len(self.profiles)} profiles, parameters {', '.join(self.codes)})"

    def to_frame(self) -> pd.DataFrame:
        """Long table: profile columns, start, end, PPTESTCD, PPSTRESN, reason."""
        P, K = self.values.shape
        rows = np.repeat(np.arange(P), K)
        cols = np.tile(np.arange(K), P)
        out = self.profiles.iloc[rows].reset_index(drop=True)
        first_last = self.collections.groupby("_profile").agg(start=("start", "min"), end=("end", "max"))
        first_last = first_last.reindex(range(P))
        out["start"] = first_last["start"].to_numpy()[rows]
        out["end"] = first_last["end"].to_numpy()[rows]
        out["PPTESTCD"] = np.asarray(self.codes, dtype=object)[cols]
        out["PPSTRESN"] = self.values.ravel()
        out["reason"] = np.where(np.isnan(out["PPSTRESN"]), "not computable (missing data or no fit)", "")
        return out

    def to_dict(self) -> dict[str, Any]:
        return self._table_record(options=self.options)

    def summary(self) -> str:
        return (
            f"Urine NCA of {len(self.profiles)} profile(s), {len(self.collections)} collections "
            f"({self.options.auc_method}): {values_text(np.asarray(self.codes))}"
        )


def urine_nca(
    frame: pd.DataFrame,
    *,
    subject: str = "subject",
    start: str = "start",
    end: str = "end",
    conc: str = "conc",
    volume: str = "volume",
    groups: Sequence[str] = (),
    dose: str | float | None = None,
    plasma_auc: str | None = None,
    options: NCAOptions | None = None,
    where: Where | None = None,
) -> UrineResult:
    """Urine NCA of every profile of a long table (one row per collection; times after the dose).

    ``dose`` (column or number) enables FE and RCPCINT; ``plasma_auc`` (a column, one value per profile:
    the plasma AUC over the collection period) enables RENALCL. Collections must have ``end > start`` and
    must not overlap within a profile; errors name the row.
    """
    w = where or Where()
    opts = options or NCAOptions(auc_method="linear")
    keys = [*groups, subject]
    need = [*keys, start, end, conc, volume] + [c for c in (dose, plasma_auc) if isinstance(c, str)]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise DataFileError(
            f"missing column(s) {', '.join(missing)}", file=w.file, expected=f"columns {', '.join(need)}"
        )
    frame = frame.reset_index(drop=True)
    s, _ = parse_numbers(frame[start], start, w, allow_missing=False)
    e, _ = parse_numbers(frame[end], end, w, allow_missing=False)
    c, _ = parse_numbers(frame[conc], conc, w, allow_missing=True, blq_tokens=True)
    v, _ = parse_numbers(frame[volume], volume, w, allow_missing=True)
    for bad, col, what in (
        (e <= s, end, "an end time after the start time"),
        (c < 0, conc, "a concentration >= 0"),
        (v < 0, volume, "a volume >= 0"),
    ):
        if bad.any():
            i = int(np.argmax(bad))
            raise w.error("invalid value", i, col, frame[col].iloc[i], what)
    codes, ids = profile_codes(frame, keys)
    order = np.lexsort((s, codes))
    sc, ss, ee = codes[order], s[order], e[order]
    overlap = np.concatenate(([False], (sc[1:] == sc[:-1]) & (ss[1:] < ee[:-1])))
    if overlap.any():
        i = int(order[np.argmax(overlap)])
        raise w.error(
            "collection overlaps the previous one",
            i,
            start,
            frame[start].iloc[i],
            "non-overlapping collections",
        )
    P = len(ids)
    _, (S, E, C, V) = pad_profiles(sc, ss, ee, c[order], v[order], n_profiles=P)
    dose_p = None
    if isinstance(dose, str):
        dd, _ = parse_numbers(frame[dose], dose, w, allow_missing=True)
        dose_p = constant_per_profile(dd, codes, P, dose, w, frame)
    elif dose is not None:
        dose_p = np.full(P, float(dose))
    auc_p = None
    if plasma_auc is not None:
        aa, _ = parse_numbers(frame[plasma_auc], plasma_auc, w, allow_missing=True)
        auc_p = constant_per_profile(aa, codes, P, plasma_auc, w, frame)
    values, per = urine_arrays(S, E, C, V, options=opts, dose=dose_p, plasma_auc=auc_p)
    out_codes = tuple(k for k in URINE_LABELS if k in values)
    present = ~np.isnan(S)
    prof_idx = np.nonzero(present)[0]
    coll = ids.iloc[prof_idx].reset_index(drop=True)
    coll["_profile"] = prof_idx
    coll["start"], coll["end"] = S[present], E[present]
    coll["conc"], coll["volume"] = C[present], V[present]
    for k in ("ae", "cum_ae", "midpoint", "rate"):
        coll[k] = per[k][present]
    return UrineResult(
        profiles=ids,
        codes=out_codes,
        values=np.column_stack([values[k] for k in out_codes]),
        collections=coll,
        options=opts,
    )
