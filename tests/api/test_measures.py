"""Recording enforcement measures (plan §5(3)): who may, what each kind needs, who signs."""

from __future__ import annotations

from datetime import date
from datetime import timedelta

import pytest

from app.seed import DEMO_USERS
from app.settings import court_today
from tests.factories import add_measure
from tests.factories import add_termination_measures
from tests.factories import make_case
from tests.factories import make_fast_case
from tests.factories import make_filed_case
from tests.factories import make_team_case
from tests.factories import respondent_of
from tests.helpers import fields

ON = "2026-04-01"
TEAM_USERS = {"brigade1-judge", "brigade1-judge2"}
OTHER_BRIGADES = {u[0] for u in DEMO_USERS if u[1].startswith("brigade-") and u[1] != "brigade-1"}


def post(client, auth, case_id: int, user: str = "brigade1-judge", **body: object):
    return client.post(f"/api/v1/cases/{case_id}/measures", json=body, headers=auth(user))


def notice(user_ids, **overrides: object) -> dict:
    return {
        "kind": "execution_notice",
        "on": ON,
        "document_number": "（2026）豫0104执50001号",
        "signed_by": user_ids["brigade1-judge"],
        **overrides,
    }


def test_first_measure_starts_the_work_and_records_signer_and_date(client, auth, user_ids):
    case_id = make_team_case(1, state="triaged")
    response = post(client, auth, case_id, **notice(user_ids))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "execution_notice" and body["on"] == ON
    assert body["signed_by"] == user_ids["brigade1-judge"]
    assert body["recorded_by"] == user_ids["brigade1-judge"]
    assert response.headers["location"] == f"/api/v1/cases/{case_id}/measures/{body['id']}"
    case = client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge")).json()
    assert case["state"] == "in_progress"
    timeline = client.get(f"/api/v1/cases/{case_id}/timeline", headers=auth("brigade1-judge")).json()
    assert "measure.record" in [e["action"] for e in timeline["items"]]


def test_nobody_signs_for_the_handling_judge(client, auth, user_ids):
    # Plan §4 "谁办案谁负责": a signature is the signer's own act, under his own login.
    case_id = make_team_case(1)
    response = post(client, auth, case_id, "brigade1-judge2", **notice(user_ids))
    assert response.status_code == 422 and fields(response) == {"signed_by"}
    assert "his own login" in response.json()["errors"][0]["message"]


def test_fast_group_records_on_its_own_cases(client, auth, user_ids):
    case_id = make_fast_case()
    response = post(client, auth, case_id, "fast-judge", **notice(user_ids, signed_by=user_ids["fast-judge"]))
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("username", sorted({u[0] for u in DEMO_USERS} - TEAM_USERS))
def test_only_the_handling_team_records_measures(client, auth, user_ids, username):
    case_id = make_team_case(1)
    response = post(client, auth, case_id, username, **notice(user_ids))
    assert response.status_code == (404 if username in OTHER_BRIGADES else 403), response.text


def test_d2_needs_the_execution_notice_and_the_property_report_order(client, auth, user_ids):
    filed = date(2026, 1, 20)
    case_id = make_filed_case(
        filed, state="in_progress", unit_code="brigade-1", handler="brigade1-judge", track="ordinary"
    )

    def d2() -> dict:
        deadlines = client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge")).json()["deadlines"]
        return next(d for d in deadlines if d["rule"] == "D2")

    response = post(client, auth, case_id, **notice(user_ids, on="2026-01-22"))
    assert response.status_code == 201, response.text
    assert d2()["status"] == "open" and d2()["met_on"] is None
    response = post(client, auth, case_id, **notice(user_ids, kind="property_report_order", on="2026-01-26"))
    assert response.status_code == 201, response.text
    assert d2()["status"] == "met" and d2()["met_on"] == "2026-01-26" and d2()["met_late"] is False


@pytest.mark.parametrize(
    "kind", ["execution_notice", "property_report_order", "summons", "disposal_document"]
)
def test_documents_need_number_and_signer(client, auth, kind):
    case_id = make_team_case(1)
    response = post(client, auth, case_id, kind=kind, on=ON)
    assert response.status_code == 422
    assert fields(response) == {"document_number", "signed_by"}


