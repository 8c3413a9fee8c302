"""Babel extraction of the texts of the pathway rule files a reader sees (``pathways/rules/*.yaml``).

Used by :mod:`bioparity.i18n.catalogues` through its method map (``bioparity.pathways.extraction:
extract_rule_texts``), so that the catalogue tools do not import the pathways package (the pathways import
the translations, not the other way round).

References
----------
Babel documentation, "Working with Message Catalogs", section "Writing Extraction Methods".
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from bioparity.pathways.rules import SECTION_TOPIC, section_parts, section_topic

#: The fields of a pathway rule file shown to a reader (region name; per rule its title, the work when the
#: rule is missing or at risk, a position's statement and its note; per document its note: printed by
#: ``bioparity pathways --explain``).
RULE_TEXT_FIELDS = ("title", "work", "risk_work", "statement", "note")


def extract_rule_texts(
    fileobj: Any, keywords: Any, comment_tags: Any, options: Any
) -> Iterator[tuple[int, str, str | tuple[str, str], list[str]]]:
    """Babel extraction method for the pathway rule files (``pathways/rules/*.yaml``): the region's name,
    each document's note and each rule's title, work items, stated position and note, with the line they
    are on; and the topic of each
    cited section (:func:`bioparity.pathways.rules.section_topic`) in the context ``"guideline section"``.

    The rule files are data; these texts are what the readiness explanations print, so they are
    translated like messages (``gettext`` at the place the engine uses them).
    """
    import yaml

    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()

    def line_of(value: str) -> int:
        needle = value[:40]
        return next((i for i, line in enumerate(lines, start=1) if needle in line), 1)

    data = yaml.safe_load(text) or {}
    found: list[str] = [str(data["name"])] if data.get("name") else []
    for document in (data.get("documents") or {}).values():
        if isinstance(document, dict) and isinstance(document.get("note"), str) and document["note"].strip():
            found.append(document["note"])
    for rule in data.get("rules") or []:
        params = (rule.get("check") or {}).get("params") or {}
        for field in RULE_TEXT_FIELDS:
            value = params.get(field) if field == "statement" else rule.get(field)
            if isinstance(value, str) and value.strip():
                found.append(value)
    for value in dict.fromkeys(found):
        yield line_of(value), "gettext", value, []
    # each citation's section topic, with its context (printed by bioparity.report.evidence.cited_section)
    topics = [
        section_topic(section_parts(str(rule["citation"]["section"]))[0])[2]
        for rule in data.get("rules") or []
        if isinstance(rule.get("citation"), dict) and rule["citation"].get("section")
    ]
    for topic in dict.fromkeys(t for t in topics if t.strip()):
        yield line_of(topic), "pgettext", (SECTION_TOPIC, topic), []
