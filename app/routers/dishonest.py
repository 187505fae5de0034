"""The dishonest-respondent list (失信被执行人名单): proposals, the director's decision, deletion."""

from __future__ import annotations

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from app.deps import (
    Authorized,
    Cursor,
    ExpectedVersion,
    IdempotencyKeyHeader,
    SessionDep,
    created_response,
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
from app.models.dishonest_listing import DishonestListing
from app.schemas.common import Limit, Page, RowId
from app.schemas.dishonest import (
    DeletionCreate,
    DeletionTriggerCreate,
    DishonestDecisionCreate,
    DishonestListingCreate,
    DishonestListingRead,
)
from app.services import dishonest, idempotency
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["dishonest list"])
_COMMAND_PROBLEMS = problem_responses(Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed)


def _read(listing: DishonestListing) -> DishonestListingRead:
    return DishonestListingRead.model_validate(listing).model_copy(
        update={"allowed_actions": dishonest.allowed_actions(listing)}
    )


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
    user: Authorized("dishonest.propose"),
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Propose a respondent for the dishonest list (the handling judge)."""
    result = idempotency.respond_once(
        session,
        user_id=user.id,
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
            )
        ),
    )
    return created_response(result, f"/api/v1/dishonest-listings/{result.body['id']}")


@router.post(
    "/dishonest-listings/{listing_id}/decision",
    operation_id="decide_dishonest_listing",
    response_model=DishonestListingRead,
    responses=problem_responses(Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed, GateNotMet),
)
def decide_listing(
    listing_id: RowId,
    body: DishonestDecisionCreate,
    session: SessionDep,
    user: Authorized("dishonest.decide"),
    response: Response,
    expected_version: ExpectedVersion = None,
) -> DishonestListingRead:
    """Approve (needs a consumption ban on the case) or refuse a proposed listing (the director)."""
    listing = dishonest.decide_listing(
        session,
        listing_id=listing_id,
        user=user,
        decision=body.decision,
        decided_on=body.decided_on,
        reason=body.reason,
        extra_years=body.extra_years,
        expected_version=expected_version,
    )
    return with_etag(response, _read(listing))


@router.post(
    "/dishonest-listings/{listing_id}/deletion-trigger",
    operation_id="trigger_dishonest_deletion",
    response_model=DishonestListingRead,
    responses=_COMMAND_PROBLEMS,
)
def trigger_deletion(
    listing_id: RowId,
    body: DeletionTriggerCreate,
    session: SessionDep,
    user: Authorized("dishonest.trigger_deletion"),
    response: Response,
    expected_version: ExpectedVersion = None,
) -> DishonestListingRead:
    """Record that the respondent paid, settled or the term ended: the deletion clock (D11) starts."""
    listing = dishonest.trigger_deletion(
        session,
        listing_id=listing_id,
        user=user,
        trigger=body.trigger,
        triggered_on=body.triggered_on,
        reason=body.reason,
        expected_version=expected_version,
    )
    return with_etag(response, _read(listing))


@router.post(
    "/dishonest-listings/{listing_id}/deletion",
    operation_id="delete_dishonest_listing",
    response_model=DishonestListingRead,
    responses=_COMMAND_PROBLEMS,
)
def delete_listing(
    listing_id: RowId,
    body: DeletionCreate,
    session: SessionDep,
    user: Authorized("dishonest.delete"),
    response: Response,
    expected_version: ExpectedVersion = None,
) -> DishonestListingRead:
    """Record the deletion of a listing from the dishonest list (the handling team)."""
    listing = dishonest.delete_listing(
        session,
        listing_id=listing_id,
        user=user,
        deleted_on=body.deleted_on,
        note=body.note,
        expected_version=expected_version,
    )
    return with_etag(response, _read(listing))


@router.get(
    "/cases/{case_id}/dishonest-listings",
    operation_id="list_case_dishonest_listings",
    response_model=Page[DishonestListingRead],
    responses=problem_responses(Forbidden, NotFound),
)
def list_case_listings(
    case_id: RowId,
    session: SessionDep,
    user: Authorized("dishonest.read"),
    state: DishonestListingState | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[DishonestListingRead]:
    """The dishonest-list proposals and listings of one case, newest first."""
    rows, next_cursor = dishonest.list_listings(
        session, user=user, case_id=case_id, state=state, limit=limit, cursor=cursor
    )
    return Page[DishonestListingRead](items=[_read(row) for row in rows], next_cursor=next_cursor)


@router.get(
    "/dishonest-listings",
    operation_id="list_dishonest_listings",
    response_model=Page[DishonestListingRead],
    responses=problem_responses(Forbidden),
)
def list_listings(
    session: SessionDep,
    user: Authorized("dishonest.read"),
    state: DishonestListingState | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[DishonestListingRead]:
    """Dishonest-list proposals and listings the caller may see, newest first; filter by ``state``."""
    rows, next_cursor = dishonest.list_listings(
        session, user=user, case_id=None, state=state, limit=limit, cursor=cursor
    )
    return Page[DishonestListingRead](items=[_read(row) for row in rows], next_cursor=next_cursor)


@router.get(
    "/dishonest-listings/{listing_id}",
    operation_id="get_dishonest_listing",
    response_model=DishonestListingRead,
    responses=problem_responses(Forbidden, NotFound),
)
def get_listing(
    listing_id: RowId, session: SessionDep, user: Authorized("dishonest.read"), response: Response
) -> DishonestListingRead:
    """One dishonest-list proposal or listing."""
    return with_etag(response, _read(dishonest.get_listing(session, listing_id=listing_id, user=user)))
