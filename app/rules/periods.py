"""Working-day calendar and legal period arithmetic (期间计算).

Pure values in, values out: no database, no clock. Legal durations are parameters; the
clock-specific durations (D1–D17) are the deadline rules' (app.rules.deadline_rules).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from datetime import timedelta

import chinese_calendar

_ONE_DAY = timedelta(days=1)
_SATURDAY = 5


@dataclass(frozen=True, slots=True)
class YearOverride:
    """One year's rest-day arrangement as loaded by the court from the State Council notice."""

    holidays: frozenset[date]
    makeup_workdays: frozenset[date]


def _package_years() -> dict[int, YearOverride]:
    """Group the `chinese_calendar` data by year, for every year the package covers."""
    # The package treats every year between its first and last holiday entry as covered.
    first, last = min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year
    return {
        year: YearOverride(
            holidays=frozenset(d for d in chinese_calendar.holidays if d.year == year),
            # `workdays` in the package are the make-up working days (调休 weekends), not all workdays.
            makeup_workdays=frozenset(d for d in chinese_calendar.workdays if d.year == year),
        )
        for year in range(first, last + 1)
    }


_PACKAGE_YEARS: Mapping[int, YearOverride] = _package_years()


def package_years() -> Mapping[int, YearOverride]:
    """The years the `chinese_calendar` package covers, with their arrangement."""
    return _PACKAGE_YEARS


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """Which days the court works (工作日), per year confirmed by a State Council notice.

    A year that is not confirmed is treated weekends-only, and periods touching it are provisional.
    """

    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    confirmed_years: frozenset[int]

    def __post_init__(self) -> None:
        stray = {d.year for d in self.holidays | self.makeup_workdays} - self.confirmed_years
        if stray:
            raise ValueError(f"holiday data for unconfirmed years {sorted(stray)}")
        both = self.holidays & self.makeup_workdays
        if both:
            raise ValueError(f"dates both holiday and make-up workday: {sorted(both)}")

    @classmethod
    def from_sources(cls, overrides: Mapping[int, YearOverride]) -> WorkingCalendar:
        """Package data for the years it covers; a court override replaces a year entirely."""
        for year, override in overrides.items():
            outside = {d for d in override.holidays | override.makeup_workdays if d.year != year}
            if outside:
                raise ValueError(f"override for {year} contains dates of other years: {sorted(outside)}")
        years = {**_PACKAGE_YEARS, **overrides}
        return cls(
            holidays=frozenset().union(*(y.holidays for y in years.values())),
            makeup_workdays=frozenset().union(*(y.makeup_workdays for y in years.values())),
            confirmed_years=frozenset(years),
        )

    def is_working_day(self, d: date) -> bool:
        """True if the court works on `d` (调休 weekends work; statutory holidays rest)."""
        if d in self.holidays:
            return False
        if d in self.makeup_workdays:
            return True
        return d.weekday() < _SATURDAY

    def is_confirmed(self, year: int) -> bool:
        """True if the year's holiday arrangement is known (package data or a court override)."""
        return year in self.confirmed_years


@dataclass(frozen=True, slots=True)
class PeriodEnd:
    """The last day of a period (期间届满日); `provisional` if it depends on an unconfirmed year."""

    due_on: date
    provisional: bool


def _roll_to_working_day(d: date, cal: WorkingCalendar) -> date:
    """`d` itself if it is a working day, else the first working day after it."""
    while not cal.is_working_day(d):
        d += _ONE_DAY
    return d


def _period_end(first_counted: date, due_on: date, cal: WorkingCalendar) -> PeriodEnd:
    # Conservative: any unconfirmed year from the first counted day to the due date makes it provisional.
    years = range(first_counted.year, due_on.year + 1)
    return PeriodEnd(due_on=due_on, provisional=not all(cal.is_confirmed(y) for y in years))


def same_date_months_later(start: date, months: int) -> date:
    """The same date `months` months after `start`, or that month's last day when it has no such date."""
    # Civil Code art. 202: a period in months ends on the corresponding date of the final month.
    month_index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(month_index, 12)
    month += 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def first_day_after_months(start: date, months: int) -> date:
    """The first day after a period of `months` months from `start` has fully run."""
    # SPC 终本 rules 2016 art. 1(4): "more than three months" is a permission, not a duty, so the day
    # after the period's last day (Civil Code art. 202) counts as it is, rest day or not.
    return same_date_months_later(start, months) + _ONE_DAY


def end_on_working_day(start: date, last_day: date, cal: WorkingCalendar) -> PeriodEnd:
    """A period counted from `start` whose nominal last day is `last_day`, moved off a rest day."""
    # CPL periods rule (2023 text art. 85): a last day that is a rest day moves to the next working day.
    return _period_end(start + _ONE_DAY, _roll_to_working_day(last_day, cal), cal)


def end_before_rest_day(start: date, last_day: date, cal: WorkingCalendar) -> PeriodEnd:
    """A term that lapses on `last_day` (a freeze or seal): the last working day on or before it."""
    # SPC interpretation of the CPL (2022) art. 485: a freeze or seal not renewed lapses when its term
    # ends, so what must be done before it cannot wait for the next working day.
    d = last_day
    while not cal.is_working_day(d):
        d -= _ONE_DAY
    return _period_end(start + _ONE_DAY, max(d, start), cal)


def _require_positive(amount: int, unit: str) -> None:
    if amount < 1:
        raise ValueError(f"a period must be at least 1 {unit}, got {amount}")


def add_days(start: date, days: int, cal: WorkingCalendar) -> PeriodEnd:
    """End of a period of `days` calendar days starting on `start`."""
    # CPL periods rule (2023 text art. 85): the start day is not counted; a period whose last day
    # is a rest day (法定休假日) ends on the first working day after it.
    _require_positive(days, "day")
    nominal = start + timedelta(days=days)
    return _period_end(start + _ONE_DAY, _roll_to_working_day(nominal, cal), cal)


def add_months(start: date, months: int, cal: WorkingCalendar) -> PeriodEnd:
    """End of a period of `months` months starting on `start`."""
    # Civil Code art. 202: the same date of the final month, or its last day if it has no such date;
    # then the CPL periods rule (2023 text art. 85) rolls a rest day to the next working day.
    _require_positive(months, "month")
    return end_on_working_day(start, same_date_months_later(start, months), cal)


def add_working_days(start: date, days: int, cal: WorkingCalendar) -> PeriodEnd:
    """The `days`-th working day after `start`."""
    # SPC rules that set periods in working days (工作日) count only days the court works; as under
    # the CPL periods rule (2023 text art. 85) the start day itself is not counted.
    _require_positive(days, "working day")
    d, remaining = start, days
    while remaining:
        d += _ONE_DAY
        if cal.is_working_day(d):
            remaining -= 1
    return _period_end(start + _ONE_DAY, d, cal)
