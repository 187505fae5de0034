"""Whole cases walked through the API: a fast-track case paid and closed; an ordinary case through
centralised disposal and back; a 终本 refused too early and accepted later; a dishonest listing.
Each role that may not perform a step gets 403 (404 for a brigade that cannot see the case)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from datetime import timedelta
from types import SimpleNamespace

import pytest

from app.database import session_scope
from app.models.case import PropertyClue
from app.policy import BRIGADES
from app.policy import actor_may
from app.rules.termination_gate import months_after
from app.seed import DEMO_USERS
from app.settings import court_today
from tests.factories import add_measure
from tests.factories import add_termination_measures
from tests.factories import case_body
from tests.factories import make_disposal_ready_case
from tests.factories import make_team_case
from tests.factories import respondent_of

ALL_USERS = sorted(u[0] for u in DEMO_USERS)
UNIT_OF = {u[0]: u[1] for u in DEMO_USERS}
ROLES_OF = {u[0]: u[2] for u in DEMO_USERS}


def api(client, auth, user: str, path: str, body: dict | None = None, expect: int = 200) -> dict:
    response = client.post(f"/api/v1{path}", json=body or {}, headers=auth(user))
    assert response.status_code == expect, response.text
    return response.json()


def approve_presidents_document(client, auth, case_id: int, measure_id: int) -> None:  # noqa: ANN001
    """The director reviews, then the president approves, each under his own login (plan §4, CPL art. 119)."""
    api(client, auth, "director", f"/cases/{case_id}/measures/{measure_id}/review")
    api(client, auth, "president", f"/cases/{case_id}/measures/{measure_id}/approval")


def get(client, auth, user: str, path: str) -> dict:
    response = client.get(f"/api/v1{path}", headers=auth(user))
    assert response.status_code == 200, response.text
    return response.json()


def test_fast_track_case_paid_in_full_and_closed_as_performed(client, auth, user_ids):
    filed = court_today() - timedelta(days=20)
    body = case_body(700, year=filed.year, filed_on=filed.isoformat(), claim_amount="45000.00")
    case_id = api(client, auth, "filing-bot", "/cases", body, expect=201)["id"]
    api(
        client,
        auth,
        "comprehensive",
        f"/cases/{case_id}/registration",
        {"registered_on": filed.isoformat(), "investigation_completed": True, "willing_to_perform": True},
    )
    triage = api(client, auth, "comprehensive", f"/cases/{case_id}/triage")
    assert triage["track"] == "simple" and triage["unit"] == "fast"
    judge = "fast-judge"
    assert triage["handler_id"] == user_ids[judge]

    day = (filed + timedelta(days=2)).isoformat()
    api(
        client,
        auth,
        judge,
        f"/cases/{case_id}/measures",
        {
            "kind": "execution_notice",
            "on": day,
            "document_number": f"（{filed.year}）豫0104执700号之一",
            "signed_by": user_ids[judge],
        },
        expect=201,
    )
    assert get(client, auth, judge, f"/cases/{case_id}")["state"] == "in_progress"
    api(
        client,
        auth,
        judge,
        f"/cases/{case_id}/measures",
        {"kind": "payment_received", "on": (filed + timedelta(days=9)).isoformat(), "amount": "45000.00"},
        expect=201,
    )
    closed = api(
        client,
        auth,
        judge,
        f"/cases/{case_id}/closure",
        {"mode": "performed", "closed_on": (filed + timedelta(days=10)).isoformat()},
    )
    assert closed["state"] == "closed" and closed["mode"] == "performed"

    case = get(client, auth, "director", f"/cases/{case_id}")
    assert case["paid_amount"] == "45000.00" and case["closure_mode"] == "performed"
    clocks = {d["rule"]: d["status"] for d in case["deadlines"]}
    assert clocks["D1"] == clocks["D2"] == clocks["D3"] == "met"
    refused = client.post(
        f"/api/v1/cases/{case_id}/measures",
        headers=auth(judge),
        json={"kind": "mediation", "on": court_today().isoformat()},
    )
    assert refused.status_code == 409 and refused.json()["allowed_actions"] == []
    actions = [e["action"] for e in get(client, auth, "director", f"/cases/{case_id}/timeline")["items"]]
    assert {"measure.record", "case.close"} <= set(actions)


def test_ordinary_case_through_centralised_disposal_and_back_to_its_team(client, auth, user_ids):
    judge = "brigade1-judge"
    case_id = make_team_case(1, state="triaged", filed_on=date(2026, 3, 2))
    # refused without a served disposal document signed by the handling judge
    missing = api(client, auth, judge, f"/cases/{case_id}/disposal-transfers", expect=409)
    assert missing["missing"] == ["disposal_document"]
    unsigned = client.post(
        f"/api/v1/cases/{case_id}/measures",
        headers=auth("brigade1-judge2"),
        json={
            "kind": "disposal_document",
            "on": "2026-04-01",
            "document_number": "拍卖裁定1",
            "signed_by": user_ids["brigade1-judge2"],
        },
    )
    assert unsigned.status_code == 422 and unsigned.json()["errors"][0]["field"] == "signed_by"
    api(
        client,
        auth,
        judge,
        f"/cases/{case_id}/measures",
        {
            "kind": "disposal_document",
            "on": "2026-04-01",
            "document_number": "（2026）豫0104执50001号拍卖裁定",
            "signed_by": user_ids[judge],
        },
        expect=201,
    )
    transfer = api(
        client,
        auth,
        judge,
        f"/cases/{case_id}/disposal-transfers",
        {"requested_on": "2026-04-02", "notes": "住宅一套"},
        expect=201,
    )
    url = f"/disposal-transfers/{transfer['id']}"

    # without the deputy director's approval the case is not at disposal
    assert get(client, auth, judge, f"/cases/{case_id}")["state"] == "in_progress"
    api(
        client,
        auth,
        "disposal",
        f"{url}/tasks",
        {"kind": "seal", "on": "2026-04-03", "result": "查封"},
        expect=409,
    )
    for user in (judge, "director", "comprehensive-lead"):
        api(client, auth, user, f"{url}/approval", {"decision": "approve"}, expect=403)
    approved = api(
        client, auth, "deputy", f"{url}/approval", {"decision": "approve", "decided_on": "2026-04-03"}
    )
    assert approved["state"] == "approved"
    case = get(client, auth, judge, f"/cases/{case_id}")
    assert case["state"] == "at_disposal" and case["unit"] == "brigade-1"
    api(client, auth, judge, f"/cases/{case_id}/closure", {"mode": "performed"}, expect=409)

    for kind, on, result, amount in (
        ("announce", "2026-04-10", "发布拍卖公告", None),
        ("appraise", "2026-04-20", "评估价 600000.00", "600000.00"),
        ("auction", "2026-06-01", "一拍成交", "520000.00"),
    ):
        api(
            client,
            auth,
            "disposal",
            f"{url}/tasks",
            {"kind": kind, "on": on, "result": result, "amount": amount},
            expect=201,
        )
    returned = api(
        client,
        auth,
        "disposal",
        f"{url}/return",
        {"returned_on": "2026-06-10", "amount_realised": "520000.00", "result": "拍卖成交, 款项到账"},
    )
    assert returned["state"] == "returned" and returned["amount_realised"] == "520000.00"
    assert [t["kind"] for t in returned["tasks"]] == ["announce", "appraise", "auction"]
    case = get(client, auth, judge, f"/cases/{case_id}")
    assert (case["state"], case["unit"], case["handler_id"]) == ("in_progress", "brigade-1", user_ids[judge])

    api(
        client,
        auth,
        judge,
        f"/cases/{case_id}/measures",
        {"kind": "payment_received", "on": "2026-06-15", "amount": "80000.00"},
        expect=201,
    )
    # The proceeds wait in the case's account: closing waits until the fee is paid to the court and
    # what is left goes back to the respondent, the claim being paid.
    api(client, auth, judge, f"/cases/{case_id}/closure", {"mode": "performed"}, expect=409)
    ledger = get(client, auth, judge, f"/cases/{case_id}/ledger")
    assert (ledger["balance"], ledger["fee_due"], ledger["available_for_respondents"]) == (
        "520000.00",
        "1100.00",
        "518900.00",
    )
    surplus = {
        "kind": "respondent",
        "amount": "518900.00",
        "payee_party_id": respondent_of(case_id),
        "payee_account": "6222020200998877665",
    }
    for body, approver in (({"kind": "fee", "amount": "1100.00"}, "deputy"), (surplus, "director")):
        payout = api(client, auth, judge, f"/cases/{case_id}/payouts", body, expect=201)
        api(client, auth, approver, f"/payouts/{payout['id']}/approval", {"decision": "approve"})
        api(
            client,
            auth,
            "finance",
            f"/payouts/{payout['id']}/execution",
            {"bank_reference": f"ICBC-{payout['id']}"},
        )
    closed = api(
        client, auth, judge, f"/cases/{case_id}/closure", {"mode": "performed", "closed_on": "2026-06-20"}
    )
    assert closed["state"] == "closed"


def test_termination_refused_at_two_months_then_accepted_after_three_with_every_check(client, auth, user_ids):
    judge = "brigade1-judge"
    filed = months_after(court_today(), -4)
    case_id = make_team_case(1, state="triaged", filed_on=filed)
    closure = {"mode": "terminated_current", "document_number": f"（{filed.year}）豫0104执50001号之三"}
    # the applicant gave a clue and the respondent cannot be found: both are checked (终本 rules art. 1(3))
    with session_scope() as session:
        session.add(PropertyClue(case_id=case_id, kind="bank_deposit", description="工商银行账户"))
    add_measure(case_id, "whereabouts_unknown", filed + timedelta(days=1))

    early = months_after(filed, 2)
    refused = api(
        client,
        auth,
        judge,
        f"/cases/{case_id}/closure",
        {**closure, "closed_on": early.isoformat()},
        expect=409,
    )
    assert refused["missing"] == [
        "execution_notice",
        "property_report_order",
        "consumption_ban",
        "online_property_check",
        "onsite_property_check",
        "applicant_clues_verified",
        "missing_respondent_search",
        "applicant_heard",
        "three_months_since_filing",
    ]

    on = (filed + timedelta(days=5)).isoformat()
    respondent = respondent_of(case_id)
    me = user_ids[judge]
    for measure in (
        {"kind": "execution_notice", "document_number": "执行通知书1", "signed_by": me},
        {"kind": "property_report_order", "document_number": "报告财产令1", "signed_by": me},
        {"kind": "consumption_ban", "document_number": "限制消费令1", "respondent_id": respondent},
        {"kind": "online_property_check", "result": "网络查控: 无存款、车辆、不动产"},
        {"kind": "onsite_property_check", "subtype": "real_estate", "result": "不动产登记中心: 无"},
        {"kind": "onsite_property_check", "subtype": "vehicles", "result": "车管所: 无"},
        {"kind": "onsite_property_check", "subtype": "business_registration", "result": "市场监管局: 已吊销"},
        {"kind": "applicant_clues", "result": "申请人提供的银行账户已核查, 余额为零"},
        {"kind": "missing_respondent_search", "respondent_id": respondent, "result": "法定代表人已找到"},
        {"kind": "applicant_heard", "result": "申请人同意终结本次执行程序"},
    ):
        recorded = api(client, auth, judge, f"/cases/{case_id}/measures", {"on": on, **measure}, expect=201)
        if measure["kind"] == "consumption_ban":
            approve_presidents_document(client, auth, case_id, recorded["id"])

    still_early = api(
        client,
        auth,
        judge,
        f"/cases/{case_id}/closure",
        {**closure, "closed_on": months_after(filed, 3).isoformat()},
        expect=409,
    )
    assert still_early["missing"] == ["three_months_since_filing"]
    closed = api(
        client, auth, judge, f"/cases/{case_id}/closure", {**closure, "closed_on": court_today().isoformat()}
    )
    assert closed["mode"] == "terminated_current"

    pool = get(client, auth, "brigade1-judge2", "/termination-pool")["items"]
    assert [p["case_id"] for p in pool] == [case_id]
    assert pool[0]["next_recheck_on"] == months_after(court_today(), 6).isoformat()
    assert (
        pool[0]["rechecks"][0] == months_after(court_today(), 6).isoformat()
        and len(pool[0]["rechecks"]) == 10
    )
    assert get(client, auth, "brigade2-judge", "/termination-pool")["items"] == []

    restored = api(
        client,
        auth,
        "comprehensive",
        f"/cases/{case_id}/restoration",
        {"reason": "发现被执行人新登记房产"},
        expect=201,
    )
    assert (
        restored["case_number"] == f"（{court_today().year}）豫0104执恢1号" and restored["state"] == "filed"
    )


def test_dishonest_listing_refused_to_the_judges_own_approval_and_approved_by_the_director(
    client, auth, user_ids
):
    judge = "brigade1-judge"
    case_id = make_team_case(1)
    respondent = respondent_of(case_id)
    listing = api(
        client,
        auth,
        judge,
        f"/cases/{case_id}/dishonest-listings",
        {
            "respondent_id": respondent,
            "ground": "breaks_reporting_duty",
            "facts": "拒不报告财产",
            "proposed_on": "2026-04-10",
        },
        expect=201,
    )
    url = f"/dishonest-listings/{listing['id']}"
    api(client, auth, judge, f"{url}/decision", {"decision": "approve"}, expect=403)
    api(
        client, auth, "director", f"{url}/decision", {"decision": "approve"}, expect=409
    )  # no consumption ban yet
    ban = api(
        client,
        auth,
        judge,
        f"/cases/{case_id}/measures",
        {
            "kind": "consumption_ban",
            "on": "2026-04-12",
            "document_number": "限制消费令2",
            "respondent_id": respondent,
        },
        expect=201,
    )
    api(client, auth, "director", f"{url}/decision", {"decision": "approve"}, expect=409)  # not approved yet
    approve_presidents_document(client, auth, case_id, ban["id"])
    approved = api(
        client, auth, "director", f"{url}/decision", {"decision": "approve", "decided_on": "2026-04-15"}
    )
    assert approved["state"] == "active" and approved["term_ends_on"] == "2028-04-15"
    listed = get(client, auth, "comprehensive", "/dishonest-listings?state=active")["items"]
    assert [x["id"] for x in listed] == [listing["id"]]


# Who may perform each step: every other demo user gets 403, or 404 from a brigade that cannot see the case.


def _case() -> int:
    return make_team_case(1)


def _transfer(client, auth, approve: bool) -> str:
    transfer = api(
        client,
        auth,
        "brigade1-judge",
        f"/cases/{make_disposal_ready_case()}/disposal-transfers",
        {"requested_on": "2026-04-02"},
        expect=201,
    )
    if approve:
        api(
            client,
            auth,
            "deputy",
            f"/disposal-transfers/{transfer['id']}/approval",
            {"decision": "approve", "decided_on": "2026-04-03"},
        )
    return f"/disposal-transfers/{transfer['id']}"


def _listing(client, auth, approve: bool) -> str:
    case_id = make_team_case(1)
    add_measure(case_id, "consumption_ban", date(2026, 4, 1), signed_by="director", document_number="限1")
    listing = api(
        client,
        auth,
        "brigade1-judge",
        f"/cases/{case_id}/dishonest-listings",
        {
            "respondent_id": respondent_of(case_id),
            "ground": "obstructs",
            "facts": "阻碍执行",
            "proposed_on": "2026-04-02",
        },
        expect=201,
    )
    if approve:
        api(
            client,
            auth,
            "director",
            f"/dishonest-listings/{listing['id']}/decision",
            {"decision": "approve", "decided_on": "2026-04-03"},
        )
    return f"/dishonest-listings/{listing['id']}"


def _terminated(client, auth) -> int:
    case_id = make_team_case(1, filed_on=months_after(court_today(), -5))
    add_termination_measures(case_id, months_after(court_today(), -4))
    api(
        client,
        auth,
        "brigade1-judge",
        f"/cases/{case_id}/closure",
        {"mode": "terminated_current", "document_number": "终本裁定1"},
    )
    return case_id


Step = Callable[..., tuple[str, dict]]
# step: (prepare → (path, body), policy action, users who may perform it)
STEPS: dict[str, tuple[Step, str, set[str]]] = {
    "record_measure": (
        lambda c, a: (f"/cases/{_case()}/measures", {"kind": "mediation", "on": "2026-04-01"}),
        "measure.record",
        {"brigade1-judge", "brigade1-judge2"},
    ),
    "request_disposal": (
        lambda c, a: (f"/cases/{make_disposal_ready_case()}/disposal-transfers", {}),
        "disposal.request",
        {"brigade1-judge"},
    ),
    "approve_disposal": (
        lambda c, a: (f"{_transfer(c, a, False)}/approval", {"decision": "approve"}),
        "disposal.approve",
        {"deputy"},
    ),
    "disposal_task": (
        lambda c, a: (
            f"{_transfer(c, a, True)}/tasks",
            {"kind": "seal", "on": "2026-04-05", "result": "查封"},
        ),
        "disposal.work",
        {"disposal"},
    ),
    "disposal_return": (
        lambda c, a: (f"{_transfer(c, a, True)}/return", {"amount_realised": "0.00"}),
        "disposal.work",
        {"disposal"},
    ),
    "close": (
        lambda c, a: (f"/cases/{_case()}/closure", {"mode": "performed"}),
        "case.close",
        {"brigade1-judge"},
    ),
    "propose_dishonest": (
        lambda c, a: (
            f"/cases/{_case()}/dishonest-listings",
            {"respondent_id": 1, "ground": "obstructs", "facts": "阻碍执行"},
        ),
        "dishonest.propose",
        {"brigade1-judge"},
    ),
    "decide_dishonest": (
        lambda c, a: (f"{_listing(c, a, False)}/decision", {"decision": "approve"}),
        "dishonest.decide",
        {"director"},
    ),
    "trigger_deletion": (
        lambda c, a: (f"{_listing(c, a, True)}/deletion-trigger", {"trigger": "paid"}),
        "dishonest.trigger_deletion",
        {"brigade1-judge"},
    ),
    "restore": (
        lambda c, a: (f"/cases/{_terminated(c, a)}/restoration", {"reason": "发现财产"}),
        "case.restore",
        {"comprehensive", "comprehensive-lead"},
    ),
}
FORBIDDEN = [
    (step, user)
    for step, (_, _, allowed) in sorted(STEPS.items())
    for user in ALL_USERS
    if user not in allowed
]


def _expected(step: str, username: str) -> int:
    # A brigade whose role the policy admits but that cannot see another brigade's case gets 404.
    actor = SimpleNamespace(id=0, unit_code=UNIT_OF[username], roles=ROLES_OF[username])
    hidden = UNIT_OF[username] in BRIGADES and UNIT_OF[username] != "brigade-1"
    return 404 if hidden and actor_may(actor, STEPS[step][1]) else 403


@pytest.mark.parametrize(("step", "username"), FORBIDDEN)
def test_each_step_only_by_its_role(client, auth, step, username):
    path, body = STEPS[step][0](client, auth)
    response = client.post(f"/api/v1{path}", json=body, headers=auth(username))
    assert response.status_code == _expected(step, username), response.text
