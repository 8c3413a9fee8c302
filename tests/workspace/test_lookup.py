"""Rows by primary key through statements built once (``bioparity.store.lookup.by_id``): the same answers
as ``Session.get``, with the columns asked for left unloaded until read."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import inspect
from sqlalchemy.orm import Session, sessionmaker

from bioparity.store.lookup import by_id
from bioparity.store.models import Program, Study
from tests.workspace.conftest import Company


def test_by_id_answers_as_session_get(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company]
) -> None:
    company = company_factory("lookup")
    with sessions() as session:
        program = by_id(session, Program, company.program.id)
        assert program is not None and program.name == company.program.name
        assert by_id(session, Program, company.program.id) is program  # the session's loaded row
        assert session.get(Program, company.program.id) is program
        assert by_id(session, Program, "no-such-program") is None and by_id(session, Program, None) is None
        assert by_id(session, Study, company.program.id) is None  # another table's id
    with sessions() as session:
        partial = by_id(session, Program, company.program.id, deferred=("description", "modality"))
        assert partial is not None and {"description", "modality"} <= inspect(partial).unloaded
        assert partial.modality == "monoclonal antibody"  # read when asked for
        assert "modality" not in inspect(partial).unloaded
