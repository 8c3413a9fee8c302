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
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from bioparity.demo import DEMO_USERS
from bioparity.server import create_app
from bioparity.store import make_engine, make_sessionmaker
from bioparity.store.models import AnalysisRun, AuthToken, Dataset, Signature, Study, User
from bioparity.workspace.signatures import check_signature
from tests.web.chinese_user import HAN, PASSWORD, USERNAME, ensure_chinese_user
from tests.web.conftest import DemoStore, FormClient, new_demo_store

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


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoStore]:
    """This module's own demo store (overrides the session's): its pages are checked as the demo loads them,
    not after the runs and signatures of whichever test files ran before it on the same worker (a later
    approved PK-similarity run supersedes the demo's, hiding its signing form; more runs, more statements)."""
    with new_demo_store(tmp_path_factory, "page-connections") as own:
        yield own


@pytest.fixture(scope="module")
def one_connection(demo_store: DemoStore) -> Iterator[tuple[FormClient, Checkouts]]:
    """sam signed in to an app whose pool has one connection (a second one times out after 0.5 s)."""
    engine = make_engine(demo_store.url, pool_size=1, max_overflow=0, pool_timeout=0.5)
    counted = Checkouts()
    event.listen(engine, "checkout", counted.out)
    event.listen(engine, "checkin", counted.back)
    event.listen(engine, "before_cursor_execute", counted.sent)
    client = FormClient(create_app(engine=engine, run_migrations=False))
    sam = {"username": "sam", "password": DEMO_PASSWORD["sam"]}
    assert client.post("/ui/login", data=sam).status_code == 200
    yield client, counted
    client.close()
    engine.dispose()


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
#: Statements that read a stored result (``analysis_runs.result_json``): the run shown (or reviewed; the
#: runs of the dataset shown), or on the dashboard the signed runs in one query. The PK similarity run's
#: chain links to the NCA run it was derived from: shown by kind and id, its result (a megabyte of JSON)
#: is not read.
RESULT_READS = {"dashboard": 1, "pk-similarity": 1, "nca": 1, "nca review": 1, "dataset": 1}


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
