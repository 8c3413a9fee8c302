"""HTML report -> PDF with WeasyPrint (imported lazily: it is slow to import)."""

from __future__ import annotations


def html_to_pdf(html: str) -> bytes:
    """The PDF of a self-contained HTML report (images are inline data URIs)."""
    from weasyprint import HTML  # type: ignore[import-untyped]

    pdf: bytes = HTML(string=html, base_url=".").write_pdf()
    return pdf
