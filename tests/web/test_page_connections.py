"""One page view holds at most one database connection at a time (issue #22), and checks one out once.

A page that opened a second session while its own was still open (the menu of the page's template, the
language of the request) deadlocked under load: with 20 users and a pool of 15, every request held one
connection and waited for a second until the pool timed out (503 after 30 s). Here the pool has a single
connection and a short timeout: a page that needs two at once fails instead of answering.

A GET page view reads who is signed in and then the page through one connection checkout (one read
transaction); the statements it sends are counted too, so that a repeated or extra query shows here.

Memoised page parts (signature checks, report tables and their HTML) are kept per language: the same
page read in English and then in Chinese is in Chinese.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from bioparity.analyses.registry import all_analyses
from bioparity.demo import DEMO_USERS
from bioparity.server import create_app
from bioparity.store import make_engine, make_sessionmaker
from bioparity.store.models import AnalysisRun, AuthToken, Dataset, Signature, Study, User
from bioparity.workspace import accounts, analyses, datasets, programs, signatures
from bioparity.workspace.access import Actor
from bioparity.workspace.roles import Meaning
from bioparity.workspace.signatures import check_signature
from tests.web.chinese_user import HAN, PASSWORD, USERNAME, ensure_chinese_user
from tests.web.conftest import DemoStore, FormClient, new_demo_store, own_demo_store

DEMO_PASSWORD = {u.username: u.password for u in DEMO_USERS}
TABLES = re.compile(r'<table class="data">.*?</table>', re.S)


class Checkouts:
    """Connections checked out of an engine's pool: now, at most at once, in all; and the statements sent
    (``BEGIN`` included: on SQLite a read transaction's ``BEGIN DEFERRED`` is one)."""

    def __init__(self) -> None:
        self.now = 0
        self.most = 0
        self.total = 0
        self.statements: list[str] = []
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self.most = self.total = 0
            self.statements = []

    def sent(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        with self._lock:
            self.statements.append(statement)

    def out(self, *_: Any) -> None:
        with self._lock:
            self.now += 1
            self.total += 1
            self.most = max(self.most, self.now)

    def back(self, *_: Any) -> None:
        with self._lock:
            self.now -= 1


# statements and connections of the pages as the demo loads them (own_demo_store)
demo_store = own_demo_store("page-connections")


@contextmanager
def counted_client(store: DemoStore) -> Iterator[tuple[FormClient, Checkouts]]:
    """sam signed in to an app on ``store`` whose pool has one connection (a second one times out after
    0.5 s), its checkouts and statements counted."""
    engine = make_engine(store.url, pool_size=1, max_overflow=0, pool_timeout=0.5)
    counted = Checkouts()
    event.listen(engine, "checkout", counted.out)
    event.listen(engine, "checkin", counted.back)
    event.listen(engine, "before_cursor_execute", counted.sent)
    client = FormClient(create_app(engine=engine, run_migrations=False))
    sam = {"username": "sam", "password": DEMO_PASSWORD["sam"]}
    assert client.post("/ui/login", data=sam).status_code == 200
    try:
        yield client, counted
    finally:
        client.close()
        engine.dispose()


@pytest.fixture(scope="module")
def one_connection(demo_store: DemoStore) -> Iterator[tuple[FormClient, Checkouts]]:
    """sam signed in to an app whose pool has one connection (a second one times out after 0.5 s)."""
    with counted_client(demo_store) as counting:
        yield counting


def test_a_page_view_holds_one_connection_at_a_time(
    demo_store: DemoStore, one_connection: tuple[FormClient, Checkouts]
) -> None:
    client, counted = one_connection
    runs = demo_store.summary.runs
    pages = [
        "/ui/programs",
        f"/ui/programs/{demo_store.summary.program_id}",
        f"/ui/programs/{demo_store.summary.program_id}/sharing",  # sam may not share: 403 page
        f"/ui/runs/{runs['pk-similarity']}",
        f"/ui/runs/{runs['nca']}",
        "/ui/account",
        "/ui/runs/no-such-run",  # the error page renders the menu too
    ]
    for path in pages:
        counted.reset()
        response = client.get(path)
        # A second connection wanted while the first is held waits out the pool and fails: the page
        # answers 500, or the menu is drawn without the entries it reads (it swallows the error).
        assert 'href="/ui/orgs"' in response.text, path
        assert response.status_code in ((404,) if "no-such" in path else (200, 403)), path
        assert counted.most == 1, (path, counted.most)
        # Who is signed in and the page through one checkout (an error page: its menu after the failed
        # unit, or the idle-timeout write when due: a second one, never two at once).
        assert counted.total <= (1 if response.status_code == 200 else 2), (path, counted.total)
        assert counted.now == 0, path  # every connection back in the pool once the page is answered


#: Statements a GET page view sends at most (sam, the demo program, SQLite: ``BEGIN DEFERRED`` counts),
#: its session's last use recorded within the last 30 s: one read transaction, who is signed in (token,
#: user and the user's roles for the menu in one query), the page's reads.
STATEMENTS = {
    "programs": 4,
    "dashboard": 9,  # the program and its organisation in one query
    "pk-similarity": 11,  # + the later runs of its kind in its study (superseded: no review or approval)
    "nca": 9,  # + the later runs of its kind in its study
    "nca review": 9,
    "audit": 6,
    "upload": 4,
    "dataset": 10,  # + the study's other datasets, offered to NCA's option dosing
    "account": 3,
    "market": 3,
    "power": 2,
    "sign-in page": 2,  # signed in: a redirect to the programs, nothing read but who is signed in
}
#: Statements that read a stored result (``analysis_runs.result_json``): the run shown (or reviewed), or on
#: the dashboard the signed runs in one query. The PK similarity run's chain links to the NCA run it was
#: derived from: shown by kind and id, its result (a megabyte of JSON) is not read. The dataset page lists
#: its runs by kind, status, time and options: it reads no result (it read every run of the study with its
#: result, the NCA's megabyte included, on each view).
RESULT_READS = {"dashboard": 1, "pk-similarity": 1, "nca": 1, "nca review": 1}


def test_a_page_view_checks_out_one_connection_and_sends_few_statements(
    demo_store: DemoStore, one_connection: tuple[FormClient, Checkouts]
) -> None:
    client, counted = one_connection
    program, runs = demo_store.summary.program_id, demo_store.summary.runs
    with make_sessionmaker(demo_store.engine)() as session:
        study = session.scalars(select(Study.id).where(Study.program_id == program)).first()
        dataset = session.scalars(select(Dataset.id).join(Study).where(Study.program_id == program)).first()
    pages = {
        "programs": "/ui/programs",
        "dashboard": f"/ui/programs/{program}",
        "pk-similarity": f"/ui/runs/{runs['pk-similarity']}",
        "nca": f"/ui/runs/{runs['nca']}",
        "nca review": f"/ui/runs/{runs['nca']}/review",
        "audit": f"/ui/programs/{program}/audit",
        "upload": f"/ui/studies/{study}/upload",
        "dataset": f"/ui/datasets/{dataset}",
        "account": "/ui/account",
        "market": "/ui/market",
        "power": "/ui/power",
        "sign-in page": "/ui/login",
    }
    for name, path in pages.items():
        # The first view fills the page's memos and records the session's use (the idle timeout).
        assert client.get(path, follow_redirects=False).status_code in (200, 303), path
        counted.reset()
        response = client.get(path, follow_redirects=False)
        assert response.status_code == (303 if name == "sign-in page" else 200), path
        assert (counted.total, counted.most, counted.now) == (1, 1, 0), (path, counted.total, counted.most)
        assert len(counted.statements) <= STATEMENTS[name], (path, counted.statements)
        results = [s for s in counted.statements if "analysis_runs.result_json" in s]
        assert len(results) <= RESULT_READS.get(name, 0), (path, results)


def test_a_page_view_records_the_session_use_for_the_idle_timeout(
    demo_store: DemoStore, one_connection: tuple[FormClient, Checkouts]
) -> None:
    client, _counted = one_connection
    sessions = make_sessionmaker(demo_store.engine)
    earlier = datetime.now(UTC) - timedelta(minutes=20)
    with sessions.begin() as session:
        user_id = session.scalar(select(User.id).where(User.username == "sam"))
        tokens = list(session.scalars(select(AuthToken).where(AuthToken.user_id == user_id)))
        for token in tokens:
            token.last_used_at = earlier
    assert client.get("/ui/programs").status_code == 200
    with sessions() as session:
        used = session.scalars(select(AuthToken.last_used_at).where(AuthToken.user_id == user_id))
        latest = max(u for u in used if u is not None)
    assert latest > earlier + timedelta(minutes=19)  # the page view restarted the idle clock


def test_memoised_page_parts_follow_the_language(demo_store: DemoStore) -> None:
    ensure_chinese_user(demo_store.engine)
    app = create_app(engine=demo_store.engine, run_migrations=False)
    english, chinese = FormClient(app), FormClient(app)
    try:
        sam = {"username": "sam", "password": DEMO_PASSWORD["sam"]}
        assert english.post("/ui/login", data=sam).status_code == 200
        assert chinese.post("/ui/login", data={"username": USERNAME, "password": PASSWORD}).status_code == 200
        run = f"/ui/runs/{demo_store.summary.runs['pk-similarity']}"
        dashboard = f"/ui/programs/{demo_store.summary.program_id}"
        for path in (run, dashboard):
            for _ in range(2):  # the second English view is served from the memo
                en = english.get(path).text
            zh = chinese.get(path).text
            assert not HAN.search(en), path
            assert HAN.search(zh), path
            if path == run:
                en_tables, zh_tables = TABLES.findall(en), TABLES.findall(zh)
                assert en_tables and zh_tables
                assert any(HAN.search(t) for t in zh_tables)
                assert not any(HAN.search(t) for t in en_tables)
                assert TABLES.findall(english.get(path).text) == en_tables  # English again after Chinese
    finally:
        english.close()
        chinese.close()


def test_memoised_signature_checks_still_see_a_changed_result(demo_store: DemoStore) -> None:
    """The memo of signed-content hashes is keyed by the exact stored texts, not by the stored
    ``result_sha256``: a result altered behind the application's back fails its signatures at once."""
    with make_sessionmaker(demo_store.engine)() as session:
        signed = session.scalars(select(Signature)).first()
        assert signed is not None
        run = session.get(AnalysisRun, signed.run_id)
        assert run is not None and run.result_json is not None
        assert check_signature(run, signed).valid and check_signature(run, signed).valid  # memoised
        result = json.loads(run.result_json)
        run.result_json = json.dumps({**result, "added": 1})  # result_sha256 left as it was
        assert not check_signature(run, signed).valid
        session.rollback()


def test_memoised_signature_checks_still_see_a_changed_record_or_key(
    demo_store: DemoStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signature verdicts are memoised by every field of the record, its MAC, the run's stored texts and
    the audit key: an edited record, or another key than the one that sealed it, fails at once."""
    with make_sessionmaker(demo_store.engine)() as session:
        signed = session.scalars(select(Signature)).first()
        assert signed is not None
        run = session.get(AnalysisRun, signed.run_id)
        assert run is not None
        assert check_signature(run, signed).valid and check_signature(run, signed).valid  # memoised
        signed.display_name += " (edited)"
        assert check_signature(run, signed).problem == "the signature record was altered after signing"
        session.rollback()
        assert check_signature(run, signed).valid
        monkeypatch.setenv("BIOPARITY_AUDIT_KEY", "ab" * 32)  # another key than the workspace's
        assert "seal (audit-key MAC)" in check_signature(run, signed).problem
        monkeypatch.delenv("BIOPARITY_AUDIT_KEY")
        assert check_signature(run, signed).valid


@pytest.fixture(scope="module")
def growing_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStore]:
    """A demo store of its own that the tests below add runs to (the other tests count the demo's pages)."""
    with new_demo_store(tmp_path_factory, "page-statements-runs") as own:
        yield own


#: The parameters of an ``IN`` list (one ``?`` per value on SQLite): the same statement for any number.
IN_LIST = re.compile(r"IN \(\?(?:, \?)*\)")


def _statements(client: FormClient, counted: Checkouts, path: str) -> list[str]:
    """The statements of the second view of ``path`` (the first fills the page's memos), an ``IN`` list of
    any length as ``IN (...)``."""
    assert client.get(path).status_code == 200, path
    counted.reset()
    assert client.get(path).status_code == 200, path
    return [IN_LIST.sub("IN (...)", statement) for statement in counted.statements]


def _signed_runs(
    store: DemoStore, study_id: str, kind: str, names: list[str], *, approve: bool = False
) -> None:
    """A run of ``kind``'s example file for each of ``names`` (a dataset of that name), signed by sam as
    its author; with ``approve``, reviewed by rita and approved by olivia (each signature in its own unit,
    as the pages sign)."""
    example = all_analyses()[kind].example
    assert example is not None
    path = example.write(Path(store.url.removeprefix("sqlite:///")).parent)
    sessions = make_sessionmaker(store.engine)
    for name in names:
        with sessions.begin() as session:
            sam = Actor.of(accounts.get_user_by_name(session, "sam"))
            dataset = datasets.upload_dataset(
                session, sam, study_id, name=name, filename=path.name, content=path.read_bytes(),
                analysis_kind=kind,
            )  # fmt: skip
            run_id = analyses.run_analysis(session, sam, dataset.id, kind, dict(example.options)).id
        signers = [("sam", Meaning.authored)] + (
            [("rita", Meaning.reviewed), ("olivia", Meaning.approved)] if approve else []
        )
        for username, meaning in signers:
            with sessions.begin() as session:
                signer = Actor.of(accounts.get_user_by_name(session, username))
                password = DEMO_PASSWORD[username]
                signatures.sign_run(
                    session, signer, run_id, username=username, password=password, meaning=meaning.value
                )


def _study(store: DemoStore, name: str) -> str:
    with make_sessionmaker(store.engine)() as session:
        found = session.scalar(
            select(Study.id).where(Study.program_id == store.summary.program_id, Study.name == name)
        )
    assert found is not None
    return found


def test_the_dashboard_sends_as_many_statements_whatever_the_number_of_runs(growing_store: DemoStore) -> None:
    """The dashboard reads the program's studies, datasets, runs, signatures and signed results in one
    statement each (:func:`bioparity.report.evidence.collect`), not one per run: three more runs, signed,
    one of them reviewed and approved (read by the readiness), send the same statements."""
    path = f"/ui/programs/{growing_store.summary.program_id}"
    study = _study(growing_store, "PK-101")
    with counted_client(growing_store) as (client, counted):
        before = _statements(client, counted, path)
        _signed_runs(growing_store, study, "comparability", ["q5e-1", "q5e-2"])
        _signed_runs(growing_store, study, "comparability", ["q5e-3"], approve=True)
        after = _statements(client, counted, path)
        assert "q5e-3" in client.get(path).text  # the runs are on the page
    assert after == before


def test_the_dataset_page_reads_the_runs_an_option_may_name_in_one_statement(
    growing_store: DemoStore,
) -> None:
    """The dataset page of an ADA sensitivity dataset offers the program's signed ADA cut point runs for its
    option ``cut_point_run`` (:func:`bioparity.workspace.analyses.usable_runs`): their signatures are read in
    one statement. Before, one per run: 12 statements with one cut point run, 14 with three."""
    sessions = make_sessionmaker(growing_store.engine)
    with sessions.begin() as session:
        sam = Actor.of(accounts.get_user_by_name(session, "sam"))
        study = programs.create_study(
            session, sam, growing_store.summary.program_id, name="ADA-1", kind="clinical"
        )
        study_id = study.id
    _signed_runs(growing_store, study_id, "ada-cutpoint", ["cut-1"])
    example = all_analyses()["ada-sensitivity"].example
    assert example is not None
    path = example.write(Path(growing_store.url.removeprefix("sqlite:///")).parent)
    with sessions.begin() as session:
        sam = Actor.of(accounts.get_user_by_name(session, "sam"))
        page = "/ui/datasets/" + datasets.upload_dataset(
            session, sam, study_id, name="sensitivity", filename=path.name, content=path.read_bytes(),
            analysis_kind="ada-sensitivity",
        ).id  # fmt: skip
    with counted_client(growing_store) as (client, counted):
        before = _statements(client, counted, page)
        _signed_runs(growing_store, study_id, "ada-cutpoint", ["cut-2", "cut-3"])
        after = _statements(client, counted, page)
        assert client.get(page).text.count("ada-cutpoint run of") == 1 + 3  # the option's help, each run
    assert after == before
