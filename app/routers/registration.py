"""Registration at the command center (登记) and the investigation outcome (查控结果)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response

from app.deps import Authorized, ExpectedVersion, SessionDep
from app.errors import Forbidden, NotFound, PreconditionFailed, TransitionNotAllowed, problem_responses
from app.models.user import User
from app.schemas.common import RowId
from app.schemas.registration import (
    InvestigationRead,
    InvestigationUpdate,
    RegistrationCreate,
    RegistrationRead,
)
from app.services import registration
from app.services.case_access import COMMAND_POLICY

router = APIRouter(tags=["registration"])

_PROBLEMS = problem_responses(Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed)


@router.post(
    "/cases/{case_id}/registration",
    operation_id="register_case",
    response_model=RegistrationRead,
    responses=_PROBLEMS,
)
def register_case(
    case_id: RowId,
    body: RegistrationCreate,
    session: SessionDep,
    user: Annotated[User, Authorized(COMMAND_POLICY["register"])],
    response: Response,
    expected_version: ExpectedVersion = None,
) -> RegistrationRead:
    """Register a filed case at the command center and record the investigation outcome (meets D1)."""
    done = registration.register_case(
        session,
        case_id=case_id,
        user=user,
        registered_on=body.registered_on,
        investigation_completed=body.investigation_completed,
        willing_to_perform=body.willing_to_perform,
        settlement_likely=body.settlement_likely,
        note=body.note,
        expected_version=expected_version,
    )
    case = done.case
    assert case.registered_at is not None  # set by the registration just recorded
    response.headers["ETag"] = f'"{case.version}"'
    return RegistrationRead(
        case_id=case.id,
        state=case.state,
        registered_at=case.registered_at,
        registered_on=done.registered_on,
        investigation_completed=case.investigation_completed,
        willing_to_perform=case.willing_to_perform,
        settlement_likely=case.settlement_likely,
        note=done.note,
        version=case.version,
    )


@router.post(
    "/cases/{case_id}/investigation",
    operation_id="record_investigation",
    response_model=InvestigationRead,
    responses=_PROBLEMS,
)
def record_investigation(
    case_id: RowId,
    body: InvestigationUpdate,
    session: SessionDep,
    user: Annotated[User, Authorized(COMMAND_POLICY["record_investigation"])],
    response: Response,
    expected_version: ExpectedVersion = None,
) -> InvestigationRead:
    """Update the investigation outcome of a registered case before triage."""
    case = registration.record_investigation(
        session,
        case_id=case_id,
        user=user,
        investigation_completed=body.investigation_completed,
        willing_to_perform=body.willing_to_perform,
        settlement_likely=body.settlement_likely,
        note=body.note,
        expected_version=expected_version,
    )
    response.headers["ETag"] = f'"{case.version}"'
    return InvestigationRead(
        case_id=case.id,
        state=case.state,
        investigation_completed=case.investigation_completed,
        willing_to_perform=case.willing_to_perform,
        settlement_likely=case.settlement_likely,
        note=body.note,
        version=case.version,
    )
