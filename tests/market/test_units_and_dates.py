"""One count unit whatever the source, and the date of every count with a flag when it is old.

Month ages below were checked with R 4.2 (exact, whole months):
``length(seq(as.Date("2025-06-30"), as.Date("2026-12-07"), by = "month")) - 1`` = 17 and
``length(seq(as.Date("2025-03-05"), as.Date("2026-12-07"), by = "month")) - 1`` = 21.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from bioparity.errors import DataFileError
from bioparity.market import (
    load_knowledge_base,
    read_ema_medicines,
    read_purple_book,
    read_trials,
    scan_market,
)
from bioparity.market.scan import COUNT_UNIT
from tests.market.conftest import PURPLE_BOOK, _medicine, write_ema_workbook
from tests.market.test_pipeline import _study
from tests.market.test_scan import _kb, _record

TODAY = date(2026, 12, 7)


def _with_wyost(tmp_path: Path, title: str | None = None) -> Path:
    """The Purple Book fixture plus Sandoz's Wyost (denosumab-bbdz, reference Xgeva), the Xgeva-referencing
    twin of Jubbonti: FDA approved both on 5 March 2024 as denosumab-bbdz ("FDA approves first
    interchangeable biosimilars to Prolia and Xgeva", fda.gov). Its BLA number here is illustrative."""
    text = PURPLE_BOOK.read_text(encoding="utf-8")
    jubbonti = next(line for line in text.splitlines() if ",Jubbonti," in line)
    wyost = jubbonti.replace("761362", "761999").replace("Jubbonti", "Wyost").replace(",Prolia,", ",Xgeva,")
    lines = [*text.rstrip("\n").splitlines(), wyost]
    if title is not None:
        lines[0] = title + lines[0][lines[0].index(",") :] if "," in lines[0] else title
    path = tmp_path / "pb.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _denosumab_kb(tmp_path: Path, eu: list[str], as_of: str = "2026-01-05") -> Path:
    return _kb(tmp_path, _record("denosumab", "Prolia/Xgeva", eu_biosimilars_approved=(eu, as_of),
                                 us_biosimilars_approved=(["Jubbonti/Wyost"], as_of)))  # fmt: skip


def test_two_brands_of_one_product_count_once_in_every_source(tmp_path: Path) -> None:
    # Sandoz's denosumab is one product with two brands (Jubbonti for the Prolia indications, Wyost
    # for Xgeva's). Knowledge base: one entry "Jubbonti/Wyost"; Purple Book: two BLAs, one proper name
    # denosumab-bbdz; EMA: two medicines, one holder (Sandoz GmbH). Each source must count 1. (EMA
    # product numbers below are illustrative.)
    kb = load_knowledge_base(_denosumab_kb(tmp_path, ["Jubbonti/Wyost", "Obodence/Xbryk"]))
    pb = read_purple_book(_with_wyost(tmp_path))
    may, ok = datetime(2024, 5, 16), "Authorised"
    rows = [
        _medicine("Human", "Prolia", "denosumab", "EMEA/H/C/001120", ok, "No", datetime(2010, 5, 26),
                  "Amgen Europe B.V."),
        _medicine("Human", "Jubbonti", "denosumab", "EMEA/H/C/006157", ok, "Yes", may, "Sandoz GmbH"),
        _medicine("Human", "Wyost", "denosumab", "EMEA/H/C/006147", ok, "Yes", may, "Sandoz GmbH"),
        _medicine("Human", "Obodence", "denosumab", "EMEA/H/C/006325", ok, "Yes", "14/02/2025",
                  "Samsung Bioepis NL B.V."),
    ]  # fmt: skip
    ema = read_ema_medicines(write_ema_workbook(tmp_path / "ema.xlsx", rows=rows))
    # Scanned while the files are current (Purple Book June 2025, EMA 01/06/2025: stale counts are unknown).
    spring = date(2026, 3, 5)
    files = scan_market(kb, purple_book=pb, ema=ema, as_of_year=2026, on=spring).table.set_index("region")
    alone = scan_market(kb, as_of_year=2026, on=TODAY).table.set_index("region")
    counts = files["approved_biosimilars"].astype(float), alone["approved_biosimilars"].astype(float)
    assert counts[0]["us"] == counts[1]["us"] == 1
    assert files.loc["us", "approved_products"] == "denosumab-bbdz: Jubbonti, Wyost"
    assert counts[0]["eu"] == counts[1]["eu"] == 2
    assert (
        files.loc["eu", "approved_products"]
        == "Samsung Bioepis NL B.V.: Obodence; Sandoz GmbH: Jubbonti, Wyost"
    )
    assert alone.loc["eu", "approved_products"] == "Jubbonti/Wyost; Obodence/Xbryk"
    assert (files["count_unit"] == COUNT_UNIT).all() and "one per developer's molecule" in COUNT_UNIT


def test_a_knowledge_base_count_older_than_12_months_is_stale_within_the_calendar_year_rule(
    tmp_path: Path,
) -> None:
    # As of 2025-03-05, scanned on 2026-12-07: 21 whole months (> 12), although 2026 - 2025 = 1 year.
    kb = load_knowledge_base(_denosumab_kb(tmp_path, ["Jubbonti/Wyost"], as_of="2025-03-05"))
    row = scan_market(kb, regions=["eu"], as_of_year=2026, on=TODAY).table.iloc[0]
    assert pd.isna(row["approved_biosimilars"])
    assert row["approved_as_of"] == "2025-03-05 (knowledge base as_of)"
    assert row["stale_facts"] == "approved biosimilars as of 2025-03-05: 21 months old"
    fresh = scan_market(kb, regions=["eu"], as_of_year=2025, on=date(2026, 3, 5)).table.iloc[0]
    assert fresh["approved_biosimilars"] == 1 and fresh["stale_facts"] == ""


def test_a_purple_book_is_dated_by_its_title_month_and_flagged_when_old(tmp_path: Path) -> None:
    kb = load_knowledge_base(_denosumab_kb(tmp_path, ["Jubbonti/Wyost"]))
    pb = read_purple_book(PURPLE_BOOK)  # title "... - June 2025": data as of 2025-06-30
    old = scan_market(kb, regions=["us"], purple_book=pb, as_of_year=2026, on=TODAY).table.iloc[0]
    assert old["approved_as_of"] == "2025-06-30 (title line month)"
    assert pd.isna(old["approved_biosimilars"])  # unknown, as a knowledge-base count of that date would be
    assert old["approved_source"].startswith("stale: Purple Book [")
    assert old["stale_facts"] == "approved biosimilars as of 2025-06-30: 17 months old"
    recent = scan_market(kb, regions=["us"], purple_book=pb, as_of_year=2026, on=date(2026, 6, 15)).table
    assert recent.iloc[0]["stale_facts"] == "" and recent.iloc[0]["approved_biosimilars"] == 1


def test_an_old_ema_export_counts_as_unknown_like_an_old_knowledge_base_count(tmp_path: Path) -> None:
    # The 2018 EPAR export case: nivolumab EU scored 0.705 at coverage 1.0 on "0 approved biosimilars as
    # of 2018-12-23". Synthetic export with the fixture's rows (2 adalimumab biosimilar holders), generated
    # 23/12/2018, scanned on 2026-12-07: 95 whole months (R 4.2:
    # length(seq(as.Date("2018-12-23"), as.Date("2026-12-07"), by = "month")) - 1 = 95).
    kb = load_knowledge_base(_kb(tmp_path, _record("adalimumab", "Humira")))
    old = read_ema_medicines(write_ema_workbook(tmp_path / "old.xlsx", generated="23/12/2018"))
    row = scan_market(kb, regions=["eu"], ema=old, as_of_year=2026, on=TODAY).table.iloc[0]
    assert pd.isna(row["approved_biosimilars"])
    assert row["approved_source"] == "stale: EMA medicines report"
    assert row["approved_products"] == "Amgen Europe B.V.: Amgevita; Samsung Bioepis NL B.V.: Imraldi"
    assert row["stale_facts"] == "approved biosimilars as of 2018-12-23: 95 months old"
    assert "no_competition" in row["unknown_inputs"] and row["coverage"] < 1
    # The same export generated 11 whole months before the scan keeps its count (R 4.2: 11 months).
    recent = read_ema_medicines(write_ema_workbook(tmp_path / "new.xlsx", generated="01/01/2026"))
    fresh = scan_market(kb, regions=["eu"], ema=recent, as_of_year=2026, on=TODAY).table.iloc[0]
    assert fresh["approved_biosimilars"] == 2 and fresh["approved_source"] == "EMA medicines report"
    assert fresh["stale_facts"] == "" and "no_competition" not in fresh["unknown_inputs"]


def test_a_file_without_a_written_date_is_dated_by_its_modification_date(tmp_path: Path) -> None:
    kb = load_knowledge_base(_denosumab_kb(tmp_path, ["Jubbonti/Wyost"]))
    path = _with_wyost(tmp_path, title="Purple Book download")
    stamp = datetime(2025, 1, 20, 12, 0).timestamp()
    os.utime(path, (stamp, stamp))
    row = scan_market(kb, regions=["us"], purple_book=read_purple_book(path), as_of_year=2026, on=TODAY).table
    assert row.iloc[0]["approved_as_of"] == "2025-01-20 (file modified)"
    assert row.iloc[0]["stale_facts"] == "approved biosimilars as of 2025-01-20: 22 months old"


def test_the_ema_report_and_trial_pages_carry_their_dates(tmp_path: Path) -> None:
    kb = load_knowledge_base(_denosumab_kb(tmp_path, ["Jubbonti/Wyost"]))
    ema = read_ema_medicines(write_ema_workbook(tmp_path / "ema.xlsx"))  # "Generated on 01/06/2025."
    pages = tmp_path / "ctgov"
    pages.mkdir()
    study = _study(
        "NCT91000001",
        "HLX14 vs Prolia",
        "RECRUITING",
        "Shanghai Henlius Biotech",
        "INDUSTRY",
        ["PHASE3"],
        ["HLX14"],
    )  # fmt: skip  (lastUpdatePostDateStruct 2026-10-01)
    (pages / "p.json").write_text(json.dumps({"studies": [study]}), encoding="utf-8")
    row = scan_market(
        kb, regions=["eu"], ema=ema, trials=read_trials(pages), as_of_year=2026, on=TODAY
    ).table.iloc[0]
    assert row["approved_as_of"] == "2025-06-01 (date above the header)"
    assert row["development_as_of"] == "2026-10-01 (latest record update in the pages)"
    assert row["stale_facts"] == "approved biosimilars as of 2025-06-01: 18 months old"


def test_a_bad_record_update_date_names_the_page_and_study(tmp_path: Path) -> None:
    kb = load_knowledge_base(_denosumab_kb(tmp_path, ["Jubbonti/Wyost"]))
    study = _study("NCT91000002", "X vs Prolia", "RECRUITING", "New Bio", "INDUSTRY", ["PHASE1"], ["X"])
    study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"] = "Oct 2026"
    pages = tmp_path / "ctgov"
    pages.mkdir()
    (pages / "odd.json").write_text(json.dumps({"studies": [study]}), encoding="utf-8")
    with pytest.raises(DataFileError, match=r"odd\.json.*NCT91000002: last update 'Oct 2026' is not a date"):
        scan_market(kb, regions=["eu"], trials=read_trials(pages), as_of_year=2026, on=TODAY)


def test_an_old_sales_figure_is_named_in_sales_stale() -> None:
    # The shipped knowledge base: bevacizumab's sales are of 2016 (year end 2016-12-31), 119 whole months
    # before 2026-12-07; pembrolizumab's are of 2025 (11 months: fresh). The figure is still scored.
    table = scan_market(load_knowledge_base(), regions=["us"], as_of_year=2026, on=TODAY).table
    rows = table.set_index("inn")
    said = "originator sales of 2016: 119 months old at the scan date"
    assert rows.loc["bevacizumab", "sales_stale"] == said
    assert rows.loc["bevacizumab", "originator_sales_usd_m"] == 6700
    assert rows.loc["pembrolizumab", "sales_stale"] == ""
    assert (rows.loc[rows["originator_sales_usd_m"].isna(), "sales_stale"] == "").all()
    on_2017 = scan_market(load_knowledge_base(), regions=["us"], as_of_year=2017, on=date(2017, 12, 1))
    assert on_2017.table.set_index("inn").loc["bevacizumab", "sales_stale"] == ""  # 11 months
