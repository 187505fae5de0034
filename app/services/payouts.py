"""Payouts from a case's account (执行款发放, plan §5(3), §6(5); plan §6(5)) and their deferral.

The handling judge asks for a payout to an applicant, or of the fee to the court; a deputy director
approves it below the tier, the director from it; nobody approves his own request; the office pays
it with the bank's reference. A request may not ask for more than the account can bear once the
payouts already asked for and the fee not yet paid are set aside: the account row is locked while
this is decided, so two requests that together would overdraw the case cannot both pass.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import Decision
from app.enums import DeferralReason
from app.enums import DeferralState
from app.enums import LedgerEntryKind
from app.enums import PartyRole
from app.enums import PayoutKind
from app.enums import PayoutState
from app.errors import Conflict
from app.errors import Forbidden
from app.errors import InsufficientFunds
from app.errors import InvalidInput
from app.models.case import Case
from app.models.case import Party
from app.models.payout import Payout
from app.models.payout import PayoutDeferral
from app.models.user import User
from app.policy import actor_may_on_case
from app.rules.deadline_rules import PAYOUT_DEFERRAL_LIFTED
from app.rules.deadline_rules import PAYOUT_DEFERRED
from app.rules.money import ZERO
from app.rules.money import approval_role
from app.services import ledger
from app.services.case_access import load_case
from app.services.case_access import visible_cases
from app.services.workflow import Change
from app.services.workflow import Step
from app.services.workflow import Workflow
from app.services.workflow import fields_of
from app.services.workflow import legal_date_or_today
from app.services.workflow import record_decision
from app.settings import get_settings

FEE_PAYEE = "the court (execution application fee)"
P = PayoutState
PAYOUT_ACTIONS: dict[PayoutState, tuple[str, ...]] = {
    P.requested: ("decide",),
    P.approved: ("execute",),
    P.refused: (),
    P.executed: (),
}


def _may_not_decide(user: User, payout: Payout) -> str | None:
    # SPC provisions on enforcement money (2017): payouts are approved by someone other than
    # the judge who asks; the amount's tier names who (a court setting).
    if payout.requested_by_id == user.id:
        return f"payout {payout.id} is your own request; another leader approves it"
    if payout.approver_role not in user.roles and "director" not in user.roles:
        return f"a payout of {payout.amount} yuan is approved by the {payout.approver_role.replace('_', ' ')}"
    return None


def _visible(stmt: Select[Any], user: User) -> Select[Any]:
    return visible_cases(stmt, user, Payout.case_id)


PAYOUTS = Workflow(
    model=Payout,
    entity="payout",
    state_actions=PAYOUT_ACTIONS,
    steps={
        "decide": Step(permission="payout.approve", refused=_may_not_decide),
        "execute": Step(permission="payout.execute"),
    },
    snapshot=fields_of("state", "amount", "version"),
    visible=_visible,
    case=Payout.case,
    locks_case=True,
    filters={"state": Payout.state, "case_id": Payout.case_id},
)

D = DeferralState
DEFERRAL_ACTIONS: dict[DeferralState, tuple[str, ...]] = {
    D.requested: ("decide",),
    D.approved: ("lift",),
    D.refused: (),
    D.lifted: (),
}

DEFERRALS = Workflow(
    model=PayoutDeferral,
    entity="payout_deferral",
    id_name="deferral_id",
    state_actions=DEFERRAL_ACTIONS,
    steps={
        "decide": Step(permission="payout.decide_deferral"),
        "lift": Step(permission="payout.lift_deferral", on=lambda deferral: deferral.case),
    },
    visible=lambda stmt, user: visible_cases(stmt, user, PayoutDeferral.case_id),
    case=PayoutDeferral.case,
    locks_case=True,
)


def _case_for(session: Session, *, case_id: int, user: User, permission: str) -> Case:
    """The case locked for a money request by its handling judge: 404 unseen, 403 not his."""
    case = load_case(session, case_id, user, for_update=True)
    if not actor_may_on_case(user, permission, case):
        raise Forbidden(f"you do not handle case {case.case_number}")
    return case


PAYEE_ROLES = {PayoutKind.applicant: PartyRole.applicant, PayoutKind.respondent: PartyRole.respondent}


def _payee(session: Session, *, case: Case, kind: PayoutKind, payee_party_id: int | None) -> Party | None:
    if kind == PayoutKind.fee:
        if payee_party_id is not None:
            raise InvalidInput("payee_party_id", "the fee is paid to the court, not to a party")
        return None
    role = PAYEE_ROLES[kind]
    party = session.get(Party, payee_party_id) if payee_party_id is not None else None
    if party is None or party.case_id != case.id or party.role != role:
        raise InvalidInput("payee_party_id", f"must be a party of case {case.case_number} as {role}")
    return party


def request_payout(
    session: Session,
    *,
    case_id: int,
    user: User,
    kind: PayoutKind,
    amount: Decimal,
    payee_party_id: int | None,
    payee_account: str | None,
    payee_bank: str | None,
    requested_on: date | None,
    notes: str | None,
) -> Payout:
    """The handling judge asks for a payout from the case's balance (state ``requested``)."""
    case = _case_for(session, case_id=case_id, user=user, permission="payout.request")
    requested_on = legal_date_or_today(
        "requested_on", requested_on, not_before=case.filed_on, not_before_what="the filing"
    )
    if amount <= 0:
        raise InvalidInput("amount", "a payout is more than 0.00")
    party = _payee(session, case=case, kind=kind, payee_party_id=payee_party_id)
    account = ledger.open_account(session, case=case)
    money = ledger.figures(session, case=case, balance=account.balance)
    if kind == PayoutKind.fee:
        fee_left = money.fee_due - money.fee_paid - money.fee_reserved
        if amount > fee_left:
            raise InvalidInput("amount", f"the fee still to be asked for is {max(fee_left, ZERO)}")
    # Measures on the Payment of Litigation Costs art. 38: the respondent bears the fee, so it is
    # taken from the money enforced before the applicant is paid; the respondent gets back only what
    # is left once the claim and the fee are covered.
    available = {
        PayoutKind.fee: money.available_for_fee,
        PayoutKind.applicant: money.available_for_applicants,
        PayoutKind.respondent: money.available_for_respondents,
    }[kind]
    if amount > available:
        raise InsufficientFunds(
            f"case account {account.reference} holds {account.balance}, of which {available} may still be "
            f"paid out as a payout of kind {kind}",
            balance=str(account.balance),
            available=str(available),
        )
    payout = Payout(
        case_id=case.id,
        kind=kind,
        state=P.requested,
        amount=amount,
        payee_party_id=party.id if party else None,
        payee_name=party.name if party else FEE_PAYEE,
        payee_account=payee_account,
        payee_bank=payee_bank,
        approver_role=approval_role(amount, director_from=get_settings().payout_director_from),
        requested_by_id=user.id,
        requested_on=requested_on,
        notes=notes,
    )
    return PAYOUTS.created(
        session,
        user=user,
        record=payout,
        action="request",
        fields=("kind", "payee_name", "approver_role", "requested_on"),
        reason=notes,
    )


