"""Payouts from a case's account (执行款发放) and deferrals of them (暂缓发放)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.enums import DeferralReason
from app.enums import DeferralState
from app.enums import PayoutKind
from app.enums import PayoutState
from app.models.base import Base
from app.models.base import Decided
from app.models.base import Money
from app.models.base import Requested
from app.models.base import StringEnum
from app.models.base import id_order_indexes
from app.models.case import CaseRecord


class Payout(Requested, Decided, CaseRecord, Base):
    """A payout the handling judge asks for, a leader approves by amount tier and the office makes."""

    __tablename__ = "payout"
    __table_args__ = id_order_indexes("payout", "case_id", "state")

    kind: Mapped[PayoutKind] = mapped_column(StringEnum(PayoutKind, 20))
    state: Mapped[PayoutState] = mapped_column(StringEnum(PayoutState, 20), default=PayoutState.requested)
    amount: Mapped[Decimal] = mapped_column(Money)
    payee_party_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    payee_name: Mapped[str] = mapped_column(String(200))
    payee_account: Mapped[str | None] = mapped_column(String(64))
    payee_bank: Mapped[str | None] = mapped_column(String(200))
    approver_role: Mapped[str] = mapped_column(String(30))  # the tier: deputy_director or director
    notes: Mapped[str | None] = mapped_column(Text)
    executed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    executed_on: Mapped[date | None]
    bank_reference: Mapped[str | None] = mapped_column(String(100))


class PayoutDeferral(Requested, Decided, CaseRecord, Base):
    """A deferral of a case's payouts with its reason: the director approves it, and the payout clock
    (D19) waits from then until it is lifted."""

    __tablename__ = "payout_deferral"
    __table_args__ = id_order_indexes("payout_deferral", "case_id")

    state: Mapped[DeferralState] = mapped_column(
        StringEnum(DeferralState, 20), default=DeferralState.requested
    )
    reason_kind: Mapped[DeferralReason] = mapped_column(StringEnum(DeferralReason, 30))
    reason: Mapped[str] = mapped_column(Text)
    lifted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    lifted_on: Mapped[date | None]
