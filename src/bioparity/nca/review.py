"""A reviewer's lambda_z choices (the Phoenix WinNonlin "Lambda Z" review loop) as inputs of :func:`nca`.

A choices table has the profile key columns (``subject`` and any grouping columns of the data), ``time``,
``action`` (``include`` or ``exclude``) and ``reason`` (required, reported). One row per choice:

* ``exclude`` with a time leaves that sample out of the lambda_z fit (Phoenix "Exclusions");
* ``include`` with a time makes the included samples of that profile the only lambda_z points
  (Phoenix "Start/End" given point by point);
* ``exclude`` with an empty time excludes the whole profile from lambda_z: every sample is left out, so
  lambda_z and the parameters that need it (half-life, AUCINF, CL, Vz, MRT) are missing for it, with
  the reviewer's reason; Cmax, Tmax and AUClast are still reported.

The terminal phase is the log-linear regression of the selected points (Gabrielsson & Weiner,
*Pharmacokinetic and Pharmacodynamic Data Analysis*, 5th ed., section 2.8.4; PKNCA ``pk.calc.half.life``);
which points enter it is the reviewer's documented choice (EMA Guideline on the Investigation of
Bioequivalence, CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.8: the terminal rate constant "should be
estimated" from the terminal log-linear phase; deviations are reported).

The choices map onto the ``lambda_z_exclude`` / ``lambda_z_include`` tables of
:func:`bioparity.nca.single.frame.nca` (:func:`bioparity.nca.run_nca` does it); the same choices give the
same numbers in ``bioparity nca --review`` (files read by :func:`bioparity.io.review.read_review`) and
in the workspace (NCA option ``review``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from bioparity.errors import DataFileError, InputError
from bioparity.i18n.notes import note_template
from bioparity.nca.samples import Where
from bioparity.problems import MISSING_COLUMNS_FOUND, NOT_A_NUMBER

ACTIONS = ("include", "exclude")
#: Columns of a choices table besides the profile keys.
CHOICE_COLUMNS = ("time", "action", "reason")
WHOLE_PROFILE = note_template("whole profile excluded from lambda_z")
#: The reason stored for a whole-profile exclusion (the reviewer's reason after :data:`WHOLE_PROFILE`).
WHOLE_PROFILE_BECAUSE = note_template("whole profile excluded from lambda_z: {reason}")
# A choice the data cannot take (a DataFileError, shown in the reader's language).
UNKNOWN_ACTION = note_template("unknown action")
INCLUDE_OR_EXCLUDE = note_template("include or exclude")
EMPTY_REASON = note_template("empty reason")
A_REASON = note_template("why the reviewer made this choice (it is reported)")
NO_SUCH_PROFILE = note_template("no such profile in the data")
A_PROFILE = note_template("a profile of the data")
INCLUDE_NEEDS_TIME = note_template("include needs a time")
A_TIME_TO_INCLUDE = note_template("the time of a sample to include")
A_TIME_OR_EMPTY = note_template("a sample time, or empty")
NO_SAMPLE_AT_TIME = note_template("no sample at this time in the profile")
A_SAMPLE_TIME = note_template("a sample time")
CHOSEN_TWICE = note_template("point chosen twice")
ONE_CHOICE_PER_SAMPLE = note_template("one choice per sample")
CHOICE_COLUMNS_NEEDED = note_template("columns {columns} (time empty = the whole profile)")


def choices_frame(records: Sequence[Mapping[str, Any]], *, file: str = "review option") -> pd.DataFrame:
    """Choices given as JSON records (``[{"subject": ..., "time": ..., "action": ..., "reason": ...}]``)."""
    if not isinstance(records, Sequence) or isinstance(records, str):
        raise InputError(f"{file}: expected a list of choices, got {type(records).__name__}")
    for i, rec in enumerate(records):
        if not isinstance(rec, Mapping):
            raise InputError(f"{file}: choice {i + 1} is {rec!r}; expected an object with {CHOICE_COLUMNS}")
    frame = pd.DataFrame([dict(r) for r in records])
    return frame.astype(object).where(frame.notna(), "")


def choices_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The choices as JSON records (text cells; an empty time is ``""``), the form stored in runs."""
    out = frame.astype(object).where(frame.notna(), "")
    return [{str(k): _cell(v) for k, v in row.items()} for row in out.to_dict(orient="records")]


