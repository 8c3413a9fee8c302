"""Adapter: ``bioparity potency`` results -> CAA lot values of the potency attribute (issue #19).

The potency results table (one row per assay and test sample, plus ``assay = combined`` rows with
``--combine``) becomes rows of the CAA long table ``attribute, source, lot, value, unit, replicate,
method``. Samples must be named ``SOURCE:LOT`` (``test:L001``, ``ref-eu:E12``): that is how a potency
sample is tied to a lot of a source. Per lot, the combined potency (Ph. Eur. 5.3 section 6) is used when
present (the lot's reportable value); otherwise every assay's potency is a replicate of the lot (the
CAA averages replicates per lot). Values are percent of the standard (relative potency x 100). A row
without a finite potency stops with an error naming file, row and column: nothing is dropped silently.

``bioparity caa --potency RESULTS.csv`` appends these rows to the measurement table; the workspace's
``caa`` kind takes a stored ``potency`` result table as its input (the ``caa`` kind follows
``potency``), the potency attribute then in tier 1 (potency reflecting the mechanism of action is the
most critical attribute: FDA, Development of Therapeutic Protein Biosimilars: Comparative Analytical
Assessment and Other Quality-Related Considerations, draft guidance, 2019, section V.B; EMA/CHMP/
138502/2017, section 4).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from bioparity.errors import DataFileError
from bioparity.problems import A_LOT_SAMPLE, A_POSITIVE_POTENCY, NO_RELATIVE_POTENCY, SAMPLE_NOT_A_LOT

SOURCE_SEPARATOR = ":"
#: Columns that identify a ``bioparity potency`` results table (a CAA long table has ``attribute``).
RESULT_COLUMNS = ("assay", "sample", "relative_potency")
#: CAA tier given to the potency attribute read from a potency run in the workspace.
POTENCY_TIER = 1


def is_potency_results(columns: Iterable[object]) -> bool:
    """Whether a table with these columns is a ``bioparity potency`` results table (not a CAA table).

    Examples
    --------
    >>> is_potency_results(["assay", "sample", "model", "relative_potency"])
    True
    >>> is_potency_results(["attribute", "source", "lot", "value"])
    False
    """
    names = {str(c).strip() for c in columns}
    return set(RESULT_COLUMNS) <= names and "attribute" not in names


def _count(cell: object) -> str:
    """A count as written in a results file (``2``), also when a typed table holds it as a float (``2.0``,
    a column with blanks) or text."""
    number = pd.to_numeric(pd.Series([cell]), errors="coerce").iloc[0]
    return f"{number:.0f}" if math.isfinite(number) and number == round(number) else str(cell)


def potency_lot_values(
    results: pd.DataFrame,
    *,
    attribute: str = "relative_potency",
    file: str | None = None,
    tier: int | None = None,
) -> pd.DataFrame:
    """CAA long rows (attribute, source, lot, value in %, unit, replicate, method) from potency results;
    with ``tier`` also a ``tier`` column (otherwise the catalogue or the CAA default decides)."""
    label = file or "potency results"
    missing = [c for c in ("assay", "sample", "relative_potency") if c not in results.columns]
    if missing:
        raise DataFileError(
            f"missing column(s) {', '.join(missing)}",
            file=label,
            expected="a results table written by 'bioparity potency'",
        )
    frame = results.reset_index(drop=True)
    combined = set(frame.loc[frame["assay"].astype(str) == "combined", "sample"].astype(str))
    rows: list[dict[str, object]] = []
    for i, rec in enumerate(frame.to_dict(orient="records")):
        row, line = i + 1, i + 2
        sample, assay = str(rec["sample"]).strip(), str(rec["assay"]).strip()
        if assay != "combined" and sample in combined:
            continue  # the lot's combined potency is used (this assay is part of it)
        source, sep, lot = sample.partition(SOURCE_SEPARATOR)
        if not sep or not source.strip() or not lot.strip():
            raise DataFileError(
                SAMPLE_NOT_A_LOT,
                file=label,
                row=row,
                line=line,
                column="sample",
                value=sample,
                expected=A_LOT_SAMPLE,
            )
        value = pd.to_numeric(pd.Series([rec["relative_potency"]]), errors="coerce").iloc[0]
        if not math.isfinite(value) or value <= 0:
            raise DataFileError(
                NO_RELATIVE_POTENCY,
                file=label,
                row=row,
                line=line,
                column="relative_potency",
                value=rec["relative_potency"],
                expected=A_POSITIVE_POTENCY,
            )
        n_assays = _count(rec.get("n_assays", ""))
        method = (
            f"potency combined ({rec.get('combination_method', '')}, {n_assays} assays)"
            if assay == "combined"
            else f"potency {rec.get('model', '')} assay {assay}"
        )
        rows.append(
            {
                "attribute": attribute,
                "source": source.strip(),
                "lot": lot.strip(),
                "value": 100.0 * value,
                "unit": "%",
                "replicate": assay,
                "method": method,
            }
        )
    columns = ["attribute", "source", "lot", "value", "unit", "replicate", "method"]
    out = pd.DataFrame(rows, columns=columns)
    return out if tier is None else out.assign(tier=tier)
