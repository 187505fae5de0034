"""Docketing objections from several API processes at once (DOMAIN.md §7): 执异 numbers stay
consecutive, with no gaps and no duplicates, and one objection is never docketed twice.

Each thread has its own session and transaction, as separate requests (or processes) would; on
PostgreSQL the counter row lock makes them queue, on SQLite ``BEGIN IMMEDIATE`` does.
"""

from __future__ import annotations

import os
import threading
import time
from datetime import date

import pytest
from sqlalchemy import select

from app.database import session_scope
from app.errors import TransitionNotAllowed
from app.models.objection import Objection
from app.models.user import User
from app.services import objections
from tests.conftest import IS_POSTGRES
from tests.factories import make_team_case

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("CI")) and not IS_POSTGRES, reason="in CI this runs against PostgreSQL"
)


def _file_objections(count: int) -> list[int]:
    case_id = make_team_case(1)
    with session_scope() as session:
        judge = session.scalar(select(User).where(User.username == "objection-judge"))
        rows = [
            Objection(
                case_id=case_id,
                kind="enforcement_act",
                filer_name=f"异议人{n}",
                filer_kind="party",
                received_on=date(2026, 5, 11),
                grounds="理由",
                state="received",
                filed_by_id=judge.id,
            )
            for n in range(count)
        ]
        session.add_all(rows)
        session.flush()
        return [row.id for row in rows]


def _docket_concurrently(objection_ids: list[int], *, hold_seconds: float = 0.2) -> list[object]:
    """Docket each id in its own thread and transaction, all released at once; results in order."""
    barrier = threading.Barrier(len(objection_ids))
    results: list[object] = [None] * len(objection_ids)

    def work(index: int, objection_id: int) -> None:
        try:
            barrier.wait(timeout=10)
            with session_scope() as session:
                judge = session.scalar(select(User).where(User.username == "objection-judge"))
                docketed = objections.docket_objection(
                    session, user=judge, objection_id=objection_id, docketed_on=date(2026, 5, 12)
                )
                results[index] = docketed.docket_number
                time.sleep(hold_seconds)  # keep the transaction open: the other one must wait, not race
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            results[index] = exc

    threads = [threading.Thread(target=work, args=(i, oid)) for i, oid in enumerate(objection_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_two_concurrent_dockets_get_consecutive_numbers():
    results = _docket_concurrently(_file_objections(2))
    assert sorted(results) == ["（2026）豫0104执异1号", "（2026）豫0104执异2号"], results  # type: ignore[type-var]


def test_many_concurrent_dockets_leave_no_gap_and_no_duplicate():
    results = _docket_concurrently(_file_objections(6), hold_seconds=0.05)
    assert all(isinstance(r, str) for r in results), results
    serials = sorted(int(str(r).split("执异")[1].removesuffix("号")) for r in results)
    assert serials == [1, 2, 3, 4, 5, 6]


def test_the_same_objection_docketed_twice_at_once_gets_one_number():
    objection_id = _file_objections(1)[0]
    results = _docket_concurrently([objection_id, objection_id])
    numbers = [r for r in results if isinstance(r, str)]
    refusals = [r for r in results if isinstance(r, TransitionNotAllowed)]
    assert numbers == ["（2026）豫0104执异1号"] and len(refusals) == 1, results
    with session_scope(read_only=True) as session:
        assert session.get(Objection, objection_id).docket_number == "（2026）豫0104执异1号"
    # The refused attempt drew no number: the next one continues at 2.
    assert _docket_concurrently(_file_objections(1)) == ["（2026）豫0104执异2号"]
