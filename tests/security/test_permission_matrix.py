"""Every operation × every demo user against the hand-written expectations of ``expectations.py``.

For each operation a realistic subject is built (a brigade-1 case handled by ``brigade1-judge``, a
proposed listing of it, a filed objection …) and a valid request is sent as each demo user:
- expected refusal: 403, or 404 from a user who cannot see the subject (another brigade);
- expected permission: anything but 401, 403 and 404 (a 409 or 422 from the rules is fine: the
  caller got past the permission checks).
Refused users go first, so that they act on the subject in the state the allowed ones find it in.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from fastapi.routing import iter_route_contexts
from sqlalchemy import select

from app.database import session_scope
from app.models.deadline_extension import DeadlineExtension
from app.models.user import User
from app.models.webhook_delivery import WebhookDelivery
from app.rules.money import account_reference
from app.rules.termination_gate import months_after
from app.seed import DEMO_USERS
from app.services import relay
from app.settings import court_today
from tests.factories import add_measure
from tests.factories import add_termination_measures
from tests.factories import case_body
from tests.factories import make_case
from tests.factories import make_fast_case
from tests.factories import make_team_case
from tests.factories import make_triage_case
from tests.factories import record_deadline_event
from tests.factories import respondent_of
from tests.helpers import ok
from tests.security.expectations import EVERYONE
from tests.security.expectations import EXPECTATIONS
from tests.security.expectations import PUBLIC

FILED = court_today() - timedelta(days=40)


def on() -> str:
    """The court's today, read when a body is built (a run may cross midnight in Shanghai)."""
    return court_today().isoformat()


Subject = dict[str, Any]  # path parameters, plus "case_id" of the case the subject belongs to


def _team_case(client, auth) -> Subject:  # noqa: ANN001
    case_id = make_team_case(1, filed_on=FILED)
    record_deadline_event(case_id, "case.filed", FILED)
    return {"case_id": case_id}


def _measure(client, auth) -> Subject:  # noqa: ANN001
    case = _team_case(client, auth)
    return case | {"measure_id": add_measure(case["case_id"], "mediation", FILED + timedelta(days=3))}


def _fine(*, reviewed: bool) -> Callable[..., Subject]:
    def subject(client, auth) -> Subject:  # noqa: ANN001
        case = _team_case(client, auth)
        fine = add_measure(
            case["case_id"],
            "fine",
            FILED + timedelta(days=3),
            document_number="罚款决定书1",
            amount=Decimal("60000.00"),
            reviewed=reviewed,
            approved=False,
        )
        return case | {"measure_id": fine}

    return subject


def _extension_request(*, reviewed: bool) -> Callable[..., Subject]:
    def subject(client, auth) -> Subject:  # noqa: ANN001
        case = _team_case(client, auth)
        with session_scope() as session:
            users = {u.username: u.id for u in session.scalars(select(User))}
            request = DeadlineExtension(
                case_id=case["case_id"],
                rule="D3",
                state="reviewed" if reviewed else "requested",
                reason="案情复杂",
                requested_by_id=users["brigade1-judge"],
                requested_on=FILED + timedelta(days=30),
                reviewed_by_id=users["director"] if reviewed else None,
                reviewed_on=FILED + timedelta(days=31) if reviewed else None,
            )
            session.add(request)
            session.flush()
            return case | {"extension_id": request.id}

    return subject


def _disposal_ready_case(client, auth) -> Subject:  # noqa: ANN001
    case = _team_case(client, auth)
    add_measure(
        case["case_id"],
        "disposal_document",
        FILED + timedelta(days=5),
        signed_by="brigade1-judge",
        document_number="拍卖裁定1",
    )
    return case


def _pending_transfer(client, auth) -> Subject:  # noqa: ANN001
    case = _disposal_ready_case(client, auth)
    transfer = ok(
        client.post(
            f"/api/v1/cases/{case['case_id']}/disposal-transfers",
            json={"requested_on": (FILED + timedelta(days=6)).isoformat()},
            headers=auth("brigade1-judge"),
        ),
        201,
    )
    return case | {"transfer_id": transfer["id"]}


