from __future__ import annotations

from sqlalchemy import BigInteger
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.models.base import Base


class EventCursor(Base):
    """How far a consumer the relays share has gone through the outbox, such as the message-bus
    publisher (``nats``); its row is locked by the relay publishing, so one relay publishes at a time."""

    __tablename__ = "event_cursor"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    position: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), default=0)
