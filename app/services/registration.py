"""Registration at the command center (登记) and the property investigation outcome (查控).

Plan §5(1): the comprehensive group registers each filed case within 1 working day (deadline D1),
investigates the respondent's property and records the outcome that triage reads (rules T2, T4).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from app.enums import CaseState
from app.errors import InvalidInput
from app.models.base import utcnow
from app.models.case import Case
from app.models.user import User
from app.services import audit
from app.services import deadline_events
from app.services.case_access import case_for_action
from app.services.workflow import legal_date_or_today

_FLAGS = ("investigation_completed", "willing_to_perform", "settlement_likely")


@dataclass(frozen=True)
class Registration:
    case: Case
    registered_on: date
    note: str | None


def register_case(
    session: Session,
    *,
    case_id: int,
    user: User,
    registered_on: date | None,
    investigation_completed: bool,
    willing_to_perform: bool,
    settlement_likely: bool,
    note: str | None,
    expected_version: int | None = None,
) -> Registration:
    """filed → registered, with the investigation outcome; meets deadline D1."""
    case = case_for_action(session, user, case_id, "register", expected_version)
    on = legal_date_or_today("registered_on", registered_on)
    if on < case.filed_on:
        raise InvalidInput(
            "registered_on", f"{on.isoformat()} is before the filing date {case.filed_on.isoformat()}"
        )
    before = _snapshot(case)
    case.state = CaseState.registered
    case.registered_at = utcnow()
    case.investigation_completed = investigation_completed
    case.willing_to_perform = willing_to_perform
    case.settlement_likely = settlement_likely
    session.flush()
    # Plan §5(1): registration at the command center within 1 working day of filing (D1).
    deadline_events.record_event_for(session, case, "case.registered", on=on)
    audit.record_for(
        session,
        user,
        case,
        "case.register",
        before=before,
        after=_snapshot(case) | {"registered_on": on, "registered_at": case.registered_at},
        reason=note,
    )
    return Registration(case, on, note)


def record_investigation(
    session: Session,
    *,
    case_id: int,
    user: User,
    investigation_completed: bool | None,
    willing_to_perform: bool | None,
    settlement_likely: bool | None,
    note: str | None,
    expected_version: int | None = None,
) -> Case:
    """Update the investigation outcome of a registered case before it is triaged."""
    case = case_for_action(session, user, case_id, "record_investigation", expected_version)
    before = _snapshot(case)
    given = {
        "investigation_completed": investigation_completed,
        "willing_to_perform": willing_to_perform,
        "settlement_likely": settlement_likely,
    }
    for name, value in given.items():
        if value is not None:
            setattr(case, name, value)
    session.flush()
    audit.record_for(
        session, user, case, "case.investigation", before=before, after=_snapshot(case), reason=note
    )
    return case


def _snapshot(case: Case) -> dict[str, object]:
    return {"state": case.state, **{name: getattr(case, name) for name in _FLAGS}}
