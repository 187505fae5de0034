"""The working-day calendar in force (工作日历): the library's data with the court's years over it.

Cached per process under a key read from the database on every use (the overrides' count, version
sum and latest change), so a year loaded by any process is counted with by every other on its next
request.
"""

from __future__ import annotations

import threading
from datetime import date
from typing import cast

from sqlalchemy import Table
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import run
from app.models.calendar_year import CalendarYear
from app.rules.periods import WorkingCalendar
from app.rules.periods import YearOverride

_cache_lock = threading.Lock()
_cached: tuple[tuple[object, ...], WorkingCalendar] | None = None


_YEARS = cast(Table, CalendarYear.__table__)
_VERSION_KEY = select(
    func.count(), func.coalesce(func.sum(_YEARS.c.version), 0), func.max(_YEARS.c.updated_at)
)


def _version_key(session: Session) -> tuple[object, ...]:
    count, version_sum, latest = tuple(run(session, _VERSION_KEY).one())
    return int(count), int(version_sum), latest


def court_overrides(session: Session) -> dict[int, YearOverride]:
    """Every year the court has loaded, as read in this transaction."""
    return {
        row.year: YearOverride(
            holidays=frozenset(date.fromisoformat(d) for d in row.holidays),
            makeup_workdays=frozenset(date.fromisoformat(d) for d in row.makeup_workdays),
        )
        for row in session.scalars(select(CalendarYear))
    }


def working_calendar(session: Session) -> WorkingCalendar:
    """The calendar in force: library data, with every year the court has loaded replacing the library's."""
    global _cached
    key = _version_key(session)
    cached = _cached
    if cached is not None and cached[0] == key:
        return cached[1]
    calendar = WorkingCalendar.from_sources(court_overrides(session))
    with _cache_lock:
        _cached = (key, calendar)
    return calendar
