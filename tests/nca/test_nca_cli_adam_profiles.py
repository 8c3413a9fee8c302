"""``bioparity nca --sdtm-pp/--adpp/--adnca`` keep a subject's profiles apart and write SAS transport v5.

* Two analytes of a plain file (column ``analyte``: total antibody TAB and conjugated ADC): SDTM PP holds
  the analyte in PPCAT (SDTMIG v3.4, PP domain), ADPP and ADNCA carry it (ANALYTE), so no two records have
  the same subject, analyte, parameter and interval (before, 168 duplicate PP keys: the analytes were lost).
* A multiple-dose ADPP as ``.xpt``: the dosing interval under an 8-character name (DOSENUM; SAS transport
  v5 allows no longer name: ``DOSE_NUMBER`` stopped the run with a traceback).
* ADNCA of an SDTM PC input: STUDYID is the study's (it was empty), the analyte carried (PCTESTCD).
* A table SAS transport v5 cannot hold: a one-line error, the file before it left unchanged.
* A 2x2 crossover: ADPP carries the treatment and period as TRTA and APERIOD (ADaMIG v1.3, section 3.3).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.io.adam import write_adam
from bioparity.io.tables_out import OutputFileError
from tests.analyses.test_nca_analytes import _concentrations
from tests.nca.test_nca_cli_summary import _crossover, adc_pc_domain
from tests.nca.test_nca_multiple_dose_workspace import TAU, write_domains


def _nca(*args: str | Path | float) -> str:
    run = CliRunner().invoke(app, ["nca", *map(str, args)])
    assert run.exit_code == 0, run.output
    return run.output


def test_two_analytes_of_a_plain_file_are_told_apart_in_pp_adpp_and_adnca(tmp_path: Path) -> None:
    data = _concentrations()
    path = tmp_path / "adc.csv"
    data.to_csv(path, index=False)
    pp, adpp, adnca = tmp_path / "pp.xpt", tmp_path / "adpp.csv", tmp_path / "adnca.csv"
    _nca(path, "--out", tmp_path / "out.csv", "--sdtm-pp", pp, "--adpp", adpp, "--adnca", adnca)
    domain, _meta = pyreadstat.read_xport(str(pp))
    assert sorted(set(domain["PPCAT"])) == ["ADC", "TAB"]
    assert not domain.duplicated(["USUBJID", "PPCAT", "PPTESTCD", "PPSTINT", "PPENINT"]).any()
    records = pd.read_csv(adpp)
    assert not records.duplicated(["USUBJID", "PARCAT1", "PARAMCD", "PPSTINT", "PPENINT"]).any()
    assert set(records["ARM"]) == {"R", "T"}
    # Cmax of each subject and analyte in ADPP: the largest concentration of that analyte's profile
    cmax = records[records["PPTESTCD"] == "CMAX"].set_index(["USUBJID", "ANALYTE"])["AVAL"].sort_index()
    peaks = data.groupby(["subject", "analyte"])["conc"].max().sort_index()
    np.testing.assert_array_equal(cmax.to_numpy(), peaks.to_numpy())
    samples = pd.read_csv(adnca)
    assert list(samples["ANALYTE"]) == list(data["analyte"])
    np.testing.assert_array_equal(samples["AVAL"], data["conc"])


def test_a_multiple_dose_adpp_is_written_as_sas_transport(tmp_path: Path) -> None:
    pc, ex = write_domains(tmp_path)
    out, adpp, adnca = tmp_path / "pp.csv", tmp_path / "adpp.xpt", tmp_path / "adnca.xpt"
    said = _nca(pc, "--dosing", ex, "--tau", TAU, "--out", out, "--adpp", adpp, "--adnca", adnca)
    assert f"wrote ADPP to {adpp}" in said
    records, _meta = pyreadstat.read_xport(str(adpp))
    long = pd.read_csv(out)
    np.testing.assert_array_equal(records["DOSENUM"].to_numpy(), long["dose_number"].to_numpy())
    assert not records.duplicated(["USUBJID", "PCTESTCD", "PARAMCD", "DOSENUM"]).any()
    samples, _meta = pyreadstat.read_xport(str(adnca))
    assert set(samples["STUDYID"]) == {"MD-1"} and set(samples["PCTESTCD"]) == {"DRUG"}


def test_adnca_of_an_sdtm_pc_domain_keeps_its_studyid_and_analytes(tmp_path: Path) -> None:
    data = _concentrations()
    pc = adc_pc_domain(data)
    path = tmp_path / "pc.csv"
    pc.to_csv(path, index=False)
    adnca = tmp_path / "adnca.csv"
    _nca(path, "--out", tmp_path / "out.csv", "--adnca", adnca)
    samples = pd.read_csv(adnca)
    assert set(samples["STUDYID"]) == {"ADC-1"}
    assert list(samples["PCTESTCD"]) == list(data["analyte"]) and set(samples["AVALU"]) == {"ug/mL"}


def test_a_crossover_adpp_names_treatment_and_period(tmp_path: Path) -> None:
    path = tmp_path / "xo.csv"
    _crossover().to_csv(path, index=False)
    adpp = tmp_path / "adpp.xpt"
    _nca(path, "--dose", "100", "--out", tmp_path / "out.csv", "--adpp", adpp)
    records, _meta = pyreadstat.read_xport(str(adpp))
    assert {"TRTA", "APERIOD", "TRTSEQA"} <= set(records.columns)
    assert not records.duplicated(["USUBJID", "APERIOD", "PARAMCD"]).any()
    first = records[records["APERIOD"] == 1].groupby("USUBJID")["TRTA"].first().to_dict()
    assert first == {"S1": "T", "S2": "R", "S3": "T", "S4": "R"}  # the sequences TR, RT, TR, RT


def test_a_transport_file_the_format_cannot_hold_is_an_error_and_leaves_the_old_file(tmp_path: Path) -> None:
    """SAS transport v5 allows names of 8 characters: a longer one is a one-line OutputFileError naming the
    file (it was a pyreadstat traceback), and a file already there is left as it was (not half-written)."""
    path = tmp_path / "adpp.xpt"
    write_adam(pd.DataFrame({"USUBJID": ["A"], "AVAL": [1.0]}), path, "ADPP")
    before = path.read_bytes()
    with pytest.raises(OutputFileError, match=r"cannot write .*adpp\.xpt.* as SAS transport v5"):
        write_adam(pd.DataFrame({"USUBJID": ["A"], "DOSE_NUMBER": [1]}), path, "ADPP")
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["adpp.xpt"]
    records, _meta = pyreadstat.read_xport(str(path))
    assert records["AVAL"].tolist() == [1.0]
