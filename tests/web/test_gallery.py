"""A screenshot gallery of the whole web workspace and of every demo report (issue 17, acceptance).

Headless Chromium signs in as each demo user (every role of both organisations), opens every page of
the workspace with its Content-Security-Policy enforced and saves a full-page screenshot; every PDF the
demo produces (each run's report, the program summary, the audit trail) is rendered page by page with
pdftoppm. Everything goes to ``test-artifacts/web/gallery/`` with ``test-artifacts/web/index.html``
linking it, for a person to look through.

The test asserts that each page answered 200, logged no console error (a script error or a blocked
resource shows there), rendered a non-trivial page, and that every PDF page was rendered with nothing
cut off at the paper's edge (ink inside the page margin means a table wider than the page). The list of
pages to cover is derived from the application's routes: every GET route under ``/ui`` (and ``/docs``)
must have been opened, so a new page without a screenshot fails here.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from PIL import Image
from starlette.routing import compile_path

from bioparity.demo import DEMO_USERS
from bioparity.server import create_app
from tests.web.conftest import ARTIFACTS, DemoStore, Server, sign_in

PASSWORD = {u.username: u.password for u in DEMO_USERS}
ROLE = {u.username: f"{u.role}, {u.organisation}" for u in DEMO_USERS}
GALLERY = ARTIFACTS / "gallery"
THEOPH = Path(__file__).parents[1] / "data" / "reference" / "nca" / "theoph.csv"  # R datasets::Theoph
LONG = 180_000  # a PDF of every table takes seconds, more under load
MIN_PNG_BYTES = 8_000  # a blank or error-only page compresses below this at 1280 px
MIN_TEXT = 60  # characters of visible text on a rendered page


#: GET routes that only redirect to a page (a typed-in ``/ui/`` lands on the programs): no page to picture.
REDIRECTS = frozenset({"/ui/"})


def web_routes(app: FastAPI) -> dict[str, re.Pattern[str]]:
    """The GET routes of the web workspace (under ``/ui``, and the API documentation page ``/docs``),
    as path template -> regular expression; static files are not pages."""
    found: dict[str, re.Pattern[str]] = {}

    def walk(routes: list[Any], prefix: str) -> None:
        for route in routes:
            included = getattr(route, "original_router", None)  # FastAPI keeps included routers
            if included is not None:
                walk(included.routes, prefix + route.include_context.prefix)
            elif isinstance(route, APIRoute) and "GET" in (route.methods or set()):
                path = prefix + route.path
                if (path.startswith("/ui/") or path == "/docs") and path not in REDIRECTS:
                    found[path] = compile_path(path)[0]

    walk(app.router.routes, "")
    return found


@dataclass
class Shot:
    """One picture of the gallery: a page (or a PDF page) and who saw it."""

    file: str
    title: str
    user: str
    url: str


@dataclass
class Gallery:
    """The pictures taken, the URLs opened and the problems found (asserted at the end)."""

    server: Server
    shots: list[Shot] = field(default_factory=list)
    downloads: list[Shot] = field(default_factory=list)
    opened: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    #: Console errors and uncaught script errors since the last picture (see :meth:`watch`).
    errors: list[str] = field(default_factory=list)

    def watch(self, page: Any) -> Any:
        """Collect the page's console errors (a script error, a resource the policy blocked)."""
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        return page

    def name(self, title: str) -> str:
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        return f"{len(self.shots) + len(self.downloads) + 1:03d}-{slug}"

    def page(self, page: Any, user: str, title: str, path: str, *, ready: str = "") -> None:
        """Open ``path``, wait for its plots, and save a full-page screenshot."""
        self.errors.clear()
        response = page.goto(self.server.url + path)
        self.opened.append(path)
        self.capture(page, user, title, path, None if response is None else response.status, ready=ready)

    def capture(
        self,
        page: Any,
        user: str,
        title: str,
        path: str,
        status: int | None,
        *,
        ready: str = "",
        expected: int = 200,
    ) -> None:
        """Save the page as it is now (after a navigation made by the caller, which answered
        ``status``; ``expected`` for a page that shows a refusal): a full-page screenshot, checked for
        console errors and content. The browser logs a refusal's status as a console error: that one
        line is expected with it."""
        if ready:
            page.wait_for_selector(ready)
        if page.locator("div.plot[data-figure]").count():
            page.wait_for_selector("div.plot .main-svg")
        page.wait_for_load_state("networkidle")
        file = f"{self.name(title)}.png"
        page.screenshot(path=str(GALLERY / file), full_page=True)
        self.shots.append(Shot(file, title, user, path))
        text = page.locator("body").inner_text()
        size = (GALLERY / file).stat().st_size
        if status != expected:
            self.problems.append(f"{title} ({path}) as {user}: status {status}, expected {expected}")
        refusal = f"the server responded with a status of {expected} "
        errors = [e for e in self.errors if expected == 200 or refusal not in e]
        if errors:
            self.problems.append(f"{title} ({path}) as {user}: console errors {errors}")
        if size < MIN_PNG_BYTES or len(text.strip()) < MIN_TEXT:
            self.problems.append(
                f"{title} ({path}) as {user}: nearly empty ({size} bytes, {len(text)} chars)"
            )
        self.errors.clear()

    def pdf(self, context: Any, user: str, title: str, path: str) -> None:
        """Download a PDF and render every page of it with pdftoppm."""
        response = context.request.get(self.server.url + path, timeout=LONG)
        self.opened.append(path)
        body = response.body()
        if response.status != 200 or not body.startswith(b"%PDF"):
            self.problems.append(f"{title} ({path}): status {response.status}, not a PDF")
            return
        stem = self.name(title)
        pdf = GALLERY / f"{stem}.pdf"
        pdf.write_bytes(body)
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
        n_pages = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
        subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(GALLERY / stem)], check=True)
        pages = sorted(GALLERY.glob(f"{stem}-*.png"))
        self.downloads.append(Shot(pdf.name, title, user, path))
        if len(pages) != n_pages:
            self.problems.append(f"{title} ({path}): {n_pages} pages but {len(pages)} rendered")
        for number, png in enumerate(pages, 1):
            self.shots.append(Shot(png.name, f"{title}, page {number} of {n_pages}", user, path))
            pixels = np.asarray(Image.open(png).convert("L"))
            above_footer = pixels[: int(pixels.shape[0] * 0.92)]  # "page n of m" is in the bottom margin
            if (above_footer < 200).sum() < 50:
                self.problems.append(f"{title} ({path}): page {number} is blank")
            if (pixels[:, -4:] < 200).any() or (pixels[-4:, :] < 200).any():  # inside the margin: cut off
                self.problems.append(f"{title} ({path}): page {number} has content cut at the paper's edge")

    def download(self, context: Any, user: str, title: str, path: str, media: str) -> None:
        """A file that is not a page (CSV, JSON, script): it answers 200 with its media type."""
        response = context.request.get(self.server.url + path, timeout=LONG)
        self.opened.append(path)
        kind = response.headers.get("content-type", "")
        if response.status != 200 or not kind.startswith(media) or not response.body():
            self.problems.append(f"{title} ({path}): status {response.status}, {kind!r}")
            return
        file = f"{self.name(title)}{Path(urlsplit(path).path).suffix or '.txt'}"
        (GALLERY / file).write_bytes(response.body())
        self.downloads.append(Shot(file, title, user, path))

    def write_index(self) -> Path:
        """test-artifacts/web/index.html: every picture, with who saw which URL, and the downloads."""
        figures = "\n".join(
            f'<figure><a href="gallery/{s.file}"><img src="gallery/{s.file}" loading="lazy" '
            f'alt="{html.escape(s.title)}"></a><figcaption><strong>{html.escape(s.title)}</strong><br>'
            f"{html.escape(s.user)} ({html.escape(ROLE.get(s.user, 'signed out'))})<br>"
            f"<code>{html.escape(s.url)}</code></figcaption></figure>"
            for s in self.shots
        )
        files = "\n".join(
            f'<li><a href="gallery/{d.file}">{html.escape(d.title)}</a> <code>{html.escape(d.url)}</code>'
            for d in self.downloads
        )
        index = ARTIFACTS / "index.html"
        index.write_text(
            "<!doctype html><html lang=en><meta charset=utf-8><title>bioparity screenshot gallery</title>"
            "<style>body{font-family:sans-serif;margin:1em}main{display:grid;gap:1em;"
            "grid-template-columns:repeat(auto-fill,minmax(260px,1fr))}figure{margin:0;border:1px solid #ccc;"
            "padding:.5em}img{width:100%;height:320px;object-fit:cover;object-position:top}"
            "figcaption{font-size:.8em;word-break:break-all}</style>"
            f"<h1>bioparity: every page of the web workspace and of the demo reports</h1>"
            f"<p>{len(self.shots)} pictures; problems found: {len(self.problems)}.</p>"
            f"<ul>{''.join(f'<li>{html.escape(p)}</li>' for p in self.problems)}</ul>"
            f"<main>{figures}</main><h2>Downloads</h2><ul>{files}</ul></html>",
            encoding="utf-8",
        )
        return index


