"""Stored notes in the reader's language (:mod:`bioparity.i18n.notes`).

* every note template is found again in a note made from it, and gives the same text when filled back
  (English); its zh-CN translation keeps its placeholders and is Chinese;
* a translated note keeps every value as stored; a note that no template makes is shown as stored;
* every module that marks note templates is listed (imported before a note is translated) and its folder
  is extracted into the ``reports`` catalogue.
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from bioparity.i18n import translations
from bioparity.i18n.catalogues import DOMAIN_SOURCES, package_root, placeholders
from bioparity.i18n.notes import (
    LABELLED,
    NOTE_MODULES,
    SENTENCE,
    compile_template,
    fill,
    match_note,
    plural_forms,
    registered_templates,
    translate_note,
)

_CJK = re.compile(r"[\u4e00-\u9fff]")
TEMPLATES = registered_templates()


def _sample(template: str) -> str:
    """``template`` formatted with sample values (a number where the spec formats one)."""
    values: dict[str, object] = {}
    for index, (_text, name, spec, _conversion) in enumerate(string.Formatter().parse(template)):
        if name is None or name in values:
            continue
        kind = (spec or " ")[-1]
        values[name] = 7 + index if kind == "d" else 0.125 * index if kind in "eEfFgG%" else f"ID-{name}"
    return template.format(**values)


def test_templates_are_registered() -> None:
    assert len(TEMPLATES) >= 50
    assert len(set(TEMPLATES)) == len(TEMPLATES)


@pytest.mark.parametrize("template", TEMPLATES)
def test_a_note_gives_back_its_template_and_values(template: str) -> None:
    text = _sample(template)
    if compile_template(template).wrapper:  # a wrapper: only around a note that translates
        assert match_note(text) is None
        return
    found = match_note(text)
    assert found is not None, text
    assert found[0] == template
    assert fill(found[0], found[1]) == text
    assert translate_note(text, "en") == text


@pytest.mark.parametrize("template", TEMPLATES)
def test_each_template_has_a_chinese_translation_with_its_placeholders(template: str) -> None:
    forms = plural_forms(template)  # a template of a count: the catalogue's form for it
    catalogue = translations("zh-CN")
    chinese = catalogue.ngettext(forms[0], forms[1], 1 if template == forms[0] else 2) if forms else None
    chinese = chinese or catalogue.gettext(template)
    assert chinese != template
    assert placeholders(chinese) == placeholders(template)
    if compile_template(template).letters:
        assert _CJK.search(chinese)
    if not compile_template(template).wrapper:
        text = _sample(template)
        found = match_note(text)
        assert found is not None
        translated = translate_note(text, "zh-CN")
        assert _CJK.search(translated)
        assert all(v in translated for v in found[1].values()), translated


def test_wrapped_and_listed_notes_are_translated_inside() -> None:
    from bioparity.caa.assessment import COMPARISON, COMPARISONS
    from bioparity.stability.core import EXTRAPOLATES, ONE_LOT

    flags = "; ".join([ONE_LOT, EXTRAPOLATES.format(shelf=25.1666, last=12.0)])
    assert translate_note(LABELLED.format(label="purity 25C test", note=flags), "zh-CN") == (
        "purity 25C test：仅一个批次：未进行合并性检验，使用该批次自身的回归"
        + "；有效期 25.17 外推超出最后时间点 12（ICH Q1E 第 2.3-2.4 节及附录 A 限制外推；请说明理由）。"
    )
    pairs = "; ".join(
        COMPARISON.format(test=t, reference=r) for t, r in [("test", "ref-eu"), ("ref-eu", "ref-us")]
    )
    assert translate_note(COMPARISONS.format(comparisons=pairs), "zh-CN") == (
        "比较：test 批次对比 ref-eu；ref-eu 批次对比 ref-us。统计量基于批次值（SD 以 n - 1 计算）。"
    )
    assert translate_note(SENTENCE.format(note="ADA level 5: a note of no template"), "zh-CN") == (
        "ADA level 5: a note of no template."
    )


def test_a_tier_wrapper_names_the_tier_in_chinese_around_a_note_that_translates() -> None:
    from bioparity.bioassay.cutpoint import ONE_RUN

    note = LABELLED.format(label="Confirmatory", note=ONE_RUN)
    assert translate_note(note, "zh-CN") == "确证：仅一个分析批：未比较分析批间的均值和方差。"


def test_a_code_a_template_presents_is_shown_in_words_in_every_language() -> None:
    """``note_template(shown=...)``: the outliers of a cut-point note are stored as codes
    (``step:donor[/run]``) and shown as words, inside the tier's wrapper too; the stored note is unchanged."""
    from bioparity.bioassay.cutpoint import OUTLIERS_REMOVED

    stored = OUTLIERS_REMOVED.format(n=2, outliers="analytical:D03/R2, biological:D08")
    note = LABELLED.format(label="Screening", note=stored)
    assert note == "Screening: 2 outlier(s) removed: analytical:D03/R2, biological:D08."
    assert translate_note(note, "en") == (
        "Screening: 2 outlier(s) removed: donor D03, run R2 (analytical outlier); "
        "donor D08 (biological outlier)."
    )
    assert translate_note(note, "zh-CN") == (
        "筛选：剔除 2 个离群值：供体 D03，分析批 R2（分析离群值）；供体 D08（生物学离群值）。"
    )
    assert translate_note(stored, "en").endswith(
        "removed: donor D03, run R2 (analytical outlier); donor D08 (biological outlier)"
    )
    # a value that is not a list of codes is shown as stored
    odd = OUTLIERS_REMOVED.format(n=1, outliers="D08")
    assert translate_note(odd, "en") == odd and translate_note(odd, "zh-CN") == "剔除 1 个离群值：D08"