def _approved_transfer(client, auth) -> Subject:  # noqa: ANN001
    transfer = _pending_transfer(client, auth)
    ok(
        client.post(
            f"/api/v1/disposal-transfers/{transfer['transfer_id']}/approval",
            json={"decision": "approve", "decided_on": (FILED + timedelta(days=7)).isoformat()},
            headers=auth("deputy"),
        )
    )
    return transfer


def _terminated_case(client, auth) -> Subject:  # noqa: ANN001
    filed = months_after(court_today(), -5)
    case_id = make_team_case(1, filed_on=filed)
    add_termination_measures(case_id, months_after(court_today(), -4))
    ok(
        client.post(
            f"/api/v1/cases/{case_id}/closure",
            headers=auth("brigade1-judge"),
            json={"mode": "terminated_current", "document_number": "终本裁定1"},
        )
    )
    return {"case_id": case_id}


def _frozen_asset(client, auth) -> Subject:  # noqa: ANN001
    case = _team_case(client, auth)
    asset = {
        "kind": "bank_deposit",
        "value": "1000.00",
        "status": "frozen",
        "disposable": True,
        "controlled_on": (FILED + timedelta(days=1)).isoformat(),
    }
    created = ok(
        client.post(f"/api/v1/cases/{case['case_id']}/assets", json=asset, headers=auth("comprehensive")), 201
    )
    return case | {"asset_id": created["id"]}


def _proposed_listing(client, auth) -> Subject:  # noqa: ANN001
    case = _team_case(client, auth)
    add_measure(
        case["case_id"],
        "consumption_ban",
        FILED + timedelta(days=2),
        signed_by="director",
        document_number="限消令1",
    )
    proposal = {
        "respondent_id": respondent_of(case["case_id"]),
        "ground": "obstructs",
        "facts": "阻碍执行",
        "proposed_on": (FILED + timedelta(days=3)).isoformat(),
    }
    listing = ok(
        client.post(
            f"/api/v1/cases/{case['case_id']}/dishonest-listings",
            json=proposal,
            headers=auth("brigade1-judge"),
        ),
        201,
    )
    return case | {"listing_id": listing["id"]}


def _active_listing(client, auth) -> Subject:  # noqa: ANN001
    listing = _proposed_listing(client, auth)
    ok(
        client.post(
            f"/api/v1/dishonest-listings/{listing['listing_id']}/decision",
            headers=auth("director"),
            json={"decision": "approve", "decided_on": (FILED + timedelta(days=4)).isoformat()},
        )
    )
    return listing


def _triggered_listing(client, auth) -> Subject:  # noqa: ANN001
    listing = _active_listing(client, auth)
    ok(
        client.post(
            f"/api/v1/dishonest-listings/{listing['listing_id']}/deletion-trigger",
            headers=auth("brigade1-judge"),
            json={"trigger": "paid", "triggered_on": on()},
        )
    )
    return listing


def _objection(client, auth) -> Subject:  # noqa: ANN001
    case = _team_case(client, auth)
    objection = ok(
        client.post("/api/v1/objections", headers=auth("objection-judge"), json=_objection_body(case)), 201
    )
    return case | {"objection_id": objection["id"]}


def _referral(client, auth) -> Subject:  # noqa: ANN001
    case = _team_case(client, auth)
    referral = ok(
        client.post("/api/v1/refusal-referrals", headers=auth("brigade1-judge"), json=_referral_body(case)),
        201,
    )
    return case | {"referral_id": referral["id"]}


def _returned_referral(client, auth) -> Subject:  # noqa: ANN001
    referral = _referral(client, auth)
    review = {"result": "returned", "missing_items": ["warnings_given"], "note": "请补充警告笔录"}
    ok(
        client.post(
            f"/api/v1/refusal-referrals/{referral['referral_id']}/review",
            json=review,
            headers=auth("comprehensive"),
        )
    )
    return referral


def _petition(client, auth) -> Subject:  # noqa: ANN001
    case = _team_case(client, auth)
    petition = ok(
        client.post("/api/v1/petitions", headers=auth("comprehensive"), json=_petition_body(case)), 201
    )
    return case | {"petition_id": petition["id"]}


def _routed_petition(client, auth) -> Subject:  # noqa: ANN001
    petition = _petition(client, auth)
    url = f"/api/v1/petitions/{petition['petition_id']}"
    ok(client.post(f"{url}/register", headers=auth("comprehensive"), json={"registered_on": on()}))
    ok(client.post(f"{url}/route", headers=auth("comprehensive"), json={"routed_on": on()}))
    return petition


