from __future__ import annotations

import csv
import io
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from datetime import date
from typing import Annotated
from typing import Any
from typing import Literal

from fastapi import APIRouter
from fastapi import Query
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.errors import Forbidden
from app.errors import InvalidInput
from app.errors import problem_responses
from app.models.user import User
from app.routing import Filter
from app.routing import signed
from app.schemas.common import ISODate
from app.schemas.stats import JudgeLoad
from app.schemas.stats import Share
from app.schemas.stats import StatsDeadlines
from app.schemas.stats import StatsOverview
from app.schemas.stats import StatsTrends
from app.schemas.stats import StatsWorkload
from app.services import stats
from app.settings import court_today

router = APIRouter(tags=["stats"])

Unit = Annotated[str | None, Query(max_length=32, description="one unit's figures (unit code)")]
Format = Annotated[
    Literal["json", "csv"], Query(description="csv: UTF-8 with a byte-order mark, for spreadsheet programs")
]
CSV_RESPONSES = {**problem_responses(Forbidden), 200: {"content": {"text/csv": {}}}}
CsvRow = tuple[str, str, str]
Months = Annotated[int, Query(ge=1, le=120, description="how many months, ending with this one")]


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


@dataclass(frozen=True)
class StatsReport:
    """``GET {path}``: a report, as JSON or, with ``format=csv``, as its ``rows`` under ``header`` in
    an attachment ``name``.csv. ``figures(session, unit=…, <query>=…)`` gives the report's fields;
    ``unit`` and ``format`` follow the report's own ``query`` parameters."""

    path: str
    operation_id: str
    summary: str
    model: type[BaseModel]
    figures: Callable[..., dict[str, Any]]
    name: str
    header: tuple[str, ...]
    rows: Callable[[Any], Iterable[tuple[object, ...]]]
    query: Sequence[Filter] = ()


def _add_report(report: StatsReport) -> None:
    def endpoint(*, session: Session, user: User, unit: str | None, format: str, **query: Any) -> Any:
        shown = report.model.model_validate({"unit": unit, **report.figures(session, unit=unit, **query)})
        return shown if format == "json" else _csv(report.name, report.header, report.rows(shown))

    endpoint.__doc__ = report.summary
    endpoint.__name__ = report.operation_id
    router.add_api_route(
        report.path,
        signed(
            endpoint,
            report.path,
            "stats.read",
            *(f.parameter() for f in report.query),
            Filter("unit", Unit).parameter(),
            Filter("format", Format, "json").parameter(),
        ),
        methods=["GET"],
        operation_id=report.operation_id,
        name=report.operation_id,
        response_model=report.model,
        responses=CSV_RESPONSES,
    )


def _overview(
    session: Session, *, unit: str | None, filed_from: date | None, filed_to: date | None
) -> dict[str, Any]:
    if filed_from and filed_to and filed_from > filed_to:
        raise InvalidInput("filed_to", "must not be before filed_from")
    figures = stats.overview(session, filed_from=filed_from, filed_to=filed_to, unit=unit)
    return {"filed_from": filed_from, "filed_to": filed_to, **asdict(figures)}


def _trends(session: Session, *, unit: str | None, months: int) -> dict[str, Any]:
    return asdict(stats.trends(session, today=court_today(), months=months, unit=unit))


def _workload(session: Session, *, unit: str | None) -> dict[str, Any]:
    return {"judges": [asdict(load) for load in stats.workload(session, unit=unit)]}


def _urgency(session: Session, *, unit: str | None) -> dict[str, Any]:
    return asdict(stats.deadline_urgency(session, today=court_today(), unit=unit))


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


def _trend_rows(report: StatsTrends) -> list[tuple[object, ...]]:
    """One row per month and unit ('' for the court's total)."""
    series = [("", report.total), *report.by_unit.items()]
    return [
        (month, code, s.filed[i], s.closed[i], s.terminated_current[i])
        for code, s in series
        for i, month in enumerate(report.months)
    ]


def _workload_rows(report: StatsWorkload) -> list[tuple[object, ...]]:
    return [tuple("" if v is None else v for v in judge.model_dump().values()) for judge in report.judges]


def _urgency_rows(report: StatsDeadlines) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = [("total", "", report.total.due_soon, report.total.overdue)]
    for dim, table in (("unit", report.by_unit), ("rule", report.by_rule)):
        rows += [(dim, key, u.due_soon, u.overdue) for key, u in table.items()]
    return rows


for _report in [
    StatsReport(
        "/stats/overview",
        "get_stats_overview",
        "The command center's statistics (plan §2(4), §3(1)), by filing period and unit; JSON or CSV.",
        StatsOverview,
        _overview,
        "stats-overview",
        ("metric", "dimension", "value"),
        _overview_rows,
        query=[Filter("filed_from", ISODate | None), Filter("filed_to", ISODate | None)],
    ),
    StatsReport(
        "/stats/trends",
        "get_stats_trends",
        "Cases filed, closed and closed by 终本 per month for the last months, by unit; JSON or CSV.",
        StatsTrends,
        _trends,
        "stats-trends",
        ("month", "unit", "filed", "closed", "terminated_current"),
        _trend_rows,
        query=[Filter("months", Months, 24)],
    ),
    StatsReport(
        "/stats/workload",
        "get_stats_workload",
        "Open cases per judge, most first, with each judge's oldest open case; JSON or CSV.",
        StatsWorkload,
        _workload,
        "stats-workload",
        tuple(JudgeLoad.model_fields),
        _workload_rows,
    ),
    StatsReport(
        "/stats/deadlines",
        "get_stats_deadlines",
        "Deadlines due soon and overdue (as on the deadline board), per unit and per rule; JSON or CSV.",
        StatsDeadlines,
        _urgency,
        "stats-deadlines",
        ("dimension", "key", "due_soon", "overdue"),
        _urgency_rows,
    ),
]:
    _add_report(_report)
