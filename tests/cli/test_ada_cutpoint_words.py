"""``bioparity ada-cutpoint`` prints its cut points in words, in the reader's language, as the report does
(no ``none scale``, ``nonparametric`` or ``fixed`` codes); the results CSV keeps the codes. ``--method``
states the auto rule (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1 section 4: parametric
mean + z SD for normal values, the empirical (1 - FPR) percentile otherwise; robust only when asked).

The numbers are not checked here (tests/cli/test_readme_ada_examples.py recomputes them); z = 2.326 is
R's ``qnorm(0.99)`` = 2.32634787404084 to 4 digits.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses.ada_cutpoint import cut_point_type_words, percentile_words
from bioparity.cli.bioassay import METHOD_HELP
from bioparity.cli.main import app
from bioparity.i18n import gettext as _
from bioparity.i18n import use_language
from tests.bioassay.test_dynamic_cut_point import validation_set

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "ada" / "ada-cutpoint-validation.csv"
WIDE = {"COLUMNS": "400", "BIOPARITY_LANG": ""}


def _run(tmp_path: Path, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--out", str(tmp_path / "cp.csv")], env=WIDE)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(
    ("lang", "screening", "confirmatory"),
    [
        (
            "en",
            "screening: cut point 1.29934 (parametric, mean + 1.645 SD, log scale, FPR 0.05); "
            "fixed cut point;",
            "confirmatory: cut point 14.4925 (parametric, mean + 2.326 SD, no transformation, FPR 0.01); "
            "fixed cut point;",
        ),
        (
            "zh-CN",
            "筛选：临界值 1.29934（参数法，均值 + 1.645 SD，对数尺度，假阳性率 0.05）；固定临界值；",
            "确证：临界值 14.4925（参数法，均值 + 2.326 SD，未转换，假阳性率 0.01）；固定临界值；",
        ),
    ],
)
def test_cut_points_printed_in_words(tmp_path: Path, lang: str, screening: str, confirmatory: str) -> None:
    output = _run(tmp_path, "--lang", lang, "ada-cutpoint", str(EXAMPLE), "--confirm-fpr", "0.01")
    assert screening in output and confirmatory in output
    assert "none" not in output and "fixed;" not in output
    table = pd.read_csv(tmp_path / "cp.csv")  # the CSV keeps the codes
    chosen = table[table["selected"]]
    assert list(chosen["method"]) == ["parametric", "parametric"]  # Shapiro-Wilk on the donor means
    assert list(chosen["transform"]) == ["log", "none"] and set(chosen["cut_point_type"]) == {"fixed"}


@pytest.mark.parametrize(
    ("lang", "screening"),
    [
        (
            "en",
            "screening: cut point 1.25105 (nonparametric 95th percentile, log scale, FPR 0.05); "
            "fixed cut point;",
        ),
        ("zh-CN", "筛选：临界值 1.25105（非参数法，第 95 百分位数，对数尺度，假阳性率 0.05）；固定临界值；"),
    ],
)
def test_a_forced_percentile_is_printed_in_words(tmp_path: Path, lang: str, screening: str) -> None:
    """``--method nonparametric`` forces the empirical percentile (R ``quantile(type = 7)``: 1.25105)."""
    output = _run(tmp_path, "--lang", lang, "ada-cutpoint", str(EXAMPLE), "--method", "nonparametric")
    assert screening in output


def test_dynamic_cut_point_printed_in_words(tmp_path: Path) -> None:
    data = tmp_path / "validation.csv"
    validation_set().to_csv(data, index=False)  # run variances differ (Levene p 0.0022, R 4.2.2)
    output = _run(tmp_path, "ada-cutpoint", str(data), "--transform", "none", "--method", "parametric")
    assert (
        "(parametric, mean + 1.645 SD, no transformation, FPR 0.05); dynamic cut point (run variances "
        in (output)
    )


def test_words_of_every_type_and_percentile() -> None:
    assert cut_point_type_words("floating") == "floating cut point (run means differ)"
    assert cut_point_type_words("floating (variances differ)") == "dynamic cut point (run variances differ)"
    assert [percentile_words(f) for f in (0.05, 0.001, 0.09, 0.08, 0.07, 0.89)] == [
        "95th", "99.9th", "91st", "92nd", "93rd", "11th",
    ]  # fmt: skip
    with use_language("zh-CN"):
        assert cut_point_type_words("floating") == "浮动临界值（分析批均值不同）"
        assert percentile_words(0.01) == "第 99"


def test_method_help_states_the_auto_rule() -> None:
    result = CliRunner().invoke(app, ["ada-cutpoint", "--help"], env=WIDE)
    text = " ".join(result.output.replace("│", " ").split())
    for words in ("parametric mean + z SD", "1.645 at FPR 0.05", "Shapiro-Wilk p >= 0.05",
                  "nonparametric (1 - FPR) percentile", "Shankar et al. 2008, Appendix 1 section 4",
                  "robust (median + z x 1.4826 MAD) only when asked"):  # fmt: skip
        assert words in text
    with use_language("zh-CN"):
        assert "否则用非参数法第 (1 - FPR) 百分位数" in _(METHOD_HELP)
