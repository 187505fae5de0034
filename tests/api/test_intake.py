"""Case intake (POST /cases): what the filing division sees when it files a case (plan §5(1))."""

from __future__ import annotations

import copy
from datetime import date
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.database import session_scope
from app.models.case import Case
from app.models.deadline import DeadlineEvent
from app.services import deadline_clocks
from app.services.working_calendar import working_calendar
from app.settings import court_today
from tests.factories import case_body
from tests.factories import resident_id
from tests.factories import uscc
from tests.helpers import fields

URL = "/api/v1/cases"


def test_filing_a_case_returns_it_with_location_and_etag(client, auth):
    response = client.post(URL, json=case_body(), headers=auth("registrar"))
    assert response.status_code == 201, response.text
    case = response.json()
    assert response.headers["location"] == f"/api/v1/cases/{case['id']}"
    assert response.headers["etag"] == '"1"'
    assert case["case_number"] == "（2026）豫0104执123号"
    assert case["state"] == "filed" and case["track"] is None and case["unit"] is None
    assert case["claim_amount"] == "45000.00" and case["paid_amount"] == "0.00"
    assert case["version"] == 1
    assert [p["name"] for p in case["applicants"]] == ["张三"]
    assert case["respondents"][0]["respondent_class"] == "enterprise"
    assert case["respondents"][0]["id_number"] == uscc(123)
    # a resident ID is shown in full only to who needs it for the case: not the filing division
    assert case["applicants"][0]["id_number"] == f"{resident_id(123)[:6]}********{resident_id(123)[-4:]}"
    assert [c["kind"] for c in case["property_clues"]] == ["bank_deposit"]
    assert case["assets"] == [] and case["triage"] is None
    assert client.get(response.headers["location"], headers=auth("registrar")).json() == case
    read = client.get(response.headers["location"], headers=auth("comprehensive")).json()
    assert read["applicants"][0]["id_number"] == resident_id(123)
    assert read["allowed_actions"] == ["register", "record_asset"]


def test_service_account_may_file(client, auth):
    assert client.post(URL, json=case_body(), headers=auth("filing-bot")).status_code == 201


@pytest.mark.parametrize(
    "username", ["comprehensive", "brigade1-judge", "fast-judge", "director", "admin", "finance"]
)
def test_only_the_filing_division_files_cases(client, auth, username):
    response = client.post(URL, json=case_body(), headers=auth(username))
    assert response.status_code == 403
    assert client.get(URL, headers=auth("director")).json()["items"] == []


def test_filing_needs_a_token(client):
    assert client.post(URL, json=case_body()).status_code == 401


def test_filing_is_audited_and_starts_the_clocks(client, auth):
    case = client.post(URL, json=case_body(filed_on="2026-03-02"), headers=auth("registrar")).json()
    with session_scope(read_only=True) as session:
        events = session.execute(
            select(DeadlineEvent.event, DeadlineEvent.occurred_on).where(DeadlineEvent.case_id == case["id"])
        ).all()
    assert [tuple(e) for e in events] == [("case.filed", date(2026, 3, 2))]
    assert sorted(d["rule"] for d in case["deadlines"]) == ["D1", "D2", "D3", "D4"]
    read = client.get(f"{URL}/{case['id']}", headers=auth("comprehensive")).json()
    assert read["deadlines"] == case["deadlines"]
    # The clocks stored at filing are those the recorded event gives when recomputed from scratch.
    with session_scope() as session:
        filed = session.get(Case, case["id"])
        assert (
            deadline_clocks.recompute_cases(
                session, cases=[filed], calendar=working_calendar(session), actor=None, today=court_today()
            )
            == 0
        )
    timeline = client.get(f"{URL}/{case['id']}/timeline", headers=auth("comprehensive")).json()["items"]
    assert [(e["action"], e["actor_username"]) for e in timeline if e["entity_type"] == "case"] == [
        ("case.filed", "registrar")
    ]
    assert timeline[0]["after"]["case_number"] == "（2026）豫0104执123号"
    assert resident_id(123) not in str(timeline[0])  # the trail does not spread identity numbers


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("(2026)豫0104执123号", "（2026）豫0104执123号"),
        ("（２０２６）豫０１０４执１２３号", "（2026）豫0104执123号"),
        (" （2026）豫0104执7号 ", "（2026）豫0104执7号"),
        ("（2026）豫0104执保8号", "（2026）豫0104执保8号"),
    ],
)
def test_case_numbers_are_stored_in_one_form(client, auth, raw, stored):
    response = client.post(URL, json=case_body(case_number=raw), headers=auth("registrar"))
    assert response.status_code == 201, response.text
    assert response.json()["case_number"] == stored


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("45000", "45000.00"),
        ("45000.5", "45000.50"),
        ("50000.00", "50000.00"),
        ("0", "0.00"),
        (45000, "45000.00"),
        ("0.01", "0.01"),
    ],
)
def test_money_accepts_decimal_strings_and_whole_numbers(client, auth, sent, stored):
    response = client.post(URL, json=case_body(claim_amount=sent), headers=auth("registrar"))
    assert response.status_code == 201, response.text
    assert response.json()["claim_amount"] == stored


