"""Drug tolerance: the highest drug level at which a given ADA level is still detected.

A sample (ADA level, drug level) is detected when its mean signal is at or above the screening cut
point (FDA 2019 ADA guidance, section IV.D "Drug tolerance"; Shankar et al. 2008, section 3.5). For each
ADA level the tolerance is the highest tested drug level at which that level and every lower drug level
are detected (a non-monotone pattern is flagged in the notes, never smoothed).

A **floating** screening cut point differs between runs (the run's negative control times the normalisation
factor, NC x exp(factor) on the log scale, or NC plus the factor when the stored ``normalization`` is
``additive``: Shankar et al. 2008, Appendix 1 section 5; FDA 2019 ADA
guidance, section IV.B), so, as in :func:`bioparity.bioassay.sensitivity`, the data then give each run's own
cut point in a ``cut_point`` column (one per run, with the ``run`` column) and each run's wells are judged
at their run's cut point: replicate wells are averaged within their run, and a sample (ADA level, drug
level) tested in several runs is detected only when it is detected in every one of them (a disagreement
is a note). One cut point for data that carry each run's negative control ``nc`` is refused (it would
judge the wells at the wrong signal). With one cut point (fixed) the wells of a sample are averaged
whatever their run, as before.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from bioparity.bioassay.results import DrugToleranceResult
from bioparity.bioassay.sensitivity import FIXED, checked_concentration_unit, run_cut_points
from bioparity.errors import InputError, require_columns
from bioparity.i18n.notes import note_template

# The notes per ADA level (templates: see bioparity.i18n.notes).
NOT_DETECTED = note_template("ADA level {ada:g}: not detected at the lowest drug level {drug:g}")
DETECTED_THROUGHOUT = note_template(
    "ADA level {ada:g}: detected at every drug level tested (tolerance >= {drug:g})"
)
NON_MONOTONE = note_template("ADA level {ada:g}: detected again above drug level {drug:g} (non-monotone)")
#: A sample judged in several runs at their own (floating) cut points, detected in some only.
RUNS_DISAGREE = note_template(
    "ADA level {ada:g}, drug level {drug:g}: detected in {k:d} of {n:d} runs at their own cut points; "
    "counted as not detected"
)
NEEDS_RUN = note_template(
    "drug tolerance data with each run's 'cut_point' or negative control 'nc' need the 'run' column"
)


def drug_tolerance(
    frame: pd.DataFrame,
    cut_point: float | None = None,
    *,
    ada_unit: str = "ng/mL",
    drug_unit: str = "ug/mL",
    unit_sources: tuple[str, str] = ("ada_unit", "drug_unit"),
) -> DrugToleranceResult:
    """``frame`` has ``ada_level``, ``drug_level`` (>= 0, include 0 = no drug) and ``signal``.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per well: ``ada_level`` (positive-control antibody concentration), ``drug_level``
        (drug concentration, >= 0; include 0) and ``signal``; replicate wells are averaged. Optionally
        ``run`` with ``cut_point`` (each run's own screening cut point, one per run: a floating cut point)
        or ``nc`` (each run's negative control).
    cut_point : float or None, default None
        Screening cut point (signal units) for every well; a mean signal at or above it is detected.
        None when ``frame`` has each run's ``cut_point`` (module docstring); refused when ``frame`` gives
        the runs' ``nc`` (a floating cut point: FDA 2019 ADA guidance, section IV.B).
    ada_unit : str, default "ng/mL"
        Unit of ``ada_level`` (the positive control's concentration; FDA 2019 ADA guidance states it in
        ng/mL), written beside every ADA level.
    drug_unit : str, default "ug/mL"
        Unit of ``drug_level`` and so of the tolerance (a therapeutic antibody's serum levels are usually
        in ug/mL), written beside every drug level. Both are checked as
        :func:`bioparity.bioassay.sensitivity.checked_concentration_unit` checks a unit.
    unit_sources : tuple of str, default ("ada_unit", "drug_unit")
        Where each unit was given, as a refusal or note names it (``--ada-unit``, ``--drug-unit``).

    Returns
    -------
    DrugToleranceResult
        Per ADA level, the highest drug level up to which it is detected, the units, and the notes.

    Raises
    ------
    InputError
        When a column is missing, a drug level is negative, a unit is not a concentration unit, the cut
        point is given both as a number and per run (or neither), a run has two cut points, or the runs
        carry their own ``nc`` with one cut point.

    References
    ----------
    FDA, Immunogenicity Testing of Therapeutic Protein Products - Developing and Validating Assays for
    Anti-Drug Antibody Detection, 2019, section IV.D; Shankar G. et al. (2008), J Pharm Biomed Anal
    48:1267, section 3.5.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"ada_level": [100] * 4 + [500] * 4, "drug_level": [0, 1, 10, 100] * 2,
    ...                       "signal": [80, 60, 30, 20, 300, 200, 90, 40]})
    >>> drug_tolerance(frame, cut_point=50).drug_tolerance.tolist()
    [1.0, 10.0]
    """
    need = ["ada_level", "drug_level", "signal"]
    require_columns(frame.columns, need, file=None, context=" in the drug tolerance data")
    if (frame["drug_level"].astype(float) < 0).any():
        raise InputError("drug levels must be >= 0")
    units = [
        checked_concentration_unit(u, w) for u, w in zip((ada_unit, drug_unit), unit_sources, strict=True)
    ]
    notes = [note for _unit, note in units if note is not None]
    per_run = bool({"cut_point", "nc"} & set(frame.columns))
    if per_run and "run" not in frame.columns:
        raise InputError(NEEDS_RUN)
    data = frame.assign(run=frame["run"].astype(str)) if "run" in frame.columns else frame.assign(run="")
    own, kind = run_cut_points(data, cut_point)
    if kind == FIXED:  # one cut point: the wells of a sample averaged whatever their run
        means = data.groupby(["ada_level", "drug_level"], sort=True)["signal"].mean().reset_index()
        means["detected"] = means["signal"].to_numpy(float) >= float(own[str(data["run"].iloc[0])])
    else:
        means = _detected_in_every_run(data, own, notes)
    levels, tol, allv = [], [], []
    for ada, g in means.groupby("ada_level", sort=True):
        drug = g["drug_level"].to_numpy(float)
        det = g["detected"].to_numpy(bool)
        levels.append(float(ada))  # type: ignore[arg-type]
        if not det[0]:
            tol.append(math.nan)
            notes.append(NOT_DETECTED.format(ada=ada, drug=drug[0]))
            allv.append(False)
            continue
        first_miss = int(np.argmin(det)) if not det.all() else det.size
        tol.append(float(drug[first_miss - 1]))
        allv.append(bool(det.all()))
        if det.all():
            notes.append(DETECTED_THROUGHOUT.format(ada=ada, drug=drug[-1]))
        elif det[first_miss:].any():
            notes.append(NON_MONOTONE.format(ada=ada, drug=drug[first_miss]))
    return DrugToleranceResult(
        ada_levels=np.asarray(levels),
        drug_tolerance=np.asarray(tol),
        detected_at_all_levels=np.asarray(allv),
        cut_point=float(cut_point) if cut_point is not None and kind == FIXED else math.nan,
        notes=tuple(notes),
        ada_unit=units[0][0],
        drug_unit=units[1][0],
        cut_point_type=kind,
        run_cut_points="" if kind == FIXED else "; ".join(f"{r} {c:g}" for r, c in sorted(own.items())),
    )


def _detected_in_every_run(data: pd.DataFrame, own: dict[str, float], notes: list[str]) -> pd.DataFrame:
    """Per ADA and drug level, detected when the mean signal of its wells in each run is at or above that
    run's cut point in every run that tested it; a disagreement between runs is a note."""
    means = data.groupby(["run", "ada_level", "drug_level"], sort=True)["signal"].mean().reset_index()
    means["detected"] = means["signal"].to_numpy(float) >= means["run"].map(own).to_numpy(float)
    out = means.groupby(["ada_level", "drug_level"], sort=True)["detected"].agg(["all", "sum", "size"])
    for (ada, drug), k, n in zip(out.index.tolist(), out["sum"].tolist(), out["size"].tolist(), strict=True):
        if 0 < k < n:
            notes.append(RUNS_DISAGREE.format(ada=float(ada), drug=float(drug), k=int(k), n=int(n)))
    return out.reset_index().rename(columns={"all": "detected"})
