"""Programs: the list, the dashboard (studies, datasets, analyses, readiness), audit trail and sharing."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote, urlencode

import pandas as pd
from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import bindparam, select, union_all
from sqlalchemy.orm import Session

from bioparity.analyses.registry import kind_words
from bioparity.analyses.terms import yes_no_text
from bioparity.api.deps import unit_of_work
from bioparity.audit import canonical_json
from bioparity.errors import BioparityError
from bioparity.i18n import LANGUAGE_NAMES, current_language, gettext_noop
from bioparity.i18n import gettext as _
from bioparity.i18n.notes import note_text
from bioparity.io.tables_out import csv_bytes
from bioparity.memo import Memo
from bioparity.report import html_to_pdf
from bioparity.report.evidence import (
    ProgramEvidence,
    collect,
    readiness,
    readiness_key,
    requirement_source,
)
from bioparity.store.lookup import by_id
from bioparity.store.models import AnalysisRun, AuditEvent, Organisation, Program, User
from bioparity.utc import utc_moment
from bioparity.web.downloads import export_response, file_name, program_part
from bioparity.web.forms import FormText
from bioparity.web.notices import Notice, notice_redirect
from bioparity.web.session import PageActor, read_unit
from bioparity.web.templating import TEMPLATES, label, menu, program_crumbs, refused_form, render
from bioparity.workspace import accounts, programs
from bioparity.workspace.access import Actor, my_shares, program_permissions, require_program
from bioparity.workspace.errors import NotFoundError, PermissionDeniedError
from bioparity.workspace.events import action_words, field_words, via_words
from bioparity.workspace.integrity import verify_workspace
from bioparity.workspace.roles import (
    GRANTS,
    SHARE_ROLES,
    Permission,
    Role,
    StudyKind,
    scope_words,
    study_kind_words,
)
from bioparity.workspace.signatures import rules_independent, signer_role_words

router = APIRouter()

AUDIT_PAGE = 200
#: What the chain verification counts (:func:`~bioparity.workspace.integrity.verify_workspace`).
CHECKED = frozenset(
    {
        gettext_noop("audit rows"),
        gettext_noop("datasets"),
        gettext_noop("analysis runs"),
        gettext_noop("signatures"),
        gettext_noop("anchors"),
        gettext_noop("users"),
        gettext_noop("memberships"),
        gettext_noop("program shares"),
        gettext_noop("programs"),
        gettext_noop("studies"),
    }
)


def evidence_link(evidence_id: str, program_evidence: ProgramEvidence) -> str | None:
    """Where an evidence ID of the readiness engine is shown: ``caa:<attribute>-<reference>`` -> the CAA
    result used (approved run) at that attribute, ``pk:<study>/...`` -> the study's PK similarity result,
    ``program:...`` -> the program's facts on the dashboard; ``None`` when nothing stored matches."""
    prefix, _colon, rest = evidence_id.partition(":")
    if prefix == "program":
        return "#facts"
    for ev in program_evidence.studies:
        if prefix == "caa":
            run = ev.approved("caa")
            if run is not None:
                attribute = rest.rsplit("-", 1)[0]
                return f"/ui/runs/{run.id}?attribute={quote(attribute)}"
        elif prefix == "pk" and rest.split("/", 1)[0] == ev.study.name:
            run = ev.approved("pk-similarity")
            if run is not None:
                return f"/ui/runs/{run.id}"
    return None


def guideline(requirement: Any) -> str:
    """The citation with its primary source, date and section (as the program report prints them, in the
    reader's words: :func:`~bioparity.report.evidence.requirement_source`), each part added only when the
    citation does not already say it."""
    citation, source = requirement_source(requirement)
    return citation + (". " + _("Source: %(source)s") % {"source": source} if source else "")


def readiness_rows(assessment: Any, program_evidence: ProgramEvidence) -> dict[str, list[dict[str, Any]]]:
    """Per region code: every requirement with status, the engine's reason, linked evidence, guideline."""
    return {
        region.region: [
            {
                "req": r,
                "status": r.status.replace("_", " "),
                "reason": r.detail
                + (" " + _("Work: %(work)s") % {"work": r.work} if r.work and r.status != "met" else ""),
                "evidence": [(e, evidence_link(e, program_evidence)) for e in r.evidence],
                "guideline": guideline(r),
            }
            for r in region.requirements
        ]
        for region in assessment.regions
    }


