"""Domain events that drive the legal deadline clocks D1–D19 (docs/rules.md#deadlines).

Other services never touch deadline rows; they report what happened with :func:`record_event`
and the clock configuration (app.rules.deadline_rules) decides which clocks start, are met,
pause or resume. Every event is kept; a case's clocks are then recomputed (app.services.deadline_clocks)
from all of its events and the working calendar, so a back-dated event or a calendar change gives
the right due dates without manual fixing.

Event names (``on`` is the legal date of the event):
    case.filed                       starts D1, D2, D3, D4
    case.registered                  meets D1
    measure.execution_notice         with measure.property_report_order meets D2 (on the later one)
    measure.property_report_order    see above
    case.closed                      meets D3; ends D1, D2 and D4 if still running
    suspension.started / .ended      pause / resume the case's pausable clocks (D2, D3, D13)
                                     (params: kind = deferral | suspension | public_notice |
                                     appraisal_auction; optional subject_type "suspension" + id)
    extension.approved               moves D3 (params: months, rule)
    objection.received               starts D5 (kind enforcement_act) or D6 (kind outsider)
                                     (subject: the objection; params: kind)
    objection.docketed               meets D15 (started by objection.received, any kind)
    objection.ruled                  meets D5/D6/D16 (D16: kind add_change_parties)
    objection.outsider_upheld_served starts D17, the applicant's window to sue
    objection.ruling_served          starts D7 (rulings on an enforcement act)
    objection.reconsideration_applied  meets D7, starts D8
    objection.transferred            meets D8
    petition.received                starts D9 (subject: the petition)
    petition.registered              meets D9, starts D10
    petition.closed                  meets D10
    dishonest.deletion_triggered     starts D11 (subject: the listing)
    dishonest.deleted                meets D11
    asset.controlled                 starts D12 (subject: the asset; params: kind)
    asset.renewed                    meets the asset's D12 and starts the next term (params: kind)
    asset.released                   meets D12
    disposal.approved                starts D13 (subject: the transfer)
    disposal.returned                meets D13
    termination_pool.entered         starts D14 (the case closed as 终本 enters the pool)
    termination_pool.rechecked       meets the running D14 and starts the next
    termination_pool.left            meets D14 (the case is restored)
    money.unclaimed_received         starts D18 (no case; subject: the receipt)
    money.claimed                    meets D18
    money.received                   starts D19 (subject: the receipt credited to the case)
    money.paid_out / .receipt_reversed  meets D19 (payouts cover the receipt, oldest money first)
    money.payout_deferred / .payout_deferral_lifted  pause / resume D19 (subject: the deferral)
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import SuspensionKind
from app.errors import Conflict
from app.errors import InvalidInput
from app.errors import NotFound
from app.models.case import Case
from app.models.deadline import DeadlineEvent
from app.policy import Actor
from app.rules.deadline_rules import KNOWN_EVENTS
from app.rules.deadline_rules import SUSPENSION_ENDED
from app.rules.deadline_rules import SUSPENSION_STARTED
from app.rules.deadline_rules import ClockEvent
from app.rules.deadline_rules import matching_suspension
from app.rules.deadline_rules import paired_suspensions
from app.services.audit import Entity
from app.services.audit import subject_of
from app.services.deadline_clocks import case_events
from app.services.deadline_clocks import clock_event
from app.services.deadline_clocks import recompute_cases
from app.services.deadline_clocks import recompute_subject
from app.services.working_calendar import working_calendar
from app.settings import court_today

log = structlog.get_logger("app.deadlines")


def record_event(
    session: Session,
    *,
    event: str,
    on: date,
    case_id: int | None,
    subject_type: str = "case",
    subject_id: int | None = None,
    params: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> DeadlineEvent | None:
    """Apply one domain event to the deadline clocks it starts, meets, pauses or resumes; the event
    kept, or None when the same event was already recorded."""
    if subject_type == "case":
        if case_id is None:
            raise ValueError(f"{event}: a case event needs case_id")
        subject_id = case_id
    elif subject_id is None:
        raise ValueError(f"{event}: subject {subject_type} needs subject_id")
    plain = json.loads(json.dumps(params or {}, default=str))
    case = None
    if case_id is not None:
        case = session.execute(select(Case).where(Case.id == case_id).with_for_update()).scalar_one_or_none()
        if case is None:
            raise NotFound(f"case {case_id} not found")
    if event not in KNOWN_EVENTS:
        log.warning("deadline_event_without_clock", deadline_event=event, case_id=case_id)
    reported = ClockEvent(
        id=0, name=event, on=on, subject_type=subject_type, subject_id=subject_id, params=plain
    )
    if _already_recorded(session, reported, case_id=case_id):
        return None
    if event in (SUSPENSION_STARTED, SUSPENSION_ENDED):
        _check_suspension(session, reported, case_id=case_id)
    row = DeadlineEvent(
        case_id=case_id,
        event=event,
        occurred_on=on,
        subject_type=subject_type,
        subject_id=subject_id,
        params=plain,
        recorded_by_id=getattr(actor, "id", None),
    )
    session.add(row)
    session.flush()
    if event in KNOWN_EVENTS:
        calendar = working_calendar(session)
        if case is not None:
            recompute_cases(session, cases=[case], calendar=calendar, actor=actor, today=court_today())
        else:
            recompute_subject(
                session,
                subject=(subject_type, subject_id),
                calendar=calendar,
                actor=actor,
                today=court_today(),
            )
    return row


def record_event_for(
    session: Session,
    row: Entity,
    event: str,
    *,
    on: date,
    params: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> DeadlineEvent | None:
    """:func:`record_event` of ``row`` (an asset, a receipt, a case …): the event's subject and case are
    the row and its case (app.services.audit.subject_of)."""
    subject_type, subject_id, case_id = subject_of(row)
    subject = {} if subject_type == "case" else {"subject_type": subject_type, "subject_id": subject_id}
    return record_event(session, event=event, on=on, case_id=case_id, params=params, actor=actor, **subject)


def _already_recorded(session: Session, reported: ClockEvent, *, case_id: int | None) -> bool:
    """The same event reported twice (a retried request) changes nothing the second time."""
    same = session.scalars(
        select(DeadlineEvent).where(
            DeadlineEvent.event == reported.name,
            DeadlineEvent.occurred_on == reported.on,
            DeadlineEvent.case_id.is_(None) if case_id is None else DeadlineEvent.case_id == case_id,
            DeadlineEvent.subject_type == reported.subject_type,
            DeadlineEvent.subject_id == reported.subject_id,
        )
    )
    return any(row.params == reported.params for row in same)


def _check_suspension(session: Session, reported: ClockEvent, *, case_id: int | None) -> None:
    event, kind = reported.name, reported.params.get("kind")
    if case_id is None:
        raise ValueError(f"{event}: a suspension belongs to a case")
    if event == SUSPENSION_STARTED or kind is not None:
        if kind not in set(SuspensionKind):
            raise InvalidInput("kind", f"must be one of {', '.join(SuspensionKind)}")
    if event == SUSPENSION_ENDED:
        _, running = paired_suspensions(clock_event(e) for e in case_events(session, [case_id]))
        if matching_suspension(running, reported) is None:
            what = f"{kind} suspension" if kind else "suspension"
            raise Conflict(f"case {case_id} has no {what} running on {reported.on.isoformat()}")
