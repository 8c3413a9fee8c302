"""A sample's ADA status from the validated cut points, with the cut-point analysis recorded (issue #20):
the cut points read back from a ``bioparity ada-cutpoint`` results file, the tiered rule (screen at the
screening cut point, confirm by % inhibition at the confirmatory cut point; Shankar et al. 2008, J Pharm
Biomed Anal 48:1267, section 2; FDA 2019 ADA guidance, section III) checked by hand on constructed
listings, and ``bioparity ada-summary --cut-points`` against the same summary of the hand-classified
listing."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses.ada_cutpoint import example_data
from bioparity.bioassay import ValidatedCutPoint, ada_status, validated_cut_points, with_validated_cut_point
from bioparity.cli.main import app
from bioparity.errors import DataFileError, InputError
from bioparity.io.bioassay import read_cut_point_results
from bioparity.io.provenance import file_sha256

RUNNER = CliRunner()
NAN = float("nan")


def _cut_points(screening: float = 1.2, confirmatory: float = 20.0) -> dict[str, ValidatedCutPoint]:
    return {
        "screening": ValidatedCutPoint("screening", screening, "parametric", 0.05, "fixed", "none", NAN),
        "confirmatory": ValidatedCutPoint(
            "confirmatory", confirmatory, "parametric", 0.01, "fixed", "none", NAN
        ),
    }


@pytest.fixture(scope="module")
def cut_point_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``bioparity ada-cutpoint`` on the kind's example validation data with a confirmatory tier."""
    folder = tmp_path_factory.mktemp("cp")
    data, out = folder / "validation.csv", folder / "cutpoints.csv"
    data.write_bytes(example_data())
    done = RUNNER.invoke(app, ["ada-cutpoint", str(data), "--confirm-fpr", "0.01", "--out", str(out)])
    assert done.exit_code == 0, done.output
    return out


def test_the_results_file_gives_back_the_reported_cut_points(cut_point_file: Path) -> None:
    table, label = read_cut_point_results(cut_point_file)
    got = validated_cut_points(table, file=str(cut_point_file))
    assert list(got) == ["screening", "confirmatory"]
    raw = pd.read_csv(cut_point_file, dtype=str)  # the reported rows as written, read as text
    for tier in got:
        row = raw[(raw["tier"] == tier) & (raw["selected"] == "True")].iloc[0]
        assert got[tier].cut_point == float(row["cut_point"]) and got[tier].fpr == float(row["fpr"])
        assert (got[tier].method, got[tier].cut_point_type) == (row["method"], row["cut_point_type"])
        assert got[tier].method == row["estimate"]
    assert label == f"cutpoints.csv (sha256 {file_sha256(cut_point_file)[:16]})"


def test_tiered_rule_on_a_constructed_listing() -> None:
    listing = pd.DataFrame(
        {
            "USUBJID": ["1", "2", "3", "4", "5", "6"],
            "SIGNAL": [1.19, 1.2, 3.0, 3.0, "", 2.0],
            # signal 1.2 = the screening cut point (screen positive); inhibition 100 (1 - drug / signal):
            # -, 25%, 19.9% (< 20%), 80%, -, blank for a screen negative
            "SIGNAL_DRUG": ["", 0.9, 3.0 * (1 - 0.199), 0.6, "", ""],
        }
    )
    listing.loc[5, "SIGNAL"] = 1.0  # screen negative: no confirmatory signal needed
    out = ada_status(listing, _cut_points(), cut_point_run="CP-1")
    assert out["ADA"].tolist() == ["NEG", "POS", "NEG", "POS", "", "NEG"]
    assert set(out["ADA_CUT_POINT_RUN"]) == {"CP-1"}
    assert out.drop(columns=["ADA", "ADA_CUT_POINT_RUN"]).equals(listing)  # the listing is kept as given


def test_floating_cut_point_uses_the_plate_negative_control() -> None:
    floating = ValidatedCutPoint(
        "screening", 1.2, "parametric", 0.05, "floating", "additive on log scale", 0.2
    )
    cps = {**_cut_points(), "screening": floating}
    listing = pd.DataFrame({"SIGNAL": [1.2, 1.2], "SIGNAL_DRUG": [0.1, 0.1], "NC": [0.9, 1.0]})
    # plate cut points 0.9 e^0.2 = 1.0993 (screen positive) and 1.0 e^0.2 = 1.2214 (negative)
    assert ada_status(listing, cps, cut_point_run="x")["ADA"].tolist() == ["POS", "NEG"]
    assert 0.9 * math.exp(0.2) < 1.2 < math.exp(0.2)


