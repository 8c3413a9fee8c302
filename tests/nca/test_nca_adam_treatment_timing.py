"""ADPP's and ADNCA's treatment variables without an ADSL, their analysis visit, and ADNCA's time point.

* ADPP TRTP/TRTA (ADaMIG v1.3, section 3.3.3; the pharmaverse admiral ADPP template ``TRTP = TRT01P,
  TRTA = TRT01A``): with ``--adsl`` TRTP is the period's TRTxxP (as before); without it, a parallel design's
  DM ARM gives TRTP and ACTARM gives TRTA, unchanged. A crossover's ARM names a sequence, not the treatment
  of a record: nothing is filled, and the terminal says which variable is missing (never made up). Before,
  ADPP had no TRTP/TRTA without ``--adsl`` and nothing said so.
* ADNCA TRTP/TRTA as ADPP's, a subject's periods counted over its profiles (a profile sampled over two
  visits, or a multiple-dose profile over the visits of its doses, is one period); a crossover's left out and
  said. Before, ADNCA had ARM/ACTARM but no TRTP/TRTA, and nothing said so.
* ADPP AVISITN/AVISIT are the profile's VISITNUM/VISIT (admiral ADPP template: ``AVISITN = VISITNUM``,
  AVISIT from VISIT; copied unchanged here), missing for a profile over several visits.
* ADNCA AVISITN/AVISIT and ATPTN/ATPT are the PC record's VISITNUM/VISIT and PCTPTNUM/PCTPT (admiral ADPC
  template: ``ATPT = PCTPT``, ``ATPTN = PCTPTNUM``; ADaMIG v1.3 section 3.3.3), left out where the PC has
  none. Before, ADNCA had neither.

Data: R's Theoph subjects 1-3 as an SDTM PC (tests/nca/test_nca_cdisc_outputs.py). Reference: R 4.2.2,
``tapply(Theoph$conc, Theoph$Subject, max)`` for subjects 1-3: 10.5, 8.33, 8.2 (each ADPP CMAX record keeps
its subject's, 1e-12 relative).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.cli.nca import NO_TREATMENT_NOTE
from bioparity.io.nca_input import PERIOD_AND_TREATMENTS_FROM_ADSL
from tests.nca.test_nca_adsl_periods import _pc as adsl_pc
from tests.nca.test_nca_adsl_periods import adsl
from tests.nca.test_nca_cdisc_outputs import _pc, _pc_and_ex

runner = CliRunner()
#: R 4.2.2: Cmax of Theoph subjects 1-3.
R_CMAX = {"S1-1": 10.5, "S1-2": 8.33, "S1-3": 8.2}
ARMS = {"S1-1": "TEST", "S1-2": "REFERENCE", "S1-3": "TEST"}
ACTUAL = {"S1-1": "TEST", "S1-2": "REFERENCE", "S1-3": "REFERENCE"}  # subject 3 given the reference


def _nca(tmp_path: Path, pc: pd.DataFrame, *options: str) -> str:
    pc.to_csv(tmp_path / "pc.csv", index=False)
    args = ["nca", str(tmp_path / "pc.csv"), "--out", str(tmp_path / "o.csv"), "--dose", "320", *options]
    run = runner.invoke(app, args)
    assert run.exit_code == 0, run.output
    return " ".join(run.output.split())


def _dm(tmp_path: Path, actual: dict[str, str] | None = ACTUAL) -> str:
    dm = pd.DataFrame({"STUDYID": "S1", "DOMAIN": "DM", "USUBJID": list(ARMS), "ARM": list(ARMS.values())})
    if actual is not None:
        dm["ACTARM"] = dm["USUBJID"].map(actual)
    pyreadstat.write_xport(dm, str(tmp_path / "dm.xpt"), table_name="DM", file_format_version=5)
    return str(tmp_path / "dm.xpt")


def _note(variables: str, dataset: str = "ADPP") -> str:
    return NO_TREATMENT_NOTE % {"dataset": dataset, "variables": variables}


def test_a_parallel_designs_dm_arm_gives_adpp_trtp_and_trta(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """TRTP = ARM, TRTA = ACTARM of each subject (subject 3 planned TEST, given REFERENCE), labelled as
    ADaMIG names them; the CMAX records R's; no note."""
    adpp = tmp_path / "adpp.xpt"
    output = _nca(tmp_path, _pc(theoph), "--dm", _dm(tmp_path), "--adpp", str(adpp))
    records, meta = pyreadstat.read_xport(str(adpp))
    assert dict(zip(records["USUBJID"], records["TRTP"], strict=True)) == ARMS
    assert dict(zip(records["USUBJID"], records["TRTA"], strict=True)) == ACTUAL
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert (labels["TRTP"], labels["TRTA"]) == ("Planned Treatment", "Actual Treatment")
    cmax = records[records["PARAMCD"] == "CMAX"].set_index("USUBJID")["AVAL"]
    assert cmax.to_dict() == pytest.approx(R_CMAX, rel=1e-12)
    assert "ADPP has no" not in output


