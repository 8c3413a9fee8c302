"""Fixtures of the market scan: the committed Purple Book and CT.gov files, and an EMA workbook
written in the real layout (title and note rows above the ``Category`` header)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook

DATA = Path(__file__).parent.parent / "data" / "market"
PURPLE_BOOK = DATA / "purple_book_2025-06.csv"
CTGOV = DATA / "ctgov"

EMA_HEADER = [
    "Category",
    "Medicine name",
    "Therapeutic area (MeSH)",
    "International non-proprietary name (INN) / common name",
    "Active substance",
    "Product number",
    "Patient safety",
    "Medicine status",
    "ATC code (human)",
    "Additional monitoring",
    "Generic",
    "Biosimilar",
    "Conditional approval",
    "Orphan medicine",
    "Marketing authorisation date",
    "Marketing authorisation developer / applicant / holder",
    "URL",
]
EMA_HEADER[5] = "EMA product number"


def _medicine(
    category: str, name: str, inn: str, number: str, status: str, biosimilar: str, date: object, holder: str,
    generic: str = "No", area: str = "Arthritis, Rheumatoid; Psoriasis", atc: str = "L04AB04",
) -> list[object]:  # fmt: skip
    slug = name.lower().replace(" ", "-")
    return [
        category, name, area, inn, inn, number, "No", status, atc, "No", generic, biosimilar, "No", "No",
        date, holder, f"https://www.ema.europa.eu/en/medicines/human/EPAR/{slug}",
    ]  # fmt: skip


EMA_ROWS = [
    _medicine("Human", "Humira", "adalimumab", "EMEA/H/C/000481", "Authorised", "No",
              datetime(2003, 9, 8), "AbbVie Deutschland GmbH & Co. KG"),
    _medicine("Human", "Amgevita", "adalimumab", "EMEA/H/C/004212", "Authorised", "Yes",
              datetime(2017, 3, 21), "Amgen Europe B.V."),
    _medicine("Human", "Imraldi", "adalimumab", "EMEA/H/C/004279", "Authorised", "Yes",
              "24/08/2017", "Samsung Bioepis NL B.V."),
    _medicine("Human", "Cyltezo", "adalimumab", "EMEA/H/C/004319", "Withdrawn", "Yes",
              "10/11/2017", "Boehringer Ingelheim International GmbH"),
    _medicine("Human", "Stelara", "ustekinumab", "EMEA/H/C/000958", "Authorised", "No",
              datetime(2009, 1, 16), "Janssen-Cilag International N.V.", atc="L04AC05"),
    _medicine("Human", "Pyzchiva", "ustekinumab", "EMEA/H/C/006183", "Authorised", "Yes",
              datetime(2024, 4, 19), "Samsung Bioepis NL B.V.", atc="L04AC05"),
    _medicine("Human", "Wezenla", "ustekinumab", "EMEA/H/C/006132", "Authorised", "Yes",
              "20/06/2024", "Amgen Technology (Ireland) Unlimited Company", atc="L04AC05"),
    _medicine("Human", "Prolia", "denosumab", "EMEA/H/C/001120", "Authorised", "No",
              datetime(2010, 5, 26), "Amgen Europe B.V.", area="Osteoporosis, Postmenopausal", atc="M05BX04"),
    _medicine("Human", "Denosumab Refusa", "denosumab", "EMEA/H/C/009999", "Refused", "Yes",
              None, "Example Biologics B.V.", area="Osteoporosis, Postmenopausal", atc="M05BX04"),
    _medicine("Human", "Keytruda", "pembrolizumab", "EMEA/H/C/003820", "Authorised", "No",
              datetime(2015, 7, 17), "Merck Sharp & Dohme B.V.", area="Melanoma", atc="L01FF02"),
    _medicine("Human", "Lenalidomide Krka", "lenalidomide", "EMEA/H/C/005348", "Authorised", "No",
              "11/02/2021", "KRKA, d.d., Novo mesto", generic="Yes", area="Multiple Myeloma", atc="L04AX04"),
    _medicine("Veterinary", "Librela", "bedinvetmab", "EMEA/V/C/005325", "Authorised", "No",
              datetime(2020, 11, 10), "Zoetis Belgium", area="Osteoarthritis", atc=""),
    # A withdrawn duplicate marketing authorisation of Humira, authorised a week before it (EMA EPAR page
    # "Trudexa": authorised 1 September 2003, withdrawn 9 July 2007, EMEA/H/C/000482, Abbott): it must
    # neither date adalimumab's protection nor count as a biosimilar.
    _medicine("Human", "Trudexa", "adalimumab", "EMEA/H/C/000482", "Withdrawn", "No",
              "01/09/2003", "Abbott Laboratories Ltd."),
]  # fmt: skip
#: Hand counts of EMA_ROWS.
EMA_HUMAN, EMA_AUTHORISED, EMA_AUTHORISED_BIOSIMILARS, EMA_MOLECULES_WITH_BIOSIMILAR = 12, 9, 4, 2


def write_ema_workbook(
    path: Path,
    header: Sequence[str] = EMA_HEADER,
    rows: Sequence[Sequence[object]] = EMA_ROWS,
    generated: str = "01/06/2025",
) -> Path:
    """An EMA medicines report as downloaded: title, notes (with the ``generated`` date, DD/MM/YYYY) and a
    blank row above the header."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Medicines"
    sheet.append(["Medicines output: European public assessment reports"])
    sheet.append([f"Generated on {generated}. Includes medicines for human and veterinary use."])
    sheet.append([])
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


@pytest.fixture
def ema_xlsx(tmp_path: Path) -> Path:
    return write_ema_workbook(tmp_path / "medicines_output_european_public_assessment_reports_en.xlsx")
