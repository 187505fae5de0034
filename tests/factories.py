"""Test data written straight to the database, for tests of later steps of a case."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from app.database import session_scope
from app.models.case import Case, Party
from app.models.user import User

_serial = itertools.count(1)


def make_case(*, state: str = "filed", unit_code: str | None = None, handler: str | None = None,
              track: str | None = None, filed_on: date = date(2026, 3, 2), category: str = "civil_commercial",
              claim_amount: Decimal | None = Decimal("80000.00"), behaviour: str | None = None,
              type_code: str = "执", created_by: str = "registrar") -> int:
    """Insert a case in any state (with one applicant and one respondent) and return its id."""
    with session_scope() as session:
        users = {u.username: u.id for u in session.scalars(select(User))}
        serial = next(_serial) + 50000
        case = Case(
            case_number=f"（{filed_on.year}）豫0104{type_code}{serial}号", case_year=filed_on.year,
            court_code="豫0104", type_code=type_code, serial=serial, filed_on=filed_on, category=category,
            claim_amount=claim_amount, behaviour=behaviour, state=state, track=track, unit_code=unit_code,
            handler_id=users[handler] if handler else None, created_by_id=users[created_by],
        )
        case.parties = [
            Party(role="applicant", name="张三", party_type="natural_person", id_number="11010519491231002X"),
            Party(role="respondent", name="某某贸易有限公司", party_type="legal_person",
                  id_number="91350100M000100Y43", respondent_class="enterprise"),
        ]
        session.add(case)
        session.flush()
        return case.id


def make_team_case(brigade: int = 1, *, state: str = "in_progress", **kwargs: object) -> int:
    """An ordinary case allocated to brigade-N and its first judge."""
    return make_case(state=state, unit_code=f"brigade-{brigade}", handler=f"brigade{brigade}-judge",
                     track="ordinary", **kwargs)  # type: ignore[arg-type]


def make_fast_case(*, state: str = "in_progress", **kwargs: object) -> int:
    """A simple case allocated to the fast group's judge."""
    return make_case(state=state, unit_code="fast", handler="fast-judge", track="simple",
                     **kwargs)  # type: ignore[arg-type]
