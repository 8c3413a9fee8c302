"""Immunogenicity summaries: ADA / NAb incidence, titres, and exposure by ADA status.

Inputs are long tables (one row per subject and timepoint), for example from ADaM ``ADIS`` or SDTM ``IS``:

* ADA table: subject, arm, timepoint, result (``POS``/``NEG``, ``POSITIVE``/``NEGATIVE``, ``Y``/``N``,
  ``1``/``0``, ``True``/``False``; case-insensitive; blank = missing) and optionally a titre;
* PK parameters: NCA results in CDISC PP form, ``USUBJID, ARM, PPTESTCD, PPSTRESN``;
* ADA status: one row per subject with an overall status (``POS``/``NEG``).

Nothing is dropped silently: missing results are counted (``n_missing``), unknown result codes are an
error naming the row, non-positive or missing PK values are counted per parameter (``n_excluded``) and
reported with a :class:`~bioparity.errors.BioparityWarning`. A blank subject, arm or timepoint cell is an
error naming its row and column (it would otherwise be counted as a subject, arm or visit of its own), and
so is a titre that is not a finite number >= 1 (:func:`titre_values`).

Incidence per arm and timepoint is ``n_positive / n_evaluable`` with a Wilson interval; the ``OVERALL``
timepoint counts a subject as positive if positive at any timepoint (baseline included), evaluable if
evaluated at least once. That any-visit count mixes pre-existing antibodies with those caused by the
product, so the primary summary is :func:`treatment_emergent_ada`: treatment-induced (ADA-negative at
baseline, positive after dosing) plus treatment-boosted (positive at baseline with a titre rise of at
least ``boost_fold``, default 4-fold, after dosing), with the baseline prevalence reported separately
(FDA Guidance for Industry "Immunogenicity Testing of Therapeutic Protein Products - Developing and
Validating Assays for Anti-Drug Antibody Detection", January 2019; Shankar et al. 2014, AAPS J
16(4):658-673, "Assessment and reporting of the clinical immunogenicity of therapeutic proteins and
peptides", definitions of treatment-induced and treatment-boosted ADA). Differences to the reference arm
use :func:`bioparity.clinical.ci_difference` (Newcombe by default).
Exposure by ADA status compares geometric means of ADA-positive and ADA-negative subjects per arm and
parameter: ratio ``GM(pos)/GM(neg)`` with a pooled-t interval on the log scale.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bioparity._results import ResultMixin, fixed, percent, software_version, with_rows
from bioparity.arrays import BoolArray, FloatArray, IntArray, StrArray
from bioparity.clinical._checks import check_conf, z_two_sided
from bioparity.clinical.means import ci_mean_difference
from bioparity.clinical.proportions import WaldNotesMixin, canonical_difference_method, ci_difference
from bioparity.clinical.score import wilson_interval
from bioparity.errors import BioparityWarning, InputError, require_columns
from bioparity.i18n.notes import note_template
from bioparity.nca.samples import Where, parse_numbers, reject_empty_identifiers

#: Label of the any-timepoint row of :func:`ada_incidence`.
OVERALL = "OVERALL"
#: Labels of the rows of :meth:`TreatmentEmergentResult.as_incidence`.
TREATMENT_EMERGENT = "TREATMENT-EMERGENT"
BASELINE_PREVALENCE = "BASELINE-PREVALENCE"
#: Timepoint labels recognised as baseline when none is given (case-insensitive).
BASELINE_LABELS = ("BASELINE", "PREDOSE", "PRE-DOSE", "DAY 1 PREDOSE", "D1 PREDOSE", "D0", "DAY 0")
#: Titre rise over a positive baseline that makes a subject treatment-boosted (Shankar et al. 2014).
DEFAULT_BOOST_FOLD = 4.0
#: Note of the Wald differences of ADA incidence with an arm at 0 or all positive
#: (:attr:`IncidenceDifference.notes`, the ``ada-summary`` result): ci-diff's
#: :data:`~bioparity.clinical.proportions.WALD_DEGENERATE` in the words of an ADA table (arms and positive
#: subjects, not tables and responders; the ADA method option, which also offers newcombe-cc).
ADA_WALD_DEGENERATE = note_template(
    "Wald interval: {count} of {total} differences between arms have an arm with no positive subject or "
    "only positive subjects, whose variance p(1 - p)/n is 0, so the interval is too narrow (zero width "
    "when both arms are so); choose method newcombe, newcombe-cc, mn or fm"
)

#: Where the rows of an ADA table are, for errors: data row 1 is the first row under the header, line 2 of
#: a CSV listing whose header is line 1 (the callers name the file).
LISTING = Where()
#: What a titre cell must hold (see :func:`titre_values`).
TITRE_EXPECTED = (
    "a titre as a number >= 1, the reciprocal of the highest positive dilution (40 for 1:40), "
    "or blank for no titre"
)

_POSITIVE = {"POS", "POSITIVE", "Y", "YES", "1", "1.0", "TRUE"}
_NEGATIVE = {"NEG", "NEGATIVE", "N", "NO", "0", "0.0", "FALSE"}


@dataclass(frozen=True, repr=False)
class IncidenceResult(ResultMixin):
    """Incidence of a positive result per arm and timepoint, with Wilson intervals.

    One element per row (arm and timepoint, in order of first appearance; the ``OVERALL`` rows last).

    Attributes
    ----------
    arm, timepoint : numpy.ndarray of str
        The row's arm and timepoint (``OVERALL``: any timepoint).
    n_evaluable : numpy.ndarray of int
        Subjects with a result (``OVERALL``: with at least one result).
    n_positive : numpy.ndarray of int
        Subjects with a positive result (``OVERALL``: positive at any timepoint, baseline included).
    n_missing : numpy.ndarray of int
        Rows with a missing result (``OVERALL``: subjects with no result at all).
    incidence : numpy.ndarray of float
        ``n_positive / n_evaluable`` (fraction; NaN when no subject is evaluable).
    ci_lower, ci_upper : numpy.ndarray of float
        Wilson score interval of the incidence at ``conf_level``.
    conf_level : float
        Two-sided confidence level.
    result_column : str
        The result column summarised (``ADA``, ``NAB``, ...).
    software_version : str
        bioparity's version.
    """

    SETTINGS = ("conf_level", "result_column")

    arm: StrArray
    timepoint: StrArray
    n_evaluable: IntArray
    n_positive: IntArray
    n_missing: IntArray
    incidence: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    conf_level: float
    result_column: str
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        rows = [
            f"{a} {t}: {p}/{n} = {percent(i)} (CI {percent(lo)} to {percent(hi)})"
            for a, t, p, n, i, lo, hi in zip(
                self.arm, self.timepoint, self.n_positive, self.n_evaluable, self.incidence,
                self.ci_lower, self.ci_upper, strict=True,
            )
        ]  # fmt: skip
        head = (
            f"{self.result_column} incidence in {len(set(self.arm))} arms x {len(set(self.timepoint))} "
            f"timepoints, {100 * self.conf_level:g}% Wilson CIs"
        )
        return with_rows(head, rows)


@dataclass(frozen=True, repr=False)
class IncidenceDifferenceResult(WaldNotesMixin, ResultMixin):
    """Difference in incidence (arm minus reference arm) per timepoint.

    One element per arm other than the reference and timepoint where both have evaluable subjects.

    Attributes
    ----------
    arm : numpy.ndarray of str
        The compared arm.
    reference_arm : str
        The arm subtracted.
    timepoint : numpy.ndarray of str
        The timepoint (rows of the incidence result, e.g. ``OVERALL`` or ``TREATMENT-EMERGENT``).
    incidence, reference_incidence : numpy.ndarray of float
        Incidence of the arm and of the reference arm (fractions).
    diff : numpy.ndarray of float
        ``incidence - reference_incidence``.
    ci_lower, ci_upper : numpy.ndarray of float
        Two-sided ``conf_level`` interval of the difference
        (:func:`~bioparity.clinical.ci_difference`).
    degenerate : numpy.ndarray of bool
        True where the interval is degenerate (:attr:`DifferenceCI.degenerate
        <bioparity.clinical.DifferenceCI.degenerate>`): a Wald interval with an arm at 0 or all subjects
        positive, whose variance term ``p(1 - p)/n`` is 0 (too narrow; zero width when both arms are;
        Newcombe 1998, Stat Med 17:873-890, method 1). Always False for the score methods. :attr:`notes`
        says so in words.
    conf_level : float
        Two-sided confidence level.
    method : str
        Interval method (a key of :data:`~bioparity.clinical.DIFFERENCE_METHODS`).
    software_version : str
        bioparity's version.
    """

    SETTINGS = ("reference_arm", "conf_level", "method")
    NOTE_TEMPLATE = ADA_WALD_DEGENERATE

    arm: StrArray
    reference_arm: str
    timepoint: StrArray
    incidence: FloatArray
    reference_incidence: FloatArray
    diff: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    degenerate: BoolArray
    conf_level: float
    method: str
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        rows = [
            f"{a} {t}: {fixed(d)} (CI {fixed(lo)} to {fixed(hi)})"
            for a, t, d, lo, hi in zip(
                self.arm, self.timepoint, self.diff, self.ci_lower, self.ci_upper, strict=True
            )
        ]
        head = (
            f"Difference in incidence, each arm minus reference arm {self.reference_arm} ({self.method}), "
            f"{100 * self.conf_level:g}% CIs"
        )
        return self.with_warnings(with_rows(head, rows))


@dataclass(frozen=True, repr=False)
class TitreSummaryResult(ResultMixin):
    """Titres of positive samples per arm and timepoint.

    Titres are in the unit of the titre column (usually the reciprocal of the highest positive dilution);
    summaries are on the log scale, back-transformed.

    Attributes
    ----------
    arm, timepoint : numpy.ndarray of str
        The row's arm and timepoint.
    n : numpy.ndarray of int
        Positive samples summarised.
    geometric_mean : numpy.ndarray of float
        ``exp(mean(ln titre))``.
    geometric_cv_percent : numpy.ndarray of float
        ``100 sqrt(exp(s^2) - 1)`` with ``s`` the SD of the log titres (NaN for one sample).
    median, minimum, maximum : numpy.ndarray of float
        Median and range of the titres.
    result_column, titre_column : str, default "ADA" and "TITRE"
        The result and titre columns summarised.
    software_version : str
        bioparity's version.
    """

    SETTINGS = ("result_column", "titre_column")

    arm: StrArray
    timepoint: StrArray
    n: IntArray
    geometric_mean: FloatArray
    geometric_cv_percent: FloatArray
    median: FloatArray
    minimum: FloatArray
    maximum: FloatArray
    result_column: str = "ADA"
    titre_column: str = "TITRE"
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        rows = [
            f"{a} {t}: n {n}, geometric mean {g:.4g} (range {lo:.4g} to {hi:.4g})"
            for a, t, n, g, lo, hi in zip(
                self.arm, self.timepoint, self.n, self.geometric_mean, self.minimum, self.maximum, strict=True
            )
        ]
        head = (
            f"Titres ({self.titre_column}) of {self.result_column}-positive samples in {len(set(self.arm))} "
            f"arms x {len(set(self.timepoint))} timepoints"
        )
        return with_rows(head, rows)


@dataclass(frozen=True, repr=False)
class ExposureByADAResult(ResultMixin):
    """Geometric means of PK parameters in ADA-positive vs ADA-negative subjects, per arm and parameter.

    Geometric means are in the unit of the PK parameter; the ratio and its limits are fractions.

    Attributes
    ----------
    arm, parameter : numpy.ndarray of str
        The row's arm and PK parameter code (``PPTESTCD``: ``AUCIFO``, ``CMAX``, ...).
    n_positive, n_negative : numpy.ndarray of int
        ADA-positive and ADA-negative subjects with a usable (positive) value.
    n_excluded : numpy.ndarray of int
        Values missing or <= 0, excluded from the geometric means (and warned about).
    gm_positive, gm_negative : numpy.ndarray of float
        Geometric means of the two groups.
    ratio : numpy.ndarray of float
        ``gm_positive / gm_negative``.
    ci_lower, ci_upper : numpy.ndarray of float
        Pooled-t interval of the ratio on the log scale at ``conf_level``; NaN with fewer than 2
        subjects in a group.
    conf_level : float
        Two-sided confidence level (default 0.90).
    software_version : str
        bioparity's version.
    """

    SETTINGS = ("conf_level",)

    arm: StrArray
    parameter: StrArray
    n_positive: IntArray
    n_negative: IntArray
    n_excluded: IntArray
    gm_positive: FloatArray
    gm_negative: FloatArray
    ratio: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    conf_level: float
    software_version: str = field(default_factory=software_version)

    def summary(self) -> str:
        rows = [
            f"{a} {p}: {percent(r)} (CI {percent(lo)} to {percent(hi)}; n {k_pos} / {k_neg})"
            for a, p, r, lo, hi, k_pos, k_neg in zip(
                self.arm, self.parameter, self.ratio, self.ci_lower, self.ci_upper, self.n_positive,
                self.n_negative, strict=True,
            )
        ]  # fmt: skip
        head = (
            f"Exposure ADA-positive / ADA-negative, ratio of geometric means ({100 * self.conf_level:g}% CI)"
        )
        return with_rows(head, rows)


def _wilson_rate(x: IntArray, n: IntArray, z: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Rate ``x / n`` and its Wilson interval at critical value ``z``, all NaN where ``n = 0`` (no subject
    evaluable: no rate, rather than 0/0)."""
    safe = np.where(n > 0, n, 1).astype(float)
    lo, hi = wilson_interval(x.astype(float), safe, z)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, x / safe, np.nan)
    return p, np.where(n > 0, lo, np.nan), np.where(n > 0, hi, np.nan)


