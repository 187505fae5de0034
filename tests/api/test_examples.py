"""The request examples of openapi.json work as they are: each, sent unchanged by the user whose work
it is, gets a 2xx from its operation in a state where it applies.

The examples tell one story, dated in order: the case POST /cases files is case 1, its respondent
party 2; the desks' examples name that case. Where an example needs something no example records
(a served disposal document, a consumption ban, a 终本 closing), the test writes it first.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from app.database import session_scope
from app.models.case import Case
from app.models.user import User
from tests.factories import add_measure
from tests.factories import add_termination_measures
from tests.factories import make_fast_case
from tests.factories import make_team_case

JSON = "application/json"
# login: an OAuth2 form, not a JSON body. request_deadline_extension: it applies only while D3 has
# more than 5 days left, which a fixed example case cannot promise on every date the suite runs
# (tests/api/test_deadlines.py sends the request on a case filed for it).
EXCEPT = {"login", "request_deadline_extension"}


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    refs = [s for s in schema.get("anyOf", ()) if "$ref" in s]  # an optional body: the schema or null
    return _resolve(spec, refs[0]) if refs else schema


def operations(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """Each operation with a JSON body: its method, path and the body's schema."""
    found = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            content = operation.get("requestBody", {}).get("content", {})
            if JSON in content:
                found[operation["operationId"]] = (method, path, _resolve(spec, content[JSON]["schema"]))
    return found


@pytest.fixture(scope="module")
def spec(app) -> dict[str, Any]:  # noqa: ANN001
    return app.openapi()


def test_every_request_body_has_an_example(spec):
    missing = [name for name, (_, _, schema) in operations(spec).items() if not schema.get("examples")]
    assert missing == []
    assert set(operations(spec)) >= {
        "create_case",
        "file_objection",
        "receive_petition",
        "submit_refusal_referral",
        "request_disposal_transfer",
        "propose_dishonest_listing",
    }


class Story:
    """Sends each operation's example as it is and keeps what it created."""

    def __init__(self, client, auth, spec: dict[str, Any]) -> None:  # noqa: ANN001
        self.client, self.auth, self.operations = client, auth, operations(spec)
        self.sent: set[str] = set()

    def example(self, operation_id: str) -> dict[str, Any]:
        return self.operations[operation_id][2]["examples"][0]

    def send(self, operation_id: str, user: str, **path: object) -> dict[str, Any]:
        method, template, _ = self.operations[operation_id]
        url = template.format(**path)
        response = self.client.request(method, url, json=self.example(operation_id), headers=self.auth(user))
        assert 200 <= response.status_code < 300, f"{operation_id}: {response.status_code} {response.text}"
        self.sent.add(operation_id)
        return response.json()


def handling_judge(case_id: int) -> str:
    """The username of the case's handling judge."""
    with session_scope(read_only=True) as session:
        return session.get_one(User, session.get_one(Case, case_id).handler_id).username


def pay_out_the_rest(client, auth, judge: str, *, case_id: int) -> None:  # noqa: ANN001
    """The fee to the court and the rest to the applicant, so that the case may close."""
    account = client.get(f"/api/v1/cases/{case_id}/ledger", headers=auth("finance")).json()
    fee = Decimal(account["fee_due"]) - Decimal(account["fee_paid"])
    rest = Decimal(account["balance"]) - fee
    applicant = {"payee_party_id": 1, "payee_account": "6222020200112233445"}
    for body in (
        {"kind": "fee", "amount": str(fee)},
        {"kind": "applicant", "amount": str(rest), **applicant},
    ):
        payout = client.post(f"/api/v1/cases/{case_id}/payouts", json=body, headers=auth(judge)).json()
        client.post(
            f"/api/v1/payouts/{payout['id']}/approval", json={"decision": "approve"}, headers=auth("director")
        )
        done = client.post(
            f"/api/v1/payouts/{payout['id']}/execution",
            json={"bank_reference": f"ICBC-{payout['id']}"},
            headers=auth("finance"),
        )
        assert done.status_code == 200, done.text