def _receipt_body(case_id: int | None, amount: str = "10000.00") -> dict:
    return {
        "amount": amount,
        "received_on": on(),
        "payer": "某某贸易有限公司",
        "channel": "bank_transfer",
        "bank_reference": f"BOC-{case_id}-{amount}",
        "account_reference": account_reference("豫0104", case_id) if case_id else None,
    }


def _funded_case(client, auth) -> Subject:  # noqa: ANN001
    case = _team_case(client, auth)
    receipt = ok(
        client.post("/api/v1/receipts", json=_receipt_body(case["case_id"]), headers=auth("finance")), 201
    )
    ledger = ok(client.get(f"/api/v1/cases/{case['case_id']}/ledger", headers=auth("finance")))
    return case | {"receipt_id": receipt["id"], "entry_id": ledger["entries"][0]["id"]}


def _unclaimed_receipt(client, auth) -> Subject:  # noqa: ANN001
    case = _team_case(client, auth)
    body = _receipt_body(None) | {"bank_reference": f"BOC-unclaimed-{case['case_id']}"}
    receipt = ok(client.post("/api/v1/receipts", json=body, headers=auth("finance")), 201)
    return case | {"receipt_id": receipt["id"]}


def _requested_payout(client, auth) -> Subject:  # noqa: ANN001
    case = _funded_case(client, auth)
    body = {"kind": "fee", "amount": "100.00", "requested_on": on()}
    url = f"/api/v1/cases/{case['case_id']}/payouts"
    payout = ok(client.post(url, json=body, headers=auth("brigade1-judge")), 201)
    return case | {"payout_id": payout["id"]}


def _approved_payout(client, auth) -> Subject:  # noqa: ANN001
    payout = _requested_payout(client, auth)
    ok(client.post(f"/api/v1/payouts/{payout['payout_id']}/approval", json=approve(), headers=auth("deputy")))
    return payout


def _requested_deferral(client, auth) -> Subject:  # noqa: ANN001
    case = _team_case(client, auth)
    body = {"reason_kind": "applicant_unreachable", "reason": "申请人无法联系", "requested_on": on()}
    url = f"/api/v1/cases/{case['case_id']}/payout-deferrals"
    deferral = ok(client.post(url, json=body, headers=auth("brigade1-judge")), 201)
    return case | {"deferral_id": deferral["id"]}


def _approved_deferral(client, auth) -> Subject:  # noqa: ANN001
    deferral = _requested_deferral(client, auth)
    url = f"/api/v1/payout-deferrals/{deferral['deferral_id']}/approval"
    ok(client.post(url, json=approve(), headers=auth("director")))
    return deferral


def _webhook_subscription(client, auth) -> Subject:  # noqa: ANN001
    body = {"url": "https://receiver.example/hooks", "event_types": ["case.*"]}
    subscription = ok(client.post("/api/v1/webhook-subscriptions", headers=auth("admin"), json=body), 201)
    return {"subscription_id": subscription["id"]}


_DELIVERY_SERIALS = itertools.count(9100)


def _webhook_delivery(client, auth) -> Subject:  # noqa: ANN001
    subject = _webhook_subscription(client, auth)
    body = case_body(next(_DELIVERY_SERIALS), year=court_today().year, filed_on=on())
    ok(client.post("/api/v1/cases", headers=auth("registrar"), json=body), 201)
    with session_scope() as session:
        relay.fan_out(session, limit=10)
        delivery_id = session.scalar(
            select(WebhookDelivery.id).where(WebhookDelivery.subscription_id == subject["subscription_id"])
        )
    return subject | {"delivery_id": delivery_id}


