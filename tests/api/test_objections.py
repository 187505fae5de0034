"""Objections at the objection group (DOMAIN.md §7, plan §5(7)): filing, docketing with a 执异 number,
hearing, ruling, service, reconsideration and transfer; the legal windows; who may act."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.models.case import Case
from app.models.measure import Measure
from app.models.user import User
from app.seed import DEMO_USERS
from app.settings import court_today
from tests.factories import make_case
from tests.factories import make_team_case
from tests.factories import objection_body
from tests.helpers import Step
from tests.helpers import fields
from tests.helpers import ok

BASE = "/api/v1/objections"
ALL_USERS = [u[0] for u in DEMO_USERS]
HANDLERS = {"objection-judge"}
FILERS = {"objection-judge", "comprehensive", "comprehensive-lead"}
READERS_DENIED = {"registrar", "filing-bot", "finance", "admin"}


def serve_execution_notice(case_id: int, served_on: date, received_on: date | None = None) -> None:
    with session_scope() as session:
        judge = session.scalar(select(User.id).where(User.username == "brigade1-judge"))
        session.add(
            Measure(
                case_id=case_id,
                kind="execution_notice",
                taken_on=served_on,
                served_on=received_on or served_on,
                signed_by_id=judge,
                recorded_by_id=judge,
            )
        )


def file(client, auth, case_id: int, user: str = "objection-judge", **overrides: object) -> dict:  # noqa: ANN001
    response = client.post(BASE, json=objection_body(case_id, **overrides), headers=auth(user))
    assert response.status_code == 201, response.text
    return response.json()


step = Step(BASE, user="objection-judge")


def walk_to(client, auth, objection_id: int, state: str) -> dict:  # noqa: ANN001
    """Take a received objection through the flow up to ``state``."""
    steps = [
        ("docketed", "docket", {"docketed_on": "2026-05-12"}),
        ("heard", "hearing", {"held_on": "2026-05-20", "notes": "双方到庭"}),
        ("ruled", "ruling", {"outcome": "rejected", "reasons": "理由不成立", "ruled_on": "2026-05-25"}),
        ("served", "service", {"served_on": "2026-06-01"}),
        ("reconsideration_applied", "reconsideration", {"applied_on": "2026-06-05"}),
    ]
    got: dict = {}
    for reached, verb, payload in steps:
        got = ok(step(client, auth, objection_id, verb, payload))
        if reached == state:
            return got
    raise AssertionError(state)


# The whole flow -----------------------------------------------------------------------------------


def test_an_objection_walks_from_receipt_to_the_higher_court(client, auth, events):
    case_id = make_team_case(1)
    objection = file(client, auth, case_id, user="comprehensive")
    assert objection["state"] == "received" and objection["docket_number"] is None
    assert objection["allowed_actions"] == []  # the comprehensive group receives; the objection group dockets
    got = client.get(f"{BASE}/{objection['id']}", headers=auth("objection-judge")).json()
    assert got["allowed_actions"] == ["docket"]
    assert events[-1] == {
        "event": "objection.received",
        "on": date(2026, 5, 11),
        "case_id": case_id,
        "subject_type": "objection",
        "subject_id": objection["id"],
        "params": {"kind": "enforcement_act"},
    }
    oid = objection["id"]

    docketed = ok(step(client, auth, oid, "docket", {"docketed_on": "2026-05-12"}))
    assert docketed["state"] == "docketed"
    assert docketed["docket_number"] == "（2026）豫0104执异1号"
    assert docketed["docketed_on"] == "2026-05-12"

    scheduled = ok(step(client, auth, oid, "hearing", {"scheduled_for": "2026-05-20T09:30:00+08:00"}))
    assert scheduled["state"] == "hearing_scheduled"
    assert scheduled["hearings"][0]["scheduled_for"].startswith("2026-05-20T01:30:00")
    heard = ok(step(client, auth, oid, "hearing", {"held_on": "2026-05-20", "notes": "申请人、被执行人到庭"}))
    assert heard["state"] == "heard"
    assert len(heard["hearings"]) == 1
    assert heard["hearings"][0]["held_on"] == "2026-05-20"
    assert heard["hearings"][0]["notes"] == "申请人、被执行人到庭"

    ruled = ok(
        step(
            client,
            auth,
            oid,
            "ruling",
            {"outcome": "rejected", "reasons": "房屋并非唯一住房", "ruled_on": "2026-05-25"},
        )
    )
    assert (ruled["state"], ruled["outcome"]) == ("ruled", "rejected")
    assert ruled["ruling_reasons"] == "房屋并非唯一住房"
    assert events[-1]["event"] == "objection.ruled" and events[-1]["on"] == date(2026, 5, 25)

    served = ok(step(client, auth, oid, "service", {"served_on": "2026-06-01"}))
    assert served["state"] == "served" and served["allowed_actions"] == ["reconsideration"]
    assert events[-1]["event"] == "objection.ruling_served" and events[-1]["on"] == date(2026, 6, 1)

    applied = ok(
        step(
            client,
            auth,
            oid,
            "reconsideration",
            {"applied_on": "2026-06-08", "applicant": "某某贸易有限公司", "grounds": "不服裁定"},
        )
    )
    assert applied["state"] == "reconsideration_applied"
    assert applied["reconsideration_applied_on"] == "2026-06-08"
    assert events[-1]["event"] == "objection.reconsideration_applied"

    transferred = ok(
        step(
            client,
            auth,
            oid,
            "transfer",
            {"transferred_on": "2026-06-10", "higher_court": "郑州市中级人民法院"},
        )
    )
    assert transferred["state"] == "transferred" and transferred["allowed_actions"] == []
    assert transferred["higher_court"] == "郑州市中级人民法院"
    assert events[-1]["event"] == "objection.transferred" and events[-1]["on"] == date(2026, 6, 10)
    assert [e["subject_id"] for e in events] == [
        oid
    ] * 6  # received, docketed, ruled, served, reconsideration, transfer

    # The case shows its objections; enforcement went on (no change to the case).
    listed = client.get(f"/api/v1/cases/{case_id}/objections", headers=auth("brigade1-judge")).json()
    assert [o["id"] for o in listed["items"]] == [oid]
    with session_scope(read_only=True) as session:
        case = session.get(Case, case_id)
        assert (case.state, case.version) == ("in_progress", 1)
        trail = session.scalars(
            select(AuditEntry).where(AuditEntry.entity_type == "objection").order_by(AuditEntry.id)
        ).all()
        actions = [entry.action for entry in trail]
        # Who did what to which objection, from what to what, and why (plan §4: 谁办案谁负责).
        received, ruled = trail[0], trail[4]
        assert (received.actor_username, received.entity_id, received.case_id, received.before) == (
            "comprehensive",
            str(oid),
            case_id,
            None,
        )
        assert received.after["state"] == "received"
        assert (ruled.actor_username, ruled.entity_id, ruled.case_id, ruled.reason) == (
            "objection-judge",
            str(oid),
            case_id,
            "房屋并非唯一住房",
        )
        assert (ruled.before["state"], ruled.after["state"]) == ("heard", "ruled")
    assert actions == [
        "objection.received",
        "objection.docketed",
        "objection.hearing_recorded",
        "objection.hearing_recorded",
        "objection.ruled",
        "objection.ruling_served",
        "objection.reconsideration_applied",
        "objection.transferred",
    ]


def test_an_outsider_objection_starts_d6_and_a_party_may_not_raise_one(client, auth, events):
    case_id = make_team_case(2)
    raised_by_a_party = objection_body(case_id, kind="outsider", filer_kind="party")
    refused = client.post(BASE, json=raised_by_a_party, headers=auth("objection-judge"))
    assert fields(refused) == {"filer_kind"}
    objection = file(client, auth, case_id, kind="outsider", filer_kind="outsider", filer_name="李四")
    assert objection["kind"] == "outsider"
    assert events[-1]["event"] == "objection.received" and events[-1]["params"] == {"kind": "outsider"}
    # CPL (2023) art. 238: the ruling on an outsider objection is not reconsidered; the remedy is a suit.
    served = walk_to(client, auth, objection["id"], "served")
    assert served["allowed_actions"] == []
    refused = step(client, auth, objection["id"], "reconsideration", {"applied_on": "2026-06-05"})
    assert refused.status_code == 409 and refused.json()["allowed_actions"] == []


def test_a_ruling_can_be_upheld_straight_after_docketing(client, auth):
    oid = file(client, auth, make_team_case(1))["id"]
    ok(step(client, auth, oid, "docket"))
    ruled = ok(
        step(
            client,
            auth,
            oid,
            "ruling",
            {"outcome": "upheld", "reasons": "异议成立", "ruled_on": court_today().isoformat()},
        )
    )
    assert ruled["outcome"] == "upheld" and ruled["hearings"] == []


def test_docketing_without_a_date_uses_today(client, auth):
    oid = file(client, auth, make_team_case(1))["id"]
    docketed = ok(step(client, auth, oid, "docket"))
    today = court_today()
    assert docketed["docketed_on"] == today.isoformat()
    assert docketed["docket_number"] == f"（{today.year}）豫0104执异1号"


def test_docket_numbers_run_per_year_without_gaps(client, auth):
    case_id = make_team_case(1)
    numbers = []
    for docketed_on in ("2026-05-12", "2026-05-13", "2026-05-14"):
        oid = file(client, auth, case_id)["id"]
        numbers.append(ok(step(client, auth, oid, "docket", {"docketed_on": docketed_on}))["docket_number"])
    assert numbers == ["（2026）豫0104执异1号", "（2026）豫0104执异2号", "（2026）豫0104执异3号"]


def test_docketing_skips_执异_numbers_already_on_a_case(client, auth):
    make_case(type_code="执异", filed_on=date(2026, 3, 2))  # filed at intake before 执异 was refused there
    with session_scope() as session:
        used = session.scalar(select(Case.serial).where(Case.type_code == "执异"))
    oid = file(client, auth, make_team_case(1))["id"]
    docketed = ok(step(client, auth, oid, "docket", {"docketed_on": "2026-05-12"}))
    assert docketed["docket_number"] == f"（2026）豫0104执异{used + 1}号"


def test_a_reconsideration_application_goes_straight_to_the_higher_court(client, auth, events):
    oid = file(client, auth, make_team_case(1), kind="reconsideration", received_on="2026-07-01")["id"]
    assert events[-1]["event"] == "objection.reconsideration_applied"
    got = client.get(f"{BASE}/{oid}", headers=auth("objection-judge")).json()
    assert got["allowed_actions"] == ["transfer"]
    conflict = step(client, auth, oid, "docket")
    assert conflict.status_code == 409 and conflict.json()["allowed_actions"] == ["transfer"]
    done = ok(step(client, auth, oid, "transfer", {"transferred_on": "2026-07-03"}))
    assert done["state"] == "transferred"


def test_the_ruling_clocks_show_on_the_board(client, auth):
    from app.sweep import run_sweep

    case_id = make_team_case(1)
    unruled = file(client, auth, case_id)["id"]  # received 11 May: D5 due 26 May
    ruled = file(client, auth, case_id)["id"]
    walk_to(client, auth, ruled, "reconsideration_applied")  # ruled 25 May, applied 5 June: D8 due 10 June
    ok(step(client, auth, ruled, "transfer", {"transferred_on": "2026-06-09"}))
    outsider = file(client, auth, case_id, kind="outsider", filer_kind="outsider")["id"]
    walk_to(client, auth, outsider, "ruled")
    run_sweep(today=date(2026, 6, 30))

    def board(status: str) -> set[tuple[str, int, str]]:
        response = client.get("/api/v1/deadlines", params={"status": status}, headers=auth("objection-judge"))
        assert response.status_code == 200, response.text
        return {
            (d["rule"], d["subject_id"], d["due_on"])
            for d in response.json()["items"]
            if d["subject_type"] == "objection"
        }

    # Never docketed either: docketing was due 3 days after receipt (D15).
    assert board("overdue") == {("D5", unruled, "2026-05-26"), ("D15", unruled, "2026-05-14")}
    assert {(rule, oid) for rule, oid, _ in board("met")} == {
        ("D15", ruled),
        ("D15", outsider),
        ("D5", ruled),
        ("D7", ruled),
        ("D8", ruled),
        ("D6", outsider),
    }


# Legal windows ------------------------------------------------------------------------------------


def test_a_jurisdiction_objection_is_accepted_on_day_10_after_the_execution_notice(client, auth):
    case_id = make_team_case(1)
    serve_execution_notice(case_id, date(2026, 3, 10))  # Tuesday; day 10 is Friday 20 March
    objection = file(client, auth, case_id, kind="jurisdiction", received_on="2026-03-20")
    assert objection["kind"] == "jurisdiction" and objection["state"] == "received"


def test_a_jurisdiction_objection_on_day_11_is_kept_and_not_accepted(client, auth):
    case_id = make_team_case(1)
    serve_execution_notice(case_id, date(2026, 3, 10))
    objection = file(client, auth, case_id, kind="jurisdiction", received_on="2026-03-21")
    assert objection["state"] == "not_accepted" and objection["outcome"] == "not_accepted"
    assert objection["allowed_actions"] == [] and objection["ruled_on"] == "2026-03-21"
    assert "2026-03-20" in objection["ruling_reasons"] and "10 days" in objection["ruling_reasons"]
    assert [o["id"] for o in client.get(BASE, headers=auth("objection-judge")).json()["items"]] == [
        objection["id"]
    ]


def test_the_jurisdiction_window_runs_from_the_partys_receipt_of_the_notice(client, auth):
    # SPC interpretation on CPL enforcement procedure art. 3: 10 days from receipt (收到执行通知书之日)
    case_id = make_team_case(1)
    serve_execution_notice(case_id, date(2026, 3, 2), received_on=date(2026, 3, 5))
    assert file(client, auth, case_id, kind="jurisdiction", received_on="2026-03-14")["state"] == "received"
    # day 10 is Sunday 15 March; the period runs to Monday 16 March
    assert file(client, auth, case_id, kind="jurisdiction", received_on="2026-03-16")["state"] == "received"
    late = file(client, auth, case_id, kind="jurisdiction", received_on="2026-03-17")
    assert late["state"] == "not_accepted"
    assert "received 2026-03-05" in late["ruling_reasons"] and "ended on 2026-03-16" in late["ruling_reasons"]


def test_a_ruling_cannot_be_not_accepted(client, auth):
    oid = file(client, auth, make_team_case(1))["id"]
    ok(step(client, auth, oid, "docket", {"docketed_on": "2026-05-12"}))
    response = step(
        client, auth, oid, "ruling", {"outcome": "not_accepted", "reasons": "x", "ruled_on": "2026-05-25"}
    )
    assert fields(response) == {"outcome"}


def test_the_jurisdiction_window_ending_on_a_holiday_runs_to_the_next_working_day(client, auth):
    case_id = make_team_case(1)
    serve_execution_notice(case_id, date(2026, 9, 25))  # day 10 is 5 October, in the National Day holiday
    assert file(client, auth, case_id, kind="jurisdiction", received_on="2026-10-08")["state"] == "received"
    late = file(client, auth, case_id, kind="jurisdiction", received_on="2026-10-09")
    assert late["state"] == "not_accepted"


def test_a_jurisdiction_objection_before_any_execution_notice_is_accepted(client, auth):
    case_id = make_team_case(1)
    assert file(client, auth, case_id, kind="jurisdiction", received_on="2026-04-30")["state"] == "received"


def test_a_jurisdiction_objection_is_a_partys(client, auth):
    response = client.post(
        BASE,
        json=objection_body(make_team_case(1), kind="jurisdiction", filer_kind="outsider"),
        headers=auth("objection-judge"),
    )
    assert fields(response) == {"filer_kind"}


def test_reconsideration_on_day_10_after_service_is_accepted(client, auth):
    oid = file(client, auth, make_team_case(1))["id"]
    walk_to(client, auth, oid, "served")  # served Monday 1 June; day 10 is Thursday 11 June
    applied = ok(step(client, auth, oid, "reconsideration", {"applied_on": "2026-06-11"}))
    assert applied["state"] == "reconsideration_applied"


def test_reconsideration_on_day_11_after_service_is_refused(client, auth, events):
    oid = file(client, auth, make_team_case(1))["id"]
    walk_to(client, auth, oid, "served")
    count = len(events)
    response = step(client, auth, oid, "reconsideration", {"applied_on": "2026-06-12"})
    assert fields(response) == {"applied_on"}
    assert "2026-06-11" in response.json()["detail"]
    assert len(events) == count
    assert client.get(f"{BASE}/{oid}", headers=auth("objection-judge")).json()["state"] == "served"


# Order of steps -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "verb", "payload", "allowed"),
    [
        ("received", "ruling", {"outcome": "upheld", "reasons": "x", "ruled_on": "2026-05-25"}, ["docket"]),
        ("received", "hearing", {"held_on": "2026-05-20"}, ["docket"]),
        ("docketed", "docket", None, ["hearing", "ruling"]),
        ("docketed", "service", {"served_on": "2026-06-01"}, ["hearing", "ruling"]),
        ("ruled", "reconsideration", {"applied_on": "2026-06-05"}, ["service"]),
        ("ruled", "hearing", {"held_on": "2026-05-26"}, ["service"]),
        ("served", "transfer", {"transferred_on": "2026-06-05"}, ["reconsideration"]),
        ("reconsideration_applied", "reconsideration", {"applied_on": "2026-06-06"}, ["transfer"]),
    ],
)
def test_out_of_order_steps_are_409_naming_the_allowed_ones(client, auth, state, verb, payload, allowed):
    oid = file(client, auth, make_team_case(1))["id"]
    if state != "received":
        walk_to(client, auth, oid, state)
    response = step(client, auth, oid, verb, payload)
    assert response.status_code == 409, response.text
    assert response.json()["allowed_actions"] == allowed
    assert response.json()["state"] == state


# Bad input ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "complaint"}, "kind"),
        ({"filer_kind": "lawyer"}, "filer_kind"),
        ({"filer_name": ""}, "filer_name"),
        ({"grounds": "   "}, "grounds"),
        ({"received_on": "2026-13-01"}, "received_on"),
        ({"received_on": (court_today() + timedelta(days=1)).isoformat()}, "received_on"),
        ({"received_on": "2026-03-01"}, "received_on"),  # before the case was filed on 2 March
        ({"case_id": "x"}, "case_id"),
        ({"extra": 1}, "extra"),
    ],
)
def test_bad_objections_are_422_naming_the_field(client, auth, overrides, field):
    response = client.post(
        BASE, json={**objection_body(make_team_case(1)), **overrides}, headers=auth("objection-judge")
    )
    assert field in fields(response)


def test_an_objection_against_an_unknown_case_is_404(client, auth):
    assert client.post(BASE, json=objection_body(999999), headers=auth("objection-judge")).status_code == 404


@pytest.mark.parametrize(
    ("state", "verb", "payload", "field"),
    [
        ("received", "docket", {"docketed_on": "2026-05-10"}, "docketed_on"),  # before receipt on 11 May
        ("docketed", "hearing", {}, "scheduled_for"),
        ("docketed", "hearing", {"held_on": (court_today() + timedelta(days=1)).isoformat()}, "held_on"),
        ("docketed", "ruling", {"outcome": "maybe", "reasons": "x", "ruled_on": "2026-05-25"}, "outcome"),
        ("docketed", "ruling", {"outcome": "upheld", "reasons": "", "ruled_on": "2026-05-25"}, "reasons"),
        ("docketed", "ruling", {"outcome": "upheld", "reasons": "x"}, "ruled_on"),
        ("ruled", "service", {"served_on": "2026-05-24"}, "served_on"),  # before the ruling
        ("served", "reconsideration", {"applied_on": "2026-05-31"}, "applied_on"),  # before service
        ("reconsideration_applied", "transfer", {}, "transferred_on"),
    ],
)
def test_bad_step_input_is_422_naming_the_field(client, auth, state, verb, payload, field):
    oid = file(client, auth, make_team_case(1))["id"]
    if state != "received":
        walk_to(client, auth, oid, state)
    assert field in fields(step(client, auth, oid, verb, payload))


def test_a_naive_hearing_time_is_court_local_time(client, auth):
    oid = file(client, auth, make_team_case(1))["id"]
    walk_to(client, auth, oid, "docketed")
    got = ok(step(client, auth, oid, "hearing", {"scheduled_for": "2026-12-01T09:00:00"}))
    assert got["hearings"][0]["scheduled_for"].startswith("2026-12-01T01:00:00")


# Versions and retries -----------------------------------------------------------------------------


def test_a_stale_if_match_is_412_and_the_current_one_passes(client, auth):
    oid = file(client, auth, make_team_case(1))["id"]
    got = client.get(f"{BASE}/{oid}", headers=auth("objection-judge"))
    assert got.headers["etag"] == '"1"'
    assert step(client, auth, oid, "docket", None, **{"If-Match": '"0"'}).status_code == 412
    docketed = step(client, auth, oid, "docket", None, **{"If-Match": '"1"'})
    assert docketed.status_code == 200 and docketed.headers["etag"] == '"2"'


def test_a_retried_filing_with_the_same_idempotency_key_files_once(client, auth):
    case_id = make_team_case(1)
    headers = auth("objection-judge", **{"Idempotency-Key": "obj-1"})
    first = client.post(BASE, json=objection_body(case_id), headers=headers)
    again = client.post(BASE, json=objection_body(case_id), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = client.post(BASE, json=objection_body(case_id, grounds="另一理由"), headers=headers)
    assert other.status_code == 409
    assert len(client.get(BASE, headers=auth("objection-judge")).json()["items"]) == 1


# Who may act --------------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ALL_USERS)
def test_only_the_objection_and_comprehensive_groups_receive_objections(client, auth, username):
    response = client.post(BASE, json=objection_body(make_team_case(1)), headers=auth(username))
    assert response.status_code == (201 if username in FILERS else 403), response.text


@pytest.mark.parametrize("verb", ["docket", "hearing", "ruling", "service", "reconsideration", "transfer"])
@pytest.mark.parametrize("username", sorted(set(ALL_USERS) - HANDLERS))
def test_only_the_objection_group_handles_objections(client, auth, verb, username):
    oid = file(client, auth, make_team_case(1))["id"]
    payload = {
        "docket": None,
        "hearing": {"held_on": "2026-05-20"},
        "ruling": {"outcome": "upheld", "reasons": "x", "ruled_on": "2026-05-25"},
        "service": {"served_on": "2026-06-01"},
        "reconsideration": {"applied_on": "2026-06-05"},
        "transfer": {"transferred_on": "2026-06-08"},
    }[verb]
    assert step(client, auth, oid, verb, payload, user=username).status_code == 403


@pytest.mark.parametrize("username", ALL_USERS)
def test_who_may_read_objections(client, auth, username):
    case_id = make_team_case(1)
    oid = file(client, auth, case_id)["id"]
    one = client.get(f"{BASE}/{oid}", headers=auth(username))
    listed = client.get(BASE, headers=auth(username))
    of_case = client.get(f"/api/v1/cases/{case_id}/objections", headers=auth(username))
    if username in READERS_DENIED:
        assert (one.status_code, listed.status_code, of_case.status_code) == (403, 403, 403)
    elif username.startswith("brigade") and not username.startswith("brigade1"):
        # Another brigade's case: not found, and not in its list.
        assert (one.status_code, of_case.status_code) == (404, 404)
        assert listed.json()["items"] == []
    else:
        assert one.status_code == 200 and one.json()["id"] == oid
        assert [o["id"] for o in listed.json()["items"]] == [oid]
        assert [o["id"] for o in of_case.json()["items"]] == [oid]


# Lists --------------------------------------------------------------------------------------------


def test_the_list_filters_by_state_kind_and_case_and_pages_with_a_cursor(client, auth):
    first_case, second_case = make_team_case(1), make_case()
    a = file(client, auth, first_case)["id"]
    b = file(client, auth, first_case, kind="outsider", filer_kind="outsider")["id"]
    c = file(client, auth, second_case, received_on="2026-04-01")["id"]
    ok(step(client, auth, a, "docket"))
    headers = auth("comprehensive")

    def ids(**params: object) -> list[int]:
        response = client.get(BASE, params=params, headers=headers)
        assert response.status_code == 200, response.text
        return [o["id"] for o in response.json()["items"]]

    assert ids() == [c, b, a]
    assert ids(state="docketed") == [a]
    assert ids(kind="outsider") == [b]
    assert ids(case_id=second_case) == [c]
    page = client.get(BASE, params={"limit": 2}, headers=headers).json()
    assert [o["id"] for o in page["items"]] == [c, b] and page["next_cursor"]
    rest = client.get(BASE, params={"limit": 2, "cursor": page["next_cursor"]}, headers=headers).json()
    assert [o["id"] for o in rest["items"]] == [a] and rest["next_cursor"] is None
    assert fields(client.get(BASE, params={"cursor": "garbage"}, headers=headers)) == {"cursor"}
    assert fields(client.get(BASE, params={"state": "lost"}, headers=headers)) == {"state"}
    assert fields(client.get(BASE, params={"limit": 501}, headers=headers)) == {"limit"}


def test_unknown_objection_is_404(client, auth):
    assert client.get(f"{BASE}/424242", headers=auth("objection-judge")).status_code == 404
    assert step(client, auth, 424242, "docket").status_code == 404
    assert client.get("/api/v1/cases/424242/objections", headers=auth("objection-judge")).status_code == 404


def test_an_objection_that_does_not_exist_is_404_naming_it(client, auth):
    response = client.get(f"{BASE}/987654", headers=auth("objection-judge"))
    assert response.status_code == 404 and response.json()["detail"] == "objection 987654 not found"
