"""The transactional outbox: the public events of a transaction's audited changes, written with its
audit entries (app.services.audit) just before it commits, so an event exists if and only if its
change committed (docs/events.md).

The audit chain's head row is locked while they are written and until the commit; each event's
position is drawn from a counter on that row, so positions follow commit order with no gap and a
reader that has seen position n has seen every event before it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any
from typing import cast

from sqlalchemy import Table
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.database import run
from app.models.case import Case
from app.models.dishonest_listing import DishonestListing
from app.models.disposal_transfer import DisposalTransfer
from app.models.objection import Objection
from app.models.outbox_event import OutboxEvent
from app.models.petition import Petition
from app.models.refusal_referral import RefusalReferral
from app.rules.event_types import event_types
from app.rules.event_types import shareable

# The records whose events carry their new version (the ETag a receiver compares with).
VERSIONED: dict[str, Any] = {
    "case": Case,
    "objection": Objection,
    "petition": Petition,
    "refusal_referral": RefusalReferral,
    "disposal_transfer": DisposalTransfer,
    "dishonest_listing": DishonestListing,
}
_EVENTS = cast(Table, OutboxEvent.__table__)
_INSERT_EVENTS = insert(_EVENTS)
_LOOKUP_IDS = 1000  # ids per SELECT of versions
_NOTED = "outbox_noted_versions"


def note_versions(session: Session, entity_type: str, versions: dict[int, int]) -> None:
    """Tell the outbox the versions of records this transaction inserted as plain rows (not loaded
    into the session) and does not change again, so that the commit need not read them back."""
    transaction = session.get_transaction()
    held = session.info.get(_NOTED)
    if held is None or held[0] is not transaction:  # a rolled-back one's notes are dropped
        held = session.info[_NOTED] = (transaction, dict[tuple[str, int], int]())
    held[1].update(((entity_type, id_), version) for id_, version in versions.items())


def _versioned(entry: dict[str, Any]) -> tuple[str, int] | None:
    """The versioned record (type, id) an audit entry is about, if any."""
    entity_type, entity_id = entry["entity_type"], entry["entity_id"]
    return (entity_type, int(entity_id)) if entity_type in VERSIONED and entity_id.isdigit() else None


def _versions(session: Session, records: set[tuple[str, int]]) -> dict[tuple[str, int], int]:
    """The records' versions as this transaction leaves them (after its last flush): from the
    session when loaded, else as noted by :func:`note_versions`, the others with one SELECT per
    record type."""
    versions: dict[tuple[str, int], int] = {}
    wanted: dict[str, list[int]] = {}
    held = session.info.pop(_NOTED, None)
    noted: dict[tuple[str, int], int] = held[1] if held and held[0] is session.get_transaction() else {}
    for entity_type, entity_id in records:
        loaded = session.identity_map.get(identity_key(VERSIONED[entity_type], entity_id))
        if loaded is not None:
            versions[entity_type, entity_id] = cast(int, loaded.version)
        elif (entity_type, entity_id) in noted:
            versions[entity_type, entity_id] = noted[entity_type, entity_id]
        else:
            wanted.setdefault(entity_type, []).append(entity_id)
    for entity_type, ids in wanted.items():
        model = VERSIONED[entity_type]
        for start in range(0, len(ids), _LOOKUP_IDS):
            chunk = ids[start : start + _LOOKUP_IDS]
            found = session.execute(select(model.id, model.version).where(model.id.in_(chunk)))
            versions.update(((entity_type, id_), version) for id_, version in found)
    return versions


def write_events(session: Session, entries: Sequence[dict[str, Any]], *, last_position: int) -> int:
    """Insert the events the audit ``entries`` (stored, with their ``id``) announce, numbered after
    ``last_position``; returns the last position used. Call only under the audit head's lock."""
    announced = [(entry, event_types(entry["action"], entry["after"])) for entry in entries]
    records = {_versioned(entry) for entry, types in announced if types}
    versions = _versions(session, {record for record in records if record is not None})
    rows = []
    for entry, types in announced:
        record = _versioned(entry)
        for event_type in types:
            last_position += 1
            rows.append(
                {
                    "position": last_position,
                    "event_id": str(uuid.uuid4()),
                    "type": event_type,
                    "occurred_at": entry["occurred_at"],
                    "case_id": entry["case_id"],
                    "entity_type": entry["entity_type"],
                    "entity_id": entry["entity_id"],
                    "version": versions.get(record) if record is not None else None,
                    "payload": shareable(
                        {"action": entry["action"], **(entry["after"] or {}), "reason": entry["reason"]}
                    ),
                    "audit_entry_id": entry["id"],
                }
            )
    if rows:
        run(session, _INSERT_EVENTS, rows)
    return last_position