SUBJECTS: dict[str, Callable[..., Subject]] = {
    "team_case": _team_case,
    "filed_case": lambda client, auth: {"case_id": make_case(state="filed", filed_on=FILED)},
    "registered_case": lambda client, auth: {"case_id": make_triage_case(filed_on=FILED)},
    "fast_case": lambda client, auth: {"case_id": make_fast_case(filed_on=FILED)},
    "measure": _measure,
    "unreviewed_fine": _fine(reviewed=False),
    "extension_request": _extension_request(reviewed=False),
    "reviewed_extension_request": _extension_request(reviewed=True),
    "reviewed_fine": _fine(reviewed=True),
    "disposal_ready_case": _disposal_ready_case,
    "pending_transfer": _pending_transfer,
    "approved_transfer": _approved_transfer,
    "terminated_case": _terminated_case,
    "frozen_asset": _frozen_asset,
    "proposed_listing": _proposed_listing,
    "active_listing": _active_listing,
    "triggered_listing": _triggered_listing,
    "objection": _objection,
    "referral": _referral,
    "returned_referral": _returned_referral,
    "petition": _petition,
    "routed_petition": _routed_petition,
    "funded_case": _funded_case,
    "unclaimed_receipt": _unclaimed_receipt,
    "requested_payout": _requested_payout,
    "approved_payout": _approved_payout,
    "requested_deferral": _requested_deferral,
    "approved_deferral": _approved_deferral,
    "webhook_subscription": _webhook_subscription,
    "webhook_delivery": _webhook_delivery,
}


def _objection_body(subject: Subject) -> dict:
    return {
        "case_id": subject["case_id"],
        "kind": "enforcement_act",
        "filer_name": "某某贸易有限公司",
        "filer_kind": "party",
        "received_on": on(),
        "grounds": "查封的房屋系被执行人唯一住房",
    }


def _referral_body(subject: Subject) -> dict:
    items = ("evidence_of_ability_to_perform", "evidence_of_refusal", "documents_served", "warnings_given")
    return {
        "case_id": subject["case_id"],
        "summary": "被执行人有能力履行而拒不履行",
        "materials": [{"item": i, "note": f"{i} 材料"} for i in items],
        "submitted_on": on(),
    }


def _petition_body(subject: Subject) -> dict:
    return {
        "received_on": on(),
        "channel": "visit",
        "petitioner_name": "张三",
        "contact": "13800000000",
        "case_id": subject["case_id"],
        "content": "申请执行人反映案件长期未执行到位",
    }


def approve() -> dict[str, str]:
    """An approval dated the court's today, read when the request is made."""
    return {"decision": "approve", "decided_on": on()}


