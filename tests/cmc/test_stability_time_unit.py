"""The unit of time of ``bioparity stability`` and the ``stability`` kind (CMC units review): every shelf
life and slope is written with its unit (ICH Q1E, CPMP/ICH/420/02, 2003, states a shelf life in months:
the default), in the result's settings, the three CSVs (``time_unit`` column), the terminal, the workspace
table and summary; a unit that is not a time unit of a stability study is refused naming where it was
given. The unit changes no number: the CSVs' other columns are byte for byte those of the default."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bioparity.analyses import get_analysis
from bioparity.analyses.frames import result_frame
from bioparity.analyses.registry import effective_options
from bioparity.analyses.stability import example_data
from bioparity.cli.main import app
from bioparity.errors import InputError
from bioparity.stability import stability_table, stability_time_unit

RUNNER = CliRunner()
SPEC = "attributes:\n  purity: {lower: 90, slope_margin: 0.1}\n  potency: {lower: 95}\n"


def _run(tmp_path: Path, spec_text: str, name: str) -> tuple[str, dict[str, Path]]:
    data, spec = tmp_path / "stab.csv", tmp_path / f"{name}.yaml"
    data.write_bytes(example_data())
    spec.write_text(spec_text, encoding="utf-8")
    outs = {k: tmp_path / f"{name}_{k}.csv" for k in ("out", "lots", "slopes")}
    done = RUNNER.invoke(
        app,
        [
            "stability",
            str(data),
            "--spec",
            str(spec),
            *(a for k, p in outs.items() for a in (f"--{k}", str(p))),
        ],
    )
    assert done.exit_code == 0, done.output
    return " ".join(done.output.split()), outs


def test_the_csvs_and_the_terminal_state_the_time_unit(tmp_path: Path) -> None:
    printed, months = _run(tmp_path, SPEC, "default")
    assert "shelf life 25.17 months (worst lot T3)" in printed
    assert "purity slope difference -0.02272 per month [-0.07031, 0.02487]: equivalent" in printed
    table = pd.read_csv(months["out"], dtype=str)
    assert list(table.columns[table.columns.get_loc("shelf_life") :][:2]) == ["shelf_life", "time_unit"]
    for path in months.values():
        assert set(pd.read_csv(path, dtype=str)["time_unit"]) == {"months"}

    printed, weeks = _run(tmp_path, SPEC + "time_unit: Week\n", "weeks")
    assert "shelf life 25.17 weeks (worst lot T3)" in printed and "per week" in printed
    for key, path in weeks.items():
        a, b = pd.read_csv(months[key], dtype=str), pd.read_csv(path, dtype=str)
        assert set(b["time_unit"]) == {"weeks"}
        if "flags" in b:  # the extrapolation flag names the unit of the study
            flags = b["flags"].dropna()
            assert not flags.str.contains("months").any()
            assert flags.str.replace(" weeks", " months").tolist() == a["flags"].dropna().tolist()
        unitless = ["time_unit", "flags"]
        pd.testing.assert_frame_equal(
            a.drop(columns=unitless, errors="ignore"), b.drop(columns=unitless, errors="ignore")
        )


@pytest.mark.parametrize("unit", ["12", "fortnights", "m"])
def test_a_unit_that_is_not_a_time_unit_of_a_stability_study_is_refused(tmp_path: Path, unit: str) -> None:
    data, spec = tmp_path / "stab.csv", tmp_path / "spec.yaml"
    data.write_bytes(example_data())
    spec.write_text(SPEC + f"time_unit: '{unit}'\n", encoding="utf-8")
    done = RUNNER.invoke(app, ["stability", str(data), "--spec", str(spec), "--out", str(tmp_path / "o.csv")])
    assert done.exit_code == 2
    assert f"spec.yaml: time_unit '{unit}': not a time unit of a stability study" in " ".join(
        done.output.split()
    )
    assert not (tmp_path / "o.csv").exists()


def test_the_result_carries_the_unit() -> None:
    data = pd.read_csv(io.BytesIO(example_data()))
    spec = {"purity": {"lower": 90.0, "slope_margin": 0.1}, "potency": {"lower": 95.0}}
    result = stability_table(data.drop(columns=["lower", "slope_margin", "label"]), spec, time_unit="years")
    assert result.settings["time_unit"] == "years"
    assert (
        {"years"}
        == set(result.table["time_unit"])
        == set(result.lots["time_unit"])
        == set(result.slopes["time_unit"])
    )
    assert "shelf life 25.2 years (dids)" in result.summary()
    assert [stability_time_unit(u) for u in ("Months", "d", "", "hrs")] == [
        "months",
        "days",
        "months",
        "hours",
    ]
    with pytest.raises(InputError, match="option time_unit 'furlong'"):
        stability_time_unit("furlong", source="option time_unit")


def test_the_workspace_table_and_summary_state_the_unit(tmp_path: Path) -> None:
    path = tmp_path / "stab.csv"
    path.write_bytes(example_data())
    analysis = get_analysis("stability")
    options = effective_options(analysis, {"time_unit": "week"})
    result = dict(analysis.compute(analysis.read(path), options))
    frame = result_frame(result)
    assert set(frame["time_unit"].dropna()) == {"weeks"}  # the unit as the outputs write it
    tables = analysis.tables(frame, options)
    assert "shelf life (weeks)" in tables.main[0].columns
    assert "shortest 25.17 weeks" in analysis.summary(result, options)
    with pytest.raises(InputError, match="not a time unit of a stability study"):
        analysis.compute(analysis.read(path), effective_options(analysis, {"time_unit": "12"}))


@pytest.mark.parametrize(
    ("unit", "word"), [("months", "月"), ("Week", "周"), ("days", "天"), ("hours", "小时")]
)
def test_a_chinese_terminal_names_the_time_unit_in_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unit: str, word: str
) -> None:
    """zh-left finding 1: the Chinese lines printed the stored word ("有效期 25.17 months", "/month"); the
    CSVs keep the stored unit (data)."""
    monkeypatch.setenv("BIOPARITY_LANG", "zh-CN")
    printed, outs = _run(tmp_path, SPEC + f"time_unit: {unit}\n", "zh")
    assert f"有效期 25.17 {word}（最差批次 T3）" in printed
    assert f"-0.02272 /{word} [-0.07031, 0.02487]" in printed
    assert not re.search(r"\b(?:hours?|days?|weeks?|months?)\b", printed), printed
    assert set(pd.read_csv(outs["out"], dtype=str)["time_unit"]) == {stability_time_unit(unit)}
