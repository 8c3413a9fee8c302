"""Meaningful names for downloaded files (``Content-Disposition``), e.g.
``MB-201_PK-101_pk-similarity_run-3cdd892b.pdf``: program, study, analysis kind and run, so a file saved
from the browser still says what it is once it sits in a submission folder. The names are made by
:mod:`bioparity.api.file_names` (the API's downloads are named the same way), imported here for the pages."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import quote

from fastapi import Request, Response

from bioparity.api.deps import write_unit
from bioparity.api.file_names import disposition, file_name, program_part, run_file_name
from bioparity.audit import sha256_hex
from bioparity.store.models import Program
from bioparity.workspace.access import Actor
from bioparity.workspace.events import record_export

__all__ = [
    "CONTENT_SHA256",
    "EXPORTED_AT",
    "EXPORTED_BY",
    "disposition",
    "export_response",
    "file_name",
    "program_part",
    "run_file_name",
]

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