def titre_values(cells: pd.Series, column: str, where: Where = LISTING) -> FloatArray:
    """The titres of a column as numbers, NaN where there is none; any other cell is an error naming its
    row and column.

    A titre is the reciprocal of the highest dilution of the sample that is still positive in the
    titration assay (FDA, Immunogenicity Testing of Therapeutic Protein Products, 2019, titration assays;
    Shankar et al. 2008, J Pharm Biomed Anal 48:1267), a dilution factor: a finite number >= 1 (the
    minimum required dilution is at least 1, neat). So refused are: text such as ``1:40`` or ``high``
    (``1:40`` is not read as 40: the colon notation is read either as 1 in 40 or as 1 part in 41, and a
    listing should give the number), ``inf``, ``-inf`` or a number too large for a double (``1e400``),
    and numbers below 1 - zero, negatives, a log titre or a dilution written as a fraction (0.025 for
    1:40), each of which would turn the fold-rise rule upside down or make it meaningless. Blank cells and
    the missing markers of every numeric column (``NA``, ``NaN``, ``.``) are no titre; where one is needed
    (a positive sample of a baseline-positive subject) the caller refuses that, naming the row.

    Parameters
    ----------
    cells : pandas.Series
        The titre column, text or numbers.
    column : str
        Its name, for the message.
    where : Where, default LISTING
        The file and line offset named in the message.

    Returns
    -------
    numpy.ndarray of float
        One titre (or NaN) per row.

    Raises
    ------
    DataFileError
        At the first cell that is not a number, not finite or below 1 (row, column and the cell).

    Examples
    --------
    >>> import pandas as pd
    >>> titre_values(pd.Series(["40", "", "NA", " 160"]), "TITRE").tolist()
    [40.0, nan, nan, 160.0]
    >>> from bioparity.errors import DataFileError
    >>> for cell in ("1:80", "inf", "0.025"):
    ...     try:
    ...         titre_values(pd.Series(["40", cell]), "TITRE")
    ...     except DataFileError as exc:
    ...         print(exc.row, exc.column, exc.problem, repr(exc.value))
    2 TITRE not a number '1:80'
    2 TITRE not a finite number 'inf'
    2 TITRE titre below 1 '0.025'
    """
    values, _ = parse_numbers(cells, column, where, allow_missing=True, expected=TITRE_EXPECTED)
    where.reject(values < 1, "titre below 1", column, cells, TITRE_EXPECTED)
    return values


