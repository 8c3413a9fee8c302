"""The Purple Book reader on files in the real monthly-download layout."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bioparity.errors import BioparityWarning, DataFileError
from bioparity.market import BIOSIMILAR, INTERCHANGEABLE, ORIGINATOR, read_purple_book
from tests.market.conftest import PURPLE_BOOK


def test_counts_of_the_multi_block_fixture_match_hand_counts() -> None:
    counts = read_purple_book(PURPLE_BOOK).counts()
    assert counts.rows == 19  # the database block only: the changes block repeats two of its rows
    assert counts.products == 15
    assert counts.originator_products == 6
    assert counts.biosimilar_products == 4
    assert counts.interchangeable_products == 5
    assert counts.reference_molecules_with_biosimilar == 4


def test_quoted_commas_newlines_and_dates_are_read() -> None:
    book = read_purple_book(PURPLE_BOOK)
    rows = book.rows
    assert book.title == "Purple Book Monthly Historical Data Changes Report - June 2025"
    recombivax = rows[rows["bla_number"] == "101066"].iloc[0]
    assert recombivax["proprietary_name"] == "Recombivax, Recombivax Hb"
    assert recombivax["applicant"] == "Merck Sharp & Dohme LLC"
    starjemza = rows[rows["proprietary_name"] == "Starjemza"].iloc[0]
    assert starjemza["approval_date"] == pd.Timestamp(2025, 5, 22)
    assert starjemza["molecule"] == "ustekinumab"
    assert starjemza["license_type"] == BIOSIMILAR
    assert (rows["strength"] == "130MG/26ML\n(5MG/ML)").sum() == 1
    keytruda = rows[rows["proprietary_name"] == "Keytruda"].iloc[0]
    assert keytruda["exclusivity_expiration_date"] == pd.Timestamp(2026, 9, 4)
    assert pd.isna(keytruda["interchangeable_approval_date"])


def test_a_bla_with_both_designations_counts_as_interchangeable() -> None:
    book = read_purple_book(PURPLE_BOOK)
    hadlima = book.rows[book.rows["proprietary_name"] == "Hadlima"]
    assert set(hadlima["license_type"]) == {BIOSIMILAR, INTERCHANGEABLE}
    products = book.products().set_index("proprietary_name")
    assert products.loc["Hadlima", "license_type"] == INTERCHANGEABLE
    assert products.loc["Humira", "license_type"] == ORIGINATOR


def test_line_numbers_point_into_the_file() -> None:
    rows = read_purple_book(PURPLE_BOOK).rows
    lines = PURPLE_BOOK.read_text(encoding="utf-8").splitlines()
    humira = rows.iloc[0]
    assert lines[int(humira["line"]) - 1].startswith(",AbbVie Inc.,125057,Humira")


OLD_HEADER = (
    "N/R/U,Applicant,BLA Number,Proprietary Name,Proper Name,BLA Type,Strength,Dosage Form,"
    "Route of Administration,Product Presentation,Marketing Status,Licensure,Approval Date,"
    "Ref. Product Proper Name,Ref. Product Proprietary Name,Supplement Number,Submission Type,"
    "License Number,Product Number,Center,Date of First Licensure,Exclusivity Expiration Date,"
    "First Interchangeable Exclusivity Exp. Date,Ref. Product Exclusivity Exp. Date,"
    "Orphan Exclusivity Exp. Date"
)


def _old_file(tmp_path: Path, *rows: str) -> Path:
    text = "Purple Book Monthly Historical Data Changes Report - March 2021\n\nPurple Book Database\n"
    path = tmp_path / "pb_2021.csv"
    path.write_text(text + OLD_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_older_bla_type_header_is_accepted(tmp_path: Path) -> None:
    path = _old_file(
        tmp_path,
        ',"Amgen, Inc",125031,Neupogen,filgrastim,351(a),300MCG/ML,Injection,Intravenous,Vial,Rx,Licensed,'
        '"February 20, 1991",,,,Original,1080,001,CDER,"February 20, 1991",,,,',
        ",Sandoz Inc,125553,Zarxio,filgrastim-sndz,351(k) Biosimilar,300MCG/0.5ML,Injection,Subcutaneous,"
        'Pre-Filled Syringe,Rx,Licensed,"March 6, 2015",filgrastim,Neupogen,,Original,2003,001,CDER,,,,,',
    )
    counts = read_purple_book(path).counts()
    assert (counts.originator_products, counts.biosimilar_products, counts.interchangeable_products) == (
        1,
        1,
        0,
    )
    assert counts.reference_molecules_with_biosimilar == 1


def test_a_missing_column_lists_the_columns_found(tmp_path: Path) -> None:
    path = tmp_path / "changed.csv"
    path.write_text("Title\n\nN/R/U,Applicant,BLA Number,Proper Name,Kind\n,X,1,x,351(a)\n", encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        read_purple_book(path)
    message = str(info.value)
    assert "'License Type' (also accepted: 'BLA Type')" in message
    assert "columns found: 'N/R/U', 'Applicant', 'BLA Number', 'Proper Name', 'Kind'" in message
    assert "header on line 3" in message


def test_no_header_row_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("Applicant,BLA Number\nX,1\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="first cell is 'N/R/U'"):
        read_purple_book(path)


def test_unknown_licence_type_names_line_and_column(tmp_path: Path) -> None:
    path = _old_file(
        tmp_path,
        ',A,1,B,b,351(a),1MG,Injection,IV,Vial,Rx,Licensed,"May 1, 2020",,,,Original,1,001,CDER,,,,,',
        ',A,2,C,c-abcd,351(k),1MG,Injection,IV,Vial,Rx,Licensed,"May 1, 2020",b,B,,Original,1,001,CDER,,,,,',
    )
    with pytest.raises(DataFileError) as info:
        read_purple_book(path)
    error = info.value
    assert (error.row, error.line, error.column, error.value) == (2, 6, "BLA Type", "351(k)")
    assert "351(k) Interchangeable" in str(error)


def test_unreadable_date_names_line_and_column(tmp_path: Path) -> None:
    path = _old_file(
        tmp_path, ",A,1,B,b,351(a),1MG,Injection,IV,Vial,Rx,Licensed,31.12.2020,,,,Original,1,001,CDER,,,,,"
    )
    with pytest.raises(DataFileError) as info:
        read_purple_book(path)
    assert (info.value.line, info.value.column, info.value.value) == (5, "Approval Date", "31.12.2020")


def test_a_biosimilar_without_reference_is_flagged(tmp_path: Path) -> None:
    path = _old_file(
        tmp_path,
        ',A,2,C,filgrastim-aafi,351(k) Biosimilar,1MG,Injection,IV,Vial,Rx,Licensed,"May 1, 2020",,,,'
        "Original,1,001,CDER,,,,,",
    )
    with pytest.warns(BioparityWarning, match="without 'Ref. Product Proper Name'"):
        book = read_purple_book(path)
    row = book.rows.iloc[0]
    assert row["molecule"] == "filgrastim" and row["reference_from_suffix"]


def test_missing_file() -> None:
    with pytest.raises(DataFileError, match="file not found"):
        read_purple_book("/nonexistent/pb.csv")


def test_bytes_that_are_no_text_encoding_are_refused_naming_the_file(tmp_path: Path) -> None:
    # 0x81 is undefined in Windows-1252 too: before, a UnicodeDecodeError traceback
    path = tmp_path / "pb.csv"
    path.write_bytes(b"Purple Book\n" + bytes(range(256)) * 8)
    with pytest.raises(DataFileError, match="neither UTF-8 nor Windows-1252 text: byte 0x81") as info:
        read_purple_book(path)
    assert info.value.file == str(path)


def test_a_download_re_saved_with_semicolons_is_not_comma_separated(tmp_path: Path) -> None:
    """Excel in a decimal-comma locale re-saves the download with ';': 'no header row' before."""
    lines = PURPLE_BOOK.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "purple.csv"
    path.write_text("\n".join(line.replace(",", ";") for line in lines[:6]) + "\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="the file looks semicolon-separated") as info:
        read_purple_book(path)
    assert (info.value.file, info.value.line) == (str(path), 4)
