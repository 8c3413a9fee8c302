"""Doses per body size and concentrations per mass of tissue (:mod:`bioparity.nca.units`).

A dose per kg of body weight or per m2 of body surface area (rituximab 375 mg/m2) gives clearances and
volumes per kg or per m2, stated by default in L/h/kg and L/kg, or L/h/m2 and L/m2; a concentration per
mass (ng/g: tissue) is a known unit whose derived units are never converted to volumes.

Numbers: Theoph subject 1 (R datasets::Theoph: Dose 4.02 mg/kg, Wt 79.6 kg, concentrations in mg/L, time
in h) against PKNCA's lin up/log down run (tests/data/reference/expected/nca_theoph_linuplogdown.csv):
aucinf.obs 214.923631575230 h*mg/L, cl.obs 1.48886373105971 L/h and vz.obs 30.7254643144993 L for the total
dose 4.02 x 79.6 = 319.992 mg. By hand, with the dose per kg:

    CL = 4.02 mg/kg / 214.923631575230 h*mg/L = 0.0187043182 L/h/kg   (= cl.obs / 79.6)
    Vz = vz.obs / 79.6 = 30.7254643144993 / 79.6 = 0.385998295 L/kg

and the same numbers per m2 when the dose column is labelled mg/m2; 0.0187043182 L/h/m2 is
0.0187043182 x 1000 / 60 = 0.311738637 mL/min/m2.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.errors import InputError
from bioparity.nca import add_units, nca
from bioparity.nca.units import conversion_factor, derived_units, parse_unit
from tests.nca.test_nca_sdtm_units import theoph_domains

runner = CliRunner()

CL_PER_BODY = 0.0187043182  # L/h/kg (or L/h/m2), by hand (module docstring)
VZ_PER_BODY = 0.385998295  # L/kg (or L/m2)


def _subject_1(theoph: pd.DataFrame, **units: str) -> pd.DataFrame:
    res = nca(theoph, subject="Subject", time="Time", conc="conc", dose="Dose")  # Dose: 4.02 for subject 1
    long = add_units(res.to_frame(), time="h", **units)  # type: ignore[arg-type]
    return long[long["Subject"] == 1].set_index("PPTESTCD")


def test_a_dose_per_kg_gives_litres_per_hour_per_kg_by_default(
    theoph: pd.DataFrame, theoph_expected: pd.DataFrame
) -> None:
    s1 = _subject_1(theoph, conc="mg/L", dose="mg/kg")
    assert s1.loc["CLFO", "PPORRESU"] == "L/h/kg" and s1.loc["CLFO", "PPSTRESU"] == "L/h/kg"
    assert s1.loc["CLFO", "PPSTRESN"] == pytest.approx(CL_PER_BODY, rel=1e-8)
    cl_obs = theoph_expected.query("Subject == 1 and PPTESTCD == 'cl.obs'")["PPORRES"].iloc[0]
    assert s1.loc["CLFO", "PPSTRESN"] == pytest.approx(cl_obs / 79.6, rel=1e-9)
    assert s1.loc["VZFO", "PPSTRESU"] == "L/kg"
    assert s1.loc["VZFO", "PPSTRESN"] == pytest.approx(VZ_PER_BODY, rel=1e-8)
    # ng/mL: (mg/kg) / (h*ng/mL) = 1e6 mL/h/kg = 1000 L/h/kg
    assert conversion_factor("mg*mL/ng/kg/h", "L/h/kg") == pytest.approx(1000.0)
    ng = _subject_1(theoph.assign(conc=theoph["conc"] * 1000.0), conc="ng/mL", dose="mg/kg")
    assert ng.loc["CLFO", "PPSTRESU"] == "L/h/kg"
    assert ng.loc["CLFO", "PPSTRESN"] == pytest.approx(CL_PER_BODY, rel=1e-8)
    assert _subject_1(theoph, conc="mg/L", dose="mg").loc["CLFO", "PPSTRESU"] == "L/h"  # as before


@pytest.mark.parametrize("dose", ["mg/m2", "mg/m^2", "mg/m²"])
def test_a_dose_per_m2_gives_litres_per_hour_per_m2(theoph: pd.DataFrame, dose: str) -> None:
    assert parse_unit(dose) == ((("area", -1), ("mass", 1)), 1e-3)
    assert derived_units("mg/L", "h", dose)["clearance"] == f"mg*L/mg/{dose.split('/')[1]}/h"
    s1 = _subject_1(theoph, conc="mg/L", dose=dose)
    assert (s1.loc["CLFO", "PPSTRESU"], s1.loc["VZFO", "PPSTRESU"]) == ("L/h/m2", "L/m2")
    assert s1.loc["CLFO", "PPSTRESN"] == pytest.approx(CL_PER_BODY, rel=1e-8)
    assert s1.loc["VZFO", "PPSTRESN"] == pytest.approx(VZ_PER_BODY, rel=1e-8)
    res = nca(theoph, subject="Subject", time="Time", conc="conc", dose="Dose")
    pref = add_units(res.to_frame(), conc="mg/L", time="h", dose=dose, preferred={"clearance": "mL/min/m2"})
    cl = pref[(pref["Subject"] == 1) & (pref["PPTESTCD"] == "CLFO")].iloc[0]
    assert cl["PPSTRESU"] == "mL/min/m2" and cl["PPSTRESN"] == pytest.approx(0.311738637, rel=1e-8)


def test_per_m2_and_per_kg_never_convert_into_each_other() -> None:
    """Body surface area is a dimension of its own: per m2 to per kg (or to a total) needs each subject's
    size, which bioparity is not given."""
    for source, target in (("L/h/m2", "L/h/kg"), ("mg/m2", "mg"), ("mg/m2", "mg/kg")):
        with pytest.raises(InputError, match="different dimensions"):
            conversion_factor(source, target)


def test_an_sdtm_dose_per_m2_is_known_and_gives_clearances_per_m2(
    theoph: pd.DataFrame, theoph_expected: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """EXDOSU mg/m2 was carried as an unknown unit with a warning (derived unit 'mg*L/mg/m2/h', not
    converted); now it is known, with PPSTRESU L/h/m2 (EXDOSE is the total in mg here, labelled per m2:
    the number is PKNCA's cl.obs, the conversion factor 1)."""
    monkeypatch.chdir(tmp_path)
    pc, ex = theoph_domains(theoph)
    pc.to_csv("pc.csv", index=False)
    ex.assign(EXDOSU="mg/m2").to_csv("ex.csv", index=False)
    result = runner.invoke(app, ["nca", "pc.csv", "--out", "f.csv", "--dosing", "ex.csv"])
    assert result.exit_code == 0 and "warning" not in result.output, result.output
    assert json.loads(Path("f.csv.provenance.json").read_text())["unit_notes"] == []
    long = pd.read_csv("f.csv")
    cl = long[(long["subject"] == 1) & (long["PPTESTCD"] == "CLFO")].iloc[0]
    cl_obs = theoph_expected.query("Subject == 1 and PPTESTCD == 'cl.obs'")["PPORRES"].iloc[0]
    assert (cl["PPORRESU"], cl["PPSTRESU"]) == ("L/h/m2", "L/h/m2")
    assert cl["PPSTRESN"] == pytest.approx(cl_obs, rel=1e-9)


def test_a_concentration_per_mass_of_tissue_is_known_and_never_turned_into_volumes(
    theoph: pd.DataFrame, theoph_expected: pd.DataFrame
) -> None:
    """ng/g was refused as 'not a concentration unit'. Theoph's numbers labelled ng/g with the total dose
    in mg: CL = mg / (h*ng/g) = 1e6 g/h; the derived unit stands (no density assumed), converted only to
    a unit of the same dimensions (kg/h: x 1000)."""
    assert conversion_factor("ug/kg", "ng/g") == pytest.approx(1.0)
    res = nca(theoph, subject="Subject", time="Time", conc="conc", dose="dose_mg")
    long = add_units(res.to_frame(), conc="ng/g", time="h", dose="mg")
    s1 = long[long["Subject"] == 1].set_index("PPTESTCD")
    cl_obs = theoph_expected.query("Subject == 1 and PPTESTCD == 'cl.obs'")["PPORRES"].iloc[0]
    assert (s1.loc["AUCLST", "PPSTRESU"], s1.loc["CLFO", "PPSTRESU"]) == ("h*ng/g", "mg*g/ng/h")
    assert s1.loc["CLFO", "PPSTRESN"] == pytest.approx(cl_obs, rel=1e-9)
    kg = add_units(res.to_frame(), conc="ng/g", time="h", dose="mg", preferred={"clearance": "kg/h"})
    cl = kg[(kg["Subject"] == 1) & (kg["PPTESTCD"] == "CLFO")].iloc[0]
    assert cl["PPSTRESU"] == "kg/h" and cl["PPSTRESN"] == pytest.approx(cl_obs * 1000.0, rel=1e-9)
    with pytest.raises(InputError, match="different dimensions"):
        add_units(res.to_frame(), conc="ng/g", time="h", dose="mg", preferred={"clearance": "L/h"})