def _cell(value: Any) -> Any:
    if isinstance(value, (np.integer, np.floating)):
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, (int, float)) else str(value).strip()


def review_tables(
    choices: pd.DataFrame,
    samples: pd.DataFrame,
    *,
    keys: Sequence[str],
    time: str = "time",
    conc: str = "conc",
    where: Where | None = None,
) -> tuple[pd.DataFrame | None, pd.DataFrame | None]:
    """The ``lambda_z_exclude`` and ``lambda_z_include`` tables of :func:`nca` for these choices.

    ``keys`` are the profile columns of ``samples`` (groups then subject). Every choice is checked first:
    the profile and the sample time must exist in the data, the action is include or exclude, the reason
    is not empty, an empty time only with exclude, no point chosen twice. Errors name the row and column.
    """
    w = where or Where(file="review choices")
    if choices.empty:
        return None, None
    need = [*keys, *CHOICE_COLUMNS]
    by_lower = {str(c).strip().lower(): c for c in choices.columns}  # column names in any case
    renames = {by_lower[n.lower()]: n for n in need if n not in choices.columns and n.lower() in by_lower}
    choices = choices.rename(columns=renames).reset_index(drop=True)
    missing = [c for c in need if c not in choices.columns]
    if missing:
        raise DataFileError(
            MISSING_COLUMNS_FOUND.format(
                missing=", ".join(missing), found=", ".join(map(str, choices.columns))
            ),
            file=w.file,
            expected=CHOICE_COLUMNS_NEEDED.format(columns=", ".join(need)),
        )
    key_text = samples[list(keys)].astype(str).apply(lambda c: c.str.strip())
    sample_t = pd.to_numeric(samples[time], errors="coerce")
    positive = pd.to_numeric(samples[conc], errors="coerce").fillna(0.0) > 0
    exclude: list[dict[str, Any]] = []
    include: list[dict[str, Any]] = []
    seen: set[tuple[str, ...]] = set()
    for i, row in choices.iterrows():
        n = int(str(i))
        action = str(row["action"]).strip().lower()
        if action not in ACTIONS:
            raise w.error(UNKNOWN_ACTION, n, "action", row["action"], INCLUDE_OR_EXCLUDE)
        reason = str(row["reason"]).strip()
        if reason in {"", "nan", "None"}:
            raise w.error(EMPTY_REASON, n, "reason", None, A_REASON)
        profile = tuple(str(row[k]).strip() for k in keys)
        in_profile = np.logical_and.reduce([key_text[k] == v for k, v in zip(keys, profile, strict=True)])
        if not in_profile.any():
            raise w.error(NO_SUCH_PROFILE, n, keys[-1], row[keys[-1]], A_PROFILE)
        raw_t = str(row["time"]).strip()
        key_values = {k: samples.loc[in_profile, k].iloc[0] for k in keys}
        if raw_t in {"", "nan", "None"}:
            if action != "exclude":
                raise w.error(INCLUDE_NEEDS_TIME, n, "time", None, A_TIME_TO_INCLUDE)
            times = sorted(set(sample_t[in_profile & positive].dropna().tolist()))
            reason = WHOLE_PROFILE_BECAUSE.format(reason=reason)
        else:
            try:
                t = float(raw_t)
            except ValueError:
                raise w.error(NOT_A_NUMBER, n, "time", row["time"], A_TIME_OR_EMPTY) from None
            if not (in_profile & (sample_t == t)).any():
                raise w.error(NO_SAMPLE_AT_TIME, n, "time", t, A_SAMPLE_TIME)
            times = [t]
        for t in times:
            point = (*profile, repr(float(t)))
            if point in seen:
                raise w.error(CHOSEN_TWICE, n, "time", t, ONE_CHOICE_PER_SAMPLE)
            seen.add(point)
            target = exclude if action == "exclude" else include
            target.append({**key_values, "lambda_z_time": float(t), "lambda_z_reason": reason})
    cols = [*keys, "lambda_z_time", "lambda_z_reason"]
    return (
        pd.DataFrame(exclude, columns=cols) if exclude else None,
        pd.DataFrame(include, columns=cols) if include else None,
    )
