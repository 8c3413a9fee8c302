"""The scan joins the knowledge base with the parsed files; same inputs, same ranking."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from bioparity.errors import InputError
from bioparity.market import (
    VoidWeights,
    load_knowledge_base,
    read_ema_medicines,
    read_purple_book,
    read_trials,
    scan_market,
    timeline_chart,
    void_scores,
)
from bioparity.market.knowledge import FACTS
from bioparity.market.scan import default_scan_date, parse_rdp
from tests.market.conftest import CTGOV, EMA_ROWS, PURPLE_BOOK, write_ema_workbook

MINI_KB = {
    "schema": "bioparity-market-kb/2",
    "reviewed": "2026-12-05",
    "sources": {"s": {"title": "t", "publisher": "p", "url": "https://example.org", "date": "2025"}},
    "records": [],
}


def _record(inn: str, brand: str, **facts: object) -> dict[str, object]:
    unknown = {"value": "unknown", "checked": "2026-11-25"}
    rec: dict[str, object] = {"inn": inn}
    for name in FACTS:
        rec[name] = unknown
    rec["originator_brand"] = {"value": brand, "source": "s", "checked": "2026-11-25", "as_of": "2025"}
    rec["modality"] = {"value": "mAb", "source": "s", "checked": "2026-11-25", "as_of": "2025"}
    for name, value in facts.items():
        as_of = "2025"
        if isinstance(value, tuple):  # (value, as_of)
            value, as_of = value
        rec[name] = {"value": value, "source": "s", "checked": "2026-11-25", "basis": "test", "as_of": as_of}
    return rec


@pytest.fixture
def mini_kb(tmp_path: Path) -> Path:
    doc: dict[str, object] = dict(MINI_KB)
    doc["records"] = [
        _record("adalimumab", "Humira", us_first_biosimilar_launch=2023, eu_patent_expiry=2018,
                originator_sales={"usd_million": 9000, "year": 2024, "scope": "worldwide"}),
        _record("ustekinumab", "Stelara", us_first_biosimilar_launch=2025),
        _record("denosumab", "Prolia", biosimilars_in_development=["a", "b"]),
        _record("pembrolizumab", "Keytruda", us_patent_expiry=2028, eu_patent_expiry=2030,
                us_biosimilars_approved=[], eu_biosimilars_approved=[],
                originator_sales={"usd_million": 25000, "year": 2023, "scope": "worldwide"}),
    ]  # fmt: skip
    path = tmp_path / "kb.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


#: A scan date at which the fixture files are current (Purple Book June 2025, EMA 01/06/2025: 11 whole
#: months; a stale file count would be unknown).
FILES_CURRENT = date(2026, 5, 31)


def _scan(kb_path: Path, ema_xlsx: Path, weights: VoidWeights | None = None) -> pd.DataFrame:
    return scan_market(
        load_knowledge_base(kb_path),
        purple_book=read_purple_book(PURPLE_BOOK),
        ema=read_ema_medicines(ema_xlsx),
        trials=read_trials(CTGOV),
        weights=weights,
        as_of_year=2026,
        on=FILES_CURRENT,
    ).table


def test_counts_come_from_the_files(mini_kb: Path, ema_xlsx: Path) -> None:
    table = _scan(mini_kb, ema_xlsx).set_index(["inn", "region"])
    assert table.loc[("adalimumab", "us"), "approved_biosimilars"] == 4  # Testimira is revoked
    assert table.loc[("adalimumab", "eu"), "approved_biosimilars"] == 2  # Cyltezo is withdrawn
    assert table.loc[("ustekinumab", "us"), "approved_biosimilars"] == 2
    assert table.loc[("ustekinumab", "eu"), "approved_biosimilars"] == 2
    assert table.loc[("pembrolizumab", "us"), "approved_biosimilars"] == 0
    # Ongoing trials: ustekinumab by Alvotech, Dong-A and Bio-Thera; denosumab by Henlius only. In the
    # US, Bio-Thera already holds a licensed 351(k) product (Starjemza, in the Purple Book fixture), so
    # it is counted among the approved, not again in development; the EMA fixture has no Bio-Thera
    # ustekinumab, so it counts in the EU.
    assert table.loc[("ustekinumab", "us"), "biosimilars_in_development"] == 2
    assert table.loc[("ustekinumab", "eu"), "biosimilars_in_development"] == 3
    assert table.loc[("denosumab", "eu"), "biosimilars_in_development"] == 1
    assert table.loc[("pembrolizumab", "eu"), "biosimilars_in_development"] == 0


def test_protection_end_prefers_the_knowledge_base_then_regulatory_minimum(
    mini_kb: Path, ema_xlsx: Path
) -> None:
    table = _scan(mini_kb, ema_xlsx).set_index(["inn", "region"])
    assert table.loc[("adalimumab", "us"), "protection_end_year"] == 2023
    assert table["protection_end_basis"].loc[("adalimumab", "us")].startswith("first biosimilar launch")
    assert table.loc[("adalimumab", "us"), "first_launch_year"] == 2023
    # Ustekinumab in the EU: EMA first authorisation of Stelara (2009) + 10 years.
    assert table.loc[("ustekinumab", "eu"), "protection_end_year"] == 2019
    assert "8+2" in table["protection_end_basis"].loc[("ustekinumab", "eu")]
    # Denosumab in the US: Prolia first licensed 2010 + 12 years.
    assert table.loc[("denosumab", "us"), "protection_end_year"] == 2022


def test_scores_equal_the_core_on_the_joined_inputs(mini_kb: Path, ema_xlsx: Path) -> None:
    table = _scan(mini_kb, ema_xlsx)
    expected = void_scores(
        table["approved_biosimilars"].astype(float),
        table["biosimilars_in_development"].astype(float),
        table["protection_end_year"].astype(float) - 2026,
        table["originator_sales_usd_m"].astype(float),
    )
    np.testing.assert_allclose(table["void_score"], expected.score, rtol=0, atol=0)
    assert list(table["rank"]) == list(range(1, len(table) + 1))
    assert table["void_score"].is_monotonic_decreasing
    # Pembrolizumab in the EU: no biosimilar approved or in trials, protection to 2030 (4 years ahead:
    # timing 1 - |4 - 7|/10 = 0.7), sales above the reference: 0.35 + 0.25 + 0.25 * 0.7 + 0.15.
    top = table.iloc[0]
    assert (top["inn"], top["region"]) == ("pembrolizumab", "eu")
    assert top["void_score"] == pytest.approx(0.925, abs=1e-12)


def test_same_inputs_give_the_same_ranking(mini_kb: Path, ema_xlsx: Path) -> None:
    first = _scan(mini_kb, ema_xlsx)
    second = _scan(mini_kb, ema_xlsx)
    pd.testing.assert_frame_equal(first, second)


def test_weights_change_the_ranking_as_configured(mini_kb: Path, ema_xlsx: Path) -> None:
    only_timing = VoidWeights(no_competition=0, no_pipeline=0, timing=1, market_size=0)
    table = _scan(mini_kb, ema_xlsx, only_timing)
    np.testing.assert_allclose(table["void_score"], table["c_timing"].fillna(0.0))


def test_region_view_and_unknown_region(mini_kb: Path, ema_xlsx: Path) -> None:
    ranking = scan_market(
        load_knowledge_base(mini_kb), regions=["eu"], ema=read_ema_medicines(ema_xlsx), as_of_year=2026
    )
    view = ranking.region_view("eu")
    assert set(view["region"]) == {"eu"} and list(view["region_rank"]) == [1, 2, 3, 4]
    with pytest.raises(InputError, match="was not scanned"):
        ranking.region_view("us")
    with pytest.raises(InputError, match="unknown region"):
        scan_market(load_knowledge_base(mini_kb), regions=["jp"], as_of_year=2026)


def test_the_shipped_knowledge_base_scans_without_files() -> None:
    ranking = scan_market(load_knowledge_base(), as_of_year=2026)
    assert len(ranking.table) == 2 * len(load_knowledge_base().records)
    assert ranking.table["coverage"].between(0, 1).all()


def test_timeline_chart_is_a_png(mini_kb: Path, ema_xlsx: Path, tmp_path: Path) -> None:
    ranking = scan_market(load_knowledge_base(mini_kb), purple_book=read_purple_book(PURPLE_BOOK),
                          ema=read_ema_medicines(ema_xlsx), as_of_year=2026)  # fmt: skip
    path = timeline_chart(ranking, tmp_path / "void.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 5000


def _kb(tmp_path: Path, *records: dict[str, object]) -> Path:
    doc: dict[str, object] = dict(MINI_KB)
    doc["records"] = list(records)
    path = tmp_path / "kb.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    return path


def test_purple_book_exclusivity_is_not_overridden_by_another_kind_of_date(tmp_path: Path) -> None:
    # The Purple Book fixture gives an exclusivity expiration date for Keytruda; a patent year in the
    # knowledge base is a different kind of date and stays in its own column.
    kb = _kb(tmp_path, _record("pembrolizumab", "Keytruda", us_patent_expiry=2028, us_exclusivity_end=2059))
    book = read_purple_book(PURPLE_BOOK)
    table = scan_market(load_knowledge_base(kb), regions=["us"], purple_book=book, as_of_year=2026).table
    row = table.iloc[0]
    own = book.rows[(book.rows["molecule"] == "pembrolizumab") & (book.rows["license_type"] == "351(a)")]
    expected = own["exclusivity_expiration_date"].dropna().max().year
    assert row["exclusivity_end_year"] == expected and row["exclusivity_basis"].startswith("Purple Book")
    assert row["patent_expiry_year"] == 2028
    assert row["protection_end_year"] == max(2028, expected)


@pytest.mark.parametrize(("rule", "years", "end"), [("8+2", 10, 2019), ("8+2+1", 11, 2020), ("8+1", 9, 2018),
                                                    ("8+1+1", 10, 2019)])  # fmt: skip
def test_eu_regulatory_data_protection_is_a_parameter(
    tmp_path: Path, ema_xlsx: Path, rule: str, years: int, end: int
) -> None:
    # Stelara: first EU authorisation 2009 in the EMA report fixture.
    assert parse_rdp(rule) == years
    kb = _kb(tmp_path, _record("ustekinumab", "Stelara"))
    ranking = scan_market(
        load_knowledge_base(kb),
        regions=["eu"],
        ema=read_ema_medicines(ema_xlsx),
        as_of_year=2026,
        eu_rdp=rule,
    )
    row = ranking.table.iloc[0]
    assert (
        row["protection_end_year"] == end
        and f"{rule} regulatory data protection" in row["protection_end_basis"]
    )
    assert ranking.inputs["eu_rdp"] == rule


def test_eu_authorisation_year_in_the_knowledge_base_uses_the_rdp_rule(tmp_path: Path) -> None:
    kb = _kb(tmp_path, _record("durvalumab", "Imfinzi", eu_authorisation_year=2018))
    row = scan_market(load_knowledge_base(kb), regions=["eu"], as_of_year=2026, eu_rdp="8+1+1").table.iloc[0]
    assert row["exclusivity_end_year"] == 2028 and row["protection_end_year"] == 2028


@pytest.mark.parametrize("rule", ["8", "eight+2", "0+2", "8+-1", "15+10"])
def test_bad_rdp_rules_are_rejected(rule: str) -> None:
    if rule == "8":
        assert parse_rdp(rule) == 8
        return
    with pytest.raises(InputError, match="regulatory data protection rule"):
        parse_rdp(rule)


def test_a_stale_count_is_unknown_not_low(tmp_path: Path) -> None:
    kb = _kb(
        tmp_path,
        _record("tocilizumab", "Actemra", us_biosimilars_approved=(["Tofidence", "Tyenne"], "2024-03-05")),
        _record("denosumab", "Prolia", us_biosimilars_approved=(["Jubbonti/Wyost"], "2026-01-05")),
    )
    on = date(2026, 12, 7)  # 2024-03-05 is 33 months before, 2026-01-05 eleven
    kb_ = load_knowledge_base(kb)
    table = scan_market(kb_, regions=["us"], as_of_year=2026, on=on).table.set_index("inn")
    assert np.isnan(table["approved_biosimilars"].loc["tocilizumab"])
    assert (
        table["approved_source"].loc["tocilizumab"].startswith("stale: knowledge base [s] as of 2024-03-05")
    )
    assert "no_competition" in table["unknown_inputs"].loc["tocilizumab"]
    assert table.loc["denosumab", "approved_biosimilars"] == 1
    relaxed = scan_market(kb_, regions=["us"], as_of_year=2026, max_fact_age_years=3, on=on)
    assert relaxed.table.set_index("inn").loc["tocilizumab", "approved_biosimilars"] == 2


def test_a_past_as_of_year_judges_fact_ages_at_its_end_whatever_the_day(tmp_path: Path) -> None:
    # Same arguments, same ranking on any later day: "as of 2025" measures fact ages from 2025-12-31
    # (2025-01-10 is 11 whole months before: fresh; 2024-11-30 is 13: stale), the current year from today.
    kb = _kb(
        tmp_path,
        _record("tocilizumab", "Actemra", us_biosimilars_approved=(["Tofidence"], "2024-11-30")),
        _record("denosumab", "Prolia", us_biosimilars_approved=(["Jubbonti/Wyost"], "2025-01-10")),
    )
    ranking = scan_market(load_knowledge_base(kb), regions=["us"], as_of_year=2025)
    assert ranking.inputs["scan_date"] == "2025-12-31"
    table = ranking.table.set_index("inn")
    assert np.isnan(table["approved_biosimilars"].loc["tocilizumab"])
    assert table.loc["denosumab", "approved_biosimilars"] == 1
    assert default_scan_date(2025, today=date(2031, 6, 1)) == date(2025, 12, 31)
    assert default_scan_date(2031, today=date(2031, 6, 1)) == date(2031, 6, 1)


def test_the_ranking_carries_the_date_of_its_data(tmp_path: Path) -> None:
    # A ranking without the date of its data reads as current: the knowledge base's review date
    # (written in the file) is a column and an input, and the Purple Book count names the
    # download's title line, whose month is the data date (first line of the fixture).
    doc: dict[str, object] = dict(MINI_KB)
    doc["reviewed"] = "2025-03-31"
    doc["records"] = [_record("pembrolizumab", "Keytruda")]
    path = tmp_path / "kb.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    title = "Purple Book Monthly Historical Data Changes Report - June 2025"
    assert PURPLE_BOOK.read_text(encoding="utf-8").splitlines()[0].startswith(title)
    ranking = scan_market(
        load_knowledge_base(path), purple_book=read_purple_book(PURPLE_BOOK), as_of_year=2026
    )
    assert (ranking.table["knowledge_base_reviewed"] == "2025-03-31").all()
    assert ranking.inputs["knowledge_base_reviewed"] == "2025-03-31"
    assert ranking.inputs["purple_book_title"] == title
    us = ranking.table[ranking.table["region"] == "us"].iloc[0]
    assert title in us["approved_source"]


def test_the_sales_figure_says_what_it_covers() -> None:
    # The shipped aflibercept figure is Regeneron's US net sales (its basis in the file), not global
    # sales; both region rows must say so, with the source id and the date it refers to.
    table = scan_market(load_knowledge_base(), as_of_year=2026).table
    rows = table[table["inn"] == "aflibercept"]
    assert len(rows) == 2
    for text in rows["sales_source"]:
        assert "US net sales only" in text and "nrp-aflibercept" in text and "as of 2024-07" in text
    # a molecule without a known sales figure says unknown
    unknown = table[table["originator_sales_usd_m"].isna()]
    assert not unknown.empty and (unknown["sales_source"] == "unknown").all()
    assert (unknown["sales_scope"] == "").all() and (unknown["sales_scope_flag"] == "").all()


def test_the_market_size_is_scored_on_worldwide_sales_and_one_market_is_flagged(tmp_path: Path) -> None:
    """One scope per ranking (worldwide, SALES_SCOPE): every sales figure says its scope, and a figure of one
    market (aflibercept: US net sales) is flagged in both region rows, scored as the lower bound of the
    worldwide sales it is (the score is that of the figure: min(1, log10(1 + S)/log10(1 + 20000)))."""
    table = scan_market(load_knowledge_base(), as_of_year=2026).table
    known = table[table["originator_sales_usd_m"].notna()]
    assert set(known["sales_scope"]) == {"worldwide", "us"}
    flagged = known[known["sales_scope_flag"] != ""]
    assert sorted(flagged["inn"]) == ["aflibercept", "aflibercept"]
    assert (flagged["sales_scope"] == "us").all()
    assert (flagged["sales_scope_flag"].str.startswith("US sales only: scored as a lower bound")).all()
    assert (known.loc[known["sales_scope"] == "worldwide", "sales_scope_flag"] == "").all()
    # Aflibercept US net sales 2023, USD 5720 million: log10(5721)/log10(20001) = 0.873617 (by hand)
    assert np.allclose(flagged["c_market_size"], np.log10(5721) / np.log10(20001), rtol=0, atol=1e-12)
    # another market's figure in a user's knowledge base is flagged with its words
    ex_us = {"usd_million": 900, "year": 2025, "scope": "ex-us"}
    kb = _kb(tmp_path, _record("eculizumab", "Soliris", originator_sales=ex_us))
    row = scan_market(load_knowledge_base(kb), regions=["eu"], as_of_year=2026).table.iloc[0]
    assert row["sales_scope"] == "ex-us" and row["sales_scope_flag"].startswith("ex-US sales only")


@pytest.mark.parametrize("year", [26, 1979, 2101])
def test_an_as_of_that_is_not_a_calendar_year_is_refused(year: int) -> None:
    # --as-of 26 (for 2026) used to rank silently: every protection end ~2000 years away (timing 0)
    # and every dated count "fresh"; the web page already refused it, the command line did not.
    with pytest.raises(InputError, match=f"as_of_year {year} is not a calendar year"):
        scan_market(load_knowledge_base(), as_of_year=year)


def test_the_trial_count_names_the_sponsors_and_studies_counted(mini_kb: Path) -> None:
    # The count is distinct sponsors of the studies the rule of bioparity.market.pipeline keeps; the
    # source lists who was counted and who was left out and why, so a reader can check. By hand
    # from tests/data/market/ctgov: ustekinumab/Stelara ongoing studies
    # are NCT90000001 and NCT90000005 (Alvotech), NCT90000003 (Dong-A), NCT90000004 (Bio-Thera);
    # NCT90000002 (Celltrion) is completed and not counted.
    table = scan_market(
        load_knowledge_base(mini_kb), regions=["us"], trials=read_trials(CTGOV), as_of_year=2026
    ).table.set_index("inn")
    source = str(table.loc["ustekinumab", "development_source"])
    assert table.loc["ustekinumab", "biosimilars_in_development"] == 3
    for counted in (
        "Alvotech Swiss AG (NCT90000001, NCT90000005)",
        "Bio-Thera Solutions (NCT90000004)",
        "Dong-A ST Co., Ltd. (NCT90000003)",
    ):
        assert counted in source
    # Celltrion's study is completed with no completion date: left out, and the listing says why.
    assert "Celltrion (NCT90000002): completed, no completion date" in source.split("Left out: ")[1]
    assert "Celltrion" not in source.split("Left out: ")[0]
    assert "here: none." in str(table.loc["pembrolizumab", "development_source"])


def test_molecules_of_the_files_missing_from_the_knowledge_base_are_named(
    mini_kb: Path, ema_xlsx: Path
) -> None:
    # The scan ranks knowledge-base records only. By hand from the Purple Book fixture: its
    # molecules are adalimumab, ustekinumab, denosumab, aflibercept, pembrolizumab and
    # "hepatitis b vaccine (recombinant)"; the mini knowledge base lacks aflibercept and the
    # vaccine. The EMA fixture's authorised biosimilars (adalimumab, ustekinumab) are all in it.
    kb = load_knowledge_base(mini_kb)
    full = scan_market(
        kb, purple_book=read_purple_book(PURPLE_BOOK), ema=read_ema_medicines(ema_xlsx), as_of_year=2026
    )
    assert full.not_ranked == ("aflibercept", "hepatitis b vaccine (recombinant)")
    assert scan_market(kb, ema=read_ema_medicines(ema_xlsx), as_of_year=2026).not_ranked == ()
    assert scan_market(kb, as_of_year=2026).not_ranked == ()


def test_a_duplicate_dates_the_global_marketing_authorisation_and_never_counts(
    tmp_path: Path, ema_xlsx: Path
) -> None:
    """Trudexa (withdrawn duplicate of Humira, authorised 2003-09-01, a week before Humira) in the EMA
    fixture: a duplicate shares the original's global marketing authorisation (Directive 2001/83/EC art.
    6(1)), so adalimumab's EU protection runs from Trudexa's date, and the basis names both; Trudexa is no
    biosimilar. With the duplicate dated a year earlier (a synthetic row) the year follows it (2002 + 10)."""
    kb = load_knowledge_base(_kb(tmp_path, _record("adalimumab", "Humira")))
    row = scan_market(kb, regions=["eu"], ema=read_ema_medicines(ema_xlsx), as_of_year=2026, on=FILES_CURRENT)
    eu = row.table.iloc[0]
    assert eu["exclusivity_basis"] == (
        "EMA first authorisation: Trudexa (Withdrawn, 2003-09-01) + 8+2 regulatory data protection "
        "(patents/SPC may run longer); Trudexa is earlier than Humira (2003-09-08): a duplicate marketing "
        "authorisation shares the original's global marketing authorisation and its protection "
        "(Directive 2001/83/EC, art. 6(1))"
    )
    assert eu["exclusivity_end_year"] == 2013
    assert eu["approved_biosimilars"] == 2 and "Trudexa" not in eu["approved_products"]
    rows = [list(r) for r in EMA_ROWS]
    trudexa = next(r for r in rows if r[1] == "Trudexa")
    trudexa[14] = "01/09/2002"
    earlier = read_ema_medicines(write_ema_workbook(tmp_path / "earlier.xlsx", rows=rows))
    eu = scan_market(kb, regions=["eu"], ema=earlier, as_of_year=2026, on=FILES_CURRENT).table.iloc[0]
    assert eu["exclusivity_end_year"] == 2012 and "Trudexa (Withdrawn, 2002-09-01)" in eu["exclusivity_basis"]
