"""Period arithmetic against the real 2026 State Council holiday arrangement.

Expected dates are worked out by hand from the 2026 notice (as carried by `chinese_calendar` 1.11):
New Year 1–3 Jan (Sun 4 Jan works); Spring Festival 15–23 Feb (Sat 14 Feb, Sat 28 Feb work);
Qingming 4–6 Apr; Labour Day 1–5 May (Sat 9 May works); Dragon Boat 19–21 Jun; Mid-Autumn 25–27 Sep;
National Day 1–7 Oct (Sun 20 Sep, Sat 10 Oct work). 2027 onwards is not in the package.
"""

import dataclasses
from datetime import date
from datetime import timedelta

import pytest

from app.rules.periods import PeriodEnd
from app.rules.periods import WorkingCalendar
from app.rules.periods import YearOverride
from app.rules.periods import _package_years
from app.rules.periods import add_days
from app.rules.periods import add_months
from app.rules.periods import add_working_days
from app.rules.periods import end_before_rest_day
from app.rules.periods import package_years

D = date.fromisoformat
CAL = WorkingCalendar.from_sources({})


@pytest.mark.parametrize(
    ("start", "days", "due_on", "provisional"),
    [
        pytest.param("2026-02-13", 1, "2026-02-14", False, id="D1 Fri -> make-up Sat 14 Feb (triage.md)"),
        pytest.param("2026-04-30", 1, "2026-05-06", False, id="D1 Thu -> Wed, 1-5 May holidays (triage.md)"),
        pytest.param("2026-05-08", 1, "2026-05-09", False, id="Fri -> make-up Sat 9 May"),
        pytest.param("2026-09-18", 1, "2026-09-20", False, id="Fri -> make-up Sun 20 Sep, plain Sat skipped"),
        pytest.param("2025-12-31", 1, "2026-01-04", False, id="New Year 1-3 Jan -> make-up Sun 4 Jan"),
        pytest.param("2026-10-01", 1, "2026-10-08", False, id="start on a holiday, 1-7 Oct rest"),
        pytest.param(
            "2026-02-12", 5, "2026-02-26", False, id="D9 5 wd: 13 Feb, Sat 14 Feb, then 24-26 Feb after 15-23"
        ),
        pytest.param("2026-09-24", 3, "2026-09-30", False, id="D11 3 wd: Mid-Autumn 25-27 Sep skipped"),
        pytest.param(
            "2026-12-31", 1, "2027-01-01", True, id="into unconfirmed 2027: weekends-only, provisional"
        ),
    ],
)
def test_add_working_days(start: str, days: int, due_on: str, provisional: bool) -> None:
    assert add_working_days(D(start), days, CAL) == PeriodEnd(due_on=D(due_on), provisional=provisional)


@pytest.mark.parametrize(
    ("start", "days", "due_on", "provisional"),
    [
        pytest.param("2026-03-20", 10, "2026-03-30", False, id="D2 day 10 is Mon 30 Mar (triage.md)"),
        pytest.param(
            "2026-09-24", 10, "2026-10-08", False, id="day 10 = Sun 4 Oct in National Day -> Thu 8 Oct"
        ),
        pytest.param("2026-03-18", 10, "2026-03-30", False, id="day 10 = plain Sat 28 Mar -> Mon 30 Mar"),
        pytest.param("2026-02-04", 10, "2026-02-14", False, id="day 10 = make-up Sat 14 Feb, no roll"),
        pytest.param(
            "2026-06-09", 10, "2026-06-22", False, id="day 10 = Fri 19 Jun Dragon Boat -> Mon 22 Jun"
        ),
        pytest.param("2026-04-01", 30, "2026-05-06", False, id="D10 day 30 = 1 May -> Wed 6 May"),
        pytest.param("2026-10-03", 1, "2026-10-08", False, id="start inside holiday, day 1 = 4 Oct -> 8 Oct"),
        pytest.param("2026-12-27", 10, "2027-01-06", True, id="ends in unconfirmed 2027"),
    ],
)
def test_add_days(start: str, days: int, due_on: str, provisional: bool) -> None:
    assert add_days(D(start), days, CAL) == PeriodEnd(due_on=D(due_on), provisional=provisional)


