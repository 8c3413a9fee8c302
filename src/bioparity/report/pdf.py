"""HTML report -> PDF with WeasyPrint (imported lazily: it is slow to import)."""

from __future__ import annotations

import gc
import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bioparity.memo import Memo
from bioparity.report.pagination import settle_first_landscape

#: PDFs by the SHA-256 of their HTML (a report's HTML is the same for the same stored data and language).
_PDFS = Memo(8)

#: The oldest generation's threshold while WeasyPrint lays a report out: collections of the middle
#: generation before a full collection (Python's default is 10; see :func:`no_full_collections`).
FULL_COLLECTION_DEFERRED = 1_000_000


class _Deferral:
    """How many renderings defer full collections now, and the thresholds to restore after the last."""

    lock = threading.Lock()
    users = 0
    saved: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def no_full_collections() -> Iterator[None]:
    """No full garbage collection inside (young collections as usual); the thresholds are restored after
    the last of any concurrent renderings.

    WeasyPrint builds a tree of millions of objects (boxes, computed styles, text layouts) that lives
    until the PDF is written. Python's collector runs a full collection whenever the middle generation has
    been collected ``threshold2`` times and the objects that survived into the oldest generation since the
    last full collection exceed a quarter of it (CPython ``Modules/gcmodule.c``, ``gc.set_threshold``):
    for the demo's CAA run report that was 10 full collections of the growing tree, 0.5 s of the 4.8 s
    layout and drawing (in-process, ``gc.callbacks``). The tree is freed by reference counting once the
    PDF is written; any cyclic garbage is collected at the next full collection after the rendering.
    """
    with _Deferral.lock:
        if _Deferral.users == 0:
            _Deferral.saved = gc.get_threshold()
            young, middle, _ = _Deferral.saved
            gc.set_threshold(young, middle, FULL_COLLECTION_DEFERRED)
        _Deferral.users += 1
    try:
        yield
    finally:
        with _Deferral.lock:
            _Deferral.users -= 1
            if _Deferral.users == 0:
                gc.set_threshold(*_Deferral.saved)


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML report (images are inline data URIs).

    WeasyPrint takes seconds to lay out a long report (a CAA report's complete-result appendix): a second
    download of the same report is served from a memo of the last few PDFs."""
    key = hashlib.sha256(html.encode("utf-8")).hexdigest()
    pdf: bytes = _PDFS.get(key, lambda: write_pdf(html))
    return pdf


def write_pdf(html: str) -> bytes:
    """The PDF of an HTML report laid out by WeasyPrint now (:func:`html_to_pdf` without its memo), with
    full garbage collections deferred until it is written (:func:`no_full_collections`).

    The short end of the portrait pages before the first landscape one is printed on it
    (:func:`bioparity.report.pagination.settle_first_landscape`: a trial layout of those pages, which
    shares the report's decoded images and fonts)."""
    from weasyprint import HTML  # type: ignore[import-untyped]
    from weasyprint.text.fonts import FontConfiguration  # type: ignore[import-untyped]

    fonts = FontConfiguration()
    images: dict[str, Any] = {}  # WeasyPrint's image cache: the trial layout decodes them for the report

    def lay_out(document: Any) -> Any:
        return document.render(font_config=fonts, cache=images)

    with no_full_collections():
        report = HTML(string=html, base_url=".")
        settle_first_landscape(report, lambda trial: lay_out(HTML(string=trial, base_url=".")))
        pdf: bytes = lay_out(report).write_pdf()
    return pdf
