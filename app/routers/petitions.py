"""Enforcement petitions (涉执信访) at the comprehensive group (DOMAIN.md §9, plan §5(8))."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import JSONResponse

from app.deps import (
    Authorized,
    ExpectedVersion,
    IdempotencyKeyHeader,
    SessionDep,
    created_response,
    with_etag,
)
from app.enums import PetitionState
from app.errors import Forbidden, NotFound, PreconditionFailed, TransitionNotAllowed, problem_responses
from app.models.petition import Petition
from app.schemas.common import Limit, Page, RowId
from app.schemas.petition import (
    CloseCreate,
    PetitionCreate,
    PetitionRead,
    RegisterCreate,
    ReplyCreate,
    ResolveCreate,
    RouteCreate,
    SuperviseCreate,
    UrgeCreate,
)
from app.services import idempotency, petitions
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["petitions"])

_COMMAND_PROBLEMS = problem_responses(Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed)


def _read(petition: Petition) -> PetitionRead:
    return PetitionRead.model_validate(petition).model_copy(
        update={"allowed_actions": petitions.allowed_actions(petition)}
    )


@router.post(
    "/petitions",
    operation_id="receive_petition",
    status_code=201,
    response_model=PetitionRead,
    responses=problem_responses(Forbidden, IdempotencyKeyReused),
)
def receive_petition(
    body: PetitionCreate,
    session: SessionDep,
    user: Authorized("petition.handle"),
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Receive a petition (starts D9); a repeat on the same case links to the first."""
    result = idempotency.respond_once(
        session,
        user_id=user.id,
        key=idempotency_key,
        operation="receive_petition",
        payload=body,
        create=lambda: _read(petitions.receive_petition(session, user=user, **body.model_dump())),
    )
    return created_response(result, f"/api/v1/petitions/{result.body['id']}")


