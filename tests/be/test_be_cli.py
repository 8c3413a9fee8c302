"""The command-line contract of ``bioparity be`` and ``bioparity pk-similarity`` (issue 4)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.cli.main import app

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "reference"
RDS = REFERENCE / "replicate_be"
EXPECTED = pd.read_csv(REFERENCE / "expected" / "replicate_be_methods_ab.csv")
CONTRACT = [
    "method",
    "n",
    "design",
    "pe",
    "ci_lower",
    "ci_upper",
    "cvwr",
    "cvwt",
    "lower_limit",
    "upper_limit",
    "df",
    "pass",
    "reasons",
]

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("method", ["abe", "ema-abel-a", "ema-abel-b", "fda-rsabe"])
def test_be_json_has_the_contract_keys_in_order(method: str) -> None:
    code, out, err = invoke("be", str(RDS / "rds02.csv"), "--method", method, "--format", "json")
    assert code == 0, err
    record = json.loads(out)
    assert list(record)[: len(CONTRACT)] == CONTRACT
    assert record["method"] == method and record["design"] == "TRR|RTR|RRT"
    assert record["cvwt"] is None  # partial replicate: CVwT not estimable
    assert isinstance(record["pass"], bool) and isinstance(record["reasons"], list)


def test_be_states_its_acceptance_rule_and_source_on_stderr() -> None:
    """The range, rounding and source (EMA 1401/98 Rev. 1, 4.1.8 / 4.1.10), as ``pk-similarity`` states its
    own; limits other than 80.00-125.00% said to be the options' (was: the limits without a source)."""
    code, out, err = invoke("be", str(RDS / "rds01.csv"), "--method", "ema-abel-a", "--format", "json")
    assert code == 0 and json.loads(out)["scaled"]
    assert "Acceptance (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.10" in err and "capped at CVwR 50%" in err
    code, _, err = invoke("be", str(RDS / "rds01.csv"), "--theta1", "0.9", "--format", "json")
    assert code == 0 and "within 90.00-111.11%" in err and "not the standard 80.00-125.00%" in err


def test_be_json_values_match_replicatebe() -> None:
    ref = EXPECTED[(EXPECTED["dataset"] == "rds01") & (EXPECTED["method"] == "B")].iloc[0]
    code, out, _ = invoke("be", str(RDS / "rds01.csv"), "--method", "ema-abel-b", "--format", "json")
    record = json.loads(out)
    assert code == 0
    assert record["pe"] == pytest.approx(ref["PE(%)"], rel=1e-6)
    assert record["ci_lower"] == pytest.approx(ref["CL.lo(%)"], rel=1e-6)
    assert record["ci_upper"] == pytest.approx(ref["CL.hi(%)"], rel=1e-6)
    assert record["lower_limit"] == pytest.approx(ref["L(%)"], rel=1e-12)
    assert record["pass"] is True and record["df"] == 217
    assert [o["subject"] for o in record["outliers"]] == ["45", "52"]


def test_be_table_is_readable() -> None:
    code, out, _ = invoke("be", str(RDS / "rds03.csv"), "--method", "ema-abel-a", "--format", "table")
    assert code == 0
    for word in ("ema-abel-a", "ci_lower", "TRT|RTR", "outlier", "reasons", "69.8368"):
        assert word in out


def test_be_rejects_a_bad_file_with_row_and_column(tmp_path: Path) -> None:
    frame = pd.read_csv(RDS / "rds02.csv")
    frame.loc[4, "treatment"] = "X"
    bad = tmp_path / "bad.csv"
    frame.to_csv(bad, index=False)
    code, _, err = invoke("be", str(bad), "--method", "abe", "--format", "json")
    assert code == 2
    assert "row 5" in err and "treatment" in err and "T (test) or R (reference)" in err
    code, _, err = invoke("be", str(RDS / "rds02.csv"), "--method", "nonsense")
    assert code == 2 and "ema-abel-a" in err


