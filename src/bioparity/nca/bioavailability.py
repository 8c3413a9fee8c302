"""Bioavailability between routes or formulations: FABS (absolute) and FREL (relative).

``F = (AUC_test / Dose_test) / (AUC_ref / Dose_ref)`` (PKNCA ``pk.calc.f``; Gibaldi & Perrier). The
reference is an intravenous administration for the absolute bioavailability (CDISC PPTESTCD ``FABS``) and
another extravascular route or formulation for the relative one (``FREL``).

* Paired (crossover: a subject has both a test and a reference profile): one F per subject, summarised
  by the geometric mean and the geometric CV ``sqrt(exp(s^2) - 1)`` of the log ratios (PKNCA's summary of
  ``f``).
* Unpaired (parallel groups): the ratio of the geometric means of the dose-normalised AUCs.

Which AUC is compared (AUCIFO, AUCLST, AUCTAU at steady state, ...) is the caller's choice and recorded.
A missing or non-positive AUC or dose leaves that subject's F missing with the reason stated.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bioparity._results import ResultMixin, percent, software_version
from bioparity.errors import DataFileError, InputError
from bioparity.i18n.notes import note_template
from bioparity.problems import COLUMNS, MISSING_COLUMN, MISSING_COLUMN_FOUND

#: Reference levels taken as intravenous (absolute bioavailability).
IV_NAMES = frozenset({"iv", "iv-bolus", "iv-infusion", "intravenous", "infusion", "bolus"})

BIOAVAILABILITY_LABELS = {"FABS": "Absolute Bioavailability", "FREL": "Relative Bioavailability"}
#: Why a subject's F is missing (``auc``: the AUC parameter used, e.g. AUCIFO).
TEST_MISSING = note_template("{auc} or dose of the test missing or <= 0")
REFERENCE_MISSING = note_template("{auc} or dose of the reference missing or <= 0")
# A table the estimate cannot take (a DataFileError, shown in the reader's language).
AUC_AND_DOSE_COLUMNS = note_template("columns for the AUC ({auc}) and the dose ({dose}) of each profile")
TWO_PROFILES = note_template("two profiles of the same subject and level")
ONE_AUC_PER_LEVEL = note_template("one {auc} per subject and {by} (average replicates first)")


@dataclass(frozen=True, repr=False)
class BioavailabilityResult(ResultMixin):
    """F per subject (paired designs) and its summary.

    ``per_subject`` has the subject, ``PPTESTCD``, ``PPSTRESN`` (F) and ``reason`` (why F is missing);
    ``geometric_mean`` is the geometric mean of the per-subject F (paired) or the ratio of geometric
    means of dose-normalised AUCs (unpaired), ``geometric_cv`` (fraction) only for paired data.

    Attributes
    ----------
    code : {"FABS", "FREL"}
        CDISC PPTESTCD: absolute (reference intravenous) or relative bioavailability.
    auc : str
        Name of the AUC column compared (e.g. ``"AUCIFO"``, ``"AUCLST"``, ``"AUCTAU"``).
    test, reference : str
        Levels of the route or formulation column compared (test against reference).
    paired : bool
        True when subjects had both levels (crossover; one F per subject), False for parallel groups.
    n : int
        Paired: subjects with a non-missing F. Unpaired: ``n_test + n_reference``.
    n_test, n_reference : int
        Profiles with a usable (positive) dose-normalised AUC in each arm (both equal ``n`` when paired).
    geometric_mean : float
        F as a fraction (1.0 = 100 %): geometric mean of the per-subject ratios (paired) or ratio of the
        geometric means (unpaired); NaN when no usable profile.
    geometric_cv : float
        Geometric CV of the per-subject F, ``sqrt(exp(s^2) - 1)`` with ``s^2`` the variance of the log
        ratios (fraction); NaN when unpaired or fewer than 2 subjects.
    per_subject : pandas.DataFrame
        One row per paired subject: subject column, ``PPTESTCD``, ``PPSTRESN`` (F, fraction) and
        ``reason`` (empty when F is present); empty when unpaired.
    method : str
        The estimator in words (recorded in reports).
    software_version : str
        bioparity version that computed the result.
    """

    SETTINGS = ("code", "auc", "test", "reference", "method")

    code: str
    auc: str
    test: str
    reference: str
    paired: bool
    n: int
    n_test: int
    n_reference: int
    geometric_mean: float
    geometric_cv: float
    per_subject: pd.DataFrame
    method: str
    software_version: str = field(default_factory=software_version)

    def _repr_fields(self) -> list[str]:
        return ["code", "test", "reference", "paired", "n", "geometric_mean", "geometric_cv"]

    def summary(self) -> str:
        what = f"{self.code} ({BIOAVAILABILITY_LABELS[self.code]}) of {self.test} vs {self.reference}"
        design = f"from {self.auc}, {'paired' if self.paired else 'unpaired'}, n {self.n}"
        cv = f", geometric CV {percent(self.geometric_cv)}" if self.paired else ""
        return f"{what} {design}: geometric mean {percent(self.geometric_mean)}{cv}"

    def summary_frame(self) -> pd.DataFrame:
        """One row: PPTESTCD, the comparison, n and the geometric mean and CV."""
        return pd.DataFrame(
            {
                "PPTESTCD": [self.code],
                "test": [self.test],
                "reference": [self.reference],
                "auc": [self.auc],
                "paired": [self.paired],
                "n": [self.n],
                "geometric_mean": [self.geometric_mean],
                "geometric_cv_percent": [100.0 * self.geometric_cv],
                "method": [self.method],
            }
        )


def _dose_normalised(table: pd.DataFrame, auc: str, dose: str) -> tuple[np.ndarray, np.ndarray]:
    for col in (auc, dose):
        if col not in table.columns:
            raise DataFileError(
                MISSING_COLUMN_FOUND.format(column=repr(col), found=", ".join(map(str, table.columns))),
                expected=AUC_AND_DOSE_COLUMNS.format(auc=auc, dose=dose),
            )
    a = pd.to_numeric(table[auc], errors="coerce").to_numpy(dtype=float)
    d = pd.to_numeric(table[dose], errors="coerce").to_numpy(dtype=float)
    ok = (a > 0) & (d > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, a / d, np.nan), ok


def bioavailability(
    table: pd.DataFrame,
    *,
    by: str,
    test: str,
    reference: str,
    subject: str = "subject",
    auc: str = "AUCIFO",
    dose: str = "dose",
    absolute: bool | None = None,
) -> BioavailabilityResult:
    """F of the ``test`` level of column ``by`` against its ``reference`` level.

    ``table`` has one row per profile: ``subject``, ``by`` (route or formulation), ``auc`` and ``dose``
    (same units in both arms). Subjects with both levels are paired; without any such subject the groups
    are compared as parallel groups. ``absolute`` (default: the reference level names an IV route) picks
    the code FABS or FREL.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per profile (e.g. the wide NCA result merged with the dose records).
    by : str
        Column naming the route or formulation of each profile.
    test : str
        Level of ``by`` whose bioavailability is estimated (numerator).
    reference : str
        Level of ``by`` compared against (denominator); an intravenous level (``"iv"``, ``"iv-bolus"``,
        ``"iv-infusion"``, ``"intravenous"``, ``"infusion"``, ``"bolus"``) makes the result FABS.
    subject : str, default "subject"
        Subject identifier column; subjects with both levels make the comparison paired.
    auc : str, default "AUCIFO"
        AUC column compared (same unit in both arms).
    dose : str, default "dose"
        Dose column (same unit in both arms); the AUC is divided by it.
    absolute : bool or None, default None
        True reports FABS, False FREL; None decides from ``reference`` (FABS when it names an IV route).

    Returns
    -------
    BioavailabilityResult
        F per subject (paired) and the geometric mean (and geometric CV when paired), as fractions.

    Raises
    ------
    bioparity.errors.DataFileError
        When ``subject``, ``by``, ``auc`` or ``dose`` is not a column, or a subject has two profiles
        of the same level (the row and value are named).
    bioparity.errors.InputError
        When ``by`` has no row of ``test`` or none of ``reference``.

    References
    ----------
    Gibaldi M, Perrier D. Pharmacokinetics, 2nd ed. New York: Marcel Dekker; 1982, chapter 4
    (absolute and relative bioavailability from dose-normalised AUC). PKNCA ``pk.calc.f``
    (Denney et al., J Pharmacokinet Pharmacodyn 2015;42(S1):S65).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"subject": [1, 1, 2, 2], "route": ["oral", "iv"] * 2,
    ...                       "AUCIFO": [40.0, 100.0, 60.0, 100.0], "dose": [100.0, 50.0, 100.0, 50.0]})
    >>> res = bioavailability(table, by="route", test="oral", reference="iv")
    >>> res.code, res.paired, round(res.geometric_mean, 4)  # sqrt(0.2 x 0.3)
    ('FABS', True, 0.2449)
    """
    for col in (subject, by):
        if col not in table.columns:
            raise DataFileError(
                MISSING_COLUMN.format(column=repr(col)),
                expected=COLUMNS.format(columns=f"{subject}, {by}, {auc}, {dose}"),
            )
    level = table[by].astype("string").str.strip()
    if absolute is None:
        absolute = reference.strip().lower().replace("_", "-") in IV_NAMES
    code = "FABS" if absolute else "FREL"
    is_t = (level == test).to_numpy(dtype=bool)
    is_r = (level == reference).to_numpy(dtype=bool)
    if not is_t.any() or not is_r.any():
        raise InputError(
            f"column {by!r} needs rows of both {test!r} (test) and {reference!r} (reference); "
            f"levels found: {', '.join(map(str, level.dropna().unique()))}"
        )
    norm, ok = _dose_normalised(table, auc, dose)
    subj = table[subject].astype("string")
    keys = pd.DataFrame({"s": subj.to_numpy()[is_t | is_r], "l": level.to_numpy()[is_t | is_r]})
    if keys.duplicated().any():
        i = int(np.flatnonzero(is_t | is_r)[int(np.argmax(keys.duplicated().to_numpy()))])
        raise DataFileError(
            TWO_PROFILES,
            row=i + 1,
            column=subject,
            value=subj.iloc[i],
            expected=ONE_AUC_PER_LEVEL.format(auc=auc, by=by),
        )
    t = pd.DataFrame({"subject": subj[is_t].to_numpy(), "t": norm[is_t], "ok_t": ok[is_t]})
    r = pd.DataFrame({"subject": subj[is_r].to_numpy(), "r": norm[is_r], "ok_r": ok[is_r]})
    both = t.merge(r, on="subject", how="inner")
    if len(both):
        with np.errstate(divide="ignore", invalid="ignore"):
            f = (both["t"] / both["r"]).to_numpy(dtype=float)
        reason = np.where(
            ~both["ok_t"].to_numpy(dtype=bool),
            TEST_MISSING.format(auc=auc),
            np.where(~both["ok_r"].to_numpy(dtype=bool), REFERENCE_MISSING.format(auc=auc), ""),
        )
        logs = np.log(f[~np.isnan(f)])
        n = int(logs.size)
        gm = float(np.exp(logs.mean())) if n else float("nan")
        gcv = float(np.sqrt(np.expm1(logs.var(ddof=1)))) if n > 1 else float("nan")
        per = pd.DataFrame(
            {subject: both["subject"], "PPTESTCD": code, "PPSTRESN": f, "reason": reason.astype(object)}
        )
        method = "paired: geometric mean of the per-subject ratios of dose-normalised AUCs"
        n_t, n_r = n, n
        paired = True
    else:
        lt = np.log(t["t"].to_numpy(dtype=float))
        lr = np.log(r["r"].to_numpy(dtype=float))
        lt, lr = lt[~np.isnan(lt)], lr[~np.isnan(lr)]
        n_t, n_r = int(lt.size), int(lr.size)
        gm = float(np.exp(lt.mean() - lr.mean())) if n_t and n_r else float("nan")
        gcv = float("nan")
        n = n_t + n_r
        per = pd.DataFrame(columns=[subject, "PPTESTCD", "PPSTRESN", "reason"])
        method = "unpaired: ratio of the geometric means of dose-normalised AUCs (parallel groups)"
        paired = False
    return BioavailabilityResult(
        code=code,
        auc=auc,
        test=test,
        reference=reference,
        paired=paired,
        n=n,
        n_test=n_t,
        n_reference=n_r,
        geometric_mean=gm,
        geometric_cv=gcv,
        per_subject=per,
        method=method,
    )