@pytest.fixture(scope="module")
def gallery(server: Server) -> Iterator[Gallery]:
    if shutil.which("pdftoppm") is None or shutil.which("pdfinfo") is None:
        pytest.fail("poppler-utils (pdftoppm, pdfinfo) missing: run scripts/system-deps.sh")
    shutil.rmtree(GALLERY, ignore_errors=True)
    GALLERY.mkdir(parents=True)
    found = Gallery(server)
    yield found
    found.write_index()


def _signed_in(browser: Any, g: Gallery, user: str) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = g.watch(context.new_page())
    page.set_default_timeout(60_000)
    if user in PASSWORD:
        sign_in(page, g.server, user, PASSWORD[user])
    return context, page


def _href(page: Any, selector: str) -> str:
    href = page.locator(selector).first.get_attribute("href")
    assert href, f"no link {selector} on {page.url}"
    return str(href)


def _owner_pages(browser: Any, server: Server, g: Gallery) -> None:
    program = f"/ui/programs/{server.program_id}"
    context, page = _signed_in(browser, g, "olivia")
    g.page(page, "olivia", "Programs (owner)", "/ui/programs")
    g.page(page, "olivia", "Program dashboard", program)
    for summary in page.locator("details.readiness summary").all():
        summary.click()  # every region's requirements open
    g.capture(page, "olivia", "Program dashboard, readiness opened", program, 200)
    g.page(page, "olivia", "Audit trail", f"{program}/audit")
    g.page(page, "olivia", "Audit trail, signatures, chain verified", f"{program}/audit?action=sign&verify=1")
    g.download(context, "olivia", "Audit trail (CSV)", f"{program}/audit.csv", "text/csv")
    g.pdf(context, "olivia", "Audit trail (PDF)", f"{program}/audit.pdf")
    g.page(page, "olivia", "Sharing", f"{program}/sharing")
    g.page(page, "olivia", "Program settings (segregation of duties)", f"{program}/settings")
    g.page(page, "olivia", "Program similarity summary (HTML report)", f"{program}/report.html")
    g.pdf(context, "olivia", "Program similarity summary (PDF report)", f"{program}/report.pdf")
    g.page(page, "olivia", "Organisations", "/ui/orgs")
    g.page(page, "olivia", "Organisation members", _href(page, "main a[href^='/ui/orgs/']"))
    security, org_audit = _href(page, "#security-events"), _href(page, "#org-audit")
    g.page(page, "olivia", "Security events of the members", security)
    g.download(context, "olivia", "Security events (CSV)", f"{security}.csv", "text/csv")
    g.page(page, "olivia", "Audit trail of the organisation (member changes, reasons)", org_audit)
    g.page(page, "olivia", "Validation", "/ui/admin/validation")
    if page.locator("a[href^='/ui/admin/validation/']").count() == 0:
        page.click("#run-validation", no_wait_after=True)  # the reference cases, once per session; slow
        page.wait_for_url("**/ui/admin/validation?message=*", timeout=600_000)
        g.capture(page, "olivia", "Validation recorded", "/ui/admin/validation", 200)
    report = _href(page, "a[href^='/ui/admin/validation/']")
    g.page(page, "olivia", "Validation report (with a way back)", report)
    g.download(context, "olivia", "Validation report (stored bytes)", f"{report}/report.html", "text/html")
    g.page(page, "olivia", "Account", "/ui/account")
    g.page(page, "olivia", "Market scan", "/ui/market")
    g.page(page, "olivia", "Market scan, US", "/ui/market?region=us")
    context.close()


