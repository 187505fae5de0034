"""The relay's work (``python -m app.relay``, docs/events.md): fan each event out into deliveries for
the subscriptions that want it, claim the deliveries that are due, send them signed, and record how
each went; and publish every event to the message bus. Every bit of state is in the database, so
several relays may run at once and any of them may be killed at any moment.

A claim holds a delivery until a lease lapses (the receiver's timeout and a margin): a relay killed
mid-send leaves its claimed deliveries to be sent again by another one once the lease lapses, which
is why delivery is at least once and receivers deduplicate by event id.
"""

from __future__ import annotations

import random
import time
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta

import httpx
import pydantic_core
from sqlalchemy import bindparam
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.database import insert_skipping_conflicts
from app.enums import DeliveryStatus
from app.enums import SubscriptionStatus
from app.models.base import utcnow
from app.models.event_cursor import EventCursor
from app.models.outbox_event import OutboxEvent
from app.models.webhook_delivery import WebhookDelivery
from app.models.webhook_subscription import WebhookSubscription
from app.rules.event_types import SIGNATURE_HEADER
from app.rules.event_types import retry_delay
from app.rules.event_types import signature
from app.rules.event_types import wanted
from app.services.events import event_body
from app.settings import Settings

ERROR_TEXT_MAX = 500


def event_json(event: OutboxEvent) -> bytes:
    """The bytes a receiver gets (and the signature covers): JSON as the feed serves the event."""
    return pydantic_core.to_json(event_body(event))


def fan_out(session: Session, *, limit: int) -> int:
    """Owe each subscription the events after its cursor that it wants (at most ``limit`` per
    subscription); returns the deliveries created. Subscriptions another relay is fanning out are
    skipped (``SKIP LOCKED``); on SQLite writers take turns anyway."""
    subscriptions = session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.status != SubscriptionStatus.disabled)
        .order_by(WebhookSubscription.id)
        .with_for_update(skip_locked=True)
    ).all()
    created = 0
    now = utcnow()
    insert = insert_skipping_conflicts(session, WebhookDelivery, "subscription_id", "event_position")
    for subscription in subscriptions:
        events = session.execute(
            select(OutboxEvent.position, OutboxEvent.event_id, OutboxEvent.type)
            .where(OutboxEvent.position > subscription.fanned_out_to)
            .order_by(OutboxEvent.position)
            .limit(limit)
        ).all()
        if not events:
            continue
        rows = [
            {
                "subscription_id": subscription.id,
                "event_position": event.position,
                "event_id": event.event_id,
                "event_type": event.type,
                "status": DeliveryStatus.pending.value,
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
            for event in events
            if wanted(event.type, subscription.event_types)
        ]
        if rows:
            session.execute(insert, rows)
            created += len(rows)
        session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.id == subscription.id)
            .values(fanned_out_to=events[-1].position)
        )
    return created


@dataclass(frozen=True)
class Claim:
    """A delivery a relay holds until ``lease_until``: what to send, where, signed with what."""

    delivery_id: int
    subscription_id: int
    event_id: str
    event_type: str
    url: str
    secret: str
    body: bytes


def claim_due(session: Session, *, now: datetime, limit: int, lease: timedelta) -> list[Claim]:
    """Take up to ``limit`` due deliveries of subscriptions not disabled, holding each until
    ``now + lease``. PostgreSQL: rows another relay is claiming are skipped (``FOR UPDATE SKIP
    LOCKED``); SQLite: writers take turns (``BEGIN IMMEDIATE``) and the UPDATE re-checks that each row
    is still due, so a row is claimed by one relay either way."""
    due = (
        WebhookDelivery.status == DeliveryStatus.pending,
        WebhookDelivery.next_attempt_at <= now,
    )
    candidates = (
        select(WebhookDelivery.id)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(*due, WebhookSubscription.status != SubscriptionStatus.disabled)
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
        .with_for_update(of=WebhookDelivery, skip_locked=True)
    )
    claimed = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id.in_(candidates.scalar_subquery()), *due)
        .values(next_attempt_at=now + lease)
        .returning(WebhookDelivery.id, WebhookDelivery.subscription_id, WebhookDelivery.event_position)
        .execution_options(synchronize_session=False)
    ).all()
    if not claimed:
        return []
    events = {
        e.position: e
        for e in session.scalars(
            select(OutboxEvent).where(OutboxEvent.position.in_([row.event_position for row in claimed]))
        )
    }
    subscriptions = {
        s.id: s
        for s in session.scalars(
            select(WebhookSubscription).where(
                WebhookSubscription.id.in_({row.subscription_id for row in claimed})
            )
        )
    }
    return [
        Claim(
            delivery_id=row.id,
            subscription_id=row.subscription_id,
            event_id=events[row.event_position].event_id,
            event_type=events[row.event_position].type,
            url=subscriptions[row.subscription_id].url,
            secret=subscriptions[row.subscription_id].secret,
            body=event_json(events[row.event_position]),
        )
        for row in sorted(claimed, key=lambda r: r.event_position)
    ]


@dataclass(frozen=True)
class Outcome:
    delivery_id: int
    subscription_id: int
    ok: bool
    status_code: int | None
    error: str | None


