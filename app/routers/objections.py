"""Objections (执行异议) at the objection group (DOMAIN.md §7, plan §5(7))."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query, Response
from fastapi.responses import JSONResponse

from app.deps import (
    Authorized,
    Cursor,
    IdempotencyKeyHeader,
    IfMatch,
    SessionDep,
    created_response,
    with_etag,
)
from app.enums import ObjectionKind, ObjectionState
from app.errors import Forbidden, NotFound, PreconditionFailed, TransitionNotAllowed, problem_responses
from app.models.objection import Objection
from app.schemas.common import Limit, Page, RowId
from app.schemas.objection import (
    DocketCreate,
    HearingCreate,
    ObjectionCreate,
    ObjectionRead,
    ReconsiderationCreate,
    RulingCreate,
    ServiceCreate,
    TransferCreate,
)
from app.services import idempotency, objections
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["objections"])

_COMMAND_PROBLEMS = problem_responses(Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed)


def _read(objection: Objection) -> ObjectionRead:
    return ObjectionRead.model_validate(objection).model_copy(
        update={"allowed_actions": objections.allowed_actions(objection)}
    )


@router.post(
    "/objections",
    operation_id="file_objection",
    status_code=201,
    response_model=ObjectionRead,
    responses=problem_responses(Forbidden, NotFound, IdempotencyKeyReused),
)
def file_objection(
    body: ObjectionCreate,
    session: SessionDep,
    user: Authorized("objection.file"),
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Receive an objection against a case (starts D5 or D6)."""
    result = idempotency.respond_once(
        session,
        user_id=user.id,
        key=idempotency_key,
        operation="file_objection",
        payload=body,
        create=lambda: _read(objections.file_objection(session, user=user, **body.model_dump())),
    )
    return created_response(result, f"/api/v1/objections/{result.body['id']}")


@router.get(
    "/objections",
    operation_id="list_objections",
    response_model=Page[ObjectionRead],
    responses=problem_responses(Forbidden),
)
def list_objections(
    session: SessionDep,
    user: Authorized("objection.read"),
    state: ObjectionState | None = None,
    kind: ObjectionKind | None = None,
    case_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ObjectionRead]:
    """List objections, newest first, by state, kind or case."""
    filters = objections.ObjectionFilters(state=state, kind=kind, case_id=case_id)
    rows, next_cursor = objections.list_objections(
        session, user=user, filters=filters, limit=limit, cursor=cursor
    )
    return Page[ObjectionRead](items=[_read(o) for o in rows], next_cursor=next_cursor)


@router.get(
    "/cases/{case_id}/objections",
    operation_id="list_case_objections",
    response_model=Page[ObjectionRead],
    responses=problem_responses(Forbidden, NotFound),
)
def list_case_objections(
    case_id: RowId,
    session: SessionDep,
    user: Authorized("objection.read"),
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ObjectionRead]:
    """The objections filed against one case, newest first."""
    rows, next_cursor = objections.list_case_objections(
        session, user=user, case_id=case_id, limit=limit, cursor=cursor
    )
    return Page[ObjectionRead](items=[_read(o) for o in rows], next_cursor=next_cursor)


@router.get(
    "/objections/{objection_id}",
    operation_id="get_objection",
    response_model=ObjectionRead,
    responses=problem_responses(Forbidden, NotFound),
)
def read_objection(
    objection_id: RowId, session: SessionDep, user: Authorized("objection.read"), response: Response
) -> ObjectionRead:
    """One objection with its hearings, ruling and reconsideration."""
    return with_etag(response, _read(objections.get_objection(session, user=user, objection_id=objection_id)))


@router.post(
    "/objections/{objection_id}/docket",
    operation_id="docket_objection",
    response_model=ObjectionRead,
    responses=_COMMAND_PROBLEMS,
)
def docket_objection(
    objection_id: RowId,
    session: SessionDep,
    user: Authorized("objection.handle"),
    response: Response,
    body: Annotated[DocketCreate | None, Body()] = None,
    if_match: IfMatch = None,
) -> ObjectionRead:
    """Docket the objection with its own 执异 case number."""
    objection = objections.docket_objection(
        session,
        user=user,
        objection_id=objection_id,
        docketed_on=body.docketed_on if body else None,
        if_match=if_match,
    )
    return with_etag(response, _read(objection))


@router.post(
    "/objections/{objection_id}/hearing",
    operation_id="record_objection_hearing",
    response_model=ObjectionRead,
    responses=_COMMAND_PROBLEMS,
)
def record_hearing(
    objection_id: RowId,
    body: HearingCreate,
    session: SessionDep,
    user: Authorized("objection.handle"),
    response: Response,
    if_match: IfMatch = None,
) -> ObjectionRead:
    """Schedule a hearing, or record that it was held."""
    objection = objections.record_hearing(
        session, user=user, objection_id=objection_id, if_match=if_match, **body.model_dump()
    )
    return with_etag(response, _read(objection))


@router.post(
    "/objections/{objection_id}/ruling",
    operation_id="rule_on_objection",
    response_model=ObjectionRead,
    responses=_COMMAND_PROBLEMS,
)
def record_ruling(
    objection_id: RowId,
    body: RulingCreate,
    session: SessionDep,
    user: Authorized("objection.handle"),
    response: Response,
    if_match: IfMatch = None,
) -> ObjectionRead:
    """Rule on the objection: upheld or rejected, with reasons (meets D5/D6)."""
    objection = objections.record_ruling(
        session, user=user, objection_id=objection_id, if_match=if_match, **body.model_dump()
    )
    return with_etag(response, _read(objection))


@router.post(
    "/objections/{objection_id}/service",
    operation_id="record_objection_ruling_service",
    response_model=ObjectionRead,
    responses=_COMMAND_PROBLEMS,
)
def record_service(
    objection_id: RowId,
    body: ServiceCreate,
    session: SessionDep,
    user: Authorized("objection.handle"),
    response: Response,
    if_match: IfMatch = None,
) -> ObjectionRead:
    """Record service of the ruling (starts D7, the reconsideration period)."""
    objection = objections.record_service(
        session, user=user, objection_id=objection_id, if_match=if_match, **body.model_dump()
    )
    return with_etag(response, _read(objection))


@router.post(
    "/objections/{objection_id}/reconsideration",
    operation_id="apply_for_objection_reconsideration",
    response_model=ObjectionRead,
    responses=_COMMAND_PROBLEMS,
)
def apply_for_reconsideration(
    objection_id: RowId,
    body: ReconsiderationCreate,
    session: SessionDep,
    user: Authorized("objection.handle"),
    response: Response,
    if_match: IfMatch = None,
) -> ObjectionRead:
    """Record an application for reconsideration of the ruling (starts D8)."""
    objection = objections.apply_for_reconsideration(
        session, user=user, objection_id=objection_id, if_match=if_match, **body.model_dump()
    )
    return with_etag(response, _read(objection))


@router.post(
    "/objections/{objection_id}/transfer",
    operation_id="transfer_objection_file",
    response_model=ObjectionRead,
    responses=_COMMAND_PROBLEMS,
)
def record_transfer(
    objection_id: RowId,
    body: TransferCreate,
    session: SessionDep,
    user: Authorized("objection.handle"),
    response: Response,
    if_match: IfMatch = None,
) -> ObjectionRead:
    """Record the transfer of the file to the higher court (meets D8)."""
    objection = objections.record_transfer(
        session, user=user, objection_id=objection_id, if_match=if_match, **body.model_dump()
    )
    return with_etag(response, _read(objection))
