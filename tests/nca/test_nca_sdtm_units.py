"""``bioparity nca`` on SDTM PC and EX domains: units from PCSTRESU and EXDOSU, each subject's own dose from
EX for a single dose, and a note naming the dose column of a plain table (new-user findings F4, F5, F10).

The data are R's Theoph written as the two domains of docs/tutorials/nca-sdtm.md: PC with PCELTM and
PCSTRESU mg/L, EX with one record per subject, EXDOSE = Dose (mg/kg) x Wt (kg) in mg (267.84 mg for
subject 9, 318.6-320.6 mg for the others).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.io.sdtm import hours_to_iso8601

runner = CliRunner()


def theoph_domains(theoph: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    pc = pd.DataFrame({
        "STUDYID": "THEO-1", "DOMAIN": "PC", "USUBJID": theoph["Subject"].astype(str), "PCTESTCD": "THEOPH",
        "PCSPEC": "PLASMA", "PCELTM": [hours_to_iso8601(t) for t in theoph["Time"]],
        "PCSTRESN": theoph["conc"], "PCSTRESU": "mg/L",
    })  # fmt: skip
    first = theoph.drop_duplicates("Subject")
    ex = pd.DataFrame({
        "STUDYID": "THEO-1", "DOMAIN": "EX", "USUBJID": first["Subject"].astype(str), "EXTRT": "THEOPHYLLINE",
        "EXDOSE": first["dose_mg"].to_numpy(), "EXDOSU": "mg", "EXROUTE": "ORAL",
        "EXSTDTC": "2026-01-05T08:00",
    })  # fmt: skip
    return pc, ex


@pytest.fixture
def files(theoph: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """The domains as XPT and CSV files in the working directory (messages name the files as given)."""
    monkeypatch.chdir(tmp_path)
    pc, ex = theoph_domains(theoph)
    paths = {name: Path(name) for name in ("pc.xpt", "ex.xpt", "pc.csv", "ex.csv")}
    pyreadstat.write_xport(pc, str(paths["pc.xpt"]), table_name="PC", file_format_version=5)
    pyreadstat.write_xport(ex, str(paths["ex.xpt"]), table_name="EX", file_format_version=5)
    pc.to_csv(paths["pc.csv"], index=False)
    ex.to_csv(paths["ex.csv"], index=False)
    return paths


def _run(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, ["nca", *map(str, args)])
    return result.exit_code, result.output


def test_pcstresu_is_the_concentration_unit_of_pp(files: dict[str, Path], tmp_path: Path) -> None:
    out, pp = tmp_path / "nca.csv", tmp_path / "pp.xpt"
    code, output = _run(files["pc.xpt"], "--out", out, "--dose", "320", "--sdtm-pp", pp)
    assert code == 0, output
    assert "concentration mg/L (PCSTRESU of pc.xpt)" in output
    units = pd.read_sas(pp, format="xport", encoding="utf-8").set_index(["USUBJID", "PPTESTCD"])["PPSTRESU"]
    assert units[("1", "CMAX")] == "mg/L" and units[("1", "AUCLST")] == "h*mg/L"
    assert units[("1", "LAMZ")] == "1/h"
    assert units[("1", "CLFO")] == "" and units[("1", "VZFO")] == ""  # no dose unit: none is made up
    record = json.loads((tmp_path / "nca.csv.provenance.json").read_text())
    assert record["units"]["conc_unit"] == {"unit": "mg/L", "source": "PCSTRESU of pc.xpt"}
    assert record["units"]["dose_unit"] == {"unit": None, "source": None}
    assert record["dose_source"] == "--dose"


def test_a_pcstresu_that_changes_between_rows_is_refused(
    theoph: pd.DataFrame, files: dict[str, Path], tmp_path: Path
) -> None:
    pc = pd.read_csv(files["pc.csv"])
    pc.loc[30, "PCSTRESU"] = "ng/mL"  # data row 31, file line 32
    pc.to_csv("mixed.csv", index=False)
    out = tmp_path / "nca.csv"
    code, output = _run("mixed.csv", "--out", out)
    assert code == 2
    assert (
        "mixed.csv, row 31 (line 32), column 'PCSTRESU': the unit differs from 'mg/L' of row 1 (line 2) "
        "(got 'ng/mL')" in output
    )
    assert not out.exists()
    pc.loc[30, "PCSTRESU"] = ""  # a concentration without its unit
    pc.to_csv("blank.csv", index=False)
    code, output = _run("blank.csv", "--out", out)
    assert code == 2 and "blank.csv, row 31 (line 32), column 'PCSTRESU': a result without its unit" in output
    # converting each row into one unit is still possible, when asked for
    pc.loc[30, "PCSTRESN"] = theoph["conc"].iloc[30] * 1000.0
    pc.loc[30, "PCSTRESU"] = "ng/mL"
    pc.to_csv("mixed.csv", index=False)
    code, output = _run("mixed.csv", "--out", out, "--conc-unit-column", "PCSTRESU")
    assert code == 0, output
    cmax = pd.read_csv(out).set_index(["subject", "PPTESTCD"])["PPSTRESN"]
    subject = theoph["Subject"].iloc[30]
    assert cmax[(subject, "CMAX")] == pytest.approx(theoph.query("Subject == @subject")["conc"].max())


def test_a_unit_option_that_is_not_the_files_unit_is_refused(files: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "nca.csv"
    code, output = _run(files["pc.xpt"], "--out", out, "--conc-unit", "ng/mL")
    assert code == 2
    assert (
        "pc.xpt, row 1, column 'PCSTRESU': --conc-unit 'ng/mL' is not the unit of the file (got 'mg/L')"
        in output
    )
    code, output = _run(files["pc.xpt"], "--out", out, "--dosing", files["ex.csv"], "--dose-unit", "ug")
    assert code == 2
    assert (
        "ex.csv, row 1 (line 2), column 'EXDOSU': --dose-unit 'ug' is not the unit of the file (got 'mg')"
        in output
    )
    assert not out.exists()
    code, output = _run(files["pc.xpt"], "--out", out, "--conc-unit", "mg/L", "--dosing", files["ex.xpt"],
                        "--dose-unit", "mg")  # fmt: skip
    assert code == 0, output  # the same units: fine, and recorded as both
    record = json.loads((tmp_path / "nca.csv.provenance.json").read_text())
    assert record["units"]["conc_unit"]["source"] == "PCSTRESU of pc.xpt (equal to --conc-unit)"
    assert record["units"]["dose_unit"] == {"unit": "mg", "source": "EXDOSU of ex.xpt (equal to --dose-unit)"}


def test_one_ex_record_per_subject_is_each_subjects_single_dose(
    theoph_expected: pd.DataFrame, files: dict[str, Path], tmp_path: Path
) -> None:
    out, pp = tmp_path / "nca.csv", tmp_path / "pp.xpt"
    code, output = _run(files["pc.xpt"], "--out", out, "--dosing", files["ex.xpt"], "--sdtm-pp", pp)
    assert code == 0, output
    assert (
        "single-dose NCA with each subject's own dose from ex.xpt (EXDOSE; one dose record per subject) in mg"
        in (output)
    )
    got = pd.read_csv(out).astype({"subject": str}).set_index(["subject", "PPTESTCD"])["PPSTRESN"]
    # subject 9 by hand: EXDOSE 3.1 mg/kg x 86.4 kg = 267.84 mg; AUCinf 97.52000 h*mg/L and lambda_z
    # 0.0824586 1/h (PKNCA 0.12.1, which does not depend on the dose): CL/F = 267.84 / 97.52 = 2.74651 L/h
    auc, lambda_z = 97.5200039392502, 8.24586341803179e-02
    assert got[("9", "AUCIFO")] == pytest.approx(auc, rel=1e-9)
    assert got[("9", "CLFO")] == pytest.approx(267.84 / auc, rel=1e-9) == pytest.approx(2.7465134, rel=1e-7)
    assert got[("9", "VZFO")] == pytest.approx(267.84 / (lambda_z * auc), rel=1e-9)
    assert 320.0 / got[("9", "AUCIFO")] / got[("9", "CLFO")] == pytest.approx(1.1947, abs=1e-4)  # --dose 320
    cl_obs = theoph_expected.query("PPTESTCD == 'cl.obs'")
    for subject, cl in zip(
        cl_obs["Subject"].astype(str), cl_obs["PPORRES"], strict=True
    ):  # PKNCA's CL of each
        assert got[(subject, "CLFO")] == pytest.approx(cl, rel=1e-6), subject
    units = pd.read_sas(pp, format="xport", encoding="utf-8").set_index(["USUBJID", "PPTESTCD"])["PPSTRESU"]
    assert units[("9", "CLFO")] == "L/h" and units[("9", "VZFO")] == "L"  # mg/L from PC, mg from EX
    record = json.loads((tmp_path / "nca.csv.provenance.json").read_text())
    assert record["dose_source"] == "EXDOSE of ex.xpt, one dose record per subject"
    assert record["units"]["dose_unit"] == {"unit": "mg", "source": "EXDOSU of ex.xpt"}
    assert set(record["inputs"]) == {"concentrations", "dosing"}


def test_single_dose_from_ex_refuses_a_second_dose_a_missing_subject_and_another_route(
    files: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "nca.csv"
    code, output = _run(files["pc.xpt"], "--out", out, "--dosing", files["ex.xpt"], "--dose", "320")
    assert code == 2 and "two doses given: --dosing ex.xpt (EXDOSE per subject) and --dose" in output
    code, output = _run(files["pc.xpt"], "--out", out, "--dosing", files["ex.xpt"], "--route", "iv-bolus")
    assert code == 2
    assert (
        "ex.xpt, row 1, column 'EXROUTE': a dose of route extravascular, but the analysis is iv-bolus"
        in output
    )
    ex = pd.read_csv(files["ex.csv"])
    ex[ex["USUBJID"] != 9].to_csv("ex8.csv", index=False)
    code, output = _run(files["pc.csv"], "--out", out, "--dosing", "ex8.csv")
    assert code == 2
    assert "pc.csv, row 89 (line 90), column 'USUBJID': no dose record for this subject in ex8.csv" in output
    assert not out.exists()


def test_a_dose_column_used_without_the_option_is_named_with_its_unit(
    theoph: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    theoph[["Subject", "Time", "conc", "Dose"]].to_csv(tmp_path / "theoph.csv", index=False)
    out = tmp_path / "nca.csv"
    code, output = _run("theoph.csv", "--out", out)
    assert code == 0, output
    assert (
        "dose from column 'Dose' of theoph.csv (no unit given: CL and Vz are per dose unit as given)"
        in output
    )
    code, output = _run("theoph.csv", "--out", out, "--dose-unit", "mg/kg")
    assert code == 0 and "dose from column 'Dose' of theoph.csv in mg/kg" in output
    record = json.loads((tmp_path / "nca.csv.provenance.json").read_text())
    assert record["dose_source"] == "column 'Dose' of theoph.csv"
    assert record["units"]["dose_unit"] == {"unit": "mg/kg", "source": "--dose-unit"}
    code, output = _run("theoph.csv", "--out", out, "--dose", "320")
    assert code == 0 and "dose from column" not in output


def test_single_dose_from_ex_takes_actual_times_from_pcdtc(
    theoph: pd.DataFrame, theoph_expected: pd.DataFrame, files: dict[str, Path]
) -> None:
    """With PCDTC the sample times are PCDTC - EXSTDTC (actual), as on the clock of multiple-dose NCA,
    not the planned PCELTM (here rounded to the hour)."""
    pc = pd.read_csv(files["pc.csv"])
    pc["PCELTM"] = [hours_to_iso8601(round(t)) for t in theoph["Time"]]
    when = pd.Timestamp("2026-01-05T08:00") + pd.to_timedelta(theoph["Time"] * 3600.0, unit="s")
    pc["PCDTC"] = when.dt.strftime("%Y-%m-%dT%H:%M:%S").to_numpy()
    pc.to_csv("pc_dtc.csv", index=False)
    code, output = _run("pc_dtc.csv", "--out", "nca.csv", "--dosing", files["ex.csv"])
    assert code == 0, output
    assert "sample times PCDTC - EXSTDTC" in output
    got = pd.read_csv("nca.csv").set_index(["subject", "PPTESTCD"])["PPSTRESN"]
    assert got[(1, "TMAX")] == pytest.approx(1.12)  # PCELTM: PT1H
    want = theoph_expected.query("Subject == 1").set_index("PPTESTCD")["PPORRES"]
    assert got[(1, "AUCLST")] == pytest.approx(want["auclast"], rel=1e-6)
    assert got[(1, "CLFO")] == pytest.approx(want["cl.obs"], rel=1e-6)


def test_single_dose_infusions_take_each_subjects_duration_from_ex(
    theoph: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An intravenous infusion per subject in EX (EXDUR; subject 9 infused for 2 h, the others 1 h): each
    subject's own duration corrects its MRT, MRTIVIFO = AUMCIFO / AUCIFO - Tinf / 2 (Gabrielsson & Weiner
    2016, ch. 2), where ``--duration`` gave one length to all; a duration also given as an option is
    refused."""
    monkeypatch.chdir(tmp_path)
    pc, ex = theoph_domains(theoph)
    ex = ex.assign(EXROUTE="INTRAVENOUS", EXDUR=["PT2H" if s == "9" else "PT1H" for s in ex["USUBJID"]])
    pc.to_csv("pc.csv", index=False)
    ex.to_csv("ex.csv", index=False)
    code, output = _run("pc.csv", "--out", "iv.csv", "--dosing", "ex.csv", "--route", "iv-infusion")
    assert code == 0, output
    code, output = _run("pc.csv", "--out", "ev.csv", "--dose", "320")  # same samples, oral: no correction
    assert code == 0, output
    iv = pd.read_csv("iv.csv").astype({"subject": str}).set_index(["subject", "PPTESTCD"])["PPSTRESN"]
    ev = pd.read_csv("ev.csv").astype({"subject": str}).set_index(["subject", "PPTESTCD"])["PPSTRESN"]
    for subject, hours in (("9", 2.0), ("1", 1.0), ("12", 1.0)):
        assert iv[(subject, "AUCIFO")] == pytest.approx(ev[(subject, "AUCIFO")], rel=1e-12)
        assert iv[(subject, "MRTIVIFO")] == pytest.approx(
            iv[(subject, "AUMCIFO")] / iv[(subject, "AUCIFO")] - hours / 2, rel=1e-12
        )
        assert iv[(subject, "MRTIVIFO")] == pytest.approx(ev[(subject, "MRTEVIFO")] - hours / 2, rel=1e-12)
    record = json.loads(Path("iv.csv.provenance.json").read_text())
    assert (
        record["dose_source"] == "EXDOSE of ex.csv, one dose record per subject; infusion durations from EX"
    )
    code, output = _run(
        "pc.csv", "--out", "both.csv", "--dosing", "ex.csv", "--route", "iv-infusion", "--duration", "1"
    )
    assert code == 2 and "two infusion durations given: --dosing ex.csv" in output
    assert not Path("both.csv").exists()


def test_single_dose_from_ex_without_exstdtc_keeps_the_pceltm_times(files: dict[str, Path]) -> None:
    """EX with study days only (EXSTDY, no EXSTDTC) and PC with PCDTC: no date-time of the dose to put
    PCDTC on, so the times stay PCELTM, the numbers those of PC without PCDTC (was: a KeyError traceback)."""
    pc, ex = pd.read_csv(files["pc.csv"]), pd.read_csv(files["ex.csv"])
    pc.assign(PCDTC="2026-01-05T09:00").to_csv("pc_dtc.csv", index=False)
    ex.drop(columns="EXSTDTC").assign(EXSTDY=1).to_csv("ex_day.csv", index=False)
    code, output = _run("pc_dtc.csv", "--out", "days.csv", "--dosing", "ex_day.csv")
    assert code == 0, output
    assert "PCDTC - EXSTDTC" not in output
    code, output = _run(files["pc.csv"], "--out", "plain.csv", "--dosing", files["ex.csv"])
    assert code == 0, output
    got, want = (
        pd.read_csv(f).set_index(["subject", "PPTESTCD"])["PPSTRESN"] for f in ("days.csv", "plain.csv")
    )
    pd.testing.assert_series_equal(got, want, rtol=1e-12)
