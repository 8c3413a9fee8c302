"""Password hashing with Argon2id (argon2-cffi): only hashes are stored, verification is constant-time."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bioparity.errors import InputError
from bioparity.i18n import gettext as _

MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# A valid hash of a random secret, verified when the user does not exist so that the answer takes as long.
_DUMMY_HASH = _hasher.hash("bioparity-no-such-user")


def configure_hasher(*, time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4) -> None:
    """Change the Argon2 cost (test suites lower it; production keeps argon2-cffi's RFC 9106 defaults)."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    _DUMMY_HASH = _hasher.hash("bioparity-no-such-user")


def check_password_policy(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InputError(
            _("password too short: at least %(n)d characters expected") % {"n": MIN_PASSWORD_LENGTH}
        )


def hash_password(password: str) -> str:
    check_password_policy(password)
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; for an unknown user pass None (same cost, always False)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
