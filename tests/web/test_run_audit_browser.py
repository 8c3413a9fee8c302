"""A QA auditor in headless Chromium follows a run page's link to the run's own audit trail: the run, its
signatures and the attempts to sign it (refused, ``sign_refused``; wrong password, ``sign_failed``), and
nothing of the program's other runs (21 CFR 11.10(e); EU GMP Annex 11 §12.4)."""

from __future__ import annotations

import re
from typing import Any

from bioparity.demo import DEMO_USERS
from tests.web.conftest import Server, sign_in

PASSWORD = {u.username: u.password for u in DEMO_USERS}


def test_the_run_page_opens_the_runs_own_audit_trail(browser: Any, server: Server) -> None:
    run = server.runs["caa"]
    other = server.runs["pk-similarity"]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    sign_in(page, server, "olivia", PASSWORD["olivia"])
    page.goto(f"{server.url}/ui/runs/{run}")
    # a failed signing attempt on this run (wrong password), as a QA auditor would look for it
    page.request.post(
        f"{server.url}/ui/runs/{run}/sign",
        form={
            "username": "olivia",
            "password": "not her password",
            "meaning": "reviewed",
            "csrf_token": page.locator("input[name=csrf_token]").first.get_attribute("value") or "",
        },
    )
    page.click("#run-audit")
    page.wait_for_url(re.compile(rf".*/audit\?run={run}$"))
    assert run[:8] in page.locator("#audit-run").inner_text()
    objects = page.locator("table.audit tbody tr td:nth-child(5)").all_inner_texts()
    actions = page.locator("table.audit tbody tr td:nth-child(4)").all_inner_texts()
    users = page.locator("table.audit tbody tr td:nth-child(3)").all_inner_texts()
    # the demo's CAA run: made by paula, signed by paula (authored), rita and olivia; then the failed attempt
    assert len(actions) >= 5 and ("olivia" in users[-1])
    assert all(other[:8] not in o for o in objects)
    hrefs = page.locator("table.audit tbody tr td:nth-child(5) a").evaluate_all("els => els.map(e => e.href)")
    assert any(h.endswith(f"/ui/runs/{run}") for h in hrefs)
    context.close()