def _visit_frame(ada: pd.DataFrame, subject: str, arm: str, timepoint: str, result: str) -> pd.DataFrame:
    """The ADA table as ``subject, arm, timepoint, positive`` (1/0/NaN), one row per subject and timepoint
    (an InputError names the first repeated visit, a DataFileError the first blank subject, arm or
    timepoint)."""
    reject_empty_identifiers(ada, [subject, arm, timepoint], LISTING)
    frame = pd.DataFrame(
        {
            "subject": ada[subject].astype(str),
            "arm": ada[arm].astype(str),
            "timepoint": ada[timepoint].astype(str),
            "positive": parse_result(ada[result], result),
        }
    )
    dup = frame.duplicated(["subject", "timepoint"], keep=False)
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise InputError(
            f"the ADA table has more than one row for subject {frame['subject'].iloc[row]!r} at "
            f"timepoint {frame['timepoint'].iloc[row]!r} (data row {row + 1}); expected one result per "
            "subject and timepoint"
        )
    return frame


def parse_result(values: pd.Series, column: str) -> pd.Series:
    """Map result codes to 1.0 (positive), 0.0 (negative) or NaN (missing); unknown codes are an error."""
    text = values.astype("string").str.strip().str.upper()
    missing = values.isna() | (text == "") | (text == "NA") | (text == "NAN")
    pos = text.isin(_POSITIVE)
    neg = text.isin(_NEGATIVE)
    bad = ~(missing | pos | neg)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(
            f"column '{column}', data row {row + 1}: unknown result {values.iloc[row]!r}; "
            "expected POS/NEG (also POSITIVE/NEGATIVE, Y/N, 1/0, TRUE/FALSE) or blank for missing"
        )
    return pd.Series(np.where(pos, 1.0, np.where(neg, 0.0, np.nan)), index=values.index)


