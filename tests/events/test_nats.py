"""Publishing to NATS JetStream (issue 16), on the real server at 127.0.0.1:4222: each event is a
message on ``enforcement.<court>.<type>`` with its event id as ``Nats-Msg-Id``; a relay that published
and died before recording it publishes again, and JetStream keeps each event once."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import time
import uuid

import pytest
from sqlalchemy import select
from sqlalchemy import update

from app.database import session_scope
from app.models.event_cursor import EventCursor
from app.relay import run_relay
from app.settings import get_settings
from tests.factories import case_body
from tests.helpers import ok

NATS_URL = os.environ.get("TEST_NATS_URL", "nats://127.0.0.1:4222")


def _reachable() -> bool:
    host, _, port = NATS_URL.removeprefix("nats://").partition(":")
    try:
        socket.create_connection((host, int(port or 4222)), timeout=2).close()
        return True
    except OSError:
        return False


needs_nats = pytest.mark.skipif(
    not _reachable() and not os.environ.get("CI"), reason=f"no NATS server at {NATS_URL}"
)


async def _stream(name: str, court: str, action: str) -> list:
    import nats

    connection = await nats.connect(NATS_URL)
    try:
        stream = connection.jetstream()
        if action == "create":
            await stream.add_stream(name=name, subjects=[f"enforcement.{court}.>"], duplicate_window=120)
            return []
        if action == "delete":
            await stream.delete_stream(name)
            return []
        info = await stream.stream_info(name)
        return [await stream.get_msg(name, seq) for seq in range(1, info.state.messages + 1)]
    finally:
        await connection.close()


@needs_nats
def test_jetstream_gets_each_event_once_on_its_subject_with_the_event_id_as_message_id(
    client, auth, monkeypatch
):
    court = f"t{uuid.uuid4().hex[:12]}"
    name = f"ENFORCEMENT_{court.upper()}"
    monkeypatch.setattr(get_settings(), "nats_url", NATS_URL)
    monkeypatch.setattr(get_settings(), "event_court", court)
    asyncio.run(_stream(name, court, "create"))
    try:
        first, _ = (
            ok(client.post("/api/v1/cases", json=case_body(s), headers=auth("registrar")), 201)
            for s in (801, 802)
        )
        ok(client.post(f"/api/v1/cases/{first['id']}/registration", json={}, headers=auth("comprehensive")))
        asyncio.run(run_relay(once=True))
        with session_scope() as session:  # as if the relay died after publishing, before moving its cursor
            session.execute(update(EventCursor).values(position=0))
        asyncio.run(run_relay(once=True))
        messages = asyncio.run(_stream(name, court, "read"))
    finally:
        asyncio.run(_stream(name, court, "delete"))

    feed = ok(client.get("/api/v1/events", headers=auth("admin")))["items"]
    assert len(feed) == 3
    assert [m.subject for m in messages] == [f"enforcement.{court}.{e['type']}" for e in feed]
    assert [m.headers["Nats-Msg-Id"] for m in messages] == [e["id"] for e in feed]
    assert [json.loads(m.data) for m in messages] == feed


def test_an_unreachable_bus_holds_back_neither_the_webhooks_nor_its_own_events(client, auth, monkeypatch):
    from tests.events.receiver import receiving

    monkeypatch.setattr(get_settings(), "nats_url", "nats://127.0.0.1:1")
    with receiving("r" * 40) as receiver:
        body = {"url": receiver.url, "secret": "r" * 40}
        ok(client.post("/api/v1/webhook-subscriptions", json=body, headers=auth("admin")), 201)
        ok(client.post("/api/v1/cases", json=case_body(810), headers=auth("registrar")), 201)
        started = time.monotonic()
        totals = asyncio.run(run_relay(once=True))
        # a round gives up on the bus in seconds, not after nats-py's two minutes of reconnecting
        assert time.monotonic() - started < 30
    assert (totals.delivered, totals.published) == (1, 0)
    assert len(receiver.event_ids) == 1
    with session_scope(read_only=True) as session:  # the bus's cursor did not move past the event
        assert session.scalars(select(EventCursor.position)).all() in ([], [0])
