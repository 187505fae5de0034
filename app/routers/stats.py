from __future__ import annotations

import csv
import io
from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.deps import Authorized, SessionDep
from app.errors import Forbidden, InvalidInput, problem_responses
from app.models.user import User
from app.schemas.common import ISODate
from app.schemas.stats import Share, StatsOverview
from app.services import stats

router = APIRouter(tags=["stats"])


@router.get(
    "/stats/overview",
    operation_id="get_stats_overview",
    response_model=StatsOverview,
    responses={**problem_responses(Forbidden), 200: {"content": {"text/csv": {}}}},
)
def stats_overview(
    session: SessionDep,
    user: Annotated[User, Authorized("stats.read")],
    filed_from: ISODate | None = None,
    filed_to: ISODate | None = None,
    unit: str | None = Query(None, max_length=32),
    format: Literal["json", "csv"] = "json",
) -> StatsOverview | Response:
    """The command center's statistics (plan §2(4), §3(1)), by filing period and unit; JSON or CSV."""
    if filed_from and filed_to and filed_from > filed_to:
        raise InvalidInput("filed_to", "must not be before filed_from")
    figures = stats.overview(session, filed_from=filed_from, filed_to=filed_to, unit=unit)
    report = StatsOverview.model_validate(
        {"filed_from": filed_from, "filed_to": filed_to, "unit": unit, **asdict(figures)}
    )
    if format == "json":
        return report
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("metric", "dimension", "value"))
    writer.writerows(_csv_rows(report))
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="stats-overview.csv"'},
    )


def _csv_rows(report: StatsOverview) -> list[tuple[str, str, str]]:
    """(metric, dimension, value) rows for spreadsheets."""
    rows: list[tuple[str, str, str]] = [("cases_total", "", str(report.cases_total))]
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
