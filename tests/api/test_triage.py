"""Triage (繁简分流) through the API: the rules T1–T10 with their boundaries, the worked examples of
examples/triage.md, the dry run, overrides, and the fast group's hand-back (DOMAIN.md §2–§3)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.models.case import Case
from app.models.triage_decision import TriageDecision
from app.settings import get_settings
from tests.factories import case_body
from tests.factories import make_case
from tests.factories import make_fast_case
from tests.factories import make_team_case
from tests.factories import make_triage_case
from tests.helpers import fields

EVALUATE = "/api/v1/triage/evaluate"
CONTROL_DATE = "2026-03-03"


def triage_url(case_id: int) -> str:
    return f"/api/v1/cases/{case_id}/triage"


def handback_url(case_id: int) -> str:
    return f"/api/v1/cases/{case_id}/handback"


def asset(kind: str, value: str, status: str = "found", disposable: bool = True) -> dict:
    body = {"kind": kind, "value": value, "status": status, "disposable": disposable}
    return body | ({"controlled_on": CONTROL_DATE} if status != "found" else {})


def new_case(
    client,
    auth,
    *,
    claim: str | None = "80000.00",
    assets: tuple[dict, ...] = (),  # noqa: ANN001
    **kwargs: object,
) -> int:
    """A registered case (factories) whose assets are recorded through the API."""
    case_id = make_triage_case(claim_amount=None if claim is None else Decimal(claim), **kwargs)
    for body in assets:
        response = client.post(f"/api/v1/cases/{case_id}/assets", json=body, headers=auth("comprehensive"))
        assert response.status_code == 201, response.text
    return case_id


def triage(
    client,
    auth,
    case_id: int,
    body: dict | None = None,
    user: str = "comprehensive",  # noqa: ANN001
    **headers: str,
):  # noqa: ANN201
    return client.post(triage_url(case_id), json=body or {}, headers=auth(user, **headers))


def case_version(case_id: int) -> int:
    with session_scope(read_only=True) as session:
        return session.get(Case, case_id).version


ENT, IND = ("enterprise",), ("individual",)
HOUSE = asset("real_estate", "2000000.00", "sealed")

# examples/triage.md, one row each: case facts, assets, override, track, rules.
EXAMPLES = [
    pytest.param(
        dict(claim="80000.00", respondent_classes=ENT),
        (asset("bank_deposit", "90000", "frozen"),),
        None,
        "simple",
        ["T1"],
        id="1",
    ),
    pytest.param(
        dict(claim="80000.00", respondent_classes=IND),
        (asset("bank_deposit", "30000", "frozen"), asset("securities", "50000", "frozen")),
        None,
        "simple",
        ["T1"],
        id="2",
    ),
    pytest.param(
        dict(claim="80000.00", respondent_classes=IND, clue_kinds=("bank_deposit",)),
        (asset("bank_deposit", "1000"), asset("vehicle", "70000")),
        None,
        "simple",
        ["T9"],
        id="3",
    ),
    pytest.param(
        dict(claim="35000.00", respondent_classes=ENT),
        (asset("equipment", "50000"),),
        None,
        "simple",
        ["T6"],
        id="4",
    ),
    pytest.param(
        dict(claim="35000.00", respondent_classes=("public_institution_staff",)),
        (asset("equipment", "50000"),),
        None,
        "simple",
        ["T5", "T6"],
        id="5",
    ),
    pytest.param(dict(claim="250000.00", respondent_classes=ENT), (), None, "simple", ["T4"], id="6"),
    pytest.param(dict(claim="250000.00", respondent_classes=ENT), (HOUSE,), None, "ordinary", [], id="7"),
    pytest.param(
        dict(claim="250000.00", category="notarized_debt", respondent_classes=IND, willing_to_perform=True),
        (HOUSE,),
        None,
        "simple",
        ["T2"],
        id="8",
    ),
    pytest.param(
        dict(claim="120000.00", category="credit_card", respondent_classes=IND),
        (asset("vehicle", "30000"),),
        None,
        "simple",
        ["T3"],
        id="9",
    ),
    pytest.param(
        dict(claim=None, behaviour="remove_obstruction", respondent_classes=IND),
        (asset("real_estate", "500000"),),
        None,
        "simple",
        ["T7"],
        id="10",
    ),
    pytest.param(
        dict(claim="12000.00", category="elderly_support", respondent_classes=IND),
        (),
        None,
        "simple",
        ["T4", "T6", "T8"],
        id="11",
    ),
    pytest.param(
        dict(claim="250000.00", respondent_classes=ENT),
        (HOUSE,),
        {"override_track": "simple", "reason": "申请人与被执行人已达成还款计划，可快速执结"},
        "simple",
        ["T10"],
        id="12",
    ),
]


@pytest.mark.parametrize(("facts", "assets", "body", "track", "rules"), EXAMPLES)
def test_worked_examples(client, auth, user_ids, facts, assets, body, track, rules):
    case_id = new_case(client, auth, assets=assets, **facts)
    response = triage(client, auth, case_id, body)
    assert response.status_code == 200, response.text
    got = response.json()
    assert got["track"] == track
    assert [r["id"] for r in got["rules"]] == rules
    assert all(r["explanation"].startswith(f"{r['id']}:") for r in got["rules"])
    if track == "simple":
        assert (got["unit"], got["handler_id"]) == ("fast", user_ids["fast-judge"])
    else:
        assert got["unit"] == "brigade-1" and got["handler_id"] == user_ids["brigade1-judge"]


# Each rule's boundaries, through POST /cases/{id}/triage -----------------------------------------------

BOUNDARIES = [
    # T6: 5万元以下 includes 50,000.00
    pytest.param(dict(claim="50000.00"), (HOUSE,), ["T6"], id="T6-at-limit"),
    pytest.param(dict(claim="50000.01"), (HOUSE,), [], id="T6-one-fen-over"),
    pytest.param(
        dict(claim="250000.00", paid_amount=Decimal("200000.00")),
        (HOUSE,),
        [],
        id="T6-claim-at-filing-not-what-is-left",
    ),
    # T5: public respondents with a claim ≤ 50,000.00
    pytest.param(
        dict(claim="50000.00", respondent_classes=("state_functionary",)),
        (HOUSE,),
        ["T5", "T6"],
        id="T5-state-functionary-at-limit",
    ),
    pytest.param(
        dict(claim="50000.00", respondent_classes=("enterprise", "government_organ")),
        (HOUSE,),
        ["T5", "T6"],
        id="T5-government-organ-among-respondents",
    ),
    pytest.param(
        dict(claim="50000.01", respondent_classes=("public_institution_staff",)),
        (HOUSE,),
        [],
        id="T5-one-fen-over",
    ),
    # T1: liquid assets (any status) ≥ outstanding claim
    pytest.param(
        dict(claim="250000.00"), (asset("bank_deposit", "250000.00", "frozen"),), ["T1"], id="T1-equal"
    ),
    pytest.param(
        dict(claim="250000.00"), (asset("bank_deposit", "249999.99", "frozen"),), [], id="T1-one-fen-short"
    ),
    pytest.param(
        dict(claim="250000.00"),
        (asset("online_payment", "100000.00"), asset("securities", "150000.00")),
        ["T1"],
        id="T1-sum-of-found-online-and-securities",
    ),
    pytest.param(
        dict(claim="300000.00", paid_amount=Decimal("50000.00")),
        (asset("bank_deposit", "250000.00", "frozen"),),
        ["T1"],
        id="T1-against-outstanding",
    ),
    pytest.param(
        dict(claim="250000.00"), (asset("real_estate", "9000000.00"),), [], id="T1-illiquid-ignored"
    ),
    # T4: investigation completed and nothing disposable
    pytest.param(
        dict(claim="250000.00"),
        (asset("real_estate", "900000.00", "sealed", disposable=False),),
        ["T4"],
        id="T4-only-non-disposable",
    ),
    pytest.param(dict(claim="250000.00", investigation_completed=False), (), [], id="T4-not-completed"),
    # T9: clue at filing and a liquid asset recorded
    pytest.param(
        dict(claim="250000.00", clue_kinds=("online_payment",)),
        (asset("online_payment", "100.00"), HOUSE),
        ["T9"],
        id="T9-clue-and-liquid",
    ),
    pytest.param(
        dict(claim="250000.00", clue_kinds=("vehicle",)),
        (asset("vehicle", "100000.00"),),
        [],
        id="T9-clue-without-liquid",
    ),
    pytest.param(
        dict(claim="250000.00"), (asset("bank_deposit", "100.00"), HOUSE), [], id="T9-liquid-without-clue"
    ),
    # T2, T3, T7, T8
    pytest.param(
        dict(claim="250000.00", settlement_likely=True), (HOUSE,), ["T2"], id="T2-settlement-likely"
    ),
    pytest.param(dict(claim="250000.00", category="preservation"), (HOUSE,), ["T3"], id="T3-preservation"),
    pytest.param(
        dict(claim="250000.00", category="litigation_fee"), (HOUSE,), ["T3"], id="T3-litigation-fee"
    ),
    pytest.param(
        dict(claim="250000.00", category="administrative_nonlitigation"),
        (HOUSE,),
        ["T3"],
        id="T3-administrative",
    ),
    pytest.param(
        dict(claim="250000.00", category="arbitral_award"), (HOUSE,), [], id="T3-not-arbitral-award"
    ),
    pytest.param(dict(claim=None, behaviour="title_transfer"), (HOUSE,), ["T7"], id="T7-title-transfer"),
    pytest.param(
        dict(claim=None, behaviour="visitation", respondent_classes=("state_functionary",)),
        (asset("bank_deposit", "1000000.00"),),
        ["T7"],
        id="T7-no-claim-so-no-T1-T5-T6",
    ),
    pytest.param(
        dict(claim="250000.00", behaviour="other_behaviour"), (HOUSE,), ["T7"], id="T7-other-behaviour"
    ),
    pytest.param(dict(claim="250000.00", category="child_support"), (HOUSE,), ["T8"], id="T8-child-support"),
]


@pytest.mark.parametrize(("facts", "assets", "rules"), BOUNDARIES)
def test_rule_boundaries(client, auth, facts, assets, rules):
    case_id = new_case(client, auth, assets=assets, **facts)
    response = triage(client, auth, case_id)
    assert response.status_code == 200, response.text
    assert [r["id"] for r in response.json()["rules"]] == rules
    assert response.json()["track"] == ("simple" if rules else "ordinary")


def test_the_small_claim_limit_is_a_setting(client, auth, monkeypatch):
    monkeypatch.setattr(get_settings(), "small_claim_limit", Decimal("30000.00"))
    case_id = new_case(client, auth, claim="35000.00", assets=(HOUSE,))
    response = triage(client, auth, case_id)
    assert response.json()["track"] == "ordinary" and response.json()["rules"] == []


# The recorded decision -----------------------------------------------------------------------------------


def test_the_decision_is_recorded_with_inputs_version_and_decider(client, auth, user_ids):
    case_id = new_case(
        client,
        auth,
        claim="35000.00",
        respondent_classes=("public_institution_staff",),
        clue_kinds=("vehicle",),
        assets=(asset("equipment", "50000.00"),),
    )
    version = case_version(case_id)
    response = triage(client, auth, case_id, user="comprehensive-lead")
    assert response.status_code == 200, response.text
    got = response.json()
    assert got["kind"] == "triage" and got["case_id"] == case_id
    assert got["rule_set_version"] == get_settings().triage_rule_set_version
    assert got["decided_by_id"] == user_ids["comprehensive-lead"]
    assert got["override_track"] is None and got["reason"] is None
    assert got["allocation_reason"].startswith("fast:") and "fast-judge" in got["allocation_reason"]
    assert got["inputs"] == {
        "category": "civil_commercial",
        "claim_amount": "35000.00",
        "paid_amount": "0.00",
        "behaviour": None,
        "respondent_classes": ["public_institution_staff"],
        "property_clue_count": 1,
        "assets": [{"kind": "equipment", "value": "50000.00", "status": "found", "disposable": True}],
        "investigation_completed": True,
        "willing_to_perform": False,
        "settlement_likely": False,
        "manual_simple_reason": None,
    }
    assert got["case_version"] == version + 1 == case_version(case_id)
    assert response.headers["etag"] == f'"{version + 1}"'
    with session_scope(read_only=True) as session:
        case = session.get(Case, case_id)
        assert (case.state, case.track, case.unit_code, case.handler_id) == (
            "triaged",
            "simple",
            "fast",
            user_ids["fast-judge"],
        )
        decision = session.scalars(select(TriageDecision).where(TriageDecision.case_id == case_id)).one()
        assert [r["id"] for r in decision.rules] == ["T5", "T6"]
        entry = session.scalars(
            select(AuditEntry).where(AuditEntry.case_id == case_id, AuditEntry.action == "case.triage")
        ).one()
        assert entry.before["state"] == "registered" and entry.after["unit"] == "fast"
    listed = client.get(f"/api/v1/cases/{case_id}/triage-decisions", headers=auth("fast-judge"))
    assert listed.status_code == 200
    assert [(d["id"], d["kind"], d["unit"]) for d in listed.json()["items"]] == [
        (got["id"], "triage", "fast")
    ]


def test_the_decision_list_is_hidden_from_other_brigades(client, auth):
    case_id = make_team_case(1, state="triaged")
    response = client.get(f"/api/v1/cases/{case_id}/triage-decisions", headers=auth("brigade2-judge"))
    assert response.status_code == 404


# Overrides ---------------------------------------------------------------------------------------------


def test_forcing_ordinary_when_rules_fired_keeps_the_rules_and_the_reason(client, auth):
    case_id = new_case(client, auth, claim="30000.00", assets=(HOUSE,))
    body = {"override_track": "ordinary", "reason": "案情复杂，涉及多名被执行人"}
    response = triage(client, auth, case_id, body)
    assert response.status_code == 200, response.text
    got = response.json()
    assert got["track"] == "ordinary" and got["unit"].startswith("brigade-")
    assert [r["id"] for r in got["rules"]] == ["T6"]
    assert got["override_track"] == "ordinary" and got["reason"] == "案情复杂，涉及多名被执行人"
    with session_scope(read_only=True) as session:
        assert session.scalars(select(AuditEntry.reason).where(AuditEntry.action == "case.triage")).one() == (
            "案情复杂，涉及多名被执行人"
        )


def test_forcing_simple_adds_t10_to_the_rules_that_fired(client, auth):
    case_id = new_case(client, auth, claim="30000.00", assets=(HOUSE,))
    response = triage(client, auth, case_id, {"override_track": "simple", "reason": "当事人同意快速执行"})
    assert [r["id"] for r in response.json()["rules"]] == ["T6", "T10"]
    assert "当事人同意快速执行" in response.json()["rules"][1]["explanation"]
    assert response.json()["inputs"]["manual_simple_reason"] == "当事人同意快速执行"


@pytest.mark.parametrize(
    "body",
    [
        {"override_track": "simple"},
        {"override_track": "ordinary"},
        {"override_track": "simple", "reason": "   "},
        {"override_track": "simple", "reason": None},
    ],
)
def test_an_override_without_a_reason_is_422_naming_reason(client, auth, body):
    case_id = new_case(client, auth, claim="250000.00", assets=(HOUSE,))
    assert fields(triage(client, auth, case_id, body)) == {"reason"}
    with session_scope(read_only=True) as session:
        assert session.get(Case, case_id).state == "registered"
        assert session.scalars(select(TriageDecision)).all() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"override_track": "complex", "reason": "x"}, "override_track"),
        ({"reason": "x" * 2001}, "reason"),
        ({"track": "simple"}, "track"),
    ],
)
def test_bad_triage_input_names_the_field(client, auth, body, field):
    case_id = new_case(client, auth)
    assert field in fields(triage(client, auth, case_id, body))


# State, permissions, concurrency ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "allowed"),
    [
        ("filed", ["register", "record_asset"]),
        ("triaged", None),
        ("closed", []),
    ],
)
def test_triage_outside_registered_is_409_with_the_allowed_actions(client, auth, state, allowed):
    case_id = make_case(state=state) if state == "filed" else make_team_case(1, state=state)
    response = triage(client, auth, case_id)
    assert response.status_code == 409
    assert "triage" not in response.json()["allowed_actions"]
    if allowed is not None:
        assert response.json()["allowed_actions"] == allowed


@pytest.mark.parametrize(
    "username",
    [
        "registrar",
        "filing-bot",
        "fast-judge",
        "brigade1-judge",
        "disposal",
        "objection-judge",
        "deputy",
        "director",
        "finance",
        "admin",
    ],
)
def test_only_the_comprehensive_group_triages(client, auth, username):
    case_id = new_case(client, auth)
    assert triage(client, auth, case_id, user=username).status_code == 403
    assert (
        client.post(
            EVALUATE, json={"category": "credit_card", "claim_amount": "1.00"}, headers=auth(username)
        ).status_code
        == 403
    )
    with session_scope(read_only=True) as session:
        assert session.get(Case, case_id).state == "registered"


def test_triage_needs_a_token_and_an_existing_case(client, auth):
    assert client.post(triage_url(make_case(state="registered")), json={}).status_code == 401
    assert triage(client, auth, 999999).status_code == 404


def test_a_stale_if_match_is_412(client, auth):
    case_id = new_case(client, auth)
    version = case_version(case_id)
    assert triage(client, auth, case_id, **{"If-Match": f'"{version - 1}"'}).status_code == 412
    response = triage(client, auth, case_id, **{"If-Match": f'"{version}"'})
    assert response.status_code == 200, response.text
    assert triage(client, auth, case_id, **{"If-Match": f'"{version}"'}).status_code == 412


# Dry run ----------------------------------------------------------------------------------------------


def test_dry_run_on_a_payload_changes_nothing(client, auth):
    body = {
        "category": "civil_commercial",
        "claim_amount": "50000.00",
        "respondent_classes": ["state_functionary"],
        "investigation_completed": True,
        "assets": [{"kind": "equipment", "value": "1.00", "disposable": True}],
    }
    response = client.post(EVALUATE, json=body, headers=auth("comprehensive"))
    assert response.status_code == 200, response.text
    assert response.json()["track"] == "simple"
    assert [r["id"] for r in response.json()["rules"]] == ["T5", "T6"]
    assert response.json()["rule_set_version"] == get_settings().triage_rule_set_version
    over = client.post(EVALUATE, json=body | {"claim_amount": "50000.01"}, headers=auth("comprehensive"))
    assert (over.json()["track"], over.json()["rules"]) == ("ordinary", [])
    assert over.json()["rule_set_version"] == get_settings().triage_rule_set_version
    with session_scope(read_only=True) as session:
        assert session.scalars(select(AuditEntry)).all() == []


def test_an_ordinary_dry_run_gives_each_rule_with_why_it_did_not_fire(client, auth):
    body = {
        "category": "civil_commercial",
        "claim_amount": "250000.00",
        "respondent_classes": ["enterprise"],
        "investigation_completed": True,
        "assets": [{"kind": "real_estate", "value": "2000000.00", "status": "found", "disposable": True}],
    }
    got = client.post(EVALUATE, json=body, headers=auth("comprehensive")).json()
    assert (got["track"], got["rules"]) == ("ordinary", [])
    reasons = {r["id"]: r["explanation"] for r in got["rules_not_fired"]}
    assert list(reasons) == [f"T{n}" for n in range(1, 11)]
    assert "0.00" in reasons["T1"] and "250000.00" in reasons["T1"]
    assert "1 of 1 recorded asset(s) can be disposed of" in reasons["T4"]
    assert "250000.00 > limit 50000.00" in reasons["T5"]
    assert "250000.00 > small-claim limit 50000.00" in reasons["T6"]
    assert "civil_commercial" in reasons["T3"] and "civil_commercial" in reasons["T8"]
    assert "no property clue" in reasons["T9"]
    simple = client.post(EVALUATE, json=body | {"claim_amount": "35000.00"}, headers=auth("comprehensive"))
    assert [r["id"] for r in simple.json()["rules"]] == ["T6"]
    assert "T6" not in {r["id"] for r in simple.json()["rules_not_fired"]}
    assert "enterprise" in {r["id"]: r["explanation"] for r in simple.json()["rules_not_fired"]}["T5"]


def test_an_ordinary_decision_is_recorded_with_why_no_rule_fired(client, auth):
    case_id = new_case(client, auth, claim="250000.00", respondent_classes=ENT, assets=(HOUSE,))
    got = triage(client, auth, case_id).json()
    assert (got["track"], got["rules"]) == ("ordinary", [])
    assert [r["id"] for r in got["rules_not_fired"]] == [f"T{n}" for n in range(1, 11)]
    listed = client.get(f"/api/v1/cases/{case_id}/triage-decisions", headers=auth("comprehensive"))
    assert listed.json()["items"][0]["rules_not_fired"] == got["rules_not_fired"]


def test_dry_run_accepts_an_intake_body(client, auth):
    body = case_body(claim_amount="80000.00") | {
        "assets": [{"kind": "bank_deposit", "value": "100.00", "status": "frozen", "disposable": True}]
    }
    response = client.post(EVALUATE, json=body, headers=auth("comprehensive"))
    assert response.status_code == 200, response.text
    assert [r["id"] for r in response.json()["rules"]] == ["T9"]  # the intake body carries one clue


def test_dry_run_explains_a_manual_reason(client, auth):
    body = {
        "category": "civil_commercial",
        "claim_amount": "900000.00",
        "manual_simple_reason": "标的物已交付",
    }
    rules = client.post(EVALUATE, json=body, headers=auth("comprehensive")).json()["rules"]
    assert [r["id"] for r in rules] == ["T10"] and "标的物已交付" in rules[0]["explanation"]


def test_dry_run_on_a_recorded_case_changes_nothing(client, auth):
    case_id = new_case(client, auth, claim="12000.00", category="child_support", assets=(HOUSE,))
    response = client.post(EVALUATE, json={"case_id": case_id}, headers=auth("comprehensive"))
    assert response.status_code == 200, response.text
    assert [r["id"] for r in response.json()["rules"]] == ["T6", "T8"]
    with session_scope(read_only=True) as session:
        assert session.get(Case, case_id).state == "registered"
        assert session.scalars(select(TriageDecision)).all() == []
    assert client.post(EVALUATE, json={"case_id": 999999}, headers=auth("comprehensive")).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"claim_amount": "1.00"}, "category"),
        ({"category": "civil_commercial"}, "claim_amount"),
        ({"category": "civil_commercial", "claim_amount": 50000.5}, "claim_amount"),
        ({"category": "civil_commercial", "claim_amount": "-5"}, "claim_amount"),
        ({"category": "civil_commercial", "claim_amount": "5.001"}, "claim_amount"),
        ({"category": "civil_commercial", "claim_amount": "5", "paid_amount": 1.5}, "paid_amount"),
        ({"category": "lottery", "claim_amount": "5"}, "category"),
        ({"category": "other", "claim_amount": "5", "respondent_classes": ["alien"]}, "respondent_classes.0"),
        (
            {
                "category": "other",
                "claim_amount": "5",
                "assets": [{"kind": "gold", "value": "1", "disposable": True}],
            },
            "assets.0.kind",
        ),
        (
            {"category": "other", "claim_amount": "5", "assets": [{"kind": "vehicle", "value": "1"}]},
            "assets.0.disposable",
        ),
        ({"category": "other", "claim_amount": "5", "property_clue_count": -1}, "property_clue_count"),
        ({"category": "other", "claim_amount": "5", "unknown": 1}, "unknown"),
        ({"case_id": 1, "category": "other"}, "case_id"),
    ],
)
def test_dry_run_bad_input_names_the_field(client, auth, body, field):
    response = client.post(EVALUATE, json=body, headers=auth("comprehensive"))
    assert field in fields(response)


# Hand-back by the fast group ------------------------------------------------------------------------------


def test_the_fast_group_hands_a_case_back_and_it_goes_to_the_least_loaded_brigade(client, auth, user_ids):
    for brigade in (1, 2, 4):
        make_team_case(brigade)
    case_id = make_fast_case(state="in_progress")
    response = client.post(
        handback_url(case_id), json={"reason": "被执行人名下多处房产需评估拍卖"}, headers=auth("fast-judge")
    )
    assert response.status_code == 200, response.text
    got = response.json()
    assert got["kind"] == "handback" and got["track"] == "ordinary" and got["override_track"] == "ordinary"
    assert got["unit"] == "brigade-3" and got["handler_id"] == user_ids["brigade3-judge"]
    assert got["reason"] == "被执行人名下多处房产需评估拍卖"
    assert got["decided_by_id"] == user_ids["fast-judge"]
    assert got["allocation_reason"].startswith("brigade-3: fewest open cases (0)")
    with session_scope(read_only=True) as session:
        case = session.get(Case, case_id)
        assert (case.state, case.track, case.unit_code) == ("triaged", "ordinary", "brigade-3")
        entry = session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id)).one()
        assert entry.action == "case.handback" and entry.reason == "被执行人名下多处房产需评估拍卖"
        assert entry.before["unit"] == "fast" and entry.after["unit"] == "brigade-3"
    # the new brigade now sees it; the fast group may not hand it back again
    assert (
        client.get(f"/api/v1/cases/{case_id}/triage-decisions", headers=auth("brigade3-judge")).json()[
            "items"
        ][0]["kind"]
        == "handback"
    )
    again = client.post(handback_url(case_id), json={"reason": "again"}, headers=auth("fast-judge"))
    assert again.status_code == 403


def test_a_case_triaged_simple_through_the_api_can_be_handed_back(client, auth):
    case_id = new_case(client, auth, claim="20000.00", assets=(HOUSE,))
    triaged = triage(client, auth, case_id)
    assert triaged.json()["unit"] == "fast"
    response = client.post(
        handback_url(case_id),
        json={"reason": "案外人提出异议，需普通程序"},
        headers=auth("fast-judge", **{"If-Match": triaged.headers["etag"]}),
    )
    assert response.status_code == 200, response.text
    assert response.json()["unit"].startswith("brigade-")
    assert response.json()["case_version"] == triaged.json()["case_version"] + 1
    with session_scope(read_only=True) as session:
        kinds = session.scalars(
            select(TriageDecision.kind).where(TriageDecision.case_id == case_id).order_by(TriageDecision.id)
        ).all()
        assert kinds == ["triage", "handback"]


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}, {"reason": None}])
def test_a_handback_needs_a_reason(client, auth, body):
    case_id = make_fast_case()
    assert fields(client.post(handback_url(case_id), json=body, headers=auth("fast-judge"))) == {"reason"}


@pytest.mark.parametrize(
    ("username", "status"),
    [
        ("comprehensive", 403),
        ("brigade1-judge", 403),
        ("director", 403),
        ("registrar", 403),
    ],
)
def test_only_the_fast_group_hands_back(client, auth, username, status):
    case_id = make_fast_case()
    response = client.post(handback_url(case_id), json={"reason": "x"}, headers=auth(username))
    assert response.status_code == status


def test_the_fast_group_cannot_hand_back_a_brigade_case(client, auth):
    case_id = make_team_case(2)
    response = client.post(handback_url(case_id), json={"reason": "x"}, headers=auth("fast-judge"))
    assert response.status_code == 403


@pytest.mark.parametrize("state", ["at_disposal", "closed"])
def test_a_handback_in_the_wrong_state_is_409(client, auth, state):
    case_id = make_fast_case(state=state)
    response = client.post(handback_url(case_id), json={"reason": "x"}, headers=auth("fast-judge"))
    assert response.status_code == 409
    assert "handback" not in response.json()["allowed_actions"]


def test_a_stale_handback_is_412(client, auth):
    case_id = make_fast_case()
    response = client.post(
        handback_url(case_id), json={"reason": "x"}, headers=auth("fast-judge", **{"If-Match": '"9"'})
    )
    assert response.status_code == 412
