"""The topic of a cited guideline section in the reader's language (zh-left finding 6).

A zh-CN readiness report printed "第 5.3.2 (comparative clinical efficacy studies) 节" and "reference
product［节号未确认］": the number was framed in Chinese, the topic stayed English. The topic is now a
message with the context "guideline section" (extracted from the rule files); the number is printed as the
guideline numbers it.
"""

from __future__ import annotations

import re

import pytest

from bioparity.i18n import use_language
from bioparity.i18n.catalogues import extract, message_key
from bioparity.pathways import explain_rule, section_text
from bioparity.pathways.rules import SECTION_TOPIC, all_rules, section_parts, section_topic
from bioparity.report.evidence import cited_section

SECTIONS = sorted({rule.citation.section for _region, rule in all_rules().values()})
#: Latin left in a Chinese section: the section numbers and the guidelines' own abbreviations.
KEPT = re.compile(r"\b(?:[IVXLC]+(?:\.[A-Z])?|PK|PD|CES|CRBD|presentation)\b")


def test_every_cited_section_is_checked() -> None:
    assert len(SECTIONS) >= 50


@pytest.mark.parametrize("section", SECTIONS)
def test_a_cited_sections_topic_reads_in_chinese_and_the_english_is_unchanged(section: str) -> None:
    english = cited_section(section)
    assert english == section_text(section)  # the English citation as before
    with use_language("zh-CN"):
        chinese = cited_section(section)
    number = section_topic(section_parts(section)[0])[0]
    assert number in chinese
    assert re.search(r"[a-z]{2,}", KEPT.sub("", chinese)) is None, chinese
    assert re.search(r"[\u4e00-\u9fff]", chinese), chinese


def test_a_numbered_section_reads_as_a_chinese_citation() -> None:
    with use_language("zh-CN"):
        assert (
            cited_section("5.3.2 (comparative clinical efficacy studies)")
            == "第 5.3.2 节（临床有效性比对研究）"
        )
        assert cited_section("reference product; section number unconfirmed") == "参照药［节号未确认］"
        assert cited_section("2.2") == "第 2.2 节"


def test_the_topics_are_extracted_from_the_rule_files_with_their_context() -> None:
    reports = extract("reports")
    topic = reports[message_key("(comparative clinical efficacy studies)", SECTION_TOPIC)]
    assert topic.places[0].startswith("pathways/rules/health_canada.yaml:")
    assert message_key("reference product", SECTION_TOPIC) in reports


def test_the_rule_explanation_gives_the_sections_topic_in_chinese() -> None:
    """``bioparity pathways --explain`` printed the rule file's section as stored, English topic and
    "; section number unconfirmed" remark included."""
    rules = [rule for _region, rule in all_rules().values()]
    with use_language("zh-CN"):
        lines = {
            rule.id: next(x for x in explain_rule(rule.id).splitlines() if x.startswith("  章节："))
            for rule in rules
        }
    assert lines, "no rule explained"
    for rule in rules:
        line = KEPT.sub("", lines[rule.id])
        assert re.search(r"[a-z]{2,}", line) is None, lines[rule.id]
    english = {rule.citation.section: explain_rule(rule.id) for rule in rules}
    assert "  section: 3.3 (reference medicinal product)\n" in english["3.3 (reference medicinal product)"]


def test_the_readiness_page_cites_the_guideline_in_the_readers_words() -> None:
    """The program page's guideline column printed the stored English citation (its section topic too)."""
    from types import SimpleNamespace

    from bioparity.web.pages_programs import guideline

    rule = next(
        rule
        for _region, rule in all_rules().values()
        if rule.citation.section == "5.3.2 (comparative clinical efficacy studies)"
    )
    requirement = SimpleNamespace(
        rule_id=rule.id,
        citation=rule.citation.text(),
        source=rule.citation.document.label(),
        source_date=rule.citation.date,
        section=rule.citation.section,
    )
    assert guideline(requirement) == rule.citation.text()  # English as before
    with use_language("zh-CN"):
        shown = guideline(requirement)
    assert "第 5.3.2 节（临床有效性比对研究）" in shown and "comparative clinical efficacy" not in shown