def ada_incidence(
    ada: pd.DataFrame,
    *,
    subject: str = "USUBJID",
    arm: str = "ARM",
    timepoint: str = "VISIT",
    result: str = "ADA",
    conf: float = 0.95,
    overall: bool = True,
) -> IncidenceResult:
    """Incidence of positive ``result`` (ADA or NAb) per arm and timepoint plus an ``OVERALL`` row per arm.

    The ``OVERALL`` row counts any positive result, baseline included (pre-existing antibodies too); the
    primary summary is :func:`treatment_emergent_ada`.

    Parameters
    ----------
    ada : pandas.DataFrame
        One row per subject and timepoint (ADaM ``ADIS`` or SDTM ``IS`` style).
    subject, arm, timepoint : str, default "USUBJID", "ARM", "VISIT"
        Names of the subject, arm and timepoint columns.
    result : str, default "ADA"
        Name of the result column: ``POS``/``NEG`` (also ``POSITIVE``/``NEGATIVE``, ``Y``/``N``,
        ``1``/``0``, ``TRUE``/``FALSE``, any case); blank or ``NA`` is missing.
    conf : float, default 0.95
        Two-sided level of the Wilson intervals, in (0, 1).
    overall : bool, default True
        Add the ``OVERALL`` (any timepoint) row per arm.

    Returns
    -------
    IncidenceResult
        Counts, incidence and Wilson interval per arm and timepoint.

    Raises
    ------
    InputError
        For a missing column, an unknown result code (naming the row), or two rows for one subject and
        timepoint.
    DataFileError
        (an InputError) For a blank subject, arm or timepoint cell, naming the data row, its line in a
        CSV listing, and the column.
    ScenarioError
        For a level outside (0, 1).

    References
    ----------
    Shankar G et al. (2014) AAPS J 16(4):658-673. Wilson EB (1927) J Am Stat Assoc 22:209-212.

    Examples
    --------
    >>> import pandas as pd
    >>> ada = pd.DataFrame({"USUBJID": ["1", "1", "2", "2"], "ARM": ["T"] * 4,
    ...                     "VISIT": ["BASELINE", "WEEK 4"] * 2, "ADA": ["NEG", "POS", "NEG", ""]})
    >>> r = ada_incidence(ada)
    >>> r.timepoint.tolist(), r.n_evaluable.tolist(), r.n_positive.tolist(), r.n_missing.tolist()
    (['BASELINE', 'WEEK 4', 'OVERALL'], [2, 1, 2], [0, 1, 1], [0, 1, 0])
    """
    require_columns(ada.columns, [subject, arm, timepoint, result], file=None, context=" in the ADA table")
    level = float(check_conf(conf))
    frame = _visit_frame(ada, subject, arm, timepoint, result)
    parts = [frame]
    if overall:
        per_subject = frame.groupby(["subject", "arm"], sort=False)["positive"].max().reset_index()
        per_subject["timepoint"] = OVERALL
        parts.append(per_subject)
    long = pd.concat(parts, ignore_index=True)
    grouped = long.groupby(["arm", "timepoint"], sort=False)["positive"]
    table = pd.DataFrame(
        {
            "n_evaluable": grouped.count(),
            "n_positive": grouped.sum(min_count=0),
            "n_missing": grouped.size() - grouped.count(),
        }
    ).reset_index()
    n = table["n_evaluable"].to_numpy(dtype=np.int64)
    x = table["n_positive"].to_numpy(dtype=np.int64)
    incidence, lower, upper = _wilson_rate(x, n, z_two_sided(level))
    return IncidenceResult(
        arm=table["arm"].to_numpy(dtype=str),
        timepoint=table["timepoint"].to_numpy(dtype=str),
        n_evaluable=n,
        n_positive=x,
        n_missing=table["n_missing"].to_numpy(dtype=np.int64),
        incidence=incidence,
        ci_lower=lower,
        ci_upper=upper,
        conf_level=level,
        result_column=result,
    )


