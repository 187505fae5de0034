"""Problems as an integrator meets them: which field is at fault, what each problem type means."""

from __future__ import annotations

import pytest

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
