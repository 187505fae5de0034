"""Refusal-to-execute referrals (拒执, DOMAIN.md §8, plan §5(6)): the team submits materials, the
comprehensive group checks them against the checklist, returns or accepts them, liaises with the
criminal division, transfers to the police and records the outcome; the register counts them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.models.case import Case
from app.seed import DEMO_USERS
from app.settings import court_today
from app.settings import get_settings
from tests.factories import make_case
from tests.factories import make_fast_case
from tests.factories import make_team_case
from tests.helpers import Step
from tests.helpers import fields
from tests.helpers import ok

BASE = "/api/v1/refusal-referrals"
ALL_USERS = [u[0] for u in DEMO_USERS]
CHECKLIST = ["evidence_of_ability_to_perform", "evidence_of_refusal", "documents_served", "warnings_given"]
CENTER = {"comprehensive", "comprehensive-lead"}
READERS_DENIED = {"registrar", "filing-bot", "finance", "admin"}


def body(case_id: int, items: list[str] | None = None, **overrides: object) -> dict:
    data = {
        "case_id": case_id,
        "summary": "被执行人有能力履行而拒不履行，转移车辆",
        "materials": [{"item": i, "note": f"{i} 材料"} for i in (CHECKLIST if items is None else items)],
        "submitted_on": "2026-06-01",
    }
    data.update(overrides)
    return data


def submit(
    client,
    auth,
    case_id: int,
    items: list[str] | None = None,  # noqa: ANN001
    user: str = "brigade1-judge",
) -> dict:
    response = client.post(BASE, json=body(case_id, items), headers=auth(user))
    assert response.status_code == 201, response.text
    return response.json()


step = Step(BASE, user="comprehensive")


COMPLETE = {"result": "complete", "reviewed_on": "2026-06-03"}
LIAISON = {"liaised_on": "2026-06-05", "contact": "刑庭王法官"}
POLICE = {
    "document_number": "（2026）豫0104执移1号",
    "transferred_on": "2026-06-10",
    "police_organ": "郑州市公安局管城回族区分局",
}


def walk_to(client, auth, referral_id: int, stage: str) -> dict:  # noqa: ANN001
    steps = [
        ("complete", "review", COMPLETE),
        ("liaised", "liaison", LIAISON),
        ("police_transferred", "police-transfer", POLICE),
        ("following_up", "outcome", {"outcome": "accepted", "decided_on": "2026-06-20"}),
    ]
    got: dict = {}
    for reached, verb, payload in steps:
        got = ok(step(client, auth, referral_id, verb, payload))
        if reached == stage:
            return got
    raise AssertionError(stage)


# The whole flow -----------------------------------------------------------------------------------


def test_a_referral_returned_for_two_missing_items_is_supplemented_then_transferred(client, auth):
    case_id = make_team_case(1)
    referral = submit(client, auth, case_id, items=["evidence_of_ability_to_perform", "evidence_of_refusal"])
    assert (referral["stage"], referral["unit_code"], referral["outcome"]) == ("submitted", "brigade-1", None)
    assert referral["checklist"] == [
        {"item": "evidence_of_ability_to_perform", "provided": True},
        {"item": "evidence_of_refusal", "provided": True},
        {"item": "documents_served", "provided": False},
        {"item": "warnings_given", "provided": False},
    ]
    rid = referral["id"]

    # Complete is refused while checklist items are missing, naming them.
    gate = step(client, auth, rid, "review", COMPLETE)
    assert gate.status_code == 409
    assert gate.json()["missing"] == ["documents_served", "warnings_given"]

    returned = ok(
        step(
            client,
            auth,
            rid,
            "review",
            {
                "result": "returned",
                "note": "请补充送达回证和警告笔录",
                "missing_items": ["documents_served", "warnings_given"],
                "reviewed_on": "2026-06-02",
            },
        )
    )
    assert returned["stage"] == "returned" and returned["return_count"] == 1
    assert returned["missing_items"] == ["documents_served", "warnings_given"]
    assert returned["allowed_actions"] == []  # the comprehensive group waits for the team
    team = client.get(f"{BASE}/{returned['id']}", headers=auth("brigade1-judge")).json()
    assert team["allowed_actions"] == ["supplement"]

    supplemented = ok(
        step(
            client,
            auth,
            rid,
            "supplement",
            {
                "materials": [
                    {"item": "documents_served", "note": "送达回证"},
                    {"item": "warnings_given", "note": "警告笔录"},
                ]
            },
            user="brigade1-judge2",
        )
    )
    assert supplemented["stage"] == "submitted"
    assert all(c["provided"] for c in supplemented["checklist"])
    assert [m["round"] for m in supplemented["materials"]] == [0, 0, 1, 1]

    complete = ok(step(client, auth, rid, "review", COMPLETE))
    assert complete["stage"] == "complete" and complete["missing_items"] == []
    liaised = ok(step(client, auth, rid, "liaison", LIAISON))
    assert (liaised["stage"], liaised["liaison_contact"]) == ("liaised", "刑庭王法官")
    transferred = ok(step(client, auth, rid, "police-transfer", POLICE, user="comprehensive-lead"))
    assert transferred["stage"] == "police_transferred"
    assert transferred["police_document_number"] == "（2026）豫0104执移1号"
    assert transferred["police_transferred_on"] == "2026-06-10"

    accepted = ok(step(client, auth, rid, "outcome", {"outcome": "accepted", "decided_on": "2026-06-20"}))
    assert (accepted["stage"], accepted["outcome"]) == ("following_up", "accepted")
    prosecuted = ok(step(client, auth, rid, "outcome", {"outcome": "prosecuted", "decided_on": "2026-08-01"}))
    assert prosecuted["outcome"] == "prosecuted"
    judged = ok(
        step(
            client,
            auth,
            rid,
            "outcome",
            {"outcome": "judged", "decided_on": "2026-10-15", "reference": "（2026）豫0104刑初88号"},
        )
    )
    assert (judged["stage"], judged["outcome"], judged["allowed_actions"]) == ("concluded", "judged", [])

    with session_scope(read_only=True) as session:
        assert session.get(Case, case_id).state == "in_progress"
        submitted = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "refusal_referral.submitted")
        ).one()
        # The submission is recorded with the team's summary as its reason.
        assert (submitted.actor_username, submitted.reason) == (
            "brigade1-judge",
            "被执行人有能力履行而拒不履行，转移车辆",
        )
        actions = session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.entity_type == "refusal_referral")
            .order_by(AuditEntry.id)
        ).all()
    assert actions == [
        "refusal_referral.submitted",
        "refusal_referral.reviewed_returned",
        "refusal_referral.supplemented",
        "refusal_referral.reviewed_complete",
        "refusal_referral.liaised",
        "refusal_referral.police_transferred",
        "refusal_referral.outcome_accepted",
        "refusal_referral.outcome_prosecuted",
        "refusal_referral.outcome_judged",
    ]


def test_the_criminal_division_may_decline_without_a_police_transfer(client, auth):
    rid = submit(client, auth, make_team_case(1))["id"]
    walk_to(client, auth, rid, "liaised")
    declined = ok(step(client, auth, rid, "outcome", {"outcome": "declined", "note": "证据不足"}))
    assert declined["stage"] == "concluded" and declined["outcome_on"] == court_today().isoformat()


def test_outcomes_only_move_forward(client, auth):
    rid = submit(client, auth, make_team_case(1))["id"]
    walk_to(client, auth, rid, "police_transferred")
    ok(step(client, auth, rid, "outcome", {"outcome": "prosecuted", "decided_on": "2026-07-01"}))
    for backwards in ("accepted", "declined"):
        response = step(client, auth, rid, "outcome", {"outcome": backwards, "decided_on": "2026-07-02"})
        assert fields(response) == {"outcome"}


def test_the_fast_group_refers_its_own_cases(client, auth):
    referral = submit(client, auth, make_fast_case(), user="fast-judge")
    assert referral["unit_code"] == "fast"


def test_a_case_has_one_open_referral_at_a_time(client, auth):
    case_id = make_team_case(1)
    first = submit(client, auth, case_id)
    again = client.post(BASE, json=body(case_id), headers=auth("brigade1-judge"))
    assert again.status_code == 409 and again.json()["referral_id"] == first["id"]
    walk_to(client, auth, first["id"], "liaised")
    ok(step(client, auth, first["id"], "outcome", {"outcome": "declined"}))
    assert client.post(BASE, json=body(case_id), headers=auth("brigade1-judge")).status_code == 201


def test_a_plain_list_of_item_codes_is_accepted(client, auth):
    response = client.post(
        BASE, json={**body(make_team_case(1)), "materials": CHECKLIST}, headers=auth("brigade1-judge")
    )
    assert response.status_code == 201, response.text
    assert [m["item"] for m in response.json()["materials"]] == CHECKLIST


def test_the_court_can_add_checklist_items(client, auth, monkeypatch):
    monkeypatch.setattr(get_settings(), "refusal_referral_checklist", [*CHECKLIST, "property_report_breach"])
    rid = submit(client, auth, make_team_case(1))["id"]
    gate = step(client, auth, rid, "review", COMPLETE)
    assert gate.status_code == 409 and gate.json()["missing"] == ["property_report_breach"]
    ok(step(client, auth, rid, "review", {"result": "returned", "missing_items": ["property_report_breach"]}))


# Order of steps -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stage", "verb", "payload", "user", "allowed"),
    [
        ("submitted", "liaison", LIAISON, "comprehensive", ["review"]),
        ("submitted", "police-transfer", POLICE, "comprehensive", ["review"]),
        ("submitted", "supplement", {"materials": ["warnings_given"]}, "brigade1-judge", []),
        ("submitted", "outcome", {"outcome": "accepted"}, "comprehensive", ["review"]),
        ("complete", "review", COMPLETE, "comprehensive", ["liaison"]),
        ("complete", "police-transfer", POLICE, "comprehensive", ["liaison"]),
        ("liaised", "liaison", LIAISON, "comprehensive", ["police_transfer", "outcome"]),
    ],
)
def test_out_of_order_steps_are_409_naming_the_allowed_ones(
    client, auth, stage, verb, payload, user, allowed
):
    rid = submit(client, auth, make_team_case(1))["id"]
    if stage != "submitted":
        walk_to(client, auth, rid, stage)
    response = step(client, auth, rid, verb, payload, user=user)
    assert response.status_code == 409, response.text
    assert response.json()["allowed_actions"] == allowed


def test_a_returned_referral_waits_for_the_team(client, auth):
    rid = submit(client, auth, make_team_case(1), items=["evidence_of_refusal"])["id"]
    ok(step(client, auth, rid, "review", {"result": "returned", "missing_items": ["warnings_given"]}))
    response = step(client, auth, rid, "liaison", LIAISON)
    assert response.status_code == 409 and response.json()["allowed_actions"] == []
    response = step(client, auth, rid, "review", COMPLETE, user="brigade1-judge")
    assert response.status_code == 403  # the team may not review its own referral
    supplement = {"materials": ["warnings_given"]}
    assert step(client, auth, rid, "supplement", supplement, user="brigade2-judge").status_code == 404
    assert step(client, auth, rid, "supplement", supplement, user="fast-judge").status_code == 403
    team = client.get(f"{BASE}/{rid}", headers=auth("brigade1-judge")).json()
    assert team["allowed_actions"] == ["supplement"]


@pytest.mark.parametrize("state", ["filed", "registered", "closed"])
def test_a_case_not_in_enforcement_cannot_be_referred(client, auth, state):
    case_id = make_case(state=state, unit_code="brigade-1", handler="brigade1-judge", track="ordinary")
    response = client.post(BASE, json=body(case_id), headers=auth("brigade1-judge"))
    assert response.status_code == 409 and "refer_refusal" not in response.json()["allowed_actions"]


# Bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"materials": []}, "materials"),
        ({"materials": [{"item": "rumours"}]}, "materials.0.item"),
        ({"materials": [{"item": "evidence_of_refusal"}, {"note": "x"}]}, "materials.1.item"),
        ({"summary": ""}, "summary"),
        ({"submitted_on": (court_today() + timedelta(days=1)).isoformat()}, "submitted_on"),
        ({"submitted_on": "2026-02-01"}, "submitted_on"),  # before the case was filed
        ({"case_id": 0}, "case_id"),
    ],
)
def test_bad_submissions_are_422_naming_the_field(client, auth, overrides, field):
    response = client.post(
        BASE, json={**body(make_team_case(1)), **overrides}, headers=auth("brigade1-judge")
    )
    assert field in fields(response)


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"result": "returned"}, "missing_items"),
        ({"result": "returned", "missing_items": []}, "missing_items"),
        ({"result": "returned", "missing_items": ["documents_served", "gossip"]}, "missing_items.1"),
        ({"result": "complete", "missing_items": ["documents_served"]}, "missing_items"),
        ({"result": "maybe"}, "result"),
        (
            {"result": "returned", "missing_items": ["warnings_given"], "reviewed_on": "2026-05-31"},
            "reviewed_on",
        ),
    ],
)
def test_bad_reviews_are_422_naming_the_field(client, auth, payload, field):
    rid = submit(client, auth, make_team_case(1))["id"]
    assert field in fields(step(client, auth, rid, "review", payload))


def test_bad_follow_up_input_is_422_naming_the_field(client, auth):
    rid = submit(client, auth, make_team_case(1))["id"]
    walk_to(client, auth, rid, "liaised")
    assert fields(step(client, auth, rid, "police-transfer", {"transferred_on": "2026-06-10"})) == {
        "document_number"
    }
    assert fields(step(client, auth, rid, "police-transfer", {**POLICE, "transferred_on": "2026-06-04"})) == {
        "transferred_on"
    }
    assert fields(step(client, auth, rid, "outcome", {"outcome": "acquitted"})) == {"outcome"}


# Who may act --------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ALL_USERS)
def test_only_the_handling_team_submits(client, auth, username):
    response = client.post(BASE, json=body(make_team_case(1)), headers=auth(username))
    if username.startswith("brigade1"):
        assert response.status_code == 201
    elif username.startswith("brigade"):
        assert response.status_code == 404  # another brigade does not see the case
    else:
        assert response.status_code == 403, response.text


@pytest.mark.parametrize("verb", ["review", "liaison", "police-transfer", "outcome"])
@pytest.mark.parametrize("username", sorted(set(ALL_USERS) - CENTER))
def test_only_the_comprehensive_group_handles_referrals(client, auth, verb, username):
    rid = submit(client, auth, make_team_case(1))["id"]
    payload = {
        "review": COMPLETE,
        "liaison": LIAISON,
        "police-transfer": POLICE,
        "outcome": {"outcome": "accepted"},
    }[verb]
    assert step(client, auth, rid, verb, payload, user=username).status_code == 403


@pytest.mark.parametrize("username", ALL_USERS)
def test_only_the_handling_team_supplements(client, auth, username):
    rid = submit(client, auth, make_team_case(1), items=["evidence_of_refusal"])["id"]
    ok(step(client, auth, rid, "review", {"result": "returned", "missing_items": ["warnings_given"]}))
    response = step(client, auth, rid, "supplement", {"materials": ["warnings_given"]}, user=username)
    if username.startswith("brigade1"):
        assert response.status_code == 200
    elif username.startswith("brigade"):
        assert response.status_code == 404
    else:
        assert response.status_code == 403, response.text


@pytest.mark.parametrize("username", ALL_USERS)
def test_who_may_read_the_register(client, auth, username):
    rid = submit(client, auth, make_team_case(1))["id"]
    one = client.get(f"{BASE}/{rid}", headers=auth(username))
    listed = client.get(BASE, headers=auth(username))
    stats = client.get(f"{BASE}/stats", headers=auth(username))
    if username in READERS_DENIED:
        assert (one.status_code, listed.status_code, stats.status_code) == (403, 403, 403)
    elif username.startswith("brigade") and not username.startswith("brigade1"):
        assert one.status_code == 404
        assert listed.json()["items"] == [] and stats.json()["total"] == 0
    else:
        assert one.status_code == 200 and one.headers["etag"] == '"1"'
        assert [r["id"] for r in listed.json()["items"]] == [rid] and stats.json()["total"] == 1


# The register -------------------------------------------------------------------------------------


def test_the_register_lists_and_counts_by_stage_team_and_outcome(client, auth):
    a = submit(client, auth, make_team_case(1))["id"]
    b = submit(client, auth, make_team_case(2), user="brigade2-judge")["id"]
    c = submit(client, auth, make_team_case(1))["id"]
    walk_to(client, auth, a, "following_up")
    walk_to(client, auth, b, "liaised")
    ok(step(client, auth, b, "outcome", {"outcome": "declined"}))
    headers = auth("director")

    def ids(**params: object) -> list[int]:
        response = client.get(BASE, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [r["id"] for r in response.json()["items"]]

    assert ids() == [c, b, a]
    assert ids(stage="concluded") == [b]
    assert ids(unit="brigade-1") == [c, a]
    assert ids(outcome="accepted") == [a]
    page = client.get(BASE, params={"limit": 2}, headers=headers).json()
    rest = client.get(BASE, params={"limit": 2, "cursor": page["next_cursor"]}, headers=headers).json()
    assert [r["id"] for r in page["items"] + rest["items"]] == [c, b, a] and rest["next_cursor"] is None

    stats = client.get(f"{BASE}/stats", headers=headers).json()
    assert stats["total"] == 3
    assert stats["by_stage"] == {
        "submitted": 1,
        "returned": 0,
        "complete": 0,
        "liaised": 0,
        "police_transferred": 0,
        "following_up": 1,
        "concluded": 1,
    }
    assert stats["by_unit"] == {"brigade-1": 2, "brigade-2": 1}
    assert stats["by_outcome"] == {"accepted": 1, "declined": 1, "prosecuted": 0, "judged": 0, "pending": 1}
    only_b1 = client.get(f"{BASE}/stats", params={"unit": "brigade-1"}, headers=headers).json()
    assert only_b1["total"] == 2 and only_b1["by_unit"] == {"brigade-1": 2}
    mine = client.get(f"{BASE}/stats", headers=auth("brigade2-judge")).json()
    assert mine["total"] == 1 and mine["by_unit"] == {"brigade-2": 1}
    assert fields(client.get(BASE, params={"stage": "lost"}, headers=headers)) == {"stage"}


def test_a_stale_if_match_is_412(client, auth):
    rid = submit(client, auth, make_team_case(1))["id"]
    assert step(client, auth, rid, "review", COMPLETE, **{"If-Match": '"7"'}).status_code == 412
    response = step(client, auth, rid, "review", COMPLETE, **{"If-Match": '"1"'})
    assert response.status_code == 200 and response.headers["etag"] == '"2"'


def test_unknown_referral_is_404(client, auth):
    assert client.get(f"{BASE}/99999", headers=auth("comprehensive")).status_code == 404
    assert step(client, auth, 99999, "review", COMPLETE).status_code == 404
    assert client.post(BASE, json=body(99999), headers=auth("brigade1-judge")).status_code == 404
