"""The ``comparability`` kind (issue #23, ICH Q5E in the workspace): a workspace run of one file (release and
stability rows) has the numbers of ``bioparity comparability --stability --spec`` on the same data split in
two files (the command's CAA engine and stability core are checked against R and published examples in
tests/caa and tests/cmc), the quality ranges are the pre-change mean ± k SD computed here with pandas, the
labels of the sources are options, bad cells are located in the file, and a run goes through the API and the
web pages (run page and HTML report with the kind's tables, figures and summary)."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from bioparity.analyses import get_analysis
from bioparity.analyses.comparability import CAA_ROWS, comparability_names, example_data, section, verdict
from bioparity.analyses.contract import RunView, StoredInput
from bioparity.analyses.figures import CAAPlot, XYPlot
from bioparity.analyses.frames import frame_records, result_frame
from bioparity.analyses.registry import effective_options
from bioparity.analyses.stability import CROSSING, LOTS, SHELF_LIFE, SLOPES
from bioparity.cli.main import app
from bioparity.errors import DataFileError, InputError
from tests.analyses import kinds_support as kinds

KIND = "comparability"


def _example(folder: Path, frame: pd.DataFrame | None = None, name: str = "comparability.csv") -> Path:
    path = folder / name
    if frame is None:
        path.write_bytes(example_data())
    else:
        frame.to_csv(path, index=False)
    return path


def _frame() -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(example_data()), dtype=str, keep_default_na=False)


def _command(data: Path, folder: Path, *flags: str) -> dict[str, pd.DataFrame]:
    """``bioparity comparability`` on the release rows with ``--stability`` on the stability rows (the
    specification of the file's columns as ``spec.yaml``), by section of the kind's stored table."""
    out, st = folder / "out.csv", folder / "st.csv"
    kinds.cli_table(*_command_args(data, folder), *flags)
    both = kinds.read_csv(st)
    return {
        CAA_ROWS: kinds.read_csv(out),
        SHELF_LIFE: both[both["kind"] == "shelf life"].drop(columns="kind"),
        SLOPES: both[both["kind"] == "slope difference"].drop(columns="kind"),
    }


def _command_args(data: Path, folder: Path, extra: tuple[str, ...] = ()) -> list[str]:
    """The arguments of ``bioparity comparability`` on ``data`` split in two files (release rows with
    ``extra`` columns, stability rows) with ``spec.yaml``, writing ``out.csv`` and ``st.csv``."""
    frame = pd.read_csv(data, dtype=str, keep_default_na=False)
    timed = frame["time"] != ""
    release = folder / "release.csv"
    columns = ["attribute", "source", "lot", "value", "unit", "tier", *extra]
    frame.loc[~timed, columns].to_csv(release, index=False)
    stability = folder / "stability.csv"
    rows = frame.loc[timed].rename(columns={"source": "product"})
    rows[["attribute", "condition", "product", "lot", "time", "value"]].to_csv(stability, index=False)
    spec = ["attributes:"]
    for attribute, g in rows.groupby("attribute", sort=False):
        fields = {k: g[k].iloc[0] for k in ("lower", "upper", "slope_margin") if g[k].iloc[0] != ""}
        spec.append(f"  {attribute}: {{{', '.join(f'{k}: {v}' for k, v in fields.items())}}}")
    (folder / "spec.yaml").write_text("\n".join(spec) + "\n", encoding="utf-8")
    return [
        "comparability", str(release), "--out", str(folder / "out.csv"), "--stability", str(stability),
        "--spec", str(folder / "spec.yaml"), "--stability-out", str(folder / "st.csv"),
    ]  # fmt: skip


def _filled(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[[c for c in frame.columns if frame[c].replace("", None).notna().any()]]


def test_a_workspace_run_has_the_numbers_of_the_command(tmp_path: Path) -> None:
    data = _example(tmp_path)
    stored = kinds.workspace_table(KIND, data)
    for name, table in _command(data, tmp_path).items():
        kinds.assert_same_table(_filled(table), _filled(section(stored, name)))
    assert len(section(stored, LOTS)) == 18  # 3 analyses x 2 products x 3 lots


def test_the_quality_range_is_the_pre_change_mean_plus_minus_k_sd(tmp_path: Path) -> None:
    stored = section(kinds.workspace_table(KIND, _example(tmp_path)), CAA_ROWS).set_index("attribute")
    frame = pd.read_csv(io.BytesIO(example_data()))
    release = frame[frame["time"].isna()]
    for attribute, row in stored.iterrows():
        pre = release[(release["attribute"] == attribute) & (release["source"] == "pre-change")]["value"]
        k = 2.5 if int(row["tier"]) == 1 else 3.0  # plan qr-2025
        assert row["lower_limit"] == pytest.approx(pre.mean() - k * pre.std(ddof=1), rel=1e-12)
        assert row["upper_limit"] == pytest.approx(pre.mean() + k * pre.std(ddof=1), rel=1e-12)
        assert (row["test_source"], row["reference_source"]) == ("post-change", "pre-change")
    # the simulated shift of 3.2 lot SDs after the change fails; the others pass
    assert stored["status"].to_dict() == {
        "purity_sec": "pass", "hmw_species_sec": "pass", "main_charge_variant": "pass",
        "afucosylated_glycans": "fail", "relative_potency": "pass",
    }  # fmt: skip


def test_sites_are_sources_named_by_options(tmp_path: Path) -> None:
    frame = _frame()
    frame["source"] = frame["source"].map({"pre-change": "Site-A", "post-change": "site-b"})
    data = _example(tmp_path, frame, "sites.csv")
    options = {"pre": "site-a", "post": "Site-B"}
    stored = kinds.workspace_result(KIND, data, options)
    caa = section(result_frame(stored), CAA_ROWS)
    assert set(caa["comparison"]) == {"Site-B vs site-a"}
    assert set(section(result_frame(stored), SHELF_LIFE)["product"]) == {"site-a", "Site-B"}
    default = kinds.workspace_table(KIND, _example(tmp_path))
    assert caa["lower_limit"].tolist() == section(default, CAA_ROWS)["lower_limit"].tolist()
    with pytest.raises(DataFileError) as raised:
        kinds.workspace_result(KIND, data)  # the default labels are not the file's
    assert raised.value.row == 1 and raised.value.column == "source" and "'pre-change'" in str(raised.value)
    with pytest.raises(InputError, match="must differ"):
        kinds.workspace_result(KIND, data, {"pre": "site-a", "post": "SITE-A "})


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (160, "time", "-3", "negative"),  # a stability row
        (170, "value", "", "empty cell (missing result)"),  # a stability result must be given
        (3, "tier", "4", "a tier 1, 2 or 3"),  # a release row
        (175, "lower", "96", "attribute 'purity_sec' has lower 97.0 on row 101"),
        (186, "source", "post-change", "lot 'PC-101' appears under more than one source"),
        (31, "source", "pre-change", "lot 'CM-201' appears under sources 'post-change' (row 11)"),
        (20, "source", " ", "empty cell"),
    ],
)
def test_a_bad_cell_names_its_row_and_column_in_the_file(
    row: int, column: str, value: str, message: str, tmp_path: Path
) -> None:
    frame = _frame()
    frame.loc[row - 1, column] = value
    bad = _example(tmp_path, frame, "bad.csv")
    with pytest.raises(DataFileError) as raised:
        get_analysis(KIND).read(bad)
    assert (raised.value.row, raised.value.line, raised.value.column) == (row, row + 1, column)
    assert message in str(raised.value) and str(bad) in str(raised.value)


def test_release_only_and_stability_only_files(tmp_path: Path) -> None:
    frame = _frame()
    release = _example(tmp_path, frame[frame["time"] == ""].drop(columns=["time"]), "release.csv")
    stability = _example(tmp_path, frame[frame["time"] != ""], "stability.csv")
    only_caa = kinds.workspace_result(KIND, release)
    assert set(result_frame(only_caa)["section"]) == {CAA_ROWS} and only_caa["comparable"] is False
    only_stability = kinds.workspace_result(KIND, stability)
    assert set(result_frame(only_stability)["section"]) == {SHELF_LIFE, SLOPES, LOTS}
    assert only_stability["comparable"] is True  # the three degradation rates are equivalent


def test_comparable_only_when_nothing_failed(tmp_path: Path) -> None:
    frame = _frame()
    data = _example(tmp_path, frame[frame["attribute"] != "afucosylated_glycans"], "clean.csv")
    result = kinds.workspace_result(KIND, data)
    assert result["comparable"] is True
    options = effective_options(get_analysis(KIND), {})
    assert get_analysis(KIND).summary(result, options) == (
        "post-change vs pre-change: 4 attributes, 4 pass; degradation rates equivalent for 3 of 3 "
        "comparison(s) with a margin; comparable: yes"
    )
    tight = kinds.workspace_result(KIND, data, {"slope_margin": 0.0001})  # margins of the file win
    assert tight["comparable"] is True
    no_margin = frame[frame["attribute"] != "afucosylated_glycans"].assign(slope_margin="")
    narrow = kinds.workspace_result(KIND, _example(tmp_path, no_margin, "m.csv"), {"slope_margin": 0.0001})
    assert narrow["comparable"] is False  # the option is the margin when the file has none


def _view(path: Path, options: dict[str, str] | None = None) -> RunView:
    analysis = get_analysis(KIND)
    settings = effective_options(analysis, dict(options or {}))
    result = dict(analysis.compute(analysis.read(path), settings))
    stored = StoredInput("0", KIND, lambda: pd.read_csv(path))
    return RunView(KIND, settings, result_frame(result), (stored,), result)


def test_figures_of_the_attributes_and_the_stability_analyses(tmp_path: Path) -> None:
    view = _view(_example(tmp_path))
    figures = get_analysis(KIND).figures(view)
    attributes = [f for f in figures if f.series == "attribute"]
    assert attributes[0].item == "afucosylated_glycans"  # the failed attribute first
    plot = attributes[0].data
    assert isinstance(plot, CAAPlot) and plot.sources == ("post-change", "pre-change")
    caa = section(view.table, CAA_ROWS).set_index("attribute").loc["afucosylated_glycans"]
    assert [(b.lower, b.upper) for b in plot.bands] == [(caa["lower_limit"], caa["upper_limit"])]
    frame = pd.read_csv(io.BytesIO(example_data()))
    release = frame[frame["time"].isna() & (frame["attribute"] == "afucosylated_glycans")]
    assert plot.values["pre-change"] == release[release["source"] == "pre-change"]["value"].tolist()
    analyses = [f for f in figures if f.series == "analysis"]
    assert [f.item for f in analyses] == [
        f"{a} {c} {p}"
        for a, c in (("purity_sec", "5C"), ("purity_sec", "25C"), ("hmw_species_sec", "5C"))
        for p in ("pre-change", "post-change")
    ]
    for (
        figure
    ) in analyses:  # three lots on stability per product, the point where the bound meets the criterion
        plot_ = figure.data
        assert isinstance(plot_, XYPlot) and [p.name for p in plot_.points][-1] == CROSSING
        assert len(plot_.points) == 4 and len(plot_.bounds) in (1, 3)  # pooled (cics) or per lot


def test_the_stability_part_names_attributes_by_the_catalogue_labels(tmp_path: Path) -> None:
    """With a catalogue, the stability tables, figures and notes name an attribute by its label
    (``hmw_species_sec`` -> ``HMW species (SEC)``), as the CAA table beside them does; an attribute the
    catalogue does not list keeps its code as written (``purity_sec``)."""
    options = {"catalogue": "igg1-mab-example"}
    view = _view(_example(tmp_path), options)
    tables = get_analysis(KIND).tables(view.table, view.options).main
    lives = next(t for t in tables if t.title.startswith("Shelf life per attribute"))
    assert [row[0] for row in lives.rows] == ["purity_sec"] * 4 + ["HMW species (SEC)"] * 2
    slopes = next(t for t in tables if t.title.startswith("Equivalence of degradation rates"))
    assert [row[0] for row in slopes.rows] == ["purity_sec", "purity_sec", "HMW species (SEC)"]
    lots = [row[0] for t in tables if t.title.startswith("Regression per lot") for row in t.rows]
    assert set(lots) == {"purity_sec", "HMW species (SEC)"}
    analyses = [f for f in get_analysis(KIND).figures(view) if f.series == "analysis"]
    assert [f.item for f in analyses][-2:] == [
        "HMW species (SEC) 5C pre-change",
        "HMW species (SEC) 5C post-change",
    ]
    assert isinstance(analyses[-1].data, XYPlot) and analyses[-1].data.y_label == "HMW species (SEC)"
    frame = _frame()  # the aggregates on stability for 12 months only: a shelf life that extrapolates
    late = (frame["attribute"] == "hmw_species_sec") & (pd.to_numeric(frame["time"], errors="coerce") > 12)
    notes = kinds.workspace_result(KIND, _example(tmp_path, frame[~late], "short.csv"), options)["notes"]
    flagged = [n for n in notes if "extrapolates beyond the last time point 12" in n]
    assert flagged and all(n.startswith("HMW species (SEC) 5C ") for n in flagged), notes
    assert not any("hmw_species_sec" in n for n in notes)


#: The file's labels of the example's attributes (afucosylated_glycans: on its first release row only).
FILE_LABELS = {"purity_sec": "Purity (SEC)", "hmw_species_sec": "HMW species (file)"}


def _labelled(tmp_path: Path, frame: pd.DataFrame | None = None) -> Path:
    """The example with a ``label`` column: one per attribute over release and stability rows, blank where
    an attribute has none (``main_charge_variant``, ``relative_potency``) and on rows that leave it out."""
    frame = _frame() if frame is None else frame
    frame["label"] = frame["attribute"].map(FILE_LABELS).fillna("")
    afucosylated = frame.index[frame["attribute"] == "afucosylated_glycans"]
    frame.loc[afucosylated[0], "label"] = "Afucosylated glycans (file)"
    return _example(tmp_path, frame, "labelled.csv")


def _names(view: RunView, title: str) -> list[str]:
    """The first cells (the attribute) of the rows of the main table whose title starts with ``title``."""
    table = next(
        t for t in get_analysis(KIND).tables(view.table, view.options).main if t.title.startswith(title)
    )
    return [row[0] for row in table.rows]


def test_the_file_labels_name_the_attributes_without_a_catalogue(tmp_path: Path) -> None:
    """Without a catalogue, the file's ``label`` column names an attribute in the CAA and stability tables,
    the figures, the notes and the ICH Q5E verdict the readiness cites (as the ``stability`` kind's label);
    an attribute without one keeps its code as written. The stored table keeps the codes, the labels
    beside them."""
    view = _view(_labelled(tmp_path))
    assert _names(view, "Process-change comparability") == [
        "Purity (SEC)", "HMW species (file)", "main_charge_variant", "Afucosylated glycans (file)",
        "relative_potency",
    ]  # fmt: skip
    assert _names(view, "Shelf life per attribute") == ["Purity (SEC)"] * 4 + ["HMW species (file)"] * 2
    assert _names(view, "Equivalence of degradation rates") == ["Purity (SEC)"] * 2 + ["HMW species (file)"]
    figures = get_analysis(KIND).figures(view)
    failed = next(f for f in figures if f.series == "attribute")
    assert failed.item == "afucosylated_glycans" and failed.label.endswith(", Afucosylated glycans (file)")
    analyses = [f.item for f in figures if f.series == "analysis"]
    assert analyses[0] == "Purity (SEC) 5C pre-change" and analyses[-1] == "HMW species (file) 5C post-change"
    rows = frame_records(view.table)
    found = verdict(rows, comparability_names(view.options, rows))
    assert found.not_comparable == ("Afucosylated glycans (file)",)
    caa = section(view.table, CAA_ROWS).set_index("attribute")["label"]
    assert caa.dropna().to_dict() == {
        "purity_sec": "Purity (SEC)",
        "hmw_species_sec": "HMW species (file)",
        "afucosylated_glycans": "Afucosylated glycans (file)",
    }
    frame = _frame()  # the aggregates on stability for 12 months only: a shelf life that extrapolates
    late = (frame["attribute"] == "hmw_species_sec") & (pd.to_numeric(frame["time"], errors="coerce") > 12)
    short = _labelled(tmp_path, frame[~late].reset_index(drop=True))
    notes = kinds.workspace_result(KIND, short)["notes"]
    flagged = [n for n in notes if "extrapolates beyond the last time point 12" in n]
    assert flagged and all(n.startswith("HMW species (file) 5C ") for n in flagged), notes


def test_a_file_label_comes_before_the_catalogue_label(tmp_path: Path) -> None:
    """With a catalogue, an attribute the file labels keeps the file's label (the ``stability`` kind's rule:
    the row's label, then the catalogue's); one it does not label takes the catalogue's."""
    view = _view(_labelled(tmp_path), {"catalogue": "igg1-mab-example"})
    assert _names(view, "Process-change comparability") == [
        "Purity (SEC)",
        "HMW species (file) — aggregates by SEC-HPLC",
        "Main charge variant — icIEF main peak",
        "Afucosylated glycans (file) — afucosylated N-glycans (HILIC-FLD); drives ADCC",
        "relative_potency",
    ]  # fmt: skip
    assert _names(view, "Equivalence of degradation rates") == ["Purity (SEC)"] * 2 + ["HMW species (file)"]


def test_two_labels_of_one_attribute_are_refused_naming_the_row(tmp_path: Path) -> None:
    frame = _frame()
    frame["label"] = ""
    frame.loc[0, "label"] = "Purity (SEC)"  # a release row
    frame.loc[100, "label"] = "Purity"  # row 101: the first stability row of the same attribute
    bad = _example(tmp_path, frame, "bad.csv")
    with pytest.raises(DataFileError) as raised:
        get_analysis(KIND).read(bad)
    assert (raised.value.row, raised.value.line, raised.value.column) == (101, 102, "label")
    assert "attribute 'purity_sec' has label 'Purity (SEC)' on row 1" in str(raised.value)


def test_through_the_api(workspace: kinds.Workspace, tmp_path: Path) -> None:
    run = workspace.api_run(KIND, "comparability.csv", example_data(), plan="tiered-2017")
    assert run["options"]["plan"] == "tiered-2017" and run["options"]["pre"] == "pre-change"
    assert run["result"] == kinds.workspace_result(KIND, _example(tmp_path), {"plan": "tiered-2017"})


def test_through_the_web_pages(workspace: kinds.Workspace, tmp_path: Path) -> None:
    page, report = workspace.web_run(KIND, "comparability.csv", example_data(), post="post-change")
    analysis = get_analysis(KIND)
    summary = analysis.summary(
        kinds.workspace_result(KIND, _example(tmp_path)), effective_options(analysis, {})
    )
    assert summary.startswith("post-change vs pre-change: 5 attributes, 1 fail, 4 pass;")
    for html in (page, report):
        text = kinds.text_of(html)
        assert summary in text
        assert "Process-change comparability (ICH Q5E): post-change lots against the pre-change lots" in text
        assert "Shelf life per attribute, condition and product (ICH Q1E Appendix B)" in text
        assert (
            "Equivalence of degradation rates: difference of mean lot slopes, post-change - pre-change"
            in text
        )
    assert 'id="fig-comparability"' in page and 'id="fig-stability"' in page
    # no catalogue: the attribute under its code as written (never re-cased)
    assert report.count('alt="Lot values of afucosylated_glycans by source"') == 1
    assert report.count('alt="Results per lot against time with the chosen model') == 6
    text = kinds.text_of(report)
    assert "Quality attributes: lots before and after the change" in text
    assert "Stability plots (ICH Q1E Appendix B)" in text
    assert "Complete CAA result" in text and "Complete result: lot regression" in text


def test_identical_products_are_comparable_with_slope_differences_centred_on_zero(tmp_path: Path) -> None:
    """The post-change lots a copy of the pre-change lots: every attribute passes, and each difference of
    degradation rates is 0 with its CI centred on 0 (the property of tests/cmc at the kind's level)."""
    frame = _frame()
    pre = frame[frame["source"] == "pre-change"]
    copy = pre.assign(source="post-change", lot=pre["lot"].str.replace("PC-", "CP-"))
    result = kinds.workspace_result(KIND, _example(tmp_path, pd.concat([pre, copy]), "same.csv"))
    table = result_frame(result)
    assert set(section(table, CAA_ROWS)["status"]) == {"pass"} and result["comparable"] is True
    slopes = section(table, SLOPES)
    assert len(slopes) == 3
    for r in slopes.to_dict("records"):
        assert r["difference"] == pytest.approx(0.0, abs=1e-12)
        assert (r["ci_lower"] + r["ci_upper"]) / 2 == pytest.approx(0.0, abs=1e-12)
        assert r["ci_lower"] < 0 < r["ci_upper"]


def test_the_command_reads_the_file_labels_as_the_kind_does(tmp_path: Path) -> None:
    """``bioparity comparability`` reads the optional ``label`` column of its file with the kind's reader
    (``with_file_labels``): its result table has the kind's ``label`` column, the terminal names the failing
    attribute and the stability analyses by the file's label (the code where there is none), and a second
    label of one attribute is refused naming the row, as a workspace upload is."""
    data = _labelled(tmp_path)
    args = _command_args(data, tmp_path, ("label",))
    done = kinds.RUNNER.invoke(app, args)
    assert done.exit_code == 0, done.output
    labels = kinds.read_csv(tmp_path / "out.csv").set_index("attribute")["label"]
    stored = section(kinds.workspace_table(KIND, data), CAA_ROWS).set_index("attribute")["label"]
    assert (
        labels.dropna().to_dict()
        == stored.dropna().to_dict()
        == {
            "purity_sec": "Purity (SEC)",
            "hmw_species_sec": "HMW species (file)",
            "afucosylated_glycans": "Afucosylated glycans (file)",
        }
    )
    lines = done.stderr.splitlines()
    assert "failing attributes: Afucosylated glycans (file)" in lines
    shelf_lives = [line for line in lines if "shelf life" in line]
    assert len(shelf_lives) == 6 and all(
        line.startswith(("Purity (SEC) ", "HMW species (file) ")) for line in shelf_lives
    )
    assert not any("purity_sec" in line or "hmw_species_sec" in line for line in lines)
    release = tmp_path / "release.csv"
    frame = pd.read_csv(release, dtype=str, keep_default_na=False)
    frame.loc[1, "label"] = "Purity"  # row 2: purity_sec, labelled 'Purity (SEC)' on row 1
    frame.to_csv(release, index=False)
    (tmp_path / "out.csv").unlink()
    done = kinds.RUNNER.invoke(app, args)
    assert done.exit_code == 2 and not (tmp_path / "out.csv").exists()
    assert "row 2 (line 3), column 'label'" in done.stderr
    assert "attribute 'purity_sec' has label 'Purity (SEC)' on row 1" in done.stderr
