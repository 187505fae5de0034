"""Case money rules as tables: the account reference's check character, the fees by law (State
Council Measures on the Payment of Litigation Costs art. 14), the payout tier, oldest money first."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from app.rules.money import CreditedReceipt
from app.rules.money import ReferenceError
from app.rules.money import account_reference
from app.rules.money import applicant_available
from app.rules.money import approval_role
from app.rules.money import case_id_of_reference
from app.rules.money import check_character
from app.rules.money import court_digits
from app.rules.money import fee
from app.rules.money import receipts_paid_out
from app.rules.money import surplus_available
from app.services.ledger import fee_schedules
from app.settings import get_settings

M = Decimal
EXECUTION, PRESERVATION = fee_schedules(get_settings())


def test_the_check_character_is_that_of_gb_11643_id_numbers():
    assert check_character("11010519491231002") == "X"  # the standard's own example
    assert check_character("41010219850612123") == "1"


@pytest.mark.parametrize(
    ("court_code", "case_id", "reference"),
    [
        ("豫0104", 1, "41010400000000013"),
        ("豫0104", 123, "41010400000001235"),
        ("豫01", 7, "4101000000000007" + check_character("4101000000000007")),
        ("京0105", 2_147_483_647, "1101052147483647" + check_character("1101052147483647")),
    ],
)
def test_account_reference_names_the_court_and_the_case(court_code, case_id, reference):
    assert account_reference(court_code, case_id) == reference
    assert case_id_of_reference(reference) == case_id
    assert case_id_of_reference(f" {reference.lower()} ") == case_id


def test_a_court_code_the_table_does_not_know_still_gives_six_digits():
    assert court_digits("Z0104") == "000104"


@pytest.mark.parametrize(
    "mistyped",
    [
        "41010400000000014",  # wrong check character
        "41010400000000103",  # one digit changed
        "41010400000000031",  # the last two characters swapped
        "14010400000000013",  # two digits transposed
        "4101040000000013",  # a digit missing
        "410104000000000130",  # one too many
        "4101040000000001A",  # a letter where the check character goes
        "41010400000O00013",  # a letter among the digits
        "",
    ],
)
def test_a_mistyped_reference_is_caught(mistyped):
    with pytest.raises(ReferenceError):
        case_id_of_reference(mistyped)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (M("0.00"), M("50.00")),
        (M("10000.00"), M("50.00")),  # 不超过1万元的，每件交纳50元
        (M("10000.01"), M("50.00")),  # 1.5% of 0.01 is 0.00015: rounds to nothing
        (M("10001.00"), M("50.02")),  # 1.5% of 1.00 = 0.015, half up
        (M("300000.00"), M("4400.00")),
        (M("500000.00"), M("7400.00")),  # 50 + 1.5% × 490,000
        (M("500000.01"), M("7400.00")),
        (M("800000.00"), M("10400.00")),
        (M("5000000.00"), M("52400.00")),  # + 1% × 4,500,000
        (M("10000000.00"), M("77400.00")),  # + 0.5% × 5,000,000
        (M("10000100.00"), M("77400.10")),  # + 0.1% above
        (M("20000000.00"), M("87400.00")),
    ],
)
def test_execution_application_fee(amount, expected):
    assert fee(amount, EXECUTION) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (M("1000.00"), M("30.00")),  # 不超过1000元的，每件交纳30元
        (M("1001.00"), M("30.01")),  # 1% of the part above 1,000
        (M("100000.00"), M("1020.00")),  # 30 + 1% × 99,000
        (M("200000.00"), M("1520.00")),  # + 0.5% above
        (M("896000.00"), M("5000.00")),  # exactly at the cap
        (M("1000000.00"), M("5000.00")),  # 最多不超过5000元
    ],
)
def test_preservation_fee_and_its_cap(amount, expected):
    assert fee(amount, PRESERVATION) == expected


@pytest.mark.parametrize(
    ("amount", "role"),
    [(M("99999.99"), "deputy_director"), (M("100000.00"), "director"), (M("0.01"), "deputy_director")],
)
def test_payout_approval_tier(amount, role):
    assert approval_role(amount, director_from=M("100000.00")) == role


def test_money_is_paid_out_oldest_first():
    receipts = [
        CreditedReceipt(3, date(2026, 5, 3), M("300.00")),
        CreditedReceipt(1, date(2026, 5, 1), M("100.00")),
        CreditedReceipt(2, date(2026, 5, 2), M("200.00")),
    ]
    assert receipts_paid_out(receipts, M("0.00")) == []
    assert receipts_paid_out(receipts, M("299.99")) == [1]
    assert receipts_paid_out(receipts, M("300.00")) == [1, 2]
    assert receipts_paid_out(receipts, M("600.00")) == [1, 2, 3]


def test_the_fee_is_set_aside_before_the_applicant_is_paid():
    available = applicant_available(
        balance=M("10000.00"),
        reserved=M("0.00"),
        fee_due=M("1100.00"),
        fee_paid=M("0.00"),
        fee_reserved=M("0.00"),
    )
    assert available == M("8900.00")
    after_fee_asked = applicant_available(
        balance=M("10000.00"),
        reserved=M("1100.00"),
        fee_due=M("1100.00"),
        fee_paid=M("0.00"),
        fee_reserved=M("1100.00"),
    )
    assert after_fee_asked == M("8900.00")


@pytest.mark.parametrize(
    ("balance", "reserved", "fee_left", "claim_left", "surplus"),
    [
        (M("100000.00"), M("0.00"), M("1100.00"), M("80000.00"), M("18900.00")),
        (M("100000.00"), M("18900.00"), M("1100.00"), M("80000.00"), M("0.00")),
        (M("50000.00"), M("0.00"), M("1100.00"), M("80000.00"), M("0.00")),  # never below zero
        (M("520000.00"), M("0.00"), M("1100.00"), M("0.00"), M("518900.00")),
    ],
)
def test_only_the_surplus_goes_back_to_the_respondent(balance, reserved, fee_left, claim_left, surplus):
    assert (
        surplus_available(balance=balance, reserved=reserved, fee_left=fee_left, claim_left=claim_left)
        == surplus
    )
