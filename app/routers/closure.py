"""Closing a case (结案; 终本 through its gate) and restoring a 终本 case (恢复执行)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from app.deps import Authorized, ExpectedVersion, IdempotencyKeyHeader, SessionDep, create_once
from app.errors import (
    Conflict,
    Forbidden,
    GateNotMet,
    NotFound,
    PreconditionFailed,
    TransitionNotAllowed,
    problem_responses,
)
from app.models.case import Case
from app.models.user import User
from app.schemas.closure import (
    ClosureCreate,
    ClosureRead,
    RestorationCreate,
    RestorationRead,
    TerminationPoolEntryRead,
)
from app.schemas.common import RowId
from app.services import closure, restoration, termination_pool
from app.services.case_access import COMMAND_POLICY
from app.services.closure import ClosureOutcome
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["closure"])


def _closure_read(outcome: ClosureOutcome) -> ClosureRead:
    case, row = outcome.case, outcome.closure
    entry = outcome.pool_entry
    pool = (
        TerminationPoolEntryRead.model_validate(termination_pool.item_of(entry, case.case_number))
        if entry
        else None
    )
    return ClosureRead(
        case_id=case.id,
        case_number=case.case_number,
        state=case.state,
        mode=row.mode,
        closed_on=row.closed_on,
        document_number=row.document_number,
        reason=row.reason,
        closed_by=row.closed_by_id,
        version=case.version,
        termination_pool=pool,
        gate_evidence=row.gate_evidence,
        dishonest_deletions_triggered=outcome.dishonest_deletions_triggered,
        disposal_requests_withdrawn=outcome.disposal_requests_withdrawn,
    )


@router.post(
    "/cases/{case_id}/closure",
    operation_id="close_case",
    response_model=ClosureRead,
    responses=problem_responses(Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed, GateNotMet),
)
def close_case(
    case_id: RowId,
    body: ClosureCreate,
    session: SessionDep,
    user: Annotated[User, Authorized(COMMAND_POLICY["close"])],
    response: Response,
    expected_version: ExpectedVersion = None,
) -> ClosureRead:
    """Close the case with a mode (the handling judge); a premature 终本 is refused naming what is missing."""
    outcome = closure.close_case(
        session,
        case_id=case_id,
        user=user,
        mode=body.mode,
        closed_on=body.closed_on,
        document_number=body.document_number,
        reason=body.reason,
        expected_version=expected_version,
    )
    response.headers["ETag"] = f'"{outcome.case.version}"'
    return _closure_read(outcome)


@router.get(
    "/cases/{case_id}/closure",
    operation_id="get_case_closure",
    response_model=ClosureRead,
    responses=problem_responses(Forbidden, NotFound),
)
def get_closure(
    case_id: RowId, session: SessionDep, user: Annotated[User, Authorized("case.read_history")]
) -> ClosureRead:
    """How and when a closed case was closed."""
    return _closure_read(closure.get_closure(session, case_id=case_id, user=user))


def _restoration_read(case: Case) -> RestorationRead:
    assert case.origin_case_id is not None  # a restored case always names the case it restores
    return RestorationRead(
        origin_case_id=case.origin_case_id,
        case_id=case.id,
        case_number=case.case_number,
        state=case.state,
        filed_on=case.filed_on,
        claim_amount=case.claim_amount,
        version=case.version,
    )


@router.post(
    "/cases/{case_id}/restoration",
    operation_id="restore_case",
    status_code=201,
    response_model=RestorationRead,
    responses=problem_responses(Forbidden, NotFound, TransitionNotAllowed, Conflict, IdempotencyKeyReused),
)
def restore_case(
    case_id: RowId,
    body: RestorationCreate,
    session: SessionDep,
    user: Annotated[User, Authorized(COMMAND_POLICY["restore"])],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Restore a 终本 case (恢复执行): a new linked case with a 执恢 number, to be registered and triaged."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation=f"restore_case:{case_id}",
        payload=body,
        create=lambda: _restoration_read(
            restoration.restore_case(
                session, case_id=case_id, user=user, restored_on=body.restored_on, reason=body.reason
            )
        ),
        location=lambda created: f"/api/v1/cases/{created['case_id']}",
    )
