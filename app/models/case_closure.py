from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.enums import ClosureMode
from app.models.base import Base
from app.models.base import StringEnum
from app.models.base import UTCDateTime
from app.models.base import utcnow


class CaseClosure(Base):
    """How and when a case was closed (结案, plan §5), with its ruling or decision."""

    __tablename__ = "case_closure"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), unique=True)
    mode: Mapped[ClosureMode] = mapped_column(StringEnum(ClosureMode, 30))
    closed_on: Mapped[date]
    document_number: Mapped[str | None] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    # For 终本: the measures that met each condition of the gate when it was passed.
    gate_evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    closed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
