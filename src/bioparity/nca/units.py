"""Units of NCA parameters: derived from the input units, converted to preferred units, stated in output.

A small explicit table (no registry package): masses g/kg/mg/ug/ng/pg, amounts mol/mmol/umol/nmol/pmol,
volumes L/dL/mL/uL, times s/min/h/d/w. A unit string is a product of these with ``*`` or ``.``, an
optional ``/`` part and ``^n`` powers: ``ng/mL``, ``h*ng/mL``, ``mL/min``, ``1/h``. Every parameter has a
unit type (concentration, AUC, clearance, ...) whose unit follows from the dose, concentration and time
units; ``PPORRESU`` is that derived unit and ``PPSTRESU`` the preferred unit of the type, if one is set,
with the value converted (CDISC: original and standard results).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np
import pandas as pd

from bioparity.errors import InputError
from bioparity.problems import EMPTY_UNIT_IN_COLUMN, EMPTY_UNIT_NAMED, UNITS_NOT_CONVERTIBLE, UNKNOWN_UNIT

_UNITS: dict[str, tuple[str, float]] = {
    "kg": ("mass", 1e3), "g": ("mass", 1.0), "mg": ("mass", 1e-3), "ug": ("mass", 1e-6),
    "µg": ("mass", 1e-6), "mcg": ("mass", 1e-6), "ng": ("mass", 1e-9), "pg": ("mass", 1e-12),
    "mol": ("amount", 1.0), "mmol": ("amount", 1e-3), "umol": ("amount", 1e-6), "µmol": ("amount", 1e-6),
    "nmol": ("amount", 1e-9), "pmol": ("amount", 1e-12),
    "l": ("volume", 1.0), "dl": ("volume", 0.1), "ml": ("volume", 1e-3), "ul": ("volume", 1e-6),
    "µl": ("volume", 1e-6),
    "s": ("time", 1 / 3600), "sec": ("time", 1 / 3600), "min": ("time", 1 / 60), "h": ("time", 1.0),
    "hr": ("time", 1.0), "d": ("time", 24.0), "day": ("time", 24.0), "w": ("time", 168.0),
    "wk": ("time", 168.0),
}  # fmt: skip
_TOKEN = re.compile(r"^([a-zµ]+)(?:\^(-?\d+))?$")

Dims = tuple[tuple[str, int], ...]


def parse_unit(text: str) -> tuple[Dims, float]:
    """Dimensions (sorted (name, power) pairs) and the factor to g, mol, L, h."""
    t = text.strip().lower().replace(" ", "")
    if not t:
        raise InputError(EMPTY_UNIT_NAMED)
    parts = t.split("/")
    dims: dict[str, int] = {}
    factor = 1.0
    for side, part in enumerate(parts):
        sign = 1 if side == 0 else -1
        for tok in re.split(r"[*.]", part):
            if tok in {"", "1", "%"}:
                continue
            m = _TOKEN.match(tok)
            if not m or m.group(1) not in _UNITS:
                raise InputError(
                    UNKNOWN_UNIT.format(unit=repr(text), token=repr(tok), units=", ".join(list(_UNITS)[:12]))
                )
            dim, f = _UNITS[m.group(1)]
            power = sign * int(m.group(2) or 1)
            dims[dim] = dims.get(dim, 0) + power
            factor *= f**power
    return tuple(sorted((k, v) for k, v in dims.items() if v)), factor


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Multiply a value in ``from_unit`` by this to express it in ``to_unit`` (same dimensions)."""
    d1, f1 = parse_unit(from_unit)
    d2, f2 = parse_unit(to_unit)
    if d1 != d2:
        raise InputError(UNITS_NOT_CONVERTIBLE.format(source=repr(from_unit), target=repr(to_unit)))
    return f1 / f2


#: Unit type of each parameter code (unitless codes are absent).
UNIT_TYPES: dict[str, str] = {
    **dict.fromkeys(["CMAX", "CLST", "CLSTP", "C0", "CMIN", "CTROUGH", "CAVG"], "conc"),
    **dict.fromkeys(["TMAX", "TMIN", "TLST", "LAMZLL", "LAMZUL", "LAMZHL", "MRTEVIFO", "MRTIVIFO"], "time"),
    **dict.fromkeys(["ERTMAX", "ERTLST", "TSSMONO", "TSSLAMZ"], "time"),
    **dict.fromkeys(["CTRSSMON"], "conc"),
    **dict.fromkeys(
        ["AUCLST", "AUCALL", "AUCIFO", "AUCIFP", "AUCINT", "AUCTAU", "SPARSEAL", "SPARSEAS"], "auc"
    ),
    **dict.fromkeys(["SPARSECL", "SPARSECU", "SPARSEBS", "SPARSEBL", "SPARSEBU"], "auc"),
    **dict.fromkeys(["AUMCLST", "AUMCIFO", "AUMCTAU"], "aumc"),
    **dict.fromkeys(["LAMZ"], "rate_constant"),
    **dict.fromkeys(["CLFO", "CLO", "CLFTAU", "CLTAU"], "clearance"),
    **dict.fromkeys(["VZFO", "VZO", "VZFTAU", "VZTAU"], "volume"),
    **dict.fromkeys(["RCAMINT"], "amount"),
    **dict.fromkeys(["VOLPK"], "urine_volume"),
    **dict.fromkeys(["ERMAX", "ERLST"], "excretion_rate"),
    **dict.fromkeys(["AURCLST", "AURCIFO"], "amount"),
    **dict.fromkeys(["RENALCL"], "renal_clearance"),
    **dict.fromkeys(["AUCPEO", "AURCPEO", "FLUCP", "FLUCPTAU", "SWING", "SWINGTAU", "RCPCINT"], "percent"),
}


