"""Legal deadline clocks D1–D13 (DOMAIN.md §4): started, met and paused by domain events.

Other services never touch deadline rows; they report what happened with :func:`record_event`
and the clock configuration (app.rules.deadline_rules) decides which clocks start, are met,
pause or resume. Every event is kept; a case's clocks are recomputed from all of its events and
the working calendar whenever one arrives, so a back-dated event or a calendar change gives the
right due dates without manual fixing. Deadline rows hold the result for the board's indexes.

Event names (``on`` is the legal date of the event):
    case.filed                       starts D1, D2, D3, D4
    case.registered                  meets D1
    measure.execution_notice         meets D2 (execution notice + property-report order sent)
    case.closed                      meets D3; ends D1, D2 and D4 if still running
    suspension.started / .ended      pause / resume the case's pausable clocks (D2, D3, D13)
                                     (params: kind = deferral | suspension | public_notice |
                                     appraisal_auction; optional subject_type "suspension" + id)
    extension.approved               moves D3 (params: months, rule)
    objection.received               starts D5 (kind enforcement_act) or D6 (kind outsider)
                                     (subject: the objection; params: kind)
    objection.ruled                  meets D5/D6
    objection.ruling_served          starts D7 (rulings on an enforcement act)
    objection.reconsideration_applied  meets D7, starts D8
    objection.transferred            meets D8
    petition.received                starts D9 (subject: the petition)
    petition.registered              meets D9, starts D10
    petition.closed                  meets D10
    dishonest.deletion_triggered     starts D11 (subject: the listing)
    dishonest.deleted                meets D11
    asset.controlled                 starts D12 (subject: the asset; params: kind)
    asset.renewed                    meets the asset's D12 and starts the next term (params: kind)
    asset.released                   meets D12
    disposal.approved                starts D13 (subject: the transfer)
    disposal.returned                meets D13

A change of a case's unit or handler is copied onto its deadlines by :func:`sync_case_assignment`,
which runs by itself whenever a flushed ``Case`` has a new ``unit_code`` or ``handler_id``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import structlog
from sqlalchemy import Row, and_, event, or_, select, union_all, update
from sqlalchemy.orm import Session, attributes

from app.database import insert_returning
from app.enums import DeadlineStatus, SuspensionKind
from app.errors import Conflict, Forbidden, InvalidInput, NotFound
from app.models.case import Case
from app.models.deadline import Deadline, DeadlineEvent
from app.models.user import User
from app.policy import ALL_UNITS, Actor, sees_all_cases
from app.rules.deadline_rules import (
    BOARD_RULES,
    CASE_FILED,
    EXTENSION_APPROVED,
    KNOWN_EVENTS,
    RULES_BY_ID,
    SUSPENSION_ENDED,
    SUSPENSION_STARTED,
    WINDOW_RULES,
    ClockComputation,
    ClockEvent,
    derive_clocks,
    matching_suspension,
    settled_status,
    warning_windows,
)
from app.rules.periods import WorkingCalendar
from app.schemas.deadline import DeadlineBoardItem, DeadlineBoardPage, DeadlineExtensionRead, DeadlineRead
from app.services import audit
from app.services import calendar as court_calendar
from app.services.case_access import load_case
from app.services.paging import Keyset
from app.settings import court_today, get_settings

log = structlog.get_logger("app.deadlines")

_CLOCK_FIELDS = (
    "due_on",
    "status",
    "provisional",
    "met_on",
    "met_late",
    "paused_since",
    "paused_days",
    "extension_months",
)
_RECOMPUTE_BATCH = 200


# Recording events ---------------------------------------------------------------------------------


def record_event(
    session: Session,
    *,
    event: str,
    on: date,
    case_id: int | None,
    subject_type: str = "case",
    subject_id: int | None = None,
    params: dict[str, Any] | None = None,
    actor: Actor | None = None,
) -> None:
    """Apply one domain event to the deadline clocks it starts, meets, pauses or resumes."""
    _record(
        session,
        event=event,
        on=on,
        case_id=case_id,
        subject_type=subject_type,
        subject_id=subject_id,
        params=params,
        actor=actor,
    )


def _record(
    session: Session,
    *,
    event: str,
    on: date,
    case_id: int | None,
    subject_type: str,
    subject_id: int | None,
    params: dict[str, Any] | None,
    actor: Actor | None,
) -> DeadlineEvent | None:
    if subject_type == "case":
        if case_id is None:
            raise ValueError(f"{event}: a case event needs case_id")
        subject_id = case_id
    elif subject_id is None:
        raise ValueError(f"{event}: subject {subject_type} needs subject_id")
    plain = json.loads(json.dumps(params or {}, default=str))
    case = None
    if case_id is not None:
        case = session.execute(select(Case).where(Case.id == case_id).with_for_update()).scalar_one_or_none()
        if case is None:
            raise NotFound(f"case {case_id} not found")
    if event not in KNOWN_EVENTS:
        log.warning("deadline_event_without_clock", deadline_event=event, case_id=case_id)
    if _already_recorded(
        session,
        event=event,
        on=on,
        case_id=case_id,
        subject_type=subject_type,
        subject_id=subject_id,
        params=plain,
    ):
        return None
    if event in (SUSPENSION_STARTED, SUSPENSION_ENDED):
        _check_suspension(
            session,
            event=event,
            on=on,
            case_id=case_id,
            subject_type=subject_type,
            subject_id=subject_id,
            params=plain,
        )
    row = DeadlineEvent(
        case_id=case_id,
        event=event,
        occurred_on=on,
        subject_type=subject_type,
        subject_id=subject_id,
        params=plain,
        recorded_by_id=getattr(actor, "id", None),
    )
    session.add(row)
    session.flush()
    if event in KNOWN_EVENTS:
        calendar = court_calendar.working_calendar(session)
        if case is not None:
            _recompute_cases(session, cases=[case], calendar=calendar, actor=actor, today=court_today())
        else:
            _recompute_subject(
                session,
                subject=(subject_type, subject_id),
                calendar=calendar,
                actor=actor,
                today=court_today(),
            )
    return row


def _already_recorded(
    session: Session,
    *,
    event: str,
    on: date,
    case_id: int | None,
    subject_type: str,
    subject_id: int | None,
    params: dict[str, Any],
) -> bool:
    """The same event reported twice (a retried request) changes nothing the second time."""
    same = session.scalars(
        select(DeadlineEvent).where(
            DeadlineEvent.event == event,
            DeadlineEvent.occurred_on == on,
            DeadlineEvent.case_id.is_(None) if case_id is None else DeadlineEvent.case_id == case_id,
            DeadlineEvent.subject_type == subject_type,
            DeadlineEvent.subject_id == subject_id,
        )
    )
    return any(row.params == params for row in same)


def _check_suspension(
    session: Session,
    *,
    event: str,
    on: date,
    case_id: int | None,
    subject_type: str,
    subject_id: int | None,
    params: dict[str, Any],
) -> None:
    kind = params.get("kind")
    if case_id is None:
        raise ValueError(f"{event}: a suspension belongs to a case")
    if event == SUSPENSION_STARTED or kind is not None:
        if kind not in set(SuspensionKind):
            raise InvalidInput("kind", f"must be one of {', '.join(SuspensionKind)}")
    if event == SUSPENSION_ENDED:
        events = [_clock_event(e) for e in _case_events(session, [case_id])]
        running: list[ClockEvent] = []
        for e in sorted(events, key=lambda e: (e.on, e.id)):
            if e.name == SUSPENSION_STARTED:
                running.append(e)
            elif e.name == SUSPENSION_ENDED:
                started = matching_suspension(running, e)
                if started is not None:
                    running.remove(started)
        ended = ClockEvent(
            id=0, name=event, on=on, subject_type=subject_type, subject_id=subject_id, params=params
        )
        if matching_suspension(running, ended) is None:
            what = f"{kind} suspension" if kind else "suspension"
            raise Conflict(f"case {case_id} has no {what} running on {on.isoformat()}")


def _clock_event(row: DeadlineEvent) -> ClockEvent:
    return ClockEvent(
        id=row.id,
        name=row.event,
        on=row.occurred_on,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        params=row.params or {},
    )


def _case_events(session: Session, case_ids: Sequence[int]) -> list[DeadlineEvent]:
    return list(
        session.scalars(
            select(DeadlineEvent)
            .where(DeadlineEvent.case_id.in_(case_ids))
            .order_by(DeadlineEvent.occurred_on, DeadlineEvent.id)
        )
    )


# Recomputing clocks -------------------------------------------------------------------------------


def _recompute_cases(
    session: Session, *, cases: Sequence[Case], calendar: WorkingCalendar, actor: Actor | None, today: date
) -> int:
    """Recompute every clock of the (locked) cases; returns how many deadline rows changed."""
    ids = [case.id for case in cases]
    events: dict[int, list[ClockEvent]] = defaultdict(list)
    for row in _case_events(session, ids):
        events[row.case_id].append(_clock_event(row))  # type: ignore[index]
    rows: dict[int, list[Deadline]] = defaultdict(list)
    for deadline in session.scalars(select(Deadline).where(Deadline.case_id.in_(ids)).with_for_update()):
        rows[deadline.case_id].append(deadline)  # type: ignore[index]
    settings = get_settings()
    changed = 0
    for case in cases:
        computed = derive_clocks(events[case.id], category=case.category, cal=calendar, settings=settings)
        changed += _store(session, computed, rows[case.id], case=case, actor=actor, today=today)
    return changed


def _recompute_subject(
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
        _clock_event(row)
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
    clock: ClockComputation, *, previous: str | None, case: Case | None, today: date
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


def _identity(clock: ClockComputation, case: Case | None) -> dict[str, Any]:
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
        before = _clock_state(row)
        for name, value in values.items():
            if getattr(row, name) != value:
                setattr(row, name, value)
        if _clock_state(row) != before:
            if values["status"] != DeadlineStatus.breached:
                row.breached_at = None
            changed.append((row, before))
    if changed:
        session.flush()
    for row, before in changed:
        _audit_clock(session, row, before=before, actor=actor)
    return len(changed)


def _audit_clock(
    session: Session, row: Deadline | Row[Any], *, before: dict[str, Any] | None, actor: Actor | None
) -> None:
    action = "deadline.start" if before is None else "deadline.recompute"
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="deadline",
        entity_id=row.id,
        case_id=row.case_id,
        before=before,
        after={"rule": row.rule, **_clock_state(row)},
    )


def start_new_case_clocks(session: Session, *, case: Case, actor: Actor) -> list[DeadlineRead]:
    """``case.filed`` for a case inserted in this transaction: the clocks it starts (D1–D4) follow
    from that one event, so nothing is reloaded or locked. Same result as :func:`record_event`."""
    event = (
        session.execute(
            insert_returning(DeadlineEvent.__table__),
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
            ],
        )
        .one()
        .id
    )
    filed = ClockEvent(id=event, name=CASE_FILED, on=case.filed_on, subject_type="case", subject_id=case.id)
    computed = derive_clocks(
        [filed], category=case.category, cal=court_calendar.working_calendar(session), settings=get_settings()
    )
    today = court_today()
    rows = [
        _identity(clock, case) | _stored_values(clock, previous=None, case=case, today=today)
        for clock in computed
    ]
    if not rows:
        return []
    started = session.execute(insert_returning(Deadline.__table__), rows).all()
    for row in started:
        _audit_clock(session, row, before=None, actor=actor)
    return sorted((deadline_read(row, today) for row in started), key=lambda d: (d.due_on, d.id))


def _clock_state(row: Deadline | Row[Any]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in _CLOCK_FIELDS}


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
        _recompute_cases(session, cases=list(cases), calendar=calendar, actor=actor, today=today)
    for subject in sorted({(g.subject_type, g.subject_id) for g in groups if g.case_id is None}):
        _recompute_subject(session, subject=subject, calendar=calendar, actor=actor, today=today)


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


@event.listens_for(Session, "before_flush")
def _follow_case_assignment(session: Session, _context: object, _instances: object) -> None:
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


def deadline_read(row: Deadline | Row[Any], today: date) -> DeadlineRead:
    return DeadlineRead(
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


def list_for_case(session: Session, case_id: int) -> list[DeadlineRead]:
    """The case's deadlines (rule, due_on, status, provisional), ordered by due date."""
    today = court_today()
    table = Deadline.__table__
    rows = session.execute(
        select(*table.c).where(table.c.case_id == case_id).order_by(table.c.due_on, table.c.id)
    )
    return [deadline_read(row, today) for row in rows]


