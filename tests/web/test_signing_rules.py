"""The signing form follows the signing rules (web QA findings W13, W16, W17), on the demo as its users see
it: Sam ran and authored the PK similarity result, Rita reviewed it, Olivia approved it.

On the main of the QA pass the form offered Sam "reviewed" and "approved" (and "authored" again), a refusal
read "does not allow 'sign_approved'", and a refused attempt left no audit row."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select

from bioparity import refusals
from bioparity.demo import DEMO_USERS
from bioparity.i18n import use_language
from bioparity.server import create_app
from bioparity.store import make_sessionmaker
from bioparity.store.models import AuditEvent, Signature
from bioparity.web.pages_programs import audit_details
from bioparity.workspace.roles import scope_words
from tests.web.chinese_user import PASSWORD as CHINESE_PASSWORD
from tests.web.chinese_user import USERNAME as CHINESE_USER
from tests.web.chinese_user import ensure_chinese_user
from tests.web.conftest import DemoStore, FormClient, own_demo_store
from tests.workspace.helpers import stored_run_trail

PASSWORD = {u.username: u.password for u in DEMO_USERS}


# the demo's PK-similarity run signed as the demo loads it, not superseded (own_demo_store)
demo_store = own_demo_store("signing-rules")


@contextmanager
def _signed_in(demo_store: DemoStore, username: str, password: str) -> Iterator[FormClient]:
    client = FormClient(create_app(engine=demo_store.engine, run_migrations=False))
    signed_in = client.post("/ui/login", data={"username": username, "password": password})
    assert signed_in.status_code == 200
    try:
        yield client
    finally:
        client.close()


def _why(page: str) -> str:
    """The text of the page's "why not" block under the signatures (tags dropped, entities decoded)."""
    found = re.search(r'<div class="hint" id="sign-why">(.*?)</div>', page, re.S)
    assert found is not None, "no reasons shown"
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1)))


def _refusals(demo_store: DemoStore, run_id: str, username: str) -> list[dict[str, str]]:
    with make_sessionmaker(demo_store.engine)() as session:
        rows = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "sign_refused",
                AuditEvent.object_id == run_id,
                AuditEvent.actor == username,
            )
        )
        return [json.loads(r.after_json or "{}") for r in rows]


def test_the_author_is_offered_nothing_is_told_why_and_a_forced_review_is_refused_and_audited(
    demo_store: DemoStore,
) -> None:
    pk = demo_store.summary.runs["pk-similarity"]
    with _signed_in(demo_store, "sam", PASSWORD["sam"]) as sam:
        page = sam.get(f"/ui/runs/{pk}").text
        assert 'id="sign-form"' not in page  # nothing left that Sam may sign on his own result
        why = " ".join(_why(page).split())
        assert why.startswith("You cannot sign this result now:")
        assert "authored: you have already signed this result as authored" in why
        assert (
            "reviewed: segregation of duties: you ran this analysis, so it needs another person's review"
            in why
        )
        assert (
            "approved: segregation of duties: you ran this analysis, so another person must approve it" in why
        )

        before = len(_refusals(demo_store, pk, "sam"))
        data = {"username": "sam", "password": PASSWORD["sam"], "meaning": "reviewed"}
        forced = sam.post(f"/ui/runs/{pk}/sign", data=data)
        assert forced.status_code == 422
        assert (
            "Not signed: segregation of duties: you ran this analysis, so it needs another person's review"
            in html.unescape(forced.text)
        )
    recorded = _refusals(demo_store, pk, "sam")[before:]
    assert recorded == [
        {
            "meaning": "reviewed",
            "rule": "independence",
            "reason": "segregation of duties: you ran this analysis, so it needs another person's review",
        }
    ]


def test_a_partner_viewer_is_refused_in_words_not_permission_codes(demo_store: DemoStore) -> None:
    pk = demo_store.summary.runs["pk-similarity"]
    with _signed_in(demo_store, "victor", PASSWORD["victor"]) as victor:
        page = victor.get(f"/ui/runs/{pk}").text
        assert "Your role on this program does not allow signing." in page and 'id="sign-why"' not in page
        data = {"username": "victor", "password": PASSWORD["victor"], "meaning": "approved"}
        forced = victor.post(f"/ui/runs/{pk}/sign", data=data)
    text = html.unescape(forced.text)
    assert forced.status_code == 422 and "sign_approved" not in text
    assert (
        "your role (viewer of a partner organisation, program shared at analyst) does not allow signing as "
        "approved"
    ) in text
    assert [r["rule"] for r in _refusals(demo_store, pk, "victor")][-1:] == ["role"]


