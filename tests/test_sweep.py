"""The sweep marks breaches once, however often and from however many processes it runs."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import date
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.models.base import utcnow
from app.models.deadline import Deadline
from app.models.idempotency_key import IdempotencyKey
from app.services import audit
from app.settings import get_settings
from app.sweep import main
from app.sweep import run_sweep
from tests.factories import case_body
from tests.factories import make_filed_case
from tests.factories import record_deadline_event

D = date.fromisoformat
ROOT = Path(__file__).resolve().parent.parent


def statuses() -> dict[tuple[int, str], str]:
    with session_scope(read_only=True) as session:
        return {(d.case_id, d.rule): d.status for d in session.scalars(select(Deadline))}


def audit_count(action: str) -> int:
    with session_scope(read_only=True) as session:
        return session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_a_duty_is_breached_the_day_after_its_due_date():
    case_id = make_filed_case(D("2026-03-02"))  # D1 due Tue 3 Mar, D2 due Thu 12 Mar
    assert run_sweep(today=D("2026-03-03")).breached == 0  # due today: not yet late
    report = run_sweep(today=D("2026-03-04"))
    assert (report.breached, statuses()[(case_id, "D1")], statuses()[(case_id, "D2")]) == (
        1,
        "breached",
        "open",
    )


def test_the_sweep_run_twice_writes_one_breach():
    case_id = make_filed_case(D("2026-03-02"))
    assert run_sweep(today=D("2026-03-20")).breached == 2
    assert run_sweep(today=D("2026-03-20")).breached == 0
    assert audit_count("deadline.breach") == 2
    with session_scope(read_only=True) as session:
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "deadline.breach").order_by(AuditEntry.id)
        ).first()
        assert audit.verify_chain(session).ok
    assert (entry.case_id, entry.actor_username, entry.before, entry.after["status"]) == (
        case_id,
        "system",
        {"status": "open"},
        "breached",
    )


def test_met_and_paused_clocks_are_never_breached():
    met = make_filed_case(D("2026-03-02"))
    record_deadline_event(met, "case.registered", D("2026-03-03"))
    paused = make_filed_case(D("2026-03-02"))
    record_deadline_event(paused, "suspension.started", D("2026-03-04"), params={"kind": "suspension"})
    run_sweep(today=D("2026-04-01"))
    now = statuses()
    assert (now[(met, "D1")], now[(met, "D2")]) == ("met", "breached")
    assert (now[(paused, "D1")], now[(paused, "D2")], now[(paused, "D3")]) == ("breached", "paused", "paused")


def test_a_waiting_period_runs_out_as_met_not_breached():
    case_id = make_filed_case(D("2026-03-02"))  # D4: earliest 终本 Wed 3 Jun
    assert run_sweep(today=D("2026-06-02")).elapsed == 0
    report = run_sweep(today=D("2026-06-03"))
    assert report.elapsed == 1 and statuses()[(case_id, "D4")] == "met"
    with session_scope(read_only=True) as session:
        d4 = session.scalars(select(Deadline).where(Deadline.rule == "D4")).one()
    assert (d4.met_on, d4.met_late) == (D("2026-06-03"), False)
    assert audit_count("deadline.elapse") == 1


def test_a_party_window_that_runs_out_is_not_a_court_breach():
    case_id = make_filed_case(D("2026-03-02"))
    record_deadline_event(
        case_id,
        "objection.ruling_served",
        D("2026-03-10"),
        subject_type="objection",
        subject_id=3,
        params={"kind": "enforcement_act"},
    )
    run_sweep(today=D("2026-03-30"))
    assert statuses()[(case_id, "D7")] == "met"


def test_small_batches_mark_everything():
    cases = [make_filed_case(D("2026-03-02")) for _ in range(5)]
    assert run_sweep(today=D("2026-03-20"), batch=3).breached == 10
    assert all(statuses()[(c, r)] == "breached" for c in cases for r in ("D1", "D2"))


def test_concurrent_sweeps_write_one_breach_each():
    for _ in range(12):
        make_filed_case(D("2026-03-02"))
    totals: list[int] = []
    errors: list[BaseException] = []

    def sweep() -> None:
        try:
            totals.append(run_sweep(today=D("2026-03-20"), batch=5).breached)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert sum(totals) == 24 and audit_count("deadline.breach") == 24


def test_sweeps_in_separate_processes_write_one_breach_each():
    for _ in range(30):
        make_filed_case(D("2026-03-02"))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "app.sweep", "--today", "2026-03-20", "--batch", "4"]
    processes = [
        subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    assert sum(int(out.split(": ")[1].split()[0]) for out, _ in outputs) == 60
    assert audit_count("deadline.breach") == 60


def test_command_line_reports_what_it_did(capsys):
    make_filed_case(D("2026-03-02"))
    assert main(["--today", "2026-06-03"]) == 0
    checkpoint = get_settings().audit_checkpoint_dir / "audit-checkpoint-000000000000007.json"
    assert capsys.readouterr().out.strip() == (
        "sweep 2026-06-03: 2 breached, 1 elapsed; 0 expired idempotency keys purged, 0 stale login throttles"
        f"; audit checkpoint {checkpoint}"
    )
    assert main(["--today", "2026-06-03"]) == 0
    assert capsys.readouterr().out.strip().endswith("0 stale login throttles")


def test_the_sweep_forgets_expired_idempotency_keys(client, auth):
    for serial, key in ((7, "old"), (8, "recent")):
        headers = {**auth("registrar"), "Idempotency-Key": key}
        assert client.post("/api/v1/cases", json=case_body(serial=serial), headers=headers).status_code == 201
    hours = get_settings().idempotency_retention_hours
    with session_scope() as session:
        session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key == "old")
            .values(created_at=utcnow() - timedelta(hours=hours, minutes=1))
        )
    assert run_sweep(today=D("2026-06-03")).idempotency_keys_purged == 1
    with session_scope(read_only=True) as session:
        assert list(session.scalars(select(IdempotencyKey.key))) == ["recent"]


def test_recompute_provisional_clears_the_flag_once_the_year_is_known():
    from sqlalchemy import text

    from app.database import get_engine

    case_id = make_filed_case(D("2026-08-31"))  # D3 due Mon 1 Mar 2027, provisional
    with get_engine().begin() as conn:  # 2027 arrives without a PUT (e.g. a newer calendar library)
        admin_id = conn.execute(text("SELECT id FROM \"user\" WHERE username = 'admin'")).scalar()
        conn.execute(
            text(
                "INSERT INTO calendar_year (year, holidays, makeup_workdays, updated_by_id, updated_at, "
                "version) VALUES (2027, '[\"2027-03-01\"]', '[]', :uid, CURRENT_TIMESTAMP, 1)"
            ),
            {"uid": admin_id},
        )
    assert run_sweep(today=D("2026-09-01"), recompute=True).recomputed == 1
    with session_scope(read_only=True) as session:
        d3 = session.scalars(select(Deadline).where(Deadline.case_id == case_id, Deadline.rule == "D3")).one()
    assert (d3.due_on, d3.provisional) == (D("2027-03-02"), False)
