"""Assets found by the property investigation (财产查控)."""

from __future__ import annotations

from fastapi import APIRouter

from app.errors import Conflict
from app.errors import Forbidden
from app.errors import InvalidInput
from app.errors import NotFound
from app.errors import TransitionNotAllowed
from app.routing import Create
from app.routing import Listing
from app.routing import PlainCursor
from app.routing import add_routes
from app.schemas.asset import AssetCreate
from app.schemas.asset import AssetList
from app.schemas.asset import AssetRead
from app.schemas.asset import AssetRelease
from app.schemas.asset import AssetRenewal
from app.services import assets
from app.services.case_access import COMMAND_POLICY

router = APIRouter(tags=["assets"])
# A renewal or release: besides the record's problems, one already released or a date out of order.
CONTROL_PROBLEMS = (Forbidden, NotFound, TransitionNotAllowed, Conflict, InvalidInput)


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
        Create(
            "/cases/{case_id}/assets/{asset_id}/renewals",
            "renew_asset_control",
            COMMAND_POLICY["control_asset"],
            AssetRenewal,
            assets.renew_control,
            "Renew a freeze or seal (续冻/续封) before it lapses; its renewal clock (D12) restarts.",
            problems=CONTROL_PROBLEMS,
        ),
        Create(
            "/cases/{case_id}/assets/{asset_id}/release",
            "release_asset_control",
            COMMAND_POLICY["control_asset"],
            AssetRelease,
            assets.release_control,
            "Release a freeze or seal (解除); its renewal clock (D12) ends.",
            problems=CONTROL_PROBLEMS,
        ),
    ],
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
