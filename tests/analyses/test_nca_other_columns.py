"""The report's table of other columns (settings, review flags and methods per profile and parameter) of a
large NCA run: each distinct value is printed once, not each of the 553,000 cells of a 2,004-profile run
(12 columns x 46,092 rows), and the table is the one printed before (the ``repr`` of all report tables of
the demo's NCA run and of the 2,004-profile run of ``bench/_big_nca.py`` hashed the same, English and
zh-CN)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest

from bioparity.analyses import nca
from bioparity.analyses.tables import cell

CODES = ("CMAX", "AUCLST", "LAMZ")


def _frame(subjects: int, method: Any = "best fit") -> pd.DataFrame:
    rows = [
        {
            "arm": "test" if i % 2 else "reference",
            "subject": f"S{i:04d}",
            "PPTESTCD": code,
            "PPSTRESN": 1.5 * (i + 1),
            "start": 0.0,
            "flag_r2adj_low": code == "LAMZ" and i % 100 == 7,
            "lambda_z_method": method if code == "LAMZ" else "",
        }
        for i in range(subjects)
        for code in CODES
    ]
    return pd.DataFrame(rows)


def _table(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    columns = ["start", "flag_r2adj_low", "lambda_z_method"]
    return list(nca._varying_table(frame, ["arm", "subject"], columns).rows)


def test_each_distinct_value_is_printed_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []

    def counted(value: Any, digits: int = 6) -> str:
        calls.append(value)
        return cell(value, digits)

    monkeypatch.setattr(nca, "cell", counted)
    rows = _table(_frame(600))
    # 3 columns x 1,800 rows were 5,400 calls: now one per distinct value (0.0; False, True; "", best fit)
    assert len(calls) == 5
    assert rows == [
        ("start", "0", "all", "600", "all 600 profiles"),
        ("lambda_z_method", "best fit", "LAMZ", "600", "all 600 profiles"),
        ("flag_r2adj_low", "yes", "LAMZ", "6", "S0007, S0107, S0207, S0307, S0407, S0507"),
    ]


@pytest.mark.parametrize(
    ("values", "printed"),
    [
        # pandas holds True, 1 and 1.0 equal: printed "yes", "1", "1" as each cell was before
        ((True, 1, 1.0, "1"), ("yes", "1")),
        ((None, float("nan"), "no", 2.5), ("2.5",)),
    ],
)
def test_values_of_mixed_types_print_as_each_cell(values: tuple[Any, ...], printed: tuple[str, ...]) -> None:
    frame = pd.concat(
        [_frame(1, method=v).assign(subject=f"S{i}") for i, v in enumerate(values)], ignore_index=True
    )
    frame["lambda_z_method"] = frame["lambda_z_method"].astype(object)
    rows = [r for r in _table(frame) if r[0] == "lambda_z_method"]
    assert [r[1] for r in rows] == list(printed)
    by_value = {r[1]: r[4] for r in rows}
    if "yes" in by_value:
        assert by_value == {"yes": "S0", "1": "S1, S2, S3"}
