"""Bad and hostile input to the pages (the web audit of 2026-12-06): every refusal is a page in the
reader's language naming what is wrong, never the API's JSON, an empty body or a server error, and a
request cannot make the server compute without bound."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bioparity.demo import DEMO_USERS
from bioparity.errors import ScenarioError
from bioparity.power import sample_size_tost
from bioparity.store import make_sessionmaker
from bioparity.store.models import AnalysisJob, AnalysisRun, Dataset, Study
from bioparity.web.pages_data import CURVE_POINTS, _power_curve
from tests.web.conftest import DemoStore, FormClient, Server, demo_client, finished_run_page

PASSWORD = {u.username: u.password for u in DEMO_USERS}


@pytest.fixture(scope="module")
def olivia(demo_store: DemoStore) -> Iterator[FormClient]:
    with demo_client(demo_store, "olivia") as client:
        yield client


def _count(demo_store: DemoStore, model: type[Dataset] | type[AnalysisJob] | type[Study]) -> int:
    """Rows of ``model`` in the demo store (a refused request must leave it unchanged)."""
    with make_sessionmaker(demo_store.engine)() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _pk_study(demo_store: DemoStore) -> str:
    """The id of the demo's PK study (uploads go there)."""
    with make_sessionmaker(demo_store.engine)() as session:
        return str(session.scalar(select(Study.id).where(Study.name == "PK-101")))


def test_a_form_sent_with_an_empty_required_field_gets_the_error_page_naming_it(
    olivia: FormClient, server: Server
) -> None:
    # Browsers send an empty text field as ""; FastAPI reads it as missing (422). Before: the API's JSON.
    org_page = olivia.get("/ui/programs").text
    org_id = org_page.split('name="org_id"><option value="', 1)[1].split('"', 1)[0]
    empty = {"org_id": org_id, "name": "", "inn": "x", "reference_product": "y", "modality": "mAb"}
    answer = olivia.post("/ui/programs", data={**empty, "target_regions": "EU"})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("text/html")
    assert "Missing or invalid: name." in answer.text
    assert "Field required" not in answer.text
    query = olivia.get(f"/ui/programs/{server.program_id}/audit?after_seq=abc")
    assert query.status_code == 422 and "Missing or invalid: after_seq." in query.text


def test_the_validation_error_page_is_translated(olivia: FormClient, server: Server) -> None:
    olivia.post("/ui/account/language", data={"language": "zh-CN"})
    try:
        answer = olivia.get(f"/ui/programs/{server.program_id}/audit?after_seq=abc")
    finally:
        olivia.post("/ui/account/language", data={"language": "en"})
    assert "缺少或无效：after_seq。" in answer.text
    assert "输入无效" in answer.text


def test_the_api_keeps_its_json_validation_errors(olivia: FormClient) -> None:
    answer = olivia.post("/auth/login", json={})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("path", ["audit.xls", "report.docx"])
def test_an_unknown_download_format_is_the_not_found_page(
    olivia: FormClient, server: Server, path: str
) -> None:
    answer = olivia.get(f"/ui/programs/{server.program_id}/{path}")
    assert answer.status_code == 404
    assert "There is no such page" in answer.text  # before: an empty body
    run_report = olivia.get(f"/ui/runs/{next(iter(server.runs.values()))}/report.txt")
    assert run_report.status_code == 404 and "There is no such page" in run_report.text


def test_a_cv_whose_square_overflows_is_refused_not_a_server_error(olivia: FormClient) -> None:
    # cv = 1e308 is finite, but sigma = sqrt(log(1 + cv²)) is not: an OverflowError (500) before.
    with pytest.raises(ScenarioError, match="below 1e154"):
        sample_size_tost(cv=1e308, theta0=0.95)
    page = olivia.get("/ui/power", params={"cv": "1e308"})
    assert page.status_code == 422
    assert "cv = 1e+308; expected a coefficient of variation below 1e154" in page.text


def test_the_power_curve_has_a_bounded_number_of_points() -> None:
    scenario = {"design": "2x2", "cv": 5.0, "theta0": 0.802, "theta1": 0.8, "theta2": 1.25, "alpha": 0.05}
    # n = 6 461 998 for this scenario: the curve had 3.2 million points (tens of MB of page).
    sizes, powers = _power_curve(scenario, 6_461_998)
    assert len(sizes) <= CURVE_POINTS + 1 and len(powers) == len(sizes)
    assert sizes[0] == 4 and sizes[-1] <= 2 * 6_461_998 and all(s % 2 == 0 for s in sizes)
    # An ordinary sample size still gets every size the design allows.
    usual = {**scenario, "cv": 0.3, "theta0": 0.95}
    assert _power_curve(usual, 40)[0] == list(range(4, 81, 2))


