"""Reading relative potency bioassay data in long form (CSV or XLSX).

One row per well/response with columns ``assay,sample,dose,replicate,response`` and optionally
``block``, ``row``, ``column`` (design factors: randomised block = rows, Latin square = rows and
columns). Other column names are mapped with ``columns={"dose": "conc", ...}``. The sample named
``standard`` (any case) is the reference standard. Every bad cell stops the reading with an error
naming the file, the data row (and the CSV line) and the column; nothing is dropped or coerced silently:
blank responses, non-numeric or negative doses and duplicated (assay, sample, dose, replicate) keys are
errors.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from bioparity.errors import DataFileError, require_columns_found
from bioparity.io.readers import LoadedTable, parse_number, read_any_table
from bioparity.nca.samples import Where
from bioparity.potency.analyse import NO_STANDARD, ONLY_STANDARD
from bioparity.potency.design import STANDARD
from bioparity.problems import (
    A_DOSE_FOR_LOG_DOSE,
    A_DOSE_NOT_NEGATIVE,
    A_FINITE,
    A_FINITE_MARGIN,
    A_ROLE_LABEL,
    A_STANDARD_AND_TEST,
    BLANK_CELL,
    COLUMNS,
    COLUMNS_RENAMED,
    DOSE_NOT_POSITIVE,
    DUPLICATE_RESPONSE,
    HEADER_ONLY,
    MEASURE_TWICE,
    MISSING_COLUMNS,
    NEGATIVE_DOSE,
    NOT_A_NUMBER,
    ONE_RESPONSE_PER_REPLICATE,
    ONE_ROW_PER_RESPONSE,
    ROLES,
    UNKNOWN_ROLES,
)

REQUIRED = ("assay", "sample", "dose", "replicate", "response")
OPTIONAL = ("block", "row", "column")


def _number(value: object) -> float | None:
    """A finite float from a cell, or None when it is not one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        out = parse_number(text)
    except ValueError:
        return None
    return out if math.isfinite(out) else None


def read_potency_table(
    path: str | os.PathLike[str], columns: Mapping[str, str] | None = None, *, log_dose: bool = False
) -> pd.DataFrame:
    """Read and check a long potency table; returns columns assay, sample, dose, replicate, response
    (+ block/row/column when present), assay/sample/replicate as text, dose/response as float.

    ``columns`` maps a standard name (assay, sample, dose, replicate, response, block, row, column) to
    the name used in the file. ``log_dose``: the model fits log dose (4PL, 5PL, parallel-line), so a dose
    of 0 (a blank well, allowed for slope-ratio) is refused at its file, row and column.
    """
    table = read_any_table(path)
    return check_potency_frame(table, columns, log_dose=log_dose)


