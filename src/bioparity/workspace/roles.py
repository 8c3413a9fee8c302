"""Roles and what each may do.

A member acts on their organisation's programs with the permissions of their role. A program shared with
a partner organisation at role R gives each member of the partner the permissions that both R and their
own role grant (the intersection), never the owning organisation's administrative rights (editing,
sharing). A share may be scoped to some study kinds (e.g. a CMC partner to comparative analytical
assessment studies): outside them its members read but do not create studies, upload, run or sign.
Anything not granted here is denied.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from bioparity.i18n import gettext as _
from bioparity.i18n import gettext_noop
from bioparity.refusals import KINDS_OR


class Role(StrEnum):
    owner = "owner"
    statistician = "statistician"
    analyst = "analyst"
    reviewer = "reviewer"
    viewer = "viewer"


class Permission(StrEnum):
    read = "read"
    create_program = "create_program"
    edit_program = "edit_program"
    share_program = "share_program"
    write_data = "write_data"
    sign_authored = "sign_authored"
    sign_reviewed = "sign_reviewed"
    sign_approved = "sign_approved"
    manage_members = "manage_members"
    view_org_audit = "view_org_audit"


#: Each permission in words, for a refusal ("your role (viewer) on program 'P' does not allow uploading data
#: and running analyses"): the code is what the grants hold, never shown to a reader. The signing ones read
#: as the signing refusal does (:func:`bioparity.workspace.signatures.signing_refusal`).
PERMISSION_WORDS: dict[Permission, str] = {
    Permission.read: gettext_noop("seeing the program"),
    Permission.create_program: gettext_noop("creating programs"),
    Permission.edit_program: gettext_noop("editing the program"),
    Permission.share_program: gettext_noop("sharing the program with partner organisations"),
    Permission.write_data: gettext_noop("uploading data and running analyses"),
    Permission.sign_authored: gettext_noop("signing as authored"),
    Permission.sign_reviewed: gettext_noop("signing as reviewed"),
    Permission.sign_approved: gettext_noop("signing as approved"),
    Permission.manage_members: gettext_noop(
        "managing the organisation (members, validation, segregation of duties)"
    ),
    Permission.view_org_audit: gettext_noop("reading the organisation's audit trail"),
}


def permission_words(permission: Permission) -> str:
    """``permission`` in words of the current language.

    Examples
    --------
    >>> from bioparity.i18n import use_language
    >>> permission_words(Permission.write_data)
    'uploading data and running analyses'
    >>> with use_language("zh-CN"):
    ...     permission_words(Permission.write_data)
    '上传数据和运行分析'
    """
    return _(PERMISSION_WORDS[permission])


class StudyKind(StrEnum):
    """The kinds of study of a program (``studies.kind``): what a share's scope is made of."""

    pk = "pk"
    caa = "caa"
    clinical = "clinical"


def study_kind_words(kinds: str | Sequence[str]) -> str:
    """A study kind, or the kinds of a share's scope, in words of the current language.

    Examples
    --------
    >>> study_kind_words("pk")
    'PK similarity'
    >>> study_kind_words(["caa", "clinical"])
    'comparative analytical assessment or clinical'
    """
    chosen = [kinds] if isinstance(kinds, str) else list(kinds)
    words = [_(STUDY_KIND_WORDS[StudyKind(k)]) if k in STUDY_KIND_WORDS else k for k in chosen]
    if len(words) < 2:
        return "".join(words)
    return _(KINDS_OR) % {"kinds": ", ".join(words[:-1]), "last": words[-1]}


#: Each study kind in words, for the scope of a share ("covers comparative analytical assessment studies
#: only") and its refusals.
STUDY_KIND_WORDS: dict[StudyKind, str] = {
    StudyKind.pk: gettext_noop("PK similarity"),
    StudyKind.caa: gettext_noop("comparative analytical assessment"),
    StudyKind.clinical: gettext_noop("clinical"),
}


def share_scope_kinds(scope: str | None) -> tuple[str, ...] | None:
    """The study kinds a share's stored ``scope`` covers (comma-separated codes), or None for the whole
    program (every share stored before scopes existed)."""
    return None if scope is None else tuple(k for k in scope.split(",") if k)


def scope_words(scope: str | None) -> str:
    """A share's stored scope in words: "whole program" or "PK similarity studies only".

    Examples
    --------
    >>> scope_words(None), scope_words("caa")
    ('whole program', 'comparative analytical assessment studies only')
    """
    kinds = share_scope_kinds(scope)
    if kinds is None:
        return _("whole program")
    return _("%(kinds)s studies only") % {"kinds": study_kind_words(kinds)}


class Meaning(StrEnum):
    """The meaning of an electronic signature (21 CFR 11.50(a)(3))."""

    authored = "authored"
    reviewed = "reviewed"
    approved = "approved"


P = Permission
GRANTS: dict[Role, frozenset[Permission]] = {
    Role.owner: frozenset(Permission),
    Role.statistician: frozenset(
        {P.read, P.create_program, P.edit_program, P.write_data}
        | {P.sign_authored, P.sign_reviewed, P.sign_approved}
    ),
    Role.analyst: frozenset({P.read, P.write_data, P.sign_authored}),
    Role.reviewer: frozenset({P.read, P.sign_reviewed, P.sign_approved}),
    Role.viewer: frozenset({P.read}),
}

#: Rights that only members of the organisation owning a program can hold on it.
OWNING_ORG_ONLY = frozenset(
    {P.edit_program, P.share_program, P.create_program, P.manage_members, P.view_org_audit}
)

#: Roles at which a program may be shared with a partner (never ``owner``).
SHARE_ROLES = (Role.statistician, Role.analyst, Role.reviewer, Role.viewer)

SIGN_PERMISSION = {
    Meaning.authored: P.sign_authored,
    Meaning.reviewed: P.sign_reviewed,
    Meaning.approved: P.sign_approved,
}


def member_permissions(role: str) -> frozenset[Permission]:
    """Permissions of a member of the owning organisation."""
    return GRANTS[Role(role)]


def partner_permissions(
    share_role: str, member_role: str, scope: str | None = None, study_kind: str | None = None
) -> frozenset[Permission]:
    """Permissions of a partner organisation's member on a program shared with it; in a study of
    ``study_kind`` outside the share's ``scope`` (:func:`share_scope_kinds`), reading only.

    Without ``study_kind`` (the program as a whole: its page, creating a study of a kind not yet known)
    the share's role applies; every action in a study, and creating one, names the study's kind.
    """
    granted = (GRANTS[Role(share_role)] & GRANTS[Role(member_role)]) - OWNING_ORG_ONLY
    kinds = share_scope_kinds(scope)
    if kinds is None or study_kind is None or study_kind in kinds:
        return granted
    return granted & {Permission.read}
