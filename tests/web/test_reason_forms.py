"""The pages ask for the reason of a GMP-relevant change (QA audit F3, EU GMP Annex 11 section 9) and for the
signer's user name (F10, 21 CFR 11.200(a)(1)(i)), on a demo store of this module's own (the changes below
must not reach other tests' program).

Each form has a labelled reason textarea; a blank reason is refused with the message next to that field
(and nothing changes), a given one is kept in the change's audit row. The upload form asks for the reason
when the file would replace a dataset a signed run used, keeping the file chosen.
"""

from __future__ import annotations

import html
import json
import re

from sqlalchemy import select

from bioparity.demo import DEMO_USERS
from bioparity.demo.load import DEVELOPER, PARTNER, PROGRAM, UNSHARED_PROGRAM
from bioparity.store import make_sessionmaker
from bioparity.store.models import AuditEvent, Dataset, Membership, Organisation, Program, Study, User
from bioparity.workspace import datasets
from tests.web.conftest import DemoStore, demo_client, own_demo_store

PASSWORD = {u.username: u.password for u in DEMO_USERS}


# the forms below change the demo (own_demo_store)
store = own_demo_store("reason-forms")


def _id(store: DemoStore, model: type, **where: str) -> str:
    with make_sessionmaker(store.engine)() as s:
        query = select(model.id)  # type: ignore[attr-defined]
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return str(s.scalars(query).one())


def _last_row(store: DemoStore, action: str) -> AuditEvent:
    with make_sessionmaker(store.engine)() as s:
        row = s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.seq.desc()))
        return row.first()  # type: ignore[return-value]


def _error_next_to(page: str, field: str) -> str:
    """The refusal shown right after the textarea ``field`` (its hint between them)."""
    found = re.search(
        rf'<textarea id="{field}" name="reason"[^>]*aria-invalid="true"[^>]*>[^<]*</textarea>\s*'
        rf'<p class="hint" id="{field}-hint">[^<]*</p>\s*'
        rf'<p class="error" role="alert" id="{field}-error">([^<]*)</p>',
        page,
    )
    assert found is not None, f"no error next to {field}"
    return html.unescape(found.group(1))


def test_a_member_change_asks_for_the_reason_and_refuses_a_blank_one_next_to_it(store: DemoStore) -> None:
    org = _id(store, Organisation, name=DEVELOPER)
    ana = _id(store, User, username="ana")
    with demo_client(store, "olivia") as olivia:
        page = olivia.get(f"/ui/orgs/{org}").text
        assert f'<label for="reason-{ana}">Reason for the change</label>' in page
        assert f'<textarea id="reason-{ana}" name="reason" rows="2" maxlength="500" required' in page
        refused = olivia.post(f"/ui/orgs/{org}/members/{ana}", data={"role": "statistician", "reason": "  "})
        assert refused.status_code == 422
        assert _error_next_to(refused.text, f"reason-{ana}") == "reason must not be empty"
        assert re.search(r'<option value="statistician" selected>', refused.text)  # the choice kept
        done = olivia.post(
            f"/ui/orgs/{org}/members/{ana}",
            data={"role": "statistician", "reason": "covers for Sam (CC-9)"},
            follow_redirects=False,
        )
        assert done.status_code == 303
    with make_sessionmaker(store.engine)() as s:
        assert s.scalar(select(Membership.role).where(Membership.user_id == ana)) == "statistician"
    row = _last_row(store, "update")
    assert (row.object_type, row.reason) == ("membership", "covers for Sam (CC-9)")


def test_sharing_and_unsharing_ask_for_the_reason(store: DemoStore) -> None:
    program = _id(store, Program, name=PROGRAM)
    partner = _id(store, Organisation, name=PARTNER)
    with demo_client(store, "olivia") as olivia:
        page = olivia.get(f"/ui/programs/{program}/sharing").text
        assert f'<label for="reason-{partner}">Reason for the change</label>' in page
        assert '<label for="share-reason">Reason for the change</label>' in page
        refused = olivia.post(f"/ui/programs/{program}/sharing/{partner}/remove", data={"reason": ""})
        assert refused.status_code == 422
        assert _error_next_to(refused.text, f"reason-{partner}") == "reason must not be empty"
        assert "Remove" in refused.text and PARTNER in refused.text  # still shared
        removed = olivia.post(
            f"/ui/programs/{program}/sharing/{partner}/remove",
            data={"reason": "CMC done"},
            follow_redirects=False,
        )
        assert removed.status_code == 303 and _last_row(store, "unshare").reason == "CMC done"
        body = {"org_name": PARTNER, "role": "viewer", "reason": "\n"}
        refused = olivia.post(f"/ui/programs/{program}/sharing", data=body)
        assert refused.status_code == 422
        assert _error_next_to(refused.text, "share-reason") == "reason must not be empty"
        shared = olivia.post(
            f"/ui/programs/{program}/sharing",
            data=body | {"reason": "reads the report"},
            follow_redirects=False,
        )
        assert shared.status_code == 303 and _last_row(store, "share").reason == "reads the report"


