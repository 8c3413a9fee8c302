"""Multiple-dose NCA in the workspace kind: tau, summary statistics per dosing interval, the report tables.

The data are SDTM PC and EX domains of twelve subjects dosed 100 mg every 12 h five times (a one-compartment
model with first-order absorption, concentrations by superposition; Gabrielsson & Weiner, Pharmacokinetic
and Pharmacodynamic Data Analysis, 5th ed. 2016, chapter 2), sampled richly after doses 1 and 5, before
doses 3 and 4, and for 24 h after the last dose. The workspace's numbers are the command line's
(tests/nca/test_nca_input_spec.py); here the statistics per dose number are checked against a pandas
computation written out below, and the steady-state values against the samples themselves.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import get_args

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

import bioparity.cli.nca as nca_cli
from bioparity.analyses.nca import (
    NCA,
    STATISTICS_KEY,
    TERMINAL_KEY,
    nca_kind,
    nca_tables,
    read_concentrations,
    review_note,
)
from bioparity.cli.main import app
from bioparity.errors import InputError
from bioparity.i18n import use_language
from bioparity.io.sdtm import hours_to_iso8601

#: Dose times (h since the first dose) and sample times of every subject (h since the first dose).
DOSE_TIMES = (0.0, 12.0, 24.0, 36.0, 48.0)
SAMPLE_TIMES = (0, 0.5, 1, 2, 3, 4, 6, 8, 12, 24, 36, 48, 48.5, 49, 50, 51, 52, 54, 56, 60, 66, 72)
DOSE_MG, TAU = 100.0, 12.0
FIRST = pd.Timestamp("2026-03-02T08:00")


def steady_state_domains(seed: int = 20261206) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PC (with PCDTC) and EX (five EXSTDTC per subject) of twelve subjects: oral one-compartment model
    C(t) = sum_k D ka / (V (ka - ke)) (exp(-ke (t - t_k)) - exp(-ka (t - t_k))) over the doses t_k <= t,
    with CL ~ 5 L/h, V ~ 50 L, ka ~ 1.2 /h (log-normal between subjects, seeded), in mg/L to 4 decimals."""
    rng = np.random.default_rng(seed)
    pc_rows, ex_rows = [], []
    for i in range(12):
        cl, v, ka = 5.0 * math.exp(rng.normal(0, 0.25)), 50.0 * math.exp(rng.normal(0, 0.2)), 1.2
        ka *= math.exp(rng.normal(0, 0.2))
        ke = cl / v
        subject = f"MD-{i + 1:02d}"
        for t in SAMPLE_TIMES:
            conc = sum(
                DOSE_MG * ka / (v * (ka - ke)) * (math.exp(-ke * (t - d)) - math.exp(-ka * (t - d)))
                for d in DOSE_TIMES
                if t >= d
            )
            when = FIRST + pd.Timedelta(hours=t)
            pc_rows.append(
                {"STUDYID": "MD-1", "DOMAIN": "PC", "USUBJID": subject, "PCTESTCD": "DRUG",
                 "PCSPEC": "PLASMA", "PCELTM": hours_to_iso8601(float(t)), "PCSTRESN": round(conc, 4),
                 "PCSTRESU": "mg/L", "PCDTC": when.strftime("%Y-%m-%dT%H:%M:%S")}
            )  # fmt: skip
        for d in DOSE_TIMES:
            ex_rows.append(
                {"STUDYID": "MD-1", "DOMAIN": "EX", "USUBJID": subject, "EXTRT": "DRUG", "EXDOSE": DOSE_MG,
                 "EXDOSU": "mg", "EXROUTE": "ORAL",
                 "EXSTDTC": (FIRST + pd.Timedelta(hours=d)).strftime("%Y-%m-%dT%H:%M")}
            )  # fmt: skip
    return pd.DataFrame(pc_rows), pd.DataFrame(ex_rows)


def write_domains(folder: Path) -> tuple[Path, Path]:
    """The domains as pc.xpt and ex.xpt in ``folder``."""
    pc, ex = steady_state_domains()
    paths = folder / "pc.xpt", folder / "ex.xpt"
    pyreadstat.write_xport(pc, str(paths[0]), table_name="PC", file_format_version=5)
    pyreadstat.write_xport(ex, str(paths[1]), table_name="EX", file_format_version=5)
    return paths


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_domains(tmp_path_factory.mktemp("md"))


@pytest.fixture(scope="module")
def result(files: tuple[Path, Path]) -> dict[str, object]:
    pc, ex = files
    return nca_kind(read_concentrations(pc), {"dosing": str(ex), "tau": TAU})


def _table(stored: object) -> pd.DataFrame:
    assert isinstance(stored, dict)
    return pd.DataFrame(stored["rows"], columns=stored["columns"])


