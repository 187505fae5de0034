"""Assets found by the property investigation (财产查控): recording and listing (DOMAIN.md §2)."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.models.case import Asset
from app.settings import court_today
from tests.factories import make_case
from tests.factories import make_fast_case
from tests.factories import make_team_case
from tests.helpers import fields


def url(case_id: int) -> str:
    return f"/api/v1/cases/{case_id}/assets"


DEPOSIT = {
    "kind": "bank_deposit",
    "value": "90000.00",
    "status": "frozen",
    "disposable": True,
    "description": "工商银行 6222…1234",
    "controlled_on": "2026-03-03",
}
CAR = {"kind": "vehicle", "value": "70000", "status": "found", "disposable": True}


def _asset_count(case_id: int) -> int:
    with session_scope(read_only=True) as session:
        return session.scalar(select(func.count()).select_from(Asset).where(Asset.case_id == case_id))


def test_a_frozen_deposit_is_recorded_and_starts_its_renewal_clock(client, auth, user_ids, events):
    case_id = make_case()
    response = client.post(url(case_id), json=DEPOSIT, headers=auth("comprehensive"))
    assert response.status_code == 201, response.text
    asset = response.json()
    assert asset["case_id"] == case_id and asset["kind"] == "bank_deposit"
    assert asset["value"] == "90000.00" and asset["status"] == "frozen" and asset["disposable"] is True
    assert asset["controlled_on"] == "2026-03-03" and asset["description"] == "工商银行 6222…1234"
    assert asset["recorded_by_id"] == user_ids["comprehensive"]
    etag = client.get(f"/api/v1/cases/{case_id}", headers=auth("comprehensive")).headers["etag"]
    assert etag == '"2"'  # the case lists its assets, so its version moves with them
    assert events == [
        {
            "event": "asset.controlled",
            "on": date(2026, 3, 3),
            "case_id": case_id,
            "subject_type": "asset",
            "subject_id": asset["id"],
            "params": {"kind": "bank_deposit", "expires_on": date(2027, 3, 3)},
        }
    ]
    with session_scope(read_only=True) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)).one()
        assert entry.action == "asset.record" and entry.entity_id == str(asset["id"])
        assert entry.after["value"] == "90000.00"


def test_a_found_asset_has_no_control_date_and_starts_no_clock(client, auth, events):
    case_id = make_case(state="registered")
    response = client.post(url(case_id), json=CAR, headers=auth("comprehensive"))
    assert response.status_code == 201, response.text
    assert response.json()["value"] == "70000.00" and response.json()["controlled_on"] is None
    assert events == []


@pytest.mark.parametrize("status", ["sealed", "seized"])
def test_sealed_and_seized_assets_start_the_clock_with_their_kind(client, auth, events, status):
    case_id = make_case()
    body = {
        "kind": "real_estate",
        "value": "2000000.00",
        "status": status,
        "disposable": True,
        "controlled_on": "2026-03-04",
    }
    assert client.post(url(case_id), json=body, headers=auth("comprehensive")).status_code == 201
    assert [(e["event"], e["params"]) for e in events] == [
        ("asset.controlled", {"kind": "real_estate", "expires_on": date(2029, 3, 4)})
    ]


def test_the_handling_team_records_assets_on_its_own_case(client, auth):
    brigade_case = make_team_case(1, state="in_progress")
    fast_case = make_fast_case(state="triaged")
    assert client.post(url(brigade_case), json=CAR, headers=auth("brigade1-judge2")).status_code == 201
    assert client.post(url(fast_case), json=CAR, headers=auth("fast-judge")).status_code == 201


def test_another_brigade_cannot_see_the_case(client, auth):
    case_id = make_team_case(1)
    response = client.post(url(case_id), json=CAR, headers=auth("brigade2-judge"))
    assert response.status_code == 404
    assert client.get(url(case_id), headers=auth("brigade2-judge")).status_code == 404
    assert _asset_count(case_id) == 0


@pytest.mark.parametrize(
    ("username", "make"),
    [
        ("fast-judge", lambda: make_team_case(1)),
        ("registrar", lambda: make_case()),
        ("filing-bot", lambda: make_case()),
        ("disposal", lambda: make_team_case(1)),
        ("objection-judge", lambda: make_case()),
        ("director", lambda: make_team_case(1)),
        ("finance", lambda: make_case()),
    ],
    ids=["fast-on-brigade-case", "registrar", "filing-bot", "disposal", "objection", "director", "finance"],
)
def test_others_may_not_record_assets(client, auth, username, make):
    case_id = make()
    assert client.post(url(case_id), json=CAR, headers=auth(username)).status_code == 403
    assert _asset_count(case_id) == 0


def test_a_brigade_gets_404_for_an_unallocated_case(client, auth):
    case_id = make_case(state="registered")
    assert client.post(url(case_id), json=CAR, headers=auth("brigade1-judge")).status_code == 404


@pytest.mark.parametrize("state", ["filed", "registered", "triaged", "in_progress", "at_disposal"])
def test_assets_are_recordable_from_filing_until_closing(client, auth, state):
    case_id = make_case(state=state) if state in ("filed", "registered") else make_team_case(1, state=state)
    assert client.post(url(case_id), json=CAR, headers=auth("comprehensive")).status_code == 201


def test_no_assets_on_a_closed_case(client, auth):
    case_id = make_team_case(1, state="closed")
    response = client.post(url(case_id), json=CAR, headers=auth("comprehensive"))
    assert response.status_code == 409
    assert response.json()["allowed_actions"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"value": 90000.5}, "value"),
        ({"value": "-1.00"}, "value"),
        ({"value": "1.234"}, "value"),
        ({"value": "abc"}, "value"),
        ({"value": None}, "value"),
        ({"kind": "gold"}, "kind"),
        ({"status": "auctioned"}, "status"),
        ({"disposable": "perhaps"}, "disposable"),
        ({"controlled_on": "2026-02-30"}, "controlled_on"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_asset_input_names_the_field(client, auth, change, field):
    case_id = make_case()
    assert field in fields(client.post(url(case_id), json=DEPOSIT | change, headers=auth("comprehensive")))
    assert _asset_count(case_id) == 0


@pytest.mark.parametrize("missing", ["kind", "value", "status", "disposable"])
def test_required_asset_fields(client, auth, missing):
    body = {k: v for k, v in DEPOSIT.items() if k != missing}
    assert missing in fields(client.post(url(make_case()), json=body, headers=auth("comprehensive")))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"controlled_on": None}, "frozen without a date"),
        ({"status": "found"}, "found with a date"),
        ({"controlled_on": "future"}, "date after today"),
    ],
)
def test_the_control_date_fits_the_status(client, auth, events, change, why):
    if change.get("controlled_on") == "future":
        change = {"controlled_on": (court_today() + timedelta(days=1)).isoformat()}
    case_id = make_case()
    response = client.post(url(case_id), json=DEPOSIT | change, headers=auth("comprehensive"))
    assert fields(response) == {"controlled_on"}, why
    assert events == [] and _asset_count(case_id) == 0


def test_retrying_with_the_same_idempotency_key_records_once(client, auth):
    case_id = make_case()
    headers = auth("comprehensive", **{"Idempotency-Key": "asset-1"})
    first = client.post(url(case_id), json=DEPOSIT, headers=headers)
    again = client.post(url(case_id), json=DEPOSIT, headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert _asset_count(case_id) == 1
    other = client.post(url(case_id), json=CAR, headers=headers)
    assert other.status_code == 409
    assert _asset_count(case_id) == 1


def test_assets_are_listed_in_the_order_recorded_with_a_cursor(client, auth):
    case_id = make_team_case(2)
    values = ["1.00", "2.00", "3.00"]
    for value in values:
        response = client.post(url(case_id), json=CAR | {"value": value}, headers=auth("comprehensive"))
        assert response.status_code == 201
    first = client.get(url(case_id), params={"limit": 2}, headers=auth("brigade2-judge"))
    assert first.status_code == 200, first.text
    assert [a["value"] for a in first.json()["items"]] == ["1.00", "2.00"]
    cursor = first.json()["next_cursor"]
    assert cursor
    rest = client.get(url(case_id), params={"limit": 2, "cursor": cursor}, headers=auth("director"))
    assert [a["value"] for a in rest.json()["items"]] == ["3.00"]
    assert rest.json()["next_cursor"] is None


def test_listing_rejects_a_bad_cursor_and_limit(client, auth):
    case_id = make_case()
    headers = auth("comprehensive")
    assert fields(client.get(url(case_id), params={"cursor": "nonsense"}, headers=headers)) == {"cursor"}
    assert fields(client.get(url(case_id), params={"limit": 501}, headers=headers)) == {"limit"}


def test_listing_an_unknown_case_is_404(client, auth):
    assert client.get(url(999999), headers=auth("comprehensive")).status_code == 404
