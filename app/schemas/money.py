"""Case money (执行案款, plan §6(5)): receipts, claims, payouts, deferrals, reversals and the ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field
from pydantic import model_validator

from app.enums import DeferralReason
from app.enums import DeferralState
from app.enums import LedgerEntryKind
from app.enums import PayoutKind
from app.enums import PayoutState
from app.enums import ReceiptChannel
from app.enums import ReceiptState
from app.schemas.common import AllowedActions
from app.schemas.common import DecisionInput
from app.schemas.common import InputModel
from app.schemas.common import ISODate
from app.schemas.common import LegalDate
from app.schemas.common import LegalDateOrToday
from app.schemas.common import LongText
from app.schemas.common import MoneyIn
from app.schemas.common import MoneyOut
from app.schemas.common import Name
from app.schemas.common import ORMModel
from app.schemas.common import RowId
from app.schemas.common import example
from app.schemas.common import field_error

AccountReference = Annotated[
    str,
    Field(
        min_length=1,
        max_length=100,
        description="the case account reference (一案一账号): 16 digits and a check character",
        examples=["41010400000000013"],
    ),
]
BankReference = Annotated[str, Field(min_length=1, max_length=100, description="the bank's reference")]
BankAccount = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[0-9A-Za-z -]+$")]


class ReceiptCreate(InputModel):
    """Money received into the court's enforcement account, as the bank or the cashier shows it."""

    model_config = example(
        amount="5000.00",
        received_on="2026-07-01",
        payer="郑州某某贸易有限公司",
        channel="bank_transfer",
        bank_reference="BOC20260701-000123",
        account_reference="41010400000000013",
    )

    amount: MoneyIn = Field(description="yuan received; more than 0.00")
    received_on: LegalDate
    payer: Name
    channel: ReceiptChannel
    bank_reference: BankReference | None = Field(
        None, description="required except for cash; one receipt per reference"
    )
    account_reference: str | None = Field(
        None,
        max_length=100,
        description="the case account reference the payer quoted, as written; a missing, malformed or "
        "unknown one puts the receipt on the unclaimed list",
    )
    officers: list[Name] | None = Field(
        None, description="cash: the two officers who took it over (现金由两人经手)"
    )
    notes: LongText | None = None

    @model_validator(mode="after")
    def _channel_needs(self) -> ReceiptCreate:
        if self.amount <= 0:
            raise field_error(
                type(self), "amount", "money_not_positive", "must be more than 0.00", self.amount
            )
        # SPC provisions on enforcement money (2017): cash is taken by no fewer than two officers.
        if self.channel == ReceiptChannel.cash:
            if self.officers is None or len(set(self.officers)) != 2:  # noqa: PLR2004 - two officers
                raise field_error(
                    type(self),
                    "officers",
                    "two_officers",
                    "cash is taken over by two officers",
                    self.officers,
                )
        elif self.bank_reference is None:
            raise field_error(
                type(self), "bank_reference", "missing", "money through a bank has its reference", None
            )
        return self


class ReceiptClaim(InputModel):
    """The office claims an unclaimed receipt to the case it belongs to (认领)."""

    model_config = example(account_reference="41010400000000013", claimed_on="2026-07-02")

    account_reference: AccountReference
    claimed_on: LegalDateOrToday = None


class ReceiptRead(ORMModel):
    id: int
    case_id: int | None
    state: ReceiptState
    amount: MoneyOut
    received_on: ISODate
    payer: str
    channel: ReceiptChannel
    bank_reference: str | None
    quoted_reference: str | None
    officers: list[str] | None
    notes: str | None
    disposal_transfer_id: int | None
    recorded_by: int = Field(validation_alias="recorded_by_id")
    recorded_at: datetime
    claimed_by: int | None = Field(validation_alias="claimed_by_id")
    claimed_on: ISODate | None
    allowed_actions: AllowedActions = []
    version: int


class PayoutCreate(InputModel):
    """The handling judge asks for a payout to an applicant, or of the fee to the court."""

    model_config = example(
        kind="applicant",
        amount="40000.00",
        payee_party_id=1,
        payee_account="6222020200112233445",
        payee_bank="中国工商银行郑州花园路支行",
        requested_on="2026-07-02",
    )

    kind: PayoutKind
    amount: MoneyIn = Field(description="yuan; more than 0.00")
    payee_party_id: RowId | None = Field(
        None, description="the applicant (or, for a surplus, the respondent) paid; fee: none"
    )
    payee_account: BankAccount | None = Field(None, description="the party's account paid into")
    payee_bank: Name | None = None
    requested_on: LegalDateOrToday = None
    notes: LongText | None = None

    @model_validator(mode="after")
    def _party_has_account(self) -> PayoutCreate:
        if self.kind != PayoutKind.fee and self.payee_account is None:
            raise field_error(type(self), "payee_account", "missing", "the payee's account is needed", None)
        if self.kind != PayoutKind.fee and self.payee_party_id is None:
            raise field_error(type(self), "payee_party_id", "missing", "the party paid is needed", None)
        return self


