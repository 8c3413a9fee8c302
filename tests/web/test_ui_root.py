"""A new user typing the workspace's address by hand: ``/``, ``/ui`` and ``/ui/`` all land on the programs
(``/ui`` answered 404 before, although ``/`` redirected)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bioparity.server import create_app


@pytest.mark.parametrize("path", ["/", "/ui", "/ui/"])
def test_the_bare_addresses_redirect_to_the_programs(tmp_path: Path, path: str) -> None:
    client = TestClient(create_app(f"sqlite:///{tmp_path / 'store.db'}", secure_cookies=False))
    answer = client.get(path, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/ui/programs"
