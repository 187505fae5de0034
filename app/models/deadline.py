from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.enums import DeadlineStatus
from app.models.base import Base
from app.models.base import StringEnum
from app.models.base import UTCDateTime
from app.models.base import utcnow


class DeadlineEvent(Base):
    """A domain event reported to the deadline clocks (filed, registered, suspended …), kept for good.

    Clocks are computed from these, so a back-dated event or a calendar change is applied by
    computing again rather than by editing deadlines.
    """

    __tablename__ = "deadline_event"
    __table_args__ = (Index("ix_deadline_event_subject_type_subject_id", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"), index=True)
    event: Mapped[str] = mapped_column(String(64))
    occurred_on: Mapped[date]  # the legal date of the event
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Deadline(Base):
    """One legal deadline clock (节点期限, D1–D17 of docs/rules.md#deadlines) of a case or a desk matter.

    ``due_on``, ``status`` and the rest are derived from the recorded events and the working calendar;
    ``unit_code``, ``handler_id`` and ``case_number`` are copies of the case's, kept for the board's
    index range scans.
    """

    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("rule", "subject_type", "subject_id", "seq"),
        Index("ix_deadline_status_due_on_id", "status", "due_on", "id"),
        Index("ix_deadline_unit_code_status_due_on_id", "unit_code", "status", "due_on", "id"),
        Index("ix_deadline_rule_status_due_on_id", "rule", "status", "due_on", "id"),
        Index("ix_deadline_case_id_due_on", "case_id", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(8))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case.id"))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    seq: Mapped[int] = mapped_column(default=0)
    start_event_id: Mapped[int] = mapped_column(ForeignKey("deadline_event.id"))

    started_on: Mapped[date]
    due_on: Mapped[date]
    status: Mapped[DeadlineStatus] = mapped_column(StringEnum(DeadlineStatus, 12))
    provisional: Mapped[bool] = mapped_column(default=False)
    met_on: Mapped[date | None]
    met_late: Mapped[bool] = mapped_column(default=False)
    paused_since: Mapped[date | None]
    paused_days: Mapped[int] = mapped_column(default=0)
    extension_months: Mapped[int] = mapped_column(default=0)
    breached_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    unit_code: Mapped[str | None] = mapped_column(ForeignKey("unit.code"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    case_number: Mapped[str | None] = mapped_column(String(64))

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
