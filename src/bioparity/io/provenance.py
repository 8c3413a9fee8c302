"""Provenance next to an output file: input SHA-256s, options and software version.

``OUT.provenance.json`` lets a reviewer tie a result file to exactly what produced it. Nothing is written
next to a device such as ``/dev/stdout``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bioparity import __version__
from bioparity.io.files import atomic_write_text


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes, read in blocks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_provenance(out: Path, inputs: Mapping[str, Path | None], options: Mapping[str, Any]) -> Path | None:
    """Write ``OUT.provenance.json``: output, each named input with its SHA-256, options, software version.

    The first input is also recorded as ``input`` / ``input_sha256`` (the main input of the command).
    Returns the path written, or None when ``out`` is not a regular file.
    """
    if not out.is_file():
        return None
    given = {name: path for name, path in inputs.items() if path is not None}
    record: dict[str, Any] = {"output": str(out)}
    if given:
        main = next(iter(given.values()))
        record |= {"input": str(main), "input_sha256": file_sha256(main)}
    record["inputs"] = {name: {"path": str(p), "sha256": file_sha256(p)} for name, p in given.items()}
    record["options"] = dict(options)
    record["software"] = f"bioparity {__version__}"
    target = out.with_name(out.name + ".provenance.json")
    atomic_write_text(target, json.dumps(record, indent=2, default=str) + "\n")
    return target
