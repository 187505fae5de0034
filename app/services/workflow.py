"""What every record with states shares (objections, 拒执 referrals, petitions, disposal transfers,
dishonest listings; plan §5(3)–(8)): reading what the caller may see, locking a record for an
action, recording a change with its audit entry and the deadline events it brings, and paging a list.

A desk declares one :class:`Workflow` with its model, what each state admits, one :class:`Step` per
action (the policy action it needs, and on what relation), its visibility rule, its audited fields
and the filters its lists take; its service keeps only its own rules, each command written as what
it does to the record it is handed (:meth:`Workflow.command`). The routes require each step's
permission and the records' reads list the actions whose steps the caller passes, from the same
table, so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from datetime import date
from functools import wraps
from typing import Any
from typing import Generic
from typing import Protocol
from typing import TypeVar

from sqlalchemy import Select
from sqlalchemy import inspect
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from app.errors import Forbidden
from app.errors import InvalidInput
from app.errors import NotFound
from app.errors import PreconditionFailed
from app.errors import TransitionNotAllowed
from app.models.base import utcnow
from app.models.case import Case
from app.models.user import User
from app.policy import POLICY
from app.policy import Actor
from app.policy import CaseLike
from app.policy import actor_may
from app.policy import actor_may_on_case
from app.services import audit
from app.services import deadline_events
from app.services.paging import keyset_page
from app.settings import court_today


class VersionedRecord(Protocol):
    version: int


SelectT = TypeVar("SelectT", bound="Select[*tuple[Any, ...]]")  # any SELECT, its columns kept
R = TypeVar("R")  # a mapped class with ``id``, ``version``, ``case_id`` and ``updated_at``


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


def legal_date_or_today(
    field: str, value: date | None, *, not_before: date | None = None, not_before_what: str = ""
) -> date:
    """A legal date the client may leave out, today at the court when it does; checked as
    :func:`check_legal_date`."""
    value = value or court_today()
    check_legal_date(field, value, not_before=not_before, not_before_what=not_before_what)
    return value


class Decided(Protocol):
    decided_by_id: int | None
    decided_on: date | None
    decision_reason: str | None


def record_decision(
    record: Decided,
    *,
    user: User,
    decided_on: date | None,
    reason: str | None,
    requested_on: date | None,
    requested_what: str = "the request",
) -> date:
    """A leader's decision on what was asked of them: who decided, why, and on which day (today at the
    court when not given, not before the request); that day."""
    decided_on = legal_date_or_today(
        "decided_on", decided_on, not_before=requested_on, not_before_what=requested_what
    )
    record.decided_by_id, record.decided_on, record.decision_reason = user.id, decided_on, reason
    return decided_on


def fields_of(*names: str) -> Callable[[Any], dict[str, Any]]:
    """A record's audited fields by name, as they stand (a list copied: the record may change it)."""

    def snapshot(record: Any) -> dict[str, Any]:
        values = {name: getattr(record, name) for name in names}
        return {name: list(v) if isinstance(v, list) else v for name, v in values.items()}

    return snapshot


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


def _state(record: Any) -> str:
    state: str = record.state
    return state


def _state_and_version(record: Any) -> dict[str, Any]:
    return {"state": record.state, "version": record.version}


@dataclass(frozen=True, kw_only=True)
class Step(Generic[R]):
    """What one action asks of its caller besides a state that admits it.

    ``permission`` is the policy action (app.policy): the action's route requires it of the caller's
    unit and role, and its grants' relations (the handling team or judge) are checked on what ``on``
    gives, the record's case or the team a petition went to. ``blocked`` says why something besides
    the record's state refuses the action now (409), such as its case's state; ``refused`` says why
    the caller may not although the policy lets them (403). Both give ``None`` when nothing stands
    in the way.
    """

    permission: str
    on: Callable[[R], CaseLike] | None = None
    blocked: Callable[[R], str | None] | None = None
    refused: Callable[[User, R], str | None] | None = None


