"""The texts of every analysis kind are translated (web QA finding W6): its title, its description and
the help of each option are marked where the kind is defined (``gettext_noop``: extracted into the
``reports`` catalogue) and have a zh-CN entry, so the upload page ("Check it for") and the run form of a
dataset show them in Chinese. A new kind or option fails here until its texts are translated."""

from __future__ import annotations

import re

import pytest

from bioparity.analyses import all_analyses
from bioparity.i18n import translations, use_language
from bioparity.i18n.catalogues import Message, extract
from bioparity.potency.analyse import MEASURES
from bioparity.web.templating import TEMPLATES

KINDS = sorted(all_analyses())
_HAN = re.compile(r"[\u4e00-\u9fff]")


def _texts(kind: str) -> dict[str, str]:
    """What a page shows of ``kind``: title, description, each option's help (and label when it has one)."""
    analysis = all_analyses()[kind]
    texts = {"title": analysis.title, "description": analysis.description}
    for option in analysis.options:
        texts[f"option {option.name}"] = option.help
        if option.label:
            texts[f"label of {option.name}"] = option.label
    return texts


@pytest.fixture(scope="module")
def marked() -> dict[str, Message]:
    """The messages marked in the sources of the ``reports`` catalogue, read once for every kind (reading
    them takes a second)."""
    return extract("reports")


@pytest.mark.parametrize("kind", KINDS)
def test_every_text_of_a_kind_is_marked_and_has_a_chinese_entry(
    kind: str, marked: dict[str, Message]
) -> None:
    chinese = translations("zh-CN")
    unmarked = {what: text for what, text in _texts(kind).items() if text not in marked}
    assert unmarked == {}, f"{kind}: wrap these in gettext_noop where the kind defines them"
    untranslated = {
        what: text
        for what, text in _texts(kind).items()
        if chinese.gettext(text) == text or not _HAN.search(chinese.gettext(text))
    }
    assert untranslated == {}, f"{kind}: no zh-CN entry in reports.po"


def test_the_kinds_are_all_checked() -> None:
    assert len(KINDS) >= 15 and {"nca", "be", "caa", "potency", "stability"} <= set(KINDS)
    assert sum(len(_texts(k)) for k in KINDS) >= 100  # the ~100 texts of the finding


def test_the_page_filter_shows_the_chinese_description_and_help() -> None:
    nca = all_analyses()["nca"]
    page = TEMPLATES.env.from_string("{{ d | translate }} | {{ h | translate }}")
    auc = next(o for o in nca.options if o.name == "auc_method")
    with use_language("zh-CN"):
        shown = page.render(d=nca.description, h=auc.help)
    assert shown == (
        "逐条曲线的非房室分析（与 PKNCA 兼容）：带审核标记的 PP 长表 | "
        "lin-up-log-down（线性上升/对数下降，默认）或 linear（线性梯形法）"
    )
    assert page.render(d=nca.description, h=auc.help).startswith("Noncompartmental analysis per profile")


def test_the_help_of_the_equivalence_margins_lists_every_measure() -> None:
    # the help is a literal (extracted for translation): it must keep naming the measures the parser takes
    help_text = next(o.help for o in all_analyses()["potency"].options if o.name == "equivalence_margins")
    listed = help_text.split("measures: ", 1)[1].split(", ")
    assert listed == sorted({m for measures in MEASURES.values() for m in measures})
