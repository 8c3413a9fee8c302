"""Units and floating cut points of ``ada-sensitivity`` and ``ada-drug-tolerance`` (CMC units review).

* Every concentration of the results is written with its unit (``concentration_unit``; ``ada_unit`` and
  ``drug_unit``) in the result, the CSV, the terminal, the workspace tables, summary and figures; FDA 2019
  (Immunogenicity Testing of Therapeutic Protein Products - Developing and Validating Assays for Anti-Drug
  Antibody Detection, section IV.C) states a sensitivity in ng/mL, the default. A unit changes no number.
* A floating screening cut point differs between runs (NC x normalisation factor, Shankar et al. 2008,
  J Pharm Biomed Anal 48:1267, Appendix 1 section 5): each run's curve is read at its own (``cut_point``
  column); one number for runs that carry their own negative control ``nc`` is refused.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner

from bioparity.analyses import get_analysis
from bioparity.analyses.ada_drug_tolerance import example_data as tolerance_example
from bioparity.analyses.ada_sensitivity import example_data as sensitivity_example
from bioparity.analyses.frames import result_frame
from bioparity.analyses.registry import effective_options
from bioparity.bioassay import drug_tolerance, sensitivity
from bioparity.cli.main import app
from bioparity.errors import InputError
from bioparity.io.bioassay import read_sensitivity_data

RUNNER = CliRunner()
CONC = np.array([1.0, 3.0, 10.0, 30.0, 100.0])
#: Monotone curves per run and each run's own (floating) cut point.
SIGNALS = {
    "R1": [0.9, 1.1, 1.6, 2.8, 6.0],
    "R2": [1.0, 1.3, 2.0, 3.5, 7.0],
    "R3": [0.8, 1.0, 1.4, 2.4, 5.0],
    "R4": [1.1, 1.4, 2.2, 3.9, 8.0],
}
OWN = {"R1": 1.3, "R2": 1.6, "R3": 1.2, "R4": 1.8}


def _curves(**extra: dict[str, float]) -> pd.DataFrame:
    rows = [
        {"run": run, "concentration": c, "signal": s, **{k: v[run] for k, v in extra.items()}}
        for run, signals in SIGNALS.items()
        for c, s in zip(CONC, signals, strict=True)
    ]
    return pd.DataFrame(rows)


def _by_hand(run: str, cut: float) -> float:
    """The concentration at ``cut`` by linear interpolation on log10 concentration (``numpy.interp``, the
    curves are increasing): R's ``10^approx(signal, log10(conc), xout = cut)$y``."""
    return float(10 ** np.interp(cut, SIGNALS[run], np.log10(CONC)))


def test_each_run_is_read_at_its_own_floating_cut_point() -> None:
    result = sensitivity(_curves(cut_point=OWN))
    expected = np.array([_by_hand(run, OWN[run]) for run in sorted(SIGNALS)])
    assert result.concentration_at_cut_point == pytest.approx(expected, rel=1e-12)
    t = stats.t.ppf(0.95, len(expected) - 1)
    assert result.sensitivity_95 == pytest.approx(expected.mean() + t * expected.std(ddof=1), rel=1e-12)
    assert result.cut_point_type.startswith("floating") and math.isnan(result.cut_point)
    assert result.run_cut_points is not None
    assert result.run_cut_points.tolist() == [OWN[r] for r in sorted(SIGNALS)]
    # not the answer of one cut point for every run (what the command computed before)
    assert result.sensitivity_95 != pytest.approx(sensitivity(_curves(), 1.3).sensitivity_95, rel=1e-3)


def test_one_cut_point_for_runs_with_their_own_negative_control_is_refused() -> None:
    with pytest.raises(InputError) as refused:
        sensitivity(_curves(nc={r: v / 1.25 for r, v in OWN.items()}), 1.3)
    text = str(refused.value)
    assert "floating" in text and "'cut_point' column" in text
    assert "FDA 2019" in text and "Shankar et al. 2008, J Pharm Biomed Anal 48:1267" in text


@pytest.mark.parametrize(
    ("frame", "cut", "message"),
    [
        (_curves(cut_point=OWN), 1.3, "give one or the other"),
        (_curves(), None, "no cut point"),
        (_curves().assign(cut_point=np.arange(20) / 10 + 1), None, "run R1: 'cut_point' differs"),
    ],
)
def test_the_cut_point_is_given_once(frame: pd.DataFrame, cut: float | None, message: str) -> None:
    with pytest.raises(InputError, match=message):
        sensitivity(frame, cut)


def test_the_reader_keeps_the_cut_point_and_nc_columns(tmp_path: Path) -> None:
    path = tmp_path / "pc.csv"
    _curves(cut_point=OWN, nc=OWN).to_csv(path, index=False)
    assert {"cut_point", "nc"} <= set(read_sensitivity_data(path).columns)


