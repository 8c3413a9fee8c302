"""Electronic signatures of analysis results (21 CFR Part 11 §11.50, §11.70, §11.200).

The signer re-enters their password and states the meaning (authored, reviewed, approved). The signature
binds the signer (id, user name, printed name), the UTC time, the meaning and the SHA-256 of the signed
content: the canonical JSON of the run's result together with its provenance (kind, input hashes,
options, software version, run id). If the stored result or provenance changes afterwards, the content
hash no longer matches and the signature is reported invalid; if the signature record itself is edited,
its own hash no longer matches. Because a SHA-256 can be recomputed by anyone with write access to the
database, the record also carries a MAC with the audit key (:mod:`bioparity.workspace.sealing`): a
re-sealed or invented record fails that check.

Who may sign what, and when (21 CFR 11.10(g) authority checks; 11.10(f) operational checks on the
sequence of steps; EU GMP Annex 11 §2 and PIC/S PI 041-1 §9 on the independence of review and approval,
the "four-eyes principle"); :func:`signing_refusal` states the rules once for every front end:

* the signer's role grants the meaning (:data:`~bioparity.workspace.roles.SIGN_PERMISSION`);
* "authored" only by the person who ran the analysis (the run's creator);
* "reviewed" and "approved" never by the run's creator nor by anyone who signed it as authored: their
  review or approval would not be independent (program setting ``segregation_of_duties``, on by
  default; switched off, one person may author, review and approve); nor "reviewed" by the person who
  approved the same result (review and approval are two people);
* "reviewed" and "approved" only while a currently valid "authored" signature exists (the meanings are
  signed in their order, authored, reviewed, approved, whatever segregation of duties says: a review or
  approval of a result its author never signed as theirs attests to nobody's work; 21 CFR 11.10(f)
  operational checks enforcing the permitted sequencing of steps; the order itself is the company's SOP).
  Only the run's creator may author, and every role that may run an analysis may sign it as authored, so
  the author can always sign first. Signatures made before this rule (a review without an authored
  signature) are not re-judged: :func:`approval_holds` reads reviews and approvals as before;
* "approved" only while a currently valid "reviewed" signature by another person exists: a changed result
  invalidates every signature (below), so it needs a new review before a new approval. Under segregation
  of duties the review must be independent by the rule in force at approval: not by the run's creator
  nor an author either, even if it was made while segregation of duties was off (an approval never rests
  on a review the rule would refuse today). With segregation of duties switched off the approver's own
  review counts;
* "reviewed" and "approved" not on a superseded run: when a later run of the same kind in the same study
  counts as approved, the reports use that one (:mod:`bioparity.report.evidence`), so a review or
  approval of the older run would suggest otherwise. "authored" stays possible; its audit row records
  the later runs (``later_runs``, ``superseded_by``), as does any signature of a run with later drafts,
  and the signing page says which run the reports use;
* each person signs a given content once per meaning.

The rules in force when a signature is made (the program's ``segregation_of_duties``) and the signer's
role(s) on the program then (``signer_role``, revision 0012; 21 CFR 11.10(g): the authority signed under
stays on record when the role changes later) are part of its record, covered by its manifest hash and
MAC, and shown with it. An approval is judged by the
rule recorded with it (:func:`approval_holds`), never by the program's setting of today: switching
segregation of duties on or off applies to signatures made afterwards and does not re-label results
signed before (21 CFR 11.50, 11.70: a signature's manifestation and its link to the record stay as
signed). Signatures made before the rules were recorded (``rules`` None) are judged by the program's
current setting, as they always were.

Every refused attempt is recorded in the audit trail (``sign_failed`` for a wrong password, with the
sign-in throttling; ``sign_refused`` with the rule and the reason otherwise), as 21 CFR 11.10(e) and
11.300(d) expect failed attempts to be traceable. :func:`approval_holds` is the same rule read back: a
run counts as approved (reports, readiness) while a valid approval and a valid earlier review by another
person hold.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, defer

from bioparity import refusals
from bioparity.audit import canonical_json, sha256_hex, utc_timestamp
from bioparity.audit.keys import AuditKey, AuditKeyError, load_key
from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.i18n import use_language
from bioparity.memo import Memo
from bioparity.store.models import AnalysisRun, Program, Signature, Study, User, new_id
from bioparity.workspace.access import (
    Actor,
    program_permissions,
    program_roles,
    require_run,
    role_words,
    scope_refusal,
)
from bioparity.workspace.accounts import FailedPassword, check_password
from bioparity.workspace.errors import ConflictError, PermissionDeniedError, WorkspaceError
from bioparity.workspace.events import record, record_change
from bioparity.workspace.roles import (
    SIGN_PERMISSION,
    Meaning,
    member_permissions,
    partner_permissions,
    permission_words,
)
from bioparity.workspace.sealing import (
    SIGNATURE_FIELDS,
    SIGNATURE_LATER_FIELDS,
    later_signature_fields,
    signature_mac,
    signature_sealed,
)


def signed_content(run: AnalysisRun) -> str:
    """The exact text a signature's content hash covers (canonical JSON)."""
    return canonical_json(
        {
            "run_id": run.id,
            "kind": run.kind,
            "inputs": json.loads(run.inputs_json),
            "options": json.loads(run.options_json),
            "software_version": run.software_version,
            "result": None if run.result_json is None else json.loads(run.result_json),
        }
    )


