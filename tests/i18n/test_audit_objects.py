"""The audit trail's object types and the field names of its details in the reader's words (zh-more
findings 1, 1b): a zh-CN reader saw ``analysis_run``, ``dataset``, ``signature`` and ``name: …;
status: …`` on the audit page, the organisation trail and the audit PDF. The stored codes stay codes (the
CSV export is data); "name" is a record's name (名称), not a person's (姓名, the entry without context),
and "share" a program's share with a partner (项目共享), not the action of sharing (GNU gettext manual,
section 11.2.5 "Using contexts for solving ambiguities").
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

from bioparity.i18n import gettext, use_language
from bioparity.store.models import AuditEvent, Membership, MembershipInvitation, Program, ProgramShare, User
from bioparity.web.pages_programs import audit_details
from bioparity.workspace.events import AUDIT_FIELDS, AUDIT_OBJECTS, field_words, object_words

SRC = Path(__file__).resolve().parents[2] / "src" / "bioparity"
HAN = re.compile(r"[\u4e00-\u9fff]")

#: Where the sources name an audit object type: ``record``/``record_change``'s fourth argument,
#: ``append_event(object_type=...)``, the failed-password audits (``FailedPassword("action", "type")`` and
#: their default), ``_add_new``'s fourth argument, and module constants.
_OBJECT_TYPES = re.compile(
    r"""record(?:_change)?\(\s*session,\s*\w+,\s*(?:"\w+"|\w+),\s*"(\w+)"|object_type(?::\s*str)?\s*=\s*"(\w+)"|"""
    r"""FailedPassword\("\w+",\s*"(\w+)"|_add_new\(session,\s*\w+,\s*\w+,\s*"(\w+)"|"""
    r"""(?:OBJECT_TYPE|ACCOUNT)\s*=\s*"(\w+)["]""",
    re.M,
)


def test_every_audit_object_type_in_the_sources_has_words_in_chinese() -> None:
    found: set[str] = set()
    places = [
        *(SRC / "workspace").rglob("*.py"),
        *(SRC / "web").rglob("*.py"),
        SRC / "report" / "qualification.py",
    ]
    for path in places:
        for match in _OBJECT_TYPES.finditer(path.read_text(encoding="utf-8")):
            found |= {g for g in match.groups() if g}
    expected = {"analysis_run", "dataset", "program", "study", "signature", "share", "user", "organisation"}
    assert expected | {"membership_invitation", "api_token", "validation_report", "audit_trail"} <= found
    assert found - set(AUDIT_OBJECTS) == set()
    with use_language("zh-CN"):
        words = {code: object_words(code) for code in AUDIT_OBJECTS}
    assert [code for code, text in words.items() if not HAN.search(text)] == []
    assert words["analysis_run"] == "分析运行" and words["dataset"] == "数据集" and words["study"] == "研究"
    assert words["share"] == "项目共享"  # the record, not the verb (共享)
    assert object_words("analysis_run") == "analysis_run"  # English: the code as stored
    with use_language("zh-CN"):
        assert object_words("a_later_type") == "a_later_type"


#: Columns an audited change can alter that the details print by name (identifiers, times, secrets and
#: seals are not printed or not changed).
_NOT_NAMED = re.compile(r"^(id|.*_id|.*_at|created_by|password_hash|mac)$")


def test_every_field_the_details_name_has_words_in_chinese() -> None:
    changed = {
        c.key
        for model in (Program, ProgramShare, Membership, MembershipInvitation, User)
        for c in model.__table__.columns
        if not _NOT_NAMED.match(c.key)
    }
    printed = {"name", "kind", "meaning", "role", "status", "scope", "sha256", "version", "reason", "partner"}
    assert (changed | printed) - set(AUDIT_FIELDS) == set()
    with use_language("zh-CN"):
        words = {name: field_words(name) for name in AUDIT_FIELDS}
        person = gettext("name")
    assert [n for n, text in words.items() if not HAN.search(text) and n != "sha256"] == []
    assert words["name"] == "名称" and person == "姓名"  # a record's name, not a person's


def _event(object_type: str) -> AuditEvent:
    return cast(AuditEvent, SimpleNamespace(object_type=object_type, actor="olivia"))


def test_the_details_name_their_fields_in_the_readers_words_the_csv_as_stored() -> None:
    before: dict[str, Any] = {"name": "MB-201", "status": "draft", "description": "old", "mac": "x"}
    after: dict[str, Any] = before | {"description": "new"}
    share: dict[str, Any] = {"role": "viewer", "status": "pending", "scope": None, "org_id": "o1"}
    with use_language("zh-CN"):
        shown = audit_details(_event("program"), before, after, {})
        partner = audit_details(_event("share"), None, share, {"o1": "Partner Ltd"})
        csv = audit_details(_event("program"), before, after, {}, words=False)
        shared = audit_details(_event("share"), None, share, {"o1": "Partner Ltd"}, words=False)
    assert shown == "名称: MB-201; 状态: 草稿; 描述: old → new"  # the values too (test_audit_values.py)
    assert partner == "角色: 查看者; 状态: 待处理; 共享范围: 整个项目; 合作方组织: Partner Ltd"
    assert csv == "name: MB-201; status: draft; description: old → new"
    assert shared == "role: viewer; status: pending; scope: whole program; partner: Partner Ltd"
    assert audit_details(_event("program"), before, after, {}) == csv  # English: the same words
