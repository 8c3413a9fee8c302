"""Append-only audit trail with a SHA-256 hash chain: who did what, when (UTC), before and after.

``append_event`` adds a row inside the caller's transaction; ``verify_trail`` checks the chain and names the
first edited, deleted or moved row; the pure chain logic lives in :mod:`bioparity.audit.chain`.
"""

from bioparity.audit.chain import (
    GENESIS_HASH,
    SPELLED_INFINITIES,
    ChainVerification,
    canonical_json,
    row_hash,
    sha256_hex,
    verify_chain,
)
from bioparity.audit.trail import append_event, utc_timestamp, verify_session, verify_trail

__all__ = [
    "GENESIS_HASH",
    "SPELLED_INFINITIES",
    "ChainVerification",
    "append_event",
    "canonical_json",
    "row_hash",
    "sha256_hex",
    "utc_timestamp",
    "verify_chain",
    "verify_session",
    "verify_trail",
]