def test_a_refused_name_names_its_field_in_the_readers_language(olivia: FormClient, server: Server) -> None:
    # Before: "study name 长度为 300 个字符；最多允许 200 个" (the field's name left in English).
    olivia.post("/ui/account/language", data={"language": "zh-CN"})
    try:
        answer = olivia.post(
            f"/ui/programs/{server.program_id}/studies", data={"name": "S" * 300, "kind": "pk"}
        )
    finally:
        olivia.post("/ui/account/language", data={"language": "en"})
    assert answer.status_code == 422
    assert "研究名称 长度为 300 个字符；最多允许 200 个" in answer.text
    english = olivia.post(f"/ui/programs/{server.program_id}/studies", data={"name": "S" * 300, "kind": "pk"})
    assert "study name is 300 characters long; at most 200 are allowed" in english.text


def test_a_csv_naming_a_column_twice_is_refused_and_nothing_is_stored(
    olivia: FormClient, demo_store: DemoStore
) -> None:
    # pandas reads "conc,conc" as conc and conc.1: the NCA ran on one of the two silently (stored before).
    study_id, before = _pk_study(demo_store), _count(demo_store, Dataset)
    content = b"subject,time,conc,conc\n1,0,0,0\n1,1,5,7\n1,2,3,2\n"
    answer = olivia.post(
        f"/ui/studies/{study_id}/upload",
        data={"name": "twice", "analysis_kind": "nca", "conc_unit": "ng/mL", "time_unit": "h"},
        files={"file": ("twice.csv", content, "text/csv")},
    )
    assert answer.status_code == 422
    assert "column &#39;conc&#39;: column name appears twice in the header" in answer.text
    assert _count(demo_store, Dataset) == before


def test_a_review_time_that_is_not_a_number_is_refused_before_any_run(
    olivia: FormClient, server: Server, demo_store: DemoStore
) -> None:
    # "nan" was read as an empty time: the whole profile excluded, and the new run stored.
    nca = server.runs["nca"]
    jobs_before = _count(demo_store, AnalysisJob)
    for typed in ("nan", "inf", "abc"):
        choice = {"profile": "0", "action": "exclude", "reason": "hostile", "time": typed}
        answer = olivia.post(f"/ui/runs/{nca}/review", data=choice, follow_redirects=False)
        assert answer.status_code == 303
        shown = olivia.get(answer.headers["location"])
        refused = "The time must be a sample time (a number), or empty for the whole profile; got"
        assert f"{refused} &#39;{typed}&#39;." in shown.text
    assert _count(demo_store, AnalysisJob) == jobs_before


def test_a_missing_profile_says_so_on_the_not_found_page(olivia: FormClient, server: Server) -> None:
    choice = {"profile": "99999", "action": "exclude", "reason": "x", "time": ""}
    answer = olivia.post(f"/ui/runs/{server.runs['nca']}/review", data=choice)
    assert answer.status_code == 404
    assert "no such profile in this run" in answer.text  # before: only "There is no such page"


def test_a_mapping_choosing_one_column_twice_is_refused_naming_both(
    olivia: FormClient, demo_store: DemoStore
) -> None:
    # Before: the second choice replaced the first, and the page said "missing column(s) subject".
    study_id, before = _pk_study(demo_store), _count(demo_store, Dataset)
    staged = base64.b64encode(b"ID,T,C\n1,0,0\n1,1,5\n1,2,3\n").decode()
    answer = olivia.post(
        f"/ui/studies/{study_id}/upload",
        data={
            "name": "mapped",
            "analysis_kind": "nca",
            "mapping": "1",
            "staged": staged,
            "staged_name": "m.csv",
            "map_subject": "ID",
            "map_time": "ID",
            "map_conc": "C",
        },
    )
    assert answer.status_code == 422
    assert "m.csv, column &#39;ID&#39;: the mapping chooses this column for subject, time" in answer.text
    assert _count(demo_store, Dataset) == before


