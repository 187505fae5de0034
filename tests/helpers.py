"""Reading API responses in tests, and posting the steps of a desk's workflow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from typing import Protocol

import httpx
from fastapi.testclient import TestClient


class Auth(Protocol):
    """The ``auth`` fixture: ``auth("brigade1-judge", **extra)`` → headers with that user's token."""

    def __call__(self, username: str, **extra: str) -> dict[str, str]: ...


def ok(response: httpx.Response, *codes: int) -> dict[str, Any]:
    """The JSON body of a response whose status is one of ``codes`` (200 when none are named)."""
    assert response.status_code in (codes or (200,)), response.text
    body: dict[str, Any] = response.json()
    return body


def fields(response: httpx.Response) -> set[str]:
    """The fields a 422 validation problem names (its ``errors``), after checking that it is one."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {error["field"] for error in response.json()["errors"]}


@dataclass(frozen=True)
class Step:
    """Posts one step of a desk's workflow: ``step(client, auth, 7, "review", {...})`` sends the
    payload to ``{base}/7/review`` as ``user`` (the desk's usual actor unless named)."""

    base: str
    user: str

    def __call__(
        self,
        client: TestClient,
        auth: Auth,
        subject_id: int,
        verb: str,
        payload: dict[str, Any] | None = None,
        user: str | None = None,
        **headers: str,
    ) -> httpx.Response:
        url = f"{self.base}/{subject_id}/{verb}"
        response: httpx.Response = client.post(url, json=payload, headers=auth(user or self.user, **headers))
        return response
