"""A per-row concentration unit column: every concentration (and LLOQ) converted into one unit.

Laboratories sometimes report one analyte in several units (ng/mL and ug/L, or mg/L after a dilution
change). :func:`convert_conc_column` converts each row by its unit into the target unit (default: the unit
of the first row with a number) before the analysis; BLQ markers stay markers. The unit used is returned
and stated in the output (PPORRESU/PPSTRESU through :func:`~bioparity.nca.units.add_units`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from bioparity.errors import InputError
from bioparity.nca.samples import Where, parse_numbers
from bioparity.nca.units import check_unit, conversion_factor, input_unit
from bioparity.problems import (
    A_CONVERTIBLE_UNIT,
    A_UNIT_COLUMN,
    A_UNIT_ON_THIS_ROW,
    EMPTY_UNIT,
    MISSING_COLUMN,
)


def convert_conc_column(
    frame: pd.DataFrame,
    *,
    conc: str,
    unit_column: str,
    target: str | None = None,
    lloq: str | None = None,
    where: Where | None = None,
    target_source: str = "conc_unit",
) -> tuple[pd.DataFrame, str]:
    """A copy of ``frame`` with ``conc`` (and ``lloq``) in one unit, and that unit.

    Errors name the data row: a missing unit column, an empty unit on a row with a number, a unit that is
    unknown or not a concentration convertible to ``target``. The target itself must be a concentration
    unit (:func:`bioparity.nca.units.input_unit`): given, it is refused naming ``target_source`` (the
    option that gave it); taken from the first row with a number, that row is named. A unit bioparity does
    not know is converted only into the same text (factor 1).
    """
    w = where or Where()
    for col in (conc, unit_column, *([lloq] if lloq else [])):
        if col not in frame.columns:
            raise w.error(MISSING_COLUMN.format(column=repr(col)), None, col, None, A_UNIT_COLUMN)
    frame = frame.reset_index(drop=True)
    values, blq = parse_numbers(frame[conc], conc, w, allow_missing=True, blq_tokens=True)
    units = frame[unit_column].astype("string").fillna("").str.strip()
    has_number = ~np.isnan(values) & ~blq
    empty = has_number & (units == "").to_numpy()
    w.reject(empty, EMPTY_UNIT, unit_column, None, A_UNIT_ON_THIS_ROW)
    if target is None:
        if not has_number.any():
            raise InputError(f"no concentration with a unit in column {unit_column!r}; give the target unit")
        first = int(np.argmax(has_number))
        target = str(units.iloc[first])
        refusal = input_unit(target, "concentration").refusal
        if refusal is not None:
            raise w.error(refusal[0], first, unit_column, target, refusal[1])
    else:
        check_unit(target, "concentration", source=target_source)
    factors: dict[str, float] = {}
    for name in units[units != ""].unique():
        try:
            factors[str(name)] = conversion_factor(str(name), target)
        except InputError as exc:
            i = int(np.argmax((units == name).to_numpy()))
            raise w.error(str(exc), i, unit_column, name, A_CONVERTIBLE_UNIT.format(unit=target)) from None
    f = units.map(lambda u: factors.get(str(u), np.nan)).to_numpy(dtype=float)
    out = frame.copy()
    converted = values * f
    # keep BLQ markers and blanks as they were; numbers become floats in the target unit
    out[conc] = pd.Series(np.where(has_number, converted, np.nan), dtype=object).where(
        has_number, frame[conc].astype(object)
    )
    if lloq:
        limit, _ = parse_numbers(frame[lloq], lloq, w, allow_missing=True)
        out[lloq] = np.where(np.isnan(limit), np.nan, limit * f)
    return out, target
