"""CDISC SDTM EX dose records into the plain dosing table, and infusion durations in multiple dosing.

Expected times are ISO 8601 date-time arithmetic (hours between two date-times) and SDTM study-day
conventions (SDTMIG: day 1 is the reference start date, there is no day 0, the day before day 1 is -1);
the route mapping follows the CDISC ROUTE codelist terms (INTRAVENOUS, INTRAVENOUS BOLUS, ORAL, ...).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from bioparity.errors import DataFileError
from bioparity.io.sdtm import first_dose_datetimes, is_sdtm_ex, pc_hours_since, read_sdtm_ex
from bioparity.nca import NCAOptions, nca
from bioparity.nca.multiple.intervals import nca_multiple_dose

EX = pd.DataFrame(
    {
        "STUDYID": "S1",
        "DOMAIN": "EX",
        "USUBJID": ["S1-001", "S1-001", "S1-001", "S1-002", "S1-002"],
        "EXTRT": "DRUG X",
        "EXDOSE": [100, 100, 50, 10, 10],
        "EXDOSU": "mg",
        "EXROUTE": ["INTRAVENOUS", "INTRAVENOUS", "INTRAVENOUS BOLUS", "ORAL", "ORAL"],
        "EXSTDTC": ["2021-03-01T08:00", "2021-03-02T08:00", "2021-03-03T09:30", "2021-03-01T20:00",
                    "2021-03-02T08:00:00"],
        "EXENDTC": ["2021-03-01T09:00", "2021-03-02T08:30", "", "", ""],
        "EXDUR": ["", "PT45M", "", "", ""],
    }
)  # fmt: skip


def test_ex_domain_becomes_dose_records() -> None:
    assert is_sdtm_ex(EX)
    d = read_sdtm_ex(EX, file="ex.xpt")
    assert list(d["subject"]) == ["S1-001", "S1-001", "S1-001", "S1-002", "S1-002"]
    assert list(d["time"]) == [0.0, 24.0, 49.5, 0.0, 12.0]  # hours since each subject's first dose
    assert list(d["dose"]) == [100.0, 100.0, 50.0, 10.0, 10.0]
    # EXDUR wins over EXENDTC - EXSTDTC (45 min, not 30); blank for bolus and oral
    np.testing.assert_array_equal(d["duration"], [1.0, 0.75, np.nan, np.nan, np.nan])
    assert list(d["route"]) == ["iv-infusion", "iv-infusion", "iv-bolus", "extravascular", "extravascular"]
    assert list(d["STUDYID"]) == ["S1"] * 5 and list(d["EXDOSU"]) == ["mg"] * 5


def test_study_days_and_a_shared_clock_with_pc() -> None:
    days = EX.drop(columns=["EXSTDTC", "EXENDTC"]).assign(EXSTDY=[1, 2, 3, -1, 1])
    assert list(read_sdtm_ex(days)["time"]) == [0.0, 24.0, 48.0, -24.0, 0.0]
    origin = first_dose_datetimes(EX)
    pc = pd.DataFrame({"USUBJID": ["S1-001", "S1-002"], "PCDTC": ["2021-03-01T10:15", "2021-03-02T07:00"]})
    np.testing.assert_allclose(pc_hours_since(pc, origin), [2.25, 11.0])
    with pytest.raises(DataFileError, match="PCDTC"):
        pc_hours_since(pc.drop(columns="PCDTC"), origin)


def test_bad_ex_records_name_row_and_column() -> None:
    bad = EX.copy()
    bad.loc[2, "EXSTDTC"] = "03/03/2021"
    with pytest.raises(DataFileError, match="EXSTDTC") as e:
        read_sdtm_ex(bad, file="ex.csv")
    assert "row 3" in str(e.value)
    bad = EX.copy()
    bad.loc[1, "EXDUR"] = "45 minutes"
    with pytest.raises(DataFileError, match="EXDUR"):
        read_sdtm_ex(bad)


def test_infusion_duration_per_dose_sets_the_terminal_phase() -> None:
    """Two 2-h infusions 24 h apart: the terminal phase after the last dose uses only samples after its end,
    exactly as a single-dose NCA of the last interval with the same duration (the same samples)."""
    t_rel = np.array([0.0, 0.5, 1.0, 1.5, 3.0, 4.0, 6.0, 8.0, 12.0])
    c = np.array([1.0, 20.0, 19.0, 18.0, 12.0, 9.0, 5.0, 3.0, 1.0])
    frame = pd.DataFrame({"subject": 1, "time": np.concatenate([t_rel, 24.0 + t_rel]),
                          "conc": np.concatenate([c, 1.2 * c])})  # fmt: skip
    doses = pd.DataFrame(
        {"subject": [1, 1], "time": [0.0, 24.0], "dose": [50.0, 50.0], "duration": [2.0, 2.0]}
    )
    opts = NCAOptions(route="iv-infusion")
    md = nca_multiple_dose(frame, doses, tau=24.0, options=opts)
    assert list(md.intervals["duration"]) == [2.0, 2.0]
    single = nca(pd.DataFrame({"subject": 1, "time": t_rel, "conc": 1.2 * c}), options=opts, duration=2.0)
    assert md.terminal.value("LAMZLL")[0] > 2.0
    for code in ("LAMZ", "LAMZLL", "LAMZNPT"):
        assert md.terminal.value(code)[0] == pytest.approx(single.value(code)[0], rel=1e-12)
