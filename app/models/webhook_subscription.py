from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON
from sqlalchemy import BigInteger
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from app.enums import SubscriptionStatus
from app.models.base import Base
from app.models.base import StringEnum
from app.models.base import UTCDateTime
from app.models.base import utcnow


class WebhookSubscription(Base):
    """A receiver of events registered by an administrator: its URL, the event types it wants and the
    secret its deliveries are signed with (docs/events.md)."""

    __tablename__ = "webhook_subscription"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(JSON)  # empty: every type
    secret: Mapped[str] = mapped_column(String(128))
    description: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[SubscriptionStatus] = mapped_column(StringEnum(SubscriptionStatus, 16))
    # The last event position fanned out into deliveries; a new subscription starts at the head.
    fanned_out_to: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}
