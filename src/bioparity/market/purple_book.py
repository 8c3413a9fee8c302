"""The FDA Purple Book monthly CSV download: licensed biological products in the United States.

The file holds several blocks, each with its own header row whose first cell is ``N/R/U``: the
month's changes first, then (after a ``Purple Book Database`` line) the full database. The last
block is the database; the earlier ones repeat some of its rows and are ignored. One product
appears once per strength and presentation, so counts are taken after de-duplicating on the BLA.
"""

from __future__ import annotations

import csv
import io
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from bioparity._results import ResultMixin, software_version
from bioparity.delimited import require_comma_separated_header, require_file
from bioparity.errors import BioparityWarning, DataFileError
from bioparity.market._columns import ColumnAlias, pick, resolve_columns
from bioparity.market._dates import DATE_FORMATS_TEXT, parse_date

#: Licence types of the Purple Book, by their normalised spelling.
ORIGINATOR = "351(a)"
BIOSIMILAR = "351(k) Biosimilar"
INTERCHANGEABLE = "351(k) Interchangeable"
LICENSE_TYPES = (ORIGINATOR, BIOSIMILAR, INTERCHANGEABLE)

#: Canonical header -> (output column, aliases, required).
_COLUMNS: tuple[tuple[ColumnAlias, str], ...] = (
    (ColumnAlias("N/R/U", required=False), "change"),
    (ColumnAlias("Applicant", required=False), "applicant"),
    (ColumnAlias("BLA Number"), "bla_number"),
    (ColumnAlias("Proprietary Name"), "proprietary_name"),
    (ColumnAlias("Proper Name"), "proper_name"),
    (ColumnAlias("License Type", ("BLA Type",)), "license_type"),
    (ColumnAlias("Strength", required=False), "strength"),
    (ColumnAlias("Marketing Status", required=False), "marketing_status"),
    (ColumnAlias("Licensure", ("License Status",), required=False), "licensure"),
    (ColumnAlias("Approval Date"), "approval_date"),
    (ColumnAlias("Inter. Approval Date", required=False), "interchangeable_approval_date"),
    (ColumnAlias("Ref. Product Proper Name", ("Reference Product Proper Name",)), "ref_proper_name"),
    (
        ColumnAlias("Ref. Product Proprietary Name", ("Reference Product Proprietary Name",), required=False),
        "ref_proprietary_name",
    ),
    (ColumnAlias("Date of First Licensure", required=False), "first_licensure_date"),
    (ColumnAlias("Exclusivity Expiration Date", required=False), "exclusivity_expiration_date"),
    (ColumnAlias("Ref. Product Exclusivity Exp. Date", required=False), "ref_exclusivity_expiration_date"),
    (ColumnAlias("Orphan Exclusivity Exp. Date", required=False), "orphan_exclusivity_expiration_date"),
)
_DATE_COLUMNS = frozenset(
    {
        "Approval Date",
        "Inter. Approval Date",
        "Date of First Licensure",
        "Exclusivity Expiration Date",
        "Ref. Product Exclusivity Exp. Date",
        "Orphan Exclusivity Exp. Date",
    }
)
_HEADER_MARK = "n/r/u"


@dataclass(frozen=True, repr=False)
class PurpleBookCounts(ResultMixin):
    """Counts of one Purple Book file (products = distinct BLA numbers).

    A BLA licensed as interchangeable for some presentations and as biosimilar for others is
    counted as interchangeable (its strongest designation). ``reference_molecules_with_biosimilar``
    counts distinct reference proper names that at least one 351(k) product names.

    Attributes
    ----------
    file : str
        The CSV file read.
    rows : int
        Rows of the database block (one per product presentation).
    products : int
        Distinct BLA numbers.
    originator_products : int
        BLAs licensed under section 351(a) of the PHS Act (reference products and other originators).
    biosimilar_products : int
        BLAs licensed under 351(k) as biosimilar (and never as interchangeable).
    interchangeable_products : int
        BLAs licensed under 351(k) as interchangeable for at least one presentation.
    reference_molecules_with_biosimilar : int
        Distinct reference proper names named by at least one 351(k) product.
    software_version : str
        bioparity version that produced the counts.
    """

    SETTINGS = ("file",)

    file: str
    rows: int
    products: int
    originator_products: int
    biosimilar_products: int
    interchangeable_products: int
    reference_molecules_with_biosimilar: int
    software_version: str

    def summary(self) -> str:
        return (
            f"Purple Book {os.path.basename(self.file)}: {self.rows} rows, {self.products} products "
            f"({self.originator_products} originator, {self.biosimilar_products} biosimilar, "
            f"{self.interchangeable_products} interchangeable)\n"
            f"{self.reference_molecules_with_biosimilar} reference molecules with a biosimilar"
        )


