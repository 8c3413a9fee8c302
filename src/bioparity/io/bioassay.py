"""Readers for immunogenicity assay files (CSV or XLSX): cut-point validation data, positive-control
dilution curves, drug-tolerance experiments and incurred sample reanalysis.

Every cell is checked before any computation; a problem stops with the file, data row (and CSV line)
and column, the value found and what was expected. Nothing is dropped or coerced silently: a blank,
"BLQ" or non-positive signal is an error, not a missing value.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from bioparity.errors import DataFileError, require_columns_found
from bioparity.io.readers import parse_number, read_any_table, read_csv_cells, require_file
from bioparity.nca.samples import Where
from bioparity.problems import (
    A_DECIMAL_POINT_NUMBER,
    A_FINITE_NUMBER,
    A_NONNEGATIVE_NUMBER,
    A_POSITIVE_NUMBER,
    A_VALUE_ON_EVERY_ROW,
    BLANK_CELL,
    COLUMNS,
    CUT_POINT_DATA,
    DILUTION_CURVES,
    DRUG_TOLERANCE_DATA,
    HEADER_ONLY,
    ISR_DATA,
    NEGATIVE_VALUE,
    NOT_A_NUMBER,
    NOT_FINITE,
    NOT_POSITIVE,
    ONE_ROW_PER_INCURRED_SAMPLE,
    ROWS_OF,
    SAMPLE_TWICE,
)


@dataclass(frozen=True)
class _Col:
    name: str
    kind: str  # "text", "positive" (> 0), "nonnegative" (>= 0), "number"
    required: bool = True


def _cell_problem(text: str, kind: str) -> tuple[str, str] | None:
    """What is wrong with a cell's ``text`` in a column of ``kind`` (the problem and what was expected);
    None when nothing is."""
    if text == "":
        return BLANK_CELL, A_VALUE_ON_EVERY_ROW
    if kind == "text":
        return None
    try:
        value = parse_number(text)
    except ValueError:
        return NOT_A_NUMBER, A_DECIMAL_POINT_NUMBER
    if not math.isfinite(value):
        return NOT_FINITE, A_FINITE_NUMBER
    if kind == "positive" and value <= 0:
        return NOT_POSITIVE, A_POSITIVE_NUMBER
    if kind == "nonnegative" and value < 0:
        return NEGATIVE_VALUE, A_NONNEGATIVE_NUMBER
    return None


def _read(path: str | os.PathLike[str], columns: Sequence[_Col], what: str) -> pd.DataFrame:
    table = read_any_table(path)
    frame = table.frame
    required = [c.name for c in columns if c.required]
    require_columns_found(
        frame.columns,
        required,
        file=table.file,
        expected=COLUMNS.format(columns=", ".join(required)),
        context=f" for {what}",
    )
    if frame.empty:
        raise DataFileError(HEADER_ONLY, file=table.file, expected=ROWS_OF.format(what=what))
    where = Where(file=table.file, line_offset=table.line_offset)
    out = pd.DataFrame(index=frame.index)
    for col in columns:
        if col.name not in frame.columns:
            continue
        parsed: list[object] = []
        for i, cell in enumerate(frame[col.name].tolist()):
            text = "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else str(cell).strip()
            problem = _cell_problem(text, col.kind)
            if problem is not None:
                raise where.error(problem[0], i, col.name, text, problem[1])
            parsed.append(text if col.kind == "text" else parse_number(text))
        out[col.name] = pd.Series(parsed, index=frame.index, dtype=object if col.kind == "text" else float)
    return out.reset_index(drop=True)


#: Columns of cut-point validation data: one row per donor, run (and replicate well).
CUTPOINT_COLUMNS = (
    _Col("donor", "text"),
    _Col("run", "text"),
    _Col("signal", "number"),
    _Col("signal_drug", "number", required=False),
    _Col("nc", "positive", required=False),
    _Col("analyst", "text", required=False),
    _Col("plate", "text", required=False),
)


def read_cutpoint_data(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``donor``, ``run``, ``signal`` [, ``signal_drug``, ``nc`` (> 0), ``analyst``, ``plate``].

    Signals may be background-subtracted (any finite number); the log transform then refuses values <= 0.
    """
    return _read(path, CUTPOINT_COLUMNS, CUT_POINT_DATA)


