from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from dataclasses import asdict
from typing import Annotated, Literal, TypeVar

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import BaseModel

from app.deps import Authorized, SessionDep
from app.errors import Forbidden, InvalidInput, problem_responses
from app.models.user import User
from app.schemas.common import ISODate
from app.schemas.stats import JudgeLoad, Share, StatsDeadlines, StatsOverview, StatsTrends, StatsWorkload
from app.services import stats
from app.settings import court_today

router = APIRouter(tags=["stats"])

Unit = Annotated[str | None, Query(max_length=32, description="one unit's figures (unit code)")]
Format = Annotated[
    Literal["json", "csv"], Query(description="csv: UTF-8 with a byte-order mark, for spreadsheet programs")
]
CSV_RESPONSES = {**problem_responses(Forbidden), 200: {"content": {"text/csv": {}}}}
CsvRow = tuple[str, str, str]
Report = TypeVar("Report", bound=BaseModel)


def _csv(name: str, header: tuple[str, ...], rows: Iterable[tuple[object, ...]]) -> Response:
    """A CSV attachment with a byte-order mark, so that spreadsheet programs read the Chinese as UTF-8."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return Response(
        buffer.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
    )


def _as_requested(
    report: Report,
    format: str,
    name: str,
    header: tuple[str, ...],
    rows: Callable[[Report], Iterable[tuple[object, ...]]],
) -> Report | Response:
    """The report as JSON, or its rows as a CSV attachment ``name``.csv."""
    return report if format == "json" else _csv(name, header, rows(report))


@router.get(
    "/stats/overview",
    operation_id="get_stats_overview",
    response_model=StatsOverview,
    responses=CSV_RESPONSES,
)
def stats_overview(
    session: SessionDep,
    user: Annotated[User, Authorized("stats.read")],
    filed_from: ISODate | None = None,
    filed_to: ISODate | None = None,
    unit: Unit = None,
    format: Format = "json",
) -> StatsOverview | Response:
    """The command center's statistics (plan §2(4), §3(1)), by filing period and unit; JSON or CSV."""
    if filed_from and filed_to and filed_from > filed_to:
        raise InvalidInput("filed_to", "must not be before filed_from")
    figures = stats.overview(session, filed_from=filed_from, filed_to=filed_to, unit=unit)
    report = StatsOverview.model_validate(
        {"filed_from": filed_from, "filed_to": filed_to, "unit": unit, **asdict(figures)}
    )
    return _as_requested(report, format, "stats-overview", ("metric", "dimension", "value"), _overview_rows)


def _overview_rows(report: StatsOverview) -> list[CsvRow]:
    """(metric, dimension, value) rows for spreadsheets."""
    rows: list[CsvRow] = [("cases_total", "", str(report.cases_total))]
    rows += [("cases_by_state", k, str(v)) for k, v in report.by_state.items()]
    rows += [("cases_by_track", k, str(v)) for k, v in report.by_track.items()]
    for code, counts in report.by_unit.items():
        rows += [(f"cases_{k}_by_unit", code, str(v)) for k, v in counts.items()]
    for name in (
        "closure_rate",
        "termination_share",
        "fast_track_share",
        "objections_ruled_in_time",
        "petitions_closed_in_time",
    ):
        share: Share = getattr(report, name)
        rows.append((name, "", "" if share.ratio is None else str(share.ratio)))
    rows.append(("median_days_to_close", "", str(report.median_days_to_close or "")))
    rows.append(("disposal_turnaround_days", "", str(report.disposal_turnaround_days or "")))
    for dim, table in (("rule", report.deadlines_by_rule), ("unit", report.deadlines_by_unit)):
        for key, clock_counts in table.items():
            rows += [
                (f"deadlines_{status}_by_{dim}", key, str(n))
                for status, n in clock_counts.model_dump().items()
            ]
    for unit, money in (("", report.money), *report.money_by_unit.items()):
        rows += [
            (f"money_{name}", unit, "" if value is None else str(value))
            for name, value in money.model_dump().items()
        ]
    return rows


@router.get(
    "/stats/trends", operation_id="get_stats_trends", response_model=StatsTrends, responses=CSV_RESPONSES
)
def stats_trends(
    session: SessionDep,
    user: Annotated[User, Authorized("stats.read")],
    months: Annotated[int, Query(ge=1, le=120, description="how many months, ending with this one")] = 24,
    unit: Unit = None,
    format: Format = "json",
) -> StatsTrends | Response:
    """Cases filed, closed and closed by 终本 per month for the last months, by unit; JSON or CSV."""
    figures = stats.trends(session, today=court_today(), months=months, unit=unit)
    report = StatsTrends.model_validate({"unit": unit, **asdict(figures)})
    header = ("month", "unit", "filed", "closed", "terminated_current")
    return _as_requested(report, format, "stats-trends", header, _trend_rows)


def _trend_rows(report: StatsTrends) -> list[tuple[object, ...]]:
    """One row per month and unit ('' for the court's total)."""
    series = [("", report.total), *report.by_unit.items()]
    return [
        (month, code, s.filed[i], s.closed[i], s.terminated_current[i])
        for code, s in series
        for i, month in enumerate(report.months)
    ]


@router.get(
    "/stats/workload",
    operation_id="get_stats_workload",
    response_model=StatsWorkload,
    responses=CSV_RESPONSES,
)
def stats_workload(
    session: SessionDep,
    user: Annotated[User, Authorized("stats.read")],
    unit: Unit = None,
    format: Format = "json",
) -> StatsWorkload | Response:
    """Open cases per judge, most first, with each judge's oldest open case; JSON or CSV."""
    report = StatsWorkload.model_validate(
        {"unit": unit, "judges": [asdict(load) for load in stats.workload(session, unit=unit)]}
    )
    return _as_requested(report, format, "stats-workload", tuple(JudgeLoad.model_fields), _workload_rows)


def _workload_rows(report: StatsWorkload) -> list[tuple[object, ...]]:
    return [tuple("" if v is None else v for v in judge.model_dump().values()) for judge in report.judges]


@router.get(
    "/stats/deadlines",
    operation_id="get_stats_deadlines",
    response_model=StatsDeadlines,
    responses=CSV_RESPONSES,
)
def stats_deadlines(
    session: SessionDep,
    user: Annotated[User, Authorized("stats.read")],
    unit: Unit = None,
    format: Format = "json",
) -> StatsDeadlines | Response:
    """Deadlines due soon and overdue (as on the deadline board), per unit and per rule; JSON or CSV."""
    report = StatsDeadlines.model_validate(
        {"unit": unit, **asdict(stats.deadline_urgency(session, today=court_today(), unit=unit))}
    )
    header = ("dimension", "key", "due_soon", "overdue")
    return _as_requested(report, format, "stats-deadlines", header, _urgency_rows)


def _urgency_rows(report: StatsDeadlines) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = [("total", "", report.total.due_soon, report.total.overdue)]
    for dim, table in (("unit", report.by_unit), ("rule", report.by_rule)):
        rows += [(dim, key, u.due_soon, u.overdue) for key, u in table.items()]
    return rows