def content_key(run: AnalysisRun) -> bytes:
    """A digest of the exact stored texts :func:`signed_content` is made of (run id, kind, inputs,
    options, software version, result): equal keys mean equal signed content. Cheap (one SHA-256 over
    the texts, no JSON parsing), so that what derives from a run's content can be memoised without
    masking a changed row: an altered result, even with its stored ``result_sha256`` left as it was,
    gives another key."""
    parts = (run.id, run.kind, run.inputs_json, run.options_json, run.software_version, run.result_json)
    known = _KEYS.get(run)
    if known is not None and all(a is b for a, b in zip(known[0], parts, strict=True)):
        return known[1]  # the very same texts as last time: a page asks several times per view
    digest = hashlib.sha256()
    for part in parts:
        data = b"" if part is None else str(part).encode("utf-8")
        digest.update(b"-" if part is None else len(data).to_bytes(8, "big"))
        digest.update(data)
    key = digest.digest()
    _KEYS[run] = (parts, key)
    return key


#: The last :func:`content_key` of a loaded run, with the texts it was computed from (compared by identity:
#: any change of an attribute, even to an equal text, computes it again).
_KEYS: weakref.WeakKeyDictionary[AnalysisRun, tuple[tuple[Any, ...], bytes]] = weakref.WeakKeyDictionary()


#: SHA-256 of the signed content by :func:`content_key` (parsing and re-serialising a large result is
#: most of a signature check; the dashboard checks every signature of the program on each view).
_CONTENT_SHA256 = Memo(512)


def signed_content_sha256(run: AnalysisRun) -> str:
    """``sha256_hex(signed_content(run))``, computed once per distinct stored content."""
    value: str = _CONTENT_SHA256.get(content_key(run), lambda: sha256_hex(signed_content(run)))
    return value


def _manifest_hash(sig: Signature) -> str:
    manifest = {
        "id": sig.id,
        "run_id": sig.run_id,
        "user_id": sig.user_id,
        "username": sig.username,
        "display_name": sig.display_name,
        "meaning": sig.meaning,
        "signed_at": sig.signed_at,
        "content_sha256": sig.content_sha256,
    }
    # the rules (revision 0011) and the signer's role (0012) when recorded; earlier manifests keep their hash
    return sha256_hex(canonical_json(manifest | later_signature_fields(sig)))


def program_rules(program: Program) -> str:
    """The signing rules of ``program`` in force now, as a signature records them.

    Parameters
    ----------
    program : Program
        The program whose run is signed.

    Returns
    -------
    str
        Canonical JSON ``{"segregation_of_duties": bool}`` (21 CFR 11.10(f), (g); EU GMP Annex 11 §2).
    """
    return canonical_json({"segregation_of_duties": program.segregation_of_duties is not False})


def signed_independent(sig: Signature) -> bool | None:
    """Whether segregation of duties was in force when ``sig`` was made.

    Parameters
    ----------
    sig : Signature
        A signature record.

    Returns
    -------
    bool | None
        :func:`rules_independent` of its recorded rules (None: made before revision 0011 recorded them).
    """
    return rules_independent(sig.rules)


