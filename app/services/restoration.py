"""Restoration of enforcement (恢复执行, plan §5): property turns up on a 终本 case, and the
comprehensive group opens a new linked case with a 执恢 number; it is registered and triaged again.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from app.enums import CaseState
from app.errors import Conflict
from app.models.case import Case
from app.models.case import Party
from app.models.user import User
from app.rules.identifiers import format_case_number
from app.services import audit
from app.services import deadline_events
from app.services import termination_pool
from app.services.case_access import case_for_action
from app.services.numbering import highest_case_serial
from app.services.numbering import next_serial
from app.services.workflow import legal_date_or_today

# SPC case-number rules 2015: restored enforcement cases are numbered 执恢.
RESTORED_TYPE_CODE = "执恢"


def restore_case(
    session: Session, *, case_id: int, user: User, restored_on: date | None, reason: str | None
) -> Case:
    """Open the restored case (``filed``, linked by ``origin_case_id``); the old one leaves the pool."""
    origin = case_for_action(session, user, case_id, "restore")
    entry = termination_pool.entry_for_case(session, origin.id)
    if entry is not None and entry.restored_case_id is not None:
        raise Conflict(
            f"case {origin.case_number} was already restored as case {entry.restored_case_id}",
            restored_case_id=entry.restored_case_id,
        )
    restored_on = legal_date_or_today(
        "restored_on", restored_on, not_before=origin.closed_on, not_before_what="the 终本 ruling"
    )

    year = restored_on.year  # SPC case-number rules 2015: the year of filing
    serial = next_serial(
        session,
        year=year,
        court_code=origin.court_code,
        type_code=RESTORED_TYPE_CODE,
        # Numbers already on a case (filed before intake refused 执恢) are not issued again.
        at_least=highest_case_serial(
            session, year=year, court_code=origin.court_code, type_code=RESTORED_TYPE_CODE
        ),
    )
    parties = session.scalars(select(Party).where(Party.case_id == origin.id).order_by(Party.id)).all()
    outstanding = (
        None
        if origin.claim_amount is None
        else max(origin.claim_amount - (origin.paid_amount or Decimal(0)), Decimal("0.00"))
    )
    restored = Case(
        case_number=format_case_number(year, origin.court_code, RESTORED_TYPE_CODE, serial),
        case_year=year,
        court_code=origin.court_code,
        type_code=RESTORED_TYPE_CODE,
        serial=serial,
        filed_on=restored_on,
        category=origin.category,
        claim_amount=outstanding,
        behaviour=origin.behaviour,
        state=CaseState.filed,
        origin_case_id=origin.id,
        created_by_id=user.id,
        parties=[
            Party(
                role=p.role,
                name=p.name,
                party_type=p.party_type,
                id_kind=p.id_kind,
                id_number=p.id_number,
                id_issuing_country=p.id_issuing_country,
                respondent_class=p.respondent_class,
            )
            for p in parties
        ],
    )
    session.add(restored)
    session.flush()
    if entry is not None:
        entry.restored_case_id, entry.left_on = restored.id, restored_on
    session.flush()
    deadline_events.record_event_for(session, restored, "case.filed", on=restored_on)
    if entry is not None:
        # Restored: the origin case leaves the 终本 pool and its re-checks (D14) end.
        deadline_events.record_event_for(session, origin, "termination_pool.left", on=restored_on)
    audit.record_for(
        session,
        user,
        origin,
        "case.restore",
        after={
            "restored_case_id": restored.id,
            "restored_on": restored_on,
            "case_number": restored.case_number,
        },
        reason=reason,
    )
    audit.record_for(
        session,
        user,
        restored,
        "case.filed",
        after={
            "case_number": restored.case_number,
            "filed_on": restored_on,
            "state": restored.state,
            "origin_case_id": origin.id,
            "claim_amount": outstanding,
            "parties": [p.name for p in parties],
        },
        reason=reason,
    )
    return session.execute(
        select(Case).where(Case.id == restored.id).options(selectinload(Case.parties))
    ).scalar_one()
