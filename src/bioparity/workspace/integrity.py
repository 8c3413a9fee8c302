"""Sealing a workspace with the audit key, and verifying everything a regulator relies on against it.

:func:`upgrade` migrates the schema and then runs :func:`seal` (``bioparity db upgrade`` and server
start-up). The first time,
it creates the key file when none exists, appends an ``audit_keyed`` row whose hash covers the whole
unkeyed trail before it, and MACs the existing dataset and signature records; afterwards it only checks
that the configured key is the one the trail was sealed with (a wrong or lost key stops the server
rather than writing rows nobody can verify).

:func:`verify_workspace` (``bioparity audit verify``) checks, from one consistent snapshot:

* the audit chain: hashes, links and each keyed row's MAC (:func:`bioparity.audit.verify_chain`);
* every dataset: its seal, its bytes against its SHA-256, and its record against its ``upload`` row;
* every analysis run: its result against its SHA-256, its inputs against their datasets (a second dataset
  named by an option, such as NCA's ``dosing``, too), and its record
  against its ``run`` row;
* every signature: its seal, its manifest hash, the signed content, that the role it recorded at signing
  (revision 0012) allows its meaning, and its record against its ``sign`` row; an object without its
  audit row (or an audit row without its object) is reported;
* every signer's authority then: the roles on the program rebuilt from the trail's membership and share
  rows before the signature's ``sign`` row, against the role the signature recorded (a signer who was no
  member then is reported, also for signatures made before roles were recorded);
* every record that grants access or sets a GxP control (users, memberships, program shares, programs,
  studies): each compared field against the value the last audit row that set it recorded (a role
  raised, a share widened, segregation of duties switched off, a user's printed name or a study's name
  changed in the database); a record that no audit row created, or one a row recorded as removed, is
  reported;
* with ``anchor``: every anchor line's signature, and that the trail still holds each anchored row
  with the anchored MAC (rows removed from the end are caught even if the chain head was moved back).
  Without an anchor, rows removed from the end together with the chain head cannot be detected, and the
  report says so (:data:`NO_ANCHOR`).

Each problem names the object (type and id) or the row (sequence number).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, load_only

from bioparity._results import ResultMixin, software_version
from bioparity.analyses.registry import get_analysis
from bioparity.audit import append_event, sha256_hex
from bioparity.audit.anchor import Anchor, read_anchors
from bioparity.audit.chain import GENESIS_MAC, ChainVerification, row_mac
from bioparity.audit.keys import AuditKey, AuditKeyError, create_key_file, key_path, load_key
from bioparity.audit.trail import verify_session
from bioparity.errors import BioparityError
from bioparity.store.engine import READ_ONLY_OPTION
from bioparity.store.migrate import head_revision, upgrade_schema
from bioparity.store.models import (
    AnalysisRun,
    AuditEvent,
    AuditHead,
    Blob,
    Dataset,
    Membership,
    Program,
    ProgramShare,
    Signature,
    Study,
    User,
)
from bioparity.utc import utc_moment
from bioparity.workspace.sealing import (
    SIGNATURE_FIELDS,
    SIGNATURE_LATER_FIELDS,
    dataset_mac,
    dataset_sealed,
    signature_mac,
)
from bioparity.workspace.signatures import check_signature, recorded_roles, role_granted, roles_text

SEAL_ACTION = "audit_keyed"
#: Said by a report that was verified without an anchor (the chain alone cannot show a shortened end).
NO_ANCHOR = (
    "no anchor checked: rows deleted from the end of the trail together with the chain head cannot be "
    "detected without one; keep anchors with 'bioparity audit anchor --to FILE' (daily, to write-once "
    "storage) and verify with --anchor FILE"
)


@dataclass(frozen=True)
class SealOutcome:
    """What :func:`seal` did: the key's source, whether it created the key file and/or sealed the trail."""

    key_source: str
    key_id: str
    key_created: bool
    sealed_now: bool


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Bring the database to ``revision`` (default: the latest); returns the revision now in place.

    At the latest revision the workspace is then sealed with the audit key (created if the trail was
    never keyed; see :func:`seal`). :func:`bioparity.store.upgrade_schema` migrates without sealing.
    """
    now = upgrade_schema(engine, revision)
    if revision == "head" or now == head_revision():
        seal(engine)
    return now


def _begin(engine: Engine) -> Session:
    return Session(bind=engine, expire_on_commit=False)


def seal(engine: Engine) -> SealOutcome:
    """Key the workspace if it is not keyed yet (creating the key file if needed); else check the key."""
    with _begin(engine) as session, session.begin():
        head = session.execute(select(AuditHead).where(AuditHead.id == 1).with_for_update()).scalar_one()
        keyed = head.mac is not None
        created = False
        try:
            key = load_key()
        except AuditKeyError:
            path = key_path()
            if keyed or path is None:
                raise
            created = create_key_file(path)
            key = load_key()
        if keyed:
            _check_key_matches(session, head, key)
            return SealOutcome(key.source, key.key_id, created, False)
        datasets = list(session.scalars(select(Dataset).where(Dataset.mac.is_(None))))
        for dataset in datasets:
            dataset.mac = dataset_mac(dataset, key)
        signatures = list(session.scalars(select(Signature).where(Signature.mac.is_(None))))
        for sig in signatures:
            sig.mac = signature_mac(sig, key)
        append_event(
            session,
            actor_id=None,
            actor="system",
            action=SEAL_ACTION,
            object_type="audit_trail",
            after={
                "unkeyed_rows": head.seq,
                "unkeyed_head": head.hash,
                "key_id": key.key_id,
                "datasets_sealed": len(datasets),
                "signatures_sealed": len(signatures),
            },
            key=key,
        )
    return SealOutcome(key.source, key.key_id, created, True)


def _check_key_matches(session: Session, head: AuditHead, key: AuditKey) -> None:
    last = session.get(AuditEvent, head.seq)
    if last is None or last.mac is None:
        return  # the trail is damaged; `audit verify` reports it, the server must still start
    prev = session.get(AuditEvent, head.seq - 1) if head.seq > 1 else None
    prev_mac = prev.mac if prev is not None and prev.mac is not None else GENESIS_MAC
    if row_mac(key, prev_mac, last.row_hash) != last.mac:
        raise AuditKeyError(
            f"the audit key from {key.source} (key id {key.key_id}) is not the key this workspace's "
            "audit trail was sealed with: restore the right key file (see your key backup) or set "
            "BIOPARITY_AUDIT_KEY_FILE to it; nothing was written"
        )


@dataclass(frozen=True, repr=False)
class IntegrityReport(ResultMixin):
    """Outcome of :func:`verify_workspace`: the chain, every problem found (each naming its object),
    what was checked, and the anchor file used (None when none was given)."""

    SETTINGS = ("anchor", "key_id")

    intact: bool
    chain: ChainVerification
    problems: tuple[str, ...]
    checked: dict[str, int]
    anchor: str | None
    key_id: str
    software_version: str

    def message(self) -> str:
        counts = ", ".join(f"{n} {what}" for what, n in self.checked.items())
        if self.intact:
            anchored = f"; extends the anchor in {self.anchor}" if self.anchor else ""
            message = f"{self.chain.message()}; checked {counts}{anchored}; key {self.key_id}"
        else:
            lines = [f"workspace integrity BROKEN: {len(self.problems)} problem(s) (key {self.key_id})"]
            lines += [f"  - {p}" for p in self.problems]
            message = "\n".join(lines)
        return message if self.anchor else f"{message}\n{NO_ANCHOR}"

    def _repr_fields(self) -> list[str]:
        return ["intact", "problems", "checked", "anchor", "key_id"]

    def summary(self) -> str:
        counts = ", ".join(f"{n} {what}" for what, n in self.checked.items())
        state = "intact" if self.intact else f"BROKEN, {len(self.problems)} problem(s)"
        lines = [f"Workspace integrity: {state} (key {self.key_id}); checked {counts}", self.chain.message()]
        lines += [f"  - {p}" for p in self.problems[:3]]
        return "\n".join(line if len(line) <= 120 else line[:117] + "..." for line in lines)


@dataclass
class _Recorded:
    rows: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)

    def add(self, object_type: str, object_id: str, seq: int, after: dict[str, Any]) -> None:
        self.rows.setdefault((object_type, object_id), []).append((seq, after))

    def pop(self, object_type: str, object_id: str) -> list[tuple[int, dict[str, Any]]]:
        return self.rows.pop((object_type, object_id), [])


_RECORDED_ACTIONS = {("dataset", "upload"), ("analysis_run", "run"), ("signature", "sign")}
_COMPARED = {
    "dataset": ("study_id", "name", "version", "sha256", "filename", "created_by", "derived_from_run"),
    "analysis_run": (
        "study_id",
        "dataset_id",
        "kind",
        "inputs_json",
        "options_json",
        "software_version",
        "status",
        "result_sha256",
        "created_by",
    ),
    # Every field the signature's MAC covers (the id is how its audit row is found).
    "signature": (*(name for name in SIGNATURE_FIELDS if name != "id"), *SIGNATURE_LATER_FIELDS),
}
_LABEL = {"dataset": "dataset", "analysis_run": "analysis run", "signature": "signature"}
#: Records whose creation time is compared with the time their audit row recorded (a signature's
#: ``signed_at`` is text and one of its compared fields).
_TIMED = frozenset({"dataset", "analysis_run"})


def _same_time(recorded: Any, stored: datetime | None) -> bool:
    """Whether the creation time an audit row recorded (ISO 8601 text, with or without its offset) is the
    stored one, both read as UTC (:func:`bioparity.utc.utc_moment`); a row that recorded none matches."""
    if recorded is None or stored is None:
        return recorded is None
    try:
        return utc_moment(str(recorded)) == utc_moment(stored)
    except ValueError:
        return False


def _option_input_problems(
    run: AnalysisRun, inputs: Any, datasets: dict[str, Dataset], label: str, runs: dict[str, AnalysisRun]
) -> list[str]:
    """A run's second datasets (options of type ``dataset``, e.g. NCA's ``dosing``): each must still be in
    the store and be the bytes the run read (its SHA-256 recorded under the option's name in the inputs);
    the runs its options of type ``run`` name (e.g. ``cut_point_run``) likewise, with their result's
    SHA-256."""
    try:
        options = json.loads(run.options_json or "{}")
        analysis = get_analysis(run.kind)
    except (ValueError, KeyError, BioparityError):  # an unknown kind or unreadable options: nothing to match
        return []
    if not isinstance(options, dict):
        return []
    recorded = inputs if isinstance(inputs, dict) else {}
    # option -> (what it names, the SHA-256 of what the run read from it: None when it is not in the store)
    found: list[tuple[str, str, str | None]] = [
        (o.name, "dataset", d.sha256 if (d := datasets.get(str(options.get(o.name)))) else None)
        for o in analysis.dataset_options
    ] + [
        (o.name, "run", (r.result_sha256 or "") if (r := runs.get(str(options.get(o.name)))) else None)
        for o in analysis.run_options
    ]
    problems = []
    for name, noun, digest in found:
        chosen = options.get(name)
        if not chosen:
            continue
        if digest is None:
            problems.append(f"{label}: {noun} {chosen} of its option {name} is missing from the store")
        elif recorded.get(name) != digest:
            hashed = "dataset" if noun == "dataset" else "the result of run"
            problems.append(
                f"{label}: its input hash {recorded.get(name)} for option {name} is not the SHA-256 of "
                f"{hashed} {chosen}"
            )
    return problems


def _against_audit(recorded: _Recorded, object_type: str, obj: Any, label: str, problems: list[str]) -> None:
    rows = recorded.pop(object_type, obj.id)
    if not rows:
        problems.append(
            f"{label} has no audit row recording its creation: it was inserted outside the application "
            "(invented), or its audit row was deleted"
        )
        return
    seq, after = rows[0]
    changed = [name for name in _COMPARED[object_type] if after.get(name) != getattr(obj, name)]
    if object_type in _TIMED and not _same_time(after.get("created_at"), obj.created_at):
        changed.append("created_at")  # back-dated or post-dated (ALCOA: contemporaneous)
    if changed:
        problems.append(
            f"{label} differs from its audit row {seq} in {', '.join(changed)}: the record was changed "
            "after it was recorded"
        )
    if len(rows) > 1:
        problems.append(
            f"{label} is recorded as created by several audit rows ({', '.join(str(r[0]) for r in rows)})"
        )


def _recorded(session: Session) -> _Recorded:
    recorded = _Recorded()
    query = select(
        AuditEvent.seq, AuditEvent.object_type, AuditEvent.object_id, AuditEvent.action, AuditEvent.after_json
    )
    for seq, object_type, object_id, action, after_json in session.execute(query.order_by(AuditEvent.seq)):
        if (object_type, action) in _RECORDED_ACTIONS and object_id is not None:
            try:
                after = json.loads(after_json or "{}")
            except ValueError:
                after = {}
            recorded.add(object_type, object_id, seq, after if isinstance(after, dict) else {})
    return recorded


def _check_objects(session: Session, key: AuditKey, problems: list[str]) -> dict[str, int]:
    recorded = _recorded(session)
    datasets = list(session.scalars(select(Dataset).order_by(Dataset.created_at, Dataset.id)))
    by_id = {d.id: d for d in datasets}
    digests: dict[str, str | None] = {}  # blob address -> SHA-256 of its bytes (None: missing)
    for dataset in datasets:
        label = f"dataset {dataset.id} ({dataset.name!r} v{dataset.version}, file {dataset.filename!r})"
        if not dataset_sealed(dataset, key):
            problems.append(
                f"{label}: its record does not carry the audit-key seal: it was edited (e.g. re-pointed to "
                "other bytes) or inserted without the key"
            )
        if dataset.sha256 not in digests:  # bytes read one blob at a time, not kept
            content = session.scalar(select(Blob.content).where(Blob.sha256 == dataset.sha256))
            digests[dataset.sha256] = None if content is None else sha256_hex(bytes(content))
        digest = digests[dataset.sha256]
        if digest is None:
            problems.append(f"{label}: its bytes (SHA-256 {dataset.sha256}) are missing from the store")
        elif digest != dataset.sha256:
            problems.append(
                f"{label}: its stored bytes do not match their SHA-256 {dataset.sha256}: replaced"
            )
        _against_audit(recorded, "dataset", dataset, label, problems)
    runs = list(session.scalars(select(AnalysisRun).order_by(AnalysisRun.created_at, AnalysisRun.id)))
    runs_by_id = {r.id: r for r in runs}
    for run in runs:
        label = f"analysis run {run.id} ({run.kind})"
        if run.result_json is not None and sha256_hex(run.result_json) != run.result_sha256:
            problems.append(f"{label}: its stored result does not match its SHA-256: the result was edited")
        source = by_id.get(run.dataset_id)
        inputs = json.loads(run.inputs_json or "{}")
        if source is not None and isinstance(inputs, dict) and inputs.get("dataset") != source.sha256:
            problems.append(
                f"{label}: its input hash {inputs.get('dataset')} is not the SHA-256 of dataset {source.id}"
            )
        problems += _option_input_problems(run, inputs, by_id, label, runs_by_id)
        _against_audit(recorded, "analysis_run", run, label, problems)
    sigs = list(session.scalars(select(Signature).order_by(Signature.signed_at, Signature.id)))
    for sig in sigs:
        label = f"signature {sig.id} ({sig.display_name}, {sig.meaning}, run {sig.run_id})"
        signed = runs_by_id.get(sig.run_id)
        if signed is None:
            problems.append(f"{label}: the signed run is missing")
        else:
            status = check_signature(signed, sig)
            if not status.valid:
                problems.append(f"{label}: {status.problem}")
        if role_granted(sig) is False:  # 21 CFR 11.10(g): signed by someone whose role did not allow it
            problems.append(
                f"{label}: its recorded role at signing ({sig.signer_role}) does not allow signing as "
                f"{sig.meaning}"
            )
        _against_audit(recorded, "signature", sig, label, problems)
    for (object_type, object_id), rows in sorted(recorded.rows.items()):
        seqs = ", ".join(str(seq) for seq, _ in rows)
        problems.append(
            f"{_LABEL[object_type]} {object_id} recorded in audit row {seqs} is missing from the store: "
            "deleted"
        )
    return {"datasets": len(datasets), "analysis runs": len(runs), "signatures": len(sigs)}


@dataclass(frozen=True)
class _Tracked:
    """A table whose records grant access or set a GxP control, as the trail records them: the audit
    ``object_type``, the actions whose ``after`` is the record as it then was (``record_change``), the
    action that removes it, the fields compared, and the value of a field that rows written before its
    column existed do not hold (the migration's default)."""

    model: Any
    table: str
    object_type: str
    sets: frozenset[str]
    removes: str | None
    fields: tuple[str, ...]
    unrecorded: dict[str, Any] = field(default_factory=dict)


_TRACKED = (
    _Tracked(User, "users", "user", frozenset({"create", "deactivate", "reactivate"}), None,
             ("username", "display_name", "is_active")),
    _Tracked(Membership, "memberships", "membership", frozenset({"grant", "update"}), "revoke",
             ("org_id", "user_id", "role")),
    _Tracked(ProgramShare, "program_shares", "share",
             frozenset({"share", "update", "share_accept", "share_decline"}), "unshare",
             ("program_id", "org_id", "role", "status", "pending_role", "scope"),
             # revision 0003 added status and pending role, 0010 the scope (none: the whole program)
             {"status": "accepted", "pending_role": None, "scope": None}),
    _Tracked(Program, "programs", "program", frozenset({"create", "update"}), None,
             ("org_id", "name", "inn", "reference_product", "modality", "target_regions", "description",
              "segregation_of_duties", "created_by"),
             {"segregation_of_duties": True}),  # revision 0002 added it, on for every program
    _Tracked(Study, "studies", "study", frozenset({"create"}), None,
             ("program_id", "name", "kind", "description", "created_by")),
)  # fmt: skip


@dataclass
class _Trail:
    """What the trail last recorded of one record: each field's value and the row that set it, and the
    row that removed the record (None while it exists)."""

    values: dict[str, tuple[Any, int]] = field(default_factory=dict)
    removed: int | None = None


def _tracked_rows(session: Session, tracked: _Tracked) -> Iterator[tuple[int, str, dict[str, Any] | None]]:
    """The audit rows that set or remove a record of ``tracked``, in order: (sequence number, record id,
    the compared fields the row recorded; None for the row that removed it)."""
    query = (
        select(AuditEvent.seq, AuditEvent.object_id, AuditEvent.action, AuditEvent.after_json)
        .where(
            AuditEvent.object_type == tracked.object_type,
            AuditEvent.action.in_([*tracked.sets, tracked.removes or ""]),
            AuditEvent.object_id.is_not(None),
        )
        .order_by(AuditEvent.seq)
    )
    for seq, object_id, action, after_json in session.execute(query):
        if action == tracked.removes:
            yield seq, str(object_id), None
            continue
        try:
            after = json.loads(after_json or "{}")
        except ValueError:
            after = {}
        fields = after if isinstance(after, dict) else {}
        yield seq, str(object_id), {name: fields[name] for name in tracked.fields if name in fields}


def _trails(session: Session, tracked: _Tracked) -> dict[str, _Trail]:
    """Each record's :class:`_Trail`, replayed from its audit rows in order."""
    trails: dict[str, _Trail] = {}
    for seq, object_id, fields in _tracked_rows(session, tracked):
        trail = trails.setdefault(object_id, _Trail())
        if fields is None:
            trail.removed = seq
        else:
            trail.values |= {name: (value, seq) for name, value in fields.items()}
    return trails


def _record_problems(tracked: _Tracked, obj: Any, trail: _Trail | None) -> list[str]:
    label = f"{tracked.table} record {obj.id}"
    if trail is None or not trail.values:
        return [
            f"{label} has no audit row recording it: it was inserted outside the application, or its "
            "audit rows were deleted"
        ]
    problems = []
    if trail.removed is not None:
        problems.append(
            f"{label} is recorded as removed by audit row {trail.removed} but is still in the database"
        )
    first = min(seq for _value, seq in trail.values.values())
    for name in tracked.fields:
        recorded, seq = trail.values.get(name, (tracked.unrecorded.get(name), first))
        stored = getattr(obj, name)
        if recorded != stored:
            problems.append(
                f"{label}: {name} is {stored!r} in the database, but the last audit row that set it "
                f"(row {seq}) recorded {recorded!r}: changed outside the application"
            )
    return problems


def _check_records(session: Session, problems: list[str]) -> dict[str, int]:
    """Every access and GxP-setting record against the audit rows that recorded it (module docstring)."""
    checked = {}
    for tracked in _TRACKED:
        trails = _trails(session, tracked)
        records = list(session.scalars(select(tracked.model).order_by(tracked.model.id)))
        for obj in records:
            problems += _record_problems(tracked, obj, trails.get(obj.id))
        checked[tracked.table.replace("_", " ")] = len(records)
    return checked


#: The records whose audit rows say who held which role on a program, replayed to the time of each
#: signature (:func:`_check_signers`): memberships of organisations and the shares of programs with them.
_ACCESS = tuple(t for t in _TRACKED if t.object_type in {"membership", "share"})


def _roles_then(
    state: dict[tuple[str, str], dict[str, Any]], user_id: str, program_id: str, owner_org: str
) -> tuple[tuple[str, str | None], ...]:
    """The roles the replayed ``state`` gives ``user_id`` on the program, as
    :func:`~bioparity.workspace.access.program_roles` gives them from the store (sorted): (role, None) as a
    member of the owning organisation, (member role, share role) as a member of a partner organisation
    the program was shared with (accepted)."""
    shares = {
        fields.get("org_id"): fields.get("role")
        for (kind, _id), fields in state.items()
        if kind == "share" and fields.get("program_id") == program_id and fields.get("status") == "accepted"
    }
    found: list[tuple[str, str | None]] = []
    for (kind, _id), fields in state.items():
        if kind != "membership" or fields.get("user_id") != user_id:
            continue
        if fields.get("org_id") == owner_org:
            found.append((str(fields.get("role")), None))
        if (share := shares.get(fields.get("org_id"))) is not None:
            found.append((str(fields.get("role")), str(share)))
    return tuple(sorted(found, key=lambda r: (r[0], r[1] or "")))


def _check_signers(session: Session, problems: list[str]) -> None:
    """Every signature against the signer's roles on its program when it was signed, rebuilt from the
    trail: the membership rows (grant, role change, revoke) and the share rows (offer, accept, decline,
    role change, unshare) before its ``sign`` row (21 CFR 11.10(g); 11.10(d): only authorised individuals
    sign). Reported: a signer who, by the trail, was not a member of the program's organisation nor of a
    partner organisation it was shared with then, and a recorded role at signing (revision 0012) that is
    not the replayed one (a role written with the signature that the memberships of the time did not
    give). Signatures made before roles were recorded are checked for membership only; a signature
    without its ``sign`` row is reported by :func:`_check_objects`."""
    query_signed = select(AuditEvent.object_id, AuditEvent.seq).where(
        AuditEvent.object_type == "signature", AuditEvent.action == "sign"
    )
    signed = {str(object_id): int(seq) for object_id, seq in session.execute(query_signed)}
    query = (
        select(Signature, Study.program_id, Program.org_id)
        .join(AnalysisRun, AnalysisRun.id == Signature.run_id)
        .join(Study, Study.id == AnalysisRun.study_id)
        .join(Program, Program.id == Study.program_id)
        .options(load_only(*(getattr(Signature, n) for n in SIGNATURE_FIELDS), Signature.signer_role))
    )
    sigs = sorted(
        ((signed[sig.id], sig, program_id, org_id) for sig, program_id, org_id in session.execute(query)
         if sig.id in signed),
        key=lambda item: item[0],
    )  # fmt: skip
    history = sorted(
        (seq, tracked.object_type, object_id, tracked.unrecorded, fields)
        for tracked in _ACCESS
        for seq, object_id, fields in _tracked_rows(session, tracked)
    )
    state: dict[tuple[str, str], dict[str, Any]] = {}
    position = 0
    for seq, sig, program_id, org_id in sigs:
        while position < len(history) and history[position][0] < seq:
            _at, kind, object_id, unrecorded, fields = history[position]
            if fields is None:
                state.pop((kind, object_id), None)
            else:
                state[(kind, object_id)] = unrecorded | state.get((kind, object_id), {}) | fields
            position += 1
        label = f"signature {sig.id} ({sig.display_name}, {sig.meaning}, run {sig.run_id})"
        then = _roles_then(state, sig.user_id, program_id, org_id)
        recorded = recorded_roles(sig.signer_role)
        if not then:
            problems.append(
                f"{label}: by the audit trail's membership and share rows before its audit row {seq}, the "
                "signer was not a member of the program's organisation nor of a partner organisation it "
                "was shared with when signing"
            )
        elif recorded is not None and tuple(sorted(recorded, key=lambda r: (r[0], r[1] or ""))) != then:
            problems.append(
                f"{label}: its recorded role at signing ({sig.signer_role}) is not the role the audit "
                f"trail's membership and share rows before its audit row {seq} give the signer "
                f"({roles_text(then)})"
            )


def _check_anchors(session: Session, anchors: list[Anchor], path: Path, problems: list[str]) -> None:
    for anchor in anchors:
        where = f"anchor {path}:{anchor.line} (row {anchor.seq}, {anchor.anchored_at})"
        row = session.get(AuditEvent, anchor.seq)
        if row is None:
            problems.append(
                f"{where}: audit row {anchor.seq} is missing: rows were deleted from the trail after "
                "this anchor was taken"
            )
        elif row.mac != anchor.mac or row.row_hash != anchor.row_hash:
            problems.append(
                f"{where}: audit row {anchor.seq} differs from the anchored row: the trail was "
                "rewritten after the anchor"
            )


def verify_session_integrity(
    session: Session, key: AuditKey | None = None, anchor: Path | None = None
) -> IntegrityReport:
    """Everything :func:`verify_workspace` checks, inside the session's transaction."""
    key = key or load_key()
    chain = verify_session(session, key)
    problems: list[str] = []
    if not chain.intact:
        problems.append(chain.message())
    checked = {"audit rows": chain.rows_checked}
    checked |= _check_objects(session, key, problems)
    checked |= _check_records(session, problems)
    _check_signers(session, problems)
    if anchor is not None:
        anchors, anchor_problems = read_anchors(anchor, key)
        problems += anchor_problems
        _check_anchors(session, anchors, anchor, problems)
        checked["anchors"] = len(anchors)
    return IntegrityReport(
        intact=not problems,
        chain=chain,
        problems=tuple(problems),
        checked=checked,
        anchor=None if anchor is None else str(anchor),
        key_id=key.key_id,
        software_version=software_version(),
    )


def verify_workspace(
    engine: Engine, key: AuditKey | None = None, anchor: Path | None = None
) -> IntegrityReport:
    """Verify the trail, datasets, runs, signatures and (optionally) anchors from one snapshot."""
    options: dict[str, Any] = {READ_ONLY_OPTION: True}
    if engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"
    with engine.connect().execution_options(**options) as connection, Session(bind=connection) as session:
        return verify_session_integrity(session, key, anchor)