def test_a_chinese_owner_is_offered_review_and_approval_and_told_why_not_authorship(
    demo_store: DemoStore,
) -> None:
    ensure_chinese_user(demo_store.engine)
    pk = demo_store.summary.runs["pk-similarity"]
    with _signed_in(demo_store, CHINESE_USER, CHINESE_PASSWORD) as reader:
        page = reader.get(f"/ui/runs/{pk}").text
    offered = re.findall(
        r'<option value="(\w+)"[^>]*>[^<]*</option>', page.split('id="meaning"')[1].split("</select>")[0]
    )
    assert offered == ["reviewed", "approved"]
    why = " ".join(_why(page).split())
    assert why == "当前未向您提供的含义： 已编写: 只有运行此分析的人（Sam Statistician）才能以“已编写”签署"


def test_the_run_page_shows_each_signature_as_recorded_to_the_second_with_the_user_name(
    demo_store: DemoStore,
) -> None:
    """Web QA F4: the run page printed a signature's time to the minute and the signer's printed name
    alone (three signatures made within one minute all read "18:58 UTC"), while the record and the run
    report hold the second and the user name (21 CFR 11.50(a), (b): the manifestation on the display shows
    the printed name, the date and time of signing and the meaning, as the printed report does)."""
    run = demo_store.summary.runs["pk-similarity"]
    with make_sessionmaker(demo_store.engine)() as s:
        recorded = s.scalars(
            select(Signature).where(Signature.run_id == run).order_by(Signature.signed_at)
        ).all()
        expected = [
            (f"{sig.display_name} ({sig.username})", sig.signed_at[:10], sig.signed_at[11:19])
            for sig in recorded
        ]
    assert len(expected) == 3
    with _signed_in(demo_store, "rita", PASSWORD["rita"]) as rita:
        page = html.unescape(rita.get(f"/ui/runs/{run}").text)
        report = html.unescape(rita.get(f"/ui/runs/{run}/report.html").text)
        program = html.unescape(rita.get(f"/ui/programs/{demo_store.summary.program_id}/report.html").text)
    for name, day, second in expected:
        shown = f"<td>{name}</td><td>{{}}</td><td>{day} {second} UTC</td>"
        assert re.search(re.escape(shown).replace(re.escape("{}"), "[^<]+"), page), (name, day, second)
        assert f"{name}</td>" in report and f"{day} {second} UTC" in report
        # the program report's signature table names the user too (it printed the printed name alone)
        assert f"<td>{name}</td>" in program and f"{day} {second} UTC" in program


def test_a_refused_signature_reads_in_the_readers_language_on_the_audit_page(demo_store: DemoStore) -> None:
    """Web QA Q2: a ``sign_refused`` row recorded its reason as English text, so a zh-CN audit page showed
    "your role (viewer of a partner organisation, ...) does not allow signing as reviewed" in English. The
    reason is recorded as before (English, the CSV as recorded) and the page shows it in Chinese, the roles
    and the meaning in words too."""
    ensure_chinese_user(demo_store.engine)
    pk = demo_store.summary.runs["pk-similarity"]
    with _signed_in(demo_store, "victor", PASSWORD["victor"]) as victor:
        data = {"username": "victor", "password": PASSWORD["victor"], "meaning": "reviewed"}
        assert victor.post(f"/ui/runs/{pk}/sign", data=data).status_code == 422
    stored = (
        "your role (viewer of a partner organisation, program shared at analyst) does not allow signing as "
        "reviewed"
    )
    assert _refusals(demo_store, pk, "victor")[-1]["reason"] == stored
    audit = f"/ui/programs/{demo_store.summary.program_id}/audit?action=sign_refused"
    with _signed_in(demo_store, CHINESE_USER, CHINESE_PASSWORD) as reader:
        page = html.unescape(reader.get(audit).text)
        exported = reader.get(audit.replace("/audit?", "/audit.csv?")).text
    assert "您的角色（合作方组织的查看者，项目以分析员角色共享）不允许以“已审核”签名" in page
    assert "does not allow" not in page
    assert stored in exported  # the CSV is data: as recorded


def test_a_refusal_reason_recorded_in_other_words_is_shown_as_recorded() -> None:
    """A ``sign_refused`` row of an earlier version (a reason no template makes) shows as recorded; one in
    the words of a template translates."""
    event = AuditEvent(action="sign_refused", object_type="analysis_run")
    older = {"meaning": "approved", "rule": "order", "reason": "approval needs a prior review (old words)"}
    known = {"meaning": "reviewed", "rule": "independence", "reason": refusals.RAN_IT_REVIEW}
    with use_language("zh-CN"):
        assert "理由: approval needs a prior review (old words)" in audit_details(event, None, older, {})
        assert "职责分离：此分析由您运行，因此须由另一人审核" in audit_details(event, None, known, {})
    assert refusals.RAN_IT_REVIEW in audit_details(event, None, known, {}, words=False)
    scoped = {
        "meaning": "reviewed",
        "rule": "role",
        "reason": "the share of 'MB-201' with Castor covers comparative analytical assessment or clinical "
        "studies only; 'PK-101' is a PK similarity study; ask an owner of the program's organisation to "
        "widen the share",
    }
    with use_language("zh-CN"):
        said = audit_details(event, None, scoped, {})
    assert "项目 'MB-201' 与 Castor 的共享仅涵盖以下类型的研究：药学比对研究或临床；" in said
    assert "'PK-101' 的类型为药代动力学相似性；" in said
    # a share of CAA studies only: the kind word "药学比对研究" reads once (was "仅涵盖药学比对研究研究")
    caa_only = {
        **scoped,
        "reason": scoped["reason"].replace(
            "comparative analytical assessment or clinical", "comparative analytical assessment"
        ),
    }
    with use_language("zh-CN"):
        said = audit_details(event, None, caa_only, {})
        scope = scope_words("caa")
    assert "共享仅涵盖以下类型的研究：药学比对研究；" in said
    assert "研究研究" not in said
    assert scope == "仅限以下研究：药学比对研究"