class PayoutDecision(DecisionInput):
    """A leader of the payout's tier approves or refuses it."""

    model_config = example(decision="approve", decided_on="2026-07-03")


class PayoutExecution(InputModel):
    """The office has paid: the bank's reference of the transfer."""

    model_config = example(bank_reference="ICBC20260706-004567", executed_on="2026-07-06")

    bank_reference: BankReference
    executed_on: LegalDateOrToday = None


class PayoutRead(ORMModel):
    id: int
    case_id: int
    kind: PayoutKind
    state: PayoutState
    amount: MoneyOut
    payee_party_id: int | None
    payee_name: str
    payee_account: str | None
    payee_bank: str | None
    approver_role: str = Field(description="who approves it by its amount: deputy_director or director")
    requested_by: int = Field(validation_alias="requested_by_id")
    requested_on: ISODate
    notes: str | None
    decided_by: int | None = Field(validation_alias="decided_by_id")
    decided_on: ISODate | None
    decision_reason: str | None
    executed_by: int | None = Field(validation_alias="executed_by_id")
    executed_on: ISODate | None
    bank_reference: str | None
    allowed_actions: AllowedActions = []
    version: int
    created_at: datetime


class DeferralCreate(InputModel):
    """The handling judge asks to defer the case's payouts, with the reason."""

    model_config = example(
        reason_kind="disputed", reason="案外人对拍卖款提出异议，待异议审查", requested_on="2026-07-07"
    )

    reason_kind: DeferralReason
    reason: LongText
    requested_on: LegalDateOrToday = None


class DeferralDecision(DecisionInput):
    """The director approves the deferral (the payout clock waits) or refuses it."""

    model_config = example(decision="approve", decided_on="2026-07-08")


class DeferralLift(InputModel):
    """The reason for deferring has gone: the payout clock runs again."""

    model_config = example(lifted_on="2026-07-20", reason="异议已驳回")

    lifted_on: LegalDateOrToday = None
    reason: LongText | None = None


class DeferralRead(ORMModel):
    id: int
    case_id: int
    state: DeferralState
    reason_kind: DeferralReason
    reason: str
    requested_by: int = Field(validation_alias="requested_by_id")
    requested_on: ISODate
    decided_by: int | None = Field(validation_alias="decided_by_id")
    decided_on: ISODate | None
    decision_reason: str | None
    lifted_by: int | None = Field(validation_alias="lifted_by_id")
    lifted_on: ISODate | None
    allowed_actions: AllowedActions = []
    version: int


class ReversalCreate(InputModel):
    """Correct a booked entry by a reversing entry that names it (once)."""

    model_config = example(reason="银行退回：收款账户户名不符", reversed_on="2026-07-09")

    reason: LongText
    reversed_on: LegalDateOrToday = None


class LedgerEntryRead(ORMModel):
    id: int
    case_id: int
    kind: LedgerEntryKind
    amount: MoneyOut = Field(description="yuan; money in positive, money out negative")
    entry_on: ISODate
    receipt_id: int | None
    payout_id: int | None
    reverses_entry_id: int | None
    reversed_by_entry_id: int | None = None
    balance_after: MoneyOut = Field(description="the balance after this entry")
    reason: str | None
    recorded_by: int = Field(validation_alias="recorded_by_id")
    recorded_at: datetime


class LedgerRead(ORMModel):
    """A case's account (一案一账号): every entry, the balance and what it means for the case."""

    case_id: int
    case_number: str
    account_reference: str
    balance: MoneyOut
    received: MoneyOut = Field(description="received into the account, less receipts reversed")
    paid_to_applicants: MoneyOut
    paid_to_respondents: MoneyOut = Field(description="surplus returned to the respondent (余款退还)")
    fee_due: MoneyOut = Field(description="the execution application (or preservation) fee by law")
    fee_paid: MoneyOut
    reserved: MoneyOut = Field(description="payouts asked for or approved and not yet made")
    available_for_applicants: MoneyOut = Field(
        description="what may still be asked for the applicants: the fee is taken first"
    )
    available_for_respondents: MoneyOut = Field(
        description="the surplus: what is left once the claim and the fee are paid or asked for"
    )
    claim_amount: MoneyOut | None
    paid_amount: MoneyOut = Field(description="performance recorded on the case, payouts included")
    outstanding_claim: MoneyOut | None = Field(description="the claim less what has been paid")
    closing_as_performed_offered: bool = Field(
        description="the payouts cover the claim and the fee is paid: the case may close as performed"
    )
    entries: list[LedgerEntryRead]
