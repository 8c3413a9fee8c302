"""One Chinese term per concept across the three zh-CN catalogues (web pages, reports, command line).

``test_report_catalogue`` checks every catalogue, the web pages' too (a page and the report it downloads
name a concept alike), against the glossary; these tests list the renderings a reviewer replaced, so that
they do not come back:

* statistical power is 检验效能 (NMPA 2016 biostatistics guideline), not 把握度;
* a tolerance interval is 容忍区间 (GB/T 3359-2009), not 容许区间;
* the reference product of a biosimilar is 参照药 (NMPA 2015 biosimilar guideline), not the
  chemical-generic 参比制剂, except in the method name 参比制剂标度的平均生物等效性
  (RSABE, NMPA 2018 guideline on highly variable drugs);
* an interim guideline is 试行 (the 2015 guideline's own title), not 暂行;
* a planning scenario is 情景 throughout;
* an assay run (ADA cut point and sensitivity runs) is 分析批 (ChP 2020 general chapter 9012), never 批次,
  which is a lot.

The Chinese titles of the guidelines are in ``bioparity/i18n/glossary.csv`` (column ``source``).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bioparity.i18n import DOMAINS, use_language
from bioparity.i18n.catalogues import load
from bioparity.i18n.glossary import load_glossary
from bioparity.pathways import assess_program, explain_rule, load_program
from bioparity.pathways.rules import Rule, all_rules, load_rules
from bioparity.report.evidence import cited_guideline

#: Replaced rendering -> (the catalogues' term, a phrase in which the replaced one is still right).
REPLACED = {
    "把握度": ("检验效能", None),
    "容许区间": ("容忍区间", None),
    "参比制剂": ("参照药", "参比制剂标度"),
    "暂行": ("试行", None),
    "情形": ("情景", None),
}


def _translations(domain: str) -> list[tuple[str, str]]:
    """(msgid, each msgstr) of a domain's zh-CN catalogue, plural forms included."""
    found = []
    for message in load("zh-CN", domain):
        if not message.id:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        found += [(msgid, str(text)) for text in strings]
    return found


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_replaced_rendering_is_left_in_a_catalogue(domain: str) -> None:
    left = [
        f"{msgid!r}: {text!r} says {old} (use {new})"
        for msgid, text in _translations(domain)
        for old, (new, kept) in REPLACED.items()
        if old in (text.replace(kept, "") if kept else text)
    ]
    assert left == [], "\n".join(left)


def test_the_nmpa_guideline_is_cited_as_trial_in_chinese() -> None:
    nmpa = [rule for region, rule in all_rules().values() if rule.citation.document.status == "interim"]
    assert nmpa, "no rule cites an interim guideline"
    citation = nmpa[0].citation
    with use_language("zh-CN"):
        text = cited_guideline(citation)
        explained = explain_rule(nmpa[0].id)  # bioparity pathways --explain
    assert "试行" in text and "暂行" not in text
    assert "状态：试行；" in explained and "interim" not in explained
    assert "status: interim;" in explain_rule(nmpa[0].id)
    assert "(CFDA notice 2015 No. 7, interim)" in cited_guideline(citation)


@pytest.mark.parametrize("domain", DOMAINS)
def test_an_assay_run_is_never_called_a_lot(domain: str) -> None:
    runs = re.compile(r"\bruns?\b")
    lots = re.compile(r"\blots?\b|\bbatch", re.I)
    called_lot = [
        f"{msgid!r}: {text!r}"
        for msgid, text in _translations(domain)
        if runs.search(msgid) and not lots.search(msgid) and "批次" in text
    ]
    assert called_lot == [], "\n".join(called_lot)
    if domain == "reports":
        # the column of the ADA sensitivity table (an analysis run of the workspace is 运行, msgid "Run")
        assert [text for msgid, text in _translations(domain) if msgid == "run"] == ["分析批"]


#: The CDE/NMPA guidelines whose own (Chinese) title the NMPA rule file gives, as the notices name them.
CHINESE_TITLES = {
    "NMPA-2015": "《生物类似药研发与评价技术指导原则（试行）》",
    "CDE-2021-18": "《生物类似药相似性评价和适应症外推技术指导原则》",
    "NMPA-2018-52": "《接受药品境外临床试验数据的技术指导原则》",
}


