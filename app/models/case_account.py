"""The case account (一案一账号) and its ledger (plan §6(5))."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.enums import LedgerEntryKind
from app.models.base import Base
from app.models.base import Money
from app.models.base import StringEnum
from app.models.base import UTCDateTime
from app.models.base import id_order_indexes
from app.models.base import utcnow


class CaseAccount(Base):
    """One account per case: the reference a payer quotes, and the balance its ledger holds.

    Every change of the balance locks this row first (after the case), so two payouts of one case
    are decided one after the other, whichever process serves them.
    """

    __tablename__ = "case_account"
    # SPC provisions on enforcement money (2017): money paid out of a case is money it holds.
    __table_args__ = (CheckConstraint("balance >= 0", name="balance_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), unique=True)
    reference: Mapped[str] = mapped_column(String(32), unique=True)
    balance: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class LedgerEntry(Base):
    """One immutable line of a case's ledger: money in (a receipt), money out (a payout), or a
    reversal naming the entry it corrects, at most once."""

    __tablename__ = "ledger_entry"
    __table_args__ = id_order_indexes("ledger_entry", "case_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    kind: Mapped[LedgerEntryKind] = mapped_column(StringEnum(LedgerEntryKind, 20))
    # Signed: money in is positive, money out negative; the balance is their sum.
    amount: Mapped[Decimal] = mapped_column(Money)
    entry_on: Mapped[date]
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("receipt.id"), index=True)
    payout_id: Mapped[int | None] = mapped_column(ForeignKey("payout.id"), index=True)
    reverses_entry_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_entry.id"), unique=True)
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
