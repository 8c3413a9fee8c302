"""The audit key: a secret held outside the database that keys the audit chain, signatures and datasets.

Whoever can write to the database but does not hold the key cannot produce a valid message
authentication code (MAC), so rows, signatures and dataset records they edit, delete, insert or invent
no longer verify. The MAC is HMAC-SHA256 (RFC 2104; FIPS 198-1) of a purpose label and the message, so a
MAC made for one purpose (an audit row) can never be replayed as another (a signature).

Where the key comes from, first match wins:

1. ``BIOPARITY_AUDIT_KEY``: the key itself, 64 or more hexadecimal digits (at least 32 bytes);
2. ``BIOPARITY_AUDIT_KEY_FILE``: a file holding that hexadecimal text;
3. ``<user config dir>/bioparity/audit.key`` (e.g. ``~/.config/bioparity/audit.key``).

``bioparity db upgrade`` creates the key file (mode 0600) when there is none and the trail has never
been keyed; it never replaces an existing key.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from bioparity.errors import BioparityError

KEY_ENV = "BIOPARITY_AUDIT_KEY"
KEY_FILE_ENV = "BIOPARITY_AUDIT_KEY_FILE"
KEY_BYTES = 32


class AuditKeyError(BioparityError):
    """The audit key is missing, unreadable, malformed or not the key this workspace was sealed with."""


@dataclass(frozen=True, repr=False)
class AuditKey:
    """The secret (never printed) and where it came from."""

    secret: bytes
    source: str

    @property
    def key_id(self) -> str:
        """A public fingerprint of the key (16 hex digits) that says which key sealed what, not the key."""
        return hashlib.sha256(b"bioparity-audit-key-id\n" + self.secret).hexdigest()[:16]

    def mac(self, purpose: str, message: str) -> str:
        """HMAC-SHA256 of ``purpose``, a newline and ``message`` (UTF-8), as 64 lowercase hex digits."""
        data = (purpose + "\n" + message).encode("utf-8")
        return hmac.new(self.secret, data, hashlib.sha256).hexdigest()

    def check(self, purpose: str, message: str, mac: str | None) -> bool:
        """Whether ``mac`` is this key's MAC of the message (constant-time comparison)."""
        return mac is not None and hmac.compare_digest(self.mac(purpose, message), mac)

    def __repr__(self) -> str:
        return f"AuditKey(key_id={self.key_id!r}, source={self.source!r})"


def default_key_path() -> Path:
    """``<user config dir>/bioparity/audit.key``: outside the data folder that holds the SQLite file."""
    return _default_key_path(os.environ.get("XDG_CONFIG_HOME"), os.environ.get("HOME"))


@functools.lru_cache(maxsize=8)
def _default_key_path(_xdg_config_home: str | None, _home: str | None) -> Path:
    # platformdirs' user config folder follows these two variables (XDG Base Directory Specification 0.8
    # on Linux, the home folder on macOS; a fixed known folder on Windows): kept per value, since every
    # signature check asks for the key, and working the folder out took longer than the key file's stat.
    return Path(platformdirs.user_config_dir("bioparity", appauthor=False)) / "audit.key"


def key_path() -> Path | None:
    """The key file in use (``BIOPARITY_AUDIT_KEY_FILE`` or the default); None when the key is in the
    environment."""
    if os.environ.get(KEY_ENV):
        return None
    configured = os.environ.get(KEY_FILE_ENV)
    return Path(configured) if configured else default_key_path()


def _parse(text: str, source: str) -> AuditKey:
    value = text.strip()
    try:
        secret = bytes.fromhex(value)
    except ValueError:
        raise AuditKeyError(
            f"audit key in {source} is not hexadecimal; expected {2 * KEY_BYTES} or more hex digits "
            "(generate one with `bioparity db upgrade`, or "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`)"
        ) from None
    if len(secret) < KEY_BYTES:
        raise AuditKeyError(
            f"audit key in {source} has {len(secret)} bytes; at least {KEY_BYTES} bytes "
            f"({2 * KEY_BYTES} hex digits) are needed"
        )
    return AuditKey(secret, source)


_CACHE: dict[tuple[str, float, int], AuditKey] = {}


def load_key() -> AuditKey:
    """The configured key; raises :class:`AuditKeyError` naming where it was looked for when absent."""
    env_value = os.environ.get(KEY_ENV)
    if env_value:
        return _parse(env_value, f"${KEY_ENV}")
    path = key_path()
    assert path is not None
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise AuditKeyError(
            f"no audit key: {path} does not exist (set ${KEY_FILE_ENV} or ${KEY_ENV}, restore the key "
            "from your backup, or run `bioparity db upgrade` on a workspace that was never keyed)"
        ) from None
    except OSError as exc:
        raise AuditKeyError(f"audit key file {path} cannot be read: {exc.strerror}") from None
    cache_key = (str(path), stat.st_mtime, stat.st_size)
    cached = _CACHE.get(cache_key)
    if cached is not None:
        return cached
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise AuditKeyError(f"audit key file {path} cannot be read: {exc}") from None
    key = _parse(text, str(path))
    _CACHE.clear()
    _CACHE[cache_key] = key
    return key


def create_key_file(path: Path) -> bool:
    """Write a new random key to ``path`` (mode 0600) unless a file is already there; True if created.

    The key is written to a private temporary file first and then linked into place, which fails if a
    file is already there: two processes racing never overwrite each other nor see a half-written key.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        return False
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        temporary.unlink(missing_ok=True)
