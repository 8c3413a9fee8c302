"""The ``ada-summary`` kind (issue #20 in the workspace): the immunogenicity summary of ``bioparity
ada-summary`` (with and without ``--cut-points``) as a workspace run, each sample's status from the cut
points given as options with the cut-point run recorded in every row, the tiered rule and the incidence
recounted here by hand, and a run through the API and the web pages."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bioparity.analyses import get_analysis
from bioparity.analyses.ada_summary import example_data
from bioparity.analyses.registry import effective_options
from bioparity.errors import InputError
from tests.analyses import kinds_support as kinds

CUT_POINTS = {"screening_cut_point": 1.2, "confirmatory_cut_point": 20.0, "cut_point_run": "run-42"}


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
    assert set(stored["cut_point_run"]) == {"run-42"}
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
        "ADA status from the validated cut points of run-42 (screening 1.2, confirmatory 20 % inhibition): "
        f"{(listing['ADA'] == 'POS').sum()} positive samples."
    ]
    summary = get_analysis("ada-summary").summary(
        result, effective_options(get_analysis("ada-summary"), CUT_POINTS)
    )
    assert summary.startswith("treatment-emergent ADA: test ") and summary.endswith(
        "from the cut points of run-42"
    )


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"screening_cut_point": 1.2}, "give confirmatory_cut_point and cut_point_run"),
        ({**CUT_POINTS, "cut_point_run": ""}, "give confirmatory_cut_point and cut_point_run"),
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