def pp_long(tmp_path: Path) -> tuple[Path, pd.DataFrame]:
    rng = np.random.default_rng(5)
    arms = np.repeat(["test", "eu-ref", "us-ref"], 20)
    rows = []
    wide_rows = []
    for i, arm in enumerate(arms, start=1):
        values = {
            m: float(np.exp(rng.normal(mu, 0.3))) for m, mu in (("CMAX", 4), ("AUCLST", 8), ("AUCIFO", 8.1))
        }
        if i == 7:
            values["AUCIFO"] = float("nan")  # e.g. lambda_z not estimable: no AUCIFO row
        wide_rows.append({"subject": f"S{i:02d}", "arm": arm, **values, "WT": 60 + i})
        for m, v in values.items():
            if not np.isnan(v):
                rows.append({"USUBJID": f"S{i:02d}", "TRT": arm, "PPTESTCD": m, "PPSTRESN": v, "WT": 60 + i})
        rows.append({"USUBJID": f"S{i:02d}", "TRT": arm, "PPTESTCD": "TMAX", "PPSTRESN": 2.0, "WT": 60 + i})
    long_path = tmp_path / "pp.csv"
    pd.DataFrame(rows).to_csv(long_path, index=False)
    return long_path, pd.DataFrame(wide_rows)


def test_pk_similarity_long_and_wide_agree(tmp_path: Path) -> None:
    long_path, wide = pp_long(tmp_path)
    wide_path = tmp_path / "wide.csv"
    wide.to_csv(wide_path, index=False)
    out1, out2 = tmp_path / "o1.csv", tmp_path / "o2.csv"
    old = ["--population", "available"]  # per-metric analysis population (the default before issue 27)
    code, _, err = invoke(
        "pk-similarity", str(long_path), "--arms", "test,eu-ref,us-ref", "--out", str(out1), *old
    )
    assert code == 0, err
    assert "AUCIFO: not analysed (missing value): test 1" in err
    code, _, err = invoke(
        "pk-similarity", str(wide_path), "--arms", "test,eu-ref,us-ref", "--out", str(out2), *old
    )
    assert code == 0, err
    a, b = pd.read_csv(out1), pd.read_csv(out2)
    assert len(a) == 9  # 3 metrics x 3 pairs
    assert list(a["metric"].unique()) == ["AUCIFO", "AUCLST", "CMAX"]
    assert list(a[["test_arm", "reference_arm"]].itertuples(index=False, name=None))[:3] == [
        ("test", "eu-ref"),
        ("test", "us-ref"),
        ("eu-ref", "us-ref"),
    ]
    pd.testing.assert_frame_equal(a, b)
    row = a[(a["metric"] == "AUCIFO") & (a["test_arm"] == "test")].iloc[0]
    assert row["n_test"] == 19 and row["n_missing_test"] == 1
    # Default variance model: Welch per comparison (FDA 2001 statistical guidance VI.C; issue 27).
    assert set(a["variance"]) == {"welch"} and {"gmr", "ci_lower", "ci_upper", "pass"} <= set(a.columns)
    assert set(a["population"]) == {"available"} and set(a["subgroup"]) == {"all"}


def test_pk_similarity_default_population_is_completers(tmp_path: Path) -> None:
    """Issue 27: the analysis applies the planning simulator's default population (completers)."""
    long_path, _ = pp_long(tmp_path)
    out = tmp_path / "o.csv"
    code, _, err = invoke("pk-similarity", str(long_path), "--arms", "test,eu-ref,us-ref", "--out", str(out))
    assert code == 0, err
    assert "AUCLST: not analysed (not a completer): test 1" in err and "AUCPEO" in err
    a = pd.read_csv(out)
    assert set(a["population"]) == {"completers"}
    assert set(a.loc[a["test_arm"] == "test", "n_test"]) == {19}


#: 3 arms x 6 subjects; P03 (test) and P10 (eu-ref) with %AUCext 25% and 31% (> 20%).
_SMALL = {
    "CMAX": [
        10.2,
        11.5,
        9.8,
        12.1,
        10.9,
        11.0,
        10.8,
        12.3,
        9.5,
        11.9,
        10.1,
        12.6,
        9.9,
        10.7,
        11.8,
        12.4,
        10.3,
        11.1,
    ],
    "AUCIFO": [520, 610, 480, 655, 590, 575, 560, 640, 470, 690, 515, 600, 500, 580, 630, 640, 545, 590],
    "AUCPEO": [5, 8, 25, 6, 4, 7, 6, 5, 9, 31, 7, 3, 4, 6, 5, 8, 9, 5],
}


