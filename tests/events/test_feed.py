"""The pull feed and its stream (issue 16): an event for each audited change that committed, in
commit order, behind a cursor that neither repeats nor skips; each caller sees the events of the
cases it may see; the payload names no party and shows no full ID number."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event
from sqlalchemy import select

from app.database import session_scope
from app.models.outbox_event import OutboxEvent
from app.rules.event_types import ALL_EVENT_TYPES
from app.rules.money import account_reference
from app.services import audit
from app.settings import court_today
from app.sweep import run_sweep
from tests.conftest import ROOT
from tests.factories import case_body
from tests.factories import make_team_case
from tests.factories import make_triage_case
from tests.factories import resident_id
from tests.helpers import fields
from tests.helpers import ok

FEED = "/api/v1/events"


def feed(client, auth, user="comprehensive", **params) -> dict:  # noqa: ANN001
    return ok(client.get(FEED, params=params, headers=auth(user)))


def types_of(page: dict) -> list[str]:
    return [e["type"] for e in page["items"]]


def file_case(client, auth, serial: int = 301) -> dict:  # noqa: ANN001
    return ok(client.post("/api/v1/cases", json=case_body(serial), headers=auth("registrar")), 201)


def ordinary_case() -> int:
    """A registered case no rule sends to the fast group: triage allocates it to a brigade."""
    return make_triage_case(
        claim_amount=Decimal("250000.00"),
        assets=({"kind": "real_estate", "value": "2000000.00", "status": "sealed", "disposable": True},),
    )


def test_a_case_filed_registered_and_triaged_is_announced_in_that_order(client, auth):
    case = file_case(client, auth)
    url = f"/api/v1/cases/{case['id']}"
    ok(
        client.post(
            f"{url}/registration", json={"investigation_completed": True}, headers=auth("comprehensive")
        )
    )
    triaged = ok(client.post(f"{url}/triage", json={}, headers=auth("comprehensive")))

    page = feed(client, auth)
    assert types_of(page) == ["case.filed", "case.registered", "case.triaged", "case.allocated"]
    assert {e["case_id"] for e in page["items"]} == {case["id"]}
    assert len({e["id"] for e in page["items"]}) == 4
    filed, *_, allocated = page["items"]
    assert filed["subject"] == {"type": "case", "id": str(case["id"])}
    assert filed["version"] == case["version"]
    assert allocated["version"] == triaged["case_version"]
    assert allocated["data"]["unit"] == triaged["unit"]
    assert page["next_cursor"] == allocated["cursor"] and page["has_more"] is False


def test_the_payload_names_no_party_and_shows_no_full_id_number(client, auth):
    case = file_case(client, auth, serial=302)
    ok(
        client.post(
            f"/api/v1/cases/{case['id']}/registration",
            json={"investigation_completed": False, "note": f"申请人身份证 {resident_id(302)} 已核对"},
            headers=auth("comprehensive"),
        )
    )
    text = client.get(FEED, headers=auth("admin")).text
    assert "张三" not in text and "郑州某某贸易有限公司" not in text
    assert resident_id(302) not in text
    filed = feed(client, auth, "admin")["items"][0]
    assert filed["data"]["case_number"] == case["case_number"]
    assert "applicants" not in filed["data"] and "respondents" not in filed["data"]


def test_a_stored_cursor_continues_without_repeating_or_skipping(client, auth):
    for serial in range(310, 313):
        file_case(client, auth, serial)
    seen, cursor = [], None
    for _ in range(5):
        page = feed(client, auth, limit=2, **({"after": cursor} if cursor else {}))
        seen += [e["id"] for e in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 3
    assert feed(client, auth, after=cursor) == {"items": [], "next_cursor": cursor, "has_more": False}
    file_case(client, auth, 313)
    assert [e["data"]["case_number"] for e in feed(client, auth, after=cursor)["items"]] == [
        case_body(313)["case_number"]
    ]


def test_the_feed_filters_by_type_family_and_case(client, auth):
    first, second = file_case(client, auth, 320), file_case(client, auth, 321)
    ok(client.post(f"/api/v1/cases/{first['id']}/registration", json={}, headers=auth("comprehensive")))
    assert types_of(feed(client, auth, types="case.registered")) == ["case.registered"]
    assert types_of(feed(client, auth, types="case.*")) == ["case.filed", "case.filed", "case.registered"]
    assert {e["case_id"] for e in feed(client, auth, case_id=second["id"])["items"]} == {second["id"]}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"types": "case.filed,case.exploded"}, "types"), ({"after": "not-a-cursor"}, "after")],
)
def test_an_unknown_type_or_a_foreign_cursor_is_refused_naming_it(client, auth, params, field):
    assert fields(client.get(FEED, params=params, headers=auth("comprehensive"))) == {field}


def test_each_caller_sees_the_events_of_the_cases_it_may_see(client, auth):
    case_id = ordinary_case()
    unit = ok(client.post(f"/api/v1/cases/{case_id}/triage", json={}, headers=auth("comprehensive")))["unit"]
    brigade = int(unit.removeprefix("brigade-"))
    other = brigade % 4 + 1
    file_case(client, auth, 330)  # filed by the registrar, not yet allocated

    assert types_of(feed(client, auth, f"brigade{brigade}-judge")) == ["case.triaged", "case.allocated"]
    assert feed(client, auth, f"brigade{other}-judge")["items"] == []
    assert len(feed(client, auth, "director")["items"]) == 3
    assert client.get(FEED, headers=auth("finance")).status_code == 403


def test_the_filing_divisions_machine_account_sees_only_the_filing_of_its_own_cases(client, auth):
    own = ok(client.post("/api/v1/cases", json=case_body(340), headers=auth("filing-bot")), 201)
    file_case(client, auth, 341)  # the registrar's
    ok(client.post(f"/api/v1/cases/{own['id']}/registration", json={}, headers=auth("comprehensive")))
    page = feed(client, auth, "filing-bot")
    assert [(e["type"], e["case_id"]) for e in page["items"]] == [("case.filed", own["id"])]


def test_a_change_rolled_back_after_its_events_were_written_announces_nothing(client, auth):
    written = []

    def fail_after_the_outbox(session):  # noqa: ANN001, ANN202
        written.extend(session.scalars(select(OutboxEvent.type)))
        raise RuntimeError("the commit fails")

    with pytest.raises(RuntimeError), session_scope() as session:
        event.listen(session, "before_commit", fail_after_the_outbox)  # after the audit chain's listener
        audit.record(session, actor=None, action="case.filed", entity_type="case", entity_id=1, case_id=None)
    assert written == ["case.filed"]  # the event was in the transaction when it failed
    with session_scope(read_only=True) as session:
        assert session.scalars(select(OutboxEvent)).all() == []
    file_case(client, auth, 350)
    (only,) = feed(client, auth)["items"]
    assert only["cursor"] == feed(client, auth)["next_cursor"]
    with session_scope(read_only=True) as session:
        assert session.scalars(select(OutboxEvent.position)).all() == [1]  # the position was not used up


def test_a_breached_deadline_is_announced_by_the_sweep(client, auth):
    case = file_case(client, auth, 360)
    cursor = feed(client, auth)["next_cursor"]
    run_sweep(today=court_today() + timedelta(days=30))
    breached = feed(client, auth, after=cursor, types="deadline.breached")["items"]
    assert breached and {e["case_id"] for e in breached} == {case["id"]}
    assert {e["data"]["rule"] for e in breached} >= {"D1"}


def test_the_stream_sends_the_feed_as_server_sent_events_and_resumes_after_last_event_id(client, auth):
    for serial in (370, 371):
        file_case(client, auth, serial)
    response = client.get(f"{FEED}/stream", headers=auth("comprehensive"))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
    frames = [f for f in response.text.split("\n\n") if f.startswith("id:")]
    assert [f.split("\n")[1] for f in frames] == ["event: case.filed", "event: case.filed"]
    first_id = frames[0].split("\n")[0].removeprefix("id: ")
    resumed = client.get(f"{FEED}/stream", headers=auth("comprehensive", **{"Last-Event-ID": first_id}))
    resumed_frames = [f for f in resumed.text.split("\n\n") if f.startswith("id:")]
    assert resumed_frames == frames[1:]
    refused = client.get(f"{FEED}/stream", headers=auth("comprehensive", **{"Last-Event-ID": "x"}))
    assert fields(refused) == {"Last-Event-ID"}


def test_every_event_type_is_documented():
    page = (ROOT / "docs" / "events.md").read_text(encoding="utf-8")
    assert [t for t in sorted(ALL_EVENT_TYPES) if f"`{t}`" not in page] == []


def test_money_received_on_a_case_is_announced_with_its_amount(client, auth):
    case_id = make_team_case(1)
    body = {"kind": "payment_received", "on": "2026-04-01", "amount": "30000.00"}
    ok(client.post(f"/api/v1/cases/{case_id}/measures", json=body, headers=auth("brigade1-judge")), 201)
    (received,) = feed(client, auth, "brigade1-judge", types="payment.received")["items"]
    assert (received["case_id"], received["data"]["amount"], received["data"]["paid_amount"]) == (
        case_id,
        "30000.00",
        "30000.00",
    )
    assert types_of(feed(client, auth, "brigade1-judge")) == ["measure.recorded", "payment.received"]


def test_money_credited_to_a_case_account_and_paid_out_is_announced(client, auth):
    case_id = make_team_case(1)
    receipt = {
        "amount": "50000.00",
        "received_on": court_today().isoformat(),
        "payer": "某某贸易有限公司",
        "channel": "bank_transfer",
        "bank_reference": "BOC-feed-1",
        "account_reference": account_reference("豫0104", case_id),
    }
    ok(client.post("/api/v1/receipts", json=receipt, headers=auth("finance")), 201)
    page = feed(client, auth, "brigade1-judge", case_id=case_id, types="money.*,receipt.*")
    assert types_of(page) == ["receipt.recorded", "money.received"]
    (credited,) = [e for e in page["items"] if e["type"] == "money.received"]
    assert credited["data"]["amount"] == "50000.00"
    assert feed(client, auth, "brigade2-judge", types="money.*")["items"] == []  # not its case
