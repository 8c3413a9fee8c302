"""Input units state what they must (a concentration, a time, a dose), by one rule for every front end
(:func:`bioparity.nca.units.input_unit`): a unit of another dimension is refused naming the option, or the
file, row and column; a unit bioparity does not know is carried as written with a note (terminal,
``OUT.provenance.json``, a workspace run's notes); IU and U are known activity units.

Numbers: Theoph subject 1, PKNCA's cl.obs (tests/data/reference/expected/nca_theoph_linuplogdown.csv,
dose in mg, concentrations in mg/L, so L/h) read with other unit labels; the conversions are definitions
(1 dL = 0.1 L = 100 mL; 1 mIU/mL = 1e-3 IU / 1e-3 L = 1 IU/L; 1 MIU = 1e6 IU), and a dose per kg of body
weight is the total dose divided by the weight, so CL per kg = cl.obs / Wt (Wt 79.6 kg for subject 1).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses.nca import nca_kind
from bioparity.cli.main import app
from bioparity.errors import DataFileError, InputError
from bioparity.i18n import use_language
from bioparity.i18n.notes import note_text
from bioparity.nca import NCASpec, add_units, nca
from bioparity.nca.unit_column import convert_conc_column
from bioparity.nca.units import check_unit, conversion_factor, derived_units, input_unit, parse_unit
from bioparity.scale import nca_parquet
from tests.nca.test_nca_sdtm_units import theoph_domains

runner = CliRunner()

KNOWN_CONC = (
    "kg, g, mg, ug, µg, mcg, ng, pg, mol, mmol, umol, µmol, nmol, pmol, IU, kIU, MIU, mIU, uIU, µIU, U, kU, "
    "mU, uU, µU per L, dL, mL, uL, µL"
)
FURLONG_NOTE = (
    f"concentration unit 'furlong' (--conc-unit) is not one bioparity knows (known: {KNOWN_CONC}): carried "
    "as written, derived units (AUC, CL, V) built from the text, no conversion"
)


#: Per role: units that state it, known units of another dimension, units bioparity does not know.
ROLE_CASES = {
    # Greek mu typed for the micro sign; ng/g, nmol/g: tissue (per mass); miu: milli or million
    "concentration": (
        ("ng/mL", "nmol/L", "mg/L", "IU/mL", "mIU/mL", "U/dL", "μg/mL", "ng/g", "nmol/g", "ug/kg"),
        ("h", "mg", "mg/m2", "L/kg"),
        ("furlong", "ng/mll", "miu/mL"),
    ),
    "time": (("h", "min", "hours"), ("1/h", "mg"), ("fortnight",)),
    # mg/kg: Theoph's Dose column; mg/m2 per body surface area (rituximab 375 mg/m2), however the 2 is written
    "dose": (
        ("mg", "nmol", "IU", "MIU", "mg/kg", "IU/kg", "mg*kg^-1", "mg/m2", "mg/m^2", "mg/m²", "MIU/m2"),
        ("mg/L", "h", "mg/m2/kg", "mg*m2"),
        ("tablet", "mg/m3"),
    ),
}
UNIT_CASES = [
    (unit, role, known, fits)
    for role, groups in ROLE_CASES.items()
    for (known, fits), units in zip(((True, True), (True, False), (False, True)), groups, strict=True)
    for unit in units
]


@pytest.mark.parametrize(("unit", "role", "known", "fits"), UNIT_CASES)
def test_the_one_rule_of_input_units(unit: str, role: str, known: bool, fits: bool) -> None:
    got = input_unit(unit, role)  # type: ignore[arg-type]
    assert (got.known, got.fits) == (known, fits)


def test_activity_units_convert_within_themselves_only() -> None:
    assert conversion_factor("mIU/mL", "IU/L") == pytest.approx(1.0)
    assert conversion_factor("µIU/mL", "mIU/L") == pytest.approx(1.0)
    assert conversion_factor("MIU", "IU") == pytest.approx(1e6)
    assert conversion_factor("kIU", "IU") == pytest.approx(1e3)
    assert conversion_factor("IU/dL", "IU/mL") == pytest.approx(0.01)
    with pytest.raises(InputError, match="different dimensions"):
        conversion_factor("IU/mL", "U/mL")  # an IU is defined per substance: never taken for a U
    with pytest.raises(InputError, match="different dimensions"):
        conversion_factor("IU", "mg")
    with pytest.raises(InputError, match="unknown"):
        conversion_factor("miu/mL", "IU/L")
    assert conversion_factor("AU/mL", "AU/mL") == 1.0  # the same text: nothing to convert
    with pytest.raises(InputError, match="unknown"):
        conversion_factor("AU/mL", "AU/L")


def test_iu_concentrations_and_doses_give_clearances_in_litres(
    theoph: pd.DataFrame, theoph_expected: pd.DataFrame
) -> None:
    """Theoph's numbers labelled IU/dL and IU: CL = dose / AUC in IU / (h*IU/dL) = dL/h = 0.1 L/h."""
    res = nca(theoph, subject="Subject", time="Time", conc="conc", dose="dose_mg")
    long = add_units(res.to_frame(), conc="IU/dL", time="h", dose="IU")
    s1 = long[long["Subject"] == 1].set_index("PPTESTCD")
    cl_obs = theoph_expected.query("Subject == 1 and PPTESTCD == 'cl.obs'")["PPORRES"].iloc[0]
    assert s1.loc["CLFO", "PPORRESU"] == "IU*dL/IU/h" and s1.loc["CLFO", "PPSTRESU"] == "L/h"
    assert s1.loc["CLFO", "PPSTRESN"] == pytest.approx(cl_obs * 0.1, rel=1e-9)
    assert s1.loc["AUCLST", "PPSTRESU"] == "h*IU/dL" and s1.loc["VZFO", "PPSTRESU"] == "L"


