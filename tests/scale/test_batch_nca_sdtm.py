"""Batch NCA of SDTM PC (+ EX) domains: read by the rules of ``bioparity nca`` (io.nca_input), the same
numbers to 1e-12, and bad input refused naming the file, row and column.

The numbers of ``bioparity nca`` on these domains are checked against PKNCA 0.12.1 and hand calculations in
tests/nca/test_nca_sdtm_units.py and tests/nca/test_nca_input_spec.py; here batch NCA (the CLI on one file,
:func:`nca_dask` on Parquet parts cut across subjects, so that the profiles are shuffled) must give them too.
"""

from __future__ import annotations

from pathlib import Path

import dask
import numpy as np
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.errors import DataFileError, InputError
from bioparity.io.sdtm import hours_to_iso8601
from bioparity.nca import NCAOptions, NCASpec
from bioparity.scale import nca_dask
from tests.conftest import REFERENCE
from tests.nca.test_nca_sdtm_units import theoph_domains

runner = CliRunner()
#: Theoph's 132 rows cut into 5 Parquet parts (27, 27, 26, 26, 26 rows): parts start at these rows.
STARTS = (0, 27, 54, 80, 106)


@pytest.fixture
def theoph() -> pd.DataFrame:
    d = pd.read_csv(REFERENCE / "nca" / "theoph.csv")
    d["dose_mg"] = d["Dose"] * d["Wt"]
    return d


