"""The case account and its ledger (一案一账号, plan §6(5); plan §6(5)).

Every change of a case's money locks the case, then its account row (``SELECT … FOR UPDATE``), books
one immutable entry and moves the balance by its amount, in the same transaction as the audit entry.
So two processes paying out of one case decide one after the other and the balance never goes
below zero; the account's CHECK constraint holds the same line in the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from typing import cast

from sqlalchemy import Row
from sqlalchemy import Table
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import run
from app.enums import LedgerEntryKind
from app.enums import PayoutKind
from app.enums import PayoutState
from app.errors import Conflict
from app.errors import Forbidden
from app.errors import InsufficientFunds
from app.errors import NotFound
from app.models.case import Case
from app.models.case_account import CaseAccount
from app.models.case_account import LedgerEntry
from app.models.deadline import DeadlineEvent
from app.models.payout import Payout
from app.models.receipt import Receipt
from app.models.user import User
from app.policy import actor_may_on_case
from app.rules.money import ZERO
from app.rules.money import CreditedReceipt
from app.rules.money import FeeBand
from app.rules.money import FeeSchedule
from app.rules.money import account_reference
from app.rules.money import applicant_available
from app.rules.money import fee
from app.rules.money import receipts_paid_out
from app.rules.money import surplus_available
from app.services import audit
from app.services import deadline_events as deadlines
from app.services.case_access import load_case
from app.services.workflow import legal_date_or_today
from app.settings import Settings
from app.settings import get_settings

RECEIVED, PAID_OUT, RECEIPT_REVERSED = "money.received", "money.paid_out", "money.receipt_reversed"
OPEN_PAYOUTS = (PayoutState.requested, PayoutState.approved)


def _bands(raw: list[tuple[Decimal | None, Decimal]]) -> tuple[FeeBand, ...]:
    return tuple(FeeBand(up_to=up_to, rate=rate) for up_to, rate in raw)


def fee_schedules(settings: Settings) -> tuple[FeeSchedule, FeeSchedule]:
    """The execution application fee and the preservation fee schedules the court has set."""
    execution = FeeSchedule(
        flat_fee=settings.execution_fee_flat,
        flat_up_to=settings.execution_fee_flat_up_to,
        bands=_bands(settings.execution_fee_bands),
    )
    preservation = FeeSchedule(
        flat_fee=settings.preservation_fee_flat,
        flat_up_to=settings.preservation_fee_flat_up_to,
        bands=_bands(settings.preservation_fee_bands),
        cap=settings.preservation_fee_cap,
    )
    return execution, preservation


def fee_due(case: Case) -> Decimal:
    """The case's fee (State Council Measures on Litigation Costs art. 14), borne by the respondent."""
    settings = get_settings()
    execution, preservation = fee_schedules(settings)
    if case.claim_amount is None:
        return settings.execution_fee_without_amount
    schedule = preservation if case.type_code in settings.preservation_type_codes else execution
    return fee(case.claim_amount, schedule)


def reference_of(case: Case | Row[Any]) -> str:
    return account_reference(case.court_code, case.id)


def open_account(session: Session, *, case: Case) -> CaseAccount:
    """The case's account, opened now if it has none (the case is locked or was inserted in this
    transaction, so no other transaction opens it meanwhile)."""
    account = session.execute(
        select(CaseAccount).where(CaseAccount.case_id == case.id).with_for_update()
    ).scalar_one_or_none()
    if account is None:
        account = CaseAccount(case_id=case.id, reference=reference_of(case), balance=ZERO)
        session.add(account)
        session.flush()
    return account


def open_new_accounts(session: Session, *, cases: Sequence[Case | Row[Any]]) -> None:
    """Open the accounts of cases inserted in this transaction (none has one yet): one INSERT (of the
    table: nothing is loaded into the session)."""
    if cases:
        run(
            session,
            insert(cast(Table, CaseAccount.__table__)),
            [{"case_id": case.id, "reference": reference_of(case), "balance": ZERO} for case in cases],
        )


