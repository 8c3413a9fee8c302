"""The ``ada-summary`` kind (issue #20 in the workspace): the immunogenicity summary of ``bioparity
ada-summary`` (with and without ``--cut-points``) as a workspace run, each sample's status from the cut
points given as options with the cut-point run recorded in every row, the tiered rule and the incidence
recounted here by hand, and a run through the API and the web pages."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bioparity.analyses import get_analysis
from bioparity.analyses.ada_summary import example_data
from bioparity.analyses.registry import effective_options
from bioparity.errors import DataFileError, InputError
from bioparity.i18n.notes import translate_note
from tests.analyses import kinds_support as kinds

CUT_POINTS = {"screening_cut_point": 1.2, "confirmatory_cut_point": 20.0}
#: What the result records as the source of typed cut points (a stored run's: tests/workspace/
#: test_ada_summary_cut_point_run.py).
TYPED = "typed options"


def _example(folder: Path) -> Path:
    path = folder / "listing.csv"
    path.write_bytes(example_data())
    return path


def _by_hand(path: Path) -> pd.DataFrame:
    """The listing with ADA = POS when SIGNAL >= 1.2 and 100 (1 - SIGNAL_DRUG / SIGNAL) >= 20."""
    listing = pd.read_csv(path)
    inhibition = 100 * (1 - listing["SIGNAL_DRUG"] / listing["SIGNAL"])
    positive = (listing["SIGNAL"] >= 1.2) & (inhibition >= 20)
    return listing.drop(columns=["SIGNAL", "SIGNAL_DRUG"]).assign(ADA=np.where(positive, "POS", "NEG"))


def test_a_run_on_a_classified_listing_has_the_numbers_of_the_command(tmp_path: Path) -> None:
    listing = tmp_path / "ada.csv"
    _by_hand(_example(tmp_path)).to_csv(listing, index=False)
    out = tmp_path / "out.csv"
    kinds.cli_table("ada-summary", "--ada", str(listing), "--reference-arm", "reference", "--out", str(out))
    stored = kinds.workspace_table("ada-summary", listing, {"reference_arm": "reference"})
    kinds.assert_same_table(kinds.read_csv(out), stored)


def test_status_from_the_cut_point_options_equals_the_command_with_the_results_file(tmp_path: Path) -> None:
    data = _example(tmp_path)
    results = tmp_path / "cutpoints.csv"  # the reported rows of a cut-point results table
    pd.DataFrame(
        {
            "tier": ["screening", "confirmatory"],
            "estimate": ["parametric", "parametric"],
            "selected": [True, True],
            "cut_point": [1.2, 20.0],
            "method": ["parametric", "parametric"],
            "fpr": [0.05, 0.01],
            "cut_point_type": ["fixed", "fixed"],
            "normalization": ["none", "none"],
        }
    ).to_csv(results, index=False)
    out = tmp_path / "out.csv"
    kinds.cli_table("ada-summary", "--ada", str(data), "--cut-points", str(results), "--out", str(out))
    stored = kinds.workspace_table("ada-summary", data, CUT_POINTS)
    assert set(stored["cut_point_run"]) == {TYPED}
    assert kinds.read_csv(out)["cut_point_run"].str.startswith("cutpoints.csv (sha256 ").all()
    kinds.assert_same_table(kinds.read_csv(out), stored, drop=("cut_point_run",))


def test_incidence_recounted_by_hand(tmp_path: Path) -> None:
    data = _example(tmp_path)
    result = kinds.workspace_result("ada-summary", data, {**CUT_POINTS, "reference_arm": "reference"})
    table = pd.DataFrame(result["rows"], columns=result["columns"])
    listing = _by_hand(data)
    post = listing[listing["VISIT"] != "BASELINE"]
    # treatment-induced: negative at baseline and positive at a later visit (every baseline is negative)
    assert (listing.loc[listing["VISIT"] == "BASELINE", "ADA"] == "NEG").all()
    for arm in ("test", "reference"):
        positive = post[(post["ARM"] == arm) & (post["ADA"] == "POS")]["USUBJID"].nunique()
        row = table[
            (table["table"] == "incidence")
            & (table["arm"] == arm)
            & (table["timepoint"] == "TREATMENT-EMERGENT")
        ]
        assert row["n_positive"].item() == positive and row["n_evaluable"].item() == 10
    assert result["notes"] == [
        "ADA status from the validated cut points of typed options (screening 1.2, confirmatory 20 % "
        "inhibition): "
        f"{(listing['ADA'] == 'POS').sum()} positive samples."
    ]
    # the source in the reader's words (the stored note keeps the English code)
    assert "以选项输入" in translate_note(result["notes"][0], "zh-CN")
    summary = get_analysis("ada-summary").summary(
        result, effective_options(get_analysis("ada-summary"), CUT_POINTS)
    )
    assert summary.startswith("treatment-emergent ADA: test ") and summary.endswith(
        f"from the cut points of {TYPED}"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"screening_cut_point": 1.2}, "give confirmatory_cut_point with screening_cut_point"),
        (
            {**CUT_POINTS, "cut_point_run": "cp.json"},
            r"cut_point_run or typed cut points \(screening_cut_point",
        ),
        ({**CUT_POINTS, "normalization": "multiplicative"}, "needs normalization_factor"),
        ({}, "ADA"),  # no cut points: the listing's ADA column is needed
    ],
)
def test_refusals(options: dict[str, object], message: str, tmp_path: Path) -> None:
    analysis = get_analysis("ada-summary")
    path = _example(tmp_path)
    with pytest.raises(InputError, match=message):
        analysis.compute(analysis.read(path), effective_options(analysis, options))


def test_through_the_api_and_the_web_pages(workspace: kinds.Workspace, tmp_path: Path) -> None:
    run = workspace.api_run("ada-summary", "listing.csv", example_data(), **CUT_POINTS)
    assert run["result"] == kinds.workspace_result("ada-summary", _example(tmp_path), CUT_POINTS)
    texts = {k: str(v) for k, v in {**CUT_POINTS, "reference_arm": "reference"}.items()}
    page, report = workspace.web_run("ada-summary", "listing.csv", example_data(), **texts)
    for html in (page, report):
        text = kinds.text_of(html)
        assert "treatment-emergent ADA: test 3/10 (30.0%), reference 1/10 (10.0%)" in text
        assert "ADA incidence per arm and timepoint (95% Wilson CI)" in text
        assert "Difference in incidence to reference" in text


LISTING = (
    "USUBJID,ARM,VISIT,ADA,TITRE\n"
    "T01,test,BASELINE,POS,10\nT01,test,WEEK 4,POS,{titre}\n"
    "{subject},test,BASELINE,NEG,\n{subject},test,WEEK 4,POS,20\n"
    "R01,reference,BASELINE,NEG,\nR01,reference,WEEK 4,NEG,\n"
)
#: Hostile cells of the listing, the column and data row (line = row + 1) they are refused at, and why.
HOSTILE = [
    ({"subject": "  "}, "USUBJID", 3, "empty identifier"),
    ({"subject": ""}, "USUBJID", 3, "empty identifier"),
    ({"titre": "inf"}, "TITRE", 2, "not a finite number"),
    ({"titre": "1e400"}, "TITRE", 2, "not a finite number"),
    ({"titre": "1:40"}, "TITRE", 2, "not a number (got '1:40'); expected a titre as a number >= 1"),
    ({"titre": "0"}, "TITRE", 2, "titre below 1"),
]


def _listing(**cells: str) -> bytes:
    return LISTING.format(**{"subject": "T02", "titre": "40", **cells}).encode()


@pytest.mark.parametrize(("cells", "column", "row", "problem"), HOSTILE)
def test_the_reader_refuses_a_blank_subject_or_a_bad_titre(
    cells: dict[str, str], column: str, row: int, problem: str, tmp_path: Path
) -> None:
    """A blank subject was a subject of its own; TITRE inf made T01 treatment-boosted; '1:40' was read as
    no titre; the reader (CLI and upload) now names the file, row, line and column."""
    path = tmp_path / "listing.csv"
    path.write_bytes(_listing(**cells))
    with pytest.raises(DataFileError, match=re.escape(problem)) as info:
        get_analysis("ada-summary").read(path)
    assert (info.value.file, info.value.row, info.value.line, info.value.column) == (
        str(path),
        row,
        row + 1,
        column,
    )


@pytest.mark.parametrize(("cells", "column", "row", "problem"), HOSTILE)
def test_the_compute_refuses_them_in_a_frame_not_read_by_the_reader(
    cells: dict[str, str], column: str, row: int, problem: str
) -> None:
    """A frame given to the kind directly (as ``bioparity run`` or the API could) meets the same checks."""
    analysis = get_analysis("ada-summary")
    frame = pd.read_csv(io.BytesIO(_listing(**cells)), dtype=str, keep_default_na=False)
    with pytest.raises(DataFileError, match=re.escape(problem)) as info:
        analysis.compute(frame, effective_options(analysis, {}))
    assert (info.value.row, info.value.line, info.value.column) == (row, row + 1, column)


def test_a_valid_listing_counts_by_hand(tmp_path: Path) -> None:
    """T01 boosted (10 -> 40, 4-fold), T02 induced, R01 negative: 2/2 and 0/1 treatment-emergent."""
    path = tmp_path / "listing.csv"
    path.write_bytes(_listing())
    table = kinds.workspace_table("ada-summary", path)
    te = table[table["table"] == "treatment-emergent"].set_index("arm")
    assert te.loc["test", "n_boosted"] == 1 and te.loc["test", "n_induced"] == 1
    assert te.loc["test", "n_treatment_emergent"] == 2 and te.loc["reference", "n_treatment_emergent"] == 0
    assert te.loc["test", "n_evaluable"] == 2 and te.loc["reference", "n_evaluable"] == 1


def test_an_upload_with_a_bad_titre_or_a_blank_subject_is_refused(workspace: kinds.Workspace) -> None:
    """The kind's reader runs at upload: the API refuses the file naming its row, line and column."""
    study = workspace.company.study.id
    for cells, where in (
        ({"titre": "inf"}, "row 2 (line 3), column 'TITRE'"),
        ({"subject": " "}, "row 3 (line 4), column 'USUBJID'"),
    ):
        body = {
            "name": "hostile-ada",
            "filename": "ada.csv",
            "content": _listing(**cells).decode(),
            "analysis_kind": "ada-summary",
        }
        answer = workspace.client.post(
            f"/studies/{study}/datasets", headers=workspace.company.auth("analyst"), json=body
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["detail"].startswith(f"ada.csv, {where}")
