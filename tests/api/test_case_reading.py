"""Reading cases: one case, the case list and a case's timeline, as each desk sees them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from app.database import session_scope
from app.models.case import Case
from app.models.triage_decision import TriageDecision
from app.models.user import User
from tests.factories import case_body
from tests.factories import make_case
from tests.factories import make_team_case
from tests.factories import resident_id
from tests.factories import uscc

URL = "/api/v1/cases"


def _file(client, auth, serial: int = 123, **overrides) -> dict:  # noqa: ANN001
    response = client.post(URL, json=case_body(serial, **overrides), headers=auth("registrar"))
    assert response.status_code == 201, response.text
    return response.json()


def _ids(response) -> list[int]:  # noqa: ANN001
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


# One case ----------------------------------------------------------------------------------------


def test_read_a_case_with_version_and_etag(client, auth):
    case = _file(client, auth)
    response = client.get(f"{URL}/{case['id']}", headers=auth("director"))
    assert response.status_code == 200
    assert response.headers["etag"] == '"1"'
    body = response.json()
    assert body["version"] == 1 and body["state"] == "filed"
    assert set(body) >= {
        "state",
        "track",
        "unit",
        "handler_id",
        "deadlines",
        "version",
        "allowed_actions",
        "closure_mode",
        "closed_on",
        "origin_case_id",
        "property_clues",
        "assets",
        "triage",
    }


def test_etag_follows_the_version_and_if_none_match_gives_304(client, auth):
    case_id = make_team_case(1)
    headers = auth("brigade1-judge")
    assert client.get(f"{URL}/{case_id}", headers=headers).headers["etag"] == '"1"'
    assert client.get(f"{URL}/{case_id}", headers=headers | {"If-None-Match": '"1"'}).status_code == 304
    with session_scope() as session:
        session.get(Case, case_id).state = "at_disposal"
    changed = client.get(f"{URL}/{case_id}", headers=headers | {"If-None-Match": '"1"'})
    assert changed.status_code == 200
    assert changed.headers["etag"] == '"2"' and changed.json()["version"] == 2


def test_unknown_case_is_404_problem(client, auth):
    response = client.get(f"{URL}/999999", headers=auth("director"))
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_brigade_sees_its_own_cases_only(client, auth):
    own, other = make_team_case(1), make_team_case(2)
    assert client.get(f"{URL}/{own}", headers=auth("brigade1-judge2")).status_code == 200
    assert client.get(f"{URL}/{other}", headers=auth("brigade1-judge")).status_code == 404
    assert client.get(f"{URL}/{other}/timeline", headers=auth("brigade1-judge")).status_code == 404
    unallocated = make_case()
    assert client.get(f"{URL}/{unallocated}", headers=auth("brigade1-judge")).status_code == 404
    assert _ids(client.get(URL, headers=auth("brigade1-judge"))) == [own]
    assert _ids(client.get(URL, headers=auth("brigade1-judge") | {}, params={"unit": "brigade-2"})) == []
    assert sorted(_ids(client.get(URL, headers=auth("comprehensive")))) == sorted([own, other, unallocated])


@pytest.mark.parametrize(
    ("username", "full"),
    [
        ("registrar", False),
        ("comprehensive", True),
        ("objection-judge", True),
        ("brigade1-judge", True),
        ("brigade1-judge2", True),
        ("director", False),
        ("disposal", False),
        ("admin", False),
        ("fast-judge", False),
    ],
)
def test_resident_id_numbers_are_masked_for_roles_that_do_not_need_them(client, auth, username, full):
    case_id = make_team_case(1)
    body = client.get(f"{URL}/{case_id}", headers=auth(username)).json()
    applicant, respondent = body["applicants"][0], body["respondents"][0]
    if full:
        assert applicant["id_number"] == "11010519491231002X" and applicant["id_number_masked"] is False
    else:
        assert applicant["id_number"] == "110105********002X" and applicant["id_number_masked"] is True
    assert respondent["id_number"] == "91350100M000100Y43"  # a company's code is public registry data
    assert [p["role"] for p in body["parties"]] == ["applicant", "respondent"]


@pytest.mark.parametrize(
    ("username", "state", "included", "excluded"),
    [
        ("comprehensive", "filed", {"register", "record_asset"}, {"triage", "close"}),
        ("comprehensive", "registered", {"record_asset", "triage"}, {"register", "close"}),
        ("director", "registered", set(), {"register", "record_asset", "triage"}),
        (
            "brigade1-judge",
            "in_progress",
            {
                "record_asset",
                "record_measure",
                "request_disposal",
                "close",
                "propose_dishonest",
                "refer_refusal",
            },
            {"register", "triage", "handback"},
        ),
        (
            "brigade1-judge2",
            "in_progress",
            {"record_asset", "record_measure", "refer_refusal"},
            {"close", "request_disposal", "propose_dishonest"},
        ),
        ("comprehensive", "closed", {"restore"}, {"close", "record_measure"}),
        # a 终本 case's seals and re-checks stay with its team (SPC 终本 rules 2016 art. 9)
        ("brigade1-judge", "closed", {"control_asset", "recheck_pool"}, {"restore"}),
        ("comprehensive", "closed_performed", set(), {"restore"}),
    ],
)
def test_allowed_actions_follow_state_and_policy(client, auth, username, state, included, excluded):
    on_team = username.startswith("brigade") or state.startswith("closed")
    mode = {"closed": "terminated_current", "closed_performed": "performed"}.get(state)
    state = "closed" if mode else state
    case_id = make_team_case(1, state=state, closure_mode=mode) if on_team else make_case(state=state)
    allowed = set(client.get(f"{URL}/{case_id}", headers=auth(username)).json()["allowed_actions"])
    assert included <= allowed
    assert not excluded & allowed
    if not included:
        assert allowed == set()


def test_the_latest_triage_decision_is_shown(client, auth, user_ids):
    case_id = make_team_case(2, state="triaged")
    with session_scope() as session:
        for kind, unit, track in (("triage", "fast", "simple"), ("handback", "brigade-2", "ordinary")):
            session.add(
                TriageDecision(
                    case_id=case_id,
                    kind=kind,
                    track=track,
                    rules=[{"id": "T6", "explanation": "claim ≤ 50,000"}],
                    rule_set_version="2021-03-plan-v1",
                    inputs={},
                    unit_code=unit,
                    allocation_reason="fewest open",
                    handler_id=user_ids["brigade2-judge"],
                    decided_by_id=user_ids["comprehensive"],
                    reason="too complex" if kind == "handback" else None,
                )
            )
            session.flush()
    triage = client.get(f"{URL}/{case_id}", headers=auth("brigade2-judge")).json()["triage"]
    assert triage["kind"] == "handback" and triage["track"] == "ordinary" and triage["unit"] == "brigade-2"
    assert triage["handler_id"] == user_ids["brigade2-judge"]
    assert triage["decided_by"] == "comprehensive" and triage["reason"] == "too complex"
    assert triage["rules"] == [{"id": "T6", "explanation": "claim ≤ 50,000"}]


def test_the_case_shows_the_clocks_its_filing_started(client, auth):
    from app.schemas.deadline import DeadlineRead
    from app.services import deadline_clocks

    case = _file(client, auth, filed_on="2026-03-02")
    body = client.get(f"{URL}/{case['id']}", headers=auth("comprehensive")).json()
    with session_scope(read_only=True) as session:
        clocks = deadline_clocks.list_for_case(session, case["id"])
        expected = [DeadlineRead.model_validate(d).model_dump(mode="json") for d in clocks]
    assert body["deadlines"] == expected
    assert {"D1", "D2", "D3", "D4"} <= {d["rule"] for d in body["deadlines"]}
    assert all({"rule", "due_on", "status", "provisional"} <= set(d) for d in body["deadlines"])
    assert case["deadlines"] == body["deadlines"]


def test_the_case_read_agrees_with_each_list_read_on_its_own(client, auth, user_ids):
    """Parties, clues, assets, triage and clocks come back with the case in one statement: the values
    are those the lists' own reads give (exact money, UTC timestamps, dates, booleans, order)."""
    case_id = make_team_case(1, state="in_progress")
    other = make_team_case(1, state="in_progress")  # its lists must not show up on the first
    assert (
        client.post(
            f"{URL}/{other}/assets",
            headers=auth("comprehensive"),
            json={"kind": "vehicle", "value": "5.00", "status": "found", "disposable": True},
        ).status_code
        == 201
    )
    for value, status, controlled_on in (
        ("1234.50", "frozen", "2026-03-02"),
        ("0.07", "found", None),
        ("98765432.10", "sealed", "2026-03-03"),
    ):
        response = client.post(
            f"{URL}/{case_id}/assets",
            headers=auth("comprehensive"),
            json={
                "kind": "bank_deposit" if status != "sealed" else "real_estate",
                "value": value,
                "status": status,
                "disposable": status == "found",
                "controlled_on": controlled_on,
                "description": f"资产 {value}",
            },
        )
        assert response.status_code == 201, response.text
    with session_scope() as session:
        session.add(
            TriageDecision(
                case_id=case_id,
                kind="triage",
                track="ordinary",
                rules=[{"id": "T10", "explanation": "其他"}],
                rule_set_version="2021-03-plan-v1",
                inputs={},
                unit_code="brigade-1",
                allocation_reason="fewest open",
                handler_id=user_ids["brigade1-judge"],
                decided_by_id=user_ids["comprehensive"],
            )
        )
    body = client.get(f"{URL}/{case_id}", headers=auth("brigade1-judge")).json()
    assets = client.get(f"{URL}/{case_id}/assets", headers=auth("brigade1-judge")).json()["items"]
    assert [a["value"] for a in body["assets"]] == ["1234.50", "0.07", "98765432.10"]
    assert body["assets"] == [{k: a[k] for k in body["assets"][0]} for a in assets]
    assert body["assets"][0]["recorded_at"].endswith(("Z", "+00:00"))
    decisions = client.get(f"{URL}/{case_id}/triage-decisions", headers=auth("brigade1-judge")).json()
    decisions = decisions["items"]
    assert body["triage"]["decided_at"] == decisions[-1]["decided_at"]
    assert body["triage"]["rules"] == [{"id": "T10", "explanation": "其他"}]
    with session_scope(read_only=True) as session:
        from app.schemas.deadline import DeadlineRead
        from app.services import deadline_clocks

        clocks = deadline_clocks.list_for_case(session, case_id)
        expected = [DeadlineRead.model_validate(d).model_dump(mode="json") for d in clocks]
    assert body["deadlines"] == expected and {d["rule"] for d in expected} == {"D12"}


