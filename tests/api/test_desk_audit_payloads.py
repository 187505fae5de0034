"""What the audit trail says when a desk record is made or decided (plan §2(4)): every key and value of
the entry's before and after, as the trail keeps them."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.models.case import Party
from app.models.measure import Measure
from app.rules.money import account_reference
from app.settings import court_today
from tests.factories import add_measure
from tests.factories import make_disposal_ready_case
from tests.factories import make_team_case
from tests.factories import objection_body
from tests.factories import respondent_of
from tests.helpers import ok

API = "/api/v1"


def entry(action: str, entity_id: int) -> tuple[Any, Any, str | None]:
    """The before, after and reason of the one audit entry ``action`` of the record."""
    with session_scope(read_only=True) as session:
        found = session.scalars(
            select(AuditEntry).where(AuditEntry.action == action, AuditEntry.entity_id == str(entity_id))
        ).one()
        return found.before, found.after, found.reason


def test_a_filed_objection_is_audited_with_its_filing(client, auth):
    case_id = make_team_case(1)
    body = objection_body(case_id)
    objection = ok(client.post(f"{API}/objections", json=body, headers=auth("objection-judge")), 201)
    assert entry("objection.received", objection["id"]) == (
        None,
        {
            "state": "received",
            "docket_number": None,
            "outcome": None,
            "ruled_on": None,
            "served_on": None,
            "reconsideration_applied_on": None,
            "transferred_on": None,
            "version": 1,
            "kind": "enforcement_act",
            "filer_name": "某某贸易有限公司",
            "filer_kind": "party",
            "received_on": "2026-05-11",
            "asset_id": None,
        },
        None,
    )


def test_a_received_petition_is_audited_with_its_receipt(client, auth):
    case_id = make_team_case(1)
    body = {
        "received_on": "2026-06-01",
        "channel": "visit",
        "petitioner_name": "张三",
        "contact": None,
        "case_id": case_id,
        "content": "申请执行人反映案件长期未执行到位",
    }
    first = ok(client.post(f"{API}/petitions", json=body, headers=auth("comprehensive")), 201)
    body |= {"received_on": "2026-06-03", "petitioner_name": "张 三"}  # the same petitioner again
    again = ok(client.post(f"{API}/petitions", json=body, headers=auth("comprehensive")), 201)
    assert entry("petition.received", again["id"]) == (
        None,
        {
            "state": "received",
            "unit_code": None,
            "supervised": False,
            "version": 1,
            "received_on": "2026-06-03",
            "channel": "visit",
            "petitioner_name": "张 三",
            "repeat_of_id": first["id"],
        },
        None,
    )


def test_a_submitted_referral_is_audited_with_its_materials(client, auth):
    case_id = make_team_case(1)
    items = ["evidence_of_refusal", "documents_served"]
    body = {
        "case_id": case_id,
        "summary": "被执行人有能力履行而拒不履行，转移车辆",
        "materials": [{"item": item, "note": None} for item in items],
        "submitted_on": "2026-06-01",
    }
    referral = ok(client.post(f"{API}/refusal-referrals", json=body, headers=auth("brigade1-judge")), 201)
    assert entry("refusal_referral.submitted", referral["id"]) == (
        None,
        {
            "stage": "submitted",
            "outcome": None,
            "missing_items": [],
            "return_count": 0,
            "version": 1,
            "unit_code": "brigade-1",
            "submitted_on": "2026-06-01",
            "materials": ["evidence_of_refusal", "documents_served"],
        },
        "被执行人有能力履行而拒不履行，转移车辆",
    )


def test_a_payout_request_and_a_deferral_request_are_audited_with_what_was_asked(client, auth):
    case_id = make_team_case(1)
    receipt = {
        "amount": "50000.00",
        "received_on": "2026-11-02",
        "payer": "某某贸易有限公司",
        "channel": "bank_transfer",
        "bank_reference": f"BOC-{case_id}",
        "account_reference": account_reference("豫0104", case_id),
    }
    ok(client.post(f"{API}/receipts", json=receipt, headers=auth("finance")), 201)
    with session_scope(read_only=True) as session:
        applicant_id = session.scalars(
            select(Party.id).where(Party.case_id == case_id, Party.role == "applicant")
        ).one()
    asked = {
        "kind": "applicant",
        "amount": "30000.00",
        "payee_party_id": applicant_id,
        "payee_account": "6222020200112233445",
    }
    url = f"{API}/cases/{case_id}/payouts"
    payout = ok(client.post(url, json=asked, headers=auth("brigade1-judge")), 201)
    assert entry("payout.request", payout["id"]) == (
        None,
        {
            "state": "requested",
            "amount": "30000.00",
            "version": 1,
            "kind": "applicant",
            "payee_name": payout["payee_name"],
            "approver_role": "deputy_director",
            "requested_on": court_today().isoformat(),
        },
        None,
    )
    body = {"reason_kind": "disputed", "reason": "案外人对该款项提出异议"}
    url = f"{API}/cases/{case_id}/payout-deferrals"
    deferral = ok(client.post(url, json=body, headers=auth("brigade1-judge")), 201)
    assert entry("payout_deferral.request", deferral["id"]) == (
        None,
        {"state": "requested", "version": 1, "reason_kind": "disputed"},
        "案外人对该款项提出异议",
    )


def test_a_dishonest_listing_is_audited_when_proposed_and_when_decided(client, auth):
    case_id = make_team_case(1)
    add_measure(
        case_id, "consumption_ban", date(2026, 4, 1), signed_by="director", document_number="限制消费令1"
    )
    body = {
        "respondent_id": respondent_of(case_id),
        "ground": "obstructs",
        "facts": "以暴力方法阻碍查封",
        "proposed_on": "2026-04-02",
    }
    url = f"{API}/cases/{case_id}/dishonest-listings"
    listing = ok(client.post(url, json=body, headers=auth("brigade1-judge")), 201)
    assert entry("dishonest.propose", listing["id"]) == (
        None,
        {
            "respondent_id": respondent_of(case_id),
            "ground": "obstructs",
            "state": "proposed",
            "proposed_on": "2026-04-02",
        },
        "以暴力方法阻碍查封",
    )
    decision = {"decision": "approve", "decided_on": "2026-04-10"}
    url = f"{API}/dishonest-listings/{listing['id']}/decision"
    ok(client.post(url, json=decision, headers=auth("director")))
    assert entry("dishonest.approve", listing["id"]) == (
        {"state": "proposed"},
        {"state": "active", "decided_on": "2026-04-10", "term_years": 2, "term_ends_on": "2028-04-10"},
        None,
    )


def test_a_disposal_request_is_audited_with_where_the_case_goes_back_to(client, auth, user_ids):
    case_id = make_disposal_ready_case()
    url = f"{API}/cases/{case_id}/disposal-transfers"
    transfer = ok(client.post(url, json={"requested_on": "2026-04-03"}, headers=auth("brigade1-judge")), 201)
    with session_scope(read_only=True) as session:
        document_id = session.scalars(select(Measure.id).where(Measure.case_id == case_id)).one()
    assert entry("disposal.request", transfer["id"]) == (
        None,
        {
            "state": "requested",
            "requested_on": "2026-04-03",
            "disposal_document_id": document_id,
            "asset_id": None,
            "origin_unit_code": "brigade-1",
            "origin_handler_id": user_ids["brigade1-judge"],
        },
        None,
    )
