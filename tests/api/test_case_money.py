"""Case money as the office, the judges and the leaders meet it: one account per case, receipts and
claims, payouts by tier, no overdraw, reversals, and what the ledger does to the case's claim."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError

from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.models.case_account import LedgerEntry
from app.models.deadline import Deadline
from app.models.receipt import Receipt
from app.rules.money import account_reference
from app.services import deadline_board
from app.services import deadline_clocks
from app.services import deadline_events
from tests.conftest import IS_POSTGRES
from tests.factories import make_case
from tests.factories import make_disposal_ready_case
from tests.factories import make_team_case
from tests.helpers import fields
from tests.helpers import ok

RECEIPTS = "/api/v1/receipts"


def reference(case_id: int) -> str:
    return account_reference("豫0104", case_id)


def receive(client, auth, amount: str, *, quoting: str | None, bank_reference: str | None = None, **extra):  # noqa: ANN001, ANN201
    body = {
        "amount": amount,
        "received_on": "2026-11-02",
        "payer": "某某贸易有限公司",
        "channel": "bank_transfer",
        "bank_reference": bank_reference or f"BOC-{amount}-{quoting}-{extra.get('received_on', '')}",
        "account_reference": quoting,
        **extra,
    }
    return client.post(RECEIPTS, json=body, headers=auth("finance"))


def funded_case(client, auth, amount: str = "50000.00", **kwargs: object) -> int:
    """A brigade-1 case (claim 80,000.00, fee 1,100.00) whose account has received ``amount``."""
    case_id = make_team_case(1, **kwargs)
    ok(receive(client, auth, amount, quoting=reference(case_id)), 201)
    return case_id


def ledger(client, auth, case_id: int, user: str = "finance") -> dict:  # noqa: ANN001
    return ok(client.get(f"/api/v1/cases/{case_id}/ledger", headers=auth(user)))


def ask(client, auth, case_id: int, amount: str, user: str = "brigade1-judge", kind: str = "applicant"):  # noqa: ANN001, ANN201
    body: dict[str, object] = {"kind": kind, "amount": amount}
    if kind == "applicant":
        body |= {"payee_party_id": applicant_of(case_id), "payee_account": "6222020200112233445"}
    return client.post(f"/api/v1/cases/{case_id}/payouts", json=body, headers=auth(user))


def applicant_of(case_id: int) -> int:
    from app.models.case import Party

    with session_scope(read_only=True) as session:
        return session.execute(
            select(Party.id).where(Party.case_id == case_id, Party.role == "applicant")
        ).scalar_one()


def decide(client, auth, payout_id: int, user: str = "deputy", decision: str = "approve"):  # noqa: ANN001, ANN201
    body = {"decision": decision} | ({"reason": "不符合发放条件"} if decision == "refuse" else {})
    return client.post(f"/api/v1/payouts/{payout_id}/approval", json=body, headers=auth(user))


def execute(client, auth, payout_id: int, user: str = "finance"):  # noqa: ANN001, ANN201
    body = {"bank_reference": f"ICBC-{payout_id}"}
    return client.post(f"/api/v1/payouts/{payout_id}/execution", json=body, headers=auth(user))


def paid_out(client, auth, case_id: int, amount: str, approver: str = "deputy") -> dict:  # noqa: ANN001
    payout = ok(ask(client, auth, case_id, amount), 201)
    ok(decide(client, auth, payout["id"], approver))
    return ok(execute(client, auth, payout["id"]))


# One account per case ------------------------------------------------------------------------------


def test_a_filed_case_has_its_account_reference(client, auth):
    body = {
        "case_number": "（2026）豫0104执900号",
        "filed_on": "2026-11-02",
        "category": "civil_commercial",
        "claim_amount": "300000.00",
        "applicants": [{"name": "张三", "party_type": "natural_person"}],
        "respondents": [{"name": "李四", "party_type": "natural_person", "respondent_class": "individual"}],
    }
    filed = ok(client.post("/api/v1/cases", json=body, headers=auth("registrar")), 201)
    case_id = filed["id"]
    account = ledger(client, auth, case_id)
    assert account["account_reference"] == reference(case_id) == filed["account_reference"]
    assert account["account_reference"].startswith("410104")  # 豫 = 41, court 0104
    assert (account["balance"], account["fee_due"], account["entries"]) == ("0.00", "4400.00", [])


def test_the_ledger_is_read_by_the_office_leadership_and_the_handling_team_only(client, auth):
    case_id = make_team_case(1)
    for user in ("finance", "director", "comprehensive", "brigade1-judge", "brigade1-judge2"):
        ok(client.get(f"/api/v1/cases/{case_id}/ledger", headers=auth(user)))
    assert client.get(f"/api/v1/cases/{case_id}/ledger", headers=auth("brigade2-judge")).status_code == 404
    for user in ("registrar", "admin"):
        assert client.get(f"/api/v1/cases/{case_id}/ledger", headers=auth(user)).status_code == 403


# Receipts and claims -------------------------------------------------------------------------------


def test_a_receipt_quoting_the_case_account_lands_in_its_ledger_at_once(client, auth):
    case_id = make_team_case(1)
    receipt = ok(receive(client, auth, "12000.50", quoting=reference(case_id).lower()), 201)
    assert (receipt["state"], receipt["case_id"], receipt["allowed_actions"]) == ("credited", case_id, [])
    account = ledger(client, auth, case_id)
    assert (account["balance"], account["received"]) == ("12000.50", "12000.50")
    [entry] = account["entries"]
    assert (entry["kind"], entry["amount"], entry["receipt_id"], entry["balance_after"]) == (
        "receipt",
        "12000.50",
        receipt["id"],
        "12000.50",
    )
    with session_scope(read_only=True) as session:
        actions = set(session.scalars(select(AuditEntry.action).where(AuditEntry.case_id == case_id)))
    assert {"receipt.record", "ledger.receipt"} <= actions


def test_a_receipt_quoting_no_valid_account_waits_unclaimed_until_claimed(client, auth):
    case_id = make_team_case(1)
    right = reference(case_id)
    wrong = right[:-1] + ("0" if right[-1] != "0" else "1")
    none = ok(receive(client, auth, "3000.00", quoting=None), 201)
    mistyped = ok(receive(client, auth, "4000.00", quoting=wrong), 201)
    assert (none["state"], none["case_id"]) == ("unclaimed", None)
    assert (mistyped["state"], mistyped["quoted_reference"]) == ("unclaimed", wrong)
    assert mistyped["allowed_actions"] == ["claim"]
    unclaimed = ok(client.get(RECEIPTS, params={"state": "unclaimed"}, headers=auth("finance")))["items"]
    assert [r["id"] for r in unclaimed] == [mistyped["id"], none["id"]]
    assert ledger(client, auth, case_id)["balance"] == "0.00"

    claim = f"{RECEIPTS}/{mistyped['id']}/claim"
    assert fields(client.post(claim, json={"account_reference": wrong}, headers=auth("finance"))) == {
        "account_reference"
    }
    other_court = account_reference("豫0105", case_id)
    assert fields(client.post(claim, json={"account_reference": other_court}, headers=auth("finance"))) == {
        "account_reference"
    }
    assert (
        client.post(claim, json={"account_reference": right}, headers=auth("brigade1-judge")).status_code
        == 403
    )
    claimed = ok(client.post(claim, json={"account_reference": right}, headers=auth("finance")))
    assert (claimed["state"], claimed["case_id"]) == ("credited", case_id)
    assert claimed["claimed_on"] is not None
    assert ledger(client, auth, case_id)["balance"] == "4000.00"
    again = client.post(claim, json={"account_reference": right}, headers=auth("finance"))
    assert again.status_code == 409 and again.json()["state"] == "credited"


def test_receipt_input_is_checked_field_by_field(client, auth):
    case_id = make_team_case(1)
    quoting = reference(case_id)
    assert fields(receive(client, auth, "0.00", quoting=quoting)) == {"amount"}
    assert fields(receive(client, auth, "10.001", quoting=quoting)) == {"amount"}
    cash = {"channel": "cash", "bank_reference": None}
    assert fields(receive(client, auth, "500.00", quoting=quoting, **cash, officers=["王五"])) == {"officers"}
    assert fields(receive(client, auth, "500.00", quoting=quoting, **cash, officers=["王五", "王五"])) == {
        "officers"
    }
    ok(receive(client, auth, "500.00", quoting=quoting, **cash, officers=["王五", "赵六"]), 201)
    ok(receive(client, auth, "600.00", quoting=quoting, bank_reference="BOC-1"), 201)
    duplicate = receive(client, auth, "600.00", quoting=quoting, bank_reference="BOC-1")
    assert duplicate.status_code == 409
    assert ledger(client, auth, case_id)["balance"] == "1100.00"
    assert receive(client, auth, "1.00", quoting=quoting).status_code == 201
    assert client.post(RECEIPTS, json={}, headers=auth("brigade1-judge")).status_code == 403


def test_a_bank_receipt_needs_its_bank_reference(client, auth):
    body = {
        "amount": "10.00",
        "received_on": "2026-11-02",
        "payer": "李四",
        "channel": "online_deduction",
    }
    assert fields(client.post(RECEIPTS, json=body, headers=auth("finance"))) == {"bank_reference"}


# Payouts -------------------------------------------------------------------------------------------


def test_a_payout_is_requested_approved_by_its_tier_and_executed(client, auth):
    case_id = funded_case(client, auth, "50000.00")
    payout = ok(ask(client, auth, case_id, "30000.00"), 201)
    assert (payout["state"], payout["approver_role"], payout["payee_name"]) == (
        "requested",
        "deputy_director",
        "张三",
    )
    assert ledger(client, auth, case_id)["reserved"] == "30000.00"
    assert execute(client, auth, payout["id"]).status_code == 409  # not approved yet
    approved = ok(decide(client, auth, payout["id"], "deputy"))
    assert (approved["state"], approved["allowed_actions"]) == ("approved", [])
    executed = ok(execute(client, auth, payout["id"]))
    assert (executed["state"], executed["bank_reference"]) == ("executed", f"ICBC-{payout['id']}")
    account = ledger(client, auth, case_id)
    assert (account["balance"], account["paid_to_applicants"], account["reserved"]) == (
        "20000.00",
        "30000.00",
        "0.00",
    )
    assert account["entries"][-1]["amount"] == "-30000.00"
    # the case's performance follows the ledger: its outstanding claim is what is left
    case = ok(client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge")))
    assert case["paid_amount"] == "30000.00"
    assert (account["claim_amount"], account["outstanding_claim"]) == ("80000.00", "50000.00")


def test_from_one_hundred_thousand_the_director_approves(client, auth):
    case_id = funded_case(client, auth, "300000.00", claim_amount=Decimal("500000.00"))
    below = ok(ask(client, auth, case_id, "99999.99"), 201)
    tier = ok(ask(client, auth, case_id, "100000.00"), 201)
    assert (below["approver_role"], tier["approver_role"]) == ("deputy_director", "director")
    refused = decide(client, auth, tier["id"], "deputy")
    assert refused.status_code == 403 and "director" in refused.json()["detail"]
    assert ok(decide(client, auth, tier["id"], "director"))["state"] == "approved"
    assert ok(decide(client, auth, below["id"], "director"))["state"] == "approved"  # the higher rank may


def test_nobody_approves_his_own_payout_request(client, auth):
    # A deputy director who handles a case himself (院庭长办案) asks for its payout.
    case_id = make_case(state="in_progress", unit_code="brigade-1", handler="deputy", track="ordinary")
    ok(receive(client, auth, "20000.00", quoting=reference(case_id)), 201)
    payout = ok(ask(client, auth, case_id, "5000.00", user="deputy"), 201)
    own = decide(client, auth, payout["id"], "deputy")
    assert own.status_code == 403 and "your own request" in own.json()["detail"]
    read = ok(client.get(f"/api/v1/payouts/{payout['id']}", headers=auth("deputy")))
    assert read["allowed_actions"] == []
    assert ok(decide(client, auth, payout["id"], "director"))["state"] == "approved"


def test_each_step_is_refused_to_roles_that_may_not_take_it(client, auth):
    case_id = funded_case(client, auth, "50000.00")
    for user in ("brigade1-judge2", "finance", "deputy", "comprehensive"):
        assert ask(client, auth, case_id, "100.00", user=user).status_code == 403, user
    assert ask(client, auth, case_id, "100.00", user="brigade2-judge").status_code == 404
    payout = ok(ask(client, auth, case_id, "100.00"), 201)
    for user in ("brigade1-judge", "finance", "president", "comprehensive"):
        assert decide(client, auth, payout["id"], user).status_code == 403, user
    ok(decide(client, auth, payout["id"], "deputy"))
    for user in ("brigade1-judge", "deputy", "director"):
        assert execute(client, auth, payout["id"], user).status_code == 403, user
    ok(execute(client, auth, payout["id"]))


def test_a_refused_payout_frees_what_it_reserved(client, auth):
    case_id = funded_case(client, auth, "10000.00")
    payout = ok(ask(client, auth, case_id, "8900.00"), 201)
    assert ask(client, auth, case_id, "0.01").status_code == 409
    no_reason = {"decision": "refuse"}
    url = f"/api/v1/payouts/{payout['id']}/approval"
    assert fields(client.post(url, json=no_reason, headers=auth("deputy"))) == {"reason"}
    assert ok(decide(client, auth, payout["id"], "deputy", "refuse"))["state"] == "refused"
    ok(ask(client, auth, case_id, "8900.00"), 201)


def test_overdraw_is_refused_with_the_balance_and_the_fee_comes_first(client, auth):
    case_id = funded_case(client, auth, "10000.00")  # claim 80,000.00: fee 1,100.00
    over = ask(client, auth, case_id, "9000.00")
    assert over.status_code == 409
    problem = over.json()
    assert problem["type"] == "/problems/insufficient-funds"
    assert (problem["balance"], problem["available"]) == ("10000.00", "8900.00")
    ok(ask(client, auth, case_id, "8900.00"), 201)
    assert ask(client, auth, case_id, "0.01").json()["available"] == "0.00"
    assert fields(ask(client, auth, case_id, "1100.01", kind="fee")) == {"amount"}
    fee = ok(ask(client, auth, case_id, "1100.00", kind="fee"), 201)
    assert (fee["payee_name"], fee["payee_party_id"]) == ("the court (execution application fee)", None)
    assert ledger(client, auth, case_id)["available_for_applicants"] == "0.00"
    assert fields(ask(client, auth, case_id, "0.00")) == {"amount"}


def test_payee_must_be_an_applicant_of_the_case(client, auth):
    case_id = funded_case(client, auth, "10000.00")
    other = make_team_case(1)
    body = {"kind": "applicant", "amount": "100.00", "payee_account": "6222020200112233445"}
    for party in (applicant_of(other), applicant_of(case_id) + 1):  # another case's, the respondent
        response = client.post(
            f"/api/v1/cases/{case_id}/payouts",
            json=body | {"payee_party_id": party},
            headers=auth("brigade1-judge"),
        )
        assert fields(response) == {"payee_party_id"}
    assert fields(
        client.post(f"/api/v1/cases/{case_id}/payouts", json=body, headers=auth("brigade1-judge"))
    ) == {"payee_party_id"}


def test_only_the_surplus_beyond_the_claim_and_the_fee_goes_back_to_the_respondent(client, auth):
    case_id = funded_case(client, auth, "100000.00")  # claim 80,000.00, fee 1,100.00
    assert ledger(client, auth, case_id)["available_for_respondents"] == "18900.00"
    respondent = applicant_of(case_id) + 1
    body = {"kind": "respondent", "payee_party_id": respondent, "payee_account": "6222020200998877665"}
    url = f"/api/v1/cases/{case_id}/payouts"
    too_much = client.post(url, json=body | {"amount": "18900.01"}, headers=auth("brigade1-judge"))
    assert too_much.status_code == 409 and too_much.json()["available"] == "18900.00"
    to_applicant = body | {"amount": "100.00", "payee_party_id": applicant_of(case_id)}
    assert fields(client.post(url, json=to_applicant, headers=auth("brigade1-judge"))) == {"payee_party_id"}
    surplus = ok(client.post(url, json=body | {"amount": "18900.00"}, headers=auth("brigade1-judge")), 201)
    assert surplus["payee_name"] == "某某贸易有限公司"
    ok(decide(client, auth, surplus["id"]))
    ok(execute(client, auth, surplus["id"]))
    account = ledger(client, auth, case_id)
    assert (account["paid_to_respondents"], account["balance"], account["paid_amount"]) == (
        "18900.00",
        "81100.00",
        "0.00",  # a surplus returned is no performance
    )
    assert account["available_for_applicants"] == "80000.00"


def test_payouts_covering_the_claim_and_the_fee_offer_closing_as_performed(client, auth):
    case_id = funded_case(client, auth, "81100.00")
    paid_out(client, auth, case_id, "50000.00")
    assert ledger(client, auth, case_id)["closing_as_performed_offered"] is False
    paid_out(client, auth, case_id, "30000.00")
    account = ledger(client, auth, case_id)
    assert (account["outstanding_claim"], account["closing_as_performed_offered"]) == ("0.00", False)
    fee = ok(ask(client, auth, case_id, "1100.00", kind="fee"), 201)
    ok(decide(client, auth, fee["id"]))
    ok(execute(client, auth, fee["id"]))
    account = ledger(client, auth, case_id)
    assert (account["balance"], account["fee_paid"], account["closing_as_performed_offered"]) == (
        "0.00",
        "1100.00",
        True,
    )


# Reversals -----------------------------------------------------------------------------------------


def test_an_entry_is_reversed_once_by_an_entry_naming_it(client, auth):
    case_id = funded_case(client, auth, "10000.00")
    [entry] = ledger(client, auth, case_id)["entries"]
    url = f"/api/v1/ledger-entries/{entry['id']}/reversal"
    body = {"reason": "银行退回：重复入账"}
    assert client.post(url, json=body, headers=auth("brigade1-judge")).status_code == 403
    reversal = ok(client.post(url, json=body, headers=auth("finance")), 201)
    assert (reversal["kind"], reversal["amount"], reversal["reverses_entry_id"]) == (
        "reversal",
        "-10000.00",
        entry["id"],
    )
    again = client.post(url, json=body, headers=auth("finance"))
    assert again.status_code == 409 and again.json()["entry_id"] == reversal["id"]
    of_reversal = client.post(
        f"/api/v1/ledger-entries/{reversal['id']}/reversal", json=body, headers=auth("finance")
    )
    assert of_reversal.status_code == 409
    account = ledger(client, auth, case_id)
    assert (account["balance"], account["received"]) == ("0.00", "0.00")
    assert account["entries"][0]["reversed_by_entry_id"] == reversal["id"]
    assert (
        client.post("/api/v1/ledger-entries/999999/reversal", json=body, headers=auth("finance")).status_code
        == 404
    )


def test_a_receipt_already_paid_out_cannot_be_reversed_below_zero(client, auth):
    case_id = funded_case(client, auth, "10000.00")
    paid_out(client, auth, case_id, "8000.00")
    receipt_entry = ledger(client, auth, case_id)["entries"][0]
    refused = client.post(
        f"/api/v1/ledger-entries/{receipt_entry['id']}/reversal",
        json={"reason": "错账"},
        headers=auth("finance"),
    )
    assert refused.status_code == 409 and refused.json()["balance"] == "2000.00"


def test_a_payout_returned_by_the_bank_is_reversed_and_the_claim_is_outstanding_again(client, auth):
    case_id = funded_case(client, auth, "10000.00")
    paid_out(client, auth, case_id, "8000.00")
    payout_entry = ledger(client, auth, case_id)["entries"][-1]
    ok(
        client.post(
            f"/api/v1/ledger-entries/{payout_entry['id']}/reversal",
            json={"reason": "户名不符，银行退回"},
            headers=auth("finance"),
        ),
        201,
    )
    account = ledger(client, auth, case_id)
    assert (account["balance"], account["paid_to_applicants"], account["outstanding_claim"]) == (
        "10000.00",
        "0.00",
        "80000.00",
    )
    case = ok(client.get(f"/api/v1/cases/{case_id}", headers=auth("brigade1-judge")))
    assert case["paid_amount"] == "0.00"


# Auction proceeds ---------------------------------------------------------------------------------


def test_a_retried_disposal_return_books_its_proceeds_once(client, auth):
    case_id = make_disposal_ready_case()
    transfer = ok(
        client.post(f"/api/v1/cases/{case_id}/disposal-transfers", json={}, headers=auth("brigade1-judge")),
        201,
    )
    ok(
        client.post(
            f"/api/v1/disposal-transfers/{transfer['id']}/approval",
            json={"decision": "approve"},
            headers=auth("deputy"),
        )
    )
    back = {"amount_realised": "1150000.00", "result": "第一次拍卖成交"}
    url = f"/api/v1/disposal-transfers/{transfer['id']}/return"
    ok(client.post(url, json=back, headers=auth("disposal")))
    assert client.post(url, json=back, headers=auth("disposal")).status_code == 409
    receipts = ok(client.get(RECEIPTS, params={"case_id": case_id}, headers=auth("finance")))["items"]
    assert [(r["channel"], r["amount"], r["disposal_transfer_id"]) for r in receipts] == [
        ("auction_proceeds", "1150000.00", transfer["id"])
    ]
    assert ledger(client, auth, case_id)["balance"] == "1150000.00"
    with session_scope(read_only=True) as session:
        assert session.scalar(select(func.count()).select_from(Receipt)) == 1


# Clocks on the board ------------------------------------------------------------------------------

BOARD_DAY = date(2026, 11, 20)  # a Friday: the board is read as of this day


@pytest.fixture
def board_day(monkeypatch: pytest.MonkeyPatch) -> date:
    for module in (deadline_events, deadline_clocks, deadline_board):
        monkeypatch.setattr(module, "court_today", lambda: BOARD_DAY)
    return BOARD_DAY


def on_board(client, auth, rule: str, status: str = "overdue") -> list[dict]:  # noqa: ANN001
    page = ok(
        client.get("/api/v1/deadlines", params={"status": status, "rule": rule}, headers=auth("director"))
    )
    return [
        {k: line[k] for k in ("case_id", "subject_type", "subject_id", "due_on", "status")}
        for line in page["items"]
    ]


def test_unclaimed_money_must_be_claimed_within_three_working_days(client, auth, board_day):
    case_id = make_team_case(1)
    receipt = ok(receive(client, auth, "3000.00", quoting=None, received_on="2026-11-02"), 201)
    # received Monday 2 November: claimed by Thursday 5 November (D18, a court setting)
    assert on_board(client, auth, "D18") == [
        {
            "case_id": None,
            "subject_type": "receipt",
            "subject_id": receipt["id"],
            "due_on": "2026-11-05",
            "status": "open",
        }
    ]
    claim = {"account_reference": reference(case_id), "claimed_on": "2026-11-06"}
    ok(client.post(f"{RECEIPTS}/{receipt['id']}/claim", json=claim, headers=auth("finance")))
    assert on_board(client, auth, "D18") == []
    [d18] = [d for d in clocks_of(None) if d.rule == "D18"]
    assert (d18.status, d18.met_on, d18.met_late) == ("met", date(2026, 11, 6), True)
    # the payout clock runs from the day the money was received, not from the claim
    [d19] = [d for d in clocks_of(case_id) if d.rule == "D19"]
    assert (d19.started_on, d19.due_on, d19.status) == (date(2026, 11, 2), date(2026, 12, 2), "open")


def test_money_received_must_be_paid_out_within_thirty_days_unless_deferred(client, auth, board_day):
    case_id = make_team_case(1)
    ok(receive(client, auth, "10000.00", quoting=reference(case_id), received_on="2026-10-09"), 201)
    # 30 days end on Sunday 8 November: due Monday 9 November, overdue on the board by the 20th
    [line] = on_board(client, auth, "D19")
    assert (line["case_id"], line["due_on"], line["status"]) == (case_id, "2026-11-09", "open")

    body = {"reason_kind": "disputed", "reason": "案外人对该款项提出异议", "requested_on": "2026-11-04"}
    deferral = ok(
        client.post(f"/api/v1/cases/{case_id}/payout-deferrals", json=body, headers=auth("brigade1-judge")),
        201,
    )
    again = client.post(
        f"/api/v1/cases/{case_id}/payout-deferrals", json=body, headers=auth("brigade1-judge")
    )
    assert again.status_code == 409
    url = f"/api/v1/payout-deferrals/{deferral['id']}"
    assert (
        client.post(f"{url}/approval", json={"decision": "approve"}, headers=auth("deputy")).status_code
        == 403
    )
    ok(
        client.post(
            f"{url}/approval",
            json={"decision": "approve", "decided_on": "2026-11-05"},
            headers=auth("director"),
        )
    )
    # approved on 5 November, before the clock ran out: it waits, and is off the overdue board
    assert on_board(client, auth, "D19") == []
    assert [(d["case_id"], d["status"]) for d in on_board(client, auth, "D19", status="paused")] == [
        (case_id, "paused")
    ]

    lifted = ok(client.post(f"{url}/lift", json={"lifted_on": "2026-11-19"}, headers=auth("brigade1-judge")))
    assert lifted["state"] == "lifted"
    # 14 days deferred: the last day moves to Sunday 22 November, due Monday 23 November
    [d19] = [d for d in clocks_of(case_id) if d.rule == "D19"]
    assert (d19.status, d19.paused_days, d19.due_on) == ("open", 14, date(2026, 11, 23))
    assert on_board(client, auth, "D19") == []

    paid_out(client, auth, case_id, "8900.00")  # the fee is kept back: not all of the receipt is out
    assert [d.status for d in clocks_of(case_id) if d.rule == "D19"] == ["open"]
    fee = ok(ask(client, auth, case_id, "1100.00", kind="fee"), 201)
    ok(decide(client, auth, fee["id"]))
    ok(execute(client, auth, fee["id"]))
    [d19] = [d for d in clocks_of(case_id) if d.rule == "D19"]
    assert d19.status == "met"


def clocks_of(case_id: int | None) -> list[deadline_clocks.DeadlineView]:
    with session_scope(read_only=True) as session:
        if case_id is not None:
            return deadline_clocks.list_for_case(session, case_id)
        rows = session.execute(select(*Deadline.__table__.c).where(Deadline.case_id.is_(None))).all()
        return [deadline_clocks.deadline_view(row, BOARD_DAY) for row in rows]


# Statistics -----------------------------------------------------------------------------------------


def test_statistics_show_money_received_paid_out_held_and_waiting_by_unit(client, auth):
    first = funded_case(client, auth, "10000.00")
    second = make_team_case(2)
    ok(receive(client, auth, "2500.00", quoting=reference(second), received_on="2026-11-10"), 201)
    paid_out(client, auth, first, "4000.00")
    ok(receive(client, auth, "700.00", quoting=None, received_on="2026-11-20"), 201)
    reversed_entry = ledger(client, auth, second, "brigade2-judge")["entries"][0]["id"]
    body = {"reason": "错账"}
    ok(
        client.post(f"/api/v1/ledger-entries/{reversed_entry}/reversal", json=body, headers=auth("finance")),
        201,
    )

    report = ok(client.get("/api/v1/stats/overview", headers=auth("director")))
    money = report["money"]
    assert (money["received"], money["paid_out"], money["held"]) == ("10000.00", "4000.00", "6000.00")
    assert (money["unclaimed"], money["unclaimed_receipts"]) == ("700.00", 1)
    assert (
        money["receipts_waiting"] == 1
    )  # the first case's receipt is not all paid out; the second was reversed
    assert money["oldest_waiting_days"] >= 28 and money["oldest_unclaimed_days"] >= 10
    by_unit = report["money_by_unit"]
    assert (by_unit["brigade-1"]["held"], by_unit["brigade-2"]["received"]) == ("6000.00", "0.00")
    csv = client.get("/api/v1/stats/overview", params={"format": "csv"}, headers=auth("director")).text
    assert "money_held,brigade-1,6000.00" in csv


@pytest.mark.skipif(not IS_POSTGRES, reason="the trigger is PostgreSQL's")
def test_a_booked_entry_cannot_be_changed_or_removed_in_the_database(client, auth):
    case_id = funded_case(client, auth, "10000.00")
    with pytest.raises(DBAPIError, match="immutable"), session_scope() as session:
        session.execute(
            update(LedgerEntry).where(LedgerEntry.case_id == case_id).values(amount=Decimal("1.00"))
        )
    with pytest.raises(DBAPIError, match="immutable"), session_scope() as session:
        session.execute(delete(LedgerEntry).where(LedgerEntry.case_id == case_id))
    assert ledger(client, auth, case_id)["entries"][0]["amount"] == "10000.00"


def test_a_case_is_not_closed_while_its_account_holds_money_or_a_payout_waits(client, auth):
    case_id = funded_case(client, auth, "1100.00")
    closing = {"mode": "withdrawn", "reason": "申请人撤回申请"}
    url = f"/api/v1/cases/{case_id}/closure"
    held = client.post(url, json=closing, headers=auth("brigade1-judge"))
    assert held.status_code == 409 and held.json()["missing"] == ["case_money_paid_out"]
    fee = ok(ask(client, auth, case_id, "1100.00", kind="fee"), 201)
    ok(decide(client, auth, fee["id"]))
    waiting = client.post(url, json=closing, headers=auth("brigade1-judge"))
    assert waiting.status_code == 409 and f"payouts {fee['id']}" in waiting.json()["detail"]
    ok(execute(client, auth, fee["id"]))
    assert ok(client.post(url, json=closing, headers=auth("brigade1-judge")))["mode"] == "withdrawn"


def test_a_retried_reversal_with_its_key_answers_the_first_reversal_again(client, auth):
    case_id = funded_case(client, auth, "10000.00")
    [entry] = ledger(client, auth, case_id)["entries"]
    url = f"/api/v1/ledger-entries/{entry['id']}/reversal"
    headers = auth("finance", **{"Idempotency-Key": "reverse-boc-1"})
    first = client.post(url, json={"reason": "重复入账"}, headers=headers)
    again = client.post(url, json={"reason": "重复入账"}, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert first.headers["location"] == f"/api/v1/cases/{case_id}/ledger"
    assert [e["kind"] for e in ledger(client, auth, case_id)["entries"]] == ["receipt", "reversal"]
