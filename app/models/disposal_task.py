from __future__ import annotations

from datetime import date
from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.enums import DisposalTaskKind
from app.models.base import Base
from app.models.base import Money
from app.models.base import StringEnum
from app.models.base import UTCDateTime
from app.models.base import utcnow


class DisposalTask(Base):
    """One act of the property-disposal group on a transferred case: seal, seize, search, evict,
    clear land, appraise, auction, announce (plan §3(1), §5(4))."""

    __tablename__ = "disposal_task"

    id: Mapped[int] = mapped_column(primary_key=True)
    transfer_id: Mapped[int] = mapped_column(
        ForeignKey("disposal_transfer.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    kind: Mapped[DisposalTaskKind] = mapped_column(StringEnum(DisposalTaskKind, 20))
    done_on: Mapped[date]
    result: Mapped[str] = mapped_column(Text)
    amount: Mapped[Decimal | None] = mapped_column(Money)  # appraised value, auction price
    asset_id: Mapped[int | None] = mapped_column(ForeignKey("asset.id"))
    recorded_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
