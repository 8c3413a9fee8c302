"""The reports and command-line catalogues are complete, and their Chinese follows the glossary.

* every visible word of the report and validation templates is marked for translation;
* the zh-CN catalogues of the ``reports`` and ``cli`` domains translate every marked message (no missing,
  empty or fuzzy entry, placeholders kept) and leave no English sentence untranslated;
* the glossary (``bioparity/i18n/glossary.csv``) is well formed, cites a Chinese regulatory text (or the
  standard) for each term, and the catalogues use its Chinese wherever a message names the term.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bioparity.i18n.catalogues import load, package_root, problems, untranslated_template_text
from bioparity.i18n.glossary import COLUMNS, load_glossary

TEMPLATES = sorted(
    [
        *(package_root() / "report" / "templates").glob("*.j2"),
        *(package_root() / "validation" / "templates").glob("*.j2"),
    ]
)
DOMAINS = ("reports", "cli")
#: Texts a glossary entry may cite: Chinese regulators, the Chinese Pharmacopoeia, national standards.
SOURCES = ("NMPA", "CDE", "ChP", "GB/T", "ICH", "FDA")
_CJK = re.compile(r"[\u4e00-\u9fff]")


def _entries(domain: str) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every singular message of a domain's zh-CN catalogue."""
    return [(m.id, str(m.string)) for m in load("zh-CN", domain) if m.id and isinstance(m.id, str)]


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_report_templates_have_no_unmarked_words(template: Path) -> None:
    assert untranslated_template_text(template.read_text(encoding="utf-8")) == []


def test_both_template_folders_are_checked() -> None:
    assert {p.parent.parent.name for p in TEMPLATES} == {"report", "validation"}
    assert len(TEMPLATES) >= 4


def test_reports_and_cli_catalogues_are_complete_in_chinese() -> None:
    found = [line for line in problems("zh-CN") if line.split(":", 1)[0] in DOMAINS]
    assert found == [], "\n".join(found[:20])


@pytest.mark.parametrize("domain", DOMAINS)
def test_no_english_sentence_is_left_as_its_own_translation(domain: str) -> None:
    # A msgstr equal to its msgid is allowed only for symbols and abbreviations (SD, MAD, CV%, Python).
    words = [(i, re.sub(r"%\(\w+\)\w", "", i)) for i, s in _entries(domain) if i == s]
    same = [i for i, text in words if re.search(r"\b[a-z]{4,}\b", text)]
    assert same == []
    assert all(_CJK.search(s) for i, s in _entries(domain) if re.search(r"\b[a-z]{4,} [a-z]{2,}\b", i))


def test_the_glossary_is_well_formed_and_cites_its_sources() -> None:
    terms = load_glossary()
    assert len(terms) >= 30
    assert len({t.term_en.lower() for t in terms}) == len(terms), "a term is listed twice"
    for t in terms:
        assert t.term_en and _CJK.search(t.term_zh_cn), t
        assert any(s in t.source for s in SOURCES), t
    english = {t.term_en: t.term_zh_cn for t in terms}
    # the terms, in the usage of the NMPA/CDE texts cited
    assert english["biosimilar"] == "生物类似药"
    assert english["reference product"] == "参照药"
    assert english["bioequivalence"] == "生物等效性"
    assert english["geometric mean ratio"] == "几何均值比"
    assert english["confidence interval"] == "置信区间"
    assert english["tolerance interval"] == "容忍区间"
    assert english["cut point"] == "临界值"
    assert english["immunogenicity"] == "免疫原性"
    assert english["anti-drug antibody"] == "抗药抗体"
    assert COLUMNS == ("term_en", "term_zh_cn", "source", "note")


def _pattern(term: str) -> re.Pattern[str]:
    """The term as words of a message, case-insensitive, plural allowed."""
    return re.compile(rf"(?<![\w-]){re.escape(term)}(?:s|es)?(?![\w-])", re.IGNORECASE)


@pytest.mark.parametrize("domain", ["web", *DOMAINS])
def test_a_glossary_term_as_a_message_has_exactly_the_glossary_chinese(domain: str) -> None:
    glossary = {t.term_en.lower(): t.term_zh_cn for t in load_glossary()}
    checked = {i.lower(): s for i, s in _entries(domain) if i.lower() in glossary}
    assert {k: v for k, v in checked.items() if v != glossary[k]} == {}
    if domain == "reports":  # the statistics labels of the reports are glossary terms
        assert {"tolerance interval", "equivalence test", "quality range", "shelf life"} <= set(checked)


@pytest.mark.parametrize("domain", ["web", *DOMAINS])  # the pages name a concept as their reports do
def test_statistics_labels_follow_the_glossary_everywhere(domain: str) -> None:
    terms = [(t.term_en, _pattern(t.term_en), t.term_zh_cn) for t in load_glossary()]
    used: set[str] = set()
    wrong = []
    for msgid, msgstr in _entries(domain):
        for english, pattern, chinese in terms:
            if pattern.search(msgid):
                used.add(english)
                if chinese not in msgstr and not pattern.search(msgstr):  # a name kept as is (a company)
                    wrong.append(
                        f"{msgid!r} names {english!r} but its translation {msgstr!r} lacks {chinese}"
                    )
    assert wrong == [], "\n".join(wrong)
    assert len(used) >= (15 if domain == "reports" else 3), sorted(used)
