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
from bioparity.nca.frame import Where, nca
from bioparity.nca.options import NCAOptions
from bioparity.nca.review import choices_frame, review_tables
from bioparity.nca.units import add_units

#: Columns that, when present, split NCA profiles (with the subject) and are carried to the PP table.
NCA_GROUP_COLUMNS = ("arm", "period", "treatment", "analyte", "formulation", "sequence", "visit")


def _text_option(options: Mapping[str, Any], name: str, default: str) -> str:
    value = options.get(name, default)
    if not isinstance(value, str):
        raise InputError(f"option {name}={value!r}; expected text")
    return value.strip()


# --- NCA ---------------------------------------------------------------------------------------------


def read_concentrations(path: Path) -> pd.DataFrame:
    """A concentration-time table (CSV, XLSX, Parquet, XPT) with at least ``subject, time, conc``.

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
    groups = [c for c in NCA_GROUP_COLUMNS if c in table.frame.columns]
    nca(
        table.frame,
        groups=groups,
        parameters=["CMAX"],
        where=Where(file=table.file, line_offset=table.line_offset),
    )
    return table.frame


def nca_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """NCA of every profile (subject + grouping columns): the PP long table with review flags."""
    dose = _text_option(options, "dose", "auto")
    if dose == "auto":
        dose = "dose" if "dose" in frame.columns else ""
    data = frame
    if dose and dose not in frame.columns:
        try:
            data = frame.assign(_dose=float(dose))
            dose = "_dose"
        except ValueError:
            raise InputError(f"option dose={dose!r} is neither a column nor a number") from None
    nca_options = NCAOptions(
        auc_method=_text_option(options, "auc_method", "lin-up-log-down"),
        route=_text_option(options, "route", "extravascular"),
    )
    groups = [c for c in NCA_GROUP_COLUMNS if c in frame.columns]
    exclude, include = review_tables(
        review_choices(options), frame, keys=[*groups, "subject"], where=Where(file="review option")
    )
    result = nca(
        data,
        dose=dose or None,
        groups=groups,
        options=nca_options,
        lambda_z_exclude=exclude,
        lambda_z_include=include,
    )
    table = result.to_frame()
    conc_unit = _text_option(options, "conc_unit", "")
    if conc_unit:  # PPORRES/PPORRESU and PPSTRESU, as `bioparity nca --conc-unit` writes them
        table = add_units(
            table,
            conc=conc_unit,
            time=_text_option(options, "time_unit", "h") or "h",
            dose=_text_option(options, "dose_unit", "") or None,
        )
    return frame_result(
        table,
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
