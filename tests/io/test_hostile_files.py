"""Hostile input files: every reader refuses them with the file (and line or column) named, never a
traceback, never a silent choice between two columns of the same name."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from bioparity.analyses.registry import get_analysis
from bioparity.caa import read_catalogue
from bioparity.errors import DataFileError
from bioparity.io.bioassay import read_cut_point_results, read_isr_data
from bioparity.io.caa import read_long_table, read_potency_lots
from bioparity.io.cmc import read_profile
from bioparity.io.potency import read_potency_table
from bioparity.io.pp import read_metric_table
from bioparity.io.readers import read_any_table
from bioparity.io.table import ColumnSpec, read_table

READERS: dict[str, Callable[[Path], object]] = {
    "read_any_table": read_any_table,
    "read_table": lambda path: read_table(path, [ColumnSpec("subject", "text"), ColumnSpec("CMAX")]),
    "read_metric_table": lambda path: read_metric_table(path, "subject", "arm", ["CMAX"], []),
    # the pk-similarity kind's reader (web uploads, runs): its own pandas call before, none of these checks
    "pk-similarity kind": lambda path: get_analysis("pk-similarity").read(path),
    # pd.read_csv of their own before: a ragged file shifted into the index, a column twice read as 'x.1'
    "read_cut_point_results": read_cut_point_results,
    "read_potency_lots": read_potency_lots,
    "read_catalogue": read_catalogue,  # a .csv catalogue
}


@pytest.fixture(params=sorted(READERS))
def reader(request: pytest.FixtureRequest) -> Callable[[Path], object]:
    return READERS[request.param]


def test_a_column_named_twice_is_refused(tmp_path: Path, reader: Callable[[Path], object]) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("subject,arm,CMAX,CMAX\nS1,test,1.5,999\nS2,ref,2.5,999\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="appears twice") as info:
        reader(path)
    assert info.value.column == "CMAX" and info.value.file == str(path)


def test_a_column_named_twice_in_xlsx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dup.xlsx"
    frame = pd.DataFrame([["S1", 1.5, 999.0]], columns=["subject", "CMAX", "CMAX"])
    frame.to_excel(path, index=False)
    with pytest.raises(DataFileError, match="appears twice"):
        read_any_table(path)


def test_blank_trailing_header_cells_are_not_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "trailing.csv"
    path.write_text("subject,CMAX,,\nS1,1.5,,\n", encoding="utf-8")
    assert list(read_any_table(path).frame.columns[:2]) == ["subject", "CMAX"]


def test_a_folder_is_not_reported_as_missing(tmp_path: Path, reader: Callable[[Path], object]) -> None:
    folder = tmp_path / "data.csv"
    folder.mkdir()
    with pytest.raises(DataFileError, match="is a folder"):
        reader(folder)


def test_an_empty_file_says_so(tmp_path: Path, reader: Callable[[Path], object]) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(DataFileError, match="is empty"):
        reader(path)


@pytest.mark.parametrize("data", [b"subject,arm,CMAX\nS1,test,1\nB\xe9,ref,2\n", b"\x82\x00\xff" * 50])
def test_bytes_that_are_not_utf8_name_the_line(
    tmp_path: Path, reader: Callable[[Path], object], data: bytes
) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes(data)
    with pytest.raises(DataFileError, match=r"not UTF-8 text: byte 0x.. at offset \d+ \(line \d\)") as info:
        reader(path)
    assert info.value.file == str(path)


NUMBER_READERS: dict[str, tuple[str, Callable[[Path], object]]] = {
    "read_table": ("sample,original\nS1,{}\n", lambda p: read_table(p, [ColumnSpec("original")])),
    "read_isr_data": ("sample,original,repeat\nS1,{},110\n", read_isr_data),
    "read_profile": ("source,lot,species,value\nreference,R1,G0F,{}\n", read_profile),
    "read_potency_table": (
        "assay,sample,dose,replicate,response\nA1,standard,1,1,{}\n",
        read_potency_table,
    ),
}


@pytest.mark.parametrize("name", sorted(NUMBER_READERS))
@pytest.mark.parametrize("cell", ["1_000", "\u0661\u0662", "\uff11\uff12"])
def test_python_only_number_spellings_are_not_numbers(tmp_path: Path, name: str, cell: str) -> None:
    """float() reads '1_000' as 1000 and Arabic-Indic or full-width digits as 12; a data file does not."""
    template, reader = NUMBER_READERS[name]
    path = tmp_path / "n.csv"
    path.write_text(template.format(cell), encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        reader(path)
    assert info.value.value == cell and info.value.row == 1


@pytest.mark.parametrize(("row", "column"), [(",test,1.5", "subject"), ("S3,,1.5", "arm")])
def test_pk_table_row_without_subject_or_arm_is_refused(tmp_path: Path, row: str, column: str) -> None:
    """A blank arm used to drop the subject silently; a blank subject pooled as subject ''."""
    path = tmp_path / "pp.csv"
    path.write_text(f"subject,arm,CMAX\nS1,test,1.0\nS2,ref,2.0\n{row}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="empty cell") as info:
        read_metric_table(path, None, None, ["CMAX"], [])
    assert (info.value.row, info.value.line, info.value.column) == (3, 4, column)


def test_caa_same_replicate_twice_is_refused(tmp_path: Path) -> None:
    """A pasted duplicate replicate row weighed twice in the lot mean without a word."""
    path = tmp_path / "caa.csv"
    path.write_text(
        "attribute,source,lot,replicate,value\n"
        "purity,test,T1,1,98.1\npurity,test,T1,2,98.3\npurity,ref-eu,R1,1,98.0\npurity,test,T1,1,98.1\n",
        encoding="utf-8",
    )
    with pytest.raises(DataFileError, match="appears twice") as info:
        read_long_table(path)
    assert (info.value.row, info.value.line, info.value.column) == (4, 5, "replicate")


@pytest.mark.parametrize("rows", ["S1,test,1.5,9\nS2,ref,2.5,9\n", "S1,test,1.5,\nS2,ref,2.5,\n"])
def test_rows_longer_than_the_header_do_not_shift_columns(
    tmp_path: Path, reader: Callable[[Path], object], rows: str
) -> None:
    """pandas made the first field an index: subject 'S1' vanished and CMAX read the arm column."""
    path = tmp_path / "shift.csv"
    path.write_text("subject,arm,CMAX\n" + rows, encoding="utf-8")
    with pytest.raises(DataFileError, match="more fields than the header") as info:
        reader(path)
    assert info.value.line == 2


@pytest.mark.parametrize(
    ("text", "separator"),
    [
        ("subject;arm;CMAX\nS1;test;1.5\nS2;ref;2.5\n", "semicolon"),
        ("subject;arm;CMAX\nS1;test;1,5\nS2;ref;2,5\n", "semicolon"),  # decimal commas: rows look longer
        ("subject\tarm\tCMAX\nS1\ttest\t1.5\n", "tab"),
    ],
)
def test_a_semicolon_or_tab_separated_file_says_how_to_save_it(
    tmp_path: Path, reader: Callable[[Path], object], text: str, separator: str
) -> None:
    """Excel in a decimal-comma locale saves 'CSV' with semicolons: the readers said 'missing column(s)
    subject, arm' (or, with decimal commas, 'more fields than the header')."""
    path = tmp_path / "excel.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=f"the file looks {separator}-separated") as info:
        reader(path)
    assert info.value.file == str(path) and "comma-separated" in str(info.value.expected)


