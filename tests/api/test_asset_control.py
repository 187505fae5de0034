"""Renewing (续冻/续封) and releasing (解除) a freeze or seal, and its renewal clock D12."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

from sqlalchemy import select

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.settings import court_today
from tests.factories import add_termination_measures
from tests.factories import close_as_terminated_current
from tests.factories import make_team_case

FILED = court_today() - timedelta(days=150)


def record(client, auth, case_id: int, **overrides: object) -> dict:
    body = {
        "kind": "bank_deposit",
        "value": "90000.00",
        "status": "frozen",
        "disposable": True,
        "controlled_on": "2025-10-04",
        **overrides,
    }
    response = client.post(f"/api/v1/cases/{case_id}/assets", json=body, headers=auth("brigade1-judge"))
    assert response.status_code == 201, response.text
    return response.json()


def step(client, auth, case_id: int, asset_id: int, what: str, user: str = "brigade1-judge", **body: object):
    return client.post(f"/api/v1/cases/{case_id}/assets/{asset_id}/{what}", json=body, headers=auth(user))


def d12(client, auth, case_id: int, asset_id: int) -> list[dict]:
    deadlines = client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge")).json()["deadlines"]
    return [d for d in deadlines if d["rule"] == "D12" and d["subject_id"] == asset_id]


def test_a_freeze_is_due_on_the_last_working_day_before_it_lapses(client, auth):
    case_id = make_team_case(1, filed_on=date(2025, 9, 1))
    asset = record(client, auth, case_id)
    assert asset["expires_on"] == "2026-10-04" and asset["released_on"] is None
    # 1–4 October 2026 are National Day holidays: the freeze must be renewed by Wednesday 30 September.
    assert [(d["due_on"], d["status"]) for d in d12(client, auth, case_id, asset["id"])] == [
        ("2026-09-30", "open")
    ]


def test_a_renewal_restarts_d12_from_the_new_expiry(client, auth, user_ids):
    case_id = make_team_case(1, filed_on=date(2025, 9, 1))
    asset = record(client, auth, case_id)
    response = step(
        client, auth, case_id, asset["id"], "renewals", renewed_on="2026-09-10", document_number="续冻通知书1"
    )
    assert response.status_code == 201, response.text
    assert response.json()["expires_on"] == "2027-10-04"  # the previous expiry plus one year
    clocks = d12(client, auth, case_id, asset["id"])
    assert [(d["due_on"], d["status"], d["met_on"]) for d in clocks] == [
        ("2026-09-30", "met", "2026-09-10"),
        ("2027-10-04", "open", None),
    ]
    with session_scope(read_only=True) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "asset.renewal")).one()
    assert entry.case_id == case_id and entry.actor_id == user_ids["brigade1-judge"]
    assert entry.after["document_number"] == "续冻通知书1"


def test_a_renewal_is_checked(client, auth):
    case_id = make_team_case(1, filed_on=date(2025, 9, 1))
    asset = record(client, auth, case_id)
    too_long = step(
        client,
        auth,
        case_id,
        asset["id"],
        "renewals",
        renewed_on="2026-09-10",
        document_number="续冻1",
        expires_on="2027-10-05",
    )
    assert too_long.status_code == 422, too_long.text
    lapsed = step(
        client, auth, case_id, asset["id"], "renewals", renewed_on="2026-10-05", document_number="续冻1"
    )
    assert lapsed.status_code in (409, 422), lapsed.text
    outsider = step(
        client,
        auth,
        case_id,
        asset["id"],
        "renewals",
        "brigade2-judge",
        renewed_on="2026-09-10",
        document_number="续冻1",
    )
    assert outsider.status_code == 404


def test_a_release_ends_d12_and_the_same_request_replays(client, auth):
    case_id = make_team_case(1, filed_on=date(2025, 9, 1))
    asset = record(client, auth, case_id)
    headers = {**auth("brigade1-judge"), "Idempotency-Key": "release-1"}
    body = {"released_on": "2026-05-06", "document_number": "解除冻结通知书1"}
    url = f"/api/v1/cases/{case_id}/assets/{asset['id']}/release"
    first = client.post(url, json=body, headers=headers)
    assert first.status_code == 201 and first.json()["released_on"] == "2026-05-06"
    again = client.post(url, json=body, headers=headers)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert [(d["status"], d["met_on"]) for d in d12(client, auth, case_id, asset["id"])] == [
        ("met", "2026-05-06")
    ]
    assert step(client, auth, case_id, asset["id"], "release", **body).status_code == 409


def test_closing_as_performed_waits_for_the_release_but_d12_runs_on_in_the_pool(client, auth):
    performed = make_team_case(1, filed_on=FILED)
    frozen = record(client, auth, performed, controlled_on=(FILED + timedelta(days=3)).isoformat())
    closure = {"mode": "performed", "closed_on": court_today().isoformat()}
    url = f"/api/v1/cases/{performed}/closure"
    refused = client.post(url, json=closure, headers=auth("brigade1-judge"))
    assert refused.status_code == 409, refused.text
    assert refused.json()["missing"] == [f"asset_released:{frozen['id']}"]
    released = step(
        client,
        auth,
        performed,
        frozen["id"],
        "release",
        released_on=court_today().isoformat(),
        document_number="解冻1",
    )
    assert released.status_code == 201, released.text
    assert client.post(url, json=closure, headers=auth("brigade1-judge")).status_code == 200

    pooled = make_team_case(1, filed_on=FILED)
    add_termination_measures(pooled, FILED + timedelta(days=20))
    sealed = record(
        client,
        auth,
        pooled,
        kind="real_estate",
        status="sealed",
        controlled_on=(FILED + timedelta(days=3)).isoformat(),
    )
    close_as_terminated_current(client, auth, pooled, court_today())
    assert [d["status"] for d in d12(client, auth, pooled, sealed["id"])] == ["open"]
    renewed = step(
        client,
        auth,
        pooled,
        sealed["id"],
        "renewals",
        renewed_on=court_today().isoformat(),
        document_number="续封1",
    )
    assert renewed.status_code == 201, renewed.text
    assert [d["status"] for d in d12(client, auth, pooled, sealed["id"])] == ["met", "open"]
