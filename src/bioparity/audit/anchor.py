"""Anchors: the audit chain head (sequence number, row hash, MAC, time) appended to a file outside the
database, signed with the audit key.

An anchor file is append-only by convention and, in production, by storage (a WORM bucket, an
append-only mount, a write-once log server). Someone who later rewrites the database cannot rewrite an
anchor there, and cannot forge a new one without the key: ``bioparity audit verify --anchor FILE``
checks that the trail still contains every anchored row with the anchored MAC, so rows removed from the
end (even with the chain head moved back) are reported. One file holds the anchors of one workspace, one
JSON object per line (JSON Lines).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from bioparity.audit.chain import canonical_json
from bioparity.audit.keys import AuditKey
from bioparity.errors import BioparityError

ANCHOR_FORMAT = "bioparity-audit-anchor/1"
ANCHOR_PURPOSE = "audit-anchor"
_FIELDS = ("format", "seq", "row_hash", "mac", "anchored_at", "key_id", "database")


class AnchorError(BioparityError):
    """An anchor file cannot be written or read."""


@dataclass(frozen=True)
class Anchor:
    """One verified anchor line: the chain head at ``anchored_at`` (line number for messages)."""

    seq: int
    row_hash: str
    mac: str
    anchored_at: str
    key_id: str
    database: str
    line: int


def anchor_record(
    key: AuditKey, *, seq: int, row_hash: str, mac: str, anchored_at: str, database: str
) -> dict[str, object]:
    """The anchor as a JSON object, with ``anchor_mac`` = HMAC-SHA256 (key) of its other fields."""
    record: dict[str, object] = {
        "format": ANCHOR_FORMAT,
        "seq": seq,
        "row_hash": row_hash,
        "mac": mac,
        "anchored_at": anchored_at,
        "key_id": key.key_id,
        "database": database,
    }
    record["anchor_mac"] = key.mac(ANCHOR_PURPOSE, canonical_json(record))
    return record


def append_anchor(path: Path, record: dict[str, object]) -> None:
    """Append one line to ``path`` (created if absent), flushed to disk before returning."""
    line = (canonical_json(record) + "\n").encode("utf-8")
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    except OSError as exc:
        raise AnchorError(f"cannot open anchor file {path} for appending: {exc.strerror}") from None
    try:
        os.write(fd, line)
        os.fsync(fd)
    except OSError as exc:
        raise AnchorError(f"cannot append to anchor file {path}: {exc.strerror}") from None
    finally:
        os.close(fd)


def read_anchors(path: Path, key: AuditKey) -> tuple[list[Anchor], list[str]]:
    """The anchors of ``path`` whose signature verifies, and one problem per line that does not."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AnchorError(f"anchor file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorError(f"cannot read anchor file {path}: {exc}") from None
    anchors: list[Anchor] = []
    problems: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        where = f"anchor file {path}, line {number}"
        try:
            record = json.loads(raw)
            fields = {name: record[name] for name in _FIELDS}
            signature = str(record["anchor_mac"])
        except (ValueError, KeyError, TypeError):
            problems.append(f"{where}: not an anchor record (expected JSON with {', '.join(_FIELDS)})")
            continue
        if fields["format"] != ANCHOR_FORMAT:
            problems.append(f"{where}: unknown format {fields['format']!r}; expected {ANCHOR_FORMAT!r}")
            continue
        if fields["key_id"] != key.key_id:
            problems.append(
                f"{where}: anchored with key {fields['key_id']}, but the audit key in use is {key.key_id}"
            )
            continue
        if not key.check(ANCHOR_PURPOSE, canonical_json(fields), signature):
            problems.append(f"{where}: its signature does not verify: the anchor was edited or forged")
            continue
        anchors.append(
            Anchor(
                seq=int(fields["seq"]),
                row_hash=str(fields["row_hash"]),
                mac=str(fields["mac"]),
                anchored_at=str(fields["anchored_at"]),
                key_id=str(fields["key_id"]),
                database=str(fields["database"]),
                line=number,
            )
        )
    if not anchors and not problems:
        problems.append(f"anchor file {path} holds no anchor")
    return anchors, problems
