"""The 终本 pool: cases closed as 终本 and their re-check dates (docs/rules.md#gate)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Query

from app.enums import TerminationPoolStatus
from app.errors import Conflict
from app.errors import Forbidden
from app.errors import InvalidInput
from app.errors import NotFound
from app.errors import TransitionNotAllowed
from app.models.user import User
from app.routing import Create
from app.routing import Filter
from app.routing import Listing
from app.routing import add_routes
from app.schemas.closure import RecheckCreate
from app.schemas.closure import RecheckRead
from app.schemas.closure import TerminationPoolEntryRead
from app.services import termination_pool
from app.services.case_access import COMMAND_POLICY

router = APIRouter(tags=["termination pool"])

Unit = Annotated[str | None, Query(max_length=32, description="unit, e.g. brigade-2")]


def _recorded_recheck(outcome: termination_pool.RecheckOutcome, user: User) -> RecheckRead:
    read = RecheckRead.model_validate(outcome.recheck)
    return read.model_copy(update={"dishonest_deletion_offered": outcome.deletion_offered})


add_routes(
    router,
    response_model=RecheckRead,
    routes=[
        Listing(
            "/termination-pool",
            "list_termination_pool",
            "termination_pool.read",
            termination_pool.list_pool,
            "Cases closed as 终本 with their re-check dates (a brigade sees its own), oldest entry first.",
            filters=[
                Filter(
                    "unit", Annotated[str | None, Query(max_length=32, description="unit, e.g. brigade-2")]
                ),
                Filter("status", TerminationPoolStatus | None),
            ],
            schema=TerminationPoolEntryRead,
        ),
        Create(
            "/cases/{case_id}/termination-pool/rechecks",
            "record_termination_pool_recheck",
            COMMAND_POLICY["recheck_pool"],
            RecheckCreate,
            termination_pool.record_recheck,
            "Record a re-check of a 终本 pool case; it meets the re-check due and starts the next (D14).",
            problems=(Forbidden, NotFound, TransitionNotAllowed, Conflict, InvalidInput),
            read=_recorded_recheck,
        ),
        Listing(
            "/cases/{case_id}/termination-pool/rechecks",
            "list_termination_pool_rechecks",
            "case.read",
            termination_pool.list_rechecks,
            "The re-checks recorded on a 终本 pool case, oldest first.",
        ),
    ],
)