def check_potency_frame(
    table: LoadedTable, columns: Mapping[str, str] | None = None, *, log_dose: bool = False
) -> pd.DataFrame:
    """Validate a loaded table (see :func:`read_potency_table`)."""
    mapping = {name: name for name in (*REQUIRED, *OPTIONAL)} | dict(columns or {})
    unknown = sorted(set(columns or {}) - set(REQUIRED) - set(OPTIONAL))
    if unknown:
        raise DataFileError(
            UNKNOWN_ROLES.format(roles=", ".join(unknown)),
            file=table.file,
            expected=ROLES.format(roles=", ".join((*REQUIRED, *OPTIONAL))),
        )
    frame = table.frame
    required = [mapping[c] for c in REQUIRED]
    require_columns_found(
        frame.columns,
        required,
        file=table.file,
        expected=COLUMNS_RENAMED.format(columns=", ".join(required)),
    )
    if frame.empty:
        raise DataFileError(HEADER_ONLY, file=table.file, expected=ONE_ROW_PER_RESPONSE)

    where = Where(file=table.file, line_offset=table.line_offset)

    def fail(i: int, role: str, problem: str, value: object, expected: str) -> DataFileError:
        return where.error(problem, i, mapping[role], value, expected)

    present = [c for c in OPTIONAL if mapping[c] in frame.columns]
    out: dict[str, list[object]] = {c: [] for c in (*REQUIRED, *present)}
    seen: dict[tuple[str, str, float, str], int] = {}
    for i, rec in enumerate(frame.to_dict(orient="records")):
        for role in ("assay", "sample", "replicate", *present):
            raw = rec[mapping[role]]
            text = "" if raw is None or (isinstance(raw, float) and math.isnan(raw)) else str(raw).strip()
            if role == "replicate" and text.endswith(".0") and text[:-2].isdigit():
                text = text[:-2]
            if not text:
                raise fail(i, role, BLANK_CELL, raw, A_ROLE_LABEL.format(role=role))
            out[role].append(text)
        for role in ("dose", "response"):
            raw = rec[mapping[role]]
            value = _number(raw)
            if value is None:
                raise fail(i, role, NOT_A_NUMBER, raw, A_FINITE[role])
            if role == "dose" and value < 0:
                raise fail(i, role, NEGATIVE_DOSE, raw, A_DOSE_NOT_NEGATIVE)
            if role == "dose" and log_dose and value == 0:
                raise fail(i, role, DOSE_NOT_POSITIVE, raw, A_DOSE_FOR_LOG_DOSE)
            out[role].append(value)
        dose_value = out["dose"][-1]
        assert isinstance(dose_value, float)
        key = (str(out["assay"][-1]), str(out["sample"][-1]), dose_value, str(out["replicate"][-1]))
        if key in seen:
            raise fail(
                i,
                "replicate",
                DUPLICATE_RESPONSE.format(row=seen[key]),
                out["replicate"][-1],
                ONE_RESPONSE_PER_REPLICATE,
            )
        seen[key] = i + 1
    result = pd.DataFrame(out)
    result["dose"] = result["dose"].astype(float)
    result["response"] = result["response"].astype(float)
    _check_standard_and_test(result, where, mapping["sample"])
    return result


def _check_standard_and_test(frame: pd.DataFrame, where: Where, column: str) -> None:
    """Every assay has rows of the standard and of a test sample; else an error at the assay's first row
    (a plate of the standard alone, or a plate without it, named with its file, row and column)."""
    samples = frame["sample"].astype(str).tolist()
    assays = frame["assay"].astype(str).to_numpy()
    is_std = np.array([s.lower() == STANDARD for s in samples])
    for assay in dict.fromkeys(assays.tolist()):
        rows = np.flatnonzero(assays == assay)
        has_std, only_std = bool(is_std[rows].any()), bool(is_std[rows].all())
        if has_std and not only_std:
            continue
        template = ONLY_STANDARD if has_std else NO_STANDARD
        problem = template.format(assay=repr(assay), standard=repr(STANDARD))
        raise where.error(problem, int(rows[0]), column, samples[int(rows[0])], A_STANDARD_AND_TEST)


def read_equivalence_margins(path: str | os.PathLike[str]) -> dict[str, tuple[float, float]]:
    """``measure,lower,upper`` rows (USP <1032> equivalence margins) -> {measure: (lower, upper)}.

    Errors name the file, the data row (and the CSV line) and the column: a missing column, a margin that
    is not a finite number, a measure given twice.
    """
    table = read_any_table(path)
    frame = table.frame
    missing = [c for c in ("measure", "lower", "upper") if c not in frame.columns]
    if missing:
        raise DataFileError(
            MISSING_COLUMNS.format(missing=", ".join(missing)),
            file=table.file,
            expected=COLUMNS.format(columns="measure,lower,upper"),
        )
    out: dict[str, tuple[float, float]] = {}
    for i, rec in enumerate(frame.to_dict(orient="records")):
        line = None if table.line_offset is None else i + 1 + table.line_offset
        limits = []
        for col in ("lower", "upper"):
            value = _number(rec[col])
            if value is None:
                raise DataFileError(
                    NOT_A_NUMBER, file=table.file, row=i + 1, line=line, column=col, value=rec[col],
                    expected=A_FINITE_MARGIN,
                )  # fmt: skip
            limits.append(value)
        name = str(rec["measure"]).strip()
        if name in out:
            raise DataFileError(
                MEASURE_TWICE, file=table.file, row=i + 1, line=line, column="measure", value=name
            )
        out[name] = (limits[0], limits[1])
    return out
