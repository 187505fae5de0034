"""Login (OAuth2 password flow), throttled by app.services.login_throttle.

The password check (argon2: ~0.3 s of a core) holds no database connection and runs in no
transaction: on SQLite an open writing transaction holds the one write lock, and forty failed logins
checked inside theirs stalled every other writer for seconds. Around it are two short steps: a read
(the user and where the attempt stands) and a write that counts the attempt before the check, so that
parallel guesses cannot get past the limit; a successful login writes once more to clear its count.
Each step waits its turn for the database like a request does (app.database.database_turn).

Unknown usernames take the same path as known ones (counted, a stand-in hash checked), and a refused
attempt waits as long as a check takes, so neither the answer nor its timing tells which names exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from anyio import to_thread
from sqlalchemy import select

from app.database import database_turn
from app.database import session_scope
from app.errors import TooManyRequests
from app.errors import Unauthorized
from app.models.user import User
from app.security import check_password_in_turn
from app.security import create_access_token
from app.security import take_as_long_as_a_password_check
from app.services import login_throttle


@dataclass(frozen=True)
class _Attempt:
    username: str
    address: str
    user_id: int | None
    password_hash: str | None
    is_active: bool
    standing: login_throttle.Standing


async def issue_token(*, username: str, password: str, address: str) -> str:
    """Check the password of ``username`` logging in from ``address`` and return a bearer token."""
    attempt = await _in_turn(partial(_look_up, username=username, address=address), read_only=True)
    try:
        if attempt.standing.wait is not None:
            raise _refusal(attempt.standing.wait)
        claim = await _in_turn(partial(_count, attempt), read_only=False)
    except TooManyRequests:
        await take_as_long_as_a_password_check()
        raise
    if not await check_password_in_turn(password, attempt.password_hash) or attempt.user_id is None:
        raise Unauthorized("unknown username or wrong password")
    if not attempt.is_active:
        raise Unauthorized("this account is disabled")
    await _in_turn(partial(_record_success, claim), read_only=False)
    return create_access_token(user_id=attempt.user_id, username=username)


_T = TypeVar("_T")


async def _in_turn(step: Callable[[], _T], *, read_only: bool) -> _T:
    async with database_turn(read_only=read_only):
        return await to_thread.run_sync(step)


def _look_up(*, username: str, address: str) -> _Attempt:
    with session_scope(read_only=True) as session:
        user = session.execute(
            select(User.id, User.password_hash, User.is_active).where(User.username == username)
        ).one_or_none()
        standing = login_throttle.standing(session, username=username, address=address)
    return _Attempt(
        username=username,
        address=address,
        user_id=user.id if user else None,
        password_hash=user.password_hash if user else None,
        is_active=bool(user and user.is_active),
        standing=standing,
    )


def _count(attempt: _Attempt) -> login_throttle.Claim:
    with session_scope() as session:
        claim = login_throttle.claim_attempt(
            session, username=attempt.username, address=attempt.address, known=attempt.standing.known
        )
        if claim.wait is not None:
            raise _refusal(claim.wait)  # rolls back the counts this attempt took
    return claim


def _record_success(claim: login_throttle.Claim) -> None:
    with session_scope() as session:
        login_throttle.record_success(session, claim)


def _refusal(wait: int) -> TooManyRequests:
    return TooManyRequests(f"too many failed logins; try again in {wait} s", retry_after=wait)