#: The document numbers of the notices publishing them, as the notices write them (read 2026-12-07:
#: reproductions of the notices' text by chrk.com.cn, zyqjg.com and lexiscn.com).
CHINESE_NUMBERS = {
    "NMPA-2015": ("CFDA notice 2015 No. 7", "国家食品药品监督管理总局通告2015年第7号"),
    "CDE-2021-18": ("CDE notice 2021 No. 18", "国家药监局药审中心通告2021年第18号"),
    "NMPA-2018-52": ("NMPA notice 2018 No. 52", "国家药品监督管理局通告2018年第52号"),
}


def _nmpa_citations() -> list[tuple[Rule, str, str, str]]:
    """Each NMPA rule, its citation in English and in Chinese, and its --explain text in Chinese."""
    cited = []
    for rule in load_rules()["NMPA"].rules:
        with use_language("zh-CN"):
            chinese, explained = cited_guideline(rule.citation), explain_rule(rule.id)
        cited.append((rule, cited_guideline(rule.citation), chinese, explained))
    return cited


def test_a_chinese_guideline_is_cited_by_its_own_document_number_to_a_chinese_reader() -> None:
    """The zh-CN citation and --explain printed the English rendering ("CDE notice 2021 No. 18"), and the
    2015 guideline no number at all."""
    nmpa = load_rules()["NMPA"]
    numbers = {key: (doc.reference, doc.reference_zh) for key, doc in nmpa.documents.items() if doc.reference}
    assert numbers == CHINESE_NUMBERS
    for rule, english, chinese, explained in _nmpa_citations():
        doc = rule.citation.document
        if doc.reference:
            assert f"({doc.reference}, " in english and doc.reference_zh not in english
            assert f"（{doc.reference_zh}，" in chinese and doc.reference not in chinese
            assert f"文号：{doc.reference_zh}\n" in explained
        else:
            assert "文号：（无文号）" in explained  # the 2019 Q&A (unconfirmed)


def test_a_chinese_guideline_is_cited_by_its_own_title_to_a_chinese_reader() -> None:
    nmpa = load_rules()["NMPA"]
    titles = {key: doc.title_zh for key, doc in nmpa.documents.items() if doc.title_zh}
    assert titles == CHINESE_TITLES  # the 2019 Q&A (unconfirmed) has no Chinese title
    glossary_sources = " ".join(t.source for t in load_glossary())
    assert CHINESE_TITLES["NMPA-2015"] in glossary_sources
    assert CHINESE_TITLES["CDE-2021-18"] in glossary_sources
    for rule, english, chinese, explained in _nmpa_citations():
        doc = rule.citation.document
        assert english.startswith(doc.title) and not re.search(r"[\u4e00-\u9fff]", english)
        if doc.title_zh:
            assert chinese.startswith(doc.title_zh) and doc.title not in chinese
            assert doc.title_zh in explained and doc.title not in explained
        else:
            assert chinese.startswith(doc.title)
    # other regions' guidelines keep their own (English) titles
    ema = next(iter(load_rules()["EMA"].rules))
    with use_language("zh-CN"):
        assert cited_guideline(ema.citation).startswith(ema.citation.document.title)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "pathways"


@pytest.mark.parametrize("example", ["bevacizumab_china.yaml", "adalimumab_failed_bridge.yaml"])
def test_a_readiness_paragraph_in_chinese_is_punctuated_in_chinese(example: str) -> None:
    program, inventory = load_program(EXAMPLES / example)
    english = assess_program(program, inventory)
    with use_language("zh-CN"):
        chinese = assess_program(program, inventory)
    checked = 0
    for en, zh in zip(english.regions, chinese.regions, strict=True):
        items = [r for r in en.requirements if r.status != "met"]
        if not items:
            continue
        checked += 1
        # English keeps "title - finding [ID]" between "; "; Chinese has "——", "［ID］" and "；"
        assert all(f" [{r.rule_id}]" in en.explanation for r in items if r.kind == "requirement")
        # (a finding's own text may still list with "; ": the checks' details, left as they are)
        shown = [r for r in items if r.kind == "requirement"]
        assert all(
            f"［{r.rule_id}］" in zh.explanation and f"[{r.rule_id}]" not in zh.explanation for r in shown
        )
        assert "——" in zh.explanation and " - " not in zh.explanation
        assert len(shown) < 2 or "］；" in zh.explanation
    assert checked
