"""Hostile input files given to the commands: a one-line error naming file, row and column, exit code 2,
no traceback, and nothing silently merged, dropped or wrapped around."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app

runner = CliRunner()
#: A CAA long table: two lots of source {0}, one of {1}.
CAA_DATA = "attribute,source,lot,value\npurity,{0},T1,98\npurity,{0},T2,97\npurity,{1},R1,98\n"


def _fails(args: list[str], *expected: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
    for text in expected:
        assert text in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ("A,20,30,20,40\nA,5,10,1,10\n", ("row 2 (line 3), column 'stratum'", "stratum listed twice")),
        ("A,20,30,20,40\nB,-5,10,1,10\n", ("row 2 (line 3), column 'x1'", "a count >= 0")),
        ("A,1e308,30,20,40\n", ("row 1 (line 2), column 'x1'", "whole number too large")),
        # were "n2 = 0.0 at scenario 0" / "x2 = 51.0 at scenario 1": no file, row or stratum
        (
            "A,12,40,10,0\nB,20,50,15,50\n",
            ("row 1 (line 2), column 'n2': a stratum needs subjects in both groups (got 0)", "n2 >= 1"),
        ),
        (
            "A,12,40,10,10\nB,20,50,51,50\n",
            ("row 2 (line 3), column 'x2': more responders than subjects (got 51); expected x2 <= n2",),
        ),
    ],
)
def test_ci_diff_stratified_bad_strata(tmp_path: Path, rows: str, expected: tuple[str, ...]) -> None:
    """A stratum given twice entered the weights as two strata; 1e308 wrapped to -9.2e18 responders."""
    src = tmp_path / "strata.csv"
    src.write_text("stratum,x1,n1,x2,n2\n" + rows, encoding="utf-8")
    _fails(["ci-diff-stratified", "--strata", str(src), "--format", "json"], "strata.csv", *expected)


SPARSE = "subject,time,conc\n1,0,0\n2,0,0\n1,1,4\n2,1,{}\n3,2,2\n4,2,3\n"
URINE = "subject,start,end,conc,volume\n1,0,2,10,50\n{},2,4,8,40\n1,4,6,6,30\n"


@pytest.mark.parametrize(
    ("command", "text"), [("nca-sparse", SPARSE.replace("4,2,3", ",2,3")), ("nca-urine", URINE.format(""))]
)
def test_sparse_and_urine_nca_refuse_a_blank_subject(tmp_path: Path, command: str, text: str) -> None:
    """A blank subject cell became a subject (a profile) of its own; `bioparity nca` refuses it."""
    src = tmp_path / "in.csv"
    src.write_text(text.format("BLQ"), encoding="utf-8")
    out = tmp_path / "out.csv"
    _fails([command, str(src), "--out", str(out)], "in.csv", "column 'subject'", "empty identifier")
    assert not out.exists()


def test_sparse_nca_says_how_many_missing_concentrations_it_left_out(tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(SPARSE.format("NA"), encoding="utf-8")
    result = runner.invoke(app, ["nca-sparse", str(src), "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == 0, result.output
    assert "wrote 1 group to " in result.stderr  # singular: not "1 groups", "1 samples"
    assert "1 sample with a missing concentration excluded" in result.stderr
    src.write_text(SPARSE.format("BLQ"), encoding="utf-8")  # a BLQ sample is not a missing one
    result = runner.invoke(app, ["nca-sparse", str(src), "--out", str(tmp_path / "out.csv")])
    assert result.exit_code == 0 and "missing" not in result.stderr, result.output


@pytest.fixture()
def blocker(tmp_path: Path) -> Path:
    """A regular file used as if it were a folder: nothing can be written below it, even as root."""
    path = tmp_path / "not-a-folder"
    path.write_text("x")
    return path


def test_ada_cutpoint_unwritable_outliers_leaves_no_results(tmp_path: Path, blocker: Path) -> None:
    """The results (and their provenance) were written before --outliers failed: a failed run left OUT."""
    rows = [f"D{d},R{r},{1.0 + 0.01 * d + 0.003 * r}" for d in range(12) for r in range(3)]
    src = tmp_path / "cp.csv"
    src.write_text("donor,run,signal\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "res.csv"
    _fails(["ada-cutpoint", str(src), "--out", str(out), "--outliers", str(blocker / "o.csv")], "--outliers")
    assert set(tmp_path.iterdir()) == {src, blocker}  # no res.csv, no res.csv.provenance.json


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (["isr", "{IN}", "--assay", "ligand-binding"], "sample,original,repeat\nS1,100,110\n"),
        (["ada-drug-tolerance", "{IN}", "--cut-point", "1"], "ada_level,drug_level,signal\n100,0,2\n"),
        (["nca-urine", "{IN}"], URINE.format("1")),
        (["nca-sparse", "{IN}"], SPARSE.format("5")),
        (["power", "--grid", "{IN}"], "design,cv,theta0,n\n2x2,0.2,0.95,24\n"),
    ],
)
def test_unwritable_out_fails_before_any_work(
    tmp_path: Path, blocker: Path, args: list[str], text: str
) -> None:
    src = tmp_path / "in.csv"
    src.write_text(text, encoding="utf-8")
    argv = [a.replace("{IN}", str(src)) for a in args] + ["--out", str(blocker / "o.csv")]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert "--out" in result.stderr and "cannot be written" in result.stderr, result.stderr


def test_pathways_program_in_latin1_is_located(tmp_path: Path) -> None:
    """A Latin-1 PROGRAM.yaml escaped as a UnicodeDecodeError traceback."""
    program = tmp_path / "program.yaml"
    program.write_bytes("program:\n  name: Bévacizumab\n".encode("latin-1"))
    _fails(["pathways", str(program)], "program.yaml", "not UTF-8", "line 2")


#: The commands that read a catalogue (``read_catalogue`` applies the rules of every user's CSV itself;
#: ``caa`` checked the CSV with read_csv_cells first, ``comparability`` did not), with their lots.
CATALOGUE_COMMANDS = {"caa": ("test", "ref-eu"), "comparability": ("post-change", "pre-change")}


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        # escaped as a pandas EmptyDataError traceback
        ("catalogue.csv", b"", ("is empty",)),
        # pandas made 'purity' the index: an attribute named '1' of tier 2 (comparability ran with it)
        ("catalogue.csv", b"name,tier\npurity,1,2\n", ("line 2", "more fields than the header")),
        # pandas named the second 'tier.1': "unknown field(s) tier.1" (comparability)
        ("catalogue.csv", b"name,tier,tier\npurity,1,2\n", ("column 'tier'", "appears twice")),
        # comparability: a UnicodeDecodeError traceback
        (
            "catalogue.yaml",
            "attributes:\n  purity: {unit: \u00b5g}\n".encode("latin-1"),
            ("not UTF-8", "line 2"),
        ),
        ("catalogue.csv", "name,unit\npurity,\u00b5g\n".encode("latin-1"), ("not UTF-8", "line 2")),
        # comparability: 'file not found'
        ("catalogue.yaml", None, ("is a folder",)),
    ],
)
@pytest.mark.parametrize("command", sorted(CATALOGUE_COMMANDS))
def test_a_hostile_catalogue_is_located(
    tmp_path: Path, command: str, name: str, content: bytes | None, expected: tuple[str, ...]
) -> None:
    data = tmp_path / "caa.csv"
    data.write_text(CAA_DATA.format(*CATALOGUE_COMMANDS[command]), encoding="utf-8")
    catalogue = tmp_path / name
    if content is None:
        catalogue.mkdir()
    else:
        catalogue.write_bytes(content)
    out = tmp_path / "out.csv"
    _fails([command, str(data), "--catalogue", str(catalogue), "--out", str(out)], name, *expected)
    assert not out.exists()


def test_market_knowledge_base_in_latin1_is_located(tmp_path: Path) -> None:
    """A Latin-1 --kb escaped as a UnicodeDecodeError traceback."""
    kb = tmp_path / "kb.yaml"
    kb.write_bytes("schema: bioparity-market-kb/2\nmolecules:\n  - name: Bévacizumab\n".encode("latin-1"))
    out = tmp_path / "r.csv"
    _fails(["market", "scan", "--kb", str(kb), "--out", str(out)], "kb.yaml", "not UTF-8", "line 3")
    assert not out.exists()


def test_market_unwritable_chart_fails_before_the_ranking_is_written(tmp_path: Path, blocker: Path) -> None:
    out = tmp_path / "r.csv"
    _fails(["market", "scan", "--out", str(out), "--chart", str(blocker / "c.png")], "--chart")
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("USUBJID,ARM,VISIT,ADA\nS1,T,D29,POS,x\nS2,R,D29,NEG,y\n", "more fields than the header"),
        ("USUBJID,ARM,VISIT,ADA,ADA\nS1,T,D29,POS,NEG\n", "column name appears twice"),
    ],
)
def test_ada_summary_listing_is_not_shifted_or_half_read(tmp_path: Path, text: str, expected: str) -> None:
    """pandas made USUBJID the index (every status one column to the right) or read the first ADA only."""
    src = tmp_path / "ada.csv"
    src.write_text(text, encoding="utf-8")
    out = tmp_path / "out.csv"
    _fails(["ada-summary", "--ada", str(src), "--out", str(out)], "ada.csv", expected)
    assert not out.exists()


ADA_LISTING = (
    "USUBJID,ARM,VISIT,ADA,{titre}\nS1,T,BASELINE,POS,10\nS1,T,D29,POS,{cell}\n"
    "{subject},T,BASELINE,NEG,\n{subject},T,D29,POS,20\nS3,R,BASELINE,NEG,\nS3,R,D29,NEG,\n"
)


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"subject": " "}, ("row 3 (line 4), column 'USUBJID'", "empty identifier")),
        ({"cell": "inf"}, ("row 2 (line 3), column 'TITRE'", "not a finite number (got 'inf')")),
        ({"cell": "1:40"}, ("row 2 (line 3), column 'TITRE'", "(got '1:40')", "(40 for 1:40)")),
        ({"cell": "-40"}, ("row 2 (line 3), column 'TITRE'", "titre below 1")),
        # another titre column (--titre NAB_TITRE): refused by the summary, located in the same file
        ({"titre": "NAB_TITRE", "cell": "high"}, ("row 2 (line 3), column 'NAB_TITRE'", "(got 'high')")),
    ],
)
def test_ada_summary_refuses_a_blank_subject_or_a_titre_that_is_not_a_dilution(
    tmp_path: Path, cells: dict[str, str], expected: tuple[str, ...]
) -> None:
    """A blank subject was counted as a subject; TITRE inf counted S1 as treatment-boosted; '1:40' was
    reported as 'without a titre' and 'high' on another titre column was not looked at."""
    src = tmp_path / "ada.csv"
    src.write_text(ADA_LISTING.format(**{"titre": "TITRE", "cell": "40", "subject": "S2", **cells}))
    out = tmp_path / "out.csv"
    titre = ["--titre", cells["titre"]] if "titre" in cells else []
    _fails(["ada-summary", "--ada", str(src), "--out", str(out), *titre], f"{src}, ", *expected)
    assert not out.exists()


def test_pk_similarity_says_which_subjects_of_unlisted_arms_it_left_out(tmp_path: Path) -> None:
    """A subject of an arm not in --arms vanished from the analysis without a word."""
    rows = [f"S{i},{arm},{100 + i}" for i, arm in enumerate(["test", "ref"] * 4)] + ["S99,cn-ref,120"]
    src = tmp_path / "pp.csv"
    src.write_text("subject,arm,CMAX\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    args = ["pk-similarity", str(src), "--arms", "test,ref", "--metrics", "CMAX", "--out", str(out)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "arms not in --arms left out: cn-ref (1)" in result.stderr


#: Valid inputs given with the semicolon file: CAA lots, comparability lots and an ADA signal listing.
VALID_INPUTS = {
    "CAA": CAA_DATA.format("test", "ref-eu"),
    "COMPARABILITY": CAA_DATA.format("post-change", "pre-change"),
    "LISTING": "USUBJID,ARM,VISIT,SIGNAL\nS1,T,BASELINE,1.0\nS1,T,D29,2.0\n",
}
#: Commands given a "CSV" saved by Excel in a decimal-comma locale (';' between columns) as EXCEL, and
#: what they said before.
SEMICOLON_FILES = {
    # 'missing column(s) USUBJID, ARM, VISIT; columns found: USUBJID;ARM;VISIT;ADA'
    "ada-summary --ada": (
        ["ada-summary", "--ada", "EXCEL"],
        "USUBJID;ARM;VISIT;ADA\nS1;T;BASELINE;NEG\nS1;T;D29;POS\n",
    ),
    # 'missing column(s) tier, selected, ...': the decimal comma split 'screening;1' (index) from 2
    "ada-summary --cut-points": (
        ["ada-summary", "--ada", "LISTING", "--cut-points", "EXCEL"],
        "tier;cut_point;selected\nscreening;1,2;True\n",
    ),
    # comparability reads its catalogue with read_catalogue only: "missing column 'name' (or 'attribute')"
    "comparability --catalogue": (
        ["comparability", "COMPARABILITY", "--catalogue", "EXCEL"],
        "name;tier\npurity;1\n",
    ),
    # 'missing column(s) assay, sample, relative_potency'
    "caa --potency": (["caa", "CAA", "--potency", "EXCEL"], "assay;sample;relative_potency\n1;test:A;0,98\n"),
    # refused already: the grid is read by read_table (the shared reader) before it is copied to OUT
    "power --grid": (["power", "--grid", "EXCEL"], "design;cv;theta0;n\n2x2;0,3;0,95;24\n"),
}


@pytest.mark.parametrize("case", sorted(SEMICOLON_FILES))
def test_a_semicolon_file_given_to_a_command_is_not_comma_separated(tmp_path: Path, case: str) -> None:
    args, text = SEMICOLON_FILES[case]
    paths: dict[str, str] = {}
    for name, content in {**VALID_INPUTS, "EXCEL": text}.items():
        path = tmp_path / f"{name.lower()}.csv"
        path.write_text(content, encoding="utf-8")
        paths[name] = str(path)
    out = tmp_path / "out.csv"
    _fails([*(paths.get(a, a) for a in args), "--out", str(out)], "excel.csv", "looks semicolon-separated")
    assert not out.exists()


#: A number with a decimal comma in each reader's file (replicateBE ``dec = ","``; Excel in a decimal-comma
#: locale): the shared error names it as such, whichever reader met it.
DECIMAL_COMMA_FILES = {
    "be": (["be", "IN"], "subject;period;sequence;treatment;PK\n1;1;TR;T;2285,96\n", "'2285,96'"),
    "nca": (["nca", "IN", "--out", "OUT"], 'subject,time,conc\n1,0,0\n1,1,"1,5"\n1,2,1\n', "'1,5'"),
    "power": (["power", "--grid", "IN", "--out", "OUT"], 'design,cv,theta0,n\n2x2,"0,3",1,2\n', "'0,3'"),
    "caa": (["caa", "IN", "--out", "OUT"], 'attribute,source,lot,value\np,test,1,"1.234,5"\n', "'1.234,5'"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(DECIMAL_COMMA_FILES))
def test_a_decimal_comma_is_named_as_one(tmp_path: Path, case: str) -> None:
    """'not a number (got '2285,96')' said where, not why: every reader now adds the hint."""
    args, text, got = DECIMAL_COMMA_FILES[case]
    src, out = tmp_path / "in.csv", tmp_path / "out.csv"
    src.write_text(text, encoding="utf-8")
    hint = "; a decimal comma? save the file with '.' as the decimal mark"
    _fails([{"IN": str(src), "OUT": str(out)}.get(a, a) for a in args], "not a number", f"(got {got})", hint)
    src.write_text(text.replace(got.strip("'"), "12x"), encoding="utf-8")  # not a decimal comma: no hint
    result = runner.invoke(app, [{"IN": str(src), "OUT": str(out)}.get(a, a) for a in args])
    assert result.exit_code == 2 and "(got '12x')" in result.stderr and "decimal comma" not in result.stderr


#: Commands that read a CSV (text) file, each with a table it accepts, saved instead as an Excel workbook.
WORKBOOK_INPUTS = {
    "power --grid": (["power", "--grid", "IN", "--out", "OUT"], {"design": ["2x2"], "cv": [0.3], "n": [24]}),
    "be": (["be", "IN"], {"subject": [1, 1], "period": [1, 2], "sequence": ["TR"] * 2, "PK": [1.0, 2.0]}),
    "pk-similarity": (["pk-similarity", "IN", "--arms", "t,r", "--out", "OUT"], {"arm": ["t"], "CMAX": [1]}),
    "caa": (
        ["caa", "IN", "--out", "OUT"],
        {"attribute": ["p"], "source": ["test"], "lot": [1], "value": [98]},
    ),
}


@pytest.mark.parametrize("case", sorted(WORKBOOK_INPUTS))
def test_an_excel_workbook_given_for_a_csv_is_named_as_one(tmp_path: Path, case: str) -> None:
    """'is not UTF-8 text: byte 0x87 ...; expected a UTF-8 encoded file' (or, for `be`, Python's
    "'utf-8' codec can't decode byte 0x87 in position 12") sent the user to change an encoding."""
    import pandas as pd

    args, columns = WORKBOOK_INPUTS[case]
    src, out = tmp_path / "lots.xlsx", tmp_path / "out.csv"
    pd.DataFrame(columns).to_excel(src, index=False)
    argv = [{"IN": str(src), "OUT": str(out)}.get(a, a) for a in args]
    _fails(
        argv, "lots.xlsx: is an Excel workbook (XLSX), not a CSV text file", "'CSV UTF-8 (comma delimited)'"
    )
    assert "UTF-8 text" not in runner.invoke(app, argv).stderr
    assert not out.exists()
    src.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(128, 256)))  # the old binary .xls
    _fails(argv, "is an Excel workbook (XLS), not a CSV text file")


def test_a_percent_sign_in_a_number_is_named_as_one(tmp_path: Path) -> None:
    """'not a number (got '30%'); expected a number' said where, not why, nor that a CV is a ratio."""
    grid, out = tmp_path / "grid.csv", tmp_path / "out.csv"
    grid.write_text("design,cv,theta0,n\n2x2,0.3,0.95,24\n2x2,30%,0.95,24\n", encoding="utf-8")
    hint = "; a percent sign? write the number without '%' (a CV or proportion as a ratio: 0.3 for 30%)"
    _fails(
        ["power", "--grid", str(grid), "--out", str(out)], "row 2 (line 3), column 'cv'", "(got '30%')", hint
    )
    grid.write_text("design,cv,theta0,n\n2x2,0.3x,0.95,24\n", encoding="utf-8")  # not a percentage: no hint
    result = runner.invoke(app, ["power", "--grid", str(grid), "--out", str(out)])
    assert (
        result.exit_code == 2 and "(got '0.3x')" in result.stderr and "a percent sign?" not in result.stderr
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('subject,arm,CMAX\nS1,t,10\nS2,t,11\nS3,r,"1,234.5"\n', "row 3 (line 4), column 'CMAX'"),
        (
            "subject,arm,PPTESTCD,PPSTRESN\nS1,t,AUCIFO,5\nS1,t,CMAX,10\nS2,r,AUCIFO,6\nS2,r,CMAX,x1\n",
            "row 4 (line 5), column 'PPSTRESN'",
        ),
    ],
)
def test_pk_similarity_names_the_row_of_a_bad_number(tmp_path: Path, text: str, where: str) -> None:
    """'pp.csv, column 'CMAX': not a number (got '1,234.5'); expected a number (subject S3)' gave no row."""
    src, out = tmp_path / "pp.csv", tmp_path / "out.csv"
    src.write_text(text, encoding="utf-8")
    _fails(
        ["pk-similarity", str(src), "--arms", "t,r", "--metrics", "CMAX", "--out", str(out)],
        where,
        "not a number",
    )
