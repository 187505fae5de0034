"""Refusal-to-execute referrals (拒执移送) and their materials (plan §5(6), plan §5(6))."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.enums import ReferralOutcome
from app.enums import ReferralStage
from app.models.base import Base
from app.models.base import StringEnum
from app.models.base import UTCDateTime
from app.models.base import id_order_indexes
from app.models.base import utcnow
from app.models.case import CaseRecord


class RefusalReferral(CaseRecord, Base):
    """A handling team's referral of a suspected refusal to execute (拒不执行判决、裁定) to the
    comprehensive group, followed through the criminal division and the police to an outcome."""

    __tablename__ = "refusal_referral"
    __table_args__ = id_order_indexes("refusal_referral", "case_id", "stage", "unit_code")

    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))  # the submitting team
    stage: Mapped[ReferralStage] = mapped_column(
        StringEnum(ReferralStage, 30), default=ReferralStage.submitted
    )
    outcome: Mapped[ReferralOutcome | None] = mapped_column(StringEnum(ReferralOutcome, 20))
    submitted_on: Mapped[date]
    summary: Mapped[str] = mapped_column(Text)  # the conduct amounting to refusal

    missing_items: Mapped[list[str]] = mapped_column(JSON, default=list)  # named by the last return
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_on: Mapped[date | None]
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    return_count: Mapped[int] = mapped_column(default=0)

    liaised_on: Mapped[date | None]
    liaison_contact: Mapped[str | None] = mapped_column(String(200))
    liaison_note: Mapped[str | None] = mapped_column(Text)

    police_document_number: Mapped[str | None] = mapped_column(String(100))
    police_organ: Mapped[str | None] = mapped_column(String(200))
    police_transferred_on: Mapped[date | None]

    outcome_on: Mapped[date | None]
    outcome_reference: Mapped[str | None] = mapped_column(String(100))
    outcome_note: Mapped[str | None] = mapped_column(Text)

    submitted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    materials: Mapped[list[RefusalReferralMaterial]] = relationship(
        lazy="raise", order_by="RefusalReferralMaterial.id", cascade="all, delete-orphan"
    )


class RefusalReferralMaterial(Base):
    """One checklist item handed over, at submission (round 0) or in the n-th supplement."""

    __tablename__ = "refusal_referral_material"

    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(
        ForeignKey("refusal_referral.id", ondelete="CASCADE"), index=True
    )
    item: Mapped[str] = mapped_column(String(60))
    note: Mapped[str | None] = mapped_column(Text)
    round: Mapped[int] = mapped_column(default=0)
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
