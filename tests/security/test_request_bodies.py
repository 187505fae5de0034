"""Request bodies are bounded and read only for callers who may send them.

A body beyond ``ENFORCEMENT_MAX_BODY_BYTES`` is refused with 413 before it is parsed, whether its
size is announced (Content-Length) or only known as it streams in (chunked); a body sent to an
authenticated route without a valid bearer token is refused with 401 before a byte of it is read.
The same against a real server process, with its memory measured: tests/robustness/test_large_requests.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import pytest
from fastapi.testclient import TestClient

from app.settings import get_settings
from tests.factories import case_body

MIB = 1024 * 1024


def _chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    for start in range(0, total, size):
        yield b" " * min(size, total - start)


def _assert_too_large(response, limit: int | None = None) -> None:  # noqa: ANN001
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "/problems/content-too-large" and problem["status"] == 413
    assert f"{limit or get_settings().max_body_bytes} bytes" in problem["detail"]
    assert response.headers["connection"] == "close"


def test_a_body_over_the_limit_is_413(client, auth):
    body = b'{"case_number": "' + b"9" * (get_settings().max_body_bytes + 1) + b'"}'
    response = client.post(
        "/api/v1/cases", content=body, headers=auth("registrar", **{"Content-Type": "application/json"})
    )
    _assert_too_large(response)


def test_a_chunked_body_over_the_limit_is_413(client, auth):
    response = client.post(
        "/api/v1/cases",
        content=_chunks(3 * MIB),
        headers=auth("registrar", **{"Content-Type": "application/json"}),
    )
    _assert_too_large(response)


def test_a_login_form_over_the_limit_is_413(client):
    response = client.post(
        "/api/v1/auth/token",
        content=_chunks(2 * MIB),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _assert_too_large(response)


def test_a_body_within_the_limit_is_read(client, auth):
    body = case_body(77)
    body["respondents"][0]["name"] = "某" * 400_000  # about 1.2 MB as UTF-8 JSON: too large
    assert client.post("/api/v1/cases", json=body, headers=auth("registrar")).status_code == 413
    body["respondents"][0]["name"] = "某" * 300_000  # about 0.9 MB: read, then refused by the schema
    response = client.post("/api/v1/cases", json=body, headers=auth("registrar"))
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "respondents.0.name"


def test_a_path_may_be_given_a_larger_limit(database, monkeypatch, auth):
    from app.main import create_app

    monkeypatch.setattr(get_settings(), "max_body_bytes_by_path", {"/api/v1/cases": 4 * MIB})
    with TestClient(create_app(), raise_server_exceptions=False) as larger:
        headers = auth("registrar", **{"Content-Type": "application/json"})
        response = larger.post("/api/v1/cases", content=b"[" + b" " * (2 * MIB) + b"]", headers=headers)
        assert response.status_code == 422, response.text  # read and parsed: a list is not a case
        _assert_too_large(larger.post("/api/v1/cases", content=_chunks(5 * MIB), headers=headers), 4 * MIB)
        _assert_too_large(larger.post("/api/v1/objections", content=_chunks(2 * MIB), headers=headers))


class _Exchange:
    """One request sent straight to the ASGI app, counting what the app reads of its body."""

    def __init__(self, app, method: str, path: str, headers: dict[str, str], body: bytes) -> None:  # noqa: ANN001
        self.app = app
        self.scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": path,
            "raw_path": path.encode(),
            "root_path": "",
            "query_string": b"",
            "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
            "client": ("203.0.113.9", 40000),
            "server": ("127.0.0.1", 8000),
        }
        self.pieces = [body[i : i + 65536] for i in range(0, len(body), 65536)]
        self.read = 0
        self.status: int | None = None
        self.body = b""

    async def receive(self) -> dict:
        if not self.pieces:
            await anyio.sleep_forever()
        piece = self.pieces.pop(0)
        self.read += len(piece)
        return {"type": "http.request", "body": piece, "more_body": bool(self.pieces)}

    async def send(self, message: dict) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        elif message["type"] == "http.response.body":
            self.body += message.get("body", b"")

    def run(self) -> _Exchange:
        async def main() -> None:
            with anyio.fail_after(10):
                await self.app(self.scope, self.receive, self.send)

        anyio.run(main)
        return self


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Basic cmVnaXN0cmFyOmRlbW8tcGFzc3dvcmQ=", "Bearer"],
    ids=["none", "forged", "basic", "empty"],
)
def test_a_body_without_a_valid_token_is_401_and_never_read(app, authorization):
    headers = {"Content-Type": "application/json", "Content-Length": str(900_000)}
    if authorization:
        headers["Authorization"] = authorization
    exchange = _Exchange(app, "POST", "/api/v1/cases", headers, b" " * 900_000).run()
    assert exchange.status == 401, exchange.body
    assert exchange.read == 0
    assert b"/problems/unauthorized" in exchange.body


def test_an_announced_body_over_the_limit_is_413_and_never_read(app, auth):
    size = get_settings().max_body_bytes + 1
    headers = auth("registrar", **{"Content-Type": "application/json", "Content-Length": str(size)})
    exchange = _Exchange(app, "POST", "/api/v1/cases", headers, b" " * size).run()
    assert exchange.status == 413
    assert exchange.read == 0


def test_the_login_form_is_read_without_a_token(client):
    response = client.post("/api/v1/auth/token", data={"username": "registrar", "password": "demo-password"})
    assert response.status_code == 200, response.text


def test_every_operation_documents_413(app):
    spec = app.openapi()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if path.startswith("/api/v1/"):  # a GET may carry a body too, and is refused alike
                assert "413" in operation["responses"], (method, path)
