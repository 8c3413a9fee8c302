"""End to end in headless Chromium: the evidence chain, signatures, the PDF report, partner visibility,
accessibility (axe-core) at 1280 px and 390 px. Screenshots go to test-artifacts/web/."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from bioparity.demo import DEMO_USERS, pk_concentrations
from tests.web.conftest import ARTIFACTS, Server, axe_violations, sign_in, wait_for_run

PASSWORD = {u.username: u.password for u in DEMO_USERS}
FOREST_GREEN = np.array([0x15, 0x80, 0x3D])  # markers of comparisons within the limits


def _shot(page: Any, name: str, *, full: bool = True) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=full)


def _pk_file(tmp_path: Path, *, bad: bool = False) -> Path:
    frame = pk_concentrations(seed=11, per_arm=12)
    if bad:
        frame.loc[17, "conc"] = "-3.2"  # data row 18: a negative concentration
    path = tmp_path / ("pk-bad.csv" if bad else "pk-study-102.csv")
    frame.to_csv(path, index=False)
    return path


def test_evidence_chain_upload_nca_similarity_sign_and_pdf(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, server, "sam", PASSWORD["sam"])
    _shot(page, "01-programs")
    page.click("text=MB-201 (IgG1 mAb)")
    page.click("text=Upload a dataset to PK-101")

    # A bad file is refused with its row, line and column, and the offending line is marked.
    page.set_input_files("#file", str(_pk_file(tmp_path, bad=True)))
    page.fill("#ds-name", "pk-102-concentrations")
    page.select_option("#ds-kind", "nca")
    page.click("#upload-submit")
    error = page.locator("#upload-error")
    assert "not stored" in error.inner_text()
    assert "18" in error.inner_text() and "conc" in error.inner_text()
    assert page.locator("tr.bad").count() == 1 and "-3.2" in page.locator("tr.bad").inner_text()
    _shot(page, "02-upload-refused")

    page.set_input_files("#file", str(_pk_file(tmp_path)))
    page.fill("#ds-name", "pk-102-concentrations")
    page.select_option("#ds-kind", "nca")
    page.click("#upload-submit")
    page.wait_for_url("**/ui/datasets/**")
    assert "Stored 540 checked rows" in page.locator("p.notice").inner_text()
    page.wait_for_selector("#plot-profile-log .main-svg")
    _shot(page, "03-dataset")

    page.click("#run-nca")
    wait_for_run(page)
    assert "Noncompartmental analysis" in page.locator("h1").inner_text()
    assert page.locator("text=Summary statistics per arm and parameter").count() == 1
    _shot(page, "04-nca")
    page.select_option("#derive-kind", "pk-similarity")
    page.click("#derive")
    page.wait_for_url("**/ui/datasets/**")
    page.click("#run-pk-similarity")
    wait_for_run(page)
    page.wait_for_selector("#plot-forest .main-svg")
    table = page.locator("#result").inner_text()
    # three rows of AUC0-inf (one per comparison; the code AUCIFO in the complete table only); the statement
    # under the table names the metric once more
    assert len(re.findall(r"^AUC0-inf\t", table, flags=re.M)) == 3 and "test" in table and "eu-ref" in table
    assert page.locator("#plot-forest .point").count() >= 9  # nine GMR markers (3 metrics x 3 pairs)
    _shot(page, "05-pk-similarity-forest")

    page.select_option("#meaning", "authored")
    page.fill("#sign-username", "sam")
    page.fill("#sign-password", "wrong password!")
    page.click("#sign-form button")
    assert "password does not match" in page.locator("p.error").inner_text()
    page.select_option("#meaning", "authored")
    page.fill("#sign-username", "sam")
    page.fill("#sign-password", PASSWORD["sam"])
    page.click("#sign-form button")
    assert "Signed as authored" in page.locator("p.notice").inner_text()
    assert "Sam Statistician" in page.locator("#signatures + div table").inner_text()
    _shot(page, "06-signed")

    with page.expect_download(timeout=120_000) as info:  # a PDF of every table takes seconds under load
        page.click("#pdf-report", timeout=120_000)
    pdf = ARTIFACTS / "pk-similarity-report.pdf"
    info.value.save_as(str(pdf))
    context.close()
    _check_pdf(pdf)


def _check_pdf(pdf: Path) -> None:
    """pdftoppm renders every page; the text has the result table; a page shows the forest plot."""
    if shutil.which("pdftoppm") is None or shutil.which("pdftotext") is None:
        pytest.fail("poppler-utils (pdftoppm, pdftotext) missing: run scripts/system-deps.sh")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True)
    assert "PK similarity" in text.stdout and "complete result table" in text.stdout
    assert len(re.findall(r"AUC0-inf\s+test\s+vs\s+eu-ref", text.stdout)) == 1
    assert "Sam Statistician" in text.stdout and "valid" in text.stdout
    prefix = ARTIFACTS / "pk-similarity-report"
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(prefix)], check=True)
    pages = sorted(ARTIFACTS.glob("pk-similarity-report-*.png"))
    assert pages, "pdftoppm rendered no page"
    green = 0
    for png in pages:
        pixels = np.asarray(Image.open(png).convert("RGB"), dtype=int)
        green += int((np.abs(pixels - FOREST_GREEN).sum(axis=2) < 40).sum())
    assert green > 30, "no forest-plot markers found on the rendered PDF pages"


def test_partner_viewer_sees_shared_program_cannot_sign_nor_see_unshared(
    browser: Any, server: Server
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, server, "victor", PASSWORD["victor"])
    listing = page.locator("main table").inner_text()
    assert "MB-201 (IgG1 mAb)" in listing and "shared with you" in listing
    assert "MB-305" not in listing
    _shot(page, "07-partner-programs")

    page.goto(f"{server.url}/ui/runs/{server.runs['pk-similarity']}")
    page.wait_for_selector("#plot-forest .main-svg")
    assert page.locator("#sign-form").count() == 0
    assert "does not allow signing" in page.locator("main").inner_text()
    refused = page.request.post(
        f"{server.url}/ui/runs/{server.runs['pk-similarity']}/sign",
        form={
            "username": "victor",
            "password": PASSWORD["victor"],
            "meaning": "reviewed",
            "csrf_token": page.locator("input[name=csrf_token]").first.get_attribute("value") or "",
        },
    )
    assert "does not allow" in refused.text()
    _shot(page, "08-partner-run")

    response = page.goto(f"{server.url}/ui/programs/{server.unshared_program_id}")
    assert response is not None and response.status == 404
    assert "Not found" in page.locator("h1").inner_text()
    context.close()


def _pages(server: Server) -> list[tuple[str, str]]:
    r = server.runs
    return [
        ("programs", "/ui/programs"),
        ("dashboard", f"/ui/programs/{server.program_id}"),
        ("audit", f"/ui/programs/{server.program_id}/audit?action=run"),
        ("sharing", f"/ui/programs/{server.program_id}/sharing"),
        ("settings", f"/ui/programs/{server.program_id}/settings"),
        ("run-nca", f"/ui/runs/{r['nca']}"),
        ("run-pk-similarity", f"/ui/runs/{r['pk-similarity']}"),
        ("run-caa", f"/ui/runs/{r['caa']}"),
        ("run-power", f"/ui/runs/{r['power']}"),
        ("orgs", "/ui/orgs"),
        ("account", "/ui/account"),
        ("validation", "/ui/admin/validation"),
        ("market", "/ui/market"),
        ("market-us", "/ui/market?region=us"),
    ]


@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_passes_axe_and_fits_the_width(browser: Any, server: Server, width: int) -> None:
    # axe is injected as an inline script, which the pages' Content-Security-Policy forbids (the other
    # tests run with the policy enforced).
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{server.url}/ui/login")
    problems = {"login": axe_violations(page)}
    sign_in(page, server, "olivia", PASSWORD["olivia"])
    page.click("text=MB-201 (IgG1 mAb)")
    extra = [
        ("dataset", page.locator("a[href^='/ui/datasets/']").first.get_attribute("href")),
        ("upload", page.locator("a[href$='/upload']").first.get_attribute("href")),
    ]
    page.click("text=Organisations")
    organisation = page.locator("main a[href^='/ui/orgs/']").first.get_attribute("href")
    extra += [
        ("organisation", organisation),
        ("organisation-audit", organisation and f"{organisation}/audit"),
    ]
    overflow = {}
    for name, path in [*_pages(server), *[(n, p) for n, p in extra if p]]:
        page.goto(server.url + path)
        if page.locator("div.plot[data-figure]").count():
            page.wait_for_selector("div.plot .main-svg")
        problems[path] = axe_violations(page)
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width + 1:
            overflow[path] = scroll
        _shot(page, f"axe-{width}-{name}", full=False)
    assert {p: v for p, v in problems.items() if v} == {}
    assert overflow == {}, f"pages wider than {width} px: {overflow}"
    context.close()
