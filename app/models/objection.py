"""Enforcement objections (执行异议) and their hearings (docs/rules.md#objections, plan §5(7))."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.enums import FilerKind
from app.enums import ObjectionKind
from app.enums import ObjectionOutcome
from app.enums import ObjectionState
from app.models.base import Base
from app.models.base import StringEnum
from app.models.base import UTCDateTime
from app.models.base import id_order_indexes
from app.models.base import utcnow
from app.models.case import CaseRecord


class Objection(CaseRecord, Base):
    """An objection filed against a case, docketed with its own 执异 number and ruled on by the
    objection group; a ruling may go to the higher court on reconsideration (复议)."""

    __tablename__ = "objection"
    __table_args__ = id_order_indexes("objection", "case_id", "state", "kind")

    kind: Mapped[ObjectionKind] = mapped_column(StringEnum(ObjectionKind, 30))
    filer_name: Mapped[str] = mapped_column(String(200))
    filer_kind: Mapped[FilerKind] = mapped_column(StringEnum(FilerKind, 20))
    received_on: Mapped[date]
    grounds: Mapped[str] = mapped_column(Text)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"))  # outsider: the asset claimed
    state: Mapped[ObjectionState] = mapped_column(
        StringEnum(ObjectionState, 30), default=ObjectionState.received
    )

    docket_number: Mapped[str | None] = mapped_column(String(64), unique=True)  # （2026）豫0104执异1号
    docket_year: Mapped[int | None]
    docket_serial: Mapped[int | None]
    docketed_on: Mapped[date | None]

    outcome: Mapped[ObjectionOutcome | None] = mapped_column(StringEnum(ObjectionOutcome, 20))
    ruling_reasons: Mapped[str | None] = mapped_column(Text)
    ruled_on: Mapped[date | None]
    served_on: Mapped[date | None]

    reconsideration_applied_on: Mapped[date | None]
    reconsideration_applicant: Mapped[str | None] = mapped_column(String(200))
    reconsideration_grounds: Mapped[str | None] = mapped_column(Text)
    transferred_on: Mapped[date | None]
    higher_court: Mapped[str | None] = mapped_column(String(100))
    transfer_note: Mapped[str | None] = mapped_column(Text)

    filed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    hearings: Mapped[list[ObjectionHearing]] = relationship(
        lazy="raise", order_by="ObjectionHearing.id", cascade="all, delete-orphan"
    )


class ObjectionHearing(Base):
    """A hearing (听证) of an objection: scheduled, then held with notes."""

    __tablename__ = "objection_hearing"

    id: Mapped[int] = mapped_column(primary_key=True)
    objection_id: Mapped[int] = mapped_column(ForeignKey("objection.id", ondelete="CASCADE"), index=True)
    scheduled_for: Mapped[datetime | None] = mapped_column(UTCDateTime)
    held_on: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
