"""``bioparity potency``: the command line contract of issue #19 (columns, CI, combination, errors)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.potency import combine_assays
from tests.potency._ref import FOLDER, ref, write_three_assays, write_three_parallel_line_assays

runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["potency", *args])
    return result.exit_code, result.output


def test_4pl_row_has_the_contract_columns_and_r_values(tmp_path: Path) -> None:
    out = tmp_path / "rp.csv"
    code, text = _run(str(FOLDER / "data_4pl.csv"), "--model", "4pl", "--out", str(out))
    assert code == 0, text
    table = pd.read_csv(out)
    assert len(table) == 1
    for col in ("assay", "sample", "model", "relative_potency", "ci_lower", "ci_upper", "param_b", "flags"):
        assert col in table.columns
    row = table.iloc[0]
    r = ref("4pl")
    assert (row["assay"], row["sample"], row["model"]) == ("A1", "test", "4pl")
    assert row["relative_potency"] == pytest.approx(r["relative_potency"], rel=1e-6)
    assert row["ci_lower"] == pytest.approx(r["ci_lower"], rel=1e-6)
    assert row["ci_upper"] == pytest.approx(r["ci_upper"], rel=1e-6)
    assert row["similarity_ph_eur"] == "pass"
    assert row["similarity_usp1032"] == "not assessed"
    prov = json.loads((tmp_path / "rp.csv.provenance.json").read_text())
    assert prov["options"]["model"] == "4pl"


def test_conf_level_and_margins_file(tmp_path: Path) -> None:
    margins = tmp_path / "m.csv"
    margins.write_text("measure,lower,upper\nslope_ratio,0.8,1.25\n")
    out = tmp_path / "rp.csv"
    code, text = _run(
        str(FOLDER / "data_parallel_line_rb.csv"),
        "--model",
        "parallel-line",
        "--out",
        str(out),
        "--equivalence-margins",
        str(margins),
        "--conf-level",
        "0.90",
    )
    assert code == 0, text
    row = pd.read_csv(out).iloc[0]
    assert row["conf_level"] == 0.90
    assert row["ci_method"] == "Fieller"
    assert row["equiv_slope_ratio_margins"] == "0.8,1.25"
    lo, hi = row["equiv_slope_ratio_ci_lower"], row["equiv_slope_ratio_ci_upper"]
    assert row["similarity_usp1032"] == ("pass" if lo >= 0.8 and hi <= 1.25 else "fail")
    # 90% Fieller limits sit inside the 95% ones
    r = ref("pl_rb")
    assert r["ci_lower"] < row["ci_lower"] < row["relative_potency"] < row["ci_upper"] < r["ci_upper"]


def test_combine_adds_one_row_per_sample(tmp_path: Path) -> None:
    data = write_three_assays(tmp_path / "three.csv")
    out = tmp_path / "rp.csv"
    code, text = _run(str(data), "--model", "4pl", "--out", str(out), "--combine")
    assert code == 0, text
    table = pd.read_csv(out)
    assert list(table["assay"]) == ["A1", "A2", "A3", "combined"]
    per = table.iloc[:3]
    comb = combine_assays(per["relative_potency"], per["ci_lower"], per["ci_upper"], per["df"])
    last = table.iloc[3]
    assert last["combination_method"] == comb.method
    assert last["relative_potency"] == pytest.approx(comb.potency, rel=1e-12)
    assert last["n_assays"] == 3


def test_column_mapping_and_xlsx(tmp_path: Path) -> None:
    frame = pd.read_csv(FOLDER / "data_slope_ratio.csv").rename(columns={"dose": "conc", "response": "od"})
    xlsx = tmp_path / "sr.xlsx"
    frame.to_excel(xlsx, index=False)
    out = tmp_path / "rp.csv"
    code, text = _run(
        str(xlsx), "--model", "slope-ratio", "--out", str(out), "--dose", "conc", "--response", "od"
    )
    assert code == 0, text
    assert pd.read_csv(out).iloc[0]["relative_potency"] == pytest.approx(
        ref("sr")["relative_potency"], rel=1e-9
    )


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            lambda f: f.assign(response=f["response"].astype(object).where(f.index != 2, "n/a")),
            "row 3 (line 4), column 'response'",
        ),
        (lambda f: f.assign(dose=f["dose"].where(f.index != 4, -1.0)), "row 5 (line 6), column 'dose'"),
        (  # a blank well at dose 0: no log dose for the 4PL model
            lambda f: f.assign(dose=f["dose"].where(f.index != 6, 0.0)),
            "row 7 (line 8), column 'dose': dose <= 0 (got '0'); expected a dose > 0 (the 4pl, 5pl and "
            "parallel-line models use log dose",
        ),
        (lambda f: f.drop(columns="replicate"), "missing column(s) 'replicate'"),
        (
            lambda f: pd.concat([f, f.iloc[[0]]]),
            "row 49 (line 50), column 'replicate': duplicate of data row 1",
        ),
        (  # before: "assay 'A1' has no rows ..." without the file, row or column
            lambda f: f.assign(sample=f["sample"].replace("standard", "ref")),
            "bad.csv, row 1 (line 2), column 'sample': assay 'A1' has no rows of sample 'standard'",
        ),
        (  # a plate of the reference standard alone
            lambda f: pd.concat([f, f[f["sample"] == "standard"].assign(assay="A2")]),
            "bad.csv, row 49 (line 50), column 'sample': assay 'A2' has only the standard; add at least one "
            "test sample (got 'standard'); expected rows of sample 'standard' and of at least one test "
            "sample in every assay",
        ),
    ],
)
def test_bad_input_names_file_row_and_column(tmp_path: Path, edit: object, expected: str) -> None:
    data = tmp_path / "bad.csv"
    edit(pd.read_csv(FOLDER / "data_4pl.csv")).to_csv(data, index=False)  # type: ignore[operator]
    out = tmp_path / "rp.csv"
    code, text = _run(str(data), "--model", "4pl", "--out", str(out))
    assert code == 2
    assert expected in text
    assert not out.exists()


def test_unknown_model_and_margin_measure_are_errors(tmp_path: Path) -> None:
    out = tmp_path / "rp.csv"
    code, text = _run(str(FOLDER / "data_4pl.csv"), "--model", "3pl", "--out", str(out))
    assert code == 2 and "--model '3pl'" in text
    margins = tmp_path / "m.csv"
    margins.write_text("measure,lower,upper\nintercept_difference,-1,1\n")
    code, text = _run(
        str(FOLDER / "data_4pl.csv"),
        "--model",
        "4pl",
        "--out",
        str(out),
        "--equivalence-margins",
        str(margins),
    )
    assert code == 2 and "do not apply to the 4pl model" in text


def test_transform_and_joint_fit_reproduce_ph_eur_5_1_4(tmp_path: Path) -> None:
    out = tmp_path / "rp.csv"
    data = str(FOLDER / "pheur_5_1_4_hepatitis_b.csv")
    code, text = _run(data, "--model", "parallel-line", "--out", str(out), "--transform", "log")
    assert code == 0, text
    table = pd.read_csv(out)
    assert list(table["sample"]) == ["T", "U", "V"]
    # Ph. Eur. 5.3 example 5.1.4, printed potency of T: 43.4196 (assumed potency 20)
    assert 20 * table["relative_potency"].loc[0] == pytest.approx(43.4196, abs=5e-5)
    pair = tmp_path / "pair.csv"
    code, text = _run(
        data, "--model", "parallel-line", "--out", str(pair), "--transform", "log", "--pairwise"
    )
    assert code == 0, text
    # pairwise fits use only the standard and one test: a different residual error, so other limits
    assert pd.read_csv(pair)["df"].loc[0] < table["df"].loc[0]


def test_the_terminal_says_the_relative_potency_is_a_ratio_without_unit(tmp_path: Path) -> None:
    """CMC units review: ``RP 1.581`` alone does not say whether it is a ratio or a percentage; the line
    states the test/standard ratio and the same as % of the standard (R reference value, 4 digits)."""
    code, text = _run(str(FOLDER / "data_4pl.csv"), "--model", "4pl", "--out", str(tmp_path / "rp.csv"))
    assert code == 0, text
    rp = ref("4pl")["relative_potency"]
    assert f"RP {rp:.4g} (test/standard ratio, no unit: {100 * rp:.4g}% of the standard)" in " ".join(
        text.split()
    )


def test_the_terminal_gives_the_ci_level_and_the_combined_potency(tmp_path: Path) -> None:
    """Review of the terminal output: the CI had no level and ``--combine`` printed nothing of the combined
    potency (only the CSV had it). Values: R 4.2.2 by hand on the same plates (lm with the cell-means
    residual, Fieller, Ph. Eur. 5.3 section 6.2 semi-weighted over the valid assays P1 and P3), 4 digits."""
    plates = write_three_parallel_line_assays(tmp_path / "three.csv")
    code, text = _run(str(plates), "--model", "parallel-line", "--combine", "--out", str(tmp_path / "rp.csv"))
    assert code == 0, text
    words = " ".join(text.split())
    assert "of the standard), 95% CI [1.073, 1.135] Ph.Eur. pass" in words  # P1: 1.07312904627, 1.13490243424
    assert (
        "combined sample T1 over 2 assays (semi-weighted): RP 1.052 (105.2% of the standard), 95% CI "
        "[0.5756, 1.924] FLAGS: assays left out (a validity test or suitability criterion failed): P2"
    ) in words


def test_the_terminal_lines_are_in_the_command_language(tmp_path: Path) -> None:
    """zh-CN: the verdicts, the combination estimator and the flags in Chinese (before: 'Ph.Eur. pass',
    'USP<1032> not assessed', '(3 次测定，semi-weighted)' and the English flag); the CSV keeps the codes."""
    base = pd.read_csv(FOLDER / "data_4pl.csv")
    parts = []
    for k, factor in enumerate((1.0, 1.5, 0.7)):  # three assays whose potencies disagree: semi-weighted
        part = base.copy()
        part["assay"] = f"A{k + 1}"
        part["dose"] = part["dose"].astype(float).where(part["sample"] != "test", part["dose"] * factor)
        parts.append(part)
    data = tmp_path / "three.csv"
    pd.concat(parts).to_csv(data, index=False)
    out = tmp_path / "rp.csv"
    result = runner.invoke(
        app, ["--lang", "zh-CN", "potency", str(data), "--model", "4pl", "--out", str(out), "--combine"]
    )
    assert result.exit_code == 0, result.output
    text = result.output
    assert text.count("Ph.Eur. 通过，USP<1032> 未评估") == 3
    assert "（3 次测定，半加权）" in text and "效价估计值不同质（卡方 p = " in text
    for english in ("pass", "not assessed", "semi-weighted", "heterogeneous"):
        assert english not in text
    table = pd.read_csv(out)
    assert list(table["similarity_ph_eur"].iloc[:3]) == ["pass"] * 3
    assert table["combination_method"].iloc[3] == "semi-weighted"
