"""The hash chain of the audit trail: canonical encoding, row digests and verification (pure, no I/O).

Each row's hash covers its own fields *and* the previous row's hash, so editing a row changes its hash,
deleting a row leaves a gap in the sequence and breaks the next row's link, and swapping two rows breaks
the links at the first of them. Verification walks the rows in sequence order and names the first row
whose content, position or link does not match.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bioparity._results import ResultMixin, software_version

#: The ``prev_hash`` of the first row: 64 zeros.
GENESIS_HASH = "0" * 64

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
    """Hash of one audit row: SHA-256 of the previous hash and the canonical JSON of the hashed fields."""
    payload = canonical_json({name: fields.get(name) for name in HASHED_FIELDS})
    return sha256_hex(prev_hash + "\n" + payload)


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

    def message(self) -> str:
        if self.intact:
            return f"audit trail intact: {self.rows_checked} rows, last hash {self.last_hash[:16]}"
        return f"audit trail BROKEN at row {self.first_broken_seq}: {self.problem}"


def verify_chain(
    rows: Iterable[Mapping[Any, Any]], *, head_seq: int | None = None, head_hash: str | None = None
) -> ChainVerification:
    """Check rows (mappings with the hashed fields plus ``prev_hash`` and ``row_hash``) in stored order.

    The rows must be given ordered by ``seq``. ``head_seq``/``head_hash`` (the chain head kept apart from
    the rows) let verification also catch rows removed from the end of the trail.
    """

    def broken(seq: int | None, problem: str, checked: int, last: str) -> ChainVerification:
        return ChainVerification(False, checked, seq, problem, last, software_version())

    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    for row in rows:
        seq = int(row["seq"])
        if seq != expected_seq:
            if seq > expected_seq:
                return broken(
                    expected_seq,
                    f"row {expected_seq} is missing (next row found is {seq}): a row was deleted",
                    checked,
                    expected_prev,
                )
            return broken(seq, f"row {seq} appears out of order or twice", checked, expected_prev)
        if row["prev_hash"] != expected_prev:
            return broken(
                seq,
                "its link to the previous row does not match: a row before it was deleted, "
                "inserted or moved, or this row was moved here",
                checked,
                expected_prev,
            )
        if row_hash(expected_prev, row) != row["row_hash"]:
            return broken(
                seq, "its content does not match its hash: the row was edited", checked, expected_prev
            )
        expected_prev = str(row["row_hash"])
        expected_seq += 1
        checked += 1
    if head_seq is not None and head_seq != checked:
        missing = checked + 1
        return broken(
            missing,
            f"the chain head records {head_seq} rows but only {checked} are present: "
            f"rows from {missing} on were deleted",
            checked,
            expected_prev,
        )
    if head_hash is not None and head_hash != expected_prev:
        return broken(
            checked or None,
            "the last row's hash does not match the chain head: the end of the trail was altered",
            checked,
            expected_prev,
        )
    return ChainVerification(True, checked, None, "", expected_prev, software_version())
