"""Assets found by the property investigation (财产查控)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from app.deps import Authorized, IdempotencyKeyHeader, SessionDep, create_once
from app.errors import Forbidden, NotFound, TransitionNotAllowed, problem_responses
from app.models.user import User
from app.schemas.asset import AssetCreate, AssetList, AssetRead
from app.schemas.common import Limit, RowId
from app.services import assets
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["assets"])


@router.post(
    "/cases/{case_id}/assets",
    operation_id="record_asset",
    status_code=201,
    response_model=AssetRead,
    responses=problem_responses(Forbidden, NotFound, TransitionNotAllowed, IdempotencyKeyReused),
)
def record_asset(
    case_id: RowId,
    body: AssetCreate,
    session: SessionDep,
    user: Annotated[User, Authorized("asset.record")],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Record an asset the investigation found (comprehensive group, or the handling team)."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation=f"record_asset:{case_id}",
        payload=body,
        create=lambda: AssetRead.model_validate(
            assets.record_asset(
                session,
                case_id=case_id,
                user=user,
                kind=body.kind,
                value=body.value,
                status=body.status,
                disposable=body.disposable,
                description=body.description,
                controlled_on=body.controlled_on,
            )
        ),
    )


@router.get(
    "/cases/{case_id}/assets",
    operation_id="list_assets",
    response_model=AssetList,
    responses=problem_responses(Forbidden, NotFound),
)
def list_assets(
    case_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("case.read_history")],
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> AssetList:
    """The assets recorded on a case, in the order recorded."""
    rows, next_cursor = assets.list_assets(session, case_id=case_id, user=user, limit=limit, cursor=cursor)
    return AssetList(items=[AssetRead.model_validate(a) for a in rows], next_cursor=next_cursor)
