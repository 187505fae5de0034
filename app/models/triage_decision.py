from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.enums import Track
from app.models.base import Base
from app.models.base import StringEnum
from app.models.base import UTCDateTime
from app.models.base import utcnow


class TriageDecision(Base):
    """A recorded 繁简分流 decision and allocation, or a hand-back re-allocation (plan §5–§3)."""

    __tablename__ = "triage_decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "triage" | "handback"
    track: Mapped[Track] = mapped_column(StringEnum(Track, 20))
    rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"id": "T6", "explanation": ...}]
    # The rules that did not fire, each with why; None on decisions recorded before they were kept.
    rules_not_fired: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    rule_set_version: Mapped[str] = mapped_column(String(40))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)
    override_track: Mapped[Track | None] = mapped_column(StringEnum(Track, 20))
    reason: Mapped[str | None] = mapped_column(Text)
    unit_code: Mapped[str] = mapped_column(ForeignKey("unit.code"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    allocation_reason: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
