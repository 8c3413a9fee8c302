"""The security tests reuse the workspace fixtures: every test runs on SQLite and on a real PostgreSQL."""

from tests.workspace.conftest import backend, client, company_factory, engine, sessions

__all__ = ["backend", "client", "company_factory", "engine", "sessions"]
