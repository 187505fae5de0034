"""Refusal-to-execute referrals (拒执) coordinated by the comprehensive group (plan §5(6), plan §5(6))."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import JSONResponse

from app.deps import (
    Authorized,
    IdempotencyKeyHeader,
    SessionDep,
    create_once,
    with_etag,
)
from app.enums import ReferralOutcome, ReferralStage
from app.errors import (
    Conflict,
    Forbidden,
    GateNotMet,
    NotFound,
    PreconditionFailed,
    TransitionNotAllowed,
    problem_responses,
)
from app.models.refusal_referral import RefusalReferral
from app.models.user import User
from app.routing import Command, add_commands
from app.schemas.common import Limit, Page, RowId
from app.schemas.refusal_referral import (
    ChecklistItemRead,
    LiaisonCreate,
    OutcomeCreate,
    PoliceTransferCreate,
    RefusalReferralCreate,
    RefusalReferralRead,
    RefusalReferralStats,
    ReviewCreate,
    SupplementCreate,
)
from app.services import refusal_referrals
from app.services.case_access import COMMAND_POLICY
from app.services.idempotency import IdempotencyKeyReused

router = APIRouter(tags=["refusal referrals"])

Unit = Annotated[str | None, Query(max_length=32, description="submitting team, e.g. brigade-2")]
_COMMAND_PROBLEMS = problem_responses(Forbidden, NotFound, TransitionNotAllowed, PreconditionFailed)


def _read(referral: RefusalReferral, user: User) -> RefusalReferralRead:
    checklist = [
        ChecklistItemRead(item=item, provided=provided)
        for item, provided in refusal_referrals.checklist_status(referral)
    ]
    return RefusalReferralRead.model_validate(referral).model_copy(
        update={
            "checklist": checklist,
            "allowed_actions": refusal_referrals.REFERRALS.allowed_actions(user, referral),
        }
    )


@router.post(
    "/refusal-referrals",
    operation_id="submit_refusal_referral",
    status_code=201,
    response_model=RefusalReferralRead,
    responses=problem_responses(Forbidden, NotFound, TransitionNotAllowed, Conflict, IdempotencyKeyReused),
)
def submit_referral(
    body: RefusalReferralCreate,
    session: SessionDep,
    user: Annotated[User, Authorized(COMMAND_POLICY["refer_refusal"])],
    idempotency_key: IdempotencyKeyHeader = None,
) -> JSONResponse:
    """Hand a suspected refusal to execute, with its materials, to the comprehensive group."""
    return create_once(
        session,
        user,
        key=idempotency_key,
        operation="submit_refusal_referral",
        payload=body,
        create=lambda: _read(refusal_referrals.submit_referral(session, user=user, **dict(body)), user),
        location=lambda created: f"/api/v1/refusal-referrals/{created['id']}",
    )


@router.get(
    "/refusal-referrals",
    operation_id="list_refusal_referrals",
    response_model=Page[RefusalReferralRead],
    responses=problem_responses(Forbidden),
)
def list_referrals(
    session: SessionDep,
    user: Annotated[User, Authorized("referral.read")],
    stage: ReferralStage | None = None,
    unit: Unit = None,
    outcome: ReferralOutcome | None = None,
    case_id: Annotated[int | None, Query(ge=1)] = None,
    limit: Limit = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Page[RefusalReferralRead]:
    """The register of referrals, newest first, by stage, team, outcome or case."""
    filters = refusal_referrals.ReferralFilters(stage=stage, unit=unit, outcome=outcome, case_id=case_id)
    rows, next_cursor = refusal_referrals.list_referrals(
        session, user=user, filters=filters, limit=limit, cursor=cursor
    )
    return Page[RefusalReferralRead](items=[_read(r, user) for r in rows], next_cursor=next_cursor)


@router.get(
    "/refusal-referrals/stats",
    operation_id="refusal_referral_stats",
    response_model=RefusalReferralStats,
    responses=problem_responses(Forbidden),
)
def referral_stats(
    session: SessionDep,
    user: Annotated[User, Authorized("referral.read")],
    stage: ReferralStage | None = None,
    unit: Unit = None,
    outcome: ReferralOutcome | None = None,
) -> RefusalReferralStats:
    """Counts of the register by stage, team and outcome."""
    filters = refusal_referrals.ReferralFilters(stage=stage, unit=unit, outcome=outcome)
    stats = refusal_referrals.referral_stats(session, user=user, filters=filters)
    return RefusalReferralStats(
        total=stats.total, by_stage=stats.by_stage, by_unit=stats.by_unit, by_outcome=stats.by_outcome
    )


@router.get(
    "/refusal-referrals/{referral_id}",
    operation_id="get_refusal_referral",
    response_model=RefusalReferralRead,
    responses=problem_responses(Forbidden, NotFound),
)
def read_referral(
    referral_id: RowId,
    session: SessionDep,
    user: Annotated[User, Authorized("referral.read")],
    response: Response,
) -> RefusalReferralRead:
    """One referral with its materials, checklist and follow-up."""
    referral = refusal_referrals.get_referral(session, user=user, referral_id=referral_id)
    return with_etag(response, _read(referral, user))


add_commands(
    router,
    workflow=refusal_referrals.REFERRALS,
    id_name="referral_id",
    response_model=RefusalReferralRead,
    read=_read,
    commands=[
        Command(
            "/refusal-referrals/{referral_id}/review",
            "review_refusal_referral",
            "review",
            ReviewCreate,
            refusal_referrals.review_referral,
            "Check the materials: complete, or returned with the missing items named.",
            problems=problem_responses(
                Forbidden, NotFound, TransitionNotAllowed, GateNotMet, PreconditionFailed
            ),
        ),
        Command(
            "/refusal-referrals/{referral_id}/supplement",
            "supplement_refusal_referral",
            "supplement",
            SupplementCreate,
            refusal_referrals.supplement_referral,
            "Add the materials asked for; the referral goes back for review.",
        ),
        Command(
            "/refusal-referrals/{referral_id}/liaison",
            "record_refusal_referral_liaison",
            "liaison",
            LiaisonCreate,
            refusal_referrals.record_liaison,
            "Record the hand-over of a complete referral to the criminal division.",
        ),
        Command(
            "/refusal-referrals/{referral_id}/police-transfer",
            "record_refusal_referral_police_transfer",
            "police_transfer",
            PoliceTransferCreate,
            refusal_referrals.record_police_transfer,
            "Record the transfer documents sent to the public-security organ.",
        ),
        Command(
            "/refusal-referrals/{referral_id}/outcome",
            "record_refusal_referral_outcome",
            "outcome",
            OutcomeCreate,
            refusal_referrals.record_outcome,
            "Record the outcome: accepted, declined, prosecuted or judged.",
        ),
    ],
)