def rules_independent(rules: object) -> bool | None:
    """The ``segregation_of_duties`` of recorded signing rules.

    Parameters
    ----------
    rules : object
        The rules as a signature (or its audit row) records them: canonical JSON text, or None.

    Returns
    -------
    bool | None
        The recorded value; None when there are no rules or they hold no such boolean.
    """
    if not isinstance(rules, str):
        return None
    try:
        value = json.loads(rules).get("segregation_of_duties")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, bool) else None


def signer_role(session: Session, user_id: str, program: Program) -> str:
    """The roles of ``user_id`` on ``program`` now (:func:`program_roles`), as a signature records them
    (revision 0012): canonical JSON, one object per membership that reaches the program,
    ``[{"role":"reviewer"}]`` for a member of the owning organisation, ``[{"role":"analyst",
    "share":"reviewer"}]`` for a member of a partner organisation the program is shared with (21 CFR
    11.10(g): the authority a signature was made under stays on record if the role changes later)."""
    return roles_text(program_roles(session, user_id, program))


def roles_text(roles: Sequence[tuple[str, str | None]]) -> str:
    """(role, share role or None) pairs as a signature records them (:func:`signer_role`)."""
    return canonical_json(
        [{"role": r} if share is None else {"role": r, "share": share} for r, share in roles]
    )


def recorded_roles(text: object) -> tuple[tuple[str, str | None], ...] | None:
    """The roles a signature (or its audit row) recorded as :func:`signer_role` wrote them.

    Parameters
    ----------
    text : object
        The recorded ``signer_role``: canonical JSON text, or None.

    Returns
    -------
    tuple[tuple[str, str | None], ...] | None
        (role, share role or None) pairs as :func:`~bioparity.workspace.access.program_roles` gives them;
        None when nothing (or nothing readable) was recorded.
    """
    if not isinstance(text, str):
        return None
    try:
        items = json.loads(text)
    except ValueError:
        return None
    if not isinstance(items, list) or not all(isinstance(i, dict) and "role" in i for i in items):
        return None
    return tuple((str(i["role"]), None if i.get("share") is None else str(i["share"])) for i in items)


def role_granted(sig: Signature) -> bool | None:
    """Whether the role signature ``sig`` recorded at signing grants its meaning (:data:`SIGN_PERMISSION`;
    a partner's member by both their role and the share's,
    :func:`~bioparity.workspace.roles.partner_permissions`); None when it recorded no (readable) role or
    has a meaning or role this version does not know (21 CFR 11.10(g))."""
    roles = recorded_roles(sig.signer_role)
    if roles is None or sig.meaning not in set(Meaning):
        return None
    try:
        granted = [member_permissions(r) if s is None else partner_permissions(s, r) for r, s in roles]
    except ValueError:  # a role this version does not know
        return None
    return any(SIGN_PERMISSION[Meaning(sig.meaning)] in g for g in granted)


def signer_role_words(text: object) -> str | None:
    """The recorded signer role in words of the current language ("reviewer"; "analyst of a partner
    organisation, program shared at reviewer"); None when the signature recorded none."""
    roles = recorded_roles(text)
    return None if roles is None else role_words(roles)


@dataclass(frozen=True)
class SignatureStatus:
    """A signature and whether it still holds, with the reason when it does not."""

    signature: Signature
    valid: bool
    problem: str

    @property
    def independent(self) -> bool | None:
        """Whether segregation of duties was in force when it was signed (None: not recorded)."""
        return signed_independent(self.signature)

    @property
    def role_words(self) -> str | None:
        """The signer's role at signing in words (None: not recorded, signed before revision 0012)."""
        return signer_role_words(self.signature.signer_role)


class Rule(StrEnum):
    """Which rule refused a signature (recorded with the refusal in the audit trail)."""

    role = "role"  # the signer's role does not grant the meaning
    no_result = "no_result"  # the run has no result to sign
    already_signed = "already_signed"  # the signer signed this content with this meaning before
    authorship = "authorship"  # "authored" by someone who did not run the analysis
    independence = "independence"  # review or approval by the run's creator or an author
    # review or approval without a currently valid authored signature, or approval without a currently
    # valid review by another person
    order = "order"
    superseded = "superseded"  # review or approval of a run a later approved run of its kind replaces


