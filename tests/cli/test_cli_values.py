"""Values (not only shapes) of ``caa``, ``pk-similarity``, ``ada-summary``, ``demo`` and ``bench`` outputs
against independent references (issue 24). Every option that decides a number is passed explicitly, so
the tests do not depend on the commands' defaults.

References (tests/data/reference, each with the R script that produced it and its provenance header):
``caa/caa_cli_expected.csv`` (R t.test, tolerance ``K.factor``), ``be/pk_similarity_cli_expected.csv``
(R ``lm`` / ``t.test``), Newcombe (1998) Table II for the ADA difference and R ``prop.test`` for the Wilson
incidence, ``power/demo_planning_grid_*.csv`` (PowerTOST ``power.TOST`` / ``sampleN.TOST``) and
``power/bench_scabel_expected.csv`` (PowerTOST ``power.scABEL`` / ``power.RSABE``, 1e6 studies).
"""

from __future__ import annotations

import importlib
import math
import re
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from tests.conftest import REFERENCE

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def run(*args: str) -> None:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output


#: The attribute catalogue the validation pack's caa-engine-r set uses (same methods and settings as R).
CAA_CATALOGUE = REFERENCE / "caa" / "caa_engine_catalogue.yaml"


def test_caa_values_match_r(tmp_path: Path) -> None:
    catalogue = CAA_CATALOGUE
    out = tmp_path / "caa.csv"
    run("caa", str(REFERENCE / "caa" / "caa_cli_input.csv"), "--catalogue", str(catalogue), "--out", str(out),
        "--comparison", "test:ref-eu", "--plan", "tiered-2017")  # fmt: skip
    table = pd.read_csv(out).set_index("attribute")
    expected = pd.read_csv(REFERENCE / "caa" / "caa_cli_expected.csv", comment="#")
    assert len(expected) == 16
    for row in expected.to_dict("records"):
        got = float(table.loc[row["attribute"], row["quantity"]])
        assert got == pytest.approx(float(row["expected"]), rel=1e-8, abs=1e-12), row
    assert table.loc["relative_potency_cdc", "method"] == "equivalence"
    assert table.loc["hmw_species_sec", "method"] == "tolerance-interval"
    assert table["passed"].all()


@pytest.mark.parametrize("variance", ["pooled", "welch"])
def test_pk_similarity_values_match_r(tmp_path: Path, variance: str) -> None:
    out = tmp_path / "sim.csv"
    data = str(REFERENCE / "be" / "pk_similarity_cli_input.csv")
    run("pk-similarity", data, "--arms", "test,eu-ref,us-ref",
        "--metrics", "CMAX,AUCIFO", "--variance", variance, "--alpha", "0.05", "--theta1", "0.8",
        "--theta2", "1.25", "--covariates", "", "--out", str(out))  # fmt: skip
    table = pd.read_csv(out)
    expected = pd.read_csv(REFERENCE / "be" / "pk_similarity_cli_expected.csv", comment="#")
    expected = expected[expected["variance"] == variance]
    assert len(table) == len(expected) == 6
    for row in expected.to_dict("records"):
        got = table[(table["metric"] == row["metric"]) & (table["test_arm"] == row["test"])
                    & (table["reference_arm"] == row["reference"])].iloc[0]  # fmt: skip
        assert got["gmr"] == pytest.approx(row["ratio"], rel=1e-10)
        assert got["ci_lower"] == pytest.approx(row["ci_lower"], rel=1e-9)
        assert got["ci_upper"] == pytest.approx(row["ci_upper"], rel=1e-9)
        assert got["df"] == pytest.approx(row["df"], rel=1e-9)
        assert bool(got["pass"]) == (float(row["ci_lower"]) >= 80 and float(row["ci_upper"]) <= 125)