def read_sensitivity_data(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``run``, ``concentration`` (> 0), ``signal`` (finite): positive-control dilution curves; optionally
    ``cut_point`` (each run's own screening cut point: a floating cut point) and ``nc`` (> 0, each run's
    negative control), read so that :func:`bioparity.bioassay.sensitivity` never ignores them."""
    curves = (_Col("run", "text"), _Col("concentration", "positive"), _Col("signal", "number"))
    per_run = (_Col("cut_point", "number", required=False), _Col("nc", "positive", required=False))
    return _read(path, curves + per_run, DILUTION_CURVES)


def read_drug_tolerance_data(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``ada_level`` (> 0), ``drug_level`` (>= 0), ``signal`` (finite); optionally ``run`` with ``cut_point``
    (each run's own screening cut point: a floating cut point) or ``nc`` (> 0, each run's negative control),
    read so that :func:`bioparity.bioassay.drug_tolerance` never ignores them."""
    cols = (_Col("ada_level", "positive"), _Col("drug_level", "nonnegative"), _Col("signal", "number"))
    per_run = (
        _Col("run", "text", required=False),
        _Col("cut_point", "number", required=False),
        _Col("nc", "positive", required=False),
    )
    return _read(path, cols + per_run, DRUG_TOLERANCE_DATA)


def read_isr_data(path: str | os.PathLike[str]) -> pd.DataFrame:
    """``sample``, ``original`` (> 0), ``repeat`` (> 0): one row per reanalysed incurred sample."""
    cols = (_Col("sample", "text"), _Col("original", "positive"), _Col("repeat", "positive"))
    frame = _read(path, cols, ISR_DATA)
    dup = frame["sample"].duplicated(keep="first")
    if dup.any():
        i = int(dup.to_numpy().argmax())
        raise DataFileError(
            SAMPLE_TWICE, file=str(path), row=i + 1, column="sample", value=frame["sample"].iloc[i],
            expected=ONE_ROW_PER_INCURRED_SAMPLE,
        )  # fmt: skip
    return frame


def read_cut_point_results(
    path: str | os.PathLike[str], label: str | None = None
) -> tuple[pd.DataFrame, str]:
    """A cut-point results table and its provenance label ``NAME (sha256 HEX16)``: the CSV written by
    ``bioparity ada-cutpoint --out``, or a ``.json`` file holding the JSON result (``bioparity ada-cutpoint
    --format json``, ``bioparity run ada-cutpoint --out RESULT.json`` or a stored ``ada-cutpoint`` run's
    result: ``{"columns": [...], "rows": [[...], ...], ...}``, :func:`read_cut_point_json`); checked by
    :func:`bioparity.bioassay.classify.validated_cut_points`. ``label`` names the file in messages (the
    path when None)."""
    from pathlib import Path

    from bioparity.io.limits import check_csv_limits
    from bioparity.io.provenance import file_sha256

    file, label = Path(path), label or str(path)
    require_file(file, label, "a 'bioparity ada-cutpoint' results CSV or JSON")
    check_csv_limits(file, label)  # the size (and lines) of the file, whatever its format
    if file.suffix.lower() == ".json":
        table = read_cut_point_json(file.read_bytes(), label)
    else:
        # every cell as written: with decimal commas ('1,2') or a separator at the end of the data rows,
        # pandas took the first field as the index and the tier's cut point from the next column
        table = read_csv_cells(file, label)
    return table, f"{file.name} (sha256 {file_sha256(file)[:16]})"


#: What a JSON cut-point result must be (the messages' "expected").
CUT_POINT_JSON = (
    'strict JSON {"columns": [names], "rows": [[cells], ...]} as printed by '
    "'bioparity ada-cutpoint --format json'"
)


def _refuse_constant(token: str) -> None:
    raise ValueError(f"{token} is not JSON (RFC 8259 section 6 has no NaN or Infinity)")


def json_cell(index: int, column: str | None = None, columns: Sequence[str] = ()) -> str:
    """The place of a row (``rows[3]``) or of one of its cells (``rows[3][2]``, the index of ``column`` in
    ``columns``) of a JSON result table (``{"columns": [...], "rows": [[...], ...]}``), in the JSON path
    notation of RFC 9535 (section 2.3.3, index selectors) without its root ``$.``; ``index`` counts from 0.

    Examples
    --------
    >>> json_cell(3), json_cell(0, "cut_point", ["tier", "selected", "cut_point"]), json_cell(1, "x", ["a"])
    ('rows[3]', 'rows[0][2]', 'rows[1]')
    """
    cells = list(columns)
    return f"rows[{index}][{cells.index(column)}]" if column in cells else f"rows[{index}]"


def read_cut_point_json(content: bytes, label: str) -> pd.DataFrame:
    """The table of a JSON cut-point result (strict JSON: ``NaN`` and ``Infinity`` refused; a cell that
    was not finite is ``null``, as :mod:`bioparity.strict_json` writes it).

    Parameters
    ----------
    content : bytes
        The file's bytes (UTF-8).
    label : str
        The file's name for the messages.

    Returns
    -------
    pandas.DataFrame
        The result's table, one row per element of ``rows`` (its cells typed as in the JSON).

    Raises
    ------
    DataFileError
        When the bytes are not strict JSON, or not an object with a list of distinct column names and
        rows of as many cells (naming the file and the place in it, :func:`json_cell`).
    """
    import json

    try:
        data = json.loads(content.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise DataFileError(f"not readable as JSON ({exc})", file=label, expected=CUT_POINT_JSON) from exc
    columns = data.get("columns") if isinstance(data, dict) else None
    rows = data.get("rows") if isinstance(data, dict) else None
    if (
        not isinstance(columns, list)
        or not all(isinstance(c, str) for c in columns)
        or not isinstance(rows, list)
    ):
        raise DataFileError("no result table (columns and rows)", file=label, expected=CUT_POINT_JSON)
    if len(set(columns)) != len(columns):
        second = next(i for i, c in enumerate(columns) if c in columns[:i])
        raise DataFileError(
            "a column name given twice", file=label, key=f"columns[{second}]", column=columns[second],
            expected=CUT_POINT_JSON,
        )  # fmt: skip
    for i, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != len(columns):
            raise DataFileError(
                f"not a list of {len(columns)} cells", file=label, key=json_cell(i),
                expected=CUT_POINT_JSON,
            )  # fmt: skip
    return pd.DataFrame(rows, columns=columns, dtype=object)
