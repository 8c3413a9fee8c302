"""One audit row for a workspace service: the acting user as recorded in the trail (21 CFR 11.10(e))."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any, TypeAlias

from sqlalchemy import select, true
from sqlalchemy.orm import Session

from bioparity.audit import append_event, sha256_hex
from bioparity.i18n import coded_words, pgettext_noop
from bioparity.store.models import AuditEvent, Dataset, Organisation, Program
from bioparity.workspace.access import Actor
from bioparity.workspace.snapshots import snapshot

#: The organisation or program a row belongs to (a program's row belongs to its organisation too).
Scope: TypeAlias = Organisation | Program | None
Detail: TypeAlias = Mapping[str, Any] | None


#: The context of an audit action code's words: the same English word means another thing elsewhere
#: ("run" of an analysis here, an assay run (分析批) in a bioassay report).
AUDIT_ACTION = "audit action"

#: The action codes the audit trail stores (``AuditEvent.action``), marked for translation with their
#: context (a literal, for extraction); the stored code stays as it is (data, the CSV export), the pages
#: and the PDF export print its words (:func:`action_words`). A code missing here is shown as stored.
AUDIT_ACTIONS: dict[str, str] = {
    "create": pgettext_noop("audit action", "create"),
    "grant": pgettext_noop("audit action", "grant"),
    "invite": pgettext_noop("audit action", "invite"),
    "update": pgettext_noop("audit action", "update"),
    "accept": pgettext_noop("audit action", "accept"),
    "decline": pgettext_noop("audit action", "decline"),
    "withdraw": pgettext_noop("audit action", "withdraw"),
    "revoke": pgettext_noop("audit action", "revoke"),
    "login": pgettext_noop("audit action", "login"),
    "login_failed": pgettext_noop("audit action", "login_failed"),
    "login_refused": pgettext_noop("audit action", "login_refused"),
    "login_locked": pgettext_noop("audit action", "login_locked"),
    "logout": pgettext_noop("audit action", "logout"),
    "lock": pgettext_noop("audit action", "lock"),
    "unlock": pgettext_noop("audit action", "unlock"),
    "password_failed": pgettext_noop("audit action", "password_failed"),
    "token_password_failed": pgettext_noop("audit action", "token_password_failed"),
    "password_change": pgettext_noop("audit action", "password_change"),
    "password_change_failed": pgettext_noop("audit action", "password_change_failed"),
    "password_reset": pgettext_noop("audit action", "password_reset"),
    "language_change": pgettext_noop("audit action", "language_change"),
    "reactivate": pgettext_noop("audit action", "reactivate"),
    "deactivate": pgettext_noop("audit action", "deactivate"),
    "upload": pgettext_noop("audit action", "upload"),
    "run": pgettext_noop("audit action", "run"),
    "nca_review": pgettext_noop("audit action", "nca_review"),
    "sign": pgettext_noop("audit action", "sign"),
    "sign_failed": pgettext_noop("audit action", "sign_failed"),
    "sign_refused": pgettext_noop("audit action", "sign_refused"),
    "share": pgettext_noop("audit action", "share"),
    "share_accept": pgettext_noop("audit action", "share_accept"),
    "share_decline": pgettext_noop("audit action", "share_decline"),
    "unshare": pgettext_noop("audit action", "unshare"),
    "validate": pgettext_noop("audit action", "validate"),
    "audit_keyed": pgettext_noop("audit action", "audit_keyed"),
    "export": pgettext_noop("audit action", "export"),
}


def action_words(code: str) -> str:
    """A stored audit action code in the reader's words (as stored when it has none).

    Examples
    --------
    >>> action_words("run"), action_words("some_new_action")
    ('run', 'some_new_action')
    """
    return coded_words(AUDIT_ACTION, AUDIT_ACTIONS, code)


#: The context of an audit object type's words (the kind of record an event is about: "share" is a
#: program's share with a partner, not the action of sharing; "signature" the stored e-signature record).
AUDIT_OBJECT = "audit object"

#: The object types the audit trail stores (``AuditEvent.object_type``), marked with their context; the
#: pages and the PDF export print their words (:func:`object_words`), the CSV export the stored code.
AUDIT_OBJECTS: dict[str, str] = {
    "user": pgettext_noop("audit object", "user"),
    "organisation": pgettext_noop("audit object", "organisation"),
    "membership": pgettext_noop("audit object", "membership"),
    "membership_invitation": pgettext_noop("audit object", "membership_invitation"),
    "api_token": pgettext_noop("audit object", "api_token"),
    "program": pgettext_noop("audit object", "program"),
    "study": pgettext_noop("audit object", "study"),
    "share": pgettext_noop("audit object", "share"),
    "dataset": pgettext_noop("audit object", "dataset"),
    "analysis_run": pgettext_noop("audit object", "analysis_run"),
    "signature": pgettext_noop("audit object", "signature"),
    "validation_report": pgettext_noop("audit object", "validation_report"),
    "audit_trail": pgettext_noop("audit object", "audit_trail"),
}

#: The context of the field names an audit row's details print ("name" is a record's name, 名称, not a
#: person's name, 姓名, the entry without context).
AUDIT_FIELD = "audit field"

#: The recorded fields the details column names (``name: …``, ``status: old → new``): those it always
#: prints when recorded, the partner of a share, the fields an audited change can alter (the columns of
#: programs, shares, memberships, invitations and users; identifiers and times are not printed) and the
#: details of security events. The pages and the PDF name them in words in every language (English too:
#: "segregation of duties"); the CSV exports keep the recorded names. A field without words here is
#: printed as recorded.
AUDIT_FIELDS: dict[str, str] = {
    "name": pgettext_noop("audit field", "name"),
    "kind": pgettext_noop("audit field", "kind"),
    "meaning": pgettext_noop("audit field", "meaning"),
    "role": pgettext_noop("audit field", "role"),
    "status": pgettext_noop("audit field", "status"),
    "scope": pgettext_noop("audit field", "scope"),
    "sha256": pgettext_noop("audit field", "SHA-256"),
    "version": pgettext_noop("audit field", "version"),
    "reason": pgettext_noop("audit field", "reason"),
    "partner": pgettext_noop("audit field", "partner"),
    "description": pgettext_noop("audit field", "description"),
    "inn": pgettext_noop("audit field", "INN"),
    "reference_product": pgettext_noop("audit field", "reference product"),
    "modality": pgettext_noop("audit field", "modality"),
    "target_regions": pgettext_noop("audit field", "target regions"),
    "segregation_of_duties": pgettext_noop("audit field", "segregation of duties"),
    "pending_role": pgettext_noop("audit field", "pending role"),
    "invited_by": pgettext_noop("audit field", "invited by"),
    "responded_by": pgettext_noop("audit field", "responded by"),
    "username": pgettext_noop("audit field", "user name"),
    "display_name": pgettext_noop("audit field", "display name"),
    "is_active": pgettext_noop("audit field", "account active"),
    "must_change_password": pgettext_noop("audit field", "must change password"),
    "language": pgettext_noop("audit field", "language"),
    # an export of the audit trail or a report (record_export)
    "format": pgettext_noop("audit field", "format"),
    # a download of a dataset's stored file (record_dataset_download)
    "bytes": pgettext_noop("audit field", "bytes"),
    "via": pgettext_noop("audit field", "downloaded through"),
    # an NCA review's choice: the run it was made on and the new run (web.pages_review)
    "run": pgettext_noop("audit field", "run"),
    "choice": pgettext_noop("audit field", "review choice"),
    # the details of security events (sign-in, lock, unlock, password change and reset, sign-out)
    "client": pgettext_noop("audit field", "client address"),
    "failures": pgettext_noop("audit field", "failed attempts"),
    "client_failures": pgettext_noop("audit field", "failed attempts from the client"),
    "attempts": pgettext_noop("audit field", "attempts while locked"),
    "since": pgettext_noop("audit field", "since"),
    "was_locked": pgettext_noop("audit field", "was locked"),
    "tokens_revoked": pgettext_noop("audit field", "sessions and tokens revoked"),
    "other_tokens_revoked": pgettext_noop("audit field", "other sessions and tokens revoked"),
    "bound_tokens_revoked": pgettext_noop("audit field", "API tokens of the session revoked"),
    "unrecorded_login_locked_attempts": pgettext_noop(
        "audit field", "sign-in attempts while locked, not recorded before"
    ),
}


def object_words(code: str) -> str:
    """A stored audit object type in the reader's words (as stored when it has none).

    Examples
    --------
    >>> object_words("analysis_run"), object_words("some_new_type")
    ('analysis_run', 'some_new_type')
    >>> from bioparity.i18n import use_language
    >>> with use_language("zh-CN"):
    ...     object_words("analysis_run"), object_words("share")
    ('分析运行', '项目共享')
    """
    return coded_words(AUDIT_OBJECT, AUDIT_OBJECTS, code)


def field_words(name: str) -> str:
    """A recorded field's name as an audit row's details print it, in the reader's words (as recorded when
    it has none).

    Examples
    --------
    >>> field_words("segregation_of_duties"), field_words("a_later_field")
    ('segregation of duties', 'a_later_field')
    >>> from bioparity.i18n import use_language
    >>> with use_language("zh-CN"):
    ...     field_words("name"), field_words("status"), field_words("client_failures")
    ('名称', '状态', '该客户端的失败次数')
    """
    return coded_words(AUDIT_FIELD, AUDIT_FIELDS, name)


def record(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    object_id: str | None,
    scope: Scope = None,
    before: Detail = None,
    after: Detail = None,
    *,
    reason: str | None = None,
) -> AuditEvent:
    """:func:`bioparity.audit.append_event` on behalf of ``actor`` (no user id for the command line's
    system actor), filed under ``scope``, with the ``reason`` the user gave for the change (if any)."""
    program = scope if isinstance(scope, Program) else None
    return append_event(
        session,
        actor_id=actor.user_id or None,
        actor=actor.username,
        action=action,
        object_type=object_type,
        object_id=object_id,
        org_id=program.org_id if program is not None else None if scope is None else scope.id,
        program_id=None if program is None else program.id,
        before=before,
        after=after,
        reason=reason,
    )


def record_change(
    session: Session,
    actor: Actor,
    action: str,
    object_type: str,
    obj: Any,
    scope: Scope = None,
    before: Detail = None,
    extra: Detail = None,
    *,
    reason: str | None = None,
) -> AuditEvent:
    """:func:`record` of a created or changed stored object: its id, and its :func:`snapshot` (with
    ``extra`` added) as the state after, and the ``reason`` for the change."""
    after = snapshot(obj) | dict(extra or {})
    return record(session, actor, action, object_type, obj.id, scope, before, after, reason=reason)


def scope_audit(
    session: Session,
    scope: Organisation | Program,
    *,
    after_seq: int,
    limit: int | None,
    without_programs: bool = False,
    without: Collection[int] = (),
) -> Sequence[AuditEvent]:
    """The audit rows filed under ``scope`` in order, ``limit`` at a time after sequence number ``after_seq``.

    Parameters
    ----------
    session : Session
        The unit of work to read in.
    scope : Organisation or Program
        The organisation (all its rows, its programs' too) or the program whose rows are read.
    after_seq : int
        Only rows after this sequence number.
    limit : int or None
        At most this many rows (None: all).
    without_programs : bool
        For an organisation: only its own rows (members, invitations), none filed under its programs.
    without : Collection[int]
        The sequence numbers of rows withheld from the reader (none: every row).

    Returns
    -------
    Sequence[AuditEvent]
        The rows by sequence number.
    """
    column = AuditEvent.program_id if isinstance(scope, Program) else AuditEvent.org_id
    query = (
        select(AuditEvent)
        .where(column == scope.id, AuditEvent.seq > after_seq)
        .where(AuditEvent.program_id.is_(None) if without_programs else true())
        .where(AuditEvent.seq.not_in(sorted(without)) if without else true())
        .order_by(AuditEvent.seq)
        .limit(limit)
    )
    return list(session.scalars(query))


#: The action of :func:`record_export`.
EXPORT = "export"


def record_export(
    session: Session,
    actor: Actor,
    program: Program | None,
    object_type: str,
    object_id: str | None,
    *,
    name: str,
    fmt: str,
    content: bytes,
    filters: Mapping[str, str] | None = None,
) -> AuditEvent:
    """Record that ``actor`` exported a GxP record of ``program`` (its audit trail, its report or a run's
    report) as the file ``name`` in format ``fmt`` (EU GMP Annex 11 §8.1 and §9: printouts and exports of
    electronic records, and who made them when, are traceable): an ``export`` row filed under the program,
    its time the row's, with the SHA-256 of the bytes handed out, so that a file found later is traced
    to the export that made it. The row joins the hash chain like any other (``bioparity audit verify``).

    Parameters
    ----------
    session : Session
        The unit of work to write in (its own: an export is a read; the row is committed on its own).
    actor : Actor
        Who exported it.
    program : Program or None
        The program the exported record belongs to (the row's scope); None: the whole workspace's audit
        trail (``bioparity audit export``, object id None).
    object_type, object_id : str, str or None
        What was exported: ``audit_trail`` (the program's id; None: every program's and the account
        events), ``program`` or ``analysis_run``.
    name : str
        The file name the download carries (the command line: the path written).
    fmt : str
        ``csv`` or ``pdf``.
    content : bytes
        The exported file, byte for byte.
    filters : mapping of str to str, optional
        The selection the export was made with (e.g. ``{"since": "2026-01-01"}``), kept under
        ``filters`` when given.

    Returns
    -------
    AuditEvent
        The row written.
    """
    after: dict[str, Any] = {"name": name, "format": fmt, "sha256": sha256_hex(content)}
    if filters:
        after["filters"] = dict(filters)
    return record(session, actor, EXPORT, object_type, object_id, program, after=after)


#: The context of the words of where a dataset's file was downloaded (``via`` of
#: :func:`record_dataset_download`).
DOWNLOAD_VIA = "download via"

#: Where a dataset's file was downloaded (the recorded ``via``), marked with their context; the pages and the
#: PDF export print their words (:func:`via_words`), the CSV export the stored code.
DOWNLOAD_VIAS: dict[str, str] = {
    "web": pgettext_noop("download via", "web page"),
    "api": pgettext_noop("download via", "API"),
}


def via_words(code: str) -> str:
    """Where a dataset's file was downloaded (a recorded ``via``) in the reader's words (as stored when it
    has none).

    Examples
    --------
    >>> via_words("web"), via_words("api"), via_words("later")
    ('web page', 'API', 'later')
    >>> from bioparity.i18n import use_language
    >>> with use_language("zh-CN"):
    ...     via_words("web")
    '网页'
    """
    return coded_words(DOWNLOAD_VIA, DOWNLOAD_VIAS, code)


def record_dataset_download(
    session: Session, actor: Actor, program: Program, dataset: Dataset, *, content: bytes, via: str
) -> AuditEvent:
    """Record that ``actor`` downloaded the stored file of ``dataset`` (subject-level data, as uploaded) of
    ``program``: an :data:`EXPORT` row, as :func:`record_export` writes for the audit trail and the reports,
    of object ``dataset`` and the dataset's id, filed under the program, its time the row's, with the
    dataset's name and version, the SHA-256 and the number of the bytes handed out and where (``via``).
    21 CFR 11.10(e) and EU GMP Annex 11 §9 ask for an audit trail of actions on GxP records (and §8.1 for
    exports of them to be traceable); who took subject-level data out is what a data-protection officer
    asks. Being an ``export`` row, a partner's member sees their own downloads only
    (:func:`bioparity.workspace.programs.withheld_audit_rows`). The row joins the hash chain like any other.

    Parameters
    ----------
    session, actor : Session, Actor
        The unit of work to write in (its own: a download is a read; the row is committed on its own)
        and who downloaded the file.
    program, dataset : Program, Dataset
        The program of the dataset's study (the row's scope) and the dataset version whose file was
        handed out.
    content : bytes
        The file handed out, byte for byte.
    via : str
        ``web`` (the dataset page's link, signed in with the session cookie) or ``api`` (a bearer token).

    Returns
    -------
    AuditEvent
        The row written.
    """
    after: dict[str, Any] = {
        "name": dataset.name,
        "version": dataset.version,
        "sha256": sha256_hex(content),
        "bytes": len(content),
        "via": via,
    }
    return record(session, actor, EXPORT, "dataset", dataset.id, program, after=after)
