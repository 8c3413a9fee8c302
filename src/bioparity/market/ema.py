"""The EMA medicines report (XLSX): medicines authorised through the EU centralised procedure.

The workbook opens with a title and notes; the header is the first row whose first cell is
``Category``. Column names differ slightly between releases (``Name of medicine`` /
``Medicine name``, ``Authorisation status`` / ``Medicine status``, ``Product number`` /
``EMA product number``, ``Marketing authorisation holder/company name`` (the EPAR export of
2018) / ``Marketing authorisation developer / applicant / holder``); all known spellings are
accepted. The holder column is optional, but without it the originator and biosimilar holders
cannot be told from trial sponsors (:mod:`bioparity.market.pipeline`), so a misspelt holder
header must be an alias here, never an empty column.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from bioparity._results import ResultMixin, software_version
from bioparity.errors import DataFileError
from bioparity.market._columns import ColumnAlias, pick, resolve_columns
from bioparity.market._dates import DATE_FORMATS_TEXT, parse_date

_INN = "International non-proprietary name (INN) / common name"
_COLUMNS: tuple[tuple[ColumnAlias, str], ...] = (
    (ColumnAlias("Category"), "category"),
    (ColumnAlias("Medicine name", ("Name of medicine", "Name")), "medicine_name"),
    (ColumnAlias("EMA product number", ("Product number",), required=False), "product_number"),
    (ColumnAlias("Medicine status", ("Authorisation status",)), "status"),
    (ColumnAlias(_INN, ("INN / common name", "International non-proprietary name (INN)")), "inn"),
    (ColumnAlias("Active substance", required=False), "active_substance"),
    (ColumnAlias("Therapeutic area (MeSH)", ("Therapeutic area",), required=False), "therapeutic_area"),
    (ColumnAlias("ATC code (human)", ("ATC code",), required=False), "atc_code"),
    (ColumnAlias("Generic", ("Generic or hybrid",), required=False), "generic"),
    (ColumnAlias("Biosimilar"), "biosimilar"),
    (ColumnAlias("Orphan medicine", required=False), "orphan"),
    (ColumnAlias("Marketing authorisation date", required=False), "authorisation_date"),
    (
        ColumnAlias(
            "Marketing authorisation developer / applicant / holder",
            ("Marketing authorisation holder", "Marketing authorisation holder/company name"),
            False,
        ),
        "holder",
    ),
    (ColumnAlias("URL", required=False), "url"),
)
_YES_NO = {"yes": True, "no": False, "": False}
_FLAG_COLUMNS = {"Biosimilar": "biosimilar", "Generic": "generic", "Orphan medicine": "orphan"}


@dataclass(frozen=True, repr=False)
class EmaCounts(ResultMixin):
    """Counts of one EMA medicines report (human medicines only).

    Attributes
    ----------
    file : str
        The workbook read.
    human_medicines : int
        Rows of category ``Human`` (any status: authorised, withdrawn, refused, ...).
    authorised : int
        Human medicines whose status is ``Authorised``.
    authorised_biosimilars : int
        Authorised human medicines flagged ``Biosimilar``.
    molecules_with_authorised_biosimilar : int
        Distinct INNs among the authorised biosimilars.
    software_version : str
        bioparity version that produced the counts.
    """

    SETTINGS = ("file",)

    file: str
    human_medicines: int
    authorised: int
    authorised_biosimilars: int
    molecules_with_authorised_biosimilar: int
    software_version: str

    def summary(self) -> str:
        return (
            f"EMA medicines {os.path.basename(self.file)}: {self.human_medicines} human medicines, "
            f"{self.authorised} authorised, {self.authorised_biosimilars} authorised biosimilars of "
            f"{self.molecules_with_authorised_biosimilar} molecules"
        )


@dataclass(frozen=True)
class EmaMedicines:
    """Rows of the EMA report: snake-case columns, ``biosimilar``/``generic``/``orphan`` as booleans,
    ``inn`` lower case, ``authorisation_date`` as ``datetime64`` and ``row`` (worksheet row).

    Attributes
    ----------
    file : str
        The workbook read.
    rows : pandas.DataFrame
        One row per medicine: ``category``, ``medicine_name``, ``product_number``, ``status``,
        ``inn``, ``active_substance``, ``therapeutic_area``, ``atc_code``, ``generic``,
        ``biosimilar``, ``orphan``, ``authorisation_date`` (NaT when blank), ``holder``, ``url`` and
        ``row``; optional columns absent from the workbook are empty text.
    preamble : tuple of str, default ()
        The text cells above the header row (title and notes, e.g. the date the report was
        generated), in sheet order.
    """

    file: str
    rows: pd.DataFrame
    preamble: tuple[str, ...] = ()

    def counts(self) -> EmaCounts:
        human = self.rows[self.rows["category"].str.casefold() == "human"]
        authorised = human[human["status"].str.casefold() == "authorised"]
        biosimilars = authorised[authorised["biosimilar"]]
        return EmaCounts(
            file=self.file,
            human_medicines=len(human),
            authorised=len(authorised),
            authorised_biosimilars=len(biosimilars),
            molecules_with_authorised_biosimilar=int(biosimilars["inn"].nunique()),
            software_version=software_version(),
        )


def read_ema_medicines(path: str | os.PathLike[str]) -> EmaMedicines:
    """Read the EMA medicines report workbook (first worksheet).

    Raises :class:`DataFileError` when no header row starting with ``Category`` is found, when a
    required column is missing (listing the columns found), or for a bad Yes/No or date cell.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.xlsx`` medicines report downloaded from the EMA website (one row per medicine
        evaluated in the centralised procedure); the column spellings of the known releases are
        accepted.

    Returns
    -------
    EmaMedicines
        The medicines, one row each (blank rows skipped); ``.counts()`` gives an :class:`EmaCounts`.

    Raises
    ------
    DataFileError
        When the file is missing or not an Excel workbook, has no header row or no medicines, misses
        a required column, or holds a flag other than Yes/No or an unreadable date (naming row and
        column).
    """
    from openpyxl import load_workbook  # deferred: only this reader needs it

    file = Path(path)
    label = str(path)
    if not file.is_file():
        raise DataFileError("file not found", file=label, expected="the EMA medicines report (.xlsx)")
    try:
        book = load_workbook(file, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as exc:
        raise DataFileError(f"cannot be read as an Excel workbook: {exc}", file=label) from exc
    try:
        sheet = book.worksheets[0]
        grid = [list(r) for r in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
    start = next(
        (
            i
            for i, r in enumerate(grid)
            if r and isinstance(r[0], str) and r[0].strip().casefold() == "category"
        ),
        None,
    )
    if start is None:
        raise DataFileError(
            "no header row (a row whose first cell is 'Category')",
            file=label,
            expected="the EMA medicines report layout",
        )
    mapping = resolve_columns(grid[start], [s for s, _ in _COLUMNS], file=label, line=start + 1)
    data = []
    for offset, cells in enumerate(grid[start + 1 :], start=1):
        if not any(c is not None and str(c).strip() for c in cells):
            continue
        data.append(_parse_row(cells, mapping, label, offset, start + 1 + offset))
    if not data:
        raise DataFileError("has a header but no medicines", file=label, line=start + 1)
    preamble = tuple(str(c).strip() for r in grid[:start] for c in r if c is not None and str(c).strip())
    return EmaMedicines(file=label, rows=pd.DataFrame(data), preamble=preamble)


def _parse_row(
    cells: Sequence[object], mapping: dict[str, int], label: str, row: int, sheet_row: int
) -> dict[str, object]:
    out: dict[str, object] = {}
    for spec, name in _COLUMNS:
        if spec.canonical == "Marketing authorisation date":
            out[name] = _date_cell(cells, mapping, label, row, sheet_row)
        elif spec.canonical in _FLAG_COLUMNS:
            text = pick(cells, mapping, spec.canonical).casefold()
            if text not in _YES_NO:
                raise DataFileError(
                    "not Yes or No", file=label, row=row, line=sheet_row, column=spec.canonical,
                    value=pick(cells, mapping, spec.canonical), expected="'Yes' or 'No'",
                )  # fmt: skip
            out[name] = _YES_NO[text]
        else:
            out[name] = pick(cells, mapping, spec.canonical)
    out["inn"] = " ".join(str(out["inn"]).split()).casefold()
    out["row"] = sheet_row
    return out


def _date_cell(
    cells: Sequence[object], mapping: dict[str, int], label: str, row: int, sheet_row: int
) -> object:
    position = mapping.get("Marketing authorisation date")
    value = cells[position] if position is not None and position < len(cells) else None
    if isinstance(value, datetime):
        return pd.Timestamp(value.date())
    if isinstance(value, date):
        return pd.Timestamp(value)
    try:
        parsed = parse_date("" if value is None else str(value))
    except ValueError:
        raise DataFileError(
            "unreadable date", file=label, row=row, line=sheet_row, column="Marketing authorisation date",
            value=value, expected=DATE_FORMATS_TEXT,
        ) from None  # fmt: skip
    return pd.Timestamp(parsed) if parsed else pd.NaT


@dataclass(frozen=True)
class FirstAuthorisation:
    """The EU marketing authorisation a reference product's protection is dated from.

    Attributes
    ----------
    day : datetime.date
        The marketing authorisation date of the medicine chosen.
    medicine : str
        The medicine's name in the report (e.g. ``Humira``).
    status : str
        Its status in the report (``Authorised``, ``Withdrawn``, ...).
    by_brand : bool
        True when the medicine is one of the originator's brands (the knowledge base's
        ``originator_brand``).
    brand : str or None
        When an earlier medicine than the originator's brand was taken (a duplicate marketing
        authorisation such as Trudexa for Humira): the brand's name and date, e.g.
        ``Humira (2003-09-08)``; None otherwise.
    """

    day: date
    medicine: str
    status: str
    by_brand: bool
    brand: str | None = None


def first_authorisation(
    medicines: EmaMedicines, names: Iterable[str], brands: Iterable[str]
) -> FirstAuthorisation | None:
    """The first EU authorisation of the molecule's reference product in the EMA report: the start of its
    regulatory data protection.

    The candidates are the human medicines of the molecule (INN among ``names``) that are neither
    biosimilar nor generic and have an authorisation date, whatever their status; the earliest is taken.
    A duplicate marketing authorisation of the same product (Regulation (EC) No 726/2004, art. 82(1)),
    still valid or withdrawn, belongs with the original to one global marketing authorisation
    (Directive 2001/83/EC, art. 6(1), second subparagraph), whose protection runs once, from the initial
    authorisation (art. 10(1)); the European Commission's notice on the handling of duplicate marketing
    authorisation applications (2021) keeps that rule. A duplicate can carry an earlier date than the
    brand the originator sells: Trudexa, Abbott's duplicate of Humira, was authorised on 1 September 2003
    and withdrawn in 2007, Humira on 8 September 2003 (EMA, Trudexa: withdrawal of the marketing
    authorisation, public statement of 27 July 2007;
    https://www.ema.europa.eu/en/medicines/human/EPAR/trudexa), so adalimumab's protection is dated
    from Trudexa, and the result names the brand (``brand``) for the reader to see why.

    Parameters
    ----------
    medicines : EmaMedicines
        The report (:func:`read_ema_medicines`).
    names : iterable of str
        Lower-case names of the molecule (INN first).
    brands : iterable of str
        The originator's brand names (``Prolia`` and ``Xgeva`` for ``Prolia/Xgeva``).

    Returns
    -------
    FirstAuthorisation or None
        The medicine chosen and its date; None when the report has no dated candidate.
    """
    rows = medicines.rows
    candidates = rows[
        (rows["category"].str.casefold() == "human")
        & ~rows["biosimilar"]
        & ~rows["generic"]
        & rows["inn"].isin(list(names))
        & rows["authorisation_date"].notna()
    ].sort_values(["authorisation_date", "row"], kind="stable")
    if candidates.empty:
        return None
    wanted = {b.strip().casefold() for b in brands if b.strip()}
    is_brand = candidates["medicine_name"].str.strip().str.casefold().isin(wanted)
    first = candidates.iloc[0]
    brand = None
    if not is_brand.iloc[0] and is_brand.any():
        own = candidates[is_brand].iloc[0]
        brand = f"{own['medicine_name']} ({own['authorisation_date'].date().isoformat()})"
    return FirstAuthorisation(
        day=first["authorisation_date"].date(),
        medicine=str(first["medicine_name"]),
        status=str(first["status"]),
        by_brand=bool(is_brand.iloc[0]),
        brand=brand,
    )