def test_without_an_arm_or_with_a_crossover_nothing_is_made_up(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """No DM: no TRTP/TRTA, said. DM without ACTARM: TRTP only, TRTA said missing. A crossover (two periods
    per subject: ARM is a sequence): neither, said."""
    adpp = tmp_path / "adpp.csv"
    output = _nca(tmp_path, _pc(theoph), "--adpp", str(adpp))
    assert not {"TRTP", "TRTA"} & set(pd.read_csv(adpp).columns) and _note("TRTP/TRTA") in output
    output = _nca(tmp_path, _pc(theoph), "--dm", _dm(tmp_path, None), "--adpp", str(adpp))
    columns = set(pd.read_csv(adpp).columns)
    assert "TRTP" in columns and "TRTA" not in columns and _note("TRTA") in output
    output = _nca(tmp_path, _pc(theoph, periods=2), "--dm", _dm(tmp_path), "--adpp", str(adpp))
    assert not {"TRTP", "TRTA"} & set(pd.read_csv(adpp).columns) and _note("TRTP/TRTA") in output


def test_with_adsl_trtp_is_the_periods_and_trta_is_said_missing(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """The ADSL crossover (tests/nca/test_nca_adsl_periods.py): TRTP the TRTxxP of each period (sequence AB
    for odd subjects, BA for even), not the sequence; TRTA (no TRTxxA read) said missing."""
    adsl().to_csv(tmp_path / "adsl.csv", index=False)
    adpp = tmp_path / "adpp.csv"
    output = _nca(tmp_path, adsl_pc(theoph), "--adsl", str(tmp_path / "adsl.csv"), "--adpp", str(adpp))
    records = pd.read_csv(adpp)
    treatments = records.drop_duplicates(["USUBJID", "APERIOD"]).set_index(["USUBJID", "APERIOD"])["TRTP"]
    assert treatments[("X1-1", 1)] == "A" and treatments[("X1-1", 2)] == "B"
    assert treatments[("X1-4", 1)] == "B" and treatments[("X1-2", 2)] == "A"
    assert "TRTA" not in records.columns and _note("TRTA") in output


def test_with_the_adsls_trtxxa_trta_is_each_periods_actual_treatment(
    theoph: pd.DataFrame, tmp_path: Path
) -> None:
    """An ADSL with TRT01A/TRT02A (ADaMIG v1.3, section 3.2.5: actual treatment of period xx) besides
    TRT01P/TRT02P: ADPP's and ADNCA's TRTA is the TRTxxA of each record's period, as TRTP is its TRTxxP
    (section 3.3.3; admiral's ADPP template ``TRTA = TRT01A``). Subject X1-3 (sequence AB) was given A again
    in period 2: TRTP B, TRTA A there; every other record's TRTA is its TRTP. No TRTA note; the rule says
    TRTA = TRTxxA. Its period 2 CMAX is R 4.2.2's ``0.8 * max(Theoph$conc[Theoph$Subject == 3])`` = 6.56
    (rel 1e-12). Before, the ADSL reader read TRTxxP only and TRTA was left out, said."""
    table = adsl()
    table["TRT01A"], table["TRT02A"] = table["TRT01P"], table["TRT02P"]
    table.loc[table["USUBJID"] == "X1-3", "TRT02A"] = "A"
    table.to_csv(tmp_path / "adsl.csv", index=False)
    adpp, adnca = tmp_path / "adpp.csv", tmp_path / "adnca.csv"
    options = ("--adsl", str(tmp_path / "adsl.csv"), "--adpp", str(adpp), "--adnca", str(adnca))
    output = _nca(tmp_path, adsl_pc(theoph), *options)
    for records in (pd.read_csv(adpp), pd.read_csv(adnca)):
        changed = (records["USUBJID"] == "X1-3") & (records["APERIOD"] == 2)
        assert changed.any() and set(records.loc[changed, "TRTP"]) == {"B"}
        assert set(records.loc[changed, "TRTA"]) == {"A"}
        assert records.loc[~changed, "TRTA"].tolist() == records.loc[~changed, "TRTP"].tolist()
    cmax = pd.read_csv(adpp).query("PARAMCD == 'CMAX' and USUBJID == 'X1-3' and APERIOD == 2")["AVAL"]
    assert cmax.tolist() == pytest.approx([6.56], rel=1e-12)
    assert "ADPP has no" not in output and "ADNCA has no" not in output
    assert PERIOD_AND_TREATMENTS_FROM_ADSL.format(adsl=tmp_path / "adsl.csv") in output


def test_adnca_has_the_pc_records_visit_and_time_point(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """Each ADNCA record's AVISITN/AVISIT and ATPTN/ATPT are its PC record's VISITNUM/VISIT and
    PCTPTNUM/PCTPT (two periods: VISITNUM 1 and 2), numbers as numbers, labelled; a PC without PCTPT gives no
    ATPT/ATPTN, a plain table neither."""
    pc = _pc(theoph, periods=2)
    pc["PCTPTNUM"] = pc.groupby(["USUBJID", "VISITNUM"]).cumcount() + 1.0
    pc["PCTPT"] = "SAMPLE " + pc["PCTPTNUM"].astype(int).astype(str)
    adnca = tmp_path / "adnca.xpt"
    _nca(tmp_path, pc, "--adnca", str(adnca))
    records, meta = pyreadstat.read_xport(str(adnca))
    assert len(records) == len(pc)
    key = ["USUBJID", "AFRLT"]  # one record per sample, in the order of the PC rows
    want = pc.assign(AFRLT=records["AFRLT"].to_numpy()).sort_values(key).reset_index(drop=True)
    got = records.sort_values(key).reset_index(drop=True)
    assert got["USUBJID"].tolist() == want["USUBJID"].tolist()
    assert got["AVAL"].tolist() == pytest.approx(want["PCSTRESN"].tolist(), rel=1e-12)
    for adam, sdtm in (
        ("AVISITN", "VISITNUM"),
        ("AVISIT", "VISIT"),
        ("ATPTN", "PCTPTNUM"),
        ("ATPT", "PCTPT"),
    ):
        assert got[adam].tolist() == want[sdtm].tolist(), adam
    assert got["AVISITN"].dtype.kind == "f" and got["ATPTN"].dtype.kind == "f"
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert [labels[c] for c in ("AVISITN", "AVISIT", "ATPTN", "ATPT")] == [
        "Analysis Visit (N)", "Analysis Visit", "Analysis Timepoint (N)", "Analysis Timepoint",
    ]  # fmt: skip

    csv = tmp_path / "adnca.csv"
    _nca(tmp_path, _pc(theoph), "--adnca", str(csv))
    columns = set(pd.read_csv(csv).columns)
    assert {"AVISITN", "AVISIT"} <= columns and not {"ATPTN", "ATPT"} & columns
    plain = pd.DataFrame({"subject": theoph["Subject"], "time": theoph["Time"], "conc": theoph["conc"]})
    _nca(tmp_path, plain, "--adnca", str(csv))
    assert not {"AVISITN", "AVISIT", "ATPTN", "ATPT"} & set(pd.read_csv(csv).columns)


def test_a_parallel_designs_dm_arm_gives_adnca_trtp_and_trta(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """Each ADNCA record's TRTP = ARM, TRTA = ACTARM of its subject (subject 3 planned TEST, given
    REFERENCE), also when a profile is sampled over two visits (Day 1 before 24 h, Day 2 after) and for a
    multiple-dose run (two EX doses 14 days apart, VISITNUM 1 and 2 of the samples: one profile per
    subject); AVAL the PC's PCSTRESN; no note. Before, ADNCA had no TRTP/TRTA."""
    pc = _pc(theoph)
    day2 = pc["PCELTM"].map(lambda t: float(t[2:-1]) >= 24).to_numpy()
    pc.loc[day2, "VISITNUM"], pc.loc[day2, "VISIT"] = 1.5, "DAY 2"
    multiple, ex = _pc_and_ex(theoph, periods=2)
    ex.drop(columns="VISITNUM").to_csv(tmp_path / "ex.csv", index=False)
    adnca = tmp_path / "adnca.xpt"
    for data, options in ((pc, ()), (multiple, ("--dosing", str(tmp_path / "ex.csv"), "--tau", "24"))):
        output = _nca(tmp_path, data, "--dm", _dm(tmp_path), "--adnca", str(adnca), *options)
        records, meta = pyreadstat.read_xport(str(adnca))
        assert len(records) == len(data) and "ADNCA has no" not in output
        assert records["AVAL"].tolist() == pytest.approx(data["PCSTRESN"].tolist(), rel=1e-12)
        assert records["USUBJID"].map(ARMS).tolist() == records["TRTP"].tolist()
        assert records["USUBJID"].map(ACTUAL).tolist() == records["TRTA"].tolist()
        labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
        assert (labels["TRTP"], labels["TRTA"]) == ("Planned Treatment", "Actual Treatment")
    assert set(records["VISITNUM"]) == {1.0, 2.0}  # the multiple-dose run's samples in two visits


def test_adnca_of_a_crossover_makes_up_no_treatment(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """A crossover with DM (two periods per subject: ARM is a sequence): no TRTP/TRTA in ADNCA, said. The
    ADSL crossover: each record's TRTP the TRTxxP of its period (sequence AB for odd subjects, BA for even),
    TRTA said missing."""
    adnca = tmp_path / "adnca.csv"
    output = _nca(tmp_path, _pc(theoph, periods=2), "--dm", _dm(tmp_path), "--adnca", str(adnca))
    records = pd.read_csv(adnca)
    assert "ARM" in records.columns and not {"TRTP", "TRTA"} & set(records.columns)
    assert _note("TRTP/TRTA", "ADNCA") in output
    adsl().to_csv(tmp_path / "adsl.csv", index=False)
    output = _nca(tmp_path, adsl_pc(theoph), "--adsl", str(tmp_path / "adsl.csv"), "--adnca", str(adnca))
    records = pd.read_csv(adnca)
    treatments = records.drop_duplicates(["USUBJID", "APERIOD"]).set_index(["USUBJID", "APERIOD"])["TRTP"]
    assert treatments[("X1-1", 1)] == "A" and treatments[("X1-1", 2)] == "B"
    assert treatments[("X1-4", 1)] == "B" and treatments[("X1-2", 2)] == "A"
    assert "TRTA" not in records.columns and _note("TRTA", "ADNCA") in output


def test_adpp_has_the_profiles_visit(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """Each ADPP record's AVISITN/AVISIT are its profile's VISITNUM/VISIT (a crossover: VISITNUM 1 and 2,
    each with its period's CMAX: R's, x 0.8 in period 2, 1e-12 relative), numbers as numbers, labelled; a
    profile sampled over two visits (Day 2 after 24 h) has none (as its VISITNUM); a plain table without a
    visit column gives neither. Before, ADPP had VISITNUM/VISIT but no AVISITN/AVISIT."""
    adpp = tmp_path / "adpp.xpt"
    _nca(tmp_path, _pc(theoph, periods=2), "--adpp", str(adpp))
    records, meta = pyreadstat.read_xport(str(adpp))
    assert records["AVISITN"].tolist() == records["VISITNUM"].tolist()
    assert records["AVISIT"].tolist() == records["VISIT"].tolist()
    assert set(zip(records["AVISITN"], records["AVISIT"], strict=True)) == {
        (1.0, "PERIOD 1"),
        (2.0, "PERIOD 2"),
    }
    assert records["AVISITN"].dtype.kind == "f"
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert (labels["AVISITN"], labels["AVISIT"]) == ("Analysis Visit (N)", "Analysis Visit")
    cmax = records[records["PARAMCD"] == "CMAX"].set_index(["USUBJID", "AVISITN"])["AVAL"]
    for subject, value in R_CMAX.items():
        assert cmax[(subject, 1.0)] == pytest.approx(value, rel=1e-12)
        assert cmax[(subject, 2.0)] == pytest.approx(0.8 * value, rel=1e-12)

    pc = _pc(theoph)
    day2 = pc["PCELTM"].map(lambda t: float(t[2:-1]) >= 24).to_numpy()
    first = day2 & (pc["USUBJID"] == "S1-1").to_numpy()
    pc["VISITNUM"] = pc["VISITNUM"].where(~first, 1.5)
    pc["VISIT"] = pc["VISIT"].where(~first, "DAY 2")
    csv = tmp_path / "adpp.csv"
    _nca(tmp_path, pc, "--adpp", str(csv))
    visits = pd.read_csv(csv).drop_duplicates("USUBJID").set_index("USUBJID")
    assert visits.loc["S1-1", ["AVISITN", "AVISIT"]].isna().all()
    assert (visits.loc["S1-2", "AVISITN"], visits.loc["S1-2", "AVISIT"]) == (1.0, "PERIOD 1")
    plain = pd.DataFrame({"subject": theoph["Subject"], "time": theoph["Time"], "conc": theoph["conc"]})
    _nca(tmp_path, plain, "--adpp", str(csv))
    assert not {"AVISITN", "AVISIT"} & set(pd.read_csv(csv).columns)