@pytest.mark.parametrize(
    ("start", "months", "due_on", "provisional"),
    [
        pytest.param("2026-01-31", 6, "2026-07-31", False, id="D3 same date six months on, Fri (triage.md)"),
        pytest.param("2026-01-31", 1, "2026-02-28", False, id="clamped to 28 Feb, a make-up Sat: no roll"),
        pytest.param("2025-12-31", 2, "2026-02-28", False, id="clamped across the year end, make-up Sat"),
        pytest.param("2026-03-31", 1, "2026-04-30", False, id="clamped to 30 Apr, Thu"),
        pytest.param("2026-07-31", 3, "2026-11-02", False, id="31 Oct is Sat -> Mon 2 Nov"),
        pytest.param("2026-04-01", 1, "2026-05-06", False, id="1 May holiday -> Wed 6 May"),
        pytest.param("2026-07-05", 6, "2027-01-05", True, id="D3 ending in unconfirmed 2027"),
        pytest.param("2026-08-31", 6, "2027-03-01", True, id="clamped to Sun 28 Feb 2027 -> Mon 1 Mar"),
        pytest.param("2027-08-31", 6, "2028-02-29", True, id="leap year: clamped to Tue 29 Feb 2028"),
        pytest.param("2027-11-30", 3, "2028-02-29", True, id="leap year: 30th clamped to 29 Feb"),
        pytest.param("2028-02-29", 12, "2029-02-28", True, id="from 29 Feb: clamped to Wed 28 Feb 2029"),
    ],
)
def test_add_months(start: str, months: int, due_on: str, provisional: bool) -> None:
    assert add_months(D(start), months, CAL) == PeriodEnd(due_on=D(due_on), provisional=provisional)


@pytest.mark.parametrize(
    ("override_2027", "due_on"),
    [
        pytest.param(YearOverride(frozenset(), frozenset()), "2027-03-01", id="empty notice: Mon 1 Mar"),
        pytest.param(
            YearOverride(frozenset({D("2027-03-01")}), frozenset()),
            "2027-03-02",
            id="1 Mar a holiday: Tue 2 Mar",
        ),
    ],
)
def test_court_override_confirms_unknown_year(override_2027: YearOverride, due_on: str) -> None:
    cal = WorkingCalendar.from_sources({2027: override_2027})
    assert add_months(D("2026-08-31"), 6, cal) == PeriodEnd(due_on=D(due_on), provisional=False)


def test_court_override_replaces_package_year_entirely() -> None:
    # Only 14 Feb declared a holiday: the package's Spring Festival (15-23 Feb) no longer applies.
    cal = WorkingCalendar.from_sources({2026: YearOverride(frozenset({D("2026-02-14")}), frozenset())})
    assert add_working_days(D("2026-02-13"), 1, cal) == PeriodEnd(due_on=D("2026-02-16"), provisional=False)


def test_court_override_moving_makeup_day_to_holiday() -> None:
    package_2026_holidays = frozenset(d for d in CAL.holidays if d.year == 2026)
    package_2026_makeup = frozenset(d for d in CAL.makeup_workdays if d.year == 2026)
    override = YearOverride(
        holidays=package_2026_holidays | {D("2026-02-14")},
        makeup_workdays=package_2026_makeup - {D("2026-02-14")},
    )
    cal = WorkingCalendar.from_sources({2026: override})
    # 14-23 Feb all rest now: the next working day is Tue 24 Feb.
    assert add_working_days(D("2026-02-13"), 1, cal) == PeriodEnd(due_on=D("2026-02-24"), provisional=False)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        pytest.param("2026-02-14", True, id="make-up Sat"),
        pytest.param("2026-01-04", True, id="make-up Sun"),
        pytest.param("2026-02-16", False, id="Spring Festival Mon"),
        pytest.param("2026-10-10", True, id="make-up Sat after National Day"),
        pytest.param("2026-10-11", False, id="plain Sun"),
        pytest.param("2026-03-30", True, id="plain Mon"),
        pytest.param("2027-01-01", True, id="unconfirmed year: Fri works, weekends-only"),
        pytest.param("2027-01-02", False, id="unconfirmed year: Sat rests"),
    ],
)
def test_is_working_day(day: str, working: bool) -> None:
    assert CAL.is_working_day(D(day)) is working


