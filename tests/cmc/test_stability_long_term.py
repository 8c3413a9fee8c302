"""The long-term condition of a stability run (``long_term`` / ``--long-term``): the shelf-life claim of an
attribute and product is the long-term condition's supported shelf life, every other condition supportive;
without it the results are as before; the figure marks the supported and the extrapolated shelf life.

The long-term data are those of ``test_stability_supported_shelf_life`` (lot A's shelf life checked against
R ``lm``/``predict``/``uniroot`` there); the 40C rows are the same lots degrading twice as fast in half the
time (supportive: their numbers are not the claim).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from bioparity.analyses.figures import XYPlot
from bioparity.analyses.frames import frame_records
from bioparity.analyses.stability import (
    SHELF_LIFE,
    section,
    stability_kind,
    stability_plots,
    stability_sections,
    stability_summary,
    stability_tables,
)
from bioparity.errors import InputError
from bioparity.i18n import use_language
from bioparity.stability import stability_table
from bioparity.web.plots import figure_json
from tests.cmc.test_stability_supported_shelf_life import LOT, R_LOT_SHELF_LIFE, TIME, TOL, VALUE


def _data() -> pd.DataFrame:
    cold = pd.DataFrame({"attribute": "purity", "condition": "5C", "lot": LOT, "time": TIME, "value": VALUE})
    hot = cold.assign(condition="40C", time=TIME / 2)
    return pd.concat([cold, hot], ignore_index=True)


SPEC = {"purity": {"lower": 90.0}}


def test_without_the_option_the_table_is_as_before() -> None:
    plain = stability_table(_data(), SPEC)
    assert "role" not in plain.table.columns and "shelf_life_claim" not in plain.table.columns
    assert "long_term" not in plain.settings
    with_it = stability_table(_data(), SPEC, long_term="5C")
    pd.testing.assert_frame_equal(with_it.table[list(plain.table.columns)], plain.table)
    assert with_it.settings == plain.settings | {"long_term": "5C"}


def test_the_claim_is_the_long_term_rows_supported_shelf_life() -> None:
    rows = {
        r["condition"]: r for r in stability_table(_data(), SPEC, long_term="5C").table.to_dict("records")
    }
    cold, hot = rows["5C"], rows["40C"]
    assert cold["role"] == "long-term" and hot["role"] == "supportive"
    assert cold["shelf_life"] == pytest.approx(R_LOT_SHELF_LIFE[0], abs=TOL)  # R: uniroot
    assert cold["shelf_life_claim"] == cold["supported_shelf_life"] == 6.0
    assert np.isnan(hot["shelf_life_claim"])


def test_an_unknown_condition_is_refused_naming_the_column_and_the_values() -> None:
    with pytest.raises(InputError, match=r"long-term condition '2-8C' is not in column 'condition'; "
                       r"values found: 40C, 5C"):  # fmt: skip
        stability_table(_data(), SPEC, long_term="2-8C")
    with pytest.raises(InputError, match="2-8C"):
        stability_kind(_data(), {"lower": 90.0, "long_term": "2-8C"})


def _result(long_term: str) -> dict[str, Any]:
    return stability_kind(_data(), {"lower": 90.0, "long_term": long_term})


def test_the_summary_and_the_report_name_the_condition_of_the_claim() -> None:
    assert "claim" not in stability_summary(_result(""), {})
    result = _result("5C")
    said = stability_summary(result, {})
    assert "(purity, 40C (supportive), product;" in said
    assert "shelf-life claim from the long-term condition 5C: purity product 6 months" in said
    frame = pd.DataFrame(result["rows"], columns=result["columns"])
    main = stability_tables(frame, {}).main[0]
    assert [row[1] for row in main.rows] == ["5C (long-term)", "40C (supportive)"]
    assert "the supported shelf life at the long-term condition 5C" in main.note
    with use_language("zh-CN"):
        assert "有效期声明依据长期条件 5C" in stability_summary(result, {})
        assert stability_tables(frame, {}).main[0].rows[0][1] == "5C（长期）"


def test_the_figure_marks_the_supported_and_the_extrapolated_shelf_life() -> None:
    table, *_ = stability_sections(_data(), {"lower": 90.0, "long_term": "5C"})
    figures = stability_plots(_data(), table, "months")
    life = frame_records(section(table, SHELF_LIFE))[0]
    plot = figures[0].data
    assert isinstance(plot, XYPlot)
    lines = plot.vlines
    assert [(line.value, line.dashed) for line in lines] == [(6.0, False), (life["shelf_life"], True)]
    assert [line.label for line in lines] == ["supported shelf life 6", "extrapolated shelf life 21.49"]
    shapes = figure_json(plot)["layout"]["shapes"]
    dashes = {s["x0"]: s["line"]["dash"] for s in shapes if s.get("yref") == "paper"}
    assert dashes == {6.0: "dot", life["shelf_life"]: "dash"}
    assert "grey dashed: the shelf life where it extrapolates" in figures[0].note


def test_the_stability_command_takes_the_long_term_condition(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from bioparity.cli.main import app

    data = tmp_path / "stab.csv"
    _data().to_csv(data, index=False)
    spec = tmp_path / "spec.yaml"
    spec.write_text("attributes:\n  purity: {lower: 90}\n", encoding="utf-8")
    args = ["stability", str(data), "--spec", str(spec), "--out", str(tmp_path / "shelf.csv")]
    result = CliRunner().invoke(app, [*args, "--long-term", "5C"], env={"BIOPARITY_LANG": ""})
    assert result.exit_code == 0, result.output
    assert "; shelf-life claim 6 months (long-term condition)" in result.output
    assert "; supportive condition" in result.output
    out = pd.read_csv(tmp_path / "shelf.csv")
    assert out["role"].tolist() == ["long-term", "supportive"] and out["shelf_life_claim"].iloc[0] == 6.0
    refused = CliRunner().invoke(app, [*args, "--long-term", "25C"], env={"BIOPARITY_LANG": ""})
    assert refused.exit_code == 2 and "'25C' is not in column 'condition'" in refused.output


@pytest.mark.parametrize(
    ("lower", "drawn"),
    [
        (90.0, [("supported shelf life 6", ":"), ("extrapolated shelf life 21.49", "--")]),  # beyond 6
        (98.0, [("shelf life 3.886", ":")]),  # within the data: the shelf life alone
    ],
)
def test_the_plots_option_marks_the_supported_and_the_extrapolated_shelf_life(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lower: float, drawn: list[tuple[str, str]]
) -> None:
    """``--plots`` draws the workspace figure's shelf-life lines (labels, dotted/dashed) into its files."""
    from matplotlib.axes import Axes
    from typer.testing import CliRunner

    from bioparity.cli.main import app

    seen: list[tuple[str, str]] = []
    axvline = Axes.axvline

    def spy(self: Axes, x: float = 0, *args: Any, **kwargs: Any) -> Any:
        seen.append((kwargs["label"], kwargs["linestyle"]))
        return axvline(self, x, *args, **kwargs)

    monkeypatch.setattr(Axes, "axvline", spy)
    data = tmp_path / "stab.csv"
    _data().query("condition == '5C'").to_csv(data, index=False)
    spec = tmp_path / "spec.yaml"
    spec.write_text(f"attributes:\n  purity: {{lower: {lower}}}\n", encoding="utf-8")
    figs = tmp_path / "figs"
    args = ["stability", str(data), "--spec", str(spec), "--out", str(tmp_path / "shelf.csv")]
    result = CliRunner().invoke(
        app, [*args, "--plots", str(figs), "--plot-format", "svg"], env={"BIOPARITY_LANG": ""}
    )
    assert result.exit_code == 0, result.output
    assert seen == drawn
    svg = (figs / "stability_purity_5C_product.svg").read_text(encoding="utf-8")
    assert all(f"<!-- {label} -->" in svg for label, _ in drawn)  # the legend's words in the file
