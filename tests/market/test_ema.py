"""The EMA medicines report reader on workbooks in the real download layout."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from bioparity.errors import DataFileError
from bioparity.market import read_ema_medicines
from bioparity.market.ema import FirstAuthorisation, first_authorisation
from tests.market.conftest import (
    EMA_AUTHORISED,
    EMA_AUTHORISED_BIOSIMILARS,
    EMA_HEADER,
    EMA_HUMAN,
    EMA_MOLECULES_WITH_BIOSIMILAR,
    EMA_ROWS,
    _medicine,
    write_ema_workbook,
)


def test_counts_skip_the_preamble_and_match_hand_counts(ema_xlsx: Path) -> None:
    counts = read_ema_medicines(ema_xlsx).counts()
    assert counts.human_medicines == EMA_HUMAN
    assert counts.authorised == EMA_AUTHORISED
    assert counts.authorised_biosimilars == EMA_AUTHORISED_BIOSIMILARS
    assert counts.molecules_with_authorised_biosimilar == EMA_MOLECULES_WITH_BIOSIMILAR


def test_cells_are_typed(ema_xlsx: Path) -> None:
    rows = read_ema_medicines(ema_xlsx).rows.set_index("medicine_name")
    assert rows.loc["Amgevita", "biosimilar"] is True or bool(rows.loc["Amgevita", "biosimilar"])
    assert not rows.loc["Humira", "biosimilar"]
    assert rows.loc["Lenalidomide Krka", "generic"]
    assert rows.loc["Humira", "authorisation_date"] == pd.Timestamp(2003, 9, 8)  # a date cell
    assert rows.loc["Imraldi", "authorisation_date"] == pd.Timestamp(2017, 8, 24)  # dd/mm/yyyy text
    assert pd.isna(rows["authorisation_date"].loc["Denosumab Refusa"])
    assert rows.loc["Humira", "product_number"] == "EMEA/H/C/000481"
    assert rows.loc["Humira", "row"] == 5  # title, note, blank, header, then the first medicine


def test_older_column_names_are_accepted(tmp_path: Path) -> None:
    renames = {"Medicine name": "Name of medicine", "Medicine status": "Authorisation status",
               "EMA product number": "Product number"}  # fmt: skip
    header = [renames.get(h, h) for h in EMA_HEADER]
    medicines = read_ema_medicines(write_ema_workbook(tmp_path / "old.xlsx", header=header))
    assert medicines.counts().authorised_biosimilars == EMA_AUTHORISED_BIOSIMILARS
    assert "Amgevita" in set(medicines.rows["medicine_name"])


def test_the_2018_holder_header_is_read(tmp_path: Path) -> None:
    """The EPAR export generated 23/12/2018 names the holder 'Marketing authorisation holder/company
    name'; read as an unknown header it left every holder empty, so the originator's own trials and the
    approved biosimilars' sponsors were no longer told apart."""
    old = "Marketing authorisation holder/company name"
    header = [old if h == "Marketing authorisation developer / applicant / holder" else h for h in EMA_HEADER]
    rows = read_ema_medicines(write_ema_workbook(tmp_path / "2018.xlsx", header=header)).rows
    holders = rows.set_index("medicine_name")["holder"]
    assert holders["Stelara"] == "Janssen-Cilag International N.V."
    assert holders["Amgevita"] == "Amgen Europe B.V."


def test_a_missing_column_lists_the_columns_found(tmp_path: Path) -> None:
    header = [h for h in EMA_HEADER if h != "Biosimilar"]
    rows = [r[:11] + r[12:] for r in EMA_ROWS]
    with pytest.raises(DataFileError) as info:
        read_ema_medicines(write_ema_workbook(tmp_path / "changed.xlsx", header=header, rows=rows))
    message = str(info.value)
    assert "missing column(s) 'Biosimilar'" in message
    assert "'Category', 'Medicine name'" in message and "'URL'" in message


