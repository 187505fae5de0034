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
from typing import cast

from sqlalchemy import Row
from sqlalchemy import Table
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import insert_returning
from app.database import insert_skipping_conflicts
from app.database import run
from app.enums import AssetKind
from app.enums import Behaviour
from app.enums import CaseState
from app.enums import Category
from app.enums import IdDocumentKind
from app.enums import PartyRole
from app.enums import PartyType
from app.enums import RespondentClass
from app.errors import Conflict
from app.models.case import Case
from app.models.case import Party
from app.models.case import PropertyClue
from app.policy import Actor
from app.rules.identifiers import normalise_case_number
from app.services import audit
from app.services import deadline_clocks
from app.services import ledger
from app.services import outbox
from app.services.case_queries import CaseDetail
from app.services.case_queries import new_case_detail


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


@dataclass(frozen=True, slots=True)
class NewCase:
    """A case as the filing division sends it; its fields already validated (app.schemas.case)."""

    case_number: str
    filed_on: date
    category: Category
    claim_amount: Decimal | None
    behaviour: Behaviour | None
    applicants: Sequence[NewParty]
    respondents: Sequence[NewParty]
    property_clues: Sequence[NewClue]


_CASES = cast(Table, Case.__table__)


class DuplicateCaseNumber(Conflict):
    slug, title = "duplicate-case-number", "A case with this case number already exists"


@dataclass(frozen=True, slots=True)
class _Filed:
    case: Row[Any]
    parties: list[Row[Any]]
    clues: list[Row[Any]]


def _duplicates(session: Session, numbers: set[str]) -> dict[str, DuplicateCaseNumber]:
    """The cases already filed under ``numbers``, each as the 409 its filing gets."""
    if not numbers:
        return {}
    found = session.execute(select(Case.id, Case.case_number).where(Case.case_number.in_(numbers)))
    return {
        existing.case_number: DuplicateCaseNumber(
            f"case {existing.case_number} is already filed as case {existing.id}",
            existing_case={"id": existing.id, "case_number": existing.case_number},
        )
        for existing in found
    }


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


def _case_row(new: NewCase, user: Actor) -> dict[str, object]:
    number = normalise_case_number(new.case_number)
    return {
        "case_number": number.text,
        "case_year": number.year,
        "court_code": number.court_code,
        "type_code": number.type_code,
        "serial": number.serial,
        "filed_on": new.filed_on,
        "category": new.category,
        "claim_amount": new.claim_amount,
        "behaviour": new.behaviour,
        "state": CaseState.filed,
        "created_by_id": user.id,
    }


def _file(session: Session, user: Actor, cases: Sequence[NewCase]) -> list[_Filed | DuplicateCaseNumber]:
    """File ``cases``: one INSERT per table for all of them (case, parties, clues, the filing events,
    their clocks); a case whose number is already filed, or comes earlier in ``cases``, is its 409."""
    if not cases:
        return []
    rows = [_case_row(new, user) for new in cases]
    # A case number identifies one case (SPC case-number rules 2015); a concurrent filing of the same
    # number waits for the other transaction and then inserts nothing.
    # In case-number order, so that concurrent batches sharing numbers wait for each other in one
    # order and never deadlock.
    inserted = run(
        session,
        insert_skipping_conflicts(session, _CASES, "case_number", returning=tuple(_CASES.c)),
        sorted(rows, key=lambda row: str(row["case_number"])),
    ).all()
    # The new cases are rows, not objects loaded into the session: the outbox is told their versions
    # for the commit instead of reading them again (app.services.outbox). Nothing in a filing changes
    # a case after its INSERT.
    outbox.note_versions(session, "case", {case.id: case.version for case in inserted})
    by_number = {case.case_number: case for case in inserted}
    numbers = [str(row["case_number"]) for row in rows]
    created: list[tuple[Row[Any], NewCase]] = []
    missing: set[str] = set()
    for number, new in zip(numbers, cases, strict=True):
        case = by_number.pop(number, None)  # a repeat later in the batch is a duplicate of the first
        if case is None:
            missing.add(number)
        else:
            created.append((case, new))
    duplicates = _duplicates(session, missing)
    # plan §6(5) (一案一账号): each case's account is opened when it is filed.
    ledger.open_new_accounts(session, cases=[case for case, _ in created])
    parties = _insert_rows(
        session,
        Party,
        [
            _party(case.id, role, p)
            for case, new in created
            for role, listed in (
                (PartyRole.applicant, new.applicants),
                (PartyRole.respondent, new.respondents),
            )
            for p in listed
        ],
    )
    clues = _insert_rows(
        session,
        PropertyClue,
        [
            {"case_id": case.id, "kind": clue.kind, "description": clue.description}
            for case, new in created
            for clue in new.property_clues
        ],
    )
    parties_of, clues_of = _by_case(parties), _by_case(clues)
    filed: dict[str, _Filed] = {}
    for case, new in created:
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
                "applicants": [p.name for p in new.applicants],
                "respondents": [p.name for p in new.respondents],
                "property_clues": len(new.property_clues),
            },
        )
        filed[case.case_number] = _Filed(case, parties_of.get(case.id, []), clues_of.get(case.id, []))
    return [filed.pop(number) if number in filed else duplicates[number] for number in numbers]


def file_case(session: Session, *, user: Actor, new: NewCase) -> CaseDetail:
    """Create a filed case; 409 naming the existing case when its number is already filed."""
    [result] = _file(session, user, [new])
    if isinstance(result, DuplicateCaseNumber):
        raise result
    clocks = deadline_clocks.start_new_case_clocks(session, cases=[result.case], actor=user)
    return new_case_detail(
        case=result.case,
        parties=result.parties,
        property_clues=result.clues,
        deadlines=deadline_clocks.new_clock_views(clocks[result.case.id]),
        user=user,
    )


def file_cases(
    session: Session, *, user: Actor, cases: Sequence[NewCase]
) -> list[Row[Any] | DuplicateCaseNumber]:
    """File several cases at once (bulk intake), each exactly as :func:`file_case` files it: the
    filed case, or the 409 it gets when its number is already filed, in the order given."""
    results = _file(session, user, cases)
    created = [r.case for r in results if isinstance(r, _Filed)]
    deadline_clocks.start_new_case_clocks(session, cases=created, actor=user)
    return [r.case if isinstance(r, _Filed) else r for r in results]


def _by_case(rows: list[Row[Any]]) -> dict[int, list[Row[Any]]]:
    grouped: dict[int, list[Row[Any]]] = {}
    for row in rows:
        grouped.setdefault(row.case_id, []).append(row)
    return grouped


def _insert_rows(
    session: Session, model: type[Party | PropertyClue], rows: list[dict[str, object]]
) -> list[Row[Any]]:
    """One INSERT for all ``rows``, returning them (every column) in the order given."""
    if not rows:
        return []
    return list(run(session, insert_returning(model.__table__), rows))