def _statistician_pages(browser: Any, server: Server, g: Gallery) -> None:
    context, page = _signed_in(browser, g, "sam")
    g.page(page, "sam", "Programs (statistician)", "/ui/programs")
    page.goto(f"{server.url}/ui/programs/{server.program_id}")
    upload = _href(page, "a[href$='/upload']")
    dataset = _href(page, "a[href^='/ui/datasets/']")
    g.page(page, "sam", "Upload form", upload)
    page.set_input_files("#file", str(THEOPH))
    page.fill("#ds-name", "gallery-theoph")
    page.select_option("#ds-kind", "nca")
    with page.expect_response(lambda r: r.request.method == "POST" and "/upload" in r.url) as answer:
        page.click("#upload-submit")
    g.capture(page, "sam", "Upload: column mapping step", upload, answer.value.status)
    page.select_option("#map-time", "Wt")  # a wrong choice: refused (422) with its row, the form kept
    with page.expect_response(lambda r: r.request.method == "POST" and "/upload" in r.url) as answer:
        page.click("#upload-submit")
    g.capture(page, "sam", "Upload: mapping refused with the row", upload, answer.value.status, expected=422)
    g.page(page, "sam", "Dataset with the analysis forms", dataset)
    for kind, run in sorted(server.runs.items()):
        path = f"/ui/runs/{run}"
        g.page(page, "sam", f"Run: {kind}", path)
        if page.locator("a[href$='/result.csv']").count():  # a kind with a result table
            g.download(context, "sam", f"Result table (CSV): {kind}", f"{path}/result.csv", "text/csv")
        g.page(page, "sam", f"Report (HTML): {kind}", f"{path}/report.html")
        g.pdf(context, "sam", f"Report (PDF): {kind}", f"{path}/report.pdf")
    nca = f"/ui/runs/{server.runs['nca']}"
    g.page(page, "sam", "NCA lambda_z review", f"{nca}/review")
    g.page(page, "sam", "NCA lambda_z review, second profile", f"{nca}/review?profile=1")
    g.download(context, "sam", "NCA review choices (JSON)", f"{nca}/review.json", "application/json")
    g.page(page, "sam", "Power and sample size form", "/ui/power")
    scenario = "design=2x2&cv=0.30&theta0=0.95&theta1=0.80&theta2=1.25&alpha=0.05&target_power=0.80"
    g.page(page, "sam", "Power and sample size, one scenario", f"/ui/power?{scenario}")
    g.download(
        context, "sam", "plotly.js (served from the package)", "/ui/vendor/plotly.min.js", "text/javascript"
    )
    context.close()