# The list ----------------------------------------------------------------------------------------


def test_list_items_are_compact_and_carry_no_identity_numbers(client, auth):
    _file(client, auth)
    response = client.get(URL, headers=auth("registrar"))
    item = response.json()["items"][0]
    assert item["case_number"] == "（2026）豫0104执123号"
    assert item["applicant_names"] == ["张三"] and item["respondent_names"] == ["郑州某某贸易有限公司"]
    assert item["claim_amount"] == "45000.00"
    assert resident_id(123) not in response.text and uscc(123) not in response.text
    assert response.json()["next_cursor"] is None


def test_pages_cover_every_case_once_newest_first(client, auth):
    ids = [make_case() for _ in range(7)]
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get(URL, headers=auth("director"), params=params).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(ids, reverse=True)
    assert pages == 3


def test_a_page_stays_put_when_new_cases_arrive(client, auth):
    ids = [make_case() for _ in range(4)]
    first = client.get(URL, headers=auth("director"), params={"limit": 2}).json()
    make_case()
    second = client.get(URL, headers=auth("director"), params={"limit": 2, "cursor": first["next_cursor"]})
    assert _ids(second) == sorted(ids, reverse=True)[2:]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": "YWJj"}, "cursor"),
        ({"limit": 0}, "limit"),
        ({"limit": 501}, "limit"),
        ({"state": "lost"}, "state"),
        ({"track": "medium"}, "track"),
        ({"overdue": "maybe"}, "overdue"),
        ({"filed_from": "2026-13-01"}, "filed_from"),
        ({"filed_from": "2026-03-02", "filed_to": "2026-03-01"}, "filed_to"),
        ({"handler_id": "x"}, "handler_id"),
    ],
)
def test_bad_list_parameters_are_422_naming_them(client, auth, params, field):
    response = client.get(URL, headers=auth("director"), params=params)
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}


