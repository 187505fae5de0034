"""Problems as an integrator meets them: which field is at fault, what each problem type means."""

from __future__ import annotations

import json

import pytest

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
