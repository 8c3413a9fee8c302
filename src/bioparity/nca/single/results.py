"""The result of a noncompartmental analysis: one value per profile and parameter, with review flags."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from bioparity._results import ResultMixin, software_version, values_text
from bioparity.i18n.notes import note_template
from bioparity.nca.options import NCAOptions
from bioparity.nca.profiles import BoolArray, FloatArray

#: Profiles per block when a result is streamed (:meth:`NCAResult.iter_frames`): a memory trade-off only.
STREAM_BLOCK_PROFILES = 20_000
#: The reason of a value from lambda_z points selected by hand (the reviewer's note after the prefix).
SELECTED_BY_USER = note_template("lambda_z points selected by user: {note}")
#: The lambda_z method of a profile whose points were selected by hand.
POINTS_SELECTED = note_template("points selected by user")
#: The lambda_z method of a profile with points excluded by hand (the reviewer's notes, ``"; "``-joined).
EXCLUDED_BY_USER = note_template("{method}; excluded by user: {notes}")


@dataclass(frozen=True, repr=False)
class NCAResult(ResultMixin):
    """Parameters of ``P`` profiles: ``values[p, k]`` is parameter ``codes[k]`` of profile ``p``.

    ``starts``/``ends`` give each column's interval (0 and inf for whole-profile parameters, the
    requested bounds for partial AUCs, code ``AUCINT``). ``flags[name]`` is true for the profiles a
    review flag concerns and ``flag_applies[name][k]`` says whether it concerns parameter ``k``;
    ``reason[p, k]`` indexes ``reason_text`` and says why a value is missing ('' = not missing).
    ``profiles`` holds the identifying columns of each profile (subject and grouping columns).

    Attributes
    ----------
    codes : tuple of str
        CDISC PPTESTCD of each column of ``values`` (``K`` columns; ``AUCINT`` once per partial interval).
    pknca_names : tuple of str
        The PKNCA name of each column (e.g. ``"auclast"``, ``"aucint.last"``), for cross-checks with PKNCA.
    starts, ends : numpy.ndarray
        ``(K,)`` interval of each column in the time unit of the data: 0 and inf for whole-profile
        parameters, the requested bounds for partial AUCs.
    values : numpy.ndarray
        ``(P, K)`` parameter values in the units of the data (concentration, time, dose; see
        :func:`~bioparity.nca.units.add_units`); NaN when missing.
    flags : dict of str to numpy.ndarray
        Review flag name (``lambda_z_few_points``, ``r2adj_low``, ``aucpeo_high``, ...) to a ``(P,)``
        boolean array: the profiles the flag concerns.
    flag_applies : dict of str to numpy.ndarray
        Review flag name to a ``(K,)`` boolean array: the parameters the flag concerns.
    reason : numpy.ndarray
        ``(P, K)`` int8 index into ``reason_text`` (0: the value is present).
    reason_text : tuple of str
        Why a value is missing, in words (index 0 is ``""``).
    profiles : pandas.DataFrame
        ``P`` rows: the identifying columns of each profile (subject and grouping columns, or ``profile``
        numbers when called on arrays).
    options : NCAOptions
        The settings the analysis used.
    n_blq_dropped, n_missing_dropped : numpy.ndarray
        ``(P,)`` counts of BLQ samples dropped by the BLQ rule and of missing concentrations dropped.
    n_blq_kept : numpy.ndarray
        ``(P,)`` counts of BLQ (or 0) samples the BLQ rule keeps, as 0 or as the number it sets (empty
        when not counted).
    lambda_z_note : tuple of str
        Per profile, the reason given for lambda_z points selected by hand (empty: automatic).
    lambda_z_method : str
        The lambda_z selection rule in words (:meth:`NCAOptions.lambda_z_method`).
    lambda_z_exclude_note : tuple of str
        Per profile, the reason given for samples excluded from the lambda_z fit.
    conc_unit : str
        Concentration unit of the analysis when a unit column was converted (``""`` otherwise).
    software_version : str
        bioparity version that computed the result.

    References
    ----------
    Denney W, Duvvuri S, Buckeridge C. Simple, automatic noncompartmental analysis: the PKNCA R package.
    J Pharmacokinet Pharmacodyn 2015;42(S1):S65 (parameter names and definitions). CDISC SDTM
    Implementation Guide v3.4, Pharmacokinetics Parameters (PP) domain (PPTESTCD, PPSTRESN).
    """

    SETTINGS = ("options",)

    codes: tuple[str, ...]
    pknca_names: tuple[str, ...]
    starts: FloatArray
    ends: FloatArray
    values: FloatArray
    flags: dict[str, BoolArray]
    flag_applies: dict[str, BoolArray]
    reason: npt.NDArray[np.int8]
    reason_text: tuple[str, ...]
    profiles: pd.DataFrame
    options: NCAOptions
    n_blq_dropped: npt.NDArray[np.int64]
    n_missing_dropped: npt.NDArray[np.int64]
    lambda_z_note: tuple[str, ...] = ()
    lambda_z_method: str = ""
    lambda_z_exclude_note: tuple[str, ...] = ()
    conc_unit: str = ""  # the concentration unit of the analysis when a unit column was converted
    n_blq_kept: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    software_version: str = field(default_factory=software_version)

    @property
    def n_profiles(self) -> int:
        return int(self.values.shape[0])

    def value(self, code: str) -> FloatArray:
        """All profiles' values of one parameter (the first column with that code)."""
        return self.values[:, self.codes.index(code)]

    def with_codes(self, codes: Collection[str]) -> NCAResult:
        """The result with only the parameters ``codes`` (in this result's order): its long table is the
        rows of :meth:`to_frame` with those codes, built without the others' rows."""
        keep = np.flatnonzero(np.isin(np.asarray(self.codes, dtype=object), list(codes)))
        return replace(
            self,
            codes=tuple(self.codes[k] for k in keep),
            pknca_names=tuple(self.pknca_names[k] for k in keep),
            starts=self.starts[keep],
            ends=self.ends[keep],
            values=self.values[:, keep],
            flag_applies={name: applies[keep] for name, applies in self.flag_applies.items()},
            reason=self.reason[:, keep],
        )

    def value_flags(self, name: str) -> BoolArray:
        """``(P, K)`` flag ``name`` of each value."""
        return self.flags[name][:, None] & self.flag_applies[name][None, :]

    def to_dict(self) -> dict[str, Any]:
        """Settings and the long table as plain Python values (records), strict JSON."""
        dropped = {
            "n_blq_dropped": int(self.n_blq_dropped.sum()),
            "n_missing_dropped": int(self.n_missing_dropped.sum()),
        }
        return self._table_record(options=self.options, **dropped)

    def summary(self) -> str:
        flagged = np.zeros(self.n_profiles, dtype=bool)
        for on in self.flags.values():
            flagged |= on
        return (
            f"NCA of {self.n_profiles} profiles ({self.options.auc_method}, {self.options.route}): "
            f"{len(self.codes)} parameters ({values_text(np.asarray(self.codes))})\n"
            f"{int(np.isnan(self.values).sum())} of {self.values.size} values missing; review flags on "
            f"{int(flagged.sum())} profiles; {int(self.n_blq_dropped.sum())} BLQ and "
            f"{int(self.n_missing_dropped.sum())} missing samples dropped"
        )

    def _repr_fields(self) -> list[str]:
        return ["codes"]

    def __repr__(self) -> str:
        return f"NCAResult({self.n_profiles} profiles, parameters {', '.join(dict.fromkeys(self.codes))})"

    def to_frame(self) -> pd.DataFrame:
        """Long table: profile columns, start, end, PPTESTCD, PPSTRESN, flag_* columns, reason and
        lambda_z_method (the rule that chose the lambda_z points, on the values that depend on lambda_z).

        One row per profile and parameter, profiles in order.
        """
        return self._long(0, self.n_profiles, categorical=False)

    def iter_frames(self, block_profiles: int | None = None) -> Iterator[pd.DataFrame]:
        """:meth:`to_frame` in consecutive blocks of ``block_profiles`` profiles (default
        :data:`STREAM_BLOCK_PROFILES`; at least one block).

        Concatenated, the blocks hold the same rows and cell values as :meth:`to_frame`; the repeated text
        columns (text profile columns such as the subject, PPTESTCD, reason, lambda_z_method) are
        categoricals instead of strings repeated on every row (the categories of a profile column are the
        block's own values), so that a writer can stream a large result without building the whole long
        table and handles each distinct text once.
        """
        block_profiles = STREAM_BLOCK_PROFILES if block_profiles is None else block_profiles
        if block_profiles < 1:
            raise ValueError("block_profiles must be >= 1")
        P = self.n_profiles
        for lo in range(0, max(P, 1), block_profiles):
            yield self._long(lo, min(lo + block_profiles, P), categorical=True)

    def _long(self, lo: int, hi: int, *, categorical: bool) -> pd.DataFrame:
        """Rows of profiles ``lo:hi`` of the long table (see :meth:`to_frame`)."""
        K = self.values.shape[1]
        n = hi - lo
        local = np.repeat(np.arange(n), K)
        rows = local + lo
        cols = np.tile(np.arange(K), n)
        out = self._profile_rows(lo, hi, local) if categorical else self.profiles.iloc[rows]
        out = out.reset_index(drop=True)
        out["start"] = self.starts[cols]
        out["end"] = self.ends[cols]
        if categorical:
            names = list(dict.fromkeys(self.codes))  # AUCINT may repeat: one category per distinct code
            column_code = np.asarray([names.index(c) for c in self.codes], dtype=np.int64)
            out["PPTESTCD"] = pd.Categorical.from_codes(column_code[cols], categories=pd.Index(names))
        else:
            out["PPTESTCD"] = np.asarray(self.codes, dtype=object)[cols]
        out["PPSTRESN"] = self.values[lo:hi].ravel()
        for name in self.flags:
            flag = self.flags[name][lo:hi, None] & self.flag_applies[name][None, :]
            out[f"flag_{name}"] = flag.ravel()
        reason_codes = self.reason[lo:hi].ravel()
        if categorical and not self.lambda_z_note and len(set(self.reason_text)) == len(self.reason_text):
            out["reason"] = pd.Categorical.from_codes(reason_codes, categories=pd.Index(self.reason_text))
        else:
            out["reason"] = np.asarray(self.reason_text, dtype=object)[reason_codes]
        manual = self.flags["lambda_z_manual"]
        if self.lambda_z_note:
            note = np.asarray(self.lambda_z_note, dtype=object)[rows]
            lz = self.flag_applies["lambda_z_manual"][cols] & manual[rows]
            out["reason"] = np.where(
                lz & (out["reason"] == ""),
                SELECTED_BY_USER.format(note="") + note.astype(str),
                out["reason"],
            )
        lz_rows = self.flag_applies["lambda_z_manual"][cols]
        if categorical and not self.lambda_z_exclude_note and not manual[lo:hi].any():
            labels = ["", self.lambda_z_method] if self.lambda_z_method else [""]
            method_codes = np.where(lz_rows, len(labels) - 1, 0)
            out["lambda_z_method"] = pd.Categorical.from_codes(method_codes, categories=pd.Index(labels))
            return out
        method = np.where(manual[rows], POINTS_SELECTED, self.lambda_z_method).astype(object)
        if self.lambda_z_exclude_note:
            excl = np.asarray(self.lambda_z_exclude_note, dtype=object)[rows]
            excluded = EXCLUDED_BY_USER.format(method="", notes="")
            method = np.where(excl != "", method + excluded + excl.astype(str), method)
        out["lambda_z_method"] = np.where(lz_rows, method, "")
        return out

    def _profile_rows(self, lo: int, hi: int, local: npt.NDArray[np.int64]) -> pd.DataFrame:
        """The profile columns of profiles ``lo:hi`` on rows ``local``: text columns as categoricals of the
        block's values (missing -> code -1), others taken as they are."""
        block = self.profiles.iloc[lo:hi]
        columns: dict[Any, Any] = {}
        for i, name in enumerate(block.columns):
            column = block.iloc[:, i]
            if isinstance(column.dtype, pd.StringDtype) or (
                column.dtype == object and pd.api.types.infer_dtype(column, skipna=True) == "string"
            ):
                codes, values = pd.factorize(column)
                columns[name] = pd.Categorical.from_codes(codes[local], categories=values)
            else:
                columns[name] = column.iloc[local].reset_index(drop=True)
        return pd.DataFrame(columns, columns=block.columns)

    def to_wide(self) -> pd.DataFrame:
        """One row per profile, one column per parameter code (AUCINT columns suffixed with the interval)."""
        names = [
            c if c != "AUCINT" else f"AUCINT_{s:g}_{e:g}"
            for c, s, e in zip(self.codes, self.starts, self.ends, strict=True)
        ]
        wide = pd.DataFrame(self.values, columns=names)
        return pd.concat([self.profiles.reset_index(drop=True), wide], axis=1)
