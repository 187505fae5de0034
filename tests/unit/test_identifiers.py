"""Identifier validators: case numbers (案号), resident IDs (GB 11643-1999), USCC (GB 32100-2015), and the
other identity documents parties carry (residence permits, permanent residence cards, passports,
organisation codes under GB 11714-1997)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from app.enums import IdDocumentKind
from app.enums import PartyType
from app.rules.identifiers import DOCUMENTS_BY_PARTY_TYPE
from app.rules.identifiers import ENFORCEMENT_TYPE_CODES
from app.rules.identifiers import CaseNumber
from app.rules.identifiers import format_case_number
from app.rules.identifiers import normalise_case_number
from app.rules.identifiers import validate_id_document
from app.rules.identifiers import validate_resident_id
from app.rules.identifiers import validate_uscc

# --- case numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "year", "court", "type_code", "serial", "text"),
    [
        ("（2026）豫0104执123号", 2026, "豫0104", "执", 123, "（2026）豫0104执123号"),
        ("(2026)豫0104执123号", 2026, "豫0104", "执", 123, "（2026）豫0104执123号"),
        ("  (2026）豫0104执123号\n", 2026, "豫0104", "执", 123, "（2026）豫0104执123号"),
        ("（２０２６）豫０１０４执１２３号", 2026, "豫0104", "执", 123, "（2026）豫0104执123号"),
        ("(2025)豫0104执恢7号", 2025, "豫0104", "执恢", 7, "（2025）豫0104执恢7号"),
        ("（2024）豫01执保10号", 2024, "豫01", "执保", 10, "（2024）豫01执保10号"),
        ("（2026）京0105执异1号", 2026, "京0105", "执异", 1, "（2026）京0105执异1号"),
        ("（2026）兵0101执复3号", 2026, "兵0101", "执复", 3, "（2026）兵0101执复3号"),
        ("（2026）新401执配20号", 2026, "新401", "执配", 20, "（2026）新401执配20号"),
    ],
)
def test_valid_case_numbers(raw: str, year: int, court: str, type_code: str, serial: int, text: str) -> None:
    number = normalise_case_number(raw)
    assert number == CaseNumber(year, court, type_code, serial)
    assert number.text == text == str(number)
    assert format_case_number(year, court, type_code, serial) == text


def test_ascii_and_full_width_parentheses_give_the_same_case_number() -> None:
    assert normalise_case_number("(2026)豫0104执123号") == normalise_case_number("（2026）豫0104执123号")


@pytest.mark.parametrize("type_code", sorted(ENFORCEMENT_TYPE_CODES))
def test_every_enforcement_type_code_round_trips(type_code: str) -> None:
    text = format_case_number(2026, "豫0104", type_code, 5)
    assert normalise_case_number(text).type_code == type_code


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("（2026）豫0104执123", "号"),  # missing 号
        ("（2026）豫0104民初123号", "does not have the form"),  # a civil first-instance number
        ("（2026）豫0104执X123号", "执X"),  # unknown enforcement type code
        ("（2026）豫0104执审123号", "执审"),
        ("（2026）豫0104执0号", "serial"),
        ("（2026）豫0104执007号", "serial"),
        ("（2026）A0104执1号", "court code"),
        ("（2026）台0104执1号", "court code"),  # not a court-code abbreviation
        ("（2026）豫1执1号", "court code"),  # one digit only
        ("（2026）豫01045执1号", "court code"),  # five digits
        ("（2026）执1号", "court code"),
        ("2026豫0104执1号", "parentheses"),
        ("（26）豫0104执1号", "four digits"),
        ("（1800）豫0104执1号", "1800"),
        ("（2026）豫0104执1 号", "does not have the form"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_invalid_case_numbers(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        normalise_case_number(raw)


@pytest.mark.parametrize(
    ("year", "court", "type_code", "serial", "message"),
    [
        (2026, "豫0104", "民初", 1, "unknown enforcement type code '民初'; expected one of 执、执他、执保"),
        (2026, "豫0104", "执", 0, "case serial must be a positive integer, got 0"),
        (2026, "豫0104", "执", True, "case serial must be a positive integer, got True"),
        (
            2026,
            "X0104",
            "执",
            1,
            "court code 'X0104' must be a province abbreviation followed by 2–4 digits, e.g. 豫0104",
        ),
        (26, "豫0104", "执", 1, "case number year 26 is outside 1949–2099"),
        (1948, "豫0104", "执", 1, "case number year 1948 is outside 1949–2099"),
        (2100, "豫0104", "执", 1, "case number year 2100 is outside 1949–2099"),
    ],
)
def test_case_number_parts_are_validated(
    year: int, court: str, type_code: str, serial: int, message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        format_case_number(year, court, type_code, serial)
    with pytest.raises(ValueError, match=re.escape(message)):
        CaseNumber(year, court, type_code, serial)


@pytest.mark.parametrize("year", [1949, 2099])
def test_case_number_years_from_1949_to_2099_are_accepted(year: int) -> None:
    assert format_case_number(year, "豫0104", "执", 1) == f"（{year}）豫0104执1号"


@pytest.mark.parametrize(
    ("check", "name"),
    [
        (normalise_case_number, "case number"),
        (validate_resident_id, "resident ID"),
        (validate_uscc, "unified social credit code"),
    ],
)
def test_an_identifier_that_is_not_text_is_refused_naming_its_type(
    check: Callable[[object], object], name: str
) -> None:
    with pytest.raises(TypeError, match=f"^{name} must be a string, got int$"):
        check(20260001)


# --- resident identity numbers -----------------------------------------------------------------


def resident_id_check(body17: str) -> str:
    """Independent form of ISO 7064 MOD 11-2: weight 2^(17-i) mod 11, check = (12 − sum mod 11) mod 11."""
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(body17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def with_check(body17: str) -> str:
    return body17 + resident_id_check(body17)


def test_independent_check_agrees_with_the_published_sample() -> None:
    assert resident_id_check("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("11010519491231002X", "11010519491231002X"),  # GB 11643-1999 sample
        ("11010519491231002x", "11010519491231002X"),
        (" 11010519491231002X ", "11010519491231002X"),
        (with_check("41010420000229123"), with_check("41010420000229123")),  # 29 February in a leap year
        (with_check("44030419851017004"), with_check("44030419851017004")),
        (with_check("65010219991231001"), with_check("65010219991231001")),
    ],
)
def test_valid_resident_ids(raw: str, normalised: str) -> None:
    assert validate_resident_id(raw) == normalised


def _wrong_check(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("110105194912310021", "check"),  # sample with a wrong check digit
        (_wrong_check(with_check("41010420000229123")), "check"),
        (with_check("41010419000229123"), "birth date"),  # 1900 was not a leap year
        (with_check("41010420001301123"), "birth date"),
        (with_check("41010420000100123"), "birth date"),
        ("11010519491231002", "18 characters"),
        ("11010519491231002X1", "18 characters"),
        ("110105194912310", "18 characters"),  # the old 15-digit form is not accepted
        ("1101051949123100AX", "17 characters must be digits"),
        ("11010519491231002Y", "last character"),
        ("", "18 characters"),
    ],
)
def test_invalid_resident_ids(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_resident_id(raw)


# --- unified social credit codes ---------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc_check(body17: str) -> str:
    """Independent form: weights are 3^i mod 31, check value 31 − sum mod 31 with 31 written as 0."""
    total = sum(USCC_ALPHABET.index(char) * pow(3, i, 31) for i, char in enumerate(body17))
    return USCC_ALPHABET[-total % 31]


def with_uscc_check(body17: str) -> str:
    return body17 + uscc_check(body17.upper())


def test_independent_uscc_check_agrees_with_the_commonly_cited_code() -> None:
    assert uscc_check("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("91350100M000100Y43", "91350100M000100Y43"),
        ("91350100m000100y43", "91350100M000100Y43"),
        (" 91350100M000100Y43\t", "91350100M000100Y43"),
        (with_uscc_check("91110000600037341"), with_uscc_check("91110000600037341")),
        (with_uscc_check("1241000041572014x"), with_uscc_check("1241000041572014X")),
    ],
)
def test_valid_usccs(raw: str, normalised: str) -> None:
    assert validate_uscc(raw) == normalised


def test_uscc_check_value_31_is_written_as_zero() -> None:
    # Find a body whose weighted sum is a multiple of 31, so the check character is "0".
    body = next(
        f"9141010{n:010d}"
        for n in range(10_000)
        if sum(USCC_ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(f"9141010{n:010d}")) % 31 == 0
    )
    assert validate_uscc(body + "0") == body + "0"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("91350100M000100Y44", "check character is 4, expected 3"),
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100Y433", "18 characters"),
        ("91350100I000100Y43", "alphabet: I"),  # I, O, Z, S, V are not used
        ("91350100O000100Y43", "alphabet: O"),
        ("91350100M000100-43", "alphabet: -"),
        ("", "18 characters"),
    ],
)
def test_invalid_usccs(raw: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        validate_uscc(raw)


# --- the other identity documents parties carry ----------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "raw", "stored"),
    [
        (IdDocumentKind.legacy_resident_id, " 410102850612123 ", "410102850612123"),
        (IdDocumentKind.hmt_residence_permit, "810000199001011230", "810000199001011230"),  # Hong Kong
        (IdDocumentKind.hmt_residence_permit, "830000198512310020", "830000198512310020"),  # Taiwan
        (IdDocumentKind.foreign_permanent_residence, "931156198005120013", "931156198005120013"),  # 2023
        (IdDocumentKind.foreign_permanent_residence, "usa318005120017", "USA318005120017"),  # before 2023
        (IdDocumentKind.passport, "e12345678", "E12345678"),
        (IdDocumentKind.passport, "M12345678", "M12345678"),
        (IdDocumentKind.organisation_code, "D2143569-X", "D2143569-X"),  # the example of GB 11714-1997
        (IdDocumentKind.organisation_code, "d2143569x", "D2143569-X"),
        (IdDocumentKind.organisation_code, "00000000-0", "00000000-0"),  # 11 − 0 = 11 is written 0
        (IdDocumentKind.organisation_code, "70000000-1", "70000000-1"),
        (IdDocumentKind.resident_id, "11010519491231002x", "11010519491231002X"),
        (IdDocumentKind.uscc, "91410104MA9K3R7T22", "91410104MA9K3R7T22"),
    ],
)
def test_each_document_kind_is_accepted_and_normalised(kind, raw, stored):
    assert validate_id_document(kind, raw) == stored


@pytest.mark.parametrize(
    ("kind", "raw", "message"),
    [
        (IdDocumentKind.legacy_resident_id, "41010285061212", "15 digits"),
        (IdDocumentKind.legacy_resident_id, "410102851312123", "birth date 19851312"),
        (IdDocumentKind.hmt_residence_permit, "810000199001011231", "check character is 1, expected 0"),
        (IdDocumentKind.hmt_residence_permit, "410102198506121231", "must start with 810000"),
        (IdDocumentKind.foreign_permanent_residence, "931156198005120010", "expected 3"),
        (IdDocumentKind.foreign_permanent_residence, "410102198506121231", "begins with 9"),
        (IdDocumentKind.foreign_permanent_residence, "US1318005120017", "three letters and 12 digits"),
        (IdDocumentKind.foreign_permanent_residence, "USA318013320017", "birth date 801332"),
        (IdDocumentKind.passport, "E123", "5 to 17 letters and digits"),
        (IdDocumentKind.passport, "E-1234567", "letters and digits"),
        (IdDocumentKind.organisation_code, "D2143569-1", "check character is 1, expected X"),
        (IdDocumentKind.organisation_code, "D214356-X", "8 letters or digits"),
    ],
)
def test_each_document_kind_names_what_is_wrong(kind, raw, message):
    with pytest.raises(ValueError, match=message):
        validate_id_document(kind, raw)


def test_every_party_type_is_identified_by_its_own_documents():
    natural = DOCUMENTS_BY_PARTY_TYPE[PartyType.natural_person]
    assert natural[0] == IdDocumentKind.resident_id  # assumed when a request names no kind
    assert DOCUMENTS_BY_PARTY_TYPE[PartyType.legal_person][0] == IdDocumentKind.uscc
    organisations = {*DOCUMENTS_BY_PARTY_TYPE[PartyType.legal_person]}
    assert organisations == {*DOCUMENTS_BY_PARTY_TYPE[PartyType.unincorporated_org]}
    assert not organisations & {*natural}
    assert organisations | {*natural} == set(IdDocumentKind)


@pytest.mark.parametrize(
    ("check", "raw", "message"),
    [
        (normalise_case_number, " ", "case number is empty"),
        (validate_resident_id, "1101051949123100AX", "resident ID: the first 17 characters must be digits"),
        (validate_resident_id, "11010519491231002Y", "resident ID: the last character must be a digit or X"),
        (
            validate_uscc,
            "91350100IO00100Y43",
            "unified social credit code contains characters outside the GB 32100 alphabet: IO",
        ),
    ],
)
def test_a_malformed_identifier_is_refused_with_its_message(
    check: Callable[[str], object], raw: str, message: str
) -> None:
    # What the 422 says about the field, word for word.
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        check(raw)
