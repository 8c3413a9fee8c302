"""Units (derived, converted, stated) and the ADaM / SDTM outputs, plus the new CLI commands.

Conversion factors are definitions (1 ng/mL = 1 ug/L = 1e-3 mg/L; 1 mL/min = 0.06 L/h; 1 d = 24 h);
CL/F of Theoph subject 1 is PKNCA's value (tests/data/reference/expected/nca_theoph_linuplogdown.csv)
expressed in L/h from mg and mg/L.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.errors import InputError
from bioparity.io.adam import adnca_domain, adpp_domain
from bioparity.nca import LABELS, add_units, nca
from bioparity.nca.units import conversion_factor, convert_column


def test_conversion_factors_are_the_definitions() -> None:
    assert conversion_factor("ng/mL", "mg/L") == pytest.approx(1e-3)
    assert conversion_factor("ng/mL", "ug/L") == pytest.approx(1.0)
    assert conversion_factor("mL/min", "L/h") == pytest.approx(0.06)
    assert conversion_factor("d", "h") == 24.0
    assert conversion_factor("h*ng/mL", "h*ug/mL") == pytest.approx(1e-3)
    with pytest.raises(InputError, match="different dimensions"):
        conversion_factor("ng/mL", "h")
    with pytest.raises(InputError, match="unknown"):
        conversion_factor("furlong", "h")
    got = convert_column(np.array([1.0, 2.0]), pd.Series(["ng/mL", "ug/mL"]), "ng/mL")
    np.testing.assert_allclose(got, [1.0, 2000.0])


def test_units_are_derived_converted_and_stated(theoph: pd.DataFrame, theoph_expected: pd.DataFrame) -> None:
    res = nca(theoph, subject="Subject", time="Time", conc="conc", dose="dose_mg")
    long = add_units(res.to_frame(), conc="ng/mL", time="h", dose="mg")
    s1 = long[long["Subject"] == 1].set_index("PPTESTCD")
    pknca_cl = theoph_expected.query("Subject == 1 and PPTESTCD == 'cl.obs'")["PPORRES"].iloc[0]
    assert s1.loc["CLFO", "PPORRES"] == pytest.approx(pknca_cl, rel=1e-6)  # mg/(ng/mL)/h as computed
    assert s1.loc["CLFO", "PPSTRESU"] == "L/h"
    assert s1.loc["CLFO", "PPSTRESN"] == pytest.approx(pknca_cl * 1000.0, rel=1e-6)  # ng/mL -> mg/L
    assert s1.loc["AUCLST", "PPORRESU"] == "h*ng/mL" and s1.loc["LAMZ", "PPSTRESU"] == "1/h"
    assert s1.loc["VZFO", "PPSTRESU"] == "L" and s1.loc["R2", "PPSTRESU"] == ""


def test_adpp_and_adnca_records(theoph: pd.DataFrame) -> None:
    res = nca(theoph, subject="Subject", time="Time", conc="conc", dose="dose_mg")
    long = add_units(res.to_frame(), conc="mg/L", time="h", dose="mg")
    adpp = adpp_domain(long, subject="Subject", labels=LABELS, studyid="S1")
    assert list(adpp.columns[:6]) == ["STUDYID", "USUBJID", "PARAMCD", "PARAM", "AVAL", "AVALU"]
    row = adpp[(adpp["USUBJID"] == "1") & (adpp["PARAMCD"] == "CLFO")].iloc[0]
    assert row["PARAM"] == "Total CL Obs by F (L/h)" and row["ANL01FL"] == "Y" and row["PPENINT"] == ""
    samples = pd.DataFrame({"subject": 1, "time": [-0.5, 1.0, 13.0, 25.0], "conc": [0.0, 5.0, 6.0, 4.0]})
    doses = pd.DataFrame({"subject": [1, 1], "time": [0.0, 12.0], "dose": [10.0, 20.0]})
    adnca = adnca_domain(samples, doses, subject="subject", time="time", conc="conc", conc_unit="ng/mL")
    assert list(adnca["AFRLT"]) == [-0.5, 1.0, 13.0, 25.0]
    assert list(adnca["ARRLT"].fillna(-99)) == [-99, 1.0, 1.0, 13.0]
    assert list(adnca["DOSEA"].fillna(0)) == [0, 10.0, 20.0, 20.0]
    assert list(adnca["NCAXFL"]) == ["Y", "", "", ""]


def test_cli_multiple_dose_sparse_and_urine(tmp_path: Path, reference_dir: Path) -> None:
    runner = CliRunner()
    samples = pd.read_csv(reference_dir / "nca" / "metidanca_pkdata2.csv")
    samples.to_csv(tmp_path / "pk.csv", index=False)
    pd.DataFrame({"Subject": range(1, 11), "time": 2.0, "dose": 100.0}).to_csv(
        tmp_path / "ex.csv", index=False
    )
    out = tmp_path / "md.csv"
    r = runner.invoke(
        app,
        [
            "nca", str(tmp_path / "pk.csv"), "--out", str(out), "--subject", "Subject", "--time", "Time",
            "--conc", "Concentration", "--dosing", str(tmp_path / "ex.csv"), "--tau", "10",
            "--auc-method", "linear", "--conc-unit", "ng/mL", "--dose-unit", "mg",
            "--adpp", str(tmp_path / "adpp.csv"),
        ],
    )  # fmt: skip
    assert r.exit_code == 0, r.output
    md = pd.read_csv(out)
    auc = md[(md["Subject"] == 1) & (md["PPTESTCD"] == "AUCTAU")].iloc[0]
    assert auc["PPSTRESN"] == pytest.approx(1367.7388, rel=5e-7) and auc["PPSTRESU"] == "h*ng/mL"
    assert (tmp_path / "adpp.csv").exists()
    sparse = pd.DataFrame({"id": range(6), "time": [0, 0, 1, 1, 2, 2], "conc": [0, 0, 4, 6, 2, 3]})
    sparse.to_csv(tmp_path / "sp.csv", index=False)
    r = runner.invoke(app, ["nca-sparse", str(tmp_path / "sp.csv"), "--out", str(tmp_path / "sp_out.csv"),
                            "--subject", "id", "--bootstrap", "200", "--seed", "1"])  # fmt: skip
    assert r.exit_code == 0, r.output
    sp = pd.read_csv(tmp_path / "sp_out.csv").set_index("PPTESTCD")
    assert sp.loc["SPARSEAL", "PPSTRESN"] == pytest.approx(0.5 * 5 + 0.5 * (5 + 2.5))
    urine = pd.DataFrame({"subject": 1, "start": [0, 2, 4, 8], "end": [2, 4, 8, 12], "conc": [10, 6, 2, 1],
                          "volume": [1, 1, 2, 2]})  # fmt: skip
    urine.to_csv(tmp_path / "ur.csv", index=False)
    r = runner.invoke(app, ["nca-urine", str(tmp_path / "ur.csv"), "--out", str(tmp_path / "ur_out.csv"),
                            "--dose", "100"])  # fmt: skip
    assert r.exit_code == 0, r.output
    ur = pd.read_csv(tmp_path / "ur_out.csv").set_index("PPTESTCD")
    assert ur.loc["RCAMINT", "PPSTRESN"] == 22.0 and ur.loc["FE", "PPSTRESN"] == pytest.approx(0.22)
