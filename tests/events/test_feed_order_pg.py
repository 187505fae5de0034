"""The feed's order under concurrent writers (issue 16), on PostgreSQL with two API server processes:
while cases are filed, registered and triaged at once through both, a client polls the feed with the
cursor it stored. It sees every event exactly once, and the feed's order is the audit trail's order
with positions 1…n: a transaction that took its id first but committed last does not slip behind a
cursor already handed out."""

from __future__ import annotations

import random
import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import select

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.models.outbox_event import OutboxEvent
from app.rules.event_types import event_types
from tests.conftest import IS_POSTGRES
from tests.factories import case_body
from tests.factories import make_triage_case
from tests.servers import running

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL: set TEST_DATABASE_URL")

WRITES = 60


def _registered_case() -> int:
    return make_triage_case(
        claim_amount=Decimal("250000.00"),
        assets=({"kind": "real_estate", "value": "2000000.00", "status": "sealed", "disposable": True},),
    )


def test_a_polling_client_sees_every_event_once_in_the_audit_trails_order(database, auth):
    registered = [_registered_case() for _ in range(WRITES // 3)]
    rng = random.Random(16)
    writes = [("file", serial) for serial in range(500, 500 + WRITES // 3)]
    writes += [("triage", case_id) for case_id in registered]
    writes += [("register_then_triage", serial) for serial in range(600, 600 + WRITES // 3)]
    rng.shuffle(writes)
    done = threading.Event()
    seen: list[dict] = []

    with running(database, count=2) as servers:
        urls = [server.url for server in servers]

        def write(index: int) -> int:
            kind, value = writes[index]
            with httpx.Client(base_url=urls[index % 2], timeout=120) as http:
                if kind == "triage":
                    return http.post(
                        f"/api/v1/cases/{value}/triage", json={}, headers=auth("comprehensive")
                    ).status_code
                filed = http.post("/api/v1/cases", json=case_body(value), headers=auth("registrar"))
                if kind == "file" or filed.status_code != 201:
                    return filed.status_code
                url = f"/api/v1/cases/{filed.json()['id']}"
                http.post(
                    f"{url}/registration",
                    json={"investigation_completed": True},
                    headers=auth("comprehensive"),
                )
                return http.post(f"{url}/triage", json={}, headers=auth("comprehensive")).status_code

        def poll() -> None:
            cursor = None
            with httpx.Client(base_url=urls[1], timeout=60) as http:
                while True:
                    finishing = done.is_set()
                    params = {"limit": 7} | ({"after": cursor} if cursor else {})
                    page = http.get("/api/v1/events", params=params, headers=auth("director")).json()
                    seen.extend(page["items"])
                    cursor = page["next_cursor"]
                    if finishing and not page["has_more"]:
                        return

        poller = threading.Thread(target=poll)
        poller.start()
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(write, range(len(writes))))
        done.set()
        poller.join(timeout=120)

    assert set(statuses) == {200, 201}
    ids = [e["id"] for e in seen]
    assert len(ids) == len(set(ids)), "an event was repeated"
    with session_scope(read_only=True) as session:
        stored = session.scalars(select(OutboxEvent).order_by(OutboxEvent.position)).all()
        trail = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.position for e in stored] == list(range(1, len(stored) + 1)), "a gap in the positions"
    assert ids == [e.event_id for e in stored], "the poller missed an event or saw one out of order"
    announced = [(entry.id, t) for entry in trail for t in event_types(entry.action, entry.after)]
    assert [(e.audit_entry_id, e.type) for e in stored] == announced
    assert len(stored) == WRITES // 3 * (1 + 2 + 4)
