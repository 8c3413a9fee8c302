"""How the CAA report names attributes and prints their statistics.

* An attribute is printed under its catalogue ``label`` (``FcγRIIIa binding (SPR)``), else under its code
  exactly as written: the report made names from codes by capitalising (``Fcgriiia binding SPR``,
  ``G0f glycan``, ``Deamidation hc n387``).
* The numbers of one attribute share their decimals (its reference SD to two significant digits): the
  bounds were printed to 4 significant digits, so one column mixed ``[86.5, 110.9]``, ``[87.13, 109.5]``
  and ``[88.71, 110]``, and the intact mass was printed as ``1.481e+05``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from bioparity.analyses.caa import attribute_decimals, caa_names, caa_tables, read_caa
from bioparity.analyses.figures import caa_plot
from bioparity.analyses.format import fmt_fixed
from bioparity.analyses.frames import frame_records
from bioparity.analyses.terms import comparison_words, versus
from bioparity.caa import assess, read_catalogue
from bioparity.caa.catalogue import Catalogue
from bioparity.caa.example import example_paths
from bioparity.errors import InputError
from bioparity.i18n import use_language

EXAMPLE = {"catalogue": "igg1-mab-example"}


@pytest.fixture(scope="module")
def example_rows() -> dict[str, tuple[str, ...]]:
    """The main CAA table of the packaged example, keyed by the stored attribute code."""
    data, catalogue = example_paths()
    frame = assess(read_caa(data), read_catalogue(catalogue)).to_frame()
    table = caa_tables(frame, EXAMPLE).main[0]
    codes = list(dict.fromkeys(frame["attribute"].astype(str)))
    return dict(zip(codes, table.rows, strict=True))


def test_a_label_names_the_attribute_and_a_code_without_one_is_printed_as_written() -> None:
    catalogue = Catalogue.from_mapping(
        {"attributes": [{"name": "g0f_glycan", "label": " G0F glycan ", "tier": 2}, {"name": "hc_n387"}]}
    )
    assert catalogue.display_name("g0f_glycan") == "G0F glycan"
    assert catalogue.display_name("hc_n387") == "hc_n387"  # no label: the code, not "Hc n387"
    assert catalogue.display_name("not_listed") == "not_listed"
    # a label is not a setting: the resolved spec keeps it, the settings of the assessment do not change
    assert catalogue.resolve("g0f_glycan").label == "G0F glycan"
    assert catalogue.resolve("g0f_glycan").tier == 2


def test_a_label_in_the_defaults_is_refused() -> None:
    with pytest.raises(InputError, match="defaults: field 'label' names one attribute"):
        Catalogue.from_mapping({"defaults": {"label": "Glycan"}, "attributes": {"g0f_glycan": {}}})


def test_a_csv_catalogue_reads_the_label_column(tmp_path: Path) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(
        "name,label,tier\nfcrn_binding_spr,FcRn binding (SPR),2\nfree_thiol,,3\n", encoding="utf-8"
    )
    catalogue = read_catalogue(path)
    assert catalogue.display_name("fcrn_binding_spr") == "FcRn binding (SPR)"
    assert catalogue.display_name("free_thiol") == "free_thiol"


def test_the_packaged_catalogue_names_every_attribute_as_a_cmc_reviewer_writes_it() -> None:
    names = caa_names(EXAMPLE)
    assert len(names) == 25 and all(names[code] != code for code in names)
    assert names["fcgriiia_binding_spr"] == "FcγRIIIa binding (SPR)"
    assert names["fcrn_binding_spr"] == "FcRn binding (SPR)"
    assert names["g0f_glycan"] == "G0F glycan"
    assert names["high_mannose_man5"] == "High mannose (Man5)"
    assert names["deamidation_hc_n387"] == "Deamidation HC N387"
    assert names["lmw_species_ce_sds"] == "LMW species (CE-SDS)"
    assert names["c_terminal_lysine"] == "C-terminal lysine"
    # without a catalogue, or for an attribute it does not list: the code as written
    assert caa_names({}, ["g0f_glycan"]) == {"g0f_glycan": "g0f_glycan"}
    assert caa_names(EXAMPLE, ["extra_attribute"])["extra_attribute"] == "extra_attribute"


def test_the_main_table_prints_the_label_and_the_description(
    example_rows: dict[str, tuple[str, ...]],
) -> None:
    assert (
        example_rows["fcgriiia_binding_spr"][0] == "FcγRIIIa binding (SPR) — FcgRIIIa (V158) binding by SPR"
    )
    assert example_rows["g0f_glycan"][0] == "G0F glycan — HILIC-FLD"
    assert example_rows["deamidation_hc_n387"][0] == "Deamidation HC N387 — peptide mapping"
    printed = " ".join(row[0] for row in example_rows.values())
    for mangled in ("Fcgriiia", "G0f", "Fcrn", "hc n387", "Ce sds", "C terminal"):
        assert mangled not in printed


def test_a_table_without_a_catalogue_prints_the_code_as_written() -> None:
    data, _ = example_paths()
    frame = assess(read_caa(data)).to_frame()
    table = caa_tables(frame, {}).main[0]
    assert {row[0] for row in table.rows} == set(frame["attribute"].astype(str))


def _decimals(text: str) -> set[int]:
    """Decimals of every number printed in a key statistic (counts ``15/15`` and infinities left out)."""
    numbers = re.findall(r"(?<![\d/])-?\d+(?:\.(\d+))?(?![\d/])", text.split(" lots in ")[-1])
    return {len(d) for d in numbers}


def test_the_bounds_of_one_attribute_share_their_decimals(example_rows: dict[str, tuple[str, ...]]) -> None:
    potency = example_rows["relative_potency_cdc"]  # SDs 4.9 and 4.5 %: one decimal, as the lots
    assert potency[3:] == (
        "pass: 15/15 lots in [86.5,\u00a0110.9]\u00a0%",
        "pass: 14/15 lots in [87.1,\u00a0109.5]\u00a0%",
        "pass: 25/25 lots in [87.1,\u00a0109.5]\u00a0%",
    )
    # 88.709966 and 109.953367: printed "[88.71, 110]" before, trailing zero kept now
    assert example_rows["target_binding_elisa"][4] == "pass: 15/15 lots in [88.7,\u00a0110.0]\u00a0%"
    assert (
        example_rows["sialylated_glycans"][3] == "pass: 15/15 lots in [0.75,\u00a02.38]\u00a0%"
    )  # was [0.7533, 2.382]
    assert example_rows["basic_charge_variants"][4] == "pass: 15/15 lots in [10.60,\u00a017.09]\u00a0%"
    for code, row in example_rows.items():
        assert len(set().union(*(_decimals(c) for c in row[3:]))) == 1, (code, row)


def test_a_large_mean_is_printed_in_full_to_the_decimals_of_its_sd(
    example_rows: dict[str, tuple[str, ...]],
) -> None:
    # intact mass 148056 Da, lot SD 1.5 Da: was "means 1.481e+05 vs 1.481e+05 Da"
    assert example_rows["intact_mass_g0f_g0f"][3] == "descriptive: means 148055.5 vs 148056.0\u00a0Da"
    assert example_rows["free_thiol"][3] == "descriptive: means 0.068 vs 0.064\u00a0mol/mol"  # SD 0.012


def test_equivalence_statistics_share_the_decimals_of_the_attribute() -> None:
    frame = pd.DataFrame(
        {
            "attribute": ["potency"],
            "comparison": ["test vs ref"],
            "status": ["pass"],
            "method": ["equivalence"],
            "tier": [1],
            "unit": ["%"],
            "sd_reference": [4.2],
            "estimate": [-0.004],
            "ci_lower": [-2.345],
            "ci_upper": [2.0],
            "lower_limit": [-6.3],
            "upper_limit": [6.3],
        }
    )
    row = caa_tables(frame, {}).main[0].rows[0]
    assert row[3] == "pass: difference 0.0, CI (-2.3,\u00a02.0) within [-6.3,\u00a06.3]\u00a0%"


@pytest.mark.parametrize(
    ("sds", "decimals"),
    [([4.49, 4.89], 1), ([0.12, 0.3], 2), ([0.012], 3), ([1.5], 1), ([15.0], 0), ([1500.0], 0), ([1e-9], 6)],
)
def test_attribute_decimals_give_the_smallest_sd_two_significant_digits(
    sds: list[float], decimals: int
) -> None:
    assert attribute_decimals(sds) == decimals


def test_attribute_decimals_are_none_without_a_positive_sd() -> None:
    assert attribute_decimals([]) is None
    assert attribute_decimals([0.0, float("nan"), None]) is None


def test_fmt_fixed_keeps_trailing_zeros_and_prints_no_negative_zero() -> None:
    assert fmt_fixed(110.0, 2) == "110.00"
    assert fmt_fixed(-0.001, 2) == "0.00"
    assert fmt_fixed(-0.006, 2) == "-0.01"
    assert fmt_fixed(148055.54, 0) == "148056"
    assert fmt_fixed(float("nan"), 2) == "—"
    assert fmt_fixed(float("inf"), 2) == "∞"


def test_a_comparison_label_says_vs_in_the_readers_words_the_sources_as_stored() -> None:
    """Web QA Q4: the CAA comparison labels stayed "test vs ref-eu" on a zh-CN page and report while PK
    similarity printed "test 对比 eu-ref"; both print the "vs" of one message now, the stored result (and
    its CSV) keeps the label."""
    data, catalogue = example_paths()
    frame = assess(read_caa(data), read_catalogue(catalogue)).to_frame()
    stored = ["test vs ref-eu", "test vs ref-us", "ref-eu vs ref-us"]
    assert list(dict.fromkeys(frame["comparison"])) == stored
    lots = read_caa(data)
    first = str(frame["attribute"].iloc[0])
    with use_language("zh-CN"):
        tables = caa_tables(frame, EXAMPLE)
        pk = versus("test", "eu-ref")
        plot = caa_plot(lots, frame_records(frame), first)
    assert plot is not None and plot.title.startswith("test 对比 ref-eu: ")  # the figure's verdicts
    assert pk == "test 对比 eu-ref"
    chinese = ["test 对比 ref-eu", "test 对比 ref-us", "ref-eu 对比 ref-us"]
    assert tables.main[0].columns[3:] == tuple(chinese)
    appendix = tables.appendix[0]
    at = appendix.columns.index("比较方式")
    assert list(dict.fromkeys(r[at] for r in appendix.rows)) == chinese
    assert caa_tables(frame, EXAMPLE).main[0].columns[3:] == tuple(stored)  # English as before
    assert list(dict.fromkeys(frame["comparison"])) == stored
    assert comparison_words("pooled") == "pooled"  # a label without "vs": as stored