@pytest.fixture
def domains(
    theoph: pd.DataFrame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[pd.DataFrame, ...]:
    """PC and EX of Theoph in the working directory (messages name the files as given): pc.csv, ex.csv."""
    monkeypatch.chdir(tmp_path)
    pc, ex = theoph_domains(theoph)
    pc.to_csv("pc.csv", index=False)
    ex.to_csv("ex.csv", index=False)
    return pc, ex


def _parts(pc: pd.DataFrame, name: str = "parts") -> str:
    Path(name).mkdir()
    for i, rows in enumerate(np.array_split(np.arange(len(pc)), len(STARTS))):
        pc.iloc[rows].to_parquet(f"{name}/part{i}.parquet", index=False)
    return name


def _lazy(source: str, spec: NCASpec | None = None, dosing: str | None = None) -> None:
    """:func:`nca_dask` in this process (relative paths; the scale tests' cluster may be the default)."""
    with dask.config.set(scheduler="synchronous"):
        nca_dask(source, spec, dosing=dosing)


def _batch(source: str, spec: NCASpec | None = None, dosing: str | None = None) -> pd.DataFrame:
    with dask.config.set(scheduler="synchronous"):
        lazy, _shuffled = nca_dask(source, spec, dosing=dosing)
        frame: pd.DataFrame = lazy.compute()  # type: ignore[no-untyped-call]
    return frame


def _cli(*args: object) -> tuple[int, str]:
    result = runner.invoke(app, [str(a) for a in args])
    return result.exit_code, result.output


def _values(table: pd.DataFrame) -> pd.Series:
    keys = [table[c].astype(str) for c in table.columns[: list(table.columns).index("start")]]
    index = pd.MultiIndex.from_arrays([*keys, table["PPTESTCD"].astype(str)])
    return pd.Series(table["PPSTRESN"].to_numpy(dtype=float), index=index).sort_index()


def test_pcdtc_times_and_infusion_durations_from_ex_give_the_numbers_of_bioparity_nca(
    theoph: pd.DataFrame, domains: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    """PC with PCDTC (actual times; PCELTM rounded to the hour) and EX with an intravenous infusion per
    subject (EXDUR: subject 9 for 2 h, the others 1 h): batch NCA takes the times PCDTC - EXSTDTC and each
    subject's duration as ``bioparity nca`` does: the same values to 1e-12 for every profile and parameter,
    and MRTIVIFO = AUMCIFO / AUCIFO - Tinf / 2 with each subject's own Tinf (Gabrielsson & Weiner 2016,
    ch. 2); AUCLST on the actual times is PKNCA 0.12.1's for Theoph."""
    pc, ex = domains
    pc["PCELTM"] = [hours_to_iso8601(round(t)) for t in theoph["Time"]]
    when = pd.Timestamp("2026-01-05T08:00") + pd.to_timedelta(theoph["Time"] * 3600.0, unit="s")
    pc["PCDTC"] = when.dt.strftime("%Y-%m-%dT%H:%M:%S").to_numpy()
    ex = ex.assign(EXROUTE="INTRAVENOUS", EXDUR=["PT2H" if s == "9" else "PT1H" for s in ex["USUBJID"]])
    pc.to_csv("pc_dtc.csv", index=False)
    pyreadstat.write_xport(ex, "ex_iv.xpt", table_name="EX", file_format_version=5)
    code, output = _cli(
        "nca", "pc_dtc.csv", "--out", "single.csv", "--dosing", "ex_iv.xpt", "--route", "iv-infusion"
    )
    assert code == 0, output
    single = pd.read_csv("single.csv", dtype={"subject": str})
    code, output = _cli("nca-batch", "pc_dtc.csv", "--out", "whole", "--dosing", "ex_iv.xpt", "--route",
                        "iv-infusion", "--workers", "0")  # fmt: skip
    assert code == 0, output
    parts = _batch(_parts(pc), NCASpec(options=NCAOptions(route="iv-infusion")), dosing="ex_iv.xpt")
    want = _values(single)
    for batch in (pd.read_parquet("whole"), parts):
        assert list(batch.columns) == list(single.columns)
        pd.testing.assert_series_equal(_values(batch), want, rtol=1e-12)
    got = want.droplevel(["STUDYID", "PCTESTCD", "PCSPEC", "PCRFTDTC"])  # PCRFTDTC: EXSTDTC (PC has none)
    for subject, hours in (("9", 2.0), ("1", 1.0)):
        mrt = got[(subject, "AUMCIFO")] / got[(subject, "AUCIFO")] - hours / 2
        assert got[(subject, "MRTIVIFO")] == pytest.approx(mrt, rel=1e-12)
    expected = pd.read_csv(REFERENCE / "expected" / "nca_theoph_linuplogdown.csv")
    auclast = expected.query("Subject == 1 and PPTESTCD == 'auclast'")["PPORRES"].item()
    assert got[("1", "AUCLST")] == pytest.approx(auclast, rel=1e-6)  # PCDTC, not the rounded PCELTM


def test_a_unit_that_changes_between_parts_is_refused_naming_both_rows(
    domains: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """PCSTRESU is one unit over all parts, as over one file (io.nca_input.one_unit): the first row that
    differs is named in its part, with the part and row of the first unit; a part without units whose
    rows have results is refused as a file would be; a --conc-unit that is not the file's too."""
    pc, _ex = domains
    mixed = pc.copy()
    mixed.loc[STARTS[2] + 4, "PCSTRESU"] = "ng/mL"  # part 2, row 5
    with pytest.raises(DataFileError) as refused:
        _lazy(_parts(mixed, "mixed"))
    assert str(refused.value).startswith(
        "mixed/part2.parquet, row 5, column 'PCSTRESU': the unit differs from 'mg/L' of "
        "mixed/part0.parquet, row 1 (got 'ng/mL')"
    )
    bare = pc.copy()
    bare.loc[STARTS[1] :, "PCSTRESU"] = ""  # parts 1 to 4 without units
    with pytest.raises(DataFileError) as refused:
        _lazy(_parts(bare, "bare"))
    assert str(refused.value).startswith(
        "bare/part1.parquet, row 1, column 'PCSTRESU': a result without its unit; expected 'mg/L', the unit "
        "of bare/part0.parquet, row 1"
    )
    with pytest.raises(DataFileError, match=r"^parts/part0.parquet, row 1, column 'PCSTRESU': --conc-unit "
                       r"'ng/mL' is not the unit of the file \(got 'mg/L'\)"):  # fmt: skip
        _lazy(_parts(pc), NCASpec(conc_unit="ng/mL"))
    # one file read whole: the message of bioparity nca (tests/nca/test_nca_sdtm_units.py)
    mixed.to_csv("mixed.csv", index=False)
    code, output = _cli("nca-batch", "mixed.csv", "--out", "out", "--workers", "0")
    assert code == 2 and not Path("out").exists()
    assert (
        "mixed.csv, row 59 (line 60), column 'PCSTRESU': the unit differs from 'mg/L' of row 1 (line 2) "
        "(got 'ng/mL')" in output
    )


def test_ex_problems_are_refused_as_bioparity_nca_refuses_them(
    domains: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """A sampled subject without a dose record (named at its first sample, in its part), a dose that is not
    > 0 (EX row), two doses given, repeated doses (multiple-dose NCA, not run in batch: the subject
    named) and plain dose records (not an EX domain)."""
    pc, ex = domains
    parts = _parts(pc)
    ex[ex["USUBJID"] != "9"].to_csv("ex8.csv", index=False)
    with pytest.raises(DataFileError) as refused:
        _batch(parts, dosing="ex8.csv")  # subject 9: rows 89-99 of the data, part 3 from row 81
    assert str(refused.value).startswith(
        "parts/part3.parquet, row 9, column 'USUBJID': no dose record for this subject in ex8.csv"
    )
    code, output = _cli("nca-batch", "pc.csv", "--out", "out", "--dosing", "ex8.csv", "--workers", "0")
    assert code == 2
    assert "pc.csv, row 89 (line 90), column 'USUBJID': no dose record for this subject in ex8.csv" in output
    ex.assign(EXDOSE=np.where(ex["USUBJID"] == "3", 0.0, ex["EXDOSE"])).to_csv("ex0.csv", index=False)
    with pytest.raises(DataFileError, match=r"^ex0.csv, row 3 \(line 4\), column 'EXDOSE': not a dose > 0"):
        _batch(parts, dosing="ex0.csv")
    with pytest.raises(InputError, match=r"two doses given: --dosing ex\.csv"):
        _lazy(parts, NCASpec(dose=320.0), dosing="ex.csv")
    pd.concat([ex, ex.assign(EXSTDTC="2026-01-05T20:00")]).to_csv("ex2.csv", index=False)
    with pytest.raises(InputError, match=r"ex2\.csv: 2 dose records for subject 1: multiple-dose NCA, "
                       r"which batch NCA runs with --tau"):  # fmt: skip
        _lazy(parts, dosing="ex2.csv")
    pd.DataFrame({"subject": ["1"], "time": [0.0], "dose": [320.0]}).to_csv("doses.csv", index=False)
    with pytest.raises(DataFileError, match=r"^doses\.csv: not an SDTM EX domain"):
        _lazy(parts, dosing="doses.csv")


def test_a_bad_pc_cell_is_located_in_its_part_and_file(domains: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    pc, _ex = domains
    bad = pc.astype({"PCELTM": object})
    bad.loc[STARTS[4] + 6, "PCELTM"] = "2 hours"  # part 4, row 7
    with pytest.raises(DataFileError) as refused:
        _batch(_parts(bad))
    assert str(refused.value).startswith(
        "parts/part4.parquet, row 7, column 'PCELTM': not an ISO 8601 duration (got '2 hours')"
    )
    bad.to_csv("bad.csv", index=False)
    code, output = _cli("nca-batch", "bad.csv", "--out", "out", "--workers", "0")
    assert code == 2 and "bad.csv, row 113 (line 114), column 'PCELTM': not an ISO 8601 duration" in output


def test_a_grouping_column_given_splits_pc_profiles_in_bioparity_nca_and_batch(
    domains: tuple[pd.DataFrame, pd.DataFrame],
) -> None:
    """``--group VISIT`` on a PC domain holding two visits of every subject (the second with the
    concentrations doubled): 24 profiles, the same in both; without it the times go back within a profile."""
    pc, _ex = domains
    both = pd.concat([pc.assign(VISIT="DAY 1"), pc.assign(VISIT="DAY 8", PCSTRESN=2.0 * pc["PCSTRESN"])])
    both.to_csv("visits.csv", index=False)
    code, output = _cli("nca", "visits.csv", "--out", "nca.csv", "--dose", "320")
    assert code == 2 and "earlier than the previous sample of the same profile" in output
    code, output = _cli("nca", "visits.csv", "--out", "nca.csv", "--dose", "320", "--group", "VISIT")
    assert code == 0, output
    single = pd.read_csv("nca.csv", dtype={"subject": str})
    assert list(single.columns[:5]) == ["STUDYID", "PCTESTCD", "PCSPEC", "VISIT", "subject"]
    assert len(single.drop_duplicates(["VISIT", "subject"])) == 24
    batch = _batch(_parts(both), NCASpec(dose=320.0, groups=("VISIT",)))
    pd.testing.assert_series_equal(_values(batch), _values(single), rtol=1e-12)
    cmax = _values(single).xs("CMAX", level=-1).droplevel(["STUDYID", "PCTESTCD", "PCSPEC"])
    assert cmax[("DAY 8", "1")] == pytest.approx(2.0 * cmax[("DAY 1", "1")], rel=1e-12)
