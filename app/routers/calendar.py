from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter
from fastapi import Response

from app.deps import Authorized
from app.deps import ExpectedVersion
from app.deps import SessionDep
from app.deps import with_etag
from app.errors import Forbidden
from app.errors import PreconditionFailed
from app.errors import problem_responses
from app.models.user import User
from app.schemas.calendar import CalendarYearRead
from app.schemas.calendar import CalendarYearUpdate
from app.schemas.calendar import CalendarYearUpdated
from app.services import calendar

router = APIRouter(tags=["calendar"])


@router.get(
    "/calendar/{year}",
    operation_id="get_calendar_year",
    response_model=CalendarYearRead,
    responses=problem_responses(),
)
def read_calendar_year(
    year: int, session: SessionDep, user: Annotated[User, Authorized("calendar.read")], response: Response
) -> CalendarYearRead:
    """The working-day calendar in force for a year: holidays, make-up working days, and its source."""
    view = calendar.calendar_year(session, year=year)
    return with_etag(response, CalendarYearRead.model_validate(view, from_attributes=True))


@router.put(
    "/calendar/{year}",
    operation_id="update_calendar_year",
    response_model=CalendarYearUpdated,
    responses=problem_responses(Forbidden, PreconditionFailed),
)
def update_calendar_year(
    year: int,
    body: CalendarYearUpdate,
    session: SessionDep,
    user: Annotated[User, Authorized("calendar.write")],
    response: Response,
    expected_version: ExpectedVersion = None,
) -> CalendarYearUpdated:
    """Load the court's arrangement for a year (admin); deadlines counting days in it are recomputed."""
    arrangement = dict(body)
    body_year = arrangement.pop("year")
    view, recomputed = calendar.update_calendar_year(
        session, year=year, body_year=body_year, user=user, expected_version=expected_version, **arrangement
    )
    return with_etag(
        response, CalendarYearUpdated.model_validate({**asdict(view), "deadlines_recomputed": recomputed})
    )
