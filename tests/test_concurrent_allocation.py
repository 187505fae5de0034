"""Allocation stays correct with several API processes at once (DOMAIN.md §2): two uvicorn servers on
one PostgreSQL database, 40 triages fired together; every case is allocated once and the brigade
loads differ by at most one."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from app.database import session_scope
from app.models.case import Case
from app.models.triage_decision import TriageDecision
from app.models.unit import Unit
from tests.conftest import IS_POSTGRES, ROOT
from tests.factories import make_triage_case

# Skipped only on SQLite (one writer at a time there); on PostgreSQL, CI included, it always runs.
pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL: set TEST_DATABASE_URL")

CASES = 40
READY_TIMEOUT_S = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(proc: subprocess.Popen, base_url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"server {base_url} exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"server {base_url} not ready after {READY_TIMEOUT_S} s:\n{log.read_text()[-4000:]}")


@pytest.fixture
def servers(database: str) -> Iterator[list[str]]:
    """Two API server processes on the test database; always stopped afterwards."""
    env = os.environ | {"ENFORCEMENT_DATABASE_URL": database, "ENFORCEMENT_ENVIRONMENT": "test",
                        "ENFORCEMENT_JWT_SECRET": os.environ["ENFORCEMENT_JWT_SECRET"],
                        "ENFORCEMENT_LOG_LEVEL": "WARNING"}
    logs_dir = Path(tempfile.mkdtemp(prefix="allocation-servers-"))
    procs: list[subprocess.Popen] = []
    urls: list[str] = []
    try:
        for n in range(2):
            port = _free_port()
            log = logs_dir / f"server-{n}.log"
            with log.open("wb") as out:
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "uvicorn", "app.main:app", "--host", "127.0.0.1",
                     "--port", str(port), "--log-level", "warning"],
                    cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT))
            urls.append(f"http://127.0.0.1:{port}")
            _wait_ready(procs[-1], urls[-1], log)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _ordinary_case() -> int:
    """Example 7 of examples/triage.md: 250,000.00, an enterprise, a disposable house — no rule fires."""
    return make_triage_case(claim_amount=Decimal("250000.00"), respondent_classes=("enterprise",),
                            investigation_completed=True,
                            assets=({"kind": "real_estate", "value": "2000000.00", "status": "sealed",
                                     "disposable": True},))


def test_concurrent_triages_on_two_servers_allocate_each_case_once(servers, auth):
    case_ids = [_ordinary_case() for _ in range(CASES)]
    headers = auth("comprehensive")
    start = threading.Barrier(CASES)

    def triage(index: int) -> tuple[int, int, dict]:
        base_url = servers[index % len(servers)]
        start.wait()
        response = httpx.post(f"{base_url}/api/v1/cases/{case_ids[index]}/triage", json={}, headers=headers,
                              timeout=120)
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
            case_id: (body["unit"], body["handler_id"]) for case_id, _, body in results}
        brigade_loads = Counter(c.unit_code for c in cases)
        assert len(brigade_loads) == 4 and all(code.startswith("brigade-") for code in brigade_loads)
        assert max(brigade_loads.values()) - min(brigade_loads.values()) <= 1
        judge_loads = Counter(c.handler_id for c in cases)
        assert max(judge_loads.values()) - min(judge_loads.values()) <= 1
        # every allocation advanced the shared rotation once: none was lost to a concurrent one
        assert session.scalar(select(func.max(Unit.last_allocated_seq))) == CASES

    verified = httpx.get(f"{servers[0]}/api/v1/audit/verify", headers=auth("admin"), timeout=30).json()
    assert verified["ok"] is True and verified["entries_checked"] == CASES
