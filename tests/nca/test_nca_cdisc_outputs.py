"""``bioparity nca`` SDTM PP, ADaM ADPP and ADNCA for submission (findings of /work/notes: CDISC outputs):
unique natural keys for single-dose, crossover and two-analyte inputs, ADNCA PARAMCD per analyte, the arm
from an SDTM DM domain, simplified units, and every output file written or none.

Data: R's Theoph (subjects 1-3, PKNCA reference set of tests/data/reference), as an SDTM PC domain; the
crossover repeats it in a second period with the concentrations x 0.8 (VISITNUM 2, PCRFTDTC 14 days later).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import cast

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.io.nca_input import ARMS_POOLED
from bioparity.io.sdtm import PP_KEYS, hours_to_iso8601
from bioparity.io.tables_out import OutputFileError

runner = CliRunner()


def _pc(theoph: pd.DataFrame, periods: int = 1, analytes: tuple[str, ...] = ("THEOPH",)) -> pd.DataFrame:
    first = theoph[theoph["Subject"] <= 3]
    parts = []
    for period in range(1, periods + 1):
        for k, analyte in enumerate(analytes):
            parts.append(pd.DataFrame({
                "STUDYID": "S1", "DOMAIN": "PC", "USUBJID": "S1-" + first["Subject"].astype(str),
                "PCTESTCD": analyte, "PCTEST": f"{analyte} Concentration", "PCSPEC": "PLASMA",
                "PCELTM": [hours_to_iso8601(t) for t in first["Time"]],
                "PCSTRESN": first["conc"] * (1.0 if period == 1 else 0.8) * (k + 1), "PCSTRESU": "ug/mL",
                "VISITNUM": float(period), "VISIT": f"PERIOD {period}", "EPOCH": f"TREATMENT {period}",
                "PCRFTDTC": f"2026-01-{5 + 14 * (period - 1):02d}T08:00",
            }))  # fmt: skip
    return pd.concat(parts, ignore_index=True)


def _run(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, ["nca", *map(str, args)])
    return result.exit_code, result.output


def test_a_failing_second_output_leaves_no_new_file(
    theoph: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADPP fails after OUT and PP were written: no new OUT, PP, summary or provenance, no temporary file,
    and an OUT of an earlier run is left as it was."""
    src = tmp_path / "pc.csv"
    _pc(theoph).to_csv(src, index=False)
    out = tmp_path / "res" / "nca.csv"
    out.parent.mkdir()
    out.write_text("earlier run\n")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise OutputFileError("cannot write 'adpp.xpt': disk full")

    monkeypatch.setattr("bioparity.cli.nca.write_adam", refuse)
    pp, adpp = out.parent / "pp.xpt", out.parent / "adpp.xpt"
    code, output = _run(src, "--out", out, "--dose", "320", "--sdtm-pp", pp, "--adpp", adpp)
    assert code != 0 and "disk full" in output
    assert sorted(p.name for p in out.parent.iterdir()) == ["nca.csv"]
    assert out.read_text() == "earlier run\n"


def test_without_a_failure_every_output_is_written(theoph: pd.DataFrame, tmp_path: Path) -> None:
    src = tmp_path / "pc.csv"
    _pc(theoph).to_csv(src, index=False)
    out = tmp_path / "res" / "nca.csv"
    names = ["pp.xpt", "adpp.xpt", "adnca.xpt"]
    code, output = _run(
        src, "--out", out, "--dose", "320", "--sdtm-pp", out.parent / names[0], "--adpp",
        out.parent / names[1], "--adnca", out.parent / names[2],
    )  # fmt: skip
    assert code == 0, output
    expected = {"nca.csv", "nca.summary.csv", "nca.csv.provenance.json", *names}
    assert sorted(p.name for p in out.parent.iterdir()) == sorted(expected)


