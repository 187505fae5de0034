from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON
from sqlalchemy import BigInteger
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import Base
from app.models.base import UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class OutboxEvent(Base):
    """One public event of a committed change (the transactional outbox, docs/events.md): written in
    the transaction that makes the change, so it exists if and only if the change committed.

    ``position`` is drawn from the audit chain's head row while it is locked, so positions follow
    commit order without gaps: the pull feed's cursor.
    """

    __tablename__ = "outbox_event"

    position: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(36), unique=True)
    type: Mapped[str] = mapped_column(String(48), index=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    case_id: Mapped[int | None] = mapped_column(index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(40))
    version: Mapped[int | None]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    audit_entry_id: Mapped[int] = mapped_column(BigId)
