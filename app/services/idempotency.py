"""Idempotent creating requests (API.md: ``Idempotency-Key``): a retried POST creates nothing twice.

Every creating POST can use :func:`respond_once`. The router passes the caller, the key from the
``Idempotency-Key`` header (``None`` when absent), a stable operation name, the validated request
body and a callable that does the work and returns the response body::

    result = idempotency.respond_once(
        session, user_id=user.id, key=idempotency_key, operation="create_petition", payload=body,
        create=lambda: PetitionRead.model_validate(petitions.receive_petition(session, user=user, ...)),
    )
    return created_response(result, f"/api/v1/petitions/{result.body['id']}")  # app.deps

What the caller gets:
- a new key: ``create()`` runs and its response (status and JSON body) is stored with the key in
  the same transaction as the change itself, so both are committed or neither is;
- the same key with the same body (compared as a canonical hash of the validated body and the
  operation): the stored response again, ``replayed=True``; nothing runs;
- the same key with another body or operation: :class:`IdempotencyKeyReused` (409).
Keys belong to one caller (two callers may use the same key independently) and are kept
``settings.idempotency_retention_hours`` (≥ 24 h); ``python -m app.sweep`` purges older ones.
A request that fails (4xx problem, rollback) stores nothing: retrying it runs it again.

Concurrency: two requests with the same new key race on the ``(user_id, key)`` unique constraint.
The key is claimed with ``INSERT … ON CONFLICT DO NOTHING``: on PostgreSQL the second insert waits
until the first transaction ends; if the first committed, it inserts nothing and the second request
answers with the first one's stored response (if the first rolled back, the second claims the key).
On SQLite writers are serialised by ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from datetime import timedelta
from typing import Any
from typing import cast

from pydantic import BaseModel
from sqlalchemy import Table
from sqlalchemy import bindparam
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from app.database import insert_skipping_conflicts
from app.database import run
from app.errors import Conflict
from app.errors import InvalidInput
from app.models.base import utcnow
from app.models.idempotency_key import IdempotencyKey
from app.settings import get_settings

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


class IdempotencyKeyReused(Conflict):
    slug, title = "idempotency-key-reused", "Idempotency-Key already used for a different request"


@dataclass(frozen=True)
class StoredResponse:
    status_code: int
    body: Any  # JSON-native
    replayed: bool


def _json_native(value: BaseModel | Mapping[str, Any] | Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return json.loads(json.dumps(value, default=str))


def request_fingerprint(operation: str, payload: BaseModel | Mapping[str, Any] | Any) -> str:
    """SHA-256 of the operation and the canonical JSON of the validated body."""
    canonical = json.dumps(_json_native(payload), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(f"{operation}\n{canonical}".encode()).hexdigest()


def check_key(key: str) -> str:
    """A key is 1–255 printable ASCII characters (a UUID is a good choice)."""
    if not 0 < len(key) <= MAX_KEY_LENGTH or not (key.isascii() and key.isprintable()):
        raise InvalidInput(HEADER, f"must be 1–{MAX_KEY_LENGTH} printable ASCII characters")
    return key


def _stored(row: IdempotencyKey, request_hash: str) -> StoredResponse:
    if row.request_hash != request_hash:
        raise IdempotencyKeyReused(
            "this Idempotency-Key was already used for a different request; use a new key for a new request",
            idempotency_key=row.key,
        )
    if row.status_code is None or row.response_body is None:
        raise Conflict("the first request with this Idempotency-Key has not finished; retry shortly")
    return StoredResponse(status_code=row.status_code, body=json.loads(row.response_body), replayed=True)


def _find(session: Session, user_id: int, key: str) -> IdempotencyKey | None:
    return session.execute(
        select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
    ).scalar_one_or_none()


_KEYS = cast(Table, IdempotencyKey.__table__)
# Statements on the table, not the mapped class: the key is never loaded into the session, so the
# ORM's bulk paths (and their synchronisation of loaded objects) would only add work.
_STORE_RESPONSE = (
    update(_KEYS)
    .where(_KEYS.c.id == bindparam("claimed"))
    .values(status_code=bindparam("status"), response_body=bindparam("body"))
)


def _retention_cutoff() -> datetime:
    return utcnow() - timedelta(hours=get_settings().idempotency_retention_hours)


def _claim(session: Session, user_id: int, key: str, request_hash: str) -> int | None:
    """Insert the key; a concurrent request holding it makes this wait, then insert nothing (None)."""
    return run(
        session,
        insert_skipping_conflicts(session, _KEYS, "user_id", "key", returning=(_KEYS.c.id,)),
        {"user_id": user_id, "key": key, "request_hash": request_hash, "created_at": utcnow()},
    ).scalar_one_or_none()


def purge_expired(session: Session) -> int:
    """Forget keys older than the retention window (API.md: kept at least 24 h); run by the sweep."""
    result = session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < _retention_cutoff()))
    return result.rowcount or 0  # type: ignore[attr-defined]


def respond_once(
    session: Session,
    *,
    user_id: int,
    key: str | None,
    operation: str,
    payload: BaseModel | Mapping[str, Any],
    create: Callable[[], BaseModel | Any],
    status_code: int = 201,
) -> StoredResponse:
    """Run ``create`` once per (caller, key); replay its response for a retry with the same body."""
    if key is None:
        return StoredResponse(status_code=status_code, body=_json_native(create()), replayed=False)
    check_key(key)
    request_hash = request_fingerprint(operation, payload)
    claimed = _claim(session, user_id, key, request_hash)
    if claimed is None:
        existing = _find(session, user_id, key)
        if existing is not None and existing.created_at < _retention_cutoff():
            # Past its retention and not yet purged by the sweep: forgotten, so the key is new again.
            session.delete(existing)
            session.flush()
            claimed = _claim(session, user_id, key, request_hash)
        elif existing is not None:
            return _stored(existing, request_hash)
    if claimed is None:  # the holder disappeared or came back between our statements
        raise Conflict("another request with this Idempotency-Key is in progress; retry shortly")
    body = _json_native(create())
    run(
        session,
        _STORE_RESPONSE,
        {
            "claimed": claimed,
            "status": status_code,
            "body": json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        },
    )
    return StoredResponse(status_code=status_code, body=body, replayed=False)
