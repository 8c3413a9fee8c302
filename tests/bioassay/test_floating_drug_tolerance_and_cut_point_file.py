"""A floating screening cut point in drug tolerance, and the ``ada-cutpoint`` result file applied to the
sensitivity and drug-tolerance data (ADA review gaps 1 and 2).

* A floating cut point is each run's negative control times the normalisation factor (``NC x NF``
  multiplicative, ``NC x exp(NF)`` additive on the log scale: Shankar et al. 2008, J Pharm Biomed Anal
  48:1267, Appendix 1 section 5; FDA 2019 ADA guidance, section IV.B). Drug tolerance judged every well at
  one number (a ``cut_point`` column was dropped by the reader); now, as ``ada-sensitivity``, each run's
  wells are judged at their run's own cut point.
* ``--cut-points CUTPOINTS.csv`` (what ``ada-cutpoint --out`` writes) derives each run's cut point from the
  data's ``nc`` and the result's factor, so no number is copied by hand; the provenance records the file and
  its SHA-256.

Expected values by hand (stated beside each test); floating-point tolerance 1e-12 relative.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses import get_analysis
from bioparity.analyses.frames import result_frame
from bioparity.analyses.registry import effective_options
from bioparity.bioassay import ValidatedCutPoint, drug_tolerance, sensitivity, with_validated_cut_point
from bioparity.cli.main import app
from bioparity.errors import InputError
from bioparity.io.bioassay import read_drug_tolerance_data

RUNNER = CliRunner()


def _wells() -> pd.DataFrame:
    """One ADA level (100) at drug 0, 1, 10, 100 in two runs whose own cut points are 40 and 70, duplicate
    wells. Means by hand: R1 80, 60, 30, 20; R2 90, 65, 35, 20."""
    rows = []
    for run, cut, means in (("R1", 40.0, (80, 60, 30, 20)), ("R2", 70.0, (90, 65, 35, 20))):
        for drug, mean in zip((0, 1, 10, 100), means, strict=True):
            rows += [(run, cut, 100.0, float(drug), mean - 1.0), (run, cut, 100.0, float(drug), mean + 1.0)]
    return pd.DataFrame(rows, columns=["run", "cut_point", "ada_level", "drug_level", "signal"])


def test_drug_tolerance_judges_each_runs_wells_at_its_own_cut_point() -> None:
    # R1 (cut 40) detects drug 0 and 1, R2 (cut 70) drug 0 only: drug 1 is detected in 1 of 2 runs, so the
    # tolerance is 0 (every run must detect it); one cut point 50 on the means over both runs (85, 62.5,
    # 32.5, 20) would say 1.
    result = drug_tolerance(_wells())
    assert result.drug_tolerance.tolist() == [0.0]
    assert result.cut_point_type.startswith("floating") and math.isnan(result.cut_point)
    assert result.run_cut_points == "R1 40; R2 70"
    assert result.notes == (
        "ADA level 100, drug level 1: detected in 1 of 2 runs at their own cut points; "
        "counted as not detected",
    )
    frame = result.to_frame()
    assert frame["run_cut_points"].tolist() == ["R1 40; R2 70"] and frame["cut_point"].isna().all()
    # each run alone: its tolerance at its own cut point
    r1 = _wells().query("run == 'R1'")
    assert drug_tolerance(r1).drug_tolerance.tolist() == [1.0]
    assert drug_tolerance(r1.drop(columns="cut_point"), 40.0).drug_tolerance.tolist() == [1.0]


def test_one_cut_point_is_unchanged_and_the_floating_data_are_checked() -> None:
    fixed = _wells().drop(columns=["cut_point", "run"])
    assert drug_tolerance(fixed, 50.0).drug_tolerance.tolist() == [1.0]  # means 85, 62.5, 32.5, 20
    with pytest.raises(InputError, match="one cut point was given for every run"):
        drug_tolerance(_wells().drop(columns="cut_point").assign(nc=50.0), 50.0)
    with pytest.raises(InputError, match="need the 'run' column"):
        drug_tolerance(_wells().drop(columns="run"))
    with pytest.raises(InputError, match="give one or the other"):
        drug_tolerance(_wells(), 50.0)
    with pytest.raises(InputError, match="run R1: 'cut_point' differs"):
        drug_tolerance(_wells().assign(cut_point=np.arange(16.0)))


def test_the_reader_keeps_run_cut_point_and_nc(tmp_path: Path) -> None:
    path = tmp_path / "dt.csv"
    _wells().assign(nc=20.0).to_csv(path, index=False)
    assert {"run", "cut_point", "nc"} <= set(read_drug_tolerance_data(path).columns)


@pytest.mark.parametrize(
    ("normalization", "factor", "expected"),
    [
        ("multiplicative", 1.25, [125.0, 150.0]),  # 100 x 1.25, 120 x 1.25
        ("additive on log scale", 0.2, [100 * math.exp(0.2), 120 * math.exp(0.2)]),  # NC x exp(NF)
    ],
)
def test_a_floating_result_gives_each_run_nc_times_its_factor(
    normalization: str, factor: float, expected: list[float]
) -> None:
    cp = ValidatedCutPoint("screening", 1.3, "parametric", 0.05, "floating", normalization, factor)
    data, one = with_validated_cut_point(pd.DataFrame({"run": ["R1", "R2"], "nc": [100.0, 120.0]}), cp)
    assert one is None and "nc" not in data.columns
    assert data["cut_point"].tolist() == pytest.approx(expected, rel=1e-12)


def test_a_fixed_result_is_one_cut_point_and_the_refusals() -> None:
    frame = pd.DataFrame({"run": ["R1"], "nc": [100.0]})
    fixed = ValidatedCutPoint("screening", 1.3, "parametric", 0.05, "fixed", "none", math.nan)
    data, one = with_validated_cut_point(frame, fixed)
    assert one == 1.3 and "nc" not in data.columns
    no_factor = ValidatedCutPoint("screening", 1.3, "parametric", 0.05, "floating", "none", math.nan)
    with pytest.raises(InputError, match="no normalisation factor"):
        with_validated_cut_point(frame, no_factor)
    floating = ValidatedCutPoint("screening", 1.3, "parametric", 0.05, "floating", "multiplicative", 1.25)
    with pytest.raises(InputError, match="'nc' column"):
        with_validated_cut_point(frame.drop(columns="nc"), floating)
    with pytest.raises(InputError, match="give one or the other"):
        with_validated_cut_point(frame.assign(cut_point=1.0), floating)


def _validation(path: Path) -> Path:
    """24 donors x 3 runs whose negative controls (100, 135, 82) shift the signals: a floating cut point."""
    rng = np.random.default_rng(5)
    rows = []
    for d in range(24):
        u = rng.normal(0, 0.2)
        for run, nc in (("R1", 100.0), ("R2", 135.0), ("R3", 82.0)):
            rows.append((f"D{d}", run, float(nc * np.exp(0.05 + u + rng.normal(0, 0.03))), nc))
    pd.DataFrame(rows, columns=["donor", "run", "signal", "nc"]).to_csv(path, index=False)
    return path


NC = {"R1": 100.0, "R2": 135.0, "R3": 82.0}


def _curves(path: Path, **columns: dict[str, float]) -> Path:
    """Dilution curves ``nc (1 + 2 c / (c + 20))`` per run (so each crosses ``NC x 1.4`` near 4.5)."""
    conc = [1.0, 3.0, 10.0, 30.0, 100.0]
    rows = [
        {
            "run": r,
            "concentration": c,
            "signal": nc * (1 + 2 * c / (c + 20)),
            **{k: v[r] for k, v in columns.items()},
        }
        for r, nc in NC.items()
        for c in conc
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _reported_factor(cut_points: Path) -> tuple[str, str, float]:
    """The screening row the results file reports, read with pandas (independent of the reader)."""
    table = pd.read_csv(cut_points)
    row = table[(table["tier"] == "screening") & table["selected"]].iloc[0]
    return str(row["cut_point_type"]), str(row["normalization"]), float(row["normalization_factor"])


def test_the_commands_take_the_cut_point_result_file(tmp_path: Path) -> None:
    cut_points = tmp_path / "cp.csv"
    made = RUNNER.invoke(
        app, ["ada-cutpoint", str(_validation(tmp_path / "val.csv")), "--out", str(cut_points)]
    )
    assert made.exit_code == 0, made.output
    kind, normalization, factor = _reported_factor(cut_points)
    assert kind.startswith("floating") and normalization == "additive on log scale"
    own = {r: nc * math.exp(factor) for r, nc in NC.items()}  # each run's cut point by hand

    out = tmp_path / "sens.csv"
    args = ["ada-sensitivity", str(_curves(tmp_path / "pc.csv", nc=NC)), "--out", str(out)]
    ran = RUNNER.invoke(app, [*args, "--cut-points", str(cut_points)])
    assert ran.exit_code == 0, ran.output
    written = pd.read_csv(out)
    assert written["run_cut_points"].tolist() == pytest.approx([own[r] for r in sorted(NC)], rel=1e-12)
    by_hand = sensitivity(pd.read_csv(_curves(tmp_path / "own.csv", cut_point=own)))
    assert written["sensitivity_95"].iloc[0] == pytest.approx(by_hand.sensitivity_95, rel=1e-12)
    provenance = json.loads((tmp_path / "sens.csv.provenance.json").read_text())
    digest = hashlib.sha256(cut_points.read_bytes()).hexdigest()
    assert provenance["inputs"]["cut_points"]["sha256"] == digest
    assert provenance["options"]["cut_points"] == f"cp.csv (sha256 {digest[:16]})"
    assert provenance["options"]["normalization_factor"] == pytest.approx(factor, rel=1e-15)
    assert "screening cut point from cp.csv (sha256" in " ".join(ran.output.split())

    wells = _wells().drop(columns="cut_point").assign(nc=lambda f: f["run"].map({"R1": 30.0, "R2": 50.0}))
    written = drug_tolerance_with(tmp_path, wells, cut_points)
    expected = drug_tolerance(wells.drop(columns="nc").assign(cut_point=wells["nc"] * math.exp(factor)))
    assert written["drug_tolerance"].tolist() == expected.drug_tolerance.tolist()
    assert written["run_cut_points"].iloc[0] == expected.run_cut_points
    both = RUNNER.invoke(app, [*args, "--cut-points", str(cut_points), "--cut-point", "1.3"])
    assert both.exit_code == 2 and "not both" in both.output


def drug_tolerance_with(tmp_path: Path, wells: pd.DataFrame, cut_points: Path) -> pd.DataFrame:
    """``bioparity ada-drug-tolerance dt.csv --cut-points CUT_POINTS``: the table it wrote."""
    wells.to_csv(tmp_path / "dt.csv", index=False)
    tol = tmp_path / "dt_out.csv"
    ran = RUNNER.invoke(
        app,
        ["ada-drug-tolerance", str(tmp_path / "dt.csv"), "--out", str(tol), "--cut-points", str(cut_points)],
    )
    assert ran.exit_code == 0, ran.output
    return pd.read_csv(tol)


def test_the_workspace_drug_tolerance_takes_each_runs_cut_point(tmp_path: Path) -> None:
    path = tmp_path / "own.csv"
    _wells().to_csv(path, index=False)
    analysis = get_analysis("ada-drug-tolerance")
    options = effective_options(analysis, {})
    result = dict(analysis.compute(analysis.read(path), options))
    (main,) = analysis.tables(result_frame(result), options).main
    assert "each run's own (floating): R1 40; R2 70" in main.title
    assert analysis.summary(result, options).endswith("(cut point each run's own (floating))")
