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
    DeadlineExtensionRequestRead,
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
    operation_id="request_deadline_extension",
    status_code=201,
    response_model=DeadlineExtensionRequestRead,
    responses=problem_responses(Forbidden, NotFound, Conflict, IdempotencyKeyReused),
)
def request_deadline_extension(
    case_id: RowId,
    body: DeadlineExtensionCreate,
    session: SessionDep,
    user: Annotated[User, Authorized("deadline.request_extension")],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Ask to extend the enforcement period (D3, the handling judge); dated today; 409 when too late."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation=f"request_deadline_extension:{case_id}",
        payload=body,
        create=lambda: DeadlineExtensionRequestRead.model_validate(
            deadline_extensions.request_extension(
                session, case_id=case_id, user=user, rule=body.rule, reason=body.reason, months=body.months
            )
        ),
    )


@router.post(
    "/deadline-extensions/{extension_id}/review",
    operation_id="review_deadline_extension",
    response_model=DeadlineExtensionRequestRead,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def review_deadline_extension(
    extension_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("deadline.review_extension")],
) -> DeadlineExtensionRequestRead:
    """The director reviews a request to extend D3 (plan §4: 审核把关)."""
    return DeadlineExtensionRequestRead.model_validate(
        deadline_extensions.review_extension(session, extension_id=extension_id, user=user)
    )


@router.post(
    "/deadline-extensions/{extension_id}/approval",
    operation_id="approve_deadline_extension",
    response_model=DeadlineExtensionRead,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def approve_deadline_extension(
    extension_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("deadline.extend")],
) -> DeadlineExtensionRead:
    """The president approves a reviewed request; the D3 clock moves by the extension."""
    return DeadlineExtensionRead.model_validate(
        deadline_extensions.approve_extension(session, extension_id=extension_id, user=user)
    )