async def send(client: httpx.AsyncClient, claim: Claim, *, timeout_s: float) -> Outcome:
    """POST the event, signed; 2xx is delivered, anything else (a timeout too) a failed attempt."""
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(claim.secret, int(time.time()), claim.body),
        "Enforcement-Event-Id": claim.event_id,
        "Enforcement-Event-Type": claim.event_type,
        "Enforcement-Delivery-Id": str(claim.delivery_id),
    }
    try:
        # waiting for one of the relay's connections (ENFORCEMENT_RELAY_CONCURRENCY) is not the receiver's
        timeout = httpx.Timeout(timeout_s, pool=None)
        response = await client.post(
            claim.url, content=claim.body, headers=headers, timeout=timeout, follow_redirects=False
        )
    except httpx.TimeoutException:
        return Outcome(
            claim.delivery_id, claim.subscription_id, False, None, f"no answer within {timeout_s:g} s"
        )
    except httpx.HTTPError as exc:
        return Outcome(claim.delivery_id, claim.subscription_id, False, None, f"{type(exc).__name__}: {exc}")
    ok = 200 <= response.status_code < 300
    error = None if ok else f"answered {response.status_code}: {response.text[:200]}"
    return Outcome(claim.delivery_id, claim.subscription_id, ok, response.status_code, error)


_FAILED_ATTEMPT = (
    update(WebhookSubscription)
    .where(WebhookSubscription.id == bindparam("subscription"))
    .values(consecutive_failures=WebhookSubscription.consecutive_failures + 1)
)


def record_outcomes(
    session: Session,
    outcomes: Sequence[Outcome],
    *,
    now: datetime,
    settings: Settings,
    jitter: Callable[[], float] | None = None,
) -> None:
    """Store how a round's attempts went: delivered; or due again after a backoff with jitter; or,
    once the retry period since the first attempt is over, failed. A subscription whose receiver
    failed ``webhook_failing_after`` attempts in a row is marked failing, and active again on a
    success. A delivery no longer pending (replayed or pruned meanwhile) is left as it is."""
    delivered = [outcome for outcome in outcomes if outcome.ok]
    for status_code in {outcome.status_code for outcome in delivered}:
        session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id.in_([o.delivery_id for o in delivered if o.status_code == status_code]),
                WebhookDelivery.status == DeliveryStatus.pending,
            )
            .values(
                status=DeliveryStatus.delivered.value,
                attempts=WebhookDelivery.attempts + 1,
                first_attempt_at=func.coalesce(WebhookDelivery.first_attempt_at, now),
                last_attempt_at=now,
                delivered_at=now,
                last_status_code=status_code,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
    answered = sorted({outcome.subscription_id for outcome in delivered})
    if answered:
        session.execute(
            update(WebhookSubscription)
            .where(WebhookSubscription.id.in_(answered))
            .values(consecutive_failures=0)
            .execution_options(synchronize_session=False)
        )
        session.execute(
            update(WebhookSubscription)
            .where(
                WebhookSubscription.id.in_(answered), WebhookSubscription.status == SubscriptionStatus.failing
            )
            .values(status=SubscriptionStatus.active.value, version=WebhookSubscription.version + 1)
            .execution_options(synchronize_session=False)
        )
    for outcome in outcomes:
        if not outcome.ok:
            _failed_attempt(session, outcome, now=now, settings=settings, jitter=jitter or _jitter)


def _failed_attempt(
    session: Session, outcome: Outcome, *, now: datetime, settings: Settings, jitter: Callable[[], float]
) -> None:
    delivery = session.get(WebhookDelivery, outcome.delivery_id, with_for_update=True)
    if delivery is None or delivery.status != DeliveryStatus.pending:
        return
    delivery.attempts += 1
    delivery.first_attempt_at = delivery.first_attempt_at or now
    delivery.last_attempt_at = now
    delivery.last_status_code = outcome.status_code
    delivery.last_error = (outcome.error or "")[:ERROR_TEXT_MAX]
    if now - delivery.first_attempt_at >= timedelta(hours=settings.webhook_retry_hours):
        delivery.status = DeliveryStatus.failed
    else:
        delivery.next_attempt_at = now + retry_delay(
            delivery.attempts,
            base=timedelta(seconds=settings.webhook_backoff_base_seconds),
            cap=timedelta(seconds=settings.webhook_backoff_max_seconds),
            jitter=jitter(),
        )
    session.execute(_FAILED_ATTEMPT, {"subscription": outcome.subscription_id})
    session.execute(
        update(WebhookSubscription)
        .where(
            WebhookSubscription.id == outcome.subscription_id,
            WebhookSubscription.status == SubscriptionStatus.active,
            WebhookSubscription.consecutive_failures >= settings.webhook_failing_after,
        )
        .values(status=SubscriptionStatus.failing.value, version=WebhookSubscription.version + 1)
    )


def _jitter() -> float:
    return random.uniform(0.5, 1.0)  # noqa: S311 - spreading retries, not a secret


# The message bus ---------------------------------------------------------------------------------

BUS_CURSOR = "nats"
Publish = Callable[[str, bytes, str], Awaitable[None]]


def bus_subject(court: str, event_type: str) -> str:
    """``enforcement.<court>.<type>``: a consumer filters by court and by type family (case.>)."""
    return f"enforcement.{court}.{event_type}"


async def publish_to_bus(session: Session, publish: Publish, *, court: str, limit: int) -> int:
    """Publish the events after the bus cursor, in order, each with its event id as the message id (so
    JetStream drops one published twice, after a relay died between publishing and moving the
    cursor), then move the cursor. The cursor row is locked meanwhile: another relay skips it."""
    session.execute(
        insert_skipping_conflicts(session, EventCursor, "name"), {"name": BUS_CURSOR, "position": 0}
    )
    cursor = session.scalar(
        select(EventCursor).where(EventCursor.name == BUS_CURSOR).with_for_update(skip_locked=True)
    )
    if cursor is None:
        return 0
    events = session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.position > cursor.position)
        .order_by(OutboxEvent.position)
        .limit(limit)
    ).all()
    for event in events:
        await publish(bus_subject(court, event.type), event_json(event), event.event_id)
    if events:
        cursor.position = events[-1].position
    return len(events)
