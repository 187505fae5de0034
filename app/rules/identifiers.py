"""Validators for the identifiers that arrive with a filed case: case numbers (案号) and the identity
documents parties carry: resident identity numbers (公民身份号码, GB 11643-1999) and the documents laid
out like them, unified social credit codes (统一社会信用代码, GB 32100-2015), organisation codes
(组织机构代码, GB 11714-1997) and passports. Pure functions: each returns the normalised form or raises
``ValueError``.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from dataclasses import dataclass
from dataclasses import field

from app.enums import IdDocumentKind
from app.enums import PartyType

__all__ = [
    "ENFORCEMENT_TYPE_CODES",
    "PROVINCE_ABBREVIATIONS",
    "CaseNumber",
    "format_case_number",
    "normalise_case_number",
    "DOCUMENTS_BY_PARTY_TYPE",
    "validate_id_document",
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
    return _gb11643(value, "resident ID")


def _gb11643(value: str, what: str) -> str:
    """The 18-character layout of GB 11643-1999: 6 region digits, the birth date, 3 sequence digits and
    a check character; residence permits and the 2023 permanent residence card share it."""
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, got {type(value).__name__}")
    number = value.strip().upper()
    if len(number) != 18:
        raise ValueError(f"{what} must have 18 characters, got {len(number)}")
    body, check = number[:17], number[17]
    if not (body.isascii() and body.isdigit()):
        raise ValueError(f"{what}: the first 17 characters must be digits")
    if not (check.isascii() and (check.isdigit() or check == "X")):
        raise ValueError(f"{what}: the last character must be a digit or X")
    _birth_date(body[6:14], what)
    expected = _RESIDENT_ID_CHECK[
        sum(int(d) * w for d, w in zip(body, _RESIDENT_ID_WEIGHTS, strict=True)) % 11
    ]
    if check != expected:
        raise ValueError(f"{what}: check character is {check}, expected {expected}")
    return number


def _birth_date(digits: str, what: str) -> None:
    try:
        datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise ValueError(f"{what}: birth date {digits} is not a real date") from None


def validate_legacy_resident_id(value: str) -> str:
    """A first-generation resident ID (15 digits: region, birth date as YYMMDD in the 1900s, sequence).
    It has no check character (GB 11643-1989)."""
    number = value.strip()
    if len(number) != 15 or not (number.isascii() and number.isdigit()):
        raise ValueError(f"15-digit resident ID must have 15 digits, got {number!r}")
    _birth_date("19" + number[6:12], "15-digit resident ID")
    return number


# Residence permits for Hong Kong, Macao and Taiwan residents (State Council, 2018): GB 11643 layout
# with these region codes.
_HMT_REGIONS = {"810000": "Hong Kong", "820000": "Macao", "830000": "Taiwan"}


def validate_hmt_residence_permit(value: str) -> str:
    number = _gb11643(value, "residence permit number")
    if number[:6] not in _HMT_REGIONS:
        raise ValueError(
            "residence permit number must start with 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan), "
            f"got {number[:6]}"
        )
    return number


_OLD_PERMANENT_RESIDENCE = re.compile(r"[A-Z]{3}[0-9]{12}")


def validate_foreign_permanent_residence(value: str) -> str:
    """The foreigner's permanent residence ID card: since 2023, 18 characters beginning with 9 in the
    GB 11643 layout, with its check character; cards issued before, 15 characters (the nationality's
    three letters, then 12 digits with the birth date as YYMMDD at the sixth), checked for their form."""
    number = value.strip().upper()
    if len(number) == 18:
        number = _gb11643(number, "permanent residence card number")
        if not number.startswith("9"):
            raise ValueError(f"an 18-character permanent residence card number begins with 9: {number!r}")
        return number
    if _OLD_PERMANENT_RESIDENCE.fullmatch(number) is None:
        raise ValueError(
            "permanent residence card number must have 18 characters beginning with 9, or 15: three "
            f"letters and 12 digits; got {number!r}"
        )
    birth = number[5:11]
    try:
        datetime.datetime.strptime(birth, "%y%m%d")
    except ValueError:
        raise ValueError(f"permanent residence card number: birth date {birth} is not a real date") from None
    return number


_PASSPORT = re.compile(r"[A-Z0-9]{5,17}")


def validate_passport(value: str) -> str:
    """A passport number as printed (ICAO 9303: letters and digits); the issuing country is separate."""
    number = value.strip().upper()
    if _PASSPORT.fullmatch(number) is None:
        raise ValueError(f"passport number must be 5 to 17 letters and digits as printed, got {value!r}")
    return number


# GB 11714-1997: 8 characters (digits, upper-case letters A=10 … Z=35), weights below, check character
# 11 − sum mod 11, written X for 10 and 0 for 11; printed as XXXXXXXX-C.
_ORGANISATION_CODE = re.compile(r"([0-9A-Z]{8})-?([0-9X])")
_ORGANISATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def validate_organisation_code(value: str) -> str:
    code = value.strip().upper()
    match = _ORGANISATION_CODE.fullmatch(code)
    if match is None:
        raise ValueError(f"organisation code must be 8 letters or digits and a check character: {value!r}")
    body, check = match.groups()
    total = sum(int(char, 36) * w for char, w in zip(body, _ORGANISATION_CODE_WEIGHTS, strict=True))
    expected = {10: "X", 11: "0"}.get(11 - total % 11, str(11 - total % 11))
    if check != expected:
        raise ValueError(f"organisation code: check character is {check}, expected {expected}")
    return f"{body}-{check}"


# Which documents identify which kind of party; the first is assumed when a request names none.
DOCUMENTS_BY_PARTY_TYPE: dict[PartyType, tuple[IdDocumentKind, ...]] = {
    PartyType.natural_person: (
        IdDocumentKind.resident_id,
        IdDocumentKind.legacy_resident_id,
        IdDocumentKind.hmt_residence_permit,
        IdDocumentKind.foreign_permanent_residence,
        IdDocumentKind.passport,
    ),
    PartyType.legal_person: (IdDocumentKind.uscc, IdDocumentKind.organisation_code),
    PartyType.unincorporated_org: (IdDocumentKind.uscc, IdDocumentKind.organisation_code),
}


def validate_id_document(kind: IdDocumentKind, value: str) -> str:
    """The normalised number of a document of ``kind``; ``ValueError`` names what is wrong."""
    return _VALIDATORS[kind](value)


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


_VALIDATORS = {
    IdDocumentKind.resident_id: validate_resident_id,
    IdDocumentKind.legacy_resident_id: validate_legacy_resident_id,
    IdDocumentKind.hmt_residence_permit: validate_hmt_residence_permit,
    IdDocumentKind.foreign_permanent_residence: validate_foreign_permanent_residence,
    IdDocumentKind.passport: validate_passport,
    IdDocumentKind.uscc: validate_uscc,
    IdDocumentKind.organisation_code: validate_organisation_code,
}
