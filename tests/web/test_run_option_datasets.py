"""An NCA run of an SDTM PC domain with its EX domain chosen in the option ``dosing``: wherever its options
are summarised (the dataset page's runs, the program dashboard's analyses, the run page, the run report's
Options table in HTML and PDF) the dosing dataset is named "ex v1 (ex.xpt)", linked to its page on the
pages; never the bare dataset id as "dosing=<id>".

Before, the runs list read ``dosing=<id of the EX dataset>`` and the report's Options table the id alone."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tests.web.conftest import FormClient, finished_run_page
from tests.web.test_nca_sdtm_upload import _upload, site  # noqa: F401  (site: the fixture)
from tests.web.test_report_pdf import _pdf_text
from tests.workspace.conftest import Company


def test_the_dosing_dataset_is_named_and_linked_not_shown_as_its_id(
    site: tuple[FormClient, Company, dict[str, Path], sessionmaker[Session]],  # noqa: F811
    tmp_path: Path,
) -> None:
    client, company, files, _sessions = site
    pc_id = _upload(client, company, files["pc.xpt"])
    ex_id = _upload(client, company, files["ex.xpt"])
    run_page = finished_run_page(client, client.post(
        f"/ui/datasets/{pc_id}/runs", data={"kind": "nca", "opt_dosing": ex_id}
    ))  # fmt: skip
    assert "succeeded" in run_page.text
    run_id = run_page.url.path.rsplit("/", 1)[-1]
    # under the option's words (its name as stored in the run's options, not dosing=)
    linked = f'dose records (dataset): <a href="/ui/datasets/{ex_id}">ex v1 (ex.xpt)</a>'

    dataset_page = client.get(f"/ui/datasets/{pc_id}").text
    runs = re.search(r'<ul id="dataset-runs">(.*?)</ul>', dataset_page, re.S)
    assert runs is not None and linked in runs.group(1)
    assert f"dosing={ex_id}" not in dataset_page

    dashboard = client.get(f"/ui/programs/{company.program.id}").text
    analyses = re.search(r"<caption>Analyses</caption>(.*?)</table>", dashboard, re.S)
    assert analyses is not None and linked in analyses.group(1)
    assert f"dosing={ex_id}" not in dashboard

    assert (
        f'<dt>Option dosing</dt><dd><a href="/ui/datasets/{ex_id}">ex v1 (ex.xpt)</a></dd>' in run_page.text
    )

    report = client.get(f"/ui/runs/{run_id}/report.html").text
    options = re.search(r"<h2>Options</h2>\s*<table>(.*?)</table>", report, re.S)
    assert options is not None
    assert f"<th>dose records (dataset)</th><td>ex v1 (ex.xpt); id {ex_id}</td>" in options.group(1)
    pdf = client.get(f"/ui/runs/{run_id}/report.pdf")
    assert pdf.status_code == 200
    printed = re.sub(r"\s+", "", _pdf_text(pdf.content, tmp_path))  # the id may wrap in its cell
    assert f"doserecords(dataset)exv1(ex.xpt);id{ex_id}" in printed
