"""Checking CAA inputs: the long measurement table and the attribute catalogue.

The long table has one row per measurement: ``attribute, source, lot, value`` and optionally ``unit,
tier, replicate, date, method``. ``source`` is ``test`` or a reference source ``ref-<region>`` (``ref-eu``,
``ref-us``, ...). Every problem is reported before any computation with the file, row and column.
An empty ``value`` (or ``NA``) is a missing value: allowed, excluded and reported.
A measurement file is read by :func:`bioparity.io.caa.read_long_table`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from bioparity.caa.catalogue import Catalogue
from bioparity.delimited import read_csv_cells, require_file, require_utf8
from bioparity.errors import DataFileError, InputError, require_columns
from bioparity.problems import (
    A_CATALOGUE_FILE,
    A_NUMBER_OR_EMPTY,
    A_SOURCE,
    A_TEXT_VALUE,
    A_TIER,
    AN_EXISTING_CATALOGUE,
    AT_LEAST_TWO_LOTS,
    ATTRIBUTE_ONE_LOT,
    ATTRIBUTE_SEVERAL,
    EMPTY_CELL,
    INVALID_VALUE,
    LOT_TEST_AND_REFERENCE,
    MISSING_NAME_COLUMN,
    NO_MEASUREMENT_ROWS,
    NOT_A_NUMBER,
    ONE_PER_ATTRIBUTE_FIRST,
    ONE_SOURCE_PER_LOT,
    TWO_LOTS_PER_ATTRIBUTE,
    UNKNOWN_CATALOGUE_FORMAT,
    UNKNOWN_SOURCE_LABEL,
)

REQUIRED_COLUMNS = ("attribute", "source", "lot", "value")
OPTIONAL_COLUMNS = ("unit", "tier", "replicate", "date", "method")
TEST_SOURCE = "test"
SOURCE_PATTERN = re.compile(r"^(test|ref-[a-z0-9][a-z0-9_.-]*)$")
SOURCE_EXPECTED = A_SOURCE


def _fail(
    problem: str, file: str | None, row: int, column: str, value: Any = None, expected: str | None = None
) -> None:
    raise DataFileError(
        problem,
        file=file,
        row=row,
        line=row + 1 if file else None,
        column=column,
        value=value,
        expected=expected,
    )


def check_long_table(frame: pd.DataFrame, file: str | None = None) -> pd.DataFrame:
    """Check a long table (from a file or built in memory) and normalise it.

    Returns a copy with text columns stripped, ``source`` in lower case, ``value`` as float (NaN =
    missing) and a ``row`` column (1-based data row). Raises :class:`DataFileError` naming row and column
    for: a missing column, an empty attribute/source/lot, an unknown source label, a non-numeric value,
    an attribute whose unit or tier differs between rows, a lot ID listed both as ``test`` and as a reference
    source, and an attribute with only one lot.

    Parameters
    ----------
    frame : pandas.DataFrame
        One row per measurement with columns ``attribute, source, lot, value`` and optionally ``unit,
        tier, replicate, date, method``. ``source`` is ``test`` or ``ref-<region>`` (any case);
        ``value`` is a number, or empty / ``NA`` for a missing value; ``tier`` is 1, 2 or 3.
    file : str, optional
        File name for the error messages (rows then also give the line, row + 1); ``"data"`` when None.

    Returns
    -------
    pandas.DataFrame
        The checked copy with the extra ``row`` column, in the input's row order.

    Raises
    ------
    DataFileError
        For the problems listed above, naming the file, row, line and column, the value found and what
        was expected.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({"attribute": ["HMW"] * 3, "source": ["Test", "ref-eu", "ref-eu"],
    ...                       "lot": ["T1", "R1", "R2"], "value": ["1.2", "", "1.0"]})
    >>> checked = check_long_table(frame)
    >>> checked["source"].tolist(), checked["value"].tolist(), checked["row"].tolist()
    (['test', 'ref-eu', 'ref-eu'], [1.2, nan, 1.0], [1, 2, 3])
    """
    label = file if file is not None else "data"
    require_columns(frame.columns, REQUIRED_COLUMNS, file=label)
    if frame.empty:
        raise DataFileError(NO_MEASUREMENT_ROWS, file=label, expected=AT_LEAST_TWO_LOTS)
    out = frame.copy().reset_index(drop=True)
    out["row"] = np.arange(1, len(out) + 1)
    for col in ("attribute", "source", "lot"):
        text = out[col].astype(object).where(out[col].notna(), "").astype(str).str.strip()
        bad = text == ""
        if bad.any():
            _fail(EMPTY_CELL, file, int(out["row"][bad].iloc[0]), col, expected=A_TEXT_VALUE)
        out[col] = text
    out["source"] = out["source"].str.lower()
    bad_source = ~out["source"].str.match(SOURCE_PATTERN.pattern)
    if bad_source.any():
        i = int(np.argmax(bad_source.to_numpy()))
        _fail(UNKNOWN_SOURCE_LABEL, file, i + 1, "source", frame["source"].iloc[i], SOURCE_EXPECTED)
    _check_lot_sides(out, file)
    raw = out["value"]
    blank = raw.isna() | raw.astype(str).str.strip().str.upper().isin(["", "NA", "NAN"])
    numbers = pd.to_numeric(raw.where(~blank), errors="coerce")
    bad_value = (~blank & numbers.isna()) | ~np.isfinite(numbers.fillna(0.0))
    if bad_value.any():
        i = int(np.argmax(bad_value.to_numpy()))
        _fail(NOT_A_NUMBER, file, i + 1, "value", raw.iloc[i], A_NUMBER_OR_EMPTY)
    out["value"] = numbers.astype(float)
    for col in ("unit", "tier"):
        if col not in out.columns:
            continue
        cells = out[col]
        given = cells.notna() & (cells.astype(str).str.strip() != "")
        if col == "tier" and given.any():
            tiers = pd.to_numeric(cells.where(given), errors="coerce")
            bad_tier = given & ~tiers.isin([1, 2, 3])
            if bad_tier.any():
                i = int(np.argmax(bad_tier.to_numpy()))
                _fail(INVALID_VALUE, file, i + 1, "tier", cells.iloc[i], A_TIER)
            cells = tiers
        keyed = pd.DataFrame(
            {"attribute": out["attribute"][given], "v": cells[given].astype(str).str.strip()}
        )
        first = keyed.groupby("attribute", sort=False)["v"].transform("first")
        differs = keyed["v"] != first
        if differs.any():
            i = int(keyed.index[differs.to_numpy()][0])
            _fail(
                ATTRIBUTE_SEVERAL.format(attribute=repr(out["attribute"].iloc[i]), column=col),
                file,
                i + 1,
                col,
                cells.iloc[i],
                ONE_PER_ATTRIBUTE_FIRST.format(column=col, first=repr(first[differs].iloc[0])),
            )
    lots_per_attribute = (
        out.drop_duplicates(["attribute", "source", "lot"]).groupby("attribute", sort=False).size()
    )
    single = lots_per_attribute[lots_per_attribute < 2]
    if len(single):
        name = str(single.index[0])
        i = int(np.argmax((out["attribute"] == name).to_numpy()))
        _fail(
            ATTRIBUTE_ONE_LOT.format(attribute=repr(name)),
            file,
            i + 1,
            "attribute",
            name,
            TWO_LOTS_PER_ATTRIBUTE,
        )
    return out


def _check_lot_sides(out: pd.DataFrame, file: str | None) -> None:
    """Reject a lot ID listed both as ``test`` and as a reference source (any attribute).

    The lot is the sampling unit (EMA/CHMP/138502/2017, section 4.1; FDA 2025 CAA guidance, section on the
    number of lots): one physical lot belongs to one product, so a lot on both sides of a comparison is a
    mislabelled source cell. The first row that puts the lot on the other side is named. Reference lots of
    two regions sharing an ID are allowed (one manufacturing lot may be released for both markets).
    """
    is_test = (out["source"] == TEST_SOURCE).to_numpy()
    first_side = pd.Series(is_test, index=out.index).groupby(out["lot"], sort=False).transform("first")
    other = np.flatnonzero(first_side.to_numpy() != is_test)
    if not other.size:
        return
    i = int(other[0])
    lot = out["lot"].iloc[i]
    first = int(np.argmax((out["lot"] == lot).to_numpy()))
    _fail(
        LOT_TEST_AND_REFERENCE.format(
            lot=repr(lot), first=out["source"].iloc[first], row=first + 1, source=out["source"].iloc[i]
        ),
        file,
        i + 1,
        "source",
        out["source"].iloc[i],
        ONE_SOURCE_PER_LOT,
    )


def read_catalogue(path: str | os.PathLike[str]) -> Catalogue:
    """Read an attribute catalogue from YAML (``.yaml``/``.yml``) or CSV (one row per attribute).

    YAML: a mapping with ``attributes`` (a mapping ``name -> fields`` or a list of entries with a
    ``name``) and optionally ``defaults``, ``risk_thresholds`` and ``plan``. CSV: one row per
    attribute, a ``name`` (or ``attribute``) column and one column per field of
    :class:`~bioparity.caa.catalogue.AttributeSpec`; empty cells mean "default".

    Parameters
    ----------
    path : str or os.PathLike
        The catalogue file; its suffix (``.yaml``, ``.yml``, ``.csv``, any case) selects the format.

    Returns
    -------
    Catalogue
        The checked entries, defaults, risk thresholds and plan.

    Raises
    ------
    DataFileError
        For a missing file (or a folder), an unknown suffix, a file that is not UTF-8, YAML that does not
        parse, an empty, semicolon- or tab-separated or ragged CSV (data rows longer than the header), a
        column named twice, a CSV without a ``name`` column, or any invalid field (unknown field, value out
        of range, attribute listed twice), naming the file, entry (or line) and field.

    Examples
    --------
    >>> from bioparity.caa.example import example_paths
    >>> catalogue = read_catalogue(example_paths()[1])
    >>> catalogue.plan, len(catalogue.attributes), catalogue.attributes["afucosylated_glycans"].tier
    ('qr-2025', 25, 1)
    """
    file = Path(path)
    label = str(path)
    require_file(file, label, AN_EXISTING_CATALOGUE)
    suffix = file.suffix.lower()
    try:
        if suffix in {".yaml", ".yml"}:
            import yaml

            try:  # Latin-1 bytes: the line and byte, not a UnicodeDecodeError
                data = yaml.safe_load(require_utf8(file.read_bytes(), label))
            except yaml.YAMLError as exc:
                raise DataFileError(f"cannot be read as YAML: {exc}", file=label) from exc
            return Catalogue.from_mapping(data, source=label)
        if suffix == ".csv":
            # the rules of every user's CSV: an Excel ';' file, not UTF-8, rows longer than the header (a
            # shifted 'name' column), a column named twice (pandas' 'tier.1', an unknown field)
            table = read_csv_cells(file, label)
            table.columns = [str(c).strip() for c in table.columns]
            if "name" not in table.columns and "attribute" in table.columns:
                table = table.rename(columns={"attribute": "name"})
            if "name" not in table.columns:
                raise DataFileError(MISSING_NAME_COLUMN, file=label)
            records = [
                {k: v for k, v in r.items() if str(v).strip() != ""} for r in table.to_dict(orient="records")
            ]
            return Catalogue.from_mapping({"attributes": records}, source=label, entry_word="row")
    except InputError as exc:
        if isinstance(exc, DataFileError):
            raise
        raise DataFileError(str(exc)) from exc  # the message already starts with the file name
    raise DataFileError(UNKNOWN_CATALOGUE_FORMAT, file=label, expected=A_CATALOGUE_FILE)
