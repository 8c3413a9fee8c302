"""Programs: the list, the dashboard (studies, datasets, analyses, readiness), audit trail and sharing."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from bioparity.api.deps import unit_of_work
from bioparity.report.evidence import collect, readiness
from bioparity.store.models import Organisation
from bioparity.web.session import PageActor, read_unit
from bioparity.web.templating import render
from bioparity.workspace import accounts, programs
from bioparity.workspace.access import program_permissions
from bioparity.workspace.roles import GRANTS, SHARE_ROLES, Permission, Role

router = APIRouter()

AUDIT_PAGE = 200


def _crumbs_program(name: str, program_id: str) -> list[tuple[str, str | None]]:
    return [("Programs", "/ui/programs"), (name, f"/ui/programs/{program_id}")]


@router.get("/programs")
def programs_list(request: Request, actor: PageActor, message: str = "") -> Response:
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
    org_id: Annotated[str, Form()],
    name: Annotated[str, Form()],
    inn: Annotated[str, Form()],
    reference_product: Annotated[str, Form()],
    modality: Annotated[str, Form()],
    target_regions: Annotated[str, Form()],
    description: Annotated[str, Form()] = "",
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


@router.get("/programs/{program_id}")
def dashboard(request: Request, actor: PageActor, program_id: str, message: str = "") -> Response:
    with read_unit(request) as session:
        program = programs.get_program(session, actor, program_id)
        granted = program_permissions(session, actor.user_id, program)
        evidence = collect(session, program)
        assessment, notes = readiness(evidence)
        org = session.get(Organisation, program.org_id)
        return render(
            request,
            "dashboard.html",
            program=program,
            org=org,
            evidence=evidence,
            assessment=assessment,
            readiness_notes=notes,
            can_write=Permission.write_data in granted,
            can_share=Permission.share_program in granted,
            message=message,
            crumbs=[("Programs", "/ui/programs"), (program.name, None)],
        )


@router.post("/programs/{program_id}/studies")
def study_create(
    request: Request,
    actor: PageActor,
    program_id: str,
    name: Annotated[str, Form()],
    kind: Annotated[str, Form()],
    description: Annotated[str, Form()] = "",
) -> Response:
    with unit_of_work(request) as session:
        study = programs.create_study(
            session, actor, program_id, name=name.strip(), kind=kind, description=description
        )
    return RedirectResponse(f"/ui/studies/{study.id}/upload", status_code=303)


@router.get("/programs/{program_id}/audit")
def audit(
    request: Request,
    actor: PageActor,
    program_id: str,
    action: str = "",
    actor_name: str = "",
    object_type: str = "",
    after_seq: int = 0,
) -> Response:
    with read_unit(request) as session:
        program = programs.get_program(session, actor, program_id)
        events = programs.program_audit(session, actor, program_id, after_seq=0, limit=100_000)
        actions = sorted({e.action for e in events})
        types = sorted({e.object_type for e in events})
        actors = sorted({e.actor for e in events})
        chosen = [
            e
            for e in events
            if (not action or e.action == action)
            and (not actor_name or e.actor == actor_name)
            and (not object_type or e.object_type == object_type)
            and e.seq > after_seq
        ]
        page = chosen[:AUDIT_PAGE]
        rows = [
            {
                "event": e,
                "after": json.loads(e.after_json) if e.after_json else None,
                "before": json.loads(e.before_json) if e.before_json else None,
            }
            for e in page
        ]
        more = page[-1].seq if len(chosen) > AUDIT_PAGE else None
        return render(
            request,
            "audit.html",
            program=program,
            rows=rows,
            total=len(chosen),
            more=more,
            actions=actions,
            types=types,
            actors=actors,
            chosen={"action": action, "actor_name": actor_name, "object_type": object_type},
            crumbs=[*_crumbs_program(program.name, program.id), ("Audit trail", None)],
        )


@router.get("/programs/{program_id}/sharing")
def sharing(request: Request, actor: PageActor, program_id: str, message: str = "") -> Response:
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
            program=program,
            shares=shares,
            candidates=candidates,
            roles=[r.value for r in SHARE_ROLES],
            message=message,
            crumbs=[*_crumbs_program(program.name, program.id), ("Sharing", None)],
        )


@router.post("/programs/{program_id}/sharing")
def share(
    request: Request,
    actor: PageActor,
    program_id: str,
    role: Annotated[str, Form()],
    org_id: Annotated[str, Form()] = "",
    org_name: Annotated[str, Form()] = "",
) -> Response:
    with unit_of_work(request) as session:
        if org_name.strip():
            org_id = programs.organisation_by_name(session, org_name).id
        share = programs.share_program(session, actor, program_id, org_id, role)
        status = "accepted" if share.status == "accepted" and share.pending_role is None else "pending"
    message = (
        f"Role+{role}+applies+now."
        if status == "accepted"
        else "Invitation+sent:+the+partner's+owner+accepts+it."
    )
    return RedirectResponse(f"/ui/programs/{program_id}/sharing?message={message}", status_code=303)


@router.post("/programs/{program_id}/sharing/{org_id}/remove")
def unshare(request: Request, actor: PageActor, program_id: str, org_id: str) -> Response:
    with unit_of_work(request) as session:
        programs.unshare_program(session, actor, program_id, org_id)
    return RedirectResponse(f"/ui/programs/{program_id}/sharing?message=Sharing+removed.", status_code=303)
