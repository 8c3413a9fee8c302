"""Sparse NCA of a long table (one row per sample): one mean-profile AUC per group, with its standard error.

The table edge of :mod:`bioparity.nca.sparse.auc`: validates the columns (rows named in errors), builds the
``times x subjects`` matrix of each group and collects the results in one :class:`SparseResult`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bioparity._results import software_version, values_text
from bioparity.errors import require_columns
from bioparity.i18n.notes import note_template
from bioparity.nca.parameter_table import ParameterTable
from bioparity.nca.profiles import FloatArray
from bioparity.nca.samples import Where, parse_numbers, reject_empty_identifiers, text_cells
from bioparity.nca.sparse.auc import mean_profile, sparse_auc
from bioparity.problems import A_CONCENTRATION_NOT_NEGATIVE, NEGATIVE_CONCENTRATION

#: The reason of a missing SPARSEAD (batch design: several samples per subject).
NO_SATTERTHWAITE_DF = note_template("several samples per subject: Satterthwaite df not available")
#: The reason of another missing sparse parameter.
NOT_COMPUTABLE = note_template("not computable")
#: Two samples of one subject at one time (a DataFileError, shown in the reader's language).
TWO_SAMPLES_AT_ONCE = note_template("two samples of one subject at one time")
ONE_SAMPLE_PER_SUBJECT_AND_TIME = note_template("one sample per subject and time")

SPARSE_LABELS = {
    "SPARSEAL": "Sparse AUClast",
    "SPARSEAS": "Sparse AUClast standard error",
    "SPARSEAD": "Sparse AUClast degrees of freedom",
    "SPARSECL": "Sparse AUClast lower confidence limit",
    "SPARSECU": "Sparse AUClast upper confidence limit",
    "SPARSEBS": "Sparse AUClast bootstrap standard error",
    "SPARSEBL": "Sparse AUClast bootstrap lower limit",
    "SPARSEBU": "Sparse AUClast bootstrap upper limit",
}


@dataclass(frozen=True, repr=False)
class SparseResult(ParameterTable):
    """Sparse NCA of every group: AUC of the mean profile (code SPARSEAL), SE (SPARSEAS), df (SPARSEAD),
    confidence limits (SPARSECL, SPARSECU) and, with a bootstrap, its SE (SPARSEBS) and limits
    (SPARSEBL, SPARSEBU) at the two-sided ``conf_level``; ``mean_profile`` lists time, n, mean and SD per
    group.

    Attributes
    ----------
    groups : pandas.DataFrame
        ``G`` rows: the grouping columns of each group (no columns when ungrouped).
    values : numpy.ndarray
        ``(G, K)`` values: AUC and its limits in concentration x time units, SE likewise, df a count;
        NaN when not computable.
    codes : tuple of str
        The ``K`` codes of ``values``: SPARSEAL, SPARSEAS, SPARSEAD, SPARSECL, SPARSECU, and with a
        bootstrap SPARSEBS, SPARSEBL, SPARSEBU.
    design : tuple of str
        Per group, ``"serial"`` (one sample per subject) or ``"batch"`` (several per subject).
    ci_method : tuple of str
        Per group, how the interval was formed (t with Satterthwaite df, or normal for batch designs).
    mean_profile : pandas.DataFrame
        Columns ``_group`` (group index), ``time``, ``n`` (subjects sampled), ``mean`` (after the BLQ
        rule) and ``sd``.
    blq_mean : {"pknca", "arithmetic"}
        Rule for the mean at a time with BLQ samples (see :func:`sparse_nca`).
    n_boot : int
        Bootstrap resamples (0: none).
    seed : int or None
        Seed of the bootstrap.
    conf_level : float, default 0.95
        Two-sided confidence level of the limits.
    software_version : str
        bioparity version that computed the result.
    """

    SETTINGS = ("blq_mean", "n_boot", "seed", "conf_level")
    ROWS = "groups"

    groups: pd.DataFrame
    values: FloatArray
    codes: tuple[str, ...]
    design: tuple[str, ...]
    ci_method: tuple[str, ...]
    mean_profile: pd.DataFrame
    blq_mean: str
    n_boot: int
    seed: int | None
    conf_level: float = 0.95
    software_version: str = field(default_factory=software_version)

    def to_frame(self) -> pd.DataFrame:
        """Long table: group columns, start, end, PPTESTCD, PPSTRESN, reason, method."""
        times = self.mean_profile.groupby("_group")["time"]
        first_last = times.agg(["min", "max"]).reindex(range(len(self.values)))
        out, rows = self._long_table(
            self.groups, start=first_last["min"].to_numpy(), end=first_last["max"].to_numpy()
        )
        design = np.asarray(self.design, dtype=object)[rows]
        code = out["PPTESTCD"].to_numpy()
        out["reason"] = np.where(
            (code == "SPARSEAD") & (design == "batch"),
            NO_SATTERTHWAITE_DF,
            np.where(np.isnan(out["PPSTRESN"]), NOT_COMPUTABLE, ""),
        )
        out["method"] = (
            "Bailer / Nedelman-Jia (Holder covariance), "
            + design
            + " design; CI: "
            + np.asarray(self.ci_method, dtype=object)[rows]
        )
        return out

    def summary(self) -> str:
        boot = f"; bootstrap of {self.n_boot} resamples (seed {self.seed})" if self.n_boot else ""
        return (
            f"Sparse NCA (Bailer / Nedelman-Jia) of {len(self.groups)} group(s), "
            f"{100 * self.conf_level:g}% CI: {values_text(np.asarray(self.codes))}\n"
            f"SPARSEAL (AUC of the mean profile) {values_text(self.value('SPARSEAL'))}; BLQ mean rule "
            f"{self.blq_mean}{boot}"
        )


def sparse_nca(
    frame: pd.DataFrame,
    *,
    subject: str = "subject",
    time: str = "time",
    conc: str = "conc",
    groups: Sequence[str] = (),
    blq_mean: str = "pknca",
    conf_level: float = 0.95,
    n_boot: int = 0,
    seed: int | None = None,
    where: Where | None = None,
) -> SparseResult:
    """Sparse NCA of each group of a long table (one row per sample; BLQ markers read as 0).

    Each group's samples form a ``times x subjects`` matrix (a subject is sampled at some times only);
    the AUC of the mean profile up to the last time with a positive mean is computed with linear
    trapezoids, its standard error with the Nedelman-Jia variance (Holder's covariance for subjects
    sampled more than once).

    Parameters
    ----------
    frame : pandas.DataFrame
        The samples, one row per subject and time.
    subject : str, default "subject"
        Subject (animal) column.
    time : str, default "time"
        Nominal time column (time unit of the data); subjects sampled at the same nominal times share a
        schedule.
    conc : str, default "conc"
        Concentration column (>= 0, blank for missing, BLQ markers read as 0).
    groups : sequence of str, default ()
        Columns defining the groups analysed separately (e.g. dose group, sex, analyte).
    blq_mean : {"pknca", "arithmetic"}, default "pknca"
        ``"pknca"`` sets the mean at a time to 0 when more than half of its samples are BLQ (PKNCA's
        rule); ``"arithmetic"`` averages with BLQ as 0.
    conf_level : float, default 0.95
        Two-sided confidence level: t quantile with Satterthwaite df (serial design), normal quantile
        (batch design).
    n_boot : int, default 0
        Bootstrap resamples (subjects resampled within their sampling schedule); 0 for none.
    seed : int or None, default None
        Seed of the bootstrap (set it for a reproducible interval).
    where : Where or None, default None
        File of the table, for error messages.

    Returns
    -------
    SparseResult
        One row of codes per group, with the mean profile.

    Raises
    ------
    bioparity.errors.DataFileError
        When a column is missing, a time or concentration is not a number, a concentration is negative
        or a subject has two samples at one time (row and column named).
    bioparity.errors.InputError
        When ``blq_mean`` is unknown.

    References
    ----------
    Bailer AJ. Testing for the equality of area under the curves when using destructive measurement
    techniques. J Pharmacokinet Biopharm 1988;16(3):303-309. Nedelman JR, Gibiansky E, Lau DTW.
    Applying Bailer's method for AUC confidence intervals to sparse sampling. Pharm Res
    1995;12(1):124-128. Nedelman JR, Jia X. An extension of Satterthwaite's approximation applied to
    pharmacokinetics. J Biopharm Stat 1998;8(2):317-328. Holder DJ. Comments on Nedelman and Jia's
    extension of Satterthwaite's approximation applied to pharmacokinetics. J Biopharm Stat
    2001;11(1-2):75-79.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"subject": list("abcdef"), "time": [0, 0, 1, 1, 2, 2],
    ...                       "conc": [0.0, 0.0, 8.0, 12.0, 4.0, 6.0]})
    >>> res = sparse_nca(frame)
    >>> round(float(res.value("SPARSEAL")[0]), 4), round(float(res.value("SPARSEAS")[0]), 4)
    (12.5, 2.0616)
    """
    w = where or Where()
    need = [*groups, subject, time, conc]
    require_columns(frame.columns, need, file=w.file)
    frame = frame.reset_index(drop=True)
    reject_empty_identifiers(frame, [*groups, subject], w)
    t, _ = parse_numbers(frame[time], time, w, allow_missing=False)
    c, _ = parse_numbers(frame[conc], conc, w, allow_missing=True, blq_tokens=True)
    w.reject(c < 0, NEGATIVE_CONCENTRATION, conc, frame[conc], A_CONCENTRATION_NOT_NEGATIVE)
    subj = text_cells(frame[subject])
    keyed = (
        frame[list(groups)].astype("string").assign(_s=subj, _t=t)
        if groups
        else pd.DataFrame({"_s": subj, "_t": t})
    )
    dup = keyed.duplicated().to_numpy()
    w.reject(dup, TWO_SAMPLES_AT_ONCE, time, frame[time], ONE_SAMPLE_PER_SUBJECT_AND_TIME)
    ok = ~np.isnan(c)
    gcodes = (
        frame.groupby(list(groups), sort=False, dropna=False).ngroup().to_numpy()
        if groups
        else np.zeros(len(frame), dtype=np.int64)
    )
    G = int(gcodes.max()) + 1 if len(frame) else 0
    group_ids = (
        frame.groupby(list(groups), sort=False, dropna=False).head(1)[list(groups)].reset_index(drop=True)
        if groups
        else pd.DataFrame(index=range(G))
    )
    codes = ("SPARSEAL", "SPARSEAS", "SPARSEAD", "SPARSECL", "SPARSECU") + (
        ("SPARSEBS", "SPARSEBL", "SPARSEBU") if n_boot > 0 else ()
    )
    values = np.full((G, len(codes)), np.nan)
    design: list[str] = []
    ci: list[str] = []
    profiles = []
    for g in range(G):  # one call per dose group / analyte (a handful), each vectorised over the matrix
        sel = (gcodes == g) & ok
        times, ti = np.unique(t[sel], return_inverse=True)
        subs, si = np.unique(subj[sel].to_numpy(dtype=str), return_inverse=True)
        X = np.full((times.size, subs.size), np.nan)
        X[ti, si] = c[sel]
        res = sparse_auc(times, X, blq_mean=blq_mean, conf_level=conf_level, n_boot=n_boot, seed=seed)
        row = [res.auc, res.se, res.df, res.ci_lower, res.ci_upper]
        if n_boot > 0:
            row += [res.boot_se, res.boot_lower, res.boot_upper]
        values[g] = row
        design.append(res.design)
        ci.append(res.ci_method)
        present = ~np.isnan(X)
        with np.errstate(invalid="ignore"):
            sd = np.sqrt(
                np.nansum((X - np.nanmean(X, axis=1, keepdims=True)) ** 2, axis=1) / (present.sum(1) - 1)
            )
        profiles.append(
            pd.DataFrame(
                {
                    "_group": g,
                    "time": times,
                    "n": present.sum(axis=1),
                    "mean": mean_profile(X, blq_mean)[0],
                    "sd": sd,
                }
            )
        )
    return SparseResult(
        groups=group_ids,
        values=values,
        codes=codes,
        design=tuple(design),
        ci_method=tuple(ci),
        mean_profile=pd.concat(profiles, ignore_index=True) if profiles else pd.DataFrame(),
        blq_mean=blq_mean,
        n_boot=n_boot,
        seed=seed,
        conf_level=conf_level,
    )
