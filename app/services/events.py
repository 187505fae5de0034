"""Reading the outbox: the pull feed in commit order (each caller sees the events of the cases it may
see), and pruning what every consumer is done with (docs/events.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.database import session_scope
from app.enums import DeliveryStatus
from app.enums import SubscriptionStatus
from app.errors import InvalidInput
from app.models.event_cursor import EventCursor
from app.models.outbox_event import OutboxEvent
from app.models.user import User
from app.models.webhook_delivery import WebhookDelivery
from app.models.webhook_subscription import WebhookSubscription
from app.policy import actor_may
from app.rules.event_types import ALL_EVENT_TYPES
from app.services.case_access import visible_cases
from app.services.paging import Keyset

FEED = Keyset((OutboxEvent.position,), descending=False, tag="e1")
CASE_FILED = "case.filed"


def event_body(event: OutboxEvent) -> dict[str, Any]:
    """An event as the feed, the stream, webhooks and the message bus send it."""
    return {
        "id": event.event_id,
        "type": event.type,
        "occurred_at": event.occurred_at,
        "cursor": FEED.encode([event.position]),
        "case_id": event.case_id,
        "subject": {"type": event.entity_type, "id": event.entity_id},
        "version": event.version,
        "data": event.payload,
    }


def event_type_filter(types: Sequence[str], *, field: str = "types") -> list[str]:
    """Event types as asked for (``case.filed``, or ``case.*`` for a family): unknown ones are a 422."""
    families = {t.partition(".")[0] for t in ALL_EVENT_TYPES}
    for wanted in types:
        family, _, rest = wanted.partition(".")
        if wanted not in ALL_EVENT_TYPES and not (rest == "*" and family in families):
            raise InvalidInput(field, f"unknown event type {wanted!r}; docs/events.md lists them")
    return list(types)


def matches_types(column: Any, types: Sequence[str]) -> Any:
    exact = [t for t in types if not t.endswith(".*")]
    families = [t.removesuffix("*") for t in types if t.endswith(".*")]
    return or_(column.in_(exact), *(column.startswith(prefix, autoescape=True) for prefix in families))


def feed_position(cursor: str | None, *, field: str = "after") -> tuple[Any, ...] | None:
    """The position a cursor of this feed stands for; another string is a 422 naming ``field``."""
    try:
        return FEED.decode(cursor)
    except InvalidInput:
        raise InvalidInput(field, "not a cursor of this feed; start without one") from None


@dataclass(frozen=True)
class FeedPage:
    events: list[OutboxEvent]
    next_cursor: str | None  # where to continue: the last event's cursor, or the one asked after
    has_more: bool


def feed(
    session: Session,
    *,
    user: User,
    after: str | None,
    types: Sequence[str] = (),
    case_id: int | None = None,
    limit: int = 100,
) -> FeedPage:
    """The events after ``after`` that the caller may see, in commit order."""
    position = feed_position(after)
    stmt = visible_cases(select(OutboxEvent), user, OutboxEvent.case_id)
    if not actor_may(user, "case.read_history"):
        # app.policy: a service account sees the cases it filed as filed, not their later life
        stmt = stmt.where(OutboxEvent.type == CASE_FILED)
    if position is not None:
        stmt = stmt.where(FEED.after(position))
    if types:
        stmt = stmt.where(matches_types(OutboxEvent.type, event_type_filter(types)))
    if case_id is not None:
        stmt = stmt.where(OutboxEvent.case_id == case_id)
    rows = list(session.scalars(stmt.order_by(OutboxEvent.position).limit(limit + 1)))
    events = rows[:limit]
    next_cursor = FEED.cursor_of(events[-1]) if events else after
    return FeedPage(events, next_cursor, len(rows) > limit)


def prune(session: Session, *, now: datetime, retention: timedelta) -> int:
    """Delete the events older than ``retention`` that every consumer is done with: fanned out to each
    subscription not disabled, published by each shared cursor (the message bus), and no delivery of
    them still pending; with them their finished deliveries. Returns the events deleted."""
    bound = session.scalar(
        select(func.max(OutboxEvent.position)).where(OutboxEvent.occurred_at < now - retention)
    )
    if bound is None:
        return 0
    consumers = [
        session.scalar(
            select(func.min(WebhookSubscription.fanned_out_to)).where(
                WebhookSubscription.status != SubscriptionStatus.disabled
            )
        ),
        session.scalar(select(func.min(EventCursor.position))),
    ]
    pending = session.scalar(
        select(func.min(WebhookDelivery.event_position)).where(
            WebhookDelivery.status == DeliveryStatus.pending
        )
    )
    if pending is not None:
        consumers.append(pending - 1)
    bound = min([bound, *(c for c in consumers if c is not None)])
    session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.event_position <= bound, WebhookDelivery.status != DeliveryStatus.pending
        )
    )
    result = session.execute(delete(OutboxEvent).where(OutboxEvent.position <= bound))
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Batch:
    events: list[dict[str, Any]]
    next_cursor: str | None
    has_more: bool


def poll_feed(*, user_id: int, after: str | None, types: Sequence[str], case_id: int | None) -> Batch | None:
    """One look at the feed in a transaction of its own, for a stream that outlives its request's
    session; None when the caller's account is gone or disabled."""
    with session_scope(read_only=True) as session:
        user = session.get(User, user_id)
        if user is None or not user.is_active:
            return None
        page = feed(session, user=user, after=after, types=types, case_id=case_id)
        return Batch([event_body(e) for e in page.events], page.next_cursor, page.has_more)
