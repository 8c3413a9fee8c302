"""A multiple-dose NCA run from the web form (SDTM PC with EX of five doses every 12 h chosen in the option
``dosing``, tau in the option ``tau``): the run page and the run report lead with the steady-state
interval and the dosing intervals, the statistics of every interval in the appendix (headings in
English and Chinese), and the lambda_z review says why it offers no choice and shows the fit after the
last dose instead of dashes.

Before: the form had no tau (every run said "no tau for the last dose: give tau"), the statistics pooled
every interval (CTROUGH n = 2 with 22 missing), and the review showed "—" for every profile and refused
each choice with "lambda_z choices apply to single-dose NCA".
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bioparity.report.context import run_context
from bioparity.report.html import render_run_report
from tests.nca.test_nca_multiple_dose_workspace import write_domains
from tests.web.conftest import FormClient
from tests.web.test_nca_sdtm_upload import _upload, run_from_form, signed_in
from tests.workspace.conftest import Company

Site = tuple[FormClient, Company, dict[str, Path], sessionmaker[Session]]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    pc, ex = write_domains(tmp_path)
    with signed_in(tmp_path, "md-web") as (client, company, sessions):
        yield client, company, {"pc.xpt": pc, "ex.xpt": ex}, sessions


def _text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_tau_from_the_form_gives_the_steady_state_tables_and_a_read_only_review(site: Site) -> None:
    client, company, files, sessions = site
    pc_id, ex_id = _upload(client, company, files["pc.xpt"]), _upload(client, company, files["ex.xpt"])
    form = client.get(f"/ui/datasets/{pc_id}").text
    assert 'name="opt_tau"' in form and 'name="opt_extrapolate_tau"' in form  # the schema's fields
    page, run = run_from_form(client, sessions, pc_id, {"opt_dosing": ex_id, "opt_tau": "12"})
    run_id, options, result = run.id, json.loads(run.options_json), json.loads(run.result_json or "{}")
    assert (options["tau"], options["extrapolate_tau"]) == (12.0, False)
    assert "interval_statistics" in result and result["n_intervals"] == 60

    shown = _text(page.text)
    steady = "Steady state: summary statistics of the last dosing interval (dose 5) per arm"
    assert steady in shown and "Dosing intervals: start, end and tau per dose number" in shown
    assert "Summary statistics per dosing interval (dose number), arm and parameter" in shown  # appendix
    assert shown.index(steady) < shown.index("Summary statistics per dosing interval")
    assert "CTROUGH (mg/L) 12 0" in shown  # n 12, none missing at steady state (was n 2 of 24 pooled)
    assert "no tau for the last dose" not in shown
    note = re.search(r'id="nca-review-note">([^<]*)<', page.text)
    assert note is not None and "read only" in note.group(1)

    review = client.get(f"/ui/runs/{run_id}/review")
    assert review.status_code == 200
    assert 'id="review-multiple-dose"' in review.text and 'id="review-form"' not in review.text
    assert "lambda_z choices apply to single-dose NCA" in html.unescape(review.text)
    fit = _text(re.search(r'<dl class="facts" id="review-fit">.*?</dl>', review.text, re.S).group(0))  # type: ignore[union-attr]
    assert "—" not in fit.split("Flags")[0]  # lambda_z, points, R2adj and span ratio of the last dose
    refused = client.post(
        f"/ui/runs/{run_id}/review", data={"profile": "0", "action": "exclude", "reason": "r", "time": "60"}
    )
    assert refused.status_code == 200 and "Not applied: lambda_z choices apply to single-dose NCA" in (
        html.unescape(refused.text)
    )

    with sessions() as session:
        actor = company.actor("analyst")
        report = {
            lang: render_run_report(run_context(session, actor, run_id), lang) for lang in ("en", "zh-CN")
        }
    assert steady in _text(report["en"])
    zh = _text(report["zh-CN"])
    for heading in (
        "稳态：各组末次给药间隔（第 5 次给药）的汇总统计量",
        "给药间隔：各给药序号的起点、终点和 tau",
        "各给药间隔（给药序号）、各组和各参数的汇总统计量",
        "末次给药后的给药间隔（tau）",
    ):
        assert heading in zh, heading
