"""Extensions of the enforcement period (D3, SPC time-limit rules): asked for by the handling judge,
reviewed by the director, approved by the president."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import DeadlineStatus
from app.enums import ExtensionState
from app.errors import Conflict
from app.errors import Forbidden
from app.errors import InvalidInput
from app.errors import NotFound
from app.models.case import Case
from app.models.deadline import Deadline
from app.models.deadline import DeadlineEvent
from app.models.deadline_extension import DeadlineExtension
from app.models.user import User
from app.policy import actor_may_on_case
from app.rules.deadline_rules import EXTENSION_APPROVED
from app.services import audit
from app.services.case_access import load_case
from app.services.deadline_clocks import DeadlineView
from app.services.deadline_clocks import clock_state
from app.services.deadline_clocks import deadline_view
from app.services.deadline_events import record_event_for
from app.settings import court_today
from app.settings import get_settings

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


def request_extension(
    session: Session, *, case_id: int, user: User, rule: str, reason: str, months: int | None = None
) -> DeadlineExtension:
    """The handling judge asks to extend the enforcement period (D3); dated today by the service."""
    settings = get_settings()
    case = load_case(session, case_id, user, for_update=True)
    if not actor_may_on_case(user, "deadline.request_extension", case):
        raise Forbidden(f"only the handling judge of case {case.case_number} asks for an extension")
    if rule not in EXTENDABLE_RULES:
        raise InvalidInput("rule", f"only {', '.join(sorted(EXTENDABLE_RULES))} can be extended")
    # SPC time-limit rules: the extension is of a fixed length (3 months by default).
    if months is not None and months != settings.d3_extension_months:
        raise InvalidInput("months", f"an extension is {settings.d3_extension_months} months")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason", "must not be blank")
    today = court_today()
    clock = _clock(session, case=case, rule=rule)
    _check_not_extended(session, case=case, rule=rule)
    pending = session.scalar(
        select(DeadlineExtension.id).where(
            DeadlineExtension.case_id == case.id,
            DeadlineExtension.rule == rule,
            DeadlineExtension.state != ExtensionState.approved,
        )
    )
    if pending is not None:
        raise Conflict(f"extension request {pending} of case {case.case_number} awaits a decision")
    # SPC time-limit rules: asked for at least 5 days before the period expires, never after.
    last_request_day = clock.due_on - timedelta(days=settings.d3_extension_request_days_before)
    if today > last_request_day:
        raise Conflict(
            f"asked on {today.isoformat()}: an extension is asked for at least "
            f"{settings.d3_extension_request_days_before} days before {rule} expires on "
            f"{clock.due_on.isoformat()}, i.e. by {last_request_day.isoformat()}",
            due_on=clock.due_on.isoformat(),
            last_request_day=last_request_day.isoformat(),
        )
    request = DeadlineExtension(
        case_id=case.id,
        rule=rule,
        state=ExtensionState.requested,
        reason=reason,
        requested_by_id=user.id,
        requested_on=today,
    )
    session.add(request)
    session.flush()
    _audit(session, request=request, user=user, action="deadline.request_extension")
    return request


def review_extension(session: Session, *, extension_id: int, user: User) -> DeadlineExtension:
    """The director's review (审核把关, plan §4) of a request; dated today by the service."""
    request = _request(session, extension_id=extension_id, user=user, state=ExtensionState.requested)
    request.state, request.reviewed_by_id, request.reviewed_on = (
        ExtensionState.reviewed,
        user.id,
        court_today(),
    )
    session.flush()
    _audit(session, request=request, user=user, action="deadline.review_extension")
    return request


def approve_extension(session: Session, *, extension_id: int, user: User) -> ApprovedExtension:
    """The president's approval of a reviewed request (SPC time-limit rules); the clock moves."""
    request = _request(session, extension_id=extension_id, user=user, state=ExtensionState.reviewed)
    case = load_case(session, request.case_id, user, for_update=True)
    clock = _clock(session, case=case, rule=request.rule)
    _check_not_extended(session, case=case, rule=request.rule)
    today = court_today()
    before = clock_state(clock)
    months = get_settings().d3_extension_months
    recorded = record_event_for(
        session,
        case,
        EXTENSION_APPROVED,
        on=today,
        params={
            "rule": request.rule,
            "months": months,
            "requested_on": request.requested_on.isoformat(),
            "reason": request.reason,
            "approved_by_id": user.id,
        },
        actor=user,
    )
    assert recorded is not None  # a first extension is never a duplicate
    request.state, request.approved_by_id, request.approved_on = ExtensionState.approved, user.id, today
    session.flush()
    audit.record_for(
        session,
        user,
        clock,
        "deadline.extend",
        before=before,
        after=clock_state(clock),
        reason=request.reason,
    )
    return ApprovedExtension(
        id=request.id,
        case_id=case.id,
        rule=request.rule,
        requested_on=request.requested_on,
        approved_on=today,
        months=months,
        reason=request.reason,
        approved_by_id=user.id,
        approved_at=recorded.recorded_at,
        deadline=deadline_view(clock, today),
    )


def _clock(session: Session, *, case: Case, rule: str) -> Deadline:
    clock = session.execute(
        select(Deadline)
        .where(Deadline.case_id == case.id, Deadline.rule == rule, Deadline.subject_type == "case")
        .order_by(Deadline.seq.desc())
        .limit(1)
        .with_for_update()
    ).scalar_one_or_none()
    if clock is None:
        raise Conflict(f"case {case.case_number} has no {rule} clock running (no filing recorded)")
    if clock.status == DeadlineStatus.met:
        raise Conflict(
            f"{rule} of case {case.case_number} is already met ({clock.met_on})", clock_status=clock.status
        )
    return clock


def _check_not_extended(session: Session, *, case: Case, rule: str) -> None:
    extensions = session.scalars(
        select(DeadlineEvent).where(
            DeadlineEvent.case_id == case.id, DeadlineEvent.event == EXTENSION_APPROVED
        )
    ).all()
    if len([e for e in extensions if e.params.get("rule", "D3") == rule]) >= get_settings().d3_max_extensions:
        raise Conflict(f"{rule} of case {case.case_number} has already been extended")


def _request(session: Session, *, extension_id: int, user: User, state: ExtensionState) -> DeadlineExtension:
    request = session.get(DeadlineExtension, extension_id, with_for_update=True)
    if request is None:
        raise NotFound(f"extension request {extension_id} not found")
    load_case(session, request.case_id, user)
    if request.state != state:
        raise Conflict(f"extension request {extension_id} is {request.state}, not {state}")
    return request


def _audit(session: Session, *, request: DeadlineExtension, user: User, action: str) -> None:
    audit.record_for(
        session,
        user,
        request,
        action,
        after={
            "rule": request.rule,
            "state": request.state,
            "requested_on": request.requested_on,
            "reviewed_on": request.reviewed_on,
        },
        reason=request.reason,
    )