@dataclass(frozen=True, repr=False)
class TreatmentEmergentResult(ResultMixin):
    """Treatment-emergent ADA per arm (induced + boosted) and the baseline prevalence, Wilson intervals.

    ``incidence = n_treatment_emergent / n_evaluable``; a subject is evaluable with a baseline result and at
    least one post-baseline result. ``prevalence = n_baseline_positive / n_baseline`` (subjects with a
    baseline result). ``n_any_visit_positive`` is the old any-visit count, for comparison only.
    One element per arm, in order of first appearance; rates are fractions.

    Attributes
    ----------
    arm : numpy.ndarray of str
        The arm.
    n_subjects : numpy.ndarray of int
        Subjects in the ADA table.
    n_evaluable : numpy.ndarray of int
        Subjects with a baseline result and at least one post-baseline result.
    n_not_evaluable : numpy.ndarray of int
        ``n_subjects - n_evaluable``.
    n_induced : numpy.ndarray of int
        Treatment-induced: negative at baseline, positive after dosing.
    n_boosted : numpy.ndarray of int
        Treatment-boosted: positive at baseline, a post-baseline titre at least ``boost_fold`` times the
        baseline titre.
    n_treatment_emergent : numpy.ndarray of int
        ``n_induced + n_boosted``.
    incidence : numpy.ndarray of float
        ``n_treatment_emergent / n_evaluable`` (NaN when none is evaluable).
    ci_lower, ci_upper : numpy.ndarray of float
        Wilson interval of the incidence at ``conf_level``.
    n_baseline : numpy.ndarray of int
        Subjects with a baseline result.
    n_baseline_positive : numpy.ndarray of int
        Subjects positive at baseline (pre-existing antibodies).
    prevalence : numpy.ndarray of float
        ``n_baseline_positive / n_baseline``.
    prevalence_ci_lower, prevalence_ci_upper : numpy.ndarray of float
        Wilson interval of the prevalence.
    n_any_visit_positive : numpy.ndarray of int
        Subjects positive at any timepoint, baseline included (the ``OVERALL`` count of
        :func:`ada_incidence`).
    baseline : str
        The baseline timepoint label used.
    boost_fold : float
        The titre rise that defines a boosted response.
    conf_level : float
        Two-sided confidence level.
    result_column : str
        The result column summarised.
    software_version : str
        bioparity's version.
    """

    SETTINGS = ("baseline", "boost_fold", "conf_level", "result_column")
    REPR_FIELDS = ("arm", "n_evaluable", "n_treatment_emergent", "incidence", "conf_level", "boost_fold")

    arm: StrArray
    n_subjects: IntArray
    n_evaluable: IntArray
    n_not_evaluable: IntArray
    n_induced: IntArray
    n_boosted: IntArray
    n_treatment_emergent: IntArray
    incidence: FloatArray
    ci_lower: FloatArray
    ci_upper: FloatArray
    n_baseline: IntArray
    n_baseline_positive: IntArray
    prevalence: FloatArray
    prevalence_ci_lower: FloatArray
    prevalence_ci_upper: FloatArray
    n_any_visit_positive: IntArray
    baseline: str
    boost_fold: float
    conf_level: float
    result_column: str
    software_version: str = field(default_factory=software_version)

    def as_incidence(self) -> IncidenceResult:
        """Rows ``TREATMENT-EMERGENT`` and ``BASELINE-PREVALENCE`` per arm (for differences)."""
        k = self.arm.size
        n = np.concatenate([self.n_evaluable, self.n_baseline])
        return IncidenceResult(
            arm=np.concatenate([self.arm, self.arm]),
            timepoint=np.array([TREATMENT_EMERGENT] * k + [BASELINE_PREVALENCE] * k, dtype=str),
            n_evaluable=n,
            n_positive=np.concatenate([self.n_treatment_emergent, self.n_baseline_positive]),
            n_missing=np.concatenate([self.n_not_evaluable, self.n_subjects - self.n_baseline]),
            incidence=np.concatenate([self.incidence, self.prevalence]),
            ci_lower=np.concatenate([self.ci_lower, self.prevalence_ci_lower]),
            ci_upper=np.concatenate([self.ci_upper, self.prevalence_ci_upper]),
            conf_level=self.conf_level,
            result_column=self.result_column,
        )

    def summary(self) -> str:
        rows = [
            f"{a}: {te}/{n} = {percent(i)} (CI {percent(lo)} to {percent(hi)}; induced {ind}, "
            f"boosted {bst}); baseline prevalence {bp}/{nb}"
            for a, te, n, i, lo, hi, ind, bst, bp, nb in zip(
                self.arm, self.n_treatment_emergent, self.n_evaluable, self.incidence, self.ci_lower,
                self.ci_upper, self.n_induced, self.n_boosted, self.n_baseline_positive, self.n_baseline,
                strict=True,
            )
        ]  # fmt: skip
        head = (
            f"Treatment-emergent {self.result_column} (induced, or boosted >= {self.boost_fold:g}-fold over "
            f"{self.baseline}), {100 * self.conf_level:g}% Wilson CIs"
        )
        return with_rows(head, rows)


def _baseline_label(timepoints: pd.Series, baseline: str | None) -> str:
    found = sorted({str(t) for t in timepoints.tolist()})
    if baseline is not None:
        if baseline not in found:
            raise InputError(
                f"baseline timepoint {baseline!r} not in the ADA table; timepoints: {', '.join(found)}"
            )
        return baseline
    hits = [t for t in found if t.strip().upper() in BASELINE_LABELS]
    if len(hits) != 1:
        raise InputError(
            "cannot tell which timepoint is baseline "
            + (
                f"(several candidates: {', '.join(hits)}); "
                if hits
                else "(none named like BASELINE or PREDOSE); "
            )
            + f"give it explicitly (timepoints: {', '.join(found)})"
        )
    return hits[0]


