"""Closing a case (结案): modes, the 终本 gate, the 终本 pool, restoration and its numbering."""

from __future__ import annotations

import threading
from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.database import session_scope
from app.models.case import Case
from app.models.case import PropertyClue
from app.rules.termination_gate import MISSING_ITEMS
from app.rules.termination_gate import months_after
from app.seed import DEMO_USERS
from app.services.numbering import next_serial
from app.settings import court_today
from tests.factories import add_measure
from tests.factories import add_termination_measures
from tests.factories import make_case
from tests.factories import make_disposal_ready_case
from tests.factories import make_filed_case
from tests.factories import make_team_case
from tests.factories import respondent_of

ALL_USERS = sorted(u[0] for u in DEMO_USERS)
OTHER_BRIGADES = {u[0] for u in DEMO_USERS if u[1].startswith("brigade-") and u[1] != "brigade-1"}
FILED = court_today() - timedelta(days=150)
CHECKED = FILED + timedelta(days=20)


def close(client, auth, case_id: int, user: str = "brigade1-judge", **body: object):
    body = {"mode": "performed", **body}
    return client.post(f"/api/v1/cases/{case_id}/closure", json=body, headers=auth(user))


def terminate(client, auth, case_id: int, closed_on: date | None = None, **body: object):
    return close(
        client,
        auth,
        case_id,
        mode="terminated_current",
        closed_on=(closed_on or court_today()).isoformat(),
        document_number="（2026）豫0104执50001号之二",
        **body,
    )


def propose_listing(client, auth, case_id: int, ground: str, facts: str):
    return client.post(
        f"/api/v1/cases/{case_id}/dishonest-listings",
        headers=auth("brigade1-judge"),
        json={"respondent_id": respondent_of(case_id), "ground": ground, "facts": facts},
    )


def checked_case(**kwargs: object) -> int:
    case_id = make_team_case(1, filed_on=FILED, **kwargs)
    add_termination_measures(case_id, CHECKED)
    return case_id


def test_closing_as_performed_makes_the_case_read_only(client, auth, user_ids):
    case_id = make_team_case(1)
    response = close(client, auth, case_id, closed_on="2026-06-01", reason="执行完毕")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["state"] == "closed" and body["mode"] == "performed" and body["closed_on"] == "2026-06-01"
    assert body["closed_by"] == user_ids["brigade1-judge"] and body["termination_pool"] is None
    assert response.headers["etag"] == f'"{body["version"]}"'
    case = client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge")).json()
    assert case["state"] == "closed" and case["closure_mode"] == "performed"
    again = close(client, auth, case_id)
    assert again.status_code == 409 and again.json()["allowed_actions"] == []  # performed is final
    measure = client.post(
        f"/api/v1/cases/{case_id}/measures",
        json={"kind": "mediation", "on": "2026-06-01"},
        headers=auth("brigade1-judge"),
    )
    assert measure.status_code == 409 and measure.json()["allowed_actions"] == []
    shown = client.get(f"/api/v1/cases/{case_id}/closure", headers=auth("director")).json()
    assert shown["mode"] == "performed" and shown["reason"] == "执行完毕"


def test_closing_meets_the_d3_clock(client, auth):
    case_id = make_filed_case(
        FILED, state="in_progress", unit_code="brigade-1", handler="brigade1-judge", track="ordinary"
    )
    assert close(client, auth, case_id, closed_on=court_today().isoformat()).status_code == 200
    deadlines = client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge")).json()["deadlines"]
    assert next(d for d in deadlines if d["rule"] == "D3")["status"] == "met"


@pytest.mark.parametrize("username", sorted(set(ALL_USERS) - {"brigade1-judge"}))
def test_only_the_handling_judge_closes(client, auth, username):
    case_id = make_team_case(1)
    response = close(client, auth, case_id, username)
    assert response.status_code == (404 if username in OTHER_BRIGADES else 403)


def test_closing_date_and_mode_are_checked(client, auth):
    case_id = make_team_case(1, filed_on=date(2026, 3, 2))
    assert close(client, auth, case_id, closed_on="2026-03-01").json()["errors"][0]["field"] == "closed_on"
    future = (court_today() + timedelta(days=1)).isoformat()
    assert close(client, auth, case_id, closed_on=future).json()["errors"][0]["field"] == "closed_on"
    assert close(client, auth, case_id, mode="abandoned").json()["errors"][0]["field"] == "mode"
    ruling = close(client, auth, case_id, mode="terminated", closed_on="2026-06-01")
    assert ruling.status_code == 200, ruling.text
    assert ruling.json()["document_number"] == ruling.json()["case_number"]  # bears the case number


