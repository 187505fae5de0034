"""Money received into the court's enforcement account (执行款到账), in a case's ledger or unclaimed."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.enums import ReceiptChannel
from app.enums import ReceiptState
from app.models.base import Base
from app.models.base import Money
from app.models.base import StringEnum
from app.models.base import UTCDateTime
from app.models.base import id_order_indexes
from app.models.base import utcnow


class Receipt(Base):
    """A sum the office recorded as received: credited to the case whose account it quotes, or unclaimed
    until the office claims it (认领) to a case."""

    __tablename__ = "receipt"
    __table_args__ = id_order_indexes("receipt", "state", "case_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    state: Mapped[ReceiptState] = mapped_column(StringEnum(ReceiptState, 20))
    amount: Mapped[Decimal] = mapped_column(Money)
    received_on: Mapped[date]
    payer: Mapped[str] = mapped_column(String(200))
    channel: Mapped[ReceiptChannel] = mapped_column(StringEnum(ReceiptChannel, 30))
    # The bank's reference of the transfer; one receipt per reference, so a sum is never booked twice.
    bank_reference: Mapped[str | None] = mapped_column(String(100), unique=True)
    quoted_reference: Mapped[str | None] = mapped_column(String(100))  # as the payer wrote it
    officers: Mapped[list[str] | None] = mapped_column(JSON)  # cash: the two officers who took it
    notes: Mapped[str | None] = mapped_column(Text)
    # Auction proceeds of a disposal return: one receipt per transfer, however often it is retried.
    disposal_transfer_id: Mapped[int | None] = mapped_column(ForeignKey("disposal_transfer.id"), unique=True)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    claimed_on: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
