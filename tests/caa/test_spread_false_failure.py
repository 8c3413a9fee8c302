"""The spread check's false-failure probability: exact (F distribution) against R, and stated per comparison.

With 10 reference and 10 test lots from one normal distribution the spread check s_T/s_R <= 1.5 fails with
probability P(F(9, 9) > 2.25) = 0.1214 (R ``pf``); over 20 independent attributes at least one fails with
probability 0.925. The reference values come from R 4.2.2: tests/data/reference/caa/spread_false_failure_pf.R
(``stats::pf``) and caa_plan_pass_equal_sim.R (an R simulation, 1e6 assessments, of the whole criterion).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses.caa import plan_table
from bioparity.caa import Catalogue, assess
from bioparity.caa.operating import (
    familywise_false_failure,
    operating_characteristics,
    plan_summary,
    spread_false_failure,
    spread_familywise,
)
from bioparity.cli.main import app
from tests.caa.conftest import reference_table

PF = reference_table("spread_false_failure_pf.csv")
PLAN_SIM = reference_table("caa_plan_pass_equal_sim.csv")
#: R: pf(1.5^2, 9, 9, lower.tail = FALSE) and 1 - pf(1.5^2, 9, 9)^20 (spread_false_failure_pf.csv).
R_10_10 = float(PF.query("margin == 1.5 and n_test == 10 and n_reference == 10")["per_attribute"].iloc[0])
R_10_10_20 = float(PF.query("margin == 1.5 and n_test == 10 and n_reference == 10")["familywise_20"].iloc[0])


def test_per_attribute_false_failure_matches_r_pf_to_1e_10() -> None:
    got = spread_false_failure(PF["margin"], PF["n_test"], PF["n_reference"])
    np.testing.assert_allclose(got, PF["per_attribute"], rtol=0, atol=1e-10)
    assert abs(R_10_10 - 0.121412137272171) < 1e-12  # the number of the CAA plan's defaults


@pytest.mark.parametrize("n", [5, 20, 60])
def test_familywise_false_failure_matches_r_to_1e_10(n: int) -> None:
    got = [familywise_false_failure([p] * n) for p in PF["per_attribute"]]
    np.testing.assert_allclose(got, PF[f"familywise_{n}"], rtol=0, atol=1e-10)


def test_false_failure_is_nan_without_an_sd_and_familywise_skips_nan() -> None:
    assert np.isnan(spread_false_failure(1.5, [1, 10], [10, 1])).all()
    assert familywise_false_failure([np.nan, 0.5, 0.5]) == pytest.approx(0.75, abs=1e-15)
    assert familywise_false_failure([]) == 0.0


def test_operating_characteristics_carry_the_exact_spread_false_failure() -> None:
    spec = Catalogue().resolve("purity", data_tier=2)  # qr-2025: k = 3, spread check 1.5
    oc = operating_characteristics(spec, 10, 10, n_sim=2_000, seed=3)
    assert abs(oc.spread_false_failure - R_10_10) < 1e-10
    frame = oc.to_frame()
    shown = frame.loc[frame["scenario"] == "spread_false_failure", "probability"].to_numpy(dtype=float)
    assert shown.size == 1 and abs(shown[0] - R_10_10) < 1e-10
    assert "spread check alone fails at equal distributions: 12.1%" in oc.summary()
    off = operating_characteristics(replace(spec, spread_check=False), 10, 10, n_sim=2_000, seed=3)
    assert np.isnan(off.spread_false_failure) and "spread_false_failure" not in set(
        off.to_frame()["scenario"]
    )


def _similar(n_attributes: int, n_lots: int = 10, seed: int = 11) -> pd.DataFrame:
    """Test and reference lots from one distribution, ``n_attributes`` tier-2 attributes."""
    rng = np.random.default_rng(seed)
    rows = [
        (f"attr{a:02d}", source, f"{source}-{i}", 100 + rng.standard_normal())
        for a in range(n_attributes)
        for source in ("test", "ref-eu")
        for i in range(n_lots)
    ]
    return pd.DataFrame(rows, columns=["attribute", "source", "lot", "value"])


@pytest.fixture(scope="module")
def twenty() -> tuple[pd.DataFrame, tuple[str, ...], pd.DataFrame]:
    data = _similar(20)
    with_oc = assess(data, oc_simulations=20_000, seed=5)
    without = assess(data, operating_characteristics=False)
    return with_oc.table, with_oc.notes, without.table


def test_assessment_states_the_familywise_false_failure_next_to_the_plan(
    twenty: tuple[pd.DataFrame, tuple[str, ...], pd.DataFrame],
) -> None:
    table, notes, _ = twenty
    np.testing.assert_allclose(table["oc_spread_false_failure"], R_10_10, rtol=0, atol=1e-10)
    fw = spread_familywise(table).set_index("comparison").loc["test vs ref-eu"]
    assert fw["spread_checks"] == 20
    assert abs(fw["spread_familywise"] - R_10_10_20) < 1e-10
    assert abs(fw["spread_expected_failures"] - 20 * R_10_10) < 1e-9
    # the whole criterion (k = 3 range and spread check), against R's own simulation (1e6 assessments)
    both = PLAN_SIM.query("k == 3 and criterion == 'both'").iloc[0]
    p_r = float(both["probability"])
    se = np.sqrt(p_r * (1 - p_r) / 20_000)  # bioparity's Monte Carlo SE dominates R's
    expected = 1 - p_r**20
    assert abs(fw["plan_familywise"] - expected) < 3 * 20 * p_r**19 * se  # delta method, 3 SE
    note = next(n for n in notes if n.startswith("Spread check by chance, test vs ref-eu"))
    assert "each spread check fails with probability 12.1%" in note
    assert "at least one of its 20 spread checks fails with probability 92.5% (2.43 failures expected" in note
    assert "at least one of its 20 formal attributes fails its whole criterion" in note


def test_stating_the_false_failure_changes_no_verdict(
    twenty: tuple[pd.DataFrame, tuple[str, ...], pd.DataFrame],
) -> None:
    table, _, without = twenty
    for column in ("status", "spread_status", "sd_ratio", "reasons"):
        assert table[column].tolist() == without[column].tolist(), column


def test_report_plan_table_shows_the_column_and_the_note(
    twenty: tuple[pd.DataFrame, tuple[str, ...], pd.DataFrame],
) -> None:
    table, _, _ = twenty
    summary = plan_summary(table)
    assert abs(float(summary["oc_spread_false_failure"].iloc[0]) - R_10_10) < 1e-10
    shown = plan_table(table.astype(object).where(table.notna(), None))  # as stored (NaN -> null)
    assert shown is not None
    assert shown.columns[-1] == "spread check fails by chance (exact)"
    assert shown.rows[0][-1] == "0.12141"
    assert "at least one of its 20 spread checks fails with probability 92.5%" in shown.note


def test_plan_summary_of_a_result_stored_before_the_column() -> None:
    table = pd.DataFrame(
        {"plan": ["p"], "n_test": [10], "n_reference": [10], "oc_equal": [0.9], "oc_mc_se_max": [0.01]}
    )
    summary = plan_summary(table)
    assert summary["oc_spread_false_failure"].isna().all() and spread_familywise(table).empty


def test_cli_shows_the_spread_false_failure(tmp_path: Path) -> None:
    data = tmp_path / "lots.csv"
    _similar(3).to_csv(data, index=False)
    args = ["caa", str(data), "--out", str(tmp_path / "r.csv"), "--oc-simulations", "200"]
    res = CliRunner().invoke(app, args, env={"COLUMNS": "300"})  # one line per row of the OC table
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "Spread check failures by chance" in text
    assert "│ test vs ref-eu │ 3 │ 0.121 │ 0.36 │ 0.322 │" in text  # R: 1 - (1 - 0.1214)^3 = 0.3218
    assert "at least one of its 3 spread checks fails with probability 32.2%" in text  # 1 - (1 - 0.1214)^3
