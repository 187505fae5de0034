from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import Base


class AuditHead(Base):
    """The chain's single head row: the lock that orders appends, and a witness against truncation."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_entry_id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
    entry_count: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
    # The last outbox event's position (app.models.outbox_event): drawn under this row's lock, so event
    # positions follow commit order with no gap.
    event_position: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), default=0, server_default="0"
    )
    # HMAC of (last_entry_id, entry_count, last_hash) with the audit key, which the database does not hold
    head_mac: Mapped[str | None] = mapped_column(String(64))