def test_settled_closing_rests_on_a_settlement_agreement(client, auth):
    case_id = make_team_case(1)
    response = close(client, auth, case_id, mode="settled", closed_on="2026-06-01")
    assert response.status_code == 409 and response.json()["missing"] == ["settlement_agreement"]
    add_measure(case_id, "settlement_agreement", date(2026, 5, 20))
    assert close(client, auth, case_id, mode="settled", closed_on="2026-06-01").status_code == 200


def test_termination_refused_naming_every_missing_item(client, auth):
    case_id = make_team_case(1, filed_on=FILED)
    response = terminate(client, auth, case_id, closed_on=months_after(FILED, 2))
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "/problems/gate-not-met"
    # no clues at filing and the respondent's whereabouts known: no verification, no search
    not_due = ("dishonest_listing", "applicant_clues_verified", "missing_respondent_search")
    assert body["missing"] == [
        i for i in MISSING_ITEMS if i not in (*not_due, "obstruction_punished_or_referred")
    ]
    assert (
        client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge")).json()["state"]
        == "in_progress"
    )


def test_termination_exactly_three_months_after_filing_is_too_early(client, auth):
    case_id = checked_case()
    response = terminate(client, auth, case_id, closed_on=months_after(FILED, 3))
    assert response.status_code == 409 and response.json()["missing"] == ["three_months_since_filing"]


@pytest.mark.parametrize(
    ("skip", "item"),
    [
        (("consumption_ban",), "consumption_ban"),
        (("onsite_property_check",), "onsite_property_check"),
        (("applicant_heard",), "applicant_heard"),
    ],
)
def test_each_check_is_required(client, auth, skip, item):
    case_id = make_team_case(1, filed_on=FILED)
    add_termination_measures(case_id, CHECKED, skip=skip)
    assert terminate(client, auth, case_id).json()["missing"] == [item]


def test_clues_are_verified_only_when_the_applicant_gave_them(client, auth):
    # SPC 终本 rules 2016 art. 1(3)
    case_id = make_team_case(1, filed_on=FILED)
    add_termination_measures(case_id, CHECKED, skip=("applicant_clues",))
    assert terminate(client, auth, case_id).status_code == 200
    other = make_team_case(1, filed_on=FILED)
    add_termination_measures(other, CHECKED, skip=("applicant_clues",))
    with session_scope() as session:
        session.add(PropertyClue(case_id=other, kind="bank_deposit", description="工商银行账户"))
    assert terminate(client, auth, other).json()["missing"] == ["applicant_clues_verified"]


def test_a_search_is_required_only_when_the_respondent_cannot_be_found(client, auth):
    # SPC 终本 rules 2016 art. 1(3)
    case_id = make_team_case(1, filed_on=FILED)
    add_termination_measures(case_id, CHECKED, skip=("missing_respondent_search",))
    add_measure(case_id, "whereabouts_unknown", CHECKED)
    assert terminate(client, auth, case_id).json()["missing"] == ["missing_respondent_search"]
    add_measure(case_id, "missing_respondent_search", CHECKED + timedelta(days=1))
    assert terminate(client, auth, case_id).status_code == 200


def test_a_failure_to_report_property_calls_for_a_listing_decision(client, auth):
    # SPC 终本 rules 2016 art. 1(2); dishonest-list rules art. 1(5): 违反财产报告制度
    case_id = checked_case()
    add_measure(case_id, "property_report_failed", CHECKED + timedelta(days=10))
    assert terminate(client, auth, case_id).json()["missing"] == ["dishonest_listing"]


def test_an_undecided_listing_proposal_holds_back_termination_until_the_director_decides(client, auth):
    # SPC 终本 rules 2016 art. 1(2): a proposal put to the director is decided before 终本, even one on a
    # ground (able but refuses) that no recorded obstruction or report failure calls for.
    case_id = checked_case()
    listing = propose_listing(client, auth, case_id, "able_but_refuses", "有能力拒不履行")
    assert listing.status_code == 201, listing.text
    assert terminate(client, auth, case_id).json()["missing"] == ["dishonest_listing"]
    decision = client.post(
        f"/api/v1/dishonest-listings/{listing.json()['id']}/decision",
        headers=auth("director"),
        json={"decision": "refuse", "reason": "证据不足"},
    )
    assert decision.status_code == 200, decision.text
    assert terminate(client, auth, case_id).status_code == 200