def test_a_floating_cut_point_needs_every_analysed_samples_plate_control() -> None:
    """Before, a listing without NC was classified at the validation set's cut point (1.2: both samples
    positive, though their plates' cut points 1.0 e^0.2 = 1.2214 are above 1.2), and a blank NC made a
    sample negative (signal >= NaN is false); both are refused now, naming the row and column."""
    floating = ValidatedCutPoint(
        "screening", 1.2, "parametric", 0.05, "floating", "additive on log scale", 0.2
    )
    cps = {**_cut_points(), "screening": floating}
    listing = pd.DataFrame({"SIGNAL": [1.21, 1.21, ""], "SIGNAL_DRUG": [0.1, 0.1, ""]})
    assert 1.2 < 1.21 < math.exp(0.2)
    with pytest.raises(
        DataFileError, match="the listing needs each sample's plate negative control in its NC"
    ):
        ada_status(listing, cps, cut_point_run="x", file="ada.csv")
    for blank in ("", "0", "-1"):
        with pytest.raises(
            DataFileError, match=r"ada.csv, row 2 \(line 3\), column 'NC': no usable negative"
        ):
            ada_status(listing.assign(NC=["1.0", blank, ""]), cps, cut_point_run="x", file="ada.csv")
    # the sample not analysed (blank signal) needs no control
    assert ada_status(listing.assign(NC=["1.0", "1.0", ""]), cps, cut_point_run="x")["ADA"].tolist() == [
        "NEG",
        "NEG",
        "",
    ]
    no_factor = {**cps, "screening": ValidatedCutPoint("screening", 1.2, "", 0.05, "floating", "none", NAN)}
    with pytest.raises(InputError, match="has no normalisation factor"):
        ada_status(listing.assign(NC="1.0"), no_factor, cut_point_run="x")


@pytest.mark.parametrize(
    ("column", "edited"),
    [("normalization", "Additive on log scale"), ("cut_point_type", "Floating"), ("cut_point_type", "")],
)
def test_an_edited_type_or_normalisation_is_refused_not_read_as_another(column: str, edited: str) -> None:
    """A floating cut point with NF 0.2 on the log scale gives a plate with NC 100 the cut point
    100 e^0.2 = 122.14 (Shankar et al. 2008, Appendix 1 section 5); before, 'Additive on log scale' was read
    as multiplicative (100 x 0.2 = 20) and 'Floating' as a fixed cut point (1.3 for every plate)."""
    row = {"tier": "screening", "selected": "True", "cut_point": "1.3", "method": "parametric", "fpr": "0.05",
           "cut_point_type": "floating", "normalization": "additive on log scale",
           "normalization_factor": "0.2"}  # fmt: skip
    screening = validated_cut_points(pd.DataFrame([row]), file="cp.csv")["screening"]
    data, one = with_validated_cut_point(pd.DataFrame({"run": ["R1"], "nc": [100.0]}), screening)
    assert one is None and data["cut_point"].tolist() == pytest.approx([100 * math.exp(0.2)], rel=1e-15)
    with pytest.raises(DataFileError) as refused:
        validated_cut_points(pd.DataFrame([{**row, column: edited}]), file="cp.csv")
    assert (refused.value.row, refused.value.line, refused.value.column, refused.value.value) == (
        1, 2, column, edited,
    )  # fmt: skip
    assert "that 'bioparity ada-cutpoint' writes" in str(refused.value)


def test_refusals_name_what_is_wrong() -> None:
    listing = pd.DataFrame({"SIGNAL": [1.0, 5.0, "high"], "SIGNAL_DRUG": [1.0, "", 1.0]})
    with pytest.raises(DataFileError, match=r"row 3 \(line 4\), column 'SIGNAL'.*'high'"):
        ada_status(listing, _cut_points(), cut_point_run="x", file="ada.csv")
    with pytest.raises(DataFileError, match=r"row 2 \(line 3\), column 'SIGNAL_DRUG'"):
        ada_status(listing.iloc[:2], _cut_points(), cut_point_run="x", file="ada.csv")
    with pytest.raises(InputError, match="needs the confirmatory cut point"):
        ada_status(listing, {"screening": _cut_points()["screening"]}, cut_point_run="x")
    with pytest.raises(InputError, match="already has a 'ADA' column"):
        ada_status(listing.assign(ADA="POS"), _cut_points(), cut_point_run="x")
    table = pd.DataFrame({"tier": ["screening"], "selected": [False], "cut_point": [1.0],
                          "method": ["robust"], "fpr": [0.05], "cut_point_type": ["fixed"]})  # fmt: skip
    with pytest.raises(DataFileError, match="no reported screening cut point"):
        validated_cut_points(table, file="cp.csv")