def test_tau_gives_the_steady_state_interval_and_its_values_are_the_samples(
    result: dict[str, object],
) -> None:
    rows = _table(result)
    assert (result["n_profiles"], result["n_intervals"]) == (12, 60)
    last = rows[rows["dose_number"] == 5].set_index(["subject", "PPTESTCD"])["PPSTRESN"]
    pc, _ex = steady_state_domains()
    pc["t"] = (pd.to_datetime(pc["PCDTC"]) - FIRST).dt.total_seconds() / 3600.0
    for subject, samples in pc.groupby("USUBJID"):
        inside = samples[(samples["t"] >= 48.0) & (samples["t"] <= 60.0)]
        assert last[(subject, "CMAX")] == inside["PCSTRESN"].max()  # Cmax,ss observed in [48, 60]
        assert last[(subject, "CMIN")] == inside["PCSTRESN"].min()
        assert last[(subject, "CTROUGH")] == one(samples.loc[samples["t"] == 60.0, "PCSTRESN"])
        auc = last[(subject, "AUCTAU")]
        assert last[(subject, "CAVG")] == pytest.approx(auc / TAU, rel=1e-12)
        first = rows[(rows["subject"] == subject) & (rows["dose_number"] == 1)].set_index("PPTESTCD")
        assert last[(subject, "ARAUC")] == pytest.approx(auc / first.loc["AUCTAU", "PPSTRESN"], rel=1e-12)


def one(values: pd.Series) -> float:
    assert len(values) == 1
    return float(values.iloc[0])


def test_statistics_per_dose_number_match_a_pandas_computation(result: dict[str, object]) -> None:
    """n, n missing, mean, SD (n - 1), CV%, geometric mean exp(mean(log x)), geometric CV%
    100 sqrt(exp(var(log x)) - 1), median, min and max of PPSTRESN per dose number and PPTESTCD, written
    out with pandas: dose 1 and dose 5 apart (never pooled)."""
    rows = _table(result)
    stored_rows = _table(result[STATISTICS_KEY]).to_dict("records")
    stats = {(int(r["dose_number"]), str(r["parameter"])): r for r in stored_rows}
    assert sorted({dose for dose, _code in stats}) == [1, 2, 3, 4, 5]
    no_geometric = {"TMAX", "TMIN"}
    checked = 0
    for (dose, code), part in rows.groupby(["dose_number", "PPTESTCD"], sort=False):
        x = pd.to_numeric(part["PPSTRESN"]).astype(float)
        known = x.dropna()
        got = stats[(int(str(dose)), str(code))]
        assert (got["n"], got["n_missing"]) == (len(known), len(x) - len(known)), (dose, code)
        if known.empty:
            assert got["mean"] is None or math.isnan(got["mean"])
            continue
        want = {
            "mean": known.mean(), "median": known.median(), "min": known.min(), "max": known.max(),
            "sd": known.std(ddof=1) if len(known) > 1 else math.nan,
        }  # fmt: skip
        want["cv_percent"] = 100 * want["sd"] / want["mean"] if want["mean"] != 0 else math.nan
        positive = code not in no_geometric and bool((known > 0).all())
        logs = np.log(known) if positive else None
        want["geometric_mean"] = math.exp(logs.mean()) if logs is not None else math.nan
        spread = logs.var(ddof=1) if logs is not None and len(known) > 1 else math.nan
        want["geometric_cv_percent"] = 100 * math.sqrt(math.expm1(spread))
        for name, value in want.items():
            stored = got[name]
            if math.isnan(value):
                assert stored is None or math.isnan(stored), (dose, code, name)
            else:
                assert stored == pytest.approx(value, rel=1e-12, abs=1e-12), (dose, code, name)
        checked += 1
    assert checked > 60
    # the accumulation ratio of dose 1 is 1 by definition; at steady state it is above 1
    assert stats[(1, "ARAUC")]["mean"] == 1.0 and float(stats[(5, "ARAUC")]["mean"]) > 1.3
    assert (stats[(5, "CTROUGH")]["n"], stats[(5, "CTROUGH")]["n_missing"]) == (12, 0)


def test_the_lambda_z_fit_after_the_last_dose_is_stored(result: dict[str, object]) -> None:
    fits = _table(result[TERMINAL_KEY])
    assert set(fits["last_dose"]) == {48.0}
    lamz = fits[fits["PPTESTCD"] == "LAMZ"].set_index("subject")["PPSTRESN"]
    ailamz = (
        _table(result).query("dose_number == 5 and PPTESTCD == 'AILAMZ'").set_index("subject")["PPSTRESN"]
    )
    # Phoenix's accumulation index 1 / (1 - exp(-lambda_z tau)) with this lambda_z
    np.testing.assert_allclose(ailamz.sort_index(), 1 / (1 - np.exp(-lamz.sort_index() * TAU)), rtol=1e-12)


