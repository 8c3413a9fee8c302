"""Reading reference CSV files (comment lines start with '#'; R's NA is missing) and comparing their rows;
running an analysis kind through its contract, as ``bioparity run`` and the workspace run it."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from bioparity.analyses.registry import effective_options, get_analysis
from bioparity.validation.cases import CaseResult, compare

#: Below this, an expected value of 0 is compared absolutely (a relative tolerance of 0 would ask for
#: bit equality of, e.g., a Wilson lower limit at x = 0).
ZERO_ATOL = 1e-15


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


def run_kind(kind: str, path: Path, options: Mapping[str, Any]) -> Mapping[str, Any]:
    """The result of the registered analysis kind ``kind`` on the file ``path``: its contract's reader, then
    its compute with ``options`` over the kind's defaults (what ``bioparity run KIND FILE`` stores)."""
    analysis = get_analysis(kind)
    return analysis.compute(analysis.read(path), effective_options(analysis, options))


def named_values(path: Path) -> dict[str, dict[str, str]]:
    """A ``case, name, value`` table written by an R script as ``{case: {name: value as text}}``."""
    table = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    out: dict[str, dict[str, str]] = {}
    for case, name, value in table[["case", "name", "value"]].itertuples(index=False):
        out.setdefault(case, {})[name] = value
    return out


def named_cases(
    where: tuple[str, str, str],
    expected: Mapping[str, str],
    observed: Mapping[Any, Any],
    rtol: float,
    exact: Collection[str] = (),
) -> list[CaseResult]:
    """One case per name of ``expected`` (R's text: a number, ``NA`` or ``TRUE``/``FALSE``) against
    ``observed[name]``; ``where`` is (area, reference set, case). Logicals and the names in ``exact``
    (counts, degrees of freedom) compare exactly, 0 absolutely within :data:`ZERO_ATOL`, the rest
    relatively within ``rtol``."""
    area, reference, case = where
    out = []
    for name, text in expected.items():
        got = observed[name]
        if text in ("TRUE", "FALSE"):
            out.append(compare(area, reference, case, name, str(text == "TRUE"), str(bool(got))))
            continue
        want = float("nan") if text == "NA" else float(text)
        if name in exact:
            out.append(compare(area, reference, case, name, want, float(got), 0.0, "exact"))
        elif want == 0.0:
            out.append(compare(area, reference, case, name, want, float(got), ZERO_ATOL, "abs"))
        else:
            out.append(compare(area, reference, case, name, want, float(got), rtol, "rel"))
    return out
