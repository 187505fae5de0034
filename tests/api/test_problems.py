"""Problems as an integrator meets them: which field is at fault, what each problem type means."""

from __future__ import annotations

import ast
import json
import re

import pytest

from app.errors import DomainError
from tests.conftest import ROOT
from tests.factories import case_body

CASES = "/api/v1/cases"


def _errors(response) -> list[dict]:  # noqa: ANN001
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "/problems/validation-error"
    return problem["errors"]


@pytest.mark.parametrize(
    ("raw", "position"),
    [(b'{"case_number": ', 16), (b'{"case_number": "x",,}', 20), (b"[", 1), (b"{'a': 1}", 1)],
)
def test_malformed_json_names_the_body_and_the_position(client, auth, raw, position):
    response = client.post(
        CASES, content=raw, headers=auth("registrar", **{"Content-Type": "application/json"})
    )
    [error] = _errors(response)
    assert error["field"] == "body"
    assert error["type"] == "json_invalid"
    assert error["message"].startswith(f"malformed JSON at position {position}: ")


def _post_json(client, auth, body: dict):  # noqa: ANN001, ANN202
    # json.dumps escapes control characters as \uXXXX, as any JSON encoder does.
    return client.post(
        CASES, content=json.dumps(body), headers=auth("registrar", **{"Content-Type": "application/json"})
    )


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x1b", "\x7f", "\x85"])
def test_a_control_character_in_a_party_name_is_422_naming_the_field(client, auth, char):
    body = case_body()
    body["respondents"][0]["name"] = f"郑州{char}贸易有限公司"
    [error] = _errors(_post_json(client, auth, body))
    assert error["field"] == "respondents.0.name"
    assert f"U+{ord(char):04X}" in error["message"]
    assert client.get(CASES, headers=auth("director")).json()["items"] == []


def test_the_media_type_is_read_whatever_its_case(client, auth):
    body = case_body()
    body["applicants"][0]["name"] = "张\x00三"
    response = client.post(
        CASES,
        content=json.dumps(body),
        headers=auth("registrar", **{"Content-Type": "Application/JSON; charset=UTF-8"}),
    )
    [error] = _errors(response)
    assert error["field"] == "applicants.0.name"


def test_a_control_character_in_a_key_is_422_naming_the_key(client, auth):
    body = case_body() | {"bad\x00key": 1}
    [error] = _errors(_post_json(client, auth, body))
    assert error["field"] == "bad\x00key"


def test_tab_line_feed_and_carriage_return_are_text(client, auth):
    body = case_body(property_clues=[{"kind": "bank_deposit", "description": "账户一\t工行\r\n账户二\t建行"}])
    response = _post_json(client, auth, body)
    assert response.status_code == 201, response.text
    assert response.json()["property_clues"][0]["description"] == "账户一\t工行\r\n账户二\t建行"


def test_control_characters_in_query_path_and_form_fields_are_422_naming_them(client, auth):
    [error] = _errors(client.get(CASES, params={"unit": "brigade-1\x00"}, headers=auth("director")))
    assert error["field"] == "unit"
    [error] = _errors(client.get(f"{CASES}/%00", headers=auth("director")))
    assert error["field"] == "case_id"
    [error] = _errors(client.post("/api/v1/auth/token", data={"username": "registrar\x00", "password": "x"}))
    assert error["field"] == "username"


def _problem_type_slugs_in_the_code() -> set[str]:
    """Every ``type`` the service sends: each DomainError subclass, and the literal ``/problems/…``."""
    from app.routers.problems import _subclasses

    slugs = {cls.slug for cls in _subclasses(DomainError)}
    for path in (ROOT / "app").rglob("*.py"):
        slugs |= set(re.findall(r'"/problems/([a-z0-9-]+)"', path.read_text(encoding="utf-8")))
    return slugs | {"http-404", "http-405", "http-400"}


def test_every_problem_type_has_a_page(client):
    slugs = _problem_type_slugs_in_the_code()
    assert {"validation-error", "duplicate-case-number", "idempotency-key-reused", "internal"} <= slugs
    for slug in sorted(slugs):
        response = client.get(f"/problems/{slug}")
        assert response.status_code == 200, slug
        assert response.headers["content-type"].startswith("text/html")
        assert f"<code>/problems/{slug}</code>" in response.text


