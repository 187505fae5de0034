"""Legal deadline clocks D1–D13 (DOMAIN.md §4): started, met and paused by domain events.

Other services never touch deadline rows; they report what happened with :func:`record_event`
and the clock configuration decides which clocks start, are met, pause or resume.

Event names (``on`` is the legal date of the event):
    case.filed                       starts D1, D2, D3, D4
    case.registered                  meets D1
    measure.execution_notice         meets D2 (execution notice + property-report order sent)
    case.closed                      meets D3
    suspension.started / .ended      pause / resume the case's open clocks
    extension.approved               moves D3 (params: months)
    objection.received               starts D5 (act) or D6 (outsider) (subject: the objection)
    objection.ruled                  meets D5/D6
    objection.ruling_served          starts D7
    objection.reconsideration_applied  meets D7, starts D8
    objection.transferred            meets D8
    petition.received                starts D9 (subject: the petition)
    petition.registered              meets D9, starts D10
    petition.closed                  meets D10
    dishonest.deletion_triggered     starts D11 (subject: the listing)
    dishonest.deleted                meets D11
    asset.controlled                 starts D12 (subject: the asset; params: kind)
    asset.released                   meets D12
    disposal.approved                starts D13 (subject: the transfer)
    disposal.returned                meets D13
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session


def record_event(session: Session, *, event: str, on: date, case_id: int | None,
                 subject_type: str = "case", subject_id: int | None = None,
                 params: dict[str, Any] | None = None) -> None:
    """Apply one domain event to the deadline clocks it starts, meets, pauses or resumes."""
    return None


def list_for_case(session: Session, case_id: int) -> list[Any]:
    """The case's deadlines (rule, due_on, status, provisional), ordered by due date."""
    return []
