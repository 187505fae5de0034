"""Keyset paging for every list: a page of rows after the last one seen, and an opaque cursor to
the next page (API.md conventions: ``limit`` and ``next_cursor``)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from app.errors import InvalidInput

_CURSOR_PREFIX = "c1:"


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    """The id a page continues after; a cursor this service did not issue is a 422 naming it."""
    if cursor is None:
        return None
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        if not text.startswith(_CURSOR_PREFIX):
            raise ValueError(text)
        last_id = int(text.removeprefix(_CURSOR_PREFIX))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput("cursor", "not a cursor returned by this list; start without one") from None
    if last_id < 1:
        raise InvalidInput("cursor", "not a cursor returned by this list; start without one")
    return last_id


def keyset_page(
    session: Session,
    stmt: Select[Any],
    id_column: Any,
    *,
    cursor: str | None,
    limit: int,
    newest_first: bool = True,
) -> tuple[list[Any], str | None]:
    """One page of ``stmt`` ordered by ``id_column`` after ``cursor``, and the next page's cursor."""
    after_id = decode_cursor(cursor)
    if after_id is not None:
        stmt = stmt.where(id_column < after_id if newest_first else id_column > after_id)
    order = id_column.desc() if newest_first else id_column
    rows = list(session.scalars(stmt.order_by(order).limit(limit + 1)))
    next_cursor = encode_cursor(rows[limit - 1].id) if len(rows) > limit else None
    return rows[:limit], next_cursor
