"""The browser workspace: server-rendered pages (Jinja2) on the same FastAPI app as the JSON API.

Pages live under ``/ui``; they call the same workspace services as the API (same permissions, same audit
trail), authenticate with the same session cookie, and render plots with Plotly in the browser. Reports
(HTML/PDF) come from :mod:`bioparity.report`.
"""

from bioparity.web.app import install_web

__all__ = ["install_web"]