@router.get("/programs")
def programs_list(request: Request, actor: PageActor, message: Notice) -> Response:
    with read_unit(request) as session:
        visible = programs.list_programs(session, actor)
        orgs = accounts.my_organisations(session, actor)
        owners = {p.org_id: session.get(Organisation, p.org_id) for p in visible}
        rows = [
            {
                "program": p,
                "org": getattr(owners[p.org_id], "name", ""),
                "shared": p.org_id not in {o.id for o, _ in orgs},
            }
            for p in visible
        ]
        creatable = [o for o, role in orgs if Permission.create_program in GRANTS[Role(role)]]
        return render(request, "programs.html", rows=rows, creatable=creatable, message=message, crumbs=[])


@router.post("/programs")
def program_create(
    request: Request,
    actor: PageActor,
    org_id: FormText,
    name: FormText,
    inn: FormText,
    reference_product: FormText,
    modality: FormText,
    target_regions: FormText,
    description: FormText = "",
) -> Response:
    with unit_of_work(request) as session:
        program = programs.create_program(
            session,
            actor,
            org_id,
            name=name.strip(),
            inn=inn.strip(),
            reference_product=reference_product.strip(),
            modality=modality.strip(),
            target_regions=[r for r in target_regions.replace(";", ",").split(",") if r.strip()],
            description=description,
        )
    return RedirectResponse(f"/ui/programs/{program.id}", status_code=303)


#: The readiness part of dashboards (a table per region), by :func:`readiness_key`: the same approved
#: evidence and language give the same HTML (the page's most expensive part to render).
_READINESS_HTML = Memo(64)


def readiness_html(evidence: ProgramEvidence, assessment: Any) -> Markup:
    """The readiness tables of the dashboard (``dashboard_readiness.html``) in the current language."""

    def draw() -> Markup:
        requirements = readiness_rows(assessment, evidence) if assessment else {}
        template = TEMPLATES.get_template("dashboard_readiness.html")
        return Markup(template.render(assessment=assessment, requirements=requirements))

    html: Markup = _READINESS_HTML.get(readiness_key(evidence), draw)
    return html


#: The studies part of dashboards, by :func:`_studies_key`.
_STUDIES_HTML = Memo(64)


def _studies_key(
    evidence: ProgramEvidence, can_write: frozenset[str], uploaders: dict[str, str]
) -> tuple[Any, ...]:
    """What the studies part of a dashboard shows: each study's facts, its datasets and runs (stored
    records: fixed once written, so their ids stand for them), each run's evidence status (from the
    signature checks of this view, so an altered result shows at once) and signatures, the names of who
    stored the newer versions of approved runs' inputs, the language."""
    return (
        current_language(),
        tuple(sorted(can_write)),
        tuple(sorted(uploaders.items())),
        tuple(
            (
                ev.study.id,
                ev.study.name,
                ev.study.kind,
                ev.study.description,
                tuple(d.id for d in ev.datasets),
                tuple(
                    (r.id, r.status, ev.evidence_status(r), tuple(s.id for s in ev.signatures.get(r.id, [])))
                    for r in ev.runs
                ),
            )
            for ev in evidence.studies
        ),
    )


def newer_input_uploaders(session: Session, evidence: ProgramEvidence) -> dict[str, str]:
    """Who stored the newer versions of approved runs' inputs (user id -> "Name (username)"): read only
    when some approved run's input has a newer version (:meth:`StudyEvidence.newer_input`)."""
    ids = {
        found[1].created_by
        for ev in evidence.studies
        for run in ev.runs
        if (found := ev.newer_input(run)) is not None
    }
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.display_name, User.username).where(User.id.in_(ids)))
    return {str(i): f"{name} ({username})" for i, name, username in rows}


def studies_html(
    evidence: ProgramEvidence, can_write: frozenset[str], uploaders: dict[str, str] | None = None
) -> Markup:
    """The studies of the dashboard (``dashboard_studies.html``) in the current language; ``can_write``:
    the study kinds the reader may upload to (:func:`writable_kinds`); ``uploaders``:
    :func:`newer_input_uploaders`."""
    names = uploaders or {}

    def draw() -> Markup:
        template = TEMPLATES.get_template("dashboard_studies.html")
        return Markup(template.render(evidence=evidence, can_write=can_write, uploaders=names))

    html: Markup = _STUDIES_HTML.get(_studies_key(evidence, can_write, names), draw)
    return html


