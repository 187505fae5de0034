"""The legal deadline clocks D1–D17 of a case or matter (docs/rules.md#deadlines): recomputed from its events.

A case's clocks are derived from all of its recorded events (app.services.deadline_events) and the
working calendar by the clock configuration (app.rules.deadline_rules); deadline rows hold the
result for the board's indexes. A change of a case's unit or handler is copied onto its deadlines
by :func:`sync_case_assignment`, which :func:`follow_case_assignment` runs whenever a flushed
``Case`` has a new ``unit_code`` or ``handler_id``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from datetime import date
from types import SimpleNamespace
from typing import Any
from typing import cast

from sqlalchemy import Row
from sqlalchemy import Table
from sqlalchemy import insert
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import attributes

from app.database import insert_returning
from app.database import run
from app.enums import DeadlineStatus
from app.models.case import Case
from app.models.deadline import Deadline
from app.models.deadline import DeadlineEvent
from app.policy import Actor
from app.rules.deadline_rules import BOARD_RULES
from app.rules.deadline_rules import CASE_FILED
from app.rules.deadline_rules import RULES_BY_ID
from app.rules.deadline_rules import ClockComputation
from app.rules.deadline_rules import ClockEvent
from app.rules.deadline_rules import derive_clocks
from app.rules.deadline_rules import settled_status
from app.rules.periods import WorkingCalendar
from app.services import audit
from app.services.working_calendar import working_calendar
from app.settings import court_today
from app.settings import get_settings

CLOCK_FIELDS = (
    "due_on",
    "status",
    "provisional",
    "met_on",
    "met_late",
    "paused_since",
    "paused_days",
    "extension_months",
)
# The columns a clock is shown from (:func:`deadline_view`).
VIEW_COLUMNS = ("id", "rule", "case_id", "subject_type", "subject_id", "started_on", *CLOCK_FIELDS)
_RECOMPUTE_BATCH = 200


def clock_event(row: DeadlineEvent) -> ClockEvent:
    """A recorded event as the clock rules read it."""
    return ClockEvent(
        id=row.id,
        name=row.event,
        on=row.occurred_on,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        params=row.params or {},
    )


def case_events(session: Session, case_ids: Sequence[int]) -> list[DeadlineEvent]:
    """Every event of the cases, in the order the rules apply them."""
    return list(
        session.scalars(
            select(DeadlineEvent)
            .where(DeadlineEvent.case_id.in_(case_ids))
            .order_by(DeadlineEvent.occurred_on, DeadlineEvent.id)
        )
    )


# Recomputing clocks -------------------------------------------------------------------------------


def recompute_cases(
    session: Session, *, cases: Sequence[Case], calendar: WorkingCalendar, actor: Actor | None, today: date
) -> int:
    """Recompute every clock of the (locked) cases; returns how many deadline rows changed."""
    ids = [case.id for case in cases]
    events: dict[int, list[ClockEvent]] = defaultdict(list)
    for row in case_events(session, ids):
        events[row.case_id].append(clock_event(row))  # type: ignore[index]
    rows: dict[int, list[Deadline]] = defaultdict(list)
    for deadline in session.scalars(select(Deadline).where(Deadline.case_id.in_(ids)).with_for_update()):
        rows[deadline.case_id].append(deadline)  # type: ignore[index]
    settings = get_settings()
    changed = 0
    for case in cases:
        computed = derive_clocks(events[case.id], category=case.category, cal=calendar, settings=settings)
        changed += _store(session, computed, rows[case.id], case=case, actor=actor, today=today)
    return changed


def recompute_subject(
    session: Session,
    *,
    subject: tuple[str, int | None],
    calendar: WorkingCalendar,
    actor: Actor | None,
    today: date,
) -> int:
    """Recompute the clocks of a matter that belongs to no case (e.g. a petition without one)."""
    subject_type, subject_id = subject
    events = [
        clock_event(row)
        for row in session.scalars(
            select(DeadlineEvent).where(
                DeadlineEvent.case_id.is_(None),
                DeadlineEvent.subject_type == subject_type,
                DeadlineEvent.subject_id == subject_id,
            )
        )
    ]
    rows = list(
        session.scalars(
            select(Deadline)
            .where(
                Deadline.case_id.is_(None),
                Deadline.subject_type == subject_type,
                Deadline.subject_id == subject_id,
            )
            .with_for_update()
        )
    )
    computed = derive_clocks(events, category=None, cal=calendar, settings=get_settings())
    return _store(session, computed, rows, case=None, actor=actor, today=today)


def _stored_values(
    clock: ClockComputation, *, previous: str | None, case: Case | Row[Any] | None, today: date
) -> dict[str, Any]:
    """The deadline row's columns for a computed clock (and the case's assignment it is listed under)."""
    status, met_on = settled_status(clock, previous=previous, today=today)
    values = {
        "start_event_id": clock.start_event_id,
        "started_on": clock.started_on,
        "due_on": clock.due_on,
        "status": status.value,
        "provisional": clock.provisional,
        "met_on": met_on,
        "met_late": clock.met_late,
        "paused_since": clock.paused_since,
        "paused_days": clock.paused_days,
        "extension_months": clock.extension_months,
    }
    if case is not None:
        values |= {
            "unit_code": case.unit_code,
            "handler_id": case.handler_id,
            "case_number": case.case_number,
        }
    return values


def _identity(clock: ClockComputation, case: Case | Row[Any] | None) -> dict[str, Any]:
    """What makes a deadline row the row of this clock."""
    return {
        "rule": clock.rule,
        "case_id": case.id if case else None,
        "seq": clock.seq,
        "subject_type": clock.subject_type,
        "subject_id": clock.subject_id,
    }


def _store(
    session: Session,
    computed: Iterable[ClockComputation],
    existing: Sequence[Deadline],
    *,
    case: Case | None,
    actor: Actor | None,
    today: date,
) -> int:
    by_key = {(d.rule, d.subject_type, d.subject_id, d.seq): d for d in existing}
    changed: list[tuple[Deadline, dict[str, Any] | None]] = []
    for clock in computed:
        row = by_key.get((clock.rule, clock.subject_type, clock.subject_id, clock.seq))
        values = _stored_values(
            clock, previous=row.status if row is not None else None, case=case, today=today
        )
        if row is None:
            row = Deadline(**_identity(clock, case), **values)
            session.add(row)
            changed.append((row, None))
            continue
        before = clock_state(row)
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
        if clock_state(row) != before:
            if values["status"] != DeadlineStatus.breached:
                row.breached_at = None
            changed.append((row, before))
    if changed:
        session.flush()
    for changed_row, state_before in changed:
        _audit_clock(session, changed_row, before=state_before, actor=actor)
    return len(changed)


def _audit_clock(
    session: Session, row: Deadline | Row[Any], *, before: dict[str, Any] | None, actor: Actor | None
) -> None:
    action = "deadline.start" if before is None else "deadline.recompute"
    audit_clock(session, actor, row, action, before=before, after={"rule": row.rule, **clock_state(row)})


def audit_clock(
    session: Session,
    actor: Actor | None,
    row: Deadline | Row[*tuple[Any, ...]],
    action: str,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any],
    reason: str | None = None,
) -> None:
    """The audit entry of a clock: ``row`` is the clock, or a row of a bulk UPDATE's RETURNING with
    its ``id`` and ``case_id``."""
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type=Deadline.__tablename__,
        entity_id=row.id,
        case_id=row.case_id,
        before=before,
        after=after,
        reason=reason,
    )


_EVENTS = cast(Table, DeadlineEvent.__table__)
# A filing's events are read back for their ids alone (each clock names the event that started it).
_INSERT_EVENT_IDS = insert(_EVENTS).returning(_EVENTS.c.id, sort_by_parameter_order=True)


def start_new_case_clocks(
    session: Session, *, cases: Sequence[Case | Row[Any]], actor: Actor
) -> dict[int, list[Row[Any]]]:
    """``case.filed`` for cases inserted in this transaction: the clocks each starts (D1–D4) follow
    from that one event, so nothing is reloaded or locked. Same result as :func:`record_event`.

    One INSERT of the events and one of the clocks for all the cases; each clock's audit entry
    follows its case's order. Returns each case's clock rows by case id.
    """
    if not cases:
        return {}
    events = run(
        session,
        _INSERT_EVENT_IDS,
        [
            {
                "case_id": case.id,
                "event": CASE_FILED,
                "occurred_on": case.filed_on,
                "subject_type": "case",
                "subject_id": case.id,
                "params": {},
                "recorded_by_id": actor.id,
            }
            for case in cases
        ],
    ).all()
    calendar, settings, today = working_calendar(session), get_settings(), court_today()
    # The filing alone decides the clocks: cases of one category filed on one day start the same
    # clocks, computed once (for a stand-in event) and given each case's own ids.
    by_filing: dict[tuple[str, date], list[ClockComputation]] = {}
    rows = []
    for case, event in zip(cases, events, strict=True):
        computed = by_filing.get((case.category, case.filed_on))
        if computed is None:
            filed = ClockEvent(id=0, name=CASE_FILED, on=case.filed_on, subject_type="case", subject_id=0)
            computed = derive_clocks([filed], category=case.category, cal=calendar, settings=settings)
            by_filing[case.category, case.filed_on] = computed
        for stand_in in computed:
            clock = replace(stand_in, subject_id=case.id, start_event_id=event.id)
            rows.append(_identity(clock, case) | _stored_values(clock, previous=None, case=case, today=today))
    started: dict[int, list[Row[Any]]] = {case.id: [] for case in cases}
    if rows:
        for row in run(session, insert_returning(Deadline.__table__), rows):
            _audit_clock(session, row, before=None, actor=actor)
            started[row.case_id].append(row)
    return started


def new_clock_views(rows: Sequence[Row[Any]]) -> list[DeadlineView]:
    """The clocks a case just started, as shown with it: earliest due first."""
    today = court_today()
    return sorted((deadline_view(row, today) for row in rows), key=lambda d: (d.due_on, d.id))


def clock_state(row: Deadline | Row[Any]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in CLOCK_FIELDS}


def recompute_for_year(session: Session, *, year: int, calendar: WorkingCalendar, actor: Actor | None) -> int:
    """Recompute every clock that counts days in ``year`` (after the court loads or changes that year)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    touching = select(Deadline.case_id, Deadline.subject_type, Deadline.subject_id).where(
        Deadline.started_on <= last, or_(Deadline.due_on >= first, Deadline.status == DeadlineStatus.paused)
    )
    groups = session.execute(touching).all()
    _recompute_groups(session, groups, calendar=calendar, actor=actor)
    return len(groups)


