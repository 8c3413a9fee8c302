"""``bioparity nca``: every input format gives the PKNCA reference numbers; SDTM PC in, PP out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.io.sdtm import hours_to_iso8601, iso8601_duration_hours

PKNCA_TO_CODE = {
    "aucinf.obs": "AUCIFO",
    "cl.obs": "CLFO",
    "lambda.z": "LAMZ",
    "cmax": "CMAX",
    "vz.obs": "VZFO",
}


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(app, ["nca", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _check_against_reference(out: Path, expected: pd.DataFrame, subject_col: str) -> None:
    got = pd.read_csv(out)
    got["subj"] = got[subject_col].astype(str).str.replace("THEO-", "", regex=False).astype(int)
    values = got.set_index(["subj", "PPTESTCD"])["PPSTRESN"]
    exp = expected[expected["PPTESTCD"].isin(list(PKNCA_TO_CODE))]
    actual = [values.loc[(s, PKNCA_TO_CODE[p])] for s, p in zip(exp["Subject"], exp["PPTESTCD"], strict=True)]
    np.testing.assert_allclose(actual, exp["PPORRES"].to_numpy(dtype=float), rtol=1e-6)


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet", "xpt"])
def test_every_input_format_reproduces_pknca(
    tmp_path: Path, theoph: pd.DataFrame, theoph_expected: pd.DataFrame, fmt: str
) -> None:
    src = tmp_path / f"theoph.{fmt}"
    data = theoph.rename(columns={"Subject": "SUBJ", "Time": "TIME", "conc": "CONC", "dose_mg": "DOSEMG"})
    if fmt == "csv":
        data.to_csv(src, index=False)
    elif fmt == "xlsx":
        data.to_excel(src, index=False)
    elif fmt == "parquet":
        data.to_parquet(src)
    else:
        pyreadstat.write_xport(data, str(src), file_format_version=5)
    out = tmp_path / "out.csv"
    _invoke(
        str(src),
        "--out",
        str(out),
        "--subject",
        "SUBJ",
        "--time",
        "TIME",
        "--conc",
        "CONC",
        "--dose",
        "DOSEMG",
    )
    _check_against_reference(out, theoph_expected, "SUBJ")


def _pc_domain(theoph: pd.DataFrame) -> pd.DataFrame:
    pc = pd.DataFrame(
        {
            "STUDYID": "THEO01",
            "DOMAIN": "PC",
            "USUBJID": "THEO-" + theoph["Subject"].astype(str),
            "PCTESTCD": "THEOPH",
            "PCSTRESN": theoph["conc"].astype(float),
            "PCSTRESC": theoph["conc"].map(lambda v: f"{v:g}"),
            "PCLLOQ": 0.1,
            "PCELTM": [hours_to_iso8601(t) for t in theoph["Time"]],
            "DOSEMG": theoph["dose_mg"],
        }
    )
    blq = pc["PCSTRESN"] < 0.1
    pc.loc[blq, "PCSTRESC"] = "<0.1"
    pc.loc[blq, "PCSTRESN"] = np.nan
    return pc


def test_sdtm_pc_is_detected_and_pp_is_written(
    tmp_path: Path, theoph: pd.DataFrame, theoph_expected: pd.DataFrame
) -> None:
    src = tmp_path / "pc.xpt"
    pyreadstat.write_xport(_pc_domain(theoph), str(src), table_name="PC", file_format_version=5)
    out, pp_path = tmp_path / "out.csv", tmp_path / "pp.xpt"
    output = _invoke(str(src), "--out", str(out), "--dose", "DOSEMG", "--sdtm-pp", str(pp_path))
    assert "SDTM PC domain detected" in output
    _check_against_reference(out, theoph_expected, "subject")
    pp, meta = pyreadstat.read_xport(str(pp_path))
    assert meta.table_name == "PP"
    assert set(pp["DOMAIN"]) == {"PP"}
    assert {"STUDYID", "USUBJID", "PPSEQ", "PPTESTCD", "PPTEST", "PPSTRESN", "PPSTAT", "PPREASND"} <= set(
        pp.columns
    )
    row = pp[(pp["USUBJID"] == "THEO-1") & (pp["PPTESTCD"] == "AUCIFO")]
    exp = theoph_expected[(theoph_expected["Subject"] == 1) & (theoph_expected["PPTESTCD"] == "aucinf.obs")]
    assert row["PPSTRESN"].iloc[0] == pytest.approx(exp["PPORRES"].iloc[0], rel=1e-6)
    assert set(pp["STUDYID"]) == {"THEO01"} and set(pp["PPCAT"]) == {"THEOPH"}


def test_indometh_iv_bolus_from_the_command_line(tmp_path: Path, indometh: pd.DataFrame) -> None:
    src = tmp_path / "indometh.csv"
    indometh.to_csv(src, index=False)
    out = tmp_path / "out.csv"
    _invoke(str(src), "--out", str(out), "--subject", "Subject", "--route", "iv-bolus", "--interval", "0,2")
    got = pd.read_csv(out)
    assert set(got["Subject"]) == set(indometh["Subject"])
    assert {"C0", "AUCINT", "MRTIVIFO"} <= set(got["PPTESTCD"])
    assert got.loc[got["PPTESTCD"] == "AUCLST", "PPSTRESN"].notna().all()


@pytest.mark.parametrize(
    ("text", "hours"),
    [("PT1H30M", 1.5), ("-PT15M", -0.25), ("P1DT2H", 26.0), ("PT0H", 0.0), ("PT45S", 0.0125)],
)
def test_iso8601_elapsed_times(text: str, hours: float) -> None:
    assert iso8601_duration_hours(text) == pytest.approx(hours)


def test_selected_parameters_constant_dose_and_manual_lambda_z(tmp_path: Path, theoph: pd.DataFrame) -> None:
    src = tmp_path / "theoph.csv"
    theoph.to_csv(src, index=False)
    points = tmp_path / "points.csv"
    points.write_text(
        "Subject,lambda_z_start,lambda_z_end,lambda_z_reason\n1,5,24.5,protocol: last 4 samples\n"
    )
    out = tmp_path / "out.csv"
    _invoke(
        str(src), "--out", str(out), "--subject", "Subject", "--time", "Time", "--dose", "320",
        "--parameters", "LAMZ,LAMZNPT,CLFO", "--lambda-z-points", str(points),
    )  # fmt: skip
    got = pd.read_csv(out, keep_default_na=False)
    assert set(got["PPTESTCD"]) == {"LAMZ", "LAMZNPT", "CLFO"}
    s1 = theoph[theoph["Subject"] == 1]
    last4 = s1[s1["Time"] >= 5]
    slope = np.polyfit(last4["Time"], np.log(last4["conc"]), 1)[0]
    row = got[(got["Subject"] == 1) & (got["PPTESTCD"] == "LAMZ")].iloc[0]
    assert float(row["PPSTRESN"]) == pytest.approx(-slope, rel=1e-10)
    assert "protocol: last 4 samples" in row["reason"] and row["flag_lambda_z_manual"]
    other = got[(got["Subject"] == 2) & (got["PPTESTCD"] == "LAMZ")].iloc[0]
    assert not other["flag_lambda_z_manual"] and other["reason"] == ""