def treatment_emergent_ada(
    ada: pd.DataFrame,
    *,
    subject: str = "USUBJID",
    arm: str = "ARM",
    timepoint: str = "VISIT",
    result: str = "ADA",
    titre: str | None = "TITRE",
    baseline: str | None = None,
    boost_fold: float = DEFAULT_BOOST_FOLD,
    conf: float = 0.95,
) -> TreatmentEmergentResult:
    """Treatment-emergent ADA incidence per arm and baseline prevalence (see the module docstring).

    Treatment-induced: baseline negative and any post-baseline sample positive. Treatment-boosted: baseline
    positive and a post-baseline positive sample with ``titre >= boost_fold * baseline titre``. Titres are
    needed only for baseline-positive subjects; one missing there is an error naming the row (the subject
    could not be classified). Subjects without a baseline or without any post-baseline result are not
    evaluable and counted (``n_not_evaluable``).

    Parameters
    ----------
    ada : pandas.DataFrame
        One row per subject and timepoint, as for :func:`ada_incidence`.
    subject, arm, timepoint, result
        Column names, as in :func:`ada_incidence`.
    titre : str or None, default "TITRE"
        Name of the titre column (reciprocal dilutions >= 1, blank for none; :func:`titre_values`);
        needed for baseline-positive subjects only. None, or a column that is absent, means no titres.
    baseline : str, optional
        The baseline timepoint label; default the one timepoint named like :data:`BASELINE_LABELS`
        (``BASELINE``, ``PREDOSE``, ``DAY 0``, ...).
    boost_fold : float, default 4.0
        Titre rise over a positive baseline that makes a subject treatment-boosted, > 1.
    conf : float, default 0.95
        Two-sided level of the Wilson intervals.

    Returns
    -------
    TreatmentEmergentResult
        Per arm: evaluable subjects, induced and boosted counts, incidence and baseline prevalence with
        Wilson intervals.

    Raises
    ------
    InputError
        For a missing column, an unknown result code, duplicate rows, a subject in two arms, a baseline
        that cannot be identified, ``boost_fold <= 1``, or a missing titre where one is needed.
    DataFileError
        (an InputError) For a blank subject, arm or timepoint cell, or a titre that is not a number
        >= 1 (:func:`titre_values`), naming the data row, its line in a CSV listing, and the column.

    References
    ----------
    FDA, Immunogenicity Testing of Therapeutic Protein Products: Developing and Validating Assays for
    Anti-Drug Antibody Detection, Guidance for Industry (January 2019). Shankar G et al. (2014) AAPS J
    16(4):658-673 (treatment-induced and treatment-boosted ADA).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("1", "BASELINE", "NEG", None), ("1", "WEEK 4", "POS", 40),
    ...         ("2", "BASELINE", "POS", 10), ("2", "WEEK 4", "POS", 80)]
    >>> ada = pd.DataFrame(rows, columns=["USUBJID", "VISIT", "ADA", "TITRE"]).assign(ARM="T")
    >>> te = treatment_emergent_ada(ada)
    >>> int(te.n_induced[0]), int(te.n_boosted[0]), float(te.incidence[0]), float(te.prevalence[0])
    (1, 1, 1.0, 0.5)
    """
    require_columns(ada.columns, [subject, arm, timepoint, result], file=None, context=" in the ADA table")
    level = float(check_conf(conf))
    if not boost_fold > 1.0:
        raise InputError(f"boost fold = {boost_fold}; expected a titre ratio > 1 (e.g. 4)")
    frame = _visit_frame(ada, subject, arm, timepoint, result)
    has_titre = titre is not None and titre in ada.columns
    frame["titre"] = titre_values(ada[titre], str(titre), LISTING) if has_titre else np.nan
    arms_of = frame.groupby("subject", sort=False)["arm"].nunique()
    if (arms_of > 1).any():
        raise InputError(f"subject {arms_of[arms_of > 1].index[0]!r} appears in more than one arm")
    label = _baseline_label(frame["timepoint"], baseline)
    is_base = (frame["timepoint"] == label).to_numpy()
    base = frame[is_base].set_index("subject")
    post = frame[~is_base & frame["positive"].notna().to_numpy()]
    boosted_needed = base.index[(base["positive"] == 1.0).to_numpy()]
    bad_base = (base["positive"] == 1.0) & ~(base["titre"] > 0)
    if bad_base.any():
        who = str(bad_base[bad_base].index[0])
        row = int(np.flatnonzero(is_base & (frame["subject"] == who).to_numpy())[0])
        raise InputError(
            f"subject {who!r} is ADA-positive at baseline but has no titre (data row {row + 1}"
            f"{', column ' + repr(titre) if has_titre else ', no titre column'}); a titre is needed to tell "
            f"a treatment-boosted response (>= {boost_fold:g}-fold rise)"
        )
    bad_post = post["subject"].isin(boosted_needed) & (post["positive"] == 1.0) & ~(post["titre"] > 0)
    if bad_post.any():
        row = int(post.index[np.flatnonzero(bad_post.to_numpy())[0]])
        raise InputError(
            f"subject {post.loc[row, 'subject']!r} (positive at baseline) has a positive post-baseline "
            f"sample without a titre (data row {row + 1}); a titre is needed to tell a treatment-boosted "
            "response"
        )
    subjects = frame.groupby("subject", sort=False)["arm"].first()
    base_pos = base["positive"].reindex(subjects.index)
    base_titre = base["titre"].reindex(subjects.index)
    post_any = post.groupby("subject")["positive"].max().reindex(subjects.index)
    post_rise = (
        post.assign(rise=post["titre"].to_numpy() / base_titre.reindex(post["subject"]).to_numpy())
        .loc[lambda f: f["positive"] == 1.0]
        .groupby("subject")["rise"]
        .max()
        .reindex(subjects.index)
    )
    evaluable = base_pos.notna() & post_any.notna()
    induced = evaluable & (base_pos == 0.0) & (post_any == 1.0)
    boosted = evaluable & (base_pos == 1.0) & (post_rise >= boost_fold * (1 - 1e-12))
    any_visit = frame.groupby("subject", sort=False)["positive"].max().reindex(subjects.index) == 1.0
    per = pd.DataFrame(
        {
            "arm": subjects,
            "one": 1,
            "evaluable": evaluable,
            "induced": induced,
            "boosted": boosted,
            "has_base": base_pos.notna(),
            "base_pos": base_pos == 1.0,
            "any_visit": any_visit,
        }
    )
    g = per.groupby("arm", sort=False).sum(numeric_only=True)
    n_eval = g["evaluable"].to_numpy(dtype=np.int64)
    n_te = (g["induced"] + g["boosted"]).to_numpy(dtype=np.int64)
    n_base = g["has_base"].to_numpy(dtype=np.int64)
    n_base_pos = g["base_pos"].to_numpy(dtype=np.int64)
    z = z_two_sided(level)
    inc, lo, hi = _wilson_rate(n_te, n_eval, z)
    prev, plo, phi = _wilson_rate(n_base_pos, n_base, z)
    return TreatmentEmergentResult(
        arm=g.index.to_numpy(dtype=str),
        n_subjects=g["one"].to_numpy(dtype=np.int64),
        n_evaluable=n_eval,
        n_not_evaluable=(g["one"] - g["evaluable"]).to_numpy(dtype=np.int64),
        n_induced=g["induced"].to_numpy(dtype=np.int64),
        n_boosted=g["boosted"].to_numpy(dtype=np.int64),
        n_treatment_emergent=n_te,
        incidence=inc,
        ci_lower=lo,
        ci_upper=hi,
        n_baseline=n_base,
        n_baseline_positive=n_base_pos,
        prevalence=prev,
        prevalence_ci_lower=plo,
        prevalence_ci_upper=phi,
        n_any_visit_positive=g["any_visit"].to_numpy(dtype=np.int64),
        baseline=label,
        boost_fold=float(boost_fold),
        conf_level=level,
        result_column=result,
    )