@pytest.mark.parametrize(
    ("conc_unit", "derived", "to_litres_per_hour"),
    [("ug/mL", "L/h", 1.0), ("mg/L", "L/h", 1.0), ("ng/mL", "mg*mL/ng/h", 1000.0)],
)
def test_clearance_units_are_written_as_l_per_h_where_exact(
    theoph: pd.DataFrame, tmp_path: Path, conc_unit: str, derived: str, to_litres_per_hour: float
) -> None:
    """CL = dose / AUCinf. By hand: 320 mg / (AUC h*ug/mL) = 0.32 g / (AUC h * 1e-6 g / 1e-3 L) = 320 / AUC
    L/h, so mg*mL/ug/h is L/h exactly and is written so; 320 mg / (AUC h*ng/mL) = 320e3 / AUC L/h, so
    mg*mL/ng/h (a factor 1000 from L/h) stays the original unit, with PPSTRESN in L/h. Dimensionless
    results (R2, R2ADJ, LAMZSPN, the point count LAMZNPT) have no unit (SDTM: --ORRESU null when the result
    has none), the percentage AUCPEO has %. Tolerance 1e-12 relative on numbers (one division apart), 1e-9
    on PPORRES (text with 10 significant digits)."""
    src, out, pp = tmp_path / "pc.csv", tmp_path / "nca.csv", tmp_path / "pp.xpt"
    _pc(theoph).assign(PCSTRESU=conc_unit).to_csv(src, index=False)
    code, output = _run(src, "--out", out, "--dose", "320", "--dose-unit", "mg", "--sdtm-pp", pp)
    assert code == 0, output
    domain = pyreadstat.read_xport(str(pp))[0]
    rows = domain.set_index(["USUBJID", "PPTESTCD"])
    cl, auc = (cast(pd.Series, rows.loc[("S1-1", code)]) for code in ("CLFO", "AUCIFO"))
    assert (cl["PPORRESU"], cl["PPSTRESU"]) == (derived, "L/h")
    assert float(cl["PPORRES"]) == pytest.approx(320 / float(auc["PPSTRESN"]), rel=1e-9)  # text, 10 digits
    hand = 320 * to_litres_per_hour / float(auc["PPSTRESN"])
    assert cl["PPSTRESN"] == pytest.approx(hand, rel=1e-12)
    assert (rows.loc[("S1-1", "VZFO"), "PPORRESU"] == "L") == (to_litres_per_hour == 1.0)
    unitless = domain[domain["PPTESTCD"].isin(["R2", "R2ADJ", "LAMZSPN", "LAMZNPT"])]
    assert len(unitless) == 12 and set(unitless["PPORRESU"]) == set(unitless["PPSTRESU"]) == {""}
    assert set(domain.loc[domain["PPTESTCD"] == "AUCPEO", "PPSTRESU"]) == {"%"}


#: The natural keys checked: PP's (bioparity.io.sdtm.PP_KEYS, those present); ADPP and ADNCA: subject,
#: parameter, the variables that tell a subject's profiles apart (period, reference dose, visit, analyte
#: carried as a column) and the interval (ADPP) or the time since the first dose (ADNCA).
_PROFILE = ("APERIOD", "TRTA", "PCRFTDTC", "VISITNUM", "PCSPEC")
KEYS = {
    "pp": PP_KEYS,
    "adpp": ("STUDYID", "USUBJID", "PARAMCD", "PCTESTCD", "ANALYTE", *_PROFILE, "PPSTINT", "PPENINT"),
    "adnca": ("STUDYID", "USUBJID", "PARAMCD", *_PROFILE, "AFRLT"),  # the analyte must be in PARAMCD
}


