"""Reading PK parameter tables (NCA PP long format or one row per subject) for PK similarity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from bioparity.errors import DataFileError
from bioparity.io.limits import check_csv_limits
from bioparity.io.readers import read_csv_cells, require_file
from bioparity.io.table import ColumnSpec
from bioparity.nca.samples import Where
from bioparity.problems import (
    A_COLUMN_NAMED,
    A_COLUMN_NAMED_OR_OPTION,
    A_NUMBER_OF_SUBJECT,
    COVARIATE_OF_PP,
    EMPTY_CELL,
    METRICS_AS_NAMED,
    METRICS_NOT_FOUND_HAS,
    NO_COLUMN,
    NO_COLUMN_FOUND,
    NO_COLUMN_OF_OPTION,
    NOT_A_NUMBER,
    ON_EVERY_ROW,
    ONE_ARM_PER_SUBJECT,
    ONE_OF,
    ONE_ROW_PER_SUBJECT_WIDE,
    ONE_VALUE_PER_SUBJECT,
    ONE_VALUE_PER_TESTCD,
    PP_WITHOUT_PPSTRESN,
    PPTESTCD_AND_PPSTRESN,
    SECOND_PARAMETER_VALUE,
    SECOND_SUBJECT_ROW,
    SUBJECT_TWO_VALUES,
    T_OR_R,
)

SUBJECT_COLUMNS = ("subject", "USUBJID", "SUBJID", "ID", "id")
ARM_COLUMNS = ("arm", "ARM", "treatment", "TRT", "TRTA", "TRT01A", "ACTARM", "group")

#: One row per subject and period of a crossover or replicate study (``bioparity be`` input).
CROSSOVER_COLUMNS = [
    ColumnSpec("subject", "text"),
    ColumnSpec("period", "text"),
    ColumnSpec("sequence", "text"),
    ColumnSpec(
        "treatment",
        "text",
        check=lambda v: None if str(v).strip().upper() in {"T", "R"} else T_OR_R,
    ),
    ColumnSpec("PK", "number", allow_blank=True),
]


def _pick(
    columns: list[str],
    wanted: str | None,
    candidates: tuple[str, ...],
    what: str,
    file: str,
    option: str | None = None,
) -> str:
    """The column ``wanted`` (given), else the first of ``candidates`` in ``columns``; a missing column names
    the ``option`` that gives it, when a command line has one (``--arm-column``)."""
    if wanted is not None:
        if wanted not in columns:
            raise DataFileError(
                NO_COLUMN.format(column=repr(wanted))
                if option is None
                else NO_COLUMN_OF_OPTION.format(column=repr(wanted), option=option),
                file=file,
                expected=ONE_OF.format(choices=", ".join(columns)),
            )
        return wanted
    for c in candidates:
        if c in columns:
            return c
    names, found = ", ".join(candidates), ", ".join(columns)
    raise DataFileError(
        NO_COLUMN_FOUND[what],
        file=file,
        expected=A_COLUMN_NAMED.format(names=names, found=found)
        if option is None
        else A_COLUMN_NAMED_OR_OPTION.format(names=names, option=option, found=found),
    )


def _source_cell(
    raw: pd.DataFrame, subj: str, subject: object, name: str, metric: bool, *, long: bool
) -> tuple[int, str]:
    """The data row (1-based) and column of the user's file that holds subject ``subject``'s value of
    ``name``: in a long PP file the row of its ``PPTESTCD`` (column ``PPSTRESN``) for a metric, else the
    subject's first row; in a wide file the subject's row."""
    rows = raw[subj] == subject
    if long and metric:
        rows &= raw["PPTESTCD"].str.strip() == name
    return int(np.flatnonzero(rows.to_numpy())[0]) + 1, "PPSTRESN" if long and metric else name


def _one_value_per_subject(raw: pd.DataFrame, label: str, subj: str, arm: str, covariates: list[str]) -> None:
    """Refuse a subject whose arm (or covariate) differs between its rows of a long PP file, naming the
    subject, its first row's value and the row that differs: in parallel arms a subject belongs to one arm
    (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 2010, section 4.1.8: each comparison of arms rests on distinct
    subjects), so a second arm is a reused identifier or a mislabelled row, never a second profile to
    analyse. A blank cell beside a value is another value."""
    subjects = raw[subj]
    for c in [arm, *covariates]:
        values = raw[c].fillna("").astype(str).str.strip()
        first = values.groupby(subjects, sort=False).transform("first")
        differs = (values != first).to_numpy()
        if not differs.any():
            continue
        i = int(np.flatnonzero(differs)[0])
        j = int(np.flatnonzero((subjects == subjects.iloc[i]).to_numpy())[0])
        raise DataFileError(
            SUBJECT_TWO_VALUES.format(subject=subjects.iloc[i], first=repr(values.iloc[j]), first_row=j + 1),
            file=label,
            row=i + 1,
            line=i + 2,
            column=c,
            value=values.iloc[i],
            expected=ONE_ARM_PER_SUBJECT if c == arm else ONE_VALUE_PER_SUBJECT,
        )


def read_metric_table(
    path: Path,
    subject_col: str | None,
    arm_col: str | None,
    metrics: list[str],
    covariates: list[str],
    options: tuple[str, str] | None = None,
) -> tuple[pd.DataFrame, str, str]:
    """Wide frame (subject, arm, metrics..., covariates...) from a long PP or a wide CSV, and the names of
    the subject and arm columns it used.

    A long PP file (``PPTESTCD``, ``PPSTRESN``; the output of ``bioparity nca``) is pivoted to one row per
    subject; a wide file has one row per subject with the metrics as columns. Subject and arm columns are
    found by name (``SUBJECT_COLUMNS``, ``ARM_COLUMNS``) unless given. Errors name file, row and column,
    and for a missing subject or arm column the options of ``options`` (``("--subject-column",
    "--arm-column")``) that give them, on the command line.
    """
    label = str(path)
    require_file(path, label, "an existing CSV file")
    check_csv_limits(path, label)
    raw = read_csv_cells(path, label)
    return metric_table(raw, label, subject_col, arm_col, metrics, covariates, options)


def metric_table(
    raw: pd.DataFrame,
    label: str,
    subject_col: str | None,
    arm_col: str | None,
    metrics: list[str],
    covariates: list[str],
    options: tuple[str, str] | None = None,
) -> tuple[pd.DataFrame, str, str]:
    """:func:`read_metric_table` on a frame of text cells already read (``label`` names it in errors)."""
    subject_option, arm_option = options if options is not None else (None, None)
    raw = raw.copy()
    raw.columns = [str(c).strip() for c in raw.columns]
    cols = list(raw.columns)
    subj = _pick(cols, subject_col, SUBJECT_COLUMNS, "subject", label, subject_option)
    arm = _pick(cols, arm_col, ARM_COLUMNS, "arm (treatment group)", label, arm_option)
    for c in covariates:
        if "PPTESTCD" in cols and c not in cols:
            found = ", ".join(cols)
            raise DataFileError(
                NO_COLUMN.format(column=repr(c)), file=label, expected=COVARIATE_OF_PP.format(found=found)
            )
        _pick(cols, c, (), "covariate", label)
    for c, what in ((subj, "a subject"), (arm, "an arm")):
        # else the row would silently leave the analysis (no arm) or pool as subject ''
        empty = raw[c].fillna("").astype(str).str.strip() == ""
        Where(file=label).reject(empty, EMPTY_CELL, c, None, ON_EVERY_ROW[what])
    if "PPTESTCD" in cols:
        need = ["PPSTRESN"]
        missing = [c for c in need if c not in cols]
        if missing:
            raise DataFileError(PP_WITHOUT_PPSTRESN, file=label, expected=PPTESTCD_AND_PPSTRESN)
        # before the one-value-per-parameter check: a subject in two arms is what a second value means then
        _one_value_per_subject(raw, label, subj, arm, covariates)
        long = raw[raw["PPTESTCD"].str.strip().isin(metrics)].copy()
        long["PPTESTCD"] = long["PPTESTCD"].str.strip()
        dup = long.duplicated([subj, "PPTESTCD"], keep="first")
        if dup.any():
            i = int(np.flatnonzero(dup.to_numpy())[0])
            row = int(long.index[i]) + 1
            raise DataFileError(
                SECOND_PARAMETER_VALUE,
                file=label,
                row=row,
                line=row + 1,
                column="PPTESTCD",
                value=long["PPTESTCD"].iloc[i],
                expected=ONE_VALUE_PER_TESTCD,
            )
        wide = long.pivot(index=subj, columns="PPTESTCD", values="PPSTRESN")
        per_subject = raw.groupby(subj, sort=False)[[arm, *covariates]].first()
        frame = per_subject.join(wide, how="left").reset_index()
    else:
        frame = raw
        repeated = frame.duplicated([subj], keep="first").to_numpy()
        if repeated.any():
            row = int(np.flatnonzero(repeated)[0]) + 1
            subject = frame[subj].iloc[row - 1]
            first_row = int(np.flatnonzero((frame[subj] == subject).to_numpy())[0]) + 1
            raise DataFileError(
                SECOND_SUBJECT_ROW.format(subject=subject, first_row=first_row),
                file=label,
                row=row,
                line=row + 1,
                column=subj,
                expected=ONE_ROW_PER_SUBJECT_WIDE,
            )
    absent = [m for m in metrics if m not in frame.columns]
    if absent:
        if "PPTESTCD" in cols:
            available = raw["PPTESTCD"].dropna().astype(str).str.strip().unique().tolist()
        else:
            available = [c for c in cols if c not in (subj, arm, *covariates)]
        raise DataFileError(
            METRICS_NOT_FOUND_HAS.format(metrics=", ".join(absent), available=", ".join(available) or "-"),
            file=label,
            expected=METRICS_AS_NAMED,
        )
    for c in [*metrics, *covariates]:
        text = frame[c].fillna("").astype(str).str.strip()
        blank = text.isin(["", "NA", "NaN", "nan", "."])
        numbers = pd.to_numeric(text.where(~blank), errors="coerce")
        bad = numbers.isna() & ~blank
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            row, column = _source_cell(
                raw, subj, frame[subj].iloc[i], c, c in metrics, long="PPTESTCD" in cols
            )
            raise DataFileError(
                NOT_A_NUMBER,
                file=label,
                row=row,
                line=row + 1,
                column=column,
                value=text.iloc[i],
                expected=A_NUMBER_OF_SUBJECT.format(subject=frame[subj].iloc[i]),
            )
        frame[c] = numbers
    return frame, subj, arm
