"""SDTM PP, ADPP and ADNCA of a parallel multiple-dose study whose dosing intervals fall in different visits.

* Each dosing interval's PP and ADPP records carry the visit its samples share (VISITNUM, VISIT, VISITDY;
  AVISITN/AVISIT), as the pharmaverse admiral ADPP template's ``AVISITN = VISITNUM`` per record; a pre-dose
  sample taken minutes before the next dose (PCELTM ``-PT5M``, in the next dose's visit) does not mix the
  visits. Before, every interval's visit was missing (the profile spans three visits).
* TRTP/TRTA of ADPP and ADNCA by one rule: a subject's periods counted over its profiles, so the dosing
  intervals of one profile, each in its own visit, are one period and a parallel design's DM ARM/ACTARM
  fill both (ADaMIG v1.3, section 3.3.3). With the visits per interval and ADPP's old count per record, ADPP
  took the three visits for three crossover periods and left TRTP/TRTA out while ADNCA filled them.
* ADNCA NFRLT of a later dose: the pharmaverse admiral ``derive_var_nfrlt`` (first dose day 1),
  ``24 * (VISITDY - 1) + PCELTM`` hours; before, empty after the first dose, and the pre-dose sample of a
  later dose (its PCELTM counts from that dose) had NFRLT = its PCELTM (-5 min) instead of 23 h 55 min.
* Types and labels a Pinnacle 21 check reads: VISITNUM, VISITDY and AVISITN numeric in ADPP also where every
  value is missing (a profile over two visits; before: character), VISITDY/TAETORD labelled as in SDTMIG
  (before: their names), SDTM PP with its data set label "Pharmacokinetics Parameters" (before: none).

Reference: R 4.2.2, base only, on the concentrations below::

    d1 <- c(0, 5.2, 7.9, 8.4, 5.6, 3.1); d2 <- c(1.9, 7.4, 10.2, 10.8, 7.5, 4.2)
    d3 <- c(2.4, 8.1, 11.3, 12.0, 8.3, 4.7); conc <- c(d1, d2, d3, 1.2)
    interval <- c(rep(1, 6), rep(2, 6), rep(3, 7)); tapply(conc, interval, max)  # CMAX of S-1
    t <- c(-5/60, 1, 2, 4, 8, 12); eltm <- c(t, t, t, 24); day <- c(rep(1, 6), rep(2, 6), rep(3, 7))
    (ifelse(day < 0, day, day - 1)) * 24 + eltm  # admiral derive_var_nfrlt, first_dose_day = 1

(the pre-dose sample of a day belongs to the previous interval by its time, and is its lowest value.)
CMAX to 1e-12 relative, NFRLT to 1e-9 h.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.cli.nca import LATER_DOSE_NFRLT_NOTE
from bioparity.io.sdtm import PP_DATASET_LABEL, hours_to_iso8601

runner = CliRunner()
DAYS = (
    (0.0, 5.2, 7.9, 8.4, 5.6, 3.1),
    (1.9, 7.4, 10.2, 10.8, 7.5, 4.2),
    (2.4, 8.1, 11.3, 12.0, 8.3, 4.7),
)
ELAPSED = (-5 / 60, 1.0, 2.0, 4.0, 8.0, 12.0)
ARMS = {"S-1": "DRUG A", "S-2": "DRUG B"}
SCALE = {"S-1": 1.0, "S-2": 1.5}  # subject 2's concentrations are subject 1's x 1.5
#: R 4.2.2: CMAX of each dosing interval of S-1 (S-2: x 1.5).
R_CMAX = (8.4, 10.8, 12.0)
#: R 4.2.2: admiral derive_var_nfrlt of the samples of one subject, in the PC's order.
R_NFRLT = (
    -0.083333333333333329, 1, 2, 4, 8, 12, 23.916666666666668, 25, 26, 28, 32, 36,
    47.916666666666664, 49, 50, 52, 56, 60, 72,
)  # fmt: skip


def _pc() -> pd.DataFrame:
    """Doses on Days 1-3 at 08:00; samples 5 min before and 1-12 h after each, and 24 h after the last,
    each in the visit of its dose (VISITNUM = VISITDY = the day); PCDTC the dose's date/time + PCELTM."""
    rows = []
    for subject, scale in SCALE.items():
        for day, values in enumerate(DAYS, start=1):
            dose = pd.Timestamp("2026-03-02T08:00") + pd.Timedelta(days=day - 1)
            times = ELAPSED + ((24.0,) if day == 3 else ())
            for elapsed, conc in zip(times, values + ((1.2,) if day == 3 else ()), strict=True):
                rows.append({
                    "STUDYID": "MD1", "DOMAIN": "PC", "USUBJID": subject, "PCTESTCD": "DRG", "PCTEST": "Drug",
                    "PCSPEC": "PLASMA", "PCSTRESN": round(conc * scale, 6), "PCSTRESU": "ng/mL",
                    "PCELTM": "-PT5M" if elapsed < 0 else hours_to_iso8601(elapsed), "VISITNUM": float(day),
                    "VISIT": f"DAY {day}", "VISITDY": float(day),
                    "PCDTC": (dose + pd.Timedelta(hours=elapsed)).strftime("%Y-%m-%dT%H:%M:%S"),
                })  # fmt: skip
    return pd.DataFrame(rows)


