"""The hash chain of the audit trail: canonical encoding, row digests and verification (pure, no I/O).

Each row's hash covers its own fields *and* the previous row's hash, so editing a row changes its hash,
deleting a row leaves a gap in the sequence and breaks the next row's link, and swapping two rows breaks
the links at the first of them. Verification walks the rows in sequence order and names the first row
whose content, position or link does not match.

A plain hash chain only detects careless changes: whoever can write the table can recompute every hash.
So each row written since the workspace was keyed also carries a MAC, HMAC-SHA256 with the audit key
(held outside the database, see :mod:`bioparity.audit.keys`) of the previous row's MAC and the row's own
hash; without the key a changed, inserted, renumbered or reordered row cannot be given a valid MAC. Rows
from before keying (no MAC) are covered through the first keyed row, whose hash includes their head.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bioparity._results import ResultMixin, software_version
from bioparity.audit.keys import AuditKey

#: The ``prev_hash`` of the first row: 64 zeros.
GENESIS_HASH = "0" * 64

#: The MAC "before" the first keyed row.
GENESIS_MAC = "0" * 64

#: Purpose label of audit-row MACs (see :meth:`bioparity.audit.keys.AuditKey.mac`).
ROW_PURPOSE = "audit-row"

#: The fields of an audit row that its hash covers, in a fixed order.
HASHED_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor",
    "org_id",
    "program_id",
    "action",
    "object_type",
    "object_id",
    "before_json",
    "after_json",
)

#: Hashed too, but only when the row has one: the reason for a change (EU GMP Annex 11 section 9), added
#: in revision 0009. Rows without a reason (all rows written before it) hash exactly as they always did,
#: so the chain and MACs of an existing trail stay valid; a reason added to, removed from or edited in a
#: row changes its hash like any other edit.
OPTIONAL_HASHED_FIELDS = ("reason",)


#: How :func:`canonical_json` spells the infinities (JSON has no token for them), and what a reader of a
#: stored text reads back.
SPELLED_INFINITIES = {"Infinity": math.inf, "-Infinity": -math.inf}


def _json_safe(value: Any) -> Any:
    """Non-finite floats have no JSON spelling: NaN becomes null, infinities the strings ``"Infinity"``."""
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """One fixed text for a JSON value: sorted keys, no spaces, UTF-8, shortest round-trip floats.

    Two equal values always give the same text (and so the same SHA-256), whatever the key order.
    """
    return json.dumps(_json_safe(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def sha256_hex(data: bytes | str) -> str:
    """SHA-256 of bytes (or of the UTF-8 encoding of a text), as 64 lowercase hex digits."""
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def row_hash(prev_hash: str, fields: Mapping[str, Any]) -> str:
    """Hash of one audit row: SHA-256 of the previous hash and the canonical JSON of the hashed fields
    (with each of :data:`OPTIONAL_HASHED_FIELDS` only when the row has a value for it)."""
    hashed = {name: fields.get(name) for name in HASHED_FIELDS}
    hashed |= {name: fields[name] for name in OPTIONAL_HASHED_FIELDS if fields.get(name) is not None}
    payload = canonical_json(hashed)
    return sha256_hex(prev_hash + "\n" + payload)


def row_mac(key: AuditKey, prev_mac: str, this_row_hash: str) -> str:
    """MAC of one audit row: HMAC-SHA256 (key) of the previous row's MAC and this row's hash."""
    return key.mac(ROW_PURPOSE, prev_mac + "\n" + this_row_hash)


@dataclass(frozen=True, repr=False)
class ChainVerification(ResultMixin):
    """Outcome of :func:`verify_chain`.

    ``first_broken_seq`` is the sequence number of the first row that fails (None when intact) and
    ``problem`` says why: edited content, a missing row, a broken link (row deleted or moved) or a
    chain head that does not match the last row (rows removed at the end).
    """

    intact: bool
    rows_checked: int
    first_broken_seq: int | None
    problem: str
    last_hash: str
    software_version: str
    keyed_rows: int = 0
    last_mac: str | None = None

    def message(self) -> str:
        if self.intact:
            keyed = f" ({self.keyed_rows} keyed)" if self.keyed_rows else ""
            return f"audit trail intact: {self.rows_checked} rows{keyed}, last hash {self.last_hash[:16]}"
        return f"audit trail BROKEN at row {self.first_broken_seq}: {self.problem}"

    def summary(self) -> str:
        return self.message()


def verify_chain(
    rows: Iterable[Mapping[Any, Any]],
    *,
    head_seq: int | None = None,
    head_hash: str | None = None,
    key: AuditKey | None = None,
    head_mac: str | None = None,
) -> ChainVerification:
    """Check rows (mappings with the hashed fields plus ``prev_hash``, ``row_hash`` and, when keyed,
    ``mac``) in stored order.

    The rows must be given ordered by ``seq``. ``head_seq``/``head_hash`` (the chain head kept apart from
    the rows) let verification also catch rows removed from the end of the trail. With ``key``, every row
    from the first keyed one on must carry a valid MAC, at least one row must be keyed, and the head's
    MAC must be the last row's.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    keyed = 0
    prev_mac = GENESIS_MAC

    def broken(seq: int | None, problem: str) -> ChainVerification:
        return ChainVerification(
            False, checked, seq, problem, expected_prev, software_version(), keyed, prev_mac
        )

    for row in rows:
        seq = int(row["seq"])
        if seq != expected_seq:
            if seq > expected_seq:
                return broken(
                    expected_seq,
                    f"row {expected_seq} is missing (next row found is {seq}): a row was deleted",
                )
            return broken(seq, f"row {seq} appears out of order or twice")
        if row["prev_hash"] != expected_prev:
            return broken(
                seq,
                "its link to the previous row does not match: a row before it was deleted, "
                "inserted or moved, or this row was moved here",
            )
        if row_hash(expected_prev, row) != row["row_hash"]:
            return broken(seq, "its content does not match its hash: the row was edited")
        if key is not None:
            mac = row.get("mac")
            if mac is None and keyed:
                return broken(
                    seq,
                    "it has no MAC although the rows before it are keyed: it was inserted or rewritten "
                    "by someone without the audit key",
                )
            if mac is not None:
                if row_mac(key, prev_mac, str(row["row_hash"])) != mac:
                    hint = (
                        " (or the audit key in use is not the one this trail was sealed with)"
                        if not keyed
                        else ""
                    )
                    return broken(
                        seq,
                        "its MAC does not verify with the audit key: the row was edited, renumbered, "
                        f"moved or forged and its hashes recomputed without the key{hint}",
                    )
                prev_mac = str(mac)
                keyed += 1
        expected_prev = str(row["row_hash"])
        expected_seq += 1
        checked += 1
    if head_seq is not None and head_seq != checked:
        missing = checked + 1
        return broken(
            missing,
            f"the chain head records {head_seq} rows but only {checked} are present: "
            f"rows from {missing} on were deleted",
        )
    if head_hash is not None and head_hash != expected_prev:
        return broken(
            checked or None,
            "the last row's hash does not match the chain head: the end of the trail was altered",
        )
    if key is not None:
        if not keyed:
            return broken(
                None,
                "no row of the trail carries a MAC: the trail was never keyed (run `bioparity db "
                "upgrade`) or every keyed row was removed",
            )
        if head_seq is not None and head_mac != prev_mac:
            return broken(
                checked or None,
                "the last row's MAC does not match the chain head: the end of the trail was altered",
            )
    return ChainVerification(True, checked, None, "", expected_prev, software_version(), keyed, prev_mac)