def locked_case(session: Session, case_id: int) -> Case:
    """The case locked for a change of its money, or 404."""
    case = session.execute(
        select(Case).where(Case.id == case_id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one_or_none()
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case


def book(
    session: Session,
    *,
    account: CaseAccount,
    user: User,
    kind: LedgerEntryKind,
    amount: Decimal,
    entry_on: date,
    receipt_id: int | None = None,
    payout_id: int | None = None,
    reverses: LedgerEntry | None = None,
    reason: str | None = None,
) -> LedgerEntry:
    """Book one entry on the (locked) account; refused with the balance when it would go below zero."""
    if account.balance + amount < ZERO:
        raise InsufficientFunds(
            f"case account {account.reference} holds {account.balance}; {-amount} cannot be taken from it",
            balance=str(account.balance),
            available=str(account.balance),
        )
    booked = {
        "kind": kind,
        "amount": amount,
        "entry_on": entry_on,
        "receipt_id": receipt_id,
        "payout_id": payout_id,
        "reverses_entry_id": reverses.id if reverses is not None else None,
    }
    entry = LedgerEntry(case_id=account.case_id, **booked, reason=reason, recorded_by_id=user.id)
    account.balance += amount
    after = booked | {"balance": account.balance}
    return audit.record_created(session, user, entry, f"ledger.{kind}", after=after, reason=reason)


def credit_receipt(session: Session, *, case: Case, receipt: Receipt, user: User) -> LedgerEntry:
    """Book a receipt into its (locked) case's ledger; its payout clock (D19) runs from the day received."""
    account = open_account(session, case=case)
    entry = book(
        session,
        account=account,
        user=user,
        kind=LedgerEntryKind.receipt,
        amount=receipt.amount,
        entry_on=receipt.received_on,
        receipt_id=receipt.id,
    )
    _receipt_event(session, RECEIVED, case=case, receipt_id=receipt.id, on=receipt.received_on, user=user)
    return entry


def _receipt_event(
    session: Session, event: str, *, case: Case, receipt_id: int, on: date, user: User
) -> None:
    """A deadline event of a receipt booked in the case's ledger (its payout clock, D19)."""
    deadlines.record_event(
        session,
        event=event,
        on=on,
        case_id=case.id,
        subject_type="receipt",
        subject_id=receipt_id,
        actor=user,
    )


@dataclass(frozen=True)
class Figures:
    """What a case's money stands at (all amounts in yuan)."""

    balance: Decimal
    received: Decimal
    paid_to_applicants: Decimal
    paid_to_respondents: Decimal
    fee_due: Decimal
    fee_paid: Decimal
    reserved: Decimal  # payouts asked for or approved, not yet made
    fee_reserved: Decimal
    available_for_applicants: Decimal
    available_for_fee: Decimal
    available_for_respondents: Decimal

    @property
    def paid_out(self) -> Decimal:
        return self.paid_to_applicants + self.paid_to_respondents + self.fee_paid


def figures(session: Session, *, case: Case, balance: Decimal) -> Figures:
    """The case's money figures from its ledger and open payouts."""
    sums = session.execute(
        select(LedgerEntry.kind, Payout.kind, func.sum(LedgerEntry.amount))
        .select_from(LedgerEntry)
        .outerjoin(Payout, Payout.id == LedgerEntry.payout_id)
        .where(LedgerEntry.case_id == case.id)
        .group_by(LedgerEntry.kind, Payout.kind)
    ).all()
    reversed_by_kind = _reversed(session, case_id=case.id)
    received = sum((Decimal(total) for kind, _, total in sums if kind == LedgerEntryKind.receipt), ZERO)
    received -= reversed_by_kind.get(LedgerEntryKind.receipt, ZERO)
    paid = {
        payout_kind: -Decimal(total) - reversed_by_kind.get(payout_kind, ZERO)
        for kind, payout_kind, total in sums
        if kind == LedgerEntryKind.payout
    }
    asked = {
        kind: Decimal(total)
        for kind, total in session.execute(
            select(Payout.kind, func.sum(Payout.amount))
            .where(Payout.case_id == case.id, Payout.state.in_(OPEN_PAYOUTS))
            .group_by(Payout.kind)
        )
    }
    reserved = sum(asked.values(), ZERO)
    due, fee_paid, fee_reserved = (
        fee_due(case),
        paid.get(PayoutKind.fee, ZERO),
        asked.get(PayoutKind.fee, ZERO),
    )
    fee_left = max(due - fee_paid - fee_reserved, ZERO)
    outstanding = ZERO if case.claim_amount is None else max(case.claim_amount - case.paid_amount, ZERO)
    return Figures(
        balance=balance,
        received=received,
        paid_to_applicants=paid.get(PayoutKind.applicant, ZERO),
        paid_to_respondents=paid.get(PayoutKind.respondent, ZERO),
        fee_due=due,
        fee_paid=fee_paid,
        reserved=reserved,
        fee_reserved=fee_reserved,
        available_for_applicants=applicant_available(
            balance=balance, reserved=reserved, fee_due=due, fee_paid=fee_paid, fee_reserved=fee_reserved
        ),
        available_for_fee=max(min(balance - reserved, due - fee_paid - fee_reserved), ZERO),
        available_for_respondents=surplus_available(
            balance=balance,
            reserved=reserved,
            fee_left=fee_left,
            claim_left=max(outstanding - asked.get(PayoutKind.applicant, ZERO), ZERO),
        ),
    )


def _reversed(session: Session, *, case_id: int) -> dict[str, Decimal]:
    """The amounts reversed, by what they reversed: receipts, and payouts by payout kind."""
    original = LedgerEntry.__table__.alias("original")
    rows = session.execute(
        select(original.c.kind, Payout.kind, func.sum(original.c.amount))
        .select_from(LedgerEntry)
        .join(original, original.c.id == LedgerEntry.reverses_entry_id)
        .outerjoin(Payout, Payout.id == original.c.payout_id)
        .where(LedgerEntry.case_id == case_id)
        .group_by(original.c.kind, Payout.kind)
    ).all()
    out: dict[str, Decimal] = {}
    for kind, payout_kind, total in rows:
        key = payout_kind if kind == LedgerEntryKind.payout else kind
        out[key] = out.get(key, ZERO) + abs(Decimal(total))
    return out


def mark_paid_out(session: Session, *, case: Case, on: date, user: User) -> list[int]:
    """Record the receipts the payouts made so far cover (oldest money first) as paid out: D19 met."""
    receipts = session.execute(
        select(Receipt.id, Receipt.received_on, Receipt.amount)
        .join(LedgerEntry, LedgerEntry.receipt_id == Receipt.id)
        .where(
            LedgerEntry.case_id == case.id,
            LedgerEntry.kind == LedgerEntryKind.receipt,
            LedgerEntry.id.not_in(
                select(LedgerEntry.reverses_entry_id).where(
                    LedgerEntry.case_id == case.id, LedgerEntry.reverses_entry_id.is_not(None)
                )
            ),
        )
    ).all()
    money = figures(session, case=case, balance=balance_of(session, case_id=case.id))
    # Net of payouts the bank returned: money that came back is paid out again before it counts.
    paid_out = money.paid_out
    covered = receipts_paid_out(
        [CreditedReceipt(receipt_id=r.id, received_on=r.received_on, amount=r.amount) for r in receipts],
        paid_out,
    )
    already = set(
        session.scalars(
            select(DeadlineEvent.subject_id).where(
                DeadlineEvent.case_id == case.id,
                DeadlineEvent.event == PAID_OUT,
                DeadlineEvent.subject_type == "receipt",
            )
        )
    )
    newly = [receipt_id for receipt_id in covered if receipt_id not in already]
    for receipt_id in newly:
        _receipt_event(session, PAID_OUT, case=case, receipt_id=receipt_id, on=on, user=user)
    return newly


def reverse_entry(
    session: Session, *, entry_id: int, user: User, reason: str, reversed_on: date | None
) -> LedgerEntry:
    """Correct a booked entry by a counter-entry that names it; an entry is reversed once, and a
    reversal is not itself reversed (book the entry again instead)."""
    case_id = session.execute(
        select(LedgerEntry.case_id).where(LedgerEntry.id == entry_id)
    ).scalar_one_or_none()
    if case_id is None:
        raise NotFound(f"ledger entry {entry_id} not found")
    case = locked_case(session, case_id)
    account = open_account(session, case=case)
    entry = session.get_one(LedgerEntry, entry_id)
    reversed_on = legal_date_or_today(
        "reversed_on", reversed_on, not_before=entry.entry_on, not_before_what="the entry"
    )
    if entry.kind == LedgerEntryKind.reversal:
        raise Conflict(f"ledger entry {entry.id} is a reversal; book the original entry again instead")
    earlier = session.execute(
        select(LedgerEntry.id).where(LedgerEntry.reverses_entry_id == entry.id)
    ).scalar_one_or_none()
    if earlier is not None:
        raise Conflict(f"ledger entry {entry.id} was already reversed by entry {earlier}", entry_id=earlier)
    reversal = book(
        session,
        account=account,
        user=user,
        kind=LedgerEntryKind.reversal,
        amount=-entry.amount,
        entry_on=reversed_on,
        reverses=entry,
        reason=reason,
    )
    if entry.payout_id is not None:
        payout = session.get_one(Payout, entry.payout_id)
        if payout.kind == PayoutKind.applicant:
            # Performance follows the ledger: money that came back was not paid to the applicant.
            case.paid_amount -= payout.amount
    if entry.receipt_id is not None:
        _receipt_event(
            session, RECEIPT_REVERSED, case=case, receipt_id=entry.receipt_id, on=reversed_on, user=user
        )
    return reversal


def money_held(session: Session, *, case: Case) -> tuple[Decimal, list[int]]:
    """What the case's account still holds, and the payouts asked for or approved and not yet made."""
    waiting = session.scalars(
        select(Payout.id).where(Payout.case_id == case.id, Payout.state.in_(OPEN_PAYOUTS)).order_by(Payout.id)
    )
    return balance_of(session, case_id=case.id), list(waiting)


def entries(session: Session, *, case_id: int) -> list[LedgerEntry]:
    return list(
        session.scalars(select(LedgerEntry).where(LedgerEntry.case_id == case_id).order_by(LedgerEntry.id))
    )


def balance_of(session: Session, *, case_id: int) -> Decimal:
    stored = session.execute(
        select(CaseAccount.balance).where(CaseAccount.case_id == case_id)
    ).scalar_one_or_none()
    return stored if stored is not None else ZERO


@dataclass(frozen=True)
class Ledger:
    """A case's ledger as its reader sees it: the account, every entry and the figures."""

    case: Case
    reference: str
    entries: list[LedgerEntry]
    reversed_by: dict[int, int]
    figures: Figures


def read_ledger(session: Session, *, case_id: int, user: User) -> Ledger:
    """The case's ledger, or 404 when the caller may not see the case, 403 when not its money."""
    case = load_case(session, case_id, user)
    if not actor_may_on_case(user, "money.read", case):
        raise Forbidden(f"you may not read the money of case {case.case_number}")
    rows = entries(session, case_id=case.id)
    return Ledger(
        case=case,
        reference=reference_of(case),
        entries=rows,
        reversed_by={row.reverses_entry_id: row.id for row in rows if row.reverses_entry_id is not None},
        figures=figures(session, case=case, balance=balance_of(session, case_id=case.id)),
    )
