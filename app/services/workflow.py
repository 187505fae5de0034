"""What every record with states shares (objections, 拒执 referrals, petitions, disposal transfers,
dishonest listings; plan §5(3)–(8)): reading what the caller may see, locking a record for an
action, recording a change with its audit entry, and paging a list.

A desk declares one :class:`Workflow` with its model, its table of allowed actions and its
visibility rule; its service keeps only its own rules.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import Select, inspect, select
from sqlalchemy.orm import Session, selectinload

from app.errors import InvalidInput, NotFound, PreconditionFailed, TransitionNotAllowed
from app.models.base import utcnow
from app.models.user import User
from app.services import audit
from app.services.paging import keyset_page
from app.settings import court_today


class VersionedRecord(Protocol):
    version: int


SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")  # any SELECT, its columns kept
R = TypeVar("R")  # a mapped class with ``id``, ``version``, ``case_id`` and ``updated_at``


def require_action(*, label: str, state: str, action: str, allowed: Sequence[str]) -> None:
    """409 naming the allowed actions when ``action`` is not one of them (API.md command endpoints)."""
    if action not in allowed:
        raise TransitionNotAllowed(
            f"{label} is {state}; {action} is not allowed", allowed_actions=list(allowed), state=state
        )


def check_version(record: VersionedRecord, expected_version: int | None, *, label: str) -> None:
    """A change based on a stale version → 412 (API.md conventions); ``None`` means unconditional."""
    if expected_version is not None and expected_version != record.version:
        raise PreconditionFailed(
            f"{label} is at version {record.version}, not {expected_version}", current_version=record.version
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


def where_given(stmt: SelectT, where: Mapping[Any, Any]) -> SelectT:
    """``stmt`` filtered by each column in ``where`` whose value is given (a list's optional filters)."""
    for column, value in where.items():
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def _fields(record: object) -> Any:
    """A record's columns that every workflow reads (``id``, ``version``, ``case_id``, ``updated_at``)."""
    return record


def _everything(stmt: Select[Any], user: User) -> Select[Any]:
    return stmt


@dataclass(frozen=True, kw_only=True)
class Workflow(Generic[R]):
    """One kind of record that moves through states by named actions."""

    model: type[R]
    entity: str  # the audit trail's entity type and action prefix, e.g. "objection"
    noun: str  # how messages name it, e.g. "refusal-to-execute referral"
    state_of: Callable[[R], str]
    actions_of: Callable[[R], Sequence[str]]  # what the record's state admits
    snapshot: Callable[[R], dict[str, Any]]  # the audited fields
    visible: Callable[[Select[Any], User], Select[Any]] = _everything  # who may see which records
    children: tuple[Any, ...] = field(default=())  # relationships read with the record
    label_of: Callable[[R], str] | None = None

    @property
    def _key(self) -> Any:
        return inspect(self.model).primary_key[0]

    def label(self, record: R) -> str:
        return self.label_of(record) if self.label_of else f"{self.noun} {_fields(record).id}"

    def _with_children(self, stmt: Select[Any]) -> Select[Any]:
        return stmt.options(*(selectinload(child) for child in self.children))

    def reload(self, session: Session, record_id: int) -> R:
        """The record as stored now, with its children."""
        stmt = self._with_children(select(self.model).where(self._key == record_id))
        record: R = session.execute(stmt.execution_options(populate_existing=True)).scalar_one()
        return record

    def find(self, session: Session, *, user: User, record_id: int, for_update: bool = False) -> R:
        """The record, or 404 when it does not exist or the caller may not see it."""
        stmt = self.visible(select(self.model).where(self._key == record_id), user)
        if for_update:
            stmt = stmt.with_for_update(of=self.model)
        record: R | None = session.execute(stmt).scalar_one_or_none()
        if record is None:
            raise NotFound(f"{self.noun} {record_id} not found")
        return record

    def get(self, session: Session, *, user: User, record_id: int) -> R:
        """The record with its children, or 404."""
        self.find(session, user=user, record_id=record_id)
        return self.reload(session, record_id)

    def check_action(self, record: R, *, action: str, expected_version: int | None) -> None:
        """412 on a stale version, then 409 naming the allowed actions when the state refuses ``action``."""
        label = self.label(record)
        check_version(_fields(record), expected_version, label=label)
        require_action(
            label=label, state=self.state_of(record), action=action, allowed=self.actions_of(record)
        )

    def for_action(
        self,
        session: Session,
        user: User,
        record_id: int,
        action: str,
        expected_version: int | None,
        *,
        authorize: Callable[[R], None] | None = None,
    ) -> R:
        """Load and lock the record for ``action``: 404 unseen, ``authorize``'s 403, 412 stale, 409 state —
        in that order, so a refusal reveals nothing of the state."""
        record = self.find(session, user=user, record_id=record_id, for_update=True)
        if authorize is not None:
            authorize(record)
        self.check_action(record, action=action, expected_version=expected_version)
        return record

    def created(
        self, session: Session, *, user: User, record: R, action: str, reason: str | None = None, **after: Any
    ) -> R:
        """Store a new record with its audit entry; returns it with its children."""
        session.add(record)
        session.flush()
        self._audit(session, user=user, record=record, action=action, before=None, reason=reason, after=after)
        return self.reload(session, _fields(record).id)

    def changed(
        self,
        session: Session,
        *,
        user: User,
        record: R,
        action: str,
        before: dict[str, Any],
        reason: str | None = None,
        **after: Any,
    ) -> R:
        """Store a change (a new version even when only its children changed) with its audit entry."""
        _fields(record).updated_at = utcnow()
        session.flush()
        self._audit(
            session, user=user, record=record, action=action, before=before, reason=reason, after=after
        )
        return self.reload(session, _fields(record).id)

    def _audit(
        self,
        session: Session,
        *,
        user: User,
        record: R,
        action: str,
        before: dict[str, Any] | None,
        reason: str | None,
        after: dict[str, Any],
    ) -> None:
        audit.record(
            session,
            actor=user,
            action=f"{self.entity}.{action}",
            entity_type=self.entity,
            entity_id=_fields(record).id,
            case_id=_fields(record).case_id,
            before=before,
            after={**self.snapshot(record), **after},
            reason=reason,
        )

    def page(
        self,
        session: Session,
        *,
        user: User,
        where: Mapping[Any, Any],
        limit: int,
        cursor: str | None,
    ) -> tuple[list[R], str | None]:
        """A page of the records the caller may see, newest first, filtered by each column in ``where``
        whose value is given; and the next page's cursor."""
        stmt = where_given(self._with_children(self.visible(select(self.model), user)), where)
        return keyset_page(session, stmt, self._key, cursor=cursor, limit=limit)