def writable_kinds(session: Session, user_id: str, program: Program) -> frozenset[str]:
    """The study kinds in whose studies the user may upload and run (all of them, or a share's scope)."""
    return frozenset(
        k.value
        for k in StudyKind
        if Permission.write_data in program_permissions(session, user_id, program, k)
    )


#: The program with its organisation (the dashboard names it): one query instead of two. The access check
#: then finds the program in the session (``by_id``) and reads no row again.
_PROGRAM_WITH_ORG = (
    select(Program, Organisation)
    .join(Organisation, Organisation.id == Program.org_id)
    .where(Program.id == bindparam("program_id"))
)


@router.get("/programs/{program_id}")
def dashboard(request: Request, actor: PageActor, program_id: str, message: Notice) -> Response:
    with read_unit(request) as session:
        # Held here: the session keeps only weak references to the rows it loaded.
        found = session.execute(_PROGRAM_WITH_ORG, {"program_id": program_id}).first()
        program = programs.get_program(session, actor, program_id)
        granted = program_permissions(session, actor.user_id, program)
        evidence = collect(session, program)
        assessment, notes = readiness(evidence)
        org = found[1] if found is not None else by_id(session, Organisation, program.org_id)
        writable = writable_kinds(session, actor.user_id, program)
        return render(
            request,
            "dashboard.html",
            program=program,
            org=org,
            evidence=evidence,
            readiness_html=readiness_html(evidence, assessment),
            studies_html=studies_html(evidence, writable, newer_input_uploaders(session, evidence)),
            writable=writable,
            my_shares=my_shares(session, actor.user_id, program),
            readiness_notes=notes,
            can_write=Permission.write_data in granted,
            can_share=Permission.share_program in granted,
            can_manage=Permission.manage_members in granted,
            message=message,
            crumbs=[(_("Programs"), "/ui/programs"), (program.name, None)],
        )


@router.post("/programs/{program_id}/studies")
def study_create(
    request: Request,
    actor: PageActor,
    program_id: str,
    name: FormText,
    kind: FormText,
    description: FormText = "",
) -> Response:
    with unit_of_work(request) as session:
        study = programs.create_study(
            session, actor, program_id, name=name.strip(), kind=kind, description=description
        )
    return RedirectResponse(f"/ui/studies/{study.id}/upload", status_code=303)


def iso_second(value: str | None) -> str:
    """A stored audit time as ISO 8601 to the second with its time zone: ``2026-12-05T20:30:45+00:00``."""
    if not value:
        return ""
    try:
        return utc_moment(value).isoformat(timespec="seconds")  # no offset: UTC, as every stored time
    except ValueError:
        return value  # shown as recorded rather than guessed


def _object_link(event: AuditEvent, after: dict[str, Any] | None, can_share: bool) -> str | None:
    """The page showing the object of an audit event (``None`` when it has none in this program, or
    when the reader may not open it: the sharing page is for those who may share the program)."""
    oid, kind = event.object_id or "", event.object_type
    if kind == "analysis_run":
        return f"/ui/runs/{oid}"
    if kind == "dataset":
        return f"/ui/datasets/{oid}"
    if kind == "program":
        return f"/ui/programs/{oid}"
    if kind == "study":
        return f"/ui/programs/{event.program_id}#study-{oid}"
    if kind == "signature" and after and after.get("run_id"):
        return f"/ui/runs/{after['run_id']}"
    if kind == "share" and can_share:
        return f"/ui/programs/{event.program_id}/sharing"
    return None


#: The recorded scope of a share of the whole program, as the CSV's details print it (stored: null; the
#: pages say it in the reader's words, :func:`bioparity.workspace.roles.scope_words`).
WHOLE = gettext_noop("whole program")

#: The reason column of a row that has none (written before reasons were asked for, or needing none).
NO_REASON = "—"
#: A signature's row in the details (the CSV's in English, as recorded: data).
SIGNED = gettext_noop("%(who)s signed %(kind)s run %(run)s meaning %(meaning)r")
#: A recorded value that is null (a share not answered yet), as the pages and the PDF print it.
NO_VALUE = "—"

#: Fields a change's details leave out: the record's seal (a MAC) and its times (the row says when).
_UNSHOWN = frozenset({"mac"})


def _shown(value: Any) -> str:
    """A recorded value as the CSV prints it: text as it is, anything else as JSON (true, null, [..])."""
    return value if isinstance(value, str) else canonical_json(value)