@router.get(
    "/petitions",
    operation_id="list_petitions",
    response_model=Page[PetitionRead],
    responses=problem_responses(Forbidden),
)
def list_petitions(
    session: SessionDep,
    user: Authorized("petition.read"),
    state: PetitionState | None = None,
    supervised: Annotated[bool | None, Query(description="escalated to the leadership")] = None,
    case_id: Annotated[int | None, Query(ge=1)] = None,
    unit: Annotated[str | None, Query(max_length=32, description="routed to this team")] = None,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[PetitionRead]:
    """List petitions, newest first, by state, supervision, case or team."""
    filters = petitions.PetitionFilters(state=state, supervised=supervised, case_id=case_id, unit=unit)
    rows, next_cursor = petitions.list_petitions(
        session, user=user, filters=filters, limit=limit, cursor=cursor
    )
    return Page[PetitionRead](items=[_read(p) for p in rows], next_cursor=next_cursor)


@router.get(
    "/petitions/{petition_id}",
    operation_id="get_petition",
    response_model=PetitionRead,
    responses=problem_responses(Forbidden, NotFound),
)
def read_petition(
    petition_id: RowId, session: SessionDep, user: Authorized("petition.read"), response: Response
) -> PetitionRead:
    """One petition with its routing, urgings, reply and closing."""
    return with_etag(response, _read(petitions.get_petition(session, user=user, petition_id=petition_id)))


@router.post(
    "/petitions/{petition_id}/register",
    operation_id="register_petition",
    response_model=PetitionRead,
    responses=_COMMAND_PROBLEMS,
)
def register_petition(
    petition_id: RowId,
    session: SessionDep,
    user: Authorized("petition.handle"),
    response: Response,
    body: Annotated[RegisterCreate | None, Body()] = None,
    expected_version: ExpectedVersion = None,
) -> PetitionRead:
    """Register the petition (meets D9, starts D10)."""
    petition = petitions.register_petition(
        session,
        user=user,
        petition_id=petition_id,
        expected_version=expected_version,
        registered_on=body.registered_on if body else None,
    )
    return with_etag(response, _read(petition))


@router.post(
    "/petitions/{petition_id}/route",
    operation_id="route_petition",
    response_model=PetitionRead,
    responses=_COMMAND_PROBLEMS,
)
def route_petition(
    petition_id: RowId,
    session: SessionDep,
    user: Authorized("petition.handle"),
    response: Response,
    body: Annotated[RouteCreate | None, Body()] = None,
    expected_version: ExpectedVersion = None,
) -> PetitionRead:
    """Send the petition to the handling team."""
    body = body or RouteCreate()
    petition = petitions.route_petition(
        session, user=user, petition_id=petition_id, expected_version=expected_version, **body.model_dump()
    )
    return with_etag(response, _read(petition))


@router.post(
    "/petitions/{petition_id}/urge",
    operation_id="urge_petition",
    response_model=PetitionRead,
    responses=_COMMAND_PROBLEMS,
)
def urge_petition(
    petition_id: RowId,
    body: UrgeCreate,
    session: SessionDep,
    user: Authorized("petition.handle"),
    response: Response,
    expected_version: ExpectedVersion = None,
) -> PetitionRead:
    """Urge the handling team to answer (催办); may be repeated."""
    petition = petitions.urge_petition(
        session, user=user, petition_id=petition_id, expected_version=expected_version, **body.model_dump()
    )
    return with_etag(response, _read(petition))


@router.post(
    "/petitions/{petition_id}/supervise",
    operation_id="supervise_petition",
    response_model=PetitionRead,
    responses=_COMMAND_PROBLEMS,
)
def supervise_petition(
    petition_id: RowId,
    session: SessionDep,
    user: Authorized("petition.handle"),
    response: Response,
    body: Annotated[SuperviseCreate | None, Body()] = None,
    expected_version: ExpectedVersion = None,
) -> PetitionRead:
    """Escalate the petition to the leadership (督办)."""
    body = body or SuperviseCreate()
    petition = petitions.supervise_petition(
        session, user=user, petition_id=petition_id, expected_version=expected_version, **body.model_dump()
    )
    return with_etag(response, _read(petition))


@router.post(
    "/petitions/{petition_id}/reply",
    operation_id="reply_to_petition",
    response_model=PetitionRead,
    responses=_COMMAND_PROBLEMS,
)
def reply_to_petition(
    petition_id: RowId,
    body: ReplyCreate,
    session: SessionDep,
    user: Authorized("petition.reply"),
    response: Response,
    expected_version: ExpectedVersion = None,
) -> PetitionRead:
    """The handling team's reply to the petition."""
    petition = petitions.reply_to_petition(
        session, user=user, petition_id=petition_id, expected_version=expected_version, **body.model_dump()
    )
    return with_etag(response, _read(petition))


@router.post(
    "/petitions/{petition_id}/resolve",
    operation_id="resolve_petition",
    response_model=PetitionRead,
    responses=_COMMAND_PROBLEMS,
)
def resolve_petition(
    petition_id: RowId,
    session: SessionDep,
    user: Authorized("petition.handle"),
    response: Response,
    body: Annotated[ResolveCreate | None, Body()] = None,
    expected_version: ExpectedVersion = None,
) -> PetitionRead:
    """Record that the dispute was resolved (化解)."""
    body = body or ResolveCreate()
    petition = petitions.resolve_petition(
        session, user=user, petition_id=petition_id, expected_version=expected_version, **body.model_dump()
    )
    return with_etag(response, _read(petition))


@router.post(
    "/petitions/{petition_id}/close",
    operation_id="close_petition",
    response_model=PetitionRead,
    responses=_COMMAND_PROBLEMS,
)
def close_petition(
    petition_id: RowId,
    session: SessionDep,
    user: Authorized("petition.handle"),
    response: Response,
    body: Annotated[CloseCreate | None, Body()] = None,
    expected_version: ExpectedVersion = None,
) -> PetitionRead:
    """Close the petition (报结; meets D10)."""
    body = body or CloseCreate()
    petition = petitions.close_petition(
        session, user=user, petition_id=petition_id, expected_version=expected_version, **body.model_dump()
    )
    return with_etag(response, _read(petition))
