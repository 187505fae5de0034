from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.enums import RecheckMethod
from app.enums import RecheckResult
from app.models.base import Base
from app.models.base import StringEnum
from app.models.base import UTCDateTime
from app.models.base import id_order_indexes
from app.models.base import utcnow


class TerminationPoolEntry(Base):
    """A case closed as 终本, re-checked every 6 months for 5 years (docs/rules.md#gate); the dates are
    computed from ``entered_on`` and the settings."""

    __tablename__ = "termination_pool_entry"
    __table_args__ = id_order_indexes("termination_pool_entry", "unit_code")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), unique=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    entered_on: Mapped[date]  # the 终本 ruling's date
    ends_on: Mapped[date]
    restored_case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    left_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TerminationPoolRecheck(Base):
    """One re-check of a 终本 pool case (定期查询): its date, method and result."""

    __tablename__ = "termination_pool_recheck"
    __table_args__ = (Index("ix_termination_pool_recheck_case_id_checked_on", "case_id", "checked_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"))
    checked_on: Mapped[date]
    method: Mapped[RecheckMethod] = mapped_column(StringEnum(RecheckMethod, 20))
    result: Mapped[RecheckResult] = mapped_column(StringEnum(RecheckResult, 20))
    clue_pending: Mapped[bool]  # a property clue is still being verified
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
