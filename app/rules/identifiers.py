"""Validators for the identifiers that arrive with a filed case: case numbers (案号), resident
identity numbers (公民身份号码, GB 11643-1999) and unified social credit codes (统一社会信用代码,
GB 32100-2015). Pure functions: each returns the normalised form or raises ``ValueError``.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass, field

__all__ = [
    "ENFORCEMENT_TYPE_CODES",
    "PROVINCE_ABBREVIATIONS",
    "CaseNumber",
    "format_case_number",
    "normalise_case_number",
    "validate_resident_id",
    "validate_uscc",
]

# The 31 mainland provincial-level abbreviations, plus 兵 for the courts of the XPCC (兵团).
PROVINCE_ABBREVIATIONS = frozenset("京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新兵")

# Enforcement case-type codes (执行类案件类型代字) under the SPC case-number rules.
ENFORCEMENT_TYPE_CODES = frozenset(
    {
        "执",  # first-instance enforcement (首次执行)
        "执恢",  # restored enforcement (恢复执行)
        "执保",  # property preservation (财产保全执行)
        "执异",  # enforcement objection (执行异议)
        "执复",  # enforcement reconsideration (执行复议)
        "执监",  # enforcement supervision (执行监督)
        "执协",  # enforcement assistance (执行协调)
        "执他",  # other enforcement matters (其他执行)
        "执配",  # distribution of proceeds (执行分配)
        "执转",  # transferred enforcement (执行转破产等)
    }
)

MIN_CASE_YEAR = 1949
MAX_CASE_YEAR = 2099

_COURT_CODE = re.compile(r"(?P<province>.)(?P<digits>[0-9]{2,4})")
# After NFKC normalisation full-width parentheses and digits are ASCII. The court code runs up to
# the first 执, the type code from 执 to the serial.
_CASE_NUMBER = re.compile(r"\((?P<year>[0-9]+)\)(?P<court>[^执()]*)(?P<type>执[^0-9号]*)(?P<serial>[0-9]+)号")


@dataclass(frozen=True)
class CaseNumber:
    """A case number (案号) such as ``（2026）豫0104执123号``; ``text`` is the stored form."""

    year: int
    court_code: str  # e.g. 豫0104 (basic court), 豫01 (intermediate court)
    type_code: str  # one of ENFORCEMENT_TYPE_CODES
    serial: int
    text: str = field(init=False)

    def __post_init__(self) -> None:
        if not MIN_CASE_YEAR <= self.year <= MAX_CASE_YEAR:
            raise ValueError(f"case number year {self.year} is outside {MIN_CASE_YEAR}–{MAX_CASE_YEAR}")
        court = _COURT_CODE.fullmatch(self.court_code)
        if court is None or court["province"] not in PROVINCE_ABBREVIATIONS:
            raise ValueError(
                f"court code {self.court_code!r} must be a province abbreviation followed by 2–4 digits, "
                "e.g. 豫0104"
            )
        if self.type_code not in ENFORCEMENT_TYPE_CODES:
            known = "、".join(sorted(ENFORCEMENT_TYPE_CODES))
            raise ValueError(f"unknown enforcement type code {self.type_code!r}; expected one of {known}")
        if isinstance(self.serial, bool) or not isinstance(self.serial, int) or self.serial < 1:
            raise ValueError(f"case serial must be a positive integer, got {self.serial!r}")
        text = f"（{self.year}）{self.court_code}{self.type_code}{self.serial}号"
        object.__setattr__(self, "text", text)

    def __str__(self) -> str:
        return self.text


def format_case_number(year: int, court_code: str, type_code: str, serial: int) -> str:
    """Stored form of a case number, with full-width parentheses: ``（2026）豫0104执123号``."""
    return CaseNumber(year, court_code, type_code, serial).text


def normalise_case_number(raw: str) -> CaseNumber:
    """Parse a case number typed with full-width or ASCII parentheses (and full-width digits)."""
    if not isinstance(raw, str):
        raise TypeError(f"case number must be a string, got {type(raw).__name__}")
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        raise ValueError("case number is empty")
    if not text.startswith("("):
        raise ValueError(f"case number {raw!r} must start with the year in parentheses, e.g. （2026）")
    if not text.endswith("号"):
        raise ValueError(f"case number {raw!r} must end with 号")
    match = _CASE_NUMBER.fullmatch(text)
    if match is None:
        raise ValueError(f"case number {raw!r} does not have the form （2026）豫0104执123号")
    if len(match["year"]) != 4:
        raise ValueError(f"case number {raw!r}: the year must have four digits")
    if match["serial"].startswith("0"):
        raise ValueError(f"case number {raw!r}: the serial must be a positive number without leading zeros")
    try:
        return CaseNumber(int(match["year"]), match["court"], match["type"], int(match["serial"]))
    except ValueError as exc:
        raise ValueError(f"case number {raw!r}: {exc}") from None


# GB 11643-1999: weights 2^(17-i) mod 11 for the 17 digits; check character indexed by the sum mod 11.
_RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_ID_CHECK = "10X98765432"


def validate_resident_id(value: str) -> str:
    """Check an 18-character resident identity number; returns it with an upper-case X."""
    if not isinstance(value, str):
        raise TypeError(f"resident ID must be a string, got {type(value).__name__}")
    number = value.strip().upper()
    if len(number) != 18:
        raise ValueError(f"resident ID must have 18 characters, got {len(number)}")
    body, check = number[:17], number[17]
    if not (body.isascii() and body.isdigit()):
        raise ValueError("resident ID: the first 17 characters must be digits")
    if not (check.isascii() and (check.isdigit() or check == "X")):
        raise ValueError("resident ID: the last character must be a digit or X")
    birth = body[6:14]
    try:
        datetime.date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        raise ValueError(f"resident ID: birth date {birth} is not a real date") from None
    expected = _RESIDENT_ID_CHECK[
        sum(int(d) * w for d, w in zip(body, _RESIDENT_ID_WEIGHTS, strict=True)) % 11
    ]
    if check != expected:
        raise ValueError(f"resident ID: check character is {check}, expected {expected}")
    return number


# GB 32100-2015: 31-character alphabet (no I, O, Z, S, V); weights 3^i mod 31; check = 31 − sum mod 31.
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def validate_uscc(value: str) -> str:
    """Check an 18-character unified social credit code; returns it upper-cased."""
    if not isinstance(value, str):
        raise TypeError(f"unified social credit code must be a string, got {type(value).__name__}")
    code = value.strip().upper()
    if len(code) != 18:
        raise ValueError(f"unified social credit code must have 18 characters, got {len(code)}")
    bad = sorted({char for char in code if char not in _USCC_ALPHABET})
    if bad:
        raise ValueError(
            f"unified social credit code contains characters outside the GB 32100 alphabet: {''.join(bad)}"
        )
    total = sum(_USCC_ALPHABET.index(char) * w for char, w in zip(code[:17], _USCC_WEIGHTS, strict=True))
    expected = _USCC_ALPHABET[(31 - total % 31) % 31]
    if code[17] != expected:
        raise ValueError(f"unified social credit code: check character is {code[17]}, expected {expected}")
    return code
