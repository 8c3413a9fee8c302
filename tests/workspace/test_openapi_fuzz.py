"""Schemathesis over the OpenAPI schema: generated requests to every operation never produce a server error
(500) and every response conforms to the documented status codes, content types and schemas.

Requests carry an owner's token of an organisation with a program, so that they get past authentication;
the number of examples per operation is bounded to keep the run short.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine

from bioparity.server import create_app
from bioparity.workspace.accounts import AccountPolicy
from tests.workspace.conftest import PASSWORD, Company
from tests.workspace.helpers import uploaded_run

EXAMPLES_PER_OPERATION = 25


@pytest.fixture(scope="module")
def client(engine: Engine) -> Iterator[TestClient]:
    """Random passwords (signatures, tokens, password change) must not lock the fuzzing account out or
    throttle it before every operation has been reached."""
    policy = AccountPolicy(lockout_after=1_000_000, backoff_base_seconds=0)
    with TestClient(create_app(engine=engine, account_policy=policy)) as c:
        yield c


@pytest.fixture(scope="module")
def fuzz_company(client: TestClient, company_factory: Callable[[str], Company]) -> Company:
    return company_factory("F")


@pytest.fixture(scope="module")
def real_ids(client: TestClient, fuzz_company: Company) -> dict[str, str]:
    """Identifiers of existing objects, substituted into half of the generated paths so that requests
    reach the handlers behind the 404s (random identifiers alone would never find anything)."""
    dataset_id, run_id = uploaded_run(client, fuzz_company)
    spare = client.post(
        "/me/tokens", headers=fuzz_company.auth("owner"), json={"name": "spare", "password": PASSWORD}
    ).json()
    return {
        "org_id": fuzz_company.org.id,
        "program_id": fuzz_company.program.id,
        "study_id": fuzz_company.study.id,
        "dataset_id": dataset_id,
        "run_id": run_id,
        "user_id": fuzz_company.users["viewer"].id,
        "token_id": spare["id"],
    }


CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def test_no_server_error_and_responses_match_the_schema(
    client: TestClient, fuzz_company: Company, real_ids: dict[str, str]
) -> None:
    # One test per backend that walks every operation (schemathesis' pytest fixture loader does not run
    # under pytest 9, so the operations are driven through their Hypothesis strategies directly).
    schema = schemathesis.openapi.from_asgi("/openapi.json", client.app)
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 30
    # logging out revokes the token the other requests use: last
    operations.sort(key=lambda op: op.path == "/auth/logout")
    for operation in operations:

        @given(case=operation.as_strategy(), use_real_ids=st.booleans())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def fuzz(case: Any, use_real_ids: bool) -> None:
            if use_real_ids and case.path_parameters:
                case.path_parameters = {k: real_ids.get(k, v) for k, v in case.path_parameters.items()}
            case.call_and_validate(headers=fuzz_company.auth("owner"), checks=CHECKS)

        fuzz()