def test_the_handling_judge_signs_ordinary_documents(client, auth, user_ids):
    case_id = make_team_case(1)
    for signer in ("brigade1-judge2", "director", "fast-judge"):
        response = post(client, auth, case_id, **notice(user_ids, signed_by=user_ids[signer]))
        assert response.status_code == 422, signer
        assert fields(response) == {"signed_by"}
    assert post(client, auth, case_id, **notice(user_ids, signed_by=999999)).status_code == 422


@pytest.mark.parametrize(
    ("kind", "extra"),
    [
        ("fine", {"amount": "60000.00"}),
        ("judicial_detention", {"detention_days": 15}),
        ("consumption_ban", {}),
    ],
)
def test_documents_reserved_for_the_president_are_reviewed_by_the_director_and_approved_by_him(
    client, auth, user_ids, kind, extra
):
    # CPL (2023) art. 119; SPC consumption-restriction rules art. 5; plan §4 (审核把关 by the director)
    case_id = make_team_case(1)
    body = {"kind": kind, "on": ON, "document_number": "（2026）豫0104执50001号之一", **extra}
    for signer in ("brigade1-judge", "director", "president"):
        response = post(client, auth, case_id, **body, signed_by=user_ids[signer])
        assert response.status_code == 422, signer
        assert fields(response) == {"signed_by"}
    response = post(client, auth, case_id, **body)
    assert response.status_code == 201, response.text
    measure = response.json()
    assert measure["signed_by"] is None and measure["approved_on"] is None
    url = f"/api/v1/cases/{case_id}/measures/{measure['id']}"
    # the director alone cannot approve; the president cannot approve before the director's review
    assert client.post(f"{url}/approval", headers=auth("director")).status_code == 403
    assert client.post(f"{url}/approval", headers=auth("president")).status_code == 409
    assert client.post(f"{url}/review", headers=auth("president")).status_code == 403
    reviewed = client.post(f"{url}/review", headers=auth("director"))
    assert reviewed.status_code == 200, reviewed.text
    assert reviewed.json()["reviewed_by"] == user_ids["director"]
    approved = client.post(f"{url}/approval", headers=auth("president")).json()
    assert approved["approved_by"] == approved["signed_by"] == user_ids["president"]
    assert approved["approved_on"] == court_today().isoformat()
    assert client.post(f"{url}/approval", headers=auth("president")).status_code == 409


def test_a_consumption_ban_counts_for_the_gate_only_once_the_president_approved_it(client, auth, user_ids):
    case_id = make_team_case(1, filed_on=date(2026, 3, 2))
    add_termination_measures(case_id, date(2026, 4, 1), skip=("consumption_ban",))
    ban = post(client, auth, case_id, kind="consumption_ban", on=ON, document_number="限消令1").json()
    close = {
        "mode": "terminated_current",
        "closed_on": "2026-07-01",
        "document_number": "（2026）豫0104执1号之二",
    }
    refused = client.post(f"/api/v1/cases/{case_id}/closure", json=close, headers=auth("brigade1-judge"))
    assert refused.status_code == 409 and refused.json()["missing"] == ["consumption_ban"]
    url = f"/api/v1/cases/{case_id}/measures/{ban['id']}"
    assert client.post(f"{url}/review", headers=auth("director")).status_code == 200
    assert client.post(f"{url}/approval", headers=auth("president")).status_code == 200
    closed = client.post(f"/api/v1/cases/{case_id}/closure", json=close, headers=auth("brigade1-judge"))
    assert closed.status_code == 200, closed.text


@pytest.mark.parametrize(
    ("amount", "status"),
    [
        ("60000.00", 201),
        ("50000", 201),
        ("49999.99", 422),
        ("1000000.01", 422),
        (60000.5, 422),
        ("-60000.00", 422),
        ("60000.001", 422),
        ("abc", 422),
        (None, 422),
    ],
)
def test_fine_amount_is_exact_and_within_the_law_for_an_organisation(client, auth, user_ids, amount, status):
    case_id = make_team_case(1)
    response = post(
        client,
        auth,
        case_id,
        kind="fine",
        on=ON,
        document_number="罚款决定书1",
        amount=amount,
        respondent_id=respondent_of(case_id),
    )
    assert response.status_code == status, response.text
    if status == 422:
        assert fields(response) == {"amount"}
    else:
        assert response.json()["amount"] == f"{float(amount):.2f}"