def test_the_default_dataset_name_has_no_folders_of_the_clients_path(
    olivia: FormClient, demo_store: DemoStore
) -> None:
    with make_sessionmaker(demo_store.engine)() as session:
        study_id = session.scalar(select(Study.id).where(Study.name == "CAA-01"))
    for sent in ("../../../etc/passwd-grid.csv", "..\\..\\win-grid.csv"):
        answer = olivia.post(
            f"/ui/studies/{study_id}/upload",
            data={"name": "", "analysis_kind": ""},
            files={"file": (sent, b"a,b\n1,2\n", "text/csv")},
            follow_redirects=False,
        )
        assert answer.status_code == 303
        dataset_id = answer.headers["location"].split("/ui/datasets/", 1)[1].split("?", 1)[0]
        with make_sessionmaker(demo_store.engine)() as session:
            stored = session.get(Dataset, dataset_id)
            assert stored is not None
            assert "/" not in stored.name and "\\" not in stored.name and ".." not in stored.name
            assert stored.name == stored.filename.rsplit(".", 1)[0]


#: A run form of the dataset page: its one-time submission token, then the kind it runs.
RUN_FORM = re.compile(
    r'name="submission_token" value="([^"]+)">\s*<input type="hidden" name="kind" value="([^"]+)"'
)


def _dataset_of(demo_store: DemoStore, kind: str) -> str:
    """The dataset of the demo's run of ``kind``."""
    with make_sessionmaker(demo_store.engine)() as session:
        run = session.get(AnalysisRun, demo_store.summary.runs[kind])
        assert run is not None
        return run.dataset_id