def _other_roles(browser: Any, server: Server, g: Gallery) -> None:
    similarity = f"/ui/runs/{server.runs['pk-similarity']}"
    for user, extra in (
        ("ana", [("Dataset (analyst)", None)]),
        ("rita", [("Run to sign (reviewer)", similarity)]),
        ("carl", [("Organisations (partner owner)", "/ui/orgs")]),
        ("paula", [("Shared program (partner analyst)", f"/ui/programs/{server.program_id}")]),
        ("victor", [("Run, no signing (partner viewer)", similarity), ("Account (viewer)", "/ui/account")]),
    ):
        context, page = _signed_in(browser, g, user)
        g.page(page, user, f"Programs ({user})", "/ui/programs")
        for title, path in extra:
            if path is None:
                page.goto(f"{server.url}/ui/programs/{server.program_id}")
                path = _href(page, "a[href^='/ui/datasets/']")
            g.page(page, user, title, path)
        context.close()


def test_gallery_of_every_page_and_report_page(
    browser: Any, server: Server, demo_store: DemoStore, gallery: Gallery
) -> None:
    context, page = _signed_in(browser, gallery, "signed out")
    gallery.page(page, "signed out", "Sign in", "/ui/login")
    gallery.page(page, "signed out", "API documentation (Swagger UI, offline)", "/docs",
                 ready=".swagger-ui .info .title")  # fmt: skip
    context.close()
    _owner_pages(browser, server, gallery)
    _statistician_pages(browser, server, gallery)
    _other_roles(browser, server, gallery)
    index = gallery.write_index()

    routes = web_routes(create_app(engine=demo_store.engine))
    assert len(routes) > 20, sorted(routes)  # the route walk found the pages
    opened = [urlsplit(u).path for u in gallery.opened]
    missing = sorted(t for t, regex in routes.items() if not any(regex.match(p) for p in opened))
    problems = [*gallery.problems, *(f"{t}: a page of the workspace without a screenshot" for t in missing)]
    assert problems == [], f"see {index}:\n" + "\n".join(problems)
    users = {s.user for s in gallery.shots}
    assert users >= {u.username for u in DEMO_USERS}  # every demo role signed in
