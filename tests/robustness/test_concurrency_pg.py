"""Two API server processes on one PostgreSQL database, hit at the same moment (API.md: two concurrent
changes never both win silently; a retried POST creates nothing twice).

Concurrent triage allocation is tests/test_concurrent_allocation.py; concurrent 执异 docketing is
tests/test_concurrent_docketing.py.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.models.case import Case
from app.models.case import Party
from app.models.deadline import Deadline
from app.models.triage_decision import TriageDecision
from tests.conftest import IS_POSTGRES
from tests.factories import case_body
from tests.factories import make_triage_case
from tests.servers import Server
from tests.servers import running
from tests.servers import together

# Skipped only on SQLite (one writer at a time there); on PostgreSQL, CI included, it always runs.
pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL: set TEST_DATABASE_URL")

REQUESTS = 10


@pytest.fixture(scope="module")
def servers(database: str) -> Iterator[list[Server]]:
    with running(database, count=2) as started:
        yield started


def _cases_numbered(case_number: str) -> list[int]:
    with session_scope(read_only=True) as session:
        return list(session.scalars(select(Case.id).where(Case.case_number == case_number)))


def test_one_intake_sent_ten_times_at_once_with_one_key_files_one_case(servers, auth):
    body = case_body(4242)
    headers = auth("filing-bot", **{"Idempotency-Key": "export-2026-03-02-row-17"})

    responses = together(
        REQUESTS,
        lambda i: httpx.post(f"{servers[i % 2].url}/api/v1/cases", json=body, headers=headers, timeout=60),
    )

    assert [r.status_code for r in responses] == [201] * REQUESTS, [r.text for r in responses]
    assert len({r.text for r in responses}) == 1  # every answer is the first one, byte for byte
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in responses) == REQUESTS - 1
    [case_id] = _cases_numbered(body["case_number"])
    assert responses[0].json()["id"] == case_id
    with session_scope(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Party).where(Party.case_id == case_id)) == 2
        filed = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "case.filed")
        assert session.scalar(filed) == 1
        clocks = Counter(session.scalars(select(Deadline.rule).where(Deadline.case_id == case_id)))
        assert clocks and set(clocks.values()) == {1}


def test_one_case_number_filed_ten_times_at_once_without_a_key_files_it_once(servers, auth):
    body = case_body(4343)
    responses = together(
        REQUESTS,
        lambda i: httpx.post(
            f"{servers[i % 2].url}/api/v1/cases", json=body, headers=auth("registrar"), timeout=60
        ),
    )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == Counter({201: 1, 409: REQUESTS - 1}), [r.text for r in responses]
    [case_id] = _cases_numbered(body["case_number"])
    assert {r.json()["existing_case"]["id"] for r in responses if r.status_code == 409} == {case_id}


def _registered_case() -> int:
    return make_triage_case(
        claim_amount=Decimal("250000.00"),
        investigation_completed=True,
        assets=({"kind": "real_estate", "value": "900000.00", "status": "sealed"},),
    )


def _race_to_triage(
    servers: list[Server],
    auth,
    case_id: int,  # noqa: ANN001
    extra: dict[str, str],
) -> list[httpx.Response]:
    clerks = ("comprehensive", "comprehensive-lead")
    return together(
        2,
        lambda i: httpx.post(
            f"{servers[i].url}/api/v1/cases/{case_id}/triage",
            json={},
            headers=auth(clerks[i], **extra),
            timeout=60,
        ),
    )


@pytest.mark.parametrize("with_if_match", [False, True], ids=["plain", "if-match"])
def test_two_clerks_triaging_one_case_at_once_one_wins(servers, auth, with_if_match):
    for _ in range(5):
        case_id = _registered_case()
        read = httpx.get(
            f"{servers[0].url}/api/v1/cases/{case_id}", headers=auth("comprehensive"), timeout=30
        )
        responses = _race_to_triage(
            servers, auth, case_id, {"If-Match": read.headers["etag"]} if with_if_match else {}
        )

        statuses = sorted(r.status_code for r in responses)
        assert statuses in ([200, 409], [200, 412]), [r.text for r in responses]
        loser = next(r for r in responses if r.status_code != 200)
        assert loser.headers["content-type"].startswith("application/problem+json")
        winner = next(r for r in responses if r.status_code == 200).json()
        with session_scope(read_only=True) as session:
            decisions = session.scalars(select(TriageDecision).where(TriageDecision.case_id == case_id)).all()
            case = session.get_one(Case, case_id)
            assert len(decisions) == 1
            assert (case.state, case.unit_code, case.handler_id) == (
                "triaged",
                winner["unit"],
                winner["handler_id"],
            )

    verified = httpx.get(f"{servers[1].url}/api/v1/audit/verify", headers=auth("admin"), timeout=30).json()
    assert verified["ok"] is True


def test_overlapping_batches_sent_at_once_file_each_case_once(servers, auth):
    """Four batches through two processes, each sharing half its cases with the next one, every
    other one in reverse order."""
    batches = [[case_body(6000 + n) for n in range(start, start + 40)] for start in (0, 20, 40, 60)]
    batches = [batch[::-1] if i % 2 else batch for i, batch in enumerate(batches)]
    responses = together(
        len(batches),
        lambda i: httpx.post(
            f"{servers[i % 2].url}/api/v1/cases/batch",
            json=batches[i],
            headers=auth("filing-bot"),
            timeout=120,
        ),
    )

    assert [r.status_code for r in responses] == [200] * len(batches), [r.text for r in responses]
    created: Counter[str] = Counter()
    ids: dict[str, set[int]] = {}
    for batch, response in zip(batches, responses, strict=True):
        for body, item in zip(batch, response.json()["items"], strict=True):
            assert item["outcome"] in {"created", "already_filed"}, item
            created[body["case_number"]] += item["outcome"] == "created"
            ids.setdefault(body["case_number"], set()).add(item["id"])
    assert len(created) == 100 and set(created.values()) == {1}  # each case created by one batch
    assert all(len(found) == 1 for found in ids.values())  # and the others name the same case
    with session_scope(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 100
        filed = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "case.filed")
        assert session.scalar(filed) == 100
    verified = httpx.get(f"{servers[0].url}/api/v1/audit/verify", headers=auth("admin"), timeout=60).json()
    assert verified["ok"] is True, verified