def test_a_one_column_file_without_a_semicolon_is_read(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("subject\nS1;a\nS2\n", encoding="utf-8")  # a semicolon in a cell is data
    assert read_any_table(path).frame["subject"].tolist() == ["S1;a", "S2"]


@pytest.mark.parametrize(
    ("name", "text", "column"),
    [
        # pandas: index 'screening', tier '1', cut point 2 (not the 1.2 meant), selected 'True' in method
        ("read_cut_point_results", "tier,cut_point,selected\nscreening,1,2,True\n", None),
        ("read_cut_point_results", "tier,cut_point,selected,cut_point\nscreening,1.2,True,9\n", "cut_point"),
        # pandas: index '1', sample '1' (no lot), relative potency 'test:A'
        ("read_potency_lots", "assay,sample,relative_potency\n1,1,test:A,0.98\n", None),
        ("read_potency_lots", "assay,sample,relative_potency,sample\n1,test:A,0.98,ref-eu:B\n", "sample"),
        # pandas: an attribute named '1' of tier 2 (purity vanished); 'tier.1' an unknown field
        ("read_catalogue", "name,tier\npurity,1,2\n", None),
        ("read_catalogue", "name,tier,tier\npurity,1,2\n", "tier"),
    ],
)
def test_own_columns_shifted_or_named_twice_are_refused(
    tmp_path: Path, name: str, text: str, column: str | None
) -> None:
    """Each reader with its own columns: a ragged row is refused at its line, a column twice by name."""
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError) as info:
        READERS[name](path)
    error = info.value
    assert error.file == str(path)
    if column is None:
        assert "more fields than the header" in error.problem and (error.row, error.line) == (1, 2)
    else:
        assert "appears twice" in error.problem and error.column == column


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_a_yaml_catalogue_that_is_not_utf8_names_the_line(tmp_path: Path, suffix: str) -> None:
    """A Latin-1 catalogue escaped as a UnicodeDecodeError traceback (caa checked it first, comparability
    and the library did not)."""
    path = tmp_path / f"catalogue{suffix}"
    path.write_bytes("attributes:\n  purity:\n    unit: \u00b5g\n".encode("latin-1"))
    with pytest.raises(DataFileError, match=r"not UTF-8 text: byte 0xb5 at offset 32 \(line 3\)") as info:
        read_catalogue(path)
    assert info.value.file == str(path)
