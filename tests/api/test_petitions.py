"""Enforcement petitions (涉执信访, DOMAIN.md §9, plan §5(8)): received, registered (D9), routed to the
handling team, urged and supervised, replied, resolved and closed (D10); repeats link to the first."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.seed import DEMO_USERS
from app.settings import court_today
from tests.factories import make_case
from tests.factories import make_team_case
from tests.helpers import Step
from tests.helpers import fields
from tests.helpers import ok

BASE = "/api/v1/petitions"
ALL_USERS = [u[0] for u in DEMO_USERS]
CENTER = {"comprehensive", "comprehensive-lead"}
READERS_DENIED = {"registrar", "filing-bot", "finance", "admin"}


def body(case_id: int | None, **overrides: object) -> dict:
    data = {
        "received_on": "2026-06-01",
        "channel": "visit",
        "petitioner_name": "张三",
        "contact": "13800000000",
        "case_id": case_id,
        "content": "申请执行人反映案件长期未执行到位",
    }
    data.update(overrides)
    return data


def receive(client, auth, case_id: int | None, **overrides: object) -> dict:  # noqa: ANN001
    response = client.post(BASE, json=body(case_id, **overrides), headers=auth("comprehensive"))
    assert response.status_code == 201, response.text
    return response.json()


step = Step(BASE, user="comprehensive")


def walk_to(client, auth, petition_id: int, state: str, team: str = "brigade1-judge") -> dict:  # noqa: ANN001
    steps = [
        ("registered", "register", {"registered_on": "2026-06-02"}, "comprehensive"),
        ("routed", "route", {"routed_on": "2026-06-02"}, "comprehensive"),
        ("replied", "reply", {"reply_text": "已冻结被执行人账户", "replied_on": "2026-06-20"}, team),
        ("resolved", "resolve", {"resolved_on": "2026-06-22", "note": "当事人满意"}, "comprehensive"),
        ("closed", "close", {"closed_on": "2026-06-25"}, "comprehensive"),
    ]
    got: dict = {}
    for reached, verb, payload, user in steps:
        got = ok(step(client, auth, petition_id, verb, payload, user=user))
        if reached == state:
            return got
    raise AssertionError(state)


# The whole flow -----------------------------------------------------------------------------------


def test_a_petition_walks_from_receipt_to_closing(client, auth, events):
    case_id = make_team_case(1)
    petition = receive(client, auth, case_id)
    pid = petition["id"]
    assert (petition["state"], petition["case_id"], petition["repeat_of_id"]) == ("received", case_id, None)
    assert petition["allowed_actions"] == ["register"]
    assert events == [
        {
            "event": "petition.received",
            "on": date(2026, 6, 1),
            "case_id": case_id,
            "subject_type": "petition",
            "subject_id": pid,
        }
    ]

    registered = ok(step(client, auth, pid, "register", {"registered_on": "2026-06-02"}))
    assert registered["state"] == "registered" and registered["registered_on"] == "2026-06-02"
    assert events[-1] == {
        "event": "petition.registered",
        "on": date(2026, 6, 2),
        "case_id": case_id,
        "subject_type": "petition",
        "subject_id": pid,
    }

    routed = ok(step(client, auth, pid, "route", {"routed_on": "2026-06-03", "note": "请一大队核实"}))
    assert (routed["state"], routed["unit_code"]) == ("routed", "brigade-1")

    urged = ok(step(client, auth, pid, "urge", {"note": "请尽快答复", "urged_on": "2026-06-10"}))
    urged = ok(step(client, auth, pid, "urge", {"note": "再次催办"}))
    assert [u["note"] for u in urged["urges"]] == ["请尽快答复", "再次催办"]
    assert urged["urges"][1]["urged_on"] == court_today().isoformat()

    supervised = ok(
        step(client, auth, pid, "supervise", {"note": "逾期未复，提请局领导督办"}, user="comprehensive-lead")
    )
    assert supervised["supervised"] is True and "supervise" not in supervised["allowed_actions"]
    board = client.get(BASE, params={"supervised": "true"}, headers=auth("director")).json()
    assert [p["id"] for p in board["items"]] == [pid]

    replied = ok(
        step(
            client,
            auth,
            pid,
            "reply",
            {"reply_text": "已冻结被执行人账户并扣划", "replied_on": "2026-06-20"},
            user="brigade1-judge2",
        )
    )
    assert (replied["state"], replied["reply_text"]) == ("replied", "已冻结被执行人账户并扣划")
    resolved = ok(step(client, auth, pid, "resolve", {"resolved_on": "2026-06-22", "note": "息诉罢访"}))
    assert resolved["state"] == "resolved"
    closed = ok(step(client, auth, pid, "close", {"closed_on": "2026-06-25", "note": "报结"}))
    assert (closed["state"], closed["closed_on"], closed["allowed_actions"]) == ("closed", "2026-06-25", [])
    assert events[-1] == {
        "event": "petition.closed",
        "on": date(2026, 6, 25),
        "case_id": case_id,
        "subject_type": "petition",
        "subject_id": pid,
    }

    with session_scope(read_only=True) as session:
        actions = session.scalars(
            select(AuditEntry.action).where(AuditEntry.entity_type == "petition").order_by(AuditEntry.id)
        ).all()
    assert actions == [
        "petition.received",
        "petition.registered",
        "petition.routed",
        "petition.urged",
        "petition.urged",
        "petition.supervised",
        "petition.replied",
        "petition.resolved",
        "petition.closed",
    ]


def test_a_petition_may_be_closed_after_the_reply_without_resolution(client, auth):
    pid = receive(client, auth, make_team_case(2))["id"]
    walk_to(client, auth, pid, "replied", team="brigade2-judge")
    assert ok(step(client, auth, pid, "close"))["closed_on"] == court_today().isoformat()


def test_a_petition_without_a_case_goes_to_the_team_named(client, auth, events):
    petition = receive(client, auth, None, channel="letter")
    assert petition["case_id"] is None and events[0]["case_id"] is None
    pid = petition["id"]
    ok(step(client, auth, pid, "register"))
    assert fields(step(client, auth, pid, "route", {})) == {"unit_code"}
    assert fields(step(client, auth, pid, "route", {"unit_code": "office"})) == {"unit_code"}
    routed = ok(step(client, auth, pid, "route", {"unit_code": "brigade-3"}))
    assert routed["unit_code"] == "brigade-3"
    # Brigade 3 now sees and answers it; brigade 1 does neither.
    assert client.get(f"{BASE}/{pid}", headers=auth("brigade3-judge")).status_code == 200
    assert client.get(f"{BASE}/{pid}", headers=auth("brigade1-judge")).status_code == 404
    assert step(client, auth, pid, "reply", {"reply_text": "x"}, user="brigade1-judge").status_code == 404
    replied = ok(step(client, auth, pid, "reply", {"reply": "已答复"}, user="brigade3-judge"))
    assert replied["state"] == "replied"


def test_a_petition_on_a_case_goes_to_the_cases_team(client, auth):
    pid = receive(client, auth, make_team_case(2))["id"]
    ok(step(client, auth, pid, "register"))
    assert fields(step(client, auth, pid, "route", {"unit_code": "brigade-4"})) == {"unit_code"}
    assert ok(step(client, auth, pid, "route", {"unit_code": "brigade-2"}))["unit_code"] == "brigade-2"


def test_a_petition_on_an_unallocated_case_needs_a_team(client, auth):
    pid = receive(client, auth, make_case(state="registered"))["id"]
    ok(step(client, auth, pid, "register"))
    assert fields(step(client, auth, pid, "route")) == {"unit_code"}
    assert ok(step(client, auth, pid, "route", {"unit_code": "fast"}))["unit_code"] == "fast"


def test_a_repeated_petition_on_the_same_case_links_to_the_first(client, auth):
    case_id, other_case = make_team_case(1), make_team_case(1)
    first = receive(client, auth, case_id, petitioner_name="张三")
    walk_to(client, auth, first["id"], "closed")
    second = receive(client, auth, case_id, petitioner_name=" 张 三 ", received_on="2026-07-01")
    third = receive(client, auth, case_id, petitioner_name="张三", channel="phone", received_on="2026-07-15")
    assert (second["repeat_of_id"], second["repeat_count"]) == (first["id"], 1)
    assert (third["repeat_of_id"], third["repeat_count"]) == (first["id"], 2)
    assert (first["repeat_of_id"], first["repeat_count"]) == (None, 0)
    # Another petitioner, or the same petitioner on another case, is no repeat.
    assert receive(client, auth, case_id, petitioner_name="李四")["repeat_of_id"] is None
    assert receive(client, auth, other_case, petitioner_name="张三")["repeat_of_id"] is None
    assert receive(client, auth, None, petitioner_name="张三")["repeat_of_id"] is None


# D10 on the early-warning board -------------------------------------------------------------------


def _board(client, auth, user: str = "comprehensive", **params: str) -> list[dict]:  # noqa: ANN001
    response = client.get("/api/v1/deadlines", params={"rule": "D10", **params}, headers=auth(user))
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_a_petition_not_replied_within_30_days_shows_as_breached_on_the_board(client, auth):
    from app.sweep import run_sweep

    late = receive(client, auth, make_team_case(1), received_on="2026-08-31")["id"]
    ok(step(client, auth, late, "register", {"registered_on": "2026-09-01"}))  # due 1 October → 8 October
    ok(step(client, auth, late, "route", {"routed_on": "2026-09-02"}))
    on_time = receive(client, auth, make_team_case(1), received_on="2026-08-31", petitioner_name="李四")["id"]
    ok(step(client, auth, on_time, "register", {"registered_on": "2026-09-01"}))
    ok(step(client, auth, on_time, "route", {"routed_on": "2026-09-02"}))
    ok(
        step(
            client,
            auth,
            on_time,
            "reply",
            {"reply_text": "已答复", "replied_on": "2026-09-10"},
            user="brigade1-judge",
        )
    )
    ok(step(client, auth, on_time, "close", {"closed_on": "2026-09-15"}))
    run_sweep(today=date(2026, 10, 9))

    overdue = _board(client, auth, status="overdue")
    assert [(d["subject_type"], d["subject_id"], d["status"]) for d in overdue] == [
        ("petition", late, "breached")
    ]
    assert overdue[0]["due_on"] == "2026-10-08"  # the 30th day, 1 October, falls in the National Day holiday
    assert overdue[0]["overdue"] is True
    # Brigade 1, the handling team, sees it on its own board; the leadership does too.
    assert [d["subject_id"] for d in _board(client, auth, "brigade1-judge", status="overdue")] == [late]
    assert [d["subject_id"] for d in _board(client, auth, "director", status="overdue")] == [late]


def test_closing_a_petition_in_time_meets_d10(client, auth):
    received_on = (court_today() - timedelta(days=3)).isoformat()
    pid = receive(client, auth, make_team_case(1), received_on=received_on)["id"]
    today = court_today().isoformat()
    ok(step(client, auth, pid, "register", {"registered_on": today}))
    ok(step(client, auth, pid, "route"))
    ok(step(client, auth, pid, "reply", {"reply_text": "已答复"}, user="brigade1-judge"))
    ok(step(client, auth, pid, "close"))
    met = _board(client, auth, status="met")
    assert [(d["subject_id"], d["status"]) for d in met] == [(pid, "met")]
    assert _board(client, auth, status="overdue") == []


# Order of steps -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "verb", "payload", "user", "allowed"),
    [
        ("received", "route", {}, "comprehensive", ["register"]),
        ("received", "close", {}, "comprehensive", ["register"]),
        ("received", "supervise", {}, "comprehensive", ["register"]),
        ("registered", "urge", {"note": "催"}, "comprehensive", ["route", "supervise"]),
        ("routed", "close", {}, "comprehensive", ["route", "urge", "supervise"]),
        ("routed", "register", {}, "comprehensive", ["route", "urge", "supervise"]),
        ("replied", "urge", {"note": "催"}, "comprehensive", ["resolve", "close", "supervise"]),
        ("closed", "reply", {"reply_text": "x"}, "brigade1-judge", []),
        ("closed", "supervise", {}, "comprehensive", []),
    ],
)
def test_out_of_order_steps_are_409_naming_the_allowed_ones(
    client, auth, state, verb, payload, user, allowed
):
    pid = receive(client, auth, make_team_case(1))["id"]
    if state != "received":
        walk_to(client, auth, pid, state)
    response = step(client, auth, pid, verb, payload, user=user)
    assert response.status_code == 409, response.text
    assert response.json()["allowed_actions"] == allowed


def test_a_petition_is_supervised_once(client, auth):
    pid = receive(client, auth, make_team_case(1))["id"]
    walk_to(client, auth, pid, "routed")
    ok(step(client, auth, pid, "supervise"))
    again = step(client, auth, pid, "supervise")
    assert again.status_code == 409 and again.json()["allowed_actions"] == ["route", "urge"]


def test_a_petition_not_yet_routed_is_no_team_s_to_reply(client, auth):
    pid = receive(client, auth, make_team_case(1))["id"]
    walk_to(client, auth, pid, "registered")
    team = client.get(f"/api/v1/petitions/{pid}", headers=auth("brigade1-judge")).json()
    assert team["allowed_actions"] == []
    assert step(client, auth, pid, "reply", {"reply_text": "x"}, user="brigade1-judge").status_code == 403
    ok(step(client, auth, pid, "route", {"routed_on": "2026-06-02"}))
    team = client.get(f"/api/v1/petitions/{pid}", headers=auth("brigade1-judge")).json()
    assert team["allowed_actions"] == ["reply"]


# Bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"channel": "pigeon"}, "channel"),
        ({"petitioner_name": ""}, "petitioner_name"),
        ({"content": " "}, "content"),
        ({"received_on": None}, "received_on"),
        ({"received_on": (court_today() + timedelta(days=1)).isoformat()}, "received_on"),
        ({"case_id": 987654}, "case_id"),
        ({"case_id": -1}, "case_id"),
    ],
)
def test_bad_petitions_are_422_naming_the_field(client, auth, overrides, field):
    response = client.post(BASE, json={**body(make_team_case(1)), **overrides}, headers=auth("comprehensive"))
    assert field in fields(response)


@pytest.mark.parametrize(
    ("state", "verb", "payload", "user", "field"),
    [
        ("received", "register", {"registered_on": "2026-05-31"}, "comprehensive", "registered_on"),
        ("registered", "route", {"routed_on": "2026-06-01"}, "comprehensive", "routed_on"),
        ("routed", "urge", {}, "comprehensive", "note"),
        ("routed", "reply", {"reply_text": ""}, "brigade1-judge", "reply_text"),
        ("routed", "reply", {"reply_text": "x", "replied_on": "2026-06-01"}, "brigade1-judge", "replied_on"),
        (
            "replied",
            "close",
            {"closed_on": (court_today() + timedelta(days=2)).isoformat()},
            "comprehensive",
            "closed_on",
        ),
    ],
)
def test_bad_step_input_is_422_naming_the_field(client, auth, state, verb, payload, user, field):
    pid = receive(client, auth, make_team_case(1))["id"]
    if state != "received":
        walk_to(client, auth, pid, state)
    assert field in fields(step(client, auth, pid, verb, payload, user=user))


# Who may act --------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ALL_USERS)
def test_only_the_comprehensive_group_receives_petitions(client, auth, username):
    response = client.post(BASE, json=body(make_team_case(1)), headers=auth(username))
    assert response.status_code == (201 if username in CENTER else 403), response.text


@pytest.mark.parametrize(
    ("verb", "state", "payload"),
    [
        ("register", "received", {}),
        ("route", "registered", {}),
        ("urge", "routed", {"note": "催"}),
        ("supervise", "routed", {}),
        ("resolve", "replied", {}),
        ("close", "replied", {}),
    ],
)
@pytest.mark.parametrize("username", sorted(set(ALL_USERS) - CENTER))
def test_only_the_comprehensive_group_handles_petitions(client, auth, verb, state, payload, username):
    pid = receive(client, auth, make_team_case(1))["id"]
    if state != "received":
        walk_to(client, auth, pid, state)
    assert step(client, auth, pid, verb, payload, user=username).status_code == 403


@pytest.mark.parametrize("username", ALL_USERS)
def test_only_the_handling_team_replies(client, auth, username):
    pid = receive(client, auth, make_team_case(1))["id"]
    walk_to(client, auth, pid, "routed")
    response = step(client, auth, pid, "reply", {"reply_text": "已处理"}, user=username)
    if username.startswith("brigade1"):
        assert response.status_code == 200
    elif username.startswith("brigade"):
        assert response.status_code == 404  # neither its case nor routed to it
    else:
        assert response.status_code == 403, response.text


def test_the_fast_group_may_not_reply_for_a_brigade(client, auth):
    pid = receive(client, auth, make_team_case(1))["id"]
    walk_to(client, auth, pid, "routed")
    assert step(client, auth, pid, "reply", {"reply_text": "x"}, user="fast-judge").status_code == 403


@pytest.mark.parametrize("username", ALL_USERS)
def test_who_may_read_petitions(client, auth, username):
    pid = receive(client, auth, make_team_case(1))["id"]
    one = client.get(f"{BASE}/{pid}", headers=auth(username))
    listed = client.get(BASE, headers=auth(username))
    if username in READERS_DENIED:
        assert (one.status_code, listed.status_code) == (403, 403)
    elif username.startswith("brigade") and not username.startswith("brigade1"):
        assert one.status_code == 404 and listed.json()["items"] == []
    else:
        assert one.status_code == 200 and [p["id"] for p in listed.json()["items"]] == [pid]


# Lists --------------------------------------------------------------------------------------------


def test_the_list_filters_by_state_supervision_and_case_and_pages(client, auth):
    case_id = make_team_case(1)
    a = receive(client, auth, case_id)["id"]
    b = receive(client, auth, None, petitioner_name="王五")["id"]
    c = receive(client, auth, case_id, petitioner_name="赵六")["id"]
    walk_to(client, auth, a, "routed")
    ok(step(client, auth, b, "register"))
    ok(step(client, auth, b, "supervise"))
    headers = auth("comprehensive")

    def ids(**params: object) -> list[int]:
        response = client.get(BASE, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [p["id"] for p in response.json()["items"]]

    assert ids() == [c, b, a]
    assert ids(state="routed") == [a]
    assert ids(supervised="true") == [b]
    assert ids(supervised="false") == [c, a]
    assert ids(case_id=case_id) == [c, a]
    assert ids(unit="brigade-1") == [a]
    page = client.get(BASE, params={"limit": 1}, headers=headers).json()
    assert [p["id"] for p in page["items"]] == [c]
    rest = client.get(BASE, params={"limit": 5, "cursor": page["next_cursor"]}, headers=headers).json()
    assert [p["id"] for p in rest["items"]] == [b, a] and rest["next_cursor"] is None
    assert fields(client.get(BASE, params={"supervised": "perhaps"}, headers=headers)) == {"supervised"}


def test_versions_and_retries(client, auth):
    case_id = make_team_case(1)
    headers = auth("comprehensive", **{"Idempotency-Key": "petition-1"})
    first = client.post(BASE, json=body(case_id), headers=headers)
    again = client.post(BASE, json=body(case_id), headers=headers)
    assert first.status_code == again.status_code == 201 and first.json()["id"] == again.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    pid = first.json()["id"]
    assert step(client, auth, pid, "register", {}, **{"If-Match": '"3"'}).status_code == 412
    registered = step(client, auth, pid, "register", {}, **{"If-Match": first.headers["etag"]})
    assert registered.status_code == 200 and registered.json()["version"] == 2


def test_unknown_petition_is_404(client, auth):
    assert client.get(f"{BASE}/55555", headers=auth("comprehensive")).status_code == 404
    assert step(client, auth, 55555, "register").status_code == 404