def _audit_rows(page: str) -> list[tuple[int, str, str]]:
    """(seq, user, action code) of each row of an audit page (the action read back from its words)."""
    rows = re.findall(
        r'<tr><td class="num">(\d+)</td><td><time[^>]*>[^<]*</time></td><td>([^<]*)</td><td>([^<]*)</td>',
        page,
    )
    return [(int(seq), html.unescape(user), html.unescape(action)) for seq, user, action in rows]


def test_a_review_before_the_authors_signature_is_not_offered_and_says_why(demo_store: DemoStore) -> None:
    """The demo's power run is signed by nobody: before, rita could review it and olivia approve it (201,
    201) and it counted as approved. Now the form offers neither and says why (signatures in the order of
    their meanings: authored, reviewed, approved)."""
    power = demo_store.summary.runs["power"]
    with _signed_in(demo_store, "rita", PASSWORD["rita"]) as rita:
        page = rita.get(f"/ui/runs/{power}").text
        forced = rita.post(
            f"/ui/runs/{power}/sign",
            data={"username": "rita", "password": PASSWORD["rita"], "meaning": "reviewed"},
        )
    reason = (
        "signatures follow the order authored, reviewed, approved: Sam Statistician, who ran this analysis, "
        "has not yet signed this result as authored (an authored signature of a result that changed since no "
        "longer holds)"
    )
    assert 'id="sign-form"' not in page
    why = " ".join(_why(page).split())
    assert why == f"You cannot sign this result now: reviewed, approved: {reason}"  # one reason, said once
    assert forced.status_code == 422 and f"Not signed: {reason}" in html.unescape(forced.text)
    assert [r["rule"] for r in _refusals(demo_store, power, "rita")] == ["order"]


def test_the_run_page_links_its_own_audit_trail_with_the_failed_signing_attempts(
    demo_store: DemoStore,
) -> None:
    """A wrong password when signing (``sign_failed``) is a row of the program's trail whose object is the
    run; the run page links the trail of that run only: its creation, signatures, refused and failed signing
    attempts (21 CFR 11.10(e); EU GMP Annex 11 §12.4). A partner's member does not see other people's
    failed attempts (withheld, as on the whole trail: README "Partners' view of the audit trail")."""
    pk = demo_store.summary.runs["pk-similarity"]
    program = demo_store.summary.program_id
    with _signed_in(demo_store, "rita", PASSWORD["rita"]) as rita:
        wrong = rita.post(
            f"/ui/runs/{pk}/sign", data={"username": "rita", "password": "x", "meaning": "reviewed"}
        )
    assert wrong.status_code in (403, 422)
    # the run's events read from the store independently of the page's filter: the run row, its
    # signatures (their record names the run) and the attempts on the run
    with make_sessionmaker(demo_store.engine)() as session:
        expected = stored_run_trail(session, program, pk)
    assert [a for _, _, a in expected][:1] == ["run"] and ("sign_failed" in [a for _, _, a in expected])
    with _signed_in(demo_store, "olivia", PASSWORD["olivia"]) as olivia:
        run_page = olivia.get(f"/ui/runs/{pk}").text
        assert f'href="/ui/programs/{program}/audit?run={pk}"' in run_page
        page = olivia.get(f"/ui/programs/{program}/audit?run={pk}").text
        csv = olivia.get(f"/ui/programs/{program}/audit.csv?run={pk}").text
    assert [(seq, user) for seq, user, _ in _audit_rows(page)] == [(seq, user) for seq, user, _ in expected]
    assert 'id="audit-run"' in page and ("rita", "sign_failed") in {(u, a) for _, u, a in expected}
    assert len(csv.strip().splitlines()) == 1 + len(expected)  # the export of this view: the same rows
    with _signed_in(demo_store, "paula", PASSWORD["paula"]) as paula:
        partner = paula.get(f"/ui/programs/{program}/audit?run={pk}").text
    shown = [seq for seq, _, _ in _audit_rows(partner)]
    assert shown == [seq for seq, user, action in expected if action != "sign_failed"]