def test_sensitivity_carries_its_unit_and_no_number_changes() -> None:
    fixed = sensitivity(_curves(), 1.3)
    in_ug = sensitivity(_curves(), 1.3, concentration_unit="ug/mL")
    assert fixed.concentration_unit == "ng/mL" and in_ug.concentration_unit == "ug/mL"
    assert in_ug.sensitivity_95 == fixed.sensitivity_95 and fixed.cut_point_type == "fixed"
    frame = fixed.to_frame()
    assert set(frame["concentration_unit"]) == {"ng/mL"} and set(frame["run_cut_points"]) == {1.3}
    assert "ng/mL" in fixed.summary()
    with pytest.raises(InputError, match="'h': not a concentration unit"):
        sensitivity(_curves(), 1.3, concentration_unit="h")
    odd = sensitivity(_curves(), 1.3, concentration_unit="ng/mll", unit_source="--conc-unit")
    assert (
        odd.notes[0]
        == "concentration unit 'ng/mll' (--conc-unit) is not one bioparity knows: carried as written"
    )


def test_drug_tolerance_carries_both_units() -> None:
    frame = pd.DataFrame({"ada_level": [100] * 4 + [500] * 4, "drug_level": [0, 1, 10, 100] * 2,
                          "signal": [80, 60, 30, 20, 300, 200, 90, 40]})  # fmt: skip
    result = drug_tolerance(frame, 50)
    assert (result.ada_unit, result.drug_unit) == ("ng/mL", "ug/mL")
    assert result.drug_tolerance.tolist() == [1.0, 10.0]
    table = result.to_frame()
    assert set(table["ada_unit"]) == {"ng/mL"} and set(table["drug_unit"]) == {"ug/mL"}
    assert "ADA 100 ng/mL: detected up to drug 1 ug/mL" in result.summary()
    with pytest.raises(InputError, match="--drug-unit 'mg': not a concentration unit"):
        drug_tolerance(frame, 50, drug_unit="mg", unit_sources=("--ada-unit", "--drug-unit"))


def test_the_commands_print_and_write_the_units(tmp_path: Path) -> None:
    data, out = tmp_path / "pc.csv", tmp_path / "s.csv"
    data.write_bytes(sensitivity_example())
    done = RUNNER.invoke(app, ["ada-sensitivity", str(data), "--cut-point", "1.25", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "sensitivity (detected in 95% of runs): 4.60801 ng/mL" in " ".join(done.output.split())
    table = pd.read_csv(out)
    assert set(table["concentration_unit"]) == {"ng/mL"} and table["sensitivity_95"][0] == pytest.approx(
        4.6080060090478305, rel=1e-15
    )  # the number before units were written
    assert json.loads(Path(f"{out}.provenance.json").read_text())["options"]["conc_unit"] == "ng/mL"

    floating, out2 = tmp_path / "own.csv", tmp_path / "own_out.csv"
    _curves(cut_point=OWN).to_csv(floating, index=False)
    done = RUNNER.invoke(app, ["ada-sensitivity", str(floating), "--out", str(out2), "--conc-unit", "ug/mL"])
    assert done.exit_code == 0, done.output
    assert "own (floating) cut point" in done.output
    assert pd.read_csv(out2)["run_cut_points"].tolist() == [OWN[r] for r in sorted(OWN)]

    data, out = tmp_path / "dt.csv", tmp_path / "d.csv"
    data.write_bytes(tolerance_example())
    done = RUNNER.invoke(app, ["ada-drug-tolerance", str(data), "--cut-point", "1.25", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "ADA 100 ng/mL: highest drug level detected 1 ug/mL" in done.output
    assert set(pd.read_csv(out)["drug_unit"]) == {"ug/mL"}


def _stored(kind: str, path: Path, options: dict[str, object]) -> tuple[dict[str, object], dict[str, object]]:
    analysis = get_analysis(kind)
    effective = effective_options(analysis, options)
    return dict(analysis.compute(analysis.read(path), effective)), effective


def test_the_workspace_tables_and_summaries_state_the_units(tmp_path: Path) -> None:
    path = tmp_path / "pc.csv"
    path.write_bytes(sensitivity_example())
    analysis = get_analysis("ada-sensitivity")
    result, options = _stored("ada-sensitivity", path, {"cut_point": 1.25})
    tables = analysis.tables(result_frame(result), options)
    headers = [h for t in tables.main for h in t.columns]
    assert (
        "concentration at the cut point (ng/mL)" in headers and "sensitivity = mean + t SD (ng/mL)" in headers
    )
    assert analysis.summary(result, options).startswith("sensitivity 4.608 ng/mL (")

    own = tmp_path / "own.csv"
    _curves(cut_point=OWN).to_csv(own, index=False)
    result, options = _stored("ada-sensitivity", own, {})
    (runs, _) = analysis.tables(result_frame(result), options).main
    assert runs.title.startswith("Positive-control concentration at each run's own (floating) cut point")
    assert [row[3] for row in runs.rows] == ["1.3", "1.6", "1.2", "1.8"]
    assert "each run's own (floating)" in analysis.summary(result, options)

    path = tmp_path / "dt.csv"
    path.write_bytes(tolerance_example())
    tolerance = get_analysis("ada-drug-tolerance")
    result, options = _stored("ada-drug-tolerance", path, {"cut_point": 1.25})
    (main,) = tolerance.tables(result_frame(result), options).main
    assert main.columns == ("ADA level (ng/mL)", "highest drug level detected (ug/mL)")
    assert tolerance.summary(result, options).startswith("ADA 100 ng/mL: detected up to drug 1 ug/mL;")
