"""The NCA adapter between stored datasets and the NCA area: the validating reader and the compute of the
``nca`` analysis kind (offered through :mod:`bioparity.analyses.nca`).

``read_concentrations`` turns a stored file into a checked frame (errors name row and column);
``nca_kind`` is ``(frame, options) -> JSON dict``, deterministic, with the PP table in the shape of
:func:`bioparity.analyses.frames.frame_result` (``columns``, ``rows``, ``n_rows``) at the top level, so
that a run's table can be stored as a new dataset and fed to PK similarity.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from bioparity.analyses.frames import frame_result
from bioparity.errors import DataFileError, InputError
from bioparity.io.readers import read_any_table
from bioparity.nca import GROUP_COLUMNS, NCASpec, Where, result_table, run_nca, spec_from_options
from bioparity.nca.review import choices_frame

#: The grouping columns of NCA profiles (the rule of :mod:`bioparity.nca.spec`, letter case ignored).
NCA_GROUP_COLUMNS = GROUP_COLUMNS


# --- NCA ---------------------------------------------------------------------------------------------


def read_concentrations(path: Path) -> pd.DataFrame:
    """A concentration-time table (CSV, XLSX, Parquet, XPT) with at least ``subject, time, conc``.

    The workspace stores these three columns under exactly these names (the upload page maps other
    headers to them); grouping and dose columns follow the NCA input spec (:mod:`bioparity.nca.spec`).
    The NCA engine's input checks (numbers, negative concentrations, duplicated or unsorted times) run
    here too, so a bad file is refused at upload with its row and column, before anything is stored.
    """
    table = read_any_table(path)
    missing = [c for c in ("subject", "time", "conc") if c not in table.frame.columns]
    if missing:
        raise DataFileError(
            f"missing column(s) {', '.join(missing)}; "
            f"columns found: {', '.join(map(str, table.frame.columns))}",
            file=str(path),
            expected="columns subject, time, conc (and optionally dose, arm, period, treatment, analyte)",
        )
    where = Where(file=table.file, line_offset=table.line_offset)
    run_nca(table.frame, NCASpec(dose=None, parameters=("CMAX",)), where=where)
    return table.frame


def nca_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """NCA of every profile (subject + grouping columns): the PP long table with review flags.

    The options are those of ``bioparity nca`` (:func:`bioparity.nca.spec_from_options`): ``dose``,
    ``auc_method``, ``route``, ``conc_unit``, ``time_unit``, ``dose_unit``, and ``review`` (the reviewer's
    lambda_z choices); the same table and options give the same numbers as the command line.
    """
    spec = spec_from_options(options).resolve(frame)
    if isinstance(spec.dose, str) and spec.dose not in frame.columns:
        raise InputError(f"option dose={spec.dose!r} is neither a column nor a number")
    result = run_nca(frame, spec, review=review_choices(options), review_where=Where(file="review option"))
    return frame_result(
        result_table(result, spec),
        n_profiles=int(result.n_profiles),
        n_missing_dropped=int(result.n_missing_dropped.sum()),
        n_blq_dropped=int(result.n_blq_dropped.sum()),
    )


def review_choices(options: Mapping[str, Any]) -> pd.DataFrame:
    """The NCA option ``review``: the reviewer's lambda_z choices (see :mod:`bioparity.nca.review`) as a
    list of records, or the same list as JSON text; ``""`` or ``[]`` = none."""
    value = options.get("review", "")
    if isinstance(value, str):
        if not value.strip():
            return pd.DataFrame()
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise InputError(f"option review is not JSON ({exc}); expected a list of choices") from None
    if not isinstance(value, list):
        raise InputError(f"option review={value!r}; expected a list of choices")
    return choices_frame(value) if value else pd.DataFrame()