def test_a_bad_flag_names_the_cell(tmp_path: Path) -> None:
    rows = [list(r) for r in EMA_ROWS]
    rows[2][11] = "Maybe"
    with pytest.raises(DataFileError) as info:
        read_ema_medicines(write_ema_workbook(tmp_path / "bad.xlsx", rows=rows))
    assert (info.value.row, info.value.line, info.value.column, info.value.value) == (
        3,
        7,
        "Biosimilar",
        "Maybe",
    )


def test_no_category_header(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="first cell is 'Category'"):
        read_ema_medicines(write_ema_workbook(tmp_path / "x.xlsx", header=["Type", *EMA_HEADER[1:]]))


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "medicines.xlsx"
    path.write_text("Category,Medicine name\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="cannot be read as an Excel workbook"):
        read_ema_medicines(path)


def test_a_duplicate_before_the_brand_dates_the_protection_and_names_the_brand(ema_xlsx: Path) -> None:
    """Humira was authorised on 8 September 2003, its withdrawn duplicate Trudexa on 1 September 2003 (EMA
    EPAR pages of both; Trudexa withdrawn 9 July 2007): one global marketing authorisation (Directive
    2001/83/EC art. 6(1)), dated from Trudexa, the brand named beside it."""
    medicines = read_ema_medicines(ema_xlsx)
    rows = medicines.rows.set_index("medicine_name")
    assert rows.loc["Trudexa", "authorisation_date"] == pd.Timestamp(2003, 9, 1)  # earlier than Humira
    assert first_authorisation(medicines, ["adalimumab"], ["Humira"]) == FirstAuthorisation(
        date(2003, 9, 1), "Trudexa", "Withdrawn", by_brand=False, brand="Humira (2003-09-08)"
    )
    # Prolia/Xgeva: either brand; Keytruda: the one row
    assert first_authorisation(medicines, ["denosumab"], ["Prolia", "Xgeva"]) == FirstAuthorisation(
        date(2010, 5, 26), "Prolia", "Authorised", by_brand=True
    )
    assert first_authorisation(medicines, ["nivolumab"], ["Opdivo"]) is None  # not in the report


def _adalimumab(name: str, status: str, day: object, number: str) -> list[object]:
    return _medicine("Human", name, "adalimumab", number, status, "No", day, "Abbott Laboratories Ltd.")


def test_any_status_counts_and_a_brand_not_in_the_report_is_not_named(tmp_path: Path) -> None:
    """The knowledge base's brand may not be the EU one (Rituxan is MabThera in the EU): the earliest
    medicine is taken, whatever its status, and no brand is named; a withdrawn original named by its
    brand dates the protection as itself."""
    rows = [_adalimumab("Humira", "Authorised", "08/09/2003", "EMEA/H/C/000481"),
            _adalimumab("Trudexa", "Withdrawn", "01/09/2003", "EMEA/H/C/000482")]  # fmt: skip
    medicines = read_ema_medicines(write_ema_workbook(tmp_path / "a.xlsx", rows=rows))
    assert first_authorisation(medicines, ["adalimumab"], ["Adalimumab Brand"]) == FirstAuthorisation(
        date(2003, 9, 1), "Trudexa", "Withdrawn", by_brand=False
    )
    assert first_authorisation(medicines, ["adalimumab"], ["trudexa"]) == FirstAuthorisation(
        date(2003, 9, 1), "Trudexa", "Withdrawn", by_brand=True
    )
    rows[1][14] = "15/09/2003"  # the duplicate after the brand: the brand itself
    medicines = read_ema_medicines(write_ema_workbook(tmp_path / "b.xlsx", rows=rows))
    assert first_authorisation(medicines, ["adalimumab"], ["Humira"]) == FirstAuthorisation(
        date(2003, 9, 8), "Humira", "Authorised", by_brand=True
    )
    # a biosimilar or a generic never dates the originator
    only = [_medicine("Human", "Amgevita", "adalimumab", "EMEA/H/C/004212", "Authorised", "Yes",
                      "21/03/2017", "Amgen Europe B.V.")]  # fmt: skip
    medicines = read_ema_medicines(write_ema_workbook(tmp_path / "c.xlsx", rows=only))
    assert first_authorisation(medicines, ["adalimumab"], []) is None
