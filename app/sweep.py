"""The deadline sweep: marks clocks whose due date has passed, with one audit entry each, and
triggers the deletion of dishonest-list entries whose fixed term has ended (D11).

    python -m app.sweep                       # today at the court (Asia/Shanghai)
    python -m app.sweep --today 2026-03-31    # as of another day (tests, catching up)

A duty still open the day after its due date becomes ``breached``; a waiting period (D4) or a
party's window (D7) that has run out becomes ``met``. Safe to run repeatedly and from several
processes at once: each batch is one conditional UPDATE (``WHERE status = 'open'``) of rows
claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so a clock is marked, and audited, once.
It also forgets Idempotency-Keys older than their retention window (API.md: kept at least 24 h) and
login throttles with nothing left to remember (app.services.login_throttle), and writes a signed
checkpoint of the audit chain under ``ENFORCEMENT_AUDIT_CHECKPOINT_DIR`` when the chain has grown
(app.services.audit_anchor).
Scheduling: docs/operations.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.database import session_scope
from app.enums import DeadlineStatus
from app.models.base import utcnow
from app.models.deadline import Deadline
from app.rules.deadline_rules import BOARD_RULES
from app.rules.deadline_rules import REACHED_ON_DUE_DAY
from app.rules.deadline_rules import WINDOW_RULES
from app.services import dishonest
from app.services import idempotency
from app.services import login_throttle
from app.services.audit_anchor import write_checkpoint
from app.services.deadline_clocks import audit_clock
from app.services.deadline_clocks import recompute_provisional
from app.services.session_listeners import install_session_listeners
from app.services.working_calendar import working_calendar
from app.settings import court_today
from app.settings import get_settings


@dataclass(frozen=True)
class SweepReport:
    today: date
    breached: int
    elapsed: int
    recomputed: int = 0
    idempotency_keys_purged: int = 0
    login_throttles_purged: int = 0
    dishonest_terms_ended: int = 0
    audit_checkpoint: Path | None = None


def _mark_batch(
    session: Session,
    *,
    today: date,
    rules: frozenset[str],
    to_status: DeadlineStatus,
    batch: int,
    due_before: date | None = None,
) -> int:
    """Mark one batch of past-due open clocks of ``rules``; returns how many this transaction marked."""
    due_before = due_before or today
    claimed = (
        select(Deadline.id)
        .where(
            Deadline.status == DeadlineStatus.open,
            Deadline.due_on < due_before,
            Deadline.rule.in_(sorted(rules)),
        )
        .order_by(Deadline.due_on, Deadline.id)
        .limit(batch)
        .with_for_update(skip_locked=True)
    )
    values: dict[str, object] = {"status": to_status.value, "updated_at": utcnow()}
    if to_status == DeadlineStatus.breached:
        values["breached_at"] = utcnow()
    else:
        values |= {"met_on": Deadline.due_on, "met_late": False}
    marked = session.execute(
        update(Deadline)
        .where(
            Deadline.id.in_(claimed.scalar_subquery()),
            Deadline.status == DeadlineStatus.open,
            Deadline.due_on < due_before,
        )
        .values(**values)
        .returning(Deadline.id, Deadline.case_id, Deadline.rule, Deadline.due_on)
        .execution_options(synchronize_session=False)
    ).all()
    before = {"status": DeadlineStatus.open.value}
    action = "deadline.breach" if to_status == DeadlineStatus.breached else "deadline.elapse"
    for row in marked:
        after = {"rule": row.rule, "status": to_status.value, "due_on": row.due_on}
        reason = f"due {row.due_on.isoformat()}, swept {today.isoformat()}"
        audit_clock(session, None, row, action, before=before, after=after, reason=reason)
    return len(marked)


def _mark_all(mark: Callable[[Session], int], batch: int) -> int:
    """Run ``mark`` (one batch) in its own transaction until a batch comes back short."""
    total = 0
    while True:
        with session_scope() as session:
            marked = mark(session)
        total += marked
        if marked < batch:
            return total


def run_sweep(*, today: date | None = None, batch: int | None = None, recompute: bool = False) -> SweepReport:
    """Mark every past-due open clock as of ``today``; each batch commits on its own."""
    today = today or court_today()
    batch = batch or get_settings().sweep_batch_size
    recomputed = 0
    if recompute:
        with session_scope() as session:
            recomputed = recompute_provisional(session, calendar=working_calendar(session))
    with session_scope() as session:
        terms_ended = len(dishonest.trigger_ended_terms(session, today=today))
    breached = _mark_all(
        lambda s: _mark_batch(
            s, today=today, rules=BOARD_RULES, to_status=DeadlineStatus.breached, batch=batch
        ),
        batch,
    )
    windows = WINDOW_RULES - REACHED_ON_DUE_DAY
    elapsed = _mark_all(
        lambda s: _mark_batch(s, today=today, rules=windows, to_status=DeadlineStatus.met, batch=batch), batch
    )
    # D4's due date is the earliest 终本 day itself (SPC 终本 rules 2016 art. 1(4)): reached on that day.
    tomorrow = today + timedelta(days=1)
    elapsed += _mark_all(
        lambda s: _mark_batch(
            s,
            today=today,
            rules=REACHED_ON_DUE_DAY,
            to_status=DeadlineStatus.met,
            batch=batch,
            due_before=tomorrow,
        ),
        batch,
    )
    with session_scope() as session:
        purged = idempotency.purge_expired(session)
        throttles = login_throttle.purge_stale(session)
    settings = get_settings()
    with session_scope(read_only=True) as session:
        checkpoint = write_checkpoint(session, settings.audit_checkpoint_dir, settings.audit_anchor_key)
    return SweepReport(
        today=today,
        breached=breached,
        elapsed=elapsed,
        recomputed=recomputed,
        idempotency_keys_purged=purged,
        login_throttles_purged=throttles,
        dishonest_terms_ended=terms_ended,
        audit_checkpoint=checkpoint,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.sweep", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--today", type=date.fromisoformat, help="the court's date to sweep as of (YYYY-MM-DD)"
    )
    parser.add_argument("--batch", type=int, help="deadlines per transaction (default: settings)")
    parser.add_argument(
        "--recompute-provisional",
        action="store_true",
        help="first recompute provisional deadlines whose years are now confirmed",
    )
    args = parser.parse_args(argv)
    install_session_listeners()
    report = run_sweep(today=args.today, batch=args.batch, recompute=args.recompute_provisional)
    print(
        f"sweep {report.today.isoformat()}: {report.breached} breached, {report.elapsed} elapsed"
        + (f", {report.recomputed} provisional recomputed" if args.recompute_provisional else "")
        + (
            f", {report.dishonest_terms_ended} dishonest-list terms ended"
            if report.dishonest_terms_ended
            else ""
        )
        + f"; {report.idempotency_keys_purged} expired idempotency keys purged"
        + f", {report.login_throttles_purged} stale login throttles"
        + (f"; audit checkpoint {report.audit_checkpoint}" if report.audit_checkpoint else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
