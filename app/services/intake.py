"""Case intake (立案移送, plan §5(1)): the filing division files a case with its number, filing date,
parties, claim and the applicant's property clues; the case starts in state ``filed`` and its
clocks start (D1: it must reach the command center within one working day).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from app.database import insert_returning, insert_skipping_conflicts
from app.enums import (
    AssetKind,
    Behaviour,
    CaseState,
    Category,
    IdDocumentKind,
    PartyRole,
    PartyType,
    RespondentClass,
)
from app.errors import Conflict
from app.models.case import Case, Party, PropertyClue
from app.models.user import User
from app.rules.identifiers import normalise_case_number
from app.services import audit, deadline_clocks, ledger
from app.services.case_queries import CaseDetail, new_case_detail


@dataclass(frozen=True, slots=True)
class NewParty:
    """A party as filed; ID numbers already checked (app.rules.identifiers)."""

    name: str
    party_type: PartyType
    id_number: str | None
    respondent_class: RespondentClass | None = None  # respondents only (triage rule T5)
    id_kind: IdDocumentKind | None = None
    id_issuing_country: str | None = None


@dataclass(frozen=True, slots=True)
class NewClue:
    """A property clue the applicant supplies at filing (财产线索)."""

    kind: AssetKind
    description: str


class DuplicateCaseNumber(Conflict):
    slug, title = "duplicate-case-number", "A case with this case number already exists"


def _duplicate(session: Session, case_number: str) -> DuplicateCaseNumber:
    existing = session.execute(select(Case.id, Case.case_number).where(Case.case_number == case_number)).one()
    return DuplicateCaseNumber(
        f"case {existing.case_number} is already filed as case {existing.id}",
        existing_case={"id": existing.id, "case_number": existing.case_number},
    )


def _party(case_id: int, role: PartyRole, party: NewParty) -> dict[str, object]:
    respondent_class = party.respondent_class if role == PartyRole.respondent else None
    return {
        "case_id": case_id,
        "role": role,
        "name": party.name,
        "party_type": party.party_type,
        "id_kind": party.id_kind,
        "id_number": party.id_number,
        "id_issuing_country": party.id_issuing_country,
        "respondent_class": respondent_class,
    }


def file_case(
    session: Session,
    *,
    user: User,
    case_number: str,
    filed_on: date,
    category: Category,
    claim_amount: Decimal | None,
    behaviour: Behaviour | None,
    applicants: Sequence[NewParty],
    respondents: Sequence[NewParty],
    property_clues: Sequence[NewClue],
) -> CaseDetail:
    """Create a filed case; 409 naming the existing case when its number is already filed.

    One INSERT per table (case, parties, clues, the filing event, its clocks), each returning its rows.
    """
    number = normalise_case_number(case_number)
    # A case number identifies one case (SPC case-number rules 2015); a concurrent filing of the same
    # number waits for the other transaction and then inserts nothing.
    case = session.scalars(
        insert_skipping_conflicts(session, Case, "case_number", returning=(Case,)),
        [
            {
                "case_number": number.text,
                "case_year": number.year,
                "court_code": number.court_code,
                "type_code": number.type_code,
                "serial": number.serial,
                "filed_on": filed_on,
                "category": category,
                "claim_amount": claim_amount,
                "behaviour": behaviour,
                "state": CaseState.filed,
                "created_by_id": user.id,
            }
        ],
    ).one_or_none()
    if case is None:
        raise _duplicate(session, number.text)
    parties = _insert_rows(
        session,
        Party,
        [_party(case.id, PartyRole.applicant, p) for p in applicants]
        + [_party(case.id, PartyRole.respondent, p) for p in respondents],
    )
    clues = _insert_rows(
        session,
        PropertyClue,
        [{"case_id": case.id, "kind": clue.kind, "description": clue.description} for clue in property_clues],
    )
    audit.record(
        session,
        actor=user,
        action="case.filed",
        entity_type="case",
        entity_id=case.id,
        case_id=case.id,
        after={
            "case_number": case.case_number,
            "filed_on": case.filed_on,
            "category": case.category,
            "claim_amount": case.claim_amount,
            "behaviour": case.behaviour,
            "state": case.state,
            "applicants": [p.name for p in applicants],
            "respondents": [p.name for p in respondents],
            "property_clues": len(property_clues),
        },
    )
    clocks = deadline_clocks.start_new_case_clocks(session, case=case, actor=user)
    # plan §6(5) (一案一账号): the case's account is opened when it is filed.
    ledger.open_account(session, case=case)
    return new_case_detail(case=case, parties=parties, property_clues=clues, deadlines=clocks, user=user)


def _insert_rows(
    session: Session, model: type[Party | PropertyClue], rows: list[dict[str, object]]
) -> list[Row[Any]]:
    """One INSERT for all ``rows``, returning them (every column) in the order given."""
    if not rows:
        return []
    return list(session.execute(insert_returning(model.__table__), rows))
