"""The append-only, hash-chained audit trail (plan §2(4) 全程监督).

Services call :func:`record_for` (:func:`record_created` for a new record) next to the change, or
:func:`record` for an entry about something that is not one stored record; the entries are chained
and inserted by :func:`write_pending_entries` in the same transaction, just before it commits, holding
the chain's head row so that concurrent transactions append one after another. That happens in
:func:`chain_before_commit`, a session listener each entry point installs
(app.services.session_listeners); without it :func:`record` refuses rather than lose entries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any
from typing import Protocol
from typing import TypeVar
from typing import cast

from sqlalchemy import Row
from sqlalchemy import Table
from sqlalchemy import bindparam
from sqlalchemy import event
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.context import request_id_var
from app.database import insert_skipping_conflicts
from app.database import is_read_only
from app.database import run
from app.models.audit_entry import AuditEntry
from app.models.audit_head import AuditHead
from app.models.base import utcnow
from app.policy import Actor
from app.services import outbox
from app.services.audit_anchor import Anchors
from app.services.audit_anchor import head_is_signed
from app.services.audit_anchor import head_mac
from app.settings import get_settings

GENESIS = "0" * 64
_PENDING = "audit_pending"


def _json_default(o: Any) -> Any:
    if isinstance(o, Decimal):
        return f"{o:.2f}" if o.as_tuple().exponent == -2 else str(o)
    if isinstance(o, datetime | date):
        return o.isoformat()
    if isinstance(o, Enum):
        return o.value
    if isinstance(o, set | frozenset | tuple):
        return sorted(o) if isinstance(o, set | frozenset) else list(o)
    return str(o)


_NATIVE = (str, int, float, bool)  # kept as they are by a JSON round trip (exact types only)
_AS_TEXT = (Decimal, datetime, date)


def _plain(value: Any) -> Any:
    """JSON-native form, so the hash of what is stored is the hash of what is read back."""
    if value is None:
        return None
    if type(value) is dict:
        flat = _plain_flat(value)
        if flat is not None:
            return flat
    return json.loads(json.dumps(value, default=_json_default, ensure_ascii=False))


def _plain_flat(value: dict[Any, Any]) -> dict[str, Any] | None:
    """A flat mapping of scalars (most entries) converted as the JSON round trip converts it, without
    the round trip; None when it holds anything else."""
    plain: dict[str, Any] = {}
    for key, item in value.items():
        kind = type(item)
        if type(key) is not str:
            return None
        if item is None or kind in _NATIVE:
            plain[key] = item
        elif kind in _AS_TEXT:
            plain[key] = _json_default(item)
        elif isinstance(item, Enum) and type(item.value) in (str, int):
            plain[key] = item.value
        else:
            return None
    return plain


def record(
    session: Session,
    *,
    actor: Actor | None,
    action: str,
    entity_type: str,
    entity_id: Any,
    case_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """Queue one audit entry; it is written with the transaction that makes the change."""
    pending = session.info.get(_PENDING)
    if pending is None:
        if not event.contains(Session, "before_commit", chain_before_commit):
            raise RuntimeError("the audit chain is not written: install app.services.session_listeners first")
        pending = session.info[_PENDING] = []
    pending.append(
        {
            "occurred_at": utcnow(),
            "actor_id": getattr(actor, "id", None),
            "actor_username": getattr(actor, "username", "system"),
            "actor_unit": getattr(actor, "unit_code", None),
            "actor_roles": list(getattr(actor, "roles", [])),
            "action": action,
            "entity_type": entity_type,
            "entity_id": str(entity_id),
            "case_id": case_id,
            "before": _plain(before),
            "after": _plain(after),
            "reason": reason,
            "request_id": request_id_var.get(),
        }
    )


class Entity(Protocol):
    """A stored record an entry is about: its table's name is the entry's entity type."""

    __tablename__: Any

    @property
    def id(self) -> Any: ...


E = TypeVar("E", bound=Entity)


def subject_of(row: Entity) -> tuple[str, Any, int | None]:
    """What an entry (or a deadline event) about ``row`` names: its entity type (the table's name, e.g.
    "asset"), its id and its case (a case's own id; None for a record of no case)."""
    entity_type: str = row.__tablename__
    case_id = row.id if entity_type == "case" else getattr(row, "case_id", None)
    return entity_type, row.id, case_id


def record_for(
    session: Session,
    actor: Actor | None,
    row: Entity,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str | None = None,
) -> None:
    """:func:`record` of a change to ``row``, its entity type, id and case taken from the row."""
    entity_type, entity_id, case_id = subject_of(row)
    record(
        session,
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        case_id=case_id,
        before=before,
        after=after,
        reason=reason,
    )


def record_created(
    session: Session,
    actor: Actor | None,
    row: E,
    action: str,
    *,
    after: dict[str, Any],
    reason: str | None = None,
) -> E:
    """Store the new ``row`` (flushed, so it has its id) with its audit entry; the row. ``after`` is
    made before the row is stored: what the caller set, not what the database fills in."""
    session.add(row)
    session.flush()
    record_for(session, actor, row, action, after=after, reason=reason)
    return row


def entry_hash(fields: dict[str, Any], prev_hash: str) -> str:
    payload = dict(fields)
    payload["occurred_at"] = payload["occurred_at"].isoformat(timespec="microseconds")
    payload["prev_hash"] = prev_hash
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


_HASHED_FIELDS = (
    "occurred_at",
    "actor_id",
    "actor_username",
    "actor_unit",
    "actor_roles",
    "action",
    "entity_type",
    "entity_id",
    "case_id",
    "before",
    "after",
    "reason",
    "request_id",
)


_HEAD = cast(Table, AuditHead.__table__)
_LOCK_HEAD = (
    select(_HEAD.c.last_hash, _HEAD.c.entry_count, _HEAD.c.event_position)
    .where(_HEAD.c.id == 1)
    .with_for_update()
)
_ENTRIES = cast(Table, AuditEntry.__table__)
_INSERT_ENTRIES = insert(_ENTRIES).returning(_ENTRIES.c.id, sort_by_parameter_order=True)
_MOVE_HEAD = (
    _HEAD.update()
    .where(_HEAD.c.id == 1)
    .values(
        last_entry_id=bindparam("last_id"),
        last_hash=bindparam("last"),
        entry_count=bindparam("count"),
        head_mac=bindparam("mac"),
        event_position=bindparam("position"),
    )
)


def _locked_head(session: Session) -> Row[Any]:
    """The chain's head (last hash), locked until the transaction ends: appends are ordered across
    processes. Created with the genesis hash on first use; a concurrent creator wins, we wait."""
    head = run(session, _LOCK_HEAD).first()
    if head is None:
        session.execute(
            insert_skipping_conflicts(session, AuditHead, "id"),
            {"id": 1, "last_entry_id": 0, "last_hash": GENESIS, "entry_count": 0, "event_position": 0},
        )
        head = run(session, _LOCK_HEAD).one()
    return head


def write_pending_entries(session: Session) -> None:
    """Chain and insert the queued entries (one INSERT) and the events they announce (app.services.outbox),
    then move and sign the head (one UPDATE)."""
    pending: list[dict[str, Any]] = session.info.pop(_PENDING, [])
    if not pending:
        return
    session.flush()
    head = _locked_head(session)
    prev = head.last_hash
    rows = []
    for fields in pending:
        digest = entry_hash(fields, prev)
        rows.append({**fields, "prev_hash": prev, "hash": digest})
        prev = digest
    ids = list(run(session, _INSERT_ENTRIES, rows).scalars())
    position = outbox.write_events(
        session,
        [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)],
        last_position=head.event_position,
    )
    count = head.entry_count + len(rows)
    mac = head_mac(get_settings().audit_anchor_key, last_entry_id=ids[-1], entry_count=count, last_hash=prev)
    run(
        session,
        _MOVE_HEAD,
        {"last_id": ids[-1], "last": prev, "count": count, "mac": mac, "position": position},
    )