# The early-warning board --------------------------------------------------------------------------

BOARD_STATUSES = ("overdue", "due_soon", *DeadlineStatus)
# Earliest due first; the cursor carries the last line's (due_on, id).
BOARD_KEYSET = Keyset((Deadline.due_on, Deadline.id), tag="d1")


@dataclass(frozen=True)
class BoardQuery:
    status: str
    unit: str | None
    rule: str | None
    after: tuple[Any, ...] | None
    limit: int
    today: date


def _branches(q: BoardQuery) -> list[list[Any]]:
    """One list of conditions per index range; each is read in (due_on, id) order."""
    settings = get_settings()
    if q.status == "overdue":
        # Overdue = breached, or still open past the due date before the sweep has marked it.
        return [
            [Deadline.status == DeadlineStatus.breached],
            [
                Deadline.status == DeadlineStatus.open,
                Deadline.due_on < q.today,
                Deadline.rule.not_in(sorted(WINDOW_RULES)),
            ],
        ]
    if q.status == "due_soon":
        windows = warning_windows(settings)
        within = [
            and_(Deadline.rule.in_(sorted(rules)), Deadline.due_on <= q.today + timedelta(days=days))
            for days, rules in windows.items()
        ]
        return [
            [
                Deadline.status == DeadlineStatus.open,
                Deadline.due_on >= q.today,
                Deadline.due_on <= q.today + timedelta(days=max(windows)),
                or_(*within),
            ]
        ]
    return [[Deadline.status == q.status]]


