"""Statistics of the command center (plan §3(1) 数据提取、统计工作, §5(9) 节点管控).

Every figure comes from the roll-ups the database keeps with each write (app.models.rollup): the
whole months of a filing period are added up from the monthly counters, the days of its first and
last month that are not whole months from the daily ones, so a period of any days answers exactly
from a few thousand counters. ``direct_tally`` counts the same ``Tally`` from the case and deadline
rows (the tests' proof that the roll-ups add up). Figures that depend on today (deadlines due soon
or overdue) read the board's index ranges at request time. Case money is summed from the ledger
(app.models.case_account), which holds a row per movement of money.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from dataclasses import replace
from datetime import date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Integer
from sqlalchemy import and_
from sqlalchemy import cast
from sqlalchemy import func
from sqlalchemy import literal
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import CaseState
from app.enums import ClosureMode
from app.enums import DeadlineStatus
from app.enums import LedgerEntryKind
from app.enums import ReceiptState
from app.enums import Track
from app.models.case import Case
from app.models.case_account import LedgerEntry
from app.models.deadline import Deadline
from app.models.receipt import Receipt
from app.models.rollup import ALL_TIME
from app.models.rollup import CASE_CLOSE
from app.models.rollup import DAY
from app.models.rollup import DISPOSAL_RETURN
from app.models.rollup import MONTH
from app.models.rollup import CaseTally
from app.models.rollup import ClosingTally
from app.models.rollup import DeadlineTally
from app.models.rollup import DurationTally
from app.models.rollup import JudgeTally
from app.models.user import User
from app.rules.money import ZERO
from app.services.deadline_board import status_branches
from app.settings import court_today

CaseKey = tuple[str, str, str, str]  # unit, state, track, closing mode ('' when none)
ClockKey = tuple[str, str, str, bool]  # rule, unit, status, met late
# The roll-ups' columns that make each key, in its order.
CASE_KEY_COLUMNS = (CaseTally.unit_code, CaseTally.state, CaseTally.track, CaseTally.closure_mode)
CLOCK_KEY_COLUMNS = (
    DeadlineTally.rule,
    DeadlineTally.unit_code,
    DeadlineTally.status,
    DeadlineTally.met_late,
)


@dataclass(frozen=True, slots=True)
class Share:
    numerator: int
    denominator: int
    ratio: float | None  # None when there is nothing to count


@dataclass(slots=True)
class DeadlineCounts:
    open: int = 0
    paused: int = 0
    met: int = 0
    met_late: int = 0
    breached: int = 0


_COUNTED_STATUSES = frozenset(f.name for f in fields(DeadlineCounts))


@dataclass(frozen=True, slots=True)
class Overview:
    """plan §2(4), §3(1) figures for the cases filed in the period (and unit, when given)."""

    cases_total: int
    by_state: dict[str, int]
    by_track: dict[str, int]
    by_unit: dict[str, dict[str, int]]  # unit → {open, closed}
    closure_rate: Share
    median_days_to_close: float | None
    termination_share: Share  # 终本 closings among closings
    fast_track_share: Share  # simple track among triaged cases
    deadlines_by_rule: dict[str, DeadlineCounts]
    deadlines_by_unit: dict[str, DeadlineCounts]
    disposal_turnaround_days: float | None  # median days from approval to return (D13)
    objections_ruled_in_time: Share
    petitions_closed_in_time: Share
    money: MoneyFigures = field(default_factory=lambda: MoneyFigures())
    money_by_unit: dict[str, MoneyFigures] = field(default_factory=dict)  # the cases' handling unit


@dataclass(slots=True)
class MoneyFigures:
    """Case money (plan §6(5)): received, paid out and held, and how long money has waited."""

    received: Decimal = ZERO
    paid_out: Decimal = ZERO
    held: Decimal = ZERO
    receipts_waiting: int = 0  # credited receipts not yet paid out (D19 running)
    oldest_waiting_days: int | None = None
    unclaimed: Decimal = ZERO  # on the unclaimed list (no case, so in the court-wide figures only)
    unclaimed_receipts: int = 0
    oldest_unclaimed_days: int | None = None


@dataclass(slots=True)
class Tally:
    """What the overview is computed from: counters that add up across months and day ranges."""

    cases: Counter[CaseKey] = field(default_factory=Counter)
    close_days: Counter[int] = field(default_factory=Counter)
    disposal_days: Counter[int] = field(default_factory=Counter)
    deadlines: Counter[ClockKey] = field(default_factory=Counter)

    def add(self, other: Tally) -> None:
        self.cases.update(other.cases)
        self.close_days.update(other.close_days)
        self.disposal_days.update(other.disposal_days)
        self.deadlines.update(other.deadlines)


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """Cases filed from ``filed_from`` to ``filed_to`` (either open) of ``unit`` (any when None).

    With no filter at all the deadlines of no case (objections', petitions') count too."""

    filed_from: date | None = None
    filed_to: date | None = None
    unit: str | None = None

    @property
    def any(self) -> bool:
        return bool(self.filed_from or self.filed_to or self.unit)

    def period(self) -> list[ColumnElement[bool]]:
        """The conditions on a case's filing date."""
        return [
            *([Case.filed_on >= self.filed_from] if self.filed_from else []),
            *([Case.filed_on <= self.filed_to] if self.filed_to else []),
        ]

    def cases(self) -> list[ColumnElement[bool]]:
        """The conditions a case meets: its filing date and its unit."""
        return [*self.period(), *([Case.unit_code == self.unit] if self.unit else [])]


