"""Regulator-ready reports: HTML and PDF for one analysis run and for a whole program.

A report cites exactly what was run (input SHA-256s, options, software version, result SHA-256), shows
the tables, flags, plots (static SVG) and signatures, and is built from stored data only: the same
stored inputs give a byte-identical HTML report.
"""

from bioparity.report.html import render_program_report, render_run_report
from bioparity.report.pdf import html_to_pdf

__all__ = ["html_to_pdf", "render_program_report", "render_run_report"]
