"""An extrapolated shelf life also says that ICH Q5C (biotechnological/biological products, CPMP/ICH/138/95)
expects the shelf life from real-time/real-temperature data (CMC review note 9); a shelf life inside the
data does not.

Data: the potency of three lots at 0-24 months of tests/cmc/test_stability_two_sided.py, whose shelf life
against 80-120 is 37.7 months (R lm/predict/uniroot, two-sided 95%), beyond the last time point 24; against
a lower criterion of 95 every lot is below 95 by month 12 (L1 94.83 at 9, L2 94.54 at 9, L3 93.94 at 12,
read from the data), so the bound crosses 95 before 24 months.
"""

from __future__ import annotations

from bioparity.i18n.notes import translate_note
from bioparity.stability import fit_stability
from bioparity.stability.core import REAL_TIME_FOR_BIOLOGICS
from tests.cmc.test_stability_two_sided import _data

NOTE = "ICH Q5C (biological products): shelf life from real-time data; extrapolation generally not accepted"


def test_an_extrapolated_shelf_life_cites_q5c_real_time_data() -> None:
    r = fit_stability(*_data(), lower=80.0, upper=120.0)
    assert r.shelf_life > r.max_observed_time == 24.0
    assert NOTE in r.flags
    assert any(f.startswith("shelf life 37.75 extrapolates beyond the last time point 24") for f in r.flags)


def test_a_shelf_life_within_the_data_has_no_q5c_note() -> None:
    r = fit_stability(*_data(), lower=95.0)
    assert r.shelf_life < 24.0
    assert NOTE not in r.flags


def test_the_q5c_note_reads_in_chinese() -> None:
    shown = translate_note(REAL_TIME_FOR_BIOLOGICS, "zh-CN")
    assert shown == "ICH Q5C（生物制品）：有效期应基于实时数据；外推通常不被接受"


def test_the_extrapolation_flag_names_the_time_unit_of_the_study() -> None:
    """The flag says "37.75 months ... 24 months" (the unit of the study's ``time_unit``), in English and
    in Chinese; a fit given no unit keeps the flag without one (the template of stored notes)."""
    import pandas as pd

    from bioparity.stability import stability_table

    time, value, lot = _data()
    data = pd.DataFrame({"attribute": "potency", "lot": lot, "time": time, "value": value})
    for unit, word in (("months", "月"), ("weeks", "周")):  # the unit in the reader's words (zh-CN glossary)
        table = stability_table(data, {"potency": {"lower": 80.0, "upper": 120.0}}, time_unit=unit)
        flag = str(table.table["flags"].iloc[0]).split("; ICH Q5C")[0]  # the note has a "; " itself
        assert flag.startswith(f"shelf life 37.75 {unit} extrapolates beyond the last time point 24 {unit} ")
        assert translate_note(flag, "zh-CN").startswith(f"有效期 37.75 {word} 外推超出最后时间点 24 {word}（")
    bare = fit_stability(*_data(), lower=80.0, upper=120.0).flags[0]
    assert bare.startswith("shelf life 37.75 extrapolates beyond the last time point 24 (")
