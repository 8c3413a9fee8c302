"""MACs of dataset and signature records with the audit key (HMAC-SHA256, RFC 2104).

A record's MAC covers every field that gives it meaning. Someone with write access to the database but
without the key can re-point a dataset to other bytes or re-seal an edited (or invented) signature with
a fresh SHA-256, but cannot produce the MAC, so the record no longer verifies.
"""

from __future__ import annotations

from typing import Any

from bioparity.audit import canonical_json
from bioparity.audit.keys import AuditKey, load_key
from bioparity.store.models import Dataset, Signature

DATASET_PURPOSE = "dataset"
SIGNATURE_PURPOSE = "signature"

#: The fields of a dataset record its MAC covers (what it is, which bytes, who stored it, from what).
DATASET_FIELDS = (
    "id",
    "study_id",
    "name",
    "version",
    "sha256",
    "filename",
    "media_type",
    "validated_for",
    "n_rows",
    "created_by",
    "derived_from_run",
)
#: The fields of a signature record its MAC covers (21 CFR 11.50 manifest and 11.70 link to the record).
SIGNATURE_FIELDS = (
    "id",
    "run_id",
    "user_id",
    "username",
    "display_name",
    "meaning",
    "signed_at",
    "content_sha256",
    "signature_sha256",
)
#: The field of the signing rules in force at signing (revision 0011), covered when the record has them:
#: signatures made before keep their earlier MAC.
SIGNATURE_RULES = "rules"
#: The field of the signer's role(s) on the program at signing (revision 0012), covered when the record has
#: it: signatures made before keep their earlier MAC.
SIGNATURE_SIGNER_ROLE = "signer_role"
#: The fields a signature record's MAC and manifest cover only when they are set (added by later revisions).
SIGNATURE_LATER_FIELDS = (SIGNATURE_RULES, SIGNATURE_SIGNER_ROLE)


def _fields(record: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(record, name) for name in names}


def _dataset_fields(dataset: Dataset) -> dict[str, Any]:
    # The column mapping is covered when there is one (records without one keep their earlier MAC).
    fields = _fields(dataset, DATASET_FIELDS)
    if dataset.column_map is not None:
        fields["column_map"] = dataset.column_map
    return fields


def signature_fields(sig: Signature) -> dict[str, Any]:
    """The fields of a signature record its MAC covers (21 CFR 11.70: its link to the record).

    Parameters
    ----------
    sig : Signature
        The signature record.

    Returns
    -------
    dict[str, Any]
        :data:`SIGNATURE_FIELDS` by name, and each of :data:`SIGNATURE_LATER_FIELDS` the record has.
    """
    return _fields(sig, SIGNATURE_FIELDS) | later_signature_fields(sig)


def later_signature_fields(sig: Signature) -> dict[str, Any]:
    """The fields of :data:`SIGNATURE_LATER_FIELDS` that ``sig`` has (not None), by name: a signature made
    before a revision added one keeps the manifest hash and MAC it was made with."""
    return {name: value for name in SIGNATURE_LATER_FIELDS if (value := getattr(sig, name)) is not None}


def dataset_mac(dataset: Dataset, key: AuditKey | None = None) -> str:
    return (key or load_key()).mac(DATASET_PURPOSE, canonical_json(_dataset_fields(dataset)))


def signature_mac(sig: Signature, key: AuditKey | None = None) -> str:
    return (key or load_key()).mac(SIGNATURE_PURPOSE, canonical_json(signature_fields(sig)))


def dataset_sealed(dataset: Dataset, key: AuditKey | None = None) -> bool:
    """Whether the dataset record carries this key's MAC of its current fields."""
    key = key or load_key()
    return key.check(DATASET_PURPOSE, canonical_json(_dataset_fields(dataset)), dataset.mac)


def signature_sealed(sig: Signature, key: AuditKey | None = None) -> bool:
    """Whether the signature record carries this key's MAC of its current fields."""
    key = key or load_key()
    return key.check(SIGNATURE_PURPOSE, canonical_json(signature_fields(sig)), sig.mac)