def test_a_dose_per_kg_gives_a_clearance_per_kg_the_parser_reads(
    theoph: pd.DataFrame, theoph_expected: pd.DataFrame
) -> None:
    """Every symbol after the first '/' is below the fraction bar, so the derived unit of a dose per kg
    keeps /kg there ('mg*L/mg/kg/h'; before, 'mg/kg*L/mg/h' read as 1/(kg*h) and could not be converted).
    Theoph's Dose (per kg) labelled IU/kg with concentrations in IU/dL: CL in dL/h/kg = 100 mL/h/kg."""
    assert derived_units("mg/L", "h", "mg/kg")["clearance"] == "mg*L/mg/kg/h"
    assert parse_unit("mg*L/mg/kg/h")[0] == (("mass", -1), ("time", -1), ("volume", 1))
    assert derived_units("ng/mL", "h", "mg")["clearance"] == "mg*mL/ng/h"  # a dose of its own: as before
    res = nca(theoph, subject="Subject", time="Time", conc="conc", dose="Dose")
    long = add_units(res.to_frame(), conc="IU/dL", time="h", dose="IU/kg", preferred={"clearance": "mL/h/kg"})
    s1 = long[long["Subject"] == 1].set_index("PPTESTCD")
    cl_obs = theoph_expected.query("Subject == 1 and PPTESTCD == 'cl.obs'")["PPORRES"].iloc[0]
    assert s1.loc["CLFO", "PPORRESU"] == "IU*dL/IU/kg/h" and s1.loc["CLFO", "PPSTRESU"] == "mL/h/kg"
    assert s1.loc["CLFO", "PPSTRESN"] == pytest.approx(cl_obs / 79.6 * 100.0, rel=1e-9)


def test_check_unit_refuses_another_dimension_and_notes_an_unknown_unit() -> None:
    with pytest.raises(InputError) as caught:
        check_unit("h", "concentration", source="--conc-unit")
    assert str(caught.value) == (
        "--conc-unit 'h': not a concentration unit; expected a mass, amount or activity per volume (or per "
        "mass of tissue) such as ng/mL, mg/L, nmol/L, IU/mL or ng/g"
    )
    assert check_unit("IU/mL", "concentration", source="--conc-unit") is None
    assert check_unit("furlong", "concentration", source="--conc-unit") == FURLONG_NOTE
    assert NCASpec(conc_unit="ng/mL", time_unit="hours", dose_unit="mg/kg").unit_notes() == []
    with use_language("zh-CN"):
        assert note_text(FURLONG_NOTE).startswith(
            "浓度单位 'furlong'（--conc-unit）不是 bioparity 已知的单位"
        )


def _nca(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, ["nca", *map(str, args)])
    return result.exit_code, result.output


