"""assess(): three-way comparisons, data handling, catalogue, input errors, the shipped example."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bioparity.caa import Catalogue, assess, read_catalogue
from bioparity.caa.example import DIFFERENT, LOTS, SEED, example_paths, generate_example
from bioparity.errors import DataFileError, InputError
from bioparity.io.caa import read_long_table


def test_example_finds_exactly_the_two_deliberately_different_attributes() -> None:
    data, catalogue = example_paths()
    result = assess(read_long_table(data), read_catalogue(catalogue), file=str(data))
    table = result.table
    assert result.attributes_with_status("fail") == list(DIFFERENT)
    for name in DIFFERENT:
        rows = table[table["attribute"] == name].set_index("comparison")
        assert rows.loc["test vs ref-eu", "status"] == "fail"
        assert rows.loc["test vs ref-us", "status"] == "fail"
        assert rows.loc["ref-eu vs ref-us", "status"] == "pass"  # the references bridge
    assert result.attributes_with_status("not-evaluable") == []
    assert table["attribute"].nunique() == 25 and len(table) == 75
    tier3 = table[table["tier"] == 3]
    assert set(tier3["status"]) == {"descriptive"} and tier3["passed"].isna().all()


def test_shipped_example_is_the_output_of_the_seeded_generator() -> None:
    data, _ = example_paths()
    shipped = pd.read_csv(data)
    regenerated = generate_example(SEED)
    pd.testing.assert_frame_equal(shipped, regenerated, check_dtype=False)
    lots = (
        shipped.drop_duplicates(["attribute", "source", "lot"]).groupby("attribute")["source"].value_counts()
    )
    assert lots.unstack().eq(pd.Series(LOTS)).all().all()


def test_example_notes_report_replicates_missing_value_and_comparisons() -> None:
    data, catalogue = example_paths()
    result = assess(read_long_table(data), read_catalogue(catalogue))
    notes = " ".join(result.notes)
    # 1500 counts attribute x lot values (25 attributes of 60 lots), not lots
    assert "Replicates averaged: 360 of 1500 lot values (attribute x lot) had 2-3 replicates each." in notes
    assert "relative_potency_cdc/ref-us/US-3513 (row 134)" in notes
    assert "ref-eu lots against ref-us" in notes
    row = result.table[
        (result.table["attribute"] == "relative_potency_cdc")
        & (result.table["comparison"] == "test vs ref-us")
    ]
    assert int(row["n_missing"].iloc[0]) == 1
    assert int(row["n_reference"].iloc[0]) == 20  # the lot still counts: two of its three replicates remain


def test_default_comparisons_are_test_vs_each_reference_then_the_bridge(small_table: pd.DataFrame) -> None:
    result = assess(small_table)
    assert result.comparisons == (("test", "ref-eu"), ("test", "ref-us"), ("ref-eu", "ref-us"))
    assert list(result.table["comparison"][:3]) == ["test vs ref-eu", "test vs ref-us", "ref-eu vs ref-us"]


def test_replicates_are_averaged_per_lot_before_statistics(small_table: pd.DataFrame) -> None:
    result = assess(small_table)
    lots = result.lots.set_index(["attribute", "source", "lot"])
    assert lots.loc[("potency", "test", "test-0"), "n_replicates"] == 3
    raw = small_table[(small_table["attribute"] == "potency") & (small_table["lot"] == "test-0")]["value"]
    assert lots.loc[("potency", "test", "test-0"), "value"] == pytest.approx(raw.mean())
    row = result.table[
        (result.table["attribute"] == "potency") & (result.table["comparison"] == "test vs ref-eu")
    ]
    assert int(row["n_test"].iloc[0]) == 4  # lots, not measurements
    per_lot = small_table[(small_table["attribute"] == "potency") & (small_table["source"] == "ref-eu")]
    assert float(row["sd_reference"].iloc[0]) == pytest.approx(
        per_lot.groupby("lot")["value"].mean().std(ddof=1)
    )


def test_too_few_lots_for_the_method_is_reported_not_passed(small_table: pd.DataFrame) -> None:
    catalogue = Catalogue.from_mapping(
        {"attributes": {"purity": {"method": "quality-range", "min_reference_lots": 10}}}
    )
    result = assess(small_table, catalogue)
    rows = result.table[result.table["attribute"] == "purity"]
    assert set(rows["status"]) == {"not-evaluable"}
    assert rows["passed"].isna().all()
    assert rows["reasons"].str.contains(r"5 reference lots \(ref-..\); quality-range needs >= 10").all()


def test_outliers_are_flagged_not_excluded(small_table: pd.DataFrame) -> None:
    extra = pd.DataFrame(
        [("purity", "ref-eu", f"x{i}", 1, 98.2) for i in range(4)] + [("purity", "ref-eu", "odd", 1, 120.0)],
        columns=small_table.columns,
    )
    result = assess(pd.concat([small_table, extra], ignore_index=True))
    flagged = result.lots[result.lots["outlier"]]
    assert list(flagged["lot"]) == ["odd"]
    row = result.table[
        (result.table["attribute"] == "purity") & (result.table["comparison"] == "test vs ref-eu")
    ]
    assert row["outlier_lots"].iloc[0] == "ref-eu: odd"
    assert int(row["n_reference"].iloc[0]) == 10  # still counted
    assert "odd" in " ".join(result.notes)


def test_catalogue_yaml_and_csv_give_the_same_settings(tmp_path: Path, small_table: pd.DataFrame) -> None:
    yaml_file = tmp_path / "cat.yaml"
    yaml_file.write_text(
        "defaults:\n  k: 2.5\nattributes:\n  potency: {tier: 1, margin_multiplier: 2}\n  purity:\n"
        "    method: tolerance-interval\n    direction: lower-is-worse\n    coverage: 0.95\n",
        encoding="utf-8",
    )
    csv_file = tmp_path / "cat.csv"
    csv_file.write_text(
        "attribute,tier,margin_multiplier,method,direction,coverage,k\npotency,1,2,,,,2.5\n"
        "purity,,,tolerance-interval,lower-is-worse,0.95,2.5\n",
        encoding="utf-8",
    )
    # the old 2017 tiers (tier 1 -> equivalence) are an explicit plan now
    a, b = (
        replace(read_catalogue(yaml_file), plan="tiered-2017"),
        replace(read_catalogue(csv_file), plan="tiered-2017"),
    )
    for name in ("potency", "purity"):
        assert a.resolve(name) == b.resolve(name)
    spec = a.resolve("potency")
    assert (spec.method, spec.margin_multiplier, spec.alpha, spec.variance) == (
        "equivalence",
        2.0,
        0.05,
        "welch",
    )
    assert a.resolve("purity").direction == "lower-is-worse"
    assert a.resolve("unlisted").method == "quality-range" and a.resolve("unlisted").k == 2.5
    result = assess(small_table, a)
    assert set(result.table.loc[result.table["attribute"] == "purity", "method"]) == {"tolerance-interval"}


def test_catalogue_errors_name_the_attribute_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("attributes:\n  potency: {tier: 4}\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"attribute 'potency': field 'tier' = 4; expected 1, 2 or 3"):
        read_catalogue(bad)
    with pytest.raises(InputError, match="unknown field"):
        Catalogue.from_mapping({"attributes": {"potency": {"teir": 1}}})
    with pytest.raises(InputError, match="risk_thresholds"):
        Catalogue.from_mapping({"attributes": {"potency": {"risk_score": 80}}}).resolve("potency")
    scored = Catalogue.from_mapping(
        {"risk_thresholds": [70, 30], "attributes": {"a": {"risk_score": 80}, "b": {"risk_score": 40}}}
    )
    assert (scored.resolve("a").tier, scored.resolve("b").tier) == (1, 2)


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "in.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_unknown_source_label_names_row_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "attribute,source,lot,value\npurity,test,T1,98\npurity,reference-eu,R1,97\n")
    with pytest.raises(DataFileError, match=r"row 2 \(line 3\), column 'source': invalid value") as err:
        read_long_table(path)
    assert err.value.row == 2 and err.value.column == "source"


def test_non_numeric_value_names_row_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "attribute,source,lot,value\npurity,test,T1,98\npurity,ref-eu,R1,<LOQ\n")
    with pytest.raises(DataFileError, match=r"row 2 \(line 3\), column 'value': not a number") as err:
        read_long_table(path)
    assert (err.value.row, err.value.column) == (2, "value")


def test_attribute_with_one_lot_names_row_and_column(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "attribute,source,lot,value\npurity,test,T1,98\npurity,ref-eu,R1,97\nmass,test,T1,5\n"
    )
    with pytest.raises(
        DataFileError, match=r"row 3 \(line 4\), column 'attribute': attribute 'mass' has only one lot"
    ):
        read_long_table(path)


def test_lot_listed_as_test_and_as_reference_names_both_rows(tmp_path: Path) -> None:
    # a mislabelled source cell: lot T2 is the test product's (rows 1-2) but row 5 puts it in the reference
    # set; by hand, data row 5 is file line 6 and the first T2 row is data row 2
    path = _write(
        tmp_path,
        "attribute,source,lot,value\npurity,test,T1,98\npurity,test,T2,97\npurity,ref-eu,R1,97\n"
        "purity,ref-eu,R2,96\nhmw,ref-eu,T2,0.8\nhmw,ref-eu,R1,0.9\n",
    )
    with pytest.raises(DataFileError) as err:
        read_long_table(path)
    assert (err.value.row, err.value.line, err.value.column, err.value.value) == (5, 6, "source", "ref-eu")
    assert "lot 'T2' is listed as test (row 2) and here as ref-eu" in str(err.value)
    assert "correct the source cell" in str(err.value)


def test_one_lot_id_in_two_reference_regions_is_accepted(tmp_path: Path) -> None:
    # one manufacturing lot may be released for the EU and the US market: not a mislabelled source
    path = _write(
        tmp_path,
        "attribute,source,lot,value\npurity,test,T1,98\npurity,test,T2,97\npurity,ref-eu,R1,97\n"
        "purity,ref-us,R1,96.5\n",
    )
    assert sorted(read_long_table(path)["source"]) == ["ref-eu", "ref-us", "test", "test"]


def test_a_lot_with_more_values_than_its_peers_is_named() -> None:
    # no replicate column: R2 of purity/ref-eu is written twice (a pasted row), every other lot once. By hand:
    # R2 has 2 values where the usual count of purity/ref-eu is 1; its lot value is (96 + 96)/2 = 96.
    table = pd.DataFrame(
        {
            "attribute": ["purity"] * 6,
            "source": ["test", "test", "ref-eu", "ref-eu", "ref-eu", "ref-eu"],
            "lot": ["T1", "T2", "R1", "R2", "R2", "R3"],
            "value": [98.0, 97.0, 97.0, 96.0, 96.0, 97.5],
        }
    )
    notes = assess(table, operating_characteristics=False).notes
    flagged = [n for n in notes if n.startswith("More values than the other lots")]
    assert flagged == [
        "More values than the other lots of their attribute and source (averaged as replicates; check for a "
        "pasted row or a lot ID given twice): purity/ref-eu/R2 (2 vs 1)."
    ]
    # triplicates for every lot are the usual count: nothing named
    even = table.drop(index=4).loc[lambda f: f.index.repeat(3)].reset_index(drop=True)
    notes = assess(even, operating_characteristics=False).notes
    assert not [n for n in notes if n.startswith("More values")]


def test_a_below_loq_result_says_what_to_enter(tmp_path: Path) -> None:
    text = "attribute,source,lot,value\nhmw,test,T1,0.8\nhmw,ref-eu,R1,<LOQ\nhmw,ref-eu,R2,0.9\n"
    path = _write(tmp_path, text)
    with pytest.raises(DataFileError) as err:
        read_long_table(path)
    assert (err.value.row, err.value.line, err.value.column, err.value.value) == (2, 3, "value", "<LOQ")
    assert "enter the value your protocol sets for it (e.g. the LOQ) or leave the cell empty" in str(
        err.value
    )


def test_pooled_reference_sd_is_the_sd_of_all_reference_lots_and_the_note_says_so() -> None:
    # EU 96, 97, 98 and US 97, 98, 99 (SD 1 each). By hand, all six together: mean 97.5, squared deviations
    # 2.25 + 0.25 + 0.25 + 0.25 + 0.25 + 2.25 = 5.5, SD = sqrt(5.5 / 5) = sqrt(1.1) = 1.0488088; the
    # within-region pooled SD would be 1.
    table = pd.DataFrame(
        {
            "attribute": ["purity"] * 9,
            "source": ["test"] * 3 + ["ref-eu"] * 3 + ["ref-us"] * 3,
            "lot": ["T1", "T2", "T3", "E1", "E2", "E3", "U1", "U2", "U3"],
            "value": [97.0, 97.5, 98.0, 96.0, 97.0, 98.0, 97.0, 98.0, 99.0],
        }
    )
    result = assess(table, plan="tiered-2017", pool_references=True, operating_characteristics=False)
    pooled = result.table.set_index("comparison").loc["test vs ref-pooled"]
    assert (pooled["n_reference"], pooled["mean_reference"]) == (6, pytest.approx(97.5, abs=1e-12))
    assert pooled["sd_reference"] == pytest.approx(1.0488088481701516, rel=1e-12)
    assert any("SD_R (n - 1) are those of all reference lots taken together" in n for n in result.notes)


def test_no_range_gives_no_count_of_lots_inside() -> None:
    # a one-sided 90%/90% distribution-free bound needs n with 1 - 0.9^n >= 0.9 (Wilks 1941), by hand
    # n >= log(0.1)/log(0.9) = 21.85, so 22 lots; with 12 reference lots there is no range, hence no count
    rng = np.random.default_rng(11)
    values = np.round(np.concatenate([rng.normal(0.8, 0.1, 8), rng.normal(0.8, 0.1, 12)]), 3)
    table = pd.DataFrame(
        {
            "attribute": ["hmw"] * 20,
            "source": ["test"] * 8 + ["ref-eu"] * 12,
            "lot": [f"T{i}" for i in range(8)] + [f"R{i}" for i in range(12)],
            "value": values,
        }
    )
    catalogue = Catalogue.from_mapping(
        {
            "defaults": {"min_reference_lots": 6, "min_test_lots": 6, "lot_justification": "early filing"},
            "attributes": {"hmw": {"tier": 2, "method": "nonparametric", "direction": "higher-is-worse"}},
        }
    )
    row = assess(table, catalogue, operating_characteristics=False).table.iloc[0]
    assert row["status"] == "not-evaluable"
    assert "needs >= 22 reference lots; ref-eu has 12" in row["reasons"]
    assert row[["n_inside", "fraction_inside", "required_fraction"]].isna().all()


def test_a_source_without_lots_of_an_attribute_has_no_sd() -> None:
    # purity has no ref-us lot: its mean and SD (n - 1) are undefined (0/0, 0/-1), not "-0.0"
    table = pd.DataFrame(
        {
            "attribute": ["purity"] * 4 + ["hmw"] * 4,
            "source": ["test", "test", "ref-eu", "ref-eu", "test", "ref-eu", "ref-us", "ref-us"],
            "lot": ["T1", "T2", "E1", "E2", "T1", "E1", "U1", "U2"],
            "value": [98.0, 97.0, 97.0, 96.0, 0.8, 0.9, 0.7, 0.8],
        }
    )
    rows = assess(table, operating_characteristics=False).table
    row = rows[(rows["attribute"] == "purity") & (rows["comparison"] == "test vs ref-us")].iloc[0]
    assert row["n_reference"] == 0 and row["status"] == "not-evaluable"
    assert np.isnan(row["mean_reference"]) and np.isnan(row["sd_reference"])


def test_in_memory_table_is_checked_the_same_way(small_table: pd.DataFrame) -> None:
    bad = small_table.copy()
    bad.loc[5, "source"] = "biosimilar"
    with pytest.raises(DataFileError, match=r"row 6, column 'source': unknown source label"):
        assess(bad)
    bad = small_table.copy()
    bad["value"] = bad["value"].astype(object)
    bad.loc[7, "value"] = "n.d."
    with pytest.raises(DataFileError, match=r"row 8, column 'value': not a number"):
        assess(bad)
    bad = small_table.copy()
    bad["unit"] = "%"
    bad.loc[9, "unit"] = "mg"
    with pytest.raises(DataFileError, match=r"row 10, column 'unit'"):
        assess(bad)


def test_missing_values_are_excluded_and_counted(small_table: pd.DataFrame) -> None:
    data = small_table.copy()
    data.loc[(data["attribute"] == "purity") & (data["lot"] == "ref-us-0"), "value"] = np.nan
    result = assess(data)
    row = result.table[
        (result.table["attribute"] == "purity") & (result.table["comparison"] == "test vs ref-us")
    ]
    assert int(row["n_missing"].iloc[0]) == 1 and int(row["n_reference"].iloc[0]) == 4
    assert "purity/ref-us/ref-us-0" in " ".join(result.notes)


def test_result_exports(small_table: pd.DataFrame) -> None:
    result = assess(small_table)
    assert result.to_frame().shape == (6, len(result.table.columns))
    first = result.results()[0]
    assert first.attribute == "potency" and first.comparison == "test vs ref-eu"
    assert result.to_dict()["results"][0]["attribute"] == "potency"
    assert "CAAResult(attributes=2" in repr(result)


def test_tiered_2017_notes_an_alpha_above_the_guidance_0_05() -> None:
    """Review: plan tiered-2017 took alpha 0.10 (an 80% CI for the TOST) without comment. FDA 2017 draft
    "Statistical Approaches to Evaluate Analytical Similarity", tier 1: alpha 0.05, a 90% CI. The note names
    the alpha, the level 1 - 2 alpha = 80% and the attribute; at 0.05 (and under qr-2025) no such note."""
    table = pd.DataFrame(
        {
            "attribute": ["potency"] * 6,
            "source": ["test"] * 3 + ["ref-eu"] * 3,
            "lot": ["T1", "T2", "T3", "E1", "E2", "E3"],
            "value": [99.0, 100.0, 101.0, 98.0, 100.0, 102.0],
        }
    )

    def notes(plan: str, alpha: float) -> list[str]:
        entry = {"method": "equivalence", "alpha": alpha}
        catalogue = Catalogue.from_mapping({"plan": plan, "attributes": {"potency": entry}})
        result = assess(table, catalogue, operating_characteristics=False)
        return [n for n in result.notes if "alpha" in n]

    (note,) = notes("tiered-2017", 0.10)
    assert note.startswith("Plan tiered-2017: alpha 0.1 (80% confidence interval) for potency;")
    assert "tier 1 equivalence test uses alpha 0.05 (a 90% confidence interval)" in note
    assert notes("tiered-2017", 0.05) == [] and notes("tiered-2017", 0.025) == []