def _month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _month_after(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def _month_before(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year - (number == 1):04d}-{(number - 2) % 12 + 1:02d}"


def _first_day(month: str) -> date:
    return date(int(month[:4]), int(month[5:]), 1)


def _last_day(month: str) -> date:
    year, number = int(month[:4]), int(month[5:])
    return date(year, number, calendar.monthrange(year, number)[1])


@dataclass(frozen=True, slots=True)
class PeriodSplit:
    """A filing period as whole months (the monthly counters) and the days around them (the daily ones)."""

    months: tuple[str | None, str | None] | None  # first and last whole month (None: open); None: none
    day_ranges: tuple[tuple[date | None, date | None], ...]


def split_period(filed_from: date | None, filed_to: date | None) -> PeriodSplit:
    first = None if filed_from is None else _month(filed_from)
    if filed_from is not None and filed_from.day != 1:
        first = _month_after(_month(filed_from))
    last = None if filed_to is None else _month(filed_to)
    if filed_to is not None and filed_to != _last_day(_month(filed_to)):
        last = _month_before(_month(filed_to))
    if first is not None and last is not None and first > last:
        return PeriodSplit(months=None, day_ranges=((filed_from, filed_to),))
    ranges: list[tuple[date | None, date | None]] = []
    if filed_from is not None and first is not None and filed_from != _first_day(first):
        ranges.append((filed_from, _first_day(first) - timedelta(days=1)))
    if filed_to is not None and last is not None and filed_to != _last_day(last):
        ranges.append((_last_day(last) + timedelta(days=1), filed_to))
    return PeriodSplit(months=(first, last), day_ranges=tuple(ranges))


# From the roll-ups ---------------------------------------------------------------------------------


Bounds = tuple[str | None, str | None]  # first and last filing period, inclusive; None: open


def _in_period(table: Any, grain: str, bounds: Bounds, *, of_cases_only: bool) -> list[Any]:
    first, last = bounds
    conditions = [table.grain == grain]
    if first is not None:
        conditions.append(table.filed_period >= first)
    if last is not None:
        conditions.append(table.filed_period <= last)
    if of_cases_only:
        conditions.append(table.filed_period != "")  # '' holds the deadlines of no case
    return conditions


def _summed(session: Session, table: Any, *columns: Any, where: Sequence[Any], unit: str | None) -> Any:
    """The rows of roll-up ``table`` that ``where`` picks (and of ``unit``, when given), their counts
    ``n`` summed by ``columns``: each row is the columns' values, then the sum."""
    return session.execute(
        select(*columns, func.sum(table.n))
        .where(*where, *([table.unit_code == unit] if unit else []))
        .group_by(*columns)
    )


def rollup_tally(
    session: Session, *, grain: str, bounds: Bounds, unit: str | None, of_cases_only: bool
) -> Tally:
    """The counters of the cases filed in the months or days ``bounds`` of ``grain`` (MONTH or DAY)."""
    tally = Tally()
    cases = _in_period(CaseTally, grain, bounds, of_cases_only=False)
    case_rows = _summed(session, CaseTally, *CASE_KEY_COLUMNS, where=cases, unit=unit)
    tally.cases.update({(u, s, t, m): int(n) for u, s, t, m, n in case_rows})
    histograms = _in_period(DurationTally, grain, bounds, of_cases_only=True)
    if bounds == (None, None):
        histograms = [DurationTally.grain == ALL_TIME]
    duration_rows = _summed(
        session, DurationTally, DurationTally.measure, DurationTally.days, where=histograms, unit=unit
    )
    counters = {CASE_CLOSE: tally.close_days, DISPOSAL_RETURN: tally.disposal_days}
    for measure, days, n in duration_rows:
        counters[measure][days] += int(n)
    clocks = _in_period(DeadlineTally, grain, bounds, of_cases_only=of_cases_only)
    clock_rows = _summed(session, DeadlineTally, *CLOCK_KEY_COLUMNS, where=clocks, unit=unit)
    tally.deadlines.update({(r, u, s, bool(late)): int(n) for r, u, s, late, n in clock_rows})
    return _without_zeros(tally)


def _without_zeros(tally: Tally) -> Tally:
    for counter in (tally.cases, tally.close_days, tally.disposal_days, tally.deadlines):
        for key in [k for k, n in counter.items() if n == 0]:
            del counter[key]
    return tally


# From the rows -------------------------------------------------------------------------------------


def _days_between(session: Session, later: Any, earlier: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return later - earlier  # date - date is an integer number of days
    return cast(func.julianday(later) - func.julianday(earlier), Integer)


def direct_tally(session: Session, where: CaseFilter) -> Tally:
    """The same counters, counted from the case and deadline rows (the tests' proof that the
    roll-ups add up)."""
    period = where.period()
    cases = and_(literal(True), *where.cases())
    tally = Tally()
    rows = session.execute(
        select(Case.unit_code, Case.state, Case.track, Case.closure_mode, func.count())
        .where(cases)
        .group_by(Case.unit_code, Case.state, Case.track, Case.closure_mode)
    )
    tally.cases.update({(u or "", str(s), t or "", m or ""): n for u, s, t, m, n in rows})
    days = _days_between(session, Case.closed_on, Case.filed_on)
    tally.close_days.update(
        dict(
            session.execute(
                select(days, func.count()).where(cases, Case.closed_on.is_not(None)).group_by(days)
            ).all()
        )
    )
    clocks: list[Any] = []
    if period:
        clocks.append(Deadline.case_id.in_(select(Case.id).where(*period)))
    elif where.unit:
        clocks.append(Deadline.case_id.is_not(None))
    if where.unit:
        clocks.append(Deadline.unit_code == where.unit)
    clock_rows = session.execute(
        select(Deadline.rule, Deadline.unit_code, Deadline.status, Deadline.met_late, func.count())
        .where(*clocks)
        .group_by(Deadline.rule, Deadline.unit_code, Deadline.status, Deadline.met_late)
    )
    tally.deadlines.update({(r, u or "", str(s), bool(late)): n for r, u, s, late, n in clock_rows})
    turnaround = _days_between(session, Deadline.met_on, Deadline.started_on)
    tally.disposal_days.update(
        dict(
            session.execute(
                select(turnaround, func.count())
                .where(Deadline.rule == "D13", Deadline.met_on.is_not(None), *clocks)
                .group_by(turnaround)
            ).all()
        )
    )
    return tally


def tally_for(session: Session, where: CaseFilter) -> Tally:
    """Whole months from the monthly counters, the days around them from the daily ones."""
    split = split_period(where.filed_from, where.filed_to)
    tally = Tally()
    if split.months is not None:
        tally.add(
            rollup_tally(session, grain=MONTH, bounds=split.months, unit=where.unit, of_cases_only=where.any)
        )
    for start, end in split.day_ranges:
        days = (None if start is None else start.isoformat(), None if end is None else end.isoformat())
        tally.add(rollup_tally(session, grain=DAY, bounds=days, unit=where.unit, of_cases_only=True))
    return tally


# Figures -------------------------------------------------------------------------------------------


def _share(numerator: int, denominator: int) -> Share:
    return Share(
        numerator=numerator,
        denominator=denominator,
        ratio=round(numerator / denominator, 4) if denominator else None,
    )


def median(histogram: Counter[int]) -> float | None:
    """The median of the values a histogram counts, halfway between the two middle ones when even."""
    total = sum(histogram.values())
    if total <= 0:
        return None
    wanted = ((total - 1) // 2, total // 2)  # 0-based positions of the middle value(s)
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        found += [value for position in wanted[len(found) :] if position < seen]
        if len(found) == 2:
            break
    return round((found[0] + found[1]) / 2, 1)


def overview(
    session: Session, *, filed_from: date | None, filed_to: date | None, unit: str | None
) -> Overview:
    where = CaseFilter(filed_from=filed_from, filed_to=filed_to, unit=unit)
    return replace(overview_of(tally_for(session, where)), **_money(session, where))


def _counted_in(
    total: MoneyFigures, by_unit: dict[str, MoneyFigures], code: str | None
) -> list[MoneyFigures]:
    """The figures a row adds to: the court's, and its unit's when the case is allocated."""
    return [total] if code is None else [total, by_unit.setdefault(code, MoneyFigures())]


def _money(session: Session, where: CaseFilter) -> dict[str, Any]:
    """Money received, paid out and held, court-wide and by unit; the ages of money waiting. Summed
    from the ledger when asked (it holds a row per movement of money, far fewer than the cases)."""
    today = court_today()
    total, by_unit = MoneyFigures(), dict[str, MoneyFigures]()
    cases = where.cases()
    original = LedgerEntry.__table__.alias("original")
    # A reversal counts against what it reverses: a receipt reversed was not received.
    origin = func.coalesce(original.c.kind, LedgerEntry.kind)
    rows = session.execute(
        select(Case.unit_code, origin, func.sum(LedgerEntry.amount))
        .select_from(LedgerEntry)
        .join(Case, Case.id == LedgerEntry.case_id)
        .outerjoin(original, original.c.id == LedgerEntry.reverses_entry_id)
        .where(*cases)
        .group_by(Case.unit_code, origin)
    )
    for code, kind, amount in rows:
        for figures in _counted_in(total, by_unit, code):
            if kind == LedgerEntryKind.receipt:
                figures.received += Decimal(amount)
            else:
                figures.paid_out -= Decimal(amount)
            figures.held = figures.received - figures.paid_out
    of_cases = [Deadline.case_id.in_(select(Case.id).where(*cases))] if cases else []
    waiting = session.execute(
        select(Deadline.unit_code, func.count(), func.min(Deadline.started_on))
        .where(Deadline.rule == "D19", Deadline.status != DeadlineStatus.met, *of_cases)
        .group_by(Deadline.unit_code)
    )
    for code, count, oldest in waiting:
        for figures in _counted_in(total, by_unit, code):
            figures.receipts_waiting += count
            age = (today - oldest).days
            figures.oldest_waiting_days = max(figures.oldest_waiting_days or 0, age)
    if not cases:
        count, amount, oldest = session.execute(
            select(func.count(), func.sum(Receipt.amount), func.min(Receipt.received_on)).where(
                Receipt.state == ReceiptState.unclaimed
            )
        ).one()
        total.unclaimed_receipts, total.unclaimed = count, Decimal(amount or ZERO)
        total.oldest_unclaimed_days = (today - oldest).days if oldest else None
    return {"money": total, "money_by_unit": dict(sorted(by_unit.items()))}


def overview_of(tally: Tally) -> Overview:
    by_state: dict[str, int] = {s: 0 for s in CaseState}
    by_track: dict[str, int] = {}
    by_unit: dict[str, dict[str, int]] = {}
    terminated = 0
    for (unit_code, state, track, mode), n in tally.cases.items():
        by_state[state] = by_state.get(state, 0) + n
        if track:
            by_track[track] = by_track.get(track, 0) + n
        if unit_code:
            counts = by_unit.setdefault(unit_code, {"open": 0, "closed": 0})
            counts["closed" if state == CaseState.closed else "open"] += n
        if mode == ClosureMode.terminated_current:
            terminated += n
    total = sum(by_state.values())
    closed_total = by_state[CaseState.closed]
    by_rule = _deadline_counts(tally.deadlines, by_unit=False)
    return Overview(
        cases_total=total,
        by_state=by_state,
        by_track=dict(sorted(by_track.items())),
        by_unit=dict(sorted(by_unit.items())),
        closure_rate=_share(closed_total, total),
        median_days_to_close=median(tally.close_days),
        termination_share=_share(terminated, closed_total),
        fast_track_share=_share(by_track.get(Track.simple, 0), sum(by_track.values())),
        deadlines_by_rule=by_rule,
        deadlines_by_unit=_deadline_counts(tally.deadlines, by_unit=True),
        disposal_turnaround_days=median(tally.disposal_days),
        objections_ruled_in_time=_in_time(by_rule, "D5", "D6"),
        petitions_closed_in_time=_in_time(by_rule, "D10"),
    )


def _deadline_counts(clocks: Counter[ClockKey], *, by_unit: bool) -> dict[str, DeadlineCounts]:
    out: dict[str, DeadlineCounts] = {}
    for (rule, unit_code, status, late), count in clocks.items():
        name = unit_code if by_unit else rule
        if not name:
            continue
        counts = out.setdefault(name, DeadlineCounts())
        if status == DeadlineStatus.met and late:
            counts.met_late += count
        elif status in _COUNTED_STATUSES:
            setattr(counts, status, getattr(counts, status) + count)
    return dict(sorted(out.items()))


def _in_time(by_rule: dict[str, DeadlineCounts], *rules: str) -> Share:
    """Met on time among the clocks that have an outcome (met, met late or breached)."""
    on_time = sum(by_rule[r].met for r in rules if r in by_rule)
    decided = sum(by_rule[r].met + by_rule[r].met_late + by_rule[r].breached for r in rules if r in by_rule)
    return _share(on_time, decided)


# Trends --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MonthSeries:
    filed: list[int]
    closed: list[int]
    terminated_current: list[int]  # 终本 closings


@dataclass(frozen=True, slots=True)
class Trends:
    months: list[str]
    total: MonthSeries
    by_unit: dict[str, MonthSeries]


def _empty_series(labels: list[str]) -> dict[str, list[int]]:
    """The fields of a :class:`MonthSeries`, a zero for each month of ``labels``."""
    return {f.name: [0] * len(labels) for f in fields(MonthSeries)}


def last_months(today: date, count: int) -> list[str]:
    months = [_month(today)]
    while len(months) < count:
        months.append(_month_before(months[-1]))
    return months[::-1]


def trends(session: Session, *, today: date, months: int, unit: str | None) -> Trends:
    """Cases filed, closed and closed by 终本 per month for the last ``months`` months, by unit."""
    labels = last_months(today, months)
    position = {m: i for i, m in enumerate(labels)}
    series: dict[str, dict[str, list[int]]] = {}

    def add(unit_code: str, kind: str, month: str, n: int) -> None:
        for key in dict.fromkeys(("", unit_code)):  # the court's total, then the unit's (if any)
            row = series.setdefault(key, _empty_series(labels))
            row[kind][position[month]] += n

    filed = _in_period(CaseTally, MONTH, (labels[0], labels[-1]), of_cases_only=False)
    for unit_code, month, n in _summed(
        session, CaseTally, CaseTally.unit_code, CaseTally.filed_period, where=filed, unit=unit
    ):
        add(unit_code, "filed", month, int(n))
    terminated = ClosingTally.closure_mode == ClosureMode.terminated_current
    closed = (ClosingTally.closed_month >= labels[0], ClosingTally.closed_month <= labels[-1])
    for unit_code, month, is_terminated, n in _summed(
        session,
        ClosingTally,
        ClosingTally.unit_code,
        ClosingTally.closed_month,
        terminated,
        where=closed,
        unit=unit,
    ):
        add(unit_code, "closed", month, int(n))
        if is_terminated:
            add(unit_code, "terminated_current", month, int(n))
    total = series.pop("", _empty_series(labels))
    return Trends(
        months=labels,
        total=MonthSeries(**total),
        by_unit={code: MonthSeries(**row) for code, row in sorted(series.items()) if code},
    )


# Workload ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JudgeLoad:
    handler_id: int
    username: str
    full_name: str
    unit_code: str | None
    open_cases: int
    oldest_case_id: int | None
    oldest_case_number: str | None
    oldest_filed_on: date | None


def workload(session: Session, *, unit: str | None) -> list[JudgeLoad]:
    """Open cases per judge, most first, each with the judge's oldest open case."""
    oldest = (
        select(Case.id)
        .where(Case.handler_id == JudgeTally.handler_id, Case.state != CaseState.closed)
        .order_by(Case.filed_on, Case.id)
        .limit(1)
        .correlate(JudgeTally)
        .scalar_subquery()
    )
    rows = session.execute(
        select(JudgeTally.handler_id, JudgeTally.n, User.username, User.full_name, User.unit_code, oldest)
        .join(User, User.id == JudgeTally.handler_id)
        .where(JudgeTally.n > 0, *([User.unit_code == unit] if unit else []))
        .order_by(JudgeTally.n.desc(), JudgeTally.handler_id)
    ).all()
    case_ids = [row[5] for row in rows if row[5] is not None]
    cases = {
        case_id: (number, filed_on)
        for case_id, number, filed_on in session.execute(
            select(Case.id, Case.case_number, Case.filed_on).where(Case.id.in_(case_ids))
        )
    }
    return [
        JudgeLoad(
            handler_id=handler_id,
            username=username,
            full_name=full_name,
            unit_code=unit_code,
            open_cases=int(n),
            oldest_case_id=case_id,
            oldest_case_number=cases[case_id][0] if case_id in cases else None,
            oldest_filed_on=cases[case_id][1] if case_id in cases else None,
        )
        for handler_id, n, username, full_name, unit_code, case_id in rows
    ]


# Deadlines due soon and overdue ---------------------------------------------------------------------


@dataclass(slots=True)
class Urgency:
    due_soon: int = 0
    overdue: int = 0


@dataclass(frozen=True, slots=True)
class DeadlineUrgency:
    today: date
    by_unit: dict[str, Urgency]
    by_rule: dict[str, Urgency]
    total: Urgency


def deadline_urgency(session: Session, *, today: date, unit: str | None) -> DeadlineUrgency:
    """The board's due soon and overdue clocks (app.services.deadline_board) counted per unit and
    rule: breached ones from the roll-ups, open ones past or near their due date from the board's
    index ranges (the sweep marks the past-due ones breached every 15 minutes, so these are few)."""
    counts: Counter[tuple[str, str, str]] = Counter()
    breached = _summed(
        session,
        DeadlineTally,
        DeadlineTally.unit_code,
        DeadlineTally.rule,
        where=(
            DeadlineTally.grain == MONTH,  # each clock is counted once in every grain
            DeadlineTally.status == DeadlineStatus.breached,
        ),
        unit=unit,
    )
    counts.update({("overdue", u, r): int(n) for u, r, n in breached})
    open_overdue = status_branches("overdue", today)[1]
    for kind, conditions in (
        ("overdue", open_overdue),
        *(("due_soon", c) for c in status_branches("due_soon", today)),
    ):
        rows = session.execute(
            select(func.coalesce(Deadline.unit_code, ""), Deadline.rule, func.count())
            .where(*conditions, *([Deadline.unit_code == unit] if unit else []))
            .group_by(Deadline.unit_code, Deadline.rule)
        )
        counts.update({(kind, u, r): n for u, r, n in rows})
    by_unit: dict[str, Urgency] = {}
    by_rule: dict[str, Urgency] = {}
    total = Urgency()
    for (kind, unit_code, rule), n in counts.items():
        for table, key in ((by_unit, unit_code), (by_rule, rule)):
            if key and n:
                entry = table.setdefault(key, Urgency())
                setattr(entry, kind, getattr(entry, kind) + n)
        setattr(total, kind, getattr(total, kind) + n)
    return DeadlineUrgency(
        today=today, by_unit=dict(sorted(by_unit.items())), by_rule=dict(sorted(by_rule.items())), total=total
    )
