"""Login with throttling of repeated failures (kept in the database, shared by every process)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.database import session_scope
from app.errors import TooManyRequests, Unauthorized
from app.models.base import utcnow
from app.models.user import User
from app.security import burn_password_check, create_access_token, verify_password
from app.settings import get_settings


def issue_token(*, username: str, password: str) -> str:
    """Check the password and return a bearer token; failures are counted and throttled."""
    settings = get_settings()
    failure: Exception | None = None
    with session_scope() as session:
        user = session.execute(select(User).where(User.username == username)).scalar_one_or_none()
        now = utcnow()
        if user is None:
            burn_password_check(password)
            failure = Unauthorized("unknown username or wrong password")
        elif user.locked_until is not None and user.locked_until > now:
            wait = int((user.locked_until - now).total_seconds()) + 1
            failure = TooManyRequests(f"too many failed logins; try again in {wait} s", retry_after=wait)
        elif not verify_password(password, user.password_hash):
            user.failed_logins += 1
            if user.failed_logins >= settings.login_max_failures:
                user.locked_until = now + timedelta(seconds=settings.login_lockout_seconds)
                user.failed_logins = 0
            failure = Unauthorized("unknown username or wrong password")
        elif not user.is_active:
            failure = Unauthorized("this account is disabled")
        else:
            user.failed_logins = 0
            user.locked_until = None
            return create_access_token(user_id=user.id, username=user.username)
    raise failure
