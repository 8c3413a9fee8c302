"""The NCA review loop in headless Chromium: exclude a lambda_z point with a reason -> a new run (the old
one unchanged) whose report shows the exclusion and its reason, audited; and ``bioparity nca --review``
with the choices file of that run gives the same numbers as the web run.

The exclusion's effect on lambda_z is checked against an independent log-linear least-squares fit
(scipy.stats.linregress) of the remaining points, the regression of Gabrielsson & Weiner section 2.8.4.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sqlalchemy import select
from typer.testing import CliRunner

from bioparity.cli.main import app
from bioparity.demo import DEMO_USERS, pk_concentrations
from bioparity.store import make_sessionmaker
from bioparity.store.models import AnalysisRun, AuditEvent
from tests.web.conftest import ARTIFACTS, RUN_TIMEOUT_S, DemoStore, Server, axe_violations, sign_in

PASSWORD = {u.username: u.password for u in DEMO_USERS}
REASON = "sample haemolysed (protocol deviation DV-12)"


def _run(demo_store: DemoStore, run_id: str) -> AnalysisRun:
    with make_sessionmaker(demo_store.engine)() as session:
        run = session.get(AnalysisRun, run_id)
        assert run is not None
        session.expunge(run)
        return run


def _nca_runs(demo_store: DemoStore) -> set[str]:
    with make_sessionmaker(demo_store.engine)() as session:
        return set(session.scalars(select(AnalysisRun.id).where(AnalysisRun.kind == "nca")))


def _numbers(result: dict[str, Any]) -> pd.DataFrame:
    frame = pd.DataFrame(result["rows"], columns=result["columns"])
    frame["PPSTRESN"] = pd.to_numeric(frame["PPSTRESN"])
    return frame


def test_exclude_a_lambda_z_point_creates_a_new_audited_run_reproducible_from_the_cli(
    browser: Any, server: Server, demo_store: DemoStore, tmp_path: Path
) -> None:
    old_id = server.runs["nca"]
    old_before = _run(demo_store, old_id)
    runs_before = _nca_runs(demo_store)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, server, "sam", PASSWORD["sam"])
    page.goto(f"{server.url}/ui/runs/{old_id}")
    page.click("#nca-review")
    page.wait_for_url(f"**/ui/runs/{old_id}/review")
    page.wait_for_selector("#plot-review-linear .main-svg")
    page.wait_for_selector("#plot-review-log .main-svg")
    fit = page.locator("#review-fit").inner_text()
    assert "R2adj" in fit and "Span ratio" in fit and "Flags" in fit
    legend = page.locator("#plot-review-log").inner_text()
    assert "lambda_z points" in legend and "lambda_z fit" in legend
    page.screenshot(path=str(ARTIFACTS / "nca-review-1280.png"), full_page=True)

    # The first lambda_z point of the first profile, as the page offers it.
    option = page.locator("#review-time option", has_text="(lambda_z point)").first
    time_value = option.get_attribute("value") or ""
    assert time_value
    profile = pk_concentrations()
    subject = str(profile["subject"].iloc[0])

    # No reason: refused (the form requires it; the server refuses a post without it too).
    token = page.locator("#review-form input[name=csrf_token]").get_attribute("value") or ""
    refused = page.request.post(
        f"{server.url}/ui/runs/{old_id}/review",
        form={"profile": "0", "time": time_value, "action": "exclude", "reason": " ", "csrf_token": token},
    )
    assert "A reason is required" in refused.text()
    too_long = page.request.post(
        f"{server.url}/ui/runs/{old_id}/review",
        form={
            "profile": "0",
            "time": time_value,
            "action": "exclude",
            "reason": "x" * 501,
            "csrf_token": token,
        },
    )
    assert "at most 500" in too_long.text()

    page.select_option("#review-time", time_value)
    page.select_option("#review-action", "exclude")
    page.fill("#review-reason", REASON)
    page.click("#review-submit")
    # The new run is computed in the background; its page then opens its review with the notice.
    page.wait_for_selector("p.notice[role=status]", timeout=RUN_TIMEOUT_S * 1000)
    new_id = re.search(r"/ui/runs/([^/]+)/review", page.url).group(1)  # type: ignore[union-attr]
    assert new_id != old_id
    assert _nca_runs(demo_store) == runs_before | {new_id}  # one new run; the refused posts made none
    assert "New run created" in page.locator("p.notice[role=status]").inner_text()
    assert REASON in page.locator("#review-choices").inner_text()
    page.wait_for_selector("#plot-review-linear .main-svg")
    assert "excluded by reviewer" in page.locator("#plot-review-linear").inner_text()
    page.screenshot(path=str(ARTIFACTS / "nca-review-after-exclusion-1280.png"), full_page=False)

    # The old run is unchanged; the new one carries the choice as its option.
    old_after = _run(demo_store, old_id)
    assert (old_after.options_json, old_after.result_sha256) == (
        old_before.options_json,
        old_before.result_sha256,
    )
    new = _run(demo_store, new_id)
    review = json.loads(new.options_json)["review"]
    arm = str(profile["arm"].iloc[0])
    assert review == [
        {"arm": arm, "subject": subject, "time": float(time_value), "action": "exclude", "reason": REASON}
    ]

    # The exclusion changed this profile's lambda_z to the fit of the remaining points.
    old_nums = _numbers(json.loads(old_before.result_json or "{}"))
    new_nums = _numbers(json.loads(new.result_json or "{}"))
    mine = profile[profile["subject"] == subject].assign(
        time=lambda f: pd.to_numeric(f["time"]), conc=lambda f: pd.to_numeric(f["conc"], errors="coerce")
    )
    par = new_nums[new_nums["subject"] == subject].set_index("PPTESTCD")["PPSTRESN"]
    lo, hi, t_out = par["LAMZLL"], par["LAMZUL"], float(time_value)
    kept = mine[(mine["time"] >= lo) & (mine["time"] <= hi) & (mine["time"] != t_out) & (mine["conc"] > 0)]
    assert len(kept) == par["LAMZNPT"]
    slope = stats.linregress(kept["time"], np.log(kept["conc"])).slope
    assert np.isclose(par["LAMZ"], -slope, rtol=1e-10)
    old_par = old_nums[old_nums["subject"] == subject].set_index("PPTESTCD")["PPSTRESN"]
    assert not np.isclose(old_par["LAMZ"], par["LAMZ"], rtol=1e-6)

    # The report of the new run shows the exclusion and its reason.
    report = page.request.get(f"{server.url}/ui/runs/{new_id}/report.html").text()
    assert "Reviewer&#39;s lambda_z choices" in report or "Reviewer's lambda_z choices" in report
    assert REASON in report and subject in report
    if shutil.which("pdftotext"):
        # 201 subjects: the PDF takes ~30 s on a loaded machine; a generous timeout, not a timing test
        pdf = page.request.get(f"{server.url}/ui/runs/{new_id}/report.pdf", timeout=300_000).body()
        (tmp_path / "r.pdf").write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", "-layout", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "sample haemolysed" in " ".join(text.split())

    # The audit trail has it: in the store and on the audit page.
    with make_sessionmaker(demo_store.engine)() as session:
        events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "nca_review")))
    mine_events = [e for e in events if e.object_id == new_id]
    assert len(mine_events) == 1
    after = json.loads(mine_events[0].after_json or "{}")
    assert after["choice"]["reason"] == REASON and json.loads(mine_events[0].before_json or "{}") == {
        "run": old_id
    }
    page.goto(f"{server.url}/ui/programs/{server.program_id}/audit?action=nca_review")
    assert REASON in page.locator("main").inner_text()

    # The CLI with the run's choices file gives the same numbers as the web run.
    choices = page.request.get(f"{server.url}/ui/runs/{new_id}/review.json").body()
    context.close()
    (tmp_path / "choices.json").write_bytes(choices)
    profile.to_csv(tmp_path / "conc.csv", index=False)
    out = tmp_path / "pp.csv"
    result = CliRunner().invoke(
        app,
        ["nca", str(tmp_path / "conc.csv"), "--out", str(out), "--review", str(tmp_path / "choices.json"),
         "--dose", "dose", "--group", "arm", "--conc-unit", "ug/mL", "--time-unit", "h", "--dose-unit", "mg"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    cli = pd.read_csv(out)
    keys = ["arm", "subject", "PPTESTCD"]
    merged = new_nums.merge(cli, on=keys, suffixes=("_web", "_cli"), validate="one_to_one")
    assert len(merged) == len(new_nums) == len(cli)
    np.testing.assert_allclose(merged["PPSTRESN_cli"], merged["PPSTRESN_web"], rtol=1e-12, equal_nan=True)
    assert (merged["lambda_z_method_cli"].fillna("") == merged["lambda_z_method_web"].fillna("")).all()


@pytest.mark.parametrize("width", [1280, 390])
def test_review_page_passes_axe_and_fits_the_width(browser: Any, server: Server, width: int) -> None:
    # axe-core is injected inline, which the pages' CSP forbids: this context bypasses it (as test_browser).
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, server, "sam", PASSWORD["sam"])
    page.goto(f"{server.url}/ui/runs/{server.runs['nca']}/review?profile=3")
    page.wait_for_selector("#plot-review-log .main-svg")
    assert axe_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    page.screenshot(path=str(ARTIFACTS / f"axe-{width}-nca-review.png"), full_page=False)
    context.close()


def test_a_reader_sees_the_review_but_cannot_create_a_run(
    browser: Any, server: Server, demo_store: DemoStore
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    sign_in(page, server, "rita", PASSWORD["rita"])
    before = _nca_runs(demo_store)
    page.goto(f"{server.url}/ui/runs/{server.runs['nca']}/review")
    page.wait_for_selector("#plot-review-log .main-svg")
    assert page.locator("#review-form").count() == 0
    assert "read-only" in page.locator("#review-read-only").inner_text()
    token = page.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    refused = page.request.post(
        f"{server.url}/ui/runs/{server.runs['nca']}/review",
        form={"profile": "0", "time": "", "action": "exclude", "reason": "try", "csrf_token": token},
    )
    assert "Not applied" in refused.text()
    assert _nca_runs(demo_store) == before
    context.close()
