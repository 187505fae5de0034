"""Registration at the command center and the investigation outcome (plan §5(1), DOMAIN.md §2)."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.models.case import Case
from app.settings import court_today
from tests.factories import make_case
from tests.factories import make_fast_case
from tests.factories import make_team_case
from tests.helpers import fields


def url(case_id: int) -> str:
    return f"/api/v1/cases/{case_id}/registration"


def investigation_url(case_id: int) -> str:
    return f"/api/v1/cases/{case_id}/investigation"


def test_registering_a_filed_case_records_the_investigation_and_meets_d1(client, auth, events):
    case_id = make_case(filed_on=court_today() - timedelta(days=1))
    body = {
        "investigation_completed": True,
        "willing_to_perform": False,
        "settlement_likely": True,
        "note": "网络查控已完成",
    }
    response = client.post(url(case_id), json=body, headers=auth("comprehensive"))
    assert response.status_code == 200, response.text
    got = response.json()
    assert got["state"] == "registered"
    assert got["registered_on"] == court_today().isoformat()
    assert got["registered_at"] is not None
    assert (got["investigation_completed"], got["willing_to_perform"], got["settlement_likely"]) == (
        True,
        False,
        True,
    )
    assert got["note"] == "网络查控已完成"
    assert got["version"] == 2 and response.headers["etag"] == '"2"'
    assert events == [{"event": "case.registered", "on": court_today(), "case_id": case_id}]
    with session_scope(read_only=True) as session:
        case = session.get(Case, case_id)
        assert case.state == "registered" and case.registered_at is not None
        assert case.settlement_likely and not case.willing_to_perform
        entry = session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)).one()
        assert entry.action == "case.register" and entry.actor_username == "comprehensive"
        assert entry.before["state"] == "filed" and entry.after["state"] == "registered"
        assert entry.reason == "网络查控已完成"


def test_the_group_lead_may_register_with_a_date_given_by_the_client(client, auth, events):
    case_id = make_case(filed_on=date(2026, 3, 2))
    response = client.post(
        url(case_id), json={"registered_on": "2026-03-03"}, headers=auth("comprehensive-lead")
    )
    assert response.status_code == 200, response.text
    assert response.json()["registered_on"] == "2026-03-03"
    assert response.json()["investigation_completed"] is False
    assert events[0]["on"] == date(2026, 3, 3)


def test_registration_on_the_filing_day_is_accepted(client, auth, events):
    case_id = make_case(filed_on=date(2026, 3, 2))
    response = client.post(url(case_id), json={"registered_on": "2026-03-02"}, headers=auth("comprehensive"))
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("registered_on", ["2026-03-01", "future"])
def test_registration_date_must_lie_between_filing_and_today(client, auth, events, registered_on):
    case_id = make_case(filed_on=date(2026, 3, 2))
    if registered_on == "future":
        registered_on = (court_today() + timedelta(days=1)).isoformat()
    response = client.post(url(case_id), json={"registered_on": registered_on}, headers=auth("comprehensive"))
    assert fields(response) == {"registered_on"}
    assert events == []
    with session_scope(read_only=True) as session:
        assert session.get(Case, case_id).state == "filed"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"registered_on": "3 March"}, "registered_on"),
        ({"investigation_completed": "maybe"}, "investigation_completed"),
        ({"willing_to_perform": None}, "willing_to_perform"),
        ({"note": "x" * 2001}, "note"),
        ({"investigated": True}, "investigated"),
    ],
)
def test_bad_registration_input_names_the_field(client, auth, body, field):
    case_id = make_case()
    assert field in fields(client.post(url(case_id), json=body, headers=auth("comprehensive")))


@pytest.mark.parametrize("state", ["registered", "triaged", "in_progress", "closed"])
def test_registering_twice_or_late_is_409_with_the_allowed_actions(client, auth, state):
    case_id = make_case(state=state)
    response = client.post(url(case_id), json={}, headers=auth("comprehensive"))
    assert response.status_code == 409
    body = response.json()
    assert body["state"] == state
    assert "register" not in body["allowed_actions"]
    if state == "registered":
        assert body["allowed_actions"] == ["record_asset", "record_investigation", "triage"]
    if state == "closed":
        assert body["allowed_actions"] == []  # only a 终本 case is restored


@pytest.mark.parametrize(
    "username",
    [
        "registrar",
        "filing-bot",
        "fast-judge",
        "disposal",
        "objection-judge",
        "brigade1-judge",
        "director",
        "finance",
        "admin",
    ],
)
def test_only_the_comprehensive_group_registers(client, auth, username):
    case_id = make_case()
    assert client.post(url(case_id), json={}, headers=auth(username)).status_code == 403
    with session_scope(read_only=True) as session:
        assert session.get(Case, case_id).state == "filed"


def test_registration_needs_a_token_and_an_existing_case(client, auth):
    case_id = make_case()
    assert client.post(url(case_id), json={}).status_code == 401
    assert client.post(url(999999), json={}, headers=auth("comprehensive")).status_code == 404


def test_stale_if_match_is_412_and_a_current_one_passes(client, auth, events):
    case_id = make_case()
    stale = client.post(url(case_id), json={}, headers=auth("comprehensive", **{"If-Match": '"7"'}))
    assert stale.status_code == 412
    current = client.post(url(case_id), json={}, headers=auth("comprehensive", **{"If-Match": '"1"'}))
    assert current.status_code == 200, current.text


# Investigation outcome after registration ---------------------------------------------------------


def test_investigation_outcome_can_be_updated_before_triage(client, auth):
    case_id = make_case(state="registered")
    first = client.post(
        investigation_url(case_id), json={"investigation_completed": True}, headers=auth("comprehensive")
    )
    assert first.status_code == 200, first.text
    second = client.post(
        investigation_url(case_id),
        headers=auth("comprehensive"),
        json={"willing_to_perform": True, "note": "当面承诺履行"},
    )
    assert second.status_code == 200, second.text
    got = second.json()
    assert (got["investigation_completed"], got["willing_to_perform"], got["settlement_likely"]) == (
        True,
        True,
        False,
    )
    assert got["state"] == "registered" and got["version"] == 3
    with session_scope(read_only=True) as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id)).all()
        assert actions == ["case.investigation", "case.investigation"]


def test_investigation_update_needs_a_flag(client, auth):
    case_id = make_case(state="registered")
    response = client.post(investigation_url(case_id), json={"note": "x"}, headers=auth("comprehensive"))
    assert response.status_code == 422


@pytest.mark.parametrize(
    "make",
    [
        lambda: make_case(state="filed"),
        lambda: make_team_case(1, state="triaged"),
        make_fast_case,
    ],
    ids=["filed", "triaged", "in-progress"],
)
def test_investigation_update_outside_registered_is_409(client, auth, make):
    response = client.post(
        investigation_url(make()), json={"settlement_likely": True}, headers=auth("comprehensive")
    )
    assert response.status_code == 409
    assert "record_investigation" not in response.json()["allowed_actions"]


@pytest.mark.parametrize("username", ["brigade1-judge", "fast-judge", "registrar"])
def test_investigation_update_is_for_the_comprehensive_group(client, auth, username):
    case_id = make_case(state="registered")
    response = client.post(
        investigation_url(case_id), json={"settlement_likely": True}, headers=auth(username)
    )
    assert response.status_code == 403
