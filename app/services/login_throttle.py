"""Throttling of failed logins, kept in the database so that every server process shares it.

Three counts may apply to a login attempt (rows of ``login_throttle``):

- the account from this address: at ``login_max_failures`` (5) it waits;
- the account from every address it is not known at: ``login_account_max_failures`` (50), against
  guesses spread over many addresses;
- this address over the accounts not known there: ``login_address_max_failures`` (20), against one
  address trying many names. Unknown names are counted like known ones, so the answers do not tell
  which names exist.

An address is *known* for an account when its owner logged in from it within
``login_known_address_days``; from there only the first count applies, so guesses made elsewhere,
however many, never lock the owner out of where they usually log in. Reaching a limit blocks the
count for ``login_lockout_seconds``; each further failure after the wait doubles it, up to
``login_lockout_max_seconds``. Failures are forgotten ``login_failure_window_seconds`` after the
latest.

An attempt is counted before its password is checked, by one ``INSERT … ON CONFLICT DO UPDATE …
WHERE <not blocked> RETURNING failures`` per count in a short transaction: parallel guesses each
take a count or are refused, so no more than the limit are ever checked. A successful login clears
the count of its account at its address and gives back what it took from the other two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from datetime import timedelta
from functools import lru_cache
from typing import Any
from typing import cast

from sqlalchemy import ColumnElement
from sqlalchemy import CursorResult
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import case
from sqlalchemy import delete
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.models.base import UTCDateTime
from app.models.base import utcnow
from app.models.login_throttle import LoginThrottle
from app.settings import get_settings

ACCOUNT_ADDRESS, ACCOUNT, ADDRESS = "account_address", "account", "address"
_KEY_LENGTH = 64  # the columns' length; a longer username cannot be an account's


@dataclass(frozen=True)
class Count:
    """One row of ``login_throttle`` and the failures it allows."""

    scope: str
    username: str
    address: str
    limit: int

    def matches(self) -> ColumnElement[bool]:
        return and_(
            LoginThrottle.scope == self.scope,
            LoginThrottle.username == self.username,
            LoginThrottle.address == self.address,
        )


def counts(*, username: str, address: str, known: bool) -> list[Count]:
    """The counts an attempt is held to, in the order they are locked (the same in every attempt)."""
    settings = get_settings()
    username, address = username[:_KEY_LENGTH], address[:_KEY_LENGTH]
    own = Count(ACCOUNT_ADDRESS, username, address, settings.login_max_failures)
    if known:
        return [own]
    return [
        own,
        Count(ACCOUNT, username, "", settings.login_account_max_failures),
        Count(ADDRESS, "", address, settings.login_address_max_failures),
    ]


@dataclass(frozen=True)
class Standing:
    known: bool  # the account's owner logs in from this address
    wait: int | None  # seconds before an attempt is taken; None: now


def standing(session: Session, *, username: str, address: str) -> Standing:
    """Where an attempt stands before it is counted: a read, nothing is written."""
    now = utcnow()
    every = counts(username=username, address=address, known=False)
    found = session.scalars(select(LoginThrottle).where(or_(*(count.matches() for count in every))))
    rows = {row.scope: row for row in found}
    own = rows.get(ACCOUNT_ADDRESS)
    known_since = now - timedelta(days=get_settings().login_known_address_days)
    known = own is not None and own.succeeded_at is not None and own.succeeded_at >= known_since
    applying = counts(username=username, address=address, known=known)
    waits = [_seconds_until(row.blocked_until, now) for c in applying if (row := rows.get(c.scope))]
    return Standing(known=known, wait=max((w for w in waits if w), default=None))


@dataclass(frozen=True)
class Claim:
    """An attempt counted: ``wait`` is set when a count was blocked (then nothing may be kept: the caller
    rolls the transaction back). ``blocked`` holds the blocks this attempt placed."""

    counts: list[Count]
    wait: int | None = None
    blocked: dict[str, datetime] = field(default_factory=dict)


def claim_attempt(session: Session, *, username: str, address: str, known: bool) -> Claim:
    """Count one attempt against each count that applies, unless one of them is blocked."""
    settings, now = get_settings(), utcnow()
    forget_before = now - timedelta(seconds=settings.login_failure_window_seconds)
    applying = counts(username=username, address=address, known=known)
    statement = _count_attempt(session.get_bind().dialect.name)
    blocked = {}
    for count in applying:
        key = {"scope": count.scope, "username": count.username, "address": count.address}
        failures = session.execute(statement, key | {"now": now, "forget_before": forget_before}).scalar()
        if failures is None:  # blocked since this attempt's standing was read
            until = session.scalar(select(LoginThrottle.blocked_until).where(count.matches()))
            return Claim(applying, wait=_seconds_until(until, now) or 1)
        if wait := _wait_after(failures, count.limit):
            blocked[count.scope] = now + timedelta(seconds=wait)
            session.execute(
                update(LoginThrottle).where(count.matches()).values(blocked_until=blocked[count.scope])
            )
    return Claim(applying, blocked=blocked)


def record_success(session: Session, claim: Claim) -> None:
    """The password was right: clear the account's count at this address, mark the address known for
    it, and give back to the other counts the attempt taken from them (with any block it placed)."""
    own, *others = claim.counts
    session.execute(
        update(LoginThrottle)
        .where(own.matches())
        .values(failures=0, failed_at=None, blocked_until=None, succeeded_at=utcnow())
    )
    for count in others:
        placed = claim.blocked.get(count.scope)
        given_back = case((LoginThrottle.failures > 0, LoginThrottle.failures - 1), else_=0)
        values: dict[str, Any] = {"failures": given_back}
        if placed is not None:  # unless a later attempt has blocked it again since
            values["blocked_until"] = case(
                (LoginThrottle.blocked_until == placed, None), else_=LoginThrottle.blocked_until
            )
        session.execute(update(LoginThrottle).where(count.matches()).values(**values))


def purge_stale(session: Session) -> int:
    """Forget counts with nothing left to remember: no failure within the window, no block in force,
    no login that makes the address known. Run by the sweep (app.sweep); returns how many."""
    settings, now = get_settings(), utcnow()
    forgotten = now - timedelta(seconds=settings.login_failure_window_seconds)
    unknown = now - timedelta(days=settings.login_known_address_days)
    result = session.execute(
        delete(LoginThrottle).where(
            or_(LoginThrottle.failed_at.is_(None), LoginThrottle.failed_at < forgotten),
            or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until <= now),
            or_(LoginThrottle.succeeded_at.is_(None), LoginThrottle.succeeded_at < unknown),
        )
    )
    return cast("CursorResult[Any]", result).rowcount


def _wait_after(failures: int, limit: int) -> int:
    """Seconds a count waits after its ``failures``-th failure: none below the limit, then the lockout,
    doubled by each failure beyond it, up to the longest wait."""
    if failures < limit:
        return 0
    settings = get_settings()
    doublings = min(failures - limit, 32)
    return min(settings.login_lockout_seconds << doublings, settings.login_lockout_max_seconds)


def _seconds_until(moment: datetime | None, now: datetime) -> int:
    return math.ceil((moment - now).total_seconds()) if moment is not None and moment > now else 0


@lru_cache
def _count_attempt(dialect: str) -> Any:
    """``INSERT … ON CONFLICT DO UPDATE SET failures = failures + 1 … WHERE <not blocked> RETURNING
    failures``: one statement that takes a count or, when the row is blocked, returns nothing. Built
    once per dialect; the key, ``now`` and ``forget_before`` are execution parameters."""
    now = bindparam("now", type_=UTCDateTime())
    forget_before = bindparam("forget_before", type_=UTCDateTime())
    insert = postgres_insert if dialect == "postgresql" else sqlite_insert
    stale = or_(LoginThrottle.failed_at.is_(None), LoginThrottle.failed_at < forget_before)
    return (
        insert(LoginThrottle)
        .values(
            scope=bindparam("scope"),
            username=bindparam("username"),
            address=bindparam("address"),
            failures=1,
            failed_at=now,
        )
        .on_conflict_do_update(
            index_elements=["scope", "username", "address"],
            set_={"failures": case((stale, 1), else_=LoginThrottle.failures + 1), "failed_at": now},
            where=or_(LoginThrottle.blocked_until.is_(None), LoginThrottle.blocked_until <= now),
        )
        .returning(LoginThrottle.failures)
    )
