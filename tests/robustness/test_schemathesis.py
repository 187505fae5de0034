"""Schemathesis against the app in-process: every operation of the OpenAPI document the app serves,
with valid and malformed input, as a user the specification lets perform it.

Configured checks (docs/testing.md says why these and not the others):
- ``not_a_server_error``: no 5xx, whatever the input;
- ``status_code_conformance``, ``content_type_conformance``, ``response_headers_conformance`` and
  ``response_schema_conformance``: each response is one the document declares, in its media type,
  with its headers and its body schema;
- ``negative_data_rejection``: input that breaks the schema is refused with a 4xx;
- ``problem_details`` (below): every error is RFC 9457 problem+json with ``type``, ``title`` and the
  response's ``status``.

Path ids are mostly replaced by ids of records that exist (a brigade-1 case in progress, a filed
case, an objection, a listing …), so that generated requests reach the rules behind the 404s.
Generated bodies rarely pass the business rules, so a second pass sends one valid request per
operation (the subjects and bodies of the permission matrix) through the same checks: successful
responses are held to the document too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance
from schemathesis.specs.openapi.checks import negative_data_rejection
from schemathesis.specs.openapi.checks import response_headers_conformance
from schemathesis.specs.openapi.checks import response_schema_conformance
from schemathesis.specs.openapi.checks import status_code_conformance

from app.main import create_app
from app.schemas.common import MAX_ROW_ID
from app.security import create_access_token
from app.settings import court_today
from tests.conftest import _empty_tables
from tests.security.expectations import EXPECTATIONS
from tests.security.test_permission_matrix import BODIES
from tests.security.test_permission_matrix import NO_SUBJECT_PARAMS
from tests.security.test_permission_matrix import SUBJECTS

# Bounded and repeatable: the same examples on every run, about two minutes on SQLite in all.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "20"))
CONFIG = schemathesis.Config.from_dict(
    {
        "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True, "allow-x00": True},
        # the coverage phase sends hundreds of boundary cases per operation: on request only
        "phases": {"coverage": {"enabled": os.environ.get("SCHEMATHESIS_COVERAGE") == "1"}},
    }
)

app = create_app()
schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, config=CONFIG)


@schemathesis.check
def problem_details(ctx, response, case) -> None:  # noqa: ANN001
    """Every 4xx/5xx is ``application/problem+json`` with ``type``, ``title`` and ``status`` (API.md)."""
    if response.status_code < 400:
        return
    content_type = next((v[0] for k, v in response.headers.items() if k.lower() == "content-type"), "")
    assert content_type.startswith("application/problem+json"), f"error with content type {content_type!r}"
    body = response.json()
    assert isinstance(body.get("type"), str) and body["type"], "problem without a type"
    assert isinstance(body.get("title"), str) and body["title"], "problem without a title"
    assert body.get("status") == response.status_code, "problem status differs from the response status"
    if response.status_code == 422:
        assert body.get("errors"), "a validation problem names no field"


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    problem_details,
]

# Who runs each operation: the first of these the specification allows (tests/security/expectations.py).
PREFERENCE = [
    "comprehensive",
    "brigade1-judge",
    "objection-judge",
    "fast-judge",
    "disposal",
    "deputy",
    "director",
    "president",
    "registrar",
    "admin",
    "finance",
]


def actor_for(method: str, path: str) -> str:
    expectation = EXPECTATIONS.get(f"{method.upper()} {path}")
    allowed = expectation.allowed if expectation else set(PREFERENCE)
    return next(user for user in PREFERENCE if user in allowed)


@pytest.fixture(autouse=True)
def _clean_database() -> Iterator[None]:
    """The records built for this module stay from one operation to the next; see ``world``."""
    yield


@pytest.fixture(scope="module")
def bearer(user_ids: dict[str, int]):  # noqa: ANN201
    def headers(username: str, **extra: str) -> dict[str, str]:
        token = create_access_token(user_id=user_ids[username], username=username)
        return {"Authorization": f"Bearer {token}", **extra}

    return headers


@pytest.fixture(scope="module")
def world(database: str, bearer) -> Iterator[dict[str, list[dict]]]:  # noqa: ANN001
    """Records of every kind, built once: {path parameter: [subjects that have it]}."""
    subjects = []
    with TestClient(app, raise_server_exceptions=False) as client:
        for name in (
            "team_case",
            "filed_case",
            "registered_case",
            "fast_case",
            "measure",
            "approved_transfer",
            "pending_transfer",
            "terminated_case",
            "proposed_listing",
            "active_listing",
            "objection",
            "referral",
            "routed_petition",
            "funded_case",
            "unclaimed_receipt",
            "requested_payout",
            "approved_payout",
            "requested_deferral",
        ):
            subjects.append(SUBJECTS[name](client, bearer))
    year = court_today().year
    by_parameter: dict[str, list[dict]] = {"year": [{"year": year}, {"year": year + 1}]}
    for subject in subjects:
        for parameter in subject:
            by_parameter.setdefault(parameter, []).append(subject)
    yield by_parameter
    _empty_tables()


def aim_at_existing_records(case, world: dict[str, list[dict]]) -> None:  # noqa: ANN001
    """Replace most generated ids with ids of existing records; keep every fifth (and any that is not
    a valid id at all) to exercise 404 and 422."""
    params = case.path_parameters or {}
    for name, value in list(params.items()):
        if name not in world or not isinstance(value, int) or isinstance(value, bool):
            continue
        if not 0 < value <= MAX_ROW_ID or value % 5 == 0:
            continue
        subject = world[name][value % len(world[name])]
        params.update({k: v for k, v in subject.items() if k in params})


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_operation_conforms_to_the_openapi_document(case, world, bearer):  # noqa: ANN001
    aim_at_existing_records(case, world)
    case.call_and_validate(headers=bearer(actor_for(case.method, case.path)), checks=CHECKS)


@pytest.mark.parametrize("operation", sorted(EXPECTATIONS))
def test_a_valid_request_conforms_to_the_openapi_document(operation, world, bearer):  # noqa: ANN001
    method, path = operation.split(" ", 1)
    expectation = EXPECTATIONS[operation]
    with TestClient(app, raise_server_exceptions=False) as client:
        subject = SUBJECTS[expectation.subject](client, bearer) if expectation.subject else {}
    api_operation = schema[path][method]
    parameters = {p.name for p in api_operation.path_parameters}
    body = BODIES[operation](subject) if operation in BODIES else schemathesis.core.NOT_SET
    case = api_operation.Case(
        path_parameters={k: v for k, v in (NO_SUBJECT_PARAMS | subject).items() if k in parameters},
        body=body,
        headers=bearer(actor_for(method, path)),
    )
    response = case.call_and_validate(checks=CHECKS)
    assert response.status_code not in (401, 403, 404), response.text
