"""The early-warning board (期限预警): deadline clocks by status across the court, earliest due first."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import fields
from datetime import date
from datetime import timedelta
from typing import Any

from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union_all
from sqlalchemy.orm import Session

from app.enums import DeadlineStatus
from app.errors import Forbidden
from app.errors import InvalidInput
from app.models.deadline import Deadline
from app.models.user import User
from app.policy import ALL_UNITS
from app.policy import sees_all_cases
from app.rules.deadline_rules import RULES_BY_ID
from app.rules.deadline_rules import WINDOW_RULES
from app.rules.deadline_rules import warning_windows
from app.services.deadline_clocks import DeadlineView
from app.services.deadline_clocks import deadline_view
from app.services.paging import Keyset
from app.settings import court_today
from app.settings import get_settings

BOARD_STATUSES = ("overdue", "due_soon", *DeadlineStatus)
# Earliest due first; the cursor carries the last line's (due_on, id).
BOARD_KEYSET = Keyset((Deadline.due_on, Deadline.id), tag="d1")


@dataclass(frozen=True, slots=True)
class BoardLine(DeadlineView):
    """A clock as the board shows it: with its case number, unit and handler."""

    case_number: str | None
    unit: str | None
    handler_id: int | None
    handler_name: str | None


@dataclass(frozen=True)
class BoardQuery:
    status: str
    unit: str | None
    rule: str | None
    after: tuple[Any, ...] | None
    limit: int
    today: date


def status_branches(status: str, today: date) -> list[list[Any]]:
    """One list of conditions per index range of a board status; each is read in (due_on, id) order."""
    settings = get_settings()
    if status == "overdue":
        # Overdue = breached, or still open past the due date before the sweep has marked it.
        return [
            [Deadline.status == DeadlineStatus.breached],
            [
                Deadline.status == DeadlineStatus.open,
                Deadline.due_on < today,
                Deadline.rule.not_in(sorted(WINDOW_RULES)),
            ],
        ]
    if status == "due_soon":
        windows = warning_windows(settings)
        within = [
            and_(Deadline.rule.in_(sorted(rules)), Deadline.due_on <= today + timedelta(days=days))
            for days, rules in windows.items()
        ]
        return [
            [
                Deadline.status == DeadlineStatus.open,
                Deadline.due_on >= today,
                Deadline.due_on <= today + timedelta(days=max(windows)),
                or_(*within),
            ]
        ]
    return [[Deadline.status == status]]


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
) -> tuple[list[BoardLine], str | None]:
    """The early-warning board (期限预警): clocks by status, earliest due first, and the next page's
    cursor; brigades see their own."""
    if status not in BOARD_STATUSES:
        raise InvalidInput("status", f"must be one of {', '.join(BOARD_STATUSES)}")
    if unit is not None and unit not in ALL_UNITS:
        raise InvalidInput("unit", f"unknown unit {unit!r}")
    if rule is not None and rule not in RULES_BY_ID:
        raise InvalidInput("rule", f"unknown rule {rule!r}; one of D1 … D{len(RULES_BY_ID)}")
    # docs/permissions.md: a brigade sees its own cases' clocks only.
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
    branches = [_branch_select(conditions, q).subquery() for conditions in status_branches(q.status, q.today)]
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
    lines = [_board_line(row, handler_name, q.today) for row, handler_name in rows[: q.limit]]
    next_cursor = BOARD_KEYSET.cursor_of(rows[q.limit - 1][0]) if len(rows) > q.limit else None
    return lines, next_cursor


def _board_line(row: Deadline, handler_name: str | None, today: date) -> BoardLine:
    clock = deadline_view(row, today)
    return BoardLine(
        **{shown.name: getattr(clock, shown.name) for shown in fields(clock)},
        case_number=row.case_number,
        unit=row.unit_code,
        handler_id=row.handler_id,
        handler_name=handler_name,
    )