@dataclass(frozen=True, kw_only=True)
class Workflow(Generic[R]):
    """One kind of record that moves through states by named actions."""

    model: type[R]
    entity: str  # the audit trail's entity type and the deadline events' subject type, e.g. "objection"
    noun: str = ""  # how messages name it, e.g. "refusal-to-execute referral"; by default its entity's words
    state_of: Callable[[R], str] = _state  # by default its ``state`` column
    state_actions: Mapping[Any, Sequence[str]] = field(default_factory=dict)  # what each state admits
    actions_of: Callable[[R], Sequence[str]] | None = None  # what it admits, when not its state alone decides
    steps: Mapping[str, Step[R]]  # what each action asks of its caller
    snapshot: Callable[[R], dict[str, Any]] = _state_and_version  # the audited fields
    visible: Callable[[Select[Any], User], Select[Any]] = _everything  # who may see which records
    children: tuple[Any, ...] = field(default=())  # relationships read with the record
    label_of: Callable[[R], str] | None = None
    case: Any = None  # the relationship to the record's case, read with it, when a step looks at the case
    locks_case: bool = False  # actions change the case too: lock it first, as every case command does
    action_prefix: str = ""  # the audit trail's action prefix, when it is not ``entity``
    clock_params: Callable[[R], dict[str, Any]] | None = None  # what every deadline event of a record says
    clocks_on_case: bool = True  # its deadline events belong to its case (not so: the office's own clocks)
    filters: Mapping[str, Any] = field(default_factory=dict)  # a list's filters: the column of each name
    id_name: str = ""  # how its commands name the record's id, e.g. "referral_id"; by default ``<entity>_id``
    withdrawn: Any = None  # the state an undecided request lapses to when its case closes or changes hands

    def __post_init__(self) -> None:
        if not self.noun:
            object.__setattr__(self, "noun", self.entity.replace("_", " "))
        if not self.id_name:
            object.__setattr__(self, "id_name", f"{self.entity}_id")
        if self.actions_of is None and not self.state_actions:
            raise ValueError(f"{self.entity}: give state_actions, or actions_of")
        for action, step in self.steps.items():
            grants = POLICY.get(step.permission)
            if grants is None:
                raise ValueError(f"{self.entity} {action}: no policy action {step.permission!r}")
            if step.on is None and any(grant.relation for grant in grants):
                raise ValueError(f"{self.entity} {action}: {step.permission} has relations; give `on`")

    @property
    def _key(self) -> Any:
        return inspect(self.model).primary_key[0]

    def label(self, record: R) -> str:
        return self.label_of(record) if self.label_of else f"{self.noun} {_fields(record).id}"

    def _with_children(self, stmt: Select[Any]) -> Select[Any]:
        return stmt.options(*(selectinload(child) for child in self._read_with))

    @property
    def _read_with(self) -> tuple[Any, ...]:
        return (*self.children, self.case) if self.case is not None else self.children

    def reload(self, session: Session, record_id: int) -> R:
        """The record as stored now, with its children."""
        stmt = self._with_children(select(self.model).where(self._key == record_id))
        record: R = session.execute(stmt.execution_options(populate_existing=True)).scalar_one()
        return record

    def find(self, session: Session, *, user: User, record_id: int, for_update: bool = False) -> R:
        """The record (with its case, when its steps look at it), or 404 when it does not exist or the
        caller may not see it. Locked, it is read afresh."""
        stmt = self.visible(select(self.model).where(self._key == record_id), user)
        if self.case is not None:
            stmt = stmt.options(selectinload(self.case))
        if for_update:
            stmt = stmt.with_for_update(of=self.model).execution_options(populate_existing=True)
        record: R | None = session.execute(stmt).scalar_one_or_none()
        if record is None:
            raise NotFound(f"{self.noun} {record_id} not found")
        return record

    def get(self, session: Session, *, user: User, record_id: int) -> R:
        """The record with its children, or 404."""
        self.find(session, user=user, record_id=record_id)
        return self.reload(session, record_id)

    def read(self, session: Session, *, user: User, **ids: int) -> R:
        """:meth:`get` of the record named by a route's one row id (``objection_id=…``)."""
        (record_id,) = ids.values()
        return self.get(session, user=user, record_id=record_id)

    def permission(self, action: str) -> str:
        """The policy action (app.policy) that ``action``'s route requires."""
        return self.steps[action].permission

    def _actions(self, record: R) -> Sequence[str]:
        """What the record's state admits."""
        if self.actions_of is not None:
            return self.actions_of(record)
        return self.state_actions[self.state_of(record)]

    def _refusal(self, user: User, record: R, action: str) -> str | None:
        """Why the caller may not perform ``action`` on the record (403), or None."""
        step = self.steps[action]
        if not actor_may(user, step.permission):
            return f"your unit and role may not perform {action} on {self.label(record)}"
        if step.on is not None and not actor_may_on_case(user, step.permission, step.on(record)):
            return f"you may not perform {action} on {self.label(record)}: you do not handle it"
        return step.refused(user, record) if step.refused is not None else None

    def _obstacle(self, record: R, action: str) -> str | None:
        """Why the state does not admit ``action`` now (409), or None."""
        if action not in self._actions(record):
            return f"{self.label(record)} is {self.state_of(record)}"
        step = self.steps[action]
        return step.blocked(record) if step.blocked is not None else None

    def allowed_actions(self, user: User, record: R) -> list[str]:
        """What this caller may do to the record now: the actions its state admits, nothing else
        blocks, and the policy, its relations and the desk's own rules let the caller perform."""
        return [
            action
            for action in self._actions(record)
            if self._obstacle(record, action) is None and self._refusal(user, record, action) is None
        ]

    def check_action(self, record: R, *, user: User, action: str, expected_version: int | None) -> None:
        """403 when the caller may not, 412 on a stale version, then 409 naming what the caller may do
        when the state refuses ``action``: a refusal reveals nothing of the state."""
        refusal = self._refusal(user, record, action)
        if refusal is not None:
            raise Forbidden(refusal)
        label = self.label(record)
        check_version(_fields(record), expected_version, label=label)
        obstacle = self._obstacle(record, action)
        if obstacle is not None:
            raise TransitionNotAllowed(
                f"{obstacle}; {action} is not allowed",
                allowed_actions=self.allowed_actions(user, record),
                state=self.state_of(record),
            )

    def for_action(
        self, session: Session, user: User, record_id: int, action: str, expected_version: int | None
    ) -> R:
        """Load and lock the record for ``action``: 404 unseen, then :meth:`check_action`'s 403, 412
        and 409. When its actions change its case too, the case is locked first (case before record,
        always, as every case command locks it) and both are read afresh under the lock."""
        if self.locks_case:
            case_id = _fields(self.find(session, user=user, record_id=record_id)).case_id
            lock = select(Case).where(Case.id == case_id).with_for_update()
            session.execute(lock.execution_options(populate_existing=True))
        record = self.find(session, user=user, record_id=record_id, for_update=True)
        self.check_action(record, user=user, action=action, expected_version=expected_version)
        return record

    def begin(
        self, session: Session, user: User, record_id: int, action: str, expected_version: int | None
    ) -> Change[R]:
        """:meth:`for_action`, and the record's audited fields as they stand before the action."""
        record = self.for_action(session, user, record_id, action, expected_version)
        return Change(self, session, user, record, before=self.snapshot(record))

    def command(self, action: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
        """A command's service from what it does to the record: ``do(change, **body)`` is called as
        ``service(session, user=…, <id_name>=…, expected_version=…, **body)`` with the :class:`Change`
        that :meth:`begin` opens for ``action``."""

        if action not in self.steps:
            raise ValueError(f"{self.entity}: no step for the command {action!r}")

        def command_of(do: Callable[..., R]) -> Callable[..., R]:
            @wraps(do)
            def service(
                session: Session, *, user: User, expected_version: int | None = None, **arguments: Any
            ) -> R:
                record_id = arguments.pop(self.id_name)
                return do(self.begin(session, user, record_id, action, expected_version), **arguments)

            return service

        return command_of

    def created(
        self,
        session: Session,
        *,
        user: User,
        record: R,
        action: str,
        fields: Sequence[str] = (),
        reason: str | None = None,
        **after: Any,
    ) -> R:
        """Store a new record with its audit entry, which says its audited fields, then ``fields`` of it
        as stored, then ``after``; returns it with its children."""
        session.add(record)
        session.flush()
        after = {**fields_of(*fields)(record), **after}
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
        after = {**self.snapshot(record), **after}
        self.audit(
            session, user=user, record=record, action=action, before=before, after=after, reason=reason
        )

    def audit(
        self,
        session: Session,
        *,
        user: Actor | None,
        record: R,
        action: str,
        after: dict[str, Any],
        before: dict[str, Any] | None = None,
        reason: str | None = None,
    ) -> None:
        """An audit entry of the record in the desk's own words: ``after`` as given, no snapshot."""
        audit.record(
            session,
            actor=user,
            action=f"{self.action_prefix or self.entity}.{action}",
            entity_type=self.entity,
            entity_id=_fields(record).id,
            case_id=_fields(record).case_id,
            before=before,
            after=after,
            reason=reason,
        )

    def withdraw(self, session: Session, *, user: User, record: R, reason: str) -> None:
        """A request left undecided lapses (its case closed or changed hands): its ``state`` becomes the
        declared ``withdrawn`` one, audited as ``withdraw`` from the state it was in."""
        before = {"state": self.state_of(record)}
        _fields(record).state = self.withdrawn
        self.audit(
            session,
            user=user,
            record=record,
            action="withdraw",
            before=before,
            after={"state": self.withdrawn},
            reason=reason,
        )

    def clock(
        self,
        session: Session,
        record: R,
        event: str,
        *,
        on: date,
        actor: Actor | None = None,
        **params: Any,
    ) -> None:
        """Apply a deadline event of the record (app.rules.deadline_rules) to the clocks it starts,
        meets, pauses or resumes."""
        if self.clock_params is not None:
            params = {**self.clock_params(record), **params}
        deadline_events.record_event(
            session,
            event=event,
            on=on,
            case_id=_fields(record).case_id if self.clocks_on_case else None,
            subject_type=self.entity,
            subject_id=_fields(record).id,
            params=params or None,
            actor=actor,
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

    def where(self, **given: Any) -> dict[Any, Any]:
        """The columns of the declared ``filters`` named in ``given``, each with its value."""
        unknown = given.keys() - self.filters.keys()
        if unknown:
            raise TypeError(f"{self.entity}: no filter {', '.join(sorted(unknown))}")
        return {column: given.get(name) for name, column in self.filters.items() if name in given}

    def records(
        self, session: Session, *, user: User, limit: int, cursor: str | None, **given: Any
    ) -> tuple[list[R], str | None]:
        """:meth:`page` filtered by the declared ``filters`` given by name (``state=…``)."""
        return self.page(session, user=user, where=self.where(**given), limit=limit, cursor=cursor)


@dataclass
class Change(Generic[R]):
    """An action under way on one locked record (:meth:`Workflow.begin`): the desk changes ``record``,
    then :meth:`save` stores it with its audit entry against the fields as they were before."""

    workflow: Workflow[R]
    session: Session
    user: User
    record: R
    before: dict[str, Any]

    def save(self, action: str, *, reason: str | None = None, **after: Any) -> R:
        """:meth:`Workflow.changed`: the change stored, audited as ``action``; the record read afresh."""
        return self.workflow.changed(
            self.session,
            user=self.user,
            record=self.record,
            action=action,
            before=self.before,
            reason=reason,
            **after,
        )

    def clock(self, event: str, *, on: date) -> None:
        """:meth:`Workflow.clock` for the record."""
        self.workflow.clock(self.session, self.record, event, on=on)