def test_behavioural_case_may_have_no_claim(client, auth):
    body = case_body(claim_amount=None, behaviour="title_transfer", category="civil_commercial")
    response = client.post(URL, json=body, headers=auth("registrar"))
    assert response.status_code == 201, response.text
    assert response.json()["claim_amount"] is None
    assert response.json()["behaviour"] == "title_transfer"


def test_identity_numbers_are_optional_and_normalised(client, auth):
    body = case_body()
    body["applicants"] = [
        {"name": "李四", "party_type": "natural_person", "id_number": resident_id(2).lower()},
        {"name": "王五", "party_type": "natural_person", "id_number": None},
        {"name": "赵六", "party_type": "natural_person", "id_number": "  "},
        {"name": "某某合伙企业", "party_type": "unincorporated_org", "id_number": uscc(9).lower()},
    ]
    body["respondents"].append(
        {
            "name": "钱七",
            "party_type": "natural_person",
            "id_number": resident_id(7),
            "respondent_class": "state_functionary",
        }
    )
    response = client.post(URL, json=body, headers=auth("registrar"))
    assert response.status_code == 201, response.text
    case = response.json()
    assert resident_id(2).endswith("X")
    read = client.get(response.headers["location"], headers=auth("comprehensive")).json()
    assert [p["id_number"] for p in read["applicants"]] == [resident_id(2), None, None, uscc(9)]
    assert case["respondents"][1]["respondent_class"] == "state_functionary"
    assert all(p["respondent_class"] is None for p in case["applicants"])


