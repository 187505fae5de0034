"""Reading cases: one case with everything a desk needs, the case list, and a case's timeline.

Visibility is the policy's: brigade members see their own brigade's cases only; everyone else
sees all (docs/permissions.md). Full identity numbers go only to those who need them (app.policy
``case.read_id_numbers``); others get them masked.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from datetime import date
from functools import lru_cache
from types import SimpleNamespace
from typing import Any
from typing import TypeVar

from sqlalchemy import Integer
from sqlalchemy import Row
from sqlalchemy import ScalarSelect
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import bindparam
from sqlalchemy import exists
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy import union
from sqlalchemy.orm import Session

from app.database import decode_json_rows
from app.database import json_rows
from app.enums import CaseState
from app.enums import DeadlineStatus
from app.enums import PartyRole
from app.enums import PartyType
from app.errors import InvalidInput
from app.errors import NotFound
from app.models.audit_entry import AuditEntry
from app.models.case import Asset
from app.models.case import Case
from app.models.case import Party
from app.models.case import PropertyClue
from app.models.deadline import Deadline
from app.models.triage_decision import TriageDecision
from app.models.user import Account
from app.models.user import User
from app.policy import Actor
from app.policy import actor_may
from app.policy import actor_may_on_case
from app.policy import sees_all_cases
from app.services.case_access import allowed_actions
from app.services.case_access import can_see
from app.services.case_access import load_case
from app.services.case_access import seen_cases
from app.services.deadline_clocks import VIEW_COLUMNS
from app.services.deadline_clocks import DeadlineView
from app.services.deadline_clocks import deadline_view
from app.services.paging import keyset_page
from app.settings import court_today

T = TypeVar("T")  # a mapped class with ``id`` and ``case_id``

# A row as read (INSERT … RETURNING) or decoded from a JSON list of the case read.
RowLike = Row[Any] | SimpleNamespace

_ID_SHOWN_HEAD, _ID_SHOWN_TAIL = 6, 4  # 110105********002X


def mask_id_number(value: str) -> str:
    """Keep the region code and the last four characters of a resident ID: 110105********002X."""
    hidden = len(value) - _ID_SHOWN_HEAD - _ID_SHOWN_TAIL
    if hidden <= 0:
        return "*" * len(value)
    return value[:_ID_SHOWN_HEAD] + "*" * hidden + value[-_ID_SHOWN_TAIL:]


@dataclass(frozen=True)
class PartyView:
    id: int
    role: str
    name: str
    party_type: str
    id_kind: str | None
    id_number: str | None
    id_number_masked: bool
    id_issuing_country: str | None
    respondent_class: str | None


@dataclass(frozen=True)
class TriageView:
    kind: str
    track: str
    rules: list[dict[str, Any]]
    rule_set_version: str
    override_track: str | None
    reason: str | None
    unit_code: str
    handler_id: int | None
    allocation_reason: str
    decided_by_id: int
    decided_by: str
    decided_at: Any


@dataclass
class CaseDetail:
    """A case (as filed, or its row as read) and what is read with it, as the case read shows it."""

    case: Case | Row[Any]
    parties: list[PartyView]
    property_clues: Sequence[RowLike]
    assets: Sequence[RowLike]
    triage: TriageView | None
    deadlines: list[DeadlineView]
    allowed_actions: list[str]


def _party_view(party: RowLike, *, full_ids: bool) -> PartyView:
    # PIPL art. 28: a natural person's identity number is sensitive personal information; shown in
    # full only where the work needs it. Unified social credit codes are public registry data.
    masked = not full_ids and party.id_number is not None and party.party_type == PartyType.natural_person
    return PartyView(
        id=party.id,
        role=party.role,
        name=party.name,
        party_type=party.party_type,
        id_kind=party.id_kind,
        id_number=mask_id_number(party.id_number) if masked else party.id_number,
        id_number_masked=masked,
        id_issuing_country=party.id_issuing_country,
        respondent_class=party.respondent_class,
    )


def new_case_detail(
    *,
    case: Case | Row[Any],
    parties: Sequence[RowLike],
    property_clues: Sequence[RowLike],
    deadlines: list[DeadlineView],
    user: Actor,
) -> CaseDetail:
    """A case just filed: no assets or triage yet; its parties, clues and clocks are at hand."""
    return _detail(
        case=case,
        user=user,
        parties=parties,
        property_clues=property_clues,
        assets=[],
        triage=None,
        deadlines=deadlines,
    )


_TRIAGE_COLUMNS = tuple(f.name for f in fields(TriageView) if f.name != "decided_by")


_CALLER_COLUMNS = tuple(f.name for f in fields(Account))


@lru_cache
def _case_read(dialect: str) -> tuple[Select[Any], int, dict[str, list[Any]]]:
    """The caller's row with the case and the lists shown with it, as JSON, in one statement (built once
    per dialect); the case's columns are NULL when there is no such case. Also the number of columns
    before the lists."""
    case_id = bindparam("case_id", type_=Integer)
    lists: dict[str, tuple[list[Any], ScalarSelect[Any]]] = {}
    for name, model in (("parties", Party), ("property_clues", PropertyClue), ("assets", Asset)):
        table = model.__table__
        columns = [c for c in table.c if c.key != "case_id"]
        lists[name] = (
            columns,
            json_rows(dialect, columns, where=table.c.case_id == case_id, order_by=[table.c.id]),
        )
    decisions, users = TriageDecision.__table__, User.__table__
    columns = [*(decisions.c[name] for name in _TRIAGE_COLUMNS), users.c.username.label("decided_by")]
    lists["triage"] = (
        columns,
        json_rows(
            dialect,
            columns,
            where=and_(decisions.c.case_id == case_id, users.c.id == decisions.c.decided_by_id),
            order_by=[decisions.c.decided_at.desc(), decisions.c.id.desc()],
            limit=1,
        ),
    )
    clocks = Deadline.__table__
    columns = [clocks.c[name] for name in VIEW_COLUMNS]
    lists["deadlines"] = (
        columns,
        json_rows(
            dialect, columns, where=clocks.c.case_id == case_id, order_by=[clocks.c.due_on, clocks.c.id]
        ),
    )
    # The caller and the case's columns as a plain row: nothing to load into the session, which only
    # reads. The caller's table under another name, so that the triage list's user stays its own.
    callers, cases = users.alias("caller"), Case.__table__
    leading = [*(callers.c[name].label(f"caller_{name}") for name in _CALLER_COLUMNS), *cases.c]
    statement = (
        select(*leading, *(subquery for _, subquery in lists.values()))
        .select_from(callers.outerjoin(cases, cases.c.id == case_id))
        .where(callers.c.id == bindparam("user_id", type_=Integer))
    )
    return statement, len(leading), {name: columns for name, (columns, _) in lists.items()}


@dataclass(frozen=True)
class CallerAndCase:
    """What :func:`read_caller_and_case` read: the caller (None: no such user) and the row of the case
    with its lists (the case's columns are NULL when there is no such case)."""

    caller: Account | None
    row: Row[Any] | None
    dialect: str


def read_caller_and_case(session: Session, *, user_id: int, case_id: int | None) -> CallerAndCase:
    """The caller and the case in one statement; ``case_id`` None reads the caller alone."""
    dialect = session.get_bind().dialect.name
    statement, _, _ = _case_read(dialect)
    row = session.execute(statement, {"user_id": user_id, "case_id": case_id}).first()
    if row is None:
        return CallerAndCase(None, None, dialect)
    caller = Account(
        id=row.caller_id,
        username=row.caller_username,
        unit_code=row.caller_unit_code,
        roles=list(row.caller_roles),
        is_active=bool(row.caller_is_active),
    )
    return CallerAndCase(caller, row, dialect)


def case_detail(read: CallerAndCase, *, case_id: int, user: Actor) -> CaseDetail:
    """The case of :func:`read_caller_and_case` as the caller may see it; 404 when it does not exist or
    is another brigade's."""
    row = read.row
    if row is None or row.id is None or not can_see(user, row):
        raise NotFound(f"case {case_id} not found")
    _, leading, lists = _case_read(read.dialect)
    decoded = {
        name: decode_json_rows(columns, value)
        for (name, columns), value in zip(lists.items(), row[leading:], strict=True)
    }
    triage = decoded["triage"]
    today = court_today()
    if not actor_may(user, "case.read_history"):  # the case as filed, without its later life
        decoded["assets"], decoded["deadlines"], triage = [], [], []
    return _detail(
        case=row,
        user=user,
        parties=decoded["parties"],
        property_clues=decoded["property_clues"],
        assets=decoded["assets"],
        triage=TriageView(**vars(triage[0])) if triage else None,
        deadlines=[deadline_view(d, today) for d in decoded["deadlines"]],
    )


def _detail(
    *,
    case: Case | Row[Any],
    user: Actor,
    parties: Sequence[RowLike],
    property_clues: Sequence[RowLike],
    assets: Sequence[RowLike],
    triage: TriageView | None,
    deadlines: list[DeadlineView],
) -> CaseDetail:
    full_ids = actor_may_on_case(user, "case.read_id_numbers", case)
    return CaseDetail(
        case=case,
        parties=[_party_view(p, full_ids=full_ids) for p in parties],
        property_clues=property_clues,
        assets=assets,
        triage=triage,
        deadlines=deadlines,
        allowed_actions=allowed_actions(user, case),
    )


# Lists -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFilters:
    states: list[str] = field(default_factory=list)
    track: str | None = None
    unit: str | None = None
    handler_id: int | None = None
    overdue: bool | None = None
    filed_from: date | None = None
    filed_to: date | None = None
    q: str | None = None


@dataclass(frozen=True)
class CaseListRow:
    case: Case
    applicant_names: list[str]
    respondent_names: list[str]


def _overdue_clause(today: date) -> Any:
    """Cases with a breached deadline, or an open one past its due date (the early warning of
    docs/rules.md#deadlines)."""
    return exists().where(
        Deadline.case_id == Case.id,
        or_(
            Deadline.status == DeadlineStatus.breached,
            and_(Deadline.status == DeadlineStatus.open, Deadline.due_on < today),
        ),
    )


def _search_clause(q: str) -> Any:
    # Case numbers are stored with full-width parentheses; people type either kind.
    text = unicodedata.normalize("NFKC", q).strip()
    number_text = text.replace("(", "（").replace(")", "）")
    # A union of ids rather than an OR, so that PostgreSQL can use each trigram index
    # (migration "search indexes"); a selective search then stays fast however many cases there are.
    matches = union(
        select(Case.id).where(Case.case_number.contains(number_text, autoescape=True)),
        select(Party.case_id).where(Party.name.contains(text, autoescape=True)),
    )
    return Case.id.in_(select(matches.subquery().c[0]))


def _filtered(stmt: Select[Any], *, user: User, filters: CaseFilters) -> Select[Any]:
    if not sees_all_cases(user):
        stmt = stmt.where(seen_cases(user))  # docs/permissions.md: brigades see their own
    if filters.states:
        stmt = stmt.where(Case.state.in_(filters.states))
    if filters.track is not None:
        stmt = stmt.where(Case.track == filters.track)
    if filters.unit is not None:
        stmt = stmt.where(Case.unit_code == filters.unit)
    if filters.handler_id is not None:
        stmt = stmt.where(Case.handler_id == filters.handler_id)
    if filters.filed_from is not None:
        stmt = stmt.where(Case.filed_on >= filters.filed_from)
    if filters.filed_to is not None:
        stmt = stmt.where(Case.filed_on <= filters.filed_to)
    if filters.q:
        stmt = stmt.where(_search_clause(filters.q))
    if filters.overdue is not None:
        clause = _overdue_clause(court_today())
        stmt = stmt.where(clause if filters.overdue else ~clause)
    return stmt


def list_cases(
    session: Session, *, user: User, filters: CaseFilters, limit: int, cursor: str | None
) -> tuple[list[CaseListRow], str | None]:
    """A page of the cases the caller may see, newest first (keyset on id), and the next cursor."""
    unknown = [s for s in filters.states if s not in CaseState.__members__]
    if unknown:
        raise InvalidInput("state", f"unknown state {unknown[0]!r}; one of {', '.join(CaseState)}")
    if filters.filed_from and filters.filed_to and filters.filed_from > filters.filed_to:
        raise InvalidInput("filed_to", "is before filed_from")
    stmt = _filtered(select(Case), user=user, filters=filters)
    cases, next_cursor = keyset_page(session, stmt, Case.id, cursor=cursor, limit=limit)
    names: dict[tuple[int, str], list[str]] = defaultdict(list)
    if cases:
        rows = session.execute(
            select(Party.case_id, Party.role, Party.name)
            .where(Party.case_id.in_([c.id for c in cases]))
            .order_by(Party.id)
        )
        for case_id, role, name in rows:
            names[(case_id, role)].append(name)
    return [
        CaseListRow(
            case=c,
            applicant_names=names[(c.id, PartyRole.applicant)],
            respondent_names=names[(c.id, PartyRole.respondent)],
        )
        for c in cases
    ], next_cursor


def case_timeline(
    session: Session, *, case_id: int, user: User, limit: int, cursor: str | None
) -> tuple[list[AuditEntry], str | None]:
    """The case's audit entries, oldest first (plan §2(4), §3(1)), for a caller who may see the case."""
    return case_records(session, AuditEntry, case_id=case_id, user=user, limit=limit, cursor=cursor)


def case_records(
    session: Session,
    model: type[T],
    *,
    case_id: int,
    user: User,
    limit: int,
    cursor: str | None,
    **where: Any,
) -> tuple[list[T], str | None]:
    """A page of the case's ``model`` rows in the order recorded (keyset on id), for a caller who may see
    the case; narrowed to the column values ``where`` gives (None: not narrowed)."""
    load_case(session, case_id, user)
    table: Any = model
    stmt = select(table).where(table.case_id == case_id)
    for name, value in where.items():
        if value is not None:
            stmt = stmt.where(getattr(table, name) == value)
    return keyset_page(session, stmt, table.id, cursor=cursor, limit=limit, newest_first=False)
