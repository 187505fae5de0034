"""Closing a case (结案; 终本 through its gate) and restoring a 终本 case (恢复执行)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from app.deps import Authorized, SessionDep
from app.errors import (
    Conflict,
    Forbidden,
    GateNotMet,
    NotFound,
    TransitionNotAllowed,
    problem_responses,
)
from app.models.case import Case
from app.models.user import User
from app.routing import Change, Create, add_routes
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


add_routes(
    router,
    response_model=ClosureRead,
    read=lambda outcome, _user: _closure_read(outcome),
    routes=[
        Change(
            "/cases/{case_id}/closure",
            "close_case",
            COMMAND_POLICY["close"],
            ClosureCreate,
            closure.close_case,
            "Close the case with a mode (the handling judge); "
            "a premature 终本 is refused naming what is missing.",
            more_problems=(GateNotMet,),
        ),
    ],
)


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


add_routes(
    router,
    response_model=RestorationRead,
    read=lambda case, _user: _restoration_read(case),
    routes=[
        Create(
            "/cases/{case_id}/restoration",
            "restore_case",
            COMMAND_POLICY["restore"],
            RestorationCreate,
            restoration.restore_case,
            "Restore a 终本 case (恢复执行): "
            "a new linked case with a 执恢 number, to be registered and triaged.",
            problems=(Forbidden, NotFound, TransitionNotAllowed, Conflict),
            location="/api/v1/cases/{case_id}",
        ),
    ],
)
