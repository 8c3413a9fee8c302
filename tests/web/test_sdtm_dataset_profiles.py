"""The dataset page of an uploaded SDTM PC domain (USUBJID, PCELTM ISO 8601 durations, PCSTRESN, PCSTRESU)
draws the concentration-time profiles, its samples read as the NCA run reads them: time in hours, the
unit of PCSTRESU on the concentration axis, every subject's concentrations. Before, only a plain
``subject, time, conc`` table had the plots (the existing browser tests wait for ``#plot-profile-log``);
an SDTM PC domain had none, as XPT or as CSV.

The file is R's Theoph as the PC domain of docs/tutorials/nca-sdtm.md (tests/web/test_nca_sdtm_upload.py).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.web.conftest import FormClient
from tests.web.test_nca_sdtm_upload import REFERENCE, _upload, site  # noqa: F401  (site: the fixture)
from tests.workspace.conftest import Company


def _figure(page: str, fig_id: str) -> dict[str, Any]:
    found = re.search(rf'<script type="application/json" id="fig-{fig_id}">(.*?)</script>', page, re.S)
    assert found is not None, f"no figure {fig_id} on the page"
    figure: dict[str, Any] = json.loads(found.group(1))
    return figure


@pytest.mark.parametrize("file", ["pc.xpt", "pc.csv"])
def test_the_dataset_page_of_an_sdtm_pc_domain_plots_its_samples_in_hours_and_pcstresu(
    site: tuple[FormClient, Company, dict[str, Path], sessionmaker[Session]],  # noqa: F811
    file: str,
) -> None:
    client, company, files, _sessions = site
    page = client.get(f"/ui/datasets/{_upload(client, company, files[file])}").text
    assert 'id="plot-profile-linear"' in page and 'id="plot-profile-log"' in page

    mean = _figure(page, "profile-linear")
    assert mean["layout"]["xaxis"]["title"]["text"] == "nominal time after dose (h)"
    assert mean["layout"]["yaxis"]["title"]["text"] == "mean concentration (mg/L)"
    assert [trace["name"] for trace in mean["data"]] == ["all (n = 12)"]

    individual = _figure(page, "profile-individual")
    assert individual["layout"]["yaxis"]["title"]["text"] == "concentration (mg/L)"
    theoph = pd.read_csv(REFERENCE)
    expected = sorted(
        sorted(round(float(c), 10) for c in g["conc"] if c > 0) for _, g in theoph.groupby("Subject")
    )
    assert sorted(sorted(trace["y"]) for trace in individual["data"]) == expected
    assert max(max(trace["x"]) for trace in individual["data"]) == pytest.approx(24, abs=1)  # hours
