"""Statistics of the command center (plan §3(1) 数据提取、统计工作).

Every figure is an aggregate query; nothing loads case rows into the process, so the overview
stays fast as the court's history grows.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, and_, func, literal, select
from sqlalchemy.orm import Session

from app.enums import CaseState, ClosureMode, DeadlineStatus, LedgerEntryKind, ReceiptState, Track
from app.models.case import Case
from app.models.case_account import LedgerEntry
from app.models.deadline import Deadline
from app.models.receipt import Receipt
from app.rules.money import ZERO
from app.settings import court_today


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
    money: MoneyFigures
    money_by_unit: dict[str, MoneyFigures]  # the handling unit of the cases the money belongs to


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


def _share(numerator: int, denominator: int) -> Share:
    return Share(
        numerator=numerator,
        denominator=denominator,
        ratio=round(numerator / denominator, 4) if denominator else None,
    )


def _median(session: Session, values: Select[Any]) -> float | None:
    """Median of one numeric column: percentile_cont on PostgreSQL, in Python elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        sub = values.subquery()
        col = next(iter(sub.c))
        result = session.execute(select(func.percentile_cont(0.5).within_group(col))).scalar()
        return None if result is None else round(float(result), 1)
    data = [float(v) for v in session.execute(values).scalars() if v is not None]
    return round(statistics.median(data), 1) if data else None


def _days_between(session: Session, later: Any, earlier: Any) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return later - earlier  # date - date is an integer number of days
    return func.julianday(later) - func.julianday(earlier)


def overview(
    session: Session, *, filed_from: date | None, filed_to: date | None, unit: str | None
) -> Overview:
    case_filter = []
    if filed_from:
        case_filter.append(Case.filed_on >= filed_from)
    if filed_to:
        case_filter.append(Case.filed_on <= filed_to)
    if unit:
        case_filter.append(Case.unit_code == unit)
    where = and_(literal(True), *case_filter)

    by_state: dict[str, int] = {s: 0 for s in CaseState}
    by_state.update(session.execute(select(Case.state, func.count()).where(where).group_by(Case.state)).all())
    total = sum(by_state.values())
    by_track: dict[str, int] = {
        track: count
        for track, count in session.execute(
            select(Case.track, func.count()).where(where, Case.track.is_not(None)).group_by(Case.track)
        )
        if track is not None
    }
    by_unit: dict[str, dict[str, int]] = {}
    is_closed = Case.state == CaseState.closed
    for code, closed, count in session.execute(
        select(Case.unit_code, is_closed, func.count())
        .where(where, Case.unit_code.is_not(None))
        .group_by(Case.unit_code, is_closed)
    ):
        by_unit.setdefault(str(code), {"open": 0, "closed": 0})["closed" if closed else "open"] += count
    closed_total = by_state[CaseState.closed]
    terminated = (
        session.scalar(select(func.count()).where(where, Case.closure_mode == ClosureMode.terminated_current))
        or 0
    )
    triaged = sum(by_track.values())
    median_close = _median(
        session,
        select(_days_between(session, Case.closed_on, Case.filed_on)).where(
            where, Case.closed_on.is_not(None)
        ),
    )

    clock_where = [Deadline.case_id.in_(select(Case.id).where(where))] if case_filter else []
    by_rule = _deadline_counts(session, Deadline.rule, clock_where)
    by_clock_unit = _deadline_counts(session, Deadline.unit_code, clock_where)
    turnaround = _median(
        session,
        select(_days_between(session, Deadline.met_on, Deadline.started_on)).where(
            Deadline.rule == "D13", Deadline.met_on.is_not(None), *clock_where
        ),
    )
    return Overview(
        cases_total=total,
        by_state=by_state,
        by_track=by_track,
        by_unit=by_unit,
        closure_rate=_share(closed_total, total),
        median_days_to_close=median_close,
        termination_share=_share(terminated, closed_total),
        fast_track_share=_share(by_track.get(Track.simple, 0), triaged),
        deadlines_by_rule=by_rule,
        deadlines_by_unit=by_clock_unit,
        disposal_turnaround_days=turnaround,
        objections_ruled_in_time=_in_time(by_rule, "D5", "D6"),
        petitions_closed_in_time=_in_time(by_rule, "D10"),
        **_money(session, where=where, clock_where=clock_where, by_case=bool(case_filter)),
    )


def _counted_in(
    total: MoneyFigures, by_unit: dict[str, MoneyFigures], code: str | None
) -> list[MoneyFigures]:
    """The figures a row adds to: the court's, and its unit's when the case is allocated."""
    return [total] if code is None else [total, by_unit.setdefault(code, MoneyFigures())]


def _money(session: Session, *, where: Any, clock_where: list[Any], by_case: bool) -> dict[str, Any]:
    """Money received, paid out and held, court-wide and by unit; the ages of money waiting."""
    today = court_today()
    total, by_unit = MoneyFigures(), dict[str, MoneyFigures]()
    original = LedgerEntry.__table__.alias("original")
    # A reversal counts against what it reverses: a receipt reversed was not received.
    origin = func.coalesce(original.c.kind, LedgerEntry.kind)
    rows = session.execute(
        select(Case.unit_code, origin, func.sum(LedgerEntry.amount))
        .select_from(LedgerEntry)
        .join(Case, Case.id == LedgerEntry.case_id)
        .outerjoin(original, original.c.id == LedgerEntry.reverses_entry_id)
        .where(where)
        .group_by(Case.unit_code, origin)
    )
    for code, kind, amount in rows:
        for figures in _counted_in(total, by_unit, code):
            if kind == LedgerEntryKind.receipt:
                figures.received += Decimal(amount)
            else:
                figures.paid_out -= Decimal(amount)
            figures.held = figures.received - figures.paid_out
    waiting = session.execute(
        select(Deadline.unit_code, func.count(), func.min(Deadline.started_on))
        .where(Deadline.rule == "D19", Deadline.status != DeadlineStatus.met, *clock_where)
        .group_by(Deadline.unit_code)
    )
    for code, count, oldest in waiting:
        for figures in _counted_in(total, by_unit, code):
            figures.receipts_waiting += count
            age = (today - oldest).days
            figures.oldest_waiting_days = max(figures.oldest_waiting_days or 0, age)
    if not by_case:
        count, amount, oldest = session.execute(
            select(func.count(), func.sum(Receipt.amount), func.min(Receipt.received_on)).where(
                Receipt.state == ReceiptState.unclaimed
            )
        ).one()
        total.unclaimed_receipts, total.unclaimed = count, Decimal(amount or ZERO)
        total.oldest_unclaimed_days = (today - oldest).days if oldest else None
    return {"money": total, "money_by_unit": dict(sorted(by_unit.items()))}


def _deadline_counts(session: Session, key: Any, where: list[Any]) -> dict[str, DeadlineCounts]:
    out: dict[str, DeadlineCounts] = {}
    rows = session.execute(
        select(key, Deadline.status, Deadline.met_late, func.count())
        .where(key.is_not(None), *where)
        .group_by(key, Deadline.status, Deadline.met_late)
    )
    for name, status, late, count in rows:
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
