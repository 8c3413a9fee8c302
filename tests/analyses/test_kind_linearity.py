"""The ``linearity`` kind (ICH Q2(R2) section 3.2.1): its numbers against R's ``lm()``, ``confint()`` and
``anova()`` of the straight line against the one-way model (lack of fit), the notes it stores, and a run
through the API and the web pages (run page and HTML report with the kind's tables, summary and its own
words for its options).

Reference values: R 4.2.2 (Debian r-base-core), script below, printed with ``formatC(x, digits=15)``::

    m <- lm(response ~ level, d); s <- summary(m); ci <- confint(m, level=conf)
    a <- anova(m, lm(response ~ factor(level), d))
    coef(m); s$coefficients[, 2]; ci; cor(d$level, d$response); s$r.squared; s$sigma
    sum(resid(m)^2); a$F[2]; a[["Pr(>F)"]][2]; 100 * coef(m)[1] / (coef(m)[1] + coef(m)[2] * target)

Tolerance: 1e-10 relative (R prints 15 significant digits; both sides are double-precision least squares
of a well-conditioned 2-column design), 1e-8 relative for a p value below 1e-6 (the F tail).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from bioparity.analyses import get_analysis
from bioparity.analyses.linearity import example_data
from bioparity.bioassay import linearity
from bioparity.bioassay.linearity import LACK_OF_FIT
from bioparity.i18n import use_language
from tests.analyses import kinds_support as kinds
from tests.workspace.conftest import PASSWORD

#: R 4.2.2 on the kind's example file (5 levels in triplicate), conf 0.95, target 100.
R_EXAMPLE: dict[str, Any] = {
    "slope": 1.97893333333333,
    "slope_se": 0.00663005330578925,
    "slope_ci_lower": 1.96460997398083,
    "slope_ci_upper": 1.99325669268584,
    "intercept": 2.14666666666664,
    "intercept_se": 0.703223347822779,
    "intercept_ci_lower": 0.627444987537479,
    "intercept_ci_upper": 3.66588834579581,
    "r": 0.999927047942804,
    "r_squared": 0.99985410120761,
    "residual_sd": 0.907857438260617,
    "rss": 10.7146666666667,
    "lof_f": 0.0488215488215199,
    "lof_p": 0.98488438762853,
    "intercept_percent": 1.0731187095914,
}
R_EXAMPLE_RESIDUALS = [
    -0.893333333333374,
    0.406666666666684,
    0.306666666666685,
    1.03333333333333,
    -0.666666666666656,
    0.133333333333327,
    -1.54,
    0.860000000000002,
    0.260000000000008,
    0.686666666666657,
    -1.21333333333332,
    0.586666666666663,
    -0.386666666666664,
    1.31333333333332,
    -0.886666666666664,
]

#: A saturating (ELISA-like) calibration, 6 levels in duplicate: clear lack of fit. conf 0.90, target 16.
CURVED = pd.DataFrame(
    {
        "level": np.repeat([1.0, 2.0, 4.0, 8.0, 16.0, 32.0], 2),
        "response": [0.11, 0.12, 0.21, 0.22, 0.40, 0.41, 0.71, 0.70, 1.15, 1.17, 1.62, 1.60],
    }
)
R_CURVED: dict[str, Any] = {
    "slope": 0.0478749111584933,
    "slope_se": 0.00361738527996694,
    "slope_ci_lower": 0.0413185409723219,
    "slope_ci_upper": 0.0544312813446646,
    "intercept": 0.198980099502488,
    "intercept_se": 0.054561395235062,
    "intercept_ci_lower": 0.100089691832576,
    "intercept_ci_upper": 0.2978705071724,
    "r": 0.972621022834796,
    "r_squared": 0.945991654060205,
    "residual_sd": 0.135688117029665,
    "rss": 0.184112651030562,
    "lof_f": 458.781627576406,
    "lof_p": 1.38102030962317e-07,
    "intercept_percent": 20.6201550387597,
}


def _example(folder: Path) -> Path:
    path = folder / "linearity.csv"
    path.write_bytes(example_data())
    return path


def _check(result: Any, expected: dict[str, Any]) -> None:
    for name, value in expected.items():
        rtol = 1e-8 if name == "lof_p" and value < 1e-6 else 1e-10
        assert getattr(result, name) == pytest.approx(value, rel=rtol, abs=1e-13), name


def test_the_example_against_r(tmp_path: Path) -> None:
    frame = pd.read_csv(_example(tmp_path))
    result = linearity(frame, conf_level=0.95, target=100)
    _check(result, R_EXAMPLE)
    assert (result.n, result.n_levels, result.df, result.lof_df1, result.lof_df2) == (15, 5, 13, 3, 10)
    np.testing.assert_allclose(result.residual, R_EXAMPLE_RESIDUALS, rtol=1e-9, atol=1e-12)
    assert result.passed is True and result.flags == ()


def test_a_curved_calibration_against_r_fails_for_lack_of_fit() -> None:
    result = linearity(CURVED, conf_level=0.90, target=16)
    _check(result, R_CURVED)
    assert (result.lof_df1, result.lof_df2) == (4, 6)
    assert result.passed is False
    assert result.flags == (LACK_OF_FIT.format(p=result.lof_p, alpha=0.05),)


def test_without_replicates_lack_of_fit_is_not_tested_and_few_levels_are_flagged(tmp_path: Path) -> None:
    frame = pd.DataFrame({"level": [1.0, 2.0, 3.0, 4.0], "response": [2.1, 3.9, 6.2, 7.9]})
    result = linearity(frame)
    assert result.passed is None and np.isnan(result.lof_p) and np.isnan(result.intercept_percent)
    assert result.flags == (
        "4 levels: ICH Q2 recommends at least 5 concentrations",
        "lack of fit not tested: no level measured more than once",
    )
    assert "lack of fit not tested (no replicates): not evaluated" in result.summary()
    path = tmp_path / "four.csv"
    frame.to_csv(path, index=False)
    table = kinds.workspace_table("linearity", path)
    assert get_analysis("linearity").flags(table, {}) == [("significant lack of fit", 0)]  # not tested


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (
            pd.DataFrame({"level": [1.0, 1.0, 2.0, 2.0], "response": [1.0, 1.1, 2.0, 2.1]}),
            "at least 3 distinct",
        ),
        (pd.DataFrame({"level": [1.0, 2.0, 3.0]}), "missing response"),
    ],
)
def test_what_cannot_be_a_line_is_refused(frame: pd.DataFrame, message: str) -> None:
    from bioparity.errors import InputError

    with pytest.raises(InputError, match=message):
        linearity(frame)


def test_the_workspace_stores_the_numbers_and_the_notes(tmp_path: Path) -> None:
    path = tmp_path / "curved.csv"
    CURVED.to_csv(path, index=False)
    result = kinds.workspace_result("linearity", path, {"conf_level": 0.9, "target": 16})
    first = dict(zip(result["columns"], result["rows"][0], strict=True))
    for name, value in R_CURVED.items():
        assert first[name] == pytest.approx(value, rel=1e-8), name
    assert result["passed"] is False and result["n_rows"] == 12
    assert result["notes"] == [LACK_OF_FIT.format(p=first["lof_p"], alpha=0.05)]
    table = kinds.workspace_table("linearity", path, {"conf_level": 0.9, "target": 16})
    assert get_analysis("linearity").flags(table, {}) == [("significant lack of fit", 1)]  # was 0: numpy bool
    summary = get_analysis("linearity").summary(result, {})
    assert summary.startswith("Linearity: R² 0.94599, slope 0.047875, y-intercept 0.19898; lack of fit: fail")
    assert summary.endswith("(y-intercept 20.62% of the response at target)")


def test_through_the_api(workspace: kinds.Workspace, tmp_path: Path) -> None:
    run = workspace.api_run("linearity", "linearity.csv", example_data(), target=100)
    expected = kinds.workspace_result("linearity", _example(tmp_path), {"target": 100.0})
    assert run["result"] == expected and run["result"]["passed"] is True


def test_through_the_web_pages_with_the_kinds_own_words(workspace: kinds.Workspace) -> None:
    page, report = workspace.web_run("linearity", "linearity.csv", example_data(), target="100")
    summary = "Linearity: R² 0.99985, slope 1.9789, y-intercept 2.1467; lack of fit: pass"
    for html in (page, report):
        assert summary in kinds.text_of(html)
    text = kinds.text_of(report)
    assert "Regression line of the response on the level (ICH Q2(R2) section 3.2.1)" in text
    assert "Residuals per result" in text
    # the options table prints the kind's words (Analysis.labels), not another kind's shared label
    assert "confidence level of the slope and intercept CIs" in text
    assert "target level (100% of the test concentration)" in text
    assert "potency CI" not in text


def test_the_summary_and_tables_in_chinese(tmp_path: Path) -> None:
    kind = get_analysis("linearity")
    result = kinds.workspace_result("linearity", _example(tmp_path), {"target": 100.0})
    table = kinds.workspace_table("linearity", _example(tmp_path), {"target": 100.0})
    with use_language("zh-CN"):
        summary = kind.summary(result, {})
        titles = [t.title for t in kind.tables(table, {}).main]
    assert "Linearity" not in summary and "0.99985" in summary
    assert all(t.isascii() is False for t in titles)


def test_the_chinese_pdf_report(workspace: kinds.Workspace, tmp_path: Path) -> None:
    """The PDF report of a run in zh-CN: the kind's title, table titles and option words in Chinese (the PDF
    test of tests/web covers a fixed list of kinds, not a new one)."""
    run = workspace.api_run("linearity", "linearity.csv", example_data(), target=100)
    client, user = workspace.client, workspace.company.users["viewer"].username
    client.post("/ui/login", data={"username": user, "password": PASSWORD})
    try:
        client.post("/ui/account/language", data={"language": "zh-CN"})
        pdf = client.get(f"/ui/runs/{run['id']}/report.pdf")
    finally:
        client.post("/ui/account/language", data={"language": "en"})
        client.post("/ui/logout")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is missing: run scripts/system-deps.sh")
    (tmp_path / "report.pdf").write_bytes(pdf.content)
    done = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(tmp_path / "report.pdf"), "-"], capture_output=True, check=True
    )
    text = re.sub(r"\s+", "", done.stdout.decode("utf-8"))
    for words in (
        "线性：R²0.99985",
        "响应对水平的回归线",
        "斜率和截距置信区间的置信水平",
        "目标水平（供试浓度的100%）",
    ):
        assert words in text, words
    assert "potencyCI" not in text and "效价" not in text
