"""Meaningful names for downloaded files (``Content-Disposition``), e.g.
``MB-201_PK-101_pk-similarity_run-3cdd892b.pdf``: program, study, analysis kind and run, so a file saved
from the browser still says what it is once it sits in a submission folder."""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import quote

from fastapi import Request, Response

from bioparity.api.deps import write_unit
from bioparity.audit import sha256_hex
from bioparity.store.models import Program
from bioparity.workspace.access import Actor
from bioparity.workspace.events import record_export

_UNSAFE = re.compile(r"[^A-Za-z0-9.-]+")


def program_part(name: str) -> str:
    """A program's short name for file names: its name without a trailing parenthesis, so
    ``MB-201 (IgG1 mAb)`` -> ``MB-201`` (the code people file documents under)."""
    return re.sub(r"\s*\([^)]*\)\s*$", "", name).strip() or name


def name_part(text: str) -> str:
    """One part of a file name: letters, digits, ``.`` and ``-`` kept, runs of anything else -> ``-``."""
    return _UNSAFE.sub("-", text).strip("-.") or "x"


def file_name(*parts: str, ext: str) -> str:
    """``part1_part2_..._partN.ext`` from the non-empty ``parts`` (each made safe by :func:`name_part`)."""
    return "_".join(name_part(p) for p in parts if p) + "." + ext


def run_file_name(program: str, study: str, kind: str, run_id: str, ext: str) -> str:
    """The name of a run's report or result table: ``<program>_<study>_<kind>_run-<first 8 of id>.<ext>``."""
    return file_name(program_part(program), study, kind, f"run-{run_id[:8]}", ext=ext)


def disposition(name: str, *, inline: bool = False) -> str:
    """A ``Content-Disposition`` value naming the file (RFC 6266; ``filename*`` for non-ASCII safety)."""
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"


#: The response headers that say who exported a file and when (an export's metadata, kept out of the file
#: itself: a leading comment line breaks CSV readers), and the SHA-256 of the bytes (as the audit row of
#: the export records it).
EXPORTED_BY = "X-Exported-By"
EXPORTED_AT = "X-Exported-At"
CONTENT_SHA256 = "X-Content-SHA256"


def export_response(
    request: Request,
    actor: Actor,
    program: Program,
    what: tuple[str, str],
    *,
    name: str,
    content: bytes,
    media_type: str,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A download of a GxP record of ``program`` (``what``: its audit trail, its report or a run's report,
    as object type and id), recorded as an ``export`` row of the audit trail in its own write transaction
    (:func:`bioparity.workspace.events.record_export`; EU GMP Annex 11 §8.1, §9), named ``name``, with
    who exported it (user name, percent-encoded), when (the row's time, UTC) and the file's SHA-256 in
    the response headers."""
    object_type, object_id = what
    fmt = name.rsplit(".", 1)[-1]
    event = write_unit(
        request,
        lambda session: record_export(
            session, actor, program, object_type, object_id, name=name, fmt=fmt, content=content
        ),
    )
    said = {
        "Content-Disposition": disposition(name),
        EXPORTED_BY: quote(actor.username),
        EXPORTED_AT: event.at,
        CONTENT_SHA256: sha256_hex(content),
    }
    return Response(content, media_type=media_type, headers={**said, **(headers or {})})
