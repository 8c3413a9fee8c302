"""The ``tolerance-factor`` and ``caa`` commands."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
from typer.testing import CliRunner

from bioparity.caa.example import DIFFERENT, example_paths
from bioparity.cli.main import app

RUNNER = CliRunner()


def test_tolerance_factor_json_prints_k() -> None:
    out = RUNNER.invoke(app, ["tolerance-factor", "--n", "10", "--coverage", "0.95", "--confidence", "0.95",
                              "--format", "json"])  # fmt: skip
    assert out.exit_code == 0, out.output
    record = json.loads(out.stdout)
    assert next(iter(record)) == "k"
    assert abs(record["k"] - 3.393429) < 1e-6


def test_tolerance_factor_one_sided_and_howe() -> None:
    one = RUNNER.invoke(
        app, ["tolerance-factor", "--n", "10", "--coverage", "0.95", "--side", "1", "--format", "json"]
    )
    assert abs(json.loads(one.stdout)["k"] - 2.911) < 5e-4  # published one-sided table value
    howe = RUNNER.invoke(app, ["tolerance-factor", "--n", "10", "--coverage", "0.99", "--method", "howe",
                               "--format", "json"])  # fmt: skip
    assert abs(json.loads(howe.stdout)["k"] - 4.4446) < 5e-5


def test_tolerance_factor_bad_input_exits_2() -> None:
    out = RUNNER.invoke(app, ["tolerance-factor", "--n", "1", "--format", "json"])
    assert out.exit_code == 2
    assert "n must be >= 2" in out.output


def _small_csv(tmp_path: Path, small_table: pd.DataFrame) -> Path:
    path = tmp_path / "in.csv"
    small_table.assign(unit="%").to_csv(path, index=False)
    return path


def test_caa_writes_one_row_per_attribute_and_comparison_and_plots(
    tmp_path: Path, small_table: pd.DataFrame
) -> None:
    data = _small_csv(tmp_path, small_table)
    out = tmp_path / "results.csv"
    plots = tmp_path / "plots"
    args = ["caa", str(data), "--out", str(out), "--plots", str(plots), "--plot-format", "svg"]
    res = RUNNER.invoke(app, [*args, "--lots", str(tmp_path / "lots.csv")])
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert len(table) == 6
    for column in (
        "attribute",
        "comparison",
        "method",
        "statistic",
        "lower_limit",
        "upper_limit",
        "passed",
        "reasons",
    ):
        assert column in table.columns
    assert sorted(p.name for p in plots.iterdir()) == ["potency.svg", "purity.svg"]
    assert (plots / "potency.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")
    assert len(pd.read_csv(tmp_path / "lots.csv")) == 28


def test_caa_with_catalogue_and_selected_comparison(tmp_path: Path, small_table: pd.DataFrame) -> None:
    data = _small_csv(tmp_path, small_table)
    cat = tmp_path / "cat.yaml"
    cat.write_text("plan: tiered-2017\nattributes:\n  potency: {tier: 1}\n", encoding="utf-8")
    out = tmp_path / "results.csv"
    res = RUNNER.invoke(app, ["caa", str(data), "--catalogue", str(cat), "--out", str(out),
                              "--comparison", "ref-us:ref-eu", "--plots", str(tmp_path / "p")])  # fmt: skip
    assert res.exit_code == 0, res.output
    table = pd.read_csv(out)
    assert list(table["comparison"]) == ["ref-us vs ref-eu"] * 2
    assert list(table["method"]) == ["equivalence", "quality-range"]
    assert (tmp_path / "p" / "potency.png").read_bytes()[:4] == b"\x89PNG"


def test_caa_bad_input_names_row_and_column_and_writes_nothing(tmp_path: Path) -> None:
    data = tmp_path / "bad.csv"
    data.write_text("attribute,source,lot,value\npurity,test,T1,98\npurity,ref-eu,R1,abc\n", encoding="utf-8")
    out = tmp_path / "results.csv"
    res = RUNNER.invoke(app, ["caa", str(data), "--out", str(out)])
    assert res.exit_code == 2
    assert "row 2 (line 3), column 'value': not a number (got 'abc')" in res.output
    assert not out.exists()


def test_caa_states_plan_region_and_operating_characteristics(tmp_path: Path) -> None:
    """Issue 27: every choice visible in the CLI output and the CSV (default plan qr-2025, EMA bridge)."""
    data, catalogue = example_paths()
    out = tmp_path / "results.csv"
    args = ["caa", str(data), "--catalogue", str(catalogue), "--out", str(out)]
    res = RUNNER.invoke(app, [*args, "--region", "ema", "--oc-simulations", "500", "--seed", "7"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())
    assert "Plan qr-2025 (default;" in text
    assert "Bridge direction for EMA: ref-us lots judged against the ref-eu range." in text
    assert "Operating characteristics" in text and "+2 s_R" in text
    table = pd.read_csv(out)
    assert set(table["plan_name"]) == {"qr-2025"} and set(table["region"]) == {"ema"}
    assert "ref-us vs ref-eu" in set(table["comparison"])
    assert set(table["oc_simulations"]) == {500} and set(table["oc_seed"]) == {7}
    assert set(table.loc[table["tier"] == 1, "method"]) == {"quality-range"}
    assert failing_attributes(table) == set(DIFFERENT)


def test_caa_old_plan_and_no_ocs_on_request(tmp_path: Path) -> None:
    data, catalogue = example_paths()
    out = tmp_path / "results.csv"
    args = ["caa", str(data), "--catalogue", str(catalogue), "--out", str(out), "--plan", "tiered-2017"]
    res = RUNNER.invoke(app, [*args, "--oc-simulations", "0", "--pool-references"])
    assert res.exit_code == 0, res.output
    assert "Operating characteristics" not in res.output
    table = pd.read_csv(out)
    assert set(table.loc[table["tier"] == 1, "method"]) == {"equivalence"}
    assert set(table["spread_status"]) == {"off"} and "oc_equal" not in table.columns
    assert "test vs ref-pooled" in set(table["comparison"])
    bad = RUNNER.invoke(app, [*args[:-2], "--region", "pmda"])
    assert bad.exit_code == 2 and "region 'pmda' unknown" in bad.output


def failing_attributes(table: pd.DataFrame) -> set[str]:
    return set(table.loc[table["status"] == "fail", "attribute"])


def test_caa_plots_are_the_report_figure(tmp_path: Path, small_table: pd.DataFrame) -> None:
    """One CAA plot: the files of ``--plots`` are the figure of the reports (same data, same drawing)."""
    from bioparity.analyses.figures import caa_plot
    from bioparity.caa import assess
    from bioparity.io.caa import read_long_table
    from bioparity.report.static import caa_svg

    data = _small_csv(tmp_path, small_table)
    plots = tmp_path / "plots"
    res = RUNNER.invoke(app, ["caa", str(data), "--out", str(tmp_path / "r.csv"), "--plots", str(plots),
                              "--plot-format", "svg"])  # fmt: skip
    assert res.exit_code == 0, res.output
    result = assess(read_long_table(data), file=str(data))
    rows = [{str(k): v for k, v in row.items()} for row in result.table.to_dict(orient="records")]
    for attribute in ("potency", "purity"):
        plot = caa_plot(result.lots, rows, attribute)
        assert plot is not None
        assert (plots / f"{attribute}.svg").read_text(encoding="utf-8") == caa_svg(plot)
        # every lot of every source is drawn
        assert sum(len(v) for v in plot.values.values()) == result.lots["attribute"].eq(attribute).sum()


def test_caa_refuses_fewer_simulations_than_it_would_run(tmp_path: Path) -> None:
    # 50 used to run 100 simulations while the provenance recorded 50; now both 50 and -5 are refused
    data, _ = example_paths()
    out = tmp_path / "results.csv"
    for given in ("50", "-5"):
        res = RUNNER.invoke(app, ["caa", str(data), "--out", str(out), f"--oc-simulations={given}"])
        assert res.exit_code == 2, res.output
        text = " ".join(res.output.split())
        assert f"--oc-simulations must be 0 (skip) or at least 100; got {given}" in text
        assert not out.exists()
