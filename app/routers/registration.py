"""Registration at the command center (登记) and the investigation outcome (查控结果)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Response

from app.deps import Authorized
from app.deps import ExpectedVersion
from app.deps import SessionDep
from app.deps import with_etag
from app.errors import problem_responses
from app.models.user import User
from app.routing import COMMAND_PROBLEMS
from app.routing import Change
from app.routing import add_routes
from app.schemas.common import RowId
from app.schemas.common import read_of
from app.schemas.registration import InvestigationRead
from app.schemas.registration import InvestigationUpdate
from app.schemas.registration import RegistrationCreate
from app.schemas.registration import RegistrationRead
from app.services import registration
from app.services.case_access import COMMAND_POLICY

router = APIRouter(tags=["registration"])


def _registration_read(done: registration.Registration, user: User) -> RegistrationRead:
    case = done.case
    assert case.registered_at is not None  # set by the registration just recorded
    return read_of(RegistrationRead, case, case_id=case.id, registered_on=done.registered_on, note=done.note)


add_routes(
    router,
    response_model=RegistrationRead,
    read=_registration_read,
    routes=[
        Change(
            "/cases/{case_id}/registration",
            "register_case",
            COMMAND_POLICY["register"],
            RegistrationCreate,
            registration.register_case,
            "Register a filed case at the command center and record the investigation outcome (meets D1).",
        ),
    ],
)


@router.post(
    "/cases/{case_id}/investigation",
    operation_id="record_investigation",
    response_model=InvestigationRead,
    responses=problem_responses(*COMMAND_PROBLEMS),
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
        session, case_id=case_id, user=user, expected_version=expected_version, **dict(body)
    )
    return with_etag(response, read_of(InvestigationRead, case, case_id=case.id, note=body.note))