@pytest.mark.parametrize("type_code", ["执恢", "执异", "执复", "执监", "执他"])
def test_intake_refuses_type_codes_the_filing_division_does_not_send(client, auth, type_code):
    # Plan §5(1): intake files 执 and 执保; 执恢 comes from restoration, 执异 from the objection desk.
    response = client.post(
        URL, json=case_body(case_number=f"（2026）豫0104{type_code}7号"), headers=auth("registrar")
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["field"] == "case_number" and error["type"] == "case_type_code"
    assert "accepted: 执、执保" in error["message"]
    assert client.get(URL, headers=auth("director")).json()["items"] == []


def test_filed_today_is_accepted(client, auth):
    today = court_today()
    body = case_body(year=today.year, filed_on=today.isoformat())
    assert client.post(URL, json=body, headers=auth("registrar")).status_code == 201


def _set(path: str, value):  # noqa: ANN001, ANN202
    def change(body: dict) -> dict:
        body = copy.deepcopy(body)
        *parents, last = path.split(".")
        target = body
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is _DELETE:
            del target[last]
        else:
            target[int(last) if last.isdigit() else last] = value
        return body

    return change


_DELETE = object()


def _tomorrow() -> date:
    return court_today() + timedelta(days=1)


BAD_BODIES = [
    ("no parentheses", _set("case_number", "2026豫0104执123号"), "case_number"),
    ("not an enforcement case", _set("case_number", "（2026）豫0104民初123号"), "case_number"),
    ("unknown court", _set("case_number", "（2026）X0104执123号"), "case_number"),
    ("no 号", _set("case_number", "（2026）豫0104执123"), "case_number"),
    ("empty number", _set("case_number", ""), "case_number"),
    ("missing number", _set("case_number", _DELETE), "case_number"),
    ("year differs from filing", _set("case_number", "（2025）豫0104执123号"), "case_number"),
    (
        "filed in the future",
        lambda b: (
            b | {"filed_on": _tomorrow().isoformat(), "case_number": f"（{_tomorrow().year}）豫0104执1号"}
        ),
        "filed_on",
    ),
    ("not a date", _set("filed_on", "2026-02-30"), "filed_on"),
    ("unknown category", _set("category", "divorce"), "category"),
    ("float money", _set("claim_amount", 45000.5), "claim_amount"),
    ("float money without fraction digits", _set("claim_amount", 45000.0), "claim_amount"),
    ("negative money", _set("claim_amount", "-1.00"), "claim_amount"),
    ("negative integer money", _set("claim_amount", -1), "claim_amount"),
    ("three decimals", _set("claim_amount", "100.123"), "claim_amount"),
    ("exponent", _set("claim_amount", "1e5"), "claim_amount"),
    ("thousands separator", _set("claim_amount", "45,000.00"), "claim_amount"),
    ("words", _set("claim_amount", "five yuan"), "claim_amount"),
    ("boolean money", _set("claim_amount", True), "claim_amount"),
    ("too large", _set("claim_amount", "12345678901234567.00"), "claim_amount"),
    ("no claim and not behavioural", _set("claim_amount", None), "claim_amount"),
    ("unknown behaviour", _set("behaviour", "dance"), "behaviour"),
    ("no applicant", _set("applicants", []), "applicants"),
    ("no respondent", _set("respondents", []), "respondents"),
    ("missing respondents", _set("respondents", _DELETE), "respondents"),
    ("applicant without name", _set("applicants.0.name", " "), "applicants.0.name"),
    (
        "applicant resident ID check digit",
        _set("applicants.0.id_number", "410104198005171234"),
        "applicants.0.id_number",
    ),
    (
        "resident ID with impossible birth date",
        _set("applicants.0.id_number", "410104198002301230"),
        "applicants.0.id_number",
    ),
    ("resident ID too short", _set("applicants.0.id_number", "41010419800517123"), "applicants.0.id_number"),
    (
        "company given a resident ID",
        _set("respondents.0.id_number", resident_id(3)),
        "respondents.0.id_number",
    ),
    (
        "USCC check character",
        _set("respondents.0.id_number", "91410104000000123K"),
        "respondents.0.id_number",
    ),
    ("unknown party type", _set("respondents.0.party_type", "robot"), "respondents.0.party_type"),
    (
        "respondent without class",
        _set("respondents.0.respondent_class", _DELETE),
        "respondents.0.respondent_class",
    ),
    (
        "unknown respondent class",
        _set("respondents.0.respondent_class", "alien"),
        "respondents.0.respondent_class",
    ),
    (
        "company as an individual",
        _set("respondents.0.respondent_class", "individual"),
        "respondents.0.respondent_class",
    ),
    ("unknown clue kind", _set("property_clues.0.kind", "gold"), "property_clues.0.kind"),
    ("empty clue", _set("property_clues.0.description", ""), "property_clues.0.description"),
    ("unknown field", _set("court", "管城区法院"), "court"),
]


@pytest.mark.parametrize(("change", "field"), [b[1:] for b in BAD_BODIES], ids=[b[0] for b in BAD_BODIES])
def test_each_bad_field_is_named(client, auth, change, field):
    response = client.post(URL, json=change(case_body()), headers=auth("registrar"))
    assert field in fields(response)
    assert client.get(URL, headers=auth("director")).json()["items"] == []


def test_every_bad_field_is_named_at_once(client, auth):
    body = case_body(claim_amount=1.5, category="divorce")
    body["respondents"][0]["id_number"] = "91410104000000123K"
    body["applicants"][0]["id_number"] = "410104198005171234"
    named = fields(client.post(URL, json=body, headers=auth("registrar")))
    assert named == {"claim_amount", "category", "respondents.0.id_number", "applicants.0.id_number"}


def test_a_natural_person_respondent_with_a_bad_id_is_named(client, auth):
    body = case_body()
    body["respondents"] = [
        {
            "name": "钱七",
            "party_type": "natural_person",
            "id_number": "410104198005171234",
            "respondent_class": "individual",
        }
    ]
    assert fields(client.post(URL, json=body, headers=auth("registrar"))) == {"respondents.0.id_number"}


def test_not_json_is_422_not_500(client, auth):
    response = client.post(
        URL, content=b"{not json", headers=auth("registrar", **{"Content-Type": "application/json"})
    )
    assert response.status_code == 422


def test_duplicate_case_number_is_409_naming_the_existing_case(client, auth):
    first = client.post(URL, json=case_body(), headers=auth("registrar")).json()
    again = case_body(case_number="(2026)豫0104执123号", claim_amount="1.00")
    response = client.post(URL, json=again, headers=auth("filing-bot"))
    assert response.status_code == 409
    problem = response.json()
    assert problem["type"] == "/problems/duplicate-case-number"
    assert problem["existing_case"] == {"id": first["id"], "case_number": "（2026）豫0104执123号"}
    assert "（2026）豫0104执123号" in problem["detail"]
    assert len(client.get(URL, headers=auth("director")).json()["items"]) == 1


def test_concurrent_filings_of_one_number_create_one_case(app, auth):
    from concurrent.futures import ThreadPoolExecutor

    from fastapi.testclient import TestClient

    def post(i: int) -> int:
        with TestClient(app) as c:
            return c.post(URL, json=case_body(claim_amount=f"{i}.00"), headers=auth("registrar")).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(post, range(6)))
    assert statuses == [201, 409, 409, 409, 409, 409]