def test_recorded_obstruction_must_be_punished_and_put_to_the_director(client, auth):
    case_id = checked_case()
    add_measure(case_id, "obstruction_found", CHECKED)
    assert terminate(client, auth, case_id).json()["missing"] == [
        "dishonest_listing",
        "obstruction_punished_or_referred",
    ]
    add_measure(case_id, "fine", CHECKED + timedelta(days=1), signed_by="director", document_number="罚款1")
    listing = propose_listing(client, auth, case_id, "obstructs", "转移车辆")
    assert listing.status_code == 201, listing.text
    assert terminate(client, auth, case_id).json()["missing"] == ["dishonest_listing"]
    decision = client.post(
        f"/api/v1/dishonest-listings/{listing.json()['id']}/decision",
        headers=auth("director"),
        json={"decision": "approve"},
    )
    assert decision.status_code == 200, decision.text
    assert terminate(client, auth, case_id).status_code == 200


def test_termination_enters_the_pool_with_rechecks_every_six_months_for_five_years(client, auth, user_ids):
    case_id = checked_case()
    response = terminate(client, auth, case_id, reason="经四查无可供执行财产")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["mode"] == "terminated_current" and body["document_number"]
    assert set(body["gate_evidence"]) >= {"execution_notice", "onsite_property_check"}
    assert len(body["gate_evidence"]["onsite_property_check"]) == 3
    pool = body["termination_pool"]
    assert pool["entered_on"] == court_today().isoformat() and pool["status"] == "in_pool"
    assert pool["rechecks"] == [months_after(court_today(), 6 * k).isoformat() for k in range(1, 11)]
    assert pool["next_recheck_on"] == months_after(court_today(), 6).isoformat()
    assert pool["ends_on"] == months_after(court_today(), 60).isoformat()
    listed = client.get("/api/v1/termination-pool", headers=auth("brigade1-judge")).json()
    assert [(e["case_id"], e["handler_id"]) for e in listed["items"]] == [
        (case_id, user_ids["brigade1-judge"])
    ]


def test_pool_lists_per_unit_with_cursor_and_status(client, auth):
    old = make_team_case(2, state="closed")
    with session_scope() as session:
        from app.models.termination_pool_entry import TerminationPoolEntry

        session.add(
            TerminationPoolEntry(
                case_id=old, unit_code="brigade-2", entered_on=date(2020, 1, 2), ends_on=date(2025, 1, 2)
            )
        )
    first, second = checked_case(), checked_case()
    assert terminate(client, auth, first).status_code == 200
    assert terminate(client, auth, second).status_code == 200

    def ids(user: str, query: str = "") -> list[int]:
        response = client.get(f"/api/v1/termination-pool{query}", headers=auth(user))
        assert response.status_code == 200, response.text
        return [e["case_id"] for e in response.json()["items"]]

    assert ids("comprehensive") == [old, first, second]
    assert ids("brigade2-judge") == [old]
    assert ids("brigade3-judge") == []
    assert ids("director", "?status=expired") == [old]
    assert ids("director", "?status=in_pool&unit=brigade-1") == [first, second]
    page = client.get("/api/v1/termination-pool?limit=2", headers=auth("deputy")).json()
    rest = client.get(
        f"/api/v1/termination-pool?limit=2&cursor={page['next_cursor']}", headers=auth("deputy")
    ).json()
    assert [e["case_id"] for e in page["items"] + rest["items"]] == [old, first, second]
    assert rest["next_cursor"] is None
    expired = client.get("/api/v1/termination-pool?status=expired", headers=auth("director")).json()["items"][
        0
    ]
    assert expired["next_recheck_on"] is None and expired["status"] == "expired"
    for user in ("finance", "registrar", "admin"):
        assert client.get("/api/v1/termination-pool", headers=auth(user)).status_code == 403


def test_closing_lapses_pending_requests_and_proposals(client, auth):
    case_id = make_disposal_ready_case()
    transfer = client.post(
        f"/api/v1/cases/{case_id}/disposal-transfers", json={}, headers=auth("brigade1-judge")
    )
    listing = propose_listing(client, auth, case_id, "able_but_refuses", "有能力拒不履行")
    response = close(client, auth, case_id)
    assert response.status_code == 200, response.text
    assert response.json()["disposal_requests_withdrawn"] == [transfer.json()["id"]]
    shown = client.get(f"/api/v1/disposal-transfers/{transfer.json()['id']}", headers=auth("deputy")).json()
    assert shown["state"] == "withdrawn"
    shown = client.get(f"/api/v1/dishonest-listings/{listing.json()['id']}", headers=auth("director")).json()
    assert shown["state"] == "withdrawn"