def recompute_provisional(session: Session, *, calendar: WorkingCalendar, actor: Actor | None = None) -> int:
    """Recompute provisional clocks whose years are now all confirmed (e.g. after a library upgrade)."""
    rows = session.execute(
        select(
            Deadline.case_id, Deadline.subject_type, Deadline.subject_id, Deadline.started_on, Deadline.due_on
        ).where(Deadline.provisional.is_(True))
    ).all()
    ready = [
        r for r in rows if all(calendar.is_confirmed(y) for y in range(r.started_on.year, r.due_on.year + 1))
    ]
    _recompute_groups(session, ready, calendar=calendar, actor=actor)
    return len(ready)


def _recompute_groups(
    session: Session, groups: Sequence[Any], *, calendar: WorkingCalendar, actor: Actor | None
) -> None:
    """Recompute the cases (in batches, locked in id order) and case-less subjects the rows belong to."""
    today = court_today()
    case_ids = sorted({g.case_id for g in groups if g.case_id is not None})
    for start in range(0, len(case_ids), _RECOMPUTE_BATCH):
        batch = case_ids[start : start + _RECOMPUTE_BATCH]
        cases = session.scalars(select(Case).where(Case.id.in_(batch)).order_by(Case.id).with_for_update())
        recompute_cases(session, cases=list(cases), calendar=calendar, actor=actor, today=today)
    for subject in sorted({(g.subject_type, g.subject_id) for g in groups if g.case_id is None}):
        recompute_subject(session, subject=subject, calendar=calendar, actor=actor, today=today)