def test_replacing_data_a_signed_run_used_asks_for_the_reason_and_keeps_the_file(store: DemoStore) -> None:
    """caa-lots v1 is the input of the demo's signed (approved) CAA run."""
    study = _id(store, Study, name="CAA-01")
    with make_sessionmaker(store.engine)() as s:
        first = s.scalars(select(Dataset).where(Dataset.study_id == study, Dataset.name == "caa-lots")).one()
        content = datasets.dataset_content(s, first).replace(b",98.4,%", b",99.4,%", 1)
    with demo_client(store, "olivia") as olivia:
        form = olivia.get(f"/ui/studies/{study}/upload").text
        assert 'name="reason"' not in form  # a new upload needs none: not asked
        files = {"file": ("caa.csv", content, "text/csv")}
        asked = olivia.post(
            f"/ui/studies/{study}/upload", data={"name": "caa-lots", "analysis_kind": "caa"}, files=files
        )
        assert asked.status_code == 422
        error = _error_next_to(asked.text, "upload-reason")
        assert error.startswith("reason must not be empty: the signed run ") and "'caa-lots'" in error
        assert 'id="upload-error"' not in asked.text  # the reason's problem, not the file's
        staged = re.search(r'name="staged" value="([^"]+)"', asked.text)
        assert staged is not None  # the file is kept with the form
        data = {
            "name": "caa-lots",
            "analysis_kind": "caa",
            "staged": staged.group(1),
            "staged_name": "caa.csv",
            "reason": "lot 3 purity re-integrated (DV-7)",
        }
        stored = olivia.post(f"/ui/studies/{study}/upload", data=data, follow_redirects=False)
        assert stored.status_code == 303, stored.text
    row = _last_row(store, "upload")
    assert row.reason == "lot 3 purity re-integrated (DV-7)" and '"version":2' in (row.after_json or "")


def test_the_signing_form_asks_for_the_user_name_and_refuses_another(store: DemoStore) -> None:
    with demo_client(store, "sam") as sam:
        pages = {run_id: sam.get(f"/ui/runs/{run_id}").text for run_id in store.summary.runs.values()}
        caa, page = next((r, p) for r, p in pages.items() if 'id="sign-form"' in p)  # one Sam may sign
        assert '<label for="sign-username">Your user name</label>' in page
        assert '<input id="sign-username" name="username" autocomplete="username"' in page
        meaning = re.findall(r'<option value="(\w+)"', page.split('id="meaning"')[1].split("</select>")[0])[0]
        for wrong in ("olivia", "", "Sam"):
            data = {"username": wrong, "password": PASSWORD["sam"], "meaning": meaning}
            refused = sam.post(f"/ui/runs/{caa}/sign", data=data)
            assert refused.status_code == 422
            assert "Not signed: signature refused: the user name or password does not match" in html.unescape(
                refused.text
            )
            failed = _last_row(store, "sign_failed")
            assert failed.actor == "sam"
            # counted and recorded against the page's client address too, as at sign-in (web QA F1)
            assert json.loads(failed.after_json or "{}")["client"] == "testclient"


def test_declining_a_program_offered_asks_for_the_reason_next_to_the_offer(store: DemoStore) -> None:
    """The partner's owner answers an offer with a reason field (optional: required to decline only)."""
    program = _id(store, Program, name=UNSHARED_PROGRAM)
    partner = _id(store, Organisation, name=PARTNER)
    offer = {"org_name": PARTNER, "role": "viewer", "reason": "reads the fusion protein data"}
    field = f"offer-reason-{program}"
    with demo_client(store, "olivia") as olivia, demo_client(store, "carl") as carl:
        sharing = f"/ui/programs/{program}/sharing"
        assert olivia.post(sharing, data=offer, follow_redirects=False).status_code == 303
        page = carl.get(f"/ui/orgs/{partner}").text
        assert f'<label for="{field}">Reason for the change (when needed)</label>' in page
        assert f'<textarea id="{field}" name="reason" rows="2" maxlength="500" aria-describedby' in page
        assert "Required to decline" in page
        answer = f"/ui/orgs/{partner}/share-invitations/{program}"
        refused = carl.post(answer, data={"answer": "decline", "reason": " "})
        assert refused.status_code == 422
        assert _error_next_to(refused.text, field) == "reason must not be empty"
        assert UNSHARED_PROGRAM in refused.text  # still offered
        declined = carl.post(
            answer, data={"answer": "decline", "reason": "no capacity this year"}, follow_redirects=False
        )
        assert declined.status_code == 303
        row = _last_row(store, "share_decline")
        assert (row.program_id, row.reason) == (program, "no capacity this year")
        assert olivia.post(sharing, data=offer, follow_redirects=False).status_code == 303
        accepted = carl.post(answer, data={"answer": "accept", "reason": ""}, follow_redirects=False)
        assert accepted.status_code == 303  # an acceptance needs none
        row = _last_row(store, "share_accept")
        assert (row.program_id, row.reason) == (program, None)