# A valid body for each command, so that a request gets past validation to the permission checks.
BODIES: dict[str, Callable[[Subject], Any]] = {
    "POST /api/v1/cases": lambda s: case_body(9001, year=court_today().year, filed_on=on()),
    "POST /api/v1/cases/batch": lambda s: [case_body(9002, year=court_today().year, filed_on=on())],
    "POST /api/v1/cases/{case_id}/registration": lambda s: {
        "registered_on": on(),
        "investigation_completed": True,
    },
    "POST /api/v1/cases/{case_id}/investigation": lambda s: {"investigation_completed": True},
    "POST /api/v1/cases/{case_id}/assets/{asset_id}/renewals": lambda s: {
        "renewed_on": on(),
        "document_number": "续冻通知书1",
    },
    "POST /api/v1/cases/{case_id}/assets/{asset_id}/release": lambda s: {
        "released_on": on(),
        "document_number": "解冻通知书1",
    },
    "POST /api/v1/cases/{case_id}/termination-pool/rechecks": lambda s: {
        "checked_on": on(),
        "method": "network_inquiry",
        "result": "nothing_found",
    },
    "POST /api/v1/cases/{case_id}/assets": lambda s: {
        "kind": "bank_deposit",
        "value": "1000.00",
        "status": "found",
        "disposable": True,
    },
    "POST /api/v1/triage/evaluate": lambda s: {
        "category": "civil_commercial",
        "claim_amount": "45000.00",
        "respondent_classes": ["enterprise"],
    },
    "POST /api/v1/cases/{case_id}/triage": lambda s: {},
    "POST /api/v1/cases/{case_id}/handback": lambda s: {"reason": "案情复杂, 需要处置不动产"},
    "POST /api/v1/cases/{case_id}/measures": lambda s: {"kind": "mediation", "on": on()},
    "POST /api/v1/cases/{case_id}/disposal-transfers": lambda s: {"requested_on": on()},
    "POST /api/v1/disposal-transfers/{transfer_id}/approval": lambda s: approve(),
    "POST /api/v1/disposal-transfers/{transfer_id}/tasks": lambda s: {
        "kind": "seal",
        "on": on(),
        "result": "查封",
    },
    "POST /api/v1/disposal-transfers/{transfer_id}/return": lambda s: {"amount_realised": "0.00"},
    "POST /api/v1/cases/{case_id}/closure": lambda s: {"mode": "withdrawn", "reason": "申请人撤回申请"},
    "POST /api/v1/cases/{case_id}/restoration": lambda s: {"reason": "发现被执行人新登记房产"},
    "POST /api/v1/cases/{case_id}/dishonest-listings": lambda s: {
        "respondent_id": respondent_of(s["case_id"]),
        "ground": "obstructs",
        "facts": "阻碍执行",
    },
    "POST /api/v1/dishonest-listings/{listing_id}/decision": lambda s: approve(),
    "POST /api/v1/dishonest-listings/{listing_id}/deletion-trigger": lambda s: {"trigger": "paid"},
    "POST /api/v1/dishonest-listings/{listing_id}/deletion": lambda s: {},
    "POST /api/v1/objections": _objection_body,
    "POST /api/v1/objections/{objection_id}/docket": lambda s: {"docketed_on": on()},
    "POST /api/v1/objections/{objection_id}/hearing": lambda s: {"held_on": on()},
    "POST /api/v1/objections/{objection_id}/ruling": lambda s: {
        "outcome": "rejected",
        "ruled_on": on(),
        "reasons": "理由不成立",
    },
    "POST /api/v1/objections/{objection_id}/service": lambda s: {"served_on": on()},
    "POST /api/v1/objections/{objection_id}/reconsideration": lambda s: {"applied_on": on()},
    "POST /api/v1/objections/{objection_id}/transfer": lambda s: {"transferred_on": on()},
    "POST /api/v1/refusal-referrals": _referral_body,
    "POST /api/v1/refusal-referrals/{referral_id}/review": lambda s: {"result": "complete"},
    "POST /api/v1/refusal-referrals/{referral_id}/supplement": lambda s: {
        "materials": [{"item": "documents_served", "note": "送达回证"}]
    },
    "POST /api/v1/refusal-referrals/{referral_id}/liaison": lambda s: {},
    "POST /api/v1/refusal-referrals/{referral_id}/police-transfer": lambda s: {
        "document_number": "移送函1",
        "transferred_on": on(),
    },
    "POST /api/v1/refusal-referrals/{referral_id}/outcome": lambda s: {"outcome": "accepted"},
    "POST /api/v1/petitions": _petition_body,
    "POST /api/v1/petitions/{petition_id}/register": lambda s: {"registered_on": on()},
    "POST /api/v1/petitions/{petition_id}/route": lambda s: {"routed_on": on()},
    "POST /api/v1/petitions/{petition_id}/urge": lambda s: {"note": "请尽快答复"},
    "POST /api/v1/petitions/{petition_id}/supervise": lambda s: {},
    "POST /api/v1/petitions/{petition_id}/reply": lambda s: {"reply_text": "已冻结被执行人账户"},
    "POST /api/v1/petitions/{petition_id}/resolve": lambda s: {},
    "POST /api/v1/petitions/{petition_id}/close": lambda s: {},
    "POST /api/v1/cases/{case_id}/deadline-extensions": lambda s: {"rule": "D3", "reason": "案情复杂"},
    "POST /api/v1/receipts": lambda s: _receipt_body(None) | {"bank_reference": "BOC-matrix"},
    "POST /api/v1/receipts/{receipt_id}/claim": lambda s: {
        "account_reference": account_reference("豫0104", s["case_id"])
    },
    "POST /api/v1/ledger-entries/{entry_id}/reversal": lambda s: {"reason": "重复入账"},
    "POST /api/v1/cases/{case_id}/payouts": lambda s: {"kind": "fee", "amount": "100.00"},
    "POST /api/v1/payouts/{payout_id}/approval": lambda s: approve(),
    "POST /api/v1/payouts/{payout_id}/execution": lambda s: {"bank_reference": "ICBC-matrix"},
    "POST /api/v1/cases/{case_id}/payout-deferrals": lambda s: {
        "reason_kind": "disputed",
        "reason": "款项有争议",
    },
    "POST /api/v1/payout-deferrals/{deferral_id}/approval": lambda s: approve(),
    "POST /api/v1/payout-deferrals/{deferral_id}/lift": lambda s: {},
    "PUT /api/v1/calendar/{year}": lambda s: {
        "holidays": [f"{court_today().year + 1}-01-01"],
        "makeup_workdays": [],
    },
    "POST /api/v1/webhook-subscriptions": lambda s: {"url": "https://receiver.example/hooks"},
}