def test_list_filters(client, auth, user_ids):
    filed = make_case(filed_on=date(2026, 1, 5))
    registered = make_case(state="registered", filed_on=date(2026, 2, 10))
    team1 = make_team_case(1, filed_on=date(2026, 3, 2))
    team2 = make_team_case(2, state="triaged", filed_on=date(2026, 3, 20))
    fast = make_case(
        state="in_progress", unit_code="fast", handler="fast-judge", track="simple", filed_on=date(2026, 4, 1)
    )
    headers = auth("director")

    def listed(**params) -> list[int]:  # noqa: ANN003
        return sorted(_ids(client.get(URL, headers=headers, params=params)))

    assert listed(state="filed") == [filed]
    assert listed(state=["filed", "registered"]) == sorted([filed, registered])
    assert listed(track="ordinary") == sorted([team1, team2])
    assert listed(track="simple") == [fast]
    assert listed(unit="brigade-2") == [team2]
    assert listed(handler_id=user_ids["brigade1-judge"]) == [team1]
    assert listed(filed_from="2026-02-10", filed_to="2026-03-02") == sorted([registered, team1])
    assert listed(filed_from="2026-03-03") == sorted([team2, fast])
    assert listed(filed_to="2026-01-05") == [filed]
    assert listed(state="in_progress", track="simple", unit="fast") == [fast]
    assert listed(state="closed") == []