def test_pk_similarity_aucpext_exclusion_names_the_subject_and_keeps_its_cmax(tmp_path: Path) -> None:
    """``--aucpext-rule exclude``: P03 and P10 (%AUCext > 20%) are left out of AUCIFO only and named by their
    subject id (was '#3', a row of the pivoted table); CMAX keeps all 6/6 (was 5/5). Expected values: R 4.2.2,
    ``t.test(log(a), log(b), conf.level = 0.90)`` (Welch), GMR and CI x 100, on this table."""
    frame = pd.DataFrame(
        {"subject": [f"P{i:02d}" for i in range(1, 19)], "arm": np.repeat(["test", "eu-ref", "us-ref"], 6)}
        | _SMALL
    )
    frame.to_csv(path := tmp_path / "pp.csv", index=False)
    out = tmp_path / "o.csv"
    code, _, err = invoke(
        "pk-similarity", str(path), "--arms", "test,eu-ref,us-ref", "--metrics", "AUCIFO,CMAX",
        "--aucpext-rule", "exclude", "--out", str(out),
    )  # fmt: skip
    assert code == 0, err
    assert "left out of AUCIFO only (AUC0-t and Cmax analysed): test P03, eu-ref P10" in err
    table = pd.read_csv(out)
    rows = {(r["metric"], r["test_arm"], r["reference_arm"]): r for r in table.to_dict("records")}
    r_values = {  # metric: n test, n reference, GMR, CI lower, CI upper (R 4.2.2)
        "CMAX": (6, 6, 97.7551278660, 88.1530263224, 108.4031419313),
        "AUCIFO": (5, 5, 106.2512380816, 93.7145575914, 120.4650150845),
    }
    for metric, (n_t, n_r, *ratios) in r_values.items():
        row = rows[(metric, "test", "eu-ref")]
        assert (row["n_test"], row["n_reference"]) == (n_t, n_r)
        assert [row["gmr"], row["ci_lower"], row["ci_upper"]] == pytest.approx(ratios, abs=1e-8)


def test_pk_similarity_ancova_and_welch_options(tmp_path: Path) -> None:
    long_path, _ = pp_long(tmp_path)
    out = tmp_path / "o.csv"
    code, _, err = invoke(
        "pk-similarity",
        str(long_path),
        "--arms",
        "test,eu-ref",
        "--metrics",
        "CMAX",
        "--covariates",
        "WT",
        "--out",
        str(out),
    )
    assert code == 0, err
    assert pd.read_csv(out)["covariates"].tolist() == ["WT"]
    code, _, err = invoke(
        "pk-similarity",
        str(long_path),
        "--arms",
        "test,eu-ref",
        "--variance",
        "pooled",
        "--covariates",
        "WT",
        "--out",
        str(out),
    )
    assert code == 0, err
    pooled = pd.read_csv(out).iloc[0]
    assert pooled["variance"] == "pooled" and pooled["covariates"] == "WT"


def test_pk_similarity_errors_name_the_problem(tmp_path: Path) -> None:
    long_path, _ = pp_long(tmp_path)
    out = tmp_path / "o.csv"
    code, _, err = invoke("pk-similarity", str(long_path), "--arms", "test,cn-ref", "--out", str(out))
    assert code == 2 and "cn-ref" in err and "eu-ref" in err
    assert not out.exists()
    frame = pd.read_csv(long_path)
    pd.concat([frame, frame.iloc[[0]]]).to_csv(long_path, index=False)
    code, _, err = invoke("pk-similarity", str(long_path), "--arms", "test,eu-ref", "--out", str(out))
    assert code == 2 and "second value of the same parameter" in err


def test_be_names_every_missing_pk_value_it_did_not_analyse(tmp_path: Path) -> None:
    """Was only "112 missing PK value(s) not analysed" / ``missing_values: 112``: which subject and period?
    replicateBE rds15 has 112 missing values, the first at subject 56, period 4 (T), data row 224."""
    code, out, err = invoke("be", str(RDS / "rds15.csv"), "--method", "ema-abel-a", "--format", "json")
    assert code == 0, err
    record = json.loads(out)
    cells = record["missing_cells"]
    assert record["missing_values"] == len(cells) == 112
    assert cells[:2] == [
        {"row": 224, "line": 225, "subject": "56", "period": "4", "treatment": "T"},
        {"row": 228, "line": 229, "subject": "57", "period": "4", "treatment": "T"},
    ]
    lines = err.rstrip().split("\n")  # the notes (missing values, reference scaling), then the rule
    note, statement = lines[0], lines[-1]
    assert len(lines) == 3 and "biosimilar PK similarity study" in lines[1]
    assert note.startswith(
        "note: 112 rows left out: row 224 (line 225) subject=56 period=4 treatment=T; "
        "row 228 (line 229) subject=57 period=4 treatment=T; "
    )
    assert note.count("row ") == 5 and note.endswith(" and 107 more (all in missing_cells)"), err
    assert statement.startswith("Acceptance (EMA")
    reason = next(r for r in record["reasons"] if "missing PK" in r)
    assert reason.startswith(
        "112 missing PK value(s) not analysed: subject 56 period 4 (T), subject 57 period 4"
    )
    assert reason.endswith(" and 102 more")  # ten named in the reason the report prints