def _value_words(event: AuditEvent, key: str, value: Any) -> str:
    """A recorded value as the pages and the PDF print it, in the reader's words: a role, status or
    signature meaning by its label, a study's kind and a run's kind by their words, a share's scope said
    (program-wide when null), the language by its name, the reason of an automatic lock (an action code) by
    the action's words, where a dataset's file was downloaded (web page or API) in words, the reason of a
    refused signature (an English note, :mod:`bioparity.refusals`) in the reader's language, yes/no for a
    flag, a dash for nothing, a list as its items; any other value as recorded (names, hashes, identifiers,
    a user's own text)."""
    if key == "scope" and event.object_type == "share":
        return scope_words(value)
    if value is None:
        return NO_VALUE
    if isinstance(value, bool):
        return yes_no_text(value)
    if isinstance(value, list):
        return ", ".join(_value_words(event, key, item) for item in value)
    if not isinstance(value, str):
        return canonical_json(value)
    if key in {"role", "pending_role", "status", "meaning"}:
        return label(value)
    if key == "kind" and event.object_type == "study":
        return study_kind_words(value) if value in set(StudyKind) else value
    if key == "kind" and event.object_type == "analysis_run":
        return kind_words(value)
    if key == "language":
        return LANGUAGE_NAMES.get(value, value)
    if key == "via":  # where a dataset's file was downloaded: the web page or the API
        return via_words(value)
    if key == "reason" and event.action == "lock":
        return action_words(value)
    if key == "reason" and event.action == "sign_refused":  # recorded in English (bioparity.refusals)
        return note_text(value)  # a reason recorded in other words: as recorded
    if key == "name" and event.object_type == "analysis_run":  # a review choice's, recorded in English
        return note_text(value)  # (analyses.nca.REVIEW_AUDIT_AT); a run's other names are no notes
    return value


def detail_parts(event: AuditEvent, fields: Iterable[tuple[str, Any]], *, words: bool = True) -> list[str]:
    """``field: value`` for each recorded field of ``fields``, the field named and the value said in the
    reader's words (:func:`field_words`, :func:`_value_words`) or, when ``words`` is False, both as
    recorded (the CSV exports, which are data); a change (:class:`Change`) as ``old → new``."""

    def shown(key: str, value: Any) -> str:
        return _value_words(event, key, value) if words else _shown(value)

    def named(key: str, value: Any) -> str:
        said = (
            f"{shown(key, value.old)} → {shown(key, value.new)}"
            if isinstance(value, Change)
            else shown(key, value)
        )
        return f"{field_words(key) if words else key}: {said}"

    return [named(key, value) for key, value in fields]


@dataclass(frozen=True)
class Change:
    """A recorded field's value before and after an audited change."""

    old: Any
    new: Any


def _changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Change]:
    """The old and new value of every recorded field the change altered, by field name."""
    names = sorted((before.keys() | after.keys()) - _UNSHOWN)
    return {
        name: Change(before.get(name), after.get(name))
        for name in names
        if before.get(name) != after.get(name) and not name.endswith("_at")
    }


def _signed_rules(rules: Any, *, words: bool) -> str:
    """The signing rules a signature recorded (revision 0011), as a suffix of its audit details: in the
    reader's words, or as stored for the CSV; nothing for a signature that recorded none."""
    independent = rules_independent(rules)
    if independent is None:
        return ""
    if not words:
        return f"; segregation_of_duties: {str(independent).lower()}"
    return "; " + (_("segregation of duties on") if independent else _("segregation of duties off"))


def _signed_context(after: dict[str, Any], *, words: bool) -> str:
    """The signer's role at signing (revision 0012) and the later runs of the signed run's kind on record
    with a signature, as a suffix of its audit details: in the reader's words, or as stored for the CSV;
    nothing for what the row did not record."""
    parts: list[str] = []
    role = after.get("signer_role")
    shown = signer_role_words(role) if words else role
    if shown is not None:
        parts.append(_("role at signing: %(role)s") % {"role": shown} if words else f"signer_role: {shown}")
    later = [str(r) for r in after.get("later_runs") or ()]
    used = str(after.get("superseded_by") or "")
    if later and not words:  # as stored (full ids)
        parts.append(f"later_runs: {' '.join(later)}; superseded_by: {used}")
    elif used:
        said = _("superseded at signing: the reports used the later approved run %(run)s")
        parts.append(said % {"run": used[:8]})
    elif later:
        said = _("later runs of this kind, not approved, at signing: %(runs)s")
        parts.append(said % {"runs": ", ".join(r[:8] for r in later)})
    return "".join(f"; {part}" for part in parts)