def _crossover_plain(theoph: pd.DataFrame) -> pd.DataFrame:
    pc = _pc(theoph, periods=2)
    return pd.DataFrame({
        "subject": pc["USUBJID"], "period": pc["VISITNUM"].astype(int), "time": pc["PCELTM"].map(
            lambda t: float(t[2:-1])), "conc": pc["PCSTRESN"], "dose": 320,
    })  # fmt: skip


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("single", ()),
        ("crossover-pc", ()),  # PCRFTDTC, VISITNUM, VISIT, EPOCH
        ("crossover-pc-visitnum", ("--group", "VISITNUM")),  # no PCRFTDTC: the visit splits the periods
        ("crossover-plain", ()),  # a period column only
        ("adc", ()),  # two analytes, ADC and total antibody
    ],
)
def test_no_two_records_share_their_keys(
    theoph: pd.DataFrame, tmp_path: Path, name: str, options: tuple[str, ...]
) -> None:
    data = {
        "single": lambda: _pc(theoph),
        "crossover-pc": lambda: _pc(theoph, periods=2),
        "crossover-pc-visitnum": lambda: _pc(theoph, periods=2).drop(columns="PCRFTDTC"),
        "crossover-plain": lambda: _crossover_plain(theoph),
        "adc": lambda: _pc(theoph, analytes=("ADC", "TAB")),
    }[name]()
    src = tmp_path / "in.csv"
    data.to_csv(src, index=False)
    paths = {kind: tmp_path / f"{kind}.xpt" for kind in KEYS}
    code, output = _run(
        src, "--out", tmp_path / "nca.csv", "--dose", "320", "--sdtm-pp", paths["pp"], "--adpp",
        paths["adpp"], "--adnca", paths["adnca"], *options,
    )  # fmt: skip
    assert code == 0, output
    profiles = 6 if name.startswith("crossover") or name == "adc" else 3
    for kind, path in paths.items():
        frame = pyreadstat.read_xport(str(path))[0]
        keys = [k for k in KEYS[kind] if k in frame.columns]
        assert not frame.duplicated(keys).any(), (kind, keys)
        parameter = {"PPTESTCD", "PPSTINT", "PPENINT", "AFRLT"} | ({"PARAMCD"} if kind == "adpp" else set())
        assert frame.groupby([k for k in keys if k not in parameter]).ngroups == profiles, kind
    pp = pyreadstat.read_xport(str(paths["pp"]))[0]
    if name == "crossover-pc":  # the period derived from PCRFTDTC (profile columns), in PPGRPID too
        assert set(
            zip(pp["VISITNUM"], pp["VISIT"], pp["EPOCH"], pp["PPRFTDTC"], pp["PPGRPID"], strict=True)
        ) == {
            (1.0, "PERIOD 1", "TREATMENT 1", "2026-01-05T08:00", "period=1"),
            (2.0, "PERIOD 2", "TREATMENT 2", "2026-01-19T08:00", "period=2"),
        }
    if name in ("crossover-plain", "crossover-pc"):
        assert set(pp["PPGRPID"]) == {"period=1", "period=2"}
        assert "written in PPGRPID as 'period=1'" in output
    else:
        assert "PPGRPID" not in pp.columns and "PPGRPID" not in output


