"""Readers of the CMC inputs (issue #23): stability results, the stability specification, profiles.

All readers take CSV or XLSX (:func:`bioparity.io.readers.read_any_table`) and report every problem with
the file, the data row (and file line for CSV) and the column, before any computation.

* Stability (long): ``attribute, lot, time, value`` and optionally ``product`` (e.g. test/reference or
  pre-change/post-change) and ``condition`` (storage or stress condition: ``5C``, ``25C/60%RH``, ``light``,
  ``oxidation``...; each attribute x condition is analysed separately). An empty value is an error: a
  missing stability result is something a regulator asks about; remove the row and say why.
* Stability specification (YAML): ``attributes: {NAME: {lower: .., upper: .., model: linear|log,
  slope_margin: .., label: ..}}`` (``label``: the attribute as a reader sees it, e.g. ``Purity (SEC)`` for
  ``purity_sec``; the name as written where absent) and optional ``confidence`` (0.95), ``alpha_pool``
  (0.25), ``max_time``, ``dids_variance`` (separate|pooled), ``test``/``reference`` (product labels for the
  slope comparison), ``slope_alpha`` (0.05), ``time_unit`` (the unit of ``time``: hours, days, weeks,
  months or years, singular or plural; months when absent, the unit of ICH Q1E's shelf lives).
* Profile (long): ``source, lot, species, value`` (percent); every lot must report every species once.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from bioparity.delimited import require_file
from bioparity.errors import DataFileError, InputError, require_columns_found
from bioparity.io.readers import parse_number, read_any_table
from bioparity.problems import (
    A_FINITE_NONNEGATIVE,
    A_FINITE_NUMBER,
    A_LABEL,
    A_SPECIFICATION_FILE,
    AN_ATTRIBUTE_OF,
    COLUMNS,
    COLUMNS_OPTIONAL,
    EMPTY_CELL,
    EMPTY_RESULT,
    HEADER_ONLY,
    LOT_IN_TWO_PRODUCTS,
    LOT_IN_TWO_SOURCES,
    MISSING_SPECIES,
    NEGATIVE,
    NOT_A_NUMBER,
    NOT_IN_SPECIFICATION,
    NOT_IN_SPECIFICATION_NOR,
    ONE_PRODUCT_PER_LOT,
    SPECIES_TWICE,
)

STABILITY_COLUMNS = ("attribute", "lot", "time", "value")
PROFILE_COLUMNS = ("source", "lot", "species", "value")


def _load(
    path: str | os.PathLike[str], required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> tuple[pd.DataFrame, str, int | None]:
    table = read_any_table(path)
    frame = table.frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    require_columns_found(
        frame.columns,
        required,
        file=table.file,
        expected=COLUMNS_OPTIONAL.format(columns=", ".join(required), optional=", ".join(optional))
        if optional
        else COLUMNS.format(columns=", ".join(required)),
    )
    if frame.empty:
        raise DataFileError(HEADER_ONLY, file=table.file)
    return frame, table.file, table.line_offset


def _cell_error(
    problem: str,
    file: str,
    i: int,
    offset: int | None,
    column: str,
    value: Any = None,
    expected: str | None = None,
) -> DataFileError:
    """The error of data row ``i`` (0-based) in ``column``; the file line when the header's is known."""
    line = None if offset is None else i + 1 + offset
    return DataFileError(
        problem, file=file, row=i + 1, line=line, column=column, value=value, expected=expected
    )


def _text(
    frame: pd.DataFrame, column: str, file: str, offset: int | None, default: str | None = None
) -> list[str]:
    if column not in frame.columns:
        return [default or ""] * len(frame)
    out = []
    for i, cell in enumerate(frame[column].tolist()):
        text = "" if cell is None or (isinstance(cell, float) and math.isnan(cell)) else str(cell).strip()
        if not text:
            if default is not None:
                out.append(default)
                continue
            raise _cell_error(EMPTY_CELL, file, i, offset, column, expected=A_LABEL)
        out.append(text)
    return out


def _numbers(
    frame: pd.DataFrame, column: str, file: str, offset: int | None, *, nonnegative: bool = False
) -> list[float]:
    out = []
    for i, cell in enumerate(frame[column].tolist()):
        text = "" if cell is None else str(cell).strip()
        try:
            v = parse_number(text)
        except ValueError:
            v = float("nan")
        if not math.isfinite(v) or (nonnegative and v < 0):
            problem = EMPTY_RESULT if text in ("", "nan", "NA") else NOT_A_NUMBER
            if math.isfinite(v):
                problem = NEGATIVE
            expected = A_FINITE_NONNEGATIVE if nonnegative else A_FINITE_NUMBER
            raise _cell_error(problem, file, i, offset, column, cell, expected)
        out.append(v)
    return out


