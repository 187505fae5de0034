from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from app.deps import Authorized, IdempotencyKeyHeader, SessionDep, create_once
from app.errors import Conflict, Forbidden, NotFound, problem_responses
from app.models.user import User
from app.schemas.common import Limit, RowId
from app.schemas.deadline import (
    BoardStatus,
    DeadlineBoardItem,
    DeadlineBoardPage,
    DeadlineExtensionCreate,
    DeadlineExtensionRead,
)
from app.services import deadline_board, deadline_extensions
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["deadlines"])


@router.get(
    "/deadlines",
    operation_id="list_deadline_board",
    response_model=DeadlineBoardPage,
    responses=problem_responses(Forbidden),
)
def list_deadline_board(
    session: SessionDep,
    user: Annotated[User, Authorized("deadline.board")],
    status: Annotated[BoardStatus, Query(description="overdue (default), due_soon, or a clock state")] = (
        BoardStatus.overdue
    ),
    unit: Annotated[
        str | None, Query(max_length=32, description="unit code; a brigade sees its own only")
    ] = None,
    rule: Annotated[str | None, Query(max_length=8, description="D1 … D14")] = None,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> DeadlineBoardPage:
    """The early-warning board (期限预警): deadlines overdue or due soon, earliest due date first."""
    lines, next_cursor = deadline_board.deadline_board(
        session, user=user, status=status.value, unit=unit, rule=rule, cursor=cursor, limit=limit
    )
    return DeadlineBoardPage(
        items=[DeadlineBoardItem.model_validate(line) for line in lines], next_cursor=next_cursor
    )


@router.post(
    "/cases/{case_id}/deadline-extensions",
    operation_id="approve_deadline_extension",
    status_code=201,
    response_model=DeadlineExtensionRead,
    responses=problem_responses(Forbidden, NotFound, Conflict, IdempotencyKeyReused),
)
def approve_deadline_extension(
    case_id: RowId,
    body: DeadlineExtensionCreate,
    session: SessionDep,
    user: Annotated[User, Authorized("deadline.extend")],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Approve an extension of the enforcement period (D3, director); 409 when asked for too late."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation=f"approve_deadline_extension:{case_id}",
        payload=body,
        create=lambda: DeadlineExtensionRead.model_validate(
            deadline_extensions.approve_extension(
                session,
                case_id=case_id,
                user=user,
                rule=body.rule,
                requested_on=body.requested_on,
                reason=body.reason,
                months=body.months,
            )
        ),
    )
