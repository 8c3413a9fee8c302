"""Units of NCA parameters: derived from the input units, converted to preferred units, stated in output.

A small explicit table (no registry package): masses g/kg/mg/ug/ng/pg, amounts mol/mmol/umol/nmol/pmol,
activities IU and U (prefixed k, M (IU), m, u), volumes L/dL/mL/uL, times s/min/h/d/w, and the square
metre of body surface area (``m2``, also written ``m^2`` or ``m²``). A unit string is a product of these
with ``*`` or ``.``, an optional ``/`` part (every symbol after the first ``/`` is below the fraction bar)
and ``^n`` powers: ``ng/mL``, ``h*ng/mL``, ``mL/min``, ``1/h``, ``mL/min/kg``. Every parameter has a unit
type (concentration, AUC, clearance, ...) whose unit follows from the dose, concentration and time units;
``PPORRESU`` is that derived unit and ``PPSTRESU`` the preferred unit of the type, if one is set, with the
value converted (CDISC: original and standard results).

Input units (:func:`input_unit`: the one rule of ``bioparity nca``, ``bioparity nca-batch``, the workspace
NCA and the SDTM readers' PCSTRESU and EXDOSU)
    A concentration is a mass, amount or activity per volume (``ng/mL``, ``nmol/L``, ``IU/mL``) or per mass
    (``ng/g``, ``nmol/g``: tissue), a time a time, a dose a mass, amount or activity, alone, per kg of body
    weight or per m2 of body surface area (``mg``, ``nmol``, ``IU``, ``mg/kg``: the Theoph data set's
    doses, ``mg/m2``: rituximab 375 mg/m2). A unit written with known symbols but of another dimension
    (``h`` given as the concentration unit) is refused, naming the option or the file, row and column: the
    derived units of SDTM PP (PPORRESU) would state a wrong quantity. A unit with a symbol outside the
    table (``furlong``, ``ng/mll``, ``tablet``) is carried as written with a note (terminal, provenance, a
    workspace run's notes): its derived units are built from its text and nothing is converted.

Doses per body size
    A dose per kg or per m2 gives clearances and volumes per kg or per m2 (CL = dose / AUC: (mg/kg) /
    (h*mg/L) = L/h/kg), so their standard unit (PPSTRESU) defaults to L/h/kg and L/kg, or L/h/m2 and L/m2,
    where a dose of its own gives L/h and L (:data:`DEFAULT_PREFERRED`); any other unit of the same
    dimensions can be preferred (``mL/min/m2``). The area is a dimension of its own: a dose per m2 is never
    converted to one per kg, nor to a total dose (that needs each subject's body surface area or weight).

Concentrations per mass (tissue)
    ``ng/g`` (or ``ug/kg``, ``nmol/g``) is the usual unit of drug in a tissue homogenate (tissues are among
    the biological matrices of ICH M10, Bioanalytical Method Validation and Study Sample Analysis, 2022),
    so it is read as a known concentration: not refused (the data are valid), nor carried as unknown (its
    symbols are known, and ``ug/kg`` converts to ``ng/g`` exactly). Its derived units follow by the same
    rule (AUC ``h*ng/g``, CL ``mg*g/ng/h``: grams of tissue cleared per hour) and are never converted to a
    volume: that would need the tissue's density, which bioparity does not assume, so the L/h and L
    defaults do not apply (the dimensions differ) and the derived units stand.

Activity units
    ``IU`` (international units: activity relative to the WHO International Standard of each substance, WHO
    Expert Committee on Biological Standardization, e.g. factor VIII in IU/dL, interferon doses in MIU)
    and ``U`` (units, e.g. enzyme units, 1 U = 1 umol/min, NC-IUB 1979) are each a dimension of their own,
    converted only within themselves (``mIU/mL`` to ``IU/L``): an IU is defined per substance, so it has no
    mass equivalent in general and is never taken for a U. Their prefixes are read with their letter case
    (``mIU`` milli, ``MIU`` million), so ``miu`` is read as neither and carried as written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from bioparity.errors import InputError
from bioparity.problems import (
    A_CONC_UNIT,
    A_DOSE_UNIT,
    A_TIME_UNIT,
    CONC_UNIT_REFUSED,
    CONC_UNIT_UNKNOWN,
    DOSE_UNIT_REFUSED,
    DOSE_UNIT_UNKNOWN,
    EMPTY_UNIT_IN_COLUMN,
    EMPTY_UNIT_NAMED,
    NOT_A_CONC_UNIT,
    NOT_A_DOSE_UNIT,
    NOT_A_TIME_UNIT,
    TIME_UNIT_REFUSED,
    TIME_UNIT_UNKNOWN,
    UNITS_NOT_CONVERTIBLE,
    UNKNOWN_UNIT,
)

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
_TIME_WORDS: dict[str, tuple[str, float]] = {
    "secs": ("time", 1 / 3600), "mins": ("time", 1 / 60), "minute": ("time", 1 / 60),
    "minutes": ("time", 1 / 60), "hrs": ("time", 1.0), "hour": ("time", 1.0), "hours": ("time", 1.0),
    "days": ("time", 24.0), "wks": ("time", 168.0), "week": ("time", 168.0), "weeks": ("time", 168.0),
}  # fmt: skip
_UNITS.update(_TIME_WORDS)
#: Body surface area, the square metre (doses per m2: rituximab 375 mg/m2); written ``m2``, ``m^2`` or ``m²``.
_UNITS["m2"] = ("area", 1.0)
_SQUARE_METRE = re.compile(r"^m(?:\^2|²)$", re.IGNORECASE)
#: Activity units: international units (IU) and units (U), each a dimension of its own (module docstring).
_UNITS.update({"iu": ("IU", 1.0), "u": ("U", 1.0)})
#: Prefixed activity units, read with their letter case: ``mIU`` is milli, ``MIU`` million (interferon
#: doses), so ``miu`` is read as neither.
_CASED: dict[str, tuple[str, float]] = {
    "kIU": ("IU", 1e3), "MIU": ("IU", 1e6), "mIU": ("IU", 1e-3), "uIU": ("IU", 1e-6), "µIU": ("IU", 1e-6),
    "kU": ("U", 1e3), "mU": ("U", 1e-3), "uU": ("U", 1e-6), "µU": ("U", 1e-6),
}  # fmt: skip
_TOKEN = re.compile(r"^([a-zµ]+|m2)(?:\^(-?\d+))?$", re.IGNORECASE)

Dims = tuple[tuple[str, int], ...]


def _symbol(name: str) -> tuple[str, float] | None:
    """The dimension and factor of a unit symbol (letter case kept for prefixed activity units)."""
    return _CASED.get(name) or _UNITS.get(name.lower())


def _dims(powers: Mapping[str, int]) -> Dims:
    return tuple(sorted((k, v) for k, v in powers.items() if v))


def _read(text: str) -> tuple[Dims, Dims, float]:
    """The dimensions of the symbols raised to a positive power, of those raised to a negative power
    (written after ``/`` or with ``^-n``; as positive powers), and the factor to g, mol, L, h, IU, U."""
    t = text.strip().replace(" ", "").replace("\u03bc", "µ")  # Greek mu typed for the micro sign
    if not t:
        raise InputError(EMPTY_UNIT_NAMED)
    sides: tuple[dict[str, int], dict[str, int]] = ({}, {})
    factor = 1.0
    for side, part in enumerate(t.split("/")):
        for tok in re.split(r"[*.]", part):
            if tok in {"", "1", "%"}:
                continue
            m = _TOKEN.match("m2" if _SQUARE_METRE.match(tok) else tok)  # m^2, m²: the square metre
            found = _symbol(m.group(1)) if m else None
            if m is None or found is None:
                raise InputError(
                    UNKNOWN_UNIT.format(unit=repr(text), token=repr(tok), units=", ".join(list(_UNITS)[:12]))
                )
            dim, f = found
            power = (1 if side == 0 else -1) * int(m.group(2) or 1)
            into = sides[0] if power > 0 else sides[1]
            into[dim] = into.get(dim, 0) + abs(power)
            factor *= f**power
    return _dims(sides[0]), _dims(sides[1]), factor


def parse_unit(text: str) -> tuple[Dims, float]:
    """Dimensions (sorted (name, power) pairs) and the factor to g, mol, L, h (IU and U: to IU, U)."""
    over, under, factor = _read(text)
    powers = dict(over)
    for dim, power in under:
        powers[dim] = powers.get(dim, 0) - power
    return _dims(powers), factor


#: What an input unit of NCA states: a concentration, a time or a dose.
UnitRole = Literal["concentration", "time", "dose"]

#: The unit fields of an NCA input spec (:class:`~bioparity.nca.NCASpec`), which are also the names of the
#: unit options of ``bioparity nca`` and of the workspace NCA, and what each states.
UNIT_FIELDS: dict[str, UnitRole] = {"conc_unit": "concentration", "time_unit": "time", "dose_unit": "dose"}

#: The dimensions of what is measured or dosed: mass, amount of substance, and activity (IU or U).
_QUANTITIES = ("mass", "amount", "IU", "U")


def _known(dimension: str) -> str:
    """The symbols of the table of a dimension, in order (``g, mg, ...``)."""
    seen = [k for k, (d, _) in {**_UNITS, **_CASED}.items() if d == dimension and k not in _TIME_WORDS]
    return ", ".join(_SPELLED.get(k, k) for k in seen)


#: How the table's lower-case keys are written in messages.
_SPELLED = {"l": "L", "dl": "dL", "ml": "mL", "ul": "uL", "µl": "µL", "iu": "IU", "u": "U"}


_AMOUNTS = ", ".join(_known(d) for d in _QUANTITIES)


def _fits(role: UnitRole, over: Dims, under: Dims) -> bool:
    """Whether a unit of these dimensions (above and below the fraction bar) states ``role``."""
    net = dict(over)
    for dim, power in under:
        net[dim] = net.get(dim, 0) - power
    net = {k: v for k, v in net.items() if v}
    if role == "time":
        return net == {"time": 1}
    alone = any(over == ((q, 1),) for q in _QUANTITIES)
    if role == "concentration":  # per volume (plasma); per mass (tissue: ng/g, nmol/g, module docstring)
        return any(net == {q: 1, "volume": -1} for q in _QUANTITIES) or (alone and under == (("mass", 1),))
    per_body = alone and under in ((("mass", 1),), (("area", 1),))  # mg/kg, IU/kg, mg/m2
    return per_body or any(net == {q: 1} for q in _QUANTITIES)


@dataclass(frozen=True)
class InputUnit:
    """An input unit of NCA as :func:`input_unit` reads it.

    Attributes
    ----------
    text : str
        The unit as written (spaces around it removed): what the output states.
    role : {"concentration", "time", "dose"}
        What it states.
    known : bool
        Every symbol of it is in bioparity's table (else it is carried as written, never converted).
    fits : bool
        Its dimension is that of ``role`` (True for an unknown unit: its dimension cannot be told).
    """

    text: str
    role: UnitRole
    known: bool
    fits: bool

    @property
    def refusal(self) -> tuple[str, str] | None:
        """Why a file's unit is refused and what was expected (texts of :mod:`bioparity.problems`), or
        None when it fits its role."""
        if self.fits:
            return None
        return _REFUSALS[self.role]

    def note(self, source: str) -> str | None:
        """The note for an unknown unit (``source``: where it was given, e.g. ``--conc-unit``), else None."""
        if self.known:
            return None
        known = {"time": _known("time"), "dose": _AMOUNTS, "concentration": _AMOUNTS}[self.role]
        values = {"unit": repr(self.text), "source": source, "known": known}
        if self.role == "concentration":
            return CONC_UNIT_UNKNOWN.format(**values, volumes=_known("volume"))
        return (TIME_UNIT_UNKNOWN if self.role == "time" else DOSE_UNIT_UNKNOWN).format(**values)


_REFUSALS: dict[UnitRole, tuple[str, str]] = {
    "concentration": (NOT_A_CONC_UNIT, A_CONC_UNIT),
    "dose": (NOT_A_DOSE_UNIT, A_DOSE_UNIT),
    "time": (NOT_A_TIME_UNIT, A_TIME_UNIT),
}
_OPTION_REFUSALS = {"concentration": CONC_UNIT_REFUSED, "dose": DOSE_UNIT_REFUSED, "time": TIME_UNIT_REFUSED}


def input_unit(text: str, role: UnitRole) -> InputUnit:
    """An input unit read by the rule of every front end (module docstring, "Input units").

    Parameters
    ----------
    text : str
        The unit as given (an option, or a file's PCSTRESU, EXDOSU or unit column).
    role : {"concentration", "time", "dose"}
        What it must state.

    Returns
    -------
    InputUnit
        Whether bioparity knows it and whether it has the dimension of ``role``.

    Raises
    ------
    bioparity.errors.InputError
        When ``text`` is empty.

    Examples
    --------
    >>> [input_unit(u, "concentration").fits for u in ("ng/mL", "nmol/L", "IU/mL", "h", "mg")]
    [True, True, True, False, False]
    >>> [input_unit(u, "dose").fits for u in ("mg/kg", "mg/m2", "mg/m^2", "mg/L")]
    [True, True, True, False]
    >>> input_unit("ng/g", "concentration").fits, input_unit("furlong", "concentration").known
    (True, False)
    """
    try:
        over, under, _factor = _read(text)
    except InputError:
        if not text.strip():
            raise
        return InputUnit(text.strip(), role, known=False, fits=True)
    return InputUnit(text.strip(), role, known=True, fits=_fits(role, over, under))


def check_unit(text: str, role: UnitRole, *, source: str) -> str | None:
    """Refuse a known unit of another dimension than ``role``; the note for an unknown one.

    Parameters
    ----------
    text : str
        The unit as given.
    role : {"concentration", "time", "dose"}
        What it must state.
    source : str
        Where it was given, named in the error and the note (``--conc-unit``, ``option conc_unit``,
        ``PCSTRESU of pc.csv``).

    Returns
    -------
    str or None
        The note for a unit bioparity does not know (carried as written: derived units built from the
        text, no conversion), None for a known unit.

    Raises
    ------
    bioparity.errors.InputError
        When the unit is known but not a unit of ``role`` (``h`` as a concentration), naming ``source``.

    Examples
    --------
    >>> check_unit("ng/mL", "concentration", source="--conc-unit") is None
    True
    >>> check_unit("h", "concentration", source="--conc-unit")
    Traceback (most recent call last):
    ...
    bioparity.errors.InputError: --conc-unit 'h': not a concentration unit; expected a mass, amount or \
activity per volume (or per mass of tissue) such as ng/mL, mg/L, nmol/L, IU/mL or ng/g
    """
    unit = input_unit(text, role)
    if not unit.fits:
        raise InputError(_OPTION_REFUSALS[role].format(source=source, unit=repr(unit.text)))
    return unit.note(source)


def unit_notes(units: Mapping[str, object], sources: Mapping[str, str]) -> list[str]:
    """:func:`check_unit` of every unit of an NCA input that is given.

    Parameters
    ----------
    units : mapping
        ``conc_unit``, ``time_unit``, ``dose_unit`` (:data:`UNIT_FIELDS`) to the unit text; absent,
        None or empty: not given. Other keys are ignored (the options of a run may be passed as they are).
    sources : mapping of str to str
        Where each was given (``--conc-unit``, ``PCSTRESU of pc.csv``); default ``option conc_unit``.

    Returns
    -------
    list of str
        The notes of the units bioparity does not know, in the order of :data:`UNIT_FIELDS`.

    Raises
    ------
    bioparity.errors.InputError
        At the first unit that is known but of another dimension than its role.
    """
    notes = []
    for name, role in UNIT_FIELDS.items():
        text = units.get(name)
        if isinstance(text, str) and text.strip():
            note = check_unit(text, role, source=sources.get(name, f"option {name}"))
            if note is not None:
                notes.append(note)
    return notes


def conversion_factor(from_unit: str, to_unit: str) -> float:
    """Multiply a value in ``from_unit`` by this to express it in ``to_unit`` (same dimensions)."""
    if from_unit.strip() and from_unit.strip() == to_unit.strip():
        return 1.0  # the same text: nothing to convert, even for a unit bioparity does not know
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
        # dose / concentration; a dose per body weight keeps its ``/kg`` after the fraction bar, as every
        # symbol after the first ``/`` is below it (``mg*L/mg/kg``: L/kg, not ``mg/kg*L/mg``)
        d_over, _, d_under = d.partition("/")
        per_conc = f"{d}/{num}"
        if den:
            per_conc = f"{d_over}*{den}/{num}" + (f"/{d_under}" if d_under else "")
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


#: Standard units used for PPSTRESU when the dimensions allow (CDISC practice: L/h and L), the first of
#: each type's that the derived unit converts to: a dose per kg of body weight gives L/h/kg and L/kg, a
#: dose per m2 of body surface area L/h/m2 and L/m2 (module docstring, "Doses per body size").
DEFAULT_PREFERRED: dict[str, tuple[str, ...]] = {
    "clearance": ("L/h", "L/h/kg", "L/h/m2"),
    "renal_clearance": ("L/h", "L/h/kg", "L/h/m2"),
    "volume": ("L", "L/kg", "L/m2"),
}


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
    units; clearances default to L/h and volumes to L where the dose and concentration units allow it
    (L/h/kg and L/kg for a dose per kg, L/h/m2 and L/m2 for a dose per m2: :data:`DEFAULT_PREFERRED`);
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
    for ty, candidates in DEFAULT_PREFERRED.items():
        for u in candidates if ty in units else ():
            try:
                conversion_factor(units[ty], u)
            except InputError:
                continue  # e.g. a molar concentration with a mass dose: keep the derived unit
            pref[ty] = u
            break
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
    out["PPORRESU"] = types.map(simplified_units(units, pref)).fillna("").to_numpy()
    out["PPSTRESN"] = out["PPSTRESN"].to_numpy(dtype=float) * f
    out["PPSTRESU"] = (
        types.map(lambda ty: pref.get(ty, units.get(ty, "")) if isinstance(ty, str) else "")
        .fillna("")
        .to_numpy()
    )
    return out


def simplified_units(units: Mapping[str, str], preferred: Mapping[str, str]) -> dict[str, str]:
    """The derived unit of each type (:func:`derived_units`) written as its preferred unit where the two
    are the same unit (conversion factor 1 to 12 significant digits): ``mg*mL/ug/h`` is L/h
    (1e-3 g x 1e-3 L / 1e-6 g = 1 L), ``mg*L/mg`` is L; ``mg*mL/ng/h`` (= 1000 L/h) stays as derived, as
    PPORRES is the value in that unit. Units are written as the CDISC Controlled Terminology spells them
    (UNIT codelist: ``L/h``, ``L``), not as the product of the input symbols (SDTMIG v3.4, PP domain:
    PPORRESU and PPSTRESU from the PKUNIT codelists)."""
    out = dict(units)
    for ty, unit in preferred.items():
        if ty in out and out[ty] != unit and np.isclose(conversion_factor(out[ty], unit), 1.0, rtol=1e-12):
            out[ty] = unit
    return out


def convert_column(values: np.ndarray, units: pd.Series, target: str) -> np.ndarray:
    """Values given with a unit per row (an input unit column), all expressed in ``target``."""
    u = units.astype("string").fillna("").str.strip()
    factors = {name: conversion_factor(name, target) for name in u.unique() if name}
    if (u == "").any():
        raise InputError(EMPTY_UNIT_IN_COLUMN.format(unit=target))
    return np.asarray(np.asarray(values, dtype=float) * u.map(factors).to_numpy(dtype=float), dtype=float)
