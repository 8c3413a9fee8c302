"""The ADA summary flags a degenerate Wald interval as ``ci-diff`` does, and offers every interval of
``ci_difference`` (one list for the command and the workspace kind).

ADA incidence is often 0/n: the Wald interval of an arm at 0 (or all) positive has a zero variance term
``p(1 - p)/n``, so it is too narrow, and of zero width when both arms are at 0 or n (Newcombe 1998, Stat Med
17:873-890, method 1). The summary used to drop ``DifferenceCI.degenerate``: no column, no warning, no note,
no mark in the report. The workspace kind's method list lacked ``newcombe-cc`` (Newcombe's method 11), which
the command accepts.

The note is worded for an ADA table (arms and positive subjects, the ADA methods including newcombe-cc),
not as ci-diff's ("tables", "responders"), in English and zh-CN; the report's table note, the command's
warning and the stored note are the same sentence.

Independent values: the Wald limits from statsmodels ``confint_proportions_2indep(method="wald")`` (rel
1e-12, abs 1e-15 at zero width); Newcombe's method 11 for 56/70 vs 48/80 as published in Newcombe (1998),
Table II: 0.0428 to 0.3422 (to the 4 printed decimals).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from statsmodels.stats.proportion import confint_proportions_2indep
from typer.testing import CliRunner

from bioparity.analyses import get_analysis
from bioparity.analyses.ada_summary import DEGENERATE, DIFFERENCE_METHODS, ada_summary_tables
from bioparity.cli.main import app
from bioparity.clinical import DIFFERENCE_METHODS as CI_DIFF_METHODS
from bioparity.clinical import ada_incidence, incidence_difference
from bioparity.clinical.immunogenicity import ADA_WALD_DEGENERATE
from bioparity.i18n import use_language
from tests.analyses import kinds_support as kinds

#: WEEK 4: T 0/4 v R 0/4 (zero width); WEEK 12: T 2/4 v R 0/4 (one arm at 0); WEEK 24: T 2/4 v R 1/4.
COUNTS = {"WEEK 4": (0, 0), "WEEK 12": (2, 0), "WEEK 24": (2, 1)}


def _listing(folder: Path) -> Path:
    rows = []
    for visit, (t_pos, r_pos) in COUNTS.items():
        for arm, positives in (("T", t_pos), ("R", r_pos)):
            rows += [(f"{arm}{i}", arm, visit, "POS" if i < positives else "NEG") for i in range(4)]
    path = folder / "ada.csv"
    pd.DataFrame(rows, columns=["USUBJID", "ARM", "VISIT", "ADA"]).to_csv(path, index=False)
    return path


def _frame(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_the_incidence_difference_flags_a_wald_interval_at_0_of_n(tmp_path: Path) -> None:
    incidence = ada_incidence(_frame(_listing(tmp_path)), overall=False)
    wald = incidence_difference(incidence, reference_arm="R", method="wald")
    by_visit = dict(zip(wald.timepoint.tolist(), range(len(wald.timepoint)), strict=True))
    assert {v: bool(wald.degenerate[i]) for v, i in by_visit.items()} == {
        "WEEK 4": True,
        "WEEK 12": True,
        "WEEK 24": False,
    }
    assert wald.notes == (ADA_WALD_DEGENERATE.format(count=2, total=3),)
    assert "Warning: Wald interval: 2 of 3 differences between arms" in wald.summary()
    assert wald.to_frame()[DEGENERATE].tolist() == wald.degenerate.tolist()
    for visit, (t_pos, r_pos) in COUNTS.items():  # the limits themselves are those of statsmodels
        lo, hi = confint_proportions_2indep(t_pos, 4, r_pos, 4, method="wald", compare="diff")
        i = by_visit[visit]
        assert wald.ci_lower[i] == pytest.approx(max(lo, -1.0), rel=1e-12, abs=1e-15)
        assert wald.ci_upper[i] == pytest.approx(min(hi, 1.0), rel=1e-12, abs=1e-15)
    assert wald.ci_lower[by_visit["WEEK 4"]] == wald.ci_upper[by_visit["WEEK 4"]] == 0.0
    score = incidence_difference(incidence, reference_arm="R", method="newcombe")
    assert not score.degenerate.any() and score.notes == () and "Warning" not in score.summary()


@pytest.mark.parametrize(
    ("language", "warning"),
    [
        (
            "en",
            "warning: Wald interval: 2 of 4 differences between arms have an arm with no positive subject",
        ),
        ("zh-CN", "Wald 区间：4 个组间差异中有 2 个的某一组无阳性受试者或全部为阳性受试者"),
    ],
)
def test_the_command_writes_the_flag_and_warns(tmp_path: Path, language: str, warning: str) -> None:
    listing, out = _listing(tmp_path), tmp_path / "out.csv"
    command = ["--lang", language, "ada-summary", "--ada", str(listing), "--out", str(out)]
    done = CliRunner().invoke(
        app, [*command, "--reference-arm", "R", "--method", "wald", "--incidence", "any-visit"]
    )
    assert done.exit_code == 0, done.output
    assert warning in done.stderr
    table = kinds.read_csv(out)
    difference = table[table["table"] == "difference"].set_index("timepoint")
    assert difference[DEGENERATE].astype(str).str.lower().to_dict() == {
        "WEEK 4": "true",
        "WEEK 12": "true",
        "WEEK 24": "false",
        "OVERALL": "false",  # T 2/4 (T0, T1) v R 1/4 (R0) over the visits
    }
    quiet = CliRunner().invoke(app, [*command, "--reference-arm", "R", "--incidence", "any-visit"])
    assert quiet.exit_code == 0 and "Wald" not in quiet.stderr  # newcombe: nothing to flag


def test_the_workspace_run_has_the_flag_and_the_note_and_the_command_s_numbers(tmp_path: Path) -> None:
    listing, out = _listing(tmp_path), tmp_path / "out.csv"
    options = {"reference_arm": "R", "method": "wald", "incidence": "any-visit"}
    kinds.cli_table(
        "ada-summary", "--ada", str(listing), "--out", str(out), "--reference-arm", "R", "--method", "wald",
        "--incidence", "any-visit",
    )  # fmt: skip
    result = kinds.workspace_result("ada-summary", listing, options)
    # the three visits and OVERALL (T 2/4 v R 1/4): two of four differences degenerate
    assert result["notes"] == [ADA_WALD_DEGENERATE.format(count=2, total=4)]
    kinds.assert_same_table(kinds.read_csv(out), kinds.workspace_table("ada-summary", listing, options))


def _difference_table(frame: pd.DataFrame) -> object:
    tables = ada_summary_tables(frame).main
    return next(t for t in tables if t.title.startswith(("Difference in incidence", "与")))


def test_the_report_marks_the_degenerate_rows_in_the_reader_s_language(tmp_path: Path) -> None:
    listing = _listing(tmp_path)
    options = {"reference_arm": "R", "method": "wald", "incidence": "any-visit"}
    frame = kinds.workspace_table("ada-summary", listing, options)
    table = _difference_table(frame)
    marked = {row[1]: row[-1] for row in table.rows}  # type: ignore[attr-defined]
    assert marked["WEEK 4"] == "0.0 to 0.0 (degenerate)" and marked["WEEK 12"].endswith(" (degenerate)")
    assert not marked["WEEK 24"].endswith("(degenerate)")
    assert table.css == tuple("fail" if "(degenerate)" in row[-1] else "" for row in table.rows)  # type: ignore[attr-defined]
    assert table.note.startswith("Wald interval: 2 of 4 differences between arms")  # type: ignore[attr-defined]
    with use_language("zh-CN"):
        chinese = _difference_table(frame)
    assert any(row[-1].endswith("（退化）") for row in chinese.rows)  # type: ignore[attr-defined]
    assert chinese.note.startswith("Wald 区间")  # type: ignore[attr-defined]
    stored_before = frame.drop(columns=[DEGENERATE])  # a run stored before the flag: nothing marked
    old = _difference_table(stored_before)
    assert old.note == "" and "degenerate" not in str(old.rows)  # type: ignore[attr-defined]


def test_the_kind_offers_every_interval_the_command_accepts(tmp_path: Path) -> None:
    """One list: the kind's choices are the methods of ci_difference (default first); each is named in the
    option's help, accepted by ``bioparity ada-summary --method`` and listed in its help; another is
    refused by the command before the listing is read."""
    option = get_analysis("ada-summary").option("method")
    assert option.choices == DIFFERENCE_METHODS and option.default == DIFFERENCE_METHODS[0] == "newcombe"
    assert sorted(DIFFERENCE_METHODS) == sorted(CI_DIFF_METHODS) and "newcombe-cc" in DIFFERENCE_METHODS
    for method in DIFFERENCE_METHODS:
        assert method in option.help
    helped = CliRunner().invoke(app, ["ada-summary", "--help"], env={"COLUMNS": "400"})
    assert all(method in helped.output for method in DIFFERENCE_METHODS)
    listing = _listing(tmp_path)
    for method in DIFFERENCE_METHODS:
        done = CliRunner().invoke(
            app,
            [
                "ada-summary",
                "--ada",
                str(listing),
                "--out",
                str(tmp_path / f"{method}.csv"),
                "--method",
                method,
                "--incidence",
                "any-visit",
            ],
        )
        assert done.exit_code == 0, (method, done.output)
    refused = CliRunner().invoke(
        app,
        [
            "ada-summary",
            "--ada",
            str(tmp_path / "missing.csv"),
            "--out",
            str(tmp_path / "x.csv"),
            "--method",
            "exact",
        ],
    )
    assert (
        refused.exit_code == 2
        and "unknown method 'exact'" in refused.stderr
        and "missing.csv" not in refused.stderr
    )


def test_newcombe_cc_in_the_workspace_equals_the_command_and_newcombe_1998(tmp_path: Path) -> None:
    """Newcombe (1998) Table II example (a), method 11: 56/70 vs 48/80 -> 0.0428 to 0.3422."""
    rows = [("T", i < 56) for i in range(70)] + [("R", i < 48) for i in range(80)]
    listing = tmp_path / "ada.csv"
    pd.DataFrame(
        {
            "USUBJID": [f"S{i:03d}" for i in range(len(rows))],
            "ARM": [a for a, _ in rows],
            "VISIT": "WEEK 12",
            "ADA": ["POS" if p else "NEG" for _, p in rows],
        }
    ).to_csv(listing, index=False)
    options = {"reference_arm": "R", "method": "newcombe-cc", "incidence": "any-visit"}
    out = tmp_path / "out.csv"
    kinds.cli_table(
        "ada-summary", "--ada", str(listing), "--out", str(out), "--reference-arm", "R",
        "--method", "newcombe-cc", "--incidence", "any-visit",
    )  # fmt: skip
    stored = kinds.workspace_table("ada-summary", listing, options)
    kinds.assert_same_table(kinds.read_csv(out), stored)
    diff = stored[(stored["table"] == "difference") & (stored["timepoint"] == "WEEK 12")].iloc[0]
    assert (round(diff["lower"], 4), round(diff["upper"], 4)) == (0.0428, 0.3422)
    assert diff["method"] == "newcombe-cc" and not diff[DEGENERATE]
    title = _difference_table(stored).title  # type: ignore[attr-defined]
    assert "Newcombe hybrid score with continuity correction" in title