def test_be_missing_values_keep_their_file_lines_after_description_lines(tmp_path: Path) -> None:
    """replicateBE's '#' description lines move every data row down: the lines named are the file's."""
    text = (RDS / "rds21.csv").read_text(encoding="utf-8")
    src = tmp_path / "rds21.csv"
    src.write_text("# rds21\n# two values set to NA\n" + text, encoding="utf-8")
    code, _out, err = invoke("be", str(src))
    assert code == 0, err
    first, second = "row 174 (line 177) subject=45 period=3", "row 200 (line 203) subject=52 period=1"
    note = f"{first} treatment=R; {second} treatment=R"
    assert f"note: 2 rows left out: {note} (all in missing_cells of --format json)" in err
    reasons = json.loads(invoke("be", str(src), "--format", "json")[1])["reasons"]
    assert "2 missing PK value(s) not analysed: subject 45 period 3 (R), subject 52 period 1 (R)" in reasons
    code, _out, err = invoke("be", str(RDS / "rds01.csv"))
    assert code == 0 and "missing" not in err, err


def test_be_records_the_metric_and_refuses_ema_abel_on_an_auc() -> None:
    """EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.10: widened limits for Cmax only; FDA RSABE (progesterone
    draft guidance, 2011) for AUC and Cmax alike."""
    code, _out, err = invoke("be", str(RDS / "rds01.csv"), "--method", "ema-abel-b", "--metric", "auc0-t")
    assert code != 0 and "4.1.10" in err and "Cmax only" in err and "use method abe" in err
    code, out, err = invoke(
        "be", str(RDS / "rds01.csv"), "--method", "fda-rsabe", "--metric", "auc0-inf", "--format", "json"
    )
    assert code == 0 and json.loads(out)["metric"] == "auc0-inf", err
    assert "PK parameter analysed: AUC0-inf." in err
    assert "note: FDA RSABE scales the limits" in err and "biosimilar PK similarity study" in err
    code, _out, err = invoke("be", str(RDS / "rds01.csv"), "--metric", "auc")
    assert code != 0 and "--metric" in err and "auc0-t" in err


SHIPPED_3ARM = (
    Path(__file__).resolve().parents[2] / "src/bioparity/validation/reference/be/pk_similarity_cli_input.csv"
)


def _log_arm(data: pd.DataFrame, arm: str, metric: str) -> np.ndarray:
    return np.asarray(np.log(data.loc[data["arm"] == arm, metric]), dtype=float)


def test_pk_similarity_states_its_variance_model_and_df(tmp_path: Path) -> None:
    """The intervals cannot be read without the model: Welch-Satterthwaite per pair (FDA 2001 VI.C) or one
    variance pooled over all arms (df N - k). Before, the command printed only "wrote 6 comparisons" and
    the report's main table looked the same for both models. df from scipy's Welch t-test; N - k counted."""
    from scipy import stats

    from bioparity.analyses.pk_similarity import pk_tables

    data = pd.read_csv(SHIPPED_3ARM)
    arms = ["test", "eu-ref", "us-ref"]
    pairs = [("test", "eu-ref"), ("test", "us-ref"), ("eu-ref", "us-ref")]
    welch_df = [
        stats.ttest_ind(_log_arm(data, a, m), _log_arm(data, b, m), equal_var=False).df
        for m in ("CMAX", "AUCIFO")
        for a, b in pairs
    ]
    out = tmp_path / "o.csv"
    base = ["pk-similarity", str(SHIPPED_3ARM), "--metrics", "CMAX,AUCIFO", "--out", str(out)]
    code, _, err = invoke(*base, "--arms", ",".join(arms))
    assert code == 0, err
    df_range = f"{min(welch_df):.3f}-{max(welch_df):.3f}"
    welch = f"Welch's unequal-variance t interval (Welch-Satterthwaite df {df_range})"
    assert welch in err and "35.952-37.155" in welch  # R 4.2.2 t.test(var.equal = FALSE): 35.952483-37.154922
    (main,) = pk_tables(pd.read_csv(out)).main
    assert welch in main.note

    code, _, err = invoke(*base, "--arms", ",".join(arms), "--variance", "pooled")
    assert code == 0, err
    n_minus_k = len(data) - 3  # 61 subjects, 3 arm means
    assert f"one-way ANOVA of the 3 arms, residual variance pooled over all of them (df {n_minus_k})" in err
    assert "4.1.8" in err and "run each pair of arms alone" in err

    # the EMA pairwise analysis the note points to: only the pair's arms, the pooled two-sample t interval
    code, _, err = invoke(*base, "--arms", "test,eu-ref", "--variance", "pooled")
    assert code == 0, err
    a, b = _log_arm(data, "test", "CMAX"), _log_arm(data, "eu-ref", "CMAX")
    assert f"two-sample t interval with pooled variance (df {a.size + b.size - 2})" in err
    row = pd.read_csv(out).set_index("metric").loc["CMAX"]
    ci = stats.ttest_ind(a, b, equal_var=True).confidence_interval(confidence_level=0.90)
    assert row["ci_lower"] == pytest.approx(100 * np.exp(ci.low), rel=1e-12)
    assert row["ci_upper"] == pytest.approx(100 * np.exp(ci.high), rel=1e-12)


