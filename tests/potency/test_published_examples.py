"""Published worked examples reproduced to their printed precision.

* Ph. Eur. 5.3, example 5.1.2 "Three-dose Latin square design" (antibiotic agar diffusion assay, 6 x 6
  Latin square, dilution ratio 1.5): responses of Table 5.1.2.-II; ANOVA of Table 5.1.2.-IV and the
  potency 5456 IU/mg with 95% limits 5092 to 5843 IU/mg (printed 5456.37, 5092.37, 5843.36 in the
  EDQM CombiStats rendering of the example). Data file ``pheur_5_1_2_latin_square.csv``: doses in IU/ml
  from the stated preparation (standard 4855 IU/mg, 25.2 mg in 24.5 ml; test assumed 5600 IU/mg,
  21.4 mg in 23.95 ml; both diluted 1/20, then by 1.5); the potency is RP x 5600 IU/mg.
* Ph. Eur. 5.3, example 5.1.3 "Four-dose randomised block design" (antibiotic turbidimetric assay, 5
  blocks, dilution ratio 1.5): responses of Table 5.1.3.-I, the ANOVA and the potency 19228.5 IU/vial
  (95% limits 18423.4 to 20075.2; 96.1% of the assumed 20 000 IU/vial). Data file
  ``pheur_5_1_3_turbidimetric_rb.csv``: doses in IU/ml from the stated preparation (standard 670 IU/mg,
  16.7 mg in 25 ml; test assumed 20 000 IU per vial in 40 ml; both diluted 1/40, then by 1.5).
* EDQM CombiStats example 02 (Erythropoietin rDNA, normocythaemic mice, three-dose parallel-line,
  randomised block of 8 blocks): ANOVA and potency 97841 IU/mg (60355 to 148972) with the test's
  assumed potency 120000 IU/mg.
* Ph. Eur. 5.3 examples 5.1.1 (two-dose multiple assay, corticotrophin) and 5.1.4 (five-dose multiple
  assay, hepatitis B vaccines, log-transformed responses): joint fits, printed ANOVA and potencies.
Transcribed from the data/result files distributed with the CRAN package ``pla`` 0.2
(inst/vignettes/PhEur/data/{Agar,AntibioticTurbidimetric,Corticotrophin,HepatitisB}.txt,
inst/vignettes/CombiStat/data/Erythropoietin.txt), which state those sources.
Tolerance: half a unit of the last printed digit.
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


def test_ph_eur_5_1_3_four_dose_randomised_block() -> None:
    est = analyse_assay(assay("pheur_5_1_3_turbidimetric_rb.csv"), AnalysisOptions(model="parallel-line"))
    _check_anova(
        est,
        {
            "preparations": (1, "632.025"),
            "regression": (1, "101745.6"),
            "non-parallelism": (1, "25.205"),
            "non-linearity": (4, "259.14"),
            "treatments": (7, "102662"),
            "blocks": (4, "876.75"),
            "residual error": (28, "1509.65"),
            "total": (39, "105048.4"),
        },
    )
    assumed = 20000.0
    assert est.relative_potency * assumed == pytest.approx(19228.5, abs=0.05)
    assert est.ci_lower * assumed == pytest.approx(18423.4, abs=0.05)
    assert est.ci_upper * assumed == pytest.approx(20075.2, abs=0.05)
    assert 100 * est.relative_potency == pytest.approx(96.1, abs=0.05)  # % of the assumed potency
    # printed F-test p values of non-parallelism (0.500) and non-linearity (0.332)
    assert est.similarity.significance_tests["non_parallelism"] == pytest.approx(0.500, abs=5e-4)
    assert est.similarity.significance_tests["non_linearity"] == pytest.approx(0.332, abs=5e-4)
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


def _joint(file: str, transform: str = "none") -> dict[str, object]:
    from bioparity.io.potency import read_potency_table
    from bioparity.potency import analyse
    from tests.potency._ref import FOLDER

    table = analyse(
        read_potency_table(FOLDER / file), AnalysisOptions(model="parallel-line", transform=transform)
    )
    return {e.sample: e for e in table.estimates}


def test_ph_eur_5_1_1_two_dose_multiple_assay_corticotrophin() -> None:
    """Ph. Eur. 5.3 example 5.1.1: standard and two tests (T, U), 0.25 and 1.0 unit/100 g, 10 rats each,
    completely randomised; joint fit (common slope). Printed: T 1.14205 (0.783648 to 1.68690),
    U 1.66889 (1.14813 to 2.55503) units/mg; non-parallelism significant (p = 0.007)."""
    est = _joint("pheur_5_1_1_corticotrophin.csv")
    _check_anova(
        est["T"],
        {
            "preparations": (2, "6256.63"),
            "regression": (1, "63830.8"),
            "non-parallelism": (2, "8218.23"),
            "treatments": (5, "78305.7"),
            "residual error": (54, "41340.9"),
            "total": (59, "119647"),
        },
    )
    for sample, printed in {"T": (1.14205, 0.783648, 1.68690), "U": (1.66889, 1.14813, 2.55503)}.items():
        e = est[sample]
        assert (e.relative_potency, e.ci_lower, e.ci_upper) == pytest.approx(printed, abs=5e-6)  # type: ignore[attr-defined]
    assert est["T"].similarity.significance_tests["non_parallelism"] == pytest.approx(0.007, abs=5e-4)  # type: ignore[attr-defined]
    assert est["T"].similarity.significance_verdict == "fail"  # type: ignore[attr-defined]


def test_ph_eur_5_1_4_five_dose_multiple_assay_hepatitis_b_log_transform() -> None:
    """Ph. Eur. 5.3 example 5.1.4: three hepatitis B vaccines against a standard, 5 two-fold doses,
    3 replicates, ln-transformed optical densities, joint fit. Printed potencies (x 20 assumed):
    T 43.4196 (40.5448 to 46.5397), U 35.1630 (32.8698 to 37.6405), V 39.4017 (36.8125 to 42.2057)."""
    est = _joint("pheur_5_1_4_hepatitis_b.csv", transform="log")
    _check_anova(
        est["T"],
        {
            "preparations": (3, "4.47522"),
            "regression": (1, "47.5841"),
            "non-parallelism": (3, "0.0186856"),
            "non-linearity": (12, "0.0742323"),
            "treatments": (19, "52.1523"),
            "residual error": (40, "0.267107"),
            "total": (59, "52.4194"),
        },
    )
    printed = {
        "T": (43.4196, 40.5448, 46.5397),
        "U": (35.1630, 32.8698, 37.6405),
        "V": (39.4017, 36.8125, 42.2057),
    }
    for sample, values in printed.items():
        e = est[sample]
        got = (20 * e.relative_potency, 20 * e.ci_lower, 20 * e.ci_upper)  # type: ignore[attr-defined]
        assert got == pytest.approx(values, abs=5e-5)
