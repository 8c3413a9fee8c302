"""The values of the audit trail's details in the reader's words (zh-rest finding 2): a zh-CN reader saw
``角色: viewer; 状态: pending; 共享范围: caa``, ``类型: nca``, ``职责分离: true → false`` and, on the security
events page, ``client: …; failures: 3`` — stored codes, JSON flags and field names as recorded. The pages
and the PDF now say roles, statuses, signature meanings, study and analysis kinds, a share's scope,
languages and flags in words, in English too ("segregation of duties: yes → no"); the CSV exports keep
what is recorded (codes, JSON), for machines.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import pytest

from bioparity.i18n import use_language
from bioparity.store.models import AuditEvent
from bioparity.web.pages_programs import audit_details, detail_parts
from tests.i18n.test_audit_objects import HAN


def _event(object_type: str, action: str = "create") -> AuditEvent:
    return cast(AuditEvent, SimpleNamespace(object_type=object_type, actor="olivia", action=action))


SHARE: dict[str, Any] = {"role": "viewer", "status": "pending", "scope": "caa", "org_id": "o1"} | {
    "pending_role": None
}


@pytest.mark.parametrize(
    ("event", "before", "after", "names", "english", "chinese", "stored"),
    [
        (
            _event("share", "share_accept"),
            SHARE,
            SHARE | {"status": "accepted", "pending_role": "analyst"},
            {"o1": "Partner Ltd"},
            "role: viewer; scope: comparative analytical assessment studies only; partner: Partner Ltd; "
            "pending role: — → analyst; status: pending → accepted",
            "角色: 查看者; 共享范围: 仅限以下研究：药学比对研究; 合作方组织: Partner Ltd; "
            "待接受的角色: — → 分析员; 状态: 待处理 → 已接受",
            "role: viewer; scope: caa; partner: Partner Ltd; pending_role: null → analyst; "
            "status: pending → accepted",
        ),
        (
            _event("study"),
            None,
            {"name": "PK-101", "kind": "pk"},
            {},
            "name: PK-101; kind: PK similarity",
            "名称: PK-101; 类型: 药代动力学相似性",
            "name: PK-101; kind: pk",
        ),
        (
            _event("analysis_run", "run"),
            None,
            {"kind": "nca", "status": "succeeded"},
            {},
            "kind: Noncompartmental analysis; status: succeeded",
            "类型: 非房室分析; 状态: 成功",
            "kind: nca; status: succeeded",
        ),
        (
            _event("program", "update"),
            {"name": "MB-201", "segregation_of_duties": True, "target_regions": ["EU", "US"]},
            {"name": "MB-201", "segregation_of_duties": False, "target_regions": ["EU"]},
            {},
            "name: MB-201; segregation of duties: yes → no; target regions: EU, US → EU",
            "名称: MB-201; 职责分离: 是 → 否; 目标地区: EU, US → EU",
            'name: MB-201; segregation_of_duties: true → false; target_regions: ["EU","US"] → ["EU"]',
        ),
        (
            _event("membership", "update"),
            {"role": "viewer", "user_id": "u1"},
            {"role": "reviewer", "user_id": "u1"},
            {},
            "role: viewer → reviewer",
            "角色: 查看者 → 审核人",
            "role: viewer → reviewer",
        ),
        (
            _event("signature", "sign"),
            None,
            {"run_id": "c53b2598-b31c", "meaning": "approved", "display_name": "Olivia Owner"},
            {"c53b2598-b31c": "pk-similarity"},
            "Olivia Owner signed PK similarity run c53b2598 meaning 'approved'",
            "Olivia Owner 以含义 '已批准' 签署了 药代动力学相似性 运行 c53b2598",
            "Olivia Owner signed pk-similarity run c53b2598 meaning 'approved'",
        ),
    ],
    ids=["share", "study", "run", "program", "membership", "signature"],
)
def test_the_details_say_coded_values_in_words_and_the_csv_keeps_them(
    event: AuditEvent,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    names: dict[str, str],
    english: str,
    chinese: str,
    stored: str,
) -> None:
    assert audit_details(event, before, after, names) == english
    assert audit_details(event, before, after, names, words=False) == stored
    with use_language("zh-CN"):
        assert audit_details(event, before, after, names) == chinese
        assert audit_details(event, before, after, names, words=False) == stored  # data: never translated


def test_security_event_details_name_every_recorded_key_in_words() -> None:
    """The keys the account services record with a security event (workspace.accounts) and the lock's
    reason, an action code."""
    recorded: dict[str, Any] = {
        "client": "10.0.0.7",
        "failures": 5,
        "client_failures": 5,
        "attempts": 2,
        "since": "2026-12-07T06:00:00+00:00",
        "was_locked": True,
        "tokens_revoked": 1,
        "other_tokens_revoked": 0,
        "bound_tokens_revoked": 0,
        "unrecorded_login_locked_attempts": 3,
        "must_change_password": True,
        "language": "zh-CN",
        "username": "sam",
        "reason": "login_failed",
    }
    lock = _event("user", "lock")
    english = detail_parts(lock, recorded.items())
    assert english[0] == "client address: 10.0.0.7" and "was locked: yes" in english
    assert "language: 简体中文" in english and "reason: login_failed" in english  # English: the code's words
    with use_language("zh-CN"):
        chinese = detail_parts(lock, recorded.items())
        stored = detail_parts(lock, recorded.items(), words=False)
    assert [part for part in chinese if not HAN.search(part.split(": ")[0])] == []
    assert "原已锁定: 是" in chinese and "理由: 登录密码错误" in chinese, chinese
    assert stored[0] == "client: 10.0.0.7" and "was_locked: true" in stored
    assert "reason: login_failed" in stored