def test_adnca_has_one_paramcd_per_analyte(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """ADC and total antibody: PARAMCD ADC and TAB (from PCTESTCD), PARAM naming analyte and unit; one
    analyte without an analyte column keeps PARAMCD CONC."""
    src, adnca = tmp_path / "pc.csv", tmp_path / "adnca.csv"
    _pc(theoph, analytes=("ADC", "TAB")).to_csv(src, index=False)
    code, output = _run(src, "--out", tmp_path / "nca.csv", "--adnca", adnca)
    assert code == 0, output
    records = pd.read_csv(adnca)
    assert sorted(set(zip(records["PARAMCD"], records["PARAM"], records["PCTESTCD"], strict=True))) == [
        ("ADC", "ADC Concentration (ug/mL)", "ADC"),
        ("TAB", "TAB Concentration (ug/mL)", "TAB"),
    ]
    plain = tmp_path / "plain.csv"
    _crossover_plain(theoph).to_csv(plain, index=False)
    code, output = _run(plain, "--out", tmp_path / "p.csv", "--adnca", adnca, "--conc-unit", "ug/mL")
    assert code == 0, output
    assert set(pd.read_csv(adnca)["PARAMCD"]) == {"CONC"}


def _dm(arms: dict[str, str], actual: dict[str, str] | None = None) -> pd.DataFrame:
    dm = pd.DataFrame({"STUDYID": "S1", "DOMAIN": "DM", "USUBJID": list(arms), "ARM": list(arms.values())})
    return dm if actual is None else dm.assign(ACTARM=dm["USUBJID"].map(actual))


def test_dm_gives_each_subject_its_arm_and_summaries_per_arm(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """Arm A: subjects 1 and 3, arm B: subject 2. Cmax by hand from the data (R Theoph: 10.50, 8.33, 8.20
    mg/L for subjects 1-3): mean 9.35 for A, 8.33 for B (n 2 and 1), to 1e-12."""
    src, dm = tmp_path / "pc.csv", tmp_path / "dm.xpt"
    _pc(theoph).to_csv(src, index=False)
    pyreadstat.write_xport(
        _dm({"S1-1": "A", "S1-2": "B", "S1-3": "A"}, {"S1-1": "A", "S1-2": "B", "S1-3": "A"}), str(dm),
        table_name="DM", file_format_version=5,
    )  # fmt: skip
    out, adpp, adnca = tmp_path / "nca.csv", tmp_path / "adpp.csv", tmp_path / "adnca.csv"
    code, output = _run(src, "--out", out, "--dm", dm, "--adpp", adpp, "--adnca", adnca)
    assert code == 0, output
    assert "ARM, ACTARM" in output and "pool" not in output
    summary = pd.read_csv(tmp_path / "nca.summary.csv").query("parameter == 'CMAX'").set_index("ARM")
    first = theoph[theoph["Subject"] <= 3].groupby("Subject")["conc"].max()
    assert first.tolist() == [10.5, 8.33, 8.2]
    assert summary.loc["A", "mean"] == pytest.approx((10.5 + 8.2) / 2, rel=1e-12)
    assert summary.loc["B", "mean"] == pytest.approx(8.33, rel=1e-12)
    assert summary.loc["A", "n"] == 2 and summary.loc["B", "n"] == 1
    provenance = json.loads((tmp_path / "nca.csv.provenance.json").read_text())
    digest = hashlib.sha256(dm.read_bytes()).hexdigest()
    assert provenance["inputs"]["dm"] == {"path": str(dm), "sha256": digest}  # what decided the arms
    for path in (out, adpp, adnca):
        frame = pd.read_csv(path)
        subject = "subject" if path == out else "USUBJID"
        assert dict(zip(frame[subject], frame["ARM"], strict=True)) == {"S1-1": "A", "S1-2": "B", "S1-3": "A"}
        assert (frame["ACTARM"] == frame["ARM"]).all()


def test_a_pc_without_arm_and_without_dm_says_the_arms_are_pooled(
    theoph: pd.DataFrame, tmp_path: Path
) -> None:
    src = tmp_path / "pc.csv"
    _pc(theoph).to_csv(src, index=False)
    code, output = _run(src, "--out", tmp_path / "nca.csv")
    assert code == 0 and ARMS_POOLED in " ".join(output.split())
    plain = tmp_path / "plain.csv"
    _crossover_plain(theoph).to_csv(plain, index=False)
    code, output = _run(plain, "--out", tmp_path / "p.csv")
    assert code == 0 and "no arm" not in output  # a plain table: its own columns say what it is


@pytest.mark.parametrize(
    ("dm", "message"),
    [  # Theoph subjects 1 and 2 have 11 samples each: subject 3's first is PC row 23
        (
            _dm({"S1-1": "A", "S1-2": "B"}),
            "row 23 (line 24), column 'USUBJID': a subject with samples that the DM domain {dm} does not "
            "have (subjects missing from it: 1: S1-3)",
        ),
        (_dm({"S1-1": "A", "S1-2": "B", "S1-3": "A"}).drop(columns="ARM"), "SDTM DM without this column"),
        (pd.concat([_dm({"S1-1": "A", "S1-2": "B", "S1-3": "A"}), _dm({"S1-2": "A"})]), "row 4 (line 5)"),
    ],
)
def test_a_dm_that_does_not_fit_is_refused_naming_file_row_and_column(
    theoph: pd.DataFrame, tmp_path: Path, dm: pd.DataFrame, message: str
) -> None:
    src, path, out = tmp_path / "pc.csv", tmp_path / "dm.csv", tmp_path / "nca.csv"
    _pc(theoph).to_csv(src, index=False)
    dm.to_csv(path, index=False)
    code, output = _run(src, "--out", out, "--dm", path)
    assert code != 0 and message.format(dm=path) in " ".join(output.split()), output
    assert not out.exists()


def test_adpp_gives_each_analyte_its_own_paramcd_and_param(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """ADaMIG v1.3, section 3.3.4: PARAMCD maps one-to-one to PARAM, and PARCAT1 (the analyte) is one value
    per PARAMCD (Pinnacle 21 AD0124). ADC and TAB (TAB = 2 x ADC by construction), two periods: Cmax by
    hand from R's Theoph (subject 1: 10.50 mg/L; period 2 x 0.8), to 1e-12. One analyte: PARAMCD is the
    PPTESTCD."""
    src, adpp = tmp_path / "pc.csv", tmp_path / "adpp.xpt"
    _pc(theoph, periods=2, analytes=("ADC", "TAB")).to_csv(src, index=False)
    code, output = _run(src, "--out", tmp_path / "nca.csv", "--dose", "320", "--adpp", adpp)
    assert code == 0, output
    records = pyreadstat.read_xport(str(adpp))[0]
    assert (records.groupby("PARAMCD")["PARAM"].nunique() == 1).all()
    assert (records.groupby("PARAM")["PARAMCD"].nunique() == 1).all()
    assert (records.groupby("PARAMCD")["PARCAT1"].nunique() == 1).all()
    assert not records.duplicated(["USUBJID", "PARAMCD", "PARCAT1", "PCRFTDTC", "PPSTINT", "PPENINT"]).any()
    assert records["PARAMCD"].str.fullmatch(r"[A-Z][A-Z0-9_]{0,7}").all()  # SAS v5 name rules
    assert set(zip(records["PCRFTDTC"], records["VISITNUM"], records["EPOCH"], strict=True)) == {
        ("2026-01-05T08:00", 1.0, "TREATMENT 1"),
        ("2026-01-19T08:00", 2.0, "TREATMENT 2"),
    }  # each profile's visit, as in PP
    cmax = records[records["PPTESTCD"] == "CMAX"].set_index(["USUBJID", "PCRFTDTC", "PARCAT1"])
    assert set(zip(cmax["PARAMCD"], cmax["PARAM"], strict=True)) == {
        ("CMAX_1", "ADC Max Conc (ug/mL)"),
        ("CMAX_2", "TAB Max Conc (ug/mL)"),
    }
    first, second = "2026-01-05T08:00", "2026-01-19T08:00"
    assert cmax.loc[("S1-1", first, "ADC"), "AVAL"] == pytest.approx(10.5, rel=1e-12)
    assert cmax.loc[("S1-1", first, "TAB"), "AVAL"] == pytest.approx(21.0, rel=1e-12)
    assert cmax.loc[("S1-1", second, "TAB"), "AVAL"] == pytest.approx(2 * 0.8 * 10.5, rel=1e-12)
    _pc(theoph).to_csv(src, index=False)
    code, output = _run(src, "--out", tmp_path / "nca.csv", "--dose", "320", "--adpp", adpp)
    assert code == 0, output
    single = pyreadstat.read_xport(str(adpp))[0]
    assert (single["PARAMCD"] == single["PPTESTCD"]).all() and set(single["PARCAT1"]) == {"THEOPH"}


def test_adnca_carries_the_visit_of_each_sample(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """VISITNUM, VISIT and EPOCH of each PC record, unchanged, on its ADNCA record (SDTM names: ADaMIG v1.3,
    section 3.1.1), also when one profile is sampled over two visits (Day 1 before 24 h, Day 2 after)."""
    pc = _pc(theoph, periods=2)
    day2 = pc["PCELTM"].map(lambda t: float(t[2:-1]) >= 24).to_numpy()
    pc.loc[day2, "VISITNUM"] = pc.loc[day2, "VISITNUM"] + 0.5
    pc.loc[day2, "VISIT"] = pc.loc[day2, "VISIT"] + " DAY 2"
    src, adnca = tmp_path / "pc.csv", tmp_path / "adnca.xpt"
    pc.to_csv(src, index=False)
    code, output = _run(src, "--out", tmp_path / "nca.csv", "--dose", "320", "--adnca", adnca)
    assert code == 0, output
    records = pyreadstat.read_xport(str(adnca))[0]
    assert len(records) == len(pc) and day2.sum() == 6  # Theoph: one sample per subject at ~24 h
    for column in ("VISITNUM", "VISIT", "EPOCH"):
        assert records[column].tolist() == pc[column].tolist(), column
    np.testing.assert_array_equal(records["AVAL"], pc["PCSTRESN"])


def _pc_and_ex(
    theoph: pd.DataFrame, periods: int, *, keep_reference: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """PC without PCRFTDTC (sample date-times PCDTC = dose + PCELTM) and EX with one 320 mg dose per subject
    and period (EXSTDTC the period's dose, VISITNUM the period's)."""
    pc = _pc(theoph, periods=periods)
    hours = pc["PCELTM"].map(lambda t: float(t[2:-1]))
    dose = pd.to_datetime(pc["PCRFTDTC"])
    pc["PCDTC"] = (dose + pd.to_timedelta(hours, unit="h")).dt.strftime("%Y-%m-%dT%H:%M:%S")
    ex = pc.drop_duplicates(["USUBJID", "VISITNUM"])[["STUDYID", "USUBJID", "VISITNUM", "PCRFTDTC"]]
    ex = ex.rename(columns={"PCRFTDTC": "EXSTDTC"}).assign(
        DOMAIN="EX", EXTRT="DRUG", EXDOSE=320, EXDOSU="mg", EXROUTE="ORAL"
    )
    return (pc if keep_reference else pc.drop(columns="PCRFTDTC")), ex


@pytest.mark.parametrize(
    ("options", "keyed"),
    [
        ((), "VISITNUM"),
        (("--group", "VISITNUM"), "VISITNUM"),
        (("pcrftdtc",), "PCRFTDTC = EXSTDTC"),  # PC with PCRFTDTC: each profile's dose is found by it
    ],
)
def test_a_pc_without_pcrftdtc_takes_each_profiles_dose_date_from_ex(
    theoph: pd.DataFrame, tmp_path: Path, options: tuple[str, ...], keyed: str
) -> None:
    """SDTMIG v3.4 PP: PPRFTDTC is the date/time of the profile's reference dose. A crossover PC without
    PCRFTDTC and EX with one dose per period (VISITNUM): each period is a single-dose profile of its own
    dose, PPRFTDTC its EXSTDTC, keys unique; before, the two doses made one multiple-dose profile and period
    2 had no parameters (or, by VISITNUM, values from the pre-dose sample only). Period 2 concentrations
    are period 1's x 0.8 at the same times, so its Cmax and AUClast are 0.8 x period 1's (Cmax of subject
    1 by hand: 10.5 mg/L, R Theoph), to 1e-12."""
    pc, ex = _pc_and_ex(theoph, periods=2, keep_reference=options == ("pcrftdtc",))
    options = () if options == ("pcrftdtc",) else options
    src, dosing, pp, adpp = (
        tmp_path / "pc.csv",
        tmp_path / "ex.csv",
        tmp_path / "pp.xpt",
        tmp_path / "adpp.xpt",
    )
    pc.to_csv(src, index=False)
    ex.to_csv(dosing, index=False)
    out = tmp_path / "nca.csv"
    code, output = _run(src, "--out", out, "--dosing", dosing, "--sdtm-pp", pp, "--adpp", adpp, *options)
    assert code == 0, output
    assert f"one dose record per profile (USUBJID, {keyed})" in " ".join(output.split())
    domain = pyreadstat.read_xport(str(pp))[0]
    assert not domain.duplicated([k for k in PP_KEYS if k in domain.columns]).any()
    assert set(zip(domain["VISITNUM"], domain["PPRFTDTC"], strict=True)) == {
        (1.0, "2026-01-05T08:00"),
        (2.0, "2026-01-19T08:00"),
    }
    assert domain.groupby(["USUBJID", "PPRFTDTC"]).ngroups == 6
    rows = domain.set_index(["USUBJID", "VISITNUM", "PPTESTCD"])["PPSTRESN"]
    assert rows[("S1-1", 1.0, "CMAX")] == pytest.approx(10.5, rel=1e-12)
    for subject in ("S1-1", "S1-2", "S1-3"):
        for parameter in ("CMAX", "AUCLST"):
            first, second = rows[(subject, 1.0, parameter)], rows[(subject, 2.0, parameter)]
            assert second == pytest.approx(0.8 * first, rel=1e-12), (subject, parameter)
    records = pyreadstat.read_xport(str(adpp))[0]
    assert set(records["PCRFTDTC"]) == {"2026-01-05T08:00", "2026-01-19T08:00"}
    summary = pd.read_csv(tmp_path / "nca.summary.csv")
    assert (
        summary["n"] <= 3
    ).all()  # 3 subjects: the periods are never pooled (split by VISITNUM or PCRFTDTC)
    assert ("VISITNUM" in summary.columns) == (keyed == "VISITNUM")


def test_a_single_dose_pc_without_pcrftdtc_takes_ex_dose_date(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """EX with one dose per subject (single-dose NCA, each subject's EXDOSE): PPRFTDTC = the EXSTDTC, as
    written (subject 2's with seconds). A subject without samples may have several dose records."""
    pc, ex = _pc_and_ex(theoph, periods=1)
    ex.loc[ex["USUBJID"] == "S1-2", "EXSTDTC"] = "2026-01-05T08:00:00"
    other = ex.iloc[[0, 0]].assign(USUBJID="S1-99", EXSTDTC=["2026-01-05T08:00", "2026-01-06T08:00"])
    ex = pd.concat([other, ex], ignore_index=True)
    src, dosing, pp = tmp_path / "pc.csv", tmp_path / "ex.csv", tmp_path / "pp.xpt"
    pc.to_csv(src, index=False)
    ex.to_csv(dosing, index=False)
    code, output = _run(src, "--out", tmp_path / "nca.csv", "--dosing", dosing, "--sdtm-pp", pp)
    assert code == 0, output
    domain = pyreadstat.read_xport(str(pp))[0]
    assert dict(zip(domain["USUBJID"], domain["PPRFTDTC"], strict=True)) == {
        "S1-1": "2026-01-05T08:00", "S1-2": "2026-01-05T08:00:00", "S1-3": "2026-01-05T08:00"
    }  # fmt: skip


def test_each_period_of_a_crossover_has_its_own_ex_dose(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """EX 320 mg in period 1, 160 mg in period 2: ADNCA DOSEA per period, and CL/F = dose / AUCinf with each
    period's dose (by hand from the PP AUCIFO, to 1e-12)."""
    pc, ex = _pc_and_ex(theoph, periods=2)
    ex.loc[ex["VISITNUM"] == 2, "EXDOSE"] = 160
    src, dosing, pp, adnca = tmp_path / "pc.csv", tmp_path / "ex.csv", tmp_path / "pp.xpt", tmp_path / "a.xpt"
    pc.to_csv(src, index=False)
    ex.to_csv(dosing, index=False)
    out = tmp_path / "nca.csv"
    code, output = _run(src, "--out", out, "--dosing", dosing, "--sdtm-pp", pp, "--adnca", adnca)
    assert code == 0, output
    records = pyreadstat.read_xport(str(adnca))[0]
    assert dict(zip(records["VISITNUM"], records["DOSEA"], strict=False)) == {1.0: 320.0, 2.0: 160.0}
    rows = pyreadstat.read_xport(str(pp))[0].set_index(["USUBJID", "VISITNUM", "PPTESTCD"])["PPSTRESN"]
    for visit, dose in ((1.0, 320.0), (2.0, 160.0)):
        hand = dose / rows[("S1-1", visit, "AUCIFO")]
        assert rows[("S1-1", visit, "CLFO")] == pytest.approx(hand, rel=1e-12)