# Assignment copies --------------------------------------------------------------------------------


def sync_case_assignment(
    session: Session, *, case_id: int, unit_code: str | None, handler_id: int | None
) -> None:
    """Copy a case's (new) unit and handler onto its deadlines, which the board filters by."""
    session.execute(
        update(Deadline)
        .where(Deadline.case_id == case_id)
        .values(unit_code=unit_code, handler_id=handler_id)
        .execution_options(synchronize_session="fetch")
    )


def follow_case_assignment(session: Session, _context: object, _instances: object) -> None:
    """``before_flush`` listener (app.services.session_listeners): a flushed case with a new unit or
    handler has it copied onto its deadlines."""
    for obj in list(session.dirty):
        if not isinstance(obj, Case) or obj.id is None:
            continue
        state = attributes.instance_state(obj)
        if any(state.attrs[name].history.has_changes() for name in ("unit_code", "handler_id")):
            sync_case_assignment(session, case_id=obj.id, unit_code=obj.unit_code, handler_id=obj.handler_id)


# Reading ------------------------------------------------------------------------------------------


def _overdue(rule: str, status: str, due_on: date, today: date) -> bool:
    if status == DeadlineStatus.breached:
        return True
    return status == DeadlineStatus.open and rule in BOARD_RULES and due_on < today


