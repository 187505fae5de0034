"""Centralised disposal: transfer requests, the deputy director's decision, tasks and the return."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from app.deps import (
    Authorized,
    Cursor,
    ExpectedVersion,
    IdempotencyKeyHeader,
    SessionDep,
    create_once,
    with_etag,
)
from app.enums import DisposalTransferState
from app.errors import (
    Conflict,
    Forbidden,
    GateNotMet,
    NotFound,
    PreconditionFailed,
    TransitionNotAllowed,
    problem_responses,
)
from app.models.user import User
from app.routing import Command, add_commands, record_reader
from app.schemas.common import Limit, Page, RowId
from app.schemas.disposal import (
    DisposalDecisionCreate,
    DisposalReturnCreate,
    DisposalTaskCreate,
    DisposalTaskRead,
    DisposalTransferCreate,
    DisposalTransferRead,
)
from app.services import disposal
from app.services.case_access import COMMAND_POLICY
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["disposal"])


_read = record_reader(DisposalTransferRead, disposal.TRANSFERS)


@router.post(
    "/cases/{case_id}/disposal-transfers",
    operation_id="request_disposal_transfer",
    status_code=201,
    response_model=DisposalTransferRead,
    responses=problem_responses(
        Forbidden,
        NotFound,
        TransitionNotAllowed,
        PreconditionFailed,
        GateNotMet,
        Conflict,
        IdempotencyKeyReused,
    ),
)
def request_transfer(
    case_id: RowId,
    body: DisposalTransferCreate,
    session: SessionDep,
    user: Annotated[User, Authorized(COMMAND_POLICY["request_disposal"])],
    expected_version: ExpectedVersion = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Ask to send the case to the property-disposal group (the handling judge, once the ruling is served)."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation=f"request_disposal_transfer:{case_id}",
        payload=body,
        create=lambda: _read(
            disposal.request_transfer(
                session,
                case_id=case_id,
                user=user,
                requested_on=body.requested_on,
                notes=body.notes,
                asset_id=body.asset_id,
                expected_version=expected_version,
            ),
            user,
        ),
        location=lambda created: f"/api/v1/disposal-transfers/{created['id']}",
    )


@router.post(
    "/disposal-transfers/{transfer_id}/tasks",
    operation_id="record_disposal_task",
    status_code=201,
    response_model=DisposalTaskRead,
    responses=problem_responses(Forbidden, NotFound, TransitionNotAllowed, IdempotencyKeyReused),
)
def record_task(
    transfer_id: RowId,
    body: DisposalTaskCreate,
    session: SessionDep,
    user: Annotated[User, Authorized(disposal.TRANSFERS.permission("record_task"))],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Record a task done on a transferred case (the property-disposal group)."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation=f"record_disposal_task:{transfer_id}",
        payload=body,
        create=lambda: DisposalTaskRead.model_validate(
            disposal.record_task(
                session,
                transfer_id=transfer_id,
                user=user,
                kind=body.kind,
                on=body.on,
                result=body.result,
                amount=body.amount,
                asset_id=body.asset_id,
            )
        ),
        location=lambda created: f"/api/v1/disposal-transfers/{transfer_id}",
    )


@router.get(
    "/disposal-transfers",
    operation_id="list_disposal_transfers",
    response_model=Page[DisposalTransferRead],
    responses=problem_responses(Forbidden),
)
def list_transfers(
    session: SessionDep,
    user: Annotated[User, Authorized("disposal.read")],
    state: DisposalTransferState | None = None,
    case_id: RowId | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[DisposalTransferRead]:
    """Disposal transfers, newest first: all for the disposal group and leadership, its own for a team."""
    rows, next_cursor = disposal.list_transfers(
        session, user=user, state=state, case_id=case_id, limit=limit, cursor=cursor
    )
    return Page[DisposalTransferRead](items=[_read(t, user) for t in rows], next_cursor=next_cursor)


@router.get(
    "/disposal-transfers/{transfer_id}",
    operation_id="get_disposal_transfer",
    response_model=DisposalTransferRead,
    responses=problem_responses(Forbidden, NotFound),
)
def get_transfer(
    transfer_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("disposal.read")],
    response: Response,
) -> DisposalTransferRead:
    """One disposal transfer with its tasks."""
    return with_etag(
        response, _read(disposal.get_transfer(session, transfer_id=transfer_id, user=user), user)
    )


add_commands(
    router,
    workflow=disposal.TRANSFERS,
    id_name="transfer_id",
    response_model=DisposalTransferRead,
    read=_read,
    commands=[
        Command(
            "/disposal-transfers/{transfer_id}/approval",
            "decide_disposal_transfer",
            "decide",
            DisposalDecisionCreate,
            disposal.decide_transfer,
            "Approve (the case goes to disposal) or refuse a transfer with a reason (deputy director).",
        ),
        Command(
            "/disposal-transfers/{transfer_id}/return",
            "return_disposal_transfer",
            "return",
            DisposalReturnCreate,
            disposal.return_transfer,
            "Return the case to the team it came from with the amount realised "
            "(the property-disposal group).",
        ),
    ],
)
