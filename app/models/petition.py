"""Enforcement petitions (涉执信访) and the urging notes on them (plan §5(8), plan §5(8))."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.enums import PetitionChannel
from app.enums import PetitionState
from app.models.base import Base
from app.models.base import StringEnum
from app.models.base import UTCDateTime
from app.models.base import VersionedRecord
from app.models.base import id_order_indexes
from app.models.base import utcnow


class Petition(VersionedRecord, Base):
    """A petition about enforcement, received by the comprehensive group, answered by the
    handling team and closed (报结) by the comprehensive group."""

    __tablename__ = "petition"
    __table_args__ = (
        Index("ix_petition_case_id_petitioner_key", "case_id", "petitioner_key"),
        *id_order_indexes("petition", "state", "supervised"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    received_on: Mapped[date]
    channel: Mapped[PetitionChannel] = mapped_column(StringEnum(PetitionChannel, 20))
    petitioner_name: Mapped[str] = mapped_column(String(200))
    petitioner_key: Mapped[str] = mapped_column(String(200))  # normalised name: finds repeat petitions
    contact: Mapped[str | None] = mapped_column(String(200))
    content: Mapped[str] = mapped_column(Text)
    state: Mapped[PetitionState] = mapped_column(
        StringEnum(PetitionState, 20), default=PetitionState.received
    )
    repeat_of_id: Mapped[int | None] = mapped_column(ForeignKey("petition.id"))
    repeat_count: Mapped[int] = mapped_column(default=0)  # earlier petitions of this petitioner on the case

    registered_on: Mapped[date | None]
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"), index=True)  # routed to
    routed_on: Mapped[date | None]
    route_note: Mapped[str | None] = mapped_column(Text)

    supervised: Mapped[bool] = mapped_column(default=False)  # 督办: on the leadership's board
    supervised_on: Mapped[date | None]
    supervision_note: Mapped[str | None] = mapped_column(Text)
    supervised_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    reply_text: Mapped[str | None] = mapped_column(Text)
    replied_on: Mapped[date | None]
    replied_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    resolved_on: Mapped[date | None]
    resolution_note: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None]
    close_note: Mapped[str | None] = mapped_column(Text)

    received_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    urges: Mapped[list[PetitionUrge]] = relationship(
        lazy="raise", order_by="PetitionUrge.id", cascade="all, delete-orphan"
    )


class PetitionUrge(Base):
    """One urging (催办) of the handling team; a petition may be urged many times."""

    __tablename__ = "petition_urge"

    id: Mapped[int] = mapped_column(primary_key=True)
    petition_id: Mapped[int] = mapped_column(ForeignKey("petition.id", ondelete="CASCADE"), index=True)
    urged_on: Mapped[date]
    note: Mapped[str] = mapped_column(Text)
    urged_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    urged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
