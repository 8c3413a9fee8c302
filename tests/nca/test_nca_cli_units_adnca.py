"""CLI: per-row concentration units, ADNCA output, SDTM EX dosing, AUCTAU extrapolation and Tss output.

References: PKNCA 0.12.1 results on Theoph (``expected/nca_theoph_linuplogdown.csv``, in mg/L) for the
unit column (rows given in ug/L must give the same parameters after conversion, 1 mg/L = 1000 ug/L);
MetidaNCA.jl test set #8 (``nca/metidanca_tau_extrapolated.csv``) for the extrapolated AUCTAU.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.errors import DataFileError
from bioparity.nca import nca
from tests.conftest import REFERENCE

runner = CliRunner()


def test_unit_column_converts_rows_and_matches_pknca(theoph: pd.DataFrame, theoph_expected: pd.DataFrame,
                                                      tmp_path: Path) -> None:  # fmt: skip
    mixed = theoph.copy()
    in_ug = (mixed["Subject"] % 2 == 0).to_numpy()  # even subjects reported in ug/L
    mixed["conc"] = np.where(in_ug, mixed["conc"] * 1000.0, mixed["conc"])
    mixed["unit"] = np.where(in_ug, "ug/L", "mg/L")
    mixed = mixed.drop(columns=["Wt", "Dose"])
    res = nca(mixed, subject="Subject", time="Time", conc="conc", dose="dose_mg", unit_column="unit",
              conc_unit="mg/L", parameters=["CMAX", "AUCLST"])  # fmt: skip
    assert res.conc_unit == "mg/L"
    ref = theoph_expected[theoph_expected["PPTESTCD"].isin(["cmax", "auclast"])]
    assert len(ref) == 24
    wide = res.to_wide().set_index("Subject")
    for _, row in ref.iterrows():
        code = {"cmax": "CMAX", "auclast": "AUCLST"}[row["PPTESTCD"]]
        assert wide.loc[row["Subject"], code] == pytest.approx(row["PPORRES"], rel=1e-6)
    mixed.to_csv(tmp_path / "in.csv", index=False)
    out = tmp_path / "out.csv"
    r = runner.invoke(app, ["nca", str(tmp_path / "in.csv"), "--out", str(out), "--subject", "Subject",
                            "--time", "Time", "--dose", "dose_mg", "--conc-unit-column", "unit",
                            "--conc-unit", "ng/mL", "--dose-unit", "mg", "--parameters", "CMAX,CLFO",
                            "--adnca", str(tmp_path / "adnca.csv")])  # fmt: skip
    assert r.exit_code == 0, r.output
    long = pd.read_csv(out)
    cmax = long[(long["Subject"] == 2) & (long["PPTESTCD"] == "CMAX")].iloc[0]
    exp = theoph_expected.query("Subject == 2 and PPTESTCD == 'cmax'")["PPORRES"].iloc[0]
    assert cmax["PPSTRESU"] == "ng/mL" and cmax["PPSTRESN"] == pytest.approx(exp * 1000.0, rel=1e-9)
    adnca = pd.read_csv(tmp_path / "adnca.csv")
    assert len(adnca) == len(mixed) and set(adnca["AVALU"]) == {"ng/mL"}
    assert (adnca["AFRLT"] == adnca["ARRLT"]).all()  # single dose at 0: both clocks agree


def test_unit_column_errors_name_the_row(theoph: pd.DataFrame) -> None:
    bad = theoph.assign(unit="mg/L")
    bad.loc[5, "unit"] = "h"
    with pytest.raises(DataFileError, match="different dimensions") as e:
        nca(bad, subject="Subject", time="Time", conc="conc", unit_column="unit")
    assert "row 6" in str(e.value)


def test_cli_multiple_dose_ex_extrapolation_tss_and_adnca(tmp_path: Path) -> None:
    pk = pd.read_csv(REFERENCE / "nca" / "metidanca_pkdata2.csv")
    ref = pd.read_csv(REFERENCE / "nca" / "metidanca_tau_extrapolated.csv", comment="#")
    # the plain samples, and an EX domain: one dose of 100 at the first sample time of each subject
    pk.to_csv(tmp_path / "pk.csv", index=False)
    ex = pd.DataFrame({"USUBJID": range(1, 11), "EXDOSE": 100.0, "EXROUTE": "ORAL",
                       "EXSTDTC": "2022-05-01T08:00"})  # fmt: skip
    ex.to_csv(tmp_path / "ex.csv", index=False)
    out = tmp_path / "md.csv"
    r = runner.invoke(app, ["nca", str(tmp_path / "pk.csv"), "--out", str(out), "--subject", "Subject",
                            "--time", "Time", "--conc", "Concentration", "--dosing", str(tmp_path / "ex.csv"),
                            "--tau", "100", "--extrapolate-tau", "--tss-out", str(tmp_path / "tss.csv"),
                            "--adnca", str(tmp_path / "adnca.csv"), "--time-unit", "h",
                            "--conc-unit", "ng/mL"])  # fmt: skip
    assert r.exit_code == 0, r.output
    assert "SDTM EX domain read (10 dose records)" in r.output
    md = pd.read_csv(out)
    auc = md[md["PPTESTCD"] == "AUCTAU"].sort_values("Subject")
    np.testing.assert_allclose(auc["PPSTRESN"], ref["AUCtau"], rtol=5e-7)
    assert (auc["PPSTRESU"] == "h*ng/mL").all()
    tss = pd.read_csv(tmp_path / "tss.csv")
    # one trough (the first dose) per subject: no fit, with the reason; lambda_z gives 3.32 half-lives
    mono = tss[tss["PPTESTCD"] == "TSSMONO"]
    assert mono["PPSTRESN"].isna().all() and (mono["reason"] == "fewer than 3 trough concentrations").all()
    lamz = tss[tss["PPTESTCD"] == "TSSLAMZ"].sort_values("Subject")
    accind = ref["Accind"].to_numpy()  # 1 / (1 - exp(-lz 100)) -> lz
    lz = -np.log1p(-1.0 / accind) / 100.0
    np.testing.assert_allclose(lamz["PPSTRESN"], np.log(10.0) / lz, rtol=1e-7)
    assert (lamz["PPSTRESU"] == "h").all()
    adnca = pd.read_csv(tmp_path / "adnca.csv")
    assert len(adnca) == len(pk) and adnca["DOSEA"].eq(100.0).all()


def test_cli_sdtm_pc_and_ex_share_the_first_dose_clock(tmp_path: Path) -> None:
    """PC sample date-times and EX dose date-times of two doses 10 h apart, as MetidaNCA test set #7's
    interval (dose at 2 h, tau 10, linear): the second interval must give MetidaNCA's AUCtau of subject 1."""
    pk = pd.read_csv(REFERENCE / "nca" / "metidanca_pkdata2.csv").query("Subject == 1")
    base = pd.Timestamp("2022-05-01T06:00")
    when = (base + pd.to_timedelta(pk["Time"], unit="h")).dt.strftime("%Y-%m-%dT%H:%M")
    pc = pd.DataFrame(
        {
            "STUDYID": "S",
            "USUBJID": "S-1",
            "PCTESTCD": "DRUGX",
            "PCSTRESN": pk["Concentration"],
            "PCDTC": when,
            "PCTPTNUM": pk["Time"] + 100.0,
        }
    )  # fmt: skip (nominal: not used)
    pc.to_csv(tmp_path / "pc.csv", index=False)
    ex = pd.DataFrame({"STUDYID": "S", "USUBJID": "S-1", "EXDOSE": [100.0, 100.0], "EXROUTE": "ORAL",
                       "EXSTDTC": ["2022-05-01T06:00", "2022-05-01T08:00"]})  # fmt: skip
    ex.to_csv(tmp_path / "ex.csv", index=False)
    out = tmp_path / "md.csv"
    r = runner.invoke(app, ["nca", str(tmp_path / "pc.csv"), "--out", str(out), "--dosing",
                            str(tmp_path / "ex.csv"), "--tau", "10", "--auc-method", "linear"])  # fmt: skip
    assert r.exit_code == 0, r.output
    md = pd.read_csv(out)
    auc = md[(md["PPTESTCD"] == "AUCTAU") & (md["dose_number"] == 2)].iloc[0]
    assert auc["start"] == 2.0 and auc["PPSTRESN"] == pytest.approx(1367.7388, rel=5e-7)
