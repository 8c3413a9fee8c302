"""Regulator-ready reports: HTML and PDF for one analysis run and for a whole program.

A report cites exactly what was run (input SHA-256s, options, software version, result SHA-256), shows
the tables, flags, plots (static SVG) and signatures, and is built from stored data only: the same
stored inputs give a byte-identical HTML report.

The names are imported on first use (module ``__getattr__``, PEP 562), so that the light modules of this
package (the plot data of :mod:`bioparity.analyses.figures`, the plots of :mod:`bioparity.report.static`)
can be used without loading the store and the workspace.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bioparity.report.html import render_program_report, render_run_report
    from bioparity.report.pdf import html_to_pdf

__all__ = ["html_to_pdf", "render_program_report", "render_run_report"]


def __getattr__(name: str) -> Any:
    if name == "html_to_pdf":
        from bioparity.report.pdf import html_to_pdf

        return html_to_pdf
    if name in ("render_program_report", "render_run_report"):
        from bioparity.report import html

        return getattr(html, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
