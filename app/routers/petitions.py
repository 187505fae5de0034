"""Enforcement petitions (涉执信访) at the comprehensive group (plan §5(8), plan §5(8))."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from app.deps import (
    Authorized,
    IdempotencyKeyHeader,
    SessionDep,
    create_once,
    with_etag,
)
from app.enums import PetitionState
from app.errors import Forbidden, NotFound, problem_responses
from app.models.user import User
from app.routing import Command, add_commands, record_reader
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
from app.services import petitions
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["petitions"])


_read = record_reader(PetitionRead, petitions.PETITIONS)


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
    user: Annotated[User, Authorized("petition.handle")],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Receive a petition (starts D9); a repeat on the same case links to the first."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation="receive_petition",
        payload=body,
        create=lambda: _read(petitions.receive_petition(session, user=user, **body.model_dump()), user),
        location=lambda created: f"/api/v1/petitions/{created['id']}",
    )


@router.get(
    "/petitions",
    operation_id="list_petitions",
    response_model=Page[PetitionRead],
    responses=problem_responses(Forbidden),
)
def list_petitions(
    session: SessionDep,
    user: Annotated[User, Authorized("petition.read")],
    state: PetitionState | None = None,
    supervised: Annotated[bool | None, Query(description="escalated to the leadership")] = None,
    case_id: Annotated[int | None, Query(ge=1)] = None,
    unit: Annotated[str | None, Query(max_length=32, description="routed to this team")] = None,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[PetitionRead]:
    """List petitions, newest first, by state, supervision, case or team."""
    rows, next_cursor = petitions.list_petitions(
        session,
        user=user,
        state=state,
        supervised=supervised,
        case_id=case_id,
        unit=unit,
        limit=limit,
        cursor=cursor,
    )
    return Page[PetitionRead](items=[_read(p, user) for p in rows], next_cursor=next_cursor)


@router.get(
    "/petitions/{petition_id}",
    operation_id="get_petition",
    response_model=PetitionRead,
    responses=problem_responses(Forbidden, NotFound),
)
def read_petition(
    petition_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("petition.read")],
    response: Response,
) -> PetitionRead:
    """One petition with its routing, urgings, reply and closing."""
    return with_etag(
        response, _read(petitions.get_petition(session, user=user, petition_id=petition_id), user)
    )


add_commands(
    router,
    workflow=petitions.PETITIONS,
    id_name="petition_id",
    response_model=PetitionRead,
    read=_read,
    commands=[
        Command(
            "/petitions/{petition_id}/register",
            "register_petition",
            "register",
            RegisterCreate,
            petitions.register_petition,
            "Register the petition (meets D9, starts D10).",
            body_optional=True,
        ),
        Command(
            "/petitions/{petition_id}/route",
            "route_petition",
            "route",
            RouteCreate,
            petitions.route_petition,
            "Send the petition to the handling team.",
            body_optional=True,
        ),
        Command(
            "/petitions/{petition_id}/urge",
            "urge_petition",
            "urge",
            UrgeCreate,
            petitions.urge_petition,
            "Urge the handling team to answer (催办); may be repeated.",
        ),
        Command(
            "/petitions/{petition_id}/supervise",
            "supervise_petition",
            "supervise",
            SuperviseCreate,
            petitions.supervise_petition,
            "Escalate the petition to the leadership (督办).",
            body_optional=True,
        ),
        Command(
            "/petitions/{petition_id}/reply",
            "reply_to_petition",
            "reply",
            ReplyCreate,
            petitions.reply_to_petition,
            "The handling team's reply to the petition.",
        ),
        Command(
            "/petitions/{petition_id}/resolve",
            "resolve_petition",
            "resolve",
            ResolveCreate,
            petitions.resolve_petition,
            "Record that the dispute was resolved (化解).",
            body_optional=True,
        ),
        Command(
            "/petitions/{petition_id}/close",
            "close_petition",
            "close",
            CloseCreate,
            petitions.close_petition,
            "Close the petition (报结; meets D10).",
            body_optional=True,
        ),
    ],
)
