"""Money received into the court's enforcement account (执行款到账, plan §6(5); plan §6(5)).

The office records each sum with its channel and bank reference. One that quotes a case's account
reference is booked into that case's ledger at once; one that quotes none, or a reference that is
malformed or names no case, waits on the unclaimed list until the office claims it (认领) to a case
within 3 working days (D18). Auction proceeds reach the ledger when the disposal group returns the
case, once per transfer.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import insert_skipping_conflicts
from app.enums import ReceiptChannel
from app.enums import ReceiptState
from app.errors import Conflict
from app.errors import InvalidInput
from app.models.case import Case
from app.models.receipt import Receipt
from app.models.user import User
from app.rules.money import ReferenceError
from app.rules.money import case_id_of_reference
from app.services import audit
from app.services import ledger
from app.services.workflow import Step
from app.services.workflow import Workflow
from app.services.workflow import check_legal_date
from app.services.workflow import fields_of
from app.services.workflow import legal_date_or_today

UNCLAIMED_RECEIVED, CLAIMED = "money.unclaimed_received", "money.claimed"

RECEIPTS = Workflow(
    model=Receipt,
    entity="receipt",
    actions_of=lambda receipt: ("claim",) if receipt.state == ReceiptState.unclaimed else (),
    steps={"claim": Step(permission="money.claim")},
    snapshot=fields_of("state", "case_id", "version"),
    clocks_on_case=False,  # D18 is the money office's clock, whichever case the receipt comes to
    filters={"state": Receipt.state, "case_id": Receipt.case_id},
)


def case_of_reference(session: Session, reference: str) -> Case | None:
    """The case whose account has this reference, or None; :class:`ReferenceError` when it is not a
    well-formed reference."""
    case = session.get(Case, case_id_of_reference(reference))
    if case is None or ledger.reference_of(case) != reference.strip().upper():
        return None
    return case


def case_quoted(session: Session, quoted: str | None) -> Case | None:
    """The case whose account reference was quoted, or None when it names none."""
    if quoted is None:
        return None
    try:
        return case_of_reference(session, quoted)
    except ReferenceError:
        return None


_snapshot = fields_of(
    "state",
    "case_id",
    "amount",
    "received_on",
    "payer",
    "channel",
    "bank_reference",
    "quoted_reference",
    "disposal_transfer_id",
)


def _insert(session: Session, values: dict[str, Any], *, user: User) -> Receipt | None:
    """The new receipt with its audit entry, or None when its bank reference (or its disposal
    transfer) is already booked."""
    statement = insert_skipping_conflicts(session, Receipt, returning=(Receipt,))
    receipt: Receipt | None = session.scalars(statement, [values]).one_or_none()
    if receipt is not None:
        audit.record_for(
            session, user, receipt, "receipt.record", after=_snapshot(receipt), reason=receipt.notes
        )
    return receipt


def record_receipt(
    session: Session,
    *,
    user: User,
    amount: Decimal,
    received_on: date,
    payer: str,
    channel: ReceiptChannel,
    bank_reference: str | None,
    account_reference: str | None,
    officers: list[str] | None,
    notes: str | None,
) -> Receipt:
    """Record money received: into the quoted case's ledger, or onto the unclaimed list (D18 starts)."""
    case = case_quoted(session, account_reference)
    if case is not None:
        case = ledger.locked_case(session, case.id)
        check_legal_date("received_on", received_on, not_before=case.filed_on, not_before_what="the filing")
    receipt = _insert(
        session,
        {
            "case_id": case.id if case else None,
            "state": ReceiptState.credited if case else ReceiptState.unclaimed,
            "amount": amount,
            "received_on": received_on,
            "payer": payer,
            "channel": channel,
            "bank_reference": bank_reference,
            "quoted_reference": account_reference,
            "officers": officers,
            "notes": notes,
            "recorded_by_id": user.id,
        },
        user=user,
    )
    if receipt is None:
        raise Conflict(f"a receipt with bank reference {bank_reference} is already recorded")
    if case is not None:
        ledger.credit_receipt(session, case=case, receipt=receipt, user=user)
    else:
        RECEIPTS.clock(session, receipt, UNCLAIMED_RECEIVED, on=received_on, actor=user)
    return RECEIPTS.reload(session, receipt.id)


def claim_receipt(
    session: Session,
    *,
    receipt_id: int,
    user: User,
    account_reference: str,
    claimed_on: date | None = None,
    expected_version: int | None = None,
) -> Receipt:
    """Claim an unclaimed receipt to the case whose account reference the office found (认领): it is
    booked into that ledger, D18 is met and the case's payout clock (D19) runs from the day received."""
    # An unclaimed receipt is locked by nothing else, so taking it before its case cannot deadlock.
    receipt = RECEIPTS.for_action(session, user, receipt_id, "claim", expected_version)
    try:
        found = case_of_reference(session, account_reference)
    except ReferenceError as error:
        raise InvalidInput("account_reference", str(error)) from None
    if found is None:
        raise InvalidInput("account_reference", f"no case has the account {account_reference}")
    case = ledger.locked_case(session, found.id)
    claimed_on = legal_date_or_today(
        "claimed_on", claimed_on, not_before=receipt.received_on, not_before_what="the receipt"
    )
    before = _snapshot(receipt)
    receipt.case_id, receipt.state = case.id, ReceiptState.credited
    receipt.claimed_by_id, receipt.claimed_on = user.id, claimed_on
    session.flush()
    RECEIPTS.clock(session, receipt, CLAIMED, on=claimed_on, actor=user)
    ledger.credit_receipt(session, case=case, receipt=receipt, user=user)
    return RECEIPTS.changed(
        session, user=user, record=receipt, action="claim", before=before, claimed_on=claimed_on
    )


def record_auction_proceeds(
    session: Session, *, case: Case, transfer_id: int, amount: Decimal, received_on: date, user: User
) -> Receipt:
    """The proceeds a disposal return reports, booked into the (locked) case's ledger once per transfer."""
    existing = session.execute(
        select(Receipt).where(Receipt.disposal_transfer_id == transfer_id)
    ).scalar_one_or_none()
    if existing is not None:
        return existing
    receipt = _insert(
        session,
        {
            "case_id": case.id,
            "state": ReceiptState.credited,
            "amount": amount,
            "received_on": received_on,
            "payer": f"disposal transfer {transfer_id}",
            "channel": ReceiptChannel.auction_proceeds,
            "bank_reference": None,
            "quoted_reference": ledger.reference_of(case),
            "officers": None,
            "notes": None,
            "disposal_transfer_id": transfer_id,
            "recorded_by_id": user.id,
        },
        user=user,
    )
    if receipt is None:  # booked meanwhile by a retry of the same return
        return session.execute(
            select(Receipt).where(Receipt.disposal_transfer_id == transfer_id)
        ).scalar_one()
    ledger.credit_receipt(session, case=case, receipt=receipt, user=user)
    return receipt
