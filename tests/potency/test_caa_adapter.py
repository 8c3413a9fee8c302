"""Potency results feed the CAA: ``bioparity caa --potency RESULTS.csv`` (issue #19)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.caa.example import example_paths
from bioparity.caa.potency import potency_lot_values
from bioparity.cli.main import app
from bioparity.errors import DataFileError

runner = CliRunner()


def _plates(path: Path, lots: dict[str, float], assays: int, seed: int = 2) -> None:
    """Parallel-line plates: one standard and every lot (true potency given) per assay. Seed 2 gives plates
    that pass the Ph. Eur. 5.3 validity tests (with seed 8 plate P1 failed the joint non-parallelism test,
    and an invalid assay is left out of the combination)."""
    rng = np.random.default_rng(seed)
    dose = np.repeat([1.0, 2.0, 4.0, 8.0], 3)
    rows = []
    for a in range(assays):
        for sample, rp in {"standard": 1.0, **lots}.items():
            y = 5 + 3 * np.log(dose * rp) + rng.normal(0, 0.15, dose.size)
            rows += [
                {"assay": f"P{a + 1}", "sample": sample, "dose": d, "replicate": k % 3 + 1, "response": v}
                for k, (d, v) in enumerate(zip(dose, y, strict=True))
            ]
    pd.DataFrame(rows).to_csv(path, index=False)


def test_combined_potency_becomes_one_value_per_lot() -> None:
    results = pd.DataFrame(
        {
            "assay": ["1", "2", "combined", "1"],
            "sample": ["test:T1", "test:T1", "test:T1", "ref-eu:E1"],
            "model": ["4pl", "4pl", "4pl", "4pl"],
            "relative_potency": [0.98, 1.04, 1.01, 0.97],
            "combination_method": ["", "", "weighted", ""],
            "n_assays": [np.nan, np.nan, 2, np.nan],
        }
    )
    rows = potency_lot_values(results)
    assert list(zip(rows["source"], rows["lot"], rows["value"], strict=True)) == [
        ("test", "T1", pytest.approx(101.0)),
        ("ref-eu", "E1", pytest.approx(97.0)),
    ]
    assert set(rows["unit"]) == {"%"}


def test_sample_without_lot_and_missing_potency_are_errors() -> None:
    bad = pd.DataFrame({"assay": ["1"], "sample": ["lotA"], "relative_potency": [1.0]})
    with pytest.raises(DataFileError, match="row 1 \\(line 2\\), column 'sample'"):
        potency_lot_values(bad, file="rp.csv")
    nan = pd.DataFrame({"assay": ["1"], "sample": ["test:A"], "relative_potency": [np.nan]})
    with pytest.raises(DataFileError, match="column 'relative_potency'"):
        potency_lot_values(nan, file="rp.csv")


def test_caa_command_accepts_potency_results(tmp_path: Path) -> None:
    lots = {f"test:T{i}": 1.0 + 0.02 * (i % 3) for i in range(1, 6)}
    lots |= {f"ref-eu:E{i}": 1.0 - 0.02 * (i % 3) for i in range(1, 11)}
    plates = tmp_path / "plates.csv"
    _plates(plates, lots, assays=2)
    rp = tmp_path / "rp.csv"
    done = runner.invoke(
        app, ["potency", str(plates), "--model", "parallel-line", "--out", str(rp), "--combine"]
    )
    assert done.exit_code == 0, done.output
    data, catalogue = example_paths()
    out = tmp_path / "caa.csv"
    result = runner.invoke(
        app,
        [
            "caa",
            str(data),
            "--catalogue",
            str(catalogue),
            "--out",
            str(out),
            "--potency",
            str(rp),
            "--oc-simulations",
            "0",
        ],
    )
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out)
    mine = table[table["attribute"] == "relative_potency"]
    first = mine.iloc[0]
    assert first["comparison"].startswith("test")
    assert first["n_test"] == 5
    expected = pd.read_csv(rp).query("assay == 'combined' and sample.str.startswith('test:')")
    assert first["mean_test"] == pytest.approx(100 * expected["relative_potency"].mean(), rel=1e-9)


def test_caa_kind_reads_a_stored_potency_result_as_the_lots_tier_1_potency(tmp_path: Path) -> None:
    """The workspace chain potency -> caa without the store: the potency kind's result table written as
    the workspace writes a derived dataset, read by the caa kind's reader, assessed by its compute."""
    from bioparity.analyses import get_analysis, next_kinds
    from bioparity.analyses.caa import lot_table
    from bioparity.analyses.frames import result_frame
    from bioparity.io.potency import read_potency_table

    assert "caa" in next_kinds("potency")
    lots = {f"test:T{i}": 1.0 + 0.02 * (i % 3) for i in range(1, 4)}
    lots |= {f"ref-eu:E{i}": 1.0 - 0.02 * (i % 3) for i in range(1, 7)}
    plates = tmp_path / "plates.csv"
    _plates(plates, lots, assays=2)
    potency = get_analysis("potency")
    options = {**potency.defaults, "model": "parallel-line", "combine": True}
    stored = result_frame(potency.compute(read_potency_table(plates), options))
    derived = tmp_path / "potency-result.csv"
    stored.to_csv(derived, index=False)

    caa = get_analysis("caa")
    frame = caa.read(derived)
    assert set(frame["attribute"]) == {"relative_potency"} and set(frame["tier"]) == {1}
    assert len(frame) == 9  # one value per lot: the combined potency
    result = caa.compute(frame, caa.defaults)
    table = pd.DataFrame(result["rows"], columns=result["columns"])
    first = table[table["comparison"].str.startswith("test")].iloc[0]
    assert first["tier"] == 1 and first["n_test"] == 3 and first["n_reference"] == 6
    combined = stored[(stored["assay"] == "combined") & stored["sample"].str.startswith("test:")]
    assert first["mean_test"] == pytest.approx(100 * combined["relative_potency"].mean(), rel=1e-12)
    assert any("lot values from a potency run" in n for n in result["notes"])
    assert lot_table(stored)["value"].tolist() == pytest.approx(frame["value"].tolist(), rel=1e-12)
    # the number of assays as counted (2), from the typed table (2.0 beside blanks) as from the file's text
    assert lot_table(stored)["method"].tolist() == frame["method"].tolist()
    assert all(m.startswith("potency combined (") and m.endswith(", 2 assays)") for m in frame["method"])


def test_caa_kind_names_the_potency_row_that_is_not_a_lot(tmp_path: Path) -> None:
    bad = tmp_path / "rp.csv"
    pd.DataFrame({"assay": ["1", "1"], "sample": ["test:T1", "lotA"], "relative_potency": [1.0, 1.1]}).to_csv(
        bad, index=False
    )
    from bioparity.analyses import get_analysis

    with pytest.raises(DataFileError, match="row 2 \\(line 3\\), column 'sample'"):
        get_analysis("caa").read(bad)
