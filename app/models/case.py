from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import declared_attr
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.enums import AssetControlAction
from app.enums import AssetKind
from app.enums import AssetStatus
from app.enums import Behaviour
from app.enums import CaseState
from app.enums import Category
from app.enums import ClosureMode
from app.enums import IdDocumentKind
from app.enums import PartyRole
from app.enums import PartyType
from app.enums import RespondentClass
from app.enums import Track
from app.models.base import Base
from app.models.base import Money
from app.models.base import StringEnum
from app.models.base import UTCDateTime
from app.models.base import VersionedRecord
from app.models.base import id_order_indexes
from app.models.base import utcnow


class Case(VersionedRecord, Base):
    """An enforcement case (执行案件) from filing to closing (plan §5)."""

    __tablename__ = "case"
    __table_args__ = (
        Index("ix_case_unit_code_state_id", "unit_code", "state", "id"),
        # A judge's oldest open case (the statistics' workload) without reading the closed ones.
        Index(
            "ix_case_handler_id_filed_on_id_open",
            "handler_id",
            "filed_on",
            "id",
            postgresql_where=text("state <> 'closed'"),
            sqlite_where=text("state <> 'closed'"),
        ),
        *id_order_indexes("case", "state", "handler_id", "filed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(64), unique=True)  # normalised, full-width parentheses
    case_year: Mapped[int]
    court_code: Mapped[str] = mapped_column(String(16))
    type_code: Mapped[str] = mapped_column(String(8))
    serial: Mapped[int]
    filed_on: Mapped[date]
    category: Mapped[Category] = mapped_column(StringEnum(Category, 40))
    claim_amount: Mapped[Decimal | None] = mapped_column(Money)
    paid_amount: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    behaviour: Mapped[Behaviour | None] = mapped_column(StringEnum(Behaviour, 40))

    state: Mapped[CaseState] = mapped_column(StringEnum(CaseState, 20), default=CaseState.filed)
    track: Mapped[Track | None] = mapped_column(StringEnum(Track, 20))
    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    investigation_completed: Mapped[bool] = mapped_column(default=False)
    willing_to_perform: Mapped[bool] = mapped_column(default=False)
    settlement_likely: Mapped[bool] = mapped_column(default=False)

    closure_mode: Mapped[ClosureMode | None] = mapped_column(StringEnum(ClosureMode, 30))
    closed_on: Mapped[date | None]
    origin_case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))  # 恢复执行 link

    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))

    parties: Mapped[list[Party]] = relationship(
        back_populates="case", lazy="raise", order_by="Party.id", cascade="all, delete-orphan"
    )
    property_clues: Mapped[list[PropertyClue]] = relationship(
        lazy="raise", order_by="PropertyClue.id", cascade="all, delete-orphan"
    )
    assets: Mapped[list[Asset]] = relationship(lazy="raise", order_by="Asset.id")


class Party(Base):
    """A party to the case: applicant (申请执行人) or respondent (被执行人)."""

    __tablename__ = "party"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    role: Mapped[PartyRole] = mapped_column(StringEnum(PartyRole, 20))
    name: Mapped[str] = mapped_column(String(200))
    party_type: Mapped[PartyType] = mapped_column(StringEnum(PartyType, 30))
    id_kind: Mapped[IdDocumentKind | None] = mapped_column(StringEnum(IdDocumentKind, 40))
    id_number: Mapped[str | None] = mapped_column(String(32))
    id_issuing_country: Mapped[str | None] = mapped_column(String(3))  # passports: ISO 3166-1 alpha-3
    respondent_class: Mapped[RespondentClass | None] = mapped_column(StringEnum(RespondentClass, 40))

    case: Mapped[Case] = relationship(back_populates="parties", lazy="raise")


class PropertyClue(Base):
    """A property clue the applicant pointed to at filing (财产线索)."""

    __tablename__ = "property_clue"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AssetKind] = mapped_column(StringEnum(AssetKind, 30))
    description: Mapped[str] = mapped_column(Text)


class Asset(Base):
    """Property found by the investigation (财产查控), with its control status."""

    __tablename__ = "asset"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[AssetKind] = mapped_column(StringEnum(AssetKind, 30))
    value: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[AssetStatus] = mapped_column(StringEnum(AssetStatus, 20))
    disposable: Mapped[bool]
    description: Mapped[str | None] = mapped_column(Text)
    controlled_on: Mapped[date | None]  # date frozen/sealed/seized: starts the D12 renewal clock
    expires_on: Mapped[date | None]  # the day the freeze or seal lapses unless renewed (D12)
    released_on: Mapped[date | None]  # the day it was released (解除): D12 ends
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class AssetControlStep(Base):
    """A renewal (续冻/续封) or release (解除) of a frozen, sealed or seized asset, with its document."""

    __tablename__ = "asset_control_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    action: Mapped[AssetControlAction] = mapped_column(StringEnum(AssetControlAction, 20))
    taken_on: Mapped[date]
    document_number: Mapped[str] = mapped_column(String(100))
    expires_on: Mapped[date | None]  # a renewal's new expiry
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CaseRecord(VersionedRecord):
    """A desk record about one case (a transfer, an objection, a listing, a payout…)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"))

    @declared_attr
    def case(cls) -> Mapped[Case]:
        """The case, read with the record where its rules look at it (the policy's relations, its state)."""
        return relationship(Case, lazy="raise_on_sql")
