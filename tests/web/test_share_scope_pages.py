"""A share's scope on the pages (QA audit F11), on the demo: the CMC partner's share of MB-201 covers the
comparative analytical assessment studies only. Paula (partner analyst) sees the PK study PK-101 but is
offered no upload there and is refused in words; the owner chooses the scope on the sharing page, which
shows it, and the audit trail records each change old → new.

Before this change the demo share covered the whole program: Paula was offered "Upload a dataset to
PK-101", the upload page opened, and the sharing page had no scope to show or choose."""

from __future__ import annotations

import csv
import html
import io

from sqlalchemy import select

from bioparity.demo.load import PARTNER, PROGRAM
from bioparity.store import make_sessionmaker
from bioparity.store.models import Organisation, Study
from tests.web.conftest import DemoStore, demo_client, own_demo_store

CAA_ONLY = "comparative analytical assessment studies only"


def _ids(store: DemoStore) -> tuple[str, str, str]:
    """The ids of the studies PK-101 and CAA-01 and of the partner organisation."""
    with make_sessionmaker(store.engine)() as s:
        studies = {name: str(i) for i, name in s.execute(select(Study.id, Study.name))}
        partner = s.scalars(select(Organisation.id).where(Organisation.name == PARTNER)).one()
    return studies["PK-101"], studies["CAA-01"], str(partner)


def test_the_partner_analyst_reads_pk101_but_may_not_write_there(demo_store: DemoStore) -> None:
    pk, caa, _partner = _ids(demo_store)
    program = demo_store.summary.program_id
    with demo_client(demo_store, "paula") as paula:
        page = html.unescape(paula.get(f"/ui/programs/{program}").text)
        upload = paula.get(f"/ui/studies/{pk}/upload")
        created = paula.post(f"/ui/programs/{program}/studies", data={"name": "PK-102", "kind": "pk"})
        assert paula.get(f"/ui/studies/{caa}/upload").status_code == 200
    assert f"{PARTNER} at role analyst: {CAA_ONLY}" in page
    assert "Upload a dataset to CAA-01" in page and "Upload a dataset to PK-101" not in page
    assert '<option value="caa">' in page and '<option value="pk">' not in page  # the new study's kinds
    assert 'id="study-' + pk + '"' in page  # PK-101 is shown: the partner reads the whole program
    assert upload.status_code == 403
    assert (
        f"the share of {PROGRAM!r} with {PARTNER} covers {CAA_ONLY}; 'PK-101' is a PK similarity study"
        in html.unescape(upload.text)
    )
    assert created.status_code == 403 and "'PK-102' is a PK similarity study" in html.unescape(created.text)


# the share is changed below (own_demo_store)
store = own_demo_store("share-scope")


def test_the_owner_chooses_the_scope_and_the_audit_records_it(store: DemoStore) -> None:
    program = store.summary.program_id
    _pk, _caa, partner = _ids(store)
    sharing = f"/ui/programs/{program}/sharing"
    with demo_client(store, "olivia") as olivia:
        before = html.unescape(olivia.get(sharing).text)
        widened = olivia.post(
            sharing, data={"org_id": partner, "role": "analyst", "scope": ["caa", "pk"], "reason": "test"}
        )
        after = html.unescape(olivia.get(sharing).text)
        whole = olivia.post(sharing, data={"org_id": partner, "role": "analyst", "reason": "test"})
        last = html.unescape(olivia.get(sharing).text)
        exported = olivia.get(f"/ui/programs/{program}/audit.csv").text
    assert f'<td class="share-scope">{CAA_ONLY}</td>' in before
    assert 'name="scope" value="clinical"' in before
    assert widened.status_code == 200 and whole.status_code == 200
    assert (
        '<td class="share-scope">PK similarity or comparative analytical assessment studies only</td>'
        in after
    )
    assert '<td class="share-scope">whole program</td>' in last
    updates = [r["details"] for r in csv.DictReader(io.StringIO(exported)) if r["action"] == "update"]
    assert [d for d in updates if "scope" in d][-2:] == [
        f"role: analyst; status: accepted; partner: {PARTNER}; scope: caa → pk,caa",
        f"role: analyst; status: accepted; partner: {PARTNER}; scope: pk,caa → whole program",
    ]
