"""Adapters between stored datasets and the numerical areas: validated readers and compute functions.

Each ``read_*`` turns a stored file into a checked frame (errors name row and column); each ``*_kind``
is ``(frame, options) -> JSON dict``, deterministic. Tabular results use the shape of
:func:`frame_result` (``columns``, ``rows``, ``n_rows``) at the top level, so that a run's table can be
stored as a new dataset (``derive_dataset``) and fed to the next analysis (NCA -> PK similarity).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from bioparity._results import _plain
from bioparity.be import crossover_data, evaluate_be
from bioparity.be.data import read_crossover_file
from bioparity.be.similarity import DEFAULT_METRICS, VARIANCE_MODELS, pk_similarity_table
from bioparity.caa import assess, read_catalogue, read_long_table
from bioparity.caa.catalogue import DEFAULT_PLAN
from bioparity.caa.example import example_paths
from bioparity.errors import DataFileError, InputError
from bioparity.io import read_table
from bioparity.io.limits import check_csv_limits
from bioparity.io.pp import CROSSOVER_COLUMNS, metric_table
from bioparity.io.readers import read_any_table
from bioparity.nca.frame import Where, nca
from bioparity.nca.options import NCAOptions
from bioparity.nca.review import choices_frame, review_tables
from bioparity.nca.units import add_units

#: Columns that, when present, split NCA profiles (with the subject) and are carried to the PP table.
NCA_GROUP_COLUMNS = ("arm", "period", "treatment", "analyte", "formulation", "sequence", "visit")


def frame_result(frame: pd.DataFrame, **extra: Any) -> dict[str, Any]:
    """A table as JSON: ``{"columns": [...], "rows": [[...], ...], "n_rows": n, **extra}`` (NaN -> null)."""
    rows = [[_null(_plain(v)) for v in row] for row in frame.astype(object).to_numpy().tolist()]
    return {"columns": [str(c) for c in frame.columns], "rows": rows, "n_rows": len(frame), **extra}


def _null(value: Any) -> Any:
    return None if isinstance(value, float) and value != value else value


def result_frame(result: Mapping[str, Any]) -> pd.DataFrame:
    """The table of a tabular result (inverse of :func:`frame_result`)."""
    if not isinstance(result.get("columns"), list) or not isinstance(result.get("rows"), list):
        raise InputError("this result has no table (expected 'columns' and 'rows')")
    return pd.DataFrame(result["rows"], columns=result["columns"])


def _text_option(options: Mapping[str, Any], name: str, default: str) -> str:
    value = options.get(name, default)
    if not isinstance(value, str):
        raise InputError(f"option {name}={value!r}; expected text")
    return value.strip()


def _number_option(options: Mapping[str, Any], name: str, default: float) -> float:
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InputError(f"option {name}={value!r}; expected a number")
    return float(value)


def _list_option(options: Mapping[str, Any], name: str, default: str) -> list[str]:
    return [v.strip() for v in _text_option(options, name, default).split(",") if v.strip()]


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


# --- PK similarity -------------------------------------------------------------------------------------


def read_pk_parameters(path: Path) -> pd.DataFrame:
    """A PK parameter table (NCA PP long format or one row per subject) as text cells, checked later."""
    check_csv_limits(path)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    if frame.empty:
        raise DataFileError("has a header but no data rows", file=str(path), expected="PK parameters")
    return frame


def pk_similarity_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """Pairwise GMR CIs of parallel arms per metric (the three-arm biosimilar layout by default).

    Same defaults as ``bioparity pk-similarity``: Welch per comparison (FDA 2001 statistical guidance:
    equal variances are not assumed in parallel designs), completers, %AUCext > 20% kept and counted.
    """
    arms = _list_option(options, "arms", "test,eu-ref,us-ref")
    metrics = _list_option(options, "metrics", ",".join(DEFAULT_METRICS))
    variance = _text_option(options, "variance", "welch")
    if variance not in VARIANCE_MODELS:
        raise InputError(f"option variance={variance!r}; expected one of {', '.join(VARIANCE_MODELS)}")
    population = _text_option(options, "population", "completers")
    aucpext_rule = _text_option(options, "aucpext_rule", "keep")
    wanted = [*metrics, *(["AUCPEO"] if "AUCIFO" in metrics else [])]
    try:
        wide, _subject, arm = metric_table(frame, "PK parameters", None, None, wanted, [])
    except DataFileError:
        if wanted == metrics:
            raise
        wide, _subject, arm = metric_table(frame, "PK parameters", None, None, metrics, [])
    table, notes = pk_similarity_table(
        wide,
        arm,
        arms,
        metrics,
        variance=variance,
        alpha=_number_option(options, "alpha", 0.05),
        theta1=_number_option(options, "theta1", 0.80),
        population=population,
        aucpext_rule=aucpext_rule,
    )
    return frame_result(table, notes=notes)


# --- BE (crossover / replicate) ------------------------------------------------------------------------


def read_crossover(path: Path) -> pd.DataFrame:
    """One row per subject and period: ``subject, period, sequence, treatment (T/R), PK``.

    CSV files are read in replicateBE's conventions (``#`` description lines, missing values as ``.``,
    ``NA`` or blank, ``,``/``;``/tab separators), as ``bioparity be`` reads them; other formats as tables.
    """
    if path.suffix.lower() in {".csv", ".txt"}:
        frame = read_crossover_file(path)
    else:
        frame = read_table(path, CROSSOVER_COLUMNS)
    crossover_data(frame, file=str(path))  # structural checks now, so a bad file is refused at upload
    return frame


def be_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """ABE, EMA ABEL (Method A/B) or FDA RSABE on a crossover/replicate study."""
    res = evaluate_be(
        crossover_data(frame),
        _text_option(options, "method", "abe"),
        alpha=_number_option(options, "alpha", 0.05),
    )
    return res.to_record()  # percent, ``pass``: the stored record (reports divide by 100)


# --- CAA -----------------------------------------------------------------------------------------------


def read_caa(path: Path) -> pd.DataFrame:
    """A CAA long table ``attribute, source, lot, value`` (+ optional unit, tier, replicate, ...)."""
    return read_long_table(path)


#: Attribute catalogues shipped with the package, selectable by name in the ``catalogue`` option.
CATALOGUES = {"igg1-mab-example": lambda: example_paths()[1]}


def caa_kind(frame: pd.DataFrame, options: Mapping[str, Any]) -> dict[str, Any]:
    """Every attribute, every comparison (test vs each reference, and the reference bridge).

    Tiers come from the data's ``tier`` column unless a packaged catalogue is named.
    """
    name = _text_option(options, "catalogue", "")
    if name and name not in CATALOGUES:
        raise InputError(
            f"option catalogue={name!r}; expected '' (tiers from the data) or {', '.join(CATALOGUES)}"
        )
    catalogue = read_catalogue(CATALOGUES[name]()) if name else None
    region = _text_option(options, "region", "").lower()
    pool = str(options.get("pool_references", False)).strip().lower() in {"1", "true", "yes"}
    result = assess(
        frame,
        catalogue,
        plan=_text_option(options, "plan", DEFAULT_PLAN),
        region=region or None,
        pool_references=pool,
    )
    return frame_result(result.to_frame(), notes=list(result.notes))
