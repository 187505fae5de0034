"""Refusal-to-execute referrals (拒执) coordinated by the comprehensive group (plan §5(6), plan §5(6))."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter
from fastapi import Query

from app.deps import Authorized
from app.deps import SessionDep
from app.enums import ReferralOutcome
from app.enums import ReferralStage
from app.errors import Conflict
from app.errors import Forbidden
from app.errors import GateNotMet
from app.errors import NotFound
from app.errors import TransitionNotAllowed
from app.errors import problem_responses
from app.models.refusal_referral import RefusalReferral
from app.models.user import User
from app.routing import Command
from app.routing import Desk
from app.routing import Filter
from app.routing import PlainCursor
from app.schemas.refusal_referral import ChecklistItemRead
from app.schemas.refusal_referral import LiaisonCreate
from app.schemas.refusal_referral import OutcomeCreate
from app.schemas.refusal_referral import PoliceTransferCreate
from app.schemas.refusal_referral import RefusalReferralCreate
from app.schemas.refusal_referral import RefusalReferralRead
from app.schemas.refusal_referral import RefusalReferralStats
from app.schemas.refusal_referral import ReviewCreate
from app.schemas.refusal_referral import SupplementCreate
from app.services import refusal_referrals
from app.services.case_access import COMMAND_POLICY

router = APIRouter(tags=["refusal referrals"])

Unit = Annotated[str | None, Query(max_length=32, description="submitting team, e.g. brigade-2")]


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


desk = Desk(
    router, RefusalReferralRead, refusal_referrals.REFERRALS, "/refusal-referrals/{referral_id}", read=_read
)


desk.routes(
    desk.create(
        "/refusal-referrals",
        "submit_refusal_referral",
        COMMAND_POLICY["refer_refusal"],
        RefusalReferralCreate,
        refusal_referrals.submit_referral,
        "Hand a suspected refusal to execute, with its materials, to the comprehensive group.",
        problems=(Forbidden, NotFound, TransitionNotAllowed, Conflict),
    ),
    desk.listing(
        "/refusal-referrals",
        "list_refusal_referrals",
        "referral.read",
        "The register of referrals, newest first, by stage, team, outcome or case.",
        filters=[
            Filter("stage", ReferralStage | None),
            Filter("unit", Unit),
            Filter("outcome", ReferralOutcome | None),
            Filter("case_id", Annotated[int | None, Query(ge=1)]),
        ],
        cursor=PlainCursor,
    ),
)


# Before the referral by id, whose path would take "stats" for an id.
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


desk.routes(
    desk.show(
        "get_refusal_referral",
        "referral.read",
        "One referral with its materials, checklist and follow-up.",
    )
)

desk.commands(
    Command(
        "/refusal-referrals/{referral_id}/review",
        "review_refusal_referral",
        "review",
        ReviewCreate,
        refusal_referrals.review_referral,
        "Check the materials: complete, or returned with the missing items named.",
        more_problems=(GateNotMet,),
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
)
