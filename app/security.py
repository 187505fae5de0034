"""Password hashing (argon2 via pwdlib) and bearer tokens (JWT via PyJWT)."""

from __future__ import annotations

import time
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from functools import lru_cache
from functools import partial

import anyio
import jwt
from anyio.lowlevel import RunVar
from pwdlib import PasswordHash

from app.errors import Unauthorized
from app.settings import get_settings


@lru_cache
def _hasher() -> PasswordHash:
    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password: str, password_hash: str) -> bool:
    return _hasher().verify(password, password_hash)


@lru_cache
def _stand_in_hash() -> str:
    """Checked in place of an unknown user's hash: an unknown username costs what a known one does."""
    return hash_password("not-a-real-password")


class _CheckTime:
    """How long a password check takes in this process: a moving average over the checks made."""

    seconds: float | None = None

    def record(self, elapsed: float) -> None:
        self.seconds = elapsed if self.seconds is None else 0.8 * self.seconds + 0.2 * elapsed


_check_time = _CheckTime()


def check_password(password: str, password_hash: str | None) -> bool:
    """``password`` against ``password_hash``, or against a stand-in when there is none (an unknown user)."""
    candidate = password_hash or _stand_in_hash()
    started = time.perf_counter()
    try:
        return verify_password(password, candidate)
    finally:
        _check_time.record(time.perf_counter() - started)


# Password checks under way at once in this process: each takes a core for ~0.3 s and 64 MiB (argon2),
# so a burst of logins queues here instead of taking every worker thread and the memory with it.
_CHECKS: RunVar[anyio.CapacityLimiter] = RunVar("password_checks")


def _checks() -> anyio.CapacityLimiter:
    try:
        return _CHECKS.get()
    except LookupError:
        _CHECKS.set(anyio.CapacityLimiter(get_settings().login_concurrent_password_checks))
        return _CHECKS.get()


async def check_password_in_turn(password: str, password_hash: str | None) -> bool:
    """:func:`check_password` in a worker thread, at most ``login_concurrent_password_checks`` at once."""
    return await anyio.to_thread.run_sync(partial(check_password, password, password_hash), limiter=_checks())


async def take_as_long_as_a_password_check() -> None:
    """Wait as long as a password check takes, without making one: a refusal that answered at once
    would tell a caller the account is blocked, and hashing for it would spend a core on nothing."""
    if _check_time.seconds is None:
        await check_password_in_turn("", None)
    else:
        await anyio.sleep(_check_time.seconds)


def create_access_token(*, user_id: int, username: str) -> str:
    settings = get_settings()
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "name": username,
        "iat": now,
        "exp": now + timedelta(minutes=settings.token_lifetime_minutes),
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm=settings.jwt_algorithm)


# Tokens whose signature and claims were checked, with the key they were checked with. What a check
# found does not change with time but for the expiry, checked again on every use; whether the user
# may still act is read from the database on every request (app.deps), never kept here.
_CHECKED_TOKENS = 1024


@lru_cache(maxsize=_CHECKED_TOKENS)
def _checked_token(token: str, secret: str, algorithm: str) -> tuple[int, int]:
    """The token's user id and expiry (seconds since the epoch); raises ``jwt.InvalidTokenError`` for
    expired, forged or ``alg: none`` tokens."""
    claims = jwt.decode(token, secret, algorithms=[algorithm], options={"require": ["sub", "exp", "iat"]})
    return int(claims["sub"]), int(claims["exp"])


def bearer_user_id(token: str | None) -> int:
    """The id of the user a bearer token was issued to; Unauthorized when it is missing, forged or expired."""
    if not token:
        raise Unauthorized("a bearer token is required")
    settings = get_settings()
    try:
        user_id, expires = _checked_token(token, settings.jwt_secret, settings.jwt_algorithm)
    except (jwt.InvalidTokenError, ValueError, KeyError, TypeError):
        raise Unauthorized("the token is invalid or expired") from None
    if expires <= datetime.now(UTC).timestamp():  # as PyJWT decides it, without leeway
        raise Unauthorized("the token is invalid or expired")
    return user_id
