"""The 终本 pool (DOMAIN.md §5): cases closed as 终本 are re-checked every 6 months for 5 years.

The schedule is computed from the entry date and the settings, so changing the settings changes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import TerminationPoolStatus
from app.models.case import Case
from app.models.termination_pool_entry import TerminationPoolEntry
from app.models.user import User
from app.policy import sees_all_cases
from app.rules.termination_gate import months_after
from app.services.paging import keyset_page
from app.settings import court_today, get_settings


@dataclass(frozen=True, slots=True)
class PoolItem:
    """A pool entry with its case number and its re-check schedule as of today."""

    case_id: int
    case_number: str
    unit_code: str
    handler_id: int | None
    entered_on: date
    ends_on: date
    rechecks: list[date]
    next_recheck_on: date | None
    status: TerminationPoolStatus
    restored_case_id: int | None
    left_on: date | None


def recheck_dates(entered_on: date) -> list[date]:
    """Every re-check date: each 6 months after entry until 5 years have passed (DOMAIN.md §5)."""
    settings = get_settings()
    every = settings.termination_recheck_months
    count = settings.termination_pool_years * 12 // every
    return [months_after(entered_on, every * k) for k in range(1, count + 1)]


def enter(session: Session, *, case: Case, entered_on: date) -> TerminationPoolEntry:
    """Put a case just closed as 终本 into the pool."""
    entry = TerminationPoolEntry(
        case_id=case.id,
        unit_code=case.unit_code,
        handler_id=case.handler_id,
        entered_on=entered_on,
        ends_on=months_after(entered_on, 12 * get_settings().termination_pool_years),
    )
    session.add(entry)
    session.flush()
    return entry


def item_of(entry: TerminationPoolEntry, case_number: str, today: date | None = None) -> PoolItem:
    today = today or court_today()
    rechecks = recheck_dates(entry.entered_on)
    if entry.restored_case_id is not None:
        status, upcoming = TerminationPoolStatus.restored, None
    else:
        upcoming = next((d for d in rechecks if d >= today), None)
        status = TerminationPoolStatus.in_pool if today <= entry.ends_on else TerminationPoolStatus.expired
    return PoolItem(
        case_id=entry.case_id,
        case_number=case_number,
        unit_code=entry.unit_code,
        handler_id=entry.handler_id,
        entered_on=entry.entered_on,
        ends_on=entry.ends_on,
        rechecks=rechecks,
        next_recheck_on=upcoming,
        status=status,
        restored_case_id=entry.restored_case_id,
        left_on=entry.left_on,
    )


def entry_for_case(session: Session, case_id: int) -> TerminationPoolEntry | None:
    return session.execute(
        select(TerminationPoolEntry).where(TerminationPoolEntry.case_id == case_id)
    ).scalar_one_or_none()


def list_pool(
    session: Session,
    *,
    user: User,
    unit: str | None,
    status: TerminationPoolStatus | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[PoolItem], str | None]:
    """The pool as the caller may see it (a brigade: its own cases), oldest entry first (keyset on id)."""
    today = court_today()
    stmt = select(TerminationPoolEntry, Case.case_number).join(Case, Case.id == TerminationPoolEntry.case_id)
    if not sees_all_cases(user):
        stmt = stmt.where(TerminationPoolEntry.unit_code == user.unit_code)
    if unit is not None:
        stmt = stmt.where(TerminationPoolEntry.unit_code == unit)
    if status == TerminationPoolStatus.restored:
        stmt = stmt.where(TerminationPoolEntry.restored_case_id.is_not(None))
    elif status is not None:
        stmt = stmt.where(TerminationPoolEntry.restored_case_id.is_(None))
        stmt = stmt.where(
            TerminationPoolEntry.ends_on >= today
            if status == TerminationPoolStatus.in_pool
            else TerminationPoolEntry.ends_on < today
        )
    rows, next_cursor = keyset_page(
        session, stmt, TerminationPoolEntry.id, cursor=cursor, limit=limit, newest_first=False
    )
    return [item_of(entry, number, today) for entry, number in rows], next_cursor
