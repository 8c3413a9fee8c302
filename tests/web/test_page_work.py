"""The work a page view repeats: what derives from stored, immutable content is done once, not on every view.

Found with ``bench/web_load.py`` (20 users, every page of the demo) and profiled in one process: the market
scan page spent 180 ms of CPU a view (each of its 840 notes re-imported the 51 note modules, the ranking
was computed and its 160 rows rendered again), the page of the demo's concentrations 150 ms (the stored
file parsed, grouped into profiles and drawn on every view). Each test counts the expensive call over two
views and the statements a view sends (none more than before); the pages' HTML is unchanged (compared
byte for byte with the previous code on every page the demo users reach, in English and in Chinese).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

import bioparity.analyses.nca as nca_kind
import bioparity.web.pages_market as pages_market
from bioparity.i18n import notes
from bioparity.store import make_sessionmaker
from bioparity.store.models import Dataset, Study
from bioparity.web.templating import TEMPLATES
from tests.web.conftest import DemoStore, FormClient, own_demo_store
from tests.web.test_page_connections import Checkouts, counted_client

demo_store = own_demo_store("page-work")
CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]{64})"')
TOKEN = re.compile(r'name="submission_token" value="[^"]*"')  # a new one on each view of a run form


class Calls:
    """Calls of a wrapped function, counted."""

    def __init__(self, function: Callable[..., Any]) -> None:
        self.function = function
        self.n = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.n += 1
        return self.function(*args, **kwargs)


@pytest.fixture
def sam(demo_store: DemoStore) -> Iterator[tuple[FormClient, Checkouts]]:
    with counted_client(demo_store) as counting:
        yield counting


def test_a_note_translated_imports_no_module(monkeypatch: pytest.MonkeyPatch) -> None:
    """The note modules are imported once: a page translating 840 notes imported 51 modules per note
    (0.25 ms a note), however long they had been loaded."""
    notes.translate_note("Missing values: none.", "zh-CN")  # the first: the modules imported, compiled
    imports = Calls(importlib.import_module)
    monkeypatch.setattr(importlib, "import_module", imports)
    for language in ("en", "zh-CN"):
        for _ in range(20):
            notes.translate_note("Missing values: none.", language)
    assert imports.n == 0
    assert len(notes.registered_templates()) == len(notes._REGISTERED)


def test_a_template_registered_later_is_translated(monkeypatch: pytest.MonkeyPatch) -> None:
    """The compiled templates follow the registered ones (a plug-in may register a template after the first
    note was translated)."""
    text = "a plug-in note about {thing}"
    assert notes.match_note(text.format(thing="x")) is None
    monkeypatch.setitem(notes._REGISTERED, text, None)  # as note_template(text) does
    assert notes.match_note(text.format(thing="x")) == (text, {"thing": "x"})


def _views(client: FormClient, counted: Checkouts, path: str) -> tuple[str, list[str]]:
    """The second of two views of ``path`` and the statements it sent."""
    first = client.get(path)
    assert first.status_code == 200, path
    counted.reset()
    second = client.get(path)
    assert second.status_code == 200, path
    assert TOKEN.sub("", second.text) == TOKEN.sub("", first.text)
    return second.text, list(counted.statements)


def test_the_dataset_page_reads_its_stored_file_once(
    demo_store: DemoStore, sam: tuple[FormClient, Checkouts], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The concentrations' page parsed the stored file, grouped its profiles and drew three figures on every
    view (150 ms of CPU); the stored file, its mapping and units are sealed, so the second view draws
    nothing, and sends the same 10 statements (the file is still read: its seal and SHA-256 checked)."""
    client, counted = sam
    with make_sessionmaker(demo_store.engine)() as session:
        dataset = session.scalars(
            select(Dataset.id)
            .join(Study)
            .where(Study.program_id == demo_store.summary.program_id, Dataset.name == "concentrations")
        ).first()
    profiles = Calls(nca_kind.sample_profiles)
    monkeypatch.setattr(nca_kind, "sample_profiles", profiles)
    html, statements = _views(client, counted, f"/ui/datasets/{dataset}")
    assert profiles.n <= 1  # the first view (unless an earlier test drew it)
    assert 'id="fig-profile-individual"' in html
    assert len(statements) <= 10, statements
    assert sum("FROM blobs" in s for s in statements) == 1  # the stored file, checked on every view


def test_the_market_page_ranks_and_renders_its_rows_once(
    sam: tuple[FormClient, Checkouts], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ranking of the shipped knowledge base (160 rows) was computed and rendered on every view (85 ms of
    CPU once the notes were fixed); now once per ranking, language and organisation, with the session's
    own CSRF token in each row's form. Three statements a view, as before."""
    client, counted = sam
    scans = Calls(pages_market.scan_market)  # type: ignore[attr-defined]
    monkeypatch.setattr(pages_market, "scan_market", scans)
    notes_shown = Calls(TEMPLATES.env.filters["note"])
    monkeypatch.setitem(TEMPLATES.env.filters, "note", notes_shown)
    assert client.get("/ui/market?as_of=2027").status_code == 200
    assert scans.n == 1 and notes_shown.n > 800  # the first view ranks and renders the rows
    scans.n = notes_shown.n = 0
    html, statements = _views(client, counted, "/ui/market?as_of=2027")
    assert scans.n == 0  # not ranked again
    assert notes_shown.n <= 2 * 2  # the page's own notes (a view of the rows translated 840)
    assert len(statements) <= 3, statements
    tokens = set(CSRF.findall(html))
    assert len(tokens) == 1 and html.count('action="/ui/market/programs"') == 160
    assert html.count(f'value="{tokens.pop()}"') == 161  # each row's form and the sign-out form


def test_each_session_gets_its_own_token_in_the_memoised_rows(demo_store: DemoStore) -> None:
    """Two sessions see the same rows, each with its own token (a row's form posts with it)."""
    pages = []
    for _ in range(2):
        with counted_client(demo_store) as (client, _counted):
            pages.append(client.get("/ui/market?as_of=2028").text)
    tokens = [set(CSRF.findall(page)) for page in pages]
    assert all(len(t) == 1 for t in tokens) and tokens[0] != tokens[1]
    assert pages[0].replace(*tokens[0], *tokens[1]) == pages[1]
