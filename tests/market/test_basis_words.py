"""Where a protection end comes from, in the reader's words (zh-more finding 5): the ranking stores the
knowledge base's own basis texts and the exclusivity explanations in English ("US patent expiration
[pmc5628685-t1, as of 2017]", "knowledge base exclusivity end: …", "first EU authorisation + 8+2 regulatory
data protection: …"); the zh-CN market page printed them so. They are now note templates and catalogue
entries (the basis of every year fact of the shipped knowledge base, extracted from its YAML); the ranking
CSV keeps the English."""

from __future__ import annotations

import io
import re
from pathlib import Path

from bioparity.i18n.notes import translate_note
from bioparity.market import load_knowledge_base, scan_market
from bioparity.market.ema import read_ema_medicines
from bioparity.market.extraction import extract_basis_texts
from bioparity.market.knowledge import default_path
from tests.market.test_scan import _kb, _record

#: Han characters (CJK Unified Ideographs).
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_every_protection_basis_of_the_shipped_knowledge_base_is_said_in_chinese() -> None:
    """Every basis the ranking of the shipped knowledge base prints (both regions) translates: the notes'
    words and the fact's own basis, the source id and date kept."""
    table = scan_market(load_knowledge_base(), as_of_year=2026).table
    bases = {str(b) for b in (*table["protection_end_basis"], *table["exclusivity_basis"])}
    assert len(bases) > 10
    for basis in bases:
        said = translate_note(basis, "zh-CN")
        assert HAN.search(said) and said != basis, basis
        for kept in re.findall(r"\[([^,\]]+)", basis):  # the source ids, as stored
            assert kept in said, (basis, said)
    stored = [str(b) for b in table["protection_end_basis"]]
    assert any(b.startswith("patent expiry: US patent expiration [") for b in stored)  # the CSV: English
    in_words = {translate_note(b, "zh-CN") for b in stored}
    assert "专利到期：美国专利到期 [pmc5628685-t1，截至 2017]" in in_words
    launch = "首个生物类似药上市：美国首个生物类似药上市（Bkemv，2025 年 3 月 5 日） ["
    assert any(s.startswith(launch) for s in in_words)


def test_the_exclusivity_explanations_are_said_in_chinese(tmp_path: Path, ema_xlsx: Path) -> None:
    """The EU data protection from the EMA report and the knowledge base's US exclusivity end."""
    kb = _kb(
        tmp_path,
        _record("ustekinumab", "Stelara"),
        _record("pembrolizumab", "Keytruda", us_exclusivity_end=2026),
    )
    table = scan_market(
        load_knowledge_base(kb), ema=read_ema_medicines(ema_xlsx), as_of_year=2026, eu_rdp="8+2"
    ).table.set_index(["inn", "region"])
    eu = str(table.loc[("ustekinumab", "eu"), "exclusivity_basis"])
    assert eu == (
        "EMA first authorisation: Stelara (Authorised, 2009-01-16) + 8+2 regulatory data protection "
        "(patents/SPC may run longer)"
    )
    assert translate_note(eu, "zh-CN") == (
        "EMA 首次批准：Stelara（Authorised，2009-01-16）+ 8+2 法规数据保护（专利/SPC 保护可能更长）"
    )
    us = str(table.loc[("pembrolizumab", "us"), "exclusivity_basis"])
    assert us.startswith("knowledge base exclusivity end: ")
    assert translate_note(us, "zh-CN").startswith("知识库独占期截止：")


def test_the_basis_texts_are_extracted_from_the_knowledge_base() -> None:
    """The extraction gives each year fact's basis once (patent, exclusivity, authorisation, launch), not
    the bases of the texts and lists (modality, sales), which the page does not print."""
    with open(default_path(), "rb") as f:
        found = [message for _line, _kind, message, _comments in extract_basis_texts(f, None, None, None)]
    assert len(found) == len(set(found)) and "US patent expiration" in found
    assert "INN ends in the stem -mab (immunoglobulin variable domain)" not in found
    assert list(extract_basis_texts(io.BytesIO(b"records: []\n"), None, None, None)) == []