def _ex() -> pd.DataFrame:
    days = range(1, len(DAYS) + 1)
    return pd.DataFrame([
        {"STUDYID": "MD1", "DOMAIN": "EX", "USUBJID": subject, "EXTRT": "DRUG", "EXDOSE": 100, "EXDOSU": "mg",
         "EXROUTE": "ORAL", "EXSTDTC": f"2026-03-{1 + day:02d}T08:00", "VISITNUM": float(day)}
        for subject in SCALE for day in days
    ])  # fmt: skip


def _dm(tmp_path: Path) -> str:
    dm = pd.DataFrame({"STUDYID": "MD1", "DOMAIN": "DM", "USUBJID": list(ARMS), "ARM": list(ARMS.values())})
    dm["ACTARM"] = dm["ARM"]
    dm.to_csv(tmp_path / "dm.csv", index=False)
    return str(tmp_path / "dm.csv")


def _nca(tmp_path: Path, pc: pd.DataFrame, *options: str) -> str:
    pc.to_csv(tmp_path / "pc.csv", index=False)
    args = ["nca", str(tmp_path / "pc.csv"), "--out", str(tmp_path / "o.csv"), *options]
    run = runner.invoke(app, args)
    assert run.exit_code == 0, run.output
    return " ".join(run.output.split())


def _multiple_dose(tmp_path: Path, pc: pd.DataFrame | None = None) -> str:
    _ex().to_csv(tmp_path / "ex.csv", index=False)
    outputs = [f"--{name}={tmp_path / name}.xpt" for name in ("adpp", "adnca", "sdtm-pp")]
    dosing = ["--dosing", str(tmp_path / "ex.csv"), "--tau", "24", "--dm", _dm(tmp_path)]
    return _nca(tmp_path, _pc() if pc is None else pc, *dosing, *outputs)


def test_each_dosing_interval_has_its_visit_and_the_arm_as_treatment(tmp_path: Path) -> None:
    """ADPP CMAX of interval 1, 2, 3 in AVISIT DAY 1, 2, 3 (AVISITN, VISITNUM, VISITDY numbers), R's values;
    SDTM PP the same visits; TRTP/TRTA = ARM/ACTARM in ADPP and ADNCA, no note."""
    said = _multiple_dose(tmp_path)
    adpp, meta = pyreadstat.read_xport(str(tmp_path / "adpp.xpt"))
    cmax = adpp[adpp["PARAMCD"] == "CMAX"]
    for subject, scale in SCALE.items():
        own = cmax[cmax["USUBJID"] == subject].sort_values("DOSENUM")
        assert own["AVAL"].tolist() == pytest.approx([scale * c for c in R_CMAX], rel=1e-12)
        assert (
            own["AVISITN"].tolist() == own["VISITNUM"].tolist() == own["VISITDY"].tolist() == [1.0, 2.0, 3.0]
        )
        assert own["AVISIT"].tolist() == own["VISIT"].tolist() == ["DAY 1", "DAY 2", "DAY 3"]
    assert {meta.readstat_variable_types[c] for c in ("AVISITN", "VISITNUM", "VISITDY")} == {"double"}
    pp, pp_meta = pyreadstat.read_xport(str(tmp_path / "sdtm-pp.xpt"))
    pp_cmax = pp[pp["PPTESTCD"] == "CMAX"]
    assert pp_cmax["VISITNUM"].tolist() == [1.0, 2.0, 3.0] * 2 and pp_meta.file_label == PP_DATASET_LABEL
    assert not pp.duplicated(["USUBJID", "PPTESTCD", "VISITNUM", "PPRFTDTC"]).any()
    adnca = pyreadstat.read_xport(str(tmp_path / "adnca.xpt"))[0]
    for records in (adpp, adnca):
        assert records["TRTP"].tolist() == records["TRTA"].tolist() == records["USUBJID"].map(ARMS).tolist()
    assert "has no TRTP" not in said


