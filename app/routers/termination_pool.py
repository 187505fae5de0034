"""The 终本 pool: cases closed as 终本 and their re-check dates (docs/rules.md#gate)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from app.deps import Authorized, Cursor, IdempotencyKeyHeader, SessionDep, create_once
from app.enums import TerminationPoolStatus
from app.errors import Conflict, Forbidden, InvalidInput, NotFound, TransitionNotAllowed, problem_responses
from app.models.user import User
from app.schemas.closure import RecheckCreate, RecheckRead, TerminationPoolEntryRead
from app.schemas.common import Limit, Page, RowId
from app.services import termination_pool
from app.services.case_access import COMMAND_POLICY
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["termination pool"])


@router.get(
    "/termination-pool",
    operation_id="list_termination_pool",
    response_model=Page[TerminationPoolEntryRead],
    responses=problem_responses(Forbidden),
)
def list_pool(
    session: SessionDep,
    user: Annotated[User, Authorized("termination_pool.read")],
    unit: Annotated[str | None, Query(max_length=32, description="unit, e.g. brigade-2")] = None,
    status: TerminationPoolStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[TerminationPoolEntryRead]:
    """Cases closed as 终本 with their re-check dates (a brigade sees its own), oldest entry first."""
    items, next_cursor = termination_pool.list_pool(
        session, user=user, unit=unit, status=status, limit=limit, cursor=cursor
    )
    return Page[TerminationPoolEntryRead](
        items=[TerminationPoolEntryRead.model_validate(i) for i in items], next_cursor=next_cursor
    )


@router.post(
    "/cases/{case_id}/termination-pool/rechecks",
    operation_id="record_termination_pool_recheck",
    status_code=201,
    response_model=RecheckRead,
    responses=problem_responses(
        Forbidden, NotFound, TransitionNotAllowed, Conflict, InvalidInput, IdempotencyKeyReused
    ),
)
def record_recheck(
    case_id: RowId,
    body: RecheckCreate,
    session: SessionDep,
    user: Annotated[User, Authorized(COMMAND_POLICY["recheck_pool"])],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Record a re-check of a 终本 pool case; it meets the re-check due and starts the next (D14)."""

    def create() -> RecheckRead:
        outcome = termination_pool.record_recheck(
            session,
            case_id=case_id,
            user=user,
            checked_on=body.checked_on,
            method=body.method,
            result=body.result,
            clue_pending=body.clue_pending,
            notes=body.notes,
        )
        read = RecheckRead.model_validate(outcome.recheck)
        return read.model_copy(update={"dishonest_deletion_offered": outcome.deletion_offered})

    return create_once(
        session,
        user,
        key=idempotency_key,
        operation=f"record_termination_pool_recheck:{case_id}",
        payload=body,
        create=create,
    )


@router.get(
    "/cases/{case_id}/termination-pool/rechecks",
    operation_id="list_termination_pool_rechecks",
    response_model=Page[RecheckRead],
    responses=problem_responses(Forbidden, NotFound),
)
def list_rechecks(
    case_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("case.read")],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[RecheckRead]:
    """The re-checks recorded on a 终本 pool case, oldest first."""
    rows, next_cursor = termination_pool.list_rechecks(
        session, case_id=case_id, user=user, limit=limit, cursor=cursor
    )
    return Page[RecheckRead](items=[RecheckRead.model_validate(r) for r in rows], next_cursor=next_cursor)
