"""Who may see and do what: every service call resolves the caller's permissions here first.

Deny by default: a permission is held only when a role grants it. An object the caller cannot read is
reported exactly like a missing one (:class:`NotFoundError`), so its existence cannot be inferred.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import Select, and_, bindparam, or_, select
from sqlalchemy.orm import Session

from bioparity.i18n import gettext as _
from bioparity.refusals import PARTNER_ROLE, SCOPE
from bioparity.store.engine import READ_ONLY_OPTION
from bioparity.store.lookup import by_id
from bioparity.store.models import (
    AnalysisJob,
    AnalysisRun,
    AuthToken,
    Dataset,
    Membership,
    Organisation,
    Program,
    ProgramShare,
    Study,
    User,
)
from bioparity.workspace.errors import NotFoundError, PermissionDeniedError
from bioparity.workspace.roles import (
    GRANTS,
    Permission,
    Role,
    member_permissions,
    partner_permissions,
    permission_words,
    share_scope_kinds,
    study_kind_words,
)


@dataclass(frozen=True)
class Actor:
    """The authenticated user on whose behalf a service acts (recorded in the audit trail)."""

    user_id: str
    username: str
    display_name: str
    #: The session or API token of the request (empty for the command line and services called directly).
    token_id: str = ""
    token_kind: str = ""
    #: Set after an administrator's password reset: only changing the password is allowed.
    must_change_password: bool = False

    @classmethod
    def of(cls, user: User, token: AuthToken | None = None) -> Actor:
        """``user`` acting; with the session or API ``token`` of a request, also the token and the user's
        forced password change."""
        actor = cls(user_id=user.id, username=user.username, display_name=user.display_name)
        if token is None:
            return actor
        return replace(
            actor, token_id=token.id, token_kind=token.kind, must_change_password=user.must_change_password
        )


#: The user's memberships, each with the accepted share of the program to its organisation (if any), that
#: grant anything on the program, and the organisation's name: built once (see :mod:`bioparity.store.lookup`).
_MEMBERSHIPS_WITH_SHARE = (
    select(Membership.org_id, Membership.role, ProgramShare.role, ProgramShare.scope, Organisation.name)
    .join(Organisation, Organisation.id == Membership.org_id)
    .outerjoin(
        ProgramShare,
        and_(
            ProgramShare.org_id == Membership.org_id,
            ProgramShare.program_id == bindparam("program_id"),
            ProgramShare.status == "accepted",
        ),
    )
    .where(
        Membership.user_id == bindparam("user_id"),
        or_(Membership.org_id == bindparam("org_id"), ProgramShare.program_id.is_not(None)),
    )
)


def _memberships(session: Session, user_id: str, program: Program) -> list[Any]:
    """The rows of :data:`_MEMBERSHIPS_WITH_SHARE`: one query. In a read-only session (a page view) they
    are kept for the rest of the transaction, which sees one snapshot of the store, so that checking a
    page and rendering it (any study kind, the partner's share) ask once."""
    read_only = bool(session.get_bind().get_execution_options().get(READ_ONLY_OPTION, False))
    key = ("program_permissions", user_id, program.id, program.org_id)
    if read_only and key in session.info:
        known: list[Any] = session.info[key]
        return known
    parameters = {"program_id": program.id, "user_id": user_id, "org_id": program.org_id}
    rows = list(session.execute(_MEMBERSHIPS_WITH_SHARE, parameters))
    if read_only:
        session.info[key] = rows
    return rows


def program_permissions(
    session: Session, user_id: str, program: Program, study_kind: str | None = None
) -> frozenset[Permission]:
    """Union of what the user's memberships grant on ``program`` (own organisation or partner shares), in
    a study of ``study_kind`` when given (a scoped share grants only reading outside its study kinds).

    From the user's memberships, each with the accepted share of ``program`` to its organisation (if
    any): one query, asked once in a page view (:func:`_memberships`).
    """
    granted: set[Permission] = set()
    for org_id, member_role, share_role, scope, _name in _memberships(session, user_id, program):
        if org_id == program.org_id:
            granted |= member_permissions(member_role)
        if share_role is not None:
            granted |= partner_permissions(share_role, member_role, scope, study_kind)
    return frozenset(granted)


def program_roles(session: Session, user_id: str, program: Program) -> tuple[tuple[str, str | None], ...]:
    """The user's roles on ``program``: (role, None) as a member of the owning organisation, (member role,
    share role) as a member of a partner organisation the program is shared with."""
    found: list[tuple[str, str | None]] = []
    for org_id, member_role, share_role, _scope, _name in _memberships(session, user_id, program):
        if org_id == program.org_id:
            found.append((member_role, None))
        if share_role is not None:
            found.append((member_role, share_role))
    return tuple(found)


def program_orgs(session: Session, user_id: str, program: Program) -> frozenset[str]:
    """The ids of the user's organisations through which they reach ``program``: the owning organisation
    and the partner organisations it is shared with (accepted); asked once in a page view
    (:func:`_memberships`)."""
    rows = _memberships(session, user_id, program)
    return frozenset(
        str(org_id) for org_id, _member, share, _scope, _name in rows if share or org_id == program.org_id
    )


def role_words(roles: tuple[tuple[str, str | None], ...]) -> str:
    """:func:`program_roles` in words of the current language, for a refusal ("viewer"; "analyst of a
    partner organisation, program shared at reviewer")."""
    parts = [
        _(role) if share is None else _(PARTNER_ROLE).format(role=_(role), share=_(share))
        for role, share in roles
    ]
    return "; ".join(parts) or _("none")


def my_shares(session: Session, user_id: str, program: Program) -> list[tuple[str, str, str | None]]:
    """The accepted shares of ``program`` with the user's organisations: (organisation name, share role,
    stored scope) (a partner member's dashboard; :func:`scope_refusal`)."""
    rows = _memberships(session, user_id, program)
    return [(str(org), str(role), scope) for _id, _member, role, scope, org in rows if role is not None]


def scope_refusal(
    session: Session, user_id: str, program: Program, study: tuple[str, str]
) -> Callable[[], str] | None:
    """Why the user's partner shares of ``program`` do not reach ``study`` (its kind and name), worded in
    the current language each time it is called ("the share of 'MB-201' with Castor CMC Services covers
    comparative analytical assessment studies only; 'PK-101' is a PK similarity study"), or None when no
    accepted scoped share of the user's organisations leaves it out."""
    kind, name = study
    shares = [(org, scope) for org, _role, scope in my_shares(session, user_id, program)]
    outside = [
        (org, kinds)
        for org, scope in shares
        if (kinds := share_scope_kinds(scope)) is not None and kind not in kinds
    ]
    if not outside:
        return None
    org, kinds = outside[0]

    def say() -> str:
        return _(SCOPE).format(
            program=repr(program.name),
            org=org,
            kinds=study_kind_words(kinds),
            study=repr(name),
            kind=study_kind_words(kind),
        )

    return say


def _check(
    session: Session,
    actor: Actor,
    program: Program,
    permission: Permission,
    object_type: str,
    object_id: str,
    study: tuple[str, str] | None = None,
) -> None:
    """Refuse ``actor`` ``permission`` on ``program`` (in ``study``, its kind and name, when given)."""
    granted = program_permissions(session, actor.user_id, program)
    if Permission.read not in granted:
        raise NotFoundError(object_type, object_id)
    if permission not in granted:
        roles = role_words(program_roles(session, actor.user_id, program))
        raise PermissionDeniedError(
            _(
                "your role (%(role)s) on program %(program)r does not allow %(action)s; "
                "ask an owner of the program's organisation for a role that does"
            )
            % {"role": roles, "program": program.name, "action": permission_words(permission)}
        )
    if study is None or permission is Permission.read:  # a scope never hides anything of the program
        return
    if permission not in program_permissions(session, actor.user_id, program, study[0]):
        say = scope_refusal(session, actor.user_id, program, study)
        raise PermissionDeniedError(say() if say is not None else permission_words(permission))


def require_program(
    session: Session,
    actor: Actor,
    program_id: str,
    permission: Permission = Permission.read,
    study: tuple[str, str] | None = None,
) -> Program:
    """The program, if ``actor`` holds ``permission`` on it; ``study`` (kind and name) for a study to be
    created, which a share scoped to other study kinds does not allow."""
    program = by_id(session, Program, program_id)
    if program is None:
        raise NotFoundError("program", program_id)
    _check(session, actor, program, permission, "program", program_id, study)
    return program


_STUDY_WITH_PROGRAM = (
    select(Study, Program)
    .join(Program, Program.id == Study.program_id)
    .where(Study.id == bindparam("study_id"))
)


def require_study(
    session: Session, actor: Actor, study_id: str, permission: Permission = Permission.read
) -> tuple[Study, Program]:
    # One query for both (a page view checks a study for every object it shows).
    found = session.execute(_STUDY_WITH_PROGRAM, {"study_id": study_id}).first()
    if found is None:
        raise NotFoundError("study", study_id)
    study, program = found
    _check(session, actor, program, permission, "study", study_id, (study.kind, study.name))
    return study, program


_InStudy = TypeVar("_InStudy", Dataset, AnalysisRun, AnalysisJob)


def _in_study(
    session: Session,
    actor: Actor,
    model: type[_InStudy],
    object_id: str,
    permission: Permission,
    object_type: str,
) -> tuple[_InStudy, Study, Program]:
    """An object stored in a study, with its study and program; a hidden one is reported missing."""
    obj = by_id(session, model, object_id)
    if obj is None:
        raise NotFoundError(object_type, object_id)
    try:
        study, program = require_study(session, actor, obj.study_id, permission)
    except NotFoundError:
        raise NotFoundError(object_type, object_id) from None
    return obj, study, program


def require_dataset(
    session: Session, actor: Actor, dataset_id: str, permission: Permission = Permission.read
) -> tuple[Dataset, Study, Program]:
    return _in_study(session, actor, Dataset, dataset_id, permission, "dataset")


def require_run(
    session: Session, actor: Actor, run_id: str, permission: Permission = Permission.read
) -> tuple[AnalysisRun, Study, Program]:
    return _in_study(session, actor, AnalysisRun, run_id, permission, "analysis run")


def require_job(
    session: Session, actor: Actor, run_id: str, permission: Permission = Permission.read
) -> tuple[AnalysisJob, Study, Program]:
    """The background job of run ``run_id``; a hidden or missing one is reported as a missing run."""
    return _in_study(session, actor, AnalysisJob, run_id, permission, "analysis run")


def require_org(
    session: Session, actor: Actor, org_id: str, permission: Permission = Permission.read
) -> tuple[Organisation, Role]:
    """The organisation and the caller's role in it; non-members get NotFoundError."""
    org = session.get(Organisation, org_id)
    role = session.scalar(
        select(Membership.role).where(Membership.org_id == org_id, Membership.user_id == actor.user_id)
    )
    if org is None or role is None:
        raise NotFoundError("organisation", org_id)
    if permission not in GRANTS[Role(role)]:
        raise PermissionDeniedError(
            _("your role (%(role)s) in organisation %(org)r does not allow %(action)s")
            % {"role": _(role), "org": org.name, "action": permission_words(permission)}
        )
    return org, Role(role)


def visible_programs(user_id: str) -> Select[Program]:
    """Programs the user can read: their organisations' own and those shared with their organisations."""
    my_orgs = select(Membership.org_id).where(Membership.user_id == user_id)
    shared_to_me = select(ProgramShare.program_id).where(
        ProgramShare.org_id.in_(my_orgs), ProgramShare.status == "accepted"
    )
    return select(Program).where(or_(Program.org_id.in_(my_orgs), Program.id.in_(shared_to_me)))
