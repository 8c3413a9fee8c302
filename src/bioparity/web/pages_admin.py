"""Organisation settings (members and roles) and the validation pack run from the browser."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session

from bioparity.api.deps import unit_of_work
from bioparity.errors import BioparityError
from bioparity.i18n import gettext as _
from bioparity.io.tables_out import csv_bytes
from bioparity.report import qualification
from bioparity.store.models import AuditEvent, Organisation, User
from bioparity.web.downloads import disposition, file_name
from bioparity.web.forms import FormText
from bioparity.web.notices import Notice, notice_redirect
from bioparity.web.pages_programs import AUDIT_PAGE, NO_REASON, audit_details, detail_parts, iso_second
from bioparity.web.session import PageActor, read_unit
from bioparity.web.templating import refused_form, render
from bioparity.workspace import accounts, programs, security_events
from bioparity.workspace.errors import NotFoundError, PermissionDeniedError
from bioparity.workspace.roles import Role

router = APIRouter()


@router.get("/orgs")
def orgs(request: Request, actor: PageActor) -> Response:
    with read_unit(request) as session:
        mine = accounts.my_organisations(session, actor)
        return render(request, "orgs.html", orgs=mine, crumbs=[(_("Organisations"), None)])


@router.get("/orgs/{org_id}")
def org_page(request: Request, actor: PageActor, org_id: str, message: Notice) -> Response:
    return _org_page(request, actor, org_id, message=message)


def _org_page(
    request: Request, actor: PageActor, org_id: str, *, message: str = "", status_code: int = 200, **form: str
) -> HTMLResponse:
    """The organisation page; ``form``: a refused member change shown again (``error_for`` the member's
    user id, ``chosen_role``, ``reason`` and ``reason_error`` next to its reason field)."""
    with read_unit(request) as session:
        org, role = accounts.get_org(session, actor, org_id)
        members = accounts.list_members(session, actor, org_id)
        is_owner = role == Role.owner
        invitations = accounts.org_invitations(session, actor, org_id) if is_owner else []
        offers = programs.share_invitations(session, actor, org_id) if is_owner else []
        page: HTMLResponse = render(
            request,
            "org.html",
            status_code=status_code,
            org=org,
            role=role,
            members=members,
            invitations=invitations,
            offers=offers,
            roles=[r.value for r in Role],
            is_owner=is_owner,
            message=message,
            crumbs=[(_("Organisations"), "/ui/orgs"), (org.name, None)],
            **form,
        )
        return page


@router.post("/orgs/{org_id}/members")
def add_member(
    request: Request,
    actor: PageActor,
    org_id: str,
    username: FormText,
    role: FormText,
) -> Response:
    with unit_of_work(request) as session:
        accounts.invite_member(session, actor, org_id, username.strip(), role)
    notice = _("Invitation recorded: the user becomes a member on accepting it.")
    return notice_redirect(request, f"/ui/orgs/{org_id}", notice)


@router.post("/orgs/{org_id}/invitations/{invitation_id}/withdraw")
def withdraw_invitation(request: Request, actor: PageActor, org_id: str, invitation_id: str) -> Response:
    with unit_of_work(request) as session:
        accounts.withdraw_invitation(session, actor, org_id, invitation_id)
    return notice_redirect(request, f"/ui/orgs/{org_id}", _("Invitation withdrawn."))


@router.post("/orgs/{org_id}/share-invitations/{program_id}")
def answer_share(
    request: Request,
    actor: PageActor,
    org_id: str,
    program_id: str,
    answer: FormText,
    reason: FormText = "",
) -> Response:
    """Accept or decline a program offered, for the reason given (required to decline, kept when given
    to accept; refused next to the offer's reason field)."""
    accept = answer == "accept"
    try:
        with unit_of_work(request) as session:
            given = reason if reason.strip() or not accept else None  # a blank one: none, to accept
            programs.respond_share(session, actor, org_id, program_id, accept=accept, reason=given)
    except (NotFoundError, PermissionDeniedError):
        raise
    except BioparityError as exc:  # the reason refused: shown next to the offer's reason field
        return _org_page(request, actor, org_id, status_code=422, **refused_form(exc, program_id, reason))
    done = _("Program accepted.") if answer == "accept" else _("Program declined.")
    return notice_redirect(request, f"/ui/orgs/{org_id}", done)


@router.post("/orgs/{org_id}/members/{user_id}")
def change_member(
    request: Request,
    actor: PageActor,
    org_id: str,
    user_id: str,
    role: FormText,
    reason: FormText = "",
) -> Response:
    """Change a member's role or remove them, for the reason given (required; refused next to the field)."""
    try:
        with unit_of_work(request) as session:
            if role == "remove":
                accounts.remove_member(session, actor, org_id, user_id, reason=reason)
            else:
                accounts.change_member_role(session, actor, org_id, user_id, role, reason=reason)
    except (NotFoundError, PermissionDeniedError):
        raise
    except BioparityError as exc:  # the reason (or the role) refused: shown next to the member's form
        refused = refused_form(exc, user_id, reason, chosen_role=role)
        return _org_page(request, actor, org_id, status_code=422, **refused)
    return notice_redirect(request, f"/ui/orgs/{org_id}", _("Membership changed."))


def _usernames(session: Session, ids: set[str]) -> dict[str, str]:
    """The user name of each of these user ids (one statement; none for no ids)."""
    found = session.execute(select(User.id, User.username).where(User.id.in_(ids))).all() if ids else []
    return {str(user_id): str(username) for user_id, username in found}


def _org_events_page(
    request: Request,
    template: str,
    title: str,
    org: Organisation,
    events: Sequence[AuditEvent],
    rows: list[dict[str, Any]],
) -> Response:
    """A read-only page of an organisation's events (``rows``: the first AUDIT_PAGE of ``events``, which
    holds one more when there is a next page), under the organisation's breadcrumbs."""
    return render(
        request,
        template,
        org=org,
        rows=rows,
        more=rows[-1]["seq"] if len(events) > AUDIT_PAGE else None,
        crumbs=[(_("Organisations"), "/ui/orgs"), (org.name, f"/ui/orgs/{org.id}"), (title, None)],
    )


#: The columns of a security events export, in order.
SECURITY_COLUMNS = ("seq", "at", "account", "action", "by", "details", "row_hash")


def _security_rows(
    session: Session, events: Sequence[AuditEvent], *, words: bool = True
) -> list[dict[str, Any]]:
    """Each event as the page and the CSV show it: the account it concerns (user name), who acted (the
    user, or ``system`` for an automatic lock), and its recorded details (client address, failures), named
    in the reader's words on the page, as recorded when ``words`` is False (the CSV, which is data)."""
    # the account of an account event is its object; of a failed signing (object: the run), who tried
    accounts_of = {
        e.seq: str(e.object_id if e.object_type == security_events.ACCOUNT else e.actor_id) for e in events
    }
    names = _usernames(session, set(accounts_of.values()))
    rows = []
    for e in events:
        after = json.loads(e.after_json) if e.after_json else None
        details = "; ".join(detail_parts(e, after.items(), words=words)) if isinstance(after, dict) else ""
        account = names.get(accounts_of[e.seq], accounts_of[e.seq])
        rows.append(
            dict(
                zip(
                    SECURITY_COLUMNS,
                    (e.seq, iso_second(e.at), account, e.action, e.actor, details, e.row_hash),
                    strict=True,
                )
            )
        )
    return rows


@router.get("/orgs/{org_id}/security")
def security_page(request: Request, actor: PageActor, org_id: str, after_seq: int = 0) -> Response:
    """Owners: the security events of the organisation's current members since each joined (21 CFR
    11.300(d); who sees what: :mod:`bioparity.workspace.security_events`)."""
    with read_unit(request) as session:
        org, _role = accounts.get_org(session, actor, org_id)
        events = security_events.org_security_events(
            session, actor, org_id, after_seq=after_seq, limit=AUDIT_PAGE + 1
        )
        rows = _security_rows(session, events[:AUDIT_PAGE])
        return _org_events_page(request, "security.html", _("Security events"), org, events, rows)


@router.get("/orgs/{org_id}/security.csv")
def security_export(request: Request, actor: PageActor, org_id: str) -> Response:
    """Every security event the page lists, as CSV (shared writer: formula cells neutralised)."""
    with read_unit(request) as session:
        org, _role = accounts.get_org(session, actor, org_id)
        events = security_events.org_security_events(session, actor, org_id, limit=1_000_000)
        rows = _security_rows(session, events, words=False)  # the CSV keeps the recorded field names
        frame = pd.DataFrame(rows, columns=list(SECURITY_COLUMNS))
    headers = {"Content-Disposition": disposition(file_name(org.name, "security-events", ext="csv"))}
    return Response(csv_bytes(frame), media_type="text/csv", headers=headers)


def _trail_rows(session: Session, events: Sequence[AuditEvent]) -> list[dict[str, Any]]:
    """The organisation's own audit rows as its trail page shows them: who acted, on which member (user
    name), what changed (old -> new) and the reason given."""
    states = {
        e.seq: [json.loads(text) if text else None for text in (e.before_json, e.after_json)] for e in events
    }
    names = _usernames(
        session, {str(s["user_id"]) for pair in states.values() for s in pair if s and s.get("user_id")}
    )
    rows = []
    for e in events:
        before, after = states[e.seq]
        state = after or before or {}
        member = state.get("username") or names.get(str(state.get("user_id") or ""), "")
        rows.append(
            {
                "seq": e.seq,
                "at": iso_second(e.at),
                "by": e.actor,
                "action": e.action,
                "object": e.object_type,
                "member": member,
                "details": audit_details(e, before, after, {}),
                "reason": e.reason or NO_REASON,
                "row_hash": e.row_hash,
            }
        )
    return rows


@router.get("/orgs/{org_id}/audit")
def org_trail(request: Request, actor: PageActor, org_id: str, after_seq: int = 0) -> Response:
    """Owners: the organisation's own audit trail (members added, their roles changed or removed with the
    reason given, invitations; read-only). Each program's rows are on its own audit trail page."""
    with read_unit(request) as session:
        org, _role = accounts.get_org(session, actor, org_id)
        events = accounts.org_audit(
            session, actor, org_id, after_seq=after_seq, limit=AUDIT_PAGE + 1, without_programs=True
        )
        rows = _trail_rows(session, events[:AUDIT_PAGE])
        return _org_events_page(request, "org_audit.html", _("Audit trail"), org, events, rows)


@router.get("/admin/validation")
def validation(request: Request, actor: PageActor, message: Notice) -> Response:
    with read_unit(request) as session:
        owned = [o for o, r in accounts.my_organisations(session, actor) if r == Role.owner.value]
        records = qualification.list_records(session, actor)
        names = {o.id: o.name for o, _ in accounts.my_organisations(session, actor)}
        return render(
            request,
            "validation.html",
            owned=owned,
            records=records,
            names=names,
            message=message,
            crumbs=[(_("Validation"), None)],
        )


@router.post("/admin/validation")
def run_validation(request: Request, actor: PageActor, org_id: FormText) -> Response:
    with unit_of_work(request) as session:
        record = qualification.run_and_record(session, actor, org_id)
    counts = {"cases": record.n_cases, "failed": record.n_failed}
    if record.passed:
        notice = _("Validation passed: %(cases)d reference cases.") % counts
    else:
        notice = _("Validation FAILED (%(failed)d cases): %(cases)d reference cases.") % counts
    return notice_redirect(request, "/ui/admin/validation", notice)


@router.get("/admin/validation/{digest}")
def validation_report(request: Request, actor: PageActor, digest: str) -> Response:
    """The stored report with a way back added at the top (the stored bytes are at ``.../report.html``)."""
    with read_unit(request) as session:
        html = qualification.report_html(session, actor, digest)
    texts = {
        "nav": escape(_("Back")),
        "back": escape(_("Back to the validation runs")),
        "programs": escape(_("Programs")),
        "download": escape(
            _("Download the stored report (byte for byte, SHA-256 %(digest)s...)") % {"digest": digest[:12]}
        ),
        "href": escape(f"/ui/admin/validation/{digest}/report.html"),
    }
    back = (
        (
            '<nav aria-label="{nav}" style="margin:0 0 1em"><a href="/ui/admin/validation">'
            '&larr; {back}</a> &middot; <a href="/ui/programs">{programs}</a> &middot; '
            '<a href="{href}">{download}</a></nav>'
        )
        .format(**texts)
        .encode()
    )
    at = html.find(b"<body")
    at = html.find(b">", at) + 1 if at >= 0 else 0
    return HTMLResponse(html[:at] + back + html[at:])


@router.get("/admin/validation/{digest}/report.html")
def validation_report_file(request: Request, actor: PageActor, digest: str) -> Response:
    """The stored report byte for byte (its SHA-256 is the digest recorded in the audit trail)."""
    with read_unit(request) as session:
        html = qualification.report_html(session, actor, digest)
    name = f"validation-report_{digest[:12]}.html"
    return HTMLResponse(html, headers={"Content-Disposition": disposition(name)})
