"""ADNCA nominal times: NRRLT (nominal relative time from reference dose) and NFRLT (from first dose), units
RRLTU/FRLTU, ADaMIG for Non-compartmental Analysis Input Data v1.0 (timing variables; pharmaverse admiral
``derive_var_nfrlt``), from SDTM PC PCELTM, the planned elapsed time from the reference time point
(SDTMIG v3.4, PC). Before, ADNCA had neither. Expected values are the PCELTM texts of the PC file read
here with plain string slicing ("PT<h>H"), to 1e-9 h.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.cli.nca import LATER_DOSE_NFRLT_NOTE, NO_NOMINAL_TIMES_NOTE
from tests.nca.test_nca_crossover_periods import crossover_pc


def _run(pc: pd.DataFrame, tmp_path: Path) -> tuple[pd.DataFrame, str]:
    pc.to_csv(tmp_path / "pc.csv", index=False)
    args = ["nca", str(tmp_path / "pc.csv"), "--out", str(tmp_path / "nca.csv"), "--dose", "320"]
    run = CliRunner().invoke(app, [*args, "--adnca", str(tmp_path / "adnca.xpt")])
    assert run.exit_code == 0, run.output
    return pyreadstat.read_xport(str(tmp_path / "adnca.xpt"))[0], " ".join(run.output.split())


def test_nrrlt_is_pceltm_and_nfrlt_only_after_the_first_dose(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """The crossover: NRRLT = PCELTM in both periods; NFRLT = PCELTM in period 1 (its reference dose is the
    first) and empty in period 2 (the PC gives no nominal time of the period 2 dose since the first: not
    made up), said on the terminal."""
    pc = crossover_pc(theoph)
    records, said = _run(pc, tmp_path)
    elapsed = pc["PCELTM"].str.slice(2, -1).astype(float).to_numpy()
    first = (
        pd.to_datetime(pc["PCRFTDTC"])
        == pd.to_datetime(pc["PCRFTDTC"]).groupby(pc["USUBJID"]).transform("min")
    ).to_numpy()
    assert records["USUBJID"].tolist() == pc["USUBJID"].tolist()
    np.testing.assert_allclose(records["NRRLT"], elapsed, rtol=0, atol=1e-9)
    np.testing.assert_allclose(records["NFRLT"][first], elapsed[first], rtol=0, atol=1e-9)
    assert records["NFRLT"][~first].isna().all() and (~first).sum() == len(pc) // 2
    assert set(records["FRLTU"]) == set(records["RRLTU"]) == {"h"}
    assert LATER_DOSE_NFRLT_NOTE.split("(")[0].strip() in said
    labels = pyreadstat.read_xport(str(tmp_path / "adnca.xpt"), metadataonly=True)[1].column_names_to_labels
    assert labels["NRRLT"] == "Nominal Rel Time from Ref Dose"


def test_without_pceltm_adnca_has_no_nominal_times_and_says_so(theoph: pd.DataFrame, tmp_path: Path) -> None:
    """A PC with PCTPTNUM (an ordering number) and no PCELTM: no NFRLT/NRRLT written, and a note says why."""
    pc = crossover_pc(theoph)
    pc = pc[pc["USUBJID"] == "X1-1"].drop(columns=["PCRFTDTC", "PCDTC"]).copy()
    pc["PCTPTNUM"] = pc.pop("PCELTM").str.slice(2, -1).astype(float)
    pc = pc.drop_duplicates("PCTPTNUM")
    records, said = _run(pc, tmp_path)
    assert not {"NFRLT", "NRRLT", "FRLTU", "RRLTU"} & set(records.columns)
    assert NO_NOMINAL_TIMES_NOTE.split(":")[1].strip() in said