def _branch_select(conditions: list[Any], q: BoardQuery) -> Any:
    where = list(conditions)
    if q.unit is not None:
        where.append(Deadline.unit_code == q.unit)
    if q.rule is not None:
        where.append(Deadline.rule == q.rule)
    if q.after is not None:
        where.append(BOARD_KEYSET.after(q.after))
    return (
        select(Deadline.id.label("id"), Deadline.due_on.label("due_on"))
        .where(*where)
        .order_by(*BOARD_KEYSET.order_by)
        .limit(q.limit + 1)
    )


def deadline_board(
    session: Session,
    *,
    user: User,
    status: str = "overdue",
    unit: str | None = None,
    rule: str | None = None,
    cursor: str | None = None,
    limit: int = 50,
    today: date | None = None,
) -> DeadlineBoardPage:
    """The early-warning board (期限预警): clocks by status, earliest due first; brigades see their own."""
    if status not in BOARD_STATUSES:
        raise InvalidInput("status", f"must be one of {', '.join(BOARD_STATUSES)}")
    if unit is not None and unit not in ALL_UNITS:
        raise InvalidInput("unit", f"unknown unit {unit!r}")
    if rule is not None and rule not in RULES_BY_ID:
        raise InvalidInput("rule", f"unknown rule {rule!r}; one of D1 … D{len(RULES_BY_ID)}")
    # DOMAIN.md §1: a brigade sees its own cases' clocks only.
    if not sees_all_cases(user):
        if unit is not None and unit != user.unit_code:
            raise Forbidden(f"{user.unit_code} may see its own deadlines only")
        unit = user.unit_code
    q = BoardQuery(
        status=status,
        unit=unit,
        rule=rule,
        after=BOARD_KEYSET.decode(cursor),
        limit=limit,
        today=today or court_today(),
    )
    branches = [_branch_select(conditions, q).subquery() for conditions in _branches(q)]
    if len(branches) == 1:
        page_ids = branches[0]
    else:
        page_ids = union_all(*(select(b.c.id, b.c.due_on) for b in branches)).subquery()
    rows = session.execute(
        select(Deadline, User.full_name)
        .join(page_ids, page_ids.c.id == Deadline.id)
        .outerjoin(User, User.id == Deadline.handler_id)
        .order_by(*BOARD_KEYSET.order_by)
        .limit(q.limit + 1)
    ).all()
    items = [_board_item(row, handler_name, q.today) for row, handler_name in rows[: q.limit]]
    next_cursor = BOARD_KEYSET.cursor_of(rows[q.limit - 1][0]) if len(rows) > q.limit else None
    return DeadlineBoardPage(items=items, next_cursor=next_cursor)


