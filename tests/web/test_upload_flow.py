"""Upload, analysis options, power form and signing in headless Chromium (issue 17, workspace flow).

* The classic Theoph layout (``Subject, Wt, Dose, Time, conc``; R ``datasets::Theoph``, copied to
  ``tests/data/reference/nca/theoph.csv``) is mapped in the form instead of refused, and its NCA agrees
  with PKNCA 0.12.1 (``tests/data/reference/expected/nca_theoph_linuplogdown.csv``, AUClast and Cmax
  per subject; relative tolerance 1e-6, the reference's printed precision is 15 digits).
* A bad option value is refused next to its field with the form kept.
* The power form draws the curve with the target line; n agrees with PowerTOST ``sampleN.TOST``.

Screenshots go to test-artifacts/web/; axe-core (serious/critical) is clean at 1280 and 390 px (axe is
injected inline, so those contexts bypass the Content-Security-Policy, as in test_browser.py).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from bioparity.demo import DEMO_USERS
from tests.web.conftest import ARTIFACTS, Server, axe_violations, sign_in, wait_for_run

PASSWORD = {u.username: u.password for u in DEMO_USERS}
REFERENCE = Path(__file__).parents[1] / "data" / "reference"
THEOPH = REFERENCE / "nca" / "theoph.csv"
PKNCA = REFERENCE / "expected" / "nca_theoph_linuplogdown.csv"


def _shot(page: Any, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _open_study_upload(page: Any) -> None:
    page.click("text=MB-201 (IgG1 mAb)")
    page.click("text=Upload a dataset to PK-101")


def _nca_upload_as_sam(browser: Any, server: Server, path: Path, name: str) -> tuple[Any, Any]:
    """A new browser context signed in as the statistician, on the upload form with ``path`` chosen
    to be checked for NCA as dataset ``name``; returns the context and its page."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, server, "sam", PASSWORD["sam"])
    _open_study_upload(page)
    page.set_input_files("#file", str(path))
    page.fill("#ds-name", name)
    page.select_option("#ds-kind", "nca")
    return context, page


