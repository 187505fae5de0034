from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Query

from app.errors import Conflict
from app.errors import Forbidden
from app.errors import NotFound
from app.routing import Create
from app.routing import Filter
from app.routing import Listing
from app.routing import PlainCursor
from app.routing import Signoff
from app.routing import add_routes
from app.schemas.deadline import BoardStatus
from app.schemas.deadline import DeadlineBoardItem
from app.schemas.deadline import DeadlineBoardPage
from app.schemas.deadline import DeadlineExtensionCreate
from app.schemas.deadline import DeadlineExtensionRead
from app.schemas.deadline import DeadlineExtensionRequestRead
from app.services import deadline_board
from app.services import deadline_extensions

router = APIRouter(tags=["deadlines"])

Status = Annotated[BoardStatus, Query(description="overdue (default), due_soon, or a clock state")]
Unit = Annotated[str | None, Query(max_length=32, description="unit code; a brigade sees its own only")]

add_routes(
    router,
    response_model=DeadlineExtensionRequestRead,
    routes=[
        Listing(
            "/deadlines",
            "list_deadline_board",
            "deadline.board",
            deadline_board.deadline_board,
            "The early-warning board (期限预警): deadlines overdue or due soon, earliest due date first.",
            filters=[
                Filter(
                    "status",
                    Annotated[
                        BoardStatus, Query(description="overdue (default), due_soon, or a clock state")
                    ],
                    BoardStatus.overdue,
                ),
                Filter(
                    "unit",
                    Annotated[
                        str | None, Query(max_length=32, description="unit code; a brigade sees its own only")
                    ],
                ),
                Filter("rule", Annotated[str | None, Query(max_length=8, description="D1 … D14")]),
            ],
            page=DeadlineBoardPage,
            cursor=PlainCursor,
            schema=DeadlineBoardItem,
        ),
        Create(
            "/cases/{case_id}/deadline-extensions",
            "request_deadline_extension",
            "deadline.request_extension",
            DeadlineExtensionCreate,
            deadline_extensions.request_extension,
            "Ask to extend the enforcement period (D3, the handling judge); dated today; 409 when too late.",
            problems=(Forbidden, NotFound, Conflict),
        ),
        Signoff(
            "/deadline-extensions/{extension_id}/review",
            "review_deadline_extension",
            "deadline.review_extension",
            deadline_extensions.review_extension,
            "The director reviews a request to extend D3 (plan §4: 审核把关).",
        ),
        Signoff(
            "/deadline-extensions/{extension_id}/approval",
            "approve_deadline_extension",
            "deadline.extend",
            deadline_extensions.approve_extension,
            "The president approves a reviewed request; the D3 clock moves by the extension.",
            schema=DeadlineExtensionRead,
        ),
    ],
)
