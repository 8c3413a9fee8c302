"""A 2x2 crossover average-BE analysis against R 4.2.2: replicateBE's reference data set 01, periods 1-2
only (sequences RT/TR), analysed as ``lm(log(PK) ~ sequence + subject + period + treatment)`` with the
90% CI of the treatment effect (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8: all effects fixed). R script and
its output: ``tests/data/be_2x2/abe_rds01_periods12.R`` / ``.csv`` (PE 123.644739%, 90% CI
110.757261-138.031776%, df 74, CVw 42.484759%). Tolerance: 1e-8 in percent (R prints 12 digits).

Subject 24 has period 1 (T) only: EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8 -- subjects of a crossover who do
not provide evaluable data for both T and R are not included -- so n is R's 76 and the subject is named
in the result's reasons and notes. In the 4-period replicate the same subject (T, T, R) is analysed by
every method (EMA Methods A/B and FDA RSABE use all data; replicateBE's n is 77)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses.be import BE
from bioparity.cli.main import app
from bioparity.i18n.notes import translate_note

R_OUTPUT = Path(__file__).parents[1] / "data" / "be_2x2" / "abe_rds01_periods12.csv"


LEFT_OUT = (
    "subject 24 not included (not counted in n): T data only, no R (EMA CPMP/EWP/QWP/1401/98 Rev. 1, 4.1.8: "
    "a crossover subject needs evaluable T and R data)"
)


def rds01(tmp_path: Path) -> pd.DataFrame:
    assert BE.example is not None
    return BE.read(BE.example.write(tmp_path))


def periods_12(frame: pd.DataFrame) -> pd.DataFrame:
    two = frame[frame["period"].astype(int) <= 2].copy()
    two["sequence"] = two["sequence"].str[:2]
    return two


def test_abe_of_a_2x2_crossover_equals_r_lm(tmp_path: Path) -> None:
    expected = pd.read_csv(R_OUTPUT).iloc[0]
    result = BE.compute(periods_12(rds01(tmp_path)), {"method": "abe"})
    assert result["n"] == expected["n"] == 76  # subject 24 (period 1 only) not included: EMA 4.1.8
    assert result["n_tr"] == 76 and sum(result["subjects_per_sequence"]) == 76
    assert result["missing_per_period"] == [0, 0]
    assert result["df"] == pytest.approx(expected["df"], abs=1e-9)
    for key in ("pe", "ci_lower", "ci_upper", "cvw"):
        assert result[key] == pytest.approx(expected[key], abs=1e-8), key
    assert result["pass"] is False  # the CI's upper bound 138.03% is above 125.00%
    assert result["reasons"][-1] == LEFT_OUT
    assert result["notes"] == [LEFT_OUT]


def test_the_left_out_subject_is_named_in_chinese(tmp_path: Path) -> None:
    shown = translate_note(LEFT_OUT, "zh-CN")
    assert shown != LEFT_OUT and "24" in shown and "4.1.8" in shown


@pytest.mark.parametrize("method", ["abe", "ema-abel-a", "ema-abel-b", "fda-rsabe"])
def test_a_replicate_design_keeps_the_incomplete_subject(tmp_path: Path, method: str) -> None:
    result = BE.compute(rds01(tmp_path), {"method": method})
    assert result["n"] == 77  # replicateBE's n for rds01, subject 24 (T, T, R) included
    assert not any("not included" in note for note in [*result["reasons"], *result.get("notes", [])])


def test_bioparity_be_names_the_left_out_subject(tmp_path: Path) -> None:
    path = tmp_path / "two.csv"
    periods_12(rds01(tmp_path)).to_csv(path, index=False)
    result = CliRunner().invoke(app, ["be", str(path), "--method", "abe", "--format", "json"])
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["n"] == 76
    assert f"note: {LEFT_OUT}" in result.stderr
