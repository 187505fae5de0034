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
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from app.models.case import Case
from app.models.dishonest_listing import DishonestListing
from app.models.disposal_transfer import DisposalTransfer
from app.models.objection import Objection
from app.models.outbox_event import OutboxEvent
from app.models.petition import Petition
from app.models.refusal_referral import RefusalReferral
from app.rules.event_types import event_types, shareable

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


def _version(session: Session, entity_type: str, entity_id: str) -> int | None:
    """The record's version as this transaction leaves it (after its last flush)."""
    model = VERSIONED.get(entity_type)
    if model is None or not entity_id.isdigit():
        return None
    loaded = session.identity_map.get(identity_key(model, int(entity_id)))
    if loaded is not None:
        return cast(int, loaded.version)
    return session.scalar(select(model.version).where(model.id == int(entity_id)))


def write_events(session: Session, entries: Sequence[dict[str, Any]], *, last_position: int) -> int:
    """Insert the events the audit ``entries`` (stored, with their ``id``) announce, numbered after
    ``last_position``; returns the last position used. Call only under the audit head's lock."""
    rows = []
    for entry in entries:
        for event_type in event_types(entry["action"], entry["after"]):
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
                    "version": _version(session, entry["entity_type"], entry["entity_id"]),
                    "payload": shareable(
                        {"action": entry["action"], **(entry["after"] or {}), "reason": entry["reason"]}
                    ),
                    "audit_entry_id": entry["id"],
                }
            )
    if rows:
        session.execute(_INSERT_EVENTS, rows)
    return last_position
