"""Logging in under attack: guesses are throttled by account and by address, an unknown username is
answered like a known one, the owner keeps the address they log in from, and a login holds no
database transaction while its password is checked.

Each client below comes from its own address (TestClient's ``client``); the settings are the
defaults of app/settings.py unless a test lowers a limit to keep its request count small.
"""

from __future__ import annotations

import re
import sqlite3
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.engine import make_url

from app import security
from app.database import get_engine
from app.database import session_scope
from app.models.base import utcnow
from app.models.login_throttle import LoginThrottle
from app.services import login_throttle
from app.settings import get_settings
from app.sweep import run_sweep
from tests.conftest import DEMO_PASSWORD
from tests.conftest import IS_POSTGRES
from tests.conftest import TEST_DATABASE_URL
from tests.servers import Server
from tests.servers import running
from tests.servers import together

OFFICE = "198.51.100.10"  # where the director logs in every day
HOME = "198.51.100.11"
ATTACKER = "203.0.113.66"


@contextmanager
def from_address(app, address: str) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app, client=(address, 50000), raise_server_exceptions=False) as client:
        yield client


def log_in(client: TestClient, username: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def statuses(client: TestClient, username: str, password: str, times: int) -> list[int]:
    return [log_in(client, username, password).status_code for _ in range(times)]


@pytest.fixture
def limits(monkeypatch):  # noqa: ANN201
    """``limits(login_account_max_failures=4, …)``: lower limits for one test."""

    def lower(**values: int) -> None:
        for name, value in values.items():
            monkeypatch.setattr(get_settings(), name, value)

    return lower


@pytest.fixture
def clock(monkeypatch):  # noqa: ANN201
    """``clock.advance(seconds)`` moves the throttle's notion of now forward."""

    class Clock:
        offset = timedelta()

        def advance(self, seconds: float) -> None:
            self.offset += timedelta(seconds=seconds)

    moved = Clock()
    monkeypatch.setattr(login_throttle, "utcnow", lambda: utcnow() + moved.offset)
    return moved


# Logins do not block writers (issue 13, item 2)


def _write_lock_is_free() -> bool:
    """On SQLite: can another connection take the write lock right now, without waiting?"""
    probe = sqlite3.connect(make_url(TEST_DATABASE_URL).database, timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
        probe.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        probe.close()


@pytest.mark.parametrize(
    ("username", "password", "status"),
    [("registrar", "wrong", 401), ("no-such-user", "wrong", 401), ("registrar", DEMO_PASSWORD, 200)],
    ids=["wrong-password", "unknown-user", "right-password"],
)
def test_the_password_is_checked_with_no_connection_and_no_lock_held(
    client, monkeypatch, username, password, status
):
    hasher, seen = security._hasher(), []
    verify = hasher.verify

    def observed_verify(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        held = get_engine().pool.checkedout()
        seen.append((held, IS_POSTGRES or _write_lock_is_free()))
        return verify(*args, **kwargs)

    monkeypatch.setattr(hasher, "verify", observed_verify)
    assert log_in(client, username, password).status_code == status
    assert seen == [(0, True)]


# The lockout (issue 13, item 3)


def _shape(response: httpx.Response) -> tuple:
    """What a caller can tell from an answer, with the seconds left out."""
    body = response.json()
    return response.status_code, body["type"], re.sub(r"\d+", "N", body["detail"])


def test_unknown_and_known_usernames_are_answered_alike(app):
    answers = {}
    for address, username in (("198.51.100.1", "director"), ("198.51.100.2", "no-such-user")):
        with from_address(app, address) as client:
            answers[username] = [_shape(log_in(client, username, "wrong")) for _ in range(7)]
    assert answers["director"] == answers["no-such-user"]
    assert [shape[0] for shape in answers["director"]] == [401] * 5 + [429] * 2


def test_a_refusal_takes_as_long_as_a_password_check(app):
    def timed(client: TestClient, username: str) -> tuple[int, float]:
        started = time.perf_counter()
        status = log_in(client, username, "wrong").status_code
        return status, time.perf_counter() - started

    with from_address(app, ATTACKER) as client:
        checked = [timed(client, "finance") for _ in range(5)]
        refused = [timed(client, "finance") for _ in range(3)]
    assert [s for s, _ in checked] == [401] * 5 and [s for s, _ in refused] == [429] * 3
    check_time = statistics.median(t for _, t in checked)
    assert min(t for _, t in refused) > 0.6 * check_time, (checked, refused)


def test_guesses_from_elsewhere_do_not_lock_the_owner_out(app):
    with from_address(app, OFFICE) as office:
        assert log_in(office, "director", DEMO_PASSWORD).status_code == 200
    with from_address(app, ATTACKER) as attacker:
        assert statuses(attacker, "director", "wrong", 6) == [401] * 5 + [429]
        assert log_in(attacker, "director", DEMO_PASSWORD).status_code == 429  # not even the right one
    with from_address(app, OFFICE) as office:
        assert log_in(office, "director", DEMO_PASSWORD).status_code == 200
    with from_address(app, HOME) as home:
        assert log_in(home, "director", DEMO_PASSWORD).status_code == 200


def test_guesses_from_many_addresses_close_the_account_except_where_its_owner_logs_in(app, limits):
    limits(login_max_failures=2, login_account_max_failures=4)
    with from_address(app, OFFICE) as office:
        assert log_in(office, "director", DEMO_PASSWORD).status_code == 200
    for address in ("203.0.113.1", "203.0.113.2"):
        with from_address(app, address) as attacker:
            assert statuses(attacker, "director", "wrong", 2) == [401, 401]
    with from_address(app, "203.0.113.3") as attacker:
        assert log_in(attacker, "director", "wrong").status_code == 429
    with from_address(app, HOME) as home:  # the owner at a new address waits too: the trade-off
        assert log_in(home, "director", DEMO_PASSWORD).status_code == 429
    with from_address(app, OFFICE) as office:
        assert log_in(office, "director", DEMO_PASSWORD).status_code == 200


def test_one_address_guessing_many_names_is_throttled(app, limits):
    limits(login_address_max_failures=3)
    with from_address(app, OFFICE) as office:
        assert log_in(office, "registrar", DEMO_PASSWORD).status_code == 200
        for username in ("no-such-user", "nobody", "director"):
            assert log_in(office, username, "wrong").status_code == 401
        assert log_in(office, "someone-else", "wrong").status_code == 429
        assert log_in(office, "finance", DEMO_PASSWORD).status_code == 429  # new here: waits
        assert log_in(office, "registrar", DEMO_PASSWORD).status_code == 200  # known here


def test_the_wait_doubles_with_each_further_failure_up_to_the_longest(app, clock, limits):
    limits(login_lockout_seconds=300, login_lockout_max_seconds=1000)
    with from_address(app, ATTACKER) as attacker:
        assert statuses(attacker, "finance", "wrong", 5) == [401] * 5
        waits = []
        for _ in range(3):
            refused = log_in(attacker, "finance", "wrong")
            assert refused.status_code == 429
            waits.append(int(refused.headers["retry-after"]))
            clock.advance(waits[-1])
            assert log_in(attacker, "finance", "wrong").status_code == 401
    assert [round(w, -1) for w in waits] == [300, 600, 1000]


def test_a_successful_login_clears_the_owner_s_failures(app):
    with from_address(app, OFFICE) as office:
        assert statuses(office, "finance", "wrong", 4) == [401] * 4
        assert log_in(office, "finance", DEMO_PASSWORD).status_code == 200
        assert statuses(office, "finance", "wrong", 6) == [401] * 5 + [429]


def test_failures_are_forgotten_after_the_window(app, clock):
    with from_address(app, ATTACKER) as attacker:
        assert statuses(attacker, "finance", "wrong", 4) == [401] * 4
        clock.advance(get_settings().login_failure_window_seconds + 1)
        assert statuses(attacker, "finance", "wrong", 5) == [401] * 5
        assert log_in(attacker, "finance", "wrong").status_code == 429


def test_the_sweep_forgets_stale_throttles_and_keeps_known_addresses(app, clock):
    with from_address(app, OFFICE) as office:
        assert log_in(office, "director", DEMO_PASSWORD).status_code == 200
    with from_address(app, ATTACKER) as attacker:
        assert statuses(attacker, "director", "wrong", 2) == [401, 401]
    clock.advance(get_settings().login_failure_window_seconds + 1)
    assert run_sweep().login_throttles_purged == 4  # all but the director's at the office
    with session_scope(read_only=True) as session:
        assert session.execute(select(LoginThrottle.username, LoginThrottle.address)).all() == [
            ("director", OFFICE)
        ]


# Parallel guesses against several server processes (the failure counter is shared in the database)

BATCHES, PARALLEL = 6, 20


def test_parallel_guesses_are_checked_no_more_often_than_the_limit(database):
    def log_in_at(server: Server, password: str, address: str) -> httpx.Response:
        return httpx.post(
            f"{server.url}/api/v1/auth/token",
            data={"username": "director", "password": password},
            headers={"X-Forwarded-For": address},  # uvicorn trusts it from loopback
            timeout=120,
        )

    with running(database, count=2) as servers:
        assert log_in_at(servers[0], DEMO_PASSWORD, OFFICE).status_code == 200
        answers: Counter[int] = Counter()
        for _ in range(BATCHES):
            guesses = together(PARALLEL, lambda i: log_in_at(servers[i % 2], f"guess-{i}", ATTACKER))
            answers.update(response.status_code for response in guesses)
        limit = get_settings().login_max_failures
        assert answers == Counter({401: limit, 429: BATCHES * PARALLEL - limit})
        assert log_in_at(servers[1], DEMO_PASSWORD, OFFICE).status_code == 200
    with session_scope(read_only=True) as session:
        counted = select(func.max(LoginThrottle.failures)).where(LoginThrottle.username == "director")
        assert session.scalar(counted) == limit
