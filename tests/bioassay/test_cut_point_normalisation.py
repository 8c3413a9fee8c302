"""The normalisation factor of a floating screening cut point: additive (``NC + NF``) or multiplicative
(``NC x NF``) on the raw scale, additive on the log scale (``NC x exp(NF)``), stored in the result and
applied by the steps that read it (Shankar et al. 2008, J Pharm Biomed Anal 48:1267, Appendix 1 section 5).

Before, a floating cut point on the raw scale always got the multiplicative factor; option
``normalisation`` (``auto`` | ``additive`` | ``multiplicative``, default ``auto`` = the earlier rule) now
also gives the additive one. Reference: R 4.2.2 base ``mean``, ``sd``, ``qnorm``, ``quantile(type = 7)``
by ``make_normalisation_reference.R`` in the validation folder (cut point, NF and each run's plate cut
point computed there by hand; never run at test time); tolerance 1e-8 relative.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.bioassay import (
    CutPointResult,
    ValidatedCutPoint,
    classify_samples,
    compute_cut_point,
    drug_tolerance,
    validated_cut_points,
    with_validated_cut_point,
)
from bioparity.cli.main import app
from bioparity.errors import InputError
from tests.bioassay.test_floating_drug_tolerance_and_cut_point_file import drug_tolerance_with
from tests.conftest import REFERENCE

REF = REFERENCE / "bioassay"
DESIGN = pd.read_csv(REF / "designs_floating_nc.csv", dtype={"donor": str, "run": str})
NORMS = pd.read_csv(REF / "normalisation_reference.csv")
#: Each run's negative control, read from the design (one per run).
NC: dict[str, float] = {str(k): float(v) for k, v in DESIGN.groupby("run")["nc"].first().items()}
RUNS = pd.DataFrame({"run": sorted(NC), "nc": [NC[r] for r in sorted(NC)]})
RUNNER = CliRunner()


def _result(row: dict[str, object]) -> CutPointResult:
    return compute_cut_point(
        DESIGN.rename(columns={"signal": "value"}),
        transform=str(row["transform"]),
        method=str(row["method"]),
        normalisation=str(row["normalisation"]),
    )


@pytest.mark.parametrize("row", NORMS.to_dict("records"), ids=lambda r: f"{r['normalisation']}-{r['method']}")
def test_factor_and_plate_cut_points_match_r(row: dict[str, object]) -> None:
    result = _result(row)
    assert result.cut_point_type == "floating" and not result.outliers
    assert result.normalization == row["normalization"]  # the rule applied, stored
    assert result.cut_point == pytest.approx(row["cut_point"], rel=1e-8)
    assert result.normalization_factor == pytest.approx(row["normalization_factor"], rel=1e-8)
    # the stored table, read back as a later step reads it, gives each run's plate cut point by its rule
    screening = validated_cut_points(result.to_frame())["screening"]
    assert screening.normalization == row["normalization"]
    data, one = with_validated_cut_point(RUNS, screening)
    assert one is None
    expected = [row[f"plate_{r}"] for r in data["run"]]
    assert data["cut_point"].tolist() == pytest.approx(expected, rel=1e-8)


def test_additive_and_multiplicative_differ_on_this_design() -> None:
    # the runs are shifted by adding (0, 0.12, 0.25): the additive plate cut points step by the NC steps,
    # the multiplicative ones by NC ratios (R: 1.2024, 1.3446, 1.4586 vs 1.1273, 1.4275, 1.6682)
    add, mul = (NORMS.loc[(NORMS["normalisation"] == n) & (NORMS["method"] == "parametric")] for n in
                ("additive", "multiplicative"))  # fmt: skip
    assert float(add["plate_R1"].iloc[0]) - float(mul["plate_R1"].iloc[0]) > 0.07


def test_the_default_is_the_earlier_rule() -> None:
    frame = DESIGN.rename(columns={"signal": "value"})
    raw = compute_cut_point(frame, transform="none", method="parametric")
    assert raw.normalization == "multiplicative"
    logged = compute_cut_point(frame, transform="log", method="parametric", normalisation="multiplicative")
    assert logged.normalization == "additive on log scale"  # the log of the ratio is the difference of logs


def test_additive_on_the_log_scale_is_refused() -> None:
    with pytest.raises(InputError, match="give transform none with normalization additive"):
        compute_cut_point(
            DESIGN.rename(columns={"signal": "value"}), transform="log", normalisation="additive"
        )
    with pytest.raises(InputError, match="normalization must be one of auto, additive, multiplicative"):
        compute_cut_point(DESIGN.rename(columns={"signal": "value"}), normalisation="ratio")


def test_a_table_stored_by_the_earlier_rule_reads_and_keeps_its_rule() -> None:
    # a results table written before the option: multiplicative on the raw scale, read as NC x NF
    table = pd.DataFrame(
        {"tier": ["screening"], "selected": [True], "cut_point": [1.4], "method": ["parametric"],
         "fpr": [0.05], "cut_point_type": ["floating"], "normalization": ["multiplicative"],
         "normalization_factor": [2.0]}
    )  # fmt: skip
    screening = validated_cut_points(table)["screening"]
    data, _ = with_validated_cut_point(RUNS, screening)
    assert data["cut_point"].tolist() == pytest.approx([2.0 * NC[r] for r in data["run"]], rel=1e-15)
    additive = validated_cut_points(table.assign(normalization="additive", normalization_factor=0.7))
    data, _ = with_validated_cut_point(RUNS, additive["screening"])
    assert data["cut_point"].tolist() == pytest.approx([NC[r] + 0.7 for r in data["run"]], rel=1e-15)


def test_classification_applies_the_stored_rule() -> None:
    cp = ValidatedCutPoint("screening", 1.4, "parametric", 0.05, "floating", "additive", 0.7)
    samples = pd.DataFrame({"sample": ["a", "b", "c"], "signal": [1.25, 1.19, 1.55], "nc": [0.5, 0.5, 0.8]})
    # plate cut points 1.2, 1.2, 1.5 (NC + 0.7); NC x 0.7 would call every sample positive
    assert classify_samples(samples, cp)["screen_positive"].tolist() == [True, False, True]


def test_cli_additive_rule_reaches_drug_tolerance(tmp_path: Path) -> None:
    validation = tmp_path / "val.csv"
    DESIGN.to_csv(validation, index=False)
    cut_points = tmp_path / "cp.csv"
    made = RUNNER.invoke(
        app,
        ["ada-cutpoint", str(validation), "--out", str(cut_points), "--transform", "none",
         "--method", "parametric", "--normalisation", "additive"],
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    row = NORMS.loc[(NORMS["normalisation"] == "additive") & (NORMS["method"] == "parametric")].iloc[0]
    assert "plate cut point = negative control + 0.668487" in " ".join(made.output.split())  # NF itself
    table = pd.read_csv(cut_points)
    reported = table[(table["tier"] == "screening") & table["selected"]].iloc[0]
    assert reported["normalization"] == "additive"
    assert float(reported["normalization_factor"]) == pytest.approx(row["normalization_factor"], rel=1e-8)
    # drug-tolerance wells of runs R1 and R2 at the R plate cut points 1.20239 and 1.34459
    wells = pd.DataFrame(
        [(run, NC[run], 100.0, drug, signal)
         for run, signals in (("R1", (1.5, 1.21, 1.1)), ("R2", (1.6, 1.3, 1.1)))
         for drug, signal in zip((0.0, 1.0, 10.0), signals, strict=True)],
        columns=["run", "nc", "ada_level", "drug_level", "signal"],
    )  # fmt: skip
    written = drug_tolerance_with(tmp_path, wells, cut_points)  # ada-drug-tolerance --cut-points
    by_hand = drug_tolerance(
        wells.drop(columns="nc").assign(
            cut_point=wells["run"].map({"R1": row["plate_R1"], "R2": row["plate_R2"]})
        )
    )
    # R1 detects drug 1 (1.21 >= 1.2024), R2 does not (1.30 < 1.3446): tolerance 0; NC x NF would say
    # otherwise (R1 cut 1.127, R2 1.428)
    assert written["drug_tolerance"].tolist() == by_hand.drug_tolerance.tolist() == [0.0]
    assert written["run_cut_points"].iloc[0] == by_hand.run_cut_points
