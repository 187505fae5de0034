"""A request to extend the enforcement period (D3 延长执行期限)."""

from __future__ import annotations

from datetime import date
from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.enums import ExtensionState
from app.models.base import Base
from app.models.base import Requested
from app.models.base import StringEnum
from app.models.base import UTCDateTime
from app.models.base import utcnow


class DeadlineExtension(Requested, Base):
    """Asked for by the handling judge, reviewed by the director, approved by the president; each
    step dated by the service on the day it is taken."""

    __tablename__ = "deadline_extension"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id"), index=True)
    rule: Mapped[str] = mapped_column(String(8))
    state: Mapped[ExtensionState] = mapped_column(StringEnum(ExtensionState, 20))
    reason: Mapped[str] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    reviewed_on: Mapped[date | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    approved_on: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
