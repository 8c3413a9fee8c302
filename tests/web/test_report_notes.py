"""The notes stored with a run are shown in the report's language (:mod:`bioparity.i18n.notes`).

The demo program's CAA run stores English notes (data handling, comparisons, plan); its zh-CN report
prints each of them in Chinese with the same numbers and identifiers, its English report as stored, and
the stored result is untouched.
"""

from __future__ import annotations

import html
import re

from bioparity.i18n import current_language
from bioparity.i18n.notes import translate_note
from bioparity.report import render_run_report
from bioparity.report.context import run_context
from bioparity.store import make_sessionmaker
from bioparity.workspace import accounts
from bioparity.workspace.access import Actor
from tests.web.conftest import DemoStore

_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_NOTE = re.compile(r'<p class="note">(.*?)</p>', re.S)


def test_a_chinese_report_shows_the_stored_notes_in_chinese_with_the_same_numbers(
    demo_store: DemoStore,
) -> None:
    with make_sessionmaker(demo_store.engine)() as session:
        user = accounts.get_user_by_name(session, "sam")
        actor = Actor(user.id, user.username, user.display_name)
        ctx = run_context(session, actor, demo_store.summary.runs["caa"])
        stored = list(ctx.notes)
        english = render_run_report(ctx, lang="en")
        chinese = render_run_report(ctx, lang="zh-CN")
    assert current_language() == "en"
    assert len(stored) >= 4 and ctx.notes == stored  # the stored notes are left as they are
    shown_en = [html.unescape(n) for n in _NOTE.findall(english)]
    shown_zh = [html.unescape(n) for n in _NOTE.findall(chinese)]
    for note in stored:
        assert note in shown_en
        translated = translate_note(note, "zh-CN")
        assert translated != note and _CJK.search(translated), note
        assert translated in shown_zh
        assert note not in shown_zh
        assert sorted(_NUMBER.findall(translated)) == sorted(_NUMBER.findall(note)), note
