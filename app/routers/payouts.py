"""Payouts from a case's account: asked for by the handling judge, approved by tier, paid by the
office; and their deferral by the director."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse

from app.deps import Authorized, Cursor, IdempotencyKeyHeader, SessionDep, create_once, with_etag
from app.enums import PayoutState
from app.errors import (
    Conflict,
    Forbidden,
    InsufficientFunds,
    NotFound,
    PreconditionFailed,
    TransitionNotAllowed,
    problem_responses,
)
from app.models.user import User
from app.routing import Command, add_commands, record_reader
from app.schemas.common import Limit, Page, RowId
from app.schemas.money import (
    DeferralCreate,
    DeferralDecision,
    DeferralLift,
    DeferralRead,
    PayoutCreate,
    PayoutDecision,
    PayoutExecution,
    PayoutRead,
)
from app.services import payouts
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["case money"])


_read = record_reader(PayoutRead, payouts.PAYOUTS)


_read_deferral = record_reader(DeferralRead, payouts.DEFERRALS)


@router.post(
    "/cases/{case_id}/payouts",
    operation_id="request_payout",
    status_code=201,
    response_model=PayoutRead,
    responses=problem_responses(Forbidden, NotFound, InsufficientFunds, IdempotencyKeyReused),
)
def request_payout(
    case_id: RowId,
    body: PayoutCreate,
    session: SessionDep,
    user: Annotated[User, Authorized("payout.request")],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Ask for a payout from the case's balance to an applicant, or of the fee (the handling judge)."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation=f"request_payout:{case_id}",
        payload=body,
        create=lambda: _read(
            payouts.request_payout(session, case_id=case_id, user=user, **body.model_dump()), user
        ),
        location=lambda created: f"/api/v1/payouts/{created['id']}",
    )


@router.get(
    "/payouts",
    operation_id="list_payouts",
    response_model=Page[PayoutRead],
    responses=problem_responses(Forbidden),
)
def list_payouts(
    session: SessionDep,
    user: Annotated[User, Authorized("payout.read")],
    state: PayoutState | None = None,
    case_id: RowId | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Page[PayoutRead]:
    """Payouts of the cases the caller sees, newest first; `state=approved` is what the office has to pay."""
    rows, next_cursor = payouts.list_payouts(
        session, user=user, state=state, case_id=case_id, limit=limit, cursor=cursor
    )
    return Page[PayoutRead](items=[_read(p, user) for p in rows], next_cursor=next_cursor)


@router.get(
    "/payouts/{payout_id}",
    operation_id="get_payout",
    response_model=PayoutRead,
    responses=problem_responses(Forbidden, NotFound),
)
def get_payout(
    payout_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("payout.read")],
    response: Response,
) -> PayoutRead:
    """One payout."""
    return with_etag(response, _read(payouts.get_payout(session, payout_id=payout_id, user=user), user))


add_commands(
    router,
    workflow=payouts.PAYOUTS,
    id_name="payout_id",
    response_model=PayoutRead,
    read=_read,
    commands=[
        Command(
            "/payouts/{payout_id}/approval",
            "decide_payout",
            "decide",
            PayoutDecision,
            payouts.decide_payout,
            "Approve or refuse a payout: the deputy director below the tier, the director from it; "
            "never one's own request.",
        ),
        Command(
            "/payouts/{payout_id}/execution",
            "execute_payout",
            "execute",
            PayoutExecution,
            payouts.execute_payout,
            "Record an approved payout as paid, with the bank's reference (the office).",
            problems=problem_responses(
                Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed, InsufficientFunds
            ),
        ),
    ],
)


@router.post(
    "/cases/{case_id}/payout-deferrals",
    operation_id="request_payout_deferral",
    status_code=201,
    response_model=DeferralRead,
    responses=problem_responses(Forbidden, NotFound, Conflict, IdempotencyKeyReused),
)
def request_deferral(
    case_id: RowId,
    body: DeferralCreate,
    session: SessionDep,
    user: Annotated[User, Authorized("payout.defer")],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Ask to defer the case's payouts, with the reason (the handling judge)."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation=f"request_payout_deferral:{case_id}",
        payload=body,
        create=lambda: _read_deferral(
            payouts.request_deferral(session, case_id=case_id, user=user, **body.model_dump()), user
        ),
        location=lambda created: f"/api/v1/payout-deferrals/{created['id']}",
    )


@router.get(
    "/payout-deferrals/{deferral_id}",
    operation_id="get_payout_deferral",
    response_model=DeferralRead,
    responses=problem_responses(Forbidden, NotFound),
)
def get_deferral(
    deferral_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("payout.read")],
    response: Response,
) -> DeferralRead:
    """One payout deferral."""
    deferral = payouts.get_deferral(session, deferral_id=deferral_id, user=user)
    return with_etag(response, _read_deferral(deferral, user))


add_commands(
    router,
    workflow=payouts.DEFERRALS,
    id_name="deferral_id",
    response_model=DeferralRead,
    read=_read_deferral,
    commands=[
        Command(
            "/payout-deferrals/{deferral_id}/approval",
            "decide_payout_deferral",
            "decide",
            DeferralDecision,
            payouts.decide_deferral,
            "Approve a payout deferral (the payout clock waits) or refuse it (the director).",
        ),
        Command(
            "/payout-deferrals/{deferral_id}/lift",
            "lift_payout_deferral",
            "lift",
            DeferralLift,
            payouts.lift_deferral,
            "End a payout deferral: the payout clock runs again (the handling judge or the director).",
        ),
    ],
)