def restore(client, auth, case_id: int, user: str = "comprehensive", **body: object):
    body = {"reason": "申请执行人提供新的财产线索: 被执行人名下新登记车辆", **body}
    return client.post(f"/api/v1/cases/{case_id}/restoration", json=body, headers=auth(user))


def test_restoration_opens_a_linked_case_numbered_执恢_for_triage_again(client, auth, user_ids):
    case_id = checked_case()
    assert terminate(client, auth, case_id).status_code == 200
    response = restore(client, auth, case_id, restored_on=court_today().isoformat())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["case_number"] == f"（{court_today().year}）豫0104执恢1号"
    assert body["origin_case_id"] == case_id and body["state"] == "filed"
    assert body["claim_amount"] == "80000.00"
    assert response.headers["location"] == f"/api/v1/cases/{body['case_id']}"
    new = client.get(f"/api/v1/cases/{body['case_id']}", headers=auth("comprehensive")).json()
    assert new["origin_case_id"] == case_id and new["unit"] is None and new["handler_id"] is None
    assert [p["name"] for p in new["parties"]] == ["张三", "某某贸易有限公司"]
    assert {d["rule"] for d in new["deadlines"]} >= {"D1", "D3"}
    assert (
        "register"
        in client.get(f"/api/v1/cases/{body['case_id']}", headers=auth("comprehensive")).json()[
            "allowed_actions"
        ]
    )
    again = restore(client, auth, case_id)
    assert again.status_code == 409 and again.json()["restored_case_id"] == body["case_id"]
    pool = client.get("/api/v1/termination-pool?status=restored", headers=auth("director")).json()["items"]
    assert [(e["case_id"], e["restored_case_id"]) for e in pool] == [(case_id, body["case_id"])]
    second = checked_case()
    assert terminate(client, auth, second).status_code == 200
    assert restore(client, auth, second).json()["case_number"] == f"（{court_today().year}）豫0104执恢2号"


def test_restoration_numbers_after_those_already_filed(client, auth):
    make_case(type_code="执恢", filed_on=court_today())  # serial 50000+ from the filing division
    with session_scope(read_only=True) as session:
        highest = session.scalar(select(Case.serial).where(Case.type_code == "执恢"))
    case_id = checked_case()
    assert terminate(client, auth, case_id).status_code == 200
    number = restore(client, auth, case_id).json()["case_number"]
    assert number == f"（{court_today().year}）豫0104执恢{highest + 1}号"


def test_only_a_terminated_current_case_is_restored(client, auth):
    performed = make_team_case(1)
    assert close(client, auth, performed).status_code == 200
    response = restore(client, auth, performed)
    assert response.status_code == 409 and response.json()["allowed_actions"] == []
    open_case = make_team_case(1)
    response = restore(client, auth, open_case)
    assert response.status_code == 409 and "restore" not in response.json()["allowed_actions"]
    case_id = checked_case()
    assert terminate(client, auth, case_id).status_code == 200
    assert (
        restore(client, auth, case_id, restored_on="2020-01-01").json()["errors"][0]["field"] == "restored_on"
    )
    assert restore(client, auth, case_id, reason="").status_code == 422


@pytest.mark.parametrize("username", sorted(set(ALL_USERS) - {"comprehensive", "comprehensive-lead"}))
def test_only_the_comprehensive_group_restores(client, auth, username):
    case_id = checked_case()
    assert terminate(client, auth, case_id).status_code == 200
    assert restore(client, auth, case_id, username).status_code == 403


def test_concurrent_numbering_has_no_gaps_or_duplicates():
    workers, per_worker = 8, 5
    issued: list[int] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def draw() -> None:
        try:
            for _ in range(per_worker):
                with session_scope() as session:
                    serial = next_serial(session, year=2031, court_code="豫0104", type_code="执恢")
                with lock:
                    issued.append(serial)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=draw) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(issued) == list(range(1, workers * per_worker + 1))
    with session_scope() as session:  # another type code and year count on their own
        assert next_serial(session, year=2031, court_code="豫0104", type_code="执异") == 1
        assert next_serial(session, year=2032, court_code="豫0104", type_code="执恢") == 1
        assert next_serial(session, year=2031, court_code="豫0104", type_code="执恢", at_least=100) == 101
