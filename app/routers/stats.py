from __future__ import annotations

import csv
import io
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.deps import Authorized, SessionDep
from app.errors import Forbidden, InvalidInput, problem_responses
from app.models.user import User
from app.schemas.common import ISODate
from app.schemas.stats import StatsOverview
from app.services.stats import overview, overview_csv_rows

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
    """The command center's statistics (DOMAIN.md §11), by filing period and unit; JSON or CSV."""
    if filed_from and filed_to and filed_from > filed_to:
        raise InvalidInput("filed_to", "must not be before filed_from")
    report = overview(session, filed_from=filed_from, filed_to=filed_to, unit=unit)
    if format == "json":
        return report
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(("metric", "dimension", "value"))
    writer.writerows(overview_csv_rows(report))
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="stats-overview.csv"'},
    )