@PAYOUTS.command("decide")
def decide_payout(
    change: Change[Payout], *, decision: Decision, decided_on: date | None, reason: str | None
) -> Payout:
    """A leader of the payout's tier approves it, or refuses it with a reason."""
    session, user, payout = change.session, change.user, change.record
    before = {"state": payout.state}
    decided_on = record_decision(
        payout, user=user, decided_on=decided_on, reason=reason, requested_on=payout.requested_on
    )
    payout.state = P.approved if decision == Decision.approve else P.refused
    return PAYOUTS.changed(
        session,
        user=user,
        record=payout,
        action=str(decision),
        before=before,
        reason=reason,
        decided_on=decided_on,
    )


@PAYOUTS.command("execute")
def execute_payout(change: Change[Payout], *, bank_reference: str, executed_on: date | None) -> Payout:
    """The office pays an approved payout: the ledger is debited, a payout to the applicant counts as
    performance, and the receipts it covers are paid out (D19 met)."""
    session, user, payout = change.session, change.user, change.record
    case = payout.case
    executed_on = legal_date_or_today(
        "executed_on", executed_on, not_before=payout.decided_on, not_before_what="the approval"
    )
    account = ledger.open_account(session, case=case)
    entry = ledger.book(
        session,
        account=account,
        user=user,
        kind=LedgerEntryKind.payout,
        amount=-payout.amount,
        entry_on=executed_on,
        payout_id=payout.id,
        reason=bank_reference,
    )
    before = {"state": payout.state, "paid_amount": case.paid_amount}
    payout.state = P.executed
    payout.executed_by_id, payout.executed_on, payout.bank_reference = user.id, executed_on, bank_reference
    if payout.kind == PayoutKind.applicant:
        # docs/rules.md#triage: the outstanding claim is the claim less what has been paid to the applicant.
        case.paid_amount += payout.amount
    session.flush()
    ledger.mark_paid_out(session, case=case, on=executed_on, user=user)
    return PAYOUTS.changed(
        session,
        user=user,
        record=payout,
        action="execute",
        before=before,
        entry_id=entry.id,
        paid_amount=case.paid_amount,
        executed_on=executed_on,
    )