@dataclass(frozen=True)
class PurpleBook:
    """The database block of a Purple Book file: one row per product presentation.

    ``rows`` has the columns of ``_COLUMNS`` (snake case; dates as ``datetime64``, blank = NaT),
    plus ``molecule`` (the lower-case reference proper name of a 351(k) product, the proper name of a
    351(a) product), ``line`` (line of the file) and ``reference_from_suffix`` (True where a 351(k)
    row left its reference blank and the molecule was read from the proper name before its suffix).

    Attributes
    ----------
    file : str
        The CSV file read.
    title : str
        First non-blank cell of the file (the download's title line).
    rows : pandas.DataFrame
        The database block, one row per product presentation: ``change``, ``applicant``,
        ``bla_number``, ``proprietary_name``, ``proper_name``, ``license_type`` (:data:`ORIGINATOR`,
        :data:`BIOSIMILAR` or :data:`INTERCHANGEABLE`), ``strength``, ``marketing_status``,
        ``licensure``, the dates ``approval_date``, ``interchangeable_approval_date``,
        ``first_licensure_date``, ``exclusivity_expiration_date``,
        ``ref_exclusivity_expiration_date``, ``orphan_exclusivity_expiration_date``, the reference
        names ``ref_proper_name`` and ``ref_proprietary_name``, then ``molecule``, ``line`` and
        ``reference_from_suffix``.
    """

    file: str
    title: str
    rows: pd.DataFrame

    def products(self) -> pd.DataFrame:
        """One row per BLA: first row of each BLA, with its strongest licence type."""
        rank = self.rows["license_type"].map({ORIGINATOR: 0, BIOSIMILAR: 1, INTERCHANGEABLE: 2})
        ordered = self.rows.assign(_rank=rank).sort_values(["bla_number", "_rank"], kind="stable")
        best = ordered.groupby("bla_number", sort=True)["license_type"].last()
        first = ordered.drop_duplicates("bla_number", keep="first").set_index("bla_number")
        first["license_type"] = best
        return first.drop(columns="_rank").reset_index()

    def counts(self) -> PurpleBookCounts:
        """Counts of rows, products by licence type and reference molecules with a biosimilar."""
        products = self.products()
        kinds = products["license_type"].value_counts()
        follow_ons = products[products["license_type"] != ORIGINATOR]
        return PurpleBookCounts(
            file=self.file,
            rows=len(self.rows),
            products=len(products),
            originator_products=int(kinds.get(ORIGINATOR, 0)),
            biosimilar_products=int(kinds.get(BIOSIMILAR, 0)),
            interchangeable_products=int(kinds.get(INTERCHANGEABLE, 0)),
            reference_molecules_with_biosimilar=int(follow_ons["molecule"].nunique()),
            software_version=software_version(),
        )


def read_purple_book(path: str | os.PathLike[str]) -> PurpleBook:
    """Read a Purple Book monthly CSV download (any 2020-2026 layout).

    Raises :class:`DataFileError` when the file has no ``N/R/U`` header row, misses a required
    column (listing the columns found), or holds an unknown licence type or an unreadable date
    (naming the line and column).

    Parameters
    ----------
    path : str or os.PathLike
        The monthly CSV download of the FDA's Purple Book (Database of Licensed Biological
        Products), UTF-8 or Windows-1252.

    Returns
    -------
    PurpleBook
        The database block (the last block of the file); ``.counts()`` gives a
        :class:`PurpleBookCounts`, ``.products()`` one row per BLA.

    Raises
    ------
    DataFileError
        When the file is missing, not CSV or semicolon-separated (re-saved by Excel), has no header row
        or no rows in its database block, misses a required column, or holds an unknown licence type,
        an unreadable date or an empty BLA number.

    Warns
    -----
    BioparityWarning
        When 351(k) rows leave ``Ref. Product Proper Name`` blank and their molecule is read from
        the proper name before its four-letter suffix (``adalimumab-atto`` -> ``adalimumab``).
    """
    file = Path(path)
    label = str(path)
    require_file(file, label, "a Purple Book CSV download")  # not found, or a folder
    records = _read_records(file, label)
    headers = [
        i for i, (_, cells) in enumerate(records) if cells and cells[0].strip().casefold() == _HEADER_MARK
    ]
    if not headers:
        # a download re-saved by Excel in a decimal-comma locale: the header row is one cell 'N/R/U;...'
        for line, cells in records:
            if cells and cells[0].strip().casefold().startswith(_HEADER_MARK):
                require_comma_separated_header(cells, label, line=line)
        raise DataFileError(
            "no header row (a row whose first cell is 'N/R/U')",
            file=label,
            expected="the Purple Book monthly CSV layout",
        )
    start = headers[-1]
    header_line, header = records[start]
    mapping = resolve_columns(header, [spec for spec, _ in _COLUMNS], file=label, line=header_line)
    license_header = header[mapping["License Type"]].strip()
    title = next((c[0].strip() for _, c in records if c and c[0].strip()), "")
    data: list[dict[str, object]] = []
    for row_number, (line, cells) in enumerate(records[start + 1 :], start=1):
        if not any(c.strip() for c in cells):
            continue
        data.append(_parse_row(cells, mapping, label, row_number, line, license_header))
    if not data:
        raise DataFileError("the database block has a header but no rows", file=label, line=header_line)
    frame = pd.DataFrame(data)
    _flag_suffix_references(frame, label)
    return PurpleBook(file=label, title=title, rows=frame)


