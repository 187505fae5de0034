"""The event relay: delivers the outbox's events to webhook subscriptions, signed, and publishes them
to NATS JetStream when ``ENFORCEMENT_NATS_URL`` is set (docs/events.md).

    python -m app.relay           # run until stopped (SIGTERM, SIGINT finish the round first)
    python -m app.relay --once    # work until nothing is due, then exit (cron, tests)

Stateless: everything it knows is in the database, so several may run at once (on one host or many)
and any may be killed at any moment; a delivery it was sending is sent again by another once its
claim lapses. It also prunes the outbox after ``ENFORCEMENT_EVENT_RETENTION_DAYS``, keeping what a
subscription or the message bus has not yet had.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import structlog

from app.database import session_scope
from app.logging import configure_logging
from app.models.base import utcnow
from app.services import events
from app.services import relay
from app.services.session_listeners import install_session_listeners
from app.settings import Settings
from app.settings import get_settings

log = structlog.get_logger("app.relay")
PRUNE_EVERY_S = 600
BUS_RETRY_S = 30  # a bus that failed is tried again after this; webhooks go on meanwhile


@dataclass
class RelayTotals:
    fanned_out: int = 0
    attempts: int = 0
    delivered: int = 0
    published: int = 0
    pruned: int = 0


class Bus:
    """A JetStream connection, made on first use and again after it was lost: ``publish`` waits for
    the stream's acknowledgement."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._connection: Any = None
        self._stream: Any = None
        self.down_until = 0.0  # after a failure, the bus is left alone for a while

    async def publish(self, subject: str, body: bytes, message_id: str) -> None:
        if self._connection is None or self._connection.is_closed:
            import nats

            # Give up on an unreachable bus within seconds (nats-py's default retries for two minutes),
            # so that a round's webhooks are not held back; publish() tries again after BUS_RETRY_S.
            self._connection = await nats.connect(
                self.url, connect_timeout=2, max_reconnect_attempts=2, reconnect_time_wait=1
            )
            self._stream = self._connection.jetstream()
        await self._stream.publish(subject, body, headers={"Nats-Msg-Id": message_id})

    async def close(self) -> None:
        if self._connection is not None and not self._connection.is_closed:
            await self._connection.drain()


async def relay_round(
    client: httpx.AsyncClient, bus: Bus | None, settings: Settings, totals: RelayTotals
) -> int:
    """One round: fan out, claim and send what is due, record the outcomes, publish to the bus.
    Returns how much work it found (0: idle)."""
    with session_scope() as session:
        fanned = relay.fan_out(session, limit=settings.relay_batch_size)
    lease = timedelta(seconds=settings.webhook_timeout_seconds + settings.relay_claim_margin_seconds)
    with session_scope() as session:
        claims = relay.claim_due(session, now=utcnow(), limit=settings.relay_batch_size, lease=lease)
    outcomes = await asyncio.gather(
        *(relay.send(client, claim, timeout_s=settings.webhook_timeout_seconds) for claim in claims)
    )
    with session_scope() as session:
        relay.record_outcomes(session, outcomes, now=utcnow(), settings=settings)
    published = await publish(bus, settings) if bus is not None else 0
    totals.fanned_out += fanned
    totals.attempts += len(outcomes)
    totals.delivered += sum(outcome.ok for outcome in outcomes)
    totals.published += published
    if fanned or outcomes or published:
        log.info("relay_round", fanned_out=fanned, attempts=len(outcomes), published=published)
    return fanned + len(outcomes) + published


async def publish(bus: Bus, settings: Settings) -> int:
    """Publish the next events to the bus; when it cannot be reached, say so and leave them for the
    next round (the cursor stays), so that webhooks go on meanwhile."""
    if time.monotonic() < bus.down_until:
        return 0
    try:
        with session_scope() as session:
            return await relay.publish_to_bus(
                session, bus.publish, court=settings.event_court, limit=settings.relay_batch_size
            )
    except Exception as exc:  # noqa: BLE001 - any failure of the bus is retried later
        log.warning("message_bus_unavailable", url=bus.url, error=f"{type(exc).__name__}: {exc}"[:300])
        bus.down_until = time.monotonic() + BUS_RETRY_S
        return 0


def prune_outbox(settings: Settings) -> int:
    with session_scope() as session:
        return events.prune(session, now=utcnow(), retention=timedelta(days=settings.event_retention_days))


async def run_relay(*, once: bool = False, stop: asyncio.Event | None = None) -> RelayTotals:
    """Relay until ``stop`` is set (or, ``once``, until nothing is due)."""
    settings = get_settings()
    stop = stop or asyncio.Event()
    totals = RelayTotals()
    bus = Bus(settings.nats_url) if settings.nats_url else None
    pruned_at = 0.0
    try:
        limits = httpx.Limits(max_connections=settings.relay_concurrency)
        async with httpx.AsyncClient(headers={"User-Agent": "enforcement-relay"}, limits=limits) as client:
            while not stop.is_set():
                worked = await relay_round(client, bus, settings, totals)
                if time.monotonic() - pruned_at >= PRUNE_EVERY_S:
                    totals.pruned += prune_outbox(settings)
                    pruned_at = time.monotonic()
                if worked:
                    continue
                if once:
                    break
                try:
                    await asyncio.wait_for(stop.wait(), timeout=settings.events_poll_seconds)
                except TimeoutError:
                    pass
    finally:
        if bus is not None:
            await bus.close()
    return totals


async def _main(once: bool) -> RelayTotals:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return await run_relay(once=once, stop=stop)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m app.relay", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--once", action="store_true", help="work until nothing is due, then exit")
    args = parser.parse_args(argv)
    configure_logging(get_settings().log_level)
    install_session_listeners()
    totals = asyncio.run(_main(args.once))
    print(
        f"relay: {totals.fanned_out} deliveries owed, {totals.attempts} attempts, "
        f"{totals.delivered} delivered, {totals.published} published, {totals.pruned} events pruned"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
