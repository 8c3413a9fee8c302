"""``bioparity nca`` writes the summary statistics of its parameters (``OUT.summary.csv``): the workspace's
(:func:`bioparity.analyses.nca.parameter_statistics`), recorded in ``OUT.provenance.json``.

Checked on the demo's single-dose three-arm parallel study
(:func:`bioparity.demo.synthetic.pk_concentrations`), the multiple-dose SDTM PC + EX domains of
tests/nca/test_nca_multiple_dose_workspace.py, and an antibody-drug conjugate with two analytes (SDTM PC
with two PCTESTCD). The expected statistics are computed here with
pandas and NumPy from the per-subject parameters of OUT: n, mean, SD (n - 1), CV% = 100 SD / mean, median,
min, max, geometric mean exp(mean(log x)) and geometric CV% 100 sqrt(exp(s^2) - 1) with s^2 the sample
variance of log x (Kirkwood, Biometrics 35:908-909, 1979).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from bioparity.analyses.nca import STATISTICS_KEY, nca_kind, nca_tables, read_concentrations
from bioparity.analyses.tables import cell, unit_label
from bioparity.cli.main import app
from bioparity.demo.synthetic import pk_concentrations
from bioparity.io.sdtm import hours_to_iso8601
from bioparity.nca.summary import NO_GEOMETRIC
from tests.analyses.test_nca_analytes import _concentrations
from tests.nca.test_nca_multiple_dose_workspace import TAU, write_domains

STATS = ["n", "mean", "sd", "cv_percent", "median", "min", "max"]
GEOMETRIC = ["geometric_mean", "geometric_cv_percent"]


def _nca(*args: str | Path | float) -> str:
    run = CliRunner().invoke(app, ["nca", *map(str, args)])
    assert run.exit_code == 0, run.output
    return run.output


def _read(path: Path) -> pd.DataFrame:
    """A table written by the command: empty cells missing, except the unit of a unitless parameter."""
    frame = pd.read_csv(path, keep_default_na=False, na_values=[""])
    if "unit" in frame.columns:
        frame["unit"] = frame["unit"].astype(object).fillna("")
    return frame


def _by_hand(pp: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """The statistics of PPSTRESN per ``keys`` with pandas and NumPy, independently of bioparity."""
    rows = []
    for key, g in pp.groupby(keys, sort=False):
        x = g["PPSTRESN"].dropna().to_numpy(dtype=float)
        row = dict(zip(keys, key, strict=True)) | dict.fromkeys([*STATS, *GEOMETRIC], np.nan) | {"n": x.size}
        if x.size:
            row |= {"mean": x.mean(), "median": np.median(x), "min": x.min(), "max": x.max()}
        if x.size > 1:
            sd = x.std(ddof=1)
            row |= {"sd": sd, "cv_percent": 100 * sd / x.mean() if x.mean() != 0 else np.nan}
        if x.size > 1 and (x > 0).all():
            logs = np.log(x)
            row["geometric_mean"] = np.exp(logs.mean())
            # exp(s^2) - 1 as expm1: the same number without the cancellation of exp(s^2) near 1
            row["geometric_cv_percent"] = 100 * np.sqrt(np.expm1(logs.var(ddof=1)))
        rows.append(row)
    return pd.DataFrame(rows)


def _compare(written: pd.DataFrame, expected: pd.DataFrame, keys: list[str]) -> None:
    merged = written.merge(expected, on=keys, suffixes=("", "_hand"), validate="one_to_one")
    assert len(merged) == len(written) == len(expected)
    for column in STATS:
        np.testing.assert_allclose(merged[column], merged[f"{column}_hand"], rtol=1e-12, atol=1e-12)
    geometric = ~merged["parameter"].isin(list(NO_GEOMETRIC)) & merged["geometric_mean_hand"].notna()
    assert geometric.sum() > 0
    for column in GEOMETRIC:
        np.testing.assert_allclose(
            merged.loc[geometric, column], merged.loc[geometric, f"{column}_hand"], rtol=1e-12
        )
    # no geometric statistics for sampling times, fit diagnostics and counts, nor for values <= 0
    assert merged.loc[~geometric, GEOMETRIC].isna().all().all()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "pk.csv"
    pk_concentrations().to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    "units", [[], ["--conc-unit", "ug/mL", "--dose-unit", "mg"]], ids=["stream", "units"]
)
def test_the_demo_study_summary_is_the_workspace_one_and_checks_by_hand(
    demo: Path, tmp_path: Path, units: list[str]
) -> None:
    """Without units OUT is streamed (the summary from the kept columns of each block), with units it is
    built whole: both give the statistics per arm and parameter that the workspace report prints."""
    out = tmp_path / "pp.csv"
    said = _nca(demo, "--out", out, *units)
    path = tmp_path / "pp.summary.csv"
    assert f"wrote summary statistics per arm and parameter (69 rows) to {path}" in said
    written = _read(path)
    assert list(written.columns) == [
        "arm", "parameter", "unit", "n", "n_missing", "mean", "sd", "cv_percent", "geometric_mean",
        "geometric_cv_percent", "median", "min", "max",
    ]  # fmt: skip
    assert sorted(set(written["arm"])) == ["eu-ref", "test", "us-ref"] and set(written["n"]) == {67}
    pp = _read(out).rename(columns={"PPTESTCD": "parameter"})
    _compare(written, _by_hand(pp, ["arm", "parameter"]), ["arm", "parameter"])
    if units:
        assert written.set_index(["arm", "parameter"]).loc[("test", "AUCIFO"), "unit"] == "h*ug/mL"
    # the workspace: the same file and options, its report's table of summary statistics, cell by cell
    options = {"conc_unit": "ug/mL", "dose_unit": "mg"} if units else {}
    stored = nca_kind(read_concentrations(demo), options)
    table = pd.DataFrame(stored["rows"], columns=stored["columns"])
    shown = nca_tables(table, options).main[0]
    assert shown.title.startswith("Summary statistics per arm and parameter")
    columns = ["arm", "parameter", "n", "n_missing", *STATS[1:4], "geometric_mean", "geometric_cv_percent"]
    columns += ["median", "min", "max"]
    labelled = written.assign(
        parameter=[unit_label(p, u) for p, u in zip(written["parameter"], written["unit"], strict=True)]
    )
    counts = ("arm", "n", "n_missing")
    mine = [
        tuple(cell(v) if c in counts else cell(v, 5) for c, v in zip(columns, row, strict=True))
        for row in labelled[columns].itertuples(index=False)
    ]
    assert mine == [tuple(row) for row in shown.rows]
    provenance = json.loads((tmp_path / "pp.csv.provenance.json").read_text())
    record = provenance["summary"]
    assert record["path"] == str(path) and record["rows"] == 69 and record["by"] == ["arm"]
    assert record["notes"] == [] and "geometric_cv_percent" in record["statistics"]


def test_multiple_dose_summary_per_dosing_interval_is_the_workspace_one(tmp_path: Path) -> None:
    pc, ex = write_domains(tmp_path)
    out = tmp_path / "pp.csv"
    said = _nca(pc, "--dosing", ex, "--tau", TAU, "--out", out)
    path = tmp_path / "pp.summary.csv"
    assert f"wrote summary statistics per group, dose_number and parameter (90 rows) to {path}" in said
    written = _read(path)
    stored = nca_kind(read_concentrations(pc), {"dosing": str(ex), "tau": TAU})[STATISTICS_KEY]
    workspace = pd.DataFrame(stored["rows"], columns=stored["columns"])
    assert list(written.columns) == list(workspace.columns)
    pd.testing.assert_frame_equal(written, workspace, check_dtype=False, rtol=1e-15)
    # the steady-state (last) interval and every other one against the per-interval values of OUT
    pp = _read(out).rename(columns={"PPTESTCD": "parameter"})
    _compare(written, _by_hand(pp, ["dose_number", "parameter"]), ["dose_number", "parameter"])
    assert set(written.loc[written["dose_number"] == 5, "n"]) == {12}
    record = json.loads((tmp_path / "pp.csv.provenance.json").read_text())["summary"]
    assert record["by"] == ["group", "dose_number"] and record["rows"] == 90
    # the rows without geometric statistics: named by the command and under the report's table alike
    assert record["notes"] and all("<= 0, geometric statistics not computed" in n for n in record["notes"])
    result = nca_kind(read_concentrations(pc), {"dosing": str(ex), "tau": TAU})
    table = pd.DataFrame(result["rows"], columns=result["columns"])
    every = nca_tables(table, {"tau": TAU}).appendix[0]
    assert every.title.startswith("Summary statistics per dosing interval")
    assert every.note.endswith(
        "No geometric statistics where a value is <= 0: " + "; ".join(record["notes"]) + "."
    )


def adc_pc_domain(data: pd.DataFrame) -> pd.DataFrame:
    """The concentrations of :func:`tests.analyses.test_nca_analytes._concentrations` as an SDTM PC domain
    of study ADC-1: PCTESTCD the analyte (TAB, ADC), in ug/mL, nominal times as PCELTM."""
    return pd.DataFrame(
        {"STUDYID": "ADC-1", "DOMAIN": "PC", "USUBJID": data["subject"], "PCTESTCD": data["analyte"],
         "PCSPEC": "SERUM", "PCELTM": [hours_to_iso8601(float(t)) for t in data["time"]],
         "PCSTRESN": data["conc"], "PCSTRESU": "ug/mL"}
    )  # fmt: skip


def test_two_analytes_of_an_sdtm_pc_file_are_summarised_apart(tmp_path: Path) -> None:
    """Total antibody and conjugated ADC (two PCTESTCD of one PC domain): one row per analyte and
    parameter, eight profiles each (never one mean of both); Cmax checked against each profile's largest
    concentration."""
    data = _concentrations()
    pc = adc_pc_domain(data)
    path = tmp_path / "pc.xpt"
    pyreadstat.write_xport(pc, str(path), table_name="PC", file_format_version=5)
    out = tmp_path / "pp.csv"
    said = _nca(path, "--out", out)
    assert "wrote summary statistics per group, PCTESTCD and parameter (42 rows)" in said
    written = _read(tmp_path / "pp.summary.csv")
    assert set(written["PCTESTCD"]) == {"TAB", "ADC"} and set(written["n"]) == {8}
    cmax = written[written["parameter"] == "CMAX"].set_index("PCTESTCD")
    assert set(cmax["unit"]) == {"ug/mL"}
    for analyte, g in data.groupby("analyte"):
        peaks = np.log(g.groupby("subject")["conc"].max().to_numpy())
        row = cmax.loc[str(analyte)]
        assert row["geometric_mean"] == pytest.approx(np.exp(peaks.mean()), rel=1e-12)
        cv = 100 * np.sqrt(np.exp(peaks.var(ddof=1)) - 1)
        assert row["geometric_cv_percent"] == pytest.approx(cv, rel=1e-12)
    pp = _read(out).rename(columns={"PPTESTCD": "parameter"})
    _compare(written, _by_hand(pp, ["PCTESTCD", "parameter"]), ["PCTESTCD", "parameter"])


def _crossover(subject: str = "subject") -> pd.DataFrame:
    """A 2x2 crossover (sequences TR and RT, four subjects): one oral profile per subject and period,
    C(t) = A (exp(-0.1 t) - exp(-t)) with A per subject and treatment."""
    times = np.array([0.0, 0.5, 1.0, 2.0, 4.0, 8.0, 12.0, 24.0])
    rows = []
    for i, sequence in enumerate(["TR", "RT", "TR", "RT"]):
        for period, treatment in enumerate(sequence, start=1):
            scale = 40.0 * (1 + 0.1 * i) * (1.05 if treatment == "T" else 1.0)
            conc = np.round(scale * (np.exp(-0.1 * times) - np.exp(-times)), 4)
            rows += [
                (f"S{i + 1}", sequence, period, treatment, t, c) for t, c in zip(times, conc, strict=True)
            ]
    return pd.DataFrame(rows, columns=[subject, "sequence", "period", "treatment", "time", "conc"])


def test_a_crossover_is_summarised_per_treatment_whatever_the_subject_column_is_named(tmp_path: Path) -> None:
    """``--subject ID``: the summary still knows each subject's profiles, so a crossover's period and
    sequence do not split the statistics (one row per treatment and parameter, every subject in it: EMA
    CPMP/EWP/QWP/1401/98 Rev. 1, section 4.1.8), as with a column named ``subject``."""
    for name in ("subject", "ID"):
        path = tmp_path / f"{name}.csv"
        _crossover(name).to_csv(path, index=False)
        out = tmp_path / f"{name}.pp.csv"
        _nca(path, "--subject", name, "--dose", "100", "--out", out)
        written = _read(tmp_path / f"{name}.pp.summary.csv")
        assert list(written.columns[:2]) == ["treatment", "parameter"], name
        assert set(written["n"]) == {4} and sorted(set(written["treatment"])) == ["R", "T"]
        pp = _read(out).rename(columns={"PPTESTCD": "parameter"})
        _compare(written, _by_hand(pp, ["treatment", "parameter"]), ["treatment", "parameter"])


@pytest.mark.parametrize("arm", ["ARM", "Arm", "Treatment"])
def test_an_arm_column_in_another_letter_case_splits_the_statistics(
    demo: Path, tmp_path: Path, arm: str
) -> None:
    """The grouping rule reads ``ARM`` as the arm (any letter case; OUT keeps it), so the statistics are
    per arm too: the three arms of the demo are not pooled into one row of 201 profiles."""
    path = tmp_path / "pk.csv"
    pd.read_csv(demo).rename(columns={"arm": arm}).to_csv(path, index=False)
    out = tmp_path / "pp.csv"
    said = _nca(path, "--out", out)
    assert f"wrote summary statistics per {arm} and parameter (69 rows)" in said
    written = _read(tmp_path / "pp.summary.csv")
    assert sorted(set(written[arm])) == ["eu-ref", "test", "us-ref"] and set(written["n"]) == {67}
    pp = _read(out).rename(columns={"PPTESTCD": "parameter"})
    _compare(written, _by_hand(pp, [arm, "parameter"]), [arm, "parameter"])


def test_groups_without_geometric_statistics_are_named(tmp_path: Path) -> None:
    """Cmin of the first dosing interval is 0 (the pre-dose sample): no geometric statistics for it, and
    the terminal and the provenance say which rows and why (not an unexplained empty cell)."""
    samples = pd.DataFrame(
        {
            "subject": np.repeat(["A", "B", "C"], 7),
            "time": np.tile([0.0, 1.0, 4.0, 12.0, 13.0, 16.0, 24.0], 3),
            "conc": [0, 9, 6, 3, 11, 8, 4, 0, 8, 5, 2.5, 10, 7, 3.5, 0, 10, 7, 3.2, 12, 9, 4.4],
        }
    )
    doses = pd.DataFrame({"subject": np.repeat(["A", "B", "C"], 2), "time": [0.0, 12.0] * 3, "dose": 50.0})
    path, dosing = tmp_path / "md.csv", tmp_path / "doses.csv"
    samples.to_csv(path, index=False)
    doses.to_csv(dosing, index=False)
    out = tmp_path / "pp.csv"
    said = _nca(path, "--dosing", dosing, "--tau", "12", "--out", out)
    assert "; 1 row without geometric statistics (a value <= 0; listed in pp.csv.provenance.json)" in said
    notes = json.loads((tmp_path / "pp.csv.provenance.json").read_text())["summary"]["notes"]
    assert notes == ["CMIN (group all, dose_number 1): 3 value(s) <= 0, geometric statistics not computed"]
    written = _read(tmp_path / "pp.summary.csv")
    cmin = written[written["parameter"] == "CMIN"].set_index("dose_number")
    assert np.isnan(cmin["geometric_mean"][1]) and cmin["mean"][1] == 0
    # dose 2: the lowest concentration of each subject from 12 h (the dose) to 24 h (its end)
    lowest = samples[samples["time"] >= 12].groupby("subject")["conc"].min().to_numpy()
    assert cmin["geometric_mean"][2] == pytest.approx(np.exp(np.log(lowest).mean()), rel=1e-12)


@pytest.mark.parametrize("units", [[], ["--conc-unit", "ug/mL"]], ids=["stream", "units"])
def test_partial_areas_of_two_intervals_are_summarised_apart(
    demo: Path, tmp_path: Path, units: list[str]
) -> None:
    """``--interval 0,168 --interval 0,672``: two AUCINT per profile; the statistics are per interval
    (``AUCINT_0_168``, ``AUCINT_0_672``, 67 profiles each), not one mean of both areas over 134 values."""
    out = tmp_path / "pp.csv"
    _nca(demo, "--out", out, "--interval", "0,168", "--interval", "0,672", *units)
    written = _read(tmp_path / "pp.summary.csv")
    partial = written[written["parameter"].str.startswith("AUCINT")]
    assert sorted(set(partial["parameter"])) == ["AUCINT_0_168", "AUCINT_0_672"]
    assert set(partial["n"]) == {67} and len(partial) == 6
    pp = _read(out)
    pp = pp[pp["PPTESTCD"] == "AUCINT"].assign(
        parameter=[f"AUCINT_0_{e:g}" for e in pp.loc[pp["PPTESTCD"] == "AUCINT", "end"]]
    )
    _compare(partial, _by_hand(pp, ["arm", "parameter"]), ["arm", "parameter"])


def test_a_run_without_concentration_unit_says_its_outputs_have_none(demo: Path, tmp_path: Path) -> None:
    """The demo's concentrations (ug/mL) without --conc-unit: OUT has no unit column, and the terminal
    says so and how to get them; with the unit, no such note and the units are in OUT."""
    said = _nca(demo, "--out", tmp_path / "a.csv")
    assert "note: no concentration unit (--conc-unit, or PCSTRESU of an SDTM PC input)" in said
    assert "PPSTRESU" not in _read(tmp_path / "a.csv").columns
    said = _nca(demo, "--out", tmp_path / "b.csv", "--conc-unit", "ug/mL")
    assert "no concentration unit" not in said and "PPSTRESU" in _read(tmp_path / "b.csv").columns


def test_the_help_names_the_summary_file_and_the_time_unit() -> None:
    """``bioparity nca --help``: OUT.summary.csv is named with OUT, and the time column and infusion duration
    are in --time-unit (they were said to be in hours, which --time-unit min contradicts)."""
    run = CliRunner().invoke(app, ["nca", "--help"], env={"COLUMNS": "300"})
    assert run.exit_code == 0
    text = " ".join(run.output.split())
    assert "OUT.summary.csv" in text
    assert "time after dose, in --time-unit" in text and "hours after dose" not in text
    assert "Infusion duration (in --time-unit" in text


def test_a_multiple_dose_run_without_tau_says_the_last_dose_has_no_parameters(tmp_path: Path) -> None:
    """Without --tau the last dose has no interval: every parameter of it is missing (n = 0 in the summary),
    and the closing line says why instead of leaving empty rows unexplained."""
    pc, ex = write_domains(tmp_path)
    said = _nca(pc, "--dosing", ex, "--out", tmp_path / "pp.csv")
    assert "; no --tau: the last dose has no interval, so its parameters are missing" in said
    written = _read(tmp_path / "pp.summary.csv")
    assert set(written.loc[written["dose_number"] == 5, "n"]) == {0}
    assert _nca(pc, "--dosing", ex, "--tau", TAU, "--out", tmp_path / "qq.csv").count("no --tau") == 0
