"""Case money (执行案款, plan §6(5)) as pure functions: the case account reference, the fees the
law sets, the approval tier of a payout and which receipts a case has paid out.

Values in, values out: no database and no clock; the services gather the figures, the tests use tables.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP
from decimal import Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

# GB/T 2260 province codes of the abbreviations that open a court code (豫0104 → 41).
PROVINCE_CODES: dict[str, str] = {
    "京": "11", "津": "12", "冀": "13", "晋": "14", "蒙": "15", "辽": "21", "吉": "22", "黑": "23",
    "沪": "31", "苏": "32", "浙": "33", "皖": "34", "闽": "35", "赣": "36", "鲁": "37", "豫": "41",
    "鄂": "42", "湘": "43", "粤": "44", "桂": "45", "琼": "46", "渝": "50", "川": "51", "贵": "52",
    "云": "53", "藏": "54", "陕": "61", "甘": "62", "青": "63", "宁": "64", "新": "65", "兵": "66",
}  # fmt: skip
COURT_DIGITS = 6  # province code and the court's four digits (an intermediate court's two, padded)
CASE_DIGITS = 10  # every row id fits (PostgreSQL integers are below 2^31)
REFERENCE_LENGTH = COURT_DIGITS + CASE_DIGITS + 1
_CHECK_CHARACTERS = "0123456789X"


def check_character(digits: str) -> str:
    """ISO 7064 MOD 11-2, the check of GB 11643 ID numbers: one transposed or mistyped digit is caught."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2 % 11
    return _CHECK_CHARACTERS[(12 - total) % 11]


def court_digits(court_code: str) -> str:
    """``豫0104`` → ``410104``; ``豫01`` → ``410100``; a code this table does not know → zeros."""
    province = PROVINCE_CODES.get(court_code[:1], "00")
    digits = "".join(c for c in court_code[1:] if c.isdigit())
    return (province + digits).ljust(COURT_DIGITS, "0")[:COURT_DIGITS]


def account_reference(court_code: str, case_id: int) -> str:
    """The case account reference (一案一账号) the execution notice tells the respondent to quote:
    the court, the case and a check character, 17 characters."""
    body = f"{court_digits(court_code)}{case_id:0{CASE_DIGITS}d}"
    return body + check_character(body)


class ReferenceError(ValueError):
    """The text is not a case account reference (wrong length, characters or check character)."""


def case_id_of_reference(text: str) -> int:
    """The case id a well-formed reference names; :class:`ReferenceError` says why it is not one."""
    value = text.strip().upper()
    if len(value) != REFERENCE_LENGTH or not value[:-1].isdigit():
        raise ReferenceError(
            f"a case account reference is {REFERENCE_LENGTH - 1} digits and a check character"
        )
    if check_character(value[:-1]) != value[-1]:
        raise ReferenceError("the check character does not match: a digit is mistyped or transposed")
    return int(value[COURT_DIGITS:-1])


@dataclass(frozen=True)
class FeeBand:
    """A share of the part of the amount up to ``up_to`` (None: the rest)."""

    up_to: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class FeeSchedule:
    """A flat fee up to ``flat_up_to``, then a rate per band of the part above, optionally capped."""

    flat_fee: Decimal
    flat_up_to: Decimal
    bands: tuple[FeeBand, ...]
    cap: Decimal | None = None


def fee(amount: Decimal, schedule: FeeSchedule) -> Decimal:
    """The fee for ``amount`` yuan by the schedule, rounded half up to the fen."""
    total = schedule.flat_fee
    lower = schedule.flat_up_to
    for band in schedule.bands:
        if amount <= lower:
            break
        upper = amount if band.up_to is None else min(amount, band.up_to)
        total += (upper - lower) * band.rate
        lower = upper
    if schedule.cap is not None:
        total = min(total, schedule.cap)
    return total.quantize(CENT, rounding=ROUND_HALF_UP)


def approval_role(amount: Decimal, *, director_from: Decimal) -> str:
    """Who approves a payout of ``amount``: the deputy director below the threshold, the director from it."""
    return "director" if amount >= director_from else "deputy_director"


@dataclass(frozen=True)
class CreditedReceipt:
    """A receipt credited to the case: its id, when it was received and its amount."""

    receipt_id: int
    received_on: date
    amount: Decimal


def receipts_paid_out(receipts: Iterable[CreditedReceipt], paid_out: Decimal) -> list[int]:
    """The receipts ``paid_out`` yuan cover, oldest first: money leaves the account in the order it came."""
    covered: list[int] = []
    remaining = paid_out
    for receipt in sorted(receipts, key=lambda r: (r.received_on, r.receipt_id)):
        if receipt.amount > remaining:
            break
        remaining -= receipt.amount
        covered.append(receipt.receipt_id)
    return covered


def applicant_available(
    *, balance: Decimal, reserved: Decimal, fee_due: Decimal, fee_paid: Decimal, fee_reserved: Decimal
) -> Decimal:
    """What may still be asked for the applicant: the balance less the payouts asked for and not yet
    made, and less the part of the fee neither paid nor asked for (the fee is taken first)."""
    fee_left = max(fee_due - fee_paid - fee_reserved, ZERO)
    return max(balance - reserved - fee_left, ZERO)


def surplus_available(
    *, balance: Decimal, reserved: Decimal, fee_left: Decimal, claim_left: Decimal
) -> Decimal:
    """What may go back to the respondent (余款退还): what the account holds beyond the payouts asked
    for, the fee still to be asked for and the claim still to be paid or asked for."""
    return max(balance - reserved - fee_left - claim_left, ZERO)
