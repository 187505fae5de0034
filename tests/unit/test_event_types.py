"""The pure rules of the event feed (app/rules/event_types.py): which types an audit action
announces, what a payload may share, the signature, the retry schedule and the URLs refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.rules.event_types import event_types
from app.rules.event_types import retry_delay
from app.rules.event_types import shareable
from app.rules.event_types import signature
from app.rules.event_types import signature_valid
from app.rules.event_types import url_problem
from app.rules.event_types import wanted

OWN = frozenset({("127.0.0.1", 8000), ("enforcement.court.example", 443)})


@pytest.mark.parametrize(
    ("action", "after", "types"),
    [
        ("case.filed", {}, ("case.filed",)),
        ("case.triage", {}, ("case.triaged", "case.allocated")),  # plan §5(2): one decision, two facts
        ("deadline.breach", {"rule": "D1"}, ("deadline.breached",)),
        ("disposal.approve", {}, ("transfer.approved",)),
        ("measure.record", {"kind": "payment_received"}, ("measure.recorded", "payment.received")),
        ("measure.record", {"kind": "summons"}, ("measure.recorded",)),
        ("deadline.recompute", {}, ()),  # internal
        ("calendar.update", None, ()),
    ],
)
def test_event_types_of_an_audit_action(action, after, types):
    assert event_types(action, after) == types


@pytest.mark.parametrize(
    ("event_type", "subscribed", "expected"),
    [
        ("case.filed", [], True),
        ("case.filed", ["case.filed"], True),
        ("case.filed", ["case.*"], True),
        ("case.filed", ["deadline.*", "case.triaged"], False),
        ("caseload.filed", ["case.*"], False),
    ],
)
def test_which_subscriptions_want_an_event(event_type, subscribed, expected):
    assert wanted(event_type, subscribed) is expected


def test_a_shared_payload_drops_party_names_and_masks_id_numbers_in_text():
    payload = {
        "case_number": "（2026）豫0104执1号",
        "applicants": ["张三"],
        "changes": [{"name": "李四", "id_number": "11010519491231002X", "role": "applicant"}],
        "reason": "申请人 11010519491231002X 已缴费",
        "amount": "100.00",
    }
    assert shareable(payload) == {
        "case_number": "（2026）豫0104执1号",
        "changes": [{"role": "applicant"}],
        "reason": "申请人 110105********X 已缴费",
        "amount": "100.00",
    }


def test_a_signature_verifies_only_with_its_secret_body_and_a_recent_time():
    header = signature("secret-1", 1_700_000_000, b'{"id":"e1"}')
    assert header.startswith("t=1700000000,v1=")
    assert signature_valid("secret-1", header, b'{"id":"e1"}', now=1_700_000_100)
    assert not signature_valid("secret-2", header, b'{"id":"e1"}', now=1_700_000_100)
    assert not signature_valid("secret-1", header, b'{"id":"e2"}', now=1_700_000_100)
    assert not signature_valid("secret-1", header, b'{"id":"e1"}', now=1_700_000_301)  # a replay, later
    assert not signature_valid("secret-1", "v1=abc", b"{}", now=0)


@pytest.mark.parametrize(
    ("attempts", "jitter", "seconds"),
    [(1, 1.0, 30), (2, 1.0, 60), (5, 1.0, 480), (5, 0.5, 240), (20, 1.0, 21600), (200, 0.75, 16200)],
)
def test_the_retry_delay_doubles_up_to_its_cap_scaled_by_the_jitter(attempts, jitter, seconds):
    delay = retry_delay(attempts, base=timedelta(seconds=30), cap=timedelta(hours=6), jitter=jitter)
    assert delay == timedelta(seconds=seconds)


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("https://receiver.example/hooks", None),
        ("http://127.0.0.1:9000/hooks", None),  # another service on this machine
        ("ftp://receiver.example/hooks", "must be an http or https URL"),
        ("https:///hooks", "must name a host"),
        (
            "https://u:p@receiver.example/",
            "may not carry credentials; the signature authenticates the sender",
        ),  # noqa: E501
        ("http://127.0.0.1:8000/x", "points at this service itself"),
        ("http://LOCALHOST:8000/x", "points at this service itself"),
        ("http://127.0.0.2:8000/x", "points at this service itself"),
        ("https://Enforcement.Court.Example./x", "points at this service itself"),
        ("http://[::1:8000/x", "not a valid URL"),
    ],
)
def test_subscription_urls(url, problem):
    assert url_problem(url, own_addresses=OWN) == problem