def test_the_type_of_a_problem_leads_to_its_page(client, auth):
    client.post(CASES, json=case_body(), headers=auth("registrar"))
    problem = client.post(CASES, json=case_body(), headers=auth("registrar")).json()
    assert problem["type"] == "/problems/duplicate-case-number"
    page = client.get(problem["type"])  # a URI reference, resolved against the service
    assert page.status_code == 200
    assert "HTTP status 409" in page.text and "<code>existing_case</code>" in page.text
    page = client.get("/problems/validation-error")
    assert "<code>errors</code>" in page.text and "``" not in page.text


def test_an_unknown_problem_type_is_404(client):
    for slug in ("no-such-problem", "http-999", "http-abc"):
        response = client.get(f"/problems/{slug}")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("application/problem+json")


def _extension_members_sent() -> dict[str, set[str]]:
    """member → slugs of the problems raised with it (keyword arguments of DomainError calls in app/)."""
    from app.routers.problems import _subclasses

    classes = {cls.__name__: cls for cls in _subclasses(DomainError)}
    sent: dict[str, set[str]] = {}
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in classes:
                for keyword in node.keywords:
                    if keyword.arg not in (None, "detail"):
                        sent.setdefault(keyword.arg, set()).add(classes[name].slug)
    return sent


def test_the_problem_schema_declares_every_extension_member_the_service_sends(app):
    sent = _extension_members_sent()
    assert {"allowed_actions", "missing", "current_version", "existing_case", "retry_after"} <= set(sent)
    declared = app.openapi()["components"]["schemas"]["Problem"]["properties"]
    for member, slugs in sent.items():
        assert member in declared, f"Problem does not declare {member!r} (sent with {slugs})"
        assert slugs <= set(declared[member]["x-problem-types"]), (member, slugs)


def test_a_status_with_several_reasons_lists_each(app):
    paths = app.openapi()["paths"]
    create = paths["/api/v1/cases"]["post"]["responses"]["409"]["description"]
    assert "`/problems/duplicate-case-number`" in create and "`/problems/idempotency-key-reused`" in create
    transfer = paths["/api/v1/cases/{case_id}/disposal-transfers"]["post"]["responses"]["409"]["description"]
    for slug in ("transition-not-allowed", "gate-not-met", "conflict", "idempotency-key-reused"):
        assert f"`/problems/{slug}`" in transfer


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("郑州\u202e司公限有易贸", "name_bidi_control"),
        ("郑州\u2067贸易\u2069有限公司", "name_bidi_control"),
        ("\u200b\u200c\u200d", "name_invisible"),
        ("\x1b[31m郑州贸易有限公司\x1b[0m", None),
    ],
)
def test_a_name_that_deceives_is_422_naming_the_field(client, auth, name, kind):
    body = case_body()
    body["respondents"][0]["name"] = name
    [error] = _errors(_post_json(client, auth, body))
    assert error["field"] == "respondents.0.name"
    if kind is not None:
        assert error["type"] == kind
    assert client.get(CASES, headers=auth("director")).json()["items"] == []


def test_a_party_name_is_stored_composed_and_trimmed(client, auth):
    body = case_body()
    body["respondents"][0]["name"] = " Mu\u0308ller GmbH\u3000"
    response = _post_json(client, auth, body)
    assert response.status_code == 201, response.text
    assert [p["name"] for p in response.json()["parties"] if p["role"] == "respondent"] == ["Müller GmbH"]


def test_a_request_that_finds_no_free_connection_is_503_with_retry_after(client, auth, monkeypatch):
    import sqlalchemy.exc

    from app.services import case_queries

    def exhausted(*_args: object, **_kwargs: object) -> None:
        raise sqlalchemy.exc.TimeoutError("QueuePool limit of size 40 overflow 0 reached")

    monkeypatch.setattr(case_queries, "list_cases", exhausted)
    response = client.get(CASES, headers=auth("director"))
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["Retry-After"] == "5"
    assert response.json()["type"] == "/problems/service-unavailable"