def test_each_example_is_accepted_where_it_applies(client, auth, spec):
    story = Story(client, auth, spec)

    # Intake to allocation: case 1 and its respondent, party 2.
    case = story.send("create_case", "registrar")
    assert case["id"] == story.example("file_objection")["case_id"] == 1
    assert case["respondents"][0]["id"] == story.example("propose_dishonest_listing")["respondent_id"]
    story.send("register_case", "comprehensive", case_id=1)
    story.send("record_investigation", "comprehensive", case_id=1)
    asset = story.send("record_asset", "comprehensive", case_id=1)["id"]
    assert story.send("evaluate_triage", "comprehensive")["track"] == "ordinary"
    story.send("triage_case", "comprehensive", case_id=1)
    judge = handling_judge(1)
    story.send("record_measure", judge, case_id=1)
    story.send("renew_asset_control", judge, case_id=1, asset_id=asset)

    # Objection and reconsideration on case 1.
    objection = story.send("file_objection", "objection-judge")["id"]
    for step in (
        "docket_objection",
        "record_objection_hearing",
        "rule_on_objection",
        "record_objection_ruling_service",
        "apply_for_objection_reconsideration",
        "transfer_objection_file",
    ):
        story.send(step, "objection-judge", objection_id=objection)

    # Centralised disposal: the judge signed and served the auction ruling first.
    add_measure(
        1, "disposal_document", date(2026, 4, 1), signed_by=judge, document_number="（2026）豫0104执123号之二"
    )
    transfer = story.send("request_disposal_transfer", judge, case_id=1)["id"]
    story.send("decide_disposal_transfer", "deputy", transfer_id=transfer)
    story.send("record_disposal_task", "disposal", transfer_id=transfer)

    # A petition about case 1, answered by its team.
    petition = story.send("receive_petition", "comprehensive")["id"]
    for step in ("register_petition", "route_petition", "urge_petition", "supervise_petition"):
        story.send(step, "comprehensive", petition_id=petition)
    story.send("reply_to_petition", judge, petition_id=petition)
    for step in ("resolve_petition", "close_petition"):
        story.send(step, "comprehensive", petition_id=petition)

    # The dishonest list: a consumption ban precedes the director's approval.
    add_measure(1, "consumption_ban", date(2026, 5, 7), signed_by="director", document_number="限消令1")
    listing = story.send("propose_dishonest_listing", judge, case_id=1)["id"]
    story.send("decide_dishonest_listing", "director", listing_id=listing)

    # A refusal-to-execute referral followed to its outcome.
    referral = story.send("submit_refusal_referral", judge)["id"]
    for step in (
        "review_refusal_referral",
        "record_refusal_referral_liaison",
        "record_refusal_referral_police_transfer",
        "record_refusal_referral_outcome",
    ):
        story.send(step, "comprehensive", referral_id=referral)

    # The property comes back realised; the respondent has paid; the case closes.
    story.send("return_disposal_transfer", "disposal", transfer_id=transfer)

    # Case money: the respondent pays quoting case 1's account, a sum quoting none is claimed to it,
    # the judge asks for a payout, the deputy approves, the office pays; a deferral comes and goes,
    # and the office reverses the receipt booked by mistake.
    story.send("record_receipt", "finance")
    unclaimed = {
        "amount": "800.00",
        "received_on": "2026-07-01",
        "payer": "郑州某某贸易有限公司",
        "channel": "bank_transfer",
        "bank_reference": "BOC20260701-000124",
    }
    receipt = client.post("/api/v1/receipts", json=unclaimed, headers=auth("finance")).json()["id"]
    story.send("claim_receipt", "finance", receipt_id=receipt)
    payout = story.send("request_payout", judge, case_id=1)["id"]
    story.send("decide_payout", "deputy", payout_id=payout)
    story.send("execute_payout", "finance", payout_id=payout)
    deferral = story.send("request_payout_deferral", judge, case_id=1)["id"]
    story.send("decide_payout_deferral", "director", deferral_id=deferral)
    story.send("lift_payout_deferral", judge, deferral_id=deferral)
    entries = client.get("/api/v1/cases/1/ledger", headers=auth("finance")).json()["entries"]
    [booked] = [e["id"] for e in entries if e["kind"] == "receipt" and e["amount"] == "5000.00"]
    story.send("reverse_ledger_entry", "finance", entry_id=booked)
    pay_out_the_rest(client, auth, judge, case_id=1)
    story.send("trigger_dishonest_deletion", judge, listing_id=listing)
    story.send("delete_dishonest_listing", judge, listing_id=listing)
    story.send("release_asset_control", judge, case_id=1, asset_id=asset)
    story.send("close_case", judge, case_id=1)

    # Examples that apply to other cases: a referral returned for a missing item, a fast-track case
    # handed back, a 终本 case re-checked and restored, and the working calendar.
    other = make_team_case(2, filed_on=date(2026, 3, 2))
    returned = client.post(
        "/api/v1/refusal-referrals",
        json={"case_id": other, "summary": "转移财产", "materials": ["evidence_of_refusal"]},
        headers=auth("brigade2-judge"),
    ).json()["id"]
    review = {"result": "returned", "missing_items": ["warnings_given"]}
    client.post(f"/api/v1/refusal-referrals/{returned}/review", json=review, headers=auth("comprehensive"))
    story.send("supplement_refusal_referral", "brigade2-judge", referral_id=returned)
    story.send("hand_back_case", "fast-judge", case_id=make_fast_case())
    terminated = make_team_case(1, filed_on=date(2026, 3, 2))
    add_termination_measures(terminated, date(2026, 3, 20))
    closing = {"mode": "terminated_current", "closed_on": "2026-07-01"}
    handler = handling_judge(terminated)
    client.post(f"/api/v1/cases/{terminated}/closure", json=closing, headers=auth(handler))
    story.send("record_termination_pool_recheck", handler, case_id=terminated)
    story.send("restore_case", "comprehensive", case_id=terminated)
    story.send("update_calendar_year", "admin", year=2026)
    story.send("create_webhook_subscription", "admin")
    assert story.send("create_case_batch", "filing-bot")["created"] == 2

    assert story.sent == set(story.operations) - EXCEPT
