"""Payouts from a case's account: asked for by the handling judge, approved by tier, paid by the
office; and their deferral by the director."""

from __future__ import annotations

from fastapi import APIRouter

from app.enums import PayoutState
from app.errors import Conflict
from app.errors import Forbidden
from app.errors import InsufficientFunds
from app.errors import NotFound
from app.routing import Command
from app.routing import Desk
from app.routing import Filter
from app.schemas.common import RowId
from app.schemas.money import DeferralCreate
from app.schemas.money import DeferralDecision
from app.schemas.money import DeferralLift
from app.schemas.money import DeferralRead
from app.schemas.money import PayoutCreate
from app.schemas.money import PayoutDecision
from app.schemas.money import PayoutExecution
from app.schemas.money import PayoutRead
from app.services import payouts

router = APIRouter(tags=["case money"])
payout_desk = Desk(router, PayoutRead, payouts.PAYOUTS, "/payouts/{payout_id}")
deferral_desk = Desk(router, DeferralRead, payouts.DEFERRALS, "/payout-deferrals/{deferral_id}")

payout_desk.routes(
    payout_desk.create(
        "/cases/{case_id}/payouts",
        "request_payout",
        "payout.request",
        PayoutCreate,
        payouts.request_payout,
        "Ask for a payout from the case's balance to an applicant, or of the fee (the handling judge).",
        problems=(Forbidden, NotFound, InsufficientFunds),
    ),
    payout_desk.listing(
        "/payouts",
        "list_payouts",
        "payout.read",
        "Payouts of the cases the caller sees, newest first; `state=approved` is what the office has to pay.",
        filters=[Filter("state", PayoutState | None), Filter("case_id", RowId | None)],
    ),
    payout_desk.show("get_payout", "payout.read", "One payout."),
)

payout_desk.commands(
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
        more_problems=(InsufficientFunds,),
    ),
)


deferral_desk.routes(
    deferral_desk.create(
        "/cases/{case_id}/payout-deferrals",
        "request_payout_deferral",
        "payout.defer",
        DeferralCreate,
        payouts.request_deferral,
        "Ask to defer the case's payouts, with the reason (the handling judge).",
        problems=(Forbidden, NotFound, Conflict),
    ),
    deferral_desk.show("get_payout_deferral", "payout.read", "One payout deferral."),
)


deferral_desk.commands(
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
)
