"""Extensions of the enforcement period (D3) approved by the director (SPC time-limit rules)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import DeadlineStatus
from app.errors import Conflict, InvalidInput
from app.models.deadline import Deadline, DeadlineEvent
from app.models.user import User
from app.rules.deadline_rules import EXTENSION_APPROVED
from app.services import audit
from app.services.case_access import load_case
from app.services.deadline_clocks import DeadlineView, clock_state, deadline_view
from app.services.deadline_events import record_event
from app.settings import court_today, get_settings

EXTENDABLE_RULES = frozenset({"D3"})  # SPC time-limit rules: only the enforcement period is extended


@dataclass(frozen=True, slots=True)
class ApprovedExtension:
    """The extension as recorded (its deadline event) and the clock it moved."""

    id: int
    case_id: int
    rule: str
    requested_on: date
    approved_on: date
    months: int
    reason: str
    approved_by_id: int
    approved_at: datetime
    deadline: DeadlineView


def approve_extension(
    session: Session,
    *,
    case_id: int,
    user: User,
    rule: str,
    requested_on: date,
    reason: str,
    months: int | None = None,
) -> ApprovedExtension:
    """Record the director's approval of an extension of the enforcement period (D3) and apply it."""
    settings = get_settings()
    case = load_case(session, case_id, user, for_update=True)
    if rule not in EXTENDABLE_RULES:
        raise InvalidInput("rule", f"only {', '.join(sorted(EXTENDABLE_RULES))} can be extended")
    # SPC time-limit rules: the extension is of a fixed length (3 months by default).
    if months is not None and months != settings.d3_extension_months:
        raise InvalidInput("months", f"an extension is {settings.d3_extension_months} months")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason", "must not be blank")
    today = court_today()
    if requested_on > today:
        raise InvalidInput("requested_on", f"{requested_on.isoformat()} is after today ({today.isoformat()})")
    clock = session.execute(
        select(Deadline)
        .where(
            Deadline.case_id == case.id,
            Deadline.rule == rule,
            Deadline.subject_type == "case",
        )
        .order_by(Deadline.seq.desc())
        .limit(1)
        .with_for_update()
    ).scalar_one_or_none()
    if clock is None:
        raise Conflict(f"case {case.case_number} has no {rule} clock running (no filing recorded)")
    if requested_on < clock.started_on:
        raise InvalidInput(
            "requested_on",
            f"{requested_on.isoformat()} is before the clock started ({clock.started_on.isoformat()})",
        )
    if clock.status == DeadlineStatus.met:
        raise Conflict(
            f"{rule} of case {case.case_number} is already met ({clock.met_on})", clock_status=clock.status
        )
    extensions = session.scalars(
        select(DeadlineEvent).where(
            DeadlineEvent.case_id == case.id, DeadlineEvent.event == EXTENSION_APPROVED
        )
    ).all()
    if len([e for e in extensions if e.params.get("rule", "D3") == rule]) >= settings.d3_max_extensions:
        raise Conflict(f"{rule} of case {case.case_number} has already been extended")
    # SPC time-limit rules: the extension must be requested at least 5 days before the period expires.
    last_request_day = clock.due_on - timedelta(days=settings.d3_extension_request_days_before)
    if requested_on > last_request_day:
        raise Conflict(
            f"requested on {requested_on.isoformat()}: an extension must be requested at least "
            f"{settings.d3_extension_request_days_before} days before {rule} expires on "
            f"{clock.due_on.isoformat()}, i.e. by {last_request_day.isoformat()}",
            due_on=clock.due_on.isoformat(),
            last_request_day=last_request_day.isoformat(),
        )
    before = clock_state(clock)
    months = settings.d3_extension_months
    recorded = record_event(
        session,
        event=EXTENSION_APPROVED,
        on=today,
        case_id=case.id,
        subject_type="case",
        subject_id=None,
        params={
            "rule": rule,
            "months": months,
            "requested_on": requested_on.isoformat(),
            "reason": reason,
            "approved_by_id": user.id,
        },
        actor=user,
    )
    assert recorded is not None  # a first extension is never a duplicate
    audit.record(
        session,
        actor=user,
        action="deadline.extend",
        entity_type="deadline",
        entity_id=clock.id,
        case_id=case.id,
        before=before,
        after=clock_state(clock),
        reason=reason,
    )
    return ApprovedExtension(
        id=recorded.id,
        case_id=case.id,
        rule=rule,
        requested_on=requested_on,
        approved_on=today,
        months=months,
        reason=reason,
        approved_by_id=user.id,
        approved_at=recorded.recorded_at,
        deadline=deadline_view(clock, today),
    )