#: Refusals that say the signer may not do this (403); the others contradict the run's state (409).
_NOT_ALLOWED = frozenset({Rule.role, Rule.authorship, Rule.independence})


@dataclass(frozen=True)
class Refusal:
    """Why ``meaning`` cannot be signed now by this person on this run."""

    meaning: Meaning
    rule: Rule
    #: The reason in words, worded in the current language each time it is called.
    say: Callable[[], str]

    @property
    def message(self) -> str:
        """The reason in the current language."""
        return self.say()

    def error(self) -> WorkspaceError:
        """The refusal as the error the API maps to 403 (not allowed) or 409 (not now)."""
        kind = PermissionDeniedError if self.rule in _NOT_ALLOWED else ConflictError
        return kind(self.message)


@dataclass(frozen=True)
class LaterRuns:
    """The succeeded runs of a run's kind in its study made after it (ordered by creation as the reports
    order them, :mod:`bioparity.report.evidence`): the reports use the latest approved run of a kind in a
    study, so a run with a later approved one is superseded."""

    #: The latest later run that counts as approved: what the reports use instead (None: none is).
    approved: AnalysisRun | None
    #: The later runs after that one (all later runs when none is approved), none approved: drafts, as
    #: :meth:`bioparity.report.evidence.StudyEvidence.drafts` lists them; if one is approved, the reports
    #: use it instead.
    drafts: tuple[AnalysisRun, ...]
    #: Every later run's id, in order.
    ids: tuple[str, ...] = ()

    def recorded(self) -> dict[str, Any]:
        """What a signature's audit row records of them: ``later_runs`` (ids) and ``superseded_by`` (the
        approved one reports use, or None); nothing when there are none."""
        if not self.ids:
            return {}
        used = None if self.approved is None else self.approved.id
        return {"later_runs": list(self.ids), "superseded_by": used}


def later_runs(session: Session, run: AnalysisRun, program: Program) -> LaterRuns:
    """The succeeded runs of ``run``'s kind in its study made after it, and which of them the reports use.

    Parameters
    ----------
    session : Session
        The unit of work to read in.
    run : AnalysisRun
        The run to be signed.
    program : Program
        Its program (whose segregation of duties judges approvals recorded without their rule).

    Returns
    -------
    LaterRuns
        The latest later approved run (:func:`approval_holds`) and the later drafts.
    """
    # The later runs and their signatures in one statement (an outer join: a run without any is one row
    # with no signature); a result is read only where a signature is checked against it (megabytes for an
    # NCA), when the run has an approval.
    query = (
        select(AnalysisRun, Signature)
        .outerjoin(Signature, Signature.run_id == AnalysisRun.id)
        .where(
            AnalysisRun.study_id == run.study_id,
            AnalysisRun.kind == run.kind,
            AnalysisRun.status == "succeeded",
            AnalysisRun.id != run.id,
        )
        .order_by(AnalysisRun.created_at, AnalysisRun.id, Signature.signed_at)
        .options(defer(AnalysisRun.result_json))
    )
    runs: dict[str, AnalysisRun] = {}
    signed: dict[str, list[Signature]] = {}
    for other, sig in session.execute(query):
        if _made(other) > _made(run):
            runs.setdefault(other.id, other)
            if sig is not None:
                signed.setdefault(other.id, []).append(sig)
    later = list(runs.values())
    independent = program.segregation_of_duties is not False
    ids = tuple(runs)
    drafts: list[AnalysisRun] = []
    for newer in reversed(later):  # from the latest: the first approved one is what the reports use
        approvals = any(s.meaning == Meaning.approved for s in signed.get(newer.id, ()))
        statuses = [check_signature(newer, s) for s in signed.get(newer.id, ())] if approvals else []
        if approval_holds(statuses, creator=newer.created_by, independent=independent):
            return LaterRuns(newer, tuple(reversed(drafts)), ids)
        drafts.append(newer)
    return LaterRuns(None, tuple(reversed(drafts)), ids)


