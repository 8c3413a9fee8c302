"""Electronic signatures of analysis results (21 CFR Part 11 §11.50, §11.70, §11.200).

The signer re-enters their password and states the meaning (authored, reviewed, approved). The signature
binds the signer (id, user name, printed name), the UTC time, the meaning and the SHA-256 of the signed
content: the canonical JSON of the run's result together with its provenance (kind, input hashes,
options, software version, run id). If the stored result or provenance changes afterwards, the content
hash no longer matches and the signature is reported invalid; if the signature record itself is edited,
its own hash no longer matches. Because a SHA-256 can be recomputed by anyone with write access to the
database, the record also carries a MAC with the audit key (:mod:`bioparity.workspace.sealing`): a
re-sealed or invented record fails that check.

Segregation of duties (21 CFR 11.10(g) authority checks; EU GMP Annex 11 §2): unless the program's
setting ``segregation_of_duties`` is switched off, the author of a run may not approve it.
"""

from __future__ import annotations

import hashlib
import json
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bioparity.audit import canonical_json, sha256_hex, utc_timestamp
from bioparity.audit.keys import AuditKey, AuditKeyError, load_key
from bioparity.errors import InputError
from bioparity.i18n import gettext as _
from bioparity.memo import Memo
from bioparity.store.models import AnalysisRun, Signature, User, new_id
from bioparity.workspace.access import Actor, require_run
from bioparity.workspace.accounts import FailedPassword, check_password
from bioparity.workspace.errors import ConflictError, PermissionDeniedError
from bioparity.workspace.events import record_change
from bioparity.workspace.roles import SIGN_PERMISSION, Meaning
from bioparity.workspace.sealing import SIGNATURE_FIELDS, signature_mac, signature_sealed


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
    return sha256_hex(
        canonical_json(
            {
                "id": sig.id,
                "run_id": sig.run_id,
                "user_id": sig.user_id,
                "username": sig.username,
                "display_name": sig.display_name,
                "meaning": sig.meaning,
                "signed_at": sig.signed_at,
                "content_sha256": sig.content_sha256,
            }
        )
    )


@dataclass(frozen=True)
class SignatureStatus:
    """A signature and whether it still holds, with the reason when it does not."""

    signature: Signature
    valid: bool
    problem: str


def sign_run(session: Session, actor: Actor, run_id: str, *, password: str, meaning: str) -> Signature:
    try:
        how = Meaning(meaning)
    except ValueError:
        raise InputError(
            _("unknown meaning %(meaning)r; expected one of %(meanings)s")
            % {"meaning": meaning, "meanings": ", ".join(Meaning)}
        ) from None
    run, _study, program = require_run(session, actor, run_id, SIGN_PERMISSION[how])
    user = session.get(User, actor.user_id)
    # The signing password is throttled and locked out like sign-in (21 CFR 11.300(d)); a failure is
    # audited and committed before the refusal.
    if user is None or not check_password(
        session,
        actor,
        password,
        audit=FailedPassword("sign_failed", "analysis_run", run.id, program.org_id, program.id),
    ):
        raise PermissionDeniedError(_("signature refused: the password does not match"))
    if run.status != "succeeded" or run.result_json is None:
        raise ConflictError(
            _("analysis run %(run)r has no result to sign (status %(status)r)")
            % {"run": run.id, "status": run.status}
        )
    if how is Meaning.approved and program.segregation_of_duties and run.created_by == user.id:
        raise PermissionDeniedError(
            _(
                "segregation of duties: you ran analysis %(run)r, so you may not approve it; another "
                "member must approve (program %(program)r setting 'segregation_of_duties')"
            )
            % {"run": run.id, "program": program.name}
        )
    content_hash = sha256_hex(signed_content(run))
    duplicate = session.scalar(
        select(Signature.id).where(
            Signature.run_id == run.id,
            Signature.user_id == user.id,
            Signature.meaning == how.value,
            Signature.content_sha256 == content_hash,
        )
    )
    if duplicate is not None:
        raise ConflictError(_("you have already signed this result as %(meaning)r") % {"meaning": how.value})
    sig = Signature(
        id=new_id(),
        run_id=run.id,
        user_id=user.id,
        username=user.username,
        display_name=user.display_name,
        meaning=how.value,
        signed_at=utc_timestamp(),
        content_sha256=content_hash,
    )
    sig.signature_sha256 = _manifest_hash(sig)
    sig.mac = signature_mac(sig)
    session.add(sig)
    session.flush()
    record_change(session, actor, "sign", "signature", sig, program)
    return sig


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
    record = (*(getattr(sig, name) for name in SIGNATURE_FIELDS), sig.mac)
    valid, problem = _VERDICTS.get((record, content_key(run), key), lambda: _verdict(run, sig, key))
    return SignatureStatus(sig, valid, problem)


def list_signatures(session: Session, actor: Actor, run_id: str) -> Sequence[SignatureStatus]:
    run, _study, _program = require_run(session, actor, run_id)
    sigs = session.scalars(select(Signature).where(Signature.run_id == run.id).order_by(Signature.signed_at))
    return [check_signature(run, s) for s in sigs]
