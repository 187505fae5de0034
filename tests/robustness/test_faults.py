"""Faults a court's server room will see: the API process killed in the middle of work, and the
database going away and coming back. Runs on the test database (SQLite file or PostgreSQL); the
PostgreSQL outage uses a database of its own and never stops the PostgreSQL server.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from sqlalchemy import create_engine
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.database import session_scope
from app.models import Base
from app.models.audit_entry import AuditEntry
from app.models.case import Case
from app.models.case import Party
from app.models.case import PropertyClue
from app.models.deadline import Deadline
from app.models.idempotency_key import IdempotencyKey
from app.models.user import User
from app.security import create_access_token
from app.seed import seed_demo_users
from app.seed import seed_units
from scripts import file_cases
from tests.conftest import DEMO_PASSWORD
from tests.conftest import IS_POSTGRES
from tests.conftest import postgres_reachable
from tests.factories import case_body
from tests.servers import Server
from tests.servers import free_port

BATCH = 60
WRITERS = 3
KILL_AFTER = 12  # cases committed before the process is killed
LOGIN = ["--user", "filing-bot", "--password", DEMO_PASSWORD, "--no-progress"]
STARTED_BY_FILING = {"D1", "D2", "D3", "D4"}  # app.rules.deadline_rules: case.filed starts D1–D4


def _batch() -> list[dict]:
    cases = []
    for serial in range(7001, 7001 + BATCH):
        body = case_body(serial, claim_amount=f"{serial}0.00")
        if serial % 3 == 0:  # some cases with two respondents and no clue
            body["respondents"].append(
                {
                    "name": f"担保人{serial}",
                    "party_type": "legal_person",
                    "id_number": None,
                    "respondent_class": "enterprise",
                }
            )
            body["property_clues"] = []
        cases.append(body)
    return cases


def _count_cases() -> int:
    with session_scope(read_only=True) as session:
        return session.scalar(select(func.count()).select_from(Case)) or 0


def _assert_every_case_is_whole(batch: list[dict]) -> set[str]:
    """Each case row has its parties, clues, filing audit entry, clocks and idempotency record."""
    expected = {b["case_number"]: b for b in batch}
    with session_scope(read_only=True) as session:
        cases = session.scalars(select(Case)).all()
        parties = Counter(session.scalars(select(Party.case_id)))
        clues = Counter(session.scalars(select(PropertyClue.case_id)))
        filed = Counter(
            int(e)
            for e in session.scalars(select(AuditEntry.entity_id).where(AuditEntry.action == "case.filed"))
        )
        clocks: dict[int, set[str]] = {}
        for case_id, rule in session.execute(select(Deadline.case_id, Deadline.rule)):
            clocks.setdefault(case_id, set()).add(rule)
        unanswered = session.scalar(
            select(func.count()).select_from(IdempotencyKey).where(IdempotencyKey.status_code.is_(None))
        )
    numbers = Counter(c.case_number for c in cases)
    assert all(n == 1 for n in numbers.values()), numbers
    for case in cases:
        body = expected[case.case_number]
        assert parties[case.id] == len(body["applicants"]) + len(body["respondents"]), case.case_number
        assert clues[case.id] == len(body["property_clues"]), case.case_number
        assert filed[case.id] == 1, case.case_number
        assert STARTED_BY_FILING <= clocks.get(case.id, set()), case.case_number
    assert unanswered == 0  # every committed request (a batch of cases) has its response for a retry
    return set(numbers)


def test_a_server_killed_while_filing_loses_and_half_writes_nothing(database, tmp_path, auth, capsys):
    batch = _batch()
    slices = [batch[i::WRITERS] for i in range(WRITERS)]
    files = []
    for n, part in enumerate([batch, *slices]):
        files.append(tmp_path / f"export-{n}.json")
        files[-1].write_text(json.dumps(part, ensure_ascii=False))
    server = Server(database).start()
    try:
        # three clerks' imports at once, without retries, against a server killed mid-stream
        writers = [
            threading.Thread(
                target=file_cases.main,
                daemon=True,
                args=([str(path), *LOGIN, "--base-url", server.url, "--retries", "0", "--batch-size", "1"],),
            )
            for path in files[1:]
        ]
        for writer in writers:
            writer.start()
        deadline = time.monotonic() + 60
        while _count_cases() < KILL_AFTER and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()
        for writer in writers:
            writer.join(timeout=60)
        capsys.readouterr()
        filed_before_restart = _count_cases()
        assert KILL_AFTER <= filed_before_restart < BATCH

        server.start()  # the same port: the filing script's address does not change
        assert _assert_every_case_is_whole(batch) and _count_cases() == filed_before_restart
        verified = httpx.get(f"{server.url}/api/v1/audit/verify", headers=auth("admin"), timeout=30).json()
        assert verified["ok"] is True, verified

        # the filing script run again over the whole batch completes it
        exit_code = file_cases.main([str(files[0]), *LOGIN, "--base-url", server.url])
        summary = capsys.readouterr().out
        assert exit_code == 0, summary
        assert "rejected: 0" in summary and f"created: {BATCH - filed_before_restart}" in summary
        assert _assert_every_case_is_whole(batch) == {b["case_number"] for b in batch}
        verified = httpx.get(f"{server.url}/api/v1/audit/verify", headers=auth("admin"), timeout=30).json()
        assert verified["ok"] is True and verified["entries_checked"] > BATCH
    finally:
        server.stop()


def _assert_unavailable(server: Server, headers: dict[str, str]) -> None:
    for method, path in (("GET", "/readyz"), ("GET", "/api/v1/me"), ("POST", "/api/v1/cases")):
        response = httpx.request(
            method, f"{server.url}{path}", headers=headers, json=case_body(8001), timeout=30
        )
        assert response.status_code == 503, (path, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["status"] == 503 and problem["type"] and problem["title"]
        assert int(response.headers["retry-after"]) > 0
    assert httpx.get(f"{server.url}/healthz", timeout=10).status_code == 200  # alive, only not ready


def test_an_unreachable_database_is_503_problem(auth):
    unreachable = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"
    server = Server(unreachable).start()
    try:
        _assert_unavailable(server, auth("filing-bot"))
    finally:
        server.stop()


@contextmanager
def _outage_database(url: str) -> Iterator[tuple[str, dict[str, int]]]:
    """A database of this test's own, with the organisation and demo users; dropped afterwards."""
    parsed = make_url(url)
    outage = parsed.set(database=f"{parsed.database}_outage")
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    name = outage.database

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))

    with admin.connect() as conn:
        if conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar():
            drop()
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(outage)
    try:
        Base.metadata.create_all(engine)
        with Session(engine) as session:
            seed_units(session)
            seed_demo_users(session, DEMO_PASSWORD)
            session.commit()
            ids = {u.username: u.id for u in session.scalars(select(User))}
        engine.dispose()
        yield outage.render_as_string(hide_password=False), ids
    finally:
        engine.dispose()
        drop()
        admin.dispose()


