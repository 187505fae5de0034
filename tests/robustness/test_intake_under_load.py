"""Two hundred intakes at once on a real server: distinct cases, retries with one Idempotency-Key and
rival filings of one case number mixed. None may end in a 5xx, every acknowledged case is there once,
and the audit chain still verifies. SQLite: one process, as ``make run`` serves it; PostgreSQL: two.
"""

from __future__ import annotations

from collections import Counter

import httpx
from sqlalchemy import select

from app.database import session_scope
from app.models.case import Case
from tests.conftest import IS_POSTGRES
from tests.factories import case_body
from tests.servers import running
from tests.servers import together

DISTINCT, RETRIES, RIVALS = 140, 30, 30
TIMEOUT_S = 120.0


def test_two_hundred_concurrent_intakes_end_without_a_server_error(database, auth):
    headers = auth("registrar")
    retried = case_body(9000)
    rival = case_body(9001)
    requests: list[tuple[dict, dict[str, str]]] = [(case_body(1000 + i), headers) for i in range(DISTINCT)]
    requests += [(retried, headers | {"Idempotency-Key": "load-retry-1"})] * RETRIES
    requests += [(rival, headers)] * RIVALS

    with running(database, count=2 if IS_POSTGRES else 1) as servers:

        def send(index: int) -> httpx.Response:
            body, request_headers = requests[index]
            url = f"{servers[index % len(servers)].url}/api/v1/cases"
            return httpx.post(url, json=body, headers=request_headers, timeout=TIMEOUT_S)

        responses = together(len(requests), send)
        verified = httpx.get(
            f"{servers[0].url}/api/v1/audit/verify", headers=auth("admin"), timeout=TIMEOUT_S
        )

    statuses = Counter(r.status_code for r in responses)
    assert not [s for s in statuses if s >= 500], statuses
    assert statuses[201] == DISTINCT + RETRIES + 1, statuses
    assert statuses[409] == RIVALS - 1, statuses
    acknowledged = Counter(r.json()["case_number"] for r in responses if r.status_code == 201)
    with session_scope(read_only=True) as session:
        stored = Counter(session.scalars(select(Case.case_number)))
    assert set(stored) == set(acknowledged)
    assert all(count == 1 for count in stored.values())
    assert verified.status_code == 200, verified.text
    assert verified.json()["ok"] is True, verified.json()


INTAKES, LOGINS = (
    60,
    18,
)  # three logins per account: under every failed-login count (app.services.login_throttle)


def test_logins_and_intakes_at_once_end_without_a_server_error(database, auth):
    """A login's short transactions queue for the database like requests do: during a burst of
    intakes every login is answered, none with a 5xx, and every intake is filed."""
    headers = auth("registrar")
    users = ["registrar", "disposal", "director", "admin", "deputy", "comprehensive"]
    logins = [{"username": users[i % len(users)], "password": "demo-password"} for i in range(LOGINS)]

    with running(database, count=1) as servers:
        url = servers[0].url

        def send(index: int) -> httpx.Response:
            if index < INTAKES:
                return httpx.post(
                    f"{url}/api/v1/cases", json=case_body(2000 + index), headers=headers, timeout=TIMEOUT_S
                )
            return httpx.post(f"{url}/api/v1/auth/token", data=logins[index - INTAKES], timeout=TIMEOUT_S)

        responses = together(INTAKES + LOGINS, send)

    filed = Counter(r.status_code for r in responses[:INTAKES])
    logged_in = Counter(r.status_code for r in responses[INTAKES:])
    assert filed == {201: INTAKES}, filed
    assert logged_in == {200: LOGINS}, logged_in
