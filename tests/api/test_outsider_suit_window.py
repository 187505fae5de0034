"""An asset claimed by an outsider whose objection was upheld is not disposed of while the applicant
may still sue (CPL (2023) art. 238, D17): a disposal transfer or task naming it is refused with the
reason, other assets of the case are not held, and once the window has passed the asset may go."""

from __future__ import annotations

from datetime import timedelta

from app.settings import court_today
from tests.factories import add_measure
from tests.factories import make_team_case
from tests.helpers import fields
from tests.helpers import ok

HOUSE = {
    "kind": "real_estate",
    "value": "800000",
    "status": "sealed",
    "disposable": True,
    "controlled_on": "2026-03-03",
}
CAR = {"kind": "vehicle", "value": "70000", "status": "found", "disposable": True}


def _asset(client, auth, case_id: int, asset: dict) -> int:  # noqa: ANN001
    response = client.post(f"/api/v1/cases/{case_id}/assets", json=asset, headers=auth("brigade1-judge"))
    return ok(response, 201)["id"]


def _upheld_outsider_objection(client, auth, case_id: int, asset_id: int, *, served_days_ago: int) -> int:  # noqa: ANN001
    served = court_today() - timedelta(days=served_days_ago)
    received = served - timedelta(days=20)
    objection = {
        "case_id": case_id,
        "kind": "outsider",
        "filer_name": "李四",
        "filer_kind": "outsider",
        "received_on": received.isoformat(),
        "grounds": "查封的房屋系案外人所有",
        "asset_id": asset_id,
    }
    headers = auth("objection-judge")
    oid = ok(client.post("/api/v1/objections", json=objection, headers=headers), 201)["id"]
    base = f"/api/v1/objections/{oid}"
    ok(client.post(f"{base}/docket", json={"docketed_on": received.isoformat()}, headers=headers))
    ruling = {
        "outcome": "upheld",
        "reasons": "异议成立",
        "ruled_on": (served - timedelta(days=1)).isoformat(),
    }
    ok(client.post(f"{base}/ruling", json=ruling, headers=headers))
    ok(client.post(f"{base}/service", json={"served_on": served.isoformat()}, headers=headers))
    return oid


def _ready_case(client, auth) -> tuple[int, int, int]:  # noqa: ANN001
    case_id = make_team_case(1)
    since = court_today() - timedelta(days=60)
    add_measure(case_id, "disposal_document", since, signed_by="brigade1-judge", document_number="拍卖裁定1")
    return case_id, _asset(client, auth, case_id, HOUSE), _asset(client, auth, case_id, CAR)


def _request(client, auth, case_id: int, **body: object):  # noqa: ANN001, ANN202
    url = f"/api/v1/cases/{case_id}/disposal-transfers"
    return client.post(url, json=body, headers=auth("brigade1-judge"))


def test_the_claimed_asset_is_held_while_the_applicant_may_sue(client, auth):
    case_id, house, car = _ready_case(client, auth)
    oid = _upheld_outsider_objection(client, auth, case_id, house, served_days_ago=2)

    refused = _request(client, auth, case_id, asset_id=house)
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["missing"] == ["outsider_suit_window_over"] and problem["objection_id"] == oid
    assert f"objection {oid}" in problem["detail"] and "may sue until" in problem["detail"]

    transfer = ok(_request(client, auth, case_id, asset_id=car), 201)  # the car is not claimed
    assert transfer["asset_id"] == car
    approval = {"decision": "approve", "decided_on": court_today().isoformat()}
    ok(
        client.post(
            f"/api/v1/disposal-transfers/{transfer['id']}/approval", json=approval, headers=auth("deputy")
        )
    )
    tasks = f"/api/v1/disposal-transfers/{transfer['id']}/tasks"
    auction = {
        "kind": "auction",
        "on": court_today().isoformat(),
        "result": "一拍成交",
        "amount": "800000.00",
    }
    held = client.post(tasks, json=auction | {"asset_id": house}, headers=auth("disposal"))
    assert held.status_code == 409 and held.json()["missing"] == ["outsider_suit_window_over"]
    assert client.post(tasks, json=auction | {"asset_id": car}, headers=auth("disposal")).status_code == 201


def test_once_the_window_has_passed_the_asset_may_be_disposed_of(client, auth):
    case_id, house, _ = _ready_case(client, auth)
    _upheld_outsider_objection(client, auth, case_id, house, served_days_ago=40)
    assert ok(_request(client, auth, case_id, asset_id=house), 201)["asset_id"] == house


def test_only_an_outsider_names_an_asset_of_the_case(client, auth):
    case_id, house, _ = _ready_case(client, auth)
    other_case, other_house, _ = _ready_case(client, auth)
    objection = {
        "case_id": case_id,
        "kind": "enforcement_act",
        "filer_name": "某某贸易有限公司",
        "filer_kind": "party",
        "received_on": court_today().isoformat(),
        "grounds": "查封超标的",
    }
    headers = auth("objection-judge")
    assert fields(
        client.post("/api/v1/objections", json=objection | {"asset_id": house}, headers=headers)
    ) == {"asset_id"}
    outsider = objection | {"kind": "outsider", "filer_kind": "outsider", "filer_name": "李四"}
    assert fields(
        client.post("/api/v1/objections", json=outsider | {"asset_id": other_house}, headers=headers)
    ) == {"asset_id"}
    assert fields(_request(client, auth, case_id, asset_id=other_house)) == {"asset_id"}
    claimed = client.post("/api/v1/objections", json=outsider | {"asset_id": house}, headers=headers)
    assert ok(claimed, 201)["asset_id"] == house