NO_SUBJECT_PARAMS = {"year": court_today().year + 1}


def app_operations(app) -> set[str]:  # noqa: ANN001
    """Every "METHOD /path" the app serves (HEAD, added by Starlette for GET, aside)."""
    return {
        f"{method} {route.path}"
        for route in iter_route_contexts(app.routes)
        for method in (route.methods or ())
        if method != "HEAD"
    }


def test_the_demo_users_are_the_ones_the_expectations_name():
    assert {u[0] for u in DEMO_USERS} == EVERYONE


def test_every_route_has_a_written_expectation(app):
    missing = app_operations(app) - set(EXPECTATIONS) - PUBLIC
    assert not missing, f"add these operations to tests/security/expectations.py: {sorted(missing)}"
    stale = (set(EXPECTATIONS) | PUBLIC) - app_operations(app)
    assert not stale, f"expectations for operations the app no longer has: {sorted(stale)}"


def _outcome(status: int, username: str, expected_allowed: bool, hidden: frozenset[str]) -> str | None:
    """None when the status fits the expectation, else what went wrong."""
    if status == 401:
        return "401 with a valid token"
    if expected_allowed:
        return f"refused with {status}" if status in (403, 404) else None
    refusals = (403, 404) if username in hidden else (403,)
    return None if status in refusals else f"expected {' or '.join(map(str, refusals))}, got {status}"


@pytest.mark.parametrize("operation", sorted(EXPECTATIONS))
def test_operation_allows_exactly_the_expected_users(client, auth, operation):
    expectation = EXPECTATIONS[operation]
    method, template = operation.split(" ", 1)
    subject = SUBJECTS[expectation.subject](client, auth) if expectation.subject else {}
    path = template.format(**(NO_SUBJECT_PARAMS | subject))
    body = BODIES[operation](subject) if operation in BODIES else None
    users = sorted(EVERYONE - expectation.allowed) + sorted(expectation.allowed)
    wrong = {}
    for username in users:
        response = client.request(method, path, json=body, headers=auth(username))
        allowed = username in expectation.allowed
        problem = _outcome(response.status_code, username, allowed, expectation.hidden)
        if problem:
            wrong[username] = f"{problem}: {response.text[:160]}"
    assert not wrong, f"{operation} on {subject}:\n" + "\n".join(f"  {u}: {p}" for u, p in wrong.items())


def _sample_path(template: str) -> str:
    return template.format(
        **{
            name: 1
            for name in (
                "case_id",
                "asset_id",
                "measure_id",
                "transfer_id",
                "listing_id",
                "objection_id",
                "referral_id",
                "petition_id",
                "extension_id",
                "receipt_id",
                "entry_id",
                "payout_id",
                "deferral_id",
                "subscription_id",
                "delivery_id",
            )
        },
        year=court_today().year,
    )


@pytest.mark.parametrize("operation", sorted(EXPECTATIONS))
def test_operation_needs_a_token(client, operation):
    method, template = operation.split(" ", 1)
    response = client.request(method, _sample_path(template), json={})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("operation", sorted(PUBLIC))
def test_public_operation_needs_no_token(client, operation):
    method, template = operation.split(" ", 1)
    kwargs: dict[str, Any] = (
        {"data": {"username": "registrar", "password": "demo-password"}} if method == "POST" else {}
    )
    path = template.format(slug="validation-error")
    assert client.request(method, path, **kwargs).status_code == 200


def test_a_refusal_comes_before_a_state_conflict(client, auth):
    """A user who may not act learns nothing from the record's state: 403, not 409 (the order of
    app.services.case_access: 404 unseen, 403, 412, 409)."""
    referral = _referral(client, auth)  # submitted: supplementing is not its next step
    response = client.post(
        f"/api/v1/refusal-referrals/{referral['referral_id']}/supplement",
        json=BODIES["POST /api/v1/refusal-referrals/{referral_id}/supplement"](referral),
        headers=auth("fast-judge"),
    )
    assert response.status_code == 403, response.text
