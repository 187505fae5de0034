"""Closing a case (结案; 终本 through its gate) and restoring a 终本 case (恢复执行)."""

from __future__ import annotations

from fastapi import APIRouter

from app.errors import Conflict
from app.errors import Forbidden
from app.errors import GateNotMet
from app.errors import NotFound
from app.errors import TransitionNotAllowed
from app.models.case import Case
from app.routing import API_PREFIX
from app.routing import Change
from app.routing import Create
from app.routing import Show
from app.routing import add_routes
from app.schemas.closure import ClosureCreate
from app.schemas.closure import ClosureRead
from app.schemas.closure import RestorationCreate
from app.schemas.closure import RestorationRead
from app.schemas.closure import TerminationPoolEntryRead
from app.schemas.common import read_of
from app.services import closure
from app.services import restoration
from app.services import termination_pool
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
    # the case's number, state and version with the closure row's mode, dates and evidence
    return read_of(
        ClosureRead, outcome, row, case, case_id=case.id, closed_by=row.closed_by_id, termination_pool=pool
    )


def _restoration_read(case: Case) -> RestorationRead:
    assert case.origin_case_id is not None  # a restored case always names the case it restores
    return read_of(RestorationRead, case, case_id=case.id)


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
        Show(
            "/cases/{case_id}/closure",
            "get_case_closure",
            "case.read_history",
            closure.get_closure,
            "How and when a closed case was closed.",
        ),
        Create(
            "/cases/{case_id}/restoration",
            "restore_case",
            COMMAND_POLICY["restore"],
            RestorationCreate,
            restoration.restore_case,
            "Restore a 终本 case (恢复执行): "
            "a new linked case with a 执恢 number, to be registered and triaged.",
            problems=(Forbidden, NotFound, TransitionNotAllowed, Conflict),
            location=API_PREFIX + "/cases/{case_id}",
            schema=RestorationRead,
            read=lambda case, _user: _restoration_read(case),
        ),
    ],
)
