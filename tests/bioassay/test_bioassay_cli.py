"""``bioparity ada-cutpoint``, ``ada-sensitivity``, ``ada-drug-tolerance`` and ``isr``: outputs, provenance
sidecars and errors naming the file, row and column."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.errors import DataFileError
from bioparity.io.bioassay import read_cutpoint_data, read_isr_data
from tests.conftest import REFERENCE

RUNNER = CliRunner()
REF = REFERENCE / "bioassay"


def _validation_csv(path: Path) -> Path:
    rng = np.random.default_rng(11)
    rows = []
    for d in range(20):
        u = rng.normal(0, 0.25)
        for r in range(3):
            s = float(np.exp(u + rng.normal(0, 0.06)))
            rows.append(
                {
                    "donor": f"D{d}",
                    "run": f"R{r}",
                    "signal": s,
                    "signal_drug": s * (1 - rng.normal(0.05, 0.04)),
                }
            )
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_ada_cutpoint_writes_tiers_provenance_and_outliers(tmp_path: Path) -> None:
    data = _validation_csv(tmp_path / "cp.csv")
    out, listing = tmp_path / "res.csv", tmp_path / "outliers.csv"
    result = RUNNER.invoke(
        app,
        ["ada-cutpoint", str(data), "--fpr", "0.05", "--confirm-fpr", "0.01", "--titration-fpr", "0.001",
         "--out", str(out), "--outliers", str(listing)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    assert list(table["tier"].unique()) == ["screening", "confirmatory", "titration"]
    assert (table.groupby("tier")["selected"].sum() == 1).all()
    assert set(table["estimate"]) == {"parametric", "robust", "nonparametric", "parametric_lcl"}
    assert dict(zip(table["tier"], table["fpr"], strict=False)) == {
        "screening": 0.05,
        "confirmatory": 0.01,
        "titration": 0.001,
    }
    sidecar = json.loads(Path(str(out) + ".provenance.json").read_text())
    assert "ada-cutpoint" in json.dumps(sidecar)
    assert listing.exists()
    # the screening cut point equals the core's result on the same file
    from bioparity.bioassay import screening_and_confirmatory

    scp = screening_and_confirmatory(read_cutpoint_data(data), confirm_fpr=None)[0]
    assert table.loc[(table.tier == "screening") & table.selected, "cut_point"].iloc[0] == pytest.approx(
        scp.cut_point, rel=1e-14
    )


def test_ada_cutpoint_on_the_r_design_matches_r(tmp_path: Path) -> None:
    out = tmp_path / "res.csv"
    result = RUNNER.invoke(
        app,
        ["ada-cutpoint", str(REF / "designs_balanced.csv"), "--transform", "log", "--keep-outliers",
         "--method", "nonparametric", "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    ref = pd.read_csv(REF / "cutpoint_reference.csv")
    q = ref.query("design == 'balanced' and statistic == 'quantile' and qtype == 7 and p == 0.95")[
        "value"
    ].iloc[0]
    row = pd.read_csv(out).query("estimate == 'nonparametric'").iloc[0]
    assert row["cut_point_estimate_t"] == pytest.approx(float(q), rel=1e-12)
    assert bool(row["selected"])


def test_bad_cell_names_file_row_and_column(tmp_path: Path) -> None:
    data = tmp_path / "bad.csv"
    data.write_text("donor,run,signal\nD1,R1,1.0\nD2,R1,BLQ\n")
    result = RUNNER.invoke(app, ["ada-cutpoint", str(data), "--out", str(tmp_path / "o.csv")])
    assert result.exit_code == 2
    assert "bad.csv" in result.output and "row 2" in result.output and "column 'signal'" in result.output
    assert not (tmp_path / "o.csv").exists()
    with pytest.raises(DataFileError, match="line 3"):
        read_cutpoint_data(data)


def test_missing_confirmatory_column_is_an_error(tmp_path: Path) -> None:
    data = tmp_path / "cp.csv"
    pd.read_csv(_validation_csv(data)).drop(columns="signal_drug").to_csv(data, index=False)
    result = RUNNER.invoke(
        app, ["ada-cutpoint", str(data), "--confirm-fpr", "0.01", "--out", str(tmp_path / "o.csv")]
    )
    assert result.exit_code == 2 and "signal_drug" in result.output


def test_xlsx_input_is_read(tmp_path: Path) -> None:
    csv = _validation_csv(tmp_path / "cp.csv")
    xlsx = tmp_path / "cp.xlsx"
    pd.read_csv(csv).to_excel(xlsx, index=False)
    pd.testing.assert_frame_equal(read_cutpoint_data(xlsx), read_cutpoint_data(csv), rtol=1e-14)


def test_isr_command_lists_failures(tmp_path: Path) -> None:
    data = tmp_path / "isr.csv"
    data.write_text("sample,original,repeat\nS1,100,110\nS2,100,150\nS3,50,52\n")
    out = tmp_path / "isr_out.csv"
    result = RUNNER.invoke(app, ["isr", str(data), "--assay", "ligand-binding", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "PASS" in result.output and "S2" in result.output
    assert list(pd.read_csv(out)["within_limit"]) == [True, False, True]
    dup = tmp_path / "dup.csv"
    dup.write_text("sample,original,repeat\nS1,100,110\nS1,100,150\n")
    with pytest.raises(DataFileError, match="twice"):
        read_isr_data(dup)


def test_sensitivity_and_drug_tolerance_commands(tmp_path: Path) -> None:
    conc = [1.0, 3.0, 10.0, 30.0, 100.0]
    rows = [
        {"run": f"R{i}", "concentration": c, "signal": 1.0 + np.log10(c / x)}
        for i, x in enumerate((10.0, 20.0, 30.0))
        for c in conc
    ]
    data = tmp_path / "pc.csv"
    pd.DataFrame(rows).to_csv(data, index=False)
    out = tmp_path / "sens.csv"
    result = RUNNER.invoke(app, ["ada-sensitivity", str(data), "--cut-point", "1.0", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert np.allclose(pd.read_csv(out)["concentration_at_cut_point"], [10.0, 20.0, 30.0])
    dt = tmp_path / "dt.csv"
    dt.write_text("ada_level,drug_level,signal\n100,0,2\n100,10,1.5\n100,100,0.5\n")
    result = RUNNER.invoke(
        app, ["ada-drug-tolerance", str(dt), "--cut-point", "1.0", "--out", str(tmp_path / "dt_out.csv")]
    )
    assert result.exit_code == 0, result.output
    assert pd.read_csv(tmp_path / "dt_out.csv")["drug_tolerance"].iloc[0] == 10.0


def test_a_floating_cut_point_prints_its_normalisation_factor(tmp_path: Path) -> None:
    """Eight donors, two runs 4 units apart, negative controls 50 and 46: the run means differ, so the cut
    point floats and a plate's cut point is NC x exp(NF). R 4.2: ``v <- log(signal) - log(nc);
    nf <- mean(v) + qnorm(0.95) * sd(v)`` -> nf 0.9024441027, exp(nf) 2.4656219861 (Shankar 2008,
    Appendix 1 section 5); Shapiro-Wilk p 0.942 (parametric)."""
    base = {"D1": 95, "D2": 102, "D3": 110, "D4": 98, "D5": 105, "D6": 120, "D7": 90, "D8": 100}
    rows = [
        (d, run, v + shift, nc) for run, shift, nc in (("R1", 2, 50), ("R2", -2, 46)) for d, v in base.items()
    ]
    data = tmp_path / "nf.csv"
    pd.DataFrame(rows, columns=["donor", "run", "signal", "nc"]).to_csv(data, index=False)
    out = tmp_path / "o.csv"
    result = RUNNER.invoke(app, ["ada-cutpoint", str(data), "--out", str(out)])
    assert result.exit_code == 0, result.output
    printed = " ".join(result.output.split())  # the console wraps long lines
    screening = pd.read_csv(out).iloc[0]
    assert screening["cut_point_type"] == "floating"
    assert screening["normalization_factor"] == pytest.approx(0.9024441027, rel=1e-9)
    assert (
        "normalisation factor 0.902444 (additive on log scale): plate cut point = negative control x 2.46562"
        in printed
    )