def incidence_difference(
    incidence: IncidenceResult, *, reference_arm: str, method: str = "newcombe", conf: float = 0.95
) -> IncidenceDifferenceResult:
    """Difference in incidence of every other arm minus ``reference_arm``, timepoint by timepoint.

    Parameters
    ----------
    incidence : IncidenceResult
        From :func:`ada_incidence`, or ``TreatmentEmergentResult.as_incidence()``.
    reference_arm : str
        The arm subtracted (the reference product).
    method : {"newcombe", "newcombe-cc", "mn", "fm", "wald"}, default "newcombe"
        Interval of :func:`~bioparity.clinical.ci_difference`; a Wald interval with an arm at 0 or all
        positive is flagged (``degenerate``, :attr:`IncidenceDifferenceResult.notes`).
    conf : float, default 0.95
        Two-sided confidence level.

    Returns
    -------
    IncidenceDifferenceResult
        Per other arm and timepoint with evaluable subjects in both arms: incidences, difference and
        interval.

    Raises
    ------
    InputError
        For an unknown method or a reference arm not in the result.
    ScenarioError
        For a level outside (0, 1).

    References
    ----------
    Newcombe RG (1998) Stat Med 17:873-890.

    Examples
    --------
    >>> import pandas as pd
    >>> ada = pd.DataFrame({"USUBJID": list("1234"), "ARM": list("TTRR"), "VISIT": "WEEK 4",
    ...                     "ADA": ["POS", "POS", "NEG", "POS"]})
    >>> d = incidence_difference(ada_incidence(ada, overall=False), reference_arm="R")
    >>> d.arm.tolist(), float(d.diff[0]), round(float(d.ci_lower[0]), 4)
    (['T'], 0.5, -0.2726)
    """
    name = canonical_difference_method(method)
    frame = incidence.to_frame()
    if reference_arm not in set(frame["arm"]):
        raise InputError(
            f"reference arm {reference_arm!r} not found; arms are {', '.join(sorted(set(frame['arm'])))}"
        )
    ref = frame[frame["arm"] == reference_arm].set_index("timepoint")
    other = frame[(frame["arm"] != reference_arm) & frame["timepoint"].isin(ref.index)]
    other = other[other["n_evaluable"] > 0]
    ref_rows = ref.loc[other["timepoint"]]
    keep = (ref_rows["n_evaluable"] > 0).to_numpy()
    other, ref_rows = other[keep], ref_rows[keep]
    ci = ci_difference(
        other["n_positive"].to_numpy(),
        other["n_evaluable"].to_numpy(),
        ref_rows["n_positive"].to_numpy(),
        ref_rows["n_evaluable"].to_numpy(),
        method=name,
        conf=conf,
    )
    return IncidenceDifferenceResult(
        arm=other["arm"].to_numpy(dtype=str),
        reference_arm=reference_arm,
        timepoint=other["timepoint"].to_numpy(dtype=str),
        incidence=ci.p1,
        reference_incidence=ci.p2,
        diff=ci.diff,
        ci_lower=ci.ci_lower,
        ci_upper=ci.ci_upper,
        degenerate=ci.degenerate,
        conf_level=float(conf),
        method=name,
    )


def titre_summary(
    ada: pd.DataFrame,
    *,
    arm: str = "ARM",
    timepoint: str = "VISIT",
    result: str = "ADA",
    titre: str = "TITRE",
) -> TitreSummaryResult:
    """Titres of the positive samples per arm and timepoint (geometric mean, geometric CV%, median, range).

    A positive sample without a titre is an error (it cannot be summarised on the log scale), and so is any
    titre that is not a number >= 1 (:func:`titre_values`).

    Parameters
    ----------
    ada : pandas.DataFrame
        One row per sample, as for :func:`ada_incidence` (no subject column needed).
    arm, timepoint, result
        Column names, as in :func:`ada_incidence`.
    titre : str, default "TITRE"
        Name of the titre column (reciprocal dilutions >= 1; one for every positive sample).

    Returns
    -------
    TitreSummaryResult
        Per arm and timepoint with positive samples: count, geometric mean, geometric CV%, median and
        range of the titres.

    Raises
    ------
    InputError
        For a missing column, an unknown result code, or a positive sample without a titre (naming the
        row).
    DataFileError
        (an InputError) For a titre that is not a number >= 1 (:func:`titre_values`), naming the row
        and column.

    Examples
    --------
    >>> import pandas as pd
    >>> ada = pd.DataFrame({"ARM": "T", "VISIT": "WEEK 4", "ADA": ["POS", "POS", "NEG"],
    ...                     "TITRE": [40, 80, None]})
    >>> s = titre_summary(ada)
    >>> int(s.n[0]), round(float(s.geometric_mean[0]), 2), round(float(s.median[0]), 2)
    (2, 56.57, 56.57)
    """
    require_columns(ada.columns, [arm, timepoint, result, titre], file=None, context=" in the ADA table")
    positive = parse_result(ada[result], result) == 1.0
    values = titre_values(ada[titre], titre, LISTING)
    bad = positive.to_numpy() & np.isnan(values)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise InputError(
            f"column '{titre}', data row {row + 1}: positive sample with titre {ada[titre].iloc[row]!r}; "
            "expected a number >= 1 for every positive sample"
        )
    frame = pd.DataFrame(
        {"arm": ada[arm].astype(str), "timepoint": ada[timepoint].astype(str), "log_titre": np.log(values)}
    )[positive.to_numpy()]
    g = frame.groupby(["arm", "timepoint"], sort=False)["log_titre"]
    table = pd.DataFrame(
        {
            "n": g.count(),
            "mean": g.mean(),
            "sd": g.std(ddof=1),
            "median": g.median(),
            "min": g.min(),
            "max": g.max(),
        }
    ).reset_index()
    sd = table["sd"].to_numpy(dtype=float)
    return TitreSummaryResult(
        arm=table["arm"].to_numpy(dtype=str),
        timepoint=table["timepoint"].to_numpy(dtype=str),
        n=table["n"].to_numpy(dtype=np.int64),
        geometric_mean=np.exp(table["mean"].to_numpy(dtype=float)),
        geometric_cv_percent=100.0 * np.sqrt(np.expm1(sd**2)),
        median=np.exp(table["median"].to_numpy(dtype=float)),
        minimum=np.exp(table["min"].to_numpy(dtype=float)),
        maximum=np.exp(table["max"].to_numpy(dtype=float)),
        result_column=result,
        titre_column=titre,
    )