#: The recorded fields an audit row's details always print when recorded, in this order.
_ALWAYS = (
    "name",
    "kind",
    "meaning",
    "role",
    "status",
    "scope",
    "format",
    "sha256",
    "version",
    "reason",
    # a dataset's download (bioparity.workspace.events.record_dataset_download)
    "bytes",
    "via",
)

#: Recorded fields that hold a user's id (a share's inviter and the partner owner who answered): the pages
#: and the PDF print the user name the trail's "user" column shows (an id names nobody to a reader; EU GMP
#: Annex 11 section 9: the trail records the identity of who made the change), the CSV the recorded id.
USER_FIELDS = frozenset({"invited_by", "responded_by"})


def _user_named(key: str, value: Any, names: Mapping[str, str]) -> Any:
    """A recorded user id of a :data:`USER_FIELDS` field as that user's name (as recorded when unknown)."""
    return names.get(str(value), value) if key in USER_FIELDS and value is not None else value


def audit_details(
    event: AuditEvent,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    names: dict[str, str],
    *,
    words: bool = True,
) -> str:
    """What changed, in words: the record's name, kind, role, ... (for a removal, as it was), the partner
    organisation of a share, and every field a change altered, old → new; a signature names the run (kind
    and id) and the meaning signed. ``names``: the kind of each run, the name of each partner and the user
    name of each user a share records (:data:`USER_FIELDS`), by id;
    ``words``: the recorded fields named and their coded values said in the reader's words (roles,
    statuses, kinds, a share's scope, flags: :func:`detail_parts`), as the pages and the PDF print them;
    False: as stored, for the CSV export, which is data."""
    if event.object_type == "signature" and after:
        run_id = str(after.get("run_id") or "")
        kind = names.get(run_id, "analysis")
        who = after.get("display_name") or event.actor
        meaning = str(after.get("meaning", "?"))
        said = (_(SIGNED) if words else SIGNED) % {
            "who": who,
            "kind": kind_words(kind) if words else kind,
            "run": run_id[:8],
            "meaning": label(meaning) if words else meaning,
        }
        return said + _signed_rules(after.get("rules"), words=words) + _signed_context(after, words=words)
    if event.object_type == "share" and not words:  # a share without a scope (recorded before scopes, too)
        before, after = (  # is program-wide
            None if s is None else s | {"scope": s.get("scope") or WHOLE} for s in (before, after)
        )
    state = after or before
    if not state:
        return ""
    changes = _changes(before, after) if before and after else {}
    if words:
        changes = {
            key: Change(_user_named(key, c.old, names), _user_named(key, c.new, names))
            for key, c in changes.items()
        }
    fields: list[tuple[str, Any]] = []
    for key in _ALWAYS:
        present = state.get(key) is not None or (key == "scope" and event.object_type == "share")
        if present and key not in changes:
            value = state.get(key)
            fields.append((key, value[:12] if key == "sha256" and isinstance(value, str) else value))
    if event.object_type == "share" and state.get("org_id"):
        fields.append(("partner", names.get(str(state["org_id"]), state["org_id"])))
    return "; ".join(detail_parts(event, [*fields, *changes.items()], words=words))


@dataclass(frozen=True)
class AuditFilter:
    """The audit trail view's filter (all empty: every event of the program); the pages read it from the
    query parameters of the same names (:data:`ChosenFilter`)."""

    action: str = ""
    actor_name: str = ""
    object_type: str = ""
    #: An analysis run's id: only the events about that run (its own trail, linked from its page).
    run: str = ""

    def keeps(self, event: AuditEvent) -> bool:
        return (
            (not self.action or event.action == self.action)
            and (not self.actor_name or event.actor == self.actor_name)
            and (not self.object_type or event.object_type == self.object_type)
            and (not self.run or programs.about_run(event, self.run))
        )

    def query(self) -> str:
        return urlencode({k: v for k, v in asdict(self).items() if v})


#: The audit filter of a page request, from its query parameters ``action``, ``actor_name``, ``object_type``,
#: ``run``.
ChosenFilter = Annotated[AuditFilter, Depends()]


