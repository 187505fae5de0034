"""An id in a request body beyond any row id is a 422 naming the field, before anything is looked up
(not a database error surfacing as a problem without a field)."""

from __future__ import annotations

import pytest

TOO_BIG = 2**40

CASES = [
    ("objection-judge", "/api/v1/objections", {"case_id": TOO_BIG}, "case_id"),
    ("comprehensive", "/api/v1/petitions", {"case_id": TOO_BIG}, "case_id"),
    ("brigade1-judge", "/api/v1/refusal-referrals", {"case_id": TOO_BIG}, "case_id"),
    ("brigade1-judge", "/api/v1/cases/1/measures", {"respondent_id": TOO_BIG}, "respondent_id"),
    ("brigade1-judge", "/api/v1/cases/1/measures", {"signed_by": TOO_BIG}, "signed_by"),
    ("brigade1-judge", "/api/v1/cases/1/measures", {"suspension_id": TOO_BIG}, "suspension_id"),
    ("brigade1-judge", "/api/v1/cases/1/dishonest-listings", {"respondent_id": TOO_BIG}, "respondent_id"),
    ("disposal", "/api/v1/disposal-transfers/1/tasks", {"asset_id": TOO_BIG}, "asset_id"),
]


@pytest.mark.parametrize(("username", "url", "body", "field"), CASES)
def test_an_id_beyond_any_row_is_422_naming_the_field(client, auth, username, url, body, field):
    response = client.post(url, json=body, headers=auth(username))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {e["field"] for e in response.json()["errors"]}
