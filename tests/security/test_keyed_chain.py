"""The keyed audit chain without a database: HMAC-SHA256 checked against OpenSSL, and the verification
rules for keyed, unkeyed, forged and re-hashed rows."""

from __future__ import annotations

from typing import Any

from bioparity.audit import row_hash, verify_chain
from bioparity.audit.chain import GENESIS_HASH, GENESIS_MAC, row_mac
from bioparity.audit.keys import AuditKey
from tests.workspace.test_audit import _rows as unkeyed_rows

KEY = AuditKey(bytes(range(32)), "test")
OTHER = AuditKey(bytes(range(1, 33)), "other")


def test_mac_is_hmac_sha256_of_purpose_newline_message() -> None:
    # printf 'audit-row\nabc' | openssl dgst -sha256 -mac HMAC -macopt hexkey:000102...1f  (OpenSSL 3.0.19)
    expected = "46f8c9c3244cfc56739e2d5f48fc4c2274087ad0fdf185ad07c1846071bfd630"
    assert KEY.mac("audit-row", "abc") == expected
    assert KEY.check("audit-row", "abc", expected) and not KEY.check("dataset", "abc", expected)
    assert "00010203" not in repr(KEY) and KEY.key_id != OTHER.key_id and len(KEY.key_id) == 16


def _rows(n: int, *, keyed_from: int = 1, key: AuditKey = KEY) -> list[dict[str, Any]]:
    """The unkeyed test trail of tests/workspace/test_audit.py, with MACs from row ``keyed_from`` on."""
    rows = unkeyed_rows(n)
    prev_mac = GENESIS_MAC
    for row in rows:
        row["mac"] = None
        if row["seq"] >= keyed_from:
            row["mac"] = prev_mac = row_mac(key, prev_mac, row["row_hash"])
    return rows


def _rehash(rows: list[dict[str, Any]]) -> None:
    """What a forger without the key does after a change: recompute every SHA-256 (MACs left as they are)."""
    prev = GENESIS_HASH
    for row in rows:
        row["prev_hash"] = prev
        row["row_hash"] = prev = row_hash(prev, row)


def _head(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"head_seq": len(rows), "head_hash": rows[-1]["row_hash"], "head_mac": rows[-1]["mac"]}


def test_a_keyed_chain_verifies_and_counts_its_keyed_rows() -> None:
    rows = _rows(6, keyed_from=3)
    result = verify_chain(rows, key=KEY, **_head(rows))
    assert result.intact and result.rows_checked == 6 and result.keyed_rows == 4, result.message()
    assert result.last_mac == rows[-1]["mac"]


def test_an_edited_and_rehashed_row_is_named_by_its_mac() -> None:
    rows = _rows(6)
    rows[3]["actor"] = "mallory"
    _rehash(rows)
    assert verify_chain(rows).intact  # the plain SHA-256 chain is fooled, as on the previous version
    result = verify_chain(rows, key=KEY, **_head(rows))
    assert not result.intact and result.first_broken_seq == 4 and "MAC does not verify" in result.problem


def test_an_old_unkeyed_row_rewritten_breaks_the_first_keyed_row() -> None:
    rows = _rows(6, keyed_from=4)
    rows[1]["actor"] = "mallory"
    _rehash(rows)
    result = verify_chain(rows, key=KEY, **_head(rows))
    assert not result.intact and result.first_broken_seq == 4
    assert "not the one this trail was sealed with" in result.problem  # the first keyed row gives the hint


def test_an_unkeyed_row_after_keyed_rows_is_a_forgery() -> None:
    rows = _rows(5)
    rows[4]["mac"] = None
    result = verify_chain(rows, key=KEY, **_head(rows))
    assert not result.intact and result.first_broken_seq == 5 and "has no MAC" in result.problem


def test_a_trail_without_keyed_rows_or_with_another_key_fails() -> None:
    unkeyed = _rows(3, keyed_from=99)
    result = verify_chain(unkeyed, key=KEY, **_head(unkeyed))
    assert not result.intact and "never keyed" in result.problem
    rows = _rows(3)
    wrong = verify_chain(rows, key=OTHER, **_head(rows))
    assert not wrong.intact and wrong.first_broken_seq == 1


def test_the_head_mac_must_be_the_last_rows() -> None:
    rows = _rows(4)
    head = _head(rows) | {"head_mac": rows[2]["mac"]}
    result = verify_chain(rows, key=KEY, **head)
    assert not result.intact and "MAC does not match the chain head" in result.problem
