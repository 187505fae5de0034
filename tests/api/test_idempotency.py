"""``Idempotency-Key`` on creating POSTs (API.md): a retry never files a case twice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from app.database import session_scope
from app.models.base import utcnow
from app.models.case import Case
from app.models.idempotency_key import IdempotencyKey
from app.settings import get_settings
from tests.factories import case_body

URL = "/api/v1/cases"


def _case_count() -> int:
    with session_scope(read_only=True) as session:
        return session.scalar(select(func.count()).select_from(Case))


def _key(name: str) -> dict[str, str]:
    return {"Idempotency-Key": name}


def test_same_key_and_body_returns_the_first_response(client, auth):
    first = client.post(URL, json=case_body(), headers=auth("filing-bot", **_key("k-1")))
    again = client.post(URL, json=case_body(), headers=auth("filing-bot", **_key("k-1")))
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert _case_count() == 1


def test_the_same_body_written_differently_is_the_same_request(client, auth):
    first = client.post(URL, json=case_body(claim_amount="45000"), headers=auth("filing-bot", **_key("k-2")))
    body = case_body(claim_amount=45000, case_number="(2026)豫0104执123号")
    reordered = dict(reversed(list(body.items())))
    again = client.post(URL, json=reordered, headers=auth("filing-bot", **_key("k-2")))
    assert again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert _case_count() == 1


def test_same_key_with_another_body_is_409(client, auth):
    client.post(URL, json=case_body(), headers=auth("filing-bot", **_key("k-3")))
    response = client.post(URL, json=case_body(serial=124), headers=auth("filing-bot", **_key("k-3")))
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/idempotency-key-reused"
    assert response.headers["content-type"].startswith("application/problem+json")
    assert _case_count() == 1


def test_keys_belong_to_one_caller(client, auth):
    mine = client.post(URL, json=case_body(serial=1), headers=auth("registrar", **_key("shared")))
    theirs = client.post(URL, json=case_body(serial=2), headers=auth("filing-bot", **_key("shared")))
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert _case_count() == 2


def test_a_failed_request_does_not_use_up_its_key(client, auth):
    client.post(URL, json=case_body(serial=5), headers=auth("registrar"))
    duplicate = client.post(URL, json=case_body(serial=5), headers=auth("registrar", **_key("k-4")))
    assert duplicate.status_code == 409
    assert duplicate.json()["type"] == "/problems/duplicate-case-number"
    retried = client.post(URL, json=case_body(serial=6), headers=auth("registrar", **_key("k-4")))
    assert retried.status_code == 201


def test_keys_are_forgotten_after_the_retention_window(client, auth):
    retention = get_settings().idempotency_retention_hours
    assert retention >= 24
    client.post(URL, json=case_body(serial=7), headers=auth("registrar", **_key("old")))
    client.post(URL, json=case_body(serial=8), headers=auth("registrar", **_key("recent")))
    with session_scope() as session:
        session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key == "old")
            .values(created_at=utcnow() - timedelta(hours=retention, minutes=1))
        )
        session.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.key == "recent")
            .values(created_at=utcnow() - timedelta(hours=retention, minutes=-1))
        )
    reused = client.post(URL, json=case_body(serial=9), headers=auth("registrar", **_key("old")))
    assert reused.status_code == 201
    still_kept = client.post(URL, json=case_body(serial=10), headers=auth("registrar", **_key("recent")))
    assert still_kept.status_code == 409
    with session_scope(read_only=True) as session:
        assert sorted(session.scalars(select(IdempotencyKey.key))) == ["old", "recent"]


def test_an_unusable_key_is_422_naming_the_header(client, auth):
    response = client.post(URL, json=case_body(), headers=auth("registrar", **_key("x" * 256)))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["Idempotency-Key"]
    response = client.post(URL, json=case_body(), headers=auth("registrar", **_key("")))
    assert response.status_code == 422
    assert _case_count() == 0


def test_concurrent_retries_with_one_key_create_one_case(app, auth):
    def post(_: int):  # noqa: ANN202
        with TestClient(app) as c:
            response = c.post(URL, json=case_body(), headers=auth("filing-bot", **_key("burst")))
            return response.status_code, response.json()

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(post, range(8)))
    assert {status for status, _ in results} == {201}
    assert len({body["id"] for _, body in results}) == 1
    assert _case_count() == 1