@pytest.fixture
def plain(theoph: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    theoph[["Subject", "Time", "conc", "Dose"]].to_csv("theoph.csv", index=False)
    return Path("theoph.csv")


def test_cli_carries_an_unknown_unit_with_a_warning_and_records_it(plain: Path) -> None:
    code, output = _nca(plain, "--out", "f.csv", "--conc-unit", "furlong")
    assert code == 0, output
    assert f"warning: {FURLONG_NOTE}" in output
    long = pd.read_csv("f.csv").set_index(["Subject", "PPTESTCD"])
    assert (
        long.loc[(1, "CMAX"), "PPORRESU"] == "furlong" and long.loc[(1, "AUCLST"), "PPORRESU"] == "h*furlong"
    )
    record = json.loads(Path("f.csv.provenance.json").read_text())
    assert record["unit_notes"] == [FURLONG_NOTE]
    code, output = _nca(plain, "--out", "g.csv", "--conc-unit", "mg/L", "--dose-unit", "mg/kg")
    assert code == 0 and "warning" not in output
    assert json.loads(Path("g.csv.provenance.json").read_text())["unit_notes"] == []


@pytest.mark.parametrize(
    ("option", "unit", "message"),
    [
        ("--conc-unit", "h", "error: --conc-unit 'h': not a concentration unit; expected a mass, amount"),
        ("--time-unit", "mg", "error: --time-unit 'mg': not a time unit; expected s, min, h, d or w"),
        ("--dose-unit", "mg/L", "error: --dose-unit 'mg/L': not a dose unit; expected a mass, amount or"),
    ],
)
def test_cli_refuses_a_unit_of_another_dimension(plain: Path, option: str, unit: str, message: str) -> None:
    code, output = _nca(plain, "--out", "f.csv", "--conc-unit", "mg/L", option, unit)
    assert code == 2 and message in output
    assert not Path("f.csv").exists()


def test_sdtm_unit_columns_follow_the_same_rule(
    theoph: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    pc, ex = theoph_domains(theoph)
    pc.assign(PCSTRESU="h").to_csv("pc_h.csv", index=False)
    code, output = _nca("pc_h.csv", "--out", "f.csv", "--dose", "320")
    assert code == 2
    assert (
        "error: pc_h.csv, row 1 (line 2), column 'PCSTRESU': not a concentration unit (got 'h'); expected a "
        "mass, amount or activity per volume (or per mass of tissue) such as ng/mL, mg/L, nmol/L, IU/mL or "
        "ng/g"
    ) in output
    pc.to_csv("pc.csv", index=False)
    ex.assign(EXDOSU="mg/mL").to_csv("ex_bad.csv", index=False)
    code, output = _nca("pc.csv", "--out", "f.csv", "--dosing", "ex_bad.csv")
    assert (
        code == 2 and "ex_bad.csv, row 1 (line 2), column 'EXDOSU': not a dose unit (got 'mg/mL')" in output
    )
    pc.assign(PCSTRESU="AU/mL").to_csv("pc_au.csv", index=False)
    ex.assign(EXDOSU="mg/m3").to_csv("ex_m3.csv", index=False)
    code, output = _nca("pc_au.csv", "--out", "f.csv", "--dosing", "ex_m3.csv")
    assert code == 0, output
    assert "warning: concentration unit 'AU/mL' (PCSTRESU of pc_au.csv) is not one bioparity knows" in output
    assert "warning: dose unit 'mg/m3' (EXDOSU of ex_m3.csv) is not one bioparity knows" in output
    long = pd.read_csv("f.csv").set_index(["subject", "PPTESTCD"])
    assert long.loc[(1, "CLFO"), "PPORRESU"] == "mg*mL/AU/m3/h"  # (mg/m3) / (AU/mL) / h, from the text
    notes = json.loads(Path("f.csv.provenance.json").read_text())["unit_notes"]
    assert [n.split(" is not")[0] for n in notes] == [
        "concentration unit 'AU/mL' (PCSTRESU of pc_au.csv)",
        "dose unit 'mg/m3' (EXDOSU of ex_m3.csv)",
    ]


def test_a_unit_column_needs_a_concentration_unit(theoph: pd.DataFrame) -> None:
    frame = theoph[["Subject", "Time", "conc"]].assign(unit="h")
    with pytest.raises(DataFileError) as caught:
        convert_conc_column(frame, conc="conc", unit_column="unit")
    assert (caught.value.row, caught.value.column, caught.value.problem) == (
        1,
        "unit",
        "not a concentration unit",
    )
    with pytest.raises(InputError, match=r"^option conc_unit 'mg': not a concentration unit"):
        convert_conc_column(frame.assign(unit="mg/L"), conc="conc", unit_column="unit", target="mg",
                            target_source="option conc_unit")  # fmt: skip
    same, unit = convert_conc_column(frame.assign(unit="AU/mL"), conc="conc", unit_column="unit")
    assert unit == "AU/mL" and same["conc"].astype(float).tolist() == frame["conc"].tolist()


def test_the_workspace_nca_stores_the_note_and_refuses_the_same_units(theoph: pd.DataFrame) -> None:
    frame = theoph[["Subject", "Time", "conc"]].rename(columns=str.lower).assign(dose=theoph["dose_mg"])
    options = {"conc_unit": "furlong", "time_unit": "h", "dose_unit": "mg", "parameters": "CMAX,CLFO"}
    result = nca_kind(frame, options)
    assert result["notes"] == [FURLONG_NOTE.replace("(--conc-unit)", "(option conc_unit)")]
    assert "notes" not in nca_kind(frame, {**options, "conc_unit": "mg/L"})  # stored as before
    with pytest.raises(InputError, match=r"^option dose_unit 'h': not a dose unit"):
        nca_kind(frame, {**options, "dose_unit": "h"})


def test_batch_nca_follows_the_same_rule(theoph: pd.DataFrame, tmp_path: Path) -> None:
    theoph[["Subject", "Time", "conc"]].to_parquet(tmp_path / "pk.parquet")
    spec = NCASpec(subject="Subject", time="Time", conc_unit="furlong", parameters=("CMAX",))
    run = nca_parquet(tmp_path / "pk.parquet", tmp_path / "out", spec, workers=0,
                      unit_sources={"conc_unit": "--conc-unit"})  # fmt: skip
    assert run.unit_notes == (FURLONG_NOTE,)
    args = ["--out", str(tmp_path / "o2"), "--subject", "Subject", "--time", "Time", "--conc-unit", "mg"]
    result = runner.invoke(app, ["nca-batch", str(tmp_path / "pk.parquet"), *args, "--workers", "0"])
    assert result.exit_code == 2 and "error: --conc-unit 'mg': not a concentration unit" in result.output
    assert not (tmp_path / "o2").exists()
