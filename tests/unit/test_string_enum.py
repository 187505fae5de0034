"""Enum columns (StringEnum): stored as the value, read back as the member, hashed as the string."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime

import pytest
from sqlalchemy import Column
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import Table
from sqlalchemy import create_engine
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import StatementError

from app.database import decode_json_rows
from app.database import json_rows
from app.enums import CaseState
from app.enums import DeadlineStatus
from app.models.base import StringEnum
from app.services.audit import _plain
from app.services.audit import entry_hash

_metadata = MetaData()
_rows = Table(
    "row",
    _metadata,
    Column("id", Integer, primary_key=True),
    Column("state", StringEnum(CaseState, 20)),
)


@pytest.fixture
def connection():
    engine = create_engine("sqlite://")
    _metadata.create_all(engine)
    with engine.begin() as conn:
        yield conn
    engine.dispose()


@pytest.mark.parametrize("sent", [CaseState.at_disposal, "at_disposal"])
def test_the_member_or_its_value_is_stored_as_the_value_and_read_back_as_the_member(connection, sent):
    connection.execute(insert(_rows), [{"id": 1, "state": sent}])
    assert connection.execute(text("SELECT state FROM row")).scalar_one() == "at_disposal"
    read = connection.execute(select(_rows.c.state)).scalar_one()
    assert read is CaseState.at_disposal


def test_a_value_outside_the_vocabulary_is_refused(connection):
    with pytest.raises(StatementError, match="'at disposal' is not a valid CaseState"):
        connection.execute(insert(_rows), [{"id": 1, "state": "at disposal"}])


def test_null_stays_null(connection):
    connection.execute(insert(_rows), [{"id": 1, "state": None}])
    assert connection.execute(select(_rows.c.state)).scalar_one() is None


def test_a_filter_on_the_value_finds_the_row(connection):
    connection.execute(insert(_rows), [{"id": 1, "state": CaseState.closed}, {"id": 2, "state": "filed"}])
    assert connection.execute(select(_rows.c.id).where(_rows.c.state == "closed")).scalar_one() == 1


def test_a_child_list_read_as_json_gives_the_member(connection):
    rows = json_rows("sqlite", [_rows.c.state], where=_rows.c.id > 0, order_by=[_rows.c.id])
    connection.execute(insert(_rows), [{"id": 1, "state": "closed"}])
    (row,) = decode_json_rows([_rows.c.state], connection.execute(select(rows)).scalar_one())
    assert row.state is CaseState.closed


def test_an_audit_entry_hashes_the_member_as_its_string():
    """Entries written when these columns were read as strings still verify."""
    fields = {"occurred_at": datetime(2026, 3, 2, tzinfo=UTC), "before": None}
    as_member = fields | {"after": _plain({"state": CaseState.closed, "status": [DeadlineStatus.met]})}
    as_string = fields | {"after": _plain({"state": "closed", "status": ["met"]})}
    assert as_member == as_string
    assert entry_hash(as_member, "0" * 64) == entry_hash(as_string, "0" * 64)