def test_adnca_nfrlt_of_later_doses_is_admirals(tmp_path: Path) -> None:
    """NFRLT of every sample = R's admiral derive_var_nfrlt (the pre-dose samples 5 min before the Day 2 and
    Day 3 doses 23.917 h and 47.917 h, the one before the first dose -5 min); NRRLT = PCELTM; no note. Without
    VISITDY, NFRLT after the first dose is empty and said (the Day 1 samples keep PCELTM)."""
    said = _multiple_dose(tmp_path)
    adnca = pyreadstat.read_xport(str(tmp_path / "adnca.xpt"))[0]
    elapsed = np.tile([*ELAPSED, *ELAPSED, *ELAPSED, 24.0], len(SCALE))
    np.testing.assert_allclose(adnca["NFRLT"], np.tile(R_NFRLT, len(SCALE)), rtol=0, atol=1e-9)
    np.testing.assert_allclose(adnca["NRRLT"], elapsed, rtol=0, atol=1e-9)
    assert LATER_DOSE_NFRLT_NOTE.split("(")[0].strip() not in said

    said = _multiple_dose(tmp_path, _pc().drop(columns="VISITDY"))
    nfrlt = pyreadstat.read_xport(str(tmp_path / "adnca.xpt"))[0]["NFRLT"].to_numpy()
    day1 = np.tile([True] * 6 + [False] * 13, len(SCALE))
    np.testing.assert_allclose(nfrlt[day1], elapsed[day1], rtol=0, atol=1e-9)
    assert np.isnan(nfrlt[~day1]).all() and LATER_DOSE_NFRLT_NOTE.split("(")[0].strip() in said


def test_a_profile_over_two_visits_keeps_numeric_visits_and_sdtm_labels(tmp_path: Path) -> None:
    """Single dose (Day 1 of S-1 and S-2) with the 24 h sample in visit DAY 2: every ADPP record's
    VISITNUM, VISITDY and AVISITN are missing and written as numbers (SDTM/ADaM types), VISITDY and TAETORD
    labelled as SDTMIG names them in ADPP and ADNCA, SDTM PP with its data set label. The 24 h sample's
    NFRLT is its PCELTM, 24 h (its reference dose is the first; admiral's formula would add a day for
    VISITDY 2)."""
    pc = _pc()
    pc = pc[pc["VISITNUM"] == 1].copy()
    late = pc.index.isin(pc.groupby("USUBJID").tail(1).index)
    pc["PCELTM"] = pc["PCELTM"].where(~late, "PT24H")
    pc["VISIT"] = pc["VISIT"].where(~late, "DAY 2")
    for name in ("VISITNUM", "VISITDY"):
        pc[name] = pc[name].where(~late, 2.0)
    pc["TAETORD"] = 1.0
    pc = pc.drop(columns="PCDTC")
    outputs = [f"--{name}={tmp_path / name}.xpt" for name in ("adpp", "adnca", "sdtm-pp")]
    _nca(tmp_path, pc, "--dose", "100", *outputs)
    assert pyreadstat.read_xport(str(tmp_path / "sdtm-pp.xpt"), metadataonly=True)[1].file_label == (
        PP_DATASET_LABEL
    )
    adpp, meta = pyreadstat.read_xport(str(tmp_path / "adpp.xpt"))
    for name in ("VISITNUM", "VISITDY", "AVISITN"):
        assert meta.readstat_variable_types[name] == "double" and adpp[name].isna().all(), name
    adnca, adnca_meta = pyreadstat.read_xport(str(tmp_path / "adnca.xpt"))
    for labels in (meta.column_names_to_labels, adnca_meta.column_names_to_labels):
        assert labels["VISITDY"] == "Planned Study Day of Visit"
        assert labels["TAETORD"] == "Planned Order of Element within Arm"
    assert adnca.loc[adnca["VISITDY"] == 2, "NFRLT"].tolist() == pytest.approx([24.0, 24.0], abs=1e-9)


def test_adnca_doseu_is_the_dose_unit(tmp_path: Path) -> None:
    """ADNCA DOSEU = EXDOSU ("mg") beside DOSEA (the pharmaverse admiral ADPC template ``DOSEU = EXDOSU``),
    labelled "Treatment Dose Units"; DOSEA the EXDOSE, 100 (neither before the first dose). A plain table
    without a dose unit: no DOSEU.
    Before, DOSEA had no unit."""
    _multiple_dose(tmp_path)
    adnca, meta = pyreadstat.read_xport(str(tmp_path / "adnca.xpt"))
    given = adnca["DOSEA"].notna()  # not the sample before the first dose
    assert set(adnca.loc[given, "DOSEU"]) == {"mg"} and set(adnca.loc[given, "DOSEA"]) == {100.0}
    assert set(adnca.loc[~given, "DOSEU"]) == {""} and (~given).sum() == len(SCALE)
    assert meta.column_names_to_labels["DOSEU"] == "Treatment Dose Units"
    assert meta.column_names.index("DOSEU") == meta.column_names.index("DOSEA") + 1
    plain = pd.DataFrame({"subject": 1, "time": [0.0, 1.0, 2.0, 4.0], "conc": [0.0, 5.0, 4.0, 2.0]})
    _nca(tmp_path, plain, "--dose", "100", "--adnca", str(tmp_path / "plain.csv"))
    assert "DOSEU" not in pd.read_csv(tmp_path / "plain.csv").columns