# Deferrals -----------------------------------------------------------------------------------------


def request_deferral(
    session: Session,
    *,
    case_id: int,
    user: User,
    reason_kind: DeferralReason,
    reason: str,
    requested_on: date | None,
) -> PayoutDeferral:
    """The handling judge asks to defer the case's payouts, with the reason."""
    case = _case_for(session, case_id=case_id, user=user, permission="payout.defer")
    requested_on = legal_date_or_today(
        "requested_on", requested_on, not_before=case.filed_on, not_before_what="the filing"
    )
    open_one = session.execute(
        select(PayoutDeferral.id).where(
            PayoutDeferral.case_id == case.id, PayoutDeferral.state.in_((D.requested, D.approved))
        )
    ).scalar_one_or_none()
    if open_one is not None:
        raise Conflict(f"payout deferral {open_one} of case {case.case_number} is still open")
    deferral = PayoutDeferral(
        case_id=case.id,
        state=D.requested,
        reason_kind=reason_kind,
        reason=reason,
        requested_by_id=user.id,
        requested_on=requested_on,
    )
    return DEFERRALS.created(
        session, user=user, record=deferral, action="request", fields=("reason_kind",), reason=reason
    )


@DEFERRALS.command("decide")
def decide_deferral(
    change: Change[PayoutDeferral], *, decision: Decision, decided_on: date | None, reason: str | None
) -> PayoutDeferral:
    """The director approves the deferral (the payout clock D19 waits from that day) or refuses it."""
    session, user, deferral = change.session, change.user, change.record
    before = {"state": deferral.state}
    decided_on = record_decision(
        deferral, user=user, decided_on=decided_on, reason=reason, requested_on=deferral.requested_on
    )
    deferral.state = D.approved if decision == Decision.approve else D.refused
    session.flush()
    if decision == Decision.approve:
        # SPC provisions on enforcement money (2017): a deferred payout waits with the director's approval.
        DEFERRALS.clock(session, deferral, PAYOUT_DEFERRED, on=decided_on, actor=user)
    return DEFERRALS.changed(
        session, user=user, record=deferral, action=str(decision), before=before, reason=reason
    )


@DEFERRALS.command("lift")
def lift_deferral(
    change: Change[PayoutDeferral], *, lifted_on: date | None, reason: str | None
) -> PayoutDeferral:
    """The reason has gone: the payout clock runs again from this day."""
    session, user, deferral = change.session, change.user, change.record
    lifted_on = legal_date_or_today(
        "lifted_on", lifted_on, not_before=deferral.decided_on, not_before_what="the approval"
    )
    before = {"state": deferral.state}
    deferral.state = D.lifted
    deferral.lifted_by_id, deferral.lifted_on = user.id, lifted_on
    session.flush()
    DEFERRALS.clock(session, deferral, PAYOUT_DEFERRAL_LIFTED, on=lifted_on, actor=user)
    return DEFERRALS.changed(session, user=user, record=deferral, action="lift", before=before, reason=reason)