def _board_item(row: Deadline, handler_name: str | None, today: date) -> DeadlineBoardItem:
    return DeadlineBoardItem(
        id=row.id,
        rule=row.rule,
        title=RULES_BY_ID[row.rule].title,
        case_id=row.case_id,
        case_number=row.case_number,
        unit=row.unit_code,
        handler_id=row.handler_id,
        handler_name=handler_name,
        subject_type=row.subject_type,
        subject_id=row.subject_id,
        started_on=row.started_on,
        due_on=row.due_on,
        status=row.status,
        provisional=row.provisional,
        **_timing(row.rule, row.status, row.due_on, today),
    )


# Extensions ---------------------------------------------------------------------------------------

EXTENDABLE_RULES = frozenset({"D3"})  # SPC time-limit rules: only the enforcement period is extended


def approve_extension(
    session: Session,
    *,
    case_id: int,
    user: User,
    rule: str,
    requested_on: date,
    reason: str,
    months: int | None = None,
) -> DeadlineExtensionRead:
    """Record the director's approval of an extension of the enforcement period (D3) and apply it."""
    settings = get_settings()
    case = load_case(session, case_id, user, for_update=True)
    if rule not in EXTENDABLE_RULES:
        raise InvalidInput("rule", f"only {', '.join(sorted(EXTENDABLE_RULES))} can be extended")
    # SPC time-limit rules: the extension is of a fixed length (3 months by default).
    if months is not None and months != settings.d3_extension_months:
        raise InvalidInput("months", f"an extension is {settings.d3_extension_months} months")
    reason = reason.strip()
    if not reason:
        raise InvalidInput("reason", "must not be blank")
    today = court_today()
    if requested_on > today:
        raise InvalidInput("requested_on", f"{requested_on.isoformat()} is after today ({today.isoformat()})")
    clock = session.execute(
        select(Deadline)
        .where(
            Deadline.case_id == case.id,
            Deadline.rule == rule,
            Deadline.subject_type == "case",
        )
        .order_by(Deadline.seq.desc())
        .limit(1)
        .with_for_update()
    ).scalar_one_or_none()
    if clock is None:
        raise Conflict(f"case {case.case_number} has no {rule} clock running (no filing recorded)")
    if requested_on < clock.started_on:
        raise InvalidInput(
            "requested_on",
            f"{requested_on.isoformat()} is before the clock started ({clock.started_on.isoformat()})",
        )
    if clock.status == DeadlineStatus.met:
        raise Conflict(
            f"{rule} of case {case.case_number} is already met ({clock.met_on})", clock_status=clock.status
        )
    extensions = session.scalars(
        select(DeadlineEvent).where(
            DeadlineEvent.case_id == case.id, DeadlineEvent.event == EXTENSION_APPROVED
        )
    ).all()
    if len([e for e in extensions if e.params.get("rule", "D3") == rule]) >= settings.d3_max_extensions:
        raise Conflict(f"{rule} of case {case.case_number} has already been extended")
    # SPC time-limit rules: the extension must be requested at least 5 days before the period expires.
    last_request_day = clock.due_on - timedelta(days=settings.d3_extension_request_days_before)
    if requested_on > last_request_day:
        raise Conflict(
            f"requested on {requested_on.isoformat()}: an extension must be requested at least "
            f"{settings.d3_extension_request_days_before} days before {rule} expires on "
            f"{clock.due_on.isoformat()}, i.e. by {last_request_day.isoformat()}",
            due_on=clock.due_on.isoformat(),
            last_request_day=last_request_day.isoformat(),
        )
    before = _clock_state(clock)
    months = settings.d3_extension_months
    recorded = _record(
        session,
        event=EXTENSION_APPROVED,
        on=today,
        case_id=case.id,
        subject_type="case",
        subject_id=None,
        params={
            "rule": rule,
            "months": months,
            "requested_on": requested_on.isoformat(),
            "reason": reason,
            "approved_by_id": user.id,
        },
        actor=user,
    )
    assert recorded is not None  # a first extension is never a duplicate
    audit.record(
        session,
        actor=user,
        action="deadline.extend",
        entity_type="deadline",
        entity_id=clock.id,
        case_id=case.id,
        before=before,
        after=_clock_state(clock),
        reason=reason,
    )
    return DeadlineExtensionRead(
        id=recorded.id,
        case_id=case.id,
        rule=rule,
        requested_on=requested_on,
        approved_on=today,
        months=months,
        reason=reason,
        approved_by_id=user.id,
        approved_at=recorded.recorded_at,
        deadline=deadline_read(clock, today),
    )


__all__ = [
    "BOARD_STATUSES",
    "approve_extension",
    "deadline_board",
    "deadline_read",
    "list_for_case",
    "recompute_for_year",
    "recompute_provisional",
    "record_event",
    "sync_case_assignment",
]
