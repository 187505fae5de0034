"""The event feed and webhook subscriptions (docs/events.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from pydantic import Field

from app.enums import DeliveryStatus
from app.enums import SubscriptionStatus
from app.schemas.common import InputModel
from app.schemas.common import ORMModel
from app.schemas.common import example


class EventSubject(BaseModel):
    type: str = Field(description="the record that changed: case, objection, deadline …")
    id: str


class EventRead(BaseModel):
    """One event: also the body of a webhook delivery and of a message-bus message."""

    id: str = Field(description="the event id (UUID): receivers deduplicate by it")
    type: str = Field(description="case.filed, case.triaged, deadline.breached … (docs/events.md)")
    occurred_at: datetime
    cursor: str = Field(description="pass as `after` (or `Last-Event-ID`) to continue after this event")
    case_id: int | None
    subject: EventSubject
    version: int | None = Field(description="the record's version after the change (its ETag)")
    data: dict[str, Any] = Field(description="what changed; no party names or full ID numbers")


class EventPage(BaseModel):
    items: list[EventRead]
    next_cursor: str | None = Field(
        description="store it and pass it as `after` next time: the last event's cursor, or the one "
        "given when nothing new came; null only when nothing was ever seen"
    )
    has_more: bool = Field(description="more events are waiting: ask again right away")


class SubscriptionCreate(InputModel):
    model_config = example(
        url="https://command-center.court.example/hooks/enforcement",
        event_types=["case.filed", "case.triaged", "deadline.breached"],
        description="command center screen",
    )

    url: str = Field(max_length=2000, description="http(s); not this service itself")
    event_types: list[str] = Field(
        default=[], max_length=100, description="types or families (case.*); empty: every type"
    )
    secret: str | None = Field(
        None, min_length=32, max_length=128, description="signing secret; left out: one is generated"
    )
    description: str | None = Field(None, max_length=200)


class SubscriptionRead(ORMModel):
    id: int
    url: str
    event_types: list[str]
    description: str | None
    status: SubscriptionStatus
    consecutive_failures: int
    created_at: datetime
    version: int


class SubscriptionCreated(SubscriptionRead):
    secret: str = Field(description="shown once: keep it to verify signatures")


class SubscriptionPage(BaseModel):
    items: list[SubscriptionRead]
    next_cursor: str | None = None


class DeliveryRead(ORMModel):
    id: int
    subscription_id: int
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: datetime | None
    created_at: datetime


class DeliveryPage(BaseModel):
    items: list[DeliveryRead]
    next_cursor: str | None = None