def test_ada_summary_values_match_published_and_r(tmp_path: Path) -> None:
    # Newcombe (1998) Table II example (a): 56/70 vs 48/80, hybrid score 0.0524 to 0.3339, MN 0.0528 to 0.3382
    rows = [("T", i < 56) for i in range(70)] + [("R", i < 48) for i in range(80)]
    ada = pd.DataFrame({"USUBJID": [f"S{i:03d}" for i in range(len(rows))], "ARM": [a for a, _ in rows],
                        "VISIT": "WEEK 12", "ADA": ["POS" if p else "NEG" for _, p in rows]})  # fmt: skip
    src = tmp_path / "ada.csv"
    ada.to_csv(src, index=False)
    for method, (lo, hi) in {"newcombe": (0.0524, 0.3339), "mn": (0.0528, 0.3382)}.items():
        out = tmp_path / f"{method}.csv"
        run("ada-summary", "--ada", str(src), "--out", str(out), "--reference-arm", "R", "--result", "ADA",
            "--conf", "0.95", "--method", method, "--incidence", "any-visit")  # fmt: skip
        table = pd.read_csv(out)
        diff = table[(table["table"] == "difference") & (table["timepoint"] == "WEEK 12")].iloc[0]
        assert diff["method"] == method and diff["diff"] == pytest.approx(0.2, abs=1e-12)
        assert diff["lower"] == pytest.approx(lo, abs=5e-5)
        assert diff["upper"] == pytest.approx(hi, abs=5e-5)
    inc = table[(table["table"] == "incidence") & (table["timepoint"] == "WEEK 12")].set_index("arm")
    # R: prop.test(56, 70, correct = FALSE)$conf.int and prop.test(48, 80, correct = FALSE)$conf.int (Wilson)
    wilson = {"T": (0.691833555037469, 0.876952607516370), "R": (0.490454650051604, 0.700381724041291)}
    for arm, (lo, hi) in wilson.items():
        assert inc.loc[arm, "lower"] == pytest.approx(lo, rel=1e-9)
        assert inc.loc[arm, "upper"] == pytest.approx(hi, rel=1e-9)


def test_demo_planning_grid_power_and_sample_sizes_match_powertost(tmp_path: Path) -> None:
    run("demo", "--out", str(tmp_path))
    grid = pd.read_csv(tmp_path / "planning-grid.csv")
    expected = pd.read_csv(REFERENCE / "power" / "demo_planning_grid_expected.csv", comment="#")
    keys = ["design", "cv", "theta0", "n", "method"]
    assert grid[keys].equals(expected[keys]), "the demo's planning grid changed: regenerate the reference"
    out = tmp_path / "power.csv"
    run("power", "--grid", str(tmp_path / "planning-grid.csv"), "--out", str(out))
    got = pd.read_csv(out)
    assert (got["power"] - expected["power"]).abs().max() < 1e-9
    sizes = pd.read_csv(REFERENCE / "power" / "demo_planning_grid_samplesize.csv", comment="#")
    scenarios = sizes[["design", "cv", "theta0", "target_power"]].assign(theta1=0.8, theta2=1.25, alpha=0.05)
    scenarios.to_csv(tmp_path / "sizes-in.csv", index=False)
    run("samplesize", "--grid", str(tmp_path / "sizes-in.csv"), "--out", str(tmp_path / "sizes.csv"))
    ours = pd.read_csv(tmp_path / "sizes.csv")
    assert ours["n"].tolist() == sizes["n"].tolist()
    assert (ours["power"] - sizes["power"]).abs().max() < 1e-9


def test_bench_scabel_powers_match_powertost() -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        bench = importlib.import_module("scabel")
    finally:
        sys.path.remove(str(ROOT / "bench"))
    nsims = 200_000
    figures = bench.figures(nsims=nsims, repeats=1)
    expected = pd.read_csv(REFERENCE / "power" / "bench_scabel_expected.csv", comment="#").set_index("label")
    assert [f.name for f in figures] == list(expected.index)
    for fig in figures:
        found = re.search(r"power ([0-9.]+)", fig.detail)
        assert found is not None, fig.detail
        power = float(found.group(1))
        p = float(expected.loc[fig.name, "power"])
        tol = 4 * math.sqrt(p * (1 - p) * (1 / nsims + 1 / 1e6)) + 5e-6  # 4 MC SE + the printed rounding
        assert abs(power - p) <= tol, (fig.name, power, p)