def test_pk_similarity_model_line_states_the_ci_level(tmp_path: Path) -> None:
    """Review (newuser-findings, open item): the model line did not say the level of the intervals. TOST at
    one-sided alpha is the two-sided 1 - 2 alpha interval (Schuirmann 1987): alpha 0.05 -> 90%, 0.10 -> 80%;
    the CLI line and the report table's note say it."""
    from bioparity.analyses.pk_similarity import pk_tables

    out = tmp_path / "o.csv"
    base = ["pk-similarity", str(SHIPPED_3ARM), "--metrics", "CMAX", "--arms", "test,eu-ref"]
    base += ["--out", str(out)]
    for alpha, level in (("0.05", "90%"), ("0.1", "80%")):
        code, _, err = invoke(*base, "--alpha", alpha)
        assert code == 0, err
        sentence = f"{level} two-sided confidence intervals of the geometric mean ratios."
        model_line = next(line for line in err.splitlines() if line.startswith("Model:"))
        assert model_line.endswith(sentence)
        (main,) = pk_tables(pd.read_csv(out)).main
        # the model statement first, then how the intervals were judged (evaluation_statement)
        assert main.note.startswith(model_line) and f"{level} CI" in main.title


def test_be_on_one_row_per_subject_points_to_pk_similarity() -> None:
    """A first-time user with parallel arms tries ``be``: the error says which command compares arms."""
    code, _, err = invoke("be", str(SHIPPED_3ARM))
    assert code == 2
    assert "missing column(s) period, sequence, treatment, PK" in err
    assert "without periods the study is parallel: compare its arms with bioparity pk-similarity" in err


def test_pk_similarity_missing_metric_lists_what_the_file_has(tmp_path: Path) -> None:
    """The default --metrics include AUCLST; the shipped file has CMAX and AUCIFO only (its header)."""
    out = tmp_path / "o.csv"
    arms = "test,eu-ref,us-ref"
    code, _, err = invoke("pk-similarity", str(SHIPPED_3ARM), "--arms", arms, "--out", str(out))
    assert code == 2
    assert "metric(s) AUCLST not found; the file has CMAX, AUCIFO" in err
    assert not out.exists()


def test_pk_similarity_prints_how_the_intervals_are_judged(tmp_path: Path) -> None:
    """As the report's note: after the model line, the acceptance range with its source (EMA
    CPMP/EWP/QWP/1401/98 Rev. 1 4.1.8), the metrics by name, the population and no outlier exclusion."""
    out = tmp_path / "o.csv"
    args = ["--arms", "test,eu-ref,us-ref", "--metrics", "CMAX,AUCIFO", "--out", str(out)]
    code, _, err = invoke("pk-similarity", str(SHIPPED_3ARM), *args)
    assert code == 0, err
    line = next(line for line in err.splitlines() if line.startswith("Acceptance:"))
    assert "within 80.00-125.00%, its bounds rounded to two decimals" in line and "4.1.8" in line
    assert "(Cmax (CMAX), AUC0-inf (AUCIFO))" in line
    assert "Analysis population: completers" in line and "No subject was excluded as an outlier" in line