@pytest.mark.parametrize(
    ("year", "confirmed"),
    [(2003, False), (2004, True), (2026, True), (2027, False)],
)
def test_package_years_are_confirmed(year: int, confirmed: bool) -> None:
    assert CAL.is_confirmed(year) is confirmed


@pytest.mark.parametrize("days", [1, 2, 3, 5, 10])
def test_working_day_periods_never_end_on_a_rest_day(days: int) -> None:
    starts = [D("2026-01-01") + timedelta(days=n) for n in range(365)]
    ends = [add_working_days(start, days, CAL).due_on for start in starts]
    assert not any(end in CAL.holidays or not CAL.is_working_day(end) for end in ends)


@pytest.mark.parametrize(
    ("function", "unit"), [(add_days, "day"), (add_months, "month"), (add_working_days, "working day")]
)
@pytest.mark.parametrize("amount", [0, -1])
def test_rejects_non_positive_periods(function, unit: str, amount: int) -> None:
    with pytest.raises(ValueError, match=f"^a period must be at least 1 {unit}, got {amount}$"):
        function(D("2026-03-20"), amount, CAL)


def test_calendar_rejects_holidays_in_an_unconfirmed_year() -> None:
    with pytest.raises(ValueError, match=r"^holiday data for unconfirmed years \[2027\]$"):
        WorkingCalendar(
            holidays=frozenset({D("2027-01-01")}), makeup_workdays=frozenset(), confirmed_years=frozenset()
        )


def test_calendar_rejects_a_day_both_holiday_and_make_up_working_day() -> None:
    day = D("2027-02-13")
    with pytest.raises(
        ValueError, match=r"^dates both holiday and make-up workday: \[datetime.date\(2027, 2, 13\)\]$"
    ):
        WorkingCalendar(
            holidays=frozenset({day}), makeup_workdays=frozenset({day}), confirmed_years=frozenset({2027})
        )


def test_override_rejects_dates_of_another_year() -> None:
    with pytest.raises(
        ValueError,
        match=r"^override for 2027 contains dates of other years: \[datetime.date\(2026, 10, 9\)\]$",
    ):
        WorkingCalendar.from_sources({2027: YearOverride(frozenset({D("2026-10-09")}), frozenset())})


def test_the_start_day_is_not_counted_so_its_year_does_not_make_a_period_provisional() -> None:
    # CPL (2023 text) art. 85: a period starts counting the day after its start; only the years of the
    # counted days need a confirmed arrangement.
    only_2027 = WorkingCalendar(
        holidays=frozenset(), makeup_workdays=frozenset(), confirmed_years=frozenset({2027})
    )
    start = D("2026-12-31")
    assert add_days(start, 10, only_2027) == PeriodEnd(due_on=D("2027-01-11"), provisional=False)
    assert add_working_days(start, 3, only_2027) == PeriodEnd(due_on=D("2027-01-05"), provisional=False)
    assert add_months(start, 1, only_2027) == PeriodEnd(
        due_on=D("2027-02-01"), provisional=False
    )  # Sun 31 Jan
    assert end_before_rest_day(start, D("2027-01-31"), only_2027) == PeriodEnd(
        due_on=D("2027-01-29"), provisional=False
    )


def test_the_package_is_read_year_by_year_from_its_first_to_its_last() -> None:
    # Computed again as when the module is imported: every year covered, each with its own days only.
    years = _package_years()
    assert list(years) == list(range(min(years), max(years) + 1)) and {2004, 2026} <= set(years)
    assert all(d.year == year for year, y in years.items() for d in y.holidays | y.makeup_workdays)
    assert all(y.holidays for y in years.values())  # New Year at least, in every year covered
    assert D("2026-10-01") in years[2026].holidays and D("2026-02-14") in years[2026].makeup_workdays
    assert years == package_years()


def test_calendar_is_immutable() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        CAL.confirmed_years = frozenset()  # type: ignore[misc]
