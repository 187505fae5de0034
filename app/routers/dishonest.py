"""The dishonest-respondent list (失信被执行人名单): proposals, the director's decision, deletion."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from app.deps import (
    Authorized,
    Cursor,
    IdempotencyKeyHeader,
    SessionDep,
    create_once,
    with_etag,
)
from app.enums import DishonestListingState
from app.errors import (
    Conflict,
    Forbidden,
    GateNotMet,
    NotFound,
    PreconditionFailed,
    TransitionNotAllowed,
    problem_responses,
)
from app.models.user import User
from app.routing import Command, add_commands, record_reader
from app.schemas.common import Limit, Page, RowId
from app.schemas.dishonest import (
    DeletionCreate,
    DeletionTriggerCreate,
    DishonestDecisionCreate,
    DishonestListingCreate,
    DishonestListingRead,
)
from app.services import dishonest
from app.services.case_access import COMMAND_POLICY
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["dishonest list"])


_read = record_reader(DishonestListingRead, dishonest.LISTINGS)


@router.post(
    "/cases/{case_id}/dishonest-listings",
    operation_id="propose_dishonest_listing",
    status_code=201,
    response_model=DishonestListingRead,
    responses=problem_responses(Forbidden, NotFound, TransitionNotAllowed, Conflict, IdempotencyKeyReused),
)
def propose_listing(
    case_id: RowId,
    body: DishonestListingCreate,
    session: SessionDep,
    user: Annotated[User, Authorized(COMMAND_POLICY["propose_dishonest"])],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Propose a respondent for the dishonest list (the handling judge)."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation=f"propose_dishonest_listing:{case_id}",
        payload=body,
        create=lambda: _read(
            dishonest.propose_listing(
                session,
                case_id=case_id,
                user=user,
                respondent_id=body.respondent_id,
                ground=body.ground,
                facts=body.facts,
                proposed_on=body.proposed_on,
            ),
            user,
        ),
        location=lambda created: f"/api/v1/dishonest-listings/{created['id']}",
    )


@router.get(
    "/cases/{case_id}/dishonest-listings",
    operation_id="list_case_dishonest_listings",
    response_model=Page[DishonestListingRead],
    responses=problem_responses(Forbidden, NotFound),
)
def list_case_listings(
    case_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("dishonest.read")],
    state: DishonestListingState | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[DishonestListingRead]:
    """The dishonest-list proposals and listings of one case, newest first."""
    rows, next_cursor = dishonest.list_listings(
        session, user=user, case_id=case_id, state=state, limit=limit, cursor=cursor
    )
    return Page[DishonestListingRead](items=[_read(row, user) for row in rows], next_cursor=next_cursor)


@router.get(
    "/dishonest-listings",
    operation_id="list_dishonest_listings",
    response_model=Page[DishonestListingRead],
    responses=problem_responses(Forbidden),
)
def list_listings(
    session: SessionDep,
    user: Annotated[User, Authorized("dishonest.read")],
    state: DishonestListingState | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[DishonestListingRead]:
    """Dishonest-list proposals and listings the caller may see, newest first; filter by ``state``."""
    rows, next_cursor = dishonest.list_listings(
        session, user=user, case_id=None, state=state, limit=limit, cursor=cursor
    )
    return Page[DishonestListingRead](items=[_read(row, user) for row in rows], next_cursor=next_cursor)


@router.get(
    "/dishonest-listings/{listing_id}",
    operation_id="get_dishonest_listing",
    response_model=DishonestListingRead,
    responses=problem_responses(Forbidden, NotFound),
)
def get_listing(
    listing_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("dishonest.read")],
    response: Response,
) -> DishonestListingRead:
    """One dishonest-list proposal or listing."""
    return with_etag(response, _read(dishonest.get_listing(session, listing_id=listing_id, user=user), user))


add_commands(
    router,
    workflow=dishonest.LISTINGS,
    id_name="listing_id",
    response_model=DishonestListingRead,
    read=_read,
    commands=[
        Command(
            "/dishonest-listings/{listing_id}/decision",
            "decide_dishonest_listing",
            "decide",
            DishonestDecisionCreate,
            dishonest.decide_listing,
            "Approve (needs a consumption ban on the case) or refuse a proposed listing (the director).",
            problems=problem_responses(
                Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed, GateNotMet
            ),
        ),
        Command(
            "/dishonest-listings/{listing_id}/deletion-trigger",
            "trigger_dishonest_deletion",
            "trigger_deletion",
            DeletionTriggerCreate,
            dishonest.trigger_deletion,
            "Record that the respondent paid, settled or the term ended: the deletion clock (D11) starts.",
        ),
        Command(
            "/dishonest-listings/{listing_id}/deletion",
            "delete_dishonest_listing",
            "delete",
            DeletionCreate,
            dishonest.delete_listing,
            "Record the deletion of a listing from the dishonest list (the handling team).",
        ),
    ],
)
