"""Messages with a context (gettext ``msgctxt``): one English word, two senses, two translations.

Found by the zh-CN reader's review: the audit trail printed its stored action codes ("run", "sign") in
English, and "run" could not simply be translated, since the message "run" is already an assay run (分析批,
ChP 2020 general chapter 9012) in the ADA reports, while the audit's "run" is the running of an analysis; a
draft guideline read 草稿 (a draft report) where a Chinese reader expects 征求意见稿. GNU gettext manual,
section 11.2.5 "Using contexts for solving ambiguities".
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from jinja2 import Environment

from bioparity.analyses.terms import term
from bioparity.i18n import (
    DOMAINS,
    catalogue_text,
    gettext,
    install_jinja,
    npgettext,
    pgettext,
    use_language,
)
from bioparity.i18n import catalogues as catalogue_tools
from bioparity.i18n.catalogues import extract, message_key
from bioparity.pathways.rules import guideline_status
from bioparity.workspace.events import AUDIT_ACTIONS, action_words

SRC = Path(__file__).resolve().parents[2] / "src" / "bioparity"


def test_one_word_in_two_contexts_has_two_translations() -> None:
    with use_language("zh-CN"):
        assert gettext("run") == "分析批"  # the ADA reports' assay run, the entry without context
        assert pgettext("audit action", "run") == "运行分析"
        assert pgettext("guideline status", "draft") == "征求意见稿"
        assert term("draft") == gettext("draft") == "草稿"  # a run's or a report's draft
        assert pgettext("no such context", "run") == "run"  # not the entry of another sense
        assert npgettext("audit action", "%(n)d run", "%(n)d runs", 2) == "%(n)d runs"
    assert pgettext("audit action", "run") == "run"  # English: the source text


def test_a_template_translates_with_a_context() -> None:
    env = Environment(autoescape=True)
    install_jinja(env)
    page = env.from_string("{{ pgettext('audit action', 'sign') }} | {{ _('run') }}")
    with use_language("zh-CN"):
        assert page.render() == "电子签名 | 分析批"
    assert page.render() == "sign | run"


def test_extraction_keeps_the_context_apart() -> None:
    web, reports = extract("web"), extract("reports")
    audit_run = web[message_key("run", "audit action")]
    assert audit_run.context == "audit action" and audit_run.places[0].startswith("workspace/events.py:")
    assert reports["run"].context is None  # the assay run, its own message
    status = reports[message_key("draft", "guideline status")]
    assert status.places[0].startswith("pathways/rules.py:")
    assert reports["draft"].context is None


def test_the_check_names_a_missing_translation_with_its_context(monkeypatch: pytest.MonkeyPatch) -> None:
    """``scripts/i18n.py check`` (:func:`~bioparity.i18n.catalogues.problems`) looks a message up with its
    context: the entry "run" without context does not translate the audit's "run"."""
    web = catalogue_text("zh-CN", "web") or ""
    entry = 'msgctxt "audit action"\nmsgid "run"\nmsgstr "运行分析"\n'
    assert entry in web
    shipped = catalogue_text

    def without(language: str, domain: str) -> str | None:
        text = shipped(language, domain)
        return web.replace(entry, "") if domain == "web" else text

    monkeypatch.setattr(catalogue_tools, "catalogue_text", without)
    line = _line("workspace/events.py", 'pgettext_noop("audit action", "run")')
    assert [p for p in catalogue_tools.problems("zh-CN") if p.startswith("web:")] == [
        f"web: 'run' (context 'audit action'; workspace/events.py:{line}) is not in the zh-CN catalogue"
    ]


def _line(path: str, text: str) -> int:
    lines = (SRC / path).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def test_the_context_entries_pass_msgfmt(tmp_path: Path) -> None:
    """GNU ``msgfmt -c`` finds no problem in an entry with a context ("draft" with and without one are two
    messages, not a duplicate definition); the problems it already reported elsewhere in reports.po are not
    this change's (notes: msgfmt baseline)."""
    if shutil.which("msgfmt") is None:
        pytest.fail("GNU gettext (msgfmt) missing: run scripts/system-deps.sh")
    contexts = set()
    for domain in DOMAINS:
        text = catalogue_text("zh-CN", domain) or ""
        path = tmp_path / f"{domain}.po"
        path.write_text(text, encoding="utf-8")
        checked = subprocess.run(
            ["msgfmt", "-c", "-o", os.devnull, str(path)], capture_output=True, text=True, check=False
        )
        flagged = {int(n) for n in re.findall(rf"{domain}\.po:(\d+): (?!warning)", checked.stderr)}
        lines = text.splitlines()
        entries = {n for n, line in enumerate(lines, start=1) if line.startswith("msgctxt ")}
        contexts |= {re.findall(r'"(.*)"', lines[n - 1])[0] for n in entries}
        # an entry is its msgctxt line and the msgid/msgstr lines after it
        assert not flagged & {n + k for n in entries for k in range(4)}, checked.stderr
        assert "duplicate message definition" not in checked.stderr
    assert contexts == {
        "audit action",
        "audit object",
        "audit field",
        "guideline status",
        "guideline section",
        "time unit",
        "download via",
    }


#: Where the workspace passes an action code to the audit trail: ``record``/``record_change``'s third
#: argument, ``append_event(action=...)``, the failed-password audits (``FailedPassword``), module constants,
#: ``action = "a" if ... else "b"`` and ``action = {...: "a", ...}[...]``.
_RECORDED = re.compile(
    r"""action = "(\w+)" if .* else "(\w+)"$|record(?:_change)?\(\s*session,\s*\w+,\s*"(\w+)"|"""
    r"""action(?::\s*str)?\s*=\s*"(\w+)"|FailedPassword\("(\w+)"|ACTION\s*=\s*"(\w+)["]""",
    re.M,
)
_CHOSEN = re.compile(r"action = \{([^}]*)\}\[")


def test_every_recorded_audit_action_has_words_in_chinese() -> None:
    found: set[str] = set()
    places = [
        *(SRC / "workspace").rglob("*.py"),
        *(SRC / "web").rglob("*.py"),
        SRC / "report" / "qualification.py",
    ]
    for path in places:
        for match in _RECORDED.finditer(path.read_text(encoding="utf-8")):
            found |= {g for g in match.groups() if g}
        for match in _CHOSEN.finditer(path.read_text(encoding="utf-8")):
            found |= set(re.findall(r':\s*"(\w+)"', match.group(1)))
    expected = {"run", "sign", "upload", "create", "login", "validate", "audit_keyed", "share_decline"}
    assert expected | {"password_failed", "withdraw", "deactivate", "update"} <= found
    assert found - set(AUDIT_ACTIONS) == set()
    with use_language("zh-CN"):
        words = {code: action_words(code) for code in AUDIT_ACTIONS}
    assert words["run"] == "运行分析" and words["sign"] == "电子签名" and words["upload"] == "上传"
    assert [code for code, text in words.items() if not re.search(r"[\u4e00-\u9fff]", text)] == []
    assert action_words("run") == "run" and action_words("a_later_action") == "a_later_action"


def test_a_draft_guideline_is_a_draft_for_comment_in_chinese() -> None:
    with use_language("zh-CN"):
        assert [guideline_status(s) for s in ("draft", "final", "interim")] == [
            "征求意见稿",
            "定稿",
            "试行",
        ]
    assert guideline_status("draft") == "draft"
