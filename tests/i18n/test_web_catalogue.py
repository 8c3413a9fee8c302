"""The web workspace is fully translatable and fully translated (issue #25, web half).

Every word a page template shows (element text, ``title``, ``alt``, ``placeholder`` and ``aria-label``) is
marked for translation, and every message of the ``web`` domain (templates, ``web/*.py``, the workspace's
refusals) has a reviewed zh-CN translation that keeps its placeholders.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bioparity.i18n import translations, use_language
from bioparity.i18n.catalogues import extract, problems, untranslated_template_text
from bioparity.web.templating import TEMPLATES, label

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "src" / "bioparity" / "web" / "templates"
TEMPLATES_FOUND = sorted(TEMPLATE_DIR.glob("*.html"))


def test_the_templates_are_found() -> None:
    names = {p.name for p in TEMPLATES_FOUND}
    assert {"base.html", "login.html", "account.html", "dashboard.html", "run.html"} <= names


@pytest.mark.parametrize("template", TEMPLATES_FOUND, ids=lambda p: p.name)
def test_every_visible_word_of_a_template_is_marked(template: Path) -> None:
    assert untranslated_template_text(template.read_text(encoding="utf-8")) == []


def test_the_web_catalogue_is_complete_in_chinese() -> None:
    assert [line for line in problems("zh-CN") if line.startswith("web:")] == []


def test_the_web_domain_has_the_pages_messages() -> None:
    found = extract("web")
    # a template text, a notice built in Python and a workspace refusal: all three sources are extracted
    assert {"Upload a dataset to %(name)s", "Password changed.", "%(what)s %(id)r not found"} <= set(found)
    assert any(place.startswith("web/templates/") for m in found.values() for place in m.places)
    assert any(place.startswith("workspace/") for m in found.values() for place in m.places)


def test_regulatory_terms_follow_the_chinese_guidelines_wording() -> None:
    zh = translations("zh-CN")
    assert zh.gettext("Reference product") == "参照药"
    assert zh.gettext("Audit trail") == "审计追踪"
    assert "电子签名" in zh.gettext(
        "Your electronic signature binds your name, the time, the meaning and the SHA-256 of this result "
        "and its provenance."
    )
    assert "几何均值比" in zh.gettext("geometric mean ratio (%%) with %(level)s%% CI")
    assert "生物类似药" in zh.gettext("Biosimilar similarity evidence, shared with your partners.")


def test_stored_codes_keep_their_value_only_their_label_is_translated() -> None:
    with use_language("zh-CN"):
        assert (label("reviewer"), label("approved"), label("MB-201")) == ("审核人", "已批准", "MB-201")
    assert label("reviewer") == "reviewer"
    page = TEMPLATES.env.from_string('<option value="{{ r }}">{{ r | label }}</option>')
    with use_language("zh-CN"):
        assert page.render(r="viewer") == '<option value="viewer">查看者</option>'
