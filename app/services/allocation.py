"""Allocation (分案): the unit and handling judge (承办法官) that get a triaged case (plan §5).

Simple cases go to the fast group; ordinary cases to the brigade with the fewest open cases (ties
broken by rotation), then to that brigade's judge with the fewest open cases. Loads are counted
while the unit rows are locked, so API processes allocating at the same moment take turns in the
database (PostgreSQL row locks); on SQLite every writing transaction already holds the write lock.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.orm import Session

from app.enums import CaseState
from app.enums import Track
from app.errors import Conflict
from app.models.case import Case
from app.models.unit import Unit
from app.models.user import User
from app.policy import Role

FAST_GROUP = "fast"


@dataclass(frozen=True)
class Allocation:
    unit_code: str
    handler_id: int
    reason: str  # why this unit and judge, with the loads that decided it


def allocate(session: Session, *, track: Track) -> Allocation:
    """Simple → the fast group; ordinary → a brigade (plan §5(1))."""
    return allocate_fast_group(session) if track == Track.simple else allocate_brigade(session)


def allocate_fast_group(session: Session) -> Allocation:
    """The fast group's judge with the fewest open cases (ties: lowest id)."""
    _lock_units(session, Unit.code == FAST_GROUP)
    judges = _active_judges(session, [FAST_GROUP]).get(FAST_GROUP)
    if not judges:
        raise Conflict("the fast-enforcement group has no active judge to take the case")
    judge, judge_load = _least_loaded_judge(session, judges)
    # Plan §5(1): cases marked 简 go to the fast-enforcement group (快执组).
    return Allocation(
        FAST_GROUP,
        judge.id,
        f"{FAST_GROUP}: simple track (plan §5(1)); judge {judge.username}: fewest open cases ({judge_load})",
    )


def allocate_brigade(session: Session) -> Allocation:
    """The brigade with the fewest open cases, ties by rotation; then its least-loaded judge."""
    brigades = _lock_units(session, Unit.is_brigade.is_(True))
    judges = _active_judges(session, [b.code for b in brigades])
    staffed = [b for b in brigades if judges.get(b.code)]
    if not staffed:
        raise Conflict("no implementation brigade has an active judge to take the case")
    loads = _open_cases(session, Case.unit_code, [b.code for b in staffed])
    fewest = min(loads.get(b.code, 0) for b in staffed)
    tied = [b for b in staffed if loads.get(b.code, 0) == fewest]
    # plan §5: fewest open cases, ties broken by rotation (the least recently allocated first).
    chosen = min(tied, key=lambda b: (b.last_allocated_seq, b.code))
    chosen.last_allocated_seq = max(b.last_allocated_seq for b in brigades) + 1
    judge, judge_load = _least_loaded_judge(session, judges[chosen.code])
    why = f"{chosen.code}: fewest open cases ({fewest})"
    if len(tied) > 1:
        others = ", ".join(b.code for b in tied if b is not chosen)
        why += f", tied with {others}; least recently allocated"
    why += f"; judge {judge.username}: fewest open cases ({judge_load})"
    return Allocation(chosen.code, judge.id, why)


def _lock_units(session: Session, condition: Any) -> list[Unit]:
    # FOR NO KEY UPDATE, in code order: concurrent allocations queue here before counting loads,
    # while inserts that merely reference a unit (foreign keys) are not held up.
    stmt = (
        select(Unit)
        .where(condition)
        .order_by(Unit.code)
        .with_for_update(key_share=True)
        .execution_options(populate_existing=True)
    )
    return list(session.scalars(stmt))


def _active_judges(session: Session, unit_codes: Iterable[str]) -> dict[str, list[User]]:
    users = session.scalars(
        select(User).where(User.unit_code.in_(list(unit_codes)), User.is_active.is_(True)).order_by(User.id)
    )
    by_unit: dict[str, list[User]] = {}
    for user in users:
        if Role.judge in user.roles:
            by_unit.setdefault(user.unit_code, []).append(user)
    return by_unit


def _open_cases(session: Session, column: InstrumentedAttribute[Any], keys: list[Any]) -> dict[Any, int]:
    open_cases = select(column, func.count()).where(column.in_(keys), Case.state != CaseState.closed)
    rows = session.execute(open_cases.group_by(column))
    return {key: count for key, count in rows}


def _least_loaded_judge(session: Session, judges: list[User]) -> tuple[User, int]:
    loads = _open_cases(session, Case.handler_id, [j.id for j in judges])
    judge = min(judges, key=lambda j: (loads.get(j.id, 0), j.id))
    return judge, loads.get(judge.id, 0)
