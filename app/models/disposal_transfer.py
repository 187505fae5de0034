"""Centralised disposal transfers (财产集约处置移送, plan §5(3)–(4))."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import ForeignKey
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from app.enums import DisposalTransferState
from app.models.base import Base
from app.models.base import Decided
from app.models.base import Money
from app.models.base import Requested
from app.models.base import StringEnum
from app.models.base import id_order_indexes
from app.models.case import CaseRecord
from app.models.disposal_task import DisposalTask


class DisposalTransfer(Requested, Decided, CaseRecord, Base):
    """A case sent by its handling judge to the property-disposal group, approved by a deputy
    director, worked by the group and returned to the team it came from."""

    __tablename__ = "disposal_transfer"
    __table_args__ = id_order_indexes("disposal_transfer", "case_id", "state", "origin_unit_code")

    state: Mapped[DisposalTransferState] = mapped_column(
        StringEnum(DisposalTransferState, 20), default=DisposalTransferState.requested
    )
    # The team and judge the case came from and goes back to (plan §5(4): 退回至原移送执行实施庭).
    origin_unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))
    origin_handler_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    disposal_document_id: Mapped[int] = mapped_column(ForeignKey("measure.id"))
    notes: Mapped[str | None] = mapped_column(Text)
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"))  # the asset to dispose of, if named

    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    returned_on: Mapped[date | None]
    amount_realised: Mapped[Decimal | None] = mapped_column(Money)
    result: Mapped[str | None] = mapped_column(Text)

    tasks: Mapped[list[DisposalTask]] = relationship(lazy="raise", order_by="DisposalTask.id")
