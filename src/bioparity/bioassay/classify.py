"""A sample's ADA status from validated cut points (tiered testing), for the immunogenicity summaries.

Screening: positive when the signal is at or above the screening cut point; with a floating cut point
and the plate's negative control ``nc``, the plate cut point is ``nc * exp(NF)`` (additive NF on the log
scale), ``nc * NF`` (multiplicative) or ``nc + NF`` (additive on the raw scale), by the rule the result
stores (``normalization``; Shankar et al. 2008, Appendix 1 section 5, section number not verified here).
Confirmation: a screen-positive sample is ADA positive when its % inhibition by excess drug is at or above
the confirmatory cut point (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, section 2; FDA 2019 ADA
guidance, section III; section numbers not verified here, and :mod:`bioparity.bioassay.cutpoint` cites
section 3.2 of Shankar 2008 for the same). The
``status`` column uses the ``POS``/``NEG`` codes of ``bioparity.clinical.immunogenicity``;
``cut_point_run`` records which cut-point analysis was applied (provenance).

The validated cut points come either from a :class:`~bioparity.bioassay.results.CutPointResult` or from
the results table that ``bioparity ada-cutpoint --out`` (or the workspace's ``ada-cutpoint`` kind) writes,
read back with :func:`validated_cut_points`; :func:`ada_status` classifies a clinical listing (one row per
subject and visit) for the immunogenicity summaries.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import pandas as pd

from bioparity.bioassay.cutpoint import CUT_POINT_TYPES, DYNAMIC_TYPES, NORMALIZATIONS, inhibition
from bioparity.errors import DataFileError, InputError
from bioparity.i18n.notes import note_template


class CutPointLike(Protocol):
    """What classification needs of a validated cut point (a ``CutPointResult`` or a
    :class:`ValidatedCutPoint`)."""

    @property
    def tier(self) -> str: ...
    @property
    def cut_point(self) -> float: ...
    @property
    def cut_point_type(self) -> str: ...
    @property
    def normalization(self) -> str: ...
    @property
    def normalization_factor(self) -> float: ...


@dataclass(frozen=True)
class ValidatedCutPoint:
    """The reported cut point of one tier as a cut-point results table stores it (see
    :func:`validated_cut_points`).

    Attributes
    ----------
    tier : str
        ``screening``, ``confirmatory`` or ``titration``.
    cut_point : float
        Reported cut point on the data scale (signal units; % inhibition for the confirmatory tier).
    method : str
        Estimate reported (``parametric``, ``robust``, ``nonparametric`` or ``parametric_lcl``).
    fpr : float
        Target false-positive rate of the tier.
    cut_point_type : str
        ``fixed``, ``floating``, ``dynamic`` or ``floating (variances differ)`` (an earlier version's
        word for ``dynamic``).
    normalization : str
        ``none``, ``additive on log scale``, ``multiplicative`` or ``additive`` (raw scale, ``NC + NF``).
    normalization_factor : float
        Normalisation factor of a floating cut point (NaN when none was estimated).
    """

    tier: str
    cut_point: float
    method: str
    fpr: float
    cut_point_type: str
    normalization: str
    normalization_factor: float


# Refusals of a cut-point result applied to assay data (:func:`with_validated_cut_point`).
CUT_POINT_GIVEN_TWICE = note_template(
    "the data give each run's cut point in a 'cut_point' column and a cut-point result was given too: give "
    "one or the other"
)
#: Refusals of a dynamic screening cut point (run variances differed in the validation) applied to assay
#: data (curves, wells) or to a clinical listing: no one value or normalisation factor holds for every run
#: (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1 section 3): never applied as fixed or
#: floating.
DYNAMIC_FOR_RUNS = note_template(
    "the validated screening cut point is dynamic (run variances differed in the cut-point validation, "
    "Shankar et al. 2008, Appendix 1 section 3): no one cut point or normalisation factor holds for every "
    "run; give each run's own cut point, from that run's negative samples, in a 'cut_point' column instead "
    "of the cut-point result"
)
DYNAMIC_FOR_LISTING = note_template(
    "the validated screening cut point is dynamic (run variances differed in the cut-point validation, "
    "Shankar et al. 2008, Appendix 1 section 3): no one cut point or normalisation factor holds for every "
    "run; judge each sample at its own run's cut point (from that run's negative samples) and give the "
    "listing's ADA status column instead of the cut points"
)
NO_NORMALISATION_FACTOR = note_template(
    "the validated screening cut point is {type} but its result has no normalisation factor (the cut-point "
    "data had no negative control 'nc'): give each run's cut point in a 'cut_point' column"
)
FLOATING_NEEDS_NC = note_template(
    "the validated screening cut point floats (each run's cut point from its negative control and the "
    "normalisation factor: NC x NF, NC x exp(NF) on the log scale, NC + NF when additive): the data need "
    "each run's negative control in an 'nc' column"
)

#: Refusals of a floating screening cut point applied to a clinical listing (:func:`ada_status`): without the
#: plate's negative control the validation set's cut point would stand for every plate, silently.
LISTING_NEEDS_NC = note_template(
    "the validated screening cut point floats (each plate's cut point from its negative control and the "
    "normalisation factor: NC x NF, NC x exp(NF) on the log scale, NC + NF when additive): the listing needs "
    "each sample's plate negative control in its {column} column"
)
LISTING_NO_FACTOR = note_template(
    "the validated screening cut point is {type} but its result has no normalisation factor (the cut-point "
    "data had no negative control 'nc'): no plate's cut point can be computed from its negative control"
)
NO_USABLE_NC = note_template("no usable negative control")
LISTING_NC_PER_SAMPLE = note_template(
    "the plate negative control of an analysed sample, a number > 0 (the screening cut point floats)"
)

#: A reported row's cut point type or normalisation that is not one ``bioparity ada-cutpoint`` writes (an
#: edited file: ``Floating`` was read as fixed, ``Additive on log scale`` as multiplicative).
UNKNOWN_TYPE = note_template("not a cut point type that 'bioparity ada-cutpoint' writes")
UNKNOWN_NORMALISATION = note_template("not a normalisation that 'bioparity ada-cutpoint' writes")

#: Columns a cut-point results table must have (those of ``CutPointResult.to_frame``).
RESULT_COLUMNS = ("tier", "selected", "cut_point", "method", "fpr", "cut_point_type")


def _is_selected(value: Any) -> bool:
    return value is True or str(value).strip().lower() in ("true", "1", "1.0", "yes")


def _table_error(
    problem: str, file: str | None, row: int | None = None, column: str | None = None, **kw: Any
) -> DataFileError:
    return DataFileError(
        problem,
        file=file or "cut-point results",
        row=row,
        line=None if row is None else row + 1,
        column=column,
        expected=kw.get("expected", "a results table written by 'bioparity ada-cutpoint --out'"),
        value=kw.get("value"),
    )


def validated_cut_points(table: pd.DataFrame, *, file: str | None = None) -> dict[str, ValidatedCutPoint]:
    """The reported cut point of each tier from a cut-point results table (one row per tier and
    estimate; ``selected`` marks the reported one).

    Parameters
    ----------
    table : pandas.DataFrame
        The table ``bioparity ada-cutpoint --out`` writes (``CutPointResult.to_frame`` of each tier).
    file : str or None, default None
        File name for the error messages.

    Returns
    -------
    dict of str to ValidatedCutPoint
        Tier -> its reported cut point, in the table's order; always with ``screening``.

    Raises
    ------
    DataFileError
        When a column is missing, a tier has no or several selected rows, a selected cut point is not a
        finite number, a selected row's cut point type or normalisation is not one that
        :func:`bioparity.bioassay.compute_cut_point` states (:data:`~bioparity.bioassay.cutpoint.
        CUT_POINT_TYPES`, :data:`~bioparity.bioassay.cutpoint.NORMALIZATIONS`: an edited word was read as
        another type), or there is no screening tier (naming the file, row and column).

    References
    ----------
    Shankar G. et al. (2008), J Pharm Biomed Anal 48:1267, section 2 (tiered testing).

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"tier": ["screening", "screening"], "selected": [True, False],
    ...     "cut_point": [1.21, 1.21], "method": ["parametric", "parametric"], "fpr": [0.05, 0.05],
    ...     "cut_point_type": ["fixed", "fixed"]})
    >>> validated_cut_points(table)["screening"].cut_point
    1.21
    """
    missing = [c for c in RESULT_COLUMNS if c not in table.columns]
    if missing:
        raise _table_error(f"missing column(s) {', '.join(missing)}", file)
    out: dict[str, ValidatedCutPoint] = {}
    for i, r in enumerate(table.reset_index(drop=True).to_dict("records")):
        if not _is_selected(r["selected"]):
            continue
        tier = str(r["tier"]).strip()
        if tier in out:
            raise _table_error(f"tier {tier!r} has two selected (reported) rows", file, i + 1, "selected")
        # the cells may be text as written in the file (blank = ""), or typed in a stored table (blank = NaN)
        value, fpr = (pd.to_numeric(pd.Series([r[c]]), errors="coerce").iloc[0] for c in ("cut_point", "fpr"))
        for number, column, what in (
            (value, "cut_point", "reported cut point"),
            (fpr, "fpr", "false-positive rate"),
        ):
            if not math.isfinite(number):
                raise _table_error(f"the {what} is not a number", file, i + 1, column, value=r[column])
        factor = pd.to_numeric(pd.Series([r.get("normalization_factor")]), errors="coerce").iloc[0]
        normalization = r.get("normalization")
        blank = normalization is None or pd.isna(normalization) or not str(normalization).strip()
        for column, words, given, problem in (
            ("cut_point_type", CUT_POINT_TYPES, r["cut_point_type"], UNKNOWN_TYPE),
            ("normalization", NORMALIZATIONS, "none" if blank else normalization, UNKNOWN_NORMALISATION),
        ):
            if str(given) not in words:
                raise _table_error(problem, file, i + 1, column, value=given, expected=", ".join(words))
        out[tier] = ValidatedCutPoint(
            tier=tier,
            cut_point=float(value),
            method=str(r["method"]),
            fpr=float(fpr),
            cut_point_type=str(r["cut_point_type"]),
            normalization="none" if blank else str(normalization),
            normalization_factor=float(factor),
        )
    if "screening" not in out:
        raise _table_error(
            "no reported screening cut point (a row with tier screening and selected true)", file
        )
    return out


def refuse_dynamic(screening: CutPointLike, refusal: str) -> None:
    """Refuse a dynamic screening cut point (:data:`~bioparity.bioassay.cutpoint.DYNAMIC_TYPES`) applied as
    one cut point, with ``refusal`` (:data:`DYNAMIC_FOR_RUNS` or :data:`DYNAMIC_FOR_LISTING`: what to give
    instead).

    Examples
    --------
    >>> cp = ValidatedCutPoint("screening", 1.3, "parametric", 0.05, "dynamic", "none", float("nan"))
    >>> refuse_dynamic(cp, DYNAMIC_FOR_RUNS)
    Traceback (most recent call last):
    ...
    bioparity.errors.InputError: the validated screening cut point is dynamic (run variances differed ...
    """
    if screening.cut_point_type in DYNAMIC_TYPES:
        raise InputError(refusal)


def _plate_cut_point(result: CutPointLike, nc: np.ndarray | None) -> np.ndarray | float:
    refuse_dynamic(result, DYNAMIC_FOR_LISTING)
    if (
        result.cut_point_type.startswith("floating")
        and nc is not None
        and not math.isnan(result.normalization_factor)
    ):
        if result.normalization == "additive on log scale":
            return nc * math.exp(result.normalization_factor)
        if result.normalization == "additive":  # on the raw scale: NC + NF (Shankar 2008, App. 1 sec. 5)
            return nc + result.normalization_factor
        return nc * result.normalization_factor
    return result.cut_point


def with_validated_cut_point(
    frame: pd.DataFrame, screening: CutPointLike
) -> tuple[pd.DataFrame, float | None]:
    """Assay data (positive-control curves, drug-tolerance wells) and the cut point to read them at, from
    the validated screening cut point of an ``ada-cutpoint`` result.

    A floating cut point (``cut_point_type`` ``floating...`` with a normalisation factor) gives each row
    the cut point of its run from the run's negative control ``nc``: ``nc exp(NF)`` (additive on the log
    scale), ``nc NF`` (multiplicative) or ``nc + NF`` (additive on the raw scale), by the result's stored
    ``normalization``, as :func:`classify_samples` computes a plate's cut point (Shankar
    et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1 section 5; FDA 2019 ADA guidance, section IV.B):
    the frame is returned with that ``cut_point`` column (``nc`` dropped) and ``None``. A fixed cut point
    is returned as the number for every run (``nc``, not needed, dropped).

    Parameters
    ----------
    frame : pandas.DataFrame
        The data, with ``run`` and ``nc`` (one negative control per run) for a floating cut point; no
        ``cut_point`` column (the cut point would be given twice).
    screening : CutPointResult or ValidatedCutPoint
        The validated screening cut point (:func:`validated_cut_points` of the results file).

    Returns
    -------
    tuple of (pandas.DataFrame, float or None)
        The data to analyse and the one cut point (None: each run's own in the ``cut_point`` column).

    Raises
    ------
    InputError
        When the cut point is not of the screening tier, the data have a ``cut_point`` column already, the
        cut point is dynamic (:func:`refuse_dynamic`), or the cut point floats and the result has no
        normalisation factor or the data no ``nc`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> cp = ValidatedCutPoint("screening", 1.3, "parametric", 0.05, "floating", "multiplicative", 1.25)
    >>> data, one = with_validated_cut_point(pd.DataFrame({"run": ["R1", "R2"], "nc": [100.0, 120.0]}), cp)
    >>> data["cut_point"].tolist(), one
    ([125.0, 150.0], None)
    """
    if screening.tier != "screening":
        raise InputError(f"the cut-point result's reported tier is {screening.tier!r}, not screening")
    if "cut_point" in frame.columns:
        raise InputError(CUT_POINT_GIVEN_TWICE)
    refuse_dynamic(screening, DYNAMIC_FOR_RUNS)
    if not screening.cut_point_type.startswith("floating"):
        return frame.drop(columns=["nc"], errors="ignore"), float(screening.cut_point)
    if math.isnan(screening.normalization_factor):
        raise InputError(NO_NORMALISATION_FACTOR.format(type=screening.cut_point_type))
    if "nc" not in frame.columns:
        raise InputError(FLOATING_NEEDS_NC)
    own = _plate_cut_point(screening, frame["nc"].to_numpy(float))
    return frame.drop(columns=["nc"]).assign(cut_point=own), None


def classify_samples(
    samples: pd.DataFrame,
    screening: CutPointLike,
    confirmatory: CutPointLike | None = None,
    *,
    cut_point_run: str = "",
) -> pd.DataFrame:
    """``samples`` has ``sample``, ``signal`` [, ``signal_drug``, ``nc``]; one row per sample out.

    Parameters
    ----------
    samples : pandas.DataFrame
        Study samples: ``sample`` and ``signal``, ``signal_drug`` (signal with excess drug; required
        with ``confirmatory``) and optionally ``nc`` (the plate's negative control, for a floating
        screening cut point).
    screening : CutPointResult or ValidatedCutPoint
        The validated screening cut point (tier ``screening``); when it floats and ``nc`` is given,
        the plate cut point is ``nc exp(NF)`` or ``nc NF``.
    confirmatory : CutPointResult or ValidatedCutPoint or None, default None
        The validated confirmatory cut point (tier ``confirmatory``, % inhibition); ``None`` reports
        the screening result only.
    cut_point_run : str, default ""
        Identifier of the cut-point analysis applied, copied into every row (provenance).

    Returns
    -------
    pandas.DataFrame
        One row per sample: ``sample``, ``signal``, ``screening_cut_point``, ``screen_positive``,
        then ``inhibition`` (%) and ``confirmatory_cut_point`` when confirmed, or ``note`` when
        screened only; ``status`` (``POS``/``NEG``) and ``cut_point_run``.

    Raises
    ------
    InputError
        When a cut point has the wrong tier or a required column is missing, the screening cut point is
        dynamic (:func:`refuse_dynamic`), or it floats and its result has no normalisation factor or the
        samples no ``nc`` (the validation set's cut point would stand for every plate).
    """
    if screening.tier != "screening":
        raise InputError(f"the screening cut point has tier {screening.tier!r}")
    if confirmatory is not None and confirmatory.tier != "confirmatory":
        raise InputError(f"the confirmatory cut point has tier {confirmatory.tier!r}")
    for col in ("sample", "signal"):
        if col not in samples.columns:
            raise InputError(f"samples need a '{col}' column")
    signal = samples["signal"].to_numpy(float)
    if screening.cut_point_type == "floating":  # never the validation set's value for every plate, silently
        if math.isnan(screening.normalization_factor):
            raise InputError(LISTING_NO_FACTOR.format(type=screening.cut_point_type))
        if "nc" not in samples.columns:
            raise InputError(FLOATING_NEEDS_NC)
    nc = samples["nc"].to_numpy(float) if "nc" in samples.columns else None
    cp = _plate_cut_point(screening, nc)
    screen_pos = signal >= cp
    out = pd.DataFrame(
        {
            "sample": samples["sample"].astype(str),
            "signal": signal,
            "screening_cut_point": np.broadcast_to(cp, signal.shape).astype(float),
            "screen_positive": screen_pos,
        }
    )
    if confirmatory is not None:
        if "signal_drug" not in samples.columns:
            raise InputError("confirmation needs a 'signal_drug' column")
        inh = inhibition(signal, samples["signal_drug"].to_numpy(float))
        confirmed = screen_pos & (inh >= confirmatory.cut_point)
        out["inhibition"] = inh
        out["confirmatory_cut_point"] = confirmatory.cut_point
        out["status"] = np.where(confirmed, "POS", "NEG")
    else:
        out["status"] = np.where(screen_pos, "POS", "NEG")
        out["note"] = "screening only (not confirmed)"
    out["cut_point_run"] = cut_point_run
    return out


def _numbers(listing: pd.DataFrame, column: str, file: str | None) -> np.ndarray:
    """A listing column as numbers (blank = missing); text that is not a number names its row."""
    text = listing[column].astype(str).str.strip()
    blank = listing[column].isna() | text.isin(["", "nan", "NA"])
    values = pd.to_numeric(text.where(~blank), errors="coerce")
    bad = values.isna() & ~blank
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataFileError(
            "not a number", file=file or "ADA listing", row=i + 1, line=i + 2, column=column,
            value=listing[column].iloc[i], expected="a signal (number) or a blank cell (sample not analysed)",
        )  # fmt: skip
    result: np.ndarray = values.to_numpy(dtype=float)
    return result


def _floats(screening: CutPointLike, nc: str, columns: Collection[Any], file: str | None) -> bool:
    """Whether each sample's plate cut point comes from its negative control (a floating screening cut point
    with its normalisation factor); a floating one without the factor or a listing without ``nc`` is refused
    (the validation set's cut point must not stand for every plate); a dynamic one is refused."""
    refuse_dynamic(screening, DYNAMIC_FOR_LISTING)
    if not screening.cut_point_type.startswith("floating"):
        return False
    if math.isnan(screening.normalization_factor):
        raise InputError(LISTING_NO_FACTOR.format(type=screening.cut_point_type))
    if nc not in columns:
        raise DataFileError(LISTING_NEEDS_NC.format(column=nc), file=file or "ADA listing")
    return True


def ada_status(
    listing: pd.DataFrame,
    cut_points: Mapping[str, CutPointLike],
    *,
    cut_point_run: str,
    result: str = "ADA",
    signal: str = "SIGNAL",
    signal_drug: str = "SIGNAL_DRUG",
    nc: str = "NC",
    file: str | None = None,
) -> pd.DataFrame:
    """A clinical ADA listing with each sample's status from the validated cut points (tiered testing).

    A sample is ADA positive when its signal is at or above the screening cut point (the plate cut point
    ``NC exp(NF)`` or ``NC NF`` of a floating cut point when the listing has the plate's negative control)
    and its % inhibition by excess drug is at or above the confirmatory cut point; otherwise negative. A
    blank signal leaves the status blank (sample not analysed). The listing gets the ``result`` column
    (``POS``/``NEG``) and ``<result>_CUT_POINT_RUN`` (provenance: which cut-point analysis was applied).

    Parameters
    ----------
    listing : pandas.DataFrame
        One row per subject and visit (e.g. ``USUBJID, ARM, VISIT``) with the screening ``signal`` and,
        for screen-positive samples, the ``signal_drug`` of the confirmatory assay; optionally ``nc``.
    cut_points : mapping of str to CutPointResult or ValidatedCutPoint
        Tier -> validated cut point; ``screening`` and ``confirmatory`` are required.
    cut_point_run : str
        Identifier of the cut-point analysis (e.g. its results file and SHA-256, or a workspace run id).
    result : str, default "ADA"
        Name of the status column written; it must not be in the listing already.
    signal, signal_drug, nc : str, default "SIGNAL", "SIGNAL_DRUG", "NC"
        Column names of the screening signal, the signal with excess drug and the negative control.
    file : str or None, default None
        File name for the error messages.

    Returns
    -------
    pandas.DataFrame
        The listing (rows and columns unchanged) with ``result`` and ``<result>_CUT_POINT_RUN`` added.

    Raises
    ------
    InputError
        When the confirmatory cut point is missing or the listing already has the ``result`` column.
    DataFileError
        When a signal column is missing, a signal is not a number, or a screen-positive sample has no
        signal with drug (naming the row and column).

    References
    ----------
    Shankar G. et al. (2008), J Pharm Biomed Anal 48:1267, section 2; FDA, Immunogenicity Testing of
    Therapeutic Protein Products - Developing and Validating Assays for Anti-Drug Antibody Detection,
    2019, section III (tiered testing: screen, confirm).

    Examples
    --------
    >>> import pandas as pd
    >>> cps = {t: ValidatedCutPoint(t, cp, "parametric", fpr, "fixed", "none", float("nan"))
    ...        for t, cp, fpr in (("screening", 1.2, 0.05), ("confirmatory", 20.0, 0.01))}
    >>> listing = pd.DataFrame({"USUBJID": ["1", "1", "2"], "VISIT": ["BASELINE", "WEEK 4", "WEEK 4"],
    ...                         "SIGNAL": [0.9, 2.0, 2.0], "SIGNAL_DRUG": ["", 0.5, 1.9]})
    >>> ada_status(listing, cps, cut_point_run="cp-2026")["ADA"].tolist()
    ['NEG', 'POS', 'NEG']
    """
    if "confirmatory" not in cut_points:
        raise InputError(
            "ADA status needs the confirmatory cut point as well (tiered testing: a screen-positive sample "
            "is ADA positive only when confirmed); run the cut-point analysis with a confirmatory FPR"
        )
    if result in listing.columns:
        raise InputError(
            f"the listing already has a {result!r} column: the status would be derived from the cut points; "
            "drop that column or leave the cut points out"
        )
    for column in (signal, signal_drug):
        if column not in listing.columns:
            raise DataFileError(
                f"missing column {column!r} for the ADA status from cut points", file=file or "ADA listing",
                expected=f"columns {signal} (screening signal) and {signal_drug} (signal with excess drug)",
            )  # fmt: skip
    sig = _numbers(listing, signal, file)
    drug = _numbers(listing, signal_drug, file)
    analysed = ~np.isnan(sig)
    samples = pd.DataFrame({"sample": np.flatnonzero(analysed).astype(str), "signal": sig[analysed]})
    if _floats(cut_points["screening"], nc, listing.columns, file):
        controls = _numbers(listing, nc, file)
        unusable = analysed & ~(controls > 0)  # blank (NaN) or <= 0 on a sample that was analysed
        if unusable.any():
            i = int(np.flatnonzero(unusable)[0])
            raise DataFileError(
                NO_USABLE_NC, file=file or "ADA listing", row=i + 1, line=i + 2, column=nc,
                value=listing[nc].iloc[i], expected=LISTING_NC_PER_SAMPLE,
            )  # fmt: skip
        samples["nc"] = controls[analysed]
    screen = classify_samples(samples, cut_points["screening"])["screen_positive"].to_numpy(bool)
    missing = np.isnan(drug[analysed]) & screen
    if missing.any():
        i = int(np.flatnonzero(analysed)[np.flatnonzero(missing)[0]])
        raise DataFileError(
            "screen-positive sample without a signal with drug", file=file or "ADA listing", row=i + 1,
            line=i + 2, column=signal_drug, value="",
            expected="the confirmatory assay's signal with excess drug",
        )  # fmt: skip
    samples["signal_drug"] = np.where(screen, drug[analysed], samples["signal"])  # negatives: not confirmed
    status = classify_samples(samples, cut_points["screening"], cut_points["confirmatory"])["status"]
    out = listing.copy()
    statuses = np.full(len(listing), "", dtype=object)
    statuses[analysed] = status.to_numpy()
    out[result] = statuses
    out[f"{result}_CUT_POINT_RUN"] = cut_point_run
    return out
