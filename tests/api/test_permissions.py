"""The published permission table (GET /api/v1/permissions, the OpenAPI descriptions) is the policy."""

from __future__ import annotations

import pytest

from app.policy import POLICY
from app.seed import DEMO_USERS

URL = "/api/v1/permissions"


@pytest.fixture
def table(client, auth) -> dict:  # noqa: ANN001
    response = client.get(URL, headers=auth("finance"))
    assert response.status_code == 200, response.text
    return response.json()


def test_the_table_needs_a_token(client):
    response = client.get(URL)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_every_action_of_the_policy_is_listed_with_its_grants(table):
    actions = {a["action"]: a for a in table["actions"]}
    assert set(actions) == set(POLICY)
    for action, grants in POLICY.items():
        listed = actions[action]["grants"]
        assert [(set(g["units"]), set(g["roles"]), g["relation"]) for g in listed] == [
            (set(g.units), set(g.roles), g.relation) for g in grants
        ], action
    assert actions["case.create"]["who"] == "filing (registrar, service)"
    assert "create_case" in actions["case.create"]["operations"]
    assert set(table["relations"]) == {g.relation for grants in POLICY.values() for g in grants} - {None}


def test_every_operation_is_listed_with_its_action(table, app):
    operations = {o["operation_id"]: o for o in table["operations"]}
    spec_ids = {op["operationId"] for item in app.openapi()["paths"].values() for op in item.values()}
    assert set(operations) == spec_ids
    assert operations["create_case"] | {"who": ""} == {
        "operation_id": "create_case",
        "method": "POST",
        "path": "/api/v1/cases",
        "action": "case.create",
        "who": "",
    }
    assert operations["close_case"]["action"] == "case.close"
    assert "only on cases the caller handles as judge" in operations["close_case"]["who"]
    assert operations["login"]["action"] is None and operations["login"]["who"] == "anyone, no token needed"


def _grant_fits(grant: dict, unit: str, roles: list[str]) -> bool:
    return ("*" in grant["units"] or unit in grant["units"]) and (
        "*" in grant["roles"] or bool(set(roles) & set(grant["roles"]))
    )


@pytest.mark.parametrize("username", [u[0] for u in DEMO_USERS])
def test_the_table_grants_each_user_exactly_the_actions_the_service_enforces(client, auth, table, username):
    me = client.get("/api/v1/me", headers=auth(username)).json()
    by_table = {
        a["action"]
        for a in table["actions"]
        if any(_grant_fits(g, me["unit_code"], me["roles"]) for g in a["grants"])
    }
    assert by_table == set(me["permissions"])


def test_each_operation_description_says_who_may_call_it(app):
    for path, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            assert "**Who may call**" in operation["description"], (method, path)
    create = app.openapi()["paths"]["/api/v1/cases"]["post"]
    assert create["x-policy-action"] == "case.create"
    assert create["description"].endswith(
        "**Who may call** (policy action `case.create`): filing (registrar, service)."
    )
