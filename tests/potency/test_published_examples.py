"""Published worked examples reproduced to their printed precision.

* Ph. Eur. 5.3, example 5.1.2 "Three-dose Latin square design" (antibiotic agar diffusion assay, 6 x 6
  Latin square, dilution ratio 1.5): responses of Table 5.1.2.-II; ANOVA of Table 5.1.2.-IV and the
  potency 5456 IU/mg with 95% limits 5092 to 5843 IU/mg (printed 5456.37, 5092.37, 5843.36 in the
  EDQM CombiStats rendering of the example). Data file ``pheur_5_1_2_latin_square.csv``: doses in IU/ml
  from the stated preparation (standard 4855 IU/mg, 25.2 mg in 24.5 ml; test assumed 5600 IU/mg,
  21.4 mg in 23.95 ml; both diluted 1/20, then by 1.5); the potency is RP x 5600 IU/mg.
* EDQM CombiStats example 02 (Erythropoietin rDNA, normocythaemic mice, three-dose parallel-line,
  randomised block of 8 blocks): ANOVA and potency 97841 IU/mg (60355 to 148972) with the test's
  assumed potency 120000 IU/mg.
Transcribed from the data/result files distributed with the CRAN package ``pla`` 0.2
(inst/vignettes/PhEur/data/Agar.txt, inst/vignettes/CombiStat/data/Erythropoietin.txt), which state
those sources. Tolerance: half a unit of the last printed digit.
"""

from __future__ import annotations

import pytest

from bioparity.potency import AnalysisOptions, analyse_assay
from tests.potency._ref import assay


def _half_unit(printed: str) -> float:
    """Half a unit of the last printed digit of a number written as text."""
    mantissa = printed.lower().split("e")[0]
    exponent = int(printed.lower().split("e")[1]) if "e" in printed.lower() else 0
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 0.5 * 10.0 ** (exponent - decimals)


def _check_anova(est: object, printed: dict[str, tuple[int, str]]) -> None:
    rows = {r.source: r for r in est.anova}  # type: ignore[attr-defined]
    for source, (df, ss) in printed.items():
        assert rows[source].df == df, source
        assert rows[source].ss == pytest.approx(float(ss), abs=_half_unit(ss)), source


def test_ph_eur_5_1_2_three_dose_latin_square() -> None:
    est = analyse_assay(assay("pheur_5_1_2_latin_square.csv"), AnalysisOptions(model="parallel-line"))
    _check_anova(
        est,
        {
            "preparations": (1, "11.1111"),
            "regression": (1, "8475.04"),
            "non-parallelism": (1, "18.3750"),
            "non-linearity": (2, "5.47222"),
            "treatments": (5, "8510.00"),
            "rows": (5, "412.000"),
            "columns": (5, "218.667"),
            "residual error": (20, "415.333"),
            "total": (35, "9556.00"),
        },
    )
    assumed = 5600.0
    assert est.relative_potency * assumed == pytest.approx(5456.37, abs=0.005)
    assert est.ci_lower * assumed == pytest.approx(5092.37, abs=0.005)
    assert est.ci_upper * assumed == pytest.approx(5843.36, abs=0.005)
    # printed F-test p values of non-parallelism and non-linearity (3 decimals)
    assert est.similarity.significance_tests["non_parallelism"] == pytest.approx(0.358, abs=5e-4)
    assert est.similarity.significance_tests["non_linearity"] == pytest.approx(0.877, abs=5e-4)
    assert est.similarity.significance_verdict == "pass"


def test_combistats_example_02_erythropoietin_randomised_block() -> None:
    est = analyse_assay(
        assay("combistats_ex02_erythropoietin_rb.csv"), AnalysisOptions(model="parallel-line")
    )
    _check_anova(
        est,
        {
            "preparations": (1, "161820"),
            "regression": (1, "4.97465E+06"),
            "non-parallelism": (1, "9625.78"),
            "non-linearity": (2, "73889.4"),
            "treatments": (5, "5.21998E+06"),
            "blocks": (7, "839174"),
            "residual error": (35, "5.62283E+06"),
            "total": (47, "1.16820E+07"),
        },
    )
    assumed = 120000.0
    assert est.relative_potency * assumed == pytest.approx(97841.0, abs=0.05)
    assert est.ci_lower * assumed == pytest.approx(60355.0, abs=0.05)
    assert est.ci_upper * assumed == pytest.approx(148972, abs=0.5)
