"""Webhook subscriptions and the relay (issue 16): URLs refused, deliveries signed and received by a
real receiver, retries with backoff, a subscription marked failing, deliveries listed and replayed,
a receiver that hangs cut off, pruning only of what every subscription is done with."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy import update

from app.database import session_scope
from app.models.base import utcnow
from app.models.outbox_event import OutboxEvent
from app.models.webhook_delivery import WebhookDelivery
from app.relay import run_relay
from app.services import events
from app.services import relay
from app.settings import get_settings
from tests.events.receiver import receiving
from tests.factories import case_body
from tests.helpers import fields
from tests.helpers import ok

SUBSCRIPTIONS = "/api/v1/webhook-subscriptions"
SECRET = "s" * 40
RETRY_S = 2.0


def subscribe(client, auth, url: str, **body) -> dict:  # noqa: ANN001
    return ok(
        client.post(SUBSCRIPTIONS, json={"url": url, "secret": SECRET, **body}, headers=auth("admin")), 201
    )


def file_cases(client, auth, *serials: int) -> list[dict]:  # noqa: ANN001
    return [
        ok(client.post("/api/v1/cases", json=case_body(s), headers=auth("registrar")), 201) for s in serials
    ]


def relay_until_idle() -> None:
    asyncio.run(run_relay(once=True))


def deliveries(client, auth, subscription_id: int, **params) -> list[dict]:  # noqa: ANN001
    url = f"{SUBSCRIPTIONS}/{subscription_id}/deliveries"
    return ok(client.get(url, params=params, headers=auth("admin")))["items"]


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = get_settings()
    # 1–2 s with the jitter: longer than a round of the relay, even on a busy machine
    monkeypatch.setattr(settings, "webhook_backoff_base_seconds", RETRY_S)
    monkeypatch.setattr(settings, "webhook_backoff_max_seconds", RETRY_S)
    monkeypatch.setattr(settings, "webhook_failing_after", 2)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://receiver.example/hooks",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "receiver.example/hooks",
        "http://127.0.0.1:8000/api/v1/events",  # the service itself (ENFORCEMENT_PORT)
        "http://localhost:8000/hooks",
        "http://[::1]:8000/hooks",
        "http://0.0.0.0:8000/hooks",
        "https://enforcement.court.example/api/v1/cases",  # its published address
        "https://user:pass@receiver.example/hooks",
        "http://receiver.example:99999/hooks",
    ],
)
def test_a_subscription_url_that_is_not_http_or_points_at_the_service_is_refused(
    client, auth, monkeypatch, url
):
    monkeypatch.setattr(get_settings(), "service_urls", ["https://enforcement.court.example"])
    response = client.post(SUBSCRIPTIONS, json={"url": url}, headers=auth("admin"))
    assert fields(response) == {"url"}
    assert ok(client.get(SUBSCRIPTIONS, headers=auth("admin")))["items"] == []


def test_a_subscription_gets_a_secret_shown_once_and_unknown_types_are_refused(client, auth):
    created = ok(
        client.post(SUBSCRIPTIONS, json={"url": "http://127.0.0.1:9/hooks"}, headers=auth("admin")), 201
    )
    assert created["secret"].startswith("whsec_") and created["status"] == "active"
    shown = ok(client.get(f"{SUBSCRIPTIONS}/{created['id']}", headers=auth("admin")))
    assert "secret" not in shown
    bad = client.post(
        SUBSCRIPTIONS, json={"url": "https://r.example", "event_types": ["case.eaten"]}, headers=auth("admin")
    )
    assert fields(bad) == {"event_types"}


def test_the_relay_delivers_each_wanted_event_signed_as_the_feed_shows_it(client, auth):
    with receiving(SECRET) as receiver, receiving(SECRET) as registrations_only:
        everything = subscribe(client, auth, receiver.url)
        subscribe(client, auth, registrations_only.url, event_types=["case.registered"])
        first, _ = file_cases(client, auth, 401, 402)
        ok(client.post(f"/api/v1/cases/{first['id']}/registration", json={}, headers=auth("comprehensive")))
        relay_until_idle()

    feed = ok(client.get("/api/v1/events", headers=auth("admin")))["items"]
    assert receiver.forged == 0
    assert sorted(receiver.event_ids) == sorted(e["id"] for e in feed)
    assert {e["id"]: e for e in feed} == {
        b["id"]: {k: v for k, v in b.items() if k != "_event_id"} for b in receiver.received
    }
    assert all(b["_event_id"] == b["id"] for b in receiver.received)
    assert [b["type"] for b in registrations_only.received] == ["case.registered"]
    listed = deliveries(client, auth, everything["id"])
    assert {(d["status"], d["attempts"], d["last_status_code"]) for d in listed} == {("delivered", 1, 200)}


def test_a_new_subscription_is_owed_only_what_happens_after_it(client, auth):
    file_cases(client, auth, 410)
    with receiving(SECRET) as receiver:
        subscribe(client, auth, receiver.url)
        file_cases(client, auth, 411)
        relay_until_idle()
    assert [b["data"]["case_number"] for b in receiver.received] == [case_body(411)["case_number"]]


def test_a_failing_receiver_is_retried_with_backoff_marked_failing_given_up_and_replayed(
    client, auth, monkeypatch, quick_retries
):
    with receiving(SECRET, status=503) as receiver:
        subscription = subscribe(client, auth, receiver.url)
        file_cases(client, auth, 420)
        relay_until_idle()
        (pending,) = deliveries(client, auth, subscription["id"])
        assert (pending["status"], pending["attempts"], pending["last_status_code"]) == ("pending", 1, 503)
        assert pending["next_attempt_at"] > pending["last_attempt_at"]  # backing off
        time.sleep(RETRY_S + 0.1)
        relay_until_idle()
        shown = ok(client.get(f"{SUBSCRIPTIONS}/{subscription['id']}", headers=auth("admin")))
        assert (shown["status"], shown["consecutive_failures"]) == ("failing", 2)

        monkeypatch.setattr(get_settings(), "webhook_retry_hours", 0.2 / 3600)  # the retry period is over
        time.sleep(RETRY_S + 0.1)
        relay_until_idle()
        (failed,) = deliveries(client, auth, subscription["id"], status="failed")
        assert failed["attempts"] == 3 and "503" in failed["last_error"]
        assert len(receiver.received) == 3

        receiver.status = 204
        url = f"{SUBSCRIPTIONS}/{subscription['id']}/deliveries/{failed['id']}/replay"
        assert ok(client.post(url, headers=auth("admin")))["status"] == "pending"
        relay_until_idle()
    (delivered,) = deliveries(client, auth, subscription["id"])
    assert (delivered["status"], delivered["attempts"]) == ("delivered", 4)
    shown = ok(client.get(f"{SUBSCRIPTIONS}/{subscription['id']}", headers=auth("admin")))
    assert (shown["status"], shown["consecutive_failures"]) == ("active", 0)


def test_a_receiver_that_hangs_is_cut_off_by_the_timeout(client, auth, monkeypatch):
    monkeypatch.setattr(get_settings(), "webhook_timeout_seconds", 0.3)
    with receiving(SECRET, delay_s=3) as receiver:
        subscription = subscribe(client, auth, receiver.url)
        file_cases(client, auth, 430)
        started = time.monotonic()
        relay_until_idle()
        took = time.monotonic() - started
    assert took < 2.5
    (attempt,) = deliveries(client, auth, subscription["id"])
    assert attempt["status"] == "pending" and attempt["last_error"] == "no answer within 0.3 s"
    assert receiver.event_ids == [] or len(receiver.event_ids) == 1


def test_a_disabled_subscription_is_sent_nothing(client, auth):
    with receiving(SECRET) as receiver:
        subscription = subscribe(client, auth, receiver.url)
        ok(client.post(f"{SUBSCRIPTIONS}/{subscription['id']}/disable", headers=auth("admin")))
        file_cases(client, auth, 440)
        relay_until_idle()
        assert receiver.received == []
        enabled = ok(client.post(f"{SUBSCRIPTIONS}/{subscription['id']}/enable", headers=auth("admin")))
        assert enabled["status"] == "active"
        file_cases(client, auth, 441)
        relay_until_idle()
    assert [b["data"]["case_number"] for b in receiver.received] == [case_body(441)["case_number"]]


def test_the_outbox_is_pruned_only_of_what_every_subscription_is_done_with(client, auth):
    with receiving(SECRET) as receiver:
        subscription = subscribe(client, auth, receiver.url)
        file_cases(client, auth, 450, 451, 452)
        relay_until_idle()
    assert len(receiver.received) == 3
    with session_scope() as session:  # the last one is owed again (a replay, say)
        session.execute(
            update(WebhookDelivery)
            .where(WebhookDelivery.event_position == 3)
            .values(status="pending", next_attempt_at=utcnow() + timedelta(days=1))
        )
    later = utcnow() + timedelta(days=get_settings().event_retention_days + 1)
    with session_scope() as session:
        assert events.prune(session, now=utcnow(), retention=timedelta(days=30)) == 0  # too recent
        assert events.prune(session, now=later, retention=timedelta(days=30)) == 2
    with session_scope(read_only=True) as session:
        assert session.scalars(select(OutboxEvent.position)).all() == [3]
    assert [d["status"] for d in deliveries(client, auth, subscription["id"])] == ["pending"]
    # a subscription not yet fanned out to holds back what it is owed
    with session_scope() as session:
        session.execute(update(WebhookDelivery).values(status="delivered"))
    file_cases(client, auth, 453)
    with session_scope() as session:
        assert events.prune(session, now=later + timedelta(days=1), retention=timedelta(days=30)) == 1
        (last,) = session.scalars(select(OutboxEvent)).all()
        assert last.position == 4
        relay.fan_out(session, limit=10)
    (owed,) = deliveries(client, auth, subscription["id"])  # the delivered one went with its event
    assert owed["status"] == "pending" and owed["event_id"] == events.event_body(last)["id"]
