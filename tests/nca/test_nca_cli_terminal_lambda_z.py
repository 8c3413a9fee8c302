"""``bioparity nca --dosing``: the lambda_z fit after each profile's last dose written beside OUT (the
workspace's ``terminal_lambda_z`` table), recorded in the provenance; the concentrations parsed once; the
samples of missing concentrations before the last dose counted by the workspace run too.

The data are the SDTM PC and EX domains of tests/nca/test_nca_multiple_dose_workspace.py (twelve subjects,
100 mg every 12 h five times). lambda_z is checked against a least-squares line through log concentration
of the samples after the last dose, fitted here with NumPy (``np.polyfit``) on the points the fit names
(LAMZLL to LAMZUL, hours since the last dose): -slope = lambda_z (Gabrielsson & Weiner, Pharmacokinetic
and Pharmacodynamic Data Analysis, 5th ed. 2016, chapter 2).
"""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import bioparity.cli.nca as nca_cli
from bioparity.analyses.nca import TERMINAL_KEY, nca_kind, read_concentrations
from bioparity.cli.main import app
from bioparity.nca import NCASpec, run_nca
from tests.nca.test_nca_multiple_dose_workspace import FIRST, TAU, steady_state_domains, write_domains


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_domains(tmp_path_factory.mktemp("md"))


