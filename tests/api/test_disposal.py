"""Centralised disposal (plan §5(3)–(4)): request, deputy approval, tasks, return to the same team."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.seed import DEMO_USERS
from app.settings import court_today
from tests.factories import DISPOSAL_RULING_SERVED
from tests.factories import add_measure
from tests.factories import make_disposal_ready_case
from tests.factories import make_fast_case
from tests.factories import make_filed_case
from tests.factories import make_team_case

ALL_USERS = sorted(u[0] for u in DEMO_USERS)
OTHER_BRIGADES = {u[0] for u in DEMO_USERS if u[1].startswith("brigade-") and u[1] != "brigade-1"}
SERVED = DISPOSAL_RULING_SERVED


def request(client, auth, case_id: int, user: str = "brigade1-judge", **body: object):
    return client.post(f"/api/v1/cases/{case_id}/disposal-transfers", json=body, headers=auth(user))


def decide(client, auth, transfer_id: int, user: str = "deputy", **body: object):
    body = {"decision": "approve", **body}
    return client.post(f"/api/v1/disposal-transfers/{transfer_id}/approval", json=body, headers=auth(user))


def approved_transfer(client, auth, **kwargs: object) -> tuple[int, int]:
    case_id = make_disposal_ready_case(**kwargs)
    transfer_id = request(client, auth, case_id).json()["id"]
    assert decide(client, auth, transfer_id).status_code == 200
    return case_id, transfer_id


def case_of(client, auth, case_id: int, user: str = "brigade1-judge") -> dict:
    return client.get(f"/api/v1/cases/{case_id}", headers=auth(user)).json()


def test_request_needs_a_served_disposal_document_signed_by_the_requesting_judge(client, auth):
    case_id = make_team_case(1)
    response = request(client, auth, case_id)
    assert response.status_code == 409
    assert response.json()["missing"] == ["disposal_document"]
    # signed by another judge (the case changed hands since): still missing
    add_measure(
        case_id, "disposal_document", SERVED, signed_by="brigade1-judge2", document_number="拍卖裁定1"
    )
    assert request(client, auth, case_id).json()["missing"] == ["disposal_document"]
    # served after the request date: not yet served
    add_measure(
        case_id, "disposal_document", date(2026, 4, 10), signed_by="brigade1-judge", document_number="2"
    )
    assert request(client, auth, case_id, requested_on="2026-04-09").status_code == 409
    assert request(client, auth, case_id, requested_on="2026-04-10").status_code == 201


def test_request_creates_a_pending_transfer_and_the_case_stays_with_the_team(client, auth, user_ids):
    case_id = make_disposal_ready_case()
    response = request(client, auth, case_id, notes="房产一套, 郑州市管城区")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "requested" and body["allowed_actions"] == []  # a deputy director decides
    got = client.get(f"/api/v1/disposal-transfers/{body['id']}", headers=auth("deputy")).json()
    assert got["allowed_actions"] == ["decide"]
    assert body["origin_unit_code"] == "brigade-1" and body["origin_handler_id"] == user_ids["brigade1-judge"]
    assert response.headers["location"] == f"/api/v1/disposal-transfers/{body['id']}"
    assert response.headers["etag"] == f'"{body["version"]}"'
    assert case_of(client, auth, case_id)["state"] == "in_progress"
    again = request(client, auth, case_id)
    assert again.status_code == 409 and again.json()["transfer_id"] == body["id"]


@pytest.mark.parametrize("username", sorted(set(ALL_USERS) - {"brigade1-judge"}))
def test_only_the_handling_judge_requests(client, auth, username):
    case_id = make_disposal_ready_case()
    response = request(client, auth, case_id, username)
    assert response.status_code == (404 if username in OTHER_BRIGADES else 403), response.text


@pytest.mark.parametrize("username", sorted(set(ALL_USERS) - {"deputy"}))
def test_only_a_deputy_director_approves(client, auth, username):
    case_id = make_disposal_ready_case()
    transfer_id = request(client, auth, case_id).json()["id"]
    assert decide(client, auth, transfer_id, username).status_code == 403
    assert case_of(client, auth, case_id)["state"] == "in_progress"


def test_approval_puts_the_case_at_disposal_and_starts_d13(client, auth, user_ids):
    filed = court_today() - timedelta(days=30)
    case_id = make_filed_case(
        filed, state="in_progress", unit_code="brigade-1", handler="brigade1-judge", track="ordinary"
    )
    add_measure(
        case_id,
        "disposal_document",
        filed + timedelta(days=5),
        signed_by="brigade1-judge",
        document_number="拍卖裁定1",
    )
    transfer_id = request(client, auth, case_id).json()["id"]
    response = decide(client, auth, transfer_id, decided_on=court_today().isoformat())
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "approved" and body["decided_by"] == user_ids["deputy"]
    assert body["allowed_actions"] == []  # the disposal group works it now
    got = client.get(f"/api/v1/disposal-transfers/{transfer_id}", headers=auth("disposal")).json()
    assert got["allowed_actions"] == ["record_task", "return"]
    case = case_of(client, auth, case_id)  # the team still sees its case
    assert case["state"] == "at_disposal" and case["unit"] == "brigade-1"
    assert "close" not in case["allowed_actions"]
    d13 = [d for d in case["deadlines"] if d["rule"] == "D13"]
    assert len(d13) == 1 and d13[0]["status"] == "open"
    assert case_of(client, auth, case_id, "disposal")["state"] == "at_disposal"
    assert decide(client, auth, transfer_id).status_code == 409


def test_team_cannot_close_a_case_at_disposal(client, auth):
    case_id, _ = approved_transfer(client, auth)
    response = client.post(
        f"/api/v1/cases/{case_id}/closure", json={"mode": "performed"}, headers=auth("brigade1-judge")
    )
    assert response.status_code == 409
    assert response.json()["allowed_actions"] == [
        "record_asset",
        "control_asset",
        "record_measure",
        "propose_dishonest",
        "refer_refusal",
    ]


def test_refusal_needs_a_reason_and_leaves_the_document_usable(client, auth):
    case_id = make_disposal_ready_case()
    transfer_id = request(client, auth, case_id).json()["id"]
    response = decide(client, auth, transfer_id, decision="refuse")
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]
    response = decide(client, auth, transfer_id, decision="refuse", reason="财产权属有争议, 先行审查")
    assert response.status_code == 200
    assert response.json()["state"] == "refused" and response.json()["allowed_actions"] == []
    assert case_of(client, auth, case_id)["state"] == "in_progress"
    assert decide(client, auth, transfer_id).status_code == 409
    assert request(client, auth, case_id).status_code == 201


def test_decision_dates_and_versions_are_checked(client, auth):
    case_id = make_disposal_ready_case()
    transfer = request(client, auth, case_id, requested_on="2026-04-05").json()
    assert decide(client, auth, transfer["id"], decided_on="2026-04-04").status_code == 422
    future = (court_today() + timedelta(days=1)).isoformat()
    assert decide(client, auth, transfer["id"], decided_on=future).status_code == 422
    stale = client.post(
        f"/api/v1/disposal-transfers/{transfer['id']}/approval",
        json={"decision": "approve"},
        headers=auth("deputy", **{"If-Match": f'"{transfer["version"] + 1}"'}),
    )
    assert stale.status_code == 412
    current = client.post(
        f"/api/v1/disposal-transfers/{transfer['id']}/approval",
        json={"decision": "approve"},
        headers=auth("deputy", **{"If-Match": f'"{transfer["version"]}"'}),
    )
    assert current.status_code == 200
    assert decide(client, auth, 999999).status_code == 404


def test_tasks_only_by_the_disposal_group_on_an_approved_transfer(client, auth):
    case_id = make_disposal_ready_case()
    transfer_id = request(client, auth, case_id, requested_on="2026-04-20").json()["id"]
    task = {"kind": "auction", "on": "2026-05-10", "result": "一拍成交", "amount": "500000.00"}
    url = f"/api/v1/disposal-transfers/{transfer_id}/tasks"
    assert client.post(url, json=task, headers=auth("disposal")).status_code == 409  # not approved yet
    assert decide(client, auth, transfer_id, decided_on="2026-05-01").status_code == 200
    for user in ("brigade1-judge", "deputy", "comprehensive"):
        assert client.post(url, json=task, headers=auth(user)).status_code == 403
    response = client.post(url, json=task, headers=auth("disposal"))
    assert response.status_code == 201, response.text
    assert response.json()["amount"] == "500000.00" and response.json()["on"] == "2026-05-10"
    early = client.post(url, json={**task, "on": "2026-04-30"}, headers=auth("disposal"))
    assert early.status_code == 422 and early.json()["errors"][0]["field"] == "on"
    assert client.post(url, json={**task, "kind": "burn"}, headers=auth("disposal")).status_code == 422
    assert client.post(url, json={**task, "amount": 1.5}, headers=auth("disposal")).status_code == 422
    assert client.post(url, json={**task, "result": ""}, headers=auth("disposal")).status_code == 422
    bad_asset = client.post(url, json={**task, "asset_id": 999999}, headers=auth("disposal"))
    assert bad_asset.status_code == 422 and bad_asset.json()["errors"][0]["field"] == "asset_id"
    kinds = ["seal", "seize", "search", "evict", "clear_land", "appraise", "announce"]
    for kind in kinds:
        assert (
            client.post(
                url, json={**task, "kind": kind, "amount": None}, headers=auth("disposal")
            ).status_code
            == 201
        )
    shown = client.get(f"/api/v1/disposal-transfers/{transfer_id}", headers=auth("brigade1-judge")).json()
    assert [t["kind"] for t in shown["tasks"]] == ["auction", *kinds]


def test_return_goes_back_to_the_originating_team_and_judge(client, auth, user_ids):
    case_id, transfer_id = approved_transfer(client, auth)
    url = f"/api/v1/disposal-transfers/{transfer_id}/return"
    assert (
        client.post(url, json={"amount_realised": "1.00"}, headers=auth("brigade1-judge")).status_code == 403
    )
    bad = client.post(url, json={"amount_realised": 480000.5}, headers=auth("disposal"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "amount_realised"
    response = client.post(
        url, json={"amount_realized": "480000.00", "result": "房产拍卖成交"}, headers=auth("disposal")
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "returned" and body["amount_realised"] == "480000.00"
    assert body["returned_by"] == user_ids["disposal"]
    case = case_of(client, auth, case_id)
    assert case["state"] == "in_progress" and case["unit"] == "brigade-1"
    assert case["handler_id"] == user_ids["brigade1-judge"]
    assert client.post(url, json={"amount_realised": "1.00"}, headers=auth("disposal")).status_code == 409


def test_list_and_read_transfers_by_who_may_see_them(client, auth):
    mine, _ = approved_transfer(client, auth)
    other = make_team_case(2)
    add_measure(
        other,
        "disposal_document",
        SERVED,
        signed_by="brigade2-judge",
        document_number="拍卖裁定2",
        recorded_by="brigade2-judge",
    )
    other_transfer = request(client, auth, other, "brigade2-judge").json()["id"]

    def listed(user: str, query: str = "") -> list[int]:
        response = client.get(f"/api/v1/disposal-transfers{query}", headers=auth(user))
        assert response.status_code == 200, response.text
        return [t["case_id"] for t in response.json()["items"]]

    assert listed("disposal") == [other, mine]
    assert listed("deputy", "?state=approved") == [mine]
    assert listed("brigade1-judge") == [mine]
    assert listed("brigade2-judge2") == [other]
    assert listed("brigade3-judge") == []
    page = client.get("/api/v1/disposal-transfers?limit=1", headers=auth("director")).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = client.get(
        f"/api/v1/disposal-transfers?limit=1&cursor={page['next_cursor']}", headers=auth("director")
    ).json()
    assert [t["case_id"] for t in rest["items"]] == [mine] and rest["next_cursor"] is None
    assert client.get("/api/v1/disposal-transfers", headers=auth("comprehensive")).status_code == 403
    assert (
        client.get(f"/api/v1/disposal-transfers/{other_transfer}", headers=auth("brigade1-judge")).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/disposal-transfers/{other_transfer}", headers=auth("disposal")).status_code
        == 200
    )
    assert client.get("/api/v1/disposal-transfers?state=lost", headers=auth("disposal")).status_code == 422


def test_a_hand_back_withdraws_the_pending_request_and_the_new_team_requests_again(client, auth, user_ids):
    for brigade in (2, 3, 4):
        make_team_case(brigade)  # brigade-1 has the fewest open cases: the hand-back goes there
    case_id = make_fast_case()
    add_measure(case_id, "disposal_document", SERVED, signed_by="fast-judge", document_number="拍卖裁定1")
    old = request(client, auth, case_id, "fast-judge", requested_on="2026-04-02").json()["id"]
    handback = client.post(
        f"/api/v1/cases/{case_id}/handback", json={"reason": "多处房产需评估拍卖"}, headers=auth("fast-judge")
    )
    assert handback.status_code == 200 and handback.json()["unit"] == "brigade-1"
    # Plan §5(4): the old request speaks for a team that no longer has the case.
    refused = decide(client, auth, old)
    assert refused.status_code == 409
    got = client.get(f"/api/v1/disposal-transfers/{old}", headers=auth("deputy")).json()
    assert got["state"] == "withdrawn"
    with session_scope(read_only=True) as session:
        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "disposal.withdraw", AuditEntry.entity_id == str(old)
            )
        ).one()
        assert entry.actor_id == user_ids["fast-judge"]
        assert entry.reason == "case reallocated from fast to brigade-1"
    case = case_of(client, auth, case_id)
    assert case["unit"] == "brigade-1" and case["track"] == "ordinary"
    add_measure(case_id, "disposal_document", SERVED, signed_by="brigade1-judge", document_number="拍卖裁定2")
    new = request(client, auth, case_id, requested_on="2026-04-03")
    assert new.status_code == 201, new.text
    assert new.json()["origin_unit_code"] == "brigade-1"
    assert decide(client, auth, new.json()["id"]).status_code == 200
    returned = client.post(
        f"/api/v1/disposal-transfers/{new.json()['id']}/return",
        json={"amount_realised": "480000.00", "result": "房产拍卖成交"},
        headers=auth("disposal"),
    )
    assert returned.status_code == 200, returned.text
    case = case_of(client, auth, case_id)
    assert (case["unit"], case["handler_id"], case["track"]) == (
        "brigade-1",
        user_ids["brigade1-judge"],
        "ordinary",
    )