def test_amount_only_for_fines_and_payments(client, auth, user_ids):
    case_id = make_team_case(1)
    response = post(client, auth, case_id, **notice(user_ids, amount="10.00"))
    assert response.status_code == 422 and fields(response) == {"amount"}


@pytest.mark.parametrize("days", [None, 0, 16])
def test_detention_needs_at_most_fifteen_days(client, auth, user_ids, days):
    case_id = make_team_case(1)
    response = post(
        client,
        auth,
        case_id,
        kind="judicial_detention",
        on=ON,
        document_number="拘留决定书1",
        detention_days=days,
    )
    assert response.status_code == 422 and fields(response) == {"detention_days"}


def test_dates_not_in_the_future_nor_before_filing(client, auth, user_ids):
    case_id = make_team_case(1, filed_on=date(2026, 3, 2))
    tomorrow = (court_today() + timedelta(days=1)).isoformat()
    response = post(client, auth, case_id, **notice(user_ids, on=tomorrow))
    assert response.status_code == 422 and fields(response) == {"on"}
    response = post(client, auth, case_id, **notice(user_ids, on="2026-03-01"))
    assert response.status_code == 422 and fields(response) == {"on"}
    assert post(client, auth, case_id, **notice(user_ids, on="2026-03-02")).status_code == 201


def test_unknown_kind_and_unknown_field_are_422(client, auth, user_ids):
    case_id = make_team_case(1)
    assert fields(post(client, auth, case_id, kind="arrest", on=ON)) == {"kind"}
    assert fields(post(client, auth, case_id, **notice(user_ids, colour="red"))) == {"colour"}


def test_onsite_check_names_what_it_covered(client, auth):
    case_id = make_team_case(1)
    assert fields(post(client, auth, case_id, kind="onsite_property_check", on=ON)) == {"subtype"}
    assert fields(post(client, auth, case_id, kind="onsite_property_check", on=ON, subtype="boats")) == {
        "subtype"
    }
    assert fields(post(client, auth, case_id, kind="online_property_check", on=ON, subtype="vehicles")) == {
        "subtype"
    }
    response = post(
        client,
        auth,
        case_id,
        kind="onsite_property_check",
        on=ON,
        subtype="vehicles",
        result="车管所: 无登记车辆",
    )
    assert response.status_code == 201 and response.json()["subtype"] == "vehicles"


def test_respondent_must_be_a_respondent_of_the_case(client, auth, user_ids):
    case_id = make_team_case(1)
    other = make_team_case(1)
    response = post(
        client, auth, case_id, kind="missing_respondent_search", on=ON, respondent_id=respondent_of(other)
    )
    assert response.status_code == 422 and fields(response) == {"respondent_id"}


def test_deferral_lasts_at_most_three_months(client, auth, user_ids):
    case_id = make_team_case(1)
    base = {
        "kind": "suspension",
        "subtype": "deferral",
        "on": ON,
        "document_number": "暂缓执行决定书1",
        "signed_by": user_ids["brigade1-judge"],
    }
    response = post(client, auth, case_id, **base, starts_on=ON, ends_on="2026-07-02")
    assert response.status_code == 422 and fields(response) == {"ends_on"}
    assert fields(post(client, auth, case_id, **base)) == {"ends_on"}
    response = post(client, auth, case_id, **base, starts_on=ON, ends_on="2026-07-01")
    assert response.status_code == 201, response.text
    assert response.json()["starts_on"] == ON and response.json()["ends_on"] == "2026-07-01"


def test_a_deferral_resumes_the_clocks_the_day_after_its_last_day(client, auth, user_ids):
    case_id = make_filed_case(
        date(2026, 3, 2),
        state="in_progress",
        unit_code="brigade-1",
        handler="brigade1-judge",
        track="ordinary",
    )
    deferral = {
        "kind": "suspension",
        "subtype": "deferral",
        "on": "2026-03-05",
        "starts_on": "2026-03-05",
        "ends_on": "2026-04-04",
        "document_number": "暂缓执行决定书2",
        "signed_by": user_ids["brigade1-judge"],
    }
    assert post(client, auth, case_id, **deferral).status_code == 201
    deadlines = client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge")).json()["deadlines"]
    by_rule = {d["rule"]: d for d in deadlines}
    # 31 days paused (5 March to 4 April), no resumption recorded: D2 and D3 run again from 5 April.
    assert (by_rule["D2"]["status"], by_rule["D2"]["due_on"]) == ("open", "2026-04-13")
    assert (by_rule["D3"]["status"], by_rule["D3"]["due_on"]) == ("open", "2026-10-08")


