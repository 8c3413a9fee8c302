"""``transform = auto`` judges the skewness of every donor x run value before the outlier steps, and its note
says so (it named no values, beside a normality note naming 23 donor means).

Shipped example ``examples/ada/ada-cutpoint-validation.csv`` (24 donors x 3 runs; D08 a biological outlier of
the screening tier), R 4.2.2, adjusted Fisher-Pearson G1 written out (as in
``src/bioparity/validation/reference/bioassay/make_normality_reference.R``)::

    d <- read.csv("examples/ada/ada-cutpoint-validation.csv")
    a <- aggregate(signal ~ donor + run, d, mean)
    g1 <- function(x) { n <- length(x); m <- mean(x); m2 <- mean((x - m)^2); m3 <- mean((x - m)^3)
                        m3 / m2^1.5 * sqrt(n * (n - 1)) / (n - 2) }
    g1(a$signal); g1(log(a$signal))                  # 72 values: 3.64797102826763, 2.46093427124641
    b <- a[a$donor != "D08", ]; g1(log(b$signal))    # the 69 values analysed: 0.518970097870098

The log skewness 2.46 is D08's: the 69 values analysed have 0.52. Tolerance: relative 1e-12 (moments of 72
values in double precision).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses import get_analysis
from bioparity.analyses.ada_cutpoint import ada_tables, cut_point_result
from bioparity.bioassay import screening_and_confirmatory
from bioparity.bioassay.cutpoint import TRANSFORM_SELECTED_UNNAMED
from bioparity.bioassay.stats import skewness
from bioparity.cli.main import app
from bioparity.i18n import use_language
from bioparity.i18n.notes import translate_note

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "ada" / "ada-cutpoint-validation.csv"


def test_the_transform_note_names_the_72_values_judged_before_the_outlier_steps() -> None:
    screening = screening_and_confirmatory(pd.read_csv(EXAMPLE), confirm_fpr=None)[0]
    assert screening.transform == "log" and screening.n_values == 69
    assert screening.skewness_raw == pytest.approx(3.64797102826763, rel=1e-12)
    assert screening.skewness_log == pytest.approx(2.46093427124641, rel=1e-12)
    note = (
        "transform selected: log (skewness raw 3.65, log 2.46, of the 72 donor x run values before the "
        "outlier steps)"
    )
    assert note in screening.notes
    analysed = pd.read_csv(EXAMPLE).groupby(["donor", "run"])["signal"].mean().drop("D08", level="donor")
    assert skewness(np.log(analysed.to_numpy())) == pytest.approx(0.518970097870098, rel=1e-12)
    assert translate_note(note, "zh-CN") == (
        "选定的转换：对数转换（偏度：原始 3.65，对数 2.46；基于剔除离群值之前的 72 个供体-分析批数值）"
    )


def test_a_stored_note_of_the_earlier_wording_still_reads_in_chinese() -> None:
    stored = TRANSFORM_SELECTED_UNNAMED.format(transform="log", skew_raw=3.648, skew_log=2.461)
    assert translate_note(stored, "zh-CN") == "选定的转换：对数转换（偏度：原始 3.65，对数 2.46）"


def test_the_tables_head_the_skewness_as_of_the_values_before_the_outlier_steps() -> None:
    """The report's "Variance components (REML) and distribution (analysis scale)" table printed "skew log"
    2.461 beside the mean and SD of the 69 values analysed, whose log skewness is 0.519 (R above): the header
    now says which values the skewness is of, in the main table and the appendix, in English and zh-CN."""
    frame = pd.read_csv(EXAMPLE)
    result = cut_point_result(screening_and_confirmatory(frame, confirm_fpr=None))
    table = pd.DataFrame(result["rows"], columns=result["columns"])
    for language, main_header, appendix_header in (
        (
            "en",
            "skew log, before outliers",
            "skewness of the log donor x run values before the outlier steps",
        ),
        ("zh-CN", "对数偏度（剔除离群值前）", "剔除离群值前全部供体-分析批对数值的偏度"),
    ):
        with use_language(language):
            tables = ada_tables(table)
        headers = [h for t in (*tables.main, *tables.appendix) for h in t.columns]
        assert main_header in headers and appendix_header in headers, language


def test_the_help_of_transform_says_what_auto_judges() -> None:
    """``--transform`` read "auto, none or log" (the kind's option "auto (by skewness)"): which skewness,
    of which values, was not said."""
    english = CliRunner().invoke(app, ["ada-cutpoint", "--help"], env={"COLUMNS": "400"}).output
    chinese = (
        CliRunner().invoke(app, ["--lang", "zh-CN", "ada-cutpoint", "--help"], env={"COLUMNS": "400"}).output
    )
    assert "auto (log when every donor x run value, before the outlier steps, is right-skewed" in english
    assert "剔除离群值前的全部供体-分析批数值右偏" in chinese
    option = next(o for o in get_analysis("ada-cutpoint").options if o.name == "transform")
    assert "every donor x run value, before the outlier steps" in option.help
