"""Payout requests racing on one case from two server processes on PostgreSQL: the case account's
row lock decides them one after the other, so together they never ask for more than it holds."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from decimal import Decimal

import httpx
import pytest
from sqlalchemy import func
from sqlalchemy import select

from app.database import session_scope
from app.models.case import Party
from app.models.payout import Payout
from app.rules.money import account_reference
from tests.conftest import IS_POSTGRES
from tests.factories import make_team_case
from tests.helpers import ok
from tests.servers import Server
from tests.servers import running
from tests.servers import together

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL: set TEST_DATABASE_URL")


@pytest.fixture(scope="module")
def servers(database: str) -> Iterator[list[Server]]:
    with running(database, count=2) as started:
        yield started


def funded_case(client, auth, amount: str) -> tuple[int, int]:  # noqa: ANN001
    """A brigade-1 case (claim 80,000.00: fee 1,100.00) holding ``amount``, and its applicant."""
    case_id = make_team_case(1)
    receipt = {
        "amount": amount,
        "received_on": "2026-11-02",
        "payer": "某某贸易有限公司",
        "channel": "bank_transfer",
        "bank_reference": f"BOC-race-{case_id}",
        "account_reference": account_reference("豫0104", case_id),
    }
    ok(client.post("/api/v1/receipts", json=receipt, headers=auth("finance")), 201)
    with session_scope(read_only=True) as session:
        applicant = session.execute(
            select(Party.id).where(Party.case_id == case_id, Party.role == "applicant")
        ).scalar_one()
    return case_id, applicant


def race(
    servers: list[Server], auth, case_id: int, applicant: int, amounts: list[str]
) -> list[httpx.Response]:  # noqa: ANN001
    headers = auth("brigade1-judge")

    def send(i: int) -> httpx.Response:
        body = {
            "kind": "applicant",
            "amount": amounts[i],
            "payee_party_id": applicant,
            "payee_account": "6222020200112233445",
        }
        url = f"{servers[i % 2].url}/api/v1/cases/{case_id}/payouts"
        return httpx.post(url, json=body, headers=headers, timeout=60)

    return together(len(amounts), send)


def reserved(case_id: int) -> Decimal:
    with session_scope(read_only=True) as session:
        return session.scalar(select(func.sum(Payout.amount)).where(Payout.case_id == case_id)) or Decimal(0)


def test_two_payouts_that_together_would_overdraw_the_case_exactly_one_succeeds(servers, client, auth):
    case_id, applicant = funded_case(client, auth, "10000.00")  # 8,900.00 may go to the applicant
    responses = race(servers, auth, case_id, applicant, ["6000.00", "6000.00"])
    assert Counter(r.status_code for r in responses) == Counter({201: 1, 409: 1}), [r.text for r in responses]
    [refused] = [r.json() for r in responses if r.status_code == 409]
    assert (refused["type"], refused["balance"], refused["available"]) == (
        "/problems/insufficient-funds",
        "10000.00",
        "2900.00",
    )
    assert reserved(case_id) == Decimal("6000.00")


def test_ten_payouts_at_once_ask_for_no_more_than_the_case_holds(servers, client, auth):
    case_id, applicant = funded_case(client, auth, "10000.00")
    responses = race(servers, auth, case_id, applicant, ["1000.00"] * 10)
    assert Counter(r.status_code for r in responses) == Counter({201: 8, 409: 2}), [r.text for r in responses]
    assert reserved(case_id) == Decimal("8000.00")