def _audit_view(
    session: Session,
    actor: Actor,
    program_id: str,
    chosen: AuditFilter,
    *,
    words: bool = True,
) -> tuple[programs.AuditView, list[dict[str, Any]]]:
    """The program with all its events the actor may read (and the number withheld from them:
    :func:`~bioparity.workspace.programs.withheld_audit_rows`), and the filtered rows (event, time, link,
    details; the details' field names in words unless ``words`` is False, see :func:`audit_details`)."""
    view = programs.program_audit_view(session, actor, program_id)
    program, events = view.program, list(view.events)
    afters = {e.seq: json.loads(e.after_json) if e.after_json else None for e in events}
    befores = {e.seq: json.loads(e.before_json) if e.before_json else None for e in events}
    run_ids = {e.object_id for e in events if e.object_type == "analysis_run" and e.object_id}
    run_ids |= {str(a["run_id"]) for a in afters.values() if a and a.get("run_id")}
    partners = {
        str(state["org_id"])
        for e in events
        if e.object_type == "share"
        for state in (afters[e.seq], befores[e.seq])
        if state and state.get("org_id")
    }
    users = {
        str(state[key])
        for e in events
        for state in (afters[e.seq], befores[e.seq])
        if state
        for key in USER_FIELDS
        if state.get(key)
    }
    # The kind of each run, the name of each partner organisation and user, by id (one statement).
    found = session.execute(
        union_all(
            select(AnalysisRun.id, AnalysisRun.kind).where(AnalysisRun.id.in_(run_ids)),
            select(Organisation.id, Organisation.name).where(Organisation.id.in_(partners)),
            select(User.id, User.username).where(User.id.in_(users)),
        )
    )
    names = {str(object_id): str(name) for object_id, name in found}
    can_share = Permission.share_program in program_permissions(session, actor.user_id, program)
    rows = []
    for e in events:
        if not chosen.keeps(e):
            continue
        after = afters[e.seq]
        rows.append(
            {
                "event": e,
                "at": iso_second(e.at),
                "href": _object_link(e, after, can_share),
                "details": audit_details(e, befores[e.seq], after, names, words=words),
                "reason": e.reason or NO_REASON,
                "signature": e.object_type == "signature",
            }
        )
    return view, rows


