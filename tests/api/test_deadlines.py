"""Deadline clocks as users meet them: the early-warning board, a case's clocks, D3 extensions.

The court's "today" is pinned to Monday 2026-06-15 so that what is overdue or due soon is fixed.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from app.database import session_scope
from app.errors import Conflict
from app.errors import InvalidInput
from app.models.audit_entry import AuditEntry
from app.models.case import Case
from app.models.deadline import Deadline
from app.models.deadline import DeadlineEvent
from app.services import deadline_board
from app.services import deadline_clocks
from app.services import deadline_events
from app.services import deadline_extensions
from app.sweep import run_sweep
from tests.factories import make_case
from tests.factories import make_filed_case
from tests.factories import record_deadline_event

D = date.fromisoformat
TODAY = D("2026-06-15")
BOARD = "/api/v1/deadlines"


@pytest.fixture(autouse=True)
def court_today(monkeypatch: pytest.MonkeyPatch) -> date:
    for module in (deadline_events, deadline_clocks, deadline_board, deadline_extensions):
        monkeypatch.setattr(module, "court_today", lambda: TODAY)
    return TODAY


def board(client, auth, username: str = "comprehensive", **params: object):  # noqa: ANN001, ANN201
    return client.get(BOARD, params=params, headers=auth(username))


def clocks_of(case_id: int) -> dict[str, deadline_clocks.DeadlineView]:
    with session_scope(read_only=True) as session:
        return {d.rule: d for d in deadline_clocks.list_for_case(session, case_id)}


@pytest.fixture
def three_cases() -> dict[str, int]:
    """Brigade 1's case filed 2 Mar, brigade 2's filed 1 Apr, an unallocated one filed 6 May."""
    return {
        "b1": make_filed_case(
            D("2026-03-02"),
            unit_code="brigade-1",
            handler="brigade1-judge",
            state="in_progress",
            track="ordinary",
        ),
        "b2": make_filed_case(
            D("2026-04-01"),
            unit_code="brigade-2",
            handler="brigade2-judge",
            state="in_progress",
            track="ordinary",
        ),
        "new": make_filed_case(D("2026-05-06")),
    }


# A case's clocks ----------------------------------------------------------------------------------


def test_filing_starts_d1_to_d4_listed_by_due_date():
    case_id = make_filed_case(D("2026-02-13"))
    with session_scope(read_only=True) as session:
        listed = deadline_clocks.list_for_case(session, case_id)
    assert [(d.rule, d.due_on.isoformat(), d.status, d.provisional) for d in listed] == [
        ("D1", "2026-02-14", "open", False),  # Fri + 1 working day = make-up Saturday
        ("D2", "2026-02-24", "open", False),  # day 10 = 23 Feb, Spring Festival -> Tue 24 Feb
        ("D4", "2026-05-14", "open", False),  # earliest 终本: the day after 13 May
        ("D3", "2026-08-13", "open", False),
    ]
    assert listed[0].title and listed[0].started_on == D("2026-02-13")


def test_registration_after_the_due_date_is_met_late():
    case_id = make_filed_case(D("2026-03-02"))
    record_deadline_event(case_id, "case.registered", D("2026-03-06"))
    d1 = clocks_of(case_id)["D1"]
    assert (d1.status, d1.met_on, d1.met_late, d1.overdue) == ("met", D("2026-03-06"), True, False)


def test_a_back_dated_suspension_moves_d3_and_is_kept_as_an_event():
    case_id = make_filed_case(
        D("2026-01-31"),
        unit_code="brigade-1",
        handler="brigade1-judge",
        state="in_progress",
        track="ordinary",
    )
    assert clocks_of(case_id)["D3"].due_on == D("2026-07-31")
    record_deadline_event(case_id, "suspension.started", D("2026-03-10"), params={"kind": "suspension"})
    assert clocks_of(case_id)["D3"].status == "paused"
    record_deadline_event(case_id, "suspension.ended", D("2026-03-30"), params={"kind": "suspension"})
    d3 = clocks_of(case_id)["D3"]
    assert (d3.due_on, d3.status, d3.paused_days) == (D("2026-08-20"), "open", 20)  # 20 days later


def test_a_back_dated_suspension_lifts_a_breach_the_sweep_had_marked():
    case_id = make_filed_case(
        D("2026-03-02"),
        unit_code="brigade-1",
        handler="brigade1-judge",
        state="in_progress",
        track="ordinary",
    )
    run_sweep(today=TODAY)
    assert clocks_of(case_id)["D2"].status == "breached"
    record_deadline_event(case_id, "suspension.started", D("2026-03-05"), params={"kind": "suspension"})
    record_deadline_event(case_id, "suspension.ended", D("2026-06-10"), params={"kind": "suspension"})
    d2 = clocks_of(case_id)["D2"]
    assert (d2.status, d2.due_on, d2.overdue) == ("open", D("2026-06-17"), False)  # 12 Jun + 97 days pause


def test_the_same_event_reported_twice_counts_once():
    case_id = make_filed_case(D("2026-03-02"))
    record_deadline_event(case_id, "case.filed", D("2026-03-02"))
    with session_scope(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Deadline)) == 4
        assert session.scalar(select(func.count()).select_from(DeadlineEvent)) == 1


def test_clock_changes_are_audited():
    case_id = make_filed_case(D("2026-03-02"))
    record_deadline_event(case_id, "case.registered", D("2026-03-03"))
    with session_scope(read_only=True) as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id)).all()
    assert actions.count("deadline.start") == 4 and actions.count("deadline.recompute") == 1


def test_an_end_of_suspension_without_one_running_is_refused():
    case_id = make_filed_case(D("2026-03-02"))
    with pytest.raises(Conflict):
        record_deadline_event(case_id, "suspension.ended", D("2026-03-10"), params={"kind": "suspension"})
    with pytest.raises(InvalidInput):
        record_deadline_event(case_id, "suspension.started", D("2026-03-10"), params={"kind": "holiday"})


def test_a_petition_without_a_case_gets_its_own_clocks():
    record_deadline_event(None, "petition.received", D("2026-06-01"), subject_type="petition", subject_id=41)
    with session_scope(read_only=True) as session:
        row = session.execute(select(Deadline)).scalar_one()
    assert (row.rule, row.case_id, row.subject_id, row.due_on) == ("D9", None, 41, D("2026-06-08"))


# The board ----------------------------------------------------------------------------------------


def _lines(response) -> list[tuple[str, str]]:  # noqa: ANN001
    assert response.status_code == 200, response.text
    return [(item["case_number"], item["rule"]) for item in response.json()["items"]]


def test_overdue_board_lists_past_due_duties_earliest_first(client, auth, three_cases):
    response = board(client, auth, status="overdue")
    items = response.json()["items"]
    assert [(i["case_id"], i["rule"], i["due_on"]) for i in items] == [
        (three_cases["b1"], "D1", "2026-03-03"),
        (three_cases["b1"], "D2", "2026-03-12"),
        (three_cases["b2"], "D1", "2026-04-02"),
        (three_cases["b2"], "D2", "2026-04-13"),
        (three_cases["new"], "D1", "2026-05-07"),
        (three_cases["new"], "D2", "2026-05-18"),
    ]  # D4 (a waiting period) never shows, though its date has passed for case b1
    first = items[0]
    assert first["status"] == "open" and first["overdue"] is True  # past due before the sweep has run
    assert (first["days_overdue"], first["days_left"]) == (104, None)
    assert (first["unit"], first["handler_name"]) == ("brigade-1", "执行1大队法官甲")
    assert first["case_number"].startswith("（2026）") and first["title"]
    assert response.json()["next_cursor"] is None


def test_board_is_the_same_after_the_sweep_marks_the_breaches(client, auth, three_cases):
    before = _lines(board(client, auth))
    assert run_sweep(today=TODAY).breached == 6
    after = board(client, auth).json()["items"]
    assert [(i["case_number"], i["rule"]) for i in after] == before
    assert {i["status"] for i in after} == {"breached"}


def test_meeting_a_clock_takes_it_off_the_board(client, auth, three_cases):
    record_deadline_event(three_cases["b1"], "case.registered", D("2026-03-03"))
    rules = [(i["case_id"], i["rule"]) for i in board(client, auth).json()["items"]]
    assert (three_cases["b1"], "D1") not in rules and (three_cases["b1"], "D2") in rules


def test_board_pages_with_a_cursor_without_gaps_or_repeats(client, auth, three_cases):
    run_sweep(today=D("2026-04-20"))  # b1 and b2 breached, the new case still open past due
    whole = _lines(board(client, auth, limit=500))
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = board(client, auth, **params).json()
        seen += [(i["case_number"], i["rule"]) for i in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert (seen, pages) == (whole, 3) and len(whole) == 6


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"unit": "brigade-2"}, [("b2", "D1"), ("b2", "D2")]),
        ({"rule": "D2"}, [("b1", "D2"), ("b2", "D2"), ("new", "D2")]),
        ({"unit": "brigade-1", "rule": "D1"}, [("b1", "D1")]),
    ],
)
def test_board_filters(client, auth, three_cases, params, expected):
    names = {case_id: name for name, case_id in three_cases.items()}
    items = board(client, auth, **params).json()["items"]
    assert [(names[i["case_id"]], i["rule"]) for i in items] == expected


def test_a_brigade_sees_its_own_clocks_only(client, auth, three_cases):
    items = board(client, auth, "brigade1-judge2").json()["items"]
    assert {i["case_id"] for i in items} == {three_cases["b1"]} and len(items) == 2
    assert len(board(client, auth, "brigade1-judge", unit="brigade-1").json()["items"]) == 2


def test_a_brigade_may_not_ask_for_another_units_clocks(client, auth, three_cases):
    response = board(client, auth, "brigade1-judge", unit="brigade-2")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize("username", ["director", "deputy", "fast-judge", "disposal", "comprehensive-lead"])
def test_command_center_and_leadership_see_every_unit(client, auth, three_cases, username):
    assert {i["unit"] for i in board(client, auth, username).json()["items"]} == {
        "brigade-1",
        "brigade-2",
        None,
    }


@pytest.mark.parametrize("username", ["registrar", "filing-bot", "finance", "admin"])
def test_units_outside_the_bureau_may_not_read_the_board(client, auth, username):
    assert board(client, auth, username).status_code == 403


def test_board_needs_a_token(client):
    assert client.get(BOARD).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "late"}, "status"),
        ({"rule": "D99"}, "rule"),
        ({"unit": "brigade-9"}, "unit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
    ],
)
def test_bad_board_parameters_are_422_naming_the_field(client, auth, params, field):
    response = board(client, auth, **params)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_due_soon_uses_each_rules_warning_window(client, auth):
    case_id = make_filed_case(
        D("2026-06-08"),
        unit_code="brigade-3",
        handler="brigade3-judge",
        state="in_progress",
        track="ordinary",
    )
    for asset_id, controlled_on in ((1, "2025-07-01"), (2, "2025-08-01")):
        record_deadline_event(
            case_id,
            "asset.controlled",
            D(controlled_on),
            subject_type="asset",
            subject_id=asset_id,
            params={"kind": "bank_deposit"},
        )
    items = board(client, auth, status="due_soon").json()["items"]
    assert [(i["rule"], i["due_on"], i["days_left"], i["days_overdue"]) for i in items] == [
        ("D2", "2026-06-18", 3, 0),  # 7-day window
        ("D12", "2026-07-01", 16, 0),  # the freeze expiry reminder starts 30 days ahead
    ]  # D12 of asset 2 (3 Aug) is 49 days away; D1 (9 Jun) is overdue, not due soon
    assert [i["rule"] for i in board(client, auth, status="overdue").json()["items"]] == ["D1"]


def test_board_by_clock_state(client, auth, three_cases):
    record_deadline_event(three_cases["b1"], "case.registered", D("2026-03-03"))
    items = board(client, auth, status="met").json()["items"]
    assert [(i["case_id"], i["rule"], i["overdue"]) for i in items] == [(three_cases["b1"], "D1", False)]


def test_reallocating_a_case_moves_its_clocks_to_the_new_unit(client, auth, three_cases):
    assert board(client, auth, "brigade3-judge").json()["items"] == []
    with session_scope() as session:
        case = session.get(Case, three_cases["new"])
        case.unit_code, case.handler_id = "brigade-3", _user_id(session, "brigade3-judge")
    items = board(client, auth, "brigade3-judge").json()["items"]
    assert {(i["unit"], i["handler_name"]) for i in items} == {("brigade-3", "执行3大队法官甲")}


def test_sync_case_assignment_can_be_called_directly(client, auth, three_cases):
    with session_scope() as session:
        session.execute(update(Case).where(Case.id == three_cases["b2"]).values(unit_code="brigade-4"))
        deadline_clocks.sync_case_assignment(
            session, case_id=three_cases["b2"], unit_code="brigade-4", handler_id=None
        )
    items = board(client, auth, "brigade4-judge").json()["items"]
    assert {(i["case_id"], i["handler_id"]) for i in items} == {(three_cases["b2"], None)}


def _user_id(session, username: str) -> int:  # noqa: ANN001
    from app.models.user import User

    return session.scalar(select(User.id).where(User.username == username))


# Extensions of the enforcement period (D3) --------------------------------------------------------

EXTEND = "/api/v1/cases/{}/deadline-extensions"
EXTENSIONS = "/api/v1/deadline-extensions/{}/{}"


def extend(client, auth, case_id: int, username: str = "brigade1-judge", **body: object):  # noqa: ANN001, ANN201
    payload = {"rule": "D3", "reason": "auction of the flat still running"} | body
    return client.post(EXTEND.format(case_id), json=payload, headers=auth(username))


def decide(client, auth, extension_id: int, step: str, username: str):  # noqa: ANN001, ANN201
    return client.post(EXTENSIONS.format(extension_id, step), headers=auth(username))


def team_case(filed_on: date) -> int:
    return make_filed_case(
        filed_on, unit_code="brigade-1", handler="brigade1-judge", state="in_progress", track="ordinary"
    )


def test_the_judge_asks_the_director_reviews_and_the_president_extends_d3(client, auth, user_ids):
    # SPC time-limit rules: the president approves; plan §4: the director reviews first.
    case_id = team_case(D("2026-03-02"))
    response = extend(client, auth, case_id)
    assert response.status_code == 201, response.text
    request = response.json()
    assert (request["state"], request["requested_on"], request["requested_by_id"]) == (
        "requested",
        "2026-06-15",
        user_ids["brigade1-judge"],
    )
    assert decide(client, auth, request["id"], "approval", "president").status_code == 409  # not reviewed
    assert decide(client, auth, request["id"], "approval", "director").status_code == 403
    reviewed = decide(client, auth, request["id"], "review", "director")
    assert reviewed.status_code == 200 and reviewed.json()["reviewed_by_id"] == user_ids["director"]
    assert clocks_of(case_id)["D3"].due_on == D("2026-09-02")
    response = decide(client, auth, request["id"], "approval", "president")
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["rule"], body["months"], body["requested_on"], body["approved_on"]) == (
        "D3",
        3,
        "2026-06-15",
        "2026-06-15",
    )
    assert body["approved_by_id"] == user_ids["president"]
    assert (body["deadline"]["due_on"], body["deadline"]["extension_months"]) == ("2026-12-02", 3)
    assert clocks_of(case_id)["D3"].due_on == D("2026-12-02")
    with session_scope(read_only=True) as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "deadline.extend")).one()
    assert (entry.before["due_on"], entry.after["due_on"], entry.actor_username) == (
        "2026-09-02",
        "2026-12-02",
        "president",
    )
    assert decide(client, auth, request["id"], "approval", "president").status_code == 409


@pytest.mark.parametrize(
    ("filed_on", "status"),
    [("2025-12-22", 201), ("2025-12-18", 409), ("2025-01-02", 409)],
    ids=["due Mon 22 June: 7 days left", "due Thu 18 June: 3 days left", "expired in July 2025"],
)
def test_an_extension_is_asked_for_five_days_before_expiry_dated_today(client, auth, filed_on, status):
    # SPC time-limit rules: asked for at least 5 days before the period ends; the service dates it.
    case_id = team_case(D(filed_on))
    response = extend(client, auth, case_id)
    assert response.status_code == status, response.text
    if status == 409:
        assert "asked on 2026-06-15" in response.json()["detail"]


def test_a_backdated_request_is_refused(client, auth):
    case_id = team_case(D("2025-01-02"))  # D3 expired on 2 July 2025
    response = extend(client, auth, case_id, requested_on="2025-03-01")
    assert response.status_code == 422 and [e["field"] for e in response.json()["errors"]] == ["requested_on"]
    assert clocks_of(case_id)["D3"].due_on == D("2025-07-02")


def test_a_second_extension_is_refused(client, auth):
    case_id = team_case(D("2026-03-02"))
    first = extend(client, auth, case_id)
    assert first.status_code == 201
    assert extend(client, auth, case_id).status_code == 409  # one awaits a decision
    assert decide(client, auth, first.json()["id"], "review", "director").status_code == 200
    assert decide(client, auth, first.json()["id"], "approval", "president").status_code == 200
    assert extend(client, auth, case_id).status_code == 409


def test_a_closed_case_cannot_be_extended(client, auth):
    case_id = team_case(D("2026-03-02"))
    record_deadline_event(case_id, "case.closed", D("2026-06-01"))
    assert extend(client, auth, case_id).status_code == 409


def test_a_case_without_a_recorded_filing_has_no_d3_to_extend(client, auth):
    case_id = make_case(
        filed_on=D("2026-03-02"), unit_code="brigade-1", handler="brigade1-judge", state="in_progress"
    )
    assert extend(client, auth, case_id).status_code == 409


@pytest.mark.parametrize(
    "username", ["deputy", "director", "president", "brigade1-judge2", "comprehensive", "admin"]
)
def test_only_the_handling_judge_asks(client, auth, username):
    case_id = team_case(D("2026-03-02"))
    assert extend(client, auth, case_id, username).status_code == 403


def test_extension_of_an_unknown_case_is_404(client, auth):
    assert extend(client, auth, 999999).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"rule": "D2"}, "rule"),
        ({"reason": "   "}, "reason"),
        ({"reason": ""}, "reason"),
        ({"requested_on": "2026-06-10"}, "requested_on"),
    ],
)
def test_bad_extension_requests_are_422_naming_the_field(client, auth, body, field):
    case_id = team_case(D("2026-03-02"))
    response = extend(client, auth, case_id, **body)
    assert response.status_code == 422, response.text
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_an_extension_request_retried_with_the_same_key_is_made_once(client, auth):
    case_id = team_case(D("2026-03-02"))
    headers = auth("brigade1-judge", **{"Idempotency-Key": "ext-1"})
    body = {"rule": "D3", "reason": "auction running"}
    first = client.post(EXTEND.format(case_id), json=body, headers=headers)
    again = client.post(EXTEND.format(case_id), json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"


def test_an_extension_of_another_length_is_refused(client, auth):
    case_id = team_case(D("2026-03-02"))
    response = extend(client, auth, case_id, months=6)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "months"
    assert extend(client, auth, case_id, months=3).status_code == 201
