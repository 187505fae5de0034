"""Allocation stays correct with several API processes at once (DOMAIN.md §2): two uvicorn servers on
one PostgreSQL database, 40 triages fired together; every case is allocated once and the brigade
loads differ by at most one."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.database import session_scope
from app.models.case import Case
from app.models.triage_decision import TriageDecision
from app.models.unit import Unit
from tests.conftest import IS_POSTGRES
from tests.factories import make_triage_case
from tests.servers import running

# Skipped only on SQLite (one writer at a time there); on PostgreSQL, CI included, it always runs.
pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL: set TEST_DATABASE_URL")

CASES = 40


@pytest.fixture
def servers(database: str) -> Iterator[list[str]]:
    """Two API server processes on the test database; always stopped afterwards."""
    with running(database, count=2) as processes:
        yield [server.url for server in processes]


def _ordinary_case() -> int:
    """Example 7 of examples/triage.md: 250,000.00, an enterprise, a disposable house — no rule fires."""
    return make_triage_case(
        claim_amount=Decimal("250000.00"),
        respondent_classes=("enterprise",),
        investigation_completed=True,
        assets=({"kind": "real_estate", "value": "2000000.00", "status": "sealed", "disposable": True},),
    )


def test_concurrent_triages_on_two_servers_allocate_each_case_once(servers, auth):
    case_ids = [_ordinary_case() for _ in range(CASES)]
    headers = auth("comprehensive")
    start = threading.Barrier(CASES)

    def triage(index: int) -> tuple[int, int, dict]:
        base_url = servers[index % len(servers)]
        start.wait()
        response = httpx.post(
            f"{base_url}/api/v1/cases/{case_ids[index]}/triage", json={}, headers=headers, timeout=120
        )
        return case_ids[index], response.status_code, response.json()

    with ThreadPoolExecutor(max_workers=CASES) as pool:
        results = list(pool.map(triage, range(CASES)))

    failures = [(case_id, status, body) for case_id, status, body in results if status != 200]
    assert failures == []
    assert {body["track"] for _, _, body in results} == {"ordinary"}

    with session_scope(read_only=True) as session:
        decisions = Counter(session.scalars(select(TriageDecision.case_id)))
        assert decisions == Counter({case_id: 1 for case_id in case_ids})
        cases = session.scalars(select(Case).where(Case.id.in_(case_ids))).all()
        assert {c.state for c in cases} == {"triaged"}
        assert {c.id: (c.unit_code, c.handler_id) for c in cases} == {
            case_id: (body["unit"], body["handler_id"]) for case_id, _, body in results
        }
        brigade_loads = Counter(c.unit_code for c in cases)
        assert len(brigade_loads) == 4 and all(code.startswith("brigade-") for code in brigade_loads)
        assert max(brigade_loads.values()) - min(brigade_loads.values()) <= 1
        judge_loads = Counter(c.handler_id for c in cases)
        assert max(judge_loads.values()) - min(judge_loads.values()) <= 1
        # every allocation advanced the shared rotation once: none was lost to a concurrent one
        assert session.scalar(select(func.max(Unit.last_allocated_seq))) == CASES

    verified = httpx.get(f"{servers[0]}/api/v1/audit/verify", headers=auth("admin"), timeout=30).json()
    assert verified["ok"] is True and verified["entries_checked"] == CASES