def chain_before_commit(session: Session) -> None:
    """``before_commit`` listener: a writing transaction commits with the entries it queued."""
    if not is_read_only(session):
        write_pending_entries(session)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    entries_checked: int
    first_broken_id: int | None = None
    problem: str | None = None


def verify_chain(session: Session, *, anchors: Anchors | None = None, batch: int = 2000) -> ChainReport:
    """Recompute every hash in order; report the first entry that was edited, removed or reordered,
    or that differs from the checkpoints (``anchors``); then check the head's signature."""
    anchors = anchors or Anchors()
    if anchors.unsigned:
        return ChainReport(
            False, 0, None, f"checkpoint {anchors.unsigned[0]} is not signed with the audit key"
        )
    anchored = iter(sorted(anchors.hashes))
    next_anchored = next(anchored, None)
    prev, checked, last_id = GENESIS, 0, 0
    while True:
        rows = (
            session.execute(
                select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
            )
            .scalars()
            .all()
        )
        for row in rows:
            fields = {name: getattr(row, name) for name in _HASHED_FIELDS}
            if row.prev_hash != prev:
                return ChainReport(False, checked, row.id, "an entry before this one was removed or changed")
            if entry_hash(fields, prev) != row.hash:
                return ChainReport(False, checked, row.id, "this entry was edited after it was written")
            if next_anchored is not None and next_anchored < row.id:
                return ChainReport(False, checked, next_anchored, "this checkpointed entry was removed")
            if next_anchored == row.id:
                if anchors.hashes[row.id] != row.hash:
                    return ChainReport(False, checked, row.id, "this entry differs from its checkpoint")
                next_anchored = next(anchored, None)
            prev, checked, last_id = row.hash, checked + 1, row.id
        if len(rows) < batch:
            break
    if next_anchored is not None:
        return ChainReport(False, checked, next_anchored, "this checkpointed entry was removed")
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_hash != prev or head.entry_count != checked):
        return ChainReport(False, checked, last_id or None, "entries at the end of the chain were removed")
    if head is not None and not head_is_signed(get_settings().audit_anchor_key, head):
        return ChainReport(
            False, checked, last_id or None, "the chain's head is not signed with the audit key: rewritten"
        )
    return ChainReport(True, checked)
