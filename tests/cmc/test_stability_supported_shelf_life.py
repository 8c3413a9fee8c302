"""The shelf life the data support without extrapolation, ``supported_shelf_life = min(shelf_life,
last_time_point)``, beside the (uncapped, flagged) shelf life: for a biological product ICH Q5C
(CPMP/ICH/138/95) bases the shelf life on real-time data. Every extrapolation is flagged with the Q5C note:
pooled lots beyond the study's last time point, lots not pooled beyond the last time point of ANY lot (each
lot's own line is extrapolated, not only the worst lot's), and a bound that stays within the criterion up to
``max_time`` (shelf life ∞).

Data (R 4.2.2, base stats): purity of lots A and B at 0-24 months and lot C, a newer lot, at 0-6 months;
lower criterion 90, one-sided 95% bound. ``anova(lm(value ~ time + lot + time:lot))``: slopes differ,
p 9.2483981190975417e-07 < 0.25, so dids; per lot ``uniroot`` (tol 1e-13, on [0, 120]) of the lower limit of
``predict(lm(value ~ time), interval = "confidence", level = 0.90)`` minus 90: A 21.487660847664007, B
32.112398166048067, C 28.910039145373307. The shelf life 21.49 (lot A, followed to 24) extrapolates lot C's
line beyond its 6 months: supported 6. The same data pooled (``lm(value ~ time)`` of all lots):
24.20554790395208 (beyond 24: supported 24), and against 95: 12.377005030680017 (within the data: supported =
shelf life).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from bioparity.analyses.stability import stability_summary, stability_tables
from bioparity.i18n import use_language
from bioparity.stability import fit_stability, stability_table
from bioparity.stability.core import REAL_TIME_FOR_BIOLOGICS

LOT = ["A"] * 7 + ["B"] * 7 + ["C"] * 4
TIME = np.array([0, 3, 6, 9, 12, 18, 24, 0, 3, 6, 9, 12, 18, 24, 0, 1, 3, 6], dtype=float)
VALUE = np.array(
    [
        100.21, 98.43, 97.52, 95.71, 94.78, 91.63, 89.44,
        99.87, 99.18, 97.95, 97.41, 96.12, 94.47, 92.96,
        100.34, 99.93, 99.72, 98.69,
    ]
)  # fmt: skip
R_P_SLOPE = 9.2483981190975417e-07
R_LOT_SHELF_LIFE = [21.487660847664007, 32.112398166048067, 28.910039145373307]
R_POOLED_90 = 24.20554790395208
R_POOLED_95 = 12.377005030680017
#: R's uniroot tolerance 1e-13 and the bisection of the crossing
TOL = 1e-9


def test_lots_not_pooled_are_supported_up_to_the_shortest_lots_last_time_point() -> None:
    r = fit_stability(TIME, VALUE, LOT, lower=90.0, time_unit="months")
    assert r.pooling == "dids" and r.p_slope == pytest.approx(R_P_SLOPE, rel=TOL)
    assert r.lot_shelf_life.tolist() == pytest.approx(R_LOT_SHELF_LIFE, rel=TOL, abs=TOL)
    assert r.worst_lot == "A" and r.shelf_life == pytest.approx(R_LOT_SHELF_LIFE[0], abs=TOL)
    # before: no flag, since the worst lot A was followed to 24 > 21.49; lot C's line ends at 6 months
    assert r.last_time_point == 6.0 and r.supported_shelf_life == 6.0
    assert r.flags == (
        "shelf life 21.49 months extrapolates lot C's own regression line beyond its last time point 6 "
        "months (lots not pooled; ICH Q1E sections 2.3-2.4 and Appendix A limit extrapolation; justify it)",
        REAL_TIME_FOR_BIOLOGICS,
    )


def test_pooled_lots_are_supported_up_to_the_studys_last_time_point() -> None:
    r = fit_stability(TIME, VALUE, LOT, lower=90.0, pooling="cics")
    assert r.shelf_life == pytest.approx(R_POOLED_90, abs=TOL)  # not capped
    assert r.last_time_point == 24.0 and r.supported_shelf_life == 24.0
    assert REAL_TIME_FOR_BIOLOGICS in r.flags
    within = fit_stability(TIME, VALUE, LOT, lower=95.0, pooling="cics")
    assert within.shelf_life == pytest.approx(R_POOLED_95, abs=TOL)
    assert within.supported_shelf_life == within.shelf_life
    assert REAL_TIME_FOR_BIOLOGICS not in within.flags


def test_a_bound_within_the_criterion_up_to_max_time_is_flagged_and_supported_to_the_data() -> None:
    """Flat potency of three lots at 0-24 months (R: slopes p 0.96044456331784611, intercepts p
    0.96474398504308323, so cics); the pooled lower 95% bound, ``predict(lm(value ~ time), interval =
    "confidence", level = 0.90)``, is 99.766418567325829 at 24 and 99.279255701977505 at max_time 60,
    above 90: no crossing (shelf life ∞). Before, only "stays within ... up to max_time 60" was said."""
    time = np.tile([0, 3, 6, 12, 24.0], 3)
    value = np.array(
        [100.2, 99.9, 100.1, 99.8, 100.0, 99.7, 100.3, 99.9, 100.2, 99.8, 100.1, 99.8, 100.0, 100.3, 99.9]
    )
    r = fit_stability(time, value, np.repeat(list("ABC"), 5), lower=90.0, max_time=60.0)
    assert r.pooling == "cics" and r.p_slope == pytest.approx(0.96044456331784611, rel=TOL)
    assert r.p_intercept == pytest.approx(0.96474398504308323, rel=TOL)
    assert r.bound([24.0, 60.0])[0].tolist() == pytest.approx(
        [99.766418567325829, 99.279255701977505], abs=TOL
    )
    assert r.shelf_life == np.inf and r.supported_shelf_life == 24.0
    assert r.flags == (
        "the confidence bound stays within the acceptance criterion up to max_time 60",
        REAL_TIME_FOR_BIOLOGICS,
    )


def _kind_result() -> dict[str, Any]:
    from bioparity.analyses.stability import stability_kind

    data = pd.DataFrame({"attribute": "purity", "lot": LOT, "time": TIME, "value": VALUE})
    return stability_kind(data, {"lower": 90.0})


def test_the_table_the_report_and_the_summary_give_the_supported_shelf_life() -> None:
    data = pd.DataFrame({"attribute": "purity", "lot": LOT, "time": TIME, "value": VALUE})
    row = stability_table(data, {"purity": {"lower": 90.0}}).table.iloc[0]
    assert row["supported_shelf_life"] == 6.0 and row["last_time_point"] == 6.0
    assert row["shelf_life"] == pytest.approx(R_LOT_SHELF_LIFE[0], abs=TOL)
    result = _kind_result()
    assert stability_summary(result, {}) == (
        "1 shelf lives: shortest 21.49 months (purity, product; lot A, dids); extrapolated: the data "
        "support 6 months (ICH Q5C: real-time data)"
    )
    frame = pd.DataFrame(result["rows"], columns=result["columns"])
    main = stability_tables(frame, {}).main[0]
    shown = dict(zip(main.columns, main.rows[0], strict=True))
    assert shown["shelf life (months)"] == "21.49" and shown["supported shelf life (months)"] == "6"
    assert "a longer shelf life extrapolates and is flagged, not shortened" in main.note
    with use_language("zh-CN"):
        main = stability_tables(frame, {}).main[0]
        assert "数据支持的有效期（月）" in main.columns
        assert "外推：数据支持 6 月（ICH Q5C：实时数据）" in stability_summary(result, {})


def test_the_stability_command_says_what_the_data_support(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bioparity.cli.main import app

    data = tmp_path / "stab.csv"
    pd.DataFrame({"attribute": "purity", "lot": LOT, "time": TIME, "value": VALUE}).to_csv(data, index=False)
    spec = tmp_path / "spec.yaml"
    spec.write_text("attributes:\n  purity: {lower: 90}\n", encoding="utf-8")
    args = ["stability", str(data), "--spec", str(spec), "--out", str(tmp_path / "shelf.csv")]
    for lang, said in (
        ("en", "shelf life 21.49 months (worst lot A); the data support 6 months (ICH Q5C: real-time data)"),
        ("zh-CN", "有效期 21.49 月（最差批次 A）；数据支持 6 月（ICH Q5C：实时数据）"),
    ):
        result = CliRunner().invoke(app, ["--lang", lang, *args], env={"BIOPARITY_LANG": ""})
        assert result.exit_code == 0, result.output
        assert said in result.output
    assert pd.read_csv(tmp_path / "shelf.csv")["supported_shelf_life"].tolist() == [6.0]
