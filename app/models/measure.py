"""Enforcement measures recorded on a case by its handling team (执行措施, plan §5(3))."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.enums import MeasureKind
from app.models.base import Base
from app.models.base import Money
from app.models.base import StringEnum
from app.models.base import UTCDateTime
from app.models.base import id_order_indexes
from app.models.base import utcnow


class Measure(Base):
    """One measure (notice served, check made, fine imposed, suspension …) with its legal date,
    document number and signer ("谁办案谁负责", plan §4)."""

    __tablename__ = "measure"
    __table_args__ = (
        Index("ix_measure_case_id_kind", "case_id", "kind"),
        *id_order_indexes("measure", "case_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    kind: Mapped[MeasureKind] = mapped_column(StringEnum(MeasureKind, 40))
    subtype: Mapped[str | None] = mapped_column(String(40))  # OnsiteCheckSubject | SuspensionKind
    taken_on: Mapped[date]  # the legal date: served, issued, checked, heard, paid
    served_on: Mapped[date | None]  # documents: the day the party received it (送达回证)
    document_number: Mapped[str | None] = mapped_column(String(100))
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Documents reserved to the president: the director's review, then the president's approval.
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_on: Mapped[date | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_on: Mapped[date | None]
    respondent_id: Mapped[int | None] = mapped_column(ForeignKey("party.id"))
    amount: Mapped[Decimal | None] = mapped_column(Money)  # fines and payments
    detention_days: Mapped[int | None]
    # Suspensions: the period, and when it actually ended (set by its suspension_end measure).
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    ended_on: Mapped[date | None]
    suspension_id: Mapped[int | None] = mapped_column(ForeignKey("measure.id"))  # suspension_end → suspension
    result: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
