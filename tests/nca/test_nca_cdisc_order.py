"""SDTM PP and ADaM ADPP records in the order of their keys, whatever the order of the PC file.

SDTMIG v3.3/v3.4, sections 3.2.1 and 4.1.9: a domain's records are sorted by its keys (for PP: STUDYID,
USUBJID, PPCAT, PPSPEC, PPRFTDTC, PPGRPID; a profile's parameters in the NCA's order), and PPSEQ numbers a
subject's records 1..n; ADPP (ADaMIG v1.3 BDS: USUBJID, PARAMCD, timing variables) in the same order.
Before, both were written in the order the PC file listed the subjects and periods in (here subject X1-6
first and subject X1-3's period 2 before its period 1).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat
from typer.testing import CliRunner

from bioparity.cli.main import app
from tests.nca.test_nca_crossover_periods import crossover_pc


def test_pp_and_adpp_are_sorted_by_their_keys_and_ppseq_follows(theoph: pd.DataFrame, tmp_path: Path) -> None:
    pc = crossover_pc(theoph).sort_values("USUBJID", ascending=False, kind="stable")  # X1-6 first
    pc.to_csv(tmp_path / "pc.csv", index=False)
    args = ["nca", str(tmp_path / "pc.csv"), "--out", str(tmp_path / "nca.csv"), "--dose", "320"]
    args += ["--sdtm-pp", str(tmp_path / "pp.xpt"), "--adpp", str(tmp_path / "adpp.xpt")]
    run = CliRunner().invoke(app, args)
    assert run.exit_code == 0, run.output
    pp = pyreadstat.read_xport(str(tmp_path / "pp.xpt"))[0]
    keys = ["USUBJID", "PPRFTDTC"]
    assert pp[keys].equals(pp[keys].sort_values(keys).reset_index(drop=True))
    assert pp["USUBJID"].iloc[0] == "X1-1"
    assert pp["PPRFTDTC"].iloc[0] < pp["PPRFTDTC"].iloc[-1]
    expected = pp.groupby("USUBJID").cumcount() + 1  # 1..n per subject in the sorted order
    assert pp["PPSEQ"].astype(int).tolist() == expected.tolist()
    table = pd.read_csv(tmp_path / "nca.csv")  # a profile's parameters in the order of the NCA table
    first = table[(table["subject"] == "X1-1") & (table["period"] == 1)]["PPTESTCD"].tolist()
    assert pp["PPTESTCD"].iloc[: len(first)].tolist() == first
    adpp = pyreadstat.read_xport(str(tmp_path / "adpp.xpt"))[0]
    keys = ["USUBJID", "APERIOD"]
    assert adpp[keys].equals(adpp[keys].sort_values(keys).reset_index(drop=True))
    assert adpp["USUBJID"].iloc[0] == "X1-1"
