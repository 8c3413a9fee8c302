"""``bioparity stability | comparability | profile``: outputs, provenance sidecars, located input errors.

Numbers in the CSVs come from the cores tested against R and LeBlond (2011) elsewhere; here the
command's result is compared with those published / R values.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app

REF = Path(__file__).resolve().parents[1] / "data" / "reference" / "cmc"
runner = CliRunner()


def _stability_files(tmp_path: Path) -> tuple[Path, Path]:
    diff = pd.read_csv(REF / "data_slope_difference.csv").assign(attribute="purity", condition="25C")
    leb = pd.read_csv(REF / "leblond2011_exp1.csv").rename(
        columns={"Batch": "lot", "Month": "time", "Potency": "value"}
    )
    leb = leb[leb["lot"].isin(["b2", "b5", "b7"])].assign(
        attribute="potency", condition="5C", product="reference"
    )
    data = tmp_path / "stab.csv"
    pd.concat([diff, leb], ignore_index=True).to_csv(data, index=False)
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        "attributes:\n  purity: {lower: 90, slope_margin: 0.1}\n"
        "  potency: {lower: 95, model: linear}\nmax_time: 500\n",
        encoding="utf-8",
    )
    return data, spec


def test_stability_command_reproduces_leblond_and_r(tmp_path: Path) -> None:
    data, spec = _stability_files(tmp_path)
    out, slopes = tmp_path / "res.csv", tmp_path / "slopes.csv"
    res = runner.invoke(
        app, ["stability", str(data), "--spec", str(spec), "--out", str(out), "--slopes", str(slopes)]
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    pot = table[table["attribute"] == "potency"].iloc[0]
    assert pot["pooling"] == "cics"
    assert pot["condition"] == "5C"
    assert pot["shelf_life"] == pytest.approx(25.9957631369, rel=1e-6)  # LeBlond 2011 Table V (26), expirest
    ref = pd.read_csv(REF / "ref_stability.csv", dtype=str)
    want = dict(
        zip(ref.loc[ref.case == "slopediff", "name"], ref.loc[ref.case == "slopediff", "value"], strict=True)
    )
    sl = pd.read_csv(slopes).iloc[0]
    assert sl["difference"] == pytest.approx(float(want["difference"]), rel=1e-8)
    assert sl["ci_upper"] == pytest.approx(float(want["ci_upper"]), rel=1e-8)
    assert bool(sl["equivalent"]) is True
    sidecar = json.loads((tmp_path / "res.csv.provenance.json").read_text(encoding="utf-8"))
    assert sidecar["options"]["alpha_pool"] == 0.25


def test_stability_bad_cell_names_file_row_and_column(tmp_path: Path) -> None:
    data, spec = _stability_files(tmp_path)
    frame = pd.read_csv(data, dtype=str)
    frame.loc[4, "value"] = "n/a"
    frame.to_csv(data, index=False)
    res = runner.invoke(app, ["stability", str(data), "--spec", str(spec), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2
    assert "stab.csv, row 5 (line 6), column 'value'" in res.output
    assert not (tmp_path / "o.csv").exists()


def test_stability_attribute_missing_from_the_spec_names_file_row_and_column(tmp_path: Path) -> None:
    """An attribute spelled differently in the data ('Purity') stops at its first row, naming the spec's
    attributes; before, the message named neither the data file nor the row."""
    data, spec = _stability_files(tmp_path)
    frame = pd.read_csv(data, dtype=str)
    frame.loc[6, "attribute"] = "Purity"
    frame.loc[9, "attribute"] = "pH"
    frame.to_csv(data, index=False)
    res = runner.invoke(app, ["stability", str(data), "--spec", str(spec), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2, res.output
    text = " ".join(res.output.split())
    assert f"{data}, row 7, column 'attribute': no entry in the specification {spec} (nor for 'pH')" in text
    assert f"(got 'Purity'); expected an attribute of {spec}: purity, potency" in text
    assert not (tmp_path / "o.csv").exists()


def test_a_spec_label_names_the_attribute_in_the_output_for_a_reader(tmp_path: Path) -> None:
    """``label`` in the spec (as a CAA catalogue's) names the attribute on the terminal and in the figures;
    the CSV keeps the code; an attribute without a label is printed as written."""
    data, spec = _stability_files(tmp_path)
    spec.write_text(
        "attributes:\n  purity: {lower: 90, slope_margin: 0.1}\n"
        "  potency: {lower: 95, label: 'Potency (% of label claim)'}\nmax_time: 500\n",
        encoding="utf-8",
    )
    out, figs = tmp_path / "res.csv", tmp_path / "figs"
    command = ["stability", str(data), "--spec", str(spec), "--out", str(out), "--plots", str(figs)]
    res = runner.invoke(app, [*command, "--plot-format", "svg"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert any(line.startswith("Potency (% of label claim) [5C] reference: cics") for line in lines), lines
    assert any(line.startswith("purity [25C] test: ") for line in lines)
    assert any(line.startswith("purity slope difference ") for line in lines)
    assert sorted(pd.read_csv(out)["attribute"].unique()) == ["potency", "purity"]
    drawn = (figs / "stability_potency_5C_reference.svg").read_text(encoding="utf-8")
    assert "Potency (% of label claim) [5C]: cics" in drawn  # the title (matplotlib keeps each text)
    spec.write_text("attributes:\n  purity: {lower: 90, label: [a]}\n  potency: {lower: 95}\n")
    res = runner.invoke(app, command)
    assert res.exit_code == 2 and "attributes.purity: label ['a'] is not a text" in res.output


def test_stability_spec_errors_name_the_key(tmp_path: Path) -> None:
    data, spec = _stability_files(tmp_path)
    spec.write_text("attributes:\n  purity: {lower: 90, lowr: 3}\n", encoding="utf-8")
    res = runner.invoke(app, ["stability", str(data), "--spec", str(spec), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2
    assert "attributes.purity: unknown key(s) lowr" in res.output


def test_comparability_runs_the_caa_engine_post_vs_pre(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    rows = [
        {"attribute": "purity", "source": src, "lot": f"{src}-{i}", "value": round(rng.normal(98, 0.3), 3)}
        for src in ("site-a", "site-b")
        for i in range(10)
    ]
    data = tmp_path / "comp.csv"
    pd.DataFrame(rows).to_csv(data, index=False)
    out = tmp_path / "comp_res.csv"
    res = runner.invoke(
        app, ["comparability", str(data), "--out", str(out), "--pre", "site-a", "--post", "site-b"]
    )
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    row = table.iloc[0]
    assert (row["test_source"], row["reference_source"]) == ("site-b", "site-a")
    assert row["method"] == "quality-range"
    # the quality range is the pre-change mean +/- 3 SD (sample SD), computed here with pandas
    pre = pd.DataFrame(rows).query("source == 'site-a'")["value"]
    assert row["lower_limit"] == pytest.approx(pre.mean() - 3 * pre.std(ddof=1), rel=1e-12)
    assert (tmp_path / "comp_res.csv.provenance.json").exists()


def test_comparability_unknown_source_is_located(tmp_path: Path) -> None:
    data = tmp_path / "c.csv"
    data.write_text(
        "attribute,source,lot,value\npurity,pre-change,a,1\npurity,pre-chnge,b,2\n", encoding="utf-8"
    )
    res = runner.invoke(app, ["comparability", str(data), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2
    assert "row 2 (line 3), column 'source'" in res.output


def test_profile_command_matches_r_distances(tmp_path: Path) -> None:
    out = tmp_path / "prof.csv"
    res = runner.invoke(app, ["profile", str(REF / "data_profile.csv"), "--out", str(out)])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    ref = pd.read_csv(REF / "ref_stability.csv", dtype=str)
    want = dict(
        zip(ref.loc[ref.case == "profile", "name"], ref.loc[ref.case == "profile", "value"], strict=True)
    )
    for lot, d in zip(table["lot"], table["distance"], strict=True):
        assert d == pytest.approx(float(want[f"distance_{lot}"]), rel=1e-10)
    assert "of 5 test lots within" in res.output


def test_profile_missing_species_is_an_error(tmp_path: Path) -> None:
    data = tmp_path / "p.csv"
    long = pd.read_csv(REF / "data_profile.csv")
    long = long.drop(index=long.index[(long["lot"] == "T02") & (long["species"] == "Man5")])
    long.to_csv(data, index=False)
    res = runner.invoke(app, ["profile", str(data), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2
    assert "lot 'T02' has no value for species 'Man5'" in res.output


def test_plots_are_written(tmp_path: Path) -> None:
    data, spec = _stability_files(tmp_path)
    figs = tmp_path / "figs"
    res = runner.invoke(
        app,
        ["stability", str(data), "--spec", str(spec), "--out", str(tmp_path / "r.csv"), "--plots", str(figs)],
    )
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in figs.iterdir())
    assert names == [
        "stability_potency_5C_reference.png",
        "stability_purity_25C_reference.png",
        "stability_purity_25C_test.png",
    ]
    assert all((figs / n).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for n in names)
    svg = tmp_path / "profile.svg"
    res = runner.invoke(
        app, ["profile", str(REF / "data_profile.csv"), "--out", str(tmp_path / "p.csv"), "--plot", str(svg)]
    )
    assert res.exit_code == 0, res.output
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_stability_command_says_each_analysis_flags(tmp_path: Path) -> None:
    """The review flags of an analysis (here: shelf lives beyond the last time point, ICH Q1E sections
    2.3-2.4 and Appendix A) are said on the terminal under its line, not only written in the CSV."""
    data, spec = _stability_files(tmp_path)
    res = runner.invoke(app, ["stability", str(data), "--spec", str(spec), "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    table = pd.read_csv(tmp_path / "o.csv")
    flagged = table["flags"].fillna("").ne("")
    assert flagged.sum() == 3  # the three analyses extrapolate (12 and 24 months of data)
    for flags in table.loc[flagged, "flags"]:
        assert f"warning: {flags}" in lines
    first = next(i for i, line in enumerate(lines) if line.startswith("purity [25C] test:"))
    assert lines[first + 1].startswith("warning: shelf life 25.17 months extrapolates beyond the last")