def test_search_by_case_number_or_party_name(client, auth):
    first = _file(client, auth, 123)
    body = case_body(124)
    body["respondents"][0]["name"] = "河南某某置业有限公司"
    second = client.post(URL, json=body, headers=auth("registrar")).json()
    headers = auth("director")
    assert _ids(client.get(URL, headers=headers, params={"q": "执123号"})) == [first["id"]]
    assert _ids(client.get(URL, headers=headers, params={"q": "(2026)豫0104执124"})) == [second["id"]]
    assert _ids(client.get(URL, headers=headers, params={"q": "置业"})) == [second["id"]]
    assert sorted(_ids(client.get(URL, headers=headers, params={"q": "张三"}))) == sorted(
        [first["id"], second["id"]]
    )
    assert _ids(client.get(URL, headers=headers, params={"q": "%"})) == []


def test_overdue_filter(client, auth):
    from app.settings import court_today

    late = _file(client, auth, 1, filed_on="2026-03-02")  # D1 (one working day) long past
    today = court_today()
    fresh = _file(client, auth, 2, year=today.year, filed_on=today.isoformat())
    no_clocks = make_case()
    headers = auth("comprehensive")
    assert _ids(client.get(URL, headers=headers, params={"overdue": "true"})) == [late["id"]]
    assert sorted(_ids(client.get(URL, headers=headers, params={"overdue": "false"}))) == sorted(
        [fresh["id"], no_clocks]
    )


def test_a_brigade_filtering_for_another_brigade_sees_nothing(client, auth):
    make_team_case(2)
    assert _ids(client.get(URL, headers=auth("brigade1-judge"), params={"unit": "brigade-2"})) == []


# Timeline ----------------------------------------------------------------------------------------


def test_timeline_lists_the_audit_trail_in_order_by_pages(client, auth):
    from app.services import audit

    case = _file(client, auth)
    with session_scope() as session:
        for n in range(4):
            audit.record(
                session,
                actor=None,
                action=f"test.step{n}",
                entity_type="case",
                entity_id=case["id"],
                case_id=case["id"],
            )
        audit.record(session, actor=None, action="other.case", entity_type="case", entity_id=0, case_id=None)
    headers = auth("comprehensive")
    first = client.get(f"{URL}/{case['id']}/timeline", headers=headers, params={"limit": 3}).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    pages = [first]
    while pages[-1]["next_cursor"]:
        pages.append(
            client.get(
                f"{URL}/{case['id']}/timeline",
                headers=headers,
                params={"limit": 3, "cursor": pages[-1]["next_cursor"]},
            ).json()
        )
    entries = [e for page in pages for e in page["items"]]
    assert [e["id"] for e in entries] == sorted({e["id"] for e in entries})  # in order, none twice
    assert entries[0]["action"] == "case.filed"
    assert [e["action"] for e in entries if e["action"].startswith("test.")] == [
        "test.step0",
        "test.step1",
        "test.step2",
        "test.step3",
    ]
    assert "other.case" not in {e["action"] for e in entries}
    assert all(e["case_id"] == case["id"] for e in entries)


def test_timeline_of_unknown_case_is_404(client, auth):
    assert client.get(f"{URL}/424242/timeline", headers=auth("director")).status_code == 404


def test_reading_needs_a_token(client):
    assert client.get(URL).status_code == 401
    assert client.get(f"{URL}/1").status_code == 401


@pytest.mark.parametrize("case_id", ["0", "abc", "99999999999999999999"])
def test_the_caller_is_checked_before_the_case_id(client, auth, case_id):
    """401 and 403 come before the 422 of an invalid id, as on every route; a disabled user is refused
    on every read, whatever the id."""
    case = make_case()
    assert client.get(f"{URL}/{case_id}", headers=auth("finance")).status_code == 403
    assert client.get(f"{URL}/{case_id}", headers=auth("director")).status_code == 422
    headers = auth("director")
    with session_scope() as session:
        session.execute(update(User).where(User.username == "director").values(is_active=False))
    assert client.get(f"{URL}/{case_id}", headers=headers).status_code == 401
    assert client.get(f"{URL}/{case}", headers=headers).status_code == 401


def test_mask_id_number():
    from app.services.case_queries import mask_id_number

    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("12345") == "*****"


def test_version_moves_with_every_change(client, auth):
    case_id = make_case()
    with session_scope() as session:
        session.execute(update(Case).where(Case.id == case_id).values(state="registered"))
    # A bulk UPDATE that bypasses the ORM leaves the version alone; ORM changes move it (see the ETag test).
    assert client.get(f"{URL}/{case_id}", headers=auth("director")).json()["version"] == 1
