"""The 终本 pool (docs/rules.md#gate): cases closed as 终本 are re-checked every 6 months for 5 years.

The schedule is computed from the entry date and the settings, so changing the settings changes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import DishonestListingState
from app.enums import RecheckMethod
from app.enums import RecheckResult
from app.enums import TerminationPoolStatus
from app.errors import Conflict
from app.models.case import Case
from app.models.dishonest_listing import DishonestListing
from app.models.termination_pool_entry import TerminationPoolEntry
from app.models.termination_pool_entry import TerminationPoolRecheck
from app.models.user import User
from app.policy import sees_all_cases
from app.rules.termination_gate import months_after
from app.services import audit
from app.services import deadline_events
from app.services.case_access import case_for_action
from app.services.case_queries import case_records
from app.services.paging import keyset_page
from app.services.workflow import check_legal_date
from app.settings import court_today
from app.settings import get_settings


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
    """Every re-check date: each 6 months after entry until 5 years have passed (docs/rules.md#gate)."""
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
    # SPC 终本 rules 2016 art. 9: re-checked every 6 months from entry (D14).
    deadline_events.record_event_for(session, case, "termination_pool.entered", on=entered_on)
    return entry


@dataclass(frozen=True, slots=True)
class RecheckOutcome:
    """A recorded re-check, and the listings whose deletion it now allows (art. 10(4))."""

    recheck: TerminationPoolRecheck
    deletion_offered: list[int]


def record_recheck(
    session: Session,
    *,
    case_id: int,
    user: User,
    checked_on: date,
    method: RecheckMethod,
    result: RecheckResult,
    clue_pending: bool,
    notes: str | None,
) -> RecheckOutcome:
    """Record a re-check of a pool case; it meets the re-check due and starts the next (D14)."""
    case = case_for_action(session, user, case_id, "recheck_pool")
    entry = entry_for_case(session, case.id)
    if entry is None or entry.restored_case_id is not None:
        raise Conflict(f"case {case.case_number} is not in the 终本 pool")
    check_legal_date("checked_on", checked_on, not_before=entry.entered_on, not_before_what="the 终本 ruling")
    recorded = {"checked_on": checked_on, "method": method, "result": result, "clue_pending": clue_pending}
    recheck = TerminationPoolRecheck(case_id=case.id, **recorded, notes=notes, recorded_by_id=user.id)
    session.add(recheck)
    session.flush()
    params = {"recheck": recheck.id, "result": result.value}
    deadline_events.record_event_for(
        session, case, "termination_pool.rechecked", on=checked_on, params=params
    )
    offered = deletion_offered(session, case.id)
    audit.record_for(
        session,
        user,
        recheck,
        "termination_pool.recheck",
        after=recorded | {"dishonest_deletion_offered": offered},
        reason=notes,
    )
    return RecheckOutcome(recheck=recheck, deletion_offered=offered)


def rechecks_found_nothing(session: Session, case_id: int) -> bool:
    """The last re-checks in a row found nothing, and no clue is pending (SPC dishonest-list rules
    art. 10(4): deletion once the 终本 pool's checks come up empty; how many in a row is a setting)."""
    needed = get_settings().termination_empty_rechecks_for_deletion
    latest = list(
        session.scalars(
            select(TerminationPoolRecheck)
            .where(TerminationPoolRecheck.case_id == case_id)
            .order_by(TerminationPoolRecheck.checked_on.desc(), TerminationPoolRecheck.id.desc())
            .limit(needed)
        )
    )
    return (
        len(latest) == needed
        and all(r.result == RecheckResult.nothing_found for r in latest)
        and not latest[0].clue_pending
    )


def deletion_offered(session: Session, case_id: int) -> list[int]:
    """The case's active listings that may now be deleted because the re-checks found nothing."""
    if not rechecks_found_nothing(session, case_id):
        return []
    return list(
        session.scalars(
            select(DishonestListing.id)
            .where(
                DishonestListing.case_id == case_id, DishonestListing.state == DishonestListingState.active
            )
            .order_by(DishonestListing.id)
        )
    )


def list_rechecks(
    session: Session, *, case_id: int, user: User, limit: int, cursor: str | None
) -> tuple[list[TerminationPoolRecheck], str | None]:
    """The re-checks of a pool case, oldest first."""
    return case_records(
        session, TerminationPoolRecheck, case_id=case_id, user=user, limit=limit, cursor=cursor
    )


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