def _party(name: str, party_type: str, **document: str) -> dict:
    kind = "individual" if party_type == "natural_person" else "enterprise"
    return {"name": name, "party_type": party_type, "respondent_class": kind, **document}


def test_parties_may_carry_the_documents_they_have(client, auth):
    body = case_body()
    body["applicants"] = [
        _party("陈大文", "natural_person", id_kind="hmt_residence_permit", id_number="810000199001011230"),
        _party(
            "John Smith", "natural_person", id_kind="passport", id_number="e1234567", id_issuing_country="GBR"
        ),
        _party("某某厂", "legal_person", id_kind="organisation_code", id_number="d2143569x"),
    ]
    body["respondents"] = [
        _party("张老三", "natural_person", id_kind="legacy_resident_id", id_number="410102850612123"),
        _party(
            "Kim", "natural_person", id_kind="foreign_permanent_residence", id_number="931156198005120013"
        ),
        _party("李四", "natural_person", id_number=resident_id(4)),  # no kind named: a resident ID
    ]
    response = client.post(URL, json=body, headers=auth("registrar"))
    assert response.status_code == 201, response.text
    read = client.get(response.headers["location"], headers=auth("comprehensive")).json()
    documents = [
        (p["id_kind"], p["id_number"], p["id_issuing_country"])
        for p in read["applicants"] + read["respondents"]
    ]
    assert documents == [
        ("hmt_residence_permit", "810000199001011230", None),
        ("passport", "E1234567", "GBR"),
        ("organisation_code", "D2143569-X", None),
        ("legacy_resident_id", "410102850612123", None),
        ("foreign_permanent_residence", "931156198005120013", None),
        ("resident_id", resident_id(4), None),
    ]


@pytest.mark.parametrize(
    ("party", "field", "says"),
    [
        (
            _party("陈", "natural_person", id_kind="hmt_residence_permit", id_number="810000199001011231"),
            "id_number",
            "expected 0",
        ),
        (
            _party("某厂", "legal_person", id_kind="organisation_code", id_number="D2143569-1"),
            "id_number",
            "expected X",
        ),
        (
            _party(
                "Kim", "natural_person", id_kind="foreign_permanent_residence", id_number="931156198005120010"
            ),
            "id_number",
            "expected 3",
        ),
        (
            _party("Smith", "natural_person", id_kind="passport", id_number="E1234567"),
            "id_issuing_country",
            "issuing country",
        ),
        (
            _party(
                "Smith", "natural_person", id_kind="passport", id_number="E1234567", id_issuing_country="gb"
            ),
            "id_issuing_country",
            "",
        ),
        (
            _party("李四", "natural_person", id_number=resident_id(4), id_issuing_country="CHN"),
            "id_issuing_country",
            "only a passport",
        ),
        (
            _party("某厂", "legal_person", id_kind="passport", id_number="E1234567"),
            "id_kind",
            "uscc, organisation_code",
        ),
        (_party("李四", "natural_person", id_kind="uscc", id_number=uscc(3)), "id_kind", "resident_id"),
        (_party("李四", "natural_person", id_kind="driving_licence", id_number="123"), "id_kind", ""),
    ],
)
def test_a_document_that_fails_its_check_names_the_field_and_what_was_expected(
    client, auth, party, field, says
):
    body = case_body()
    body["respondents"] = [party]
    response = client.post(URL, json=body, headers=auth("registrar"))
    assert fields(response) == {f"respondents.0.{field}"}
    assert says in response.json()["errors"][0]["message"]