def test_the_owner_switches_segregation_of_duties_on_the_settings_page_for_a_reason(store: DemoStore) -> None:
    """QA audit: the setting had no form (API only). The owner's settings page switches it for a reason,
    audited as ``PATCH /programs/{id}`` is; other roles get no link and no page."""
    program = _id(store, Program, name=UNSHARED_PROGRAM)
    settings = f"/ui/programs/{program}/settings"

    def rule() -> bool:
        with make_sessionmaker(store.engine)() as s:
            return bool(s.get_one(Program, program).segregation_of_duties)

    # (not sam: the signing test's wrong user names hold his sign-in back for a while)
    with demo_client(store, "ana") as ana:  # a member, not an owner: no link, no page, no change
        assert f'href="{settings}"' not in ana.get(f"/ui/programs/{program}").text
        assert ana.get(settings).status_code == 403
        assert ana.post(settings, data={"reason": "mine"}).status_code == 403
    with demo_client(store, "olivia") as olivia:
        assert f'id="program-settings" href="{settings}"' in olivia.get(f"/ui/programs/{program}").text
        page = olivia.get(settings).text
        assert '<label for="settings-reason">Reason for the change</label>' in page
        assert re.search(
            r'<input type="checkbox" id="sod-on" name="segregation_of_duties" value="true" checked>', page
        )
        refused = olivia.post(settings, data={"reason": " "})  # the box unticked: off asked for
        assert refused.status_code == 422
        assert _error_next_to(refused.text, "settings-reason") == "reason must not be empty"
        assert 'id="sod-on" name="segregation_of_duties" value="true">' in refused.text  # the choice kept
        assert rule() is True
        off = olivia.post(settings, data={"reason": " one-person pilot (CC-14) "}, follow_redirects=False)
        assert off.status_code == 303 and rule() is False
        row = _last_row(store, "update")
        assert (row.object_type, row.object_id, row.reason) == (
            "program",
            program,
            "one-person pilot (CC-14)",
        )
        assert '"segregation_of_duties":true' in (row.before_json or "")
        assert '"segregation_of_duties":false' in (row.after_json or "")
        same = olivia.post(settings, data={"reason": "again"}, follow_redirects=False)
        assert same.status_code == 303 and _last_row(store, "update").seq == row.seq  # nothing recorded
        on = {"segregation_of_duties": "true", "reason": "pilot over"}
        assert olivia.post(settings, data=on, follow_redirects=False).status_code == 303 and rule() is True
        assert _last_row(store, "update").reason == "pilot over"
        assert "Now: on." in olivia.get(settings).text


def test_the_organisation_trail_page_shows_member_changes_with_their_reasons(store: DemoStore) -> None:
    """QA audit: the reasons of member changes showed only through ``GET /orgs/{id}/audit``. The owner's
    read-only trail page lists the organisation's own rows (no program's) with the member and the reason;
    other members get no link and no page."""
    org = _id(store, Organisation, name=DEVELOPER)
    rita = _id(store, User, username="rita")
    trail = f"/ui/orgs/{org}/audit"
    with demo_client(store, "olivia") as olivia:
        assert f'href="{trail}" id="org-audit"' in olivia.get(f"/ui/orgs/{org}").text
        for role, why in (("analyst", "covers the bioanalysis backlog (CC-21)"), ("reviewer", "back to QC")):
            changed = olivia.post(
                f"/ui/orgs/{org}/members/{rita}", data={"role": role, "reason": why}, follow_redirects=False
            )
            assert changed.status_code == 303
        page = olivia.get(trail)
        assert page.status_code == 200
        cells = {
            seq: [
                html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
            ]
            for seq, row in re.findall(r'<tr><td class="num">(\d+)</td>(.*?)</tr>', page.text, re.S)
        }
        # columns after #: when, by, action, member, details, reason
        changes = [c for c in cells.values() if c[2] == "update membership" and c[3] == "rita"]
        assert [(c[1], c[5]) for c in changes] == [
            ("olivia", "covers the bioanalysis backlog (CC-21)"),
            ("olivia", "back to QC"),
        ]
        assert changes[0][4].startswith("role: reviewer → analyst; row ")
        assert changes[1][4].startswith("role: analyst → reviewer; row ")
        text = cells
        with make_sessionmaker(store.engine)() as s:  # the organisation's own rows, no program's
            program_rows = s.scalars(select(AuditEvent.seq).where(AuditEvent.program_id.is_not(None)))
            assert not {str(seq) for seq in program_rows} & set(text)
    with demo_client(store, "ana") as ana:
        assert trail not in ana.get(f"/ui/orgs/{org}").text
        assert ana.get(trail).status_code == 403