def _made(run: AnalysisRun) -> tuple[datetime, str]:
    """The order of the runs of a kind in a study: when made, then the id. ``created_at`` is aware UTC on
    every database, read back or made in the session (:class:`bioparity.store.types.UTCDateTime`)."""
    return (run.created_at, run.id)


def superseded_by(session: Session, runs: Sequence[AnalysisRun]) -> dict[str, str | None]:
    """For each of ``runs``, the id of the later approved run of its kind in its study that the reports use
    instead (:func:`later_runs`; the run page's "Superseded", and why signing it as reviewed or approved is
    refused), None when it is not superseded (or did not succeed: nothing to supersede).

    One :func:`later_runs` per study and kind: the latest approved run after the earliest succeeded run of
    a kind supersedes every succeeded run of that kind made before it.
    """
    earliest: dict[tuple[str, str], AnalysisRun] = {}
    for run in runs:
        key = (run.study_id, run.kind)
        if run.status == "succeeded" and (key not in earliest or _made(run) < _made(earliest[key])):
            earliest[key] = run
    found: dict[str, str | None] = {run.id: None for run in runs}
    for (study_id, kind), first in earliest.items():
        program = session.scalars(select(Program).join(Study).where(Study.id == study_id)).one()
        used = later_runs(session, first, program).approved
        if used is None:
            continue
        for run in runs:
            same = (run.study_id, run.kind) == (study_id, kind) and run.status == "succeeded"
            if same and _made(run) < _made(used):
                found[run.id] = used.id
    return found


@dataclass(frozen=True)
class SigningChoices:
    """What a person may sign on a run now, and why not the other meanings their role grants."""

    meanings: tuple[Meaning, ...]
    refusals: tuple[Refusal, ...]
    #: Whether the person's role grants any meaning at all.
    may_sign: bool
    #: The later runs of its kind in its study (the signing page says when the run is superseded).
    later: LaterRuns


def _meaning_word(how: Meaning) -> str:
    return _(how.value)  # the page label of the stored code (a msgid of the web catalogue)


def _holds_review(
    statuses: Sequence[SignatureStatus], approver_id: str, independent: bool, creator: str | None
) -> bool:
    """Whether a valid "reviewed" signature holds that an approval by ``approver_id`` may rest on: with
    segregation of duties (``independent``) one by a person independent of the analysis
    (:func:`_not_independent`), whenever it was made (a review made while segregation of duties was off
    does not make an approval under it independent); without, any."""
    excluded = _not_independent(statuses, approver_id, creator) if independent else set()
    return any(
        s.valid and s.signature.meaning == Meaning.reviewed and s.signature.user_id not in excluded
        for s in statuses
    )


def _not_independent(statuses: Sequence[SignatureStatus], approver_id: str, creator: str | None) -> set[str]:
    """Whose review an approval by ``approver_id`` under segregation of duties cannot rest on: the approver,
    the run's ``creator`` and everyone who signed it as authored (EU GMP Annex 11 §2; PIC/S PI 041-1 §9)."""
    authors = {s.signature.user_id for s in statuses if s.signature.meaning == Meaning.authored}
    return {approver_id, *authors} | ({creator} if creator is not None else set())


