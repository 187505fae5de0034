"""Objections (执行异议) at the objection group (docs/rules.md#objections, plan §5(7))."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from app.deps import (
    Authorized,
    Cursor,
    IdempotencyKeyHeader,
    SessionDep,
    create_once,
    with_etag,
)
from app.enums import ObjectionKind, ObjectionState
from app.errors import Forbidden, NotFound, problem_responses
from app.models.user import User
from app.routing import Command, add_commands, record_reader
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
from app.services import objections
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["objections"])


_read = record_reader(ObjectionRead, objections.OBJECTIONS)


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
    user: Annotated[User, Authorized("objection.file")],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Receive an objection against a case (starts D5 or D6)."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation="file_objection",
        payload=body,
        create=lambda: _read(objections.file_objection(session, user=user, **body.model_dump()), user),
        location=lambda created: f"/api/v1/objections/{created['id']}",
    )


@router.get(
    "/objections",
    operation_id="list_objections",
    response_model=Page[ObjectionRead],
    responses=problem_responses(Forbidden),
)
def list_objections(
    session: SessionDep,
    user: Annotated[User, Authorized("objection.read")],
    state: ObjectionState | None = None,
    kind: ObjectionKind | None = None,
    case_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ObjectionRead]:
    """List objections, newest first, by state, kind or case."""
    rows, next_cursor = objections.list_objections(
        session, user=user, state=state, kind=kind, case_id=case_id, limit=limit, cursor=cursor
    )
    return Page[ObjectionRead](items=[_read(o, user) for o in rows], next_cursor=next_cursor)


@router.get(
    "/cases/{case_id}/objections",
    operation_id="list_case_objections",
    response_model=Page[ObjectionRead],
    responses=problem_responses(Forbidden, NotFound),
)
def list_case_objections(
    case_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("objection.read")],
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[ObjectionRead]:
    """The objections filed against one case, newest first."""
    rows, next_cursor = objections.list_case_objections(
        session, user=user, case_id=case_id, limit=limit, cursor=cursor
    )
    return Page[ObjectionRead](items=[_read(o, user) for o in rows], next_cursor=next_cursor)


@router.get(
    "/objections/{objection_id}",
    operation_id="get_objection",
    response_model=ObjectionRead,
    responses=problem_responses(Forbidden, NotFound),
)
def read_objection(
    objection_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("objection.read")],
    response: Response,
) -> ObjectionRead:
    """One objection with its hearings, ruling and reconsideration."""
    return with_etag(
        response, _read(objections.get_objection(session, user=user, objection_id=objection_id), user)
    )


add_commands(
    router,
    workflow=objections.OBJECTIONS,
    id_name="objection_id",
    response_model=ObjectionRead,
    read=_read,
    commands=[
        Command(
            "/objections/{objection_id}/docket",
            "docket_objection",
            "docket",
            DocketCreate,
            objections.docket_objection,
            "Docket the objection with its own 执异 case number.",
            body_optional=True,
        ),
        Command(
            "/objections/{objection_id}/hearing",
            "record_objection_hearing",
            "hearing",
            HearingCreate,
            objections.record_hearing,
            "Schedule a hearing, or record that it was held.",
        ),
        Command(
            "/objections/{objection_id}/ruling",
            "rule_on_objection",
            "ruling",
            RulingCreate,
            objections.record_ruling,
            "Rule on the objection: upheld or rejected, with reasons (meets D5/D6).",
        ),
        Command(
            "/objections/{objection_id}/service",
            "record_objection_ruling_service",
            "service",
            ServiceCreate,
            objections.record_service,
            "Record service of the ruling (starts D7, the reconsideration period).",
        ),
        Command(
            "/objections/{objection_id}/reconsideration",
            "apply_for_objection_reconsideration",
            "reconsideration",
            ReconsiderationCreate,
            objections.apply_for_reconsideration,
            "Record an application for reconsideration of the ruling (starts D8).",
        ),
        Command(
            "/objections/{objection_id}/transfer",
            "transfer_objection_file",
            "transfer",
            TransferCreate,
            objections.record_transfer,
            "Record the transfer of the file to the higher court (meets D8).",
        ),
    ],
)
