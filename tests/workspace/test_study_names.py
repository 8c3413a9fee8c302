"""A study name is unique in its program in the database too, on SQLite and on PostgreSQL: the application's
check alone could be passed by two creations at the same moment (PostgreSQL reads without queueing
writers), and both were stored. Revision 0008 adds the unique index; a database already holding two
studies of one name in a program is refused, named and left untouched."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, event, func, inspect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bioparity.errors import InputError
from bioparity.store import current_revision, head_revision, make_sessionmaker, upgrade_schema
from bioparity.store.migrate import alembic_config
from bioparity.store.models import Study, utc_now
from bioparity.workspace import programs
from bioparity.workspace.errors import ConflictError
from bioparity.workspace.integrity import upgrade
from tests.workspace.conftest import Company, make_company

BEFORE = "0007_job_request_key"
INDEX = "uq_studies_program_name"


def _names(sessions: sessionmaker[Session], program_id: str) -> list[str]:
    with sessions() as s:
        query = select(Study.name).where(Study.program_id == program_id).order_by(Study.name)
        return list(s.scalars(query))


def test_simultaneous_creates_of_one_study_name_store_one_and_refuse_the_other(
    backend: str, sessions: sessionmaker[Session], company_factory: Callable[[str], Company]
) -> None:
    company = company_factory("race")
    actor = company.actor("analyst")
    start = threading.Barrier(2)
    # On PostgreSQL both writers pass the name check before either inserts (the race the check alone
    # lost); SQLite's writers queue from their first statement, so they meet only at the start.
    checked = threading.Barrier(2) if backend == "postgresql" else None

    def create(i: int) -> str:
        with sessions.begin() as s:
            if checked is not None:
                event.listen(s, "before_flush", lambda *_args: checked.wait(timeout=60), once=True)
            start.wait(timeout=60)
            try:
                return programs.create_study(s, actor, company.program.id, name="PK 2", kind="pk").id
            except ConflictError as exc:
                s.rollback()
                return f"refused: {exc}"

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(create, range(2)))
    refused = f"refused: program {company.program.name!r} already has a study named 'PK 2'"
    assert outcomes[1] == refused, outcomes  # the same message as the check's (409 through the API)
    assert _names(sessions, company.program.id) == ["PK 2", "PK study 1"]


def test_the_store_refuses_a_second_study_of_a_name(
    sessions: sessionmaker[Session], company_factory: Callable[[str], Company]
) -> None:
    company = company_factory("store")
    study = company.study
    with pytest.raises(IntegrityError), sessions.begin() as s:  # written behind the check's back
        s.add(Study(program_id=study.program_id, name=study.name, kind="caa", created_by=study.created_by))
    # Another spelling is another study, as before.
    with sessions.begin() as s:
        s.add(Study(program_id=study.program_id, name="pk study 1", kind="caa", created_by=study.created_by))
    assert _names(sessions, study.program_id) == ["PK study 1", "pk study 1"]


def _downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def _index(engine: Engine) -> dict[str, Any] | None:
    indexes = {i["name"]: i for i in inspect(engine).get_indexes("studies")}
    return dict(indexes[INDEX]) if INDEX in indexes else None


def test_migration_0008_down_and_up_keeps_the_studies(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    sessions = make_sessionmaker(empty_engine)
    company = make_company(sessions, "Mig")
    with sessions.begin() as s:
        programs.create_study(s, company.actor("owner"), company.program.id, name="CAA 1", kind="caa")
    kept = _names(sessions, company.program.id)
    _downgrade(empty_engine, BEFORE)
    assert current_revision(empty_engine) == BEFORE and _index(empty_engine) is None
    assert _names(sessions, company.program.id) == kept
    upgrade_schema(empty_engine)
    index = _index(empty_engine)
    assert index is not None and index["unique"] and index["column_names"] == ["program_id", "name"]
    assert _names(sessions, company.program.id) == kept == ["CAA 1", "PK study 1"]


def test_migration_0008_refuses_a_database_with_two_studies_of_one_name_and_changes_nothing(
    empty_engine: Engine,
) -> None:
    upgrade_schema(empty_engine)  # the company's audit rows are written with today's models ...
    sessions = make_sessionmaker(empty_engine)
    company = make_company(sessions, "Dup")
    _downgrade(empty_engine, BEFORE)  # ... then the database goes back to the revision before 0008
    first = company.study
    with sessions.begin() as s:  # stored before revision 0008 (the check was passed by a race)
        second = Study(
            program_id=first.program_id, name=first.name, kind="caa", created_by=first.created_by,
            created_at=utc_now(),
        )  # fmt: skip
        s.add(second)
        s.flush()
        second_id = second.id
    with sessions() as s:
        stored = s.scalar(select(func.count()).select_from(Study))
    with pytest.raises(InputError) as refused:
        upgrade_schema(empty_engine)
    message = str(refused.value)
    assert message.startswith(
        "cannot upgrade to 0008_study_name_unique: study names must be unique in their program, and 1 "
        "name(s) are used by more than one study of a program:\n"
        f"- organisation {company.org.name!r}, program {company.program.name!r} (id {company.program.id}): "
        f"2 studies named 'PK study 1': {first.id} (created "
    ), message
    assert f"; {second_id} (created " in message
    assert "Nothing was changed" in message and "Rename all but one study of each name" in message
    assert "UPDATE studies SET name = 'PK study 1 (2)' WHERE id = '<study id>'" in message
    assert "bioparity db upgrade" in message
    # Untouched: still at the revision it was at, both studies kept with their names, no index.
    assert current_revision(empty_engine) == BEFORE and _index(empty_engine) is None
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Study)) == stored
        assert {s.get(Study, i).name for i in (first.id, second_id)} == {"PK study 1"}  # type: ignore[union-attr]
    # Renamed as the message says, the upgrade goes through and keeps both studies.
    with sessions.begin() as s:
        renamed = s.get(Study, second_id)
        assert renamed is not None
        renamed.name = "PK study 1 (2)"
    upgrade_schema(empty_engine)
    assert current_revision(empty_engine) == head_revision() and _index(empty_engine) is not None
    assert _names(sessions, company.program.id) == ["PK study 1", "PK study 1 (2)"]


def test_an_upgrade_from_an_older_revision_refused_at_0008_stays_where_it_was(empty_engine: Engine) -> None:
    """The whole upgrade is one transaction: the revisions before 0008 in the same run are undone too."""
    sessions = make_sessionmaker(empty_engine)
    company = _company_at_0006(empty_engine)
    with pytest.raises(InputError, match="cannot upgrade to 0008_study_name_unique"):
        upgrade_schema(empty_engine)
    assert current_revision(empty_engine) == "0006_analysis_jobs"
    columns = {c["name"] for c in inspect(empty_engine).get_columns("analysis_jobs")}
    assert "request_key" not in columns
    assert _names(sessions, company) == ["PK study 1", "PK study 1"]


def _company_at_0006(engine: Engine) -> str:
    """A program with two studies of one name on a database at 0006; returns the program's id. (The
    company and its audit rows are written at the latest revision, with today's models; the database then
    goes back to 0006.)"""
    upgrade_schema(engine)
    sessions = make_sessionmaker(engine)
    company = make_company(sessions, "Old")
    _downgrade(engine, "0006_analysis_jobs")
    with sessions.begin() as s:
        s.add(
            Study(
                program_id=company.program.id, name="PK study 1", kind="caa",
                created_by=company.study.created_by,
            )
        )  # fmt: skip
    return company.program.id