def test_the_lambda_z_fit_after_the_last_dose_is_written_beside_out(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    pc, ex = files
    out = tmp_path / "pp.csv"
    run = CliRunner().invoke(app, ["nca", str(pc), "--dosing", str(ex), "--tau", "12", "--out", str(out)])
    assert run.exit_code == 0, run.output
    path = tmp_path / "pp.terminal_lambda_z.csv"
    assert f"wrote the lambda_z fit after the last dose (12 profiles) to {path}" in run.output
    fit = pd.read_csv(path, keep_default_na=False, na_values=[""])
    # the workspace's table: same columns and values
    stored = nca_kind(read_concentrations(pc), {"dosing": str(ex), "tau": TAU})[TERMINAL_KEY]
    assert isinstance(stored, dict)
    workspace = pd.DataFrame(stored["rows"], columns=stored["columns"])
    assert list(fit.columns) == list(workspace.columns)
    assert list(fit["subject"]) == list(workspace["subject"])
    np.testing.assert_allclose(fit["PPSTRESN"], workspace["PPSTRESN"].astype(float), rtol=1e-15)
    # lambda_z against a log-linear fit of the samples it names
    samples, _ex = steady_state_domains()
    samples["t"] = (pd.to_datetime(samples["PCDTC"]) - FIRST).dt.total_seconds() / 3600.0 - 48.0
    values = fit.set_index(["subject", "PPTESTCD"])["PPSTRESN"]
    for subject, own in samples.groupby("USUBJID"):
        low, high = values[(subject, "LAMZLL")], values[(subject, "LAMZUL")]
        used = own[(own["t"] >= low - 1e-9) & (own["t"] <= high + 1e-9)]
        assert len(used) == values[(subject, "LAMZNPT")]
        slope = np.polyfit(used["t"], np.log(used["PCSTRESN"]), 1)[0]
        assert values[(subject, "LAMZ")] == pytest.approx(-slope, rel=1e-9)
    # AILAMZ of dose 5 in OUT uses this lambda_z: Phoenix's 1 / (1 - exp(-lambda_z tau))
    pp = pd.read_csv(out)
    ailamz = pp.query("dose_number == 5 and PPTESTCD == 'AILAMZ'").set_index("subject")["PPSTRESN"]
    lamz = fit[fit["PPTESTCD"] == "LAMZ"].set_index("subject")["PPSTRESN"]
    np.testing.assert_allclose(ailamz.sort_index(), 1 / (1 - np.exp(-lamz.sort_index() * TAU)), rtol=1e-12)
    provenance = json.loads((tmp_path / "pp.csv.provenance.json").read_text())
    assert provenance[TERMINAL_KEY]["path"] == str(path) and provenance[TERMINAL_KEY]["rows"] == len(fit)
    assert "last dose" in provenance[TERMINAL_KEY]["fit"]


def test_the_concentrations_are_parsed_once_when_none_is_missing(
    files: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The samples of missing concentrations are looked up again only when the run counted some."""

    def parsed_again(*args: object, **kwargs: object) -> pd.DataFrame:
        raise AssertionError("the concentrations were parsed a second time")

    monkeypatch.setattr(nca_cli, "missing_concentrations", parsed_again)
    pc, ex = files
    out = tmp_path / "pp.csv"
    run = CliRunner().invoke(app, ["nca", str(pc), "--dosing", str(ex), "--tau", "12", "--out", str(out)])
    assert run.exit_code == 0, run.output
    assert (
        json.loads((tmp_path / "pp.csv.provenance.json").read_text())["excluded_missing_concentration"] == []
    )


def test_a_missing_concentration_before_the_last_dose_is_named(tmp_path: Path) -> None:
    """One subject's sample at 2 h (dose 1) has no concentration: the workspace names it (it counted only
    those after the last dose, so it said none), as bioparity nca does in its provenance. The other
    subject's BLQ sample at 12 h lies between measurable ones: the BLQ rule (PKNCA: middle BLQ dropped)
    drops it, counted too (after the last dose it is the first sample, kept as 0)."""
    samples = pd.DataFrame(
        {
            "subject": ["A"] * 6 + ["B"] * 6,
            "time": [0.0, 2.0, 12.0, 14.0, 18.0, 24.0] * 2,
            "conc": ["0", "", "4", "11", "8", "5", "0", "9", "BLQ", "10", "7", "4.5"],
        }
    )
    doses = pd.DataFrame({"subject": ["A", "A", "B", "B"], "time": [0.0, 12.0] * 2, "dose": 100.0})
    path, dosing = tmp_path / "md.csv", tmp_path / "doses.csv"
    samples.to_csv(path, index=False)
    doses.to_csv(dosing, index=False)
    result = nca_kind(read_concentrations(path), {"dosing": str(dosing), "tau": 12.0})
    assert (result["n_missing_dropped"], result["n_blq_dropped"]) == (1, 1)
    assert result["excluded_missing_concentration"] == [
        {"row": 2, "subject": "A", "time": "2.0"}
    ]  # as written
    out = tmp_path / "pp.csv"
    run = CliRunner().invoke(
        app, ["nca", str(path), "--dosing", str(dosing), "--tau", "12", "--out", str(out)]
    )
    assert run.exit_code == 0, run.output
    listed = json.loads((tmp_path / "pp.csv.provenance.json").read_text())["excluded_missing_concentration"]
    assert [(r["row"], r["subject"], r["time"]) for r in listed] == [(2, "A", "2.0")]


def test_a_result_with_some_codes_has_the_rows_of_those_codes() -> None:
    """``NCAResult.with_codes``: the long table of the codes kept is the full table's rows of those codes
    (same cells, profiles in order), so that the fit after the last dose is built without the other rows."""
    samples = pd.DataFrame(
        {
            "subject": ["A"] * 6 + ["B"] * 6,
            "time": [0.0, 1.0, 2.0, 4.0, 8.0, 12.0] * 2,
            "conc": [0.0, 8.0, 10.0, 6.0, 3.0, 1.4, 0.0, 5.0, 9.0, 7.0, 2.0, 0.5],
        }
    )
    result = run_nca(samples, NCASpec(dose=100.0))
    kept = ("LAMZ", "TLST", "CMAX")
    full = result.to_frame()
    expected = full[full["PPTESTCD"].isin(kept)].reset_index(drop=True)
    part = result.with_codes(kept)
    assert part.codes == tuple(c for c in result.codes if c in kept) and len(part.codes) == 3
    pd.testing.assert_frame_equal(part.to_frame(), expected)
    assert part.value("CMAX").tolist() == [10.0, 9.0]  # the observed maxima


def test_the_long_table_of_dosing_intervals_is_built_per_code_not_per_line() -> None:
    """``IntervalResult.to_frame`` on 1,000 profiles x 2 intervals x 18 codes: the reason and the lambda_z
    method are chosen per code and taken per line, not written as fixed-width text on every line (the
    method's 89 characters took 356 bytes per line: 430 bytes per line at the peak before, about 120 now).
    Cells as before: AILAMZ carries the method, CMAX none."""
    times = np.array([0.0, 1.0, 2.0, 4.0, 8.0, 12.0, 13.0, 14.0, 16.0, 20.0, 24.0])
    n = 1000
    ke = 0.1 * (1 + 0.3 * np.arange(n) / n)
    own = np.exp(-np.outer(ke, times)) - np.exp(-np.outer(np.ones(n), times))
    second = np.where(
        times >= 12, np.exp(-np.outer(ke, times - 12)) - np.exp(-np.outer(np.ones(n), times - 12)), 0
    )
    samples = pd.DataFrame(
        {
            "subject": np.repeat(np.arange(n), times.size),
            "time": np.tile(times, n),
            "conc": (50 * (own + second)).ravel().round(4),
        }
    )
    doses = pd.DataFrame(
        {"subject": np.repeat(np.arange(n), 2), "time": np.tile([0.0, 12.0], n), "dose": 100.0}
    )
    result = run_nca(samples, NCASpec(tau=12.0), dosing=doses)
    tracemalloc.start()
    try:
        long = result.to_frame()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(long) == 2 * n * len(result.codes)
    assert peak / len(long) < 200, peak / len(long)
    method = long.set_index(["subject", "dose_number", "PPTESTCD"])["lambda_z_method"]
    assert method[(0, 2, "AILAMZ")] == result.terminal.lambda_z_method != "" and method[(0, 2, "CMAX")] == ""
