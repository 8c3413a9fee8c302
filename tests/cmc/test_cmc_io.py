"""Readers of the CMC inputs: XLSX as CSV, located errors, and results that serialise."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.errors import DataFileError, InputError
from bioparity.io.cmc import read_profile, read_stability, read_stability_spec
from bioparity.stability import fit_stability, stability_table

REF = Path(__file__).resolve().parents[1] / "data" / "reference" / "cmc"


def _leblond() -> pd.DataFrame:
    leb = pd.read_csv(REF / "leblond2011_exp1.csv")
    leb = leb.rename(columns={"Batch": "lot", "Month": "time", "Potency": "value"})
    return leb.assign(attribute="potency")


def test_xlsx_reads_like_csv(tmp_path: Path) -> None:
    leb = _leblond()
    leb.to_csv(tmp_path / "s.csv", index=False)
    leb.to_excel(tmp_path / "s.xlsx", index=False)
    a = read_stability(tmp_path / "s.csv")
    b = read_stability(tmp_path / "s.xlsx")
    pd.testing.assert_frame_equal(a, b)
    assert set(a["product"]) == {"product"} and set(a["condition"]) == {""}


def test_xlsx_error_names_row_and_column(tmp_path: Path) -> None:
    leb = _leblond().astype(object)
    leb.loc[2, "time"] = -3
    leb.to_excel(tmp_path / "s.xlsx", index=False)
    with pytest.raises(DataFileError, match=r"s\.xlsx, row 3, column 'time'.*negative"):
        read_stability(tmp_path / "s.xlsx")


def test_lot_under_two_products_is_an_error(tmp_path: Path) -> None:
    leb = _leblond().assign(product="test")
    leb.loc[len(leb) - 1, "product"] = "reference"
    leb.to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(DataFileError, match="lot 'b8' appears under more than one product"):
        read_stability(tmp_path / "s.csv")


def test_lot_with_one_time_point_is_named_by_row(tmp_path: Path) -> None:
    # a third lot placed on stability with only its initial result: no regression line (ICH Q1E Appendix
    # B.1), so the readers name the lot and its row; the fit used to fail naming neither file nor row
    from bioparity.analyses.stability import read_stability_data

    leb = _leblond()
    extra = pd.DataFrame({"lot": ["b9"], "time": [0], "value": [100.1], "attribute": ["potency"]})
    pd.concat([leb, extra], ignore_index=True).to_csv(tmp_path / "s.csv", index=False)
    row = len(leb) + 1
    problem = r"lot 'b9' of potency \(product\) has 1 result\(s\) at 1 time point\(s\)"
    with pytest.raises(
        DataFileError, match=rf"s\.csv, row {row} \(line {row + 1}\), column 'time': {problem}"
    ):
        read_stability_data(tmp_path / "s.csv")  # the stability kind's reader
    spec = tmp_path / "spec.yaml"
    spec.write_text("attributes:\n  potency: {lower: 95}\n", encoding="utf-8")
    out = CliRunner().invoke(
        app, ["stability", str(tmp_path / "s.csv"), "--spec", str(spec), "--out", str(tmp_path / "o.csv")]
    )
    assert out.exit_code == 2
    assert f"s.csv, row {row}, column 'time': lot 'b9' of potency" in " ".join(out.output.split())
    # two results at one time point have no slope either
    pd.concat([leb, extra, extra], ignore_index=True).to_csv(tmp_path / "s.csv", index=False)
    with pytest.raises(DataFileError, match=r"has 2 result\(s\) at 1 time point\(s\)"):
        read_stability_data(tmp_path / "s.csv")


def test_spec_defaults_and_errors(tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("attributes:\n  potency: {lower: 95}\n", encoding="utf-8")
    parsed = read_stability_spec(spec)
    assert (parsed.confidence, parsed.alpha_pool, parsed.dids_variance) == (0.95, 0.25, "separate")
    spec.write_text("attributes:\n  potency: {lower: 95, upper: 90}\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"lower 95.0 must be below upper 90.0"):
        read_stability_spec(spec)
    spec.write_text("attributes:\n  potency: {lower: 95, model: quadratic}\n", encoding="utf-8")
    with pytest.raises(InputError, match="model 'quadratic' unknown"):
        read_stability_spec(spec)


def test_profile_duplicate_species_is_located(tmp_path: Path) -> None:
    long = pd.read_csv(REF / "data_profile.csv")
    long = pd.concat([long, long.iloc[[0]]], ignore_index=True)
    long.to_csv(tmp_path / "p.csv", index=False)
    with pytest.raises(DataFileError, match=rf"row {len(long)} .*species 'G0F' given twice for lot 'R01'"):
        read_profile(tmp_path / "p.csv")


def test_results_serialise_with_settings_and_version() -> None:
    leb = _leblond()
    res = fit_stability(leb["time"], leb["value"], leb["lot"], lower=95.0)
    d = json.loads(json.dumps(res.to_dict()))
    assert d["alpha_pool"] == 0.25 and d["confidence"] == 0.95 and d["software_version"]
    assert len(res.to_frame()) == 6
    table = stability_table(leb, {"potency": {"lower": 95.0}})
    assert json.loads(json.dumps(table.to_dict()))["settings"]["alpha_pool"] == 0.25
    with pytest.raises(InputError, match="potency have no entry"):
        stability_table(leb, {"purity": {"lower": 95.0}})


def test_comparability_with_stability(tmp_path: Path) -> None:
    diff = pd.read_csv(REF / "data_slope_difference.csv").assign(attribute="purity")
    diff["product"] = diff["product"].map({"test": "post-change", "reference": "pre-change"})
    diff.to_csv(tmp_path / "stab.csv", index=False)
    rows = [{"attribute": "purity", "source": s, "lot": f"{s}{i}", "value": 98 + 0.1 * ((i * 7) % 5)}
            for s in ("pre-change", "post-change") for i in range(10)]  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / "caa.csv", index=False)
    (tmp_path / "spec.yaml").write_text(
        "attributes:\n  purity: {lower: 90, slope_margin: 0.1}\n", encoding="utf-8"
    )
    res = CliRunner().invoke(
        app,
        ["comparability", str(tmp_path / "caa.csv"), "--out", str(tmp_path / "o.csv"),
         "--stability", str(tmp_path / "stab.csv"), "--spec", str(tmp_path / "spec.yaml"),
         "--stability-out", str(tmp_path / "st.csv")],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    st = pd.read_csv(tmp_path / "st.csv")
    slope = st[st["kind"] == "slope difference"].iloc[0]
    ref = pd.read_csv(REF / "ref_stability.csv", dtype=str)
    want = float(ref.loc[(ref.case == "slopediff") & (ref.name == "difference"), "value"].iloc[0])
    assert slope["difference"] == pytest.approx(want, rel=1e-8)
    assert (slope["test"], slope["reference"]) == ("post-change", "pre-change")