def signing_refusal(
    session: Session,
    actor: Actor,
    run: AnalysisRun,
    program: Program,
    how: Meaning,
    statuses: Sequence[SignatureStatus],
    later: LaterRuns | None = None,
) -> Refusal | None:
    """Why ``actor`` may not sign ``run`` with meaning ``how`` now (None: they may), by the rules of the
    module docstring, checked in this order: role, a result to sign, superseded, signed before,
    authorship, independence, order. ``statuses`` are the run's signatures as :func:`check_signature`
    reports them; ``later`` the run's :func:`later_runs` (read when needed if not given)."""
    user_id = actor.user_id

    def refuse(rule: Rule, say: Callable[[], str]) -> Refusal:
        return Refusal(how, rule, say)

    if SIGN_PERMISSION[how] not in program_permissions(session, user_id, program):
        roles = program_roles(session, user_id, program)
        return refuse(
            Rule.role,
            lambda: _(refusals.ROLE).format(
                role=role_words(roles), action=permission_words(SIGN_PERMISSION[how])
            ),
        )
    study = session.get(Study, run.study_id)  # loaded with the run's checks: no query
    if study is not None and SIGN_PERMISSION[how] not in program_permissions(
        session, user_id, program, study.kind
    ):
        outside = scope_refusal(session, user_id, program, (study.kind, study.name))
        if outside is not None:  # a share scoped to other study kinds
            return refuse(Rule.role, outside)
    if run.status != "succeeded" or run.result_json is None:
        return refuse(
            Rule.no_result,
            lambda: _(refusals.NO_RESULT).format(run=repr(run.id), status=repr(run.status)),
        )
    if how is not Meaning.authored:
        used = (later or later_runs(session, run, program)).approved
        if used is not None:
            return refuse(
                Rule.superseded,
                lambda: _(refusals.SUPERSEDED).format(run=used.id),
            )
    mine = [s.signature for s in statuses if s.signature.user_id == user_id]
    content = signed_content_sha256(run)
    if any(sig.meaning == how and sig.content_sha256 == content for sig in mine):
        return refuse(
            Rule.already_signed,
            lambda: _(refusals.ALREADY_SIGNED).format(meaning=_meaning_word(how)),
        )
    ran_it = run.created_by == user_id
    if how is Meaning.authored and not ran_it:
        name = _creator_name(session, run)
        return refuse(
            Rule.authorship,
            lambda: _(refusals.AUTHORSHIP).format(name=name),
        )
    independent = program.segregation_of_duties is not False
    if independent and how is not Meaning.authored:
        authored = any(sig.meaning == Meaning.authored for sig in mine)
        if ran_it or authored:
            return refuse(Rule.independence, lambda: _independence_reason(how, ran_it=ran_it))
        # the approver's own review would stand behind their approval: review and approval are two people
        approved = any(sig.meaning == Meaning.approved and sig.content_sha256 == content for sig in mine)
        if how is Meaning.reviewed and approved:
            return refuse(
                Rule.independence,
                lambda: _(refusals.FOUR_EYES_APPROVED),
            )
    if how is not Meaning.authored and not _holds_authorship(statuses):
        author = _creator_name(session, run)
        return refuse(Rule.order, lambda: _(refusals.NO_AUTHOR).format(name=author))
    if how is Meaning.approved and not _holds_review(statuses, user_id, independent, run.created_by):
        reviews = [s.signature for s in statuses if s.valid and s.signature.meaning == Meaning.reviewed]
        return refuse(Rule.order, lambda: _order_reason(reviews, user_id))
    return None


def _creator_name(session: Session, run: AnalysisRun) -> str:
    """The printed name of the person who ran ``run`` (their id when the account is gone)."""
    creator = session.get(User, run.created_by)
    return creator.display_name if creator is not None else run.created_by


def _holds_authorship(statuses: Sequence[SignatureStatus]) -> bool:
    """Whether a currently valid "authored" signature holds (only the run's creator may sign one)."""
    return any(s.valid and s.signature.meaning == Meaning.authored for s in statuses)


def _order_reason(reviews: Sequence[Signature], approver_id: str) -> str:
    """The refusal of an approval without a currently valid review (``reviews``) by an independent person."""
    if any(r.user_id == approver_id for r in reviews):
        return _(refusals.FOUR_EYES_REVIEWED)
    if reviews:  # only by the run's creator or an author, reviewed while segregation of duties was off
        names = ", ".join(sorted({r.display_name for r in reviews}))
        return _(refusals.ONLY_DEPENDENT_REVIEW).format(name=names)
    return _(refusals.NO_REVIEW)


def _independence_reason(how: Meaning, *, ran_it: bool) -> str:
    """The segregation-of-duties refusal of a review or approval by the run's creator or an author."""
    if how is Meaning.reviewed:
        return _(refusals.RAN_IT_REVIEW if ran_it else refusals.WROTE_IT_REVIEW)
    return _(refusals.RAN_IT_APPROVE if ran_it else refusals.WROTE_IT_APPROVE)


