"""A reviewer's lambda_z choices file (``bioparity nca --review``, the workspace NCA option ``review``).

Numbers are checked against values computed elsewhere: lambda_z of the chosen points against an ordinary
least-squares fit of ln(conc) on time (numpy.polyfit, Gabrielsson & Weiner section 2.8.4), the parameters
that do not depend on lambda_z against PKNCA 0.12.1 on R's Theoph (tests/data/reference/expected).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses.nca import nca_kind
from bioparity.cli.main import app
from bioparity.errors import DataFileError, InputError
from bioparity.io.review import read_review
from bioparity.nca import Where, nca
from bioparity.nca.review import choices_frame, review_tables
from tests.conftest import REFERENCE

LZ = ["CMAX", "AUCLST", "LAMZ", "LAMZNPT", "LAMZLL", "AUCIFO"]
KEYS = ["Subject"]


def _choices(*rows: tuple[object, object, str, str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["Subject", "time", "action", "reason"])


def _ols_lambda_z(theoph: pd.DataFrame, subject: int, times: list[float]) -> float:
    sel = theoph[(theoph["Subject"] == subject) & theoph["Time"].isin(times)]
    return float(-np.polyfit(sel["Time"], np.log(sel["conc"]), 1)[0])


def _run(theoph: pd.DataFrame, choices: pd.DataFrame) -> pd.DataFrame:
    excl, incl = review_tables(choices, theoph, keys=KEYS, time="Time", conc="conc")
    res = nca(theoph, subject="Subject", time="Time", conc="conc", parameters=LZ,
              lambda_z_exclude=excl, lambda_z_include=incl)  # fmt: skip
    return res.to_frame()


def _value(long: pd.DataFrame, subject: int, code: str) -> float:
    return float(long[(long["Subject"] == subject) & (long["PPTESTCD"] == code)]["PPSTRESN"].iloc[0])


def test_exclude_and_include_points(theoph: pd.DataFrame) -> None:
    long = _run(
        theoph,
        _choices(
            (1, 9.05, "exclude", "haemolysed sample"),
            (3, 3.62, "include", "SAP 7.2"),
            (3, 5.08, "INCLUDE", "SAP 7.2"),
            (3, 24.17, "include", "SAP 7.2"),
        ),
    )  # fmt: skip
    start = _value(long, 1, "LAMZLL")
    used = [t for t in theoph.loc[theoph["Subject"] == 1, "Time"] if t >= start and t != 9.05]
    assert _value(long, 1, "LAMZ") == pytest.approx(_ols_lambda_z(theoph, 1, used), rel=1e-10)
    assert _value(long, 3, "LAMZ") == pytest.approx(_ols_lambda_z(theoph, 3, [3.62, 5.08, 24.17]), rel=1e-10)
    lamz = long[long["PPTESTCD"] == "LAMZ"].set_index("Subject")
    assert "excluded by user: t=9.05: haemolysed sample" in lamz["lambda_z_method"].loc[1]
    assert "SAP 7.2" in lamz["reason"].loc[3]


def test_whole_profile_excluded_keeps_cmax_and_auclast(
    theoph: pd.DataFrame, theoph_expected: pd.DataFrame
) -> None:
    long = _run(theoph, _choices((2, "", "exclude", "vomited at 1 h (2 x Tmax rule)")))
    assert np.isnan(_value(long, 2, "LAMZ")) and np.isnan(_value(long, 2, "AUCIFO"))
    ref = theoph_expected[
        (theoph_expected["Subject"] == 2) & (theoph_expected["auc_method"] == "lin up/log down")
    ]
    values = ref.set_index("PPTESTCD")["PPORRES"]
    assert _value(long, 2, "CMAX") == pytest.approx(values["cmax"], rel=1e-12)
    assert _value(long, 2, "AUCLST") == pytest.approx(values["auclast"], rel=1e-10)
    method = long[(long["Subject"] == 2) & (long["PPTESTCD"] == "LAMZ")]["lambda_z_method"].iloc[0]
    assert "whole profile excluded from lambda_z: vomited at 1 h" in method
    assert _value(long, 1, "LAMZ") == pytest.approx(ref_lamz(theoph_expected, 1), rel=1e-10)


def ref_lamz(expected: pd.DataFrame, subject: int) -> float:
    sel = expected[(expected["Subject"] == subject) & (expected["auc_method"] == "lin up/log down")]
    return float(sel.set_index("PPTESTCD")["PPORRES"]["lambda.z"])


@pytest.mark.parametrize(
    ("row", "column", "problem"),
    [
        ((1, 9.05, "drop", "x"), "action", "unknown action"),
        ((1, 9.05, "exclude", " "), "reason", "empty reason"),
        ((99, 9.05, "exclude", "x"), "Subject", "no such profile"),
        ((1, 12.0, "exclude", "x"), "time", "no sample at this time"),
        ((1, "", "include", "x"), "time", "include needs a time"),
        ((1, "late", "exclude", "x"), "time", "not a number"),
    ],
)
def test_bad_choices_name_row_line_and_column(
    theoph: pd.DataFrame, row: tuple[object, object, str, str], column: str, problem: str
) -> None:
    choices = _choices((1, 0.25, "exclude", "ok"), row)
    with pytest.raises(DataFileError) as err:
        review_tables(choices, theoph, keys=KEYS, time="Time", conc="conc", where=Where(file="c.csv"))
    assert problem in str(err.value)
    assert (err.value.file, err.value.row, err.value.line, err.value.column) == ("c.csv", 2, 3, column)


def test_a_point_chosen_twice_or_missing_columns_is_refused(theoph: pd.DataFrame) -> None:
    twice = _choices((1, 9.05, "exclude", "a"), (1, 9.05, "include", "b"))
    with pytest.raises(DataFileError, match="point chosen twice"):
        review_tables(twice, theoph, keys=KEYS, time="Time", conc="conc")
    with pytest.raises(DataFileError, match="missing column"):
        review_tables(twice.drop(columns="reason"), theoph, keys=KEYS, time="Time", conc="conc")
    with pytest.raises(InputError, match="expected a list"):
        choices_frame({"subject": 1})  # type: ignore[arg-type]


def test_cli_review_csv_and_json_equal_the_workspace_option(theoph: pd.DataFrame, tmp_path: Path) -> None:
    data = theoph.rename(columns={"Subject": "subject", "Time": "time"})[["subject", "time", "conc"]]
    data.to_csv(tmp_path / "theoph.csv", index=False)
    records = [
        {"subject": 1, "time": 9.05, "action": "exclude", "reason": "haemolysed sample"},
        {"subject": 2, "time": "", "action": "exclude", "reason": "vomited"},
    ]
    pd.DataFrame(records).to_csv(tmp_path / "choices.csv", index=False)
    (tmp_path / "choices.json").write_text(json.dumps({"choices": records}))
    result = nca_kind(data, {"review": records})
    web = pd.DataFrame(result["rows"], columns=result["columns"])
    for name in ("choices.csv", "choices.json"):
        out = tmp_path / f"pp-{name}.csv"
        run = CliRunner().invoke(
            app, ["nca", str(tmp_path / "theoph.csv"), "--out", str(out), "--review", str(tmp_path / name)]
        )
        assert run.exit_code == 0, run.output
        cli = pd.read_csv(out)
        merged = web.merge(cli, on=["subject", "PPTESTCD"], suffixes=("_web", "_cli"), validate="one_to_one")
        assert len(merged) == len(web) == len(cli)
        np.testing.assert_allclose(merged["PPSTRESN_cli"], merged["PPSTRESN_web"], rtol=1e-12, equal_nan=True)
        assert np.isnan(_value(cli.rename(columns={"subject": "Subject"}), 2, "LAMZ"))  # whole profile


def test_cli_review_errors_name_the_file_and_refuse_mixing(theoph: pd.DataFrame, tmp_path: Path) -> None:
    pd.DataFrame([{"Subject": 1, "time": 9.05, "action": "exclude", "reason": ""}]).to_csv(
        tmp_path / "bad.csv", index=False
    )
    out = tmp_path / "pp.csv"
    args = ["nca", str(REFERENCE / "nca" / "theoph.csv"), "--out", str(out), "--subject", "Subject",
            "--time", "Time", "--review", str(tmp_path / "bad.csv")]  # fmt: skip
    run = CliRunner().invoke(app, args)
    assert run.exit_code != 0 and "bad.csv" in run.output and "empty reason" in run.output
    assert "line 2" in run.output and "reason" in run.output
    assert not out.exists()
    run = CliRunner().invoke(app, [*args, "--lambda-z-exclude", str(tmp_path / "bad.csv")])
    assert run.exit_code != 0 and "--review and --lambda-z-exclude" in run.output


def test_read_review_json_list(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps([{"subject": "A", "time": "", "action": "exclude", "reason": "r"}]))
    frame, where = read_review(path)
    assert frame.to_dict(orient="records") == [
        {"subject": "A", "time": "", "action": "exclude", "reason": "r"}
    ]
    assert where.file == str(path)


@pytest.mark.parametrize("flag", ["--review", "--lambda-z-exclude"])
def test_cli_refuses_lambda_z_choices_with_repeated_doses(
    theoph: pd.DataFrame, tmp_path: Path, flag: str
) -> None:
    """With two doses per subject (multiple-dose NCA) lambda_z is the best fit after the last dose: a
    reviewer's choices were silently ignored (the run ended 0, the choices not applied); now refused, no
    output written. With one dose per subject the same file still applies (single-dose NCA)."""
    theoph[["Subject", "Time", "conc"]].to_csv(tmp_path / "pk.csv", index=False)
    doses = pd.DataFrame({"Subject": [1, 1], "time": [0.0, 12.0], "dose": [320.0, 320.0]})
    doses.to_csv(tmp_path / "doses.csv", index=False)
    choices = tmp_path / "choices.csv"
    if flag == "--review":
        choices.write_text("Subject,time,action,reason\n1,24.37,exclude,haemolysed\n")
    else:
        choices.write_text("Subject,lambda_z_time,lambda_z_reason\n1,24.37,haemolysed\n")
    out = tmp_path / "md.csv"
    args = ["nca", str(tmp_path / "pk.csv"), "--subject", "Subject", "--time", "Time", "--out", str(out)]
    run = CliRunner().invoke(
        app, [*args, "--dosing", str(tmp_path / "doses.csv"), "--tau", "12", flag, str(choices)]
    )
    assert run.exit_code != 0 and f"{flag}: lambda_z choices apply to single-dose NCA" in run.output
    assert not out.exists()
    assert CliRunner().invoke(app, [*args, flag, str(choices)]).exit_code == 0  # single dose: applied