def test_a_run_form_sent_twice_requests_one_run(olivia: FormClient, demo_store: DemoStore) -> None:
    # A double click or the browser sending the form again queued two identical runs.
    dataset = _dataset_of(demo_store, "power")
    tokens = {kind: token for token, kind in RUN_FORM.findall(olivia.get(f"/ui/datasets/{dataset}").text)}
    assert set(tokens) == {"power"}  # the kind the dataset was checked for
    again_shown = RUN_FORM.findall(olivia.get(f"/ui/datasets/{dataset}").text)
    assert again_shown[0][0] != tokens["power"]  # a new token each time the form is shown
    before = _count(demo_store, AnalysisJob)
    form = {"kind": "power", "submission_token": tokens["power"]}
    first = olivia.post(f"/ui/datasets/{dataset}/runs", data=form, follow_redirects=False)
    again = olivia.post(f"/ui/datasets/{dataset}/runs", data=form, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"].startswith("/ui/runs/")
    assert again.headers["location"] == first.headers["location"]
    assert _count(demo_store, AnalysisJob) == before + 1
    # A form of an older page (no token) still runs, as before.
    plain = olivia.post(f"/ui/datasets/{dataset}/runs", data={"kind": "power"}, follow_redirects=False)
    assert plain.status_code == 303 and plain.headers["location"] != first.headers["location"]
    assert _count(demo_store, AnalysisJob) == before + 2
    # The token with other options: refused on the form, naming the run it requested.
    other = olivia.post(f"/ui/datasets/{dataset}/runs", data={**form, "opt_method": "nct"})
    assert other.status_code == 422 and 'id="run-error-power"' in other.text
    run_id = first.headers["location"].rsplit("/", 1)[1]
    assert f"already sent with another dataset, kind or options (run {run_id})" in other.text
    assert _count(demo_store, AnalysisJob) == before + 2
    for sent in (first, plain):  # finished before the test ends (no job left to a stopping server)
        assert 'id="run-summary"' in finished_run_page(olivia, olivia.get(sent.headers["location"])).text


def test_a_review_choice_sent_twice_requests_one_run(
    olivia: FormClient, server: Server, demo_store: DemoStore
) -> None:
    nca = server.runs["nca"]
    token = re.search(r'name="submission_token" value="([^"]+)"', olivia.get(f"/ui/runs/{nca}/review").text)
    assert token is not None
    choice = {
        "profile": "0",
        "action": "exclude",
        "reason": "sent twice",
        "time": "",
        "submission_token": token[1],
    }
    before = _count(demo_store, AnalysisJob)
    first = olivia.post(f"/ui/runs/{nca}/review", data=choice, follow_redirects=False)
    again = olivia.post(f"/ui/runs/{nca}/review", data=choice, follow_redirects=False)
    assert first.status_code == again.status_code == 303
    assert again.headers["location"] == first.headers["location"]
    assert _count(demo_store, AnalysisJob) == before + 1
    run_page = first.headers["location"].split("?", 1)[0]  # not its review, where it leads once stored
    assert 'id="run-summary"' in finished_run_page(olivia, olivia.get(run_page)).text


def test_a_study_name_taken_in_the_program_is_refused_on_the_error_page(
    olivia: FormClient, server: Server, demo_store: DemoStore
) -> None:
    # Before: a second "PK-101" was stored next to the demo's (program names were refused, study names not).
    before = _count(demo_store, Study)
    for sent in ("PK-101", " PK-101  "):
        answer = olivia.post(f"/ui/programs/{server.program_id}/studies", data={"name": sent, "kind": "pk"})
        assert answer.status_code == 409 and answer.headers["content-type"].startswith("text/html")
        assert "already has a study named &#39;PK-101&#39;" in answer.text
    assert _count(demo_store, Study) == before


def test_a_target_region_without_rules_is_refused_on_the_error_page(olivia: FormClient) -> None:
    org_page = olivia.get("/ui/programs").text
    org_id = org_page.split('name="org_id"><option value="', 1)[1].split('"', 1)[0]
    program = {
        "org_id": org_id,
        "name": "Narnia program",
        "inn": "x",
        "reference_product": "y",
        "modality": "mAb",
    }
    answer = olivia.post("/ui/programs", data={**program, "target_regions": "EU, Narnia"})
    assert answer.status_code == 422 and answer.headers["content-type"].startswith("text/html")
    assert "unknown target region &#39;Narnia&#39;; expected one of EU, EMA, US," in answer.text
    assert "Narnia program" not in olivia.get("/ui/programs").text


SPOOF = "Your account is locked, call +1 555 0100"


def test_a_notice_crafted_outside_the_session_is_not_shown(olivia: FormClient, server: Server) -> None:
    # Before: any ?message= (and the run and review pages' ?error=) was shown as the site's own notice.
    run = next(iter(server.runs.values()))
    for crafted in (
        f"/ui/account?{urlencode({'message': SPOOF})}",
        f"/ui/account?{urlencode({'message': SPOOF, 'notice_sig': '0' * 64})}",
        f"/ui/programs/{server.program_id}?{urlencode({'message': SPOOF})}",
        f"/ui/runs/{run}?{urlencode({'error': SPOOF})}",
        f"/ui/runs/{server.runs['nca']}/review?{urlencode({'error': SPOOF, 'profile': 0})}",
    ):
        page = olivia.get(crafted)
        assert page.status_code == 200 and "+1 555 0100" not in page.text, crafted
    # A notice of our own, after a form, is shown.
    saved = olivia.post("/ui/account/language", data={"language": "en"}, follow_redirects=False)
    assert "notice_sig=" in saved.headers["location"]
    assert '<p class="notice" role="status">Language saved.</p>' in olivia.get(saved.headers["location"]).text
    # Signed for another browser session (the author's own, quoting text they chose): not shown here.
    other = FormClient(olivia.app)  # not entered: its exit would stop the app's job runner
    other.post("/ui/login", data={"username": "sam", "password": PASSWORD["sam"]})
    theirs = other.post("/ui/account/language", data={"language": "en"}, follow_redirects=False)
    assert "Language saved." in other.get(theirs.headers["location"]).text
    other.close()
    assert "Language saved." not in olivia.get(theirs.headers["location"]).text


def test_a_cv_typed_as_a_percentage_is_computed_with_a_notice(olivia: FormClient) -> None:
    # Finding F8: CV 30 (3000%) is computed as given, the page says what it probably meant.
    page = olivia.get("/ui/power", params={"cv": "30"})
    assert page.status_code == 200
    notice = re.search(r'<p class="notice" role="status" id="power-cv-warning">([^<]*)</p>', page.text)
    assert notice is not None, page.text[-3000:]
    assert notice.group(1) == "CV 30 is 3000%: a CV is a ratio (0.3 for 30%); computed as given"
    assert page.text.index('id="power-result"') < notice.start() < page.text.index('id="power-n"')
    assert int(re.search(r'id="power-n">(\d+)<', page.text).group(1)) == int(  # type: ignore[union-attr]
        sample_size_tost(cv=30.0, theta0=0.95).n
    )
    plausible = olivia.get("/ui/power", params={"cv": "1.5"})
    assert plausible.status_code == 200 and 'id="power-n"' in plausible.text
    assert "power-cv-warning" not in plausible.text