def audit_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The filtered audit view as a table (for the CSV export): ``position`` numbers the events of this
    export 1, 2, ...; ``seq`` is the workspace's audit sequence number, which has gaps where events of
    other programs (or events the filter leaves out) come between (the hash chain runs over every event
    of the workspace: ``bioparity audit verify``)."""
    return pd.DataFrame(
        [
            (
                position,
                r["event"].seq,
                r["at"],
                r["event"].actor,
                r["event"].action,
                r["event"].object_type,
                r["event"].object_id or "",
                r["details"],
                r["reason"],
                r["event"].row_hash,
                r["event"].at,
            )
            for position, r in enumerate(rows, start=1)
        ],
        columns=[
            "position",
            "seq",
            "at",
            "user",
            "action",
            "object_type",
            "object_id",
            "details",
            "reason",
            "row_hash",
            "recorded_at",
        ],
    )


@router.get("/programs/{program_id}/audit")
def audit(
    request: Request,
    actor: PageActor,
    program_id: str,
    chosen: ChosenFilter,
    after_seq: int = 0,
    verify: str = "",
) -> Response:
    with read_unit(request) as session:
        view, rows = _audit_view(session, actor, program_id, chosen)
        program, events = view.program, view.events
        entries = menu(request, actor)  # read in the page's unit (the verification below opens its own)
    later = [r for r in rows if r["event"].seq > after_seq]
    page = later[:AUDIT_PAGE]
    more = page[-1]["event"].seq if len(later) > AUDIT_PAGE else None
    object_ids = {e.object_id for e in events if e.object_id}
    verification = _verify(request, object_ids, owner=view.owner) if verify else None
    return render(
        request,
        "audit.html",
        program=program,
        rows=page,
        total=len(rows),
        withheld=view.withheld,
        more=more,
        actions=sorted({e.action for e in events}),
        types=sorted({e.object_type for e in events}),
        actors=sorted({e.actor for e in events}),
        chosen=asdict(chosen),
        query=chosen.query(),
        verification=verification,
        crumbs=program_crumbs(program, (_("Audit trail"), None)),
        menu=entries,
    )


def _verify(request: Request, object_ids: set[str], *, owner: bool) -> dict[str, Any]:
    """``bioparity audit verify`` (:func:`~bioparity.workspace.integrity.verify_workspace`) on the server's
    database. The outcome covers the whole workspace; problem texts are shown only when they name an
    object of this program (others belong to organisations the user may not see), and the counts of what
    was checked (users, memberships, programs, shares of the whole workspace) only to a member of the
    program's owning organisation (``owner``), not to a partner's."""
    try:
        report = verify_workspace(request.app.state.engine)
    except BioparityError as exc:
        summary = _("the chain cannot be verified: %(problem)s") % {"problem": exc}
        return {"intact": False, "summary": summary, "problems": []}
    mine = [p for p in report.problems if any(i in p for i in object_ids)]
    counts = ", ".join(f"{n} {_(what) if what in CHECKED else what}" for what, n in report.checked.items())
    values = {"key": report.key_id, "counts": counts, "n": len(report.problems)}
    if report.intact and not owner:
        summary = _("audit trail intact; key %(key)s") % values
    elif report.intact:
        summary = _("audit trail intact: %(counts)s checked; key %(key)s") % values
    else:
        summary = _("workspace integrity BROKEN: %(n)d problem(s) (key %(key)s)") % values
    hidden = len(report.problems) - len(mine)
    if hidden:
        summary += " " + _("(%(n)d in other programs, not shown)") % {"n": hidden}
    anchors = _(
        "No anchor was checked here: rows deleted from the end of the trail are found only by "
        "'bioparity audit verify --anchor FILE' against anchors kept with 'bioparity audit anchor'."
    )
    # the sentence ends in the reader's punctuation (a Chinese full stop in zh-CN, not ". ")
    summary = _("%(summary)s. %(anchors)s") % {"summary": summary, "anchors": anchors}
    return {"intact": report.intact, "summary": summary, "problems": mine}


@router.get("/programs/{program_id}/audit.{fmt}")
def audit_export(
    request: Request,
    actor: PageActor,
    program_id: str,
    fmt: str,
    chosen: ChosenFilter,
) -> Response:
    """The filtered view as CSV (shared writer: formula cells neutralised) or PDF."""
    if fmt not in {"csv", "pdf"}:
        raise HTTPException(404)  # the error page, not an empty body
    with read_unit(request) as session:
        # the CSV is data: the details name the recorded fields as stored (the PDF in the reader's words)
        view, rows = _audit_view(session, actor, program_id, chosen, words=fmt != "csv")
        program = view.program
    now = datetime.now(UTC)
    filters = (v for v in asdict(chosen).values() if v)
    name = file_name(program_part(program.name), "audit-trail", *filters, now.date().isoformat(), ext=fmt)
    # who exported it and when: response headers (and the PDF's own lines), never a line of the CSV, which
    # stays one header row and the rows for CSV readers; the export is itself an audit row (Annex 11 §9)
    said = {"X-Program-Id": program.id, programs.WITHHELD_HEADER: str(view.withheld)}
    if fmt == "csv":
        content, media_type = csv_bytes(audit_frame(rows)), "text/csv"
    else:
        html = TEMPLATES.get_template("audit_export.html").render(
            program=program,
            rows=rows,
            chosen=asdict(chosen),
            exported=iso_second(now.isoformat()),
            by=actor.display_name,
            withheld=view.withheld,
            page_footer=_("page %(page)s of %(pages)s")
            % {"page": '" counter(page) "', "pages": '" counter(pages) "'},
        )
        content, media_type = html_to_pdf(html), "application/pdf"
    what = ("audit_trail", program.id)
    return export_response(
        request, actor, program, what, name=name, content=content, media_type=media_type, headers=said
    )


@router.get("/programs/{program_id}/sharing")
def sharing(request: Request, actor: PageActor, program_id: str, message: Notice) -> Response:
    return _sharing_page(request, actor, program_id, message=message)


def _sharing_page(
    request: Request, actor: PageActor, program_id: str, status_code: int = 200, **form: str
) -> Response:
    """The sharing page with its ``message``; ``form``: a refused change shown again (``error_for``: the
    partner's id, or ``share`` for the invitation form; ``chosen_role``, ``reason`` and ``reason_error``
    next to its reason field)."""
    with read_unit(request) as session:
        program = programs.get_program(session, actor, program_id)
        shares = programs.list_shares(session, actor, program_id)
        shared_ids = {o.id for _, o in shares}
        # Only partners (an accepted share either way) are listed; others are invited by exact name.
        candidates = [
            o
            for o in programs.partner_organisations(session, actor, program.org_id)
            if o.id not in shared_ids
        ]
        return render(
            request,
            "sharing.html",
            status_code=status_code,
            program=program,
            shares=shares,
            candidates=candidates,
            roles=[r.value for r in SHARE_ROLES],
            kinds=[k.value for k in StudyKind],
            crumbs=program_crumbs(program, (_("Sharing"), None)),
            **({"message": ""} | form),
        )


@router.post("/programs/{program_id}/sharing")
def share(
    request: Request,
    actor: PageActor,
    program_id: str,
    role: FormText,
    org_id: FormText = "",
    org_name: FormText = "",
    scope: Annotated[list[str] | None, Form()] = None,  # the study kinds ticked; none: the whole program
    reason: FormText = "",
) -> Response:
    try:
        with unit_of_work(request) as session:
            if org_name.strip():
                org_id = programs.organisation_by_name(session, org_name).id
            share = programs.share_program(
                session, actor, program_id, org_id, role, scope or None, reason=reason
            )
            status = "accepted" if share.status == "accepted" and share.pending_role is None else "pending"
    except (NotFoundError, PermissionDeniedError):
        raise
    except BioparityError as exc:  # shown next to the form's reason field, the choices kept
        refused = refused_form(exc, "share", reason, chosen_role=role)
        return _sharing_page(request, actor, program_id, status_code=422, **refused)
    message = (
        _("Role %(role)s applies now.") % {"role": label(role)}
        if status == "accepted"
        else _("Invitation sent: the partner's owner accepts it.")
    )
    return notice_redirect(request, f"/ui/programs/{program_id}/sharing", message)


@router.post("/programs/{program_id}/sharing/{org_id}/remove")
def unshare(
    request: Request, actor: PageActor, program_id: str, org_id: str, reason: FormText = ""
) -> Response:
    try:
        with unit_of_work(request) as session:
            programs.unshare_program(session, actor, program_id, org_id, reason=reason)
    except (NotFoundError, PermissionDeniedError):
        raise
    except BioparityError as exc:  # shown next to the partner's reason field
        refused = refused_form(exc, org_id, reason)
        return _sharing_page(request, actor, program_id, status_code=422, **refused)
    notice = _("Sharing removed.")
    return notice_redirect(request, f"/ui/programs/{program_id}/sharing", notice)


@router.get("/programs/{program_id}/settings")
def settings(request: Request, actor: PageActor, program_id: str, message: Notice) -> Response:
    return _settings_page(request, actor, program_id, message=message)


def _settings_page(
    request: Request, actor: PageActor, program_id: str, status_code: int = 200, **form: Any
) -> Response:
    """Owners: the program's GxP settings (segregation of duties); ``form``: a refused change shown again
    (``chosen``: the state asked for, ``reason`` and ``reason_error`` next to the reason field)."""
    with read_unit(request) as session:
        # Owners only, as the change itself (whoever could approve their own runs must not lift the rule).
        program = require_program(session, actor, program_id, Permission.manage_members)
        return render(
            request,
            "settings.html",
            status_code=status_code,
            program=program,
            crumbs=program_crumbs(program, (_("Settings"), None)),
            **({"message": "", "chosen": program.segregation_of_duties} | form),
        )


@router.post("/programs/{program_id}/settings")
def change_settings(
    request: Request,
    actor: PageActor,
    program_id: str,
    segregation_of_duties: Annotated[bool, Form()] = False,  # an unticked box is not sent
    reason: FormText = "",
) -> Response:
    """Switch segregation of duties for the reason given (required, EU GMP Annex 11 section 9; audited as
    ``PATCH /programs/{id}`` is). Submitting the state it has changes nothing and records nothing."""
    try:
        with unit_of_work(request) as session:
            program = require_program(session, actor, program_id, Permission.manage_members)
            if program.segregation_of_duties == segregation_of_duties:
                unchanged = _("Nothing changed: the setting was already so.")
                return notice_redirect(request, f"/ui/programs/{program_id}/settings", unchanged)
            changes = {"segregation_of_duties": segregation_of_duties}
            programs.update_program(session, actor, program_id, changes, reason=reason)
    except (NotFoundError, PermissionDeniedError):
        raise
    except BioparityError as exc:  # shown next to the reason field, the state asked for kept
        refused = refused_form(exc, "settings", reason) | {"chosen": segregation_of_duties}
        return _settings_page(request, actor, program_id, status_code=422, **refused)
    notice = (
        _("Segregation of duties is on: review and approval need other people.")
        if segregation_of_duties
        else _("Segregation of duties is off.")
    )
    return notice_redirect(request, f"/ui/programs/{program_id}/settings", notice)
