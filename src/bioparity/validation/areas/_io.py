"""Reading reference CSV files (comment lines start with '#'; R's NA is missing) and comparing their rows."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from bioparity.validation.cases import CaseResult, compare


def read_reference_csv(path: Path) -> pd.DataFrame:
    """A reference CSV as a frame; '#' lines are provenance comments."""
    return pd.read_csv(path, comment="#")


def row_case(
    area: str,
    reference: str,
    case: str,
    row: Mapping[Hashable, Any],
    observed: float | str,
    comparison: str | None = None,
) -> CaseResult:
    """The case of one row of a reference table with the columns ``quantity``, ``expected`` and
    ``tolerance``: ``expected`` read as text for a text ``observed``, as a number otherwise; ``comparison``
    defaults to the row's ``comparison`` column, else ``abs``."""
    expected: float | str = str(row["expected"]) if isinstance(observed, str) else float(row["expected"])
    how = comparison or str(row.get("comparison", "abs"))
    return compare(
        area, reference, case, str(row["quantity"]), expected, observed, float(row["tolerance"]), how
    )