def _listing(scp: float, ccp: float) -> pd.DataFrame:
    """Two arms x 6 subjects, baseline and two visits; signals around the screening cut point, inhibition
    around the confirmatory cut point (seeded), a blank signal for a missed visit."""
    rng = np.random.default_rng(27)
    rows = []
    for arm in ("T", "R"):
        for i in range(6):
            for visit in ("BASELINE", "D29", "D57"):
                signal = scp * float(np.exp(rng.normal(0.1, 0.5)))
                inhibited = ccp + float(rng.normal(0, 15))
                rows.append((f"{arm}{i}", arm, visit, signal, signal * (1 - inhibited / 100), 40))
    frame = pd.DataFrame(rows, columns=["USUBJID", "ARM", "VISIT", "SIGNAL", "SIGNAL_DRUG", "TITRE"])
    frame["SIGNAL"] = frame["SIGNAL"].astype(object)
    frame.loc[4, "SIGNAL"] = ""
    return frame


def test_ada_summary_from_the_cut_points_equals_the_summary_of_the_hand_classified_listing(
    cut_point_file: Path, tmp_path: Path
) -> None:
    cps = validated_cut_points(pd.read_csv(cut_point_file))
    scp, ccp = cps["screening"].cut_point, cps["confirmatory"].cut_point
    listing = _listing(scp, ccp)
    signals, by_hand = tmp_path / "signals.csv", tmp_path / "status.csv"
    listing.to_csv(signals, index=False)
    signal = pd.to_numeric(listing["SIGNAL"], errors="coerce")
    inhibition = 100 * (1 - listing["SIGNAL_DRUG"] / signal)
    status = np.where(signal.isna(), "", np.where((signal >= scp) & (inhibition >= ccp), "POS", "NEG"))
    assert 0 < (status == "POS").sum() < len(status) - 1  # both outcomes occur
    listing.drop(columns=["SIGNAL", "SIGNAL_DRUG"]).assign(ADA=status).to_csv(by_hand, index=False)

    outputs = {}
    for name, args in (
        ("cut", ["--ada", str(signals), "--cut-points", str(cut_point_file)]),
        ("hand", ["--ada", str(by_hand)]),
    ):
        out = tmp_path / f"{name}.csv"
        done = RUNNER.invoke(app, ["ada-summary", *args, "--reference-arm", "R", "--out", str(out)])
        assert done.exit_code == 0, done.output
        outputs[name] = pd.read_csv(out)
    derived = outputs["cut"]
    label = f"cutpoints.csv (sha256 {file_sha256(cut_point_file)[:16]})"
    assert set(derived["cut_point_run"]) == {label}
    pd.testing.assert_frame_equal(derived.drop(columns=["cut_point_run"]), outputs["hand"])
    sidecar = json.loads((tmp_path / "cut.csv.provenance.json").read_text())
    assert sidecar["inputs"]["cut_points"]["sha256"] == file_sha256(cut_point_file)


def _edited(cut_point_file: Path, tmp_path: Path, column: str, cell: str) -> tuple[Path, int]:
    """The results file with ``cell`` in ``column`` of the reported screening row, and that row's number
    (the parametric estimate, the first row: row 1 = line 2)."""
    raw = pd.read_csv(cut_point_file, dtype=str, keep_default_na=False)
    reported = raw.index[(raw["tier"] == "screening") & (raw["selected"] == "True")]
    assert list(reported) == [0]
    raw.loc[0, column] = cell
    path = tmp_path / "edited.csv"
    raw.to_csv(path, index=False)
    return path, 1


@pytest.mark.parametrize(("column", "cell"), [("fpr", ""), ("fpr", "5%"), ("cut_point", "")])
def test_a_reported_row_without_its_number_is_located(
    cut_point_file: Path, tmp_path: Path, column: str, cell: str
) -> None:
    """A false-positive rate '5%' escaped as a ValueError traceback, a blank one was taken as NaN."""
    path, row = _edited(cut_point_file, tmp_path, column, cell)
    table, _ = read_cut_point_results(path)
    with pytest.raises(DataFileError, match="is not a number") as info:
        validated_cut_points(table, file=str(path))
    assert (info.value.row, info.value.line, info.value.column, info.value.value) == (
        row,
        row + 1,
        column,
        cell,
    )


def test_a_blank_normalization_is_none(cut_point_file: Path, tmp_path: Path) -> None:
    """The cells are read as written: a blank normalization ('' as text, NaN in a typed table) is none."""
    path, _row = _edited(cut_point_file, tmp_path, "normalization", "")
    table, _ = read_cut_point_results(path)
    assert validated_cut_points(table)["screening"].normalization == "none"
