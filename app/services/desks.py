"""What the command center's three desks share (objections, 拒执 referrals, petitions; plan §5(6)–(8)):
the state guard, the checks on legal dates and record versions.

Each desk is a small state machine whose table of allowed actions lives with its service; this
module only enforces it the same way everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from app.errors import InvalidInput, PreconditionFailed, TransitionNotAllowed
from app.settings import court_today


class VersionedRecord(Protocol):
    id: int
    version: int


def require_action(*, label: str, state: str, action: str, allowed: Sequence[str]) -> None:
    """409 naming the allowed actions when ``action`` is not one of them (API.md command endpoints)."""
    if action not in allowed:
        raise TransitionNotAllowed(
            f"{label} is {state}; {action} is not allowed", allowed_actions=list(allowed), state=state
        )


def check_if_match(record: VersionedRecord, if_match: str | None, *, label: str) -> None:
    """``If-Match`` with a stale version → 412 (API.md conventions); absent means unconditional."""
    if if_match is None:
        return
    wanted = {tag.strip().removeprefix("W/").strip('"') for tag in if_match.split(",")}
    if "*" not in wanted and str(record.version) not in wanted:
        raise PreconditionFailed(
            f"{label} is at version {record.version}, not {if_match}", current_version=record.version
        )


def check_legal_date(
    field: str, value: date, *, not_before: date | None = None, not_before_what: str = ""
) -> None:
    """A legal date given by the client: not after today at the court, not before what it follows."""
    today = court_today()
    if value > today:
        raise InvalidInput(field, f"{value.isoformat()} is after today ({today.isoformat()})")
    if not_before is not None and value < not_before:
        raise InvalidInput(
            field, f"{value.isoformat()} is before {not_before_what} ({not_before.isoformat()})"
        )