def exposure_by_ada(
    pp: pd.DataFrame,
    ada_status: pd.DataFrame,
    *,
    subject: str = "USUBJID",
    arm: str = "ARM",
    parameter: str = "PPTESTCD",
    value: str = "PPSTRESN",
    status: str = "ADA",
    conf: float = 0.90,
) -> ExposureByADAResult:
    """Ratio of geometric means (ADA-positive / ADA-negative) of each PK parameter within each arm.

    ``pp`` is the NCA result in CDISC PP form; ``ada_status`` has one row per subject with its overall
    ADA status. Subjects without a status are an error (every dosed subject needs a status); groups with
    fewer than 2 subjects in either status give NaN ratio limits.

    Parameters
    ----------
    pp : pandas.DataFrame
        PK parameters, one row per subject and parameter (CDISC PP).
    ada_status : pandas.DataFrame
        One row per subject with its overall ADA status (codes as for :func:`ada_incidence`).
    subject, arm : str, default "USUBJID", "ARM"
        Subject and arm columns (``subject`` in both tables).
    parameter, value : str, default "PPTESTCD", "PPSTRESN"
        Parameter code and numeric value columns of ``pp``.
    status : str, default "ADA"
        Status column of ``ada_status``.
    conf : float, default 0.90
        Two-sided level of the interval of each ratio.

    Returns
    -------
    ExposureByADAResult
        Per arm and parameter: group sizes, geometric means, their ratio and its interval.

    Raises
    ------
    InputError
        For a missing column, a subject listed twice in ``ada_status``, an unknown status code, or a
        subject of ``pp`` without a status.

    Warns
    -----
    BioparityWarning
        When PK values are missing or <= 0 (counted in ``n_excluded``).

    References
    ----------
    EMA, Guideline on immunogenicity assessment of therapeutic proteins, EMEA/CHMP/BMWP/14327/2006 Rev 1
    (2017) (impact of ADA on pharmacokinetics).

    Examples
    --------
    >>> import pandas as pd
    >>> pp = pd.DataFrame({"USUBJID": list("123456"), "ARM": "T", "PPTESTCD": "AUCIFO",
    ...                    "PPSTRESN": [100, 120, 80, 60, 70, 90]})
    >>> status = pd.DataFrame({"USUBJID": list("123456"), "ADA": ["NEG"] * 3 + ["POS"] * 3})
    >>> round(float(exposure_by_ada(pp, status).ratio[0]), 4)
    0.7329
    """
    require_columns(pp.columns, [subject, arm, parameter, value], file=None, context=" in the PP table")
    require_columns(ada_status.columns, [subject, status], file=None, context=" in the ADA status table")
    level = float(check_conf(conf))
    st = ada_status[[subject, status]].copy()
    st[subject] = st[subject].astype(str)
    if st[subject].duplicated().any():
        dup = st.loc[st[subject].duplicated(), subject].iloc[0]
        raise InputError(f"the ADA status table has more than one row for subject {dup!r}; expected one")
    st["positive"] = parse_result(st[status], status)
    frame = pp[[subject, arm, parameter, value]].copy()
    frame[subject] = frame[subject].astype(str)
    merged = frame.merge(st[[subject, "positive"]], on=subject, how="left")
    no_status = merged["positive"].isna()
    if no_status.any():
        who = sorted(set(merged.loc[no_status, subject]))[:5]
        raise InputError(
            f"no ADA status for subject(s) {', '.join(who)}; expected a POS/NEG status for every subject in "
            "the PP table"
        )
    numbers = pd.to_numeric(merged[value], errors="coerce")
    usable = numbers > 0
    merged["log_value"] = np.log(numbers.where(usable))
    merged["usable"] = usable
    keys = [arm, parameter]
    excluded = (~merged["usable"]).groupby([merged[k] for k in keys], sort=False).sum()
    if excluded.sum() > 0:
        warnings.warn(
            f"{int(excluded.sum())} PK value(s) missing or <= 0 cannot enter geometric means and were "
            "excluded; see n_excluded per arm and parameter",
            BioparityWarning,
            stacklevel=2,
        )
    use = merged[merged["usable"]]
    stats = (
        use.groupby([*keys, "positive"], sort=False)["log_value"]
        .agg(["count", "mean", "std"])
        .unstack("positive")
    )
    index = excluded.index
    stats = stats.reindex(index)

    def col(name: str, flag: float) -> FloatArray:
        key = (name, flag)
        return stats[key].to_numpy(dtype=float) if key in stats.columns else np.full(len(index), np.nan)

    n_pos = np.nan_to_num(col("count", 1.0)).astype(np.int64)
    n_neg = np.nan_to_num(col("count", 0.0)).astype(np.int64)
    m_pos, m_neg = col("mean", 1.0), col("mean", 0.0)
    s_pos, s_neg = col("std", 1.0), col("std", 0.0)
    lower = np.full(len(index), np.nan)
    upper = np.full(len(index), np.nan)
    ok = (n_pos >= 2) & (n_neg >= 2) & ((n_pos + n_neg) >= 3)
    if ok.any():
        ci = ci_mean_difference(
            m_pos[ok], s_pos[ok], n_pos[ok], m_neg[ok], s_neg[ok], n_neg[ok], method="pooled", conf=level
        )
        lower[ok] = np.exp(ci.ci_lower)
        upper[ok] = np.exp(ci.ci_upper)
    frame_index = index.to_frame(index=False)
    return ExposureByADAResult(
        arm=frame_index[arm].to_numpy(dtype=str),
        parameter=frame_index[parameter].to_numpy(dtype=str),
        n_positive=n_pos,
        n_negative=n_neg,
        n_excluded=np.asarray(excluded.to_numpy(), dtype=np.int64),
        gm_positive=np.exp(m_pos),
        gm_negative=np.exp(m_neg),
        ratio=np.exp(m_pos - m_neg),
        ci_lower=lower,
        ci_upper=upper,
        conf_level=level,
    )
