"""The audit chain anchored outside the database's reach.

Whoever can write to the database can edit an entry and recompute every hash after it, or remove the
last entries and move the head back: the chain alone then still verifies. Two anchors hold a key and
copies the database does not:

- the head is signed (HMAC-SHA256) with ``ENFORCEMENT_AUDIT_ANCHOR_KEY``, a secret kept in the
  service's settings, apart from the token key; a head recomputed without the key does not verify;
- ``python -m app.sweep`` writes a checkpoint file under ``ENFORCEMENT_AUDIT_CHECKPOINT_DIR`` with the
  hashes of the entries added since the previous checkpoint, signed with the same key; the entries
  checkpointed must be found unchanged, and the first that is not is named.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models.audit_entry import AuditEntry
from app.models.audit_head import AuditHead

_CHECKPOINT_GLOB = "audit-checkpoint-*.json"


def _mac(key: str, payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hmac.new(key.encode(), canonical.encode(), hashlib.sha256).hexdigest()


def head_mac(key: str, *, last_entry_id: int, entry_count: int, last_hash: str) -> str:
    """The signature of the chain's head: which entry is last, how many there are, the last hash."""
    return _mac(key, {"last_entry_id": last_entry_id, "entry_count": entry_count, "last_hash": last_hash})


def head_is_signed(key: str, head: AuditHead) -> bool:
    expected = head_mac(
        key, last_entry_id=head.last_entry_id, entry_count=head.entry_count, last_hash=head.last_hash
    )
    return hmac.compare_digest(expected, head.head_mac or "")


@dataclass
class Anchors:
    """What the checkpoints hold: each checkpointed entry's hash, and the checkpoints that failed."""

    hashes: dict[int, str] = field(default_factory=dict)
    last_entry_id: int = 0
    unsigned: list[str] = field(default_factory=list)


def _checkpoints(directory: Path) -> list[Path]:
    return sorted(directory.glob(_CHECKPOINT_GLOB)) if directory.is_dir() else []


def load_anchors(directory: Path, key: str) -> Anchors:
    anchors = Anchors()
    for path in _checkpoints(directory):
        content = json.loads(path.read_text())
        mac = content.pop("mac", "")
        if not hmac.compare_digest(_mac(key, content), mac):
            anchors.unsigned.append(path.name)
            continue
        anchors.hashes.update((int(entry_id), digest) for entry_id, digest in content["entries"])
        anchors.last_entry_id = max(anchors.last_entry_id, int(content["last_entry_id"]))
    return anchors


def write_checkpoint(session: Session, directory: Path, key: str) -> Path | None:
    """Write the hashes of the entries added since the last checkpoint, up to the head; None when the
    chain has not grown. The file appears whole."""
    head = session.get(AuditHead, 1)
    previous = load_anchors(directory, key).last_entry_id
    if head is None or head.last_entry_id <= previous:
        return None
    rows = session.execute(
        select(AuditEntry.id, AuditEntry.hash)
        .where(AuditEntry.id > previous, AuditEntry.id <= head.last_entry_id)
        .order_by(AuditEntry.id)
    ).all()
    content: dict[str, Any] = {
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "last_entry_id": head.last_entry_id,
        "entry_count": head.entry_count,
        "last_hash": head.last_hash,
        "entries": [[entry_id, digest] for entry_id, digest in rows],
    }
    content["mac"] = _mac(key, content)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"audit-checkpoint-{head.last_entry_id:015d}.json"
    # written aside under a name of its own (sweeps may run at once), then renamed over the final one
    descriptor, partial = tempfile.mkstemp(dir=directory, prefix=".audit-checkpoint-", suffix=".partial")
    with os.fdopen(descriptor, "w") as out:
        out.write(json.dumps(content, ensure_ascii=False))
    os.replace(partial, path)
    return path
