"""Webhook subscriptions, administered by the court's administrators, and their deliveries: listed,
and replayed on request (docs/events.md). The relay (app.services.relay) does the sending."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from urllib.parse import urlsplit

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.enums import DeliveryStatus
from app.enums import SubscriptionStatus
from app.errors import InvalidInput
from app.errors import NotFound
from app.models.base import utcnow
from app.models.outbox_event import OutboxEvent
from app.models.user import User
from app.models.webhook_delivery import WebhookDelivery
from app.models.webhook_subscription import WebhookSubscription
from app.rules.event_types import url_problem
from app.services import audit
from app.services.events import event_type_filter
from app.services.paging import keyset_page
from app.services.workflow import check_version
from app.settings import get_settings


def own_addresses() -> frozenset[tuple[str, int]]:
    """The (host, port) pairs this service answers on: where it listens, and its published URLs."""
    settings = get_settings()
    pairs = {(settings.host.lower(), settings.port)}
    for url in settings.service_urls:
        parts = urlsplit(url)
        if parts.hostname:
            pairs.add((parts.hostname.lower(), parts.port or (443 if parts.scheme == "https" else 80)))
    return frozenset(pairs)


def subscribe(
    session: Session,
    *,
    user: User,
    url: str,
    event_types: Sequence[str],
    secret: str | None,
    description: str | None,
) -> WebhookSubscription:
    """Register a receiver; it is owed the events committed from now on. Refused (422 naming ``url``):
    a URL that is not http(s), or that points at this service itself."""
    problem = url_problem(url, own_addresses=own_addresses())
    if problem is not None:
        raise InvalidInput("url", problem)
    head = session.scalar(select(func.max(OutboxEvent.position)))
    subscription = WebhookSubscription(
        url=url,
        event_types=sorted(set(event_type_filter(event_types, field="event_types"))),
        secret=secret or f"whsec_{secrets.token_urlsafe(32)}",
        description=description,
        status=SubscriptionStatus.active,
        fanned_out_to=head or 0,
        consecutive_failures=0,
        created_by_id=user.id,
    )
    after = {"url": url, "event_types": subscription.event_types, "description": description}
    return audit.record_created(session, user, subscription, "webhook.subscribe", after=after)


def load_subscription(
    session: Session, subscription_id: int, *, for_update: bool = False
) -> WebhookSubscription:
    stmt = select(WebhookSubscription).where(WebhookSubscription.id == subscription_id)
    subscription = session.scalar(stmt.with_for_update() if for_update else stmt)
    if subscription is None:
        raise NotFound(f"webhook subscription {subscription_id} not found")
    return subscription


def subscriptions(
    session: Session, *, cursor: str | None, limit: int
) -> tuple[list[WebhookSubscription], str | None]:
    return keyset_page(
        session, select(WebhookSubscription), WebhookSubscription.id, cursor=cursor, limit=limit
    )


def set_status(
    session: Session,
    *,
    user: User,
    subscription_id: int,
    status: SubscriptionStatus,
    expected_version: int | None,
) -> WebhookSubscription:
    """Disable a subscription (nothing more is owed to it) or enable it again (clearing failing)."""
    subscription = load_subscription(session, subscription_id, for_update=True)
    check_version(subscription, expected_version, label=f"webhook subscription {subscription_id}")
    before = {"status": subscription.status}
    if status == SubscriptionStatus.active and subscription.status == SubscriptionStatus.disabled:
        # owed the events from now on, as a new subscription: none piled up while it was off
        subscription.fanned_out_to = session.scalar(select(func.max(OutboxEvent.position))) or 0
    subscription.status = status
    subscription.consecutive_failures = 0
    subscription.updated_at = utcnow()
    session.flush()
    audit.record_for(session, user, subscription, "webhook.status", before=before, after={"status": status})
    return subscription


def deliveries(
    session: Session,
    *,
    subscription_id: int,
    status: DeliveryStatus | None,
    cursor: str | None,
    limit: int,
) -> tuple[list[WebhookDelivery], str | None]:
    """The subscription's deliveries, newest first, optionally of one status."""
    load_subscription(session, subscription_id)
    stmt = select(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription_id)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    return keyset_page(session, stmt, WebhookDelivery.id, cursor=cursor, limit=limit)


def replay(session: Session, *, user: User, subscription_id: int, delivery_id: int) -> WebhookDelivery:
    """Send a delivery again as soon as a relay is free, with a new retry period; receivers
    deduplicate by event id, so replaying one already delivered is harmless."""
    delivery = session.scalar(
        select(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, WebhookDelivery.subscription_id == subscription_id)
        .with_for_update()
    )
    if delivery is None:
        raise NotFound(f"delivery {delivery_id} of webhook subscription {subscription_id} not found")
    before = {"status": delivery.status, "attempts": delivery.attempts}
    delivery.status = DeliveryStatus.pending
    delivery.next_attempt_at = utcnow()
    delivery.first_attempt_at = None
    session.flush()
    after = {"status": delivery.status, "event_id": delivery.event_id}
    audit.record_for(session, user, delivery, "webhook.replay", before=before, after=after)
    return delivery
