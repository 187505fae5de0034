"""Assets found by the property investigation (财产查控)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from app.deps import Authorized, IdempotencyKeyHeader, SessionDep, create_once
from app.enums import AssetControlAction
from app.errors import Conflict, Forbidden, InvalidInput, NotFound, TransitionNotAllowed, problem_responses
from app.models.user import User
from app.routing import Create, Listing, PlainCursor, add_routes
from app.schemas.asset import AssetCreate, AssetList, AssetRead, AssetRelease, AssetRenewal
from app.schemas.common import RowId
from app.services import assets
from app.services.assets import ControlStep
from app.services.case_access import COMMAND_POLICY
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["assets"])


add_routes(
    router,
    response_model=AssetRead,
    routes=[
        Create(
            "/cases/{case_id}/assets",
            "record_asset",
            COMMAND_POLICY["record_asset"],
            AssetCreate,
            assets.record_asset,
            "Record an asset the investigation found (comprehensive group, or the handling team).",
            problems=(Forbidden, NotFound, TransitionNotAllowed),
        ),
    ],
)


CONTROL_PROBLEMS = problem_responses(
    Forbidden, NotFound, TransitionNotAllowed, Conflict, InvalidInput, IdempotencyKeyReused
)


@router.post(
    "/cases/{case_id}/assets/{asset_id}/renewals",
    operation_id="renew_asset_control",
    status_code=201,
    response_model=AssetRead,
    responses=CONTROL_PROBLEMS,
)
def renew_asset_control(
    case_id: RowId,
    asset_id: RowId,
    body: AssetRenewal,
    session: SessionDep,
    user: Annotated[User, Authorized(COMMAND_POLICY["control_asset"])],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Renew a freeze or seal (续冻/续封) before it lapses; its renewal clock (D12) restarts."""
    step = ControlStep(AssetControlAction.renewal, body.renewed_on, body.document_number, body.expires_on)
    return _control_once(session, user, case_id, asset_id, idempotency_key, body, step)


@router.post(
    "/cases/{case_id}/assets/{asset_id}/release",
    operation_id="release_asset_control",
    status_code=201,
    response_model=AssetRead,
    responses=CONTROL_PROBLEMS,
)
def release_asset_control(
    case_id: RowId,
    asset_id: RowId,
    body: AssetRelease,
    session: SessionDep,
    user: Annotated[User, Authorized(COMMAND_POLICY["control_asset"])],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Release a freeze or seal (解除); its renewal clock (D12) ends."""
    step = ControlStep(AssetControlAction.release, body.released_on, body.document_number)
    return _control_once(session, user, case_id, asset_id, idempotency_key, body, step)


def _control_once(
    session: Session,
    user: User,
    case_id: int,
    asset_id: int,
    key: str | None,
    body: AssetRenewal | AssetRelease,
    step: ControlStep,
) -> JSONResponse:
    return create_once(
        session,
        user,
        key=key,
        operation=f"{step.action}_asset_control:{case_id}:{asset_id}",
        payload=body,
        create=lambda: AssetRead.model_validate(
            assets.control_asset(session, case_id=case_id, asset_id=asset_id, user=user, step=step)
        ),
    )


add_routes(
    router,
    response_model=AssetRead,
    routes=[
        Listing(
            "/cases/{case_id}/assets",
            "list_assets",
            "case.read_history",
            assets.list_assets,
            "The assets recorded on a case, in the order recorded.",
            page=AssetList,
            cursor=PlainCursor,
        ),
    ],
)