def _set_connections(url: str, allowed: bool) -> None:
    """Open or close one database to new connections and cut the open ones — the server stays up."""
    parsed = make_url(url)
    admin = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{parsed.database}" ALLOW_CONNECTIONS {str(allowed).lower()}'))
            if not allowed:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :n AND pid <> pg_backend_pid()"
                    ),
                    {"n": parsed.database},
                )
    finally:
        admin.dispose()


@pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL: set TEST_DATABASE_URL")
def test_the_api_answers_503_while_the_database_is_gone_and_recovers_by_itself(database):
    assert postgres_reachable(database)
    with _outage_database(database) as (url, ids):
        token = create_access_token(user_id=ids["filing-bot"], username="filing-bot")
        headers = {"Authorization": f"Bearer {token}"}
        server = Server(url).start()
        try:
            assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200
            assert httpx.get(f"{server.url}/api/v1/me", headers=headers, timeout=10).status_code == 200
            pid = server.proc.pid

            _set_connections(url, allowed=False)
            _assert_unavailable(server, headers)

            _set_connections(url, allowed=True)
            deadline = time.monotonic() + 30
            while httpx.get(f"{server.url}/readyz", timeout=10).status_code != 200:
                assert time.monotonic() < deadline, "the API did not recover within 30 s"
                time.sleep(0.2)
            assert httpx.get(f"{server.url}/api/v1/me", headers=headers, timeout=10).status_code == 200
            created = httpx.post(
                f"{server.url}/api/v1/cases", json=case_body(8002), headers=headers, timeout=30
            )
            assert created.status_code == 201, created.text
            assert server.proc.pid == pid and server.proc.poll() is None  # no restart was needed
        finally:
            server.stop()