def test_suspension_pauses_and_its_end_resumes(client, auth, user_ids):
    case_id = make_team_case(1)
    response = post(client, auth, case_id, kind="suspension", suspension_kind="appraisal_auction", on=ON)
    assert response.status_code == 201, response.text
    suspension_id = response.json()["id"]
    assert response.json()["starts_on"] == ON and response.json()["subtype"] == "appraisal_auction"
    early = post(client, auth, case_id, kind="suspension_end", on="2026-03-31")
    assert early.status_code == 422 and fields(early) == {"on"}
    ended = post(client, auth, case_id, kind="suspension_end", on="2026-05-01")
    assert ended.status_code == 201, ended.text
    assert ended.json()["suspension_id"] == suspension_id
    listed = client.get(
        f"/api/v1/cases/{case_id}/measures?kind=suspension", headers=auth("brigade1-judge")
    ).json()
    assert listed["items"][0]["ended_on"] == "2026-05-01"
    again = post(client, auth, case_id, kind="suspension_end", on="2026-05-02")
    assert again.status_code == 409


def test_payment_received_raises_the_paid_amount(client, auth):
    case_id = make_team_case(1)
    assert post(client, auth, case_id, kind="payment_received", on=ON, amount="30000.00").status_code == 201
    assert post(client, auth, case_id, kind="payment_received", on=ON, amount="0.01").status_code == 201
    case = client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge")).json()
    assert case["paid_amount"] == "30000.01"
    assert fields(post(client, auth, case_id, kind="payment_received", on=ON)) == {"amount"}


def test_measures_are_refused_before_allocation_and_after_closing(client, auth, user_ids):
    registered = make_case(state="registered", unit_code="brigade-1", handler="brigade1-judge")
    response = post(client, auth, registered, **notice(user_ids))
    assert response.status_code == 409 and response.json()["allowed_actions"] == ["record_asset"]
    closed = make_team_case(1, state="closed")
    response = post(client, auth, closed, **notice(user_ids))
    assert response.status_code == 409
    assert response.json()["allowed_actions"] == []


def test_stale_if_match_is_412(client, auth, user_ids):
    case_id = make_team_case(1)
    response = client.post(
        f"/api/v1/cases/{case_id}/measures",
        json=notice(user_ids),
        headers=auth("brigade1-judge", **{"If-Match": '"99"'}),
    )
    assert response.status_code == 412


def test_idempotency_key_replays_the_first_measure(client, auth, user_ids):
    case_id = make_team_case(1)
    headers = auth("brigade1-judge", **{"Idempotency-Key": "measure-1"})
    first = client.post(f"/api/v1/cases/{case_id}/measures", json=notice(user_ids), headers=headers)
    again = client.post(f"/api/v1/cases/{case_id}/measures", json=notice(user_ids), headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    other = client.post(
        f"/api/v1/cases/{case_id}/measures", json=notice(user_ids, on="2026-04-02"), headers=headers
    )
    assert other.status_code == 409


def test_list_measures_in_pages_for_who_may_see_the_case(client, auth):
    case_id = make_team_case(1)
    for day in (1, 2, 3):
        add_measure(case_id, "online_property_check", date(2026, 4, day))
    first = client.get(f"/api/v1/cases/{case_id}/measures?limit=2", headers=auth("brigade1-judge")).json()
    assert [m["on"] for m in first["items"]] == ["2026-04-01", "2026-04-02"]
    second = client.get(
        f"/api/v1/cases/{case_id}/measures?limit=2&cursor={first['next_cursor']}",
        headers=auth("comprehensive"),
    ).json()
    assert [m["on"] for m in second["items"]] == ["2026-04-03"] and second["next_cursor"] is None
    assert client.get(f"/api/v1/cases/{case_id}/measures", headers=auth("brigade2-judge")).status_code == 404
    measure_id = first["items"][0]["id"]
    one = client.get(f"/api/v1/cases/{case_id}/measures/{measure_id}", headers=auth("director"))
    assert one.status_code == 200 and one.json()["kind"] == "online_property_check"
    assert (
        client.get(f"/api/v1/cases/{case_id}/measures?cursor=bogus", headers=auth("director")).status_code
        == 422
    )
