"""The court's working-day calendar (工作日历) year by year: what is in force, and the court's loads.

The `chinese-calendar` package covers the years up to its release; the court loads each further year
(or corrects one) from the State Council notice, and every deadline counting days in that year is
recomputed. The calendar the clocks count with is app.services.working_calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import insert_skipping_conflicts
from app.errors import InvalidInput
from app.models.base import utcnow
from app.models.calendar_year import CalendarYear
from app.models.user import User
from app.rules.periods import WorkingCalendar
from app.rules.periods import package_years
from app.services import audit
from app.services import deadline_clocks
from app.services.workflow import check_version
from app.services.working_calendar import court_overrides
from app.settings import get_settings

CalendarSource = Literal["court", "package", "weekends_only"]


@dataclass(frozen=True)
class CalendarYearView:
    year: int
    source: CalendarSource
    confirmed: bool
    holidays: list[date]
    makeup_workdays: list[date]
    source_note: str | None = None
    updated_by_id: int | None = None
    updated_at: datetime | None = None
    version: int = 0


def _check_year(year: int) -> None:
    settings = get_settings()
    if not settings.calendar_first_year <= year <= settings.calendar_last_year:
        raise InvalidInput(
            "year", f"must be between {settings.calendar_first_year} and {settings.calendar_last_year}"
        )


def _view(year: int, row: CalendarYear | None) -> CalendarYearView:
    if row is not None:
        return CalendarYearView(
            year=year,
            source="court",
            confirmed=True,
            holidays=sorted(date.fromisoformat(d) for d in row.holidays),
            makeup_workdays=sorted(date.fromisoformat(d) for d in row.makeup_workdays),
            source_note=row.source_note,
            updated_by_id=row.updated_by_id,
            updated_at=row.updated_at,
            version=row.version,
        )
    library = package_years().get(year)
    if library is not None:
        return CalendarYearView(
            year=year,
            source="package",
            confirmed=True,
            holidays=sorted(library.holidays),
            makeup_workdays=sorted(library.makeup_workdays),
            source_note="chinese-calendar package",
        )
    return CalendarYearView(
        year=year, source="weekends_only", confirmed=False, holidays=[], makeup_workdays=[]
    )


def calendar_year(session: Session, *, year: int) -> CalendarYearView:
    """The arrangement in force for ``year``: the court's, else the library's, else weekends only."""
    _check_year(year)
    return _view(year, session.get(CalendarYear, year))


def _validate(year: int, holidays: list[date], makeup_workdays: list[date]) -> None:
    for field, days in (("holidays", holidays), ("makeup_workdays", makeup_workdays)):
        outside = sorted({d for d in days if d.year != year})
        if outside:
            raise InvalidInput(field, f"{outside[0].isoformat()} is not in {year}")
        repeated = sorted({d for d in days if days.count(d) > 1})
        if repeated:
            raise InvalidInput(field, f"{repeated[0].isoformat()} is listed twice")
    both = sorted(set(holidays) & set(makeup_workdays))
    if both:
        raise InvalidInput("makeup_workdays", f"{both[0].isoformat()} is also listed as a holiday")
    # State Council notices move work onto weekends (调休); a weekday is a working day already.
    weekdays = [d for d in sorted(makeup_workdays) if d.weekday() < 5]
    if weekdays:
        raise InvalidInput(
            "makeup_workdays", f"{weekdays[0].isoformat()} is a {weekdays[0]:%A}, not a weekend day"
        )


def _locked_row(session: Session, year: int, user: User) -> tuple[CalendarYear, bool]:
    """The year's row, locked; inserted (empty, version 0) when missing, safe against a concurrent insert."""
    inserted = session.execute(
        insert_skipping_conflicts(session, CalendarYear, "year", returning=(CalendarYear.year,)),
        {"year": year, "holidays": [], "makeup_workdays": [], "updated_by_id": user.id, "version": 0},
    ).first()
    created = inserted is not None
    row = session.execute(
        select(CalendarYear)
        .where(CalendarYear.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    return row, created


def update_calendar_year(
    session: Session,
    *,
    year: int,
    holidays: list[date],
    makeup_workdays: list[date],
    source_note: str | None,
    user: User,
    body_year: int | None = None,
    expected_version: int | None = None,
) -> tuple[CalendarYearView, int]:
    """Load the court's arrangement for ``year`` and recompute every deadline that counts days in it."""
    _check_year(year)
    if body_year is not None and body_year != year:
        raise InvalidInput("year", f"{body_year} in the body but {year} in the path")
    _validate(year, holidays, makeup_workdays)
    row, created = _locked_row(session, year, user)
    check_version(row, expected_version, label=f"the calendar for {year}")
    before = _view(year, None if created else row)
    row.holidays = sorted(d.isoformat() for d in holidays)
    row.makeup_workdays = sorted(d.isoformat() for d in makeup_workdays)
    row.source_note = source_note.strip() if source_note and source_note.strip() else None
    row.updated_by_id = user.id
    row.updated_at = utcnow()
    row.version += 1
    session.flush()
    after = _view(year, row)
    audit.record(
        session,
        actor=user,
        action="calendar.update",
        entity_type="calendar_year",
        entity_id=year,
        before=_audit_form(before),
        after=_audit_form(after),
        reason=row.source_note,
    )
    calendar = WorkingCalendar.from_sources(court_overrides(session))  # this transaction's view, not cached
    recomputed = deadline_clocks.recompute_for_year(session, year=year, calendar=calendar, actor=user)
    return after, recomputed


def _audit_form(view: CalendarYearView) -> dict[str, object]:
    return {
        "source": view.source,
        "holidays": view.holidays,
        "makeup_workdays": view.makeup_workdays,
        "source_note": view.source_note,
        "version": view.version,
    }
