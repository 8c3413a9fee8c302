"""The catalogue tools: extraction finds marked messages, the template check finds unmarked words."""

from __future__ import annotations

from bioparity.i18n import gettext as _
from bioparity.i18n import use_language
from bioparity.i18n.catalogues import placeholders, untranslated_template_text


def test_unmarked_words_are_found_with_their_lines() -> None:
    source = (
        "<h1>{% trans %}Results{% endtrans %}</h1>\n"
        '<p title="Help text">{{ _("Confidence interval") }}</p>\n'
        "<script>const label = 'English words in code';</script>\n"
        '<a href="{{ url }}" class="button">Download</a>\n'
        "<!-- a comment -->{% if x %}Total{% endif %}"
    )
    assert untranslated_template_text(source) == [(2, "Help text"), (4, "Download"), (5, "Total")]


def test_a_fully_marked_template_passes() -> None:
    source = "<p aria-label=\"{{ _('Table') }}\">{% trans n=3 %}{{ n }} lots{% endtrans %} &middot; 42</p>"
    assert untranslated_template_text(source) == []


def test_placeholders_must_survive_translation() -> None:
    assert placeholders("%(n)d of %(total)d lots in {source}") == ["%(n)d", "%(total)d", "{source}"]


def test_unknown_messages_fall_back_to_english() -> None:
    with use_language("zh-CN"):
        assert _("A message nobody translated") == "A message nobody translated"
        assert _("Confidence interval") == "置信区间"


def test_one_message_has_one_translation_across_domains() -> None:
    """The domains are merged at run time: a message translated two ways would show either, depending on
    the merge order (a term must read the same on a page, in a report and on the command line). A message
    with a context (``msgctxt``) is another message: "run" of the audit trail is not an assay run."""
    from bioparity.i18n import DOMAINS
    from bioparity.i18n.catalogues import load

    seen: dict[tuple[str | None, str], tuple[str, object]] = {}
    clashes = []
    for domain in DOMAINS:
        for message in load("zh-CN", domain):
            if not message.id:
                continue
            key = (message.context, message.id if isinstance(message.id, str) else message.id[0])
            first = seen.setdefault(key, (domain, message.string))
            if first[1] != message.string:
                clashes.append(f"{key!r}: {first} vs {(domain, message.string)}")
    assert clashes == []


def test_a_message_defined_twice_in_one_catalogue_is_found() -> None:
    """Two merged branches added the same message with two translations (msgfmt refused the file; Babel kept
    one of the two without a word): the catalogue check names it with its line."""
    from bioparity.i18n.catalogues import defined_twice

    text = (
        'msgid ""\nmsgstr ""\n\n'
        'msgid "repeats within the limit"\nmsgstr "在限度内的重复分析数"\n\n'
        'msgctxt "guideline"\nmsgid "draft"\nmsgstr "草案"\n\n'
        'msgid "draft"\nmsgstr "草稿"\n\n'  # another context: not a repeat
        '#, python-format\nmsgid "%(n)d lot"\nmsgid_plural "%(n)d lots"\nmsgstr[0] "%(n)d 个批次"\n\n'
        'msgid ""\n"repeats within "\n"the limit"\nmsgstr "在限度内的重复数"\n'
    )
    assert defined_twice(text) == [(19, "repeats within the limit")]


def test_no_shipped_catalogue_defines_a_message_twice() -> None:
    from bioparity.i18n import DOMAINS, catalogue_text
    from bioparity.i18n.catalogues import defined_twice

    twice = {domain: defined_twice(catalogue_text("zh-CN", domain) or "") for domain in DOMAINS}
    assert twice == {domain: [] for domain in DOMAINS}
