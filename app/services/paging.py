"""Keyset paging for every list: a page continues after the sort key of the previous page's last row.

The key is the row id, or a composite key ending with it such as a deadline's (due_on, id), so rows
added or removed before the cursor neither repeat nor skip a row. The cursor is that key, encoded
and tagged with its shape; a cursor of another shape, or one this service did not issue, is a 422
naming ``cursor``.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import and_
from sqlalchemy import or_
from sqlalchemy.orm import Session

from app.errors import InvalidInput

_NOT_A_CURSOR = "not a cursor returned by this list; start without one"


@dataclass(frozen=True)
class Keyset:
    """The columns a list is ordered by, ending with the row id; ``tag`` names the cursor's shape."""

    columns: tuple[Any, ...]
    descending: bool = False
    tag: str = "c1"

    @property
    def order_by(self) -> list[Any]:
        return [column.desc() if self.descending else column for column in self.columns]

    def encode(self, values: Sequence[Any]) -> str:
        parts = (value.isoformat() if isinstance(value, date) else str(value) for value in values)
        text = f"{self.tag}:" + "|".join(parts)
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    def cursor_of(self, row: Any) -> str:
        """The cursor of the page after ``row`` (an object with the key columns as attributes)."""
        return self.encode([getattr(row, column.key) for column in self.columns])

    def decode(self, cursor: str | None) -> tuple[Any, ...] | None:
        """The key a page continues after; None for the first page."""
        if cursor is None:
            return None
        try:
            text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
            if not text.startswith(f"{self.tag}:"):
                raise ValueError(text)
            parts = text.removeprefix(f"{self.tag}:").split("|")
            if len(parts) != len(self.columns):
                raise ValueError(text)
            values = tuple(_parse(column, part) for column, part in zip(self.columns, parts, strict=True))
        except (ValueError, binascii.Error, UnicodeDecodeError):
            raise InvalidInput("cursor", _NOT_A_CURSOR) from None
        return values

    def after(self, values: Sequence[Any]) -> ColumnElement[bool]:
        """Rows past ``values`` in this order: for (a, b) ascending ``a >= x AND (a > x OR b > y)``,
        a form that lets the database range-scan an index on the columns."""
        return _past(self.columns, values, descending=self.descending)


def _past(columns: Sequence[Any], values: Sequence[Any], *, descending: bool) -> ColumnElement[bool]:
    column, value = columns[0], values[0]
    beyond: ColumnElement[bool] = column < value if descending else column > value
    if len(columns) == 1:
        return beyond
    reached = column <= value if descending else column >= value
    return and_(reached, or_(beyond, _past(columns[1:], values[1:], descending=descending)))


def _parse(column: Any, text: str) -> Any:
    if column.type.python_type is date:
        return date.fromisoformat(text)
    value = int(text)
    if value < 1:  # integer key parts are row ids
        raise ValueError(text)
    return value


def keyset_page(
    session: Session,
    stmt: Select[*tuple[Any, ...]],
    *key: Any,
    cursor: str | None,
    limit: int,
    newest_first: bool = True,
) -> tuple[list[Any], str | None]:
    """One page of ``stmt`` ordered by the ``key`` columns (ending with the id) after ``cursor``, and
    the next page's cursor. A statement selecting one entity gives the entities; one selecting more
    gives rows whose first item is the entity that carries the key."""
    keyset = Keyset(tuple(key), descending=newest_first)
    after = keyset.decode(cursor)
    if after is not None:
        stmt = stmt.where(keyset.after(after))
    result = session.execute(stmt.order_by(*keyset.order_by).limit(limit + 1))
    single = len(stmt.column_descriptions) == 1
    rows = list(result.scalars() if single else result.all())
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        next_cursor = keyset.cursor_of(last if single else last[0])
    return rows[:limit], next_cursor