def signing_choices(
    session: Session, actor: Actor, run: AnalysisRun, program: Program, statuses: Sequence[SignatureStatus]
) -> SigningChoices:
    """The meanings ``actor`` may sign on ``run`` now (what a signing form offers), and the reasons for
    the others their role grants (a role that grants none: ``may_sign`` False, no reasons)."""
    later = later_runs(session, run, program)
    refusals = {how: signing_refusal(session, actor, run, program, how, statuses, later) for how in Meaning}
    return SigningChoices(
        meanings=tuple(how for how, why in refusals.items() if why is None),
        refusals=tuple(why for why in refusals.values() if why is not None and why.rule is not Rule.role),
        may_sign=any(why is None or why.rule is not Rule.role for why in refusals.values()),
        later=later,
    )


def _refuse(
    session: Session, actor: Actor, run: AnalysisRun, program: Program, refusal: Refusal
) -> WorkspaceError:
    """Record ``refusal`` in the audit trail (``sign_refused``, reason in English, a note of
    :mod:`bioparity.refusals` that the audit pages show in the reader's language) and commit it, so that
    it survives the refusal's rollback (like ``sign_failed``); the error to raise."""
    with use_language("en"):
        reason = refusal.message
    detail = {"meaning": refusal.meaning.value, "rule": refusal.rule.value, "reason": reason}
    record(session, actor, "sign_refused", "analysis_run", run.id, program, after=detail)
    session.commit()
    return refusal.error()


def run_signatures(session: Session, run: AnalysisRun) -> list[SignatureStatus]:
    """The run's signatures in the order they were made, each checked (:func:`check_signature`)."""
    return runs_signatures(session, [run]).get(run.id, [])


#: The signatures of a list of runs, in the order they were made (built once: see bioparity.store.lookup).
_SIGNATURES_OF_RUNS = (
    select(Signature)
    .where(Signature.run_id.in_(bindparam("run_ids", expanding=True)))
    .order_by(Signature.signed_at)
)


def runs_signatures(session: Session, runs: Sequence[AnalysisRun]) -> dict[str, list[SignatureStatus]]:
    """Each run's signatures (run id -> :func:`run_signatures`; a run without any is absent), read in one
    statement whatever the number of runs: a page listing runs with their signatures does not send one
    query per run."""
    loaded = {run.id: run for run in runs}
    if not loaded:
        return {}
    checked: dict[str, list[SignatureStatus]] = {}
    for sig in session.scalars(_SIGNATURES_OF_RUNS, {"run_ids": list(loaded)}):
        checked.setdefault(sig.run_id, []).append(check_signature(loaded[sig.run_id], sig))
    return checked


def sign_run(
    session: Session,
    actor: Actor,
    run_id: str,
    *,
    username: str,
    password: str,
    meaning: str,
    client: str = "",
) -> Signature:
    """Sign run ``run_id`` as ``actor`` with ``meaning`` after entering both components of the signature,
    ``username`` (the actor's own) and ``password`` (21 CFR 11.200(a)(1)(i): the first signing of a
    period of controlled access uses all its components; a session's sign-in does not stand in for one).
    ``client``: the address the request came from; a wrong password is counted against it as well as the
    account and recorded with it, as at sign-in (21 CFR 11.300(d); NIST SP 800-63B section 5.2.2).

    Raises NotFoundError for a run the actor cannot read; PermissionDeniedError (role, authorship,
    independence, wrong user name or password) or ConflictError (no result, superseded, already signed,
    no valid review before an approval) otherwise, each recorded in the audit trail (see the module
    docstring)."""
    try:
        how = Meaning(meaning)
    except ValueError:
        raise InputError(
            _("unknown meaning %(meaning)r; expected one of %(meanings)s")
            % {"meaning": meaning, "meanings": ", ".join(Meaning)}
        ) from None
    run, _study, program = require_run(session, actor, run_id)
    later = later_runs(session, run, program)
    refusal = signing_refusal(session, actor, run, program, how, run_signatures(session, run), later)
    if refusal is not None and refusal.rule is Rule.role:  # no password asked of a role without the right
        raise _refuse(session, actor, run, program, refusal)
    user = session.get(User, actor.user_id)
    # The signing password is throttled and locked out like sign-in (21 CFR 11.300(d)); a failure is
    # audited and committed before the refusal.
    if user is None or not check_password(
        session,
        actor,
        password,
        client=client,
        audit=FailedPassword("sign_failed", "analysis_run", run.id, program.org_id, program.id),
        username=username,
    ):
        raise PermissionDeniedError(_("signature refused: the user name or password does not match"))
    if refusal is not None:
        raise _refuse(session, actor, run, program, refusal)
    sig = sealed_signature(
        run, user, how, rules=program_rules(program), role=signer_role(session, user.id, program)
    )
    session.add(sig)
    session.flush()
    # a later run of its kind (what the reports use, or a draft that may replace it) is on record with it
    record_change(session, actor, "sign", "signature", sig, program, extra=later.recorded())
    return sig


