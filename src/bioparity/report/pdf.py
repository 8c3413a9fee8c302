"""HTML report -> PDF with WeasyPrint (imported lazily: it is slow to import)."""

from __future__ import annotations

import hashlib

from bioparity.memo import Memo

#: PDFs by the SHA-256 of their HTML (a report's HTML is the same for the same stored data and language).
_PDFS = Memo(8)


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML report (images are inline data URIs).

    WeasyPrint takes seconds to lay out a long report (a CAA report's complete-result appendix): a second
    download of the same report is served from a memo of the last few PDFs."""
    key = hashlib.sha256(html.encode("utf-8")).hexdigest()
    pdf: bytes = _PDFS.get(key, lambda: write_pdf(html))
    return pdf


def write_pdf(html: str) -> bytes:
    """The PDF of an HTML report laid out by WeasyPrint now (:func:`html_to_pdf` without its memo)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf: bytes = HTML(string=html, base_url=".").write_pdf()
    return pdf