def _no_axe_problems(page: Any, width: int, name: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    if page.locator("div.plot[data-figure]").count():
        page.wait_for_selector("div.plot .main-svg")
    assert axe_violations(page) == [], name
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1, name
    page.screenshot(path=str(ARTIFACTS / f"upload-axe-{width}-{name}.png"))


def test_theoph_upload_with_subject_time_headers_is_mapped_in_the_form_and_nca_runs(
    browser: Any, server: Server
) -> None:
    context, page = _nca_upload_as_sam(browser, server, THEOPH, "theoph-mapped")
    page.fill("#unit-conc_unit", "mg/L")
    page.fill("#unit-dose_unit", "mg/kg")
    page.click("#upload-submit")

    # Not refused: the mapping step, with the first rows of the file and the columns preselected.
    assert "Map the columns of theoph.csv" in page.locator("#mapping-title").inner_text()
    preview = page.locator("#map-preview")
    assert preview.locator("thead").inner_text().split() == ["Subject", "Wt", "Dose", "Time", "conc"]
    assert preview.locator("tbody tr").count() == 8
    assert "0.74" in preview.locator("tbody tr").first.inner_text()
    assert page.locator("#map-subject").input_value() == "Subject"
    assert page.locator("#map-time").input_value() == "Time"
    assert page.locator("#map-conc").input_value() == "conc"
    assert page.locator("#map-dose").input_value() == "Dose"
    assert page.locator("#unit-conc_unit").input_value() == "mg/L"  # the units are kept
    _shot(page, "upload-10-mapping")
    page.fill("#unit-time_unit", "h")
    page.click("#upload-submit")
    page.wait_for_url("**/ui/datasets/**")
    assert "Stored 132 checked rows" in page.locator("p.notice").inner_text()
    mapping = page.locator("#column-map").inner_text()
    assert "Subject → subject" in mapping and "Time → time" in mapping and "Dose → dose" in mapping
    assert "conc: mg/L" in page.locator("#dataset-units").inner_text()
    # Only the analysis the dataset was checked for is offered, its unit options seeded from the upload.
    # the kind by its title, its code after it
    assert (
        page.locator("details.card summary").all_inner_texts()[0].startswith("Noncompartmental analysis nca:")
    )
    assert page.locator("details.card").count() == 1
    assert page.locator("#opt-nca-conc_unit").input_value() == "mg/L"
    assert page.locator("select#opt-nca-auc_method").count() == 1  # fixed choices are a select
    page.wait_for_selector("#plot-profile-log .main-svg")
    dataset_url = page.url
    _shot(page, "upload-11-mapped-dataset")

    page.click("#run-nca")
    wait_for_run(page)
    assert "Noncompartmental analysis" in page.locator("h1").inner_text()
    csv = page.request.get(page.url.split("?")[0] + "/result.csv")
    assert csv.ok
    result = pd.read_csv(io.BytesIO(csv.body()))
    expected = pd.read_csv(PKNCA)
    for ours, theirs in (("AUCLST", "auclast"), ("CMAX", "cmax")):
        got = result[result["PPTESTCD"] == ours].set_index("subject")["PPORRES"].sort_index()
        want = expected[expected["PPTESTCD"] == theirs].set_index("Subject")["PPORRES"].sort_index()
        assert len(got) == 12
        assert got.to_numpy() == pytest.approx(want.to_numpy(), rel=1e-6)
    assert set(result.loc[result["PPTESTCD"] == "CMAX", "PPORRESU"]) == {"mg/L"}
    _shot(page, "upload-12-theoph-nca")

    # The analyses list names the dataset, its version and the key options.
    page.goto(dataset_url)
    listed = page.locator("#dataset-runs li").first.inner_text()
    assert "Noncompartmental analysis of theoph-mapped v1" in listed and "concentration unit: mg/L" in listed
    page.goto(f"{server.url}/ui/programs/{server.program_id}")
    row = page.locator("tr", has=page.locator("a", has_text="theoph-mapped v1")).first.inner_text()
    assert (
        row.startswith("Noncompartmental analysis")
        and "concentration unit: mg/L" in row
        and "dose unit: mg/kg" in row
    )

    # A second version under the same name reuses the stored mapping (preselected from version 1).
    page.goto(dataset_url.rsplit("/ui/", 1)[0] + "/ui/programs")
    _open_study_upload(page)
    page.set_input_files("#file", str(THEOPH))
    page.fill("#ds-name", "theoph-mapped")
    page.select_option("#ds-kind", "nca")
    page.click("#upload-submit")
    assert "previous version of theoph-mapped" in page.locator("#mapping-intro").inner_text()
    assert page.locator("#unit-conc_unit").input_value() == "mg/L"
    for width in (1280, 390):
        _no_axe_problems(page, width, "mapping")
    page.set_viewport_size({"width": 1280, "height": 900})
    # A wrong choice (Wt as the time: every profile has one time repeated) is refused with its row, and
    # the mapping form comes back with the choices made.
    page.select_option("#map-time", "Wt")
    page.click("#upload-submit")
    assert "not stored" in page.locator("#upload-error").inner_text()
    assert page.locator("#map-time").input_value() == "Wt"
    assert page.locator("#map-subject").input_value() == "Subject"
    assert page.locator("#unit-conc_unit").input_value() == "mg/L"
    _shot(page, "upload-13-mapping-refused")
    page.select_option("#map-time", "Time")
    page.click("#upload-submit")
    page.wait_for_url("**/ui/datasets/**")
    assert "as version 2" in page.locator("p.notice").inner_text()
    for width in (1280, 390):
        _no_axe_problems(page, width, "dataset")
    context.close()


def test_a_file_with_its_units_in_a_column_is_mapped_converted_and_gives_pporresu(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    """Theoph with every third concentration in ng/mL (x 1000) and the others in mg/L or ug/mL, the unit
    of each row in an SDTM-style PCSTRESU column: the column is found and preselected in the mapping,
    stored with it, every row converted, and the NCA agrees with PKNCA (values in mg/L)."""
    theoph = pd.read_csv(THEOPH)
    mixed = theoph.assign(PCSTRESU=["mg/L" if i % 2 else "ug/mL" for i in range(len(theoph))])
    mixed.loc[::3, "conc"] = theoph.loc[::3, "conc"] * 1000.0
    mixed.loc[::3, "PCSTRESU"] = "ng/mL"
    path = tmp_path / "theoph-units.csv"
    mixed.to_csv(path, index=False)
    context, page = _nca_upload_as_sam(browser, server, path, "theoph-unit-column")
    page.click("#upload-submit")
    assert page.locator("#unitcol-conc").input_value() == "PCSTRESU"  # found by its usual name
    assert "Column PCSTRESU gives the unit of conc on each row" in page.locator("#mapping-intro").inner_text()
    assert page.locator("#map-subject").input_value() == "Subject"
    page.fill("#unit-conc_unit", "mg/L")
    _shot(page, "upload-14-unit-column-mapping")
    for width in (1280, 390):
        _no_axe_problems(page, width, "unit-column-mapping")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#upload-submit")
    page.wait_for_url("**/ui/datasets/**")
    assert "conc: column PCSTRESU" in page.locator("#dataset-unit-columns").inner_text()
    assert "conc: mg/L" in page.locator("#dataset-units").inner_text()
    # The profile plot shows the converted concentrations: subject 1's first sample, 740 ng/mL = 0.74 mg/L.
    page.wait_for_selector("#plot-profile-individual .main-svg")
    figure = json.loads(page.locator("#fig-profile-individual").text_content() or "{}")
    assert max(max(t["y"]) for t in figure["data"] if t.get("y")) < 12  # Cmax 11.4 mg/L, none x 1000
    page.click("#run-nca")
    wait_for_run(page)
    run_url = page.url.split("?")[0]
    result = pd.read_csv(io.BytesIO(page.request.get(run_url + "/result.csv").body()))
    assert set(result.loc[result["PPTESTCD"] == "CMAX", "PPORRESU"]) == {"mg/L"}
    assert set(result.loc[result["PPTESTCD"] == "AUCLST", "PPSTRESU"]) == {"h*mg/L"}
    expected = pd.read_csv(PKNCA)
    for ours, theirs in (("AUCLST", "auclast"), ("CMAX", "cmax")):
        got = result[result["PPTESTCD"] == ours].set_index("subject")["PPORRES"].sort_index()
        want = expected[expected["PPTESTCD"] == theirs].set_index("Subject")["PPORRES"].sort_index()
        assert got.to_numpy() == pytest.approx(want.to_numpy(), rel=1e-6)
    # The lambda_z review reads the samples as the run did (mapped and converted).
    page.goto(run_url + "/review")
    assert page.locator("h1").count() == 1 and "Not found" not in page.locator("h1").inner_text()
    page.wait_for_selector("div.plot .main-svg")
    _shot(page, "upload-15-unit-column-review")
    context.close()


def test_bad_option_value_is_shown_next_to_its_field_and_the_form_is_kept(
    browser: Any, server: Server
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, server, "sam", PASSWORD["sam"])
    page.goto(f"{server.url}/ui/runs/{server.runs['nca']}")
    page.select_option("#derive-kind", "pk-similarity")
    # test_browser may have signed a run on an earlier "nca-result" of this study: then a reason is needed
    page.fill("#derive-reason", "the NCA table again, for the option checks")
    page.click("#derive")
    page.wait_for_url("**/ui/datasets/**")
    assert page.locator("details.card").count() == 1  # only pk-similarity fits this table
    assert page.locator("details.card[open]").count() == 1  # the fitting analysis is open
    page.fill("#opt-pk-similarity-alpha", "0.05x")
    page.select_option("#opt-pk-similarity-variance", "pooled")
    page.fill("#opt-pk-similarity-arms", "test,eu-ref")
    page.click("#run-pk-similarity")
    error = page.locator("#err-opt-pk-similarity-alpha")
    assert "'0.05x' is not a number" in error.inner_text()
    # The error sits with its field (described by it) and every other choice is kept.
    described = page.locator("#opt-pk-similarity-alpha").get_attribute("aria-describedby") or ""
    assert "err-opt-pk-similarity-alpha" in described
    assert page.locator("#opt-pk-similarity-alpha").input_value() == "0.05x"
    assert page.locator("#opt-pk-similarity-variance").input_value() == "pooled"
    assert page.locator("#opt-pk-similarity-arms").input_value() == "test,eu-ref"
    assert page.locator("details.card[open]").count() == 1
    _shot(page, "upload-20-option-error")
    for width in (1280, 390):
        _no_axe_problems(page, width, "option-error")

    # A value outside a select's choices (a stale or edited form) is refused the same way.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.fill("#opt-pk-similarity-alpha", "0.05")
    page.evaluate(
        "() => { const s = document.querySelector('#opt-pk-similarity-variance');"
        " s.add(new Option('equal', 'equal', true, true)); }"
    )
    page.click("#run-pk-similarity")
    assert "choose one of welch, pooled" in page.locator("#err-opt-pk-similarity-variance").inner_text()
    context.close()


def test_signing_error_is_shown_next_to_the_form_and_keeps_the_meaning(browser: Any, server: Server) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, server, "sam", PASSWORD["sam"])
    page.goto(f"{server.url}/ui/runs/{server.runs['caa']}")
    meanings = page.locator("#meaning option").all_inner_texts()
    chosen = meanings[-1]
    page.select_option("#meaning", chosen)
    page.fill("#sign-username", "sam")
    page.fill("#sign-password", "not the password")
    page.click("#sign-form button")
    assert "password does not match" in page.locator("#sign-form #sign-error").inner_text()
    assert page.locator("#meaning").input_value() == chosen
    _shot(page, "upload-30-sign-error")
    context.close()


def test_power_form_draws_the_curve_with_the_target_line(
    browser: Any, server: Server, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    sign_in(page, server, "sam", PASSWORD["sam"])
    page.click("#power-link")
    page.select_option("#pw-design", "2x2")
    page.fill("#pw-cv", "0.30")
    page.fill("#pw-theta0", "0.95")
    page.fill("#pw-target_power", "0.80")
    page.click("#power-submit")
    # PowerTOST sampleN.TOST(CV = 0.3, theta0 = 0.95, design = "2x2"), row of expected/sample_size_tost.csv.
    table = pd.read_csv(REFERENCE / "expected" / "sample_size_tost.csv")
    want = table[(table.design == "2x2") & (table.cv == 0.3) & (table.theta0 == 0.95)].iloc[0]
    assert int(page.locator("#power-n").inner_text()) == int(want.n) == 40
    assert float(page.locator("#power-at-n").inner_text()) == pytest.approx(want.power, abs=5e-5)
    page.wait_for_selector("#plot-power-curve .main-svg")
    figure = json.loads(page.locator("#fig-power-curve").text_content() or "{}")
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["power", "target 0.8", "sample size n = 40"]
    assert figure["data"][1]["y"] == [0.8, 0.8]
    assert page.locator("#plot-power-curve .scatterlayer .trace").count() == 3
    _shot(page, "upload-40-power-form")
    for width in (1280, 390):
        _no_axe_problems(page, width, "power")

    # A bad number is shown next to its field, the other values kept.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.fill("#pw-cv", "thirty")
    page.click("#power-submit")
    assert "CV must be a number" in page.locator("#err-pw-cv").inner_text()
    assert page.locator("#pw-theta0").input_value() == "0.95"
    assert page.locator("#power-n").count() == 0

    # The grid (samplesize --grid columns) still runs as a dataset; its page is titled as sample size.
    page.goto(f"{server.url}/ui/programs")
    _open_study_upload(page)
    grid = pd.read_csv(REFERENCE / "power" / "demo_planning_grid_samplesize.csv", comment="#")
    path = tmp_path / "samplesize-grid.csv"
    grid[["design", "cv", "theta0", "target_power"]].to_csv(path, index=False)
    page.set_input_files("#file", str(path))
    page.select_option("#ds-kind", "samplesize")
    page.click("#upload-submit")
    page.wait_for_url("**/ui/datasets/**")
    page.click("#run-samplesize")
    wait_for_run(page)
    assert "Sample size" in page.locator("h1").inner_text()
    assert page.locator("h2", has_text="Sample size").count() >= 1
    assert page.locator("figcaption", has_text="Sample size per scenario").count() == 1
    result = pd.read_csv(io.BytesIO(page.request.get(page.url.split("?")[0] + "/result.csv").body()))
    assert result["n"].tolist() == grid["n"].tolist()  # PowerTOST 1.5-7 sampleN.TOST
    _shot(page, "upload-41-samplesize-run")
    context.close()