def sealed_signature(
    run: AnalysisRun, user: User, how: Meaning, *, rules: str | None = None, role: str | None = None
) -> Signature:
    """A new signature of ``user`` on ``run``'s current content with meaning ``how``, signed now under the
    signing ``rules`` in force (:func:`program_rules`) by a signer of ``role`` (:func:`signer_role`; None
    records none of either): its manifest hash and its MAC with the audit key set (not added to a
    session; no rule checked: see :func:`sign_run`)."""
    sig = Signature(
        id=new_id(),
        run_id=run.id,
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        meaning=how.value,
        signed_at=utc_timestamp(),
        content_sha256=signed_content_sha256(run),
        rules=rules,
        signer_role=role,
    )
    sig.signature_sha256 = _manifest_hash(sig)
    sig.mac = signature_mac(sig)
    return sig


def approval_holds(
    statuses: Sequence[SignatureStatus], *, creator: str | None, independent: bool = True
) -> bool:
    """Whether the run these signatures belong to counts as approved: a valid "approved" signature with a
    valid "reviewed" one made before it that the approval may rest on (:func:`_holds_review`: by a person
    independent of the analysis, neither the approver nor the run's ``creator`` nor an author, unless
    segregation of duties was off when the approval was signed (the rule recorded with it; for an
    approval that records none, ``independent``: the program's setting now). An approval recorded
    without such a review (before these rules, or resting on a review by the run's creator made while
    segregation of duties was off) does not count."""
    return any(
        a.valid
        and a.signature.meaning == Meaning.approved
        and _holds_review(
            [r for r in statuses if r.signature.signed_at <= a.signature.signed_at],
            a.signature.user_id,
            _first_known(signed_independent(a.signature), independent),
            creator,
        )
        for a in statuses
    )


def _first_known(recorded: bool | None, otherwise: bool) -> bool:
    return otherwise if recorded is None else recorded


def _verdict(run: AnalysisRun, sig: Signature, key: AuditKey | None) -> tuple[bool, str]:
    """Whether ``sig`` holds for ``run`` and, when not, why (the checks of :func:`check_signature`)."""
    if _manifest_hash(sig) != sig.signature_sha256:
        return False, "the signature record was altered after signing"
    if not signature_sealed(sig, key):
        return (
            False,
            "the signature record does not carry the workspace's seal (audit-key MAC): it was "
            "re-sealed or inserted outside the application",
        )
    if signed_content_sha256(run) != sig.content_sha256:
        return False, "the signed result or its provenance changed after signing"
    return True, ""


#: Verdicts of :func:`check_signature` by everything they are computed from: every field of the signature
#: record (its manifest, stored hash and MAC), the digest of the run's stored texts (:func:`content_key`)
#: and the audit key. A change to any of them is another key, so the checks are computed again; the
#: dashboard checks every signature of a program on each view.
_VERDICTS = Memo(1024)


def check_signature(run: AnalysisRun, sig: Signature) -> SignatureStatus:
    """Whether ``sig`` still holds for ``run``: record unaltered, sealed with the audit key, content same."""
    try:
        key = load_key()
    except AuditKeyError:  # reported by the seal check, after the record's own hash (as without a memo)
        return SignatureStatus(sig, *_verdict(run, sig, None))
    record = (*(getattr(sig, name) for name in (*SIGNATURE_FIELDS, *SIGNATURE_LATER_FIELDS)), sig.mac)
    valid, problem = _VERDICTS.get((record, content_key(run), key), lambda: _verdict(run, sig, key))
    return SignatureStatus(sig, valid, problem)


def list_signatures(session: Session, actor: Actor, run_id: str) -> Sequence[SignatureStatus]:
    run, _study, _program = require_run(session, actor, run_id)
    return run_signatures(session, run)
