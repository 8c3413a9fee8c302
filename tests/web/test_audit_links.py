"""The audit trail links an event to the page showing its object, and only to pages the reader may open:
a "share" event links to the program's sharing page for those who may share the program (its owner), not
for the other members and partners, who would be refused there (403)."""

from __future__ import annotations

import re

import pytest

from bioparity.demo import DEMO_USERS
from bioparity.server import create_app
from tests.web.conftest import DemoStore, FormClient

PASSWORDS = {u.username: u.password for u in DEMO_USERS}
LINK = re.compile(r'href="(/ui/[^"#?]+)"')


@pytest.mark.parametrize("username", ["olivia", "sam", "rita", "paula"])
def test_every_link_of_the_audit_trail_opens_for_its_reader(demo_store: DemoStore, username: str) -> None:
    client = FormClient(create_app(engine=demo_store.engine))
    signed_in = client.post("/ui/login", data={"username": username, "password": PASSWORDS[username]})
    assert signed_in.status_code == 200
    sharing = f"/ui/programs/{demo_store.summary.program_id}/sharing"
    trail = client.get(f"/ui/programs/{demo_store.summary.program_id}/audit")
    assert trail.status_code == 200 and ">share<" in trail.text  # the program's sharing is in its trail
    links = set(LINK.findall(trail.text))
    assert (sharing in links) == (client.get(sharing).status_code == 200)
    assert (sharing in links) == (username == "olivia")
    for link in sorted(links):
        assert client.get(link).status_code == 200, link
    client.close()
