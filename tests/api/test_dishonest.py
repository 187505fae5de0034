"""The dishonest list (失信): proposal by the handling judge, decision by the director, deletion (D11)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event

from app.database import get_engine
from app.policy import POLICY
from app.policy import Grant
from app.rules.termination_gate import months_after
from app.seed import DEMO_USERS
from app.settings import court_today
from tests.conftest import IS_POSTGRES
from tests.factories import add_measure
from tests.factories import make_team_case
from tests.factories import respondent_of
from tests.helpers import fields

ALL_USERS = sorted(u[0] for u in DEMO_USERS)
OTHER_BRIGADES = {u[0] for u in DEMO_USERS if u[1].startswith("brigade-") and u[1] != "brigade-1"}
BANNED = date(2026, 4, 1)


def propose(client, auth, case_id: int, user: str = "brigade1-judge", **body: object):
    body = {
        "respondent_id": respondent_of(case_id),
        "ground": "obstructs",
        "facts": "以暴力方法阻碍查封",
        "proposed_on": "2026-04-02",
        **body,
    }
    return client.post(f"/api/v1/cases/{case_id}/dishonest-listings", json=body, headers=auth(user))


def decide(client, auth, listing_id: int, user: str = "director", **body: object):
    body = {"decision": "approve", **body}
    return client.post(f"/api/v1/dishonest-listings/{listing_id}/decision", json=body, headers=auth(user))


def banned_case(**kwargs: object) -> int:
    case_id = make_team_case(1, **kwargs)
    add_measure(case_id, "consumption_ban", BANNED, signed_by="director", document_number="限制消费令1")
    return case_id


def active_listing(client, auth, **body: object) -> tuple[int, int]:
    case_id = banned_case()
    listing_id = propose(client, auth, case_id).json()["id"]
    response = decide(client, auth, listing_id, **body)
    assert response.status_code == 200, response.text
    return case_id, listing_id


def test_handling_judge_proposes(client, auth, user_ids):
    case_id = make_team_case(1)
    response = propose(client, auth, case_id, proposed_on="2026-04-02")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "proposed" and body["ground"] == "obstructs"
    assert body["allowed_actions"] == []  # the director decides, not the judge who proposed
    got = client.get(f"/api/v1/dishonest-listings/{body['id']}", headers=auth("director")).json()
    assert got["allowed_actions"] == ["decide"]
    assert body["proposed_by"] == user_ids["brigade1-judge"] and body["proposed_on"] == "2026-04-02"
    assert body["respondent_id"] == respondent_of(case_id)
    assert response.headers["location"] == f"/api/v1/dishonest-listings/{body['id']}"
    again = propose(client, auth, case_id)
    assert again.status_code == 409 and again.json()["listing_id"] == body["id"]


@pytest.mark.parametrize("username", sorted(set(ALL_USERS) - {"brigade1-judge"}))
def test_nobody_else_proposes(client, auth, username):
    case_id = make_team_case(1)
    assert propose(client, auth, case_id, username).status_code == (
        404 if username in OTHER_BRIGADES else 403
    )


def test_proposal_input_is_checked(client, auth):
    case_id = make_team_case(1)
    other = make_team_case(1)
    assert fields(propose(client, auth, case_id, respondent_id=respondent_of(other))) == {"respondent_id"}
    assert fields(propose(client, auth, case_id, ground="rude")) == {"ground"}
    assert fields(propose(client, auth, case_id, facts="")) == {"facts"}
    assert fields(propose(client, auth, case_id, proposed_on="2026-03-01")) == {"proposed_on"}
    body = {"respondent": respondent_of(case_id), "ground": "breaks_reporting_duty", "facts": "未报告财产"}
    response = client.post(
        f"/api/v1/cases/{case_id}/dishonest-listings", json=body, headers=auth("brigade1-judge")
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("username", sorted(set(ALL_USERS) - {"director"}))
def test_only_the_director_decides(client, auth, username):
    case_id = banned_case()
    listing_id = propose(client, auth, case_id).json()["id"]
    assert decide(client, auth, listing_id, username).status_code == 403


def test_the_proposing_judge_cannot_approve_their_own_proposal(client, auth):
    case_id = banned_case()
    listing_id = propose(client, auth, case_id).json()["id"]
    assert decide(client, auth, listing_id, "brigade1-judge").status_code == 403
    shown = client.get(f"/api/v1/dishonest-listings/{listing_id}", headers=auth("brigade1-judge")).json()
    assert shown["state"] == "proposed"


def test_nobody_decides_their_own_proposal_even_where_the_policy_lets_them_decide(client, auth, monkeypatch):
    # Plan §4: the director approves what the judge proposes. The check stands by itself: give the
    # brigade's judges the director's grant and the proposer is still refused, a teammate is not.
    judges_decide = Grant(frozenset({"brigade-1"}), frozenset({"judge"}))
    monkeypatch.setitem(POLICY, "dishonest.decide", (*POLICY["dishonest.decide"], judges_decide))
    case_id = banned_case()
    listing_id = propose(client, auth, case_id).json()["id"]
    url = f"/api/v1/dishonest-listings/{listing_id}"
    own = decide(client, auth, listing_id, "brigade1-judge")
    assert own.status_code == 403 and "you proposed this listing" in own.json()["detail"]
    assert client.get(url, headers=auth("brigade1-judge")).json()["allowed_actions"] == []
    assert client.get(url, headers=auth("brigade1-judge2")).json()["allowed_actions"] == ["decide"]
    teammate = decide(client, auth, listing_id, "brigade1-judge2")
    assert teammate.status_code == 200 and teammate.json()["state"] == "active"


def test_approval_needs_a_consumption_ban(client, auth):
    case_id = make_team_case(1)
    listing_id = propose(client, auth, case_id).json()["id"]
    response = decide(client, auth, listing_id)
    assert response.status_code == 409 and response.json()["missing"] == ["consumption_ban"]
    add_measure(case_id, "consumption_ban", BANNED, signed_by="director", document_number="限制消费令1")
    assert decide(client, auth, listing_id).status_code == 200


def test_the_consumption_ban_must_be_in_force_on_the_day_of_the_decision(client, auth):
    # DOMAIN.md §6: a listing rests on a consumption ban issued by the day it is decided.
    case_id = banned_case()
    listing_id = propose(client, auth, case_id, proposed_on="2026-03-30").json()["id"]
    day_before = decide(client, auth, listing_id, decided_on="2026-03-31")
    assert day_before.status_code == 409 and day_before.json()["missing"] == ["consumption_ban"]
    same_day = decide(client, auth, listing_id, decided_on=BANNED.isoformat())
    assert same_day.status_code == 200, same_day.text
    assert (same_day.json()["state"], same_day.json()["term_ends_on"]) == ("active", "2028-04-01")


def test_approved_listing_runs_two_years(client, auth, user_ids):
    _, listing_id = active_listing(client, auth, decided_on=court_today().isoformat())
    shown = client.get(f"/api/v1/dishonest-listings/{listing_id}", headers=auth("brigade1-judge"))
    body = shown.json()
    assert body["state"] == "active" and body["decided_by"] == user_ids["director"]
    assert body["term_years"] == 2 and body["term_ends_on"] == months_after(court_today(), 24).isoformat()
    assert body["allowed_actions"] == ["trigger_deletion"]
    assert shown.headers["etag"] == f'"{body["version"]}"'


def test_serious_cases_add_one_to_three_years_with_reasons(client, auth):
    case_id = banned_case()
    listing_id = propose(client, auth, case_id).json()["id"]
    assert fields(decide(client, auth, listing_id, extra_years=2)) == {"reason"}
    assert fields(decide(client, auth, listing_id, extra_years=4, reason="暴力抗拒执行")) == {"extra_years"}
    response = decide(
        client, auth, listing_id, extra_years=3, reason="暴力抗拒执行, 情节严重", decided_on="2026-05-01"
    )
    assert response.status_code == 200, response.text
    assert response.json()["term_years"] == 5 and response.json()["term_ends_on"] == "2031-05-01"


def test_able_but_refusing_has_no_fixed_term(client, auth):
    case_id = banned_case()
    listing_id = propose(client, auth, case_id, ground="able_but_refuses").json()["id"]
    assert fields(decide(client, auth, listing_id, extra_years=1, reason="情节严重")) == {"extra_years"}
    body = decide(client, auth, listing_id).json()
    assert body["state"] == "active" and body["term_years"] is None and body["term_ends_on"] is None


def test_refusal_needs_a_reason(client, auth):
    case_id = banned_case()
    listing_id = propose(client, auth, case_id).json()["id"]
    assert fields(decide(client, auth, listing_id, decision="refuse")) == {"reason"}
    response = decide(client, auth, listing_id, decision="refuse", reason="证据不足")
    assert response.status_code == 200 and response.json()["state"] == "refused"
    assert decide(client, auth, listing_id).status_code == 409
    assert propose(client, auth, case_id).status_code == 201  # a new proposal may follow


def test_payment_triggers_deletion_within_three_working_days(client, auth):
    case_id, listing_id = active_listing(client, auth, decided_on="2026-05-04")
    url = f"/api/v1/dishonest-listings/{listing_id}"
    for user in ("brigade1-judge2", "director", "comprehensive"):
        assert (
            client.post(f"{url}/deletion-trigger", json={"trigger": "paid"}, headers=auth(user)).status_code
            == 403
        )
    assert (
        client.post(
            f"{url}/deletion-trigger", json={"trigger": "paid"}, headers=auth("brigade2-judge")
        ).status_code
        == 404
    )
    early = client.post(
        f"{url}/deletion-trigger",
        json={"trigger": "paid", "triggered_on": "2026-05-03"},
        headers=auth("brigade1-judge"),
    )
    assert fields(early) == {"triggered_on"}
    response = client.post(
        f"{url}/deletion-trigger",
        json={"trigger": "paid", "triggered_on": "2026-11-02"},
        headers=auth("brigade1-judge"),
    )
    assert response.status_code == 200, response.text
    assert response.json()["state"] == "deletion_pending" and response.json()["deletion_trigger"] == "paid"
    d11 = [
        d
        for d in client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge")).json()["deadlines"]
        if d["rule"] == "D11"
    ]
    assert [(d["subject_id"], d["due_on"]) for d in d11] == [(listing_id, "2026-11-05")]
    assert (
        client.post(
            f"{url}/deletion-trigger", json={"trigger": "paid"}, headers=auth("brigade1-judge")
        ).status_code
        == 409
    )
    assert fields(
        client.post(f"{url}/deletion", json={"deleted_on": "2026-11-01"}, headers=auth("brigade1-judge2"))
    ) == {"deleted_on"}
    deleted = client.post(
        f"{url}/deletion", json={"deleted_on": "2026-11-04"}, headers=auth("brigade1-judge2")
    )
    assert deleted.status_code == 200 and deleted.json()["state"] == "deleted"
    d11 = [
        d
        for d in client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge")).json()["deadlines"]
        if d["rule"] == "D11"
    ]
    assert d11[0]["status"] == "met"


def test_term_ended_trigger_only_at_the_end_of_a_term(client, auth):
    _, listing_id = active_listing(client, auth, decided_on="2026-05-04")
    url = f"/api/v1/dishonest-listings/{listing_id}/deletion-trigger"
    response = client.post(
        url,
        json={"trigger": "term_ended", "triggered_on": court_today().isoformat()},
        headers=auth("brigade1-judge"),
    )
    assert fields(response) == {"triggered_on"}
    case_id = banned_case()
    untermed = propose(client, auth, case_id, ground="able_but_refuses").json()["id"]
    decide(client, auth, untermed)
    response = client.post(
        f"/api/v1/dishonest-listings/{untermed}/deletion-trigger",
        json={"trigger": "term_ended"},
        headers=auth("brigade1-judge"),
    )
    assert fields(response) == {"trigger"}


def test_deletion_before_trigger_is_out_of_order(client, auth):
    _, listing_id = active_listing(client, auth)
    response = client.post(
        f"/api/v1/dishonest-listings/{listing_id}/deletion", json={}, headers=auth("brigade1-judge")
    )
    assert response.status_code == 409 and response.json()["allowed_actions"] == ["trigger_deletion"]


@pytest.mark.parametrize(
    ("mode", "trigger", "extra"),
    [
        ("performed", "paid", {}),
        ("terminated", "enforcement_ended", {"document_number": "终结执行裁定1"}),
    ],
)
def test_closing_paid_triggers_deletion_which_is_recorded_after_closing(client, auth, mode, trigger, extra):
    case_id, listing_id = active_listing(client, auth, decided_on="2026-05-04")
    closed = client.post(
        f"/api/v1/cases/{case_id}/closure",
        headers=auth("brigade1-judge"),
        json={"mode": mode, "closed_on": "2026-11-02", **extra},
    )
    assert closed.status_code == 200, closed.text
    assert closed.json()["dishonest_deletions_triggered"] == [listing_id]
    shown = client.get(f"/api/v1/dishonest-listings/{listing_id}", headers=auth("director")).json()
    assert shown["state"] == "deletion_pending" and shown["deletion_trigger"] == trigger
    assert shown["deletion_triggered_on"] == "2026-11-02"
    deleted = client.post(
        f"/api/v1/dishonest-listings/{listing_id}/deletion",
        json={"deleted_on": "2026-11-03"},
        headers=auth("brigade1-judge"),
    )
    assert deleted.status_code == 200 and deleted.json()["state"] == "deleted"


def test_listings_per_case_and_by_state(client, auth):
    mine, active = active_listing(client, auth)
    proposed = propose(client, auth, banned_case()).json()["id"]
    other = make_team_case(2)
    others = propose(client, auth, other, "brigade2-judge").json()["id"]

    def ids(user: str, path: str = "/api/v1/dishonest-listings") -> list[int]:
        response = client.get(path, headers=auth(user))
        assert response.status_code == 200, response.text
        return [x["id"] for x in response.json()["items"]]

    assert ids("director") == [others, proposed, active]
    assert ids("director", "/api/v1/dishonest-listings?state=proposed") == [others, proposed]
    assert ids("brigade1-judge") == [proposed, active]
    assert ids("brigade2-judge2") == [others]
    assert ids("comprehensive", f"/api/v1/cases/{mine}/dishonest-listings") == [active]
    assert (
        client.get(f"/api/v1/cases/{mine}/dishonest-listings", headers=auth("brigade2-judge")).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/dishonest-listings/{active}", headers=auth("brigade2-judge")).status_code == 404
    )
    page = client.get("/api/v1/dishonest-listings?limit=2", headers=auth("deputy")).json()
    rest = client.get(
        f"/api/v1/dishonest-listings?limit=2&cursor={page['next_cursor']}", headers=auth("deputy")
    ).json()
    assert [x["id"] for x in page["items"] + rest["items"]] == [others, proposed, active]
    assert client.get("/api/v1/dishonest-listings?state=gone", headers=auth("deputy")).status_code == 422


@pytest.mark.skipif(not IS_POSTGRES, reason="row locks: needs PostgreSQL (set TEST_DATABASE_URL)")
def test_a_decision_locks_the_case_then_the_listing_and_a_read_locks_nothing(client, auth):
    # Every case command locks its case first (app.services.workflow.Workflow.for_action): the
    # director's decision on a listing and a judge's command on its case cannot interleave.
    case_id = banned_case()
    listing_id = propose(client, auth, case_id).json()["id"]
    statements: list[str] = []

    def seen(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        statements.append(" ".join(statement.split()))

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert (
            client.get(f"/api/v1/dishonest-listings/{listing_id}", headers=auth("director")).status_code
            == 200
        )
        assert not any("FOR UPDATE" in s for s in statements)
        assert decide(client, auth, listing_id).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    locks = [s for s in statements if "FOR UPDATE" in s]
    assert locks[0].startswith("SELECT") and 'FROM "case" WHERE "case".id = %(id_1)s' in locks[0]
    assert locks[0].endswith("FOR UPDATE")
    listing_lock = next(s for s in locks if "FROM dishonest_listing" in s)
    assert listing_lock.endswith("FOR UPDATE OF dishonest_listing")
    assert locks.index(listing_lock) > 0