def test_the_report_tables_lead_with_the_steady_state_interval(result: dict[str, object]) -> None:
    frame = _table(result)
    options = {"dosing": "ex", "tau": TAU, "time_unit": "h"}
    tables = nca_tables(frame, options)
    steady, intervals = tables.main[:2]
    assert steady.title == "Steady state: summary statistics of the last dosing interval (dose 5) per arm"
    assert [r[1] for r in steady.rows] == [
        "AUCTAU (h*mg/L)", "CMAX (mg/L)", "CMIN (mg/L)", "CTROUGH (mg/L)", "CAVG (mg/L)", "FLUCP (%)",
        "SWING (%)", "ARAUC", "ARCMAX",
    ]  # fmt: skip
    assert all(r[2] == "12" and r[3] == "0" for r in steady.rows)  # n 12, none missing at steady state
    assert intervals.columns == ("dose number", "profiles", "start (h)", "end (h)", "tau (h)")
    assert intervals.rows == tuple(
        (str(k + 1), "12", f"{d:g}", f"{d + 12:g}", "12") for k, d in enumerate(DOSE_TIMES)
    )
    every = tables.appendix[0]
    assert every.columns[:3] == ("group", "dose number", "parameter (unit)")
    assert {r[1] for r in every.rows} == {"1", "2", "3", "4", "5"}
    with use_language("zh-CN"):
        zh = nca_tables(frame, options)
    assert zh.main[0].title == "稳态：各组末次给药间隔（第 5 次给药）的汇总统计量"
    assert zh.main[1].columns == ("给药序号", "曲线数", "起点（h）", "终点（h）", "tau（h）")
    assert zh.appendix[0].title == "各给药间隔（给药序号）、各组和各参数的汇总统计量"
    # without tau: the last dose's values are missing, and the tables say why
    no_tau = nca_tables(frame, {"dosing": "ex"})
    assert "The option tau (the dosing interval after the last dose) was not given" in no_tau.main[0].note


def test_a_multiple_dose_run_says_why_its_lambda_z_review_is_read_only(result: dict[str, object]) -> None:
    assert review_note(result).startswith("Multiple-dose run: lambda_z after each profile's last dose")
    assert review_note({"columns": [], "rows": [], "n_profiles": 3}) == ""  # single dose: nothing


def test_tau_and_extrapolation_need_dose_records(files: tuple[Path, Path], tmp_path: Path) -> None:
    pc, _ex = files
    frame = read_concentrations(pc)
    with pytest.raises(InputError, match="option tau: for multiple-dose NCA; give the dose records"):
        nca_kind(frame, {"tau": 12.0})
    with pytest.raises(InputError, match="option extrapolate_tau: for multiple-dose NCA"):
        nca_kind(frame, {"extrapolate_tau": True})
    with pytest.raises(InputError, match="tau -1: the dosing interval must be a positive number"):
        nca_kind(frame, {"dosing": str(files[1]), "tau": -1.0})
    # bioparity nca refuses them too (they were ignored)
    run = CliRunner().invoke(app, ["nca", str(pc), "--out", str(tmp_path / "pp.csv"), "--tau", "12"])
    assert (
        run.exit_code != 0
        and "--tau: for multiple-dose NCA; give the dose records with --dosing" in run.output
    )
    assert not (tmp_path / "pp.csv").exists()


def test_the_options_are_one_schema_for_the_command_line_api_and_form() -> None:
    tau, extrapolate = NCA.option("tau"), NCA.option("extrapolate_tau")
    assert (tau.type, tau.default, tau.optional) == ("number", "", True)
    assert (extrapolate.type, extrapolate.default, extrapolate.choices) == ("flag", False, (False, True))
    names = [o.name for o in NCA.options]
    assert names.index("dosing") < names.index("tau") < names.index("extrapolate_tau")
    # bioparity nca --tau and --extrapolate-tau say what the schema says (their help is taken from it)
    for option, name in ((tau, "TauOpt"), (extrapolate, "ExtrapolateTauOpt")):
        typer_option = get_args(getattr(nca_cli, name))[1]
        assert typer_option.help.lower() == option.help.lower() + "."


def test_a_single_dose_result_is_unchanged_by_the_multiple_dose_options(tmp_path: Path) -> None:
    """The single-dose result with the new defaults stored (tau '', extrapolate_tau false) is the result of
    the options a run stored before they existed, byte for byte, and holds no statistics per interval."""
    example = NCA.example
    assert example is not None
    path = example.write(tmp_path)
    frame = read_concentrations(path)
    before = dict(example.options, dose="auto", review="")
    now = dict(before, tau="", extrapolate_tau=False)
    old, new = (json.dumps(nca_kind(frame, o), sort_keys=True) for o in (before, now))
    assert new == old and STATISTICS_KEY not in json.loads(new) and TERMINAL_KEY not in json.loads(new)
