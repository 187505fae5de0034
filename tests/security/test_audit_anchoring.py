"""The audit chain cannot be rewritten by whoever holds the database alone: its head is signed with a
key the database does not hold, the sweep checkpoints it outside the database, and on PostgreSQL the
service's role can neither change nor remove an entry."""

from __future__ import annotations

import json

import pytest
import sqlalchemy.exc
from sqlalchemy import Connection
from sqlalchemy import select
from sqlalchemy import text

from app.database import get_engine
from app.database import session_scope
from app.models.audit_entry import AuditEntry
from app.services import audit
from app.services.audit_anchor import head_mac
from app.settings import get_settings
from app.sweep import main as sweep
from tests.conftest import IS_POSTGRES
from tests.factories import as_database_owner

VERIFY = "/api/v1/audit/verify"


def _write_entries(n: int) -> None:
    for i in range(n):
        with session_scope() as session:
            audit.record(
                session,
                actor=None,
                action="case.filed",
                entity_type="case",
                entity_id=i,
                after={"claim_amount": f"{1000 * (i + 1)}.00"},
            )


def _rechain(conn: Connection, *, sign: bool = False) -> None:
    """Recompute every hash and the head from the rows as they now are (what a forger does)."""
    table = AuditEntry.__table__
    rows = conn.execute(select(table).order_by(table.c.id)).mappings().all()
    fields = [(row["id"], {name: row[name] for name in audit._HASHED_FIELDS}) for row in rows]
    prev = audit.GENESIS
    for entry_id, values in fields:
        digest = audit.entry_hash(values, prev)
        conn.execute(
            text("UPDATE audit_entry SET prev_hash = :p, hash = :h WHERE id = :id"),
            {"p": prev, "h": digest, "id": entry_id},
        )
        prev = digest
    last_id = fields[-1][0]
    key = get_settings().audit_anchor_key
    mac = head_mac(key, last_entry_id=last_id, entry_count=len(fields), last_hash=prev) if sign else None
    conn.execute(
        text(
            "UPDATE audit_head SET last_entry_id = :id, entry_count = :n, last_hash = :h, "
            "head_mac = COALESCE(:mac, head_mac)"
        ),
        {"id": last_id, "n": len(fields), "h": prev, "mac": mac},
    )


def _ids() -> list[int]:
    with session_scope(read_only=True) as session:
        return list(session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)))


def _changed_amount(conn: Connection, entry_id: int) -> None:
    after = json.dumps({"claim_amount": "1.00"})
    conn.execute(text("UPDATE audit_entry SET after = :a WHERE id = :id"), {"a": after, "id": entry_id})


def test_an_untouched_chain_verifies_with_its_signed_head(client, auth):
    _write_entries(3)
    assert sweep([]) == 0
    report = client.get(VERIFY, headers=auth("admin")).json()
    assert report == {"ok": True, "entries_checked": 3, "first_broken_id": None, "problem": None}


def test_a_changed_amount_with_every_hash_recomputed_is_reported(client, auth):
    _write_entries(3)
    second = _ids()[1]
    with as_database_owner() as conn:
        _changed_amount(conn, second)
        _rechain(conn)
    report = client.get(VERIFY, headers=auth("admin")).json()
    assert report["ok"] is False and "not signed" in report["problem"]


def test_the_last_entry_removed_and_the_head_moved_back_is_reported(client, auth):
    _write_entries(3)
    with as_database_owner() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": _ids()[-1]})
        _rechain(conn)
    report = client.get(VERIFY, headers=auth("admin")).json()
    assert report["ok"] is False and "not signed" in report["problem"]


def test_past_a_checkpoint_the_first_entry_that_differs_is_named_even_with_the_key(client, auth):
    _write_entries(4)
    assert sweep([]) == 0
    second = _ids()[1]
    with as_database_owner() as conn:
        _changed_amount(conn, second)
        _rechain(conn, sign=True)
    report = client.get(VERIFY, headers=auth("admin")).json()
    assert report["ok"] is False
    assert report["first_broken_id"] == second
    assert report["problem"] == "this entry differs from its checkpoint"


def test_past_a_checkpoint_a_removed_last_entry_is_named_even_with_the_key(client, auth):
    _write_entries(3)
    assert sweep([]) == 0
    last = _ids()[-1]
    with as_database_owner() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": last})
        _rechain(conn, sign=True)
    report = client.get(VERIFY, headers=auth("admin")).json()
    assert report["ok"] is False and report["first_broken_id"] == last
    assert report["problem"] == "this checkpointed entry was removed"


def test_the_sweep_writes_a_checkpoint_only_when_the_chain_grew(client, auth):
    directory = get_settings().audit_checkpoint_dir
    _write_entries(2)
    assert sweep([]) == 0
    assert sweep([]) == 0
    [checkpoint] = sorted(directory.glob("audit-checkpoint-*.json"))
    content = json.loads(checkpoint.read_text())
    assert [entry_id for entry_id, _ in content["entries"]] == _ids()
    _write_entries(1)
    assert sweep([]) == 0
    assert len(list(directory.glob("audit-checkpoint-*.json"))) == 2


def test_an_edited_checkpoint_is_reported(client, auth):
    _write_entries(2)
    assert sweep([]) == 0
    [checkpoint] = get_settings().audit_checkpoint_dir.glob("audit-checkpoint-*.json")
    content = json.loads(checkpoint.read_text())
    content["entries"][0][1] = "0" * 64
    checkpoint.write_text(json.dumps(content))
    report = client.get(VERIFY, headers=auth("admin")).json()
    assert report["ok"] is False and "not signed with the audit key" in report["problem"]


@pytest.mark.skipif(not IS_POSTGRES, reason="the append-only trigger is PostgreSQL's")
@pytest.mark.parametrize("statement", ["UPDATE audit_entry SET reason = 'x'", "DELETE FROM audit_entry"])
def test_the_service_can_neither_change_nor_remove_an_entry_on_postgresql(statement):
    _write_entries(1)
    with pytest.raises(sqlalchemy.exc.DBAPIError, match="append-only"), get_engine().begin() as conn:
        conn.execute(text(statement))
