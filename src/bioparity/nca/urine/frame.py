"""Urine NCA of a long table (one row per collection): validation with row-level errors, then
:func:`bioparity.nca.urine.arrays.urine_arrays` on padded ``(profiles x collections)`` arrays."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bioparity._results import software_version, values_text
from bioparity.errors import require_columns
from bioparity.i18n.notes import note_template
from bioparity.nca.options import NCAOptions
from bioparity.nca.parameter_table import ParameterTable, ProfileFields
from bioparity.nca.profiles import pad_profiles
from bioparity.nca.samples import (
    Where,
    constant_per_profile,
    parse_numbers,
    profile_codes,
    reject_empty_identifiers,
)
from bioparity.nca.urine.arrays import URINE_LABELS, urine_arrays
from bioparity.problems import A_CONCENTRATION_NOT_NEGATIVE, INVALID_VALUE

#: The reason of a missing urine parameter.
NOT_COMPUTABLE = note_template("not computable (missing data or no fit)")
# A collection's problems (a DataFileError, shown in the reader's language).
AN_END_AFTER_START = note_template("an end time after the start time")
A_VOLUME_NOT_NEGATIVE = note_template("a volume >= 0")
OVERLAPS = note_template("collection overlaps the previous one")
NO_OVERLAP = note_template("non-overlapping collections")


@dataclass(frozen=True, repr=False)
class UrineResult(ParameterTable, ProfileFields):
    """Urine NCA: ``values[p, k]`` is code ``codes[k]`` of profile ``p``; ``collections`` lists every
    collection with its amount, cumulative amount, midpoint and excretion rate.

    Attributes
    ----------
    profiles : pandas.DataFrame
        ``P`` rows: the key columns of each profile.
    codes : tuple of str
        The ``K`` codes of ``values`` (CDISC PPTESTCD where one exists): RCAMINT, VOLPK, FE, RCPCINT,
        RENALCL, ERMAX, ERTMAX, ERLST, ERTLST, AURCLST, LAMZ, LAMZHL, R2ADJ, LAMZNPT, AURCIFO, AURCPEO
        (those needing a dose or a plasma AUC only when given).
    values : numpy.ndarray
        ``(P, K)`` values: amounts in concentration x volume units, rates per time unit, FE a fraction,
        RCPCINT and AURCPEO percent, RENALCL volume per time; NaN when not computable.
    collections : pandas.DataFrame
        One row per collection: profile keys, ``_profile`` (index), ``start``, ``end``, ``conc``,
        ``volume``, ``ae`` (amount excreted), ``cum_ae``, ``midpoint`` and ``rate`` (excretion rate).
    options : NCAOptions
        Settings used (AUC method of the rate curve, lambda_z rule).
    software_version : str
        bioparity version that computed the result.
    """

    SETTINGS = ("options",)

    collections: pd.DataFrame
    options: NCAOptions
    software_version: str = field(default_factory=software_version)

    def to_frame(self) -> pd.DataFrame:
        """Long table: profile columns, start, end, PPTESTCD, PPSTRESN, reason."""
        first_last = self.collections.groupby("_profile").agg(start=("start", "min"), end=("end", "max"))
        first_last = first_last.reindex(range(len(self.values)))
        out, _ = self._long_table(
            self.profiles, start=first_last["start"].to_numpy(), end=first_last["end"].to_numpy()
        )
        out["reason"] = np.where(np.isnan(out["PPSTRESN"]), NOT_COMPUTABLE, "")
        return out

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

    Parameters
    ----------
    frame : pandas.DataFrame
        The collections, one row per collection interval.
    subject : str, default "subject"
        Subject column.
    start, end : str, default "start", "end"
        Columns of the collection interval bounds, time after the dose (``end > start``).
    conc : str, default "conc"
        Concentration column of the collected urine (>= 0; BLQ markers read as 0).
    volume : str, default "volume"
        Collected volume column (>= 0); amount excreted = concentration x volume.
    groups : sequence of str, default ()
        Further profile keys (e.g. period, analyte).
    dose : str, float or None, default None
        Dose column (constant per profile) or one dose for all, in the amount unit of
        concentration x volume; enables FE and RCPCINT.
    plasma_auc : str or None, default None
        Column of the plasma AUC over the collection period (one value per profile); enables RENALCL.
    options : NCAOptions or None, default None
        Settings; None uses ``NCAOptions(auc_method="linear")`` (Phoenix's rule for the rate curve).
    where : Where or None, default None
        File of the table, for error messages.

    Returns
    -------
    UrineResult
        The urine parameters per profile and the quantities of each collection.

    Raises
    ------
    bioparity.errors.DataFileError
        When a column is missing, a cell is not a number, ``end <= start``, a concentration or volume
        is negative, collections overlap, or a dose changes within a profile (row and column named).

    References
    ----------
    Gabrielsson J, Weiner D. Pharmacokinetic and Pharmacodynamic Data Analysis, 5th ed. 2016,
    chapter 2 (urinary excretion rate and renal clearance). Rowland M, Tozer TN. Clinical
    Pharmacokinetics and Pharmacodynamics, 4th ed. 2011, chapter 5 (renal excretion).
    PKNCA ``pk.calc.ae``, ``pk.calc.clr``, ``pk.calc.fe`` (Denney et al. 2015).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"subject": 1, "start": [0.0, 4.0, 12.0], "end": [4.0, 12.0, 24.0],
    ...                       "conc": [20.0, 10.0, 2.0], "volume": [0.5, 0.8, 1.0]})
    >>> res = urine_nca(frame, dose=50.0)
    >>> float(res.value("RCAMINT")[0]), round(float(res.value("FE")[0]), 2)  # 10 + 8 + 2
    (20.0, 0.4)
    """
    w = where or Where()
    opts = options or NCAOptions(auc_method="linear")
    keys = [*groups, subject]
    need = [*keys, start, end, conc, volume] + [c for c in (dose, plasma_auc) if isinstance(c, str)]
    require_columns(frame.columns, need, file=w.file)
    frame = frame.reset_index(drop=True)
    reject_empty_identifiers(frame, keys, w)
    s, _ = parse_numbers(frame[start], start, w, allow_missing=False)
    e, _ = parse_numbers(frame[end], end, w, allow_missing=False)
    c, _ = parse_numbers(frame[conc], conc, w, allow_missing=True, blq_tokens=True)
    v, _ = parse_numbers(frame[volume], volume, w, allow_missing=True)
    for bad, col, what in (
        (e <= s, end, AN_END_AFTER_START),
        (c < 0, conc, A_CONCENTRATION_NOT_NEGATIVE),
        (v < 0, volume, A_VOLUME_NOT_NEGATIVE),
    ):
        w.reject(bad, INVALID_VALUE, col, frame[col], what)
    codes, ids = profile_codes(frame, keys)
    order = np.lexsort((s, codes))
    sc, ss, ee = codes[order], s[order], e[order]
    overlap = np.concatenate(([False], (sc[1:] == sc[:-1]) & (ss[1:] < ee[:-1])))
    w.reject(
        overlap,
        OVERLAPS,
        start,
        frame[start],
        NO_OVERLAP,
        rows=order,
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
