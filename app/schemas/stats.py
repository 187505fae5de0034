from __future__ import annotations

from datetime import date

from pydantic import BaseModel
from pydantic import Field

from app.schemas.common import MoneyOut


class Share(BaseModel):
    numerator: int
    denominator: int
    ratio: float | None = Field(None, description="numerator / denominator, null when nothing to count")


class DeadlineCounts(BaseModel):
    open: int = 0
    paused: int = 0
    met: int = 0
    met_late: int = 0
    breached: int = 0


class MoneyFigures(BaseModel):
    received: MoneyOut = Field(description="received into the case accounts, less receipts reversed")
    paid_out: MoneyOut = Field(description="paid out to applicants and as fees, less payouts reversed")
    held: MoneyOut
    receipts_waiting: int = Field(description="credited receipts not yet paid out (D19 running)")
    oldest_waiting_days: int | None = Field(description="days since the oldest of them was received")
    unclaimed: MoneyOut = Field(description="on the unclaimed list (court-wide figures only)")
    unclaimed_receipts: int
    oldest_unclaimed_days: int | None


class StatsOverview(BaseModel):
    """plan §2(4), §3(1) figures for the cases filed in the period (and unit, when given)."""

    filed_from: date | None
    filed_to: date | None
    unit: str | None
    cases_total: int
    by_state: dict[str, int]
    by_track: dict[str, int]
    by_unit: dict[str, dict[str, int]] = Field(description="unit → {open, closed}")
    closure_rate: Share
    median_days_to_close: float | None
    termination_share: Share = Field(description="终本 closings among closings")
    fast_track_share: Share = Field(description="simple track among triaged cases")
    deadlines_by_rule: dict[str, DeadlineCounts]
    deadlines_by_unit: dict[str, DeadlineCounts]
    disposal_turnaround_days: float | None = Field(description="median days from approval to return (D13)")
    objections_ruled_in_time: Share
    petitions_closed_in_time: Share
    money: MoneyFigures = Field(description="case money (一案一账号): received, paid out, held, waiting")
    money_by_unit: dict[str, MoneyFigures] = Field(description="unit → its cases' money")


class MonthSeries(BaseModel):
    filed: list[int] = Field(description="cases filed per month, in the order of `months`")
    closed: list[int] = Field(description="cases closed per month")
    terminated_current: list[int] = Field(description="cases closed by 终本 (终结本次执行程序) per month")


class StatsTrends(BaseModel):
    """Cases filed, closed and closed by 终本 per month, for the court and by unit (plan §3(1))."""

    months: list[str] = Field(description="YYYY-MM, oldest first, ending with the current month")
    unit: str | None
    total: MonthSeries
    by_unit: dict[str, MonthSeries]


class JudgeLoad(BaseModel):
    handler_id: int
    username: str
    full_name: str
    unit_code: str | None
    open_cases: int
    oldest_case_id: int | None = Field(description="the judge's open case filed first")
    oldest_case_number: str | None
    oldest_filed_on: date | None


class StatsWorkload(BaseModel):
    """Open cases per judge (workload), most first."""

    unit: str | None
    judges: list[JudgeLoad]


class Urgency(BaseModel):
    due_soon: int = Field(description="open clocks within their rule's warning window")
    overdue: int = Field(description="breached clocks, and open ones past their due date")


class StatsDeadlines(BaseModel):
    """The deadline board's due-soon and overdue clocks counted per unit and per rule (plan §5(9))."""

    today: date
    unit: str | None
    total: Urgency
    by_unit: dict[str, Urgency]
    by_rule: dict[str, Urgency]
