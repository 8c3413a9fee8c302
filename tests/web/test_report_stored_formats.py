"""The run report of an NCA run draws the concentration-time profiles of its SDTM PC domain whatever format
the domain was uploaded in (SAS XPT, CSV, XLSX, Parquet): the report reads the run's stored input with the
readers of the upload and the analysis (``datasets.mapped_table``), time in hours and the unit of PCSTRESU
(mg/L) on the concentration axis, the 12 subjects of Theoph. Before, the report read a stored CSV only: the
same run on pc.xpt had no Plots section.

The files are R's Theoph as the domains of docs/tutorials/nca-sdtm.md (tests/web/test_nca_sdtm_upload.py),
the dose records from ex.xpt (option ``dosing``).
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

import pyreadstat
import pytest
from sqlalchemy.orm import Session, sessionmaker

from bioparity.workspace.datasets import plain_table
from tests.web.conftest import FormClient, finished_run_page
from tests.web.test_nca_sdtm_upload import _upload, site  # noqa: F401  (site: the fixture)
from tests.workspace.conftest import Company

#: The texts of the report's linear mean profile (ticks, axis titles, title, legend): Theoph's mean
#: concentration peaks a little above 8 mg/L, the last samples are taken at about 24 h.
LINEAR_MEAN = [
    *("0", "5", "10", "15", "20", "25"),
    "nominal time after dose (h)",
    *("0", "1", "2", "3", "4", "5", "6", "7", "8"),
    "mean concentration (mg/L)",
    "Mean concentration-time profiles per arm, linear",
    "all (n = 12)",
]


def _plots(report: str) -> dict[str, list[str]]:
    """The report's plots by their alternative text: the texts drawn in each SVG (matplotlib writes each
    text as a comment before its glyphs)."""
    images = re.findall(r'<img class="plot" alt="([^"]*)" src="data:image/svg\+xml;base64,([^"]*)"', report)
    return {alt: re.findall(r"<!-- (.*?) -->", base64.b64decode(svg).decode()) for alt, svg in images}


@pytest.mark.parametrize("file", ["pc.xpt", "pc.csv", "pc.xlsx", "pc.parquet"])
def test_the_report_draws_the_profiles_of_the_pc_domain_in_any_uploaded_format(
    site: tuple[FormClient, Company, dict[str, Path], sessionmaker[Session]],  # noqa: F811
    file: str,
    tmp_path: Path,
) -> None:
    client, company, files, _sessions = site
    if file not in files:  # the PC domain of pc.xpt written as a workbook or a Parquet file
        pc, _meta = pyreadstat.read_xport(str(files["pc.xpt"]))
        files[file] = tmp_path / file
        if file.endswith(".xlsx"):
            pc.to_excel(files[file], index=False)
        else:
            pc.to_parquet(files[file], index=False)
    pc_id = _upload(client, company, files[file])
    ex_id = _upload(client, company, files["ex.xpt"])
    run_page = finished_run_page(client, client.post(
        f"/ui/datasets/{pc_id}/runs", data={"kind": "nca", "opt_dosing": ex_id}
    ))  # fmt: skip
    assert "succeeded" in run_page.text
    report = client.get(f"/ui/runs/{run_page.url.path.rsplit('/', 1)[-1]}/report.html").text

    plots = _plots(report)
    assert list(plots) == [
        "Mean concentration-time profiles per arm, linear",
        "Mean concentration-time profiles per arm, semi-log",
        "Individual profiles per arm, semi-log",
    ]
    assert plots["Mean concentration-time profiles per arm, linear"] == LINEAR_MEAN
    semilog = plots["Mean concentration-time profiles per arm, semi-log"]
    assert {"nominal time after dose (h)", "mean concentration (mg/L) (log scale)", "all (n = 12)"} <= set(
        semilog
    )
    assert "concentration (mg/L) (log scale)" in plots["Individual profiles per arm, semi-log"]
    assert '<p class="note">Profiles: actual times binned by sample order' in report


def test_a_stored_file_is_read_as_a_table_by_its_format() -> None:
    """``plain_table`` reads the formats of the upload (numbers of a workbook as numbers) and nothing else."""
    assert plain_table(b"\x00\x01", "notes.pdf") is None
    assert plain_table(b"not a workbook", "pc.xlsx") is None
    frame = plain_table(b"subject,time,conc\n1,0.5,2.5\n", "pc.csv")
    assert frame is not None and frame.to_dict("list") == {"subject": [1], "time": [0.5], "conc": [2.5]}
