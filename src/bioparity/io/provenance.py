"""Provenance next to an output file: input SHA-256s, options and software version.

``OUT.provenance.json`` lets a reviewer tie a result file to exactly what produced it. Nothing is written
next to a device such as ``/dev/stdout``.

A command that reads a large input can start its digest with :func:`sha256_in_background` before parsing
it: the file is hashed in a thread while the parser works (``hashlib`` and file reads release the GIL), and
:func:`file_sha256` of the unchanged file then takes that digest instead of reading the file again. The
digest is that of FIPS 180-4 SHA-256 over the file's bytes either way.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from bioparity import __version__
from bioparity.io.files import atomic_write_text
from bioparity.io.tables_out import will_be_file
from bioparity.strict_json import dumps_strict

#: Bytes read per step while hashing.
_BLOCK = 1 << 20

#: Digests started by :func:`sha256_in_background`: resolved path -> (file identity when started, digest).
_PENDING: dict[str, tuple[tuple[int, int, int], Future[str]]] = {}


def _identity(path: Path) -> tuple[int, int, int]:
    """Inode, size and modification time: a file rewritten since has another identity."""
    st = path.stat()
    return st.st_ino, st.st_size, st.st_mtime_ns


def _read_sha256(path: str | os.PathLike[str]) -> str:
    digest = hashlib.sha256()
    buffer = bytearray(_BLOCK)
    view = memoryview(buffer)
    with open(path, "rb", buffering=0) as fh:
        while n := fh.readinto(buffer):
            digest.update(view[:n])
    return digest.hexdigest()


def sha256_in_background(path: str | os.PathLike[str]) -> None:
    """Start the SHA-256 of ``path`` in a daemon thread; :func:`file_sha256` of the same, unchanged file
    waits for it instead of reading the file again. Nothing happens when ``path`` is not a regular file
    (the reader reports that)."""
    file = Path(path)
    try:
        if not file.is_file():
            return
        identity = _identity(file)
        key = str(file.resolve())
    except OSError:
        return
    done: Future[str] = Future()

    def work() -> None:
        try:
            done.set_result(_read_sha256(file))
        except BaseException as exc:  # handed to the caller of file_sha256
            done.set_exception(exc)

    _PENDING[key] = (identity, done)
    threading.Thread(target=work, name=f"sha256 {file.name}", daemon=True).start()


def file_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a file's bytes, read in blocks (or the digest :func:`sha256_in_background` started for
    the unchanged file)."""
    file = Path(path)
    try:
        pending = _PENDING.get(str(file.resolve()))
        if pending is not None and pending[0] == _identity(file):
            return pending[1].result()
    except OSError:
        pass
    return _read_sha256(file)


#: How :func:`directory_sha256` frames a directory's files, recorded beside its digest.
DIRECTORY_SHA256 = (
    "SHA-256 over every regular file under the directory, in the order of their relative POSIX paths "
    "(UTF-8 bytes): each as its path, a NUL byte, its size as 8 bytes big-endian, then its bytes"
)


def directory_sha256(path: str | os.PathLike[str]) -> str:
    """SHA-256 (FIPS 180-4) of a directory of files, such as a Parquet data set (``bioparity nca-batch
    parts/``), by :data:`DIRECTORY_SHA256`: independent of where the directory is, of the order the file
    system lists its files in and of their times; a file renamed, added, removed or changed changes it
    (the path and size framing keeps ``a`` + ``bc`` apart from ``ab`` + ``c``)."""
    root = Path(path)
    files = sorted((p for p in root.rglob("*") if p.is_file()), key=lambda p: p.relative_to(root).as_posix())
    digest = hashlib.sha256()
    buffer = bytearray(_BLOCK)
    view = memoryview(buffer)
    for file in files:
        digest.update(file.relative_to(root).as_posix().encode("utf-8") + b"\0")
        digest.update(file.stat().st_size.to_bytes(8, "big"))
        with open(file, "rb", buffering=0) as fh:
            while n := fh.readinto(buffer):
                digest.update(view[:n])
    return digest.hexdigest()


def write_provenance(
    out: Path,
    inputs: Mapping[str, Path | None],
    options: Mapping[str, Any],
    *,
    extra: Mapping[str, Any] | None = None,
) -> Path | None:
    """Write ``OUT.provenance.json``: output, each named input with its SHA-256, options, software version.

    The first input is also recorded as ``input`` / ``input_sha256`` (the main input of the command).
    ``extra`` adds records of the run after the options (e.g. the input rows it left out). Each file is
    hashed once; an input that is a directory (a Parquet data set) has the :func:`directory_sha256` of its
    files, with ``sha256_of`` saying how it was taken (:data:`DIRECTORY_SHA256`). ``out`` may be a
    directory (``bioparity nca-batch``'s OUT_DIR): the record is then written beside it. Returns the path
    written, or None when ``out`` is neither a regular file nor a directory.
    """
    if not (will_be_file(out) or out.is_dir()):  # written by its output set, already a file, or a directory
        return None
    given = {name: path for name, path in inputs.items() if path is not None}
    digests = {
        path: directory_sha256(path) if Path(path).is_dir() else file_sha256(path)
        for path in dict.fromkeys(given.values())
    }
    record: dict[str, Any] = {"output": str(out)}
    if given:
        main = next(iter(given.values()))
        record |= {"input": str(main), "input_sha256": digests[main]}
    record["inputs"] = {
        name: {"path": str(p), "sha256": digests[p]}
        | ({"sha256_of": DIRECTORY_SHA256} if Path(p).is_dir() else {})
        for name, p in given.items()
    }
    record["options"] = dict(options)
    record |= dict(extra or {})
    record["software"] = f"bioparity {__version__}"
    target = out.with_name(out.name + ".provenance.json")
    # strict JSON: an option given as inf or nan is null, named in "non_finite" (RFC 8259 has neither)
    atomic_write_text(target, dumps_strict(record, indent=2, default=str) + "\n")
    return target
