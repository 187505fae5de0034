"""Enforcement measures recorded on a case by its handling team (plan §5(3))."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.deps import Authorized, Cursor, ExpectedVersion, IdempotencyKeyHeader, SessionDep, create_once
from app.enums import MeasureKind
from app.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PreconditionFailed,
    TransitionNotAllowed,
    problem_responses,
)
from app.models.user import User
from app.schemas.common import Limit, Page, RowId
from app.schemas.measure import MeasureCreate, MeasureRead
from app.services import measures
from app.services.case_access import COMMAND_POLICY
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["measures"])


@router.post(
    "/cases/{case_id}/measures",
    operation_id="record_measure",
    status_code=201,
    response_model=MeasureRead,
    responses=problem_responses(
        Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed, Conflict, IdempotencyKeyReused
    ),
)
def record_measure(
    case_id: RowId,
    body: MeasureCreate,
    session: SessionDep,
    user: Annotated[User, Authorized(COMMAND_POLICY["record_measure"])],
    expected_version: ExpectedVersion = None,
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Record an enforcement measure on the case (the handling team)."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation=f"record_measure:{case_id}",
        payload=body,
        create=lambda: MeasureRead.model_validate(
            measures.record_measure(
                session,
                case_id=case_id,
                user=user,
                measure=measures.NewMeasure(**body.model_dump()),
                expected_version=expected_version,
            )
        ),
        location=lambda created: f"/api/v1/cases/{case_id}/measures/{created['id']}",
    )


@router.get(
    "/cases/{case_id}/measures",
    operation_id="list_measures",
    response_model=Page[MeasureRead],
    responses=problem_responses(Forbidden, NotFound),
)
def list_measures(
    case_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("case.read_history")],
    kind: MeasureKind | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[MeasureRead]:
    """The measures recorded on a case, oldest first."""
    rows, next_cursor = measures.list_measures(
        session, case_id=case_id, user=user, kind=kind, limit=limit, cursor=cursor
    )
    return Page[MeasureRead](items=[MeasureRead.model_validate(m) for m in rows], next_cursor=next_cursor)


@router.get(
    "/cases/{case_id}/measures/{measure_id}",
    operation_id="get_measure",
    response_model=MeasureRead,
    responses=problem_responses(Forbidden, NotFound),
)
def get_measure(
    case_id: RowId,
    measure_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("case.read_history")],
) -> MeasureRead:
    """One measure recorded on a case."""
    return MeasureRead.model_validate(
        measures.get_measure(session, case_id=case_id, measure_id=measure_id, user=user)
    )


@router.post(
    "/cases/{case_id}/measures/{measure_id}/review",
    operation_id="review_measure",
    response_model=MeasureRead,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def review_measure(
    case_id: RowId,
    measure_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("measure.review")],
) -> MeasureRead:
    """The director reviews a fine, detention or consumption-restriction order (plan §4: 审核把关)."""
    return MeasureRead.model_validate(
        measures.review_measure(session, case_id=case_id, measure_id=measure_id, user=user)
    )


@router.post(
    "/cases/{case_id}/measures/{measure_id}/approval",
    operation_id="approve_measure",
    response_model=MeasureRead,
    responses=problem_responses(Forbidden, NotFound, Conflict),
)
def approve_measure(
    case_id: RowId,
    measure_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("measure.approve")],
) -> MeasureRead:
    """The president approves and signs a reviewed fine, detention or consumption-restriction order."""
    return MeasureRead.model_validate(
        measures.approve_measure(session, case_id=case_id, measure_id=measure_id, user=user)
    )