def read_stability(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a long stability table (module docstring); returns columns ``attribute, condition, product,
    lot, time, value, row`` (``row`` = 1-based data row of the file)."""
    frame, file, offset = _load(path, STABILITY_COLUMNS, ("product", "condition"))
    return stability_frame(frame, file, offset)


def stability_frame(frame: pd.DataFrame, file: str, offset: int | None) -> pd.DataFrame:
    """The checks and result of :func:`read_stability` on a table already loaded (headers stripped, the
    columns of :data:`STABILITY_COLUMNS` present): ``file`` and the line ``offset`` of its header name
    the place of a bad cell (``offset`` None: rows only)."""
    out = pd.DataFrame(
        {
            "attribute": _text(frame, "attribute", file, offset),
            "condition": _text(frame, "condition", file, offset, default=""),
            "product": _text(frame, "product", file, offset, default="product"),
            "lot": _text(frame, "lot", file, offset),
            "time": _numbers(frame, "time", file, offset, nonnegative=True),
            "value": _numbers(frame, "value", file, offset),
            "row": range(1, len(frame) + 1),
        }
    )
    # a lot belongs to one product
    per_lot = out.groupby("lot")["product"].nunique()
    for lot in per_lot[per_lot > 1].index:
        i = int(out.index[(out["lot"] == lot)].tolist()[-1])
        problem = LOT_IN_TWO_PRODUCTS.format(lot=repr(lot))
        raise _cell_error(problem, file, i, offset, "product", out.loc[i, "product"], ONE_PRODUCT_PER_LOT)
    return out


@dataclass(frozen=True)
class AttributeStabilitySpec:
    """Acceptance criteria and model of one attribute, and its label (the name a reader sees; printed as
    :attr:`shown`)."""

    name: str
    lower: float | None = None
    upper: float | None = None
    model: str = "linear"
    slope_margin: float | None = None
    label: str | None = None

    @property
    def shown(self) -> str:
        """The attribute as output for a reader prints it: ``label``, else ``name`` exactly as written."""
        return self.label or self.name


@dataclass(frozen=True)
class StabilitySpec:
    """The stability specification file (module docstring)."""

    attributes: dict[str, AttributeStabilitySpec] = field(default_factory=dict)
    confidence: float = 0.95
    alpha_pool: float = 0.25
    max_time: float | None = None
    dids_variance: str = "separate"
    test: str = "test"
    reference: str = "reference"
    slope_alpha: float = 0.05
    time_unit: str = "months"


_TOP = {
    "attributes",
    "confidence",
    "alpha_pool",
    "max_time",
    "dids_variance",
    "test",
    "reference",
    "slope_alpha",
    "time_unit",
}
_ATTR = {"lower", "upper", "model", "slope_margin", "label"}


def _spec_number(value: Any, where: str, name: str) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if not math.isfinite(v):
        raise InputError(f"{where}: {name} {value!r} is not a finite number")
    return v


def read_stability_spec(path: str | os.PathLike[str]) -> StabilitySpec:
    """Read the stability specification YAML (module docstring); errors name the file and the key."""
    import yaml

    file = Path(path)
    label = str(path)
    require_file(file, label, A_SPECIFICATION_FILE)  # not found, or a folder
    try:
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DataFileError(f"cannot be read as YAML: {exc}", file=label) from exc
    if not isinstance(data, dict) or not isinstance(data.get("attributes"), dict) or not data["attributes"]:
        raise InputError(f"{label}: expected a mapping with 'attributes: {{NAME: {{lower: .., upper: ..}}}}'")
    unknown = sorted(set(map(str, data)) - _TOP)
    if unknown:
        raise InputError(f"{label}: unknown key(s) {', '.join(unknown)}; expected {', '.join(sorted(_TOP))}")
    attrs: dict[str, AttributeStabilitySpec] = {}
    for name, entry in data["attributes"].items():
        where = f"{label}: attributes.{name}"
        entry = entry or {}
        if not isinstance(entry, dict):
            raise InputError(f"{where}: expected a mapping with lower/upper/model/slope_margin/label")
        bad = sorted(set(map(str, entry)) - _ATTR)
        if bad:
            raise InputError(f"{where}: unknown key(s) {', '.join(bad)}; expected {', '.join(sorted(_ATTR))}")
        lower = _spec_number(entry["lower"], where, "lower") if entry.get("lower") is not None else None
        upper = _spec_number(entry["upper"], where, "upper") if entry.get("upper") is not None else None
        if lower is not None and upper is not None and lower >= upper:
            raise InputError(f"{where}: lower {lower} must be below upper {upper}")
        model = str(entry.get("model", "linear")).strip().lower()
        if model not in ("linear", "log"):
            raise InputError(f"{where}: model {model!r} unknown; expected linear or log")
        margin = entry.get("slope_margin")
        margin_v = _spec_number(margin, where, "slope_margin") if margin is not None else None
        if margin_v is not None and margin_v <= 0:
            raise InputError(f"{where}: slope_margin must be > 0")
        text = entry.get("label")
        if text is not None and not isinstance(text, str):
            raise InputError(f"{where}: label {text!r} is not a text")
        shown = text.strip() if text else None
        attrs[str(name)] = AttributeStabilitySpec(str(name), lower, upper, model, margin_v, shown or None)
    kw: dict[str, Any] = {}
    for key in ("confidence", "alpha_pool", "max_time", "slope_alpha"):
        if data.get(key) is not None:
            kw[key] = _spec_number(data[key], label, key)
    for key in ("dids_variance", "test", "reference"):
        if data.get(key) is not None:
            kw[key] = str(data[key]).strip()
    if data.get("time_unit") is not None:
        from bioparity.stability.table import stability_time_unit

        kw["time_unit"] = stability_time_unit(data["time_unit"], source=f"{label}: time_unit")
    return StabilitySpec(attributes=attrs, **kw)


def check_specified(data: pd.DataFrame, spec: StabilitySpec, file: str, spec_file: str) -> None:
    """Refuse stability data holding an attribute the specification does not name, at the first such row of
    ``data`` (as :func:`read_stability` returns it, with ``row``) and its column ``attribute``; the names
    must match exactly (``Purity`` is not ``purity``)."""
    unknown = ~data["attribute"].isin(list(spec.attributes))
    if unknown.any():
        first = data[unknown].iloc[0]
        others = sorted(set(data.loc[unknown, "attribute"]) - {first["attribute"]})
        raise DataFileError(
            NOT_IN_SPECIFICATION_NOR.format(file=spec_file, others=", ".join(map(repr, others)))
            if others
            else NOT_IN_SPECIFICATION.format(file=spec_file),
            file=file,
            row=int(first["row"]),
            column="attribute",
            value=first["attribute"],
            expected=AN_ATTRIBUTE_OF.format(file=spec_file, attributes=", ".join(spec.attributes)),
        )


@dataclass(frozen=True)
class ProfileData:
    """A profile table in wide form: one row per lot, one column per species (file order)."""

    lots: list[str]
    sources: list[str]
    species: list[str]
    parts: list[list[float]]
    file: str


def read_profile(path: str | os.PathLike[str]) -> ProfileData:
    """Read a long profile table ``source, lot, species, value`` (percent); errors name file, row, column.

    Every lot must report every species exactly once and belong to one source.
    """
    frame, file, offset = _load(path, PROFILE_COLUMNS)
    src = _text(frame, "source", file, offset)
    lot = _text(frame, "lot", file, offset)
    sp = _text(frame, "species", file, offset)
    val = _numbers(frame, "value", file, offset, nonnegative=True)
    species = list(dict.fromkeys(sp))
    lots = list(dict.fromkeys(lot))
    seen: dict[tuple[str, str], int] = {}
    lot_source: dict[str, str] = {}
    for i, (s, lt, name) in enumerate(zip(src, lot, sp, strict=True)):
        if (lt, name) in seen:
            problem = SPECIES_TWICE.format(species=repr(name), lot=repr(lt), row=seen[(lt, name)] + 1)
            raise _cell_error(problem, file, i, offset, "species", name)
        seen[(lt, name)] = i
        if lot_source.setdefault(lt, s) != s:
            problem = LOT_IN_TWO_SOURCES.format(lot=repr(lt), first=repr(lot_source[lt]), second=repr(s))
            raise _cell_error(problem, file, i, offset, "source", s)
    parts: list[list[float]] = []
    for lt in lots:
        row = []
        for name in species:
            if (lt, name) not in seen:
                raise DataFileError(
                    MISSING_SPECIES.format(lot=repr(lt), species=repr(name)),
                    file=file,
                    column="species",
                    value=name,
                )
            row.append(val[seen[(lt, name)]])
        parts.append(row)
    return ProfileData(
        lots=lots, sources=[lot_source[lt] for lt in lots], species=species, parts=parts, file=file
    )
