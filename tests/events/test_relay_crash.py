"""Relays are stateless and may die (issue 16): a relay process killed with SIGKILL in the middle of a
batch loses no event, and two relays running on afterwards send each event once more at most for
the deliveries that were in flight; every delivery the receiver got carries a valid signature."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func
from sqlalchemy import select

from app.database import session_scope
from app.enums import DeliveryStatus
from app.models.outbox_event import OutboxEvent
from app.models.webhook_delivery import WebhookDelivery
from tests.conftest import ROOT
from tests.events.receiver import receiving
from tests.factories import case_body
from tests.helpers import ok

SECRET = "k" * 40
BATCH = 5
EVENTS = 20
RELAY_ENV = {
    "ENFORCEMENT_RELAY_BATCH_SIZE": str(BATCH),
    "ENFORCEMENT_WEBHOOK_TIMEOUT_SECONDS": "2",
    "ENFORCEMENT_RELAY_CLAIM_MARGIN_SECONDS": "1",
    "ENFORCEMENT_EVENTS_POLL_SECONDS": "0.1",
}


def start_relay(log: Path) -> subprocess.Popen:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "app.relay"], cwd=ROOT, env=os.environ | RELAY_ENV, stdout=out, stderr=out
        )


def wait_for(condition, timeout_s: float, what: str) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def delivered() -> int:
    with session_scope(read_only=True) as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(WebhookDelivery)
                .where(WebhookDelivery.status == DeliveryStatus.delivered)
            )
            or 0
        )


def test_a_relay_killed_mid_batch_loses_nothing_and_repeats_only_what_was_in_flight(client, auth):
    log = Path(tempfile.mkstemp(prefix="relay-", suffix=".log")[1])
    relays: list[subprocess.Popen] = []
    with receiving(SECRET, delay_s=0.2) as receiver:
        body = {"url": receiver.url, "secret": SECRET}
        ok(client.post("/api/v1/webhook-subscriptions", json=body, headers=auth("admin")), 201)
        for serial in range(700, 700 + EVENTS):
            ok(client.post("/api/v1/cases", json=case_body(serial), headers=auth("registrar")), 201)
        try:
            relays.append(start_relay(log))
            wait_for(lambda: len(receiver.event_ids) >= BATCH + 2, 60, "the first relay to be mid-batch")
            relays[0].send_signal(signal.SIGKILL)
            relays[0].wait()
            got_before_restart = len(receiver.event_ids)
            assert got_before_restart < EVENTS, "the relay finished before it was killed"
            relays += [start_relay(log), start_relay(log)]
            wait_for(
                lambda: delivered() == EVENTS,
                90,
                f"every delivery to be made; relay log:\n{log.read_text()[-3000:]}",
            )
        finally:
            for relay in relays:
                if relay.poll() is None:
                    relay.send_signal(signal.SIGTERM)
                    relay.wait(timeout=30)

    with session_scope(read_only=True) as session:
        event_ids = set(session.scalars(select(OutboxEvent.event_id)))
    received = Counter(receiver.event_ids)
    assert receiver.forged == 0
    assert set(received) == event_ids and len(event_ids) == EVENTS
    repeated = sum(count - 1 for count in received.values())
    assert repeated <= BATCH, f"{repeated} repeated deliveries, more than the batch in flight"
    assert [r.returncode for r in relays[1:]] == [0, 0]
    log.unlink()