def _read_records(file: Path, label: str) -> list[tuple[int, list[str]]]:
    """CSV records with the file line on which each ends (quoted fields may hold commas and newlines)."""
    raw = file.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = raw.decode("cp1252", errors="strict")
        except UnicodeDecodeError as exc:  # bytes that are neither UTF-8 nor Windows-1252: not a text file
            line = raw.count(b"\n", 0, exc.start) + 1
            raise DataFileError(
                f"is neither UTF-8 nor Windows-1252 text: byte 0x{raw[exc.start]:02x} at offset {exc.start}",
                file=label,
                line=line,
                expected="the Purple Book CSV as downloaded from purplebooksearch.fda.gov",
            ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise DataFileError(f"cannot be read as CSV: {exc}", file=label, line=reader.line_num) from exc


def _parse_row(
    cells: list[str], mapping: dict[str, int], label: str, row: int, line: int, license_header: str
) -> dict[str, object]:
    out: dict[str, object] = {}
    for spec, name in _COLUMNS:
        text = pick(cells, mapping, spec.canonical)
        if spec.canonical in _DATE_COLUMNS:
            try:
                out[name] = pd.Timestamp(parsed) if (parsed := parse_date(text)) else pd.NaT
            except ValueError:
                raise DataFileError(
                    "unreadable date", file=label, row=row, line=line, column=spec.canonical, value=text,
                    expected=DATE_FORMATS_TEXT,
                ) from None  # fmt: skip
        else:
            out[name] = text
    kind = _LICENSE_KEYS.get(" ".join(str(out["license_type"]).split()).casefold())
    if kind is None:
        raise DataFileError(
            "unknown licence type", file=label, row=row, line=line, column=license_header,
            value=out["license_type"], expected=", ".join(LICENSE_TYPES),
        )  # fmt: skip
    out["license_type"] = kind
    if not out["bla_number"]:
        raise DataFileError(
            "empty cell", file=label, row=row, line=line, column="BLA Number", expected="a BLA number"
        )
    reference = " ".join(str(out["ref_proper_name"]).split()).casefold()
    proper = " ".join(str(out["proper_name"]).split()).casefold()
    out["reference_from_suffix"] = kind != ORIGINATOR and not reference
    out["molecule"] = proper if kind == ORIGINATOR else reference or _strip_suffix(proper)
    out["line"] = line
    return out


_LICENSE_KEYS = {k.casefold(): k for k in LICENSE_TYPES}


def _strip_suffix(proper_name: str) -> str:
    """``adalimumab-atto`` -> ``adalimumab``: the FDA four-letter suffix of a biosimilar's proper name."""
    head, sep, tail = proper_name.rpartition("-")
    return head if sep and len(tail) == 4 and tail.isalpha() else proper_name


def _flag_suffix_references(frame: pd.DataFrame, label: str) -> None:
    flagged = frame[frame["reference_from_suffix"]]
    if not flagged.empty:
        lines = ", ".join(str(v) for v in flagged["line"].head(5))
        warnings.warn(
            f"{label}: {len(flagged)} 351(k) row(s) without 'Ref. Product Proper Name' (lines {lines}...); "
            "their reference molecule was read from the proper name before its four-letter suffix",
            BioparityWarning,
            stacklevel=3,
        )
