"""The command-line contract of the clinical commands."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    "command",
    [["ci-diff"], ["ci-ratio"], ["ci-means"], ["samplesize-prop"], ["samplesize-means"], ["ada-summary"]],
)
def test_every_clinical_command_has_help(command: list[str]) -> None:
    code, out, _ = invoke(*command, "--help")
    assert code == 0 and "Usage" in out


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("newcombe", (0.0524, 0.3339)),
        ("mn", (0.0528, 0.3382)),
        ("fm", (0.0533, 0.3377)),
        ("wald", (0.0575, 0.3425)),
    ],
)
def test_ci_diff_json_contract(method: str, expected: tuple[float, float]) -> None:
    """Test vector T16: Newcombe (1998) Table II, example (a)."""
    code, out, _ = invoke(
        "ci-diff",
        "--x1",
        "56",
        "--n1",
        "70",
        "--x2",
        "48",
        "--n2",
        "80",
        "--method",
        method,
        "--conf",
        "0.95",
        "--format",
        "json",
    )
    assert code == 0
    record = json.loads(out)
    assert list(record)[:3] == ["diff", "lower", "upper"]
    assert record["diff"] == pytest.approx(0.2, abs=1e-12)
    assert (record["lower"], record["upper"]) == pytest.approx(expected, abs=5e-5)


def test_ci_diff_with_margin_states_the_level() -> None:
    code, out, _ = invoke(
        "ci-diff",
        "--x1",
        "60",
        "--n1",
        "100",
        "--x2",
        "58",
        "--n2",
        "100",
        "--conf",
        "0.9",
        "--margin",
        "0.15",
        "--format",
        "json",
    )
    record = json.loads(out)
    assert code == 0 and record["equivalent"] is True
    assert record["ci_statement"] == "two-sided 90% CI (TOST at alpha = 0.05 per side)"


def test_ci_ratio_and_ci_means_json() -> None:
    code, out, _ = invoke(
        "ci-ratio", "--x1", "7", "--n1", "34", "--x2", "1", "--n2", "34", "--format", "json"
    )
    assert code == 0
    r = json.loads(out)
    assert (r["ratio"], r["lower"], r["upper"]) == pytest.approx((7.0, 1.2209, 42.5757), abs=5e-5)
    code, out, _ = invoke(
        "ci-means",
        "--mean1",
        "0.75",
        "--sd1",
        "1.7890096577591623",
        "--n1",
        "10",
        "--mean2",
        "2.33",
        "--sd2",
        "2.002248735796829",
        "--n2",
        "10",
        "--format",
        "json",
    )
    m = json.loads(out)
    assert code == 0 and (m["lower"], m["upper"]) == pytest.approx((-3.3654832, 0.2054832), abs=1e-7)


def test_samplesize_commands_json() -> None:
    code, out, _ = invoke(
        "samplesize-prop",
        "--p1",
        "0.6",
        "--p2",
        "0.6",
        "--margin",
        "0.15",
        "--format",
        "json",
        "--alpha",
        "0.05",
    )
    assert code == 0 and json.loads(out)["n2"] == 183  # Chow et al. closed form: ceil(182.7)
    assert json.loads(out)["level"] == "90% two-sided CI (set explicitly; EMA preset not used)"
    code, out, _ = invoke(
        "samplesize-means", "--sd", "1", "--margin", "0.5", "--format", "json", "--method", "normal",
        "--region", "fda",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["n2"] == 69  # ceil(68.51)


@pytest.mark.parametrize(("region", "n", "level"), [("ema", 213, 0.95), ("fda", 174, 0.90)])
def test_region_preset_sets_the_planning_level(region: str, n: int, level: float) -> None:
    """Issue 27: p 0.65, margin +/-15%, 80% power. Chow, Shao & Wang (2008) section 4.2 closed form
    n = (z(1-alpha) + z(0.9))^2 2 p q / m^2: EMA 95% CI (ICH E9 3.3.2) 212.5 -> 213, FDA 90% 173.2 -> 174."""
    code, out, _ = invoke(
        "samplesize-prop", "--p1", "0.65", "--p2", "0.65", "--margin", "0.15", "--format", "json",
        "--region", region,
    )  # fmt: skip
    record = json.loads(out)
    assert code == 0 and record["n2"] == n and record["ci_level"] == level and record["region"] == region
    assert record["level"] == f"{100 * level:g}% two-sided CI ({region.upper()} preset)"


def test_ci_commands_default_to_the_ema_level_and_state_it() -> None:
    """The interval and the sample size use the same preset: EMA 95% by default, FDA 90%."""
    args = ["ci-diff", "--x1", "56", "--n1", "70", "--x2", "48", "--n2", "80", "--format", "json"]
    ema = json.loads(invoke(*args)[1])
    fda = json.loads(invoke(*args, "--region", "fda")[1])
    assert (ema["conf"], ema["ci_level"], fda["conf"]) == (0.95, 0.95, 0.90)
    assert (ema["lower"], ema["upper"]) == pytest.approx((0.0524, 0.3339), abs=5e-5)  # Newcombe (1998) (a)
    assert fda["level"] == "90% two-sided CI (FDA preset)"
    for command in (["ci-ratio", "--x1", "7", "--n1", "34", "--x2", "1", "--n2", "34"],):
        assert json.loads(invoke(*command, "--format", "json", "--region", "fda")[1])["conf"] == 0.90
    code, _, err = invoke(*args, "--region", "pmda")
    assert code == 2 and "unknown --region" in err


def test_ci_diff_stratified_command(tmp_path: Path) -> None:
    """Stratified Newcombe (Yan & Su 2010) and stratified MN on the CLI; one stratum = the plain interval."""
    src = tmp_path / "strata.csv"
    src.write_text("stratum,x1,n1,x2,n2\ncentre-1,56,70,48,80\n")
    for method, expected in (("newcombe", (0.0524, 0.3339)), ("mn", (0.0528, 0.3382))):
        code, out, err = invoke(
            "ci-diff-stratified", "--strata", str(src), "--method", method, "--format", "json"
        )
        record = json.loads(out)
        assert code == 0, err
        assert (record["lower"], record["upper"]) == pytest.approx(expected, abs=5e-5)
        assert record["ci_level"] == 0.95 and record["method"] == method
    src.write_text("stratum,x1,n1,x2,n2\nA,20,30,20,40\nB,5,5,1,five\n")
    code, _, err = invoke("ci-diff-stratified", "--strata", str(src))
    assert code == 2 and "n2" in err


def test_invalid_input_exits_2_with_a_message() -> None:
    code, _, err = invoke("ci-diff", "--x1", "80", "--n1", "70", "--x2", "48", "--n2", "80")
    assert code == 2 and "x1" in err and "at most n1" in err
    code, _, err = invoke("samplesize-prop", "--p1", "0.6", "--p2", "0.6")
    assert code == 2 and "margins are required" in err


#: Difference margins given to the ratio command.
RATIO_DIFFERENCE_MARGINS = ("--margin-lower", "-0.2", "--margin-upper", "0.2")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["ci-diff", "--x1", "5", "--n1", "10", "--x2", "4", "--n2", "20", "--margin", "15"],
            "margin_lower = -15.0; expected a margin of p1 - p2 as a fraction between -1 and 1",
        ),
        (
            ["samplesize-prop", "--p1", "0.6", "--p2", "0.6", "--margin", "15"],
            "margin_lower = -15.0; expected a margin of p1 - p2 as a fraction between -1 and 1",
        ),
        (
            [*("ci-ratio", "--x1", "7", "--n1", "34", "--x2", "6", "--n2", "34"), *RATIO_DIFFERENCE_MARGINS],
            "margin_lower = -0.2; expected a ratio margin > 0 (e.g. 0.8 with margin_upper 1.25)",
        ),
        (
            ["samplesize-prop", "--p1", "0.6", "--p2", "0.8", "--margin", "0.15"],
            "p1 - p2 = -0.2; expected a true difference strictly inside the margins (-0.15, 0.15)",
        ),
    ],
)
def test_margins_impossible_on_the_scale_of_the_measure_are_refused(args: list[str], message: str) -> None:
    """Were: --margin 15 (percent for a fraction) gave "equivalent True" for 5/10 v 4/20 and n = 1 per group
    with power 1.0; difference margins given to ci-ratio gave "equivalent false" without a word."""
    code, out, err = invoke(*args)
    assert code == 2 and out == "" and message in err


def test_alpha_per_side_is_printed_without_rounding_noise() -> None:
    table_a = ("--x1", "56", "--n1", "70", "--x2", "48", "--n2", "80")  # Newcombe (1998) Table II (a)
    code, out, _ = invoke("ci-diff", *table_a, "--margin", "0.15", "--format", "json")
    assert code == 0 and '"alpha_per_side": 0.025,' in out  # was 0.025000000000000022


def test_region_help_names_the_option_each_command_has() -> None:
    """--region said "An explicit --conf/--alpha overrides it" on commands having only one of the two."""
    for command, own, other in (("ci-diff", "--conf", "--alpha"), ("samplesize-prop", "--alpha", "--conf")):
        code, out, _ = invoke(command, "--help")
        region = " ".join(out.split("--region", 1)[1].split("[default: ema]", 1)[0].replace("│", " ").split())
        assert code == 0 and f"An explicit {own} overrides it." in region and other not in region


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--conf", "95", "error: --conf = 95.0; expected a confidence level between 0 and 1"),
        ("--boost-fold", "0", "error: --boost-fold = 0.0; expected a titre ratio > 1 (e.g. 4)"),
    ],
)
def test_ada_summary_options_are_checked_as_options_not_as_the_listing(
    tmp_path: Path, option: str, value: str, message: str
) -> None:
    """Were "ADA.csv: conf = 95.0; ..." and "ADA.csv: boost fold = 0.0; ...": the listing blamed for them."""
    src = tmp_path / "ada.csv"
    src.write_text("USUBJID,ARM,VISIT,ADA\na,T,D29,POS\nc,R,D29,NEG\n")
    code, _, err = invoke("ada-summary", "--ada", str(src), "--out", str(tmp_path / "out.csv"), option, value)
    assert code == 2 and err.strip() == message and not (tmp_path / "out.csv").exists()


def test_ada_summary_writes_incidence_and_differences(tmp_path: Path) -> None:
    src = tmp_path / "ada.csv"
    pd.DataFrame(
        {
            "USUBJID": ["a", "b", "c", "d"],
            "ARM": ["T", "T", "R", "R"],
            "VISIT": ["D29"] * 4,
            "ADA": ["POS", "NEG", "NEG", "NEG"],
        }
    ).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    code, _, _ = invoke(
        "ada-summary",
        "--ada",
        str(src),
        "--out",
        str(out),
        "--reference-arm",
        "R",
        "--incidence",
        "any-visit",
    )
    assert code == 0
    table = pd.read_csv(out)
    assert set(table["table"]) == {"incidence", "difference"}
    row = table[(table["table"] == "incidence") & (table["arm"] == "T") & (table["timepoint"] == "D29")]
    assert row["n_positive"].item() == 1 and row["n_evaluable"].item() == 2


def test_ada_summary_bad_code_fails_without_output(tmp_path: Path) -> None:
    src = tmp_path / "ada.csv"
    src.write_text("USUBJID,ARM,VISIT,ADA\na,T,D29,maybe\n")
    out = tmp_path / "out.csv"
    code, _, err = invoke("ada-summary", "--ada", str(src), "--out", str(out))
    assert code == 2 and "maybe" in err and not out.exists()


#: Issue 27 toy case: 3 subjects per arm, baseline and day 29 (B1, B2 positive at baseline, no 4-fold boost).
TOY_LISTING = (
    "USUBJID,ARM,VISIT,ADA,TITRE\n"
    "B1,T,BASELINE,POS,20\nB1,T,D29,POS,40\nB2,T,BASELINE,POS,10\nB2,T,D29,POS,20\n"
    "B3,T,BASELINE,NEG,\nB3,T,D29,NEG,\nR1,R,BASELINE,NEG,\nR1,R,D29,POS,80\n"
    "R2,R,BASELINE,NEG,\nR2,R,D29,NEG,\nR3,R,BASELINE,NEG,\nR3,R,D29,NEG,\n"
)


def test_ada_summary_default_is_treatment_emergent(tmp_path: Path) -> None:
    """Issue 27 toy case: treatment-emergent 0 v 1/3 (FDA 2019 immunogenicity guidance; Shankar 2014)."""
    src = tmp_path / "ada.csv"
    src.write_text(TOY_LISTING)
    out = tmp_path / "out.csv"
    code, _, err = invoke("ada-summary", "--ada", str(src), "--out", str(out), "--reference-arm", "R")
    assert code == 0, err
    table = pd.read_csv(out)
    te = table[(table["table"] == "incidence") & (table["timepoint"] == "TREATMENT-EMERGENT")]
    assert te.set_index("arm")["incidence"].to_dict() == pytest.approx({"T": 0.0, "R": 1 / 3})
    base = table[(table["table"] == "incidence") & (table["timepoint"] == "BASELINE-PREVALENCE")].set_index(
        "arm"
    )
    assert base.loc["T", "incidence"] == pytest.approx(2 / 3)  # baseline prevalence reported separately
    diff = table[(table["table"] == "difference") & (table["timepoint"] == "TREATMENT-EMERGENT")]
    assert diff["diff"].item() == pytest.approx(-1 / 3)
    assert "OVERALL" not in set(table["timepoint"]) and set(table["incidence_definition"]) == {
        "treatment-emergent"
    }


def test_ada_summary_prints_the_summary_line_of_its_kind(tmp_path: Path) -> None:
    """The toy case above (counted by hand: treatment-emergent T 0 of 3, R 1 of 3; any visit T 2 of 3, R 1
    of 3) said on stdout in the words of ``bioparity run ada-summary``, not only "wrote 7 rows"."""
    src = tmp_path / "ada.csv"
    src.write_text(TOY_LISTING)
    out = tmp_path / "out.csv"
    code, said, err = invoke("ada-summary", "--ada", str(src), "--out", str(out), "--reference-arm", "R")
    assert code == 0, err
    assert said.strip() == "treatment-emergent ADA: T 0/3 (0.0%), R 1/3 (33.3%)"
    assert "wrote" in err
    code, said, err = invoke("ada-summary", "--ada", str(src), "--out", str(out), "--incidence", "any-visit")
    assert code == 0, err
    assert said.strip() == "any-visit ADA: T 2/3 (66.7%), R 1/3 (33.3%)"
