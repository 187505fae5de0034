"""Input money (MoneyIn) and the intake body's own rules, without a database."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from pydantic import BaseModel
from pydantic import ValidationError

from app.schemas.case import CaseCreate
from app.schemas.common import MoneyIn
from app.settings import court_today
from tests.factories import case_body


class _Amount(BaseModel):
    amount: MoneyIn


@pytest.mark.parametrize(
    ("sent", "parsed"),
    [
        ("0", Decimal("0.00")),
        ("0.01", Decimal("0.01")),
        ("50000", Decimal("50000.00")),
        ("50000.5", Decimal("50000.50")),
        (" 50000.00 ", Decimal("50000.00")),
        (7, Decimal("7.00")),
        ("9999999999999999.99", Decimal("9999999999999999.99")),
        (Decimal("1.10"), Decimal("1.10")),
    ],
)
def test_money_in_accepts(sent, parsed):
    value = _Amount(amount=sent).amount
    assert value == parsed and value.as_tuple().exponent == -2


@pytest.mark.parametrize(
    ("sent", "error_type"),
    [
        (1.5, "money_type"),
        (1.0, "money_type"),
        (True, "money_type"),
        (None, "money_type"),
        ([], "money_type"),
        ("-0.01", "money_negative"),
        (-3, "money_negative"),
        ("0.001", "money_precision"),
        ("1.005", "money_precision"),
        ("1e3", "money_format"),
        ("NaN", "money_format"),
        ("Infinity", "money_format"),
        ("", "money_format"),
        ("1,000", "money_format"),
        (".5", "money_format"),
        ("5.", "money_format"),
        ("10000000000000000", "money_too_large"),
    ],
)
def test_money_in_refuses(sent, error_type):
    with pytest.raises(ValidationError) as caught:
        _Amount(amount=sent)
    assert [e["type"] for e in caught.value.errors()] == [error_type]


def test_cross_field_rules_name_their_field():
    with pytest.raises(ValidationError) as caught:
        CaseCreate.model_validate(case_body(year=2026, case_number="（2025）豫0104执1号", claim_amount=None))
    assert {e["loc"] for e in caught.value.errors()} == {("case_number",), ("claim_amount",)}


def test_stored_case_number_form():
    body = CaseCreate.model_validate(case_body(case_number="(2026)豫0104执1号"))
    assert body.case_number == "（2026）豫0104执1号"


def test_filing_date_after_today_is_named_in_the_message():
    tomorrow = court_today() + timedelta(days=1)
    with pytest.raises(ValidationError) as caught:
        CaseCreate.model_validate(case_body(year=tomorrow.year, filed_on=tomorrow.isoformat()))
    message = f"the filing date {tomorrow.isoformat()} is after today ({court_today().isoformat()})"
    errors = [e for e in caught.value.errors() if e["loc"] == ("filed_on",)]
    assert [(e["type"], e["msg"]) for e in errors] == [("date_in_future", message)]