def _timing(rule: str, status: str, due_on: date, today: date) -> dict[str, Any]:
    overdue = _overdue(rule, status, due_on, today)
    running = status == DeadlineStatus.open and due_on >= today
    return {
        "overdue": overdue,
        "days_overdue": (today - due_on).days if overdue else 0,
        "days_left": (due_on - today).days if running else None,
    }


@dataclass(frozen=True, slots=True)
class DeadlineView:
    """A clock as shown: its row, its rule's title and where it stands today."""

    id: int
    rule: str
    title: str
    case_id: int | None
    subject_type: str
    subject_id: int | None
    started_on: date
    due_on: date
    status: DeadlineStatus
    provisional: bool
    met_on: date | None
    met_late: bool
    paused_since: date | None
    paused_days: int
    extension_months: int
    overdue: bool
    days_overdue: int
    days_left: int | None


def deadline_view(row: Deadline | Row[Any] | SimpleNamespace, today: date) -> DeadlineView:
    return DeadlineView(
        id=row.id,
        rule=row.rule,
        title=RULES_BY_ID[row.rule].title,
        case_id=row.case_id,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        started_on=row.started_on,
        due_on=row.due_on,
        status=row.status,
        provisional=row.provisional,
        met_on=row.met_on,
        met_late=row.met_late,
        paused_since=row.paused_since,
        paused_days=row.paused_days,
        extension_months=row.extension_months,
        **_timing(row.rule, row.status, row.due_on, today),
    )


def list_for_case(session: Session, case_id: int) -> list[DeadlineView]:
    """The case's deadlines (rule, due_on, status, provisional), ordered by due date."""
    today = court_today()
    table = Deadline.__table__
    rows = session.execute(
        select(*table.c).where(table.c.case_id == case_id).order_by(table.c.due_on, table.c.id)
    )
    return [deadline_view(row, today) for row in rows]