@pytest.mark.parametrize(
    "text", ["", "a note of no template", "Screening: a note of no template.", "run 3: cut point crossed"]
)
def test_a_note_no_template_makes_is_shown_as_stored(text: str) -> None:
    assert translate_note(text, "zh-CN") == text


def _marking_modules() -> set[str]:
    """Modules whose source calls ``note_template(...)`` (other than its definition)."""
    root = package_root()
    found = set()
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        calls = [
            n for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "note_template"
        ]  # fmt: skip
        if calls:
            found.add(".".join(("bioparity", *path.relative_to(root).with_suffix("").parts)))
    return found


def test_every_module_with_note_templates_is_listed_and_extracted() -> None:
    listed = set(NOTE_MODULES) | {"bioparity.i18n.notes"}
    assert _marking_modules() == listed
    extracted = {folder for folder, _patterns in DOMAIN_SOURCES["reports"]}
    for module in listed:
        parts = module.split(".")[1:]
        assert parts[0] in extracted or "/".join(parts) + ".py" in extracted, module
    assert all(Path(package_root(), *m.split(".")[1:]).with_suffix(".py").is_file() for m in listed)


def test_left_out_rows_in_the_stored_result_have_no_stray_space() -> None:
    """zhlast: before, 剔除 1 行：...（完整清单见 存储的结果） (a space inside Chinese text)."""
    from bioparity.left_out import STORED_RESULT, left_out_rows

    stored = left_out_rows([{"row": 3, "line": 4, "subject": "7"}], 1, STORED_RESULT)
    assert stored == "1 row left out: row 3 (line 4) subject=7 (all in the stored result)"
    assert (
        translate_note(stored, "zh-CN")
        == "剔除 1 行：第 3 行（文件第 4 行） subject=7（完整清单见存储的结果）"
    )
    rows = [{"row": r, "subject": "A"} for r in range(1, 9)]
    assert translate_note(left_out_rows(rows, 8, STORED_RESULT), "zh-CN").endswith(
        "及另外 3 行（完整清单见存储的结果）"
    )
