"""The service foundation as a user meets it: health, login, errors, audit chain."""

from __future__ import annotations

import jwt
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text

from app.database import get_engine
from app.database import session_scope
from app.deps import SessionDep
from app.main import create_app
from app.models.unit import Unit
from app.seed import DEMO_USERS
from app.services import audit
from tests.conftest import DEMO_PASSWORD
from tests.factories import as_database_owner


def test_health_and_readiness_need_no_token(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/readyz").json() == {"status": "ready"}
    assert "http_requests_total" in client.get("/metrics").text


def test_every_response_carries_a_request_id(client):
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32


@pytest.mark.parametrize("username", [u[0] for u in DEMO_USERS])
def test_every_demo_user_can_log_in(client, username):
    response = client.post("/api/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["username"] == username


def test_wrong_password_is_401_problem(client):
    response = client.post("/api/v1/auth/token", data={"username": "registrar", "password": "nope"})
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401


def test_repeated_failed_logins_are_throttled(client):
    for _ in range(5):
        client.post("/api/v1/auth/token", data={"username": "finance", "password": "wrong"})
    response = client.post("/api/v1/auth/token", data={"username": "finance", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert int(response.headers["retry-after"]) > 0


def test_request_without_token_is_401_problem(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    body = response.json()
    assert response.headers["content-type"].startswith("application/problem+json")
    assert body["type"] and body["title"] and body["status"] == 401
    assert response.headers["www-authenticate"] == "Bearer"


def _forged(claims: dict, key: str = "another-secret-" + "y" * 40, alg: str = "HS256") -> str:
    return jwt.encode(claims, key, algorithm=alg)


@pytest.mark.parametrize(
    "make_token",
    [
        lambda ids: _forged({"sub": str(ids["admin"]), "iat": 1700000000, "exp": 4100000000}),
        lambda ids: jwt.encode(
            {"sub": str(ids["admin"]), "iat": 1700000000, "exp": 4100000000}, None, algorithm="none"
        ),
        lambda ids: "not-a-jwt",
    ],
    ids=["wrong-signature", "alg-none", "garbage"],
)
def test_bad_tokens_are_401(client, user_ids, make_token):
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {make_token(user_ids)}"})
    assert response.status_code == 401


def test_expired_and_unknown_user_tokens_are_401(client, user_ids):
    import os

    secret = os.environ["ENFORCEMENT_JWT_SECRET"]
    expired = jwt.encode({"sub": str(user_ids["admin"]), "iat": 1600000000, "exp": 1600000100}, secret)
    unknown = jwt.encode({"sub": "999999", "iat": 1700000000, "exp": 4100000000}, secret)
    for token in (expired, unknown):
        assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_disabled_user_token_is_401(client, auth):
    headers = auth("finance")
    with get_engine().begin() as conn:
        conn.execute(text("UPDATE \"user\" SET is_active = false WHERE username = 'finance'"))
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_unknown_path_and_wrong_method_are_problems(client, auth):
    assert client.get("/api/v1/nope", headers=auth("admin")).status_code == 404
    response = client.delete("/api/v1/me", headers=auth("admin"))
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("application/problem+json")


def test_audit_verify_is_admin_only(client, auth):
    assert client.get("/api/v1/audit/verify", headers=auth("director")).status_code == 403
    assert client.get("/api/v1/audit/verify", headers=auth("admin")).json()["ok"] is True


def _write_entries(n: int) -> None:
    for i in range(n):
        with session_scope() as session:
            audit.record(
                session, actor=None, action="test.touch", entity_type="test", entity_id=i, after={"i": i}
            )


def test_tampering_with_an_audit_row_is_reported(client, auth):
    _write_entries(3)
    ok = client.get("/api/v1/audit/verify", headers=auth("admin")).json()
    assert ok == {"ok": True, "entries_checked": 3, "first_broken_id": None, "problem": None}
    with as_database_owner() as conn:
        second = conn.execute(text("SELECT id FROM audit_entry ORDER BY id LIMIT 1 OFFSET 1")).scalar()
        conn.execute(text("UPDATE audit_entry SET reason = 'rewritten' WHERE id = :id"), {"id": second})
    report = client.get("/api/v1/audit/verify", headers=auth("admin")).json()
    assert report["ok"] is False
    assert report["first_broken_id"] == second


def test_deleting_an_audit_row_is_reported(client, auth):
    _write_entries(3)
    with as_database_owner() as conn:
        first = conn.execute(text("SELECT min(id) FROM audit_entry")).scalar()
        conn.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": first})
    report = client.get("/api/v1/audit/verify", headers=auth("admin")).json()
    assert report["ok"] is False and report["first_broken_id"] == first + 1


def test_deleting_the_last_audit_row_is_reported(client, auth):
    _write_entries(2)
    with as_database_owner() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id = (SELECT max(id) FROM audit_entry)"))
    assert client.get("/api/v1/audit/verify", headers=auth("admin")).json()["ok"] is False


def test_a_failed_commit_is_an_error_response_not_a_lost_success(database):
    app = create_app()

    @app.post("/_probe")
    def probe(session: SessionDep) -> dict:
        session.add(Unit(code="probe", name="probe", name_zh="探针"))
        audit.record(session, actor=None, action="probe", entity_type="unit", entity_id="probe")
        session.info["audit_pending"][0]["action"] = None  # NOT NULL: the commit step fails
        return {"ok": True}

    response = TestClient(app, raise_server_exceptions=False).post("/_probe")
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    with session_scope(read_only=True) as session:
        assert session.get(Unit, "probe") is None