def derived_units(
    conc: str, time: str, dose: str | None = None, urine_volume: str | None = None
) -> dict[str, str]:
    """The unit of each unit type that follows from the input units (strings :func:`parse_unit` reads)."""
    c, t = conc.strip(), time.strip()
    num, _, den = c.partition("/")
    out = {
        "conc": c,
        "time": t,
        "auc": f"{t}*{c}",
        "aumc": f"{t}^2*{c}",
        "rate_constant": f"1/{t}",
        "percent": "%",
    }
    if dose:
        d = dose.strip()
        per_conc = f"{d}*{den}/{num}" if den else f"{d}/{num}"
        out.update(
            {
                "amount": d,
                "clearance": f"{per_conc}/{t}",
                "volume": per_conc,
                "excretion_rate": f"{d}/{t}",
                "renal_clearance": f"{per_conc}/{t}",
            }
        )
    if urine_volume:
        out["urine_volume"] = urine_volume.strip()
    return out


#: Standard units used for PPSTRESU when the dimensions allow (CDISC practice: L/h and L).
DEFAULT_PREFERRED = {"clearance": "L/h", "renal_clearance": "L/h", "volume": "L"}


def add_units(
    long: pd.DataFrame,
    *,
    conc: str,
    time: str,
    dose: str | None = None,
    urine_volume: str | None = None,
    preferred: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Add PPORRES/PPORRESU (derived units) and convert PPSTRESN into PPSTRESU (preferred units).

    ``preferred`` maps unit types (``clearance``, ``volume``, ``auc``, ``conc``, ``time``, ...) to
    units; clearances default to L/h and volumes to L where the dose and concentration units allow it;
    other types keep the derived unit.

    Parameters
    ----------
    long : pandas.DataFrame
        A long NCA table with ``PPTESTCD`` and ``PPSTRESN`` (e.g. ``NCAResult.to_frame()``); not modified.
    conc : str
        Concentration unit of the input (e.g. ``"ng/mL"``, ``"nmol/L"``).
    time : str
        Time unit of the input (e.g. ``"h"``, ``"min"``).
    dose : str or None, default None
        Dose unit (e.g. ``"mg"``); without it amounts, clearances and volumes get no unit.
    urine_volume : str or None, default None
        Unit of urine volumes (e.g. ``"mL"``), for VOLPK.
    preferred : mapping of str to str or None, default None
        Unit type (``"conc"``, ``"time"``, ``"auc"``, ``"aumc"``, ``"clearance"``, ``"volume"``,
        ``"amount"``, ...) to the unit PPSTRESU should use; overrides the L/h and L defaults.

    Returns
    -------
    pandas.DataFrame
        A copy of ``long`` with ``PPORRES`` (the value as computed), ``PPORRESU`` (its derived unit),
        ``PPSTRESN`` converted to and ``PPSTRESU`` the preferred unit (``""`` for unitless codes).

    Raises
    ------
    bioparity.errors.InputError
        When a unit cannot be read, a preferred unit is given for a type with no input unit, or its
        dimensions differ from the derived unit's (e.g. ``"ng/mL"`` preferred for a volume).

    References
    ----------
    CDISC SDTM Implementation Guide v3.4, Pharmacokinetics Parameters (PP) domain: original result
    (PPORRES, PPORRESU) and standardized result (PPSTRESN, PPSTRESU).

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"PPTESTCD": ["CMAX", "CLFO"], "PPSTRESN": [12.0, 0.5]})
    >>> out = add_units(long, conc="ng/mL", time="h", dose="mg")  # 0.5 mg*mL/ng/h = 500 L/h
    >>> out[["PPTESTCD", "PPORRESU", "PPSTRESN", "PPSTRESU"]]
      PPTESTCD    PPORRESU  PPSTRESN PPSTRESU
    0     CMAX       ng/mL      12.0    ng/mL
    1     CLFO  mg*mL/ng/h     500.0      L/h
    """
    units = derived_units(conc, time, dose, urine_volume)
    pref: dict[str, str] = {}
    for ty, u in DEFAULT_PREFERRED.items():
        if ty in units:
            try:
                conversion_factor(units[ty], u)
                pref[ty] = u
            except InputError:
                pass  # e.g. a molar concentration with a mass dose: keep the derived unit
    for k, u in (preferred or {}).items():
        if k not in units:
            raise InputError(
                f"preferred unit for {k!r}: unknown unit type or no input unit to derive it from"
            )
        conversion_factor(units[k], u)  # fails with a clear message when the dimensions differ
        pref[k] = u
    out = long.copy()
    types = out["PPTESTCD"].map(UNIT_TYPES)
    factors = {
        ty: conversion_factor(units[ty], pref[ty]) if ty in pref else 1.0 for ty in set(types.dropna())
    }
    f = types.map(factors).fillna(1.0).to_numpy(dtype=float)
    out["PPORRES"] = out["PPSTRESN"]
    out["PPORRESU"] = types.map(units).fillna("").to_numpy()
    out["PPSTRESN"] = out["PPSTRESN"].to_numpy(dtype=float) * f
    out["PPSTRESU"] = (
        types.map(lambda ty: pref.get(ty, units.get(ty, "")) if isinstance(ty, str) else "")
        .fillna("")
        .to_numpy()
    )
    return out


def convert_column(values: np.ndarray, units: pd.Series, target: str) -> np.ndarray:
    """Values given with a unit per row (an input unit column), all expressed in ``target``."""
    u = units.astype("string").fillna("").str.strip()
    factors = {name: conversion_factor(name, target) for name in u.unique() if name}
    if (u == "").any():
        raise InputError(EMPTY_UNIT_IN_COLUMN.format(unit=target))
    return np.asarray(np.asarray(values, dtype=float) * u.map(factors).to_numpy(dtype=float), dtype=float)
