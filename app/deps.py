"""Dependency aliases every router uses: the request's session, the caller, permission checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from collections.abc import Awaitable
from collections.abc import Callable
from dataclasses import fields
from typing import Annotated
from typing import Any
from typing import Protocol
from typing import TypeVar
from typing import cast

import anyio
from fastapi import Depends
from fastapi import Header
from fastapi import Query
from fastapi import Request
from fastapi import Response
from fastapi.responses import JSONResponse
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel
from sqlalchemy import Integer
from sqlalchemy import Table
from sqlalchemy import bindparam
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from app.database import abort_session
from app.database import commits_by_statement
from app.database import database_turn
from app.database import finish_session
from app.database import open_session
from app.database import run
from app.errors import Forbidden
from app.errors import Unauthorized
from app.models.user import Account
from app.models.user import User
from app.policy import Actor
from app.policy import actor_may
from app.security import bearer_user_id
from app.services import idempotency

oauth2_scheme = OAuth2PasswordBearer(tokenUrl="/api/v1/auth/token", auto_error=False)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request: commits when the route succeeds, rolls back when it raises.

    Admitted on the event loop (503 with Retry-After when the wait outlasts the busy timeout), opened
    there (no I/O yet); the commit or rollback runs in a worker thread, shielded so that a cancelled
    request still ends its transaction. A reader whose statements committed by themselves has nothing
    to end: it is closed where it is.
    """
    read_only = request.method in ("GET", "HEAD")
    async with database_turn(read_only=read_only):
        session = open_session(read_only=read_only)
        try:
            yield session
        except BaseException:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(abort_session, session)
            raise
        if commits_by_statement(session):
            session.close()
            return
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(finish_session, session)


# scope="function": the commit happens before the response is sent, so a failed commit is an
# error response rather than a success whose data was lost.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


BearerToken = Annotated[str | None, Depends(oauth2_scheme)]


class _Account(Actor, Protocol):
    is_active: bool


AccountT = TypeVar("AccountT", bound=_Account)
ActorT = TypeVar("ActorT", bound=Actor)


def active_user(user: AccountT | None) -> AccountT:
    """The user a bearer token names, as read now: 401 when unknown or disabled."""
    if user is None or not user.is_active:
        raise Unauthorized("the token's user is unknown or disabled")
    return user


def token_user(session: Session, token: str | None) -> User:
    """The user the bearer token was issued to, read now: 401 when unknown or disabled."""
    return active_user(session.get(User, bearer_user_id(token)))


def get_current_user(session: SessionDep, token: BearerToken) -> User:
    return token_user(session, token)


_USERS = cast(Table, User.__table__)
_READ_ACCOUNT = select(*(_USERS.c[f.name] for f in fields(Account))).where(
    _USERS.c.id == bindparam("user_id", type_=Integer)
)


def token_account(session: Session, token: str | None) -> Account:
    """:func:`token_user` read as a plain row: 401 when the user is unknown or disabled."""
    user_id = bearer_user_id(token)
    row = run(session, _READ_ACCOUNT, {"user_id": user_id}).first()
    account = (
        None if row is None else Account(row.id, row.username, row.unit_code, list(row.roles), row.is_active)
    )
    return active_user(account)


def authorized_account(action: str) -> Any:
    """``Authorized(action)`` with the caller read as an :class:`Account`: one dependency (one worker
    thread), the same checks in the same order (401, then 403)."""

    def check(session: SessionDep, token: BearerToken) -> Account:
        return permitted(token_account(session, token), action)

    check.__name__ = f"require_{action.replace('.', '_')}"
    check.policy_action = action  # type: ignore[attr-defined]  # published by app.permission_table
    return Depends(check)


CurrentUser = Annotated[User, Depends(get_current_user)]


def permitted(user: ActorT, action: str) -> ActorT:
    """The user, when their unit and role hold a grant for ``action`` (app.policy); 403 otherwise."""
    if not actor_may(user, action):
        raise Forbidden(f"your unit and role may not perform {action}")
    return user


def require(action: str) -> Callable[[User], Awaitable[User]]:
    """A route dependency: the caller's unit and role must hold a grant for ``action`` (app.policy)."""

    async def check(user: CurrentUser) -> User:  # async: no I/O, so no worker-thread hop
        return permitted(user, action)

    check.__name__ = f"require_{action.replace('.', '_')}"
    check.policy_action = action  # type: ignore[attr-defined]  # published by app.permission_table
    return check


def Authorized(action: str) -> Any:  # noqa: N802 - reads as a marker in signatures
    """``user: Annotated[User, Authorized("case.triage")]`` in a route signature: the caller, who must
    hold a grant for the action."""
    return Depends(require(action))


# Request headers and query parameters shared by many routes (API.md conventions).
NO_SUCH_VERSION = -1  # versions count from 0 (a calendar year not yet stored) upwards


def expected_version(
    if_match: Annotated[
        str | None, Header(description="the version (ETag) the change is based on; stale → 412")
    ] = None,
) -> int | None:
    """The version a change is based on, from ``If-Match``; absent or ``*`` means unconditional.

    A header that names no version this service sent (several tags, or not a number) is kept as a
    version no record has, so the change is refused with 412 once the record is found (RFC 9110
    §13.1.1), after the checks that come first (the record exists, the caller may act on it).
    """
    if if_match is None:
        return None
    tags = {tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")}
    if "*" in tags:
        return None
    if len(tags) == 1 and (tag := tags.pop()).isdigit() and len(tag) <= 9:
        return int(tag)
    return NO_SUCH_VERSION


ExpectedVersion = Annotated[int | None, Depends(expected_version)]
IdempotencyKeyHeader = Annotated[
    str | None,
    Header(
        alias=idempotency.HEADER,
        max_length=idempotency.MAX_KEY_LENGTH,
        description="retrying with the same key and body returns the first response; "
        "the same key with another body is 409",
    ),
]
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor of the previous page")]


def created_response(result: idempotency.StoredResponse, location: str | None = None) -> JSONResponse:
    """The 201 of a creating POST (or its replay), with Location and, for versioned resources, ETag."""
    headers = {"Location": location} if location else {}
    if isinstance(result.body, dict) and "version" in result.body:
        headers["ETag"] = f'"{result.body["version"]}"'
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(result.body, status_code=result.status_code, headers=headers)


def create_once(
    session: Session,
    user: User | Account,
    *,
    key: str | None,
    operation: str,
    payload: BaseModel,
    create: Callable[[], Any],
    location: Callable[[dict[str, Any]], str] | None = None,
) -> JSONResponse:
    """A creating POST run once per ``Idempotency-Key`` (a retry with the same body replays the first
    answer): its 201 with ``Location`` (from the created body) and, for versioned resources, ``ETag``."""
    result = idempotency.respond_once(
        session, user_id=user.id, key=key, operation=operation, payload=payload, create=create
    )
    return created_response(result, location(result.body) if location else None)


def schema_response(body: BaseModel, headers: dict[str, str] | None = None) -> Response:
    """A 200 of a schema the route has built (and so validated): serialized once, as FastAPI serializes
    a response model, without validating it again in a worker thread."""
    return Response(body.model_dump_json(by_alias=True), media_type="application/json", headers=headers)


class _Versioned(Protocol):
    version: int


VersionedT = TypeVar("VersionedT", bound=_Versioned)


def with_etag(response: Response, body: VersionedT) -> VersionedT:
    """Set the ``ETag`` of a versioned resource's response from its ``version``."""
    response.headers["ETag"] = f'"{body.version}"'
    return body
