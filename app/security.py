"""Password hashing (argon2 via pwdlib) and bearer tokens (JWT via PyJWT)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import jwt
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


# A hash to verify against when the username is unknown, so both paths cost the same.
_DUMMY_HASH: list[str] = []


def burn_password_check(password: str) -> None:
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(hash_password("not-a-real-password"))
    verify_password(password, _DUMMY_HASH[0])


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


def decode_access_token(token: str) -> dict[str, Any]:
    """Raises ``jwt.InvalidTokenError`` for expired, forged or ``alg: none`` tokens."""
    settings = get_settings()
    return jwt.decode(
        token,
        settings.jwt_secret,
        algorithms=[settings.jwt_algorithm],
        options={"require": ["sub", "exp", "iat"]},
    )


def bearer_user_id(token: str | None) -> int:
    """The id of the user a bearer token was issued to; Unauthorized when it is missing, forged or expired."""
    if not token:
        raise Unauthorized("a bearer token is required")
    try:
        return int(decode_access_token(token)["sub"])
    except (jwt.InvalidTokenError, ValueError, KeyError):
        raise Unauthorized("the token is invalid or expired") from None
